"""Work the meeting plan calls for; its runs are created by synka-motesplan, named after the meeting."""

from __future__ import annotations

from prefect import flow
from prefect.states import Failed
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from finsam.domain.checked import Namn
from finsam.domain.enums import MoteTyp

from finsam import clock
from flows.skicka_utskick import skicka_utskick
from finsam.services.meeting_work import Arbete
from tasks.moten import change_meeting, meeting_work, sync_meeting_runs
from flows.common import REGISTRERAS_AV, Dag, Formular, kansli_form, parameter, refused, run_name
from tasks.common import tag_this_run
from tasks.insatssidor import refresh_insats_pages

MOTE = Field(title="Sammanträde", description="Mötets id (se `finsam moten`).")


def _work(arbete: str, sammantrade_id: int) -> dict:
    """The meeting's work for today; what it queued goes out at once (unless it was too late to act)."""
    tag_this_run([f"sammantrade:{sammantrade_id}"])
    result = meeting_work(arbete, sammantrade_id, clock.today())
    tags = result.pop("taggar", [])
    if "hoppade_over" not in result:
        skicka_utskick()
        refresh_insats_pages(tags)
    return result


@flow(name="infor-beredningsgrupp", description="Ansökningarna som beredningsgruppen ska behandla, till kansliet.")
def infor_beredningsgrupp(sammantrade_id: int = MOTE) -> dict:
    return _work(Arbete.INFOR_BEREDNINGSGRUPP, sammantrade_id)


@flow(name="infor-styrelsemote", description="Underlaget till styrelsemötet, som artefakt och e-post till kansliet.")
def infor_styrelsemote(sammantrade_id: int = MOTE) -> dict:
    return _work(Arbete.INFOR_STYRELSEMOTE, sammantrade_id)


@flow(name="efter-styrelsemote", description="Påminner om beslut som saknas och skickar beslutsmeddelandena.")
def efter_styrelsemote(sammantrade_id: int = MOTE) -> dict:
    return _work(Arbete.EFTER_STYRELSEMOTE, sammantrade_id)


class Motesandring(Formular):
    typ: Literal["styrelse", "beredningsgrupp", "arbetsutskott"] = Field(title="Möte")
    datum: Dag = Field(title="Datum", description="Mötets datum i mötesplanen.")
    andring: Literal["flyttas", "ställs in"] = Field(title="Ändring")
    nytt_datum: Dag | None = Field(default=None, title="Nytt datum", description="Krävs när mötet flyttas.")
    registreras_av: Namn = REGISTRERAS_AV


@kansli_form(name="andra-mote", flow_run_name=run_name("Ändrat möte – {typ} {datum}"), description="Flyttar eller ställer in ett möte; ansökningarna följer med och sökande får besked.")
def andra_mote(möte: Motesandring = parameter("Möte")) -> dict:
    result = change_meeting(MoteTyp(möte.typ), möte.datum, möte.nytt_datum, möte.andring == "ställs in", clock.today())
    if (state := refused(result)) is not None:
        return state
    synka_motesplan()  # the meeting's scheduled runs follow it
    skicka_utskick()
    refresh_insats_pages(result.pop("taggar"))
    if result["meddelandefel"]:
        return Failed(message="Ändringen är sparad, men några meddelanden kunde inte skapas: "
                              + "; ".join(result["meddelandefel"]), data=result)
    return result


@flow(name="synka-motesplan", flow_run_name=run_name("Synka mötesplanen {idag}"), description="Skapar, flyttar och ställer in körningarna som mötesplanen kräver.")
def synka_motesplan() -> dict:
    result = sync_meeting_runs()
    if result["fel"]:  # every other meeting is synced; the run ends failed naming what was not
        count = len(result["fel"])
        return Failed(message=f"{count} {'möte' if count == 1 else 'möten'} kunde inte synkas: " + "; ".join(result["fel"]),
                      data=result)
    return result
