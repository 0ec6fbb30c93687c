"""Deadlines as all-day iCalendar events (METHOD:PUBLISH: information, not invitations).

UIDs come from the deadline's id (uuid5, no personal data); SEQUENCE counts how often its due
date has moved, so a calendar that already has the event replaces it instead of adding a copy.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from icalendar import Alarm, Calendar, Event

UID_NAMESPACE = uuid.UUID("0b6f3a0e-2f7e-4c59-8f0a-6a3b7f9d2c11")
PRODID = "-//finsam//Bevakning av insatser//SV"


@dataclass(frozen=True)
class DeadlineEvent:
    deadline_id: int
    sequence: int
    summary: str
    description: str
    due: date
    alarm_days_before: int = 7
    cancelled: bool = False

    @property
    def uid(self) -> str:
        return f"{uuid.uuid5(UID_NAMESPACE, f'deadline:{self.deadline_id}')}@finsam"


def deadline_calendar(events: list[DeadlineEvent], *, name: str, stamp: datetime, method: str = "PUBLISH") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("sequence", item.sequence)
        event.add("dtstamp", stamp.astimezone(timezone.utc))
        event.add("dtstart", item.due)
        event.add("dtend", item.due + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("transp", "TRANSPARENT")  # an all-day deadline does not make anyone busy
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        if not item.cancelled and item.alarm_days_before > 0:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", item.summary)
            alarm.add("trigger", timedelta(days=-item.alarm_days_before))
            event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
