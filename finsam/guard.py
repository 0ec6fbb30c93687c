"""The last line of the door: no row is written that the schema cannot hold, on any database.

SQLite does not enforce VARCHAR lengths and stores integers PostgreSQL refuses; a row stored
there would break the same installation once it moves to PostgreSQL, and a year 9999 breaks
every later calculation (a due date one day later does not exist). The entry points check
their own fields with messages for their users; this listener makes sure nothing slips past
them, naming the table and column.
"""

from __future__ import annotations

from datetime import date, datetime
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
    if isinstance(value, str) and isinstance(kind, String):
        limit = kind.length or TEXT_LIMIT
        if len(value) > limit:
            return f"högst {limit} tecken (här {len(value)})"
    if isinstance(value, str) and "\x00" in value:
        return "innehåller ett NUL-tecken"
    if isinstance(value, date) and isinstance(kind, (Date, DateTime)):
        day = value.date() if isinstance(value, datetime) else value
        if not EARLIEST_STORED <= day <= LATEST_STORED:
            return f"datumet {day.isoformat()} ligger utanför {EARLIEST_STORED.year}–{LATEST_STORED.year}"
    if isinstance(value, int) and not isinstance(value, bool):
        for integer_type, bound in _INT_RANGE.items():
            if type(kind) is integer_type and not -bound <= value < bound:
                return f"talet {value} är för stort för databasen"
    return None


def check_row(obj: Base) -> None:
    state = inspect(obj)
    problems = []
    for column_attr in state.mapper.column_attrs:
        value = state.dict.get(column_attr.key)  # unloaded attributes are not being written
        if value is None:
            continue
        for column in column_attr.columns:
            if (problem := _problem(column, value)) is not None:
                problems.append(f"{obj.__tablename__}.{column.name}: {problem}")
    if problems:
        raise ValueOutOfBounds("Värdet ryms inte i databasen: " + "; ".join(problems))


@event.listens_for(Session, "before_flush")
def _check_bounds(session: Session, _flush_context: Any, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Base):
            check_row(obj)
