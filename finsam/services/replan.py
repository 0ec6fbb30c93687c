"""When the rules change: every insats's open deadlines are planned again, fulfilled ones never.

The daily run notices a change by the fingerprint of the rules that plan deadlines (stored in
`installning`); `finsam config diff` shows first, without saving, which deadlines would move.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from finsam.audit import Kontext
from finsam.domain.enums import DeadlineTillstand
from finsam.domain.lifecycle import REPORTING_STATES
from finsam.domain.model import Installning, Insats
from finsam.domain.rules_config import Regler
from finsam.services.batch import ItemFailure, isolated
from finsam.services.deadlines import sync_deadlines

FINGERPRINT = "regler.rapportering"


@dataclass(frozen=True)
class Flytt:
    """One deadline a re-plan changed: from one due date to another (None: created, or no longer owed)."""

    insats: str
    rapport: str
    fore: date | None
    efter: date | None

    def as_json(self) -> dict[str, object]:
        return {"insats": self.insats, "rapport": self.rapport, "fore": self.fore.isoformat() if self.fore else None,
                "efter": self.efter.isoformat() if self.efter else None}

    @property
    def text(self) -> str:
        if self.fore is None:
            return f"{self.insats}: {self.rapport} ny, senast {self.efter}"
        if self.efter is None:
            return f"{self.insats}: {self.rapport} ({self.fore}) behövs inte längre"
        return f"{self.insats}: {self.rapport} {self.fore} → {self.efter}"


def fingerprint(regler: Regler) -> str:
    """What the deadlines depend on: the report schedule and the fair-date rule."""
    planning = {"rapportering": regler.rapportering.model_dump(mode="json", by_alias=True),
                "rattvis_frist": regler.andringar.rattvis_frist_arbetsdagar}
    return hashlib.sha256(json.dumps(planning, sort_keys=True).encode()).hexdigest()


def replan_all(
    session: Session, kontext: Kontext, regler: Regler, *, as_of: date, failures: list[ItemFailure] | None = None,
) -> list[Flytt]:
    """Plan every reporting insats's open deadlines by `regler`; a deadline moved into the past (or too
    close) gets the fair due date counted from `as_of`."""
    moves: list[Flytt] = []
    for insats in session.scalars(
        select(Insats).where(Insats.tillstand.in_(list(REPORTING_STATES))).order_by(Insats.id)
    ):
        before = {d.id: d.forfaller for d in insats.deadlines if d.tillstand is DeadlineTillstand.OPPEN}
        with isolated(session, failures, f"Omplanering: {insats.namn}") if failures is not None else nullcontext():
            sync = sync_deadlines(session, insats, regler, kontext, as_of=as_of, orsak="ändrade regler", rattvis_fran=as_of)
            session.flush()
            for d in sync.berorda:
                after = d.forfaller if d.tillstand is DeadlineTillstand.OPPEN else None
                if before.get(d.id) != after:
                    moves.append(Flytt(insats.namn, d.rubrik, before.get(d.id), after))
    return moves


def stored_fingerprint(session: Session) -> str | None:
    row = session.get(Installning, FINGERPRINT)
    return row.varde if row else None


def remember(session: Session, kontext: Kontext, regler: Regler) -> None:
    row = session.get(Installning, FINGERPRINT)
    now = kontext.nu.astimezone(timezone.utc)
    if row is None:
        session.add(Installning(nyckel=FINGERPRINT, varde=fingerprint(regler), andrad=now))
    elif row.varde != fingerprint(regler):
        row.varde, row.andrad = fingerprint(regler), now


def replan_if_rules_changed(
    session: Session, kontext: Kontext, regler: Regler, *, as_of: date, failures: list[ItemFailure] | None = None,
) -> list[Flytt] | None:
    """Re-plan everything open when the rules changed since the last run; None when they did not.

    The first run only remembers the rules: the deadlines in store were planned by them.
    """
    stored = stored_fingerprint(session)
    if stored == fingerprint(regler):
        return None
    remember(session, kontext, regler)
    if stored is None:
        return None
    return replan_all(session, kontext, regler, as_of=as_of, failures=failures)
