"""Annotated types for pydantic models at the door (rules file, run forms): the same checks as
every other entry point, so a form and a CSV file refuse the same values with the same words."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from finsam.domain.limits import check_amount, check_date
from finsam.domain.parsing import parse_date, parse_email, plain_text


def _date(value: Any) -> Any:
    # Dates stay text in our YAML; our own parser checks the form and the window.
    return parse_date(value) if isinstance(value, str) else value


def bounded(max_length: int) -> AfterValidator:
    """A one-line text no longer than its column."""
    return AfterValidator(lambda value: plain_text(value, max_length))


Datum = Annotated[date, BeforeValidator(_date), AfterValidator(check_date)]
Belopp = Annotated[int, AfterValidator(check_amount)]
Epost = Annotated[str, AfterValidator(parse_email)]
Namn = Annotated[str, AfterValidator(plain_text)]  # goes into e-mail headers: one line, no control characters
