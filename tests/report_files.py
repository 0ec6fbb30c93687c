"""The shared reports as Word and PDF files, made the way users make them, for the readers' tests."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def as_docx(text: str, path: Path) -> Path:
    """Paragraphs, with each 'label above value' pair put in a two-row table cell as the templates do."""
    from docx import Document

    document = Document()
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        # Put labelled fields into tables: the templates keep their fields there.
        if line and i + 1 < len(lines) and re.match(r"^(Diarienummer|Insatsens namn|Organisations namn|E-postadress)", line):
            table = document.add_table(rows=2, cols=1)
            table.cell(0, 0).text = line
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            table.cell(1, 0).text = lines[j].strip() if j < len(lines) else ""
            i = j + 1
            continue
        document.add_paragraph(lines[i])
        i += 1
    document.save(path)
    return path


def as_docx_table(before: str, rows: list[tuple[str, ...]], after: str, path: Path) -> Path:
    """Paragraphs, a table (one row a tuple, a cell's lines as its paragraphs), paragraphs: the 4.6 table as Word has it."""
    from docx import Document

    document = Document()
    for line in before.splitlines():
        document.add_paragraph(line)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    for line in after.splitlines():
        document.add_paragraph(line)
    document.save(path)
    return path


def as_pdf(text: str, path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=10)
    for line in text.splitlines():
        pdf.multi_cell(0, 5, line.rstrip() or " ", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def pdf_by_libreoffice(docx: Path) -> Path:
    """The PDF LibreOffice saves from a Word file, as a user's "Spara som PDF" does (skipped without LibreOffice,
    unless FINSAM_TEST_REQUIRE_LIBREOFFICE=1, as in CI)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("FINSAM_TEST_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("LibreOffice is required (FINSAM_TEST_REQUIRE_LIBREOFFICE=1) but soffice is missing")
        pytest.skip("LibreOffice skipped: no soffice (Debian's package libreoffice-writer-nogui)")
    profile = docx.parent / "lo-profil"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(docx.parent), str(docx)], check=True, capture_output=True, timeout=180)
    return docx.with_suffix(".pdf")
