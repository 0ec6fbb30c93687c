"""Dates, amounts and distances in time written the Swedish way."""

from __future__ import annotations

from datetime import date

VECKODAGAR = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
MANADER = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)


def datum(day: date, *, veckodag: bool = True) -> str:
    """`fredag 30 april 2027` (or `30 april 2027`)."""
    text = f"{day.day} {MANADER[day.month - 1]} {day.year}"
    return f"{VECKODAGAR[day.weekday()]} {text}" if veckodag else text


def kronor(amount: int | None) -> str:
    """`580 690 kr`, with a no-break space between the groups."""
    if amount is None:
        return "–"
    return f"{amount:,}".replace(",", "\u00a0") + "\u00a0kr"


def antal(n: int, en: str, flera: str) -> str:
    """A count with its noun in the right number: "1 ansökan", "3 ansökningar", "0 ansökningar"."""
    return f"{n} {en if n == 1 else flera}"


def dagar_kvar(due: date, today: date) -> str:
    """`i dag`, `i morgon`, `om 14 dagar`, `i går`, `för 3 dagar sedan`."""
    days = (due - today).days
    if days == 0:
        return "i dag"
    if days == 1:
        return "i morgon"
    if days == -1:
        return "i går"
    return f"om {days} dagar" if days > 0 else f"för {-days} dagar sedan"
