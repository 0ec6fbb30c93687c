"""The domain's vocabulary. Values are stable ASCII codes; LABELS are what users read."""

from __future__ import annotations

from enum import StrEnum


class Inriktning(StrEnum):
    INDIVID = "individ"
    STRUKTUR = "struktur"


class Roll(StrEnum):
    HUVUDMAN = "huvudman"
    SAMVERKANSPART = "samverkanspart"


class Tillstand(StrEnum):
    """Where an insats is in its life (see lifecycle.py for the allowed steps)."""

    ANSOKAN_INKOMMEN = "ansokan_inkommen"
    UNDER_BEREDNING = "under_beredning"
    YTTRANDE_AVGIVET = "yttrande_avgivet"
    BEVILJAD = "beviljad"
    AVSLAGEN = "avslagen"
    PAGAENDE = "pagaende"
    AVSLUTAD = "avslutad"
    SLUTREDOVISAD = "slutredovisad"

    @property
    def label(self) -> str:
        return TILLSTAND_LABELS[self]


TILLSTAND_LABELS = {
    Tillstand.ANSOKAN_INKOMMEN: "ansökan inkommen",
    Tillstand.UNDER_BEREDNING: "under beredning",
    Tillstand.YTTRANDE_AVGIVET: "yttrande avgivet",
    Tillstand.BEVILJAD: "beviljad",
    Tillstand.AVSLAGEN: "avslagen",
    Tillstand.PAGAENDE: "pågående",
    Tillstand.AVSLUTAD: "avslutad (väntar på slutrapport)",
    Tillstand.SLUTREDOVISAD: "slutredovisad",
}


class RapportTyp(StrEnum):
    """What a deadline is for: a report, or (aterbetalning) paying back the funds a slutrapport left unused."""

    DELRAPPORT = "delrapport"
    SLUTRAPPORT = "slutrapport"
    ATERBETALNING = "aterbetalning"
    KOMPLETTERING = "komplettering"  # what an incomplete report still lacks, asked for with its own date

    @property
    def label(self) -> str:
        return {"delrapport": "Delrapport", "slutrapport": "Slutrapport", "aterbetalning": "Återbetalning",
                "komplettering": "Komplettering av rapport"}[self.value]

    @property
    def is_report(self) -> bool:
        return self in (RapportTyp.DELRAPPORT, RapportTyp.SLUTRAPPORT)

    def rubrik(self, nr: int) -> str:
        """How one deadline is named: "Delrapport 2", "Slutrapport", "Återbetalning"."""
        return f"Delrapport {nr}" if self is RapportTyp.DELRAPPORT else self.label


class DeadlineTillstand(StrEnum):
    """What is stored. The status shown on a given day also depends on that day (see DeadlineStatus)."""

    OPPEN = "oppen"
    INKOMMEN = "inkommen"
    MAKULERAD = "makulerad"
    EJ_INKOMMEN = "ej_inkommen"  # a delrapport that never came before the slutrapport did: kept, no longer chased


class DeadlineStatus(StrEnum):
    KOMMANDE = "kommande"
    FORFALLEN = "forfallen"
    INKOMMEN = "inkommen"
    MAKULERAD = "makulerad"
    EJ_INKOMMEN = "ej_inkommen"

    @property
    def label(self) -> str:
        return {"kommande": "kommande", "forfallen": "förfallen", "inkommen": "inkommen", "makulerad": "makulerad",
                "ej_inkommen": "ej inkommen"}[self.value]


class MoteTyp(StrEnum):
    STYRELSE = "styrelse"
    BEREDNINGSGRUPP = "beredningsgrupp"
    ARBETSUTSKOTT = "arbetsutskott"

    @property
    def label(self) -> str:
        return {"styrelse": "Styrelsemöte", "beredningsgrupp": "Beredningsgruppsmöte", "arbetsutskott": "Arbetsutskott"}[
            self.value
        ]


class Bedomning(StrEnum):
    """The beredningsgrupp's yttrande."""

    TILLSTYRKS = "tillstyrks"
    AVSTYRKS = "avstyrks"
    KOMPLETTERAS = "kompletteras"


class BeslutUtfall(StrEnum):
    BEVILJAS = "beviljas"
    AVSLAS = "avslas"
    ATERREMITTERAS = "aterremitteras"
    BORDLAGGS = "bordlaggs"

    @property
    def label(self) -> str:
        return {"beviljas": "beviljas", "avslas": "avslås", "aterremitteras": "återremitteras", "bordlaggs": "bordläggs"}[
            self.value
        ]


class BeslutTyp(StrEnum):
    """What a styrelse decision is about: the ansökan itself, or a change to a granted insats."""

    ANSOKAN = "ansokan"
    FORLANGNING = "forlangning"
    TILLAGGSANSLAG = "tillaggsanslag"
    AVBROTT = "avbrott"
    ANSTAND = "anstand"

    @property
    def label(self) -> str:
        return {"ansokan": "ansökan", "forlangning": "förlängning", "tillaggsanslag": "tilläggsanslag",
                "avbrott": "avbrott", "anstand": "anstånd"}[self.value]


class Veckodag(StrEnum):
    MANDAG = "mandag"
    TISDAG = "tisdag"
    ONSDAG = "onsdag"
    TORSDAG = "torsdag"
    FREDAG = "fredag"

    @property
    def weekday(self) -> int:
        return list(Veckodag).index(self)


class UtskickTillstand(StrEnum):
    VANTAR = "vantar"  # waiting to be sent (or to be retried)
    SKICKAR = "skickar"  # claimed by a run
    SKICKAD = "skickad"  # accepted by the mail server
    MISSLYCKAD = "misslyckad"  # refused for good (5xx): the kansli is told
    MAKULERAD = "makulerad"  # no longer wanted (the report arrived first)
    OSAKER = "osaker"  # the relay never answered after DATA, twice: it may have gone; the kansli is told

    @property
    def label(self) -> str:
        return {
            "vantar": "väntar",
            "skickar": "skickas",
            "skickad": "skickad",
            "misslyckad": "misslyckad",
            "makulerad": "makulerad",
            "osaker": "osäker",
        }[self.value]
