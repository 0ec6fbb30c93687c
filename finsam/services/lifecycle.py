"""Lifecycle use cases: an ansökan through beredning and beslut to a running insats and its end.

Each function changes one insats inside the caller's unit of work; the state machine in
finsam.domain.lifecycle decides what is allowed, and deadlines are re-planned where dates change.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from finsam.audit import Kontext
from finsam.domain.enums import Bedomning, BeslutTyp, BeslutUtfall, DeadlineTillstand, Inriktning, MoteTyp, RapportTyp, Roll, Tillstand
from finsam.domain.lifecycle import Steg, ensure_allowed, next_state
from finsam.domain.meetings import MeetingSlot, beredning_for, styrelse_for
from finsam.domain.model import (
    Anslag,
    Ansokan,
    Anstand,
    Beslut,
    Deadline,
    InkommenRapport,
    Insats,
    InsatsOrganisation,
    Kontaktperson,
    Organisation,
    Sammantrade,
    Yttrande,
)
from finsam.domain import grants
from finsam.domain.grants import SLAG_BEVILJAT, SLAG_TILLAGGSANSLAG
from finsam.domain.identity import identity_key
from finsam.domain.parsing import parse_email, plain_text, shown
from finsam.domain.rules_config import Regler
from finsam.errors import FinsamError, NotFound
from finsam.services.batch import ItemFailure, isolated, let_go_in_batches
from finsam.services import deadlines, ekonomi
from finsam.services.deadlines import SyncResult, cancel, fulfil, mark_not_received, sync_deadlines
from finsam.services.lookup import latest_yttrande
from finsam.services.meetings import meeting_slots


def _step(insats: Insats, steg: Steg, *, as_of: date | None = None) -> None:
    insats.tillstand = next_state(insats.tillstand, steg, start=insats.start, end=insats.slut, as_of=as_of)


def _organisation(session: Session, namn: str) -> Organisation:
    return (session.scalar(select(Organisation).where(Organisation.namn_nyckel == identity_key(namn)[:200]))
            or Organisation(namn=namn))


def _meeting(session: Session, typ: MoteTyp, datum: date) -> Sammantrade:
    mote = session.scalar(select(Sammantrade).where(Sammantrade.typ == typ, Sammantrade.datum == datum))
    if mote is None:
        raise NotFound(f"Det finns inget {typ.label.lower()} {datum.isoformat()} i mötesplanen.")
    return mote


@dataclass(frozen=True)
class NyAnsokan:
    namn: str
    inriktning: Inriktning
    huvudman: list[str]
    ankomstdatum: date
    kontaktperson: str
    kontakt_epost: str
    samverkansparter: list[str]
    sokt_belopp_kr: int | None = None
    sokt_start: date | None = None
    sokt_slut: date | None = None
    diarienummer: str | None = None
    kontakt_telefon: str | None = None
    syfte: str | None = None
    mal: str | None = None
    egen: bool = False  # the förbund's own insats: followed by the kansli, never chased
    # Bilaga 1's two fields where this insats differs from the rules file's default for its inriktning.
    deltagarregistrering: str | None = None
    specifik_malgrupp: str | None = None


def register_ansokan(session: Session, kontext: Kontext, ny: NyAnsokan) -> tuple[Insats, Ansokan]:
    """A new ansökan; sent on to the first beredningsgrupp meeting whose document deadline it makes."""
    if not ny.namn.strip():
        raise FinsamError("Ansökan saknar namn på insatsen.")
    for field_name, value, limit in (
            ("namn", ny.namn, None), ("kontaktperson", ny.kontaktperson, None), *(("huvudman", h, None) for h in ny.huvudman),
            ("deltagarregistrering", ny.deltagarregistrering or "", 200), ("specifik målgrupp", ny.specifik_malgrupp or "", 200)):
        try:
            plain_text(value, limit)
        except ValueError as e:
            raise FinsamError(f"Ansökan, {field_name}: {e}") from None
    if not ny.huvudman:
        raise FinsamError("Ansökan saknar huvudman.")
    if ny.sokt_start and ny.sokt_slut and ny.sokt_slut < ny.sokt_start:
        raise FinsamError(f"Sökt slutdatum {ny.sokt_slut} är före sökt startdatum {ny.sokt_start}.")
    try:
        epost = parse_email(ny.kontakt_epost)
    except ValueError as e:
        raise FinsamError(f"Kontaktpersonens e-post: {e}") from None
    if ny.diarienummer and (taken := session.scalar(
            select(Insats).where(Insats.diarienummer_nyckel == identity_key(ny.diarienummer)[:50]))):
        # A lookalike (another case, an invisible space) is the same diarienummer: refused, naming the one it is.
        same_as = "" if taken.diarienummer == ny.diarienummer else f" (som {taken.diarienummer})"
        raise FinsamError(f"Diarienumret {shown(ny.diarienummer)} används redan{same_as} av {taken.namn}.")
    person = session.scalar(select(Kontaktperson).where(Kontaktperson.epost == epost))
    if person is None:
        person = Kontaktperson(namn=ny.kontaktperson.strip() or epost, epost=epost, telefon=ny.kontakt_telefon)
    insats = Insats(
        namn=ny.namn.strip(),
        diarienummer=ny.diarienummer,
        inriktning=ny.inriktning,
        tillstand=Tillstand.ANSOKAN_INKOMMEN,
        kontaktperson=person,
        egen=ny.egen,
        deltagarregistrering=(ny.deltagarregistrering or "").strip() or None,
        specifik_malgrupp=(ny.specifik_malgrupp or "").strip() or None,
    )
    for i, (roll, namn) in enumerate(
        [(Roll.HUVUDMAN, n) for n in ny.huvudman] + [(Roll.SAMVERKANSPART, n) for n in ny.samverkansparter]
    ):
        insats.parter.append(InsatsOrganisation(organisation=_organisation(session, namn), roll=roll, ordning=i))
    ansokan = Ansokan(
        insats=insats,
        ankomstdatum=ny.ankomstdatum,
        sokt_belopp_kr=ny.sokt_belopp_kr,
        sokt_start=ny.sokt_start,
        sokt_slut=ny.sokt_slut,
        syfte=(ny.syfte or "").strip() or None,
        mal=(ny.mal or "").strip() or None,
    )
    session.add_all([insats, ansokan])
    route_ansokan(session, ansokan)
    return insats, ansokan


def route_ansokan(session: Session, ansokan: Ansokan) -> Sammantrade | None:
    """Send an ansökan to its beredningsgrupp meeting, if the plan has one it can make."""
    route_open(session, ansokan, meeting_slots(session))
    return session.get(Sammantrade, ansokan.beredningsmote_id) if ansokan.beredningsmote_id else None


@dataclass(frozen=True)
class Omdirigering:
    """An ansökan whose meeting changed (None: no meeting in the plan it can make)."""

    ansokan: Ansokan
    typ: MoteTyp
    fore: Sammantrade | None
    efter: Sammantrade | None


def _routing(session: Session, ansokan: Ansokan, slots: list[MeetingSlot]) -> tuple[MeetingSlot | None, MeetingSlot | None]:
    """Where an open ansökan belongs by the cut-off rules: (beredningsgrupp, styrelse) meetings.

    Before its yttrande: the first beredningsgrupp meeting it makes from its arrival (or the day it was
    sent back). After: the first styrelse meeting the yttrande (or the komplettering) makes, or the
    first after the meeting that tabled it; none while a komplettering is awaited.
    """
    insats = ansokan.insats
    decisions = session.scalars(
        select(Beslut).where(Beslut.insats_id == insats.id, Beslut.typ == BeslutTyp.ANSOKAN).order_by(Beslut.datum, Beslut.id)
    ).all()
    last = decisions[-1] if decisions else None
    if insats.tillstand in (Tillstand.ANSOKAN_INKOMMEN, Tillstand.UNDER_BEREDNING):
        ready = last.datum if last is not None and last.utfall is BeslutUtfall.ATERREMITTERAS else ansokan.ankomstdatum
        return beredning_for(ready, slots), None
    beredning = next((s for s in slots if s.id == ansokan.beredningsmote_id), None)
    if ansokan.vantar_komplettering:
        return beredning, None
    if last is not None and last.utfall is BeslutUtfall.BORDLAGGS:
        later = [s for s in slots if s.typ is MoteTyp.STYRELSE and s.datum > last.datum]
        return beredning, min(later, key=lambda s: s.datum, default=None)
    yttrande = latest_yttrande(session, insats.id)
    ready = max(filter(None, [yttrande.datum if yttrande else None, ansokan.komplettering_inkom]), default=ansokan.ankomstdatum)
    return beredning, styrelse_for(ready, slots)


def route_open(session: Session, ansokan: Ansokan, slots: list[MeetingSlot]) -> list[Omdirigering]:
    """Put an open ansökan on the meetings it belongs to now; returns the meetings that changed."""
    if ansokan.insats.tillstand not in OPEN_ANSOKAN:
        return []
    session.flush()
    beredning, styrelse = _routing(session, ansokan, slots)
    changes = []
    for typ, field_name, slot in ((MoteTyp.BEREDNINGSGRUPP, "beredningsmote_id", beredning),
                                  (MoteTyp.STYRELSE, "styrelsemote_id", styrelse)):
        before = getattr(ansokan, field_name)
        after = slot.id if slot else None
        if before != after:
            setattr(ansokan, field_name, after)
            changes.append(Omdirigering(ansokan, typ, session.get(Sammantrade, before) if before else None,
                                        session.get(Sammantrade, after) if after else None))
    if beredning is not None and ansokan.insats.tillstand is Tillstand.ANSOKAN_INKOMMEN:
        _step(ansokan.insats, Steg.BEREDNING)
    return changes


OPEN_ANSOKAN = (Tillstand.ANSOKAN_INKOMMEN, Tillstand.UNDER_BEREDNING, Tillstand.YTTRANDE_AVGIVET)


def reroute_all(session: Session) -> list[Omdirigering]:
    """After the meeting plan changed: every open ansökan to the meetings it belongs to now."""
    slots = meeting_slots(session)
    changes: list[Omdirigering] = []
    for ansokan in session.scalars(
        select(Ansokan).join(Ansokan.insats).where(Insats.tillstand.in_(OPEN_ANSOKAN)).order_by(Ansokan.ankomstdatum, Ansokan.id)
    ):
        changes += route_open(session, ansokan, slots)
    return changes


def _ansokan(session: Session, insats: Insats) -> Ansokan | None:
    return session.scalar(select(Ansokan).where(Ansokan.insats_id == insats.id))


def meeting_held(session: Session, typ: MoteTyp, datum: date, *, as_of: date, extra: bool = False) -> Sammantrade | None:
    """The meeting a decision or yttrande was taken at: never a day still to come, and a meeting of its kind in the
    plan, unless the kansli says it was an extra meeting. Where the plan has no meeting of that kind in the year,
    the date is taken as given (the plan does not cover it). Else refused, naming the meetings it could be."""
    what = {MoteTyp.STYRELSE: "Styrelsens beslut", MoteTyp.BEREDNINGSGRUPP: "Beredningsgruppens yttrande"}.get(
        typ, "Beslutet")
    if datum > as_of:
        raise FinsamError(f"{what} är daterat {datum.isoformat()}, efter i dag ({as_of.isoformat()}); registrera det "
                          "när mötet har hållits.")
    held = session.scalars(select(Sammantrade).where(Sammantrade.typ == typ, Sammantrade.installt.is_(False),
                                                     Sammantrade.datum.between(date(datum.year - 1, 1, 1),
                                                                               date(datum.year + 1, 12, 31)))).all()
    mote = next((m for m in held if m.datum == datum), None)
    if mote is not None or extra or not any(m.datum.year == datum.year for m in held):
        return mote
    before = max((m.datum for m in held if m.datum < datum), default=None)
    after = min((m.datum for m in held if datum < m.datum <= as_of), default=None)
    near = " och ".join(d.isoformat() for d in (before, after) if d)
    raise FinsamError(f"{datum.isoformat()} är inget {typ.label.lower()} i mötesplanen (närmast: {near}). "
                      "Var det ett extra sammanträde, markera det som extra.")


def register_yttrande(
    session: Session,
    kontext: Kontext,
    insats: Insats,
    *,
    datum: date,
    bedomning: Bedomning,
    motivering: str | None = None,
    as_of: date | None = None,
    extra: bool = False,
) -> Yttrande:
    """The beredningsgrupp's yttrande; the ansökan goes on to the next styrelse meeting it can make."""
    mote = meeting_held(session, MoteTyp.BEREDNINGSGRUPP, datum, as_of=as_of or kontext.nu.date(), extra=extra)
    if insats.tillstand is Tillstand.ANSOKAN_INKOMMEN:
        _step(insats, Steg.BEREDNING)  # handled by the group without being routed first
    _step(insats, Steg.YTTRANDE)
    yttrande = Yttrande(
        insats_id=insats.id, sammantrade_id=mote.id if mote else None, datum=datum, bedomning=bedomning, motivering=motivering
    )
    session.add(yttrande)
    if (ansokan := _ansokan(session, insats)) is not None:
        if bedomning is Bedomning.KOMPLETTERAS:
            # Held until the applicant sends what is missing; then it goes to the next styrelse it makes.
            ansokan.komplettering_begard, ansokan.komplettering_inkom = datum, None
        route_open(session, ansokan, meeting_slots(session))
    return yttrande


def register_komplettering(session: Session, kontext: Kontext, insats: Insats, *, inkom: date) -> Ansokan:
    """The komplettering the beredningsgrupp asked for came in: the ansökan goes on to the styrelse."""
    ansokan = _ansokan(session, insats)
    if ansokan is None or not ansokan.vantar_komplettering:
        raise FinsamError(f"{insats.namn} väntar inte på någon komplettering.")
    if inkom < ansokan.komplettering_begard:
        raise FinsamError(f"Kompletteringen kan inte ha kommit in {inkom.isoformat()}, före begäran "
                          f"{ansokan.komplettering_begard.isoformat()}.")
    ansokan.komplettering_inkom = inkom
    route_open(session, ansokan, meeting_slots(session))
    return ansokan


def register_beslut(
    session: Session,
    kontext: Kontext,
    insats: Insats,
    regler: Regler,
    *,
    datum: date,
    utfall: BeslutUtfall,
    as_of: date,
    belopp_kr: int | None = None,
    start: date | None = None,
    slut: date | None = None,
    anteckning: str | None = None,
    belopp_per_ar: dict[int, int] | None = None,
    extra: bool = False,
) -> tuple[Beslut, SyncResult]:
    """The styrelse's decision, at a styrelse meeting of the plan (or an extra one). Beviljas needs amount and
    insatstid (the amount may be stated per year: the total is then their sum, or the rest of it is spread over
    the years not stated); it plans the deadlines."""
    mote = meeting_held(session, MoteTyp.STYRELSE, datum, as_of=as_of, extra=extra)
    sync = SyncResult()
    if utfall is BeslutUtfall.BEVILJAS:
        ensure_allowed(insats.tillstand, Steg.BEVILJA)
        if belopp_kr is None and belopp_per_ar:
            belopp_kr = sum(belopp_per_ar.values())
        missing = [name for name, value in (("belopp", belopp_kr), ("start", start)) if value is None]
        if missing:
            raise FinsamError(f"Ett beviljande behöver {' och '.join(missing)} (beviljade medel och insatstid).")
        if slut is not None and slut < start:  # type: ignore[operator]
            raise FinsamError(f"Slutdatum {slut} är före startdatum {start}.")
        _check_per_year(belopp_per_ar, belopp_kr, start, slut)  # type: ignore[arg-type]
        insats.start, insats.slut, insats.beviljade_medel_kr = start, slut, belopp_kr
        _step(insats, Steg.BEVILJA, as_of=as_of)
    else:
        steg = {
            BeslutUtfall.AVSLAS: Steg.AVSLA,
            BeslutUtfall.ATERREMITTERAS: Steg.ATERREMITTERA,
            BeslutUtfall.BORDLAGGS: Steg.BORDLAGGA,
        }[utfall]
        _step(insats, steg)
    beslut = Beslut(
        insats_id=insats.id,
        sammantrade_id=mote.id if mote else None,
        datum=datum,
        utfall=utfall,
        belopp_kr=belopp_kr,
        start=start,
        slut=slut,
        anteckning=anteckning,
    )
    session.add(beslut)
    if utfall is BeslutUtfall.BEVILJAS:
        _per_year(insats, beslut, SLAG_BEVILJAT, belopp_per_ar or {})
    if (ansokan := _ansokan(session, insats)) is not None and utfall in (BeslutUtfall.BORDLAGGS, BeslutUtfall.ATERREMITTERAS):
        route_open(session, ansokan, meeting_slots(session))
    if utfall is BeslutUtfall.BEVILJAS:
        sync = sync_deadlines(session, insats, regler, kontext, as_of=as_of, orsak=f"beslut {datum.isoformat()}",
                              rattvis_fran=max(datum, as_of))
    return beslut, sync


@dataclass
class Andring:
    """A board decision that changed a granted insats, what it did to the deadlines, and to the money per year."""

    beslut: Beslut
    sync: SyncResult
    medel: str | None = None


def _check_per_year(belopp_per_ar: dict[int, int] | None, total: int | None, start: date, slut: date | None) -> None:
    if belopp_per_ar and (problems := grants.check_stated(belopp_per_ar, total, start, slut)):
        raise FinsamError("Beloppen per år: " + "; ".join(problems) + ".")


def _per_year(insats: Insats, beslut: Beslut, slag: str, belopp_per_ar: dict[int, int]) -> None:
    """The amounts a decision states per year, kept with it (and so with the insats's money per year)."""
    for ar, belopp in sorted(belopp_per_ar.items()):
        insats.anslag.append(Anslag(slag=slag, ar=ar, belopp_kr=belopp, beslut=beslut))


def _decided(session: Session, insats: Insats, typ: BeslutTyp, datum: date, anteckning: str | None, **values: object) -> Beslut:
    """Record a change as a beslut of the meeting held that day (styrelse, else arbetsutskott), if any."""
    mote = session.scalar(
        select(Sammantrade).where(Sammantrade.datum == datum, Sammantrade.typ.in_([MoteTyp.STYRELSE, MoteTyp.ARBETSUTSKOTT]))
        .order_by(Sammantrade.typ.desc()).limit(1)  # styrelse sorts after arbetsutskott
    )
    beslut = Beslut(insats_id=insats.id, typ=typ, sammantrade_id=mote.id if mote else None, datum=datum,
                    utfall=BeslutUtfall.BEVILJAS, anteckning=(anteckning or "").strip() or None, **values)
    session.add(beslut)
    return beslut


def _decision_day(datum: date | None, as_of: date) -> date:
    """A change decision's day (today unless given): never a day still to come, worded as for every decision."""
    if datum is not None and datum > as_of:
        raise FinsamError(f"Beslutet är daterat {datum.isoformat()}, efter i dag ({as_of.isoformat()}); registrera det "
                          "när mötet har hållits.")
    return datum or as_of


def extend(
    session: Session, kontext: Kontext, insats: Insats, regler: Regler, *, slut: date, as_of: date,
    beslutsdatum: date | None = None, anteckning: str | None = None,
) -> Andring:
    """Förlängning: a new, later end date; the deadlines still open are re-planned, fairly."""
    datum = _decision_day(beslutsdatum, as_of)
    if insats.start is not None and slut < insats.start:
        raise FinsamError(f"Nytt slutdatum {slut} är före insatsens start {insats.start}.")
    if insats.slut is not None and slut <= insats.slut:
        raise FinsamError(f"En förlängning behöver ett slutdatum efter nuvarande {insats.slut}; använd avbrott för att korta.")
    insats.tillstand = next_state(insats.tillstand, Steg.FORLANGA, start=insats.start, end=slut, as_of=as_of)
    beslut = _decided(session, insats, BeslutTyp.FORLANGNING, datum, anteckning, slut=slut)
    before = ekonomi.anslag_for(session, insats)
    insats.slut = slut
    sync = sync_deadlines(session, insats, regler, kontext, as_of=as_of, orsak=f"förlängning till {slut.isoformat()}",
                          rattvis_fran=max(datum, as_of))
    return Andring(beslut, sync, medel=ekonomi.forlangning_medel(session, insats, before))


def add_funds(
    session: Session, kontext: Kontext, insats: Insats, *, belopp_kr: int | None, ar: int | None = None,
    as_of: date, beslutsdatum: date | None = None, anteckning: str | None = None,
    belopp_per_ar: dict[int, int] | None = None,
) -> Andring:
    """Tilläggsanslag: more money for the insats, for one year (the decision's year unless given), or for
    several, stated per year (`belopp_per_ar`; the amount, if given too, must be their sum)."""
    datum = _decision_day(beslutsdatum, as_of)
    per_year = dict(belopp_per_ar or {})
    if per_year:
        if belopp_kr is not None and belopp_kr != sum(per_year.values()):
            raise FinsamError(f"Tilläggsanslaget {belopp_kr} kr är inte summan av beloppen per år ({sum(per_year.values())} kr).")
        belopp_kr = sum(per_year.values())
    if belopp_kr is None or belopp_kr <= 0 or any(v <= 0 for v in per_year.values()):
        raise FinsamError("Tilläggsanslaget måste vara större än noll.")
    per_year = per_year or {ar or datum.year: belopp_kr}
    first, last = insats.start.year if insats.start else None, insats.slut.year if insats.slut else None
    for year in sorted(per_year):
        if (first is not None and year < first) or (last is not None and year > last):
            raise FinsamError(f"Tilläggsanslaget gäller {year}, utanför insatstiden "
                              f"({insats.start.isoformat() if insats.start else '?'} – {insats.slut.isoformat() if insats.slut else 'tills vidare'}).")
    _step(insats, Steg.TILLAGGSANSLAG)
    beslut = _decided(session, insats, BeslutTyp.TILLAGGSANSLAG, datum, anteckning, belopp_kr=belopp_kr,
                      ar=min(per_year) if len(per_year) == 1 else None)
    _per_year(insats, beslut, SLAG_TILLAGGSANSLAG, per_year)
    insats.beviljade_medel_kr = (insats.beviljade_medel_kr or 0) + belopp_kr
    return Andring(beslut, SyncResult())


def interrupt(
    session: Session, kontext: Kontext, insats: Insats, regler: Regler, *, datum: date, as_of: date,
    beslutsdatum: date | None = None, anteckning: str | None = None,
) -> Andring:
    """Avbrott: the insats ends on `datum`; delrapporter after it are cancelled, the slutrapport moves."""
    decided = _decision_day(beslutsdatum, as_of)
    if insats.start is not None and datum < insats.start:
        raise FinsamError(f"Avbrottsdatum {datum} är före insatsens start {insats.start}.")
    if insats.slut is not None and datum > insats.slut:
        raise FinsamError(f"Avbrottsdatum {datum} är efter insatsens slut {insats.slut}; använd förlängning.")
    insats.tillstand = next_state(insats.tillstand, Steg.AVBRYTA, start=insats.start, end=datum, as_of=as_of)
    beslut = _decided(session, insats, BeslutTyp.AVBROTT, decided, anteckning, slut=datum)
    insats.slut = datum
    insats.avbruten = True
    sync = sync_deadlines(session, insats, regler, kontext, as_of=as_of, orsak=f"avbrott {datum.isoformat()}",
                          rattvis_fran=max(decided, as_of))
    return Andring(beslut, sync)


def grant_anstand(
    session: Session, kontext: Kontext, regler: Regler, deadline_id: int, *, nytt: date, skal: str, beviljat_av: str,
    as_of: date, beslutsdatum: date | None = None,
) -> tuple[Anstand, Beslut | None]:
    """An anstånd for one report; where the förbund's rules say the styrelse grants it, also a beslut."""
    by_board = regler.andringar.anstand_beslutas_av == "styrelse"
    if by_board and beslutsdatum is None:
        raise FinsamError("Enligt förbundets regler beslutar styrelsen om anstånd: ange beslutsdatum.")
    datum = _decision_day(beslutsdatum, as_of)
    anstand = deadlines.grant_anstand(session, kontext, deadline_id, nytt, skal, beviljat_av)
    beslut = None
    if by_board or beslutsdatum is not None:
        deadline = session.get(Deadline, deadline_id)
        beslut = _decided(session, deadline.insats, BeslutTyp.ANSTAND, datum, skal, deadline_id=deadline_id,
                          slut=anstand.nytt_forfaller)
    return anstand, beslut


def change_schedule(
    session: Session, kontext: Kontext, insats: Insats, regler: Regler, *, schema: dict | None, as_of: date
) -> SyncResult:
    """The insats's own report schedule ("enligt överenskommelse med kansliet"), or None for the förbund's."""
    if schema is not None:
        regler.schedule(schema)  # refuses an invalid override before anything changes
    insats.rapportschema = schema
    return sync_deadlines(session, insats, regler, kontext, as_of=as_of, orsak="ändrat rapportschema")


@dataclass(frozen=True)
class Flyttad:
    """An insats the day moved, named as users know it (not the loaded object: a big day moves thousands)."""

    insats_id: int
    ref: str
    fore: Tillstand
    efter: Tillstand

    @property
    def text(self) -> str:
        return f"{self.ref}: {self.fore.label} → {self.efter.label}"


STATE_BATCH = 500  # insatser loaded, moved and let go at a time


def advance_states(
    session: Session, kontext: Kontext, *, as_of: date, failures: list[ItemFailure] | None = None
) -> list[Flyttad]:
    """Move granted insatser to pågående on their start date and to avslutad after their end date.

    With `failures`, each insats is its own item: one that cannot be moved is recorded there. Only the
    insatser due to move are loaded (most days none), in batches the session lets go of (`let_go_in_batches`):
    call it first in its unit of work (as plan_day does) and load what else the work needs after it.
    """
    moved: list[Flyttad] = []
    due = (
        (Insats.tillstand == Tillstand.BEVILJAD) & Insats.start.is_not(None) & (Insats.start <= as_of)
    ) | ((Insats.tillstand == Tillstand.PAGAENDE) & Insats.slut.is_not(None) & (Insats.slut < as_of))
    ids = session.scalars(select(Insats.id).where(due).order_by(Insats.id)).all()
    for batch in let_go_in_batches(session, ids, STATE_BATCH):
        for insats in session.scalars(select(Insats).where(Insats.id.in_(batch)).order_by(Insats.id)).all():
            before = insats.tillstand
            starts = before is Tillstand.BEVILJAD and insats.start is not None and insats.start <= as_of
            ends = (before is Tillstand.PAGAENDE or starts) and insats.slut is not None and insats.slut < as_of
            if not (starts or ends):
                continue  # changed since the ids were read
            with isolated(session, failures, f"Tillstånd: {insats.namn}") if failures is not None else nullcontext():
                if starts:
                    _step(insats, Steg.STARTA)
                if ends:
                    _step(insats, Steg.AVSLUTA)
                session.flush()
                moved.append(Flyttad(insats.id, insats.ref, before, insats.tillstand))
    return moved


def register_report(
    session: Session,
    kontext: Kontext,
    insats: Insats,
    *,
    typ: RapportTyp,
    inkom: date,
    nr: int | None = None,
    filnamn: str | None = None,
    sha256: str | None = None,
    complete: bool = True,
) -> InkommenRapport:
    """A report arrived: it fulfils its deadline (the given delrapport `nr`, else the oldest open one
    whose period had ended when it arrived, chased ones first: that is the one escalating). An incomplete
    slutrapport (`complete` False) is inkommen, but the insats is slutredovisad only once it is complete."""
    if typ is RapportTyp.KOMPLETTERING:
        raise FinsamError("En komplettering registreras på sin rapport: skicka in den kompletterade rapporten, eller "
                          "godkänn rapporten som den är med `finsam report godkann` (körformuläret godkann-rapport).")
    if not typ.is_report:
        raise FinsamError("En återbetalning är ingen rapport: registrera betalningen med `finsam aterbetalning` "
                          "(eller körformuläret registrera-aterbetalning).")
    open_ = [d for d in insats.deadlines if d.typ is typ and d.tillstand is DeadlineTillstand.OPPEN]
    if nr is not None:
        match = [d for d in insats.deadlines if d.typ is typ and d.nr == nr]
        if not match:
            raise NotFound(f"{insats.namn} har ingen {typ.value} nr {nr}.")
        deadline: Deadline = match[0]
    elif not open_:
        raise FinsamError(f"{insats.namn} har ingen öppen {typ.value} att registrera.")
    elif typ is RapportTyp.SLUTRAPPORT:
        deadline = open_[0]  # one per insats; it may come early (an avbrott, a project done sooner)
    else:
        ended = [d for d in open_ if d.period_slut <= inkom]
        if not ended:
            choices = "; ".join(f"nr {d.nr} ({d.period_start.isoformat()} – {d.period_slut.isoformat()}, "
                                f"senast {d.forfaller.isoformat()})" for d in sorted(open_, key=lambda d: d.nr))
            raise FinsamError(f"Ingen öppen delrapportperiod för {insats.namn} hade slutat {inkom.isoformat()}. "
                              f"Ange vilken delrapport det är (--nr): {choices}.")
        deadline = min(ended, key=lambda d: (not d.bevakas, d.period_slut))
    if typ is RapportTyp.SLUTRAPPORT and complete:
        _step(insats, Steg.SLUTREDOVISA)
    fulfil(session, kontext, deadline, inkom, f"{typ.label} inkom {inkom.isoformat()}")
    rapport = InkommenRapport(
        insats_id=insats.id,
        deadline_id=deadline.id,
        typ=typ,
        inkom=inkom,
        filnamn=filnamn,
        sha256=sha256,
        registrerad_av=kontext.aktor,
        tid=kontext.nu.astimezone(timezone.utc),
    )
    session.add(rapport)
    if typ is RapportTyp.SLUTRAPPORT:
        for other in insats.deadlines:
            if other.tillstand is DeadlineTillstand.OPPEN and other.typ is RapportTyp.DELRAPPORT:
                # Delrapporter still open are covered by the slutrapport: no reminders for them. One that was due
                # and never came stays as ej inkommen (its history, the board's follow-up); one not yet due is void.
                if other.forfaller < inkom:
                    mark_not_received(other, kontext, f"kom aldrig in; slutrapporten inkom {inkom.isoformat()}")
                else:
                    cancel(other, kontext, "slutrapporten har kommit in")
    return rapport
