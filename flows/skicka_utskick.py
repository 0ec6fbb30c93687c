"""skicka-utskick: send the outbox, retrying with backoff while the mail server is away (and only then)."""

from __future__ import annotations

from prefect import flow

from finsam.settings import get_settings
from flows.common import run_name
from tasks.bevakning import send_outbox


@flow(name="skicka-utskick", flow_run_name=run_name("Utskick {nu}"), description="Skickar det som väntar i utkorgen. Tillfälliga fel försöks igen, permanenta rapporteras.")
def skicka_utskick() -> dict:
    delays = get_settings().send_retry_delays
    return send_outbox.with_options(retries=len(delays), retry_delay_seconds=delays)()
