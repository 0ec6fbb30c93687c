"""The last line of the door: no row is written that the schema cannot hold, on any database.

SQLite does not enforce VARCHAR lengths and stores integers PostgreSQL refuses; a row stored
there would break the same installation once it moves to PostgreSQL, and a year 9999 breaks
every later calculation (a due date one day later does not exist). The entry points check
their own fields with messages for their users; this listener makes sure nothing slips past
them, naming the table and column.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, Date, DateTime, Integer, SmallInteger, String, event, inspect
from sqlalchemy.orm import Session

from finsam.domain.model import Base
from finsam.errors import FinsamError

# Dates the engine can compute with (a due date derived from a date at the door's edge lies a bit beyond it).
EARLIEST_STORED = date(1900, 1, 1)
LATEST_STORED = date(2200, 12, 31)
TEXT_LIMIT = 100_000  # a free text (a reason, a note): generous, but not a megabyte pasted by mistake
_INT_RANGE = {SmallInteger: 2**15, Integer: 2**31, BigInteger: 2**63}


class ValueOutOfBounds(FinsamError):
    """A value the database cannot (or must not) hold."""


def _problem(column: Any, value: Any) -> str | None:
    kind = column.type
    if isinstance(value, str):
        if isinstance(kind, String):
            limit = kind.length or TEXT_LIMIT
            if len(value) > limit:
                return f"högst {limit} tecken (här {len(value)})"
        if "\x00" in value:
            return "innehåller ett NUL-tecken"
    elif isinstance(value, date):
        if isinstance(kind, (Date, DateTime)):
            day = value.date() if isinstance(value, datetime) else value
            if not EARLIEST_STORED <= day <= LATEST_STORED:
                return f"datumet {day.isoformat()} ligger utanför {EARLIEST_STORED.year}–{LATEST_STORED.year}"
    elif isinstance(value, int) and not isinstance(value, bool):
        bound = _INT_RANGE.get(type(kind))
        if bound is not None and not -bound <= value < bound:
            return f"talet {value} är för stort för databasen"
    return None


@lru_cache(maxsize=None)
def _columns(mapper: Any) -> tuple[tuple[str, Any], ...]:
    return tuple((attr.key, column) for attr in mapper.column_attrs for column in attr.columns)


def check_row(obj: Base) -> None:
    state = inspect(obj)
    check_values(state.mapper, state.dict)  # unloaded attributes are not being written


def check_values(mapper: Any, values: dict[str, Any]) -> None:
    """The same check for a row about to be written as plain values (a bulk insert)."""
    problems = []
    for key, column in _columns(mapper):
        value = values.get(key)
        if value is not None and (problem := _problem(column, value)) is not None:
            problems.append(f"{mapper.local_table.name}.{column.name}: {problem}")
    if problems:
        raise ValueOutOfBounds("Värdet ryms inte i databasen: " + "; ".join(problems))


@event.listens_for(Session, "before_flush")
def _check_bounds(session: Session, _flush_context: Any, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Base):
            check_row(obj)
