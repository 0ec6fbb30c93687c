"""daglig-bevakning: every weekday morning, the day's reminders, escalations and sending."""

from __future__ import annotations

from prefect import flow
from prefect.states import Failed

from flows.skicka_utskick import skicka_utskick
from tasks.bevakning import plan_the_day, publish_artifacts
from flows.common import day_or_today, optional_day, refusal, run_name
from tasks.common import tag_this_run
from tasks.insatssidor import refresh_insats_pages


@flow(name="daglig-bevakning", flow_run_name=run_name("Daglig bevakning {datum}"), validate_parameters=False,
      description="Uppdaterar tillstånd, skickar påminnelser och eskaleringar, rapporterar till kansliet.")
def daglig_bevakning(
    datum: str = optional_day("Datum", "Dagen att köra för (tomt: i dag)."),
) -> dict:
    try:
        as_of = day_or_today(datum)
    except ValueError as e:
        return refusal(f"Datum: {e}.")
    plan = plan_the_day(as_of)
    tag_this_run(plan["taggar"])
    sent = skicka_utskick(return_state=True)
    # A run that sent but had refusals ends failed with its report; one that could not send has no report.
    report = sent.result(raise_on_failure=False)
    report = report if isinstance(report, dict) else None
    publish_artifacts(as_of, plan, report)
    refresh_insats_pages(plan["taggar"], as_of)
    if report is None:
        raise RuntimeError("Utskicket misslyckades; meddelandena ligger kvar i utkorgen och går ut vid nästa körning.")
    failures = plan["fel"] + [f"utskick {e}" for e in report.get("misslyckade", [])] + [
        f"osäkert utskick {e}" for e in report.get("osakra", [])]
    if failures:
        # Everything else is done; the run ends failed so the automation tells the kansli what could not be.
        count = len(failures)
        return Failed(message=f"{count} {'sak' if count == 1 else 'saker'} kunde inte göras: " + "; ".join(failures),
                      data={"koade": len(plan["koade"]), "fel": failures, **(report or {})})
    return {"koade": len(plan["koade"]), **(report or {})}
