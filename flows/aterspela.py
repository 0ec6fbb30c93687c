"""aterspela: the demo as one flow run with a task per day (a flow run per day would cost a second each)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from prefect import flow, task
from prefect.states import Failed
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from pydantic import Field

from finsam.messages.render import markdown_cell
from finsam.demo import END, START, Demo, events, finish, prepare, replay_day
from finsam.wiring import rules


@task(name="forbered-demo")
def prepare_task(output: str, start: date) -> None:
    prepare(Demo(Path(output), rules()), start)


@task(name="spela-upp-dag", task_run_name="dag {day}")
def day_task(output: str, day: date, todays_events: list[dict]) -> dict:
    result = replay_day(Demo(Path(output), rules()), day, todays_events)
    for key, datum, markdown in result.pop("dokument"):
        create_markdown_artifact(markdown, key=key, description=f"{key} {datum} (demo)")
    return result


@task(name="avsluta-demo")
def finish_task(output: str, end: date) -> dict:
    summary = finish(Demo(Path(output), rules()), end)
    create_table_artifact(
        [{"Slag": typ, "Status": state, "Antal": n} for (typ, state), n in sorted(summary.sent.items())],
        key="demo-utskick", description="Utskick under demons period",
    )
    return {"utskick": {f"{t} ({s})": n for (t, s), n in sorted(summary.sent.items())},
            "styrelselistan": summary.flagged, "kalendrar": summary.calendars}


@flow(name="aterspela", description="Spelar upp en period över 2021 års insatser: allt som skulle ha skickats och skrivits.")
def aterspela(
    utdata: str = Field(default="demo-output", title="Mapp", description="Där e-post, kalendrar och underlag hamnar."),
    fran: date = Field(default=START, title="Från"),
    till: date = Field(default=END, title="Till"),
) -> dict:
    prepare_task(utdata, fran)
    by_day = events()
    log: list[str] = []
    failed: list[str] = []
    day = fran
    while day <= till:
        result = day_task(utdata, day, by_day.get(day, []))
        log.extend(result["handelser"])
        failed.extend(result["fel"])
        day += timedelta(days=1)
    summary = finish_task(utdata, till)
    lines = [f"- {markdown_cell(line)}" for line in log] + (
        ["", "## Kunde inte göras", ""] + [f"- {markdown_cell(x)}" for x in failed] if failed else [])
    create_markdown_artifact("# Demo\n\n" + "\n".join(lines) + "\n", key="demo-handelser",
                             description="Det som hände under demons period")
    if failed:  # every other day and event was replayed; the run ends failed naming what was not
        return Failed(message=f"{len(failed)} kunde inte göras: " + "; ".join(failed[:20]),
                      data={**summary, "handelser": log, "fel": failed})
    return {**summary, "handelser": log, "fel": []}
