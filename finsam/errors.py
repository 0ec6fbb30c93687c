"""Errors the user sees. Their messages are Swedish; they name the field, line or file."""

from __future__ import annotations

import errno
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
