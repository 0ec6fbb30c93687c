"""Work the meeting plan calls for; its runs are created by synka-motesplan, named after the meeting."""

from __future__ import annotations

from prefect import flow
from prefect.states import Failed
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from finsam.domain.checked import Namn
from finsam.domain.parsing import parse_typed_date
from finsam.domain.enums import MoteTyp

from finsam import clock
from flows.skicka_utskick import skicka_utskick
from finsam.services.meeting_work import Arbete
from tasks.moten import change_meeting, find_meeting, meeting_work, sync_meeting_runs
from flows.common import DATE_HINT, REGISTRERAS_AV, Dag, Formular, kansli_form, parameter, refusal, refused, run_name
from tasks.common import tag_this_run
from tasks.insatssidor import refresh_insats_pages


def _work(arbete: str, typ: MoteTyp, mote: str) -> dict:
    """The meeting's work for today; what it queued goes out at once (unless it was too late to act). The meeting
    is named by its date, as the kansli knows it (empty: the next one); one not in the plan is refused."""
    try:
        datum = parse_typed_date(mote) if mote and mote.strip() else None
    except ValueError as e:
        return refusal(f"Sammanträde: {e}.")
    found = find_meeting(typ, datum, clock.today())
    if (state := refused(found)) is not None:
        return state
    tag_this_run([f"sammantrade:{found['datum']}"])
    result = meeting_work(arbete, found["sammantrade_id"], clock.today())
    tags = result.pop("taggar", [])
    if "hoppade_over" not in result:
        skicka_utskick()
        refresh_insats_pages(tags)
    return result


def _mote(typ: str) -> Any:  # noqa: ANN401 - a flow parameter's default
    return parameter("Sammanträde", default="", max_length=30,
                     description=f"Mötets datum i mötesplanen; tomt: nästa {typ}. {DATE_HINT}")


@flow(name="infor-beredningsgrupp", flow_run_name=run_name("Inför beredningsgrupp {mote}"), validate_parameters=False,
      description="Ansökningarna som beredningsgruppen ska behandla, till kansliet.")
def infor_beredningsgrupp(mote: str = _mote("beredningsgruppsmöte")) -> dict:
    return _work(Arbete.INFOR_BEREDNINGSGRUPP, MoteTyp.BEREDNINGSGRUPP, mote)


@flow(name="infor-styrelsemote", flow_run_name=run_name("Inför styrelsemöte {mote}"), validate_parameters=False,
      description="Underlaget till styrelsemötet, som artefakt och e-post till kansliet.")
def infor_styrelsemote(mote: str = _mote("styrelsemöte")) -> dict:
    return _work(Arbete.INFOR_STYRELSEMOTE, MoteTyp.STYRELSE, mote)


@flow(name="efter-styrelsemote", flow_run_name=run_name("Efter styrelsemöte {mote}"), validate_parameters=False,
      description="Påminner om beslut som saknas och skickar beslutsmeddelandena.")
def efter_styrelsemote(mote: str = _mote("styrelsemöte")) -> dict:
    return _work(Arbete.EFTER_STYRELSEMOTE, MoteTyp.STYRELSE, mote)


class Motesandring(Formular):
    typ: Literal["styrelse", "beredningsgrupp", "arbetsutskott"] = Field(title="Möte")
    datum: Dag = Field(title="Datum", description="Mötets datum i mötesplanen.")
    andring: Literal["flyttas", "ställs in"] = Field(title="Ändring")
    nytt_datum: Dag | None = Field(default=None, title="Nytt datum", description="Krävs när mötet flyttas.")
    registreras_av: Namn = REGISTRERAS_AV


@kansli_form(name="andra-mote", flow_run_name=run_name("Ändrat möte – {typ} {datum}"), description="Flyttar eller ställer in ett möte; ansökningarna följer med och sökande får besked.")
def andra_mote(möte: Motesandring = parameter("Ändrat möte")) -> dict:
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
