"""The text of an arriving document: Word (.docx, tables included), PDF, or text already extracted (OCR).

A file that cannot be read (damaged, encrypted, empty, of another kind, or beyond the limits in
finsam.intake.limits) is refused with a message that names it and says why; nothing is registered from it.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from finsam.errors import FinsamError
from finsam.files import Folder, shown_name
from finsam.intake.limits import Budget, Limits, UnreadableDocument, megabytes
from finsam.intake.wordform import FormRead, read_form

SUFFIXES = (".docx", ".pdf", ".txt")


@dataclass(frozen=True)
class Document:
    name: str
    data: bytes
    text: str
    # The time left for finding the fields (the limit counts from when reading began).
    budget: Budget | None = field(default=None, compare=False, repr=False)
    form: FormRead | None = field(default=None, compare=False, repr=False)  # a Word file, read by its structure

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _docx_parts(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a Word file whose parts would unpack beyond the limits, before anything is unpacked.

    The zip's directory declares each part's unpacked size; a zip bomb (a few hundred KB that
    inflate to gigabytes) is refused on those numbers. A directory that lies (declares less than the
    part inflates to) is caught by zipfile itself, which reads no more than the declared size and then
    finds the checksum wrong; word/document.xml is read here in bounded chunks all the same.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if len(parts) > limits.max_zip_entries:
                raise UnreadableDocument(f"{name}: Word-filen består av {len(parts)} delar; finsam läser högst "
                                         f"{limits.max_zip_entries}.")
            unpacked = sum(part.file_size for part in parts)
            if unpacked > limits.max_unpacked_bytes:
                raise UnreadableDocument(f"{name}: Word-filen packas upp till {megabytes(unpacked)}; finsam läser högst "
                                         f"{megabytes(limits.max_unpacked_bytes)} uppackat.")
            read = 0
            with archive.open("word/document.xml") as body:
                while chunk := body.read(1024 * 1024):
                    read += len(chunk)
                    if read > limits.max_unpacked_bytes:
                        raise UnreadableDocument(f"{name}: Word-filens text är större än "
                                                 f"{megabytes(limits.max_unpacked_bytes)} uppackad.")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, EOFError, NotImplementedError, zlib.error) as e:
        raise UnreadableDocument(f"{name}: går inte att läsa som Word-dokument ({e}).") from None


def _docx_text(data: bytes, name: str, limits: Limits, budget: Budget) -> tuple[str, FormRead]:
    """The text of a Word file in reading order, and the file read as a form (finsam.intake.wordform): its
    tables' label/value pairs, fill-in fields, content controls, text boxes and checkboxes."""
    from docx import Document as WordDocument

    from finsam.intake.extract import is_label

    _docx_parts(data, name, limits)
    try:
        document = WordDocument(io.BytesIO(data))
        form = read_form(document.element.body, is_label, budget.check)
    except FinsamError:
        raise
    except Exception as e:  # a damaged file can fail anywhere in python-docx and lxml
        raise UnreadableDocument(f"{name}: går inte att läsa som Word-dokument ({e or type(e).__name__}).") from None
    return "\n".join(form.lines), form


def _pdf_text(data: bytes, name: str, limits: Limits, budget: Budget) -> str:
    import logging

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about damaged files would reach the user
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableDocument(f"{name}: PDF-filen är krypterad; be avsändaren skicka en olåst fil.")
        pages = len(reader.pages)
        if pages > limits.max_pages:
            raise UnreadableDocument(f"{name}: PDF-filen har {pages} sidor; finsam läser högst {limits.max_pages}.")
        texts = []
        for page in reader.pages:
            budget.check()
            texts.append(page.extract_text() or "")
        return "\n".join(texts)
    except FinsamError:
        raise
    except LimitReachedError:  # pypdf's own bound on what one stream may inflate to
        raise UnreadableDocument(f"{name}: PDF-filen innehåller för stora delar för att läsas.") from None
    except Exception as e:  # a damaged file can fail anywhere in pypdf (PdfReadError and others)
        raise UnreadableDocument(f"{name}: går inte att läsa som PDF ({e or type(e).__name__}).") from None


def _plain_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _too_big(name: str, size: int, limits: Limits) -> UnreadableDocument:
    return UnreadableDocument(f"{name}: filen är {megabytes(size)}; finsam läser filer på högst {megabytes(limits.max_bytes)}.")


def read_document(name: str, data: bytes, limits: Limits = Limits()) -> Document:
    """The text of a document; refused (UnreadableDocument, naming it) beyond `limits` or when unreadable."""
    budget = Budget(name, limits.seconds)
    suffix = Path(name).suffix.lower()
    if not data:
        raise UnreadableDocument(f"{name}: filen är tom.")
    if len(data) > limits.max_bytes:
        raise _too_big(name, len(data), limits)
    form: FormRead | None = None
    if suffix == ".docx":
        text, form = _docx_text(data, name, limits, budget)
    elif suffix == ".pdf":
        text = _pdf_text(data, name, limits, budget)
    elif suffix == ".txt":
        text = _plain_text(data)
    else:
        raise UnreadableDocument(f"{name}: okänd filtyp {suffix or '(ingen)'}; finsam läser {', '.join(SUFFIXES)}.")
    if not text.strip():
        hint = " (en inskannad PDF utan text behöver tolkas med OCR först)" if suffix == ".pdf" else ""
        raise UnreadableDocument(f"{name}: dokumentet innehåller ingen text{hint}.")
    budget.check()
    return Document(name=name, data=data, text=text, budget=budget, form=form)


def read_from(folder: Folder, name: str, limits: Limits = Limits()) -> tuple[Document, tuple[int, int]]:
    """The text of a file in a folder finsam holds open (finsam.files: no link followed, no FIFO waited on,
    read once, consistently), with the identity of what was read. Its size is checked before it is read."""
    shown = shown_name(name)
    data = folder.read(name, max_bytes=limits.max_bytes, too_big=lambda size: _too_big(shown, size, limits))
    return read_document(shown, data.data, limits), data.identity


def read_file(path: Path, limits: Limits = Limits()) -> Document:
    """A file's text (`finsam report register FILE`), read as a file of the inbox is read."""
    try:
        with Folder.open(path.parent) as folder:
            return read_from(folder, path.name, limits)[0]
    except OSError as e:
        raise UnreadableDocument(f"Kan inte läsa {path}: {e.strerror}.") from None
