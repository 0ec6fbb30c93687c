"""Finding an insats from what a user types: a diarienummer, an id or (part of) a name."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from finsam.domain.model import Insats
from finsam.errors import NotFound


def find_insats(session: Session, ref: str) -> Insats:
    ref = ref.strip()
    if not ref:
        raise NotFound("Ange en insats (namn, diarienummer eller id).")
    found = session.scalar(select(Insats).where(func.lower(Insats.diarienummer) == ref.lower()))
    if found is not None:
        return found
    if ref.isdigit() and (found := session.get(Insats, int(ref))) is not None:
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
        raise NotFound(f"Ingen insats matchar '{ref}'.")
    names = "\n".join(f"  {i.id}: {i.ref}" for i in candidates[:20])
    raise NotFound(f"'{ref}' matchar {len(candidates)} insatser; ange diarienummer eller id:\n{names}")
