"""The daily watch: plan the day, send the outbox, report to the kansli as artifacts."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from prefect import get_run_logger, task
from prefect.runtime import task_run
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.client.schemas.objects import TaskRun
from prefect.states import State

from finsam.messages.render import markdown_cell
from finsam import wiring
from finsam.domain.enums import DeadlineStatus
from finsam.domain.ladder import MeddelandeTyp
from finsam.services.daily import plan_day
from finsam.services.deadlines import list_deadlines
from tasks.common import actor, insats_tags, reading, work


class TransientSendError(Exception):
    """Messages wait for the mail server (connection, timeout, 4xx): worth a retry of the task."""


def only_transient(task: Any, task_run: TaskRun, state: State) -> bool:
    """Retry the send task only when the mail server was unreachable or said 'later'."""
    try:
        state.result()
    except TransientSendError:
        return True
    except Exception:
        return False
    return False


@task(name="planera-dagen")
def plan_the_day(as_of: date) -> dict[str, Any]:
    with work(f"daglig bevakning {as_of.isoformat()}") as session:
        plan = plan_day(session, session.info["kontext"], wiring.mail_context(), as_of=as_of)
        logger = get_run_logger()
        if plan.replanned is not None:
            logger.info("Reglerna har ändrats: %d rapportdatum planerades om.", len(plan.replanned))
        for failure in plan.failed:  # each named here; the flow ends failed once everything else is done
            logger.error("Kunde inte göras: %s", failure)
        session.flush()
        touched = {r.insats_id for r in plan.queued if r.insats_id} | {m.insats_id for m in plan.moved}
        tags = insats_tags(session, touched)
        logger.info("Daglig bevakning %s: nya meddelanden i utkorgen: %d%s; insatser som bytte tillstånd: %d; "
                    "till styrelsens uppföljningslista: %d; insatser berörda: %d.", as_of.isoformat(), len(plan.queued),
                    _by_kind(plan.queued), len(plan.moved), len(plan.flagged), len(touched))
        return {
            "koade": [{"till": r.mottagare, "amne": r.amne, "typ": r.typ} for r in plan.queued],
            "tillstand": [m.text for m in plan.moved],
            "styrelselistan": list(plan.flagged),
            "omplanerade": [m.text for m in plan.replanned or []],
            "taggar": tags,
            "fel": [str(f) for f in plan.failed],
        }


def _by_kind(rows: list) -> str:
    """` (Påminnelse 4, Eskalering 1)`: the queued messages counted by kind, as the kansli names them."""
    counts: dict[str, int] = {}
    for row in rows:
        label = MeddelandeTyp(row.typ).label if row.typ in MeddelandeTyp._value2member_map_ else row.typ
        counts[label] = counts.get(label, 0) + 1
    return f" ({', '.join(f'{k} {n}' for k, n in sorted(counts.items()))})" if counts else ""


@task(name="skicka-utkorgen", retries=4, retry_delay_seconds=[60, 300, 900, 3600], retry_condition_fn=only_transient)
def send_outbox() -> dict[str, Any]:
    """One SMTP connection per batch; transient failures make the task retry with backoff, 5xx do not."""
    # A retry's own delay was the backoff: it tries the waiting messages again at once.
    report = asyncio.run(wiring.deliver_outbox(actor(), ignore_backoff=(task_run.get_run_count() or 1) > 1))
    result = {
        "skickade": len(report.sent),
        "misslyckade": [f"{i}: {e}" for i, e in report.failed],
        "vantar": [f"{i}: {e}" for i, e in report.deferred],
        "makulerade": len(report.cancelled),
        "osakra": [f"{i}: {e}" for i, e in report.uncertain],
    }
    logger = get_run_logger()
    (logger.warning if report.failed or report.deferred else logger.info)(
        "Utskick: skickade %d, misslyckade %d, väntar på e-postservern %d, makulerade %d.",
        len(report.sent), len(report.failed), len(report.deferred), len(report.cancelled))
    for row_id, why in report.failed:
        logger.warning("Misslyckat utskick %s: %s", row_id, why)
    for row_id, why in report.uncertain:
        logger.warning("Osäkert utskick %s (kan ha kommit fram; försöks högst en gång till): %s", row_id, why)
    if report.deferred:
        raise TransientSendError(f"{len(report.deferred)} meddelanden väntar på e-postservern: {report.deferred[0][1]}")
    return result


@task(name="rapportera-till-kansliet")
def publish_artifacts(as_of: date, plan: dict[str, Any], sent: dict[str, Any] | None) -> None:
    with reading() as session:
        rows = list_deadlines(session, as_of=as_of)
    horizon = as_of + timedelta(days=wiring.rules().drift.kommande_dagar)
    due = [r for r in rows if r.status is DeadlineStatus.KOMMANDE and r.due <= horizon]
    # The overdue table is what is being chased; old reports listed but not chased are only counted.
    overdue = [r for r in rows if r.status is DeadlineStatus.FORFALLEN and r.chased]
    unchased = sum(1 for r in rows if r.status is DeadlineStatus.FORFALLEN and not r.chased)

    def table(items: list) -> list[dict[str, Any]]:
        return [
            {"Insats": r.insats, "Diarienr": r.diarienummer or "", "Rapport": r.kind.rubrik(r.nr),
             "Period": f"{r.period_start} – {r.period_end}", "Sista dag": r.due.isoformat(),
             "Bevakas": "ja" if r.chased else "nej"}
            for r in items
        ]

    create_table_artifact(table(due), key="rapporter-inom-30-dagar",
                          description=f"Rapporter som ska in inom 30 dagar, per {as_of.isoformat()}")
    create_table_artifact(table(overdue), key="forsenade-rapporter",
                          description=f"Försenade rapporter som bevakas, per {as_of.isoformat()}"
                          + (f" ({unchased} äldre bevakas inte: finsam deadlines)" if unchased else ""))
    lines = [f"# Daglig bevakning {as_of.isoformat()}", ""]
    lines += [f"- **{len(plan['koade'])}** nya meddelanden i utkorgen"]
    if sent is not None:
        lines += [f"- **{sent['skickade']}** skickade, **{len(sent['misslyckade'])}** misslyckade, "
                  f"{sent['makulerade']} makulerade (rapporten hann komma in)"]
    else:
        lines += ["- Utskicket misslyckades: meddelandena ligger kvar i utkorgen och går ut vid nästa körning"]
    if plan["koade"]:
        lines += ["", "## Nya meddelanden", "", "| Till | Ämne |", "|---|---|"]
        lines += [f"| {markdown_cell(m['till'])} | {markdown_cell(m['amne'])} |" for m in plan["koade"]]
    if sent and sent["misslyckade"]:
        lines += ["", "## Misslyckade utskick", ""] + [f"- {markdown_cell(e)}" for e in sent["misslyckade"]]
    if sent and sent.get("osakra"):
        lines += ["", "## Osäkra utskick (kan ha kommit fram; försöks högst en gång till)", ""]
        lines += [f"- {markdown_cell(e)}" for e in sent["osakra"]]
    if plan.get("fel"):
        lines += ["", "## Kunde inte göras", ""] + [f"- {markdown_cell(x)}" for x in plan["fel"]]
    if plan["styrelselistan"]:
        lines += ["", "## Till styrelsens uppföljningslista", ""] + [f"- {markdown_cell(x)}" for x in plan["styrelselistan"]]
    if plan["tillstand"]:
        lines += ["", "## Insatser som bytte tillstånd", ""] + [f"- {markdown_cell(x)}" for x in plan["tillstand"]]
    create_markdown_artifact("\n".join(lines) + "\n", key="daglig-bevakning",
                             description=f"Vad som skickades och vad som misslyckades {as_of.isoformat()}")
