"""What every CLI command shares: settings, rules, the acting person, dates, output and errors."""

from __future__ import annotations

import asyncio
import getpass
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from finsam import clock
from finsam.domain.parsing import parse_date
from finsam.domain.rules_config import Regler
from finsam import wiring
from finsam.services.delivery import DeliveryReport
from finsam.services.notify import MailContext
from finsam.services.outbox import held_claims
from finsam.settings import get_settings

# Wide enough for the tables when the output goes to a file or a pipe (rich assumes 80 there).
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True)


def DATE(value: Any) -> date:
    """Parser for date options: ÅÅÅÅ-MM-DD (or ÅÅÅÅMMDD)."""
    if isinstance(value, date):
        return value
    try:
        return parse_date(str(value))
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None


def rules() -> Regler:
    return wiring.rules()


def mail_context() -> MailContext:
    return wiring.mail_context()


def send_outbox() -> DeliveryReport:
    """Send what the outbox holds now (the .eml folder without an SMTP host)."""
    return asyncio.run(wiring.deliver_outbox(actor()))


def database_url() -> str:
    return get_settings().database_url


def actor(av: str | None = None) -> str:
    return av or os.environ.get("FINSAM_AKTOR") or f"cli:{getpass.getuser()}"


def as_of_or_today(as_of: date | None) -> date:
    return as_of or clock.today()


@contextmanager
def work(atgard: str, *, av: str | None = None, dry_run: bool = False) -> Iterator[Session]:
    with wiring.work(actor(av), atgard, dry_run=dry_run) as session:
        yield session


reading = wiring.reading


def print_json(data: Any) -> None:
    # Plain print, not rich: the output is for programs and must not be wrapped or coloured.
    print(json.dumps(data, ensure_ascii=False, indent=2))


def kr(amount: int | None) -> str:
    return "" if amount is None else f"{amount:,} kr".replace(",", "\u00a0")


def antal(n: int, one: str, many: str) -> str:
    """"1 meddelande", "3 meddelanden": Swedish plurals in counts."""
    return f"{n} {one if n == 1 else many}"


def say_held_claims() -> None:
    """After a crash rows stay claimed until the claim expires: say how many and until when, not "0 väntar"."""
    settings = get_settings()
    with reading() as session:
        count, until = held_claims(session, now=clock.now(), claim_timeout=timedelta(minutes=settings.claim_timeout_minutes))
    if count:
        err_console.print(
            f"{antal(count, 'meddelande', 'meddelanden')} hålls av en annan körning (pågående eller avbruten) "
            f"till {clock.local(until).strftime('%Y-%m-%d %H:%M')}; därefter skickas de av nästa körning.",
            style="yellow", highlight=False,
        )
