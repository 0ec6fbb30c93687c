"""The clock, read only at the edges (CLI, flows); everything below takes dates as arguments."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from finsam import TIMEZONE

STOCKHOLM = ZoneInfo(TIMEZONE)


def now() -> datetime:
    return datetime.now(STOCKHOLM)


def today() -> date:
    return now().date()


def local(moment: datetime) -> datetime:
    """A stored timestamp (UTC; naive from SQLite) as Stockholm time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(STOCKHOLM)
