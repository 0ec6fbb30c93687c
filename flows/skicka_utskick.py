"""skicka-utskick: send the outbox, retrying with backoff while the mail server is away (and only then)."""

from __future__ import annotations

from prefect import flow
from prefect.states import Failed, State

from finsam.settings import get_settings
from flows.common import run_name
from tasks.bevakning import send_outbox


@flow(name="skicka-utskick", flow_run_name=run_name("Utskick {nu}"), description="Skickar det som väntar i utkorgen. Tillfälliga fel försöks igen, permanenta rapporteras.")
def skicka_utskick() -> dict | State:
    delays = get_settings().send_retry_delays
    result = send_outbox.with_options(retries=len(delays), retry_delay_seconds=delays)()
    problems = [f"avvisat {e}" for e in result["misslyckade"]] + [f"osäkert {e}" for e in result["osakra"]]
    if problems:
        # The rest went out; the run ends failed, naming each refused or uncertain message, so the kansli is told.
        return Failed(message=f"{len(problems)} utskick gick inte säkert fram: " + "; ".join(problems[:20]), data=result)
    return result
