"""Helpers for the mail tests: a mail context, a settable clock, and delivery over real SMTP."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from finsam.adapters.mail import SmtpTransport
from finsam.audit import Kontext
from finsam.db import unit_of_work
from finsam.domain.rules_config import Regler
from finsam.messages.compose import Recipient
from finsam.messages.render import MailRenderer
from finsam.services.daily import DayPlan, plan_day
from finsam.services.delivery import DeliveryReport, deliver
from finsam.services.notify import MailContext
from finsam.settings import Settings

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SENDER = "finsam@samordningsforbund-gavleborg.example"


def mail_context(regler: Regler) -> MailContext:
    return MailContext(regler=regler, renderer=MailRenderer(), sender=Recipient("Samordningsförbund Gävleborg", SENDER))


@dataclass
class Clock:
    """Real time is replaced by this in the tests: a day's run happens at 07:00 Stockholm time."""

    moment: datetime

    @classmethod
    def on(cls, day: date) -> Clock:
        return cls(datetime.combine(day, time(7, 0), tzinfo=STOCKHOLM))

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


def smtp_settings(port: int, **changes: object) -> Settings:
    values = {"smtp_host": "127.0.0.1", "smtp_port": port, "mail_from": SENDER, "smtp_timeout": 5, "smtp_retry_delay": 0.01}
    return Settings(**{**values, **changes})


def plan(db_url: str, mail: MailContext, day: date, clock: Clock | None = None) -> DayPlan:
    kontext = Kontext(aktor="daglig-bevakning", atgard=f"daglig bevakning {day}", nu=(clock or Clock.on(day))())
    with unit_of_work(db_url, kontext) as session:
        result = plan_day(session, kontext, mail, as_of=day)
        session.flush()
        return result


def send(db_url: str, settings: Settings, clock: Clock, *, batch_size: int = 100) -> DeliveryReport:
    return asyncio.run(
        deliver(
            db_url,
            SmtpTransport(settings),
            clock=clock,
            aktor="skicka-utskick",
            batch_size=batch_size,
            attempts=settings.smtp_attempts,
            retry_delay=settings.smtp_retry_delay,
            claim_timeout=timedelta(minutes=settings.claim_timeout_minutes),
            uncertain_wait=timedelta(minutes=settings.smtp_uncertain_wait_minutes),
            max_seconds=settings.smtp_run_max_seconds,
        )
    )


def utc(day: date) -> datetime:
    return datetime.combine(day, time(6), tzinfo=timezone.utc)
