"""Wiring at the edges: settings → rules, mail context, transport. Used by the CLI and the Prefect tasks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from finsam import clock
from finsam.adapters.mail import transport_from_settings
from finsam.audit import Kontext
from finsam.db import read_only, unit_of_work
from finsam.domain.rules_config import Regler, load_rules
from finsam.intake.limits import MB, Limits
from finsam.messages.compose import Recipient
from finsam.messages.render import MailRenderer
from finsam.services.delivery import DeliveryReport, deliver
from finsam.services.notify import MailContext
from finsam.settings import Settings, get_settings


@lru_cache(maxsize=8)
def _rules(path: Path, mtime: float) -> Regler:
    return load_rules(path)


def rules(settings: Settings | None = None) -> Regler:
    """The rules file, read again when it changes (a long-running worker sees the kansli's edits)."""
    path = (settings or get_settings()).rules_file
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    return _rules(path, mtime)


def document_limits(settings: Settings | None = None) -> Limits:
    """The limits on arriving documents, from the FINSAM_DOCUMENT_* settings."""
    settings = settings or get_settings()
    return Limits(max_bytes=int(settings.document_max_mb * MB), max_unpacked_bytes=int(settings.document_max_unpacked_mb * MB),
                  max_zip_entries=settings.document_max_zip_entries, max_pages=settings.document_max_pages,
                  seconds=settings.document_seconds)


def mail_context(settings: Settings | None = None) -> MailContext:
    settings = settings or get_settings()
    regler = rules(settings)
    return MailContext(regler=regler, renderer=MailRenderer(), sender=Recipient(regler.forbund.namn, settings.mail_from),
                       ui_url=settings.prefect_ui_url)


async def deliver_outbox(aktor: str, settings: Settings | None = None, *, ignore_backoff: bool = False) -> DeliveryReport:
    """Send what the outbox holds now (the .eml folder without an SMTP host)."""
    settings = settings or get_settings()
    return await deliver(
        settings.database_url,
        transport_from_settings(settings),
        clock=clock.now,
        aktor=aktor,
        attempts=settings.smtp_attempts,
        retry_delay=settings.smtp_retry_delay,
        claim_timeout=timedelta(minutes=settings.claim_timeout_minutes),
        backoff_max_minutes=settings.backoff_max_minutes,
        ignore_backoff=ignore_backoff,
        uncertain_wait=timedelta(minutes=settings.smtp_uncertain_wait_minutes),
        max_seconds=settings.smtp_run_max_seconds,
    )


@contextmanager
def work(aktor: str, atgard: str, *, dry_run: bool = False) -> Iterator[Session]:
    """A use case on the configured database, on behalf of `aktor`, stamped with the clock now."""
    kontext = Kontext(aktor=aktor, atgard=atgard, nu=clock.now())
    with unit_of_work(get_settings().database_url, kontext, dry_run=dry_run) as session:
        yield session


@contextmanager
def reading() -> Iterator[Session]:
    with read_only(get_settings().database_url) as session:
        yield session
