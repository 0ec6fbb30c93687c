"""iCalendar files (RFC 5545) for deadlines and meetings, built with `icalendar`.

- Deadlines and document deadlines are all-day events (VALUE=DATE); meetings are timed events
  in Europe/Stockholm with a VTIMEZONE, never floating times.
- UIDs are uuid5 of the object's id (no personal data) and stay the same across runs and
  machines; SEQUENCE rises with each change, and a removed object is sent as STATUS:CANCELLED.
- Files that are e-mailed carry METHOD:PUBLISH (information, not an invitation); feeds and
  exports carry no METHOD, as RFC 5545 calendar files.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vDuration, vRecur

from finsam import TIMEZONE

# Events kept written for feeds (see build_calendar): the kansli's feed of 10,000 insatser has some 45,000-60,000.
EVENTS_KEPT = 100_000
UID_NAMESPACE = uuid.UUID("0b6f3a0e-2f7e-4c59-8f0a-6a3b7f9d2c11")
PRODID = "-//finsam//Bevakning av insatser//SV"
STOCKHOLM = ZoneInfo(TIMEZONE)


def uid(kind: str, object_id: int) -> str:
    return f"{uuid.uuid5(UID_NAMESPACE, f'{kind}:{object_id}')}@finsam"


@dataclass(frozen=True)
class AllDayEvent:
    """A deadline: a report due, or the last day for a meeting's documents."""

    uid: str
    sequence: int
    summary: str
    description: str
    day: date
    stamp: datetime
    alarm_days_before: int = 7
    cancelled: bool = False


@dataclass(frozen=True)
class TimedEvent:
    """A meeting at a time of day in Stockholm."""

    uid: str
    sequence: int
    summary: str
    description: str
    start: datetime  # timezone-aware
    end: datetime
    location: str | None
    stamp: datetime
    alarm_minutes_before: int = 60 * 24
    cancelled: bool = False

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a meeting's times must carry their time zone")


def stockholm_time(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=STOCKHOLM)


def _transition(kind: type, name: str, offset_from: int, offset_to: int, start: datetime, month: int):  # noqa: ANN202
    """One yearly switch of the clocks: on the last Sunday of `month`, from one UTC offset to the other."""
    part = kind()
    part.add("tzname", name)
    part.add("tzoffsetfrom", timedelta(hours=offset_from))
    part.add("tzoffsetto", timedelta(hours=offset_to))
    part.add("dtstart", start)
    part.add("rrule", vRecur(freq="YEARLY", bymonth=month, byday="-1SU"))
    return part


def _stockholm_vtimezone() -> Timezone:
    """Europe/Stockholm as Outlook and Google write it: the EU rule since 1996, with no end year."""
    zone = Timezone()
    zone.add("tzid", TIMEZONE)
    zone.add("x-lic-location", TIMEZONE)
    zone.add_component(_transition(TimezoneDaylight, "CEST", 1, 2, datetime(1970, 3, 29, 2, 0), 3))
    zone.add_component(_transition(TimezoneStandard, "CET", 2, 1, datetime(1970, 10, 25, 3, 0), 10))
    return zone


def _alarm(summary: str, before: timedelta) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", -before)
    return alarm


def _common(event: Event, item: AllDayEvent | TimedEvent) -> None:
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", item.stamp.astimezone(timezone.utc))
    event.add("summary", item.summary)
    event.add("description", item.description)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")


def build_calendar(
    events: list[AllDayEvent | TimedEvent],
    *,
    name: str,
    method: str | None = None,
    refresh: timedelta | None = None,
    on_error: Callable[[str, Exception], None] | None = None,
    keep_events: bool = False,
) -> bytes:
    """`keep_events`: keep each event written, for a calendar that will be built again (a feed); a message's
    calendar, stamped with the moment it is made, would only fill the memory."""
    write = _kept_ical if keep_events else _ical
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TIMEZONE)
    if refresh is not None:
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(refresh))
    if any(isinstance(e, TimedEvent) for e in events):
        calendar.add_component(_stockholm_vtimezone())
    written = []
    for item in events:
        try:
            written.append(write(item))
        except Exception as e:
            if on_error is None:
                raise
            on_error(item.summary, e)  # one event that cannot be written leaves the rest of the calendar whole
    # The same bytes as the events added to the calendar as components: icalendar writes a component's
    # lines, then each subcomponent's, then its END line.
    return calendar.to_ical().removesuffix(_END) + b"".join(written) + _END


_END = b"END:VCALENDAR\r\n"


def _ical(item: AllDayEvent | TimedEvent) -> bytes:
    """An event as written in a calendar."""
    return _event(item).to_ical()


class _KeptEvents:
    """Events written for feeds, the least recently used forgotten first. An event (a frozen dataclass) holds
    all its bytes depend on, so a feed built again after a change writes only the events that changed. Each
    is kept under a SHA-256 of its repr (which tells any two events apart), not the event itself: that
    halves the memory (about 1 kB an event, the bytes included, instead of 1.9)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[bytes, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, item: AllDayEvent | TimedEvent) -> bytes:
        key = hashlib.sha256(repr(item).encode()).digest()
        with self._lock:
            if (found := self._kept.get(key)) is not None:
                self._kept.move_to_end(key)
                return found
        written = _ical(item)
        with self._lock:
            self._kept[key] = written
            if len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return written

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


_kept_ical = _KeptEvents(EVENTS_KEPT)


def _event(item: AllDayEvent | TimedEvent) -> Event:
    event = Event()
    _common(event, item)
    if isinstance(item, AllDayEvent):
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
        if not item.cancelled and item.alarm_days_before > 0:
            # An all-day event starts at midnight: the alarm goes off at 09:00 the chosen number of days before.
            event.add_component(_alarm(item.summary, timedelta(days=item.alarm_days_before) - timedelta(hours=9)))
    else:
        event.add("dtstart", item.start.astimezone(STOCKHOLM))
        event.add("dtend", item.end.astimezone(STOCKHOLM))
        if item.location:
            event.add("location", item.location)
        event.add("transp", "OPAQUE")
        if not item.cancelled and item.alarm_minutes_before > 0:
            event.add_component(_alarm(item.summary, timedelta(minutes=item.alarm_minutes_before)))
    return event
