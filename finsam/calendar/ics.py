"""iCalendar files (RFC 5545) for deadlines and meetings, built with `icalendar`.

- Deadlines and document deadlines are all-day events (VALUE=DATE); meetings are timed events
  in Europe/Stockholm with a VTIMEZONE, never floating times.
- UIDs are uuid5 of the object's id (no personal data) and stay the same across runs and
  machines; SEQUENCE rises with each change, and a removed object is sent as STATUS:CANCELLED.
- Files that are e-mailed carry METHOD:PUBLISH (information, not an invitation); feeds and
  exports carry no METHOD, as RFC 5545 calendar files.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vDuration, vRecur

from finsam import TIMEZONE

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
    events: Iterable[AllDayEvent | TimedEvent],
    *,
    name: str,
    method: str | None = None,
    refresh: timedelta | None = None,
    on_error: Callable[[str, Exception], None] | None = None,
) -> bytes:
    """The calendar of `events`, each written as it comes (a feed never holds them all as objects)."""
    written = []
    timed = False
    for item in events:
        timed = timed or isinstance(item, TimedEvent)
        try:
            written.append(_ical(item))
        except Exception as e:
            if on_error is None:
                raise
            on_error(item.summary, e)  # one event that cannot be written leaves the rest of the calendar whole
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
    if timed:
        calendar.add_component(_stockholm_vtimezone())
    # The same bytes as the events added to the calendar as components: icalendar writes a component's
    # lines, then each subcomponent's, then its END line.
    return calendar.to_ical().removesuffix(_END) + b"".join(written) + _END


_END = b"END:VCALENDAR\r\n"


def _ical(item: AllDayEvent | TimedEvent) -> bytes:
    """An event as written in a calendar: the bytes icalendar writes for `_event(item)` (tests/test_calendars.py
    holds the two equal over generated events), written directly. A feed is tens of thousands of events, and
    icalendar spent about 0.6 ms on each, most of it in generic property handling and folding; this is
    about a twentieth of that, so no feed needs events kept from an earlier build."""
    summary = _text(item.summary)
    if isinstance(item, AllDayEvent):
        when = [f"DTSTART;VALUE=DATE:{_date(item.day)}", f"DTEND;VALUE=DATE:{_date(item.day + timedelta(days=1))}"]
    else:
        when = [f"DTSTART;TZID={TIMEZONE}:{_local(item.start)}", f"DTEND;TZID={TIMEZONE}:{_local(item.end)}"]
    lines = [
        "BEGIN:VEVENT", f"SUMMARY:{summary}", *when, f"DTSTAMP:{_local(item.stamp, timezone.utc)}Z",
        f"UID:{_text(item.uid)}", f"SEQUENCE:{int(item.sequence)}", f"DESCRIPTION:{_text(item.description)}",
    ]
    if isinstance(item, AllDayEvent):
        lines += [f"STATUS:{'CANCELLED' if item.cancelled else 'CONFIRMED'}", "TRANSP:TRANSPARENT"]
        before = timedelta(days=item.alarm_days_before) - timedelta(hours=9) if item.alarm_days_before > 0 else None
    else:
        if item.location:
            lines.append(f"LOCATION:{_text(item.location)}")
        lines += [f"STATUS:{'CANCELLED' if item.cancelled else 'CONFIRMED'}", "TRANSP:OPAQUE"]
        before = timedelta(minutes=item.alarm_minutes_before) if item.alarm_minutes_before > 0 else None
    if not item.cancelled and before is not None:
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{summary}", f"TRIGGER:{_duration(-before)}",
                  "END:VALARM"]
    lines.append("END:VEVENT")
    return b"\r\n".join(_fold(line.encode()) for line in lines) + b"\r\n"


def _date(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _local(moment: datetime, zone: ZoneInfo | timezone = STOCKHOLM) -> str:
    moment = moment.astimezone(zone)
    return f"{_date(moment)}T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"


# RFC 5545 TEXT, as icalendar escapes it (the order matters: backslashes before what adds them).
def _text(value: str) -> str:
    return (value.replace("\\N", "\n").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: bytes) -> bytes:
    """A content line in lines of at most 74 octets (75 with the space that continues one), each ending on a
    whole character and never right after a backslash or caret (an escape stays whole), as icalendar folds."""
    if len(line) < 75:
        return line
    parts, start = [], 0
    while len(line) - start > 74:
        end = start + 74
        while line[end] & 0xC0 == 0x80:  # inside a character: it goes on the next line
            end -= 1
        if line[end - 1] in b"\\^":
            end -= 1
        parts.append(line[start:end])
        start = end
    parts.append(line[start:])
    return b"\r\n ".join(parts)


def _duration(td: timedelta) -> str:
    """A DURATION value as icalendar writes it (-P6DT15H)."""
    sign = ""
    if td.days < 0:
        sign, td = "-", -td
    timepart = ""
    if td.seconds:
        hours, minutes, seconds = td.seconds // 3600, td.seconds % 3600 // 60, td.seconds % 60
        timepart = ("T" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes or (hours and seconds) else "")
                    + (f"{seconds}S" if seconds else ""))
    if td.days == 0 and timepart:
        return f"{sign}P{timepart}"
    return f"{sign}P{abs(td.days)}D{timepart}"


def _event(item: AllDayEvent | TimedEvent) -> Event:
    """The event as icalendar's component: what `_ical` writes, made by the library (the tests' reference)."""
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
