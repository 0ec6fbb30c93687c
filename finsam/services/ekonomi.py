"""Each insats's money, year by year, and the återbetalning of funds a slutrapport left unused.

Per insats and year: *beviljat* (its beviljade medel spread evenly over its insatstid, each
tilläggsanslag in its own year), *budget* (the year's budget from the import), *utfall* (the import's
`utfall_ÅÅÅÅ_kr` where given, else the Summa utfall of the registered delrapporter, each shared out
over the years its period covers by days) and the *förbrukning*: utfall against the budget (else
beviljat) for the part of the year that utfall covers. The rules file's `ekonomi` thresholds flag
under- and overspending. Nothing here knows Prefect or SMTP; the CLI, the flows and the underlag call it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from finsam.audit import Kontext
from finsam.domain.enums import DeadlineStatus, DeadlineTillstand, RapportTyp, Tillstand
from finsam.domain import grants
from finsam.domain.grants import Arsanslag
from finsam.domain.model import Anslag, Aterbetalning, Deadline, InkommenRapport, Insats, Utbetalning
from finsam.domain.rules_config import Regler
from finsam.domain.workdays import next_working_day
from finsam.errors import FinsamError
from finsam.messages.format import kronor
from finsam.services.deadlines import fulfil, record

UNDERFORBRUKNING = "underforbrukning"
OVERFORBRUKNING = "overforbrukning"
ATERBETALNING_FORFALLEN = "aterbetalning_forfallen"
ATERBETALNING_EJ_FULL = "aterbetalning_ej_full"
FLAGGOR = {
    UNDERFORBRUKNING: "underförbrukning",
    OVERFORBRUKNING: "överförbrukning",
    ATERBETALNING_FORFALLEN: "återbetalning försenad",
    ATERBETALNING_EJ_FULL: "återbetalning inte full",
}


# --- what the board granted, year by year ---

@dataclass(frozen=True)
class Anslagsrader:
    """An insats's grant as decided per year: the grant's own years (`beviljat`) and its tilläggsanslag."""

    beviljat: dict[int, int] = field(default_factory=dict)
    tillagg: dict[int, int] = field(default_factory=dict)


def anslagsrader(session: Session, insats_ids: list[int] | None = None) -> dict[int, Anslagsrader]:
    """Every insats's grant amounts per year (or those of `insats_ids`): insats id → its rows, summed by year."""
    query = select(Anslag.insats_id, Anslag.slag, Anslag.ar, func.sum(Anslag.belopp_kr)).group_by(
        Anslag.insats_id, Anslag.slag, Anslag.ar)
    if insats_ids is not None:
        query = query.where(Anslag.insats_id.in_(insats_ids))
    result: dict[int, Anslagsrader] = defaultdict(Anslagsrader)
    for insats_id, slag, ar, belopp in session.execute(query):
        target = result[insats_id].tillagg if slag == grants.SLAG_TILLAGGSANSLAG else result[insats_id].beviljat
        target[ar] = int(belopp or 0)
    return result


def anslag_per_ar(insats: Insats, rader: Anslagsrader, horizon: int | None = None) -> dict[int, Arsanslag]:
    """The insats's grant for each year: as decided per year, the rest of the total spread by days over its
    insatstid (an insats without an end date: up to the end of `horizon`, else of its start year)."""
    if insats.start is None:
        return {}
    last = insats.slut or date(max(horizon or insats.start.year, insats.start.year), 12, 31)
    return grants.yearly(insats.beviljade_medel_kr, rader.beviljat, rader.tillagg, insats.start, last)


def anslag_for(session: Session, insats: Insats) -> dict[int, Arsanslag]:
    """One insats's grant for each year, read from its rows now."""
    return anslag_per_ar(insats, anslagsrader(session, [insats.id]).get(insats.id, Anslagsrader()))


def beviljat_i_ar(insats: Insats, year: int, rader: Anslagsrader) -> Arsanslag | None:
    """The insats's grant for `year`; None where nothing is known (an imported insats without beviljade medel)."""
    return anslag_per_ar(insats, rader, year).get(year)


def forlangning_medel(session: Session, insats: Insats, before: dict[int, Arsanslag]) -> str | None:
    """What a förlängning without new money does to the insats's money per year, in words for the kansli and
    the insatsägare: a total spread by days is spread anew over the longer insatstid (each year's change named);
    amounts decided per year stay, and the new years have none."""
    after = anslag_for(session, insats)
    if not before and not after:
        return None  # no grant known (an imported insats): no year to speak of
    text = "Förlängningen ger inga nya medel"
    changed = [(y, before.get(y), after.get(y)) for y in sorted(set(before) | set(after))
               if (before.get(y) and before[y].belopp_kr) != (after.get(y) and after[y].belopp_kr)]
    if changed:
        text += (". De beviljade medlen är bara kända som en summa och fördelas nu om över den nya insatstiden "
                 "(uppskattat efter dagar): " + ", ".join(
                     f"{y} {kronor(b.belopp_kr) if b else '0 kr'} → {kronor(a.belopp_kr) if a else '0 kr'}"
                     for y, b, a in changed) + ".")
    else:
        text += "; beviljat per år är oförändrat (" + ", ".join(f"{y}: {kronor(a.belopp_kr)}" for y, a in after.items()) + ")."
    last = insats.slut.year if insats.slut else None
    empty = [y for y in range(insats.start.year, (last or insats.start.year) + 1) if y not in after] if insats.start else []
    if empty:
        text += f" {' och '.join(str(y) for y in empty)} har inga beviljade medel; det kräver ett tilläggsanslag."
    return text


def budget_i_ar(insats: Insats, year: int) -> int | None:
    return next((e.budget_kr for e in insats.ekonomi if e.ar == year and e.budget_kr is not None), None)


def period_i_ar(insats: Insats, year: int) -> tuple[date, date] | None:
    """The part of `year` the insats runs (None: it does not run that year)."""
    if insats.start is None:
        return None
    first, last = max(insats.start, date(year, 1, 1)), min(insats.slut or date(year, 12, 31), date(year, 12, 31))
    return (first, last) if first <= last else None


# --- what was spent ---

def _days(first: date, last: date) -> int:
    return max((last - first).days + 1, 0)


TERTIAL_SLUT = {1: (4, 30), 2: (8, 31), 3: (12, 31)}  # jan–apr, maj–aug, sep–dec


def tertial_slut(year: int, tertial: int | None) -> date:
    """The last day of the tertial (the year's last day without one)."""
    month, day = TERTIAL_SLUT[tertial or 3]
    return date(year, month, day)


@dataclass(frozen=True)
class RapportUtfall:
    """A delrapport's Summa utfall, and the part of it that falls in the year (up to the tertial's end)."""

    rapport: str
    period_start: date
    period_slut: date
    utfall_kr: int
    i_aret_kr: int

    def as_json(self) -> dict[str, Any]:
        return {"rapport": self.rapport, "period_start": self.period_start.isoformat(),
                "period_slut": self.period_slut.isoformat(), "utfall_kr": self.utfall_kr, "i_aret_kr": self.i_aret_kr}


def utfall_fran_rapporter(rapporter: list[InkommenRapport], year: int,
                          till: date | None = None) -> tuple[list[RapportUtfall], date | None]:
    """The delrapporter's utfall in `year` up to `till` (the year's end unless given): each period's Summa
    shared out over its days; and the last day covered."""
    first, last = date(year, 1, 1), till or date(year, 12, 31)
    found, covered = [], None
    for r in rapporter:
        d = r.deadline
        if r.typ is not RapportTyp.DELRAPPORT or r.summa_utfall_kr is None or d is None:
            continue
        overlap = _days(max(d.period_start, first), min(d.period_slut, last))
        if not overlap:
            continue
        part = round(r.summa_utfall_kr * overlap / _days(d.period_start, d.period_slut))
        found.append(RapportUtfall(d.rubrik, d.period_start, d.period_slut, r.summa_utfall_kr, part))
        covered = max(filter(None, [covered, min(d.period_slut, last)]))
    return found, covered


def speaks_of(rapport: InkommenRapport, year: int) -> bool:
    """Whether a report tells of `year`: a delrapport whose period overlaps it, a slutrapport of an insats that
    ended in it. A report matched to no deadline has no known period: it tells of the year it came in."""
    d = rapport.deadline
    if d is None:
        return rapport.inkom.year == year
    if rapport.typ is RapportTyp.SLUTRAPPORT:
        return d.period_slut.year == year
    return d.period_start <= date(year, 12, 31) and d.period_slut >= date(year, 1, 1)


# --- one insats, one year ---

@dataclass
class EkonomiRad:
    """One insats's money in one year (up to a tertial's end, where asked), with what it is flagged for."""

    insats: Insats
    ar: int
    beviljat_kr: int | None
    beviljat_kalla: str | None  # beslut / uppskattat (a total spread by days) / None: unknown
    tillaggsanslag_kr: int
    budget_kr: int | None
    utfall_kr: int | None
    utfall_kalla: str | None  # import / rapporter
    utfall_till: date | None  # the last day the utfall covers
    forbrukning_procent: float | None  # utfall of budget (else beviljat)
    forvantad_procent: float | None  # the share of the year's period the utfall covers
    utbetalt_kr: int | None = None  # paid out by the förbund in the year, where known
    rapporter: list[RapportUtfall] = field(default_factory=list)
    aterbetalningar: list[Aterbetalning] = field(default_factory=list)
    flaggor: list[str] = field(default_factory=list)
    avvikelser: str | None = None  # 4.3 of the latest report that wrote one
    avvikelser_fran: str | None = None

    @property
    def aterbetalning_kr(self) -> int | None:
        return sum(a.belopp_kr for a in self.aterbetalningar) if self.aterbetalningar else None

    @property
    def flaggtext(self) -> list[str]:
        return [FLAGGOR[f] for f in self.flaggor]

    @property
    def intecknat_kr(self) -> int | None:
        """What the year holds for the insats: its grant, else its budget for the year; None: not known."""
        return self.beviljat_kr if self.beviljat_kr is not None else self.budget_kr

    @property
    def intecknat_kalla(self) -> str | None:
        if self.beviljat_kr is not None:
            return self.beviljat_kalla
        return "budget" if self.budget_kr is not None else None

    def as_json(self, as_of: date) -> dict[str, Any]:
        i = self.insats
        return {
            "insats": i.namn, "diarienummer": i.diarienummer, "inriktning": i.inriktning.value, "huvudman": i.huvudman,
            "egen": i.egen, "tillstand": i.tillstand.value, "start": i.start.isoformat() if i.start else None,
            "slut": i.slut.isoformat() if i.slut else None, "ar": self.ar,
            "beviljat_kr": self.beviljat_kr, "beviljat_kalla": self.beviljat_kalla,
            "tillaggsanslag_kr": self.tillaggsanslag_kr, "budget_kr": self.budget_kr,
            "utfall_kr": self.utfall_kr, "utfall_kalla": self.utfall_kalla,
            "utfall_till": self.utfall_till.isoformat() if self.utfall_till else None,
            "forbrukning_procent": self.forbrukning_procent, "forvantad_procent": self.forvantad_procent,
            "utbetalt_kr": self.utbetalt_kr,
            "rapporter": [r.as_json() for r in self.rapporter],
            "aterbetalning_kr": self.aterbetalning_kr,
            "aterbetalningar": [aterbetalning_json(a, as_of) for a in self.aterbetalningar],
            "flaggor": self.flaggor, "avvikelser": self.avvikelser,
        }


def aterbetalning_json(a: Aterbetalning, as_of: date) -> dict[str, Any]:
    d = a.deadline
    return {"id": d.id, "belopp_kr": a.belopp_kr, "forfaller": d.forfaller.isoformat(), "status": d.status(as_of).value,
            "betald": a.betald.isoformat() if a.betald else None, "betalt_kr": a.betalt_kr, "grund": a.grund}


def _percent(part: int | Fraction, whole: int) -> float:
    return round(float(Fraction(part) * 100 / whole), 1)


def _flags(rad: EkonomiRad, period: tuple[date, date], regler: Regler, as_of: date) -> None:
    """Utfall against the budget (else beviljat) for the part of the period it covers; the återbetalningar.
    The förbund's own insatser are the kansli's budget: their utfall is shown, never flagged as an insats's."""
    reference = rad.budget_kr if rad.budget_kr is not None else rad.beviljat_kr
    if rad.utfall_kr is not None and rad.utfall_till is not None and reference:
        covered = Fraction(_days(period[0], min(rad.utfall_till, period[1])), _days(*period))
        rad.forbrukning_procent = _percent(rad.utfall_kr, reference)
        rad.forvantad_procent = _percent(covered, 1)
        expected = reference * covered
        if not rad.insats.egen:
            if covered and rad.utfall_kr * 100 < expected * (100 - regler.ekonomi.underforbrukning_procent):
                rad.flaggor.append(UNDERFORBRUKNING)
            if rad.utfall_kr * 100 > expected * (100 + regler.ekonomi.overforbrukning_procent):
                rad.flaggor.append(OVERFORBRUKNING)
    for a in rad.aterbetalningar:
        if a.deadline.status(as_of) is DeadlineStatus.FORFALLEN and ATERBETALNING_FORFALLEN not in rad.flaggor:
            rad.flaggor.append(ATERBETALNING_FORFALLEN)
        if a.betalt_kr is not None and a.betalt_kr < a.belopp_kr and ATERBETALNING_EJ_FULL not in rad.flaggor:
            rad.flaggor.append(ATERBETALNING_EJ_FULL)


GRANTED = (Tillstand.BEVILJAD, Tillstand.PAGAENDE, Tillstand.AVSLUTAD, Tillstand.SLUTREDOVISAD)


def active_in(session: Session, year: int) -> list[Insats]:
    """The insatser that run some part of `year` (granted ones: they have a start date)."""
    return list(session.scalars(
        select(Insats).where(Insats.start.is_not(None), Insats.start <= date(year, 12, 31),
                             Insats.slut.is_(None) | (Insats.slut >= date(year, 1, 1)),
                             Insats.tillstand != Tillstand.AVSLAGEN)
        .options(selectinload(Insats.ekonomi), selectinload(Insats.utbetalningar))
        .order_by(Insats.inriktning, Insats.namn, Insats.id)
    ))


def uppfoljning(session: Session, regler: Regler, year: int, *, as_of: date,
                insatser: list[Insats] | None = None, tertial: int | None = None) -> list[EkonomiRad]:
    """The money of every insats active in `year` (or of `insatser`), one row each. With a `tertial` (1–3) the
    utfall runs to the tertial's end, from the delrapporter that cover it (the import's figure is the whole
    year's: it serves only the third tertial)."""
    insatser = active_in(session, year) if insatser is None else insatser
    ids = [i.id for i in insatser]
    till = tertial_slut(year, tertial)
    rader = anslagsrader(session, ids)
    reports: dict[int, list[InkommenRapport]] = defaultdict(list)
    for r in session.scalars(
        select(InkommenRapport).where(InkommenRapport.insats_id.in_(ids))
        .options(selectinload(InkommenRapport.deadline)).order_by(InkommenRapport.inkom, InkommenRapport.id)
    ):
        reports[r.insats_id].append(r)
    repayments: dict[int, list[Aterbetalning]] = defaultdict(list)
    for a in session.scalars(
        select(Aterbetalning).join(Aterbetalning.deadline)
        .where(Aterbetalning.insats_id.in_(ids), Deadline.tillstand != DeadlineTillstand.MAKULERAD)
        .options(selectinload(Aterbetalning.deadline)).order_by(Aterbetalning.id)
    ):
        if a.deadline.period_slut.year == year:  # the year the insats ended: the money it did not use
            repayments[a.insats_id].append(a)
    rows = []
    for insats in insatser:
        period = period_i_ar(insats, year)
        if period is None or period[0] > till:
            continue  # not running in the year, or only after the tertial
        imported = next((e.utfall_kr for e in insats.ekonomi if e.ar == year and e.utfall_kr is not None), None)
        from_reports, covered = utfall_fran_rapporter(reports[insats.id], year, till)
        if imported is not None and till == date(year, 12, 31):
            utfall, kalla, upto = imported, "import", period[1]  # the year's own figure, as the annual report has it
        elif from_reports:
            utfall, kalla, upto = sum(r.i_aret_kr for r in from_reports), "rapporter", covered
        else:
            utfall, kalla, upto = None, None, None
        own = rader.get(insats.id, Anslagsrader())
        granted = beviljat_i_ar(insats, year, own)
        paid = [u.belopp_kr for u in insats.utbetalningar if u.ar == year and (u.datum is None or u.datum <= till)]
        rad = EkonomiRad(insats=insats, ar=year, beviljat_kr=granted.belopp_kr if granted else None,
                         beviljat_kalla=granted.kalla if granted else None,
                         tillaggsanslag_kr=own.tillagg.get(year, 0), budget_kr=budget_i_ar(insats, year), utfall_kr=utfall,
                         utfall_kalla=kalla, utfall_till=upto, forbrukning_procent=None, forvantad_procent=None,
                         utbetalt_kr=sum(paid) if paid else None, rapporter=from_reports,
                         aterbetalningar=repayments[insats.id])
        written = [r for r in reports[insats.id] if r.avvikelser and speaks_of(r, year)]
        if written:
            latest = written[-1]
            rad.avvikelser = latest.avvikelser
            rad.avvikelser_fran = f"{latest.deadline.rubrik if latest.deadline else latest.typ.label}, inkom {latest.inkom.isoformat()}"
        _flags(rad, period, regler, as_of)
        rows.append(rad)
    return rows


# --- återbetalning ---

# Aterbetalning.grund: paid out less used, or (no payments known) granted less used.
UTBETALT, BEVILJAT = "utbetalt", "beviljat"


def owed_back(insats: Insats, rapport: InkommenRapport) -> tuple[int | None, str, int | None]:
    """What a slutrapport leaves to pay back: paid out less used where the förbund's payments are known
    (`utbetalt`), else beviljade less utnyttjade as the report writes them (`beviljat`); and the sum paid out."""
    paid = sum(u.belopp_kr for u in insats.utbetalningar) if insats.utbetalningar else None
    if paid is not None and rapport.utnyttjade_medel_kr is not None:
        return paid - rapport.utnyttjade_medel_kr, UTBETALT, paid
    return rapport.aterbetalning_kr, BEVILJAT, paid




def open_repayment(session: Session, kontext: Kontext, regler: Regler, rapport: InkommenRapport) -> Aterbetalning | None:
    """A slutrapport that leaves funds unused opens an återbetalning for its huvudman, due
    `ekonomi.aterbetalning_dagar` days after the report came in (on a working day), chased by the ladder.
    The amount is paid out less used where the payments are known, else granted less used."""
    if rapport.typ is not RapportTyp.SLUTRAPPORT:
        return None
    insats = session.get(Insats, rapport.insats_id)
    owed, grund, paid = owed_back(insats, rapport)
    if not owed or owed <= 0:
        return None
    owed_before = [d for d in insats.deadlines if d.typ is RapportTyp.ATERBETALNING]
    if any(d.tillstand is not DeadlineTillstand.MAKULERAD for d in owed_before):
        return None  # one slutrapport, one återbetalning
    slutrapport = rapport.deadline
    due = next_working_day(rapport.inkom + timedelta(days=regler.ekonomi.aterbetalning_dagar))
    deadline = Deadline(
        typ=RapportTyp.ATERBETALNING, nr=1 + max((d.nr for d in owed_before), default=0),
        period_start=slutrapport.period_start if slutrapport else insats.start or rapport.inkom,
        period_slut=slutrapport.period_slut if slutrapport else insats.slut or rapport.inkom,
        forfaller=due, regel_forfaller=due, tillstand=DeadlineTillstand.OPPEN, bevakas=True,
    )
    insats.deadlines.append(deadline)
    inkom = rapport.inkom.isoformat()
    record(deadline, kontext, "tillstand", None, DeadlineTillstand.OPPEN,
           f"slutrapporten (inkom {inkom}): utbetalt {kronor(paid)}, utnyttjat {kronor(rapport.utnyttjade_medel_kr)}; "
           f"{kronor(owed)} ska betalas tillbaka" if grund == UTBETALT else
           f"slutrapporten (inkom {inkom}) redovisar {kronor(owed)} ej utnyttjade medel (beviljade medel minus "
           "utnyttjade; förbundets utbetalningar är inte kända)")
    repayment = Aterbetalning(insats_id=insats.id, deadline=deadline, rapport_id=rapport.id, belopp_kr=owed,
                              grund=grund, utbetalt_kr=paid)
    session.add(repayment)
    return repayment


def register_payout(session: Session, kontext: Kontext, insats: Insats, *, datum: date, belopp_kr: int,
                    as_of: date) -> Utbetalning:
    """The förbund paid `belopp_kr` to the insats on `datum` (the payment is done: never in the future)."""
    if datum > as_of:
        raise FinsamError(f"Utbetalningsdagen {datum.isoformat()} är efter {as_of.isoformat()}; registrera utbetalningen "
                          "när den är gjord.")
    if belopp_kr <= 0:
        raise FinsamError("Det utbetalda beloppet måste vara större än noll.")
    payout = Utbetalning(datum=datum, ar=datum.year, belopp_kr=belopp_kr, kalla="registrerad", registrerad_av=kontext.aktor)
    insats.utbetalningar.append(payout)
    return payout


def register_payment(session: Session, kontext: Kontext, insats: Insats, *, betald: date, belopp_kr: int | None = None,
                     as_of: date) -> Aterbetalning:
    """The huvudman paid back: the återbetalning is closed (betalt belopp: as owed unless given)."""
    if betald > as_of:
        raise FinsamError(f"Betalningsdagen {betald.isoformat()} är efter {as_of.isoformat()}; registrera betalningen "
                          "när den är gjord.")
    if belopp_kr is not None and belopp_kr <= 0:
        raise FinsamError("Det betalda beloppet måste vara större än noll.")
    open_ = sorted((d for d in insats.deadlines if d.typ is RapportTyp.ATERBETALNING
                    and d.tillstand is DeadlineTillstand.OPPEN), key=lambda d: d.nr)
    if not open_:
        raise FinsamError(f"{insats.ref} har ingen öppen återbetalning.")
    deadline = open_[0]
    repayment = deadline.aterbetalning
    paid = repayment.belopp_kr if belopp_kr is None else belopp_kr
    fulfil(session, kontext, deadline, betald, f"återbetalning {kronor(paid)} betald {betald.isoformat()}")
    repayment.betald, repayment.betalt_kr, repayment.registrerad_av = betald, paid, kontext.aktor
    return repayment


def repayment_view(deadline: Deadline, regler: Regler) -> dict[str, Any]:
    """What a message about an återbetalning states: the amount and where it comes from."""
    a = deadline.aterbetalning
    rapport = a.rapport if a is not None else None
    return {
        "belopp": a.belopp_kr if a is not None else None,
        "beviljade": rapport.beviljade_medel_kr if rapport else None,
        "utnyttjade": rapport.utnyttjade_medel_kr if rapport else None,
        "slutrapport_inkom": rapport.inkom if rapport else None,
        # Paid out less used where the förbund's payments were known; else granted less used, said so.
        "utbetalt": a.utbetalt_kr if a is not None and a.grund == UTBETALT else None,
        "betalningsinformation": regler.ekonomi.betalningsinformation,
    }


def open_repayments(session: Session) -> list[Aterbetalning]:
    return list(session.scalars(
        select(Aterbetalning).join(Aterbetalning.deadline).where(Deadline.tillstand == DeadlineTillstand.OPPEN)
        .options(selectinload(Aterbetalning.deadline).selectinload(Deadline.insats)).order_by(Deadline.forfaller)
    ))

