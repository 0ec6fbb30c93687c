"""Finding an insats from what a user types: a diarienummer, an id or (part of) a name."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from finsam.domain.model import Insats
from finsam.domain.parsing import shown
from finsam.errors import NotFound

T = TypeVar("T")


MAX_ID = 2**31 - 1  # ids are INTEGER: a larger number is no id, and PostgreSQL would refuse to compare it


def by_id(session: Session, model: type[T], row_id: int) -> T | None:
    """The row with this id, or None (also for a number no id can be)."""
    return session.get(model, row_id) if 0 < row_id <= MAX_ID else None


def find_insats(session: Session, ref: str) -> Insats:
    ref = ref.strip()
    if not ref:
        raise NotFound("Ange en insats (namn, diarienummer eller id).")
    if len(ref) > 300:
        raise NotFound(f"Ingen insats matchar '{shown(ref)}' (ett namn har högst 300 tecken).")
    found = session.scalar(select(Insats).where(func.lower(Insats.diarienummer) == ref.lower()))
    if found is not None:
        return found
    if ref.isascii() and ref.isdigit() and (found := by_id(session, Insats, int(ref))) is not None:
        return found
    exact = session.scalars(select(Insats).where(func.lower(Insats.namn) == ref.lower())).all()
    if len(exact) == 1:
        return exact[0]
    candidates = exact or session.scalars(
        select(Insats).where(func.lower(Insats.namn).contains(ref.lower(), autoescape=True)).order_by(Insats.namn)
    ).all()
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise NotFound(f"Ingen insats matchar '{shown(ref)}'.")
    names = "\n".join(f"  {i.id}: {i.ref}" for i in candidates[:20])
    raise NotFound(f"'{shown(ref)}' matchar {len(candidates)} insatser; ange diarienummer eller id:\n{names}")
