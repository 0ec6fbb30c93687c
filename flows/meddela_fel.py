"""meddela-fel: tells the kansli by e-mail that a flow run failed (run by an automation on prefect.flow-run.Failed).

The open-source Prefect server has no e-mail notification block; this flow uses finsam's own outbox.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

from prefect import flow, get_client, task
from pydantic import Field

from finsam import wiring
from finsam.clock import local
from finsam.services.notify import queue_flow_failure
from finsam.settings import get_settings
from tasks.common import actor, work

NAME = "meddela-fel"


@task(name="skriv-felmeddelande")
def write_notice(flow_run_id: str) -> dict:
    run_id = UUID(flow_run_id.removeprefix("prefect.flow-run."))
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(run_id)
        flow_name = client.read_flow(run.flow_id).name
    if flow_name == NAME:
        return {"hoppade_over": "felet gällde meddela-fel självt"}
    state = run.state
    when = local(state.timestamp).strftime("%Y-%m-%d %H:%M") if state and state.timestamp else "okänd tid"
    link = f"{get_settings().prefect_ui_url.rstrip('/')}/runs/flow-run/{run_id}"
    with work("meddela fel") as session:
        queue_flow_failure(
            session, session.info["kontext"], wiring.mail_context(), flow_run_id=str(run_id), flode=flow_name,
            korning=run.name, meddelande=(state.message if state and state.message else "inget meddelande"),
            tidpunkt=when, lank=link,
        )
    return {"flode": flow_name, "korning": run.name}


@task(name="skicka-felmeddelande")
def send_notice() -> int:
    return len(asyncio.run(wiring.deliver_outbox(actor())).sent)


@flow(name=NAME, description="Meddelar kansliet med e-post att en körning misslyckades.")
def meddela_fel(flow_run_id: str = Field(title="Körningens id", description="Den misslyckade körningen.")) -> dict:
    result = write_notice(flow_run_id)
    if "hoppade_over" not in result:
        result["skickade"] = send_notice()
    return result
