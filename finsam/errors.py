"""Errors the user sees. Their messages are Swedish; they name the field, line or file."""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass


class FinsamError(Exception):
    """A refusal the user can act on (bad input, a step not allowed now)."""


@dataclass(frozen=True)
class InputProblem:
    """One problem in an input file: where it is and what is wrong."""

    message: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"rad {self.line}")
        if self.column:
            where.append(f"kolumn '{self.column}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


MAX_PROBLEMS_SHOWN = 200  # a file with a thousand bad rows says how many, and shows the first ones


class InvalidInput(FinsamError):
    """Input refused as a whole; lists every problem found, not just the first."""

    def __init__(self, source: str, problems: list[InputProblem]):
        self.source = source
        self.problems = problems
        shown = problems[:MAX_PROBLEMS_SHOWN]
        lines = "\n".join(f"  {source}: {p}" for p in shown)
        if len(problems) > len(shown):
            lines += f"\n  … och {len(problems) - len(shown)} fel till."
        super().__init__(f"{source}: {len(problems)} fel, inget har sparats.\n{lines}")


class TransitionNotAllowed(FinsamError):
    """A lifecycle step that the insats's current state does not allow."""


class DatabaseUnavailable(FinsamError):
    """The connection to the database was lost inside a unit of work: all of it was rolled back, nothing of it
    is half-saved, and the next unit of work connects anew."""


class NotFound(FinsamError):
    """A reference (insats, deadline, meeting) that matches nothing, or more than one thing."""


_OS_REASONS = {
    errno.ENOENT: "finns inte",
    errno.EACCES: "behörighet saknas",
    errno.EPERM: "behörighet saknas",
    errno.EISDIR: "är en mapp, inte en fil",
    errno.ENOTDIR: "är inte en mapp",
    errno.ENOSPC: "disken är full",
    errno.EROFS: "filsystemet är skrivskyddat",
    errno.ENAMETOOLONG: "namnet är för långt",
}


def os_reason(error: OSError) -> str:
    """An operating system error in Swedish, with the file it concerns."""
    reason = _OS_REASONS.get(error.errno or -1) or error.strerror or type(error).__name__
    return f"{error.filename}: {reason}" if error.filename else reason


# pydantic's and click's words for a bad value, as the kansli reads them.
_ENGLISH = [
    (re.compile(r"^Value error, (.*)$"), r"\1"),
    (re.compile(r"^Input should be a valid integer.*$"), r"skriv ett heltal"),
    (re.compile(r"^Input should be a valid number.*$"), r"skriv ett tal"),
    (re.compile(r"^Input should be greater than or equal to (.*)$"), r"minst \1"),
    (re.compile(r"^Input should be less than or equal to (.*)$"), r"högst \1"),
    (re.compile(r"^Input should be a valid dictionary.*$"), r"ska vara nycklar med värden"),
    (re.compile(r"^Input should be a valid list.*$"), r"ska vara en lista"),
    (re.compile(r"^Input should be a valid string.*$"), r"ska vara text"),
    (re.compile(r"^Input should be a valid boolean.*$"), r"ska vara true eller false"),
    (re.compile(r"^Input should be (.*)$"), r"ska vara \1"),
    (re.compile(r"^Field required$"), r"saknas"),
    (re.compile(r"^Extra inputs are not permitted$"), r"okänd nyckel (felstavad?)"),
    (re.compile(r"^'?(.*?)'? is not a valid integer( range)?\.?$"), r"'\1' är inte ett heltal"),
    (re.compile(r"^'?(.*?)'? is not a valid float( range)?\.?$"), r"'\1' är inte ett tal"),
    (re.compile(r"^'?(.*?)'? is not one of (.*)\.?$"), r"'\1' är inte ett av \2"),
    (re.compile(r"^'?(.*?)'? is not a valid boolean\.?$"), r"'\1' ska vara ja eller nej"),
    (re.compile(r"^(.*) is not in the range (.*)\.?$"), r"\1 ligger utanför \2"),
    (re.compile(r"^Path '(.*)' does not exist\.?$"), r"'\1' finns inte"),
    (re.compile(r"^File '(.*)' does not exist\.?$"), r"filen '\1' finns inte"),
    (re.compile(r"^Option '(.*)' requires an argument\.?$"), r"'\1' kräver ett värde"),
    (re.compile(r"^Option '(.*)' requires (\d+) arguments\.?$"), r"'\1' kräver \2 värden"),
    (re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$"), r"oväntade argument: \1"),
    (re.compile(r"^No such command '(.*)'\.?$"), r"det finns inget kommando '\1'"),
    (re.compile(r"^No such option: (.*)$"), r"det finns inget alternativ \1"),
]


def in_swedish(text: str) -> str:
    """A validation message from pydantic or click in Swedish (the forms we know; others unchanged)."""
    for pattern, replacement in _ENGLISH:
        if pattern.match(text):
            text = pattern.sub(replacement, text)
    return text
