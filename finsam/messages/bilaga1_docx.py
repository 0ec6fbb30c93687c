"""Bilaga 1 as a Word document (python-docx), for the kansli to finish and paste into the annual report."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.shared import Pt

from finsam.services.arsredovisning import Bilaga1


def bilaga1_docx(bilaga: Bilaga1, forbund: str) -> bytes:
    document = Document()
    document.add_heading(f"Bilaga 1 – Insatser {bilaga.ar}", level=1)
    document.add_paragraph(f"{forbund}. Fält inom hakparentes fyller kansliet i.")
    for grupp, blocks in bilaga.grupper.items():
        document.add_heading(grupp, level=2)
        if not blocks:
            document.add_paragraph("Inga.")
        for block in blocks:
            table = document.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for label, value in block.fields(bilaga.ar):
                cells = table.add_row().cells
                cells[0].text, cells[1].text = label, value
                cells[0].paragraphs[0].runs[0].bold = True
            document.add_paragraph()
    document.add_heading(f"Finansierade insatser {bilaga.ar}", level=2)
    for grupp, blocks in bilaga.grupper.items():
        paragraph = document.add_paragraph()
        paragraph.add_run(grupp).bold = True
        for block in blocks:
            document.add_paragraph(f"{block.insatsnamn}, {block.period}", style="List Bullet")
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            run.font.size = run.font.size or Pt(11)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
