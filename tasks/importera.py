"""Importing the kansli's files (insatser, the meeting plan) from the import folder: the same services, the same
line-numbered refusals, all or nothing, as `finsam import`."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import task

from finsam import wiring
from finsam.services import registrations
from finsam.services.import_folder import file_in
from finsam.services.import_insatser import import_insatser
from finsam.settings import get_settings
from tasks.common import refusal_as_result, run_logger, work

INSATSER, MOTESPLAN = "insatser", "mötesplan"


@task(name="importera-fil")
@refusal_as_result
def import_file(fil: str, vad: str, provkorning: bool, as_of: date) -> dict[str, Any]:
    path = file_in(get_settings().import_folder, fil)
    prefix = "Provkörning, inget sparat: " if provkorning else ""
    with work(f"import {vad} {path.name}", dry_run=provkorning) as session:
        kontext = session.info["kontext"]
        if vad == INSATSER:
            result = import_insatser(session, kontext, path, wiring.rules(), as_of=as_of)
            lines = [result.summary(), *filter(None, [result.notice()])]
            done: dict[str, Any] = {"nya": result.nya, "uppdaterade": result.uppdaterade,
                                    "oforandrade": result.oforandrade}
        else:
            plan = registrations.motesplan(session, kontext, wiring.mail_context(), path, as_of=as_of)
            moved = [f"{c.ansokan.insats.ref}: {c.fore.rubrik if c.fore else 'inget möte'} → "
                     f"{c.efter.rubrik if c.efter else 'inget möte i planen ännu'}" for c in plan.omdirigerade]
            lines = [plan.moten.summary(), *moved]
            if plan.meddelanden:
                lines.append(f"{len(plan.meddelanden)} sökande får besked om nytt mötesdatum.")
            done = {"nya": plan.moten.nya, "andrade": plan.moten.andrade, "oforandrade": plan.moten.oforandrade,
                    "meddelandefel": plan.meddelandefel}
    for line in lines:
        run_logger().info("%s%s", prefix if line is lines[0] else "", line)
    return {"fil": path.name, "vad": vad, "provkorning": provkorning, **done}
