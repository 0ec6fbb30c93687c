"""The årsredovisning's Bilaga 1, "Mål och resultat av insatser ÅÅÅÅ": one block per insats active in the year,
grouped and worded as the förbund's annual report has it (the rules file's `arsredovisning`), and the list of
financed insatser per inriktning with their periods.

Where each field comes from:
- the money from finsam.services.ekonomi (the year's budget, else its grant; the year's utfall);
- Syfte and Mål as the förbund wrote them for the insats (import, ansökan), else from its reports (slutrapport 4.1
  for syfte; the goals of slutrapport 5.1, else delrapport 4.4, for mål);
- Deltagarregistrering and Specifik målgrupp as written for the insats, else the rules file's default per inriktning;
- Resultat and Kommentar only from reports that tell of the year (finsam.services.ekonomi.speaks_of): Resultat the
  slutrapport's 5.1 måluppfyllelse, else the delrapporter's 4.4 and 4.7; Kommentar the year's economic flags, the
  reports' avvikelser (4.3, slutrapport 5.3) and slutrapport 7.2 (why funds were not used).
A text from an ansökan or a report is joined into sentences and bounded (rules: `textlangd`); text from a scan is
marked for the kansli to check. What the engine does not know is a visible placeholder, listed at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from finsam.domain.enums import Inriktning, RapportTyp
from finsam.domain.model import Ansokan, InkommenRapport, Insats
from finsam.domain.rules_config import Regler
from finsam.intake.sections import goals
from finsam.messages.format import kronor
from finsam.messages.prose import bounded, first_sentence, flowing, sentences, under_label, uppraknat
from finsam.services.ekonomi import OVERFORBRUKNING, UNDERFORBRUKNING, EkonomiRad, speaks_of, uppfoljning

SCANNED = "Texten kommer från en skannad rapport"
KONTROLLERA = "[Kontrollera: skannad text]"


def fyll_i(vad: str) -> str:
    """A placeholder the kansli sees and fills in: "[Fyll i: syfte]"."""
    return f"[Fyll i: {vad}]"


def tkr(kronor: int) -> str:
    """An amount as the annual report writes it: 894 000 kr is "894 tkr", 4 981 000 kr "4 981 tkr"."""
    return f"{round(kronor / 1000):,} tkr".replace(",", " ")


@dataclass(frozen=True)
class Falt:
    """One field of a block: its label, its text, where the text came from, and what is left for the kansli
    (`saknas`: nothing known, the text is a placeholder; `kontrollera`: a scanned text to check)."""

    etikett: str
    text: str
    kalla: str | None = None
    saknas: str | None = None
    kontrollera: bool = False


@dataclass(frozen=True)
class Block:
    """One insats in Bilaga 1: the annual report's fields, in its order."""

    insatsnamn: str
    inriktning: Inriktning
    period: str
    falt: list[Falt]

    def fields(self) -> list[tuple[str, str]]:
        return [(f.etikett, f.text) for f in self.falt]


@dataclass(frozen=True)
class AttFyllaI:
    insats: str
    falt: str
    vad: str


@dataclass(frozen=True)
class Bilaga1:
    ar: int
    titel: str
    finansierade_rubrik: str
    grupper: dict[str, list[Block]]
    inriktningar: dict[str, list[Block]] = field(default_factory=dict)  # the financed insatser, by inriktning label

    @property
    def antal(self) -> int:
        return sum(len(blocks) for blocks in self.grupper.values())

    def att_fylla_i(self) -> list[AttFyllaI]:
        """Every place the kansli still has to write or check, block by block."""
        return [AttFyllaI(b.insatsnamn, f.etikett, f.saknas or "kontrollera skannad text")
                for blocks in self.grupper.values() for b in blocks for f in b.falt if f.saknas or f.kontrollera]

    def platshallare(self) -> int:
        """How many fields the kansli still has to fill in or check."""
        return len(self.att_fylla_i())

    def sammanfattning(self) -> str:
        """What is left, in one line: "12 fält att fylla i (inom hakparentes, listade sist)"."""
        n = self.platshallare()
        if not n:
            return "inget fält att fylla i."
        return f"{n} fält att fylla i eller kontrollera (inom hakparentes, listade sist)."

    def as_json(self) -> dict[str, object]:
        return {
            "ar": self.ar, "titel": self.titel,
            "grupper": {grupp: [dict(b.fields()) for b in blocks] for grupp, blocks in self.grupper.items()},
            "kallor": {b.insatsnamn: {f.etikett: f.kalla for f in b.falt if f.kalla}
                       for blocks in self.grupper.values() for b in blocks},
            "finansierade": {inriktning: [f"{b.insatsnamn}, {b.period}" for b in blocks]
                             for inriktning, blocks in self.inriktningar.items()},
            "att_fylla_i": [{"insats": a.insats, "falt": a.falt, "vad": a.vad} for a in self.att_fylla_i()],
            "antal_att_fylla_i": self.platshallare(),
        }


@dataclass
class _Kallor:
    """An insats's own texts: its ansökan and its reports (oldest first), for the fields that read them."""

    insats: Insats
    ansokan: Ansokan | None
    rapporter: list[InkommenRapport]

    def of_year(self, year: int, typ: RapportTyp) -> list[InkommenRapport]:
        """The reports of a kind that tell of the year, the latest first."""
        return [r for r in reversed(self.rapporter) if r.typ is typ and speaks_of(r, year)]

    def latest(self, typ: RapportTyp) -> list[InkommenRapport]:
        return [r for r in reversed(self.rapporter) if r.typ is typ]


def _kalla(rapport: InkommenRapport, avsnitt: str) -> str:
    namn = rapport.deadline.rubrik if rapport.deadline else rapport.typ.label
    return f"{namn}, avsnitt {avsnitt}, inkom {rapport.inkom.isoformat()}"


def _scanned(rapport: InkommenRapport) -> bool:
    return any(w.startswith(SCANNED) for w in rapport.varningar or [])


def _section(rapport: InkommenRapport, nr: str) -> str:
    return flowing((rapport.sektioner or {}).get(nr))


class _Fields:
    """The fields of one block, bounded as the rules say."""

    def __init__(self, regler: Regler) -> None:
        self.regler = regler
        self.limit = regler.arsredovisning.textlangd

    def written(self, etikett: str, imported: str | None, ansokan: str | None) -> Falt | None:
        """What the förbund wrote for the insats: as imported (its own words for the bilaga), else its ansökan's."""
        if imported and imported.strip():
            return Falt(etikett, imported.strip(), "insatsen (import)")
        if ansokan and ansokan.strip():
            return Falt(etikett, bounded(flowing(ansokan), self.limit), "ansökan")
        return None

    def from_texts(self, etikett: str, parts: list[tuple[str, InkommenRapport | None, str]], saknas: str) -> Falt:
        """A field made of texts (text, the report it came from, the source's name): joined, the same text
        once, bounded; a placeholder when none has any."""
        texts, sources, scanned = [], [], False
        for text, rapport, kalla in parts:
            if text and text not in texts:
                texts.append(text)
                sources.append(kalla)
                scanned = scanned or (rapport is not None and _scanned(rapport))
        if not texts:
            return Falt(etikett, fyll_i(saknas), saknas=saknas)
        text = bounded(" ".join(texts), self.limit)
        if scanned:
            text = f"{text} {KONTROLLERA}"
        return Falt(etikett, text, "; ".join(sources), kontrollera=scanned)


def _syfte(f: _Fields, k: _Kallor) -> Falt:
    if own := f.written("Syfte", k.insats.syfte, k.ansokan.syfte if k.ansokan else None):
        return own
    # 4.1 is "Syfte och bakgrund": the writer's "Insatsens syfte:" part where there is one, else the whole.
    return f.from_texts("Syfte", [(under_label(sektion, "syfte") or flowing(sektion), r, _kalla(r, "4.1"))
                                  for r in k.latest(RapportTyp.SLUTRAPPORT)[:1] if (sektion := (r.sektioner or {}).get("4.1"))],
                        "syfte")


def _mal(f: _Fields, k: _Kallor) -> Falt:
    if own := f.written("Mål", k.insats.mal, k.ansokan.mal if k.ansokan else None):
        return own
    for r in k.latest(RapportTyp.SLUTRAPPORT):
        named = [g["mal"] for g in goals((r.sektioner or {}).get("5.1", "")) if g["mal"]]
        if named:
            return f.from_texts("Mål", [("; ".join(named) + ".", r, _kalla(r, "5.1"))], "mål")
    # A delrapport's 4.4 is "Mål och utfall": its sentences that name the goal.
    return f.from_texts("Mål", [(" ".join(s for s in sentences(_section(r, "4.4")) if "mål" in s.casefold()), r,
                                 _kalla(r, "4.4")) for r in k.latest(RapportTyp.DELRAPPORT)][:1], "mål")


def _maluppfyllelse(rapport: InkommenRapport) -> str:
    """A slutrapport's 5.1 in brief: each goal with the first sentence of what was written under it ("Detta mål
    är uppfyllt."), so that every goal is named within the bilaga's length; the whole text where it names none."""
    text = (rapport.sektioner or {}).get("5.1", "")
    named = [g for g in goals(text) if g["mal"] and g["text"]]
    if not named:
        return flowing(text)
    return " ".join(f"{g['mal']}: {first_sentence(str(g['text']))}" for g in named)


def _resultat(f: _Fields, k: _Kallor, year: int) -> Falt:
    slut = [(_maluppfyllelse(r), r, _kalla(r, "5.1")) for r in k.of_year(year, RapportTyp.SLUTRAPPORT)]
    if any(text for text, _, _ in slut):
        return f.from_texts("Resultat", slut[:1], f"resultat {year}")
    parts: list[tuple[str, InkommenRapport | None, str]] = []
    for r in k.of_year(year, RapportTyp.DELRAPPORT):
        parts.append((_section(r, "4.4"), r, _kalla(r, "4.4")))
        parts.append((flowing(r.styrgruppens_analys) or _section(r, "4.7"), r, _kalla(r, "4.7")))
    return f.from_texts("Resultat", parts, f"resultat {year}")


def _kommentar(f: _Fields, k: _Kallor, rad: EkonomiRad, year: int) -> Falt:
    parts: list[tuple[str, InkommenRapport | None, str]] = []
    if rad.forbrukning_procent is not None and {UNDERFORBRUKNING, OVERFORBRUKNING} & set(rad.flaggor):
        parts.append((f"Förbrukning {round(rad.forbrukning_procent)} % av årets budget.", None, f"ekonomi {year}"))
    if rad.aterbetalning_kr:
        parts.append((f"Ej utnyttjade medel att återbetala: {kronor(rad.aterbetalning_kr)}.", None, "slutrapporten"))
    for r in k.of_year(year, RapportTyp.SLUTRAPPORT) + k.of_year(year, RapportTyp.DELRAPPORT):
        parts.append((flowing(r.avvikelser), r, _kalla(r, "5.3" if r.typ is RapportTyp.SLUTRAPPORT else "4.3")))
        if r.typ is RapportTyp.SLUTRAPPORT and r.medel_helt_utnyttjade is False:
            parts.append((_section(r, "7.2"), r, _kalla(r, "7.2")))
    return f.from_texts("Kommentar", parts, f"kommentar {year}")


def _budget(rad: EkonomiRad, year: int) -> Falt:
    insats = rad.insats
    whole = insats.start is not None and insats.slut is not None and insats.start.year == insats.slut.year == year
    etikett = f"Totalbudget {year}" if whole else f"Budget {year}"
    if rad.budget_kr is not None:
        return Falt(etikett, tkr(rad.budget_kr), "budget (import)")
    if rad.beviljat_kr is None:
        return Falt(etikett, fyll_i(f"budget {year}"), saknas=f"budget {year}")
    if rad.beviljat_kalla == "uppskattat" and not whole and insats.beviljade_medel_kr is not None:
        return Falt(etikett, f"{tkr(rad.beviljat_kr)} (uppskattat: {tkr(insats.beviljade_medel_kr)} fördelat över "
                             f"insatstiden)", "beviljat, fördelat efter dagar")
    return Falt(etikett, tkr(rad.beviljat_kr), "beviljat")


def _utfall(rad: EkonomiRad, year: int) -> Falt:
    if rad.utfall_kr is None:
        return Falt("Utfall ekonomi", fyll_i(f"utfall {year}"), saknas=f"utfall {year}")
    text = tkr(rad.utfall_kr)
    if rad.utfall_kalla == "rapporter" and rad.utfall_till is not None and rad.utfall_till < date(year, 12, 31):
        text = f"{text} (till och med {rad.utfall_till.isoformat()}, enligt delrapporterna)"
    return Falt("Utfall ekonomi", text, "import" if rad.utfall_kalla == "import" else "delrapporterna")


def _period(insats: Insats) -> str:
    return f"{insats.start.isoformat() if insats.start else '?'} – {insats.slut.isoformat() if insats.slut else 'tills vidare'}"


def _block(regler: Regler, rad: EkonomiRad, k: _Kallor, year: int) -> Block:
    insats, texter, f = rad.insats, regler.arsredovisning, _Fields(regler)

    def own_or_default(etikett: str, own: str | None, default: str) -> Falt:
        return Falt(etikett, own, "insatsen") if own else Falt(etikett, default, "regelfilen")

    def named(etikett: str, names: list[str], saknas: str) -> Falt:
        return Falt(etikett, uppraknat(names)) if names else Falt(etikett, fyll_i(saknas), saknas=saknas)

    return Block(insats.namn, insats.inriktning, _period(insats), [
        Falt("Insatsnamn", insats.namn),
        Falt("Inriktning", texter.inriktning[insats.inriktning]),
        Falt("Period", _period(insats)),
        _syfte(f, k),
        _mal(f, k),
        own_or_default("Deltagarregistrering", insats.deltagarregistrering, texter.deltagarregistrering[insats.inriktning]),
        own_or_default("Specifik målgrupp", insats.specifik_malgrupp, texter.specifik_malgrupp[insats.inriktning]),
        _budget(rad, year),
        _utfall(rad, year),
        named("Huvudman för insats", insats.huvudman, "huvudman"),
        named("Samverkansparter", insats.samverkansparter, "samverkansparter"),
        _resultat(f, k, year),
        _kommentar(f, k, rad, year),
    ])


def _order(rad: EkonomiRad) -> tuple[object, ...]:
    """The förbund's own order where the import gave one, else by huvudman, then name."""
    insats = rad.insats
    return (insats.ordning is None, insats.ordning or 0, (insats.huvudman or [""])[0].casefold(), insats.namn.casefold())


def bilaga1(session: Session, regler: Regler, year: int, *, as_of: date) -> Bilaga1:
    """Bilaga 1 for `year`: every insats that ran some part of it, individinriktade first."""
    rows = uppfoljning(session, regler, year, as_of=as_of)
    ids = [r.insats.id for r in rows]
    reports: dict[int, list[InkommenRapport]] = {i: [] for i in ids}
    for rapport in session.scalars(
        select(InkommenRapport).where(InkommenRapport.insats_id.in_(ids), InkommenRapport.inkom <= as_of)
        .options(selectinload(InkommenRapport.deadline)).order_by(InkommenRapport.inkom, InkommenRapport.id)
    ):
        reports[rapport.insats_id].append(rapport)
    ansokningar = {a.insats_id: a for a in session.scalars(select(Ansokan).where(Ansokan.insats_id.in_(ids)))}
    texter = regler.arsredovisning
    grupper: dict[str, list[Block]] = {texter.grupper[i]: [] for i in Inriktning}
    inriktningar: dict[str, list[Block]] = {texter.inriktning[i]: [] for i in Inriktning}
    for rad in sorted(rows, key=lambda r: (list(Inriktning).index(r.insats.inriktning), *_order(r))):
        insats = rad.insats
        block = _block(regler, rad, _Kallor(insats, ansokningar.get(insats.id), reports[insats.id]), year)
        grupper[texter.grupper[insats.inriktning]].append(block)
        inriktningar[texter.inriktning[insats.inriktning]].append(block)
    return Bilaga1(year, texter.titel.format(ar=year), texter.finansierade_rubrik.format(ar=year), grupper, inriktningar)

