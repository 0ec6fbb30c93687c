"""ekonomisk-uppfoljning: the year's money (per insats, totals, the frame and what is left to grant) in the UI."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from finsam import clock
from flows.common import Formular, kansli_form, parameter, run_name
from tasks.ekonomi import write_ekonomi

TERTIAL = {"hela året": None, "1 (jan–apr)": 1, "2 (maj–aug)": 2, "3 (sep–dec)": 3}


class Uppfoljning(Formular):
    ar: int = Field(title="År", description="Året att följa upp (ÅÅÅÅ).", ge=1990, le=2100)
    period: Literal["hela året", "1 (jan–apr)", "2 (maj–aug)", "3 (sep–dec)"] = Field(
        default="hela året", title="Period", description="Hela året, eller ett tertial: utfall till tertialets slut.")


@kansli_form(name="ekonomisk-uppfoljning", flow_run_name=run_name("Ekonomi – {ar}"),
             description="Visar årets pengar: varje insats, summor per inriktning och huvudman, och ramen: intecknat och "
                         "kvar att fördela i år och två år framåt.")
def ekonomisk_uppfoljning(uppfoljning: Uppfoljning = parameter("Ekonomisk uppföljning")) -> dict:
    return write_ekonomi(uppfoljning.ar, TERTIAL[uppfoljning.period], clock.today())
