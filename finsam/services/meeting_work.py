"""The work meeting dates call for: the beredningsgrupp's list, the styrelse's underlag, the decisions
still missing after a styrelse meeting, and when each of these runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from finsam.calendar.ics import stockholm_time
from finsam.domain.enums import Bedomning, BeslutUtfall, DeadlineStatus, DeadlineTillstand, MoteTyp, Tillstand
from finsam.domain.model import Ansokan, Beslut, Deadline, InkommenRapport, Insats, Sammantrade, Yttrande
from finsam.domain.parsing import parse_time
from finsam.domain.rules_config import Regler
from finsam.errors import NotFound
from finsam.services import ekonomi, ram
from finsam.services.lookup import latest_yttrande


class Arbete:
    """The three kinds of meeting-tied work, by their flow names."""

    INFOR_BEREDNINGSGRUPP = "infor-beredningsgrupp"
    INFOR_STYRELSEMOTE = "infor-styrelsemote"
    EFTER_STYRELSEMOTE = "efter-styrelsemote"


@dataclass(frozen=True)
class PlannedWork:
    """One run a meeting calls for: which work, when, and under what name the kansli sees it."""

    arbete: str
    sammantrade_id: int
    sekvens: int
    run_at: datetime
    name: str
    datum: date | None = None  # the meeting's day: how the run names its meeting (the form's Sammanträde)

    def key(self, instance: str) -> str:
        # Changes when the meeting moves (its time or sequence), so a moved meeting gets a new run;
        # `instance` keeps two databases that share one Prefect server apart. ("datum": runs made before the
        # meeting was named by its date, with its id as parameter, are replaced.)
        return (f"finsam:{instance}:{self.arbete}:{self.sammantrade_id}:{self.sekvens}:{self.run_at.isoformat()}"
                f":datum")


def planned_work(meetings: list[Sammantrade], regler: Regler) -> list[PlannedWork]:
    """Every run the meeting plan calls for (cancelled meetings call for none)."""
    at = parse_time(regler.sammantraden.klockslag)
    work = []
    for mote in meetings:
        if mote.installt:
            continue
        dagar = regler.sammantraden.infor_dagar_fore.get(mote.typ)
        if mote.typ is MoteTyp.BEREDNINGSGRUPP and dagar is not None:
            work.append(PlannedWork(Arbete.INFOR_BEREDNINGSGRUPP, mote.id, mote.sekvens,
                                    stockholm_time(mote.datum - timedelta(days=dagar), at),
                                    f"Inför beredningsgruppsmöte {mote.datum.isoformat()}", mote.datum))
        if mote.typ is MoteTyp.STYRELSE:
            if dagar is not None:
                work.append(PlannedWork(Arbete.INFOR_STYRELSEMOTE, mote.id, mote.sekvens,
                                        stockholm_time(mote.datum - timedelta(days=dagar), at),
                                        f"Inför styrelsemöte {mote.datum.isoformat()}", mote.datum))
            work.append(PlannedWork(Arbete.EFTER_STYRELSEMOTE, mote.id, mote.sekvens,
                                    stockholm_time(mote.datum + timedelta(days=1), at),
                                    f"Efter styrelsemöte {mote.datum.isoformat()}", mote.datum))
    return sorted(work, key=lambda w: (w.run_at, w.arbete))


def meeting_on(session: Session, typ: MoteTyp, datum: date | None, *, today: date) -> Sammantrade:
    """The meeting of a kind held (or to be held) on a day, or with no day the next one to come; refused, naming
    the coming meetings, where there is none. How a run form names a meeting: by its date, never an id."""
    held = session.scalars(select(Sammantrade).where(Sammantrade.typ == typ, Sammantrade.installt.is_(False))
                           .order_by(Sammantrade.datum)).all()
    found = next((m for m in held if m.datum == datum), None) if datum else next((m for m in held if m.datum >= today), None)
    if found is not None:
        return found
    coming = ", ".join([m.datum.isoformat() for m in held if m.datum >= today][:3]) or "inga i mötesplanen"
    asked = f"{datum.isoformat()} är inget {typ.label.lower()} i mötesplanen" if datum else \
        f"Inget kommande {typ.label.lower()} i mötesplanen"
    raise NotFound(f"{asked}. Kommande: {coming}.")


def get_meeting(session: Session, sammantrade_id: int, typ: MoteTyp) -> Sammantrade:
    mote = session.get(Sammantrade, sammantrade_id)
    if mote is None or mote.typ is not typ:
        raise NotFound(f"Det finns inget {typ.label.lower()} med id {sammantrade_id}.")
    return mote


def too_late(mote: Sammantrade, today: date) -> str | None:
    """Why work before a meeting no longer makes sense (a run that waited while no worker was up)."""
    if mote.installt:
        return f"{mote.rubrik} är inställt."
    if today >= mote.datum:
        return f"{mote.rubrik} har redan hållits ({today.isoformat()}): underlaget skickas inte i efterhand."
    return None


def _insats_row(insats: Insats) -> dict[str, Any]:
    return {
        "namn": insats.namn,
        "diarienummer": insats.diarienummer,
        "huvudman": ", ".join(insats.huvudman),
        "inriktning": insats.inriktning.value,
    }


def _previous(session: Session, mote: Sammantrade) -> date | None:
    return session.scalar(
        select(Sammantrade.datum).where(Sammantrade.typ == mote.typ, Sammantrade.datum < mote.datum,
                                        Sammantrade.installt.is_(False)).order_by(Sammantrade.datum.desc()).limit(1)
    )


@dataclass
class Agenda:
    """The beredningsgrupp's list: the ansökningar it will handle."""

    mote: Sammantrade
    ansokningar: list[dict[str, Any]] = field(default_factory=list)
    insatser: list[Insats] = field(default_factory=list)


def beredning_agenda(session: Session, mote: Sammantrade) -> Agenda:
    rows = session.scalars(
        select(Ansokan).join(Ansokan.insats)
        .where(Ansokan.beredningsmote_id == mote.id, Insats.tillstand == Tillstand.UNDER_BEREDNING)
        .options(selectinload(Ansokan.insats)).order_by(Ansokan.ankomstdatum)
    ).all()
    return Agenda(mote, [
        {**_insats_row(a.insats), "ankomstdatum": a.ankomstdatum, "sokt_belopp": a.sokt_belopp_kr,
         "sokt_start": a.sokt_start, "sokt_slut": a.sokt_slut}
        for a in rows
    ], [a.insats for a in rows])


@dataclass
class Underlag:
    """The styrelse's dossier for one meeting."""

    mote: Sammantrade
    sedan: date | None
    for_beslut: list[dict[str, Any]] = field(default_factory=list)
    inkomna_rapporter: list[dict[str, Any]] = field(default_factory=list)
    forsenade: list[dict[str, Any]] = field(default_factory=list)
    startar: list[dict[str, Any]] = field(default_factory=list)
    slutar: list[dict[str, Any]] = field(default_factory=list)
    ar: int = 0
    # The frame this year and the next two: committed, kansli, left to grant, and what is not known.
    ramar: list[ram.Ram] = field(default_factory=list)
    insatser: list[Insats] = field(default_factory=list)  # those up for decision
    vantar_komplettering: list[dict[str, Any]] = field(default_factory=list)  # held: not up for decision yet
    # Ekonomisk uppföljning: the running insatser's money this year, and the återbetalningar not yet paid.
    ekonomi: list[dict[str, Any]] = field(default_factory=list)
    aterbetalningar: list[dict[str, Any]] = field(default_factory=list)

    @property
    def om_alla_beviljas(self) -> list[dict[str, Any]]:
        """What would be left each year if every ansökan up for decision were granted as asked."""
        asked = {r.ar: sum(a["sokt_per_ar"].get(r.ar, 0) for a in self.for_beslut) for r in self.ramar}
        return [{"ar": r.ar, "sokt": asked[r.ar], "kvar": r.kvar_om(asked[r.ar])} for r in self.ramar]


def _marking(ansokan: Ansokan, yttrande: Yttrande | None) -> str | None:
    """What the styrelse must not miss about the yttrande: a group that advises against, or a komplettering."""
    if yttrande is None:
        return "yttrande saknas"
    if yttrande.bedomning is Bedomning.AVSTYRKS:
        return "beredningsgruppen avstyrker"
    if yttrande.bedomning is Bedomning.KOMPLETTERAS:
        inkom = ansokan.komplettering_inkom
        return f"kompletterad {inkom.isoformat()}" if inkom else "komplettering saknas"
    return None


def styrelse_underlag(session: Session, mote: Sammantrade, regler: Regler, *, as_of: date) -> Underlag:
    sedan = _previous(session, mote)
    underlag = Underlag(mote=mote, sedan=sedan, ar=mote.datum.year)
    waiting = session.scalars(
        select(Ansokan).join(Ansokan.insats)
        .where(Ansokan.styrelsemote_id == mote.id, Insats.tillstand == Tillstand.YTTRANDE_AVGIVET)
        .options(selectinload(Ansokan.insats)).order_by(Ansokan.ankomstdatum)
    ).all()
    underlag.ramar = ram.ramar(session, regler, underlag.ar)
    for ansokan in waiting:
        underlag.insatser.append(ansokan.insats)
        yttrande = latest_yttrande(session, ansokan.insats_id)
        asked = ram.sokt_per_ar(ansokan, mote.datum)
        underlag.for_beslut.append({
            # Granted as asked: its amount spread by days over the insatstid it asks for, and what each year keeps.
            "sokt_per_ar": asked, "egen": ansokan.insats.egen,
            "kvar_om_beviljad": [{"ar": r.ar, "sokt": asked.get(r.ar, 0), "kvar": r.kvar_om(asked.get(r.ar, 0))}
                                 for r in underlag.ramar],
            **_insats_row(ansokan.insats), "ankomstdatum": ansokan.ankomstdatum, "sokt_belopp": ansokan.sokt_belopp_kr,
            "sokt_start": ansokan.sokt_start, "sokt_slut": ansokan.sokt_slut,
            "yttrande": yttrande.bedomning.value if yttrande else None,
            "yttrande_datum": yttrande.datum if yttrande else None,
            "markering": _marking(ansokan, yttrande),
        })
    for ansokan in session.scalars(
        select(Ansokan).join(Ansokan.insats)
        .where(Ansokan.komplettering_begard.is_not(None), Ansokan.komplettering_inkom.is_(None),
               Insats.tillstand == Tillstand.YTTRANDE_AVGIVET)
        .options(selectinload(Ansokan.insats)).order_by(Ansokan.komplettering_begard)
    ):
        underlag.vantar_komplettering.append({**_insats_row(ansokan.insats), "begard": ansokan.komplettering_begard})
    received = select(InkommenRapport).options(selectinload(InkommenRapport.deadline).selectinload(Deadline.insats))
    received = received.where(InkommenRapport.inkom <= as_of)
    if sedan is not None:
        received = received.where(InkommenRapport.inkom > sedan)
    for rapport in session.scalars(received.order_by(InkommenRapport.inkom)):
        d = rapport.deadline
        underlag.inkomna_rapporter.append({
            "insats": d.insats.namn if d else "", "rapport": d.rubrik if d else rapport.typ.label, "inkom": rapport.inkom,
            "forfaller": d.forfaller if d else None, "i_tid": bool(d and rapport.inkom <= d.forfaller),
            # What the board should know of its content: what it lacks, and the checklist's flags.
            "att_se_over": ([f"ofullständig: saknar {'; '.join(rapport.ofullstandig)}"]
                            if rapport.ofullstandig and rapport.godkand is None else [])
                           + list(rapport.checklista_flaggor or []),
        })
    for d in session.scalars(
        select(Deadline).join(Deadline.insats)
        .where(Deadline.tillstand.in_([DeadlineTillstand.OPPEN, DeadlineTillstand.EJ_INKOMMEN]),
               Deadline.forfaller < as_of, Insats.egen.is_(False))  # the kansli's own reports are its to-dos, not the board's
        .options(selectinload(Deadline.insats)).order_by(Deadline.forfaller)
    ):
        # A delrapport that never came stays on the board's list once it was put there (ej inkommen).
        if (d.status(as_of) is DeadlineStatus.FORFALLEN and (d.bevakas or d.flaggad_styrelse)) or (
                d.status(as_of) is DeadlineStatus.EJ_INKOMMEN and d.flaggad_styrelse):
            underlag.forsenade.append({
                "insats": d.insats.namn, "rapport": d.rubrik, "forfaller": d.forfaller,
                "dagar": (as_of - d.forfaller).days, "flaggad": d.flaggad_styrelse is not None,
                "kontakt": d.insats.kontaktperson.epost if d.insats.kontaktperson else None,
            })
    window = timedelta(days=regler.drift.underlag_dagar)
    window_start = sedan or (mote.datum - window)
    next_meeting = session.scalar(
        select(Sammantrade.datum).where(Sammantrade.typ == MoteTyp.STYRELSE, Sammantrade.datum > mote.datum,
                                        Sammantrade.installt.is_(False)).order_by(Sammantrade.datum).limit(1)
    ) or mote.datum + window
    for insats in session.scalars(select(Insats).where(Insats.start.is_not(None)).order_by(Insats.start)):
        if insats.tillstand in (Tillstand.AVSLAGEN,):
            continue
        if window_start < insats.start <= next_meeting:
            underlag.startar.append({**_insats_row(insats), "start": insats.start, "beviljat": insats.beviljade_medel_kr})
        if insats.slut is not None and window_start < insats.slut <= next_meeting:
            underlag.slutar.append({**_insats_row(insats), "slut": insats.slut, "avbruten": insats.avbruten})
    _economic_follow_up(session, underlag, regler, as_of)
    return underlag


RUNNING = (Tillstand.PAGAENDE, Tillstand.AVSLUTAD)  # under way, or ended with the slutrapport still to come


def _economic_follow_up(session: Session, underlag: Underlag, regler: Regler, as_of: date) -> None:
    """Per running insats: beviljat, utfall so far, förbrukning, flags and the latest avvikelser; the open återbetalningar."""
    running = [i for i in ekonomi.active_in(session, underlag.ar) if i.tillstand in RUNNING]
    for rad in ekonomi.uppfoljning(session, regler, underlag.ar, as_of=as_of, insatser=running):
        underlag.ekonomi.append({
            "namn": rad.insats.namn, "diarienummer": rad.insats.diarienummer, "beviljat": rad.beviljat_kr,
            "budget": rad.budget_kr, "utfall": rad.utfall_kr, "utfall_kalla": rad.utfall_kalla, "utfall_till": rad.utfall_till,
            "forbrukning": rad.forbrukning_procent, "forvantad": rad.forvantad_procent, "flaggor": rad.flaggtext,
            "avvikelser": rad.avvikelser, "avvikelser_fran": rad.avvikelser_fran,
        })
    for a in ekonomi.open_repayments(session):
        d = a.deadline
        underlag.aterbetalningar.append({
            "namn": d.insats.namn, "diarienummer": d.insats.diarienummer, "belopp": a.belopp_kr, "forfaller": d.forfaller,
            "dagar_sen": max((as_of - d.forfaller).days, 0), "flaggad": d.flaggad_styrelse is not None,
        })


def missing_decisions(session: Session, mote: Sammantrade) -> list[Insats]:
    """Ansökningar that were up for decision at this meeting and have no beslut registered."""
    return list(session.scalars(
        select(Insats).join(Ansokan, Ansokan.insats_id == Insats.id)
        .where(Ansokan.styrelsemote_id == mote.id, Insats.tillstand == Tillstand.YTTRANDE_AVGIVET)
        .order_by(Insats.namn)
    ))


def decisions_at(session: Session, mote: Sammantrade) -> list[tuple[Insats, Beslut]]:
    """Final decisions (beviljas, avslås) taken at this meeting."""
    rows = session.scalars(
        select(Beslut).where(
            (Beslut.sammantrade_id == mote.id) | ((Beslut.sammantrade_id.is_(None)) & (Beslut.datum == mote.datum)),
            Beslut.utfall.in_([BeslutUtfall.BEVILJAS, BeslutUtfall.AVSLAS]),
        ).order_by(Beslut.id)
    ).all()
    return [(session.get(Insats, b.insats_id), b) for b in rows]


def agenda_of(session: Session, mote: Sammantrade) -> list[dict[str, Any]]:
    """The ansökningar a meeting will handle as things stand, with the yttrande where there is one."""
    if mote.typ is MoteTyp.BEREDNINGSGRUPP:
        column, state = Ansokan.beredningsmote_id, Tillstand.UNDER_BEREDNING
    elif mote.typ is MoteTyp.STYRELSE:
        column, state = Ansokan.styrelsemote_id, Tillstand.YTTRANDE_AVGIVET
    else:
        return []
    rows = []
    for ansokan in session.scalars(
        select(Ansokan).join(Ansokan.insats).where(column == mote.id, Insats.tillstand == state)
        .options(selectinload(Ansokan.insats)).order_by(Ansokan.ankomstdatum, Ansokan.id)
    ):
        yttrande = latest_yttrande(session, ansokan.insats_id)
        rows.append({**_insats_row(ansokan.insats), "ankomstdatum": ansokan.ankomstdatum.isoformat(),
                     "sokt_belopp_kr": ansokan.sokt_belopp_kr,
                     "yttrande": yttrande.bedomning.value if yttrande else None,
                     "komplettering_inkom": ansokan.komplettering_inkom.isoformat() if ansokan.komplettering_inkom else None})
    return rows
