"""registrera-inkommen-rapport: reports dropped in the kansli's folder, or arriving in its mailbox, register themselves."""

from __future__ import annotations

import asyncio

from prefect import flow, get_run_logger, task
from prefect.states import Failed

from finsam import wiring
from finsam.settings import get_settings
from flows.common import parameter, run_name
from tasks.common import actor, tag_this_run
from tasks.inkorg import ATGARD, from_folder, from_mailbox, publish_queue
from tasks.insatssidor import refresh_insats_pages

@task(name="skicka-kvittenser")
def send_kvittenser() -> int:
    sent = len(asyncio.run(wiring.deliver_outbox(actor())).sent)
    get_run_logger().info("Kvittenser skickade: %d.", sent)
    return sent


@flow(name="registrera-inkommen-rapport", flow_run_name=run_name("Inkomna rapporter {nu}"), description="Läser inkomna rapporter i kansliets mapp och brevlåda och registrerar dem.")
def registrera_inkommen_rapport(
    mapp: str = parameter("Mapp", default="", max_length=1000, description="Mappen att läsa (tomt: FINSAM_REPORT_INBOX)."),
    brevlada: bool = parameter("Läs brevlådan", default=False, description="Läs även nya e-postmeddelandens bilagor (IMAP)."),
) -> dict:
    results = from_folder(mapp or str(get_settings().report_inbox)) if (mapp or get_settings().report_inbox.exists()) else []
    if brevlada:
        results += from_mailbox()
    tag_this_run([r["tagg"] for r in results if r.get("tagg")])
    if any(r["atgard"] == "registrerad" for r in results):
        send_kvittenser()
    refresh_insats_pages(r.get("tagg") for r in results)
    publish_queue(results)
    counts: dict[str, int] = {}
    for r in results:
        counts[r["atgard"]] = counts.get(r["atgard"], 0) + 1
    get_run_logger().info("Inkomna rapporter: %s.", "; ".join(f"{ATGARD[a]}: {n}" for a, n in counts.items())
                          if counts else "inga nya")
    summary = {"antal": counts, "filer": [{"fil": r["fil"], "atgard": r["atgard"], "skal": r.get("skal")} for r in results]}
    bugs = [f"{r['fil']}: {r.get('skal') or 'okänt fel'}" for r in results if r["atgard"] == "ovantat_fel"]
    if bugs:  # every other file was taken in; the run ends failed so the automation tells the kansli
        return Failed(message=f"{len(bugs)} {'fil' if len(bugs) == 1 else 'filer'} kunde inte tas emot: " + "; ".join(bugs),
                      data=summary)
    return summary
