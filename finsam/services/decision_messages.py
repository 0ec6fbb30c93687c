"""Messages that follow a registration: the kvittens for a report, the decision on an ansökan, a
request for a komplettering, a new meeting date for an ansökan, and a
change decision (förlängning, tilläggsanslag, avbrott, anstånd) with the deadlines it created, moved or
cancelled. Each carries the insats's deadlines as calendar events (cancelled ones as cancellations).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from finsam.audit import Kontext
from finsam.domain.enums import RapportTyp, BeslutTyp, DeadlineTillstand, MoteTyp
from finsam.domain.ladder import MeddelandeTyp
from finsam.domain.model import Ansokan, Anstand, Beslut, Deadline, InkommenRapport, Insats, Sammantrade, Utskick, Yttrande
from finsam.services.notify import MailContext, calendar_part, deadline_view, insats_view, insatsagare, queue


def queue_kvittens(session: Session, kontext: Kontext, mail: MailContext, rapport: InkommenRapport) -> Utskick | None:
    deadline = rapport.deadline
    insats = deadline.insats
    to = insatsagare(insats, mail)
    # The calendar part updates the event of the report that came in and carries the ones still owed
    # and chased (old ones listed but not chased at import would only clutter the calendar).
    owed = [d for d in insats.deadlines if d.tillstand is DeadlineTillstand.OPPEN and d.bevakas]
    return queue(
        session, kontext, mail,
        nyckel=f"kvittens:{rapport.id}:{to.address.lower()}",
        typ=MeddelandeTyp.KVITTENS,
        to=to,
        cc=[],
        context={
            "insats": insats_view(insats),
            "deadline": deadline_view(deadline, mail.regler),
            "inkom": rapport.inkom,
            "kvar": [deadline_view(d, mail.regler) for d in sorted(owed, key=lambda d: d.forfaller)],
            # An incomplete report: what it lacks, and the komplettering's date.
            "saknas": rapport.ofullstandig or [],
            "komplettera_senast": next((d.forfaller for d in sorted(owed, key=lambda d: -d.nr)
                                        if d.typ is RapportTyp.KOMPLETTERING), None),
        },
        planerad=rapport.inkom,
        attachments=lambda: [calendar_part([deadline, *owed], mail, kontext, f"Rapporter – {insats.namn}")],
        insats=insats,
        deadline=deadline,
    )


def queue_beslutsmeddelande(
    session: Session, kontext: Kontext, mail: MailContext, insats: Insats, beslut: Beslut
) -> Utskick | None:
    """The decision to the applicant; a grant lists every reporting deadline and carries them as .ics."""
    beviljad = beslut.utfall.value == "beviljas"
    deadlines = [d for d in insats.deadlines if d.tillstand is not DeadlineTillstand.MAKULERAD] if beviljad else []
    to = insatsagare(insats, mail)
    return queue(
        session, kontext, mail,
        nyckel=f"beslut:{beslut.id}:{to.address.lower()}",
        typ=MeddelandeTyp.BESLUTSMEDDELANDE,
        to=to,
        cc=[mail.kansli],
        context={
            "insats": insats_view(insats),
            "beviljad": beviljad,
            "beslut": {
                "datum": beslut.datum, "belopp": beslut.belopp_kr, "start": beslut.start, "slut": beslut.slut,
                "per_ar": per_year(beslut),
                "anteckning": beslut.anteckning,
            },
            "deadlines": [deadline_view(d, mail.regler) for d in sorted(deadlines, key=lambda d: d.forfaller)],
        },
        planerad=beslut.datum,
        attachments=lambda: [calendar_part(deadlines, mail, kontext, f"Rapporter – {insats.namn}")] if deadlines else [],
        insats=insats,
    )


def per_year(beslut: Beslut) -> list[dict[str, int]]:
    """The amounts a decision states per year, as the messages list them (empty: a total only)."""
    return [{"ar": a.ar, "belopp": a.belopp_kr} for a in beslut.anslag]


def queue_andring(
    session: Session, kontext: Kontext, mail: MailContext, insats: Insats, *, nyckel: str, beslut: Beslut | None,
    anstand: Anstand | None = None, berorda: list[Deadline], planerad: date, medel: str | None = None,
) -> Utskick | None:
    """A change to a granted insats: what was decided, every report still owed (the changed ones
    marked) and the ones no longer owed; the calendar part updates and cancels the events."""
    to = insatsagare(insats, mail)
    # Only what is owed: a report already past when the insats was imported, and never chased, is the kansli's
    # to sort out, not a demand on the insatsägare now.
    owed = sorted((d for d in insats.deadlines if d.tillstand is DeadlineTillstand.OPPEN and d.bevakas),
                  key=lambda d: d.forfaller)
    cancelled = [d for d in berorda if d.tillstand is DeadlineTillstand.MAKULERAD]
    changed_ids = {d.id for d in berorda}
    typ = beslut.typ if beslut is not None else BeslutTyp.ANSTAND
    return queue(
        session, kontext, mail,
        nyckel=f"{nyckel}:{to.address.lower()}",
        typ=MeddelandeTyp.ANDRINGSBESLUT,
        to=to,
        cc=[mail.kansli],
        context={
            "insats": {**insats_view(insats), "slut": insats.slut, "beviljade_medel": insats.beviljade_medel_kr},
            "typ": typ.value,
            "rubrik": typ.label,
            "av_styrelsen": beslut is not None and (beslut.sammantrade is None or beslut.sammantrade.typ.value != "arbetsutskott"),
            "beslut": None if beslut is None else {
                "datum": beslut.datum, "belopp": beslut.belopp_kr, "ar": beslut.ar, "slut": beslut.slut,
                "anteckning": beslut.anteckning, "per_ar": per_year(beslut),
            },
            "medel": medel,
            "anstand": None if anstand is None else {
                "tidigare": anstand.tidigare_forfaller, "nytt": anstand.nytt_forfaller, "skal": anstand.skal,
            },
            "deadlines": [{**deadline_view(d, mail.regler), "andrad": d.id in changed_ids} for d in owed],
            "makulerade": [deadline_view(d, mail.regler) for d in cancelled],
        },
        planerad=planerad,
        attachments=(lambda: [calendar_part([*owed, *cancelled], mail, kontext, f"Rapporter – {insats.namn}")])
        if owed or cancelled else None,
        insats=insats,
    )


def queue_komplettering(session: Session, kontext: Kontext, mail: MailContext, insats: Insats, yttrande: Yttrande) -> Utskick | None:
    """The beredningsgrupp wants more: the applicant is asked for it; the ansökan waits."""
    to = insatsagare(insats, mail)
    return queue(
        session, kontext, mail,
        nyckel=f"komplettering:{yttrande.id}:{to.address.lower()}",
        typ=MeddelandeTyp.KOMPLETTERING, to=to, cc=[mail.kansli],
        context={"insats": insats_view(insats), "datum": yttrande.datum, "motivering": yttrande.motivering},
        planerad=yttrande.datum, insats=insats,
    )


def queue_nytt_motesdatum(
    session: Session, kontext: Kontext, mail: MailContext, ansokan: Ansokan, typ: MoteTyp, fore: date,
    efter: Sammantrade | None, *, planerad: date,
) -> Utskick | None:
    """The meeting that handles an ansökan moved (or was cancelled): the applicant hears the new date."""
    insats = ansokan.insats
    to = insatsagare(insats, mail)
    return queue(
        session, kontext, mail,
        nyckel=f"motesdatum:{ansokan.id}:{typ.value}:{fore.isoformat()}:{efter.datum.isoformat() if efter else 'inget'}:"
               f"{to.address.lower()}",
        typ=MeddelandeTyp.NYTT_MOTESDATUM, to=to, cc=[mail.kansli],
        context={"insats": insats_view(insats), "motestyp": typ.label, "fore": fore,
                 "efter": {"datum": efter.datum, "tid": efter.tid, "plats": efter.plats} if efter else None,
                 "handlingar_senast": efter.handlingar_senast if efter else None},
        planerad=planerad, insats=insats,
    )
