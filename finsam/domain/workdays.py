"""Swedish working days, for deadlines under Lag (1930:173) om beräkning av lagstadgad tid.

A deadline that falls on a Saturday, Sunday, public holiday, midsommarafton, julafton or
nyårsafton moves to the next working day. The holidays come from the `holidays` package:
PUBLIC gives the public holidays, DE_FACTO the three aftnar.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=256)
def _names(year: int) -> dict[date, str]:
    days = holidays.country_holidays(
        "SE", years=year, categories=(holidays.PUBLIC, holidays.DE_FACTO), language="sv"
    )
    return dict(days)


@lru_cache(maxsize=256)
def _helgdagar(year: int) -> frozenset[date]:
    return frozenset(_names(year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _helgdagar(day.year)


def holiday_name(day: date) -> str | None:
    """The Swedish name of a helgdag or afton, or None on an ordinary day."""
    return _names(day.year).get(day)


def next_working_day(day: date) -> date:
    """The day itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date) -> date:
    """The day itself if it is a working day, else the last working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def add_working_days(day: date, count: int) -> date:
    """The `count`th working day after `day` (`day` itself is not counted)."""
    while count > 0:
        day += timedelta(days=1)
        count -= is_working_day(day)
    return day
