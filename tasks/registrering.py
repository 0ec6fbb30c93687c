"""Registrations the kansli makes from the Prefect UI's run forms: each one transaction, then its message."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import task
from sqlalchemy import select

from finsam import wiring
from finsam.domain.enums import Bedomning, BeslutUtfall, RapportTyp
from finsam.domain.model import Ansokan
from finsam.services import lifecycle, registrations
from finsam.services.lookup import find_insats, find_queued, find_report
from tasks.common import insats_tag, refusal_as_result, run_logger, work


@task(name="registrera-ansokan-i-databasen")
@refusal_as_result
def register_ansokan(values: dict[str, Any]) -> dict[str, Any]:
    with work("registrera ansökan") as session:
        insats, ansokan = lifecycle.register_ansokan(session, session.info["kontext"], lifecycle.NyAnsokan(**values))
        session.flush()
        mote = ansokan.beredningsmote
        _log(f"Registrerat: ansökan – {insats.ref}. Till {mote.rubrik if mote else 'nästa beredningsgruppsmöte i planen'}.")
        return {"insats": insats.ref, "tagg": insats_tag(insats), "tillstand": insats.tillstand.label,
                "beredningsmote": mote.datum.isoformat() if mote else None}


@task(name="registrera-yttrande-i-databasen")
@refusal_as_result
def register_yttrande(ref: str, datum: date, bedomning: Bedomning, motivering: str | None, as_of: date,
                      extra: bool = False) -> dict[str, Any]:
    with work("registrera yttrande") as session:
        done = registrations.yttrande(session, session.info["kontext"], wiring.mail_context(), find_insats(session, ref),
                                      datum=datum, bedomning=bedomning, motivering=motivering, as_of=as_of, extra=extra)
        return _result(f"yttrande ({bedomning.value})", done)


@task(name="registrera-komplettering-i-databasen")
@refusal_as_result
def register_komplettering(ref: str, inkom: date) -> dict[str, Any]:
    with work("registrera komplettering") as session:
        done = registrations.komplettering(session, session.info["kontext"], find_insats(session, ref), inkom=inkom)
        session.flush()
        mote = session.scalar(select(Ansokan).where(Ansokan.insats_id == done.insats.id)).styrelsemote
        return _result("komplettering", done, styrelsemote=mote.datum.isoformat() if mote else None)


def _result(vad: str, done: registrations.Registrerat, **values: Any) -> dict[str, Any]:
    """What a registration task returns to its flow (the insats, its tag, what changed, any message problem),
    told in the run's log in one Swedish line."""
    result = {"insats": done.insats.ref, "tagg": insats_tag(done.insats), "tillstand": done.insats.tillstand.label,
              "meddelande": done.meddelande is not None and done.meddelandefel is None,
              "meddelandefel": done.meddelandefel,
              **({"deadlines": {"nya": done.sync.skapade, "andrade": done.sync.andrade,
                                "makulerade": done.sync.makulerade}} if done.sync.changed else {}),
              **values}
    dates = (f" Rapportdatum: nya {done.sync.skapade}, ändrade {done.sync.andrade}, makulerade {done.sync.makulerade}."
             if done.sync.changed else "")
    told = (f" Meddelandet kunde inte skapas: {done.meddelandefel}." if done.meddelandefel
            else " Meddelande till insatsägaren köat." if result["meddelande"] else "")
    money = f" {done.medel}" if done.medel else ""
    if done.medel:
        result["medel"] = done.medel
    _log(f"Registrerat: {vad} – {done.insats.ref}. Tillstånd: {done.insats.tillstand.label}.{dates}{money}{told}")
    return result


def _log(line: str) -> None:
    run_logger().info(line)


@task(name="registrera-beslut-i-databasen")
@refusal_as_result
def register_beslut(ref: str, datum: date, utfall: BeslutUtfall, as_of: date, belopp_kr: int | None,
                    start: date | None, slut: date | None, anteckning: str | None,
                    belopp_per_ar: dict[int, int] | None = None, extra: bool = False) -> dict[str, Any]:
    with work("registrera beslut") as session:
        done = registrations.beslut(session, session.info["kontext"], wiring.mail_context(), find_insats(session, ref),
                                    datum=datum, utfall=utfall, as_of=as_of, belopp_kr=belopp_kr, start=start, slut=slut,
                                    anteckning=anteckning, belopp_per_ar=belopp_per_ar, extra=extra)
        return _result(f"beslut ({utfall.label})", done, nya_deadlines=done.sync.skapade)


@task(name="registrera-rapport-i-databasen")
@refusal_as_result
def register_report(ref: str, typ: RapportTyp, inkom: date, nr: int | None) -> dict[str, Any]:
    with work("registrera inkommen rapport") as session:
        done = registrations.rapport(session, session.info["kontext"], wiring.mail_context(), find_insats(session, ref),
                                     typ=typ, inkom=inkom, nr=nr)
        return _result(f"{done.rapport.deadline.rubrik} inkom {inkom.isoformat()}", done,
                       rapport=done.rapport.deadline.rubrik)


@task(name="registrera-utbetalning-i-databasen")
@refusal_as_result
def register_payout(ref: str, datum: date, belopp_kr: int, as_of: date) -> dict[str, Any]:
    with work("registrera utbetalning") as session:
        done = registrations.utbetalning(session, session.info["kontext"], find_insats(session, ref), datum=datum,
                                         belopp_kr=belopp_kr, as_of=as_of)
        total = sum(u.belopp_kr for u in done.insats.utbetalningar)
        return _result(f"utbetalning {belopp_kr} kr {datum.isoformat()} (utbetalt totalt {total} kr)", done,
                       utbetalt_kr=total)


@task(name="registrera-aterbetalning-i-databasen")
@refusal_as_result
def register_repayment(ref: str, betald: date, belopp_kr: int | None, as_of: date) -> dict[str, Any]:
    with work("registrera återbetalning") as session:
        done = registrations.aterbetalning(session, session.info["kontext"], find_insats(session, ref), betald=betald,
                                           belopp_kr=belopp_kr, as_of=as_of)
        paid = done.aterbetalning
        return _result(f"återbetalning betald {paid.betald.isoformat()}", done, aterbetalning_kr=paid.belopp_kr,
                       betalt_kr=paid.betalt_kr, betald=paid.betald.isoformat(),
                       saknas_kr=max(paid.belopp_kr - paid.betalt_kr, 0))


@task(name="godkann-rapport-i-databasen")
@refusal_as_result
def accept_report(ref: str) -> dict[str, Any]:
    with work("godkänn ofullständig rapport") as session:
        done = registrations.godkann_rapport(session, session.info["kontext"], wiring.mail_context(),
                                             find_insats(session, ref))
        return _result(f"{done.rapport.deadline.rubrik} godkänd som den är", done,
                       rapport=done.rapport.deadline.rubrik, saknades=done.rapport.ofullstandig)


@task(name="bevilja-anstand-i-databasen")
@refusal_as_result
def grant(ref: str, rapport: str, nytt_datum: date, skal: str, beviljat_av: str, as_of: date,
          beslutsdatum: date | None = None) -> dict[str, Any]:
    with work("anstånd") as session:
        deadline = find_report(find_insats(session, ref), rapport)
        done = registrations.anstand(session, session.info["kontext"], wiring.mail_context(), deadline.id, nytt=nytt_datum,
                                     skal=skal, beviljat_av=beviljat_av, as_of=as_of, beslutsdatum=beslutsdatum)
        anstand = done.anstand
        return _result(f"anstånd för {anstand.deadline.rubrik} till {anstand.nytt_forfaller.isoformat()}", done,
                       rapport=anstand.deadline.rubrik, forfaller=anstand.nytt_forfaller.isoformat(),
                       tidigare=anstand.tidigare_forfaller.isoformat())


@task(name="registrera-andringsbeslut-i-databasen")
@refusal_as_result
def register_change(kind: str, ref: str, as_of: date, beslutsdatum: date | None, anteckning: str | None,
                    **values: Any) -> dict[str, Any]:
    """Förlängning, tilläggsanslag or avbrott: the beslut, the re-planned deadlines, the message."""
    use_case = {"forlangning": registrations.forlangning, "tillaggsanslag": registrations.tillaggsanslag,
                "avbrott": registrations.avbrott}[kind]
    with work(kind) as session:
        done = use_case(session, session.info["kontext"], wiring.mail_context(), find_insats(session, ref), as_of=as_of,
                        beslutsdatum=beslutsdatum, anteckning=anteckning, **values)
        return _result(done.beslut.typ.label, done, beslut=done.beslut.typ.label,
                       beslutsdatum=done.beslut.datum.isoformat())


@task(name="registrera-rapport-ur-kon-i-databasen")
@refusal_as_result
def resolve_from_queue(fil: str, ref: str, typ: RapportTyp | None, nr: int | None) -> dict[str, Any]:
    from finsam.services.intake import resolve_queued
    from finsam.settings import get_settings

    with work("rapport ur kön") as session:
        queued = find_queued(session, fil)
        insats = find_insats(session, ref)
        rapport = resolve_queued(session, session.info["kontext"], wiring.mail_context(), queued.id, insats,
                                 storage=get_settings().report_folder, typ=typ, nr=nr,
                                 limits=wiring.document_limits())
        _log(f"Registrerat ur kansliets kö: {rapport.deadline.rubrik} inkom {rapport.inkom.isoformat()} – {insats.ref}.")
        return {"insats": insats.ref, "tagg": insats_tag(insats), "rapport": rapport.deadline.rubrik,
                "inkom": rapport.inkom.isoformat()}
