"""Reading CSV files as users make them: UTF-8 (with or without BOM), UTF-16 with BOM or Excel's
Windows-1252, comma- or semicolon-separated, no larger than the import limit. Rows come with the line number they start on."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from finsam.domain import limits
from finsam.errors import FinsamError, InputProblem, InvalidInput, os_reason
from finsam.files import KIND_WORDS, UnsafeFile, read_regular


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]
    problem: str | None = None  # e.g. more cells than the header has columns

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()


def read_bytes(path: Path) -> bytes:
    """A file's bytes, refused before reading when it is larger than any import file should be; never through
    a link, never a FIFO or a device (finsam.files)."""
    limit = limits.current().max_file_bytes

    def too_big(size: int) -> FinsamError:
        return FinsamError(f"{path}: filen är för stor ({size // 1_000_000} MB; högst {limit // 1_000_000} MB)")

    try:
        return read_regular(path, max_bytes=limit, too_big=too_big)
    except UnsafeFile as e:
        if str(e).endswith(f"{KIND_WORDS['mapp']}."):
            raise FinsamError(f"{path} är en mapp, inte en fil") from None
        raise
    except OSError as e:
        raise FinsamError(f"Kan inte läsa filen: {os_reason(e)}") from None


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def decode(raw: bytes, source: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or Excel's Windows-1252; else the line that cannot be read."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as e:
            line = raw[: e.start].decode("utf-16", errors="replace").count("\n") + 1
            raise InvalidInput(source, [InputProblem("trasig UTF-16-text", line=line)]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        utf8_error = e
    # A file with valid UTF-8 å/ä/ö elsewhere is UTF-8 with damaged bytes, not Windows-1252.
    has_utf8 = any(ord(c) > 127 and c != "\ufffd" for c in raw.decode("utf-8", errors="replace"))
    if not has_utf8:
        try:
            return raw.decode("cp1252")  # Excel's "CSV" on Swedish Windows
        except UnicodeDecodeError as e:
            utf8_error = e
    bad = raw[utf8_error.start : utf8_error.start + 1].hex().upper()
    raise InvalidInput(source, [InputProblem(
        f"tecken som inte går att läsa (byte 0x{bad}); spara filen som UTF-8 eller Windows-1252",
        line=_line_of(raw, utf8_error.start),
    )])


def read_text(path: Path) -> str:
    return decode(read_bytes(path), str(path))


def read_csv(
    path: Path, *, required: set[str], optional: set[str], optional_patterns: tuple[str, ...] = ()
) -> tuple[list[str], Iterator[CsvRow]]:
    """The header and the non-empty rows; a missing or unknown column refuses the file."""
    text = read_text(path)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InvalidInput(str(path), [InputProblem("filen är tom")]) from None
    problems = []
    named = [h for h in header if h]
    for column in sorted(required - set(named)):
        problems.append(InputProblem("kolumnen saknas", line=1, column=column))
    for column in named:
        known = column in required or column in optional or any(column.startswith(p) for p in optional_patterns)
        if not known:
            problems.append(InputProblem("okänd kolumn", line=1, column=column))
    for column in {c for c in named if named.count(c) > 1}:
        problems.append(InputProblem("kolumnen finns flera gånger", line=1, column=column))
    if problems:
        raise InvalidInput(str(path), problems)

    def rows() -> Iterator[CsvRow]:
        start = reader.line_num + 1
        try:
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    problem = None
                    if any(c.strip() for c in cells[len(header) :]):
                        problem = f"raden har {len(cells)} fält men rubriken har {len(header)}"
                    yield CsvRow(start, {h: c for h, c in zip(header, cells, strict=False) if h}, problem)
                start = reader.line_num + 1
        except csv.Error as e:
            raise InvalidInput(str(path), [InputProblem(f"trasig CSV: {e}", line=reader.line_num)]) from None

    return header, rows()
