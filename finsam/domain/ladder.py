"""The reminder ladder: which message a deadline calls for on a given day.

Steps sit at offsets from the due date (-30, -14, -3 and 0 days before it; +3, +14, +30
after it). On any day the step that applies is the latest one whose date has come. It fires
if neither it nor a later step has been sent for the same due date; so a missed run catches
up with one message, the latest, and an anstånd (a new due date) starts the ladder afresh.
"""

from __future__ import annotations

from collections.abc import Iterable
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Mottagare(StrEnum):
    """Who a step writes to."""

    INSATSAGARE = "insatsagare"
    KANSLI = "kansli"
    VERKSAMHETSUTVECKLARE = "verksamhetsutvecklare"
    FORBUNDSCHEF = "forbundschef"


class MeddelandeTyp(StrEnum):
    """One e-mail template per kind of message."""

    PAMINNELSE = "paminnelse"
    FORSENAD = "forsenad"
    ESKALERING = "eskalering"
    KVITTENS = "kvittens"
    BESLUTSMEDDELANDE = "beslutsmeddelande"
    ANDRINGSBESLUT = "andringsbeslut"
    KOMPLETTERING = "komplettering"
    NYTT_MOTESDATUM = "nytt_motesdatum"
    VECKOSAMMANFATTNING = "veckosammanfattning"
    INFOR_BEREDNING = "infor_beredning"
    UNDERLAG = "underlag"
    SAKNADE_BESLUT = "saknade_beslut"
    FLODESFEL = "flodesfel"
    UTSKICKSSTORNING = "utskicksstorning"
    ATERBETALNING = "aterbetalning"  # every ladder step of an återbetalning: the amount, before and after the due date

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    MeddelandeTyp.PAMINNELSE: "Påminnelse", MeddelandeTyp.FORSENAD: "Försenad rapport",
    MeddelandeTyp.ESKALERING: "Eskalering", MeddelandeTyp.KVITTENS: "Kvittens",
    MeddelandeTyp.BESLUTSMEDDELANDE: "Beslutsmeddelande", MeddelandeTyp.ANDRINGSBESLUT: "Ändrade rapportdatum",
    MeddelandeTyp.KOMPLETTERING: "Begäran om komplettering", MeddelandeTyp.NYTT_MOTESDATUM: "Nytt mötesdatum",
    MeddelandeTyp.VECKOSAMMANFATTNING: "Veckosammanfattning",
    MeddelandeTyp.INFOR_BEREDNING: "Inför beredningsgruppen", MeddelandeTyp.UNDERLAG: "Underlag inför styrelsen",
    MeddelandeTyp.SAKNADE_BESLUT: "Beslut att registrera", MeddelandeTyp.FLODESFEL: "Fel i bevakningen",
    MeddelandeTyp.UTSKICKSSTORNING: "Utskicksstörning", MeddelandeTyp.ATERBETALNING: "Återbetalning",
}


def offset_of(key: str) -> int:
    """The offset a step key stands for: `fore-14` → -14, `forfallodag` → 0, `efter-3` → 3."""
    if key == "forfallodag":
        return 0
    direction, _, days = key.partition("-")
    return -int(days) if direction == "fore" else int(days)


@dataclass(frozen=True)
class LadderStep:
    offset: int  # days from the due date: negative before it, positive after
    till: Mottagare
    kopia: tuple[Mottagare, ...] = ()
    flagga_styrelse: bool = False

    @property
    def key(self) -> str:
        if self.offset < 0:
            return f"fore-{-self.offset}"
        return "forfallodag" if self.offset == 0 else f"efter-{self.offset}"

    @property
    def kind(self) -> MeddelandeTyp:
        if self.offset <= 0:
            return MeddelandeTyp.PAMINNELSE
        return MeddelandeTyp.FORSENAD if self.till is Mottagare.INSATSAGARE else MeddelandeTyp.ESKALERING

    def day(self, due: date) -> date:
        return due + timedelta(days=self.offset)


@dataclass(frozen=True)
class Ladder:
    steps: tuple[LadderStep, ...]  # ordered by offset

    @classmethod
    def build(
        cls, before: Iterable[int], after: Iterable[tuple[int, Mottagare, tuple[Mottagare, ...], bool]]
    ) -> Ladder:
        steps = [LadderStep(-days, Mottagare.INSATSAGARE) for days in before]
        steps += [LadderStep(days, till, kopia, flag) for days, till, kopia, flag in after]
        return cls(tuple(sorted(steps, key=lambda s: s.offset)))

    def applicable(self, due: date, as_of: date) -> LadderStep | None:
        """The latest step whose day has come, or None before the first."""
        index = bisect_right([s.offset for s in self.steps], (as_of - due).days)
        return self.steps[index - 1] if index else None

    def step_to_send(self, due: date, as_of: date, sent_offsets: Iterable[int]) -> LadderStep | None:
        """The step to send today for a deadline due on `due`, given the offsets already sent for that due date."""
        step = self.applicable(due, as_of)
        if step is None or any(offset >= step.offset for offset in sent_offsets):
            return None
        return step

    def by_key(self, key: str) -> LadderStep | None:
        return next((s for s in self.steps if s.key == key), None)
