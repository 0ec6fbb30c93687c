"""The årsredovisning's Bilaga 1: one block per insats active in the year, grouped as the annual report
groups them (individinriktade, strukturinriktade), and the list of financed insatser with their periods.

Every figure comes from the engine (the money from finsam.services.ekonomi, syfte and mål from the
ansökan, resultat and kommentar from the latest report that has them); a field the engine does not know is a visible placeholder for the kansli to fill
in, never left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from finsam.domain.enums import Inriktning
from finsam.domain.model import Ansokan, InkommenRapport
from finsam.domain.rules_config import Regler
from finsam.services.ekonomi import EkonomiRad, uppfoljning

GRUPPER = {Inriktning.INDIVID: "Individinriktade insatser", Inriktning.STRUKTUR: "Strukturinriktade insatser"}
INRIKTNING = {Inriktning.INDIVID: "Individinriktad", Inriktning.STRUKTUR: "Strukturinriktad"}


def fyll_i(vad: str) -> str:
    """A placeholder the kansli sees and fills in: "[Fyll i: syfte]"."""
    return f"[Fyll i: {vad}]"


def tkr(kronor: int | None, vad: str) -> str:
    """An amount as the annual report writes it: 894 000 kr is "894 tkr", 4 981 000 kr "4 981 tkr"."""
    if kronor is None:
        return fyll_i(vad)
    return f"{round(kronor / 1000):,} tkr".replace(",", " ")


@dataclass(frozen=True)
class Block:
    """One insats in Bilaga 1: the annual report's fields, in its order."""

    insatsnamn: str
    inriktning: str
    period: str
    syfte: str
    mal: str
    deltagarregistrering: str
    specifik_malgrupp: str
    budget: str
    utfall: str
    huvudman: str
    samverkansparter: str
    resultat: str
    kommentar: str

    def fields(self, year: int) -> list[tuple[str, str]]:
        return [("Insatsnamn", self.insatsnamn), ("Inriktning", self.inriktning), ("Period", self.period),
                ("Syfte", self.syfte), ("Mål", self.mal), ("Deltagarregistrering", self.deltagarregistrering),
                ("Specifik målgrupp", self.specifik_malgrupp), (f"Budget {year}", self.budget),
                ("Utfall ekonomi", self.utfall), ("Huvudman för insats", self.huvudman),
                ("Samverkansparter", self.samverkansparter), ("Resultat", self.resultat), ("Kommentar", self.kommentar)]


@dataclass(frozen=True)
class Bilaga1:
    ar: int
    grupper: dict[str, list[Block]]

    @property
    def antal(self) -> int:
        return sum(len(blocks) for blocks in self.grupper.values())

    def platshallare(self) -> int:
        """How many fields the kansli still has to fill in."""
        return sum(value.startswith("[Fyll i:") for blocks in self.grupper.values() for b in blocks
                   for _, value in b.fields(self.ar))


def _latest(reports: list[InkommenRapport], attribute: str) -> str | None:
    written = [r for r in reports if getattr(r, attribute)]
    return getattr(written[-1], attribute) if written else None


def _block(rad: EkonomiRad, reports: list[InkommenRapport], ansokan: Ansokan | None, year: int) -> Block:
    insats = rad.insats
    period = f"{insats.start.isoformat()} – {insats.slut.isoformat() if insats.slut else 'tills vidare'}"
    return Block(
        insatsnamn=insats.namn,
        inriktning=INRIKTNING[insats.inriktning],
        period=period,
        syfte=(ansokan.syfte if ansokan else None) or fyll_i("syfte (ur ansökan)"),
        mal=(ansokan.mal if ansokan else None) or fyll_i("mål (ur ansökan)"),
        deltagarregistrering=fyll_i("deltagarregistrering (SUS)"),
        specifik_malgrupp=fyll_i("specifik målgrupp"),
        budget=tkr(rad.budget_kr if rad.budget_kr is not None else rad.beviljat_kr, f"budget {year}"),
        utfall=tkr(rad.utfall_kr, f"utfall {year}"),
        huvudman=", ".join(insats.huvudman) or fyll_i("huvudman"),
        samverkansparter=", ".join(insats.samverkansparter) or fyll_i("samverkansparter"),
        resultat=_latest(reports, "styrgruppens_analys") or fyll_i("resultat"),
        kommentar=_latest(reports, "avvikelser") or fyll_i("kommentar"),
    )


def bilaga1(session: Session, regler: Regler, year: int, *, as_of: date) -> Bilaga1:
    """Bilaga 1 for `year`: every insats that ran some part of it, individinriktade first."""
    rows = uppfoljning(session, regler, year, as_of=as_of)
    ids = [r.insats.id for r in rows]
    reports: dict[int, list[InkommenRapport]] = {i: [] for i in ids}
    for rapport in session.scalars(
        select(InkommenRapport).where(InkommenRapport.insats_id.in_(ids), InkommenRapport.inkom <= date(year + 1, 12, 31))
        .order_by(InkommenRapport.inkom, InkommenRapport.id)
    ):
        reports[rapport.insats_id].append(rapport)
    ansokningar = {a.insats_id: a for a in session.scalars(select(Ansokan).where(Ansokan.insats_id.in_(ids)))}
    grupper: dict[str, list[Block]] = {name: [] for name in GRUPPER.values()}
    for rad in sorted(rows, key=lambda r: (list(GRUPPER).index(r.insats.inriktning), r.insats.namn)):
        grupper[GRUPPER[rad.insats.inriktning]].append(
            _block(rad, reports[rad.insats.id], ansokningar.get(rad.insats.id), year))
    return Bilaga1(year, grupper)
