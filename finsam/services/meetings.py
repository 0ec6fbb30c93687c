"""The meeting plan: import (YAML or CSV of typ, datum, tid, plats), listing, and routing ansökningar.

A meeting is identified by its kind and date; importing the same plan twice changes nothing,
and a meeting marked `installt` is kept as cancelled (the flows cancel its scheduled runs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from finsam.audit import Kontext
from finsam.domain.enums import MoteTyp
from finsam.domain.meetings import MeetingSlot, document_deadline
from finsam.domain.model import Sammantrade
from finsam.domain.limits import max_length
from finsam.domain.parsing import parse_date, parse_time, plain_text, shown
from finsam.domain.rules_config import Regler
from finsam.domain.yamlfile import load_yaml
from finsam.errors import FinsamError, InputProblem, InvalidInput, NotFound
from finsam.services.tabular import read_csv, read_text

COLUMNS = {"typ", "datum"}
OPTIONAL = {"tid", "plats", "installt", "flyttad_fran"}
_TRUE = {"ja", "true", "1", "x", "yes"}
_FALSE = {"nej", "false", "0", "", "no"}


@dataclass(frozen=True)
class MoteRad:
    line: int | None
    typ: MoteTyp
    datum: date
    tid: time | None
    plats: str | None
    installt: bool
    flyttad_fran: date | None = None  # a meeting moved: the date it had


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML reads 13:00 as sexagesimal 780; give it back as a time.
        return f"{value // 60:02d}:{value % 60:02d}"
    return str(value)


def _parse(line: int | None, values: dict[str, Any], problems: list[InputProblem]) -> MoteRad | None:
    before = len(problems)

    def problem(column: str, message: str) -> None:
        problems.append(InputProblem(message, line=line, column=column))

    for column, value in values.items():
        if isinstance(value, (list, dict, set)):
            problem(shown(str(column)), "ska vara ett enkelt värde, inte en lista")
    values = {k: v for k, v in values.items() if not isinstance(v, (list, dict, set))}
    typ = None
    text = _as_text(values.get("typ")).strip().lower()
    try:
        typ = MoteTyp(text)
    except ValueError:
        allowed = ", ".join(m.value for m in MoteTyp)
        problem("typ", f"okänd mötestyp '{shown(text)}' (ska vara {allowed})" if text else "värde saknas")
    datum = None
    raw_date = values.get("datum")
    if not _as_text(raw_date).strip():
        problem("datum", "värde saknas")
    else:
        try:
            datum = parse_date(_as_text(raw_date))
        except ValueError as e:
            problem("datum", str(e))
    tid = None
    if text := _as_text(values.get("tid")).strip():
        try:
            tid = parse_time(text)
        except ValueError as e:
            problem("tid", str(e))
    installt = _as_text(values.get("installt")).strip().lower()
    if installt not in _TRUE | _FALSE:
        problem("installt", f"'{shown(installt)}' ska vara ja eller nej")
    flyttad = None
    if text := _as_text(values.get("flyttad_fran")).strip():
        try:
            flyttad = parse_date(text)
        except ValueError as e:
            problem("flyttad_fran", str(e))
    plats = None
    try:
        plats = plain_text(_as_text(values.get("plats")), max_length(Sammantrade.plats)) or None
    except ValueError as e:
        problem("plats", str(e))
    unknown = {str(k) for k in values} - COLUMNS - OPTIONAL
    for column in sorted(unknown):
        problem(shown(column), "okänt fält")
    if len(problems) > before:
        return None
    return MoteRad(line, typ, datum, tid, plats, installt in _TRUE, flyttad)  # type: ignore[arg-type]


def _yaml_items(path: Path) -> list[tuple[int, Any]]:
    """The items of a YAML list of meetings, each with the line it starts on."""
    data, root = load_yaml(read_text(path), str(path))
    if isinstance(data, dict) and "sammantraden" in data:
        data = data["sammantraden"]
        root = next(v for k, v in root.value if k.value == "sammantraden")
    if not isinstance(data, list):
        raise InvalidInput(str(path), [InputProblem("filen ska vara en lista av möten (typ, datum, tid, plats)")])
    return [(node.start_mark.line + 1, item) for node, item in zip(root.value, data, strict=True)]


def read_meetings(path: Path) -> list[MoteRad]:
    problems: list[InputProblem] = []
    rows: list[MoteRad] = []
    if path.suffix.lower() in {".yaml", ".yml"}:
        for line, item in _yaml_items(path):
            if not isinstance(item, dict):
                problems.append(InputProblem("posten är inte ett möte med typ, datum, tid och plats", line=line))
            elif parsed := _parse(line, item, problems):
                rows.append(parsed)
    else:
        _header, csv_rows = read_csv(path, required=COLUMNS, optional=OPTIONAL)
        for row in csv_rows:
            if row.problem:
                problems.append(InputProblem(row.problem, line=row.line))
            if parsed := _parse(row.line, row.values, problems):
                rows.append(parsed)
    seen: dict[tuple[MoteTyp, date], MoteRad] = {}
    for row in rows:
        key = (row.typ, row.datum)
        if key in seen:
            where = f"rad {seen[key].line}" if seen[key].line else "tidigare i filen"
            problems.append(InputProblem(f"{row.typ.value} {row.datum} finns redan ({where})", line=row.line, column="datum"))
        seen[key] = row
    if not rows and not problems:
        problems.append(InputProblem("filen innehåller inga möten"))
    if problems:
        raise InvalidInput(str(path), problems)
    return rows


@dataclass
class MeetingImportResult:
    nya: int = 0
    andrade: int = 0
    oforandrade: int = 0
    # Meetings whose date changed or that were cancelled: id → the date they had.
    flyttade: dict[int, date] = field(default_factory=dict)

    def summary(self) -> str:
        return f"{self.nya} nya, {self.andrade} ändrade, {self.oforandrade} oförändrade sammanträden."


def import_meetings(session: Session, kontext: Kontext, path: Path, regler: Regler) -> MeetingImportResult:
    result = MeetingImportResult()
    for row in read_meetings(path):
        mote = session.scalar(select(Sammantrade).where(Sammantrade.typ == row.typ, Sammantrade.datum == row.datum))
        if mote is None and row.flyttad_fran is not None:
            # Moved: the meeting keeps its identity (and its calendar UID and scheduled runs follow it).
            mote = session.scalar(
                select(Sammantrade).where(Sammantrade.typ == row.typ, Sammantrade.datum == row.flyttad_fran)
            )
            if mote is not None:
                result.flyttade[mote.id] = mote.datum
                mote.datum = row.datum
        values = {
            "tid": row.tid,
            "plats": row.plats,
            "installt": row.installt,
            "handlingar_senast": document_deadline(row.datum, regler.handlingar_dagar(row.typ)),
        }
        if mote is None:
            session.add(Sammantrade(typ=row.typ, datum=row.datum, sekvens=0, andrad=kontext.nu.astimezone(timezone.utc),
                                    **values))
            result.nya += 1
            continue
        if row.installt and not mote.installt:
            result.flyttade.setdefault(mote.id, mote.datum)
        changed = False
        for key, value in values.items():
            if getattr(mote, key) != value:
                setattr(mote, key, value)
                changed = True
        if changed:  # calendars that have the meeting replace it (same UID, higher SEQUENCE)
            mote.sekvens += 1
            mote.andrad = kontext.nu.astimezone(timezone.utc)
        result.andrade += changed
        result.oforandrade += not changed
    return result


def change_meeting(
    session: Session, kontext: Kontext, regler: Regler, typ: MoteTyp, datum: date, *, nytt_datum: date | None = None,
    installt: bool = False,
) -> dict[int, date]:
    """Move one meeting to a new date, or cancel it (one change of the plan, as from a run form).

    Returns the meeting as `MeetingImportResult.flyttade` does: its id and the date it had.
    """
    mote = session.scalar(select(Sammantrade).where(Sammantrade.typ == typ, Sammantrade.datum == datum))
    if mote is None:
        raise NotFound(f"Det finns inget {typ.label.lower()} {datum.isoformat()} i mötesplanen.")
    if installt == (nytt_datum is not None):
        raise FinsamError("Ange antingen ett nytt datum eller att mötet är inställt.")
    if installt and mote.installt:
        raise FinsamError(f"{mote.rubrik} är redan inställt.")
    if nytt_datum is not None:
        if nytt_datum == datum:
            raise FinsamError(f"{mote.rubrik} har redan det datumet.")
        if session.scalar(select(Sammantrade).where(Sammantrade.typ == typ, Sammantrade.datum == nytt_datum)):
            raise FinsamError(f"Det finns redan ett {typ.label.lower()} {nytt_datum.isoformat()}.")
        mote.datum = nytt_datum
        mote.handlingar_senast = document_deadline(nytt_datum, regler.handlingar_dagar(typ))
        mote.installt = False
    else:
        mote.installt = True
    mote.sekvens += 1  # calendars that have the meeting replace it (same UID, higher SEQUENCE)
    mote.andrad = kontext.nu.astimezone(timezone.utc)
    return {mote.id: datum}


def list_meetings(session: Session, *, include_cancelled: bool = True) -> list[Sammantrade]:
    query = select(Sammantrade).order_by(Sammantrade.datum, Sammantrade.typ)
    if not include_cancelled:
        query = query.where(Sammantrade.installt.is_(False))
    return list(session.scalars(query))


def meeting_slots(session: Session) -> list[MeetingSlot]:
    return [MeetingSlot(m.id, m.typ, m.datum, m.handlingar_senast) for m in list_meetings(session, include_cancelled=False)]
