"""The rules file seen from the Prefect UI: what a change would move, before the daily run applies it."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact

from finsam import wiring
from finsam.services.replan import fingerprint, replan_all, stored_fingerprint
from tasks.common import work


@task(name="granska-regelandring")
def preview_rules_change(as_of: date) -> dict[str, Any]:
    """Re-plan everything open by the rules file as it is now, show what moves, and save nothing."""
    regler = wiring.rules()
    with work("regeländring (provkörning)", dry_run=True) as session:
        changed = stored_fingerprint(session) not in (None, fingerprint(regler))
        moves = replan_all(session, session.info["kontext"], regler, as_of=as_of)
        rows = [{"Insats": m.insats, "Rapport": m.rapport, "Nu": m.fore.isoformat() if m.fore else "(ny)",
                 "Efter ändringen": m.efter.isoformat() if m.efter else "(behövs inte)"} for m in moves]
    create_table_artifact(rows, key="regelandring",
                          description=f"Rapportdatum som regelfilen flyttar, per {as_of.isoformat()} (inget är sparat)")
    get_run_logger().info("%d rapportdatum skulle flyttas av regelfilen%s.", len(rows),
                          "; nästa dagliga körning gör det" if changed else "")
    return {"flyttas": len(rows), "regelfilen_andrad": changed}
