"""ekonomisk-uppfoljning: the year's money (per insats, totals, the frame and what is left to grant) in the UI."""

from __future__ import annotations

from typing import Literal

from prefect import flow

from finsam import clock
from flows.common import parameter, run_name
from tasks.ekonomi import write_ekonomi

TERTIAL = {"hela året": None, "1 (jan–apr)": 1, "2 (maj–aug)": 2, "3 (sep–dec)": 3}


@flow(name="ekonomisk-uppfoljning", flow_run_name=run_name("Ekonomi – {ar}"),
      description="Visar årets pengar: varje insats, summor per inriktning och huvudman, och ramen: intecknat och kvar "
                  "att fördela i år och två år framåt.")
def ekonomisk_uppfoljning(
    ar: int = parameter("År", description="Året att följa upp (ÅÅÅÅ).", ge=1990, le=2100),
    period: Literal["hela året", "1 (jan–apr)", "2 (maj–aug)", "3 (sep–dec)"] = parameter(
        "Period", default="hela året", description="Hela året, eller ett tertial: utfall till tertialets slut."),
) -> dict:
    return write_ekonomi(ar, TERTIAL[period], clock.today())
