"""Report schedules: which delrapporter and which slutrapport an insats owes, and when.

Pure functions of dates and a ReportSchedule (after Hypha's ReportConfig: a start, an
occurrence, a frequency). No clock and no database: callers pass every date in.

The periods tile the insatstid: delrapport 1 starts on the start date, each period starts
the day after the previous one ends, and the slutrapport covers what is left up to the end
date. A period shorter than `minsta_period_dagar` is not cut off on its own: a cut that close
to the start (or to the previous cut) is skipped, and so is one that close to the end, where
the slutrapport would follow right behind a delrapport.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from finsam.domain.enums import RapportTyp
from finsam.domain.workdays import next_working_day


class SchemaTyp(StrEnum):
    ROLLANDE = "rullande"  # every N months, counted from the start date
    FASTA_DATUM = "fasta_datum"  # at fixed dates each year, e.g. 30 April and 31 October
    DATUMLISTA = "datumlista"  # at the dates in an explicit list


@dataclass(frozen=True)
class ReportSchedule:
    schema: SchemaTyp = SchemaTyp.ROLLANDE
    manader: int = 6
    fasta_datum: tuple[tuple[int, int], ...] = ((4, 30), (10, 31))  # (month, day)
    datumlista: tuple[date, ...] = ()
    dagar_efter_period: int = 30  # delrapport due this many days after its period ends
    slutrapport_dagar_efter_slut: int = 60
    minsta_period_dagar: int = 60
    horisont_manader: int = 12  # open-ended insatser: plan delrapporter this far past `as_of`


@dataclass(frozen=True, order=True)
class PlannedDeadline:
    """A deadline as the rules see it: what is owed, for which period, by when."""

    period_slut: date
    typ: RapportTyp = field(compare=False)
    nr: int = field(compare=False)
    period_start: date = field(compare=False)
    forfaller: date = field(compare=False)


def due_date(period_end: date, days_after: int) -> date:
    """The due date: `days_after` days after the period ends, moved to a Swedish working day."""
    return next_working_day(period_end + timedelta(days=days_after))


def _month_day(year: int, month: int, day: int) -> date:
    """A fixed date in a given year; 29 February falls back to the 28th in common years."""
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def _candidate_cuts(start: date, last: date, schedule: ReportSchedule) -> list[date]:
    """Every date that could end a delrapport period, from `start` up to `last` inclusive."""
    if schedule.schema is SchemaTyp.ROLLANDE:
        cuts = []
        k = 1
        # Counted from the start each time (not month by month) so 31 Aug + 6 months does not drift.
        while (cut := start + relativedelta(months=schedule.manader * k) - timedelta(days=1)) <= last:
            cuts.append(cut)
            k += 1
        return cuts
    if schedule.schema is SchemaTyp.FASTA_DATUM:
        return sorted(
            d
            for year in range(start.year, last.year + 1)
            for (month, day) in schedule.fasta_datum
            if start <= (d := _month_day(year, month, day)) <= last
        )
    return sorted(d for d in set(schedule.datumlista) if start <= d <= last)


def plan_deadlines(
    start: date,
    end: date | None,
    schedule: ReportSchedule,
    *,
    as_of: date,
    covered_until: date | None = None,
    first_nr: int = 1,
) -> list[PlannedDeadline]:
    """The deadlines an insats owes from `covered_until` (exclusive) on.

    `covered_until` is the end of the last period already reported (fulfilled deadlines are
    never re-planned); `first_nr` the number the next delrapport gets. An insats with no end
    date gets delrapporter up to `horisont_manader` past `as_of` and no slutrapport yet.
    """
    if end is not None and end < start:
        raise ValueError(f"slutdatum {end} är före startdatum {start}")
    period_start = start if covered_until is None else covered_until + timedelta(days=1)
    if end is not None and period_start > end:
        # An avbrott inside a period already reported on: a slutrapport is still owed, for the whole insats.
        return [PlannedDeadline(typ=RapportTyp.SLUTRAPPORT, nr=1, period_start=start, period_slut=end,
                                forfaller=due_date(end, schedule.slutrapport_dagar_efter_slut))]
    last_cut = end if end is not None else as_of + relativedelta(months=schedule.horisont_manader)
    minimum = timedelta(days=schedule.minsta_period_dagar)

    planned: list[PlannedDeadline] = []
    nr = first_nr
    for cut in _candidate_cuts(start, last_cut, schedule):
        if cut < period_start or cut - period_start + timedelta(days=1) < minimum:
            continue  # before what is still open, or too short a period to report on
        if end is not None and (cut >= end or end - cut < minimum):
            continue  # the slutrapport covers this stretch
        planned.append(
            PlannedDeadline(
                typ=RapportTyp.DELRAPPORT,
                nr=nr,
                period_start=period_start,
                period_slut=cut,
                forfaller=due_date(cut, schedule.dagar_efter_period),
            )
        )
        nr += 1
        period_start = cut + timedelta(days=1)

    if end is not None:
        planned.append(
            PlannedDeadline(
                typ=RapportTyp.SLUTRAPPORT,
                nr=1,
                period_start=period_start,
                period_slut=end,
                forfaller=due_date(end, schedule.slutrapport_dagar_efter_slut),
            )
        )
    return planned
