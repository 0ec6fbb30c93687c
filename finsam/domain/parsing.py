"""Reading values the way Swedish users and their files write them. Errors are Swedish ValueErrors."""

from __future__ import annotations

import re
from datetime import date, time

from email_validator import EmailNotValidError, validate_email

from finsam.domain.limits import check_amount, check_date, check_length, forbidden_character

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_AMOUNT = re.compile(r"^-?\d+(?:,\d{1,2}|\.\d{1,2})?$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def parse_date(text: str) -> date:
    """`2021-12-31` or `20211231` (as the förbund's own documents write it), inside the date window."""
    value = text.strip()
    match = (_ISO.match(value) or _COMPACT.match(value)) if value.isascii() else None
    if not match:
        raise ValueError(f"'{shown(value)}' är inte ett datum (skriv ÅÅÅÅ-MM-DD)")
    try:
        parsed = date(*(int(g) for g in match.groups()))
    except ValueError:
        raise ValueError(f"'{value}' är inte ett giltigt datum") from None
    return check_date(parsed)


_DAY_FIRST = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def parse_typed_date(text: str) -> date:
    """A date a person typed into a form: `2026-12-17` (or `20261217`), or day first as Swedes write it,
    `17/12/2026` or `17.12.2026`; never month first. Anything else is refused, never guessed."""
    value = text.strip()
    if value.isascii() and (match := _DAY_FIRST.match(value)):
        try:
            return check_date(date(int(match.group(3)), int(match.group(2)), int(match.group(1))))
        except ValueError as e:
            if "utanför" in str(e):
                raise
            raise ValueError(f"'{value}' är inte ett giltigt datum") from None
    try:
        return parse_date(value)
    except ValueError as e:
        raise ValueError(str(e).replace("(skriv ÅÅÅÅ-MM-DD)", "(skriv ÅÅÅÅ-MM-DD, t.ex. 2026-12-17)")) from None


def shown(value: str, limit: int = 40) -> str:
    """A refused value as it may be quoted back: one line, not too long."""
    shown = "".join(c if c.isprintable() else "?" for c in value)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def parse_time(text: str) -> time:
    """`13:00` or `13.00`."""
    value = text.strip()
    match = _TIME.match(value)
    if not match:
        raise ValueError(f"'{value}' är inte en tid (skriv TT:MM)")
    try:
        return time(int(match.group(1)), int(match.group(2)))
    except ValueError:
        raise ValueError(f"'{value}' är inte en giltig tid") from None


def parse_amount(text: str) -> int:
    """Whole kronor from `580 690 kr`, `2530000 Kr`, `894000,00` or `1 234,50` (öre are dropped only if zero)."""
    value = text.strip().lower().removesuffix("kr").removesuffix("sek").strip()
    value = re.sub(r"[\s\u00a0\u202f]", "", value)
    if len(value) > 40 or not value.isascii() or not _AMOUNT.match(value):
        raise ValueError(f"'{shown(text.strip())}' är inte ett belopp i kronor")
    whole, _, ore = value.replace(".", ",").partition(",")
    if ore and int(ore) != 0:
        raise ValueError(f"'{text.strip()}': ange hela kronor")
    return check_amount(int(whole))


def parse_email(text: str) -> str:
    """A syntactically valid address, normalised (no DNS look-up: the server may be offline)."""
    value = text.strip()
    if not value:
        raise ValueError("e-postadress saknas")
    if (bad := forbidden_character(value)) is not None:
        raise ValueError(f"e-postadressen innehåller ett otillåtet tecken ({bad})")
    if len(value) > 320:
        raise ValueError(f"e-postadressen är för lång (högst 320 tecken, här {len(value)})")
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as e:
        raise ValueError(f"ogiltig e-postadress '{shown(value, 80)}': {e}") from None
    # A domain with å/ä/ö is kept in its ASCII form (xn--…), which every mail server accepts.
    return result.ascii_email or result.normalized


def plain_text(text: str, max_length: int | None = None) -> str:
    """A name, place or title as it may go into an e-mail header: one line, no control characters,
    and (where given) no longer than the column that stores it."""
    value = text.strip()
    if (bad := forbidden_character(value)) is not None:
        raise ValueError(f"får inte innehålla radbrytningar eller styrtecken ({bad})")
    check_length(value, max_length)
    return value


def paragraph_text(text: str, max_length: int) -> str:
    """A text of a few paragraphs (an insats's syfte for the annual report): line breaks allowed, no other control
    characters, no longer than `max_length`."""
    value = text.strip()
    for line in value.splitlines():
        if (bad := forbidden_character(line.replace("\t", " "))) is not None:
            raise ValueError(f"får inte innehålla styrtecken ({bad})")
    check_length(value, max_length)
    return value


def parse_position(text: str) -> int:
    """A place in a list: a whole number from 1."""
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(f"'{shown(text)}' ska vara ett heltal (1, 2, 3 …)") from None
    if not 1 <= value <= 100_000:
        raise ValueError(f"{value} ska vara mellan 1 och 100000")
    return value
