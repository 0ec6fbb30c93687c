"""Errors the user sees. Their messages are Swedish; they name the field, line or file."""

from __future__ import annotations

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


class InvalidInput(FinsamError):
    """Input refused as a whole; lists every problem found, not just the first."""

    def __init__(self, source: str, problems: list[InputProblem]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {source}: {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} fel, inget har sparats.\n{lines}")


class TransitionNotAllowed(FinsamError):
    """A lifecycle step that the insats's current state does not allow."""


class NotFound(FinsamError):
    """A reference (insats, deadline, meeting) that matches nothing, or more than one thing."""
