"""The förbund's money as the board asks about it: what is committed (intecknat) by insatser already granted,
what is left to grant this year and the next two, what an ansökan would leave, and the year's totals.

Where a figure comes from: the frame (tillgängliga medel, kansli, eget kapital) from the rules file's
`ekonomi.ram`; each granted insats's money for the year from its grant per year (as decided, or a total spread
by days: estimated), else its budget for the year from the import; an insats with neither is *not known* and
listed by name, never counted as 0. The förbund's own insatser are paid from the kansli's budget: shown beside
it, not counted again as committed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any, Iterable

from sqlalchemy.orm import Session

from finsam.domain import grants
from finsam.domain.enums import Roll
from finsam.domain.model import Ansokan, Insats
from finsam.domain.rules_config import Regler
from finsam.services import ekonomi

AR_FRAMAT = 3  # the board looks at this year and the two after it


@dataclass
class Ram:
    """One year's frame: what the förbund has, what granted insatser already hold, and what is left."""

    ar: int
    tillgangliga_medel_kr: int | None
    eget_kapital_kr: int | None
    eget_kapital_att_anvanda_kr: int | None
    kansli_kr: int | None
    intecknat_kr: int = 0
    uppskattat_kr: int = 0  # the part of intecknat that is a spread total or a budget, not a decided amount
    egna_insatser_kr: int = 0  # the förbund's own insatser: within the kansli's budget
    # Granted insatser running this year whose money is not known (the förbund's own are the kansli's budget).
    okant: list[str] = field(default_factory=list)

    @property
    def tillgangligt_kr(self) -> int | None:
        if self.tillgangliga_medel_kr is None:
            return None
        return self.tillgangliga_medel_kr + (self.eget_kapital_att_anvanda_kr or 0)

    @property
    def kvar_att_fordela_kr(self) -> int | None:
        if self.tillgangligt_kr is None:
            return None
        return self.tillgangligt_kr - (self.kansli_kr or 0) - self.intecknat_kr

    def kvar_om(self, beviljas_kr: int) -> int | None:
        """What would be left to grant if `beviljas_kr` more were granted for the year (None: no frame)."""
        return None if self.kvar_att_fordela_kr is None else self.kvar_att_fordela_kr - beviljas_kr

    @property
    def saknas(self) -> list[str]:
        """What the rules file does not say for the year (regler.yaml: ekonomi.ram.ÅÅÅÅ)."""
        return [text for value, text in ((self.tillgangliga_medel_kr, "tillgängliga medel"), (self.kansli_kr, "kanslibudget"))
                if value is None]

    def as_json(self) -> dict[str, Any]:
        return {
            "ar": self.ar, "tillgangliga_medel_kr": self.tillgangliga_medel_kr, "eget_kapital_kr": self.eget_kapital_kr,
            "eget_kapital_att_anvanda_kr": self.eget_kapital_att_anvanda_kr, "tillgangligt_kr": self.tillgangligt_kr,
            "intecknat_kr": self.intecknat_kr, "varav_uppskattat_kr": self.uppskattat_kr, "kansli_kr": self.kansli_kr,
            "egna_insatser_kr": self.egna_insatser_kr, "kvar_att_fordela_kr": self.kvar_att_fordela_kr,
            "okant": self.okant, "saknas_i_regler": self.saknas,
        }


def ram(session: Session, regler: Regler, year: int) -> Ram:
    """The frame for `year`, counted from every granted insats that runs some part of it."""
    rules = regler.ram(year)
    result = Ram(ar=year, tillgangliga_medel_kr=rules.tillgangliga_medel_kr, eget_kapital_kr=rules.eget_kapital_kr,
                 eget_kapital_att_anvanda_kr=rules.eget_kapital_far_anvandas_kr, kansli_kr=rules.kansli_kr)
    insatser = [i for i in ekonomi.active_in(session, year) if i.tillstand in ekonomi.GRANTED]
    rader = ekonomi.anslagsrader(session, [i.id for i in insatser])
    for insats in insatser:
        granted = ekonomi.beviljat_i_ar(insats, year, rader.get(insats.id, ekonomi.Anslagsrader()))
        amount = granted.belopp_kr if granted else ekonomi.budget_i_ar(insats, year)
        if insats.egen:  # paid from the kansli's budget, known or not: what is left to grant does not depend on it
            result.egna_insatser_kr += amount or 0
        elif amount is None:
            result.okant.append(insats.ref)
        else:
            result.intecknat_kr += amount
            if granted is None or granted.uppskattat:
                result.uppskattat_kr += amount
    return result


def ramar(session: Session, regler: Regler, year: int) -> list[Ram]:
    """The frame for `year` and the two after it."""
    return [ram(session, regler, y) for y in range(year, year + AR_FRAMAT)]


def sokt_per_ar(ansokan: Ansokan, fallback_start: date) -> dict[int, int]:
    """What an ansökan asks for, year by year: its amount spread by days over the insatstid it asks for
    (from `fallback_start` where it names no start; the start's year where it names no end). Empty: no amount."""
    if not ansokan.sokt_belopp_kr:
        return {}
    first = ansokan.sokt_start or fallback_start
    last = ansokan.sokt_slut or date(first.year, 12, 31)
    return grants.spread_by_days(ansokan.sokt_belopp_kr, first, max(first, last))


# --- the year's totals ---

SUMMERADE = ("beviljat_kr", "budget_kr", "utfall_kr", "utbetalt_kr")


def _share(rad: ekonomi.EkonomiRad) -> dict[str, Fraction]:
    """Each huvudman's share of the insats: as the import says (percent), else equal."""
    parts = [p for p in rad.insats.parter if p.roll is Roll.HUVUDMAN]
    if not parts:
        return {"(huvudman saknas)": Fraction(1)}
    if all(p.andel_procent is not None for p in parts) and sum(p.andel_procent for p in parts) == 100:
        return {p.organisation.namn: Fraction(p.andel_procent, 100) for p in parts}
    return {p.organisation.namn: Fraction(1, len(parts)) for p in parts}


def _totals(rows: Iterable[tuple[ekonomi.EkonomiRad, Fraction]]) -> dict[str, Any]:
    listed = list(rows)
    sums: dict[str, Fraction | None] = dict.fromkeys(SUMMERADE)
    used, reference, count = Fraction(0), Fraction(0), 0
    for rad, share in listed:
        count += 1
        for key in SUMMERADE:
            if (value := getattr(rad, key)) is not None:
                sums[key] = (sums[key] or 0) + value * share
        ref = rad.budget_kr if rad.budget_kr is not None else rad.beviljat_kr
        if rad.utfall_kr is not None and ref:
            used, reference = used + rad.utfall_kr * share, reference + ref * share
    result: dict[str, Any] = {"antal": count}
    result.update({key: None if value is None else round(value) for key, value in sums.items()})
    # How many insatser each sum leaves out, as their figure is not known: a sum is never silently short.
    result["saknas"] = {key: missing for key in SUMMERADE if (missing := sum(1 for r, _ in listed if getattr(r, key) is None))}
    # Förbrukningsgrad as the annual report counts it: utfall of budget (else beviljat), where both are known.
    result["forbrukning_procent"] = round(float(used * 100 / reference), 1) if reference else None
    return result


def summa(rows: list[ekonomi.EkonomiRad]) -> dict[str, Any]:
    """The year's totals: all insatser, per inriktning, per huvudman (an insats with two huvudmän counted once,
    shared between them), and the förbund's own insatser (within the kansli's budget) apart."""
    by_inriktning: dict[str, list] = defaultdict(list)
    by_huvudman: dict[str, list] = defaultdict(list)
    for rad in rows:
        by_inriktning[rad.insats.inriktning.value].append((rad, Fraction(1)))
        for namn, share in _share(rad).items():
            by_huvudman[namn].append((rad, share))
    return {
        **_totals((r, Fraction(1)) for r in rows),
        "externa_insatser": _totals((r, Fraction(1)) for r in rows if not r.insats.egen),
        "egna_insatser": _totals((r, Fraction(1)) for r in rows if r.insats.egen),
        "per_inriktning": {k: _totals(v) for k, v in sorted(by_inriktning.items())},
        "per_huvudman": {k: _totals(v) for k, v in sorted(by_huvudman.items())},
    }


# --- the whole answer, as `finsam ekonomi` and the demo give it ---

@dataclass
class Ekonomirapport:
    """One year's money (to a tertial's end, where asked): every insats's row, the totals, the frames."""

    ar: int
    tertial: int | None
    rader: list[ekonomi.EkonomiRad]
    summa: dict[str, Any]
    ramar: list[Ram]

    def as_json(self, as_of: date) -> dict[str, Any]:
        return {"ar": self.ar, "tertial": self.tertial, "till": ekonomi.tertial_slut(self.ar, self.tertial).isoformat(),
                "insatser": [r.as_json(as_of) for r in self.rader], "summa": self.summa,
                "ram": self.ramar[0].as_json(), "ramar": [f.as_json() for f in self.ramar]}


def ekonomirapport(session: Session, regler: Regler, year: int, *, as_of: date, tertial: int | None = None) -> Ekonomirapport:
    rows = ekonomi.uppfoljning(session, regler, year, as_of=as_of, tertial=tertial)
    return Ekonomirapport(ar=year, tertial=tertial, rader=rows, summa=summa(rows), ramar=ramar(session, regler, year))
