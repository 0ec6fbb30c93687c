"""arsredovisning: the annual report's Bilaga 1, written by the engine for the kansli to finish."""

from __future__ import annotations

from prefect import flow
from finsam import clock
from flows.common import parameter, run_name
from tasks.arsredovisning import write_bilaga1


@flow(name="arsredovisning", flow_run_name=run_name("Bilaga 1 – {ar}"),
      description="Skriver årsredovisningens bilaga 1, Mål och resultat av insatser: ett block per insats som pågick "
                  "under året, som Word-fil (länk bland körningens artefakter) och som text.")
def arsredovisning(ar: int = parameter("År", description="Året som årsredovisningen gäller (ÅÅÅÅ).", ge=1990, le=2100)) -> dict:
    return write_bilaga1(ar, clock.today())
