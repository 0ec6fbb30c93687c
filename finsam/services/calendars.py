"""Calendars of deadlines and meetings: per insats for its insatsägare, everything for the kansli.

Also the secret feed addresses (tokens): at least 128 random bits (we use 256), stored only as
a hash, compared in constant time, shown once when created and listed by id only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from itertools import chain
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from finsam.audit import Kontext
from finsam.calendar.ics import AllDayEvent, TimedEvent, build_calendar, stockholm_time, uid
from finsam.domain.enums import DeadlineTillstand, RapportTyp
from finsam.domain.model import Deadline, DeadlineAndring, Insats, KalenderStand, KalenderToken, Sammantrade
from finsam.domain.rules_config import Regler
from finsam.services.lookup import by_id
from finsam.errors import FinsamError, NotFound
from finsam.messages.format import datum
from finsam.services.batch import ItemFailure, reason

T = TypeVar("T")
E = TypeVar("E")

REFRESH = timedelta(hours=1)
MEETING_LENGTH = timedelta(hours=2)
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return EPOCH
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def deadline_sequence(deadline: Deadline) -> int:
    """Every recorded change after the deadline was created raises its SEQUENCE."""
    return sum(1 for h in deadline.historik if h.fore is not None)


def deadline_history(deadline: Deadline) -> tuple[int, datetime]:
    """SEQUENCE and the moment of the last recorded change (EPOCH if none)."""
    return deadline_sequence(deadline), max((_utc(h.tid) for h in deadline.historik), default=EPOCH)


def deadline_event(
    deadline: Deadline | _DeadlineRad, regler: Regler, *, stamp: datetime | None = None, history: tuple[int, datetime] | None = None
) -> AllDayEvent:
    """`history`: what `deadline_history` gives, where the caller has it without loading every change."""
    sequence, last_change = history if history is not None else deadline_history(deadline)
    insats = deadline.insats
    received = deadline.tillstand is DeadlineTillstand.INKOMMEN
    kansli = regler.forbund.kansli_epost
    description = (
        f"{deadline.rubrik} för {insats.namn}" + (f" ({insats.diarienummer})" if insats.diarienummer else "")
        + f".\nPerioden {deadline.period_start.isoformat()} – {deadline.period_slut.isoformat()}."
        + f"\nSkickas till {kansli} senast {datum(deadline.forfaller)}."
        + (f"\nInkom {deadline.inkom.isoformat()}." if received and deadline.inkom else "")
        + f"\nFrågor: {kansli}"
    )
    return AllDayEvent(
        uid=uid("deadline", deadline.id),
        sequence=sequence,
        summary=f"{deadline.rubrik} – {insats.namn}" + (" (inkommen)" if received else ""),
        description=description,
        day=deadline.forfaller,
        stamp=stamp or last_change,
        alarm_days_before=0 if received else 7,
        cancelled=deadline.tillstand in (DeadlineTillstand.MAKULERAD, DeadlineTillstand.EJ_INKOMMEN),
    )


def meeting_events(mote: Sammantrade, *, stamp: datetime | None = None) -> list[AllDayEvent | TimedEvent]:
    """The meeting (timed, or all day if it has no time yet) and the last day for its documents."""
    stamp = stamp or _utc(mote.andrad)
    title = f"{mote.typ.label} {mote.datum.isoformat()}"
    meeting: AllDayEvent | TimedEvent
    if mote.tid is not None:
        start = stockholm_time(mote.datum, mote.tid)
        meeting = TimedEvent(
            uid=uid("sammantrade", mote.id), sequence=mote.sekvens, summary=mote.typ.label,
            description=f"{title}" + (f", {mote.plats}" if mote.plats else "") + ".",
            start=start, end=start + MEETING_LENGTH, location=mote.plats, stamp=stamp, cancelled=mote.installt,
        )
    else:
        meeting = AllDayEvent(
            uid=uid("sammantrade", mote.id), sequence=mote.sekvens, summary=mote.typ.label,
            description=f"{title} (tid ej bestämd)" + (f", {mote.plats}" if mote.plats else "") + ".",
            day=mote.datum, stamp=stamp, alarm_days_before=1, cancelled=mote.installt,
        )
    documents = AllDayEvent(
        uid=uid("handlingar", mote.id), sequence=mote.sekvens,
        summary=f"Sista dag för handlingar: {mote.typ.label.lower()} {datum(mote.datum, veckodag=False)}",
        description=f"Handlingar till {title.lower()} ska vara kansliet till handa senast {datum(mote.handlingar_senast)}.",
        day=mote.handlingar_senast, stamp=stamp, alarm_days_before=3, cancelled=mote.installt,
    )
    return [meeting, documents]


@dataclass(frozen=True)
class _Namn:
    namn: str
    diarienummer: str | None


@dataclass(frozen=True)
class _DeadlineRad:
    """What a deadline's event shows, read as plain columns: a feed of 50,000 deadlines is built without
    loading each as an object (that was two thirds of building one)."""

    id: int
    typ: RapportTyp
    nr: int
    period_start: date
    period_slut: date
    forfaller: date
    tillstand: DeadlineTillstand
    inkom: date | None
    insats: _Namn

    @property
    def rubrik(self) -> str:
        return self.typ.rubrik(self.nr)


def _deadlines(session: Session, insats: Insats | None) -> Iterator[tuple[_DeadlineRad, tuple[int, datetime]]]:
    """The deadlines (of one insats, or all) in calendar order, each with its `deadline_history`, counted in the
    database instead of loading every change; one at a time, so a feed never holds them all."""
    query = select(
        Deadline.id, Deadline.typ, Deadline.nr, Deadline.period_start, Deadline.period_slut, Deadline.forfaller,
        Deadline.tillstand, Deadline.inkom, Insats.namn, Insats.diarienummer,
    ).join(Insats, Insats.id == Deadline.insats_id)
    history = (
        select(DeadlineAndring.deadline_id, func.count(DeadlineAndring.fore), func.max(DeadlineAndring.tid))
        .group_by(DeadlineAndring.deadline_id)
    )
    if insats is not None:
        query = query.where(Deadline.insats_id == insats.id)
        history = history.join(Deadline).where(Deadline.insats_id == insats.id)
    histories = {deadline_id: (changes, _utc(last)) for deadline_id, changes, last in session.execute(history)}
    for *columns, namn, diarienummer in session.execute(query.order_by(Deadline.forfaller, Deadline.id)):
        row = _DeadlineRad(*columns, insats=_Namn(namn, diarienummer))
        yield row, histories.get(row.id, (0, EPOCH))


def _each(items: Iterable[T], make: Callable[[T], list[E]], describe: Callable[[T], str],
          failures: list[ItemFailure] | None) -> Iterator[E]:
    """The events of every item, as they are made; with `failures`, an item that cannot become an event is
    skipped and recorded."""
    for item in items:
        try:
            made = make(item)
        except Exception as e:
            if failures is None:
                raise
            failures.append(ItemFailure(describe(item), reason(e)))
            continue
        yield from made


def _on_error(failures: list[ItemFailure] | None) -> Callable[[str, Exception], None] | None:
    if failures is None:
        return None
    return lambda summary, e: failures.append(ItemFailure(summary, reason(e)))


def _deadline_name(d: tuple[_DeadlineRad, tuple[int, datetime]]) -> str:
    return f"{d[0].rubrik} – {d[0].insats.namn}"


def _deadline_events(regler: Regler) -> Callable[[tuple[_DeadlineRad, tuple[int, datetime]]], list[AllDayEvent]]:
    return lambda d: [deadline_event(d[0], regler, history=d[1])]


def insats_calendar(
    session: Session, insats: Insats, regler: Regler, *, failures: list[ItemFailure] | None = None
) -> bytes:
    """One insats's deadlines; with `failures`, one that cannot be written is left out and recorded there."""
    events = _each(_deadlines(session, insats), _deadline_events(regler), _deadline_name, failures)
    return build_calendar(events, name=f"Rapporter – {insats.namn}", refresh=REFRESH, on_error=_on_error(failures))


def kansli_calendar(session: Session, regler: Regler, *, failures: list[ItemFailure] | None = None) -> bytes:
    """Every deadline and meeting; with `failures`, one that cannot be written is left out and recorded there."""
    meetings = session.scalars(select(Sammantrade).order_by(Sammantrade.datum, Sammantrade.id)).all()
    events = chain(_each(_deadlines(session, None), _deadline_events(regler), _deadline_name, failures),
                   _each(meetings, meeting_events, lambda m: f"{m.typ.label} {m.datum.isoformat()}", failures))
    return build_calendar(events, name=f"{regler.forbund.namn} – bevakning", refresh=REFRESH,
                          on_error=_on_error(failures))


# --- feeds kept between requests ---

def calendar_stamp(session: Session) -> tuple[str, int]:
    """Where the calendars stand: moves with every change a feed shows (see KalenderStand), read in the
    session's transaction."""
    row = session.execute(select(KalenderStand.sedan, KalenderStand.andringar).where(KalenderStand.id == 1)).first()
    return (row.sedan, row.andringar) if row is not None else ("", 0)


@dataclass(frozen=True)
class Feed:
    body: bytes
    etag: str  # a hash of the body, quoted as HTTP wants it


def feed(body: bytes) -> Feed:
    return Feed(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


class FeedCache:
    """Feeds built once and kept, in this process, while the calendar stamp stays where it was.

    Every request reads the stamp (`calendar_stamp`, one row) before it reads anything a feed shows, in
    the transaction it builds from, so a feed is never built from data older than the stamp it is kept
    under: no process serves a feed from before a change it can see, whichever process made the change.
    A feed is built by one request at a time; others asking for the same one wait for it.
    """

    def __init__(self, max_feeds: int = 256) -> None:
        self.max_feeds = max_feeds
        self.builds = 0
        self._stamp: tuple[str, int] | None = None
        self._feeds: OrderedDict[Hashable, Feed] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def get(self, stamp: tuple[str, int], key: Hashable, build: Callable[[], Feed]) -> Feed:
        if (found := self._kept(stamp, key)) is not None:
            return found
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:
            if (found := self._kept(stamp, key)) is not None:  # built meanwhile by the request we waited for
                return found
            made = build()
            self.builds += 1
            with self._lock:
                if self._stamp == stamp:
                    self._feeds[key] = made
                    while len(self._feeds) > self.max_feeds:
                        self._feeds.popitem(last=False)
            return made

    def _kept(self, stamp: tuple[str, int], key: Hashable) -> Feed | None:
        with self._lock:
            if stamp != self._stamp:
                # Moved on: what was kept is out of date. (A request that read an older stamp than the
                # one kept builds its own feed and does not keep it.)
                if self._stamp is None or stamp[0] != self._stamp[0] or stamp[1] > self._stamp[1]:
                    self._stamp = stamp
                    self._feeds.clear()
                return None
            found = self._feeds.get(key)
            if found is not None:
                self._feeds.move_to_end(key)
            return found


def email_calendar(deadlines: list[Deadline], regler: Regler, *, name: str, stamp: datetime) -> bytes:
    """For e-mail: METHOD:PUBLISH, DTSTAMP the moment the message is composed."""
    return build_calendar([deadline_event(d, regler, stamp=stamp) for d in deadlines], name=name, method="PUBLISH")


# --- feed tokens ---

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, kontext: Kontext, insats: Insats | None, beskrivning: str | None = None) -> tuple[KalenderToken, str]:
    """A new feed token; the secret is returned once and never stored."""
    secret = secrets.token_urlsafe(32)  # 256 random bits
    row = KalenderToken(
        token_hash=_hash(secret), insats_id=insats.id if insats else None, beskrivning=beskrivning,
        skapad=kontext.nu.astimezone(timezone.utc),
    )
    session.add(row)
    session.flush()
    return row, secret


def revoke_token(session: Session, kontext: Kontext, token_id: int) -> KalenderToken:
    row = by_id(session, KalenderToken, token_id)
    if row is None:
        raise NotFound(f"Det finns ingen kalenderlänk med id {token_id}.")
    if row.aterkallad is not None:
        raise FinsamError(f"Kalenderlänk {token_id} är redan återkallad.")
    row.aterkallad = kontext.nu.astimezone(timezone.utc)
    return row


def find_token(session: Session, secret: str) -> KalenderToken | None:
    """The active token matching `secret`, compared in constant time against every active hash."""
    wanted = _hash(secret)
    match = None
    for row in session.scalars(select(KalenderToken).where(KalenderToken.aterkallad.is_(None))):
        if hmac.compare_digest(row.token_hash, wanted):
            match = row
    return match


def list_tokens(session: Session) -> list[KalenderToken]:
    return list(session.scalars(select(KalenderToken).options(selectinload(KalenderToken.insats)).order_by(KalenderToken.id)))

