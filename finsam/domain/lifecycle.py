"""The lifecycle of an insats: which steps are allowed in which state, and where they lead.

    ansökan inkommen → under beredning → yttrande avgivet → beviljad | avslagen
                                ↑                 │  (återremitterad: back to beredning,
                                └─────────────────┘   bordlagd: stays, to a later meeting)
    beviljad → pågående → avslutad (awaiting slutrapport) → slutredovisad

plus förlängning (a new end date), tilläggsanslag (more money) and avbrott (ends early).
A refused step says why and which steps the state does allow.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from finsam.domain.enums import Tillstand as T
from finsam.errors import TransitionNotAllowed


class Steg(StrEnum):
    BEREDNING = "beredning"
    YTTRANDE = "yttrande"
    BEVILJA = "bevilja"
    AVSLA = "avsla"
    ATERREMITTERA = "aterremittera"
    BORDLAGGA = "bordlagga"
    STARTA = "starta"
    AVSLUTA = "avsluta"
    SLUTREDOVISA = "slutredovisa"
    FORLANGA = "forlanga"
    TILLAGGSANSLAG = "tillaggsanslag"
    AVBRYTA = "avbryta"

    @property
    def label(self) -> str:
        return STEG_LABELS[self]


STEG_LABELS = {
    Steg.BEREDNING: "skicka till beredning",
    Steg.YTTRANDE: "registrera yttrande",
    Steg.BEVILJA: "bevilja",
    Steg.AVSLA: "avslå",
    Steg.ATERREMITTERA: "återremittera",
    Steg.BORDLAGGA: "bordlägga",
    Steg.STARTA: "starta",
    Steg.AVSLUTA: "avsluta",
    Steg.SLUTREDOVISA: "registrera slutrapport",
    Steg.FORLANGA: "förlänga",
    Steg.TILLAGGSANSLAG: "ge tilläggsanslag",
    Steg.AVBRYTA: "avbryta",
}

# Steps whose target depends on the insats's dates; `running_state` decides it.
BY_DATES = None

TRANSITIONS: dict[tuple[T, Steg], T | None] = {
    (T.ANSOKAN_INKOMMEN, Steg.BEREDNING): T.UNDER_BEREDNING,
    (T.UNDER_BEREDNING, Steg.YTTRANDE): T.YTTRANDE_AVGIVET,
    (T.YTTRANDE_AVGIVET, Steg.BEVILJA): BY_DATES,
    (T.YTTRANDE_AVGIVET, Steg.AVSLA): T.AVSLAGEN,
    (T.YTTRANDE_AVGIVET, Steg.ATERREMITTERA): T.UNDER_BEREDNING,
    (T.YTTRANDE_AVGIVET, Steg.BORDLAGGA): T.YTTRANDE_AVGIVET,
    (T.BEVILJAD, Steg.STARTA): T.PAGAENDE,
    (T.PAGAENDE, Steg.AVSLUTA): T.AVSLUTAD,
    (T.PAGAENDE, Steg.SLUTREDOVISA): T.SLUTREDOVISAD,  # a slutrapport may come before the end date
    (T.AVSLUTAD, Steg.SLUTREDOVISA): T.SLUTREDOVISAD,
    (T.BEVILJAD, Steg.FORLANGA): BY_DATES,
    (T.PAGAENDE, Steg.FORLANGA): BY_DATES,
    (T.AVSLUTAD, Steg.FORLANGA): BY_DATES,
    (T.BEVILJAD, Steg.TILLAGGSANSLAG): T.BEVILJAD,
    (T.PAGAENDE, Steg.TILLAGGSANSLAG): T.PAGAENDE,
    (T.AVSLUTAD, Steg.TILLAGGSANSLAG): T.AVSLUTAD,
    (T.BEVILJAD, Steg.AVBRYTA): BY_DATES,
    (T.PAGAENDE, Steg.AVBRYTA): BY_DATES,
}

# States in which an insats owes reports.
REPORTING_STATES = frozenset({T.BEVILJAD, T.PAGAENDE, T.AVSLUTAD, T.SLUTREDOVISAD})


def allowed_steps(state: T) -> list[Steg]:
    return [steg for (s, steg) in TRANSITIONS if s is state]


def running_state(start: date, end: date | None, as_of: date) -> T:
    """The state of a granted insats on `as_of`, from its dates alone."""
    if as_of < start:
        return T.BEVILJAD
    if end is not None and as_of > end:
        return T.AVSLUTAD
    return T.PAGAENDE


def ensure_allowed(state: T, steg: Steg) -> None:
    if (state, steg) not in TRANSITIONS:
        allowed = ", ".join(s.label for s in allowed_steps(state)) or "inga fler steg"
        raise TransitionNotAllowed(
            f"Det går inte att {steg.label} en insats som är {state.label}. Tillåtet nu: {allowed}."
        )


def next_state(
    state: T, steg: Steg, *, start: date | None = None, end: date | None = None, as_of: date | None = None
) -> T:
    """The state after `steg`, or TransitionNotAllowed saying why and what is allowed instead."""
    ensure_allowed(state, steg)
    target = TRANSITIONS[(state, steg)]
    if target is BY_DATES:
        if start is None or as_of is None:
            raise ValueError(f"steget {steg} behöver start, slut och as_of")
        return running_state(start, end, as_of)
    return target
