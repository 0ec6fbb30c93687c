"""arsredovisning: the annual report's Bilaga 1, written by the engine for the kansli to finish."""

from __future__ import annotations

from prefect import flow
from pydantic import Field

from finsam import clock
from flows.common import run_name
from tasks.arsredovisning import write_bilaga1


@flow(name="arsredovisning", flow_run_name=run_name("Bilaga 1 – {ar}"),
      description="Skriver årsredovisningens bilaga 1 (ett block per insats som pågick under året) som artefakt.")
def arsredovisning(ar: int = Field(title="År", description="Året som årsredovisningen gäller.", ge=1990, le=2100)) -> dict:
    return write_bilaga1(ar, clock.today())
