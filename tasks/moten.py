"""Work that meeting dates call for, and the sync that turns the meeting plan into scheduled runs."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from prefect import get_client, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
    FlowRunFilterTags,
)
from prefect.client.schemas.objects import StateType
from prefect.states import Cancelled, Scheduled
from sqlalchemy import select

from finsam import wiring
from finsam.settings import get_settings
from finsam.domain.enums import MoteTyp
from finsam.domain.model import Sammantrade
from finsam.services import registrations
from finsam.services.batch import ItemFailure, reason
from finsam.services.meeting_messages import do_meeting_work
from finsam.services.meeting_work import meeting_on, planned_work
from tasks.common import insats_tag, reading, refusal_as_result, tag_this_run, work

MEETING_TAG = "finsam-mote"
# The meeting work's counts as its log line names them.
SAMMANFATTNING = {"saknade_beslut": "beslut som saknas", "beslutsmeddelanden": "beslutsmeddelanden",
                  "ansokningar": "ansökningar", "for_beslut": "ansökningar för beslut",
                  "forsenade": "försenade rapporter"}


def instance_id() -> str:
    """Which finsam database this is (a short hash of its URL, password left out)."""
    from sqlalchemy.engine import make_url

    url = make_url(get_settings().database_url).render_as_string(hide_password=True)
    return hashlib.sha256(url.encode()).hexdigest()[:10]


@task(name="motesarbete")
def meeting_work(arbete: str, sammantrade_id: int, today: date) -> dict[str, Any]:
    """One piece of meeting work: its document as an artifact, its messages queued, its insatser tagged."""
    with work(arbete.replace("-", " ")) as session:
        result = do_meeting_work(session, session.info["kontext"], wiring.mail_context(), arbete, sammantrade_id,
                                 today=today)
        if result.skipped:
            get_run_logger().info("Inget att göra: %s", result.skipped)
            return {"hoppade_over": result.skipped}
        tags = [insats_tag(i) for i in result.insatser]
        datum = result.mote.datum
    get_run_logger().info("%s %s: %s.", arbete.replace("-", " ").capitalize(), datum.isoformat(),
                          "; ".join(f"{SAMMANFATTNING.get(k, k)}: {len(v) if isinstance(v, list) else v}"
                                    for k, v in result.summary.items()) or "klart")
    if result.markdown and result.artifact_key:
        create_markdown_artifact(result.markdown, key=result.artifact_key, description=f"{arbete} {datum.isoformat()}")
    tag_this_run(tags)
    return {**result.summary, "taggar": tags}


@task(name="hitta-motet")
@refusal_as_result
def find_meeting(typ: MoteTyp, datum: date | None, today: date) -> dict[str, Any]:
    """The meeting a run form names by its date (or the next one): its id for the work, or why there is none."""
    with reading() as session:
        mote = meeting_on(session, typ, datum, today=today)
        return {"sammantrade_id": mote.id, "datum": mote.datum.isoformat()}


@task(name="andra-mote-i-databasen")
@refusal_as_result
def change_meeting(typ: MoteTyp, datum: date, nytt_datum: date | None, installt: bool, as_of: date) -> dict[str, Any]:
    """One meeting moved or cancelled; the open ansökningar follow and their applicants are told."""
    with work("ändrat möte") as session:
        plan = registrations.mote_andras(session, session.info["kontext"], wiring.mail_context(), typ, datum,
                                         nytt_datum=nytt_datum, installt=installt, as_of=as_of)
        moved = [f"{c.ansokan.insats.ref}: {c.fore.rubrik if c.fore else 'inget möte'} → "
                 f"{c.efter.rubrik if c.efter else 'inget möte i planen ännu'}" for c in plan.omdirigerade]
        tags = sorted({insats_tag(c.ansokan.insats) for c in plan.omdirigerade})
        result = {"mote": f"{typ.label} {datum.isoformat()}", "andring": "inställt" if installt else f"flyttat till {nytt_datum}",
                  "ansokningar": moved, "meddelanden": len(plan.meddelanden), "meddelandefel": plan.meddelandefel,
                  "taggar": tags}
    get_run_logger().info("%s %s; %d ansökningar följde med, %d sökande får besked.", result["mote"], result["andring"],
                          len(moved), result["meddelanden"])
    tag_this_run(tags)
    return result


@task(name="synka-motesplanen")
def sync_meeting_runs() -> dict[str, int]:
    """Scheduled runs for every meeting's work: create what is missing, cancel what no longer fits.

    Runs are created directly (not by Prefect's scheduler, which looks only 100 days ahead), each
    with an idempotency key from the meeting, its SEQUENCE and the run time: syncing twice
    creates nothing new, and a moved or cancelled meeting's old runs are cancelled.
    """
    from finsam import clock

    now = clock.now()
    instance = instance_id()
    instance_tag = f"finsam-db:{instance}"
    failures: list[ItemFailure] = []
    regler = wiring.rules()
    wanted = []
    with reading() as session:
        for mote in session.scalars(select(Sammantrade).order_by(Sammantrade.datum)).all():
            try:  # one meeting with a broken date never keeps the others from being planned
                wanted += [w for w in planned_work([mote], regler) if w.run_at > now]
            except Exception as e:
                failures.append(ItemFailure(f"{mote.typ.label} {mote.datum.isoformat()}", reason(e)))
    created = kept = cancelled = 0
    with get_client(sync_client=True) as client:
        scheduled = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=[MEETING_TAG, instance_tag]),
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])),
            )
        )
        existing = {run.idempotency_key for run in scheduled}
        deployments = {}
        for arbete in {item.arbete for item in wanted}:
            found = client.read_deployments(deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[arbete])))
            if found:
                deployments[arbete] = found[0]
        keys = set()
        for item in wanted:
            if item.arbete not in deployments:
                continue  # that work is not deployed here
            key = item.key(instance)
            keys.add(key)
            if key in existing:
                kept += 1
                continue
            try:
                client.create_flow_run_from_deployment(
                    deployments[item.arbete].id,
                    parameters={"mote": item.datum.isoformat() if item.datum else ""},
                    name=item.name,
                    tags=[MEETING_TAG, instance_tag, f"sammantrade:{item.sammantrade_id}"],
                    idempotency_key=key,  # a second sync, or two at once, create it only once
                    state=Scheduled(scheduled_time=item.run_at),
                )
                created += 1
            except Exception as e:
                failures.append(ItemFailure(item.name, reason(e)))
        for run in scheduled:
            if run.idempotency_key not in keys:
                try:
                    client.set_flow_run_state(run.id, Cancelled(message="Mötet är flyttat eller inställt."), force=True)
                    cancelled += 1
                except Exception as e:
                    failures.append(ItemFailure(f"Ställa in {run.name}", reason(e)))
    logger = get_run_logger()
    logger.info("Mötesplanen synkad: nya körningar %d, oförändrade %d, inställda %d.", created, kept, cancelled)
    for failure in failures:
        logger.error("Kunde inte synkas: %s", failure)
    return {"skapade": created, "oforandrade": kept, "installda": cancelled, "fel": [str(f) for f in failures]}
