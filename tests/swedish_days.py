"""An independent oracle for Swedish working days, for the property tests.

Written from the law and the almanac, not from the `holidays` package the code uses: the Easter
date by the anonymous Gregorian algorithm (Meeus/Jones/Butcher), midsommardagen and alla helgons
dag as the Saturdays in their windows, and the three aftnar the förbund treats as holidays.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


def easter_sunday(year: int) -> date:
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741
    m = (a + 11 * h + 22 * l) // 451
    month = (h + l - 7 * m + 114) // 31
    day = (h + l - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def _saturday_between(first: date, last: date) -> date:
    return next(first + timedelta(days=n) for n in range((last - first).days + 1)
                if (first + timedelta(days=n)).weekday() == 5)


@lru_cache(maxsize=None)
def days_off(year: int) -> frozenset[date]:
    easter = easter_sunday(year)
    midsommardagen = _saturday_between(date(year, 6, 20), date(year, 6, 26))
    return frozenset({
        date(year, 1, 1), date(year, 1, 6), date(year, 5, 1), date(year, 6, 6), date(year, 12, 25), date(year, 12, 26),
        easter - timedelta(days=2), easter + timedelta(days=1), easter + timedelta(days=39),
        midsommardagen, _saturday_between(date(year, 10, 31), date(year, 11, 6)),
        midsommardagen - timedelta(days=1), date(year, 12, 24), date(year, 12, 31),  # the aftnar
    })


def working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in days_off(day.year)
