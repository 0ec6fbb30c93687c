"""The bounds every input is checked against at the door, the same on SQLite and PostgreSQL.

SQLite stores a 350-character name in a VARCHAR(300) and a year 9999 without a word;
PostgreSQL refuses the first and the rest of the engine chokes on the second. So the
application enforces what the schema says, and a sane window for dates and amounts.
The window is the operator's to change (FINSAM_DATUM_TIDIGAST, FINSAM_DATUM_SENAST,
FINSAM_MAX_BELOPP_KR); `configure` is called once at the edge with the settings.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import InstrumentedAttribute


@dataclass(frozen=True)
class Limits:
    earliest: date = date(1990, 1, 1)
    latest: date = date(2100, 12, 31)
    max_amount_kr: int = 10_000_000_000  # ten billion kronor: far above any förbund's budget, far below BIGINT
    max_file_bytes: int = 20_000_000  # an import file (CSV, meeting plan, rules); the 2021 list is 6 KB


_current = Limits()


def configure(limits: Limits) -> None:
    global _current
    if limits.earliest >= limits.latest:
        raise ValueError("the earliest date must come before the latest")
    _current = limits


def current() -> Limits:
    return _current


# Characters that must never reach a name, an address, a place or a subject: C0/C1 controls (CR, LF,
# NUL, …), the line and paragraph separators, and the bidi overrides that make text read backwards.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C, 0xFEFF)}


def forbidden_character(text: str) -> str | None:
    """The first character that may not stand in a one-line text, as U+XXXX, or None."""
    for c in text:
        if c in _BIDI or unicodedata.category(c) in ("Cc", "Zl", "Zp", "Cs", "Co", "Cn") and not c.isprintable():
            return f"U+{ord(c):04X}"
    return None


def max_length(column: InstrumentedAttribute) -> int | None:
    """The length the schema gives a text column (None: unbounded Text)."""
    return getattr(column.property.columns[0].type, "length", None)


def check_length(text: str, limit: int | None) -> None:
    if limit is not None and len(text) > limit:
        raise ValueError(f"högst {limit} tecken (här {len(text)})")


def check_date(value: date) -> date:
    window = _current
    if not window.earliest <= value <= window.latest:
        raise ValueError(
            f"{value.isoformat()} ligger utanför det tillåtna intervallet "
            f"{window.earliest.isoformat()} – {window.latest.isoformat()}"
        )
    return value


def check_amount(value: int) -> int:
    if value < 0:
        raise ValueError("beloppet kan inte vara negativt")
    if value > _current.max_amount_kr:
        raise ValueError(f"beloppet är större än högsta tillåtna ({_current.max_amount_kr:,} kr)".replace(",", " "))
    return value
