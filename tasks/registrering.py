"""Registrations the kansli makes from the Prefect UI's run forms: each one transaction, then its message."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import task

from finsam import wiring
from finsam.domain.enums import Bedomning, BeslutUtfall, RapportTyp
from finsam.domain.model import Deadline
from finsam.services import lifecycle
from finsam.services.deadlines import grant_anstand
from finsam.services.lookup import find_insats
from finsam.services.notify import not_made, queue_beslutsmeddelande, queue_kvittens
from tasks.common import insats_tag, work


@task(name="registrera-ansokan-i-databasen")
def register_ansokan(values: dict[str, Any]) -> dict[str, Any]:
    with work("registrera ansökan") as session:
        insats, ansokan = lifecycle.register_ansokan(session, session.info["kontext"], lifecycle.NyAnsokan(**values))
        session.flush()
        mote = ansokan.beredningsmote
        return {"insats": insats.ref, "tagg": insats_tag(insats), "tillstand": insats.tillstand.label,
                "beredningsmote": mote.datum.isoformat() if mote else None}


@task(name="registrera-yttrande-i-databasen")
def register_yttrande(ref: str, datum: date, bedomning: Bedomning, motivering: str | None) -> dict[str, Any]:
    with work("registrera yttrande") as session:
        insats = find_insats(session, ref)
        lifecycle.register_yttrande(session, session.info["kontext"], insats, datum=datum, bedomning=bedomning,
                                    motivering=motivering)
        return {"insats": insats.ref, "tagg": insats_tag(insats), "tillstand": insats.tillstand.label}


@task(name="registrera-beslut-i-databasen")
def register_beslut(ref: str, datum: date, utfall: BeslutUtfall, as_of: date, belopp_kr: int | None,
                    start: date | None, slut: date | None, anteckning: str | None) -> dict[str, Any]:
    with work("registrera beslut") as session:
        insats = find_insats(session, ref)
        beslut, sync = lifecycle.register_beslut(
            session, session.info["kontext"], insats, wiring.rules(), datum=datum, utfall=utfall, as_of=as_of,
            belopp_kr=belopp_kr, start=start, slut=slut, anteckning=anteckning,
        )
        session.flush()
        queued, why = False, None
        if utfall in (BeslutUtfall.BEVILJAS, BeslutUtfall.AVSLAS):
            row = queue_beslutsmeddelande(session, session.info["kontext"], wiring.mail_context(), insats, beslut)
            why = not_made(row)
            queued = row is not None and why is None
        return {"insats": insats.ref, "tagg": insats_tag(insats), "tillstand": insats.tillstand.label,
                "nya_deadlines": sync.skapade, "beslutsmeddelande": queued, "meddelandefel": why}


@task(name="registrera-rapport-i-databasen")
def register_report(ref: str, typ: RapportTyp, inkom: date, nr: int | None) -> dict[str, Any]:
    with work("registrera inkommen rapport") as session:
        insats = find_insats(session, ref)
        rapport = lifecycle.register_report(session, session.info["kontext"], insats, typ=typ, inkom=inkom, nr=nr)
        session.flush()
        why = not_made(queue_kvittens(session, session.info["kontext"], wiring.mail_context(), rapport))
        return {"insats": insats.ref, "tagg": insats_tag(insats), "rapport": rapport.deadline.rubrik,
                "tillstand": insats.tillstand.label, "meddelandefel": why}


@task(name="bevilja-anstand-i-databasen")
def grant(deadline_id: int, nytt_datum: date, skal: str, beviljat_av: str) -> dict[str, Any]:
    with work("anstånd") as session:
        anstand = grant_anstand(session, session.info["kontext"], deadline_id, nytt_datum, skal, beviljat_av)
        session.flush()
        deadline = session.get(Deadline, deadline_id)
        return {"insats": deadline.insats.ref, "tagg": insats_tag(deadline.insats), "rapport": deadline.rubrik,
                "forfaller": anstand.nytt_forfaller.isoformat(), "tidigare": anstand.tidigare_forfaller.isoformat()}




@task(name="registrera-rapport-ur-kon-i-databasen")
def resolve_from_queue(queue_id: int, ref: str, typ: RapportTyp | None, nr: int | None) -> dict[str, Any]:
    from finsam.services.intake import resolve_queued
    from finsam.settings import get_settings

    with work(f"rapport ur kön {queue_id}") as session:
        insats = find_insats(session, ref)
        rapport = resolve_queued(session, session.info["kontext"], wiring.mail_context(), queue_id, insats,
                                 storage=get_settings().report_folder, typ=typ, nr=nr,
                                 limits=wiring.document_limits())
        return {"insats": insats.ref, "tagg": insats_tag(insats), "rapport": rapport.deadline.rubrik,
                "inkom": rapport.inkom.isoformat()}
