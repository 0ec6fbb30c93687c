"""Sending the outbox: claim a batch, send it over one connection, mark each row as it goes.

The transport is a port (`Transport`); finsam.adapters.mail has SMTP and an .eml folder.
Transient failures (connection lost, timeouts, 4xx) are retried in the run with a growing
delay and, if they persist, left waiting with a backoff; permanent ones (5xx) are recorded
with the server's answer and not retried.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError

from finsam.audit import Kontext
from finsam.db import unit_of_work
from finsam.domain.limits import forbidden_character
from finsam.domain.model import Utskick
from finsam.services import outbox
from finsam.services.batch import reason
from finsam.services.notify import is_stale


class TransientMailError(Exception):
    """Worth trying again: the connection failed or dropped, a timeout, a 4xx answer."""


class PermanentMailError(Exception):
    """Trying again will not help: a 5xx answer (unknown recipient, refused content)."""


class Connection(Protocol):
    async def send(self, sender: str, recipients: list[str], message: bytes) -> str | None:
        """Deliver; returns a note if some (not all) recipients were refused, else None."""
        ...


class Transport(Protocol):
    sender: str

    def connect(self) -> AbstractAsyncContextManager[Connection]: ...


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    deferred: list[tuple[int, str]] = field(default_factory=list)
    cancelled: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.sent)} skickade, {len(self.failed)} misslyckade, {len(self.deferred)} väntar på nytt försök, "
                f"{len(self.cancelled)} makulerade")


async def deliver(
    database_url: str,
    transport: Transport,
    *,
    clock: Callable[[], datetime],
    aktor: str,
    batch_size: int = 100,
    attempts: int = 3,
    retry_delay: float = 2.0,
    claim_timeout: timedelta = timedelta(minutes=15),
    backoff_max_minutes: int = 360,
    sleep: Callable[[float], object] = asyncio.sleep,
    ignore_backoff: bool = False,
) -> DeliveryReport:
    """Send everything due in the outbox, batch by batch, until nothing is left or the server is unreachable."""
    report = DeliveryReport()

    def work() -> object:
        return unit_of_work(database_url, Kontext(aktor=aktor, atgard="skicka utskick", nu=clock()))

    while True:
        with work() as session:
            batch = outbox.claim(session, now=clock(), limit=batch_size, claim_timeout=claim_timeout,
                                 ignore_backoff=ignore_backoff)
            ignore_backoff = False  # only the first claim: rows deferred again in this run wait their turn
            # A stored address that can never be sent fails its row, with the reason, before anything goes out.
            unsendable = {row.id: why for row in batch if (why := _unsendable(row))}
            # Messages no longer wanted (the report came in, the date moved, a later step took over)
            # are dropped before the connection opens; one look per batch. A row that cannot even be
            # checked fails alone: it is never cancelled on a guess.
            stale: dict[int, str] = {}
            for row in batch:
                if row.id not in unsendable:
                    try:
                        if why := is_stale(session, row):
                            stale[row.id] = why
                    except SQLAlchemyError:
                        raise  # the database itself: the whole run must stop and be retried
                    except Exception as e:  # noqa: BLE001 - a corrupt row is this row's problem
                        unsendable[row.id] = f"kunde inte kontrolleras ({reason(e)}); {NOT_SENT}"
            for row in batch:
                if row.id in unsendable:
                    outbox.mark_unsendable(session, row, now=clock(), error=unsendable[row.id])
            for row in batch:
                if row.id in stale:
                    outbox.cancel(session, row, reason=stale[row.id])
            session.expunge_all()
        if not batch:
            return report
        report.failed.extend(unsendable.items())
        report.cancelled.extend(stale.items())
        pending = [row for row in batch if row.id not in stale and row.id not in unsendable]
        try:
            if pending:
                async with transport.connect() as connection:
                    while pending:
                        await _send_one(connection, transport, pending[0], report, work, clock, attempts, retry_delay, sleep,
                                        backoff_max_minutes)
                        pending.pop(0)
        except TransientMailError as e:
            # Could not connect (or reconnect): everything still held goes back to waiting.
            with work() as session:
                for row in pending:
                    outbox.defer(session, row, now=clock(), error=str(e), tried=True, max_wait_minutes=backoff_max_minutes)
            report.deferred.extend((row.id, str(e)) for row in pending)
            return report
        if len(batch) < batch_size:
            return report


NOT_SENT = "meddelandet skickas inte så (en påminnelse görs om från insatsens uppgifter vid nästa dagliga körning)"


def _unsendable(row: Utskick) -> str | None:
    """A stored address that can never be sent (a line break, no @): reported as such, never "fixed"."""
    if not isinstance(row.kopia, list):  # a manual edit of the JSON column
        return f"ogiltig kopielista i utkorgen (ska vara en lista med adresser); {NOT_SENT}"
    for address in [row.mottagare, *row.kopia]:
        bad = forbidden_character(address) if isinstance(address, str) else "inte text"
        if bad is not None or "@" not in str(address):
            return f"ogiltig mottagaradress i utkorgen ({bad or 'saknar @'}); {NOT_SENT}"
    return None


async def _send_one(
    connection: Connection,
    transport: Transport,
    row: Utskick,
    report: DeliveryReport,
    work: Callable[[], object],
    clock: Callable[[], datetime],
    attempts: int,
    retry_delay: float,
    sleep: Callable[[float], object],
    backoff_max_minutes: int,
) -> None:
    recipients = [row.mottagare, *row.kopia]
    for attempt in range(1, attempts + 1):
        try:
            note = await connection.send(transport.sender, recipients, row.meddelande)
        except PermanentMailError as e:
            with work() as session:
                outbox.mark_failed(session, row, now=clock(), error=str(e))
            report.failed.append((row.id, str(e)))
            return
        except TransientMailError as e:
            if attempt == attempts:
                with work() as session:
                    outbox.defer(session, row, now=clock(), error=str(e), max_wait_minutes=backoff_max_minutes)
                report.deferred.append((row.id, str(e)))
                return
            await sleep(retry_delay * 2 ** (attempt - 1))  # type: ignore[misc]
            continue
        except Exception as e:  # noqa: BLE001 - this message cannot be sent; the others go on
            why = reason(e)
            with work() as session:
                outbox.mark_failed(session, row, now=clock(), error=why)
            report.failed.append((row.id, why))
            return
        with work() as session:
            outbox.mark_sent(session, row, now=clock(), note=note)
        report.sent.append(row.id)
        return
