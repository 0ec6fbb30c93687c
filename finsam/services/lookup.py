"""Finding what a user names: an insats by diarienummer, id or (part of) its name; one of its
reports by its heading ("Delrapport 2"); a queued file by its name."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from finsam.domain.enums import DeadlineTillstand
from finsam.domain.identity import identity_key
from finsam.domain.model import Deadline, Insats, RapportKo, Yttrande
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
    key = identity_key(ref)  # the form every door compares (finsam.domain.identity)
    found = session.scalar(select(Insats).where(Insats.diarienummer_nyckel == key))
    if found is not None:
        return found
    if ref.isascii() and ref.isdigit() and (found := by_id(session, Insats, int(ref))) is not None:
        return found
    exact = session.scalars(select(Insats).where(Insats.namn_nyckel == key)).all()
    if len(exact) == 1:
        return exact[0]
    candidates = exact or session.scalars(
        select(Insats).where(Insats.namn_nyckel.contains(key, autoescape=True)).order_by(Insats.namn)
    ).all()
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise NotFound(f"Ingen insats matchar '{shown(ref)}'.")
    names = "\n".join(f"  {i.id}: {i.ref}" for i in candidates[:20])
    raise NotFound(f"'{shown(ref)}' matchar {len(candidates)} insatser; ange diarienummer eller id:\n{names}")


def find_report(insats: Insats, rubrik: str) -> Deadline:
    """One of the insats's open reports by its heading as the lists show it: "Delrapport 2", "Slutrapport"."""
    wanted = " ".join(rubrik.split()).casefold()
    open_ = [d for d in insats.deadlines if d.tillstand is DeadlineTillstand.OPPEN]
    found = next((d for d in open_ if d.rubrik.casefold() == wanted), None)
    if found is not None:
        return found
    choices = ", ".join(f"{d.rubrik} (senast {d.forfaller.isoformat()})" for d in sorted(open_, key=lambda d: d.forfaller))
    raise NotFound(f"{insats.namn} har ingen öppen rapport som heter '{shown(rubrik[:100])}'. "
                   + (f"Öppna rapporter: {choices}." if choices else "Den har inga öppna rapporter."))


def find_queued(session: Session, filnamn: str) -> RapportKo:
    """A document waiting in the kansli's queue, by its file name as the queue lists it."""
    rows = session.scalars(select(RapportKo).where(RapportKo.hanterad.is_(None)).order_by(RapportKo.skapad.desc())).all()
    wanted = filnamn.strip().casefold()
    matching = [r for r in rows if r.filnamn.casefold() == wanted]
    if matching:
        return matching[0]  # the same name twice: the latest (the queue lists both with their dates)
    names = ", ".join(r.filnamn for r in rows[:20])
    raise NotFound(f"Ingen fil i kansliets kö heter '{shown(filnamn[:300])}'. "
                   + (f"I kön: {names}." if names else "Kön är tom."))


def latest_yttrande(session: Session, insats_id: int) -> Yttrande | None:
    """The beredningsgrupp's latest yttrande on an insats (a returned ansökan may have had several)."""
    return session.scalar(
        select(Yttrande).where(Yttrande.insats_id == insats_id).order_by(Yttrande.datum.desc(), Yttrande.id.desc()).limit(1)
    )
