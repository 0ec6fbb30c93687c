"""Bilaga 1 as a Word document (python-docx) laid out as the annual report's: A4, a heading per group, one
two-column table per insats (labels in a third of the width) kept on one page, the financed insatser per
inriktning, and at the end what the kansli still has to fill in."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table

from finsam.services.arsredovisning import Bilaga1, Block

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Cm(21), Cm(29.7), Cm(2.2)
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
LABEL_WIDTH = TEXT_WIDTH // 3
FONT, SIZE = "Calibri", Pt(10)


def _page(document) -> None:  # noqa: ANN001 - python-docx's Document
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, SIZE
    normal.paragraph_format.space_after = Pt(2)


def _kept_together(table: Table) -> None:
    """A row never breaks across pages, and each row keeps with the next: the insats stays on one page."""
    rows = list(table.rows)
    for i, row in enumerate(rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = i < len(rows) - 1
                paragraph.paragraph_format.space_after = Pt(1)


def _widths(table: Table) -> None:
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, (LABEL_WIDTH, TEXT_WIDTH - LABEL_WIDTH), strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _block(document, block: Block) -> None:  # noqa: ANN001
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for falt in block.falt:
        label, value = table.add_row().cells
        label.paragraphs[0].add_run(falt.etikett).bold = True
        run = value.paragraphs[0].add_run(falt.text)
        run.bold = falt.etikett == "Insatsnamn"
    _widths(table)
    _kept_together(table)
    document.add_paragraph()


def bilaga1_docx(bilaga: Bilaga1, forbund: str) -> bytes:
    document = Document()
    document.core_properties.title = bilaga.titel
    document.core_properties.author = forbund
    _page(document)
    document.add_heading(bilaga.titel, level=1)
    for grupp, blocks in bilaga.grupper.items():
        document.add_heading(grupp, level=2)
        if not blocks:
            document.add_paragraph("Inga.")
        for block in blocks:
            _block(document, block)
    document.add_heading(bilaga.finansierade_rubrik, level=2)
    for inriktning, blocks in bilaga.inriktningar.items():
        heading = document.add_paragraph()
        heading.add_run(inriktning).bold = True
        heading.paragraph_format.keep_with_next = True
        for block in blocks:
            document.add_paragraph(f"{block.insatsnamn}, {block.period}", style="List Bullet")
        if not blocks:
            document.add_paragraph("Inga.")
    att_fylla_i = bilaga.att_fylla_i()
    if att_fylla_i:
        document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        document.add_heading("Kvar för kansliet att fylla i (tas bort före inklistring)", level=2)
        for rest in att_fylla_i:
            document.add_paragraph(f"{rest.insats} – {rest.falt}: {rest.vad}", style="List Bullet")
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
