"""The text of an arriving document: Word (.docx, tables included), PDF, or text already extracted (OCR).

A file that cannot be read (damaged, encrypted, empty, of another kind) is refused with a
message that names it and says why; nothing is registered from it.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from finsam.intake.limits import UnreadableDocument

SUFFIXES = (".docx", ".pdf", ".txt")


@dataclass(frozen=True)
class Document:
    name: str
    data: bytes
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _docx_text(data: bytes, name: str) -> str:
    import io

    from docx import Document as WordDocument
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = WordDocument(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise UnreadableDocument(f"{name}: går inte att läsa som Word-dokument ({e}).") from None
    lines: list[str] = []
    # In document order, paragraphs and tables alike: the templates keep their fields in tables.
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    if cell.text not in cells:  # merged cells repeat their text
                        cells.append(cell.text)
                for cell_text in cells:
                    lines.extend(cell_text.splitlines())
    return "\n".join(lines)


def _pdf_text(data: bytes, name: str) -> str:
    import io
    import logging

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about damaged files would reach the user
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableDocument(f"{name}: PDF-filen är krypterad; be avsändaren skicka en olåst fil.")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except PdfReadError as e:
        raise UnreadableDocument(f"{name}: går inte att läsa som PDF ({e}).") from None


def _plain_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_document(name: str, data: bytes) -> Document:
    suffix = Path(name).suffix.lower()
    if not data:
        raise UnreadableDocument(f"{name}: filen är tom.")
    if suffix == ".docx":
        text = _docx_text(data, name)
    elif suffix == ".pdf":
        text = _pdf_text(data, name)
    elif suffix == ".txt":
        text = _plain_text(data)
    else:
        raise UnreadableDocument(f"{name}: okänd filtyp {suffix or '(ingen)'}; finsam läser {', '.join(SUFFIXES)}.")
    if not text.strip():
        hint = " (en inskannad PDF utan text behöver tolkas med OCR först)" if suffix == ".pdf" else ""
        raise UnreadableDocument(f"{name}: dokumentet innehåller ingen text{hint}.")
    return Document(name=name, data=data, text=text)


def read_file(path: Path) -> Document:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UnreadableDocument(f"Kan inte läsa {path}: {e.strerror}.") from None
    return read_document(path.name, data)
