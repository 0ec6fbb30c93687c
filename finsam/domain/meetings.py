"""Meeting rules: document deadlines, and which meeting an ansökan goes to.

An ansökan goes to the first beredningsgrupp meeting whose document deadline it makes; its
decision to the first styrelse meeting whose document deadline the yttrande makes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from finsam.domain.enums import MoteTyp
from finsam.domain.workdays import previous_working_day


@dataclass(frozen=True)
class MeetingSlot:
    id: int | None
    typ: MoteTyp
    datum: date
    handlingar_senast: date


def document_deadline(meeting_date: date, days_before: int) -> date:
    """The last day documents can reach the kansli for a meeting.

    Moved back, not forward, to a working day: unlike a deadline owed to the förbund, this
    one protects the time the members need to read before the meeting.
    """
    return previous_working_day(meeting_date - timedelta(days=days_before))


def _first(meetings: Iterable[MeetingSlot], typ: MoteTyp, ready: date) -> MeetingSlot | None:
    candidates = [m for m in meetings if m.typ is typ and m.handlingar_senast >= ready and m.datum > ready]
    return min(candidates, key=lambda m: m.datum, default=None)


def beredning_for(ankomstdatum: date, meetings: Iterable[MeetingSlot]) -> MeetingSlot | None:
    """The beredningsgrupp meeting that handles an ansökan arriving on `ankomstdatum`."""
    return _first(meetings, MoteTyp.BEREDNINGSGRUPP, ankomstdatum)


def styrelse_for(yttrande_datum: date, meetings: Iterable[MeetingSlot]) -> MeetingSlot | None:
    """The styrelse meeting that decides on an ansökan whose yttrande is given on `yttrande_datum`."""
    return _first(meetings, MoteTyp.STYRELSE, yttrande_datum)
