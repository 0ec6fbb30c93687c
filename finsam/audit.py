"""The audit log: every insert, update and delete of domain rows becomes a `handelse` row.

A session carries who acts and in which use case (`Kontext`); a listener writes the log in
the same transaction as the change, so the log and the data cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import event, inspect, insert
from sqlalchemy.orm import Session

from finsam.domain.model import Base, Handelse


@dataclass(frozen=True)
class Kontext:
    """Who acts (a person or a flow), in which use case, and when (injected, never read from a clock here)."""

    aktor: str
    atgard: str
    nu: datetime

    def __post_init__(self) -> None:
        if self.nu.tzinfo is None:
            raise ValueError("Kontext.nu must be timezone-aware")
        # Bounded here, once, for every door: a use case named after a file or a mail attachment can be longer
        # than the audit log's column (the same on SQLite, which would keep it, and PostgreSQL, which refuses).
        object.__setattr__(self, "atgard", _bounded(self.atgard))
        object.__setattr__(self, "aktor", _bounded(self.aktor))


def _bounded(text: str, limit: int = 200) -> str:
    text = "".join(c if c.isprintable() else " " for c in text.encode("utf-8", "replace").decode("utf-8"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


_AS_IS = frozenset({str, int, float, bool, type(None)})  # exact types: an Enum that is also a str is not one


def _plain(value: Any) -> Any:
    if type(value) in _AS_IS:
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} byte>"  # e.g. a rendered message: its size, not its content
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _columns(obj: Base) -> dict[str, Any]:
    state = inspect(obj)
    loaded = state.dict  # an attribute not loaded (expired) is read, and so loaded, as before
    return {key: _plain(loaded[key] if key in loaded else getattr(obj, key)) for key in state.mapper.columns.keys()}


def _changes(obj: Base) -> dict[str, Any]:
    state = inspect(obj)
    changed = {}
    for attr in state.attrs:
        if attr.key not in state.mapper.columns:
            continue
        history = attr.history
        if history.has_changes():
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before != after:
                changed[attr.key] = {"fore": _plain(before), "efter": _plain(after)}
    return changed


def _row(kontext: Kontext, obj: Base, andring: str, detaljer: dict[str, Any]) -> dict[str, Any]:
    insats_id = obj.id if obj.__tablename__ == "insats" else getattr(obj, "insats_id", None)
    state = inspect(obj)
    # A row just inserted has its key but not yet its identity (the session registers it after this listener).
    identity = state.identity or state.mapper.primary_key_from_instance(obj)
    return _entry(kontext, obj.__tablename__, identity, insats_id, andring, detaljer)


def _entry(
    kontext: Kontext, table: str, identity: Any, insats_id: int | None, andring: str, detaljer: dict[str, Any]
) -> dict[str, Any]:
    return {
        "tid": kontext.nu.astimezone(timezone.utc),  # stored in UTC; SQLite keeps no offset
        "aktor": kontext.aktor,
        "atgard": kontext.atgard,
        "andring": andring,
        "objekt": table,
        "objekt_id": "/".join(str(v) for v in identity) if identity else None,
        "insats_id": insats_id,
        "detaljer": detaljer,
    }


def _kontext(session: Session) -> Kontext:
    kontext = session.info.get("kontext")
    if kontext is None:
        raise RuntimeError("a session that changes domain rows must carry a Kontext (use finsam.db.unit_of_work)")
    return kontext


def record_inserted(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """The log of rows inserted in bulk, past the unit of work (finsam.db.insert_rows): the same
    entries a flush of the same new objects writes. Each row holds every column, its key included."""
    kontext = _kontext(session)
    mapper = inspect(model)
    keys = mapper.columns.keys()
    primary = [mapper.get_property_by_column(c).key for c in mapper.primary_key]
    entries = [
        _entry(
            kontext, model.__tablename__, [row[k] for k in primary],
            row["id"] if model.__tablename__ == "insats" else row.get("insats_id"),
            "skapad", {k: _plain(row[k]) for k in keys},
        )
        for row in rows
    ]
    if entries:
        session.connection().execute(insert(Handelse), entries)


@event.listens_for(Session, "after_flush")
def _write_audit(session: Session, _flush_context: Any) -> None:
    objects = [o for o in (*session.new, *session.dirty, *session.deleted) if isinstance(o, Base)]
    objects = [o for o in objects if not isinstance(o, Handelse)]
    if not objects:
        return
    kontext = _kontext(session)
    rows = []
    for obj in session.new:
        if isinstance(obj, Base) and not isinstance(obj, Handelse):
            rows.append(_row(kontext, obj, "skapad", _columns(obj)))
    for obj in session.dirty:
        if isinstance(obj, Base) and not isinstance(obj, Handelse) and (changes := _changes(obj)):
            rows.append(_row(kontext, obj, "andrad", changes))
    for obj in session.deleted:
        if isinstance(obj, Base) and not isinstance(obj, Handelse):
            rows.append(_row(kontext, obj, "borttagen", _columns(obj)))
    if rows:
        session.connection().execute(insert(Handelse), rows)
