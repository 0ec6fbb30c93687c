"""Reading CSV files as users make them: UTF-8 (with or without BOM) or Excel's Windows-1252,
comma- or semicolon-separated. Rows come with the line number they start on."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from finsam.errors import FinsamError, InputProblem, InvalidInput


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]
    problem: str | None = None  # e.g. more cells than the header has columns

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise FinsamError(f"Kan inte läsa {path}: {e.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="strict")  # Excel's "CSV" on Swedish Windows


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
