"""What every task shares: who acts (the flow run), the database, and the insats tags on runs."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from contextlib import contextmanager

from prefect import get_client, get_run_logger
from prefect.exceptions import MissingContextError
from prefect.runtime import flow_run
from sqlalchemy import select
from sqlalchemy.orm import Session

from finsam import wiring
from finsam.domain.model import Insats
from finsam.errors import DatabaseUnavailable, FinsamError


def refusal_as_result(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """A registration the rules refuse (an insats that does not exist, a step not allowed) is no failure
    of the task: it returns `{"avvisad": reason}`, logged as one Swedish line, for the flow to end as
    "Avvisad" (no traceback, and no alarm to the kansli: that is for real failures)."""

    @functools.wraps(fn)
    def refusing(*args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            return fn(*args, **kwargs)
        except DatabaseUnavailable:
            raise  # the database went away: a real failure, the kansli is alarmed and the run can be retried
        except FinsamError as e:
            run_logger().warning("Avvisad: %s", e)
            return {"avvisad": str(e)}

    return refusing


def run_logger() -> logging.Logger | logging.LoggerAdapter:
    try:
        return get_run_logger()
    except MissingContextError:  # called outside a run (the chaos benchmark calls the functions directly)
        return logging.getLogger("finsam")


def actor() -> str:
    """Who acted, for the audit log: the person who filled in the run form and the run, e.g.
    `Karin Lund (flöde registrera-beslut/Beslut – SFG 21-6.58)`, or the run alone for scheduled work."""
    name = flow_run.get_flow_name() or "prefect"
    run = flow_run.get_name() or "?"
    person = next(filter(None, (_registrant(value) for value in (flow_run.parameters or {}).values())), None)
    return f"{person} (flöde {name}/{run})"[:200] if person else f"flöde {name}/{run}"[:200]


def _registrant(value: Any) -> str | None:  # noqa: ANN401 - a flow parameter: a form, or its JSON from a deployment run
    person = value.get("registreras_av") if isinstance(value, dict) else getattr(value, "registreras_av", None)
    return person.strip() if isinstance(person, str) and person.strip() else None


@contextmanager
def work(atgard: str, *, dry_run: bool = False) -> Iterator[Session]:
    with wiring.work(actor(), atgard, dry_run=dry_run) as session:
        yield session


reading = wiring.reading


def insats_tag(insats: Insats) -> str:
    """The tag that lets the kansli filter the UI down to one insats: its diarienummer, else its name (an id is
    nothing the kansli sees)."""
    return _tag(insats.namn, insats.diarienummer)


def _tag(namn: str, diarienummer: str | None) -> str:
    return f"insats:{diarienummer}" if diarienummer else f"insats:{namn}"


def tag_with_insats_named(ref: object) -> None:
    """Tag the run with the insats a refused form names, when it names one (a refusal is still about it)."""
    from finsam.services.lookup import find_insats

    if not isinstance(ref, str) or not ref.strip():
        return
    try:
        with reading() as session:
            tag = insats_tag(find_insats(session, ref))
    except FinsamError:
        return  # no such insats (the reason it was refused, maybe): nothing to tag
    tag_this_run([tag])


def insats_tags(session: Session, ids: Iterable[int]) -> list[str]:
    """The tags of many insatser, read as two columns in chunks (a big day touches thousands)."""
    ids = sorted(ids)
    tags: set[str] = set()
    for first in range(0, len(ids), 500):
        rows = session.execute(select(Insats.namn, Insats.diarienummer).where(Insats.id.in_(ids[first:first + 500])))
        tags.update(_tag(n, d) for n, d in rows)
    return sorted(tags)


def tag_this_run(tags: Iterable[str]) -> None:
    """Add tags to the running flow run (its insatser), keeping those it has."""
    run_id = flow_run.get_id()
    tags = sorted(set(tags))
    if not run_id or not tags:
        return
    with get_client(sync_client=True) as client:
        current = client.read_flow_run(run_id).tags
        client.update_flow_run(run_id, tags=sorted(set(current) | set(tags)))
