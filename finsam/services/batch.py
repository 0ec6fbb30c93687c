"""One bad item never stops the others: each item of a batch in its own savepoint.

A failure is caught for that item, its changes rolled back to the savepoint, and recorded with
its reason; the batch goes on, and the caller reports every failure at the end (exit code,
Prefect state, weekly summary). A failure is a stored value that cannot be used (an address
with a line break, a name too long for a header) or a bug; both are named, never hidden.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from finsam.db import connection_lost
from finsam.errors import FinsamError


@dataclass(frozen=True)
class ItemFailure:
    vad: str  # the item, as the kansli knows it ("Delrapport 2 – Trisam 2.0")
    orsak: str

    def __str__(self) -> str:
        return f"{self.vad}: {self.orsak}"


def one_line(text: str, limit: int = 500) -> str:
    """Text as it may stand in a log line, a table cell or a stored reason."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def reason(error: BaseException) -> str:
    """Why an item failed, for the kansli's eyes: finsam's own words, or the kind of error. A database
    error's text is left out: it quotes the statement's parameters (names, addresses)."""
    if isinstance(error, StatementError):
        return f"databasfel ({type(error.orig).__name__ if error.orig is not None else type(error).__name__})"
    if isinstance(error, (FinsamError, ValueError)):
        return one_line(str(error))
    return one_line(f"oväntat fel ({type(error).__name__}: {error})")


@dataclass
class Outcome:
    ok: bool = False  # the item's changes were flushed and its savepoint released


@contextmanager
def isolated(session: Session, failures: list[ItemFailure], vad: str) -> Iterator[Outcome]:
    """Run the body in a savepoint; on any error roll it back and record the failure instead of raising.

    The body's changes are flushed inside the `try`, so a row the database refuses is this item's
    failure too; the savepoint is rolled back even when a failed flush already ended it (otherwise the
    session stays on the dead savepoint and the next item cannot begin).
    """
    outcome = Outcome()
    savepoint = session.begin_nested()
    try:
        yield outcome
        session.flush()
    except Exception as e:  # noqa: BLE001 - one item's failure, whatever it is, is recorded, not raised
        if connection_lost(e):
            raise  # not this item's failure: the whole unit of work is gone, and unit_of_work says so
        savepoint.rollback()
        failures.append(ItemFailure(one_line(vad, 200), reason(e)))
    else:
        savepoint.commit()
        outcome.ok = True


def let_go_in_batches(session: Session, ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    """`ids` a batch at a time. When there is more than one batch, the session flushes after each and lets go of
    what it loaded: what was loaded stays readable as it is (detached), and memory stays one batch however
    many there are. Objects the session held before are detached too, so such work goes first in its unit."""
    for first in range(0, len(ids), size):
        yield ids[first:first + size]
        if len(ids) > size:
            session.flush()
            session.expunge_all()
