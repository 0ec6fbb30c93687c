"""Sending the outbox: claim a batch, send it over one connection, mark each row as it goes.

The transport is a port (`Transport`); finsam.adapters.mail has SMTP and an .eml folder. Each
recipient's answer is kept on the row: 250 delivered, 4xx tried again for that address alone (in
the run with a growing delay, then after a backoff), 5xx refused and recorded with the server's
answer. A message the relay took without a final answer (a timeout or a lost connection after
DATA) may have been delivered: it is `osäker`, tried once more after FINSAM_SMTP_UNCERTAIN_WAIT_MINUTES
with the same Message-ID, and then left for the kansli to check, never sent blindly again. So no
message is delivered more than twice by the relay's doing, and a run ends in bounded time: after
two uncertain outcomes in a row (the relay is too slow for the timeout) or FINSAM_SMTP_RUN_MAX_SECONDS,
what is left waits for the next run.
"""

from __future__ import annotations

import asyncio
import time
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
    """Worth trying again: the connection failed or dropped before the message was handed over, a timeout
    before DATA, a 4xx answer."""


class PermanentMailError(Exception):
    """Trying again will not help: a 5xx answer (unknown recipient, refused content)."""


class UncertainMailError(Exception):
    """The message was handed over but no final answer came (a timeout or a lost connection after DATA):
    the relay may have taken it for `recipients`."""

    def __init__(self, message: str, recipients: list[str]):
        super().__init__(message)
        self.recipients = recipients


# A recipient's state on the row (Utskick.mottagarstatus).
LEVERERAD, VANTAR, AVVISAD, OSAKER = "levererad", "vantar", "avvisad", "osaker"
STATUS_WORDS = {LEVERERAD: "levererad till", VANTAR: "väntar för", AVVISAD: "avvisad för", OSAKER: "osäker för"}
MAX_UNCERTAIN = 2  # outcomes unknown this often: not tried again (at most two deliveries of one message)
BREAKER = 2  # uncertain outcomes in a row that end the run: the relay is slower than the timeout


@dataclass(frozen=True)
class Answer:
    status: str  # LEVERERAD / VANTAR / AVVISAD
    svar: str  # the server's answer, as it gave it


class Connection(Protocol):
    async def send(self, sender: str, recipients: list[str], message: bytes) -> dict[str, Answer]:
        """Deliver to `recipients`; each one's answer. Raises TransientMailError / PermanentMailError for the whole
        message before it was handed over, UncertainMailError when its fate after DATA is unknown."""
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
    uncertain: list[tuple[int, str]] = field(default_factory=list)  # osäker: may have gone; tried once more, or left

    def summary(self) -> str:
        text = (f"{len(self.sent)} skickade, {len(self.failed)} misslyckade, {len(self.deferred)} väntar på nytt försök, "
                f"{len(self.cancelled)} makulerade")
        return text + (f", {len(self.uncertain)} osäkra (kan ha kommit fram)" if self.uncertain else "")


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
    uncertain_wait: timedelta = timedelta(minutes=30),
    max_seconds: float = 600.0,
    monotonic: Callable[[], float] = time.monotonic,
) -> DeliveryReport:
    """Send everything due in the outbox, batch by batch, until nothing is left, the server is unreachable,
    the relay is too slow to answer (BREAKER uncertain outcomes in a row) or `max_seconds` have passed."""
    report = DeliveryReport()
    started = monotonic()
    in_a_row = 0  # uncertain outcomes in a row

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
        stop: str | None = None
        try:
            if pending:
                async with transport.connect() as connection:
                    while pending:
                        if in_a_row >= BREAKER:
                            stop = "e-postservern svarar inte i tid (två osäkra utskick i rad); resten väntar till nästa körning"
                        elif monotonic() - started > max_seconds:
                            stop = f"körningen har skickat i {max_seconds:.0f} sekunder; resten väntar till nästa körning"
                        if stop:
                            break
                        uncertain = await _send_one(connection, transport, pending[0], report, work, clock, attempts,
                                                    retry_delay, sleep, backoff_max_minutes, uncertain_wait)
                        in_a_row = in_a_row + 1 if uncertain else 0
                        pending.pop(0)
        except TransientMailError as e:
            # Could not connect (or reconnect): everything still held goes back to waiting.
            with work() as session:
                for row in pending:
                    outbox.defer(session, row, now=clock(), error=str(e), tried=True, max_wait_minutes=backoff_max_minutes)
            report.deferred.extend((row.id, str(e)) for row in pending)
            return report
        if stop:
            with work() as session:  # released untried: they keep their attempts and go first next time
                for row in pending:
                    outbox.defer(session, row, now=clock(), error=stop, tried=False)
            report.deferred.extend((row.id, stop) for row in pending)
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
    uncertain_wait: timedelta,
) -> bool:
    """Send one row to the recipients still owed it and record each one's answer; True if its fate is unknown."""
    everyone = [row.mottagare, *row.kopia]
    status: dict[str, dict[str, str]] = {a: dict(v) for a, v in (row.mottagarstatus or {}).items() if isinstance(v, dict)}
    osakra = row.osakra or 0
    error: str | None = None
    uncertain = False
    for attempt in range(1, attempts + 1):
        recipients = [a for a in everyone if _owed(status.get(a), osakra)]
        if not recipients:
            break
        try:
            answers = await connection.send(transport.sender, recipients, row.meddelande)
        except PermanentMailError as e:
            status.update({a: {"status": AVVISAD, "svar": str(e)[:500]} for a in recipients})
            break
        except TransientMailError as e:
            error = str(e)
            if attempt < attempts:
                await sleep(retry_delay * 2 ** (attempt - 1))  # type: ignore[misc]
            continue
        except UncertainMailError as e:
            osakra += 1
            uncertain = True
            status.update({a: {"status": OSAKER, "svar": str(e)[:500]} for a in e.recipients})
            break
        except Exception as e:  # noqa: BLE001 - this message cannot be sent; the others go on
            why = reason(e)
            with work() as session:
                outbox.mark_failed(session, row, now=clock(), error=why)
            report.failed.append((row.id, why))
            return False
        error = None
        status.update({a: {"status": answer.status, "svar": answer.svar[:500]} for a, answer in answers.items()})
        if any(answer.status == VANTAR for answer in answers.values()) and attempt < attempts:
            await sleep(retry_delay * 2 ** (attempt - 1))  # type: ignore[misc]
            continue
        break
    _record(work, clock, row, everyone, status, osakra, uncertain, error, report, backoff_max_minutes, uncertain_wait)
    return uncertain


def _owed(state: dict[str, str] | None, osakra: int) -> bool:
    """Whether a recipient is still owed the message: never tried, told to wait (4xx), or uncertain once."""
    if state is None or state.get("status") == VANTAR:
        return True
    return state.get("status") == OSAKER and osakra < MAX_UNCERTAIN


def _record(work: Callable[[], object], clock: Callable[[], datetime], row: Utskick, everyone: list[str],
            status: dict[str, dict[str, str]], osakra: int, uncertain: bool, error: str | None, report: DeliveryReport,
            backoff_max_minutes: int, uncertain_wait: timedelta) -> None:
    """The row's state from its recipients' answers: sent to all, waiting for some, osäker, or refused."""
    owed = [a for a in everyone if _owed(status.get(a), osakra)]
    states = {status[a]["status"] for a in everyone if a in status}
    summary = "; ".join(f"{STATUS_WORDS[status[a]['status']]} {a}: {status[a]['svar']}" for a in everyone
                        if a in status and status[a]["status"] != LEVERERAD)
    delivered = [a for a in everyone if status.get(a, {}).get("status") == LEVERERAD]
    if summary and delivered:
        summary += f"; levererad till {', '.join(delivered)}"
    with work() as session:
        if owed:
            why = "; ".join(filter(None, [error, summary])) or "okänt fel"
            if uncertain:
                outbox.wait_after_uncertain(session, row, now=clock(), status=status, osakra=osakra, error=why,
                                            wait=uncertain_wait)
                report.uncertain.append((row.id, why))
            else:
                outbox.defer(session, row, now=clock(), error=why, max_wait_minutes=backoff_max_minutes, status=status)
                report.deferred.append((row.id, why))
        elif OSAKER in states:
            outbox.finish_uncertain(session, row, now=clock(), status=status, osakra=osakra, error=summary)
            report.uncertain.append((row.id, summary))
        elif AVVISAD in states:
            outbox.mark_failed(session, row, now=clock(), error=summary, status=status)
            report.failed.append((row.id, summary))
        else:
            outbox.mark_sent(session, row, now=clock(), status=status)
            report.sent.append(row.id)
