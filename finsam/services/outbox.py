"""The outbox: messages queued once under a unique key, claimed atomically, marked when sent.

Exactly once is a property of this table: a message is queued only if its key is new (the
unique constraint settles races between two planners), a run claims rows in one UPDATE so
two runs never hold the same row, and a row is marked sent right after the server accepts
it. A run that dies between the two leaves the row claimed; after the claim timeout another
run sends it again, with the same Message-ID. Nothing is lost.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Integer, TextClause, and_, bindparam, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm import defer as not_loaded

from finsam.audit import Kontext
from finsam.domain.enums import UtskickTillstand as U
from finsam.domain.model import Utskick


@dataclass(frozen=True)
class NewMessage:
    nyckel: str
    typ: str
    mottagare: str
    kopia: list[str]
    amne: str
    message_id: str
    meddelande: bytes
    planerad: date
    steg: str | None = None
    insats_id: int | None = None
    deadline_id: int | None = None
    forfaller: date | None = None


@dataclass(frozen=True)
class Koat:
    """A queued message as the day's report lists it: its heading, not the row (a big day queues thousands,
    and a row would hold on to what it was loaded with)."""

    id: int
    nyckel: str
    typ: str
    amne: str
    mottagare: str
    insats_id: int | None
    deadline_id: int | None

    @classmethod
    def of(cls, row: Utskick) -> Koat:
        return cls(row.id, row.nyckel, row.typ, row.amne, row.mottagare, row.insats_id, row.deadline_id)


# A message that could not even be made (a stored address with a line break, a template error) is
# kept as a failed row without content, so it is listed with its reason; queuing the same key
# again (after the kansli fixed the data) replaces it with the real message.
NOT_COMPOSED = b""


def not_composed():  # noqa: ANN201
    return func.length(Utskick.meddelande) == 0


def exists(session: Session, nyckel: str) -> bool:
    """A message with this key is queued, sent or finished (a failure to compose does not count)."""
    return session.scalar(select(Utskick.id).where(Utskick.nyckel == nyckel, ~not_composed())) is not None


def _insert(session: Session):  # noqa: ANN202
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


_COLUMNS = ("nyckel", "typ", "steg", "insats_id", "deadline_id", "forfaller", "planerad", "mottagare", "kopia", "amne",
            "message_id", "meddelande", "tillstand", "forsok", "nasta_forsok", "skapad", "senaste_fel", "osakra")


@lru_cache(maxsize=1)
def _upsert() -> TextClause:
    """Queue a row unless its key is taken by more than a failure to compose, in SQL that SQLite and PostgreSQL
    share. Written out because SQLAlchemy compiles its dialects' ON CONFLICT anew on every execution (no cache
    key): that was a tenth of planning a day. Each value is bound with its column's type, as an ORM insert binds it."""
    table = Utskick.__table__
    updates = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS if c != "nyckel")
    statement = text(
        f"INSERT INTO utskick ({', '.join(_COLUMNS)}) VALUES ({', '.join(':' + c for c in _COLUMNS)}) "
        # The condition is `not_composed()`: only a row that failed to compose is replaced.
        f"ON CONFLICT (nyckel) DO UPDATE SET {updates} WHERE length(utskick.meddelande) = 0 RETURNING id"
    )
    return statement.bindparams(*(bindparam(c, type_=table.c[c].type) for c in _COLUMNS)).columns(id=Integer)


def enqueue(session: Session, kontext: Kontext, message: NewMessage) -> Utskick | None:
    """Queue a message unless its key is already queued (by this run or a concurrent one).

    One INSERT … ON CONFLICT: the unique key settles a race with another planner without a
    savepoint per message; only a row that failed to compose is replaced. (The outbox is its
    own log: these rows are not repeated in the audit log.)
    """
    now = kontext.nu.astimezone(timezone.utc)
    values = dict(
        nyckel=message.nyckel, typ=message.typ, steg=message.steg, insats_id=message.insats_id,
        deadline_id=message.deadline_id, forfaller=message.forfaller, planerad=message.planerad,
        mottagare=message.mottagare, kopia=message.kopia, amne=message.amne, message_id=message.message_id,
        meddelande=message.meddelande, tillstand=U.VANTAR, forsok=0, nasta_forsok=now, skapad=now,
        senaste_fel=None, osakra=0,
    )
    row_id = session.execute(_upsert(), values).scalar()
    if row_id is None:
        return None
    # populate_existing: a replaced failure row may be in the identity map with its old values. The
    # message itself is not loaded back (it is read again if asked for): a day that queues thousands of
    # messages keeps only their headings in memory.
    return session.get(Utskick, row_id, populate_existing=True, options=[not_loaded(Utskick.meddelande)])


def printable(text: str, limit: int) -> str:
    """A stored value as it may be listed: control characters escaped, cut to `limit` with an ellipsis."""
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def record_not_composed(
    session: Session, kontext: Kontext, *, nyckel: str, typ: str, mottagare: str, vad: str, error: str,
    planerad: date, sender_domain: str, steg: str | None = None, insats_id: int | None = None,
    deadline_id: int | None = None, forfaller: date | None = None,
) -> Utskick | None:
    """Keep a message that could not be made as a failed row with its reason (the stored values shown
    escaped, never as they are), so `finsam outbox` and the weekly summary list it."""
    now = kontext.nu.astimezone(timezone.utc)
    key = printable(nyckel, 400)
    values = dict(
        nyckel=key, typ=typ, steg=steg, insats_id=insats_id, deadline_id=deadline_id, forfaller=forfaller,
        planerad=planerad, mottagare=printable(mottagare, 320), kopia=[], amne=printable(f"Kunde inte skapas: {vad}", 300),
        message_id=f"<ej-skapat.{uuid.uuid5(uuid.NAMESPACE_URL, key).hex}@{printable(sender_domain, 100)}>",
        meddelande=NOT_COMPOSED, tillstand=U.MISSLYCKAD, forsok=1, nasta_forsok=now, skapad=now,
        senaste_fel=error[:2000], osakra=0,
    )
    row_id = session.execute(
        _insert(session)(Utskick).values(**values)
        .on_conflict_do_update(index_elements=["nyckel"],
                               set_={"senaste_fel": values["senaste_fel"], "forsok": Utskick.forsok + 1},
                               where=not_composed())
        .returning(Utskick.id)
    ).scalar()
    return None if row_id is None else session.get(Utskick, row_id, populate_existing=True)


def held_claims(session: Session, *, now: datetime, claim_timeout: timedelta) -> tuple[int, datetime | None]:
    """Rows held by a run's claim that has not expired yet (a run in progress, or one that died):
    how many, and when the last of those claims expires."""
    cutoff = _utc(now) - claim_timeout
    count, latest = session.execute(
        select(func.count(), func.max(Utskick.claimed)).where(Utskick.tillstand == U.SKICKAR, Utskick.claimed >= cutoff)
    ).one()
    if not count:
        return 0, None
    latest = latest if latest.tzinfo else latest.replace(tzinfo=timezone.utc)
    return count, latest + claim_timeout


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def claim(
    session: Session, *, now: datetime, limit: int, claim_timeout: timedelta, ignore_backoff: bool = False
) -> list[Utskick]:
    """Take up to `limit` rows due for sending; no other run can take them until released or stale.

    `ignore_backoff` takes waiting rows before their next attempt is due: for a retry whose own
    delay (Prefect's) already was the backoff.
    """
    token = uuid.uuid4().hex
    now = _utc(now)
    waiting = Utskick.tillstand == U.VANTAR
    # A message whose fate was uncertain waits its time whatever: the relay may still be delivering it.
    free_to_hurry = or_(Utskick.osakra == 0, Utskick.nasta_forsok <= now)
    due = or_(
        and_(waiting, free_to_hurry) if ignore_backoff else and_(waiting, Utskick.nasta_forsok <= now),
        and_(Utskick.tillstand == U.SKICKAR, Utskick.claimed < now - claim_timeout),
    )
    candidates = select(Utskick.id).where(due).order_by(Utskick.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    session.execute(
        update(Utskick)
        .where(Utskick.id.in_(candidates.scalar_subquery()), due)
        .values(tillstand=U.SKICKAR, claim=token, claimed=now)
        .execution_options(synchronize_session=False)
    )
    return list(session.scalars(select(Utskick).where(Utskick.claim == token).order_by(Utskick.id)))


def _finish(session: Session, row_id: int, claim_token: str | None, **values: object) -> None:
    # Only the run that holds the claim may finish the row.
    session.execute(
        update(Utskick)
        .where(Utskick.id == row_id, Utskick.claim == claim_token, Utskick.tillstand == U.SKICKAR)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def mark_sent(session: Session, row: Utskick, *, now: datetime, note: str | None = None,
              status: dict[str, dict[str, str]] | None = None) -> None:
    """Accepted by the server for every recipient (`status`: each one's answer)."""
    _finish(session, row.id, row.claim, tillstand=U.SKICKAD, skickad=_utc(now), forsok=row.forsok + 1,
            senaste_fel=note, claim=None, mottagarstatus=status)


def mark_failed(session: Session, row: Utskick, *, now: datetime, error: str,
                status: dict[str, dict[str, str]] | None = None) -> None:
    """Refused for good (5xx), for every recipient still owed it; `status` says who got it and who did not."""
    values: dict[str, object] = {"mottagarstatus": status} if status is not None else {}
    _finish(session, row.id, row.claim, tillstand=U.MISSLYCKAD, forsok=row.forsok + 1, senaste_fel=error[:2000],
            claim=None, **values)


def mark_unsendable(session: Session, row: Utskick, *, now: datetime, error: str) -> None:
    """A row that can never be sent as stored (a corrupt address): failed, its content dropped and the
    addresses kept escaped, so the next plan makes the message anew from the insats's own data."""
    _finish(session, row.id, row.claim, tillstand=U.MISSLYCKAD, forsok=row.forsok + 1, senaste_fel=error[:2000],
            claim=None, meddelande=NOT_COMPOSED, mottagare=printable(str(row.mottagare), 320), kopia=[])


def defer(
    session: Session, row: Utskick, *, now: datetime, error: str, tried: bool = True, max_wait_minutes: int = 360,
    status: dict[str, dict[str, str]] | None = None,
) -> None:
    """Back to waiting, to be retried after a backoff that doubles with the attempts from five minutes,
    up to `max_wait_minutes` (the operator's FINSAM_BACKOFF_MAX_MINUTES); `status` keeps who has it already."""
    attempts = row.forsok + (1 if tried else 0)
    wait = timedelta(minutes=min(5 * 2 ** min(max(attempts - 1, 0), 16), max_wait_minutes)) if tried else timedelta(0)
    values: dict[str, object] = {"mottagarstatus": status} if status is not None else {}
    _finish(session, row.id, row.claim, tillstand=U.VANTAR, forsok=attempts, nasta_forsok=_utc(now) + wait,
            senaste_fel=error[:2000] if tried else row.senaste_fel, claim=None, **values)


def wait_after_uncertain(session: Session, row: Utskick, *, now: datetime, status: dict[str, dict[str, str]],
                         osakra: int, error: str, wait: timedelta) -> None:
    """The relay took the message without a final answer: tried again (once) only after `wait`, whatever a retry
    of the run asks (`claim` honours the wait even with ignore_backoff)."""
    _finish(session, row.id, row.claim, tillstand=U.VANTAR, forsok=row.forsok + 1, nasta_forsok=_utc(now) + wait,
            senaste_fel=error[:2000], claim=None, mottagarstatus=status, osakra=osakra)


def finish_uncertain(session: Session, row: Utskick, *, now: datetime, status: dict[str, dict[str, str]], osakra: int,
                     error: str) -> None:
    """Unknown twice: not sent again. It may well have arrived; the kansli's summary lists it to check."""
    _finish(session, row.id, row.claim, tillstand=U.OSAKER, forsok=row.forsok + 1, senaste_fel=error[:2000],
            claim=None, mottagarstatus=status, osakra=osakra, skickad=_utc(now))


def cancel(session: Session, row: Utskick, *, reason: str) -> None:
    _finish(session, row.id, row.claim, tillstand=U.MAKULERAD, senaste_fel=reason, claim=None)


def list_outbox(session: Session, *, states: list[U] | None = None, limit: int | None = None,
                insats_id: int | None = None) -> list[Utskick]:
    query = select(Utskick).order_by(Utskick.id.desc())
    if states:
        query = query.where(Utskick.tillstand.in_(states))
    if insats_id is not None:
        query = query.where(Utskick.insats_id == insats_id)
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))
