"""Meeting work and its messages: the beredningsgrupp's agenda, the styrelse's underlag, and the word
after a styrelse meeting (decisions to registrera, beslutsmeddelanden). The documents themselves are
built in meeting_work; this module sends them and runs one piece of work (flows and the demo replay).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from finsam.audit import Kontext
from finsam.domain.enums import MoteTyp
from finsam.domain.ladder import MeddelandeTyp
from finsam.domain.model import Beslut, Insats, Sammantrade, Utskick
from finsam.messages.render import MarkdownRenderer
from finsam.services.decision_messages import queue_beslutsmeddelande
from finsam.services.meeting_work import (
    Agenda,
    Arbete,
    Underlag,
    beredning_agenda,
    decisions_at,
    get_meeting,
    missing_decisions,
    styrelse_underlag,
    too_late,
)
from finsam.services.notify import MailContext, insats_view, queue


def _meeting_view(mote: Sammantrade) -> dict[str, Any]:
    return {"datum": mote.datum, "tid": mote.tid, "plats": mote.plats, "handlingar_senast": mote.handlingar_senast}


def queue_agenda(session: Session, kontext: Kontext, mail: MailContext, agenda: Agenda) -> list[Utskick]:
    """The beredningsgrupp's list to the kansli, and to the members if the rules name them."""
    mote = agenda.mote
    recipients = [mail.kansli] + [Recipient(p.namn, p.epost) for p in mail.regler.sammantraden.beredningsgrupp_medlemmar]
    rows = []
    for to in recipients:
        row = queue(
            session, kontext, mail,
            nyckel=f"agenda:{mote.id}:{mote.sekvens}:{to.address.lower()}",
            typ=MeddelandeTyp.INFOR_BEREDNING, to=to, cc=[],
            context={"mote": _meeting_view(mote), "a": agenda}, planerad=kontext.nu.date(),
        )
        if row is not None:
            rows.append(row)
    return rows


def queue_underlag(session: Session, kontext: Kontext, mail: MailContext, underlag: Underlag) -> Utskick | None:
    mote = underlag.mote
    return queue(
        session, kontext, mail,
        nyckel=f"underlag:{mote.id}:{mote.sekvens}:{mail.kansli.address.lower()}",
        typ=MeddelandeTyp.UNDERLAG, to=mail.kansli, cc=[],
        context={"mote": _meeting_view(mote), "u": underlag, "lank": mail.artifact_link("underlag-styrelse")},
        planerad=kontext.nu.date(),
    )


def queue_after_meeting(
    session: Session, kontext: Kontext, mail: MailContext, mote: Sammantrade, missing: list[Insats],
    decided: list[tuple[Insats, Beslut]],
) -> Utskick | None:
    return queue(
        session, kontext, mail,
        nyckel=f"efter-styrelse:{mote.id}:{mote.sekvens}:{mail.kansli.address.lower()}",
        typ=MeddelandeTyp.SAKNADE_BESLUT, to=mail.kansli, cc=[],
        context={
            "mote": _meeting_view(mote),
            "saknas": [insats_view(i) for i in missing],
            "beslutade": [{"namn": i.namn, "utfall": b.utfall.label} for i, b in decided],
        },
        planerad=kontext.nu.date(),
    )



@dataclass
class WorkResult:
    """What one piece of meeting work produced: a document for the kansli, messages, the insatser it concerns."""

    arbete: str
    mote: Sammantrade
    skipped: str | None = None
    markdown: str | None = None
    artifact_key: str | None = None
    insatser: list[Insats] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def do_meeting_work(session: Session, kontext: Any, mail: Any, arbete: str, sammantrade_id: int, *, today: date) -> WorkResult:
    """Run one piece of meeting work in the caller's unit of work (flows and the demo replay alike)."""
    typ = MoteTyp.BEREDNINGSGRUPP if arbete == Arbete.INFOR_BEREDNINGSGRUPP else MoteTyp.STYRELSE
    mote = get_meeting(session, sammantrade_id, typ)
    result = WorkResult(arbete=arbete, mote=mote)
    if arbete == Arbete.EFTER_STYRELSEMOTE:
        if mote.installt:
            result.skipped = f"{mote.rubrik} var inställt."
            return result
        missing = missing_decisions(session, mote)
        decided = decisions_at(session, mote)
        for insats, beslut in decided:
            queue_beslutsmeddelande(session, kontext, mail, insats, beslut)
        if missing:  # the kansli hears only when there is something to do; the applicants get their decisions
            queue_after_meeting(session, kontext, mail, mote, missing, decided)
        result.insatser = missing + [i for i, _ in decided]
        result.summary = {"saknade_beslut": [i.namn for i in missing], "beslutsmeddelanden": [i.namn for i, _ in decided]}
        return result
    if (reason := too_late(mote, today)) is not None:
        result.skipped = reason
        return result
    if arbete == Arbete.INFOR_BEREDNINGSGRUPP:
        agenda = beredning_agenda(session, mote)
        queue_agenda(session, kontext, mail, agenda)
        result.markdown = MarkdownRenderer().render("agenda", {"mote": mote, "a": agenda, "idag": today})
        result.artifact_key, result.insatser = "agenda-beredningsgrupp", agenda.insatser
        result.summary = {"ansokningar": len(agenda.ansokningar)}
    else:
        underlag = styrelse_underlag(session, mote, mail.regler, as_of=today)
        queue_underlag(session, kontext, mail, underlag)
        result.markdown = MarkdownRenderer().render("underlag", {"mote": mote, "u": underlag, "idag": today})
        result.artifact_key, result.insatser = "underlag-styrelse", underlag.insatser
        result.summary = {"for_beslut": len(underlag.for_beslut), "forsenade": len(underlag.forsenade)}
    return result
