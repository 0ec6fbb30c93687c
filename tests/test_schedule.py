"""The report schedule rules: examples from the förbund's practice, and properties over many insatser."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from finsam.domain.enums import RapportTyp
from finsam.domain.schedule import ReportSchedule, SchemaTyp, plan_deadlines
from swedish_days import working_day

ROLLING = ReportSchedule()
FIXED = ReportSchedule(schema=SchemaTyp.FASTA_DATUM, fasta_datum=((4, 30), (10, 31)))


def periods(plan):
    return [(d.typ, d.nr, d.period_start, d.period_slut, d.forfaller) for d in plan]


def test_rolling_six_months_from_start() -> None:
    plan = plan_deadlines(date(2019, 10, 1), date(2021, 12, 31), ROLLING, as_of=date(2021, 6, 1))
    assert periods(plan) == [
        (RapportTyp.DELRAPPORT, 1, date(2019, 10, 1), date(2020, 3, 31), date(2020, 4, 30)),
        (RapportTyp.DELRAPPORT, 2, date(2020, 4, 1), date(2020, 9, 30), date(2020, 10, 30)),
        (RapportTyp.DELRAPPORT, 3, date(2020, 10, 1), date(2021, 3, 31), date(2021, 4, 30)),
        # 2021-10-31 (Sunday) + 30 days, moved to Monday
        (RapportTyp.DELRAPPORT, 4, date(2021, 4, 1), date(2021, 9, 30), date(2021, 11, 1)),
        # 2021-12-31 + 60 days = 2022-03-01, a Tuesday
        (RapportTyp.SLUTRAPPORT, 1, date(2021, 10, 1), date(2021, 12, 31), date(2022, 3, 1)),
    ]


def test_rolling_from_the_end_of_a_month_does_not_drift() -> None:
    plan = plan_deadlines(date(2020, 8, 31), date(2022, 8, 30), ROLLING, as_of=date(2020, 8, 31))
    assert [d.period_slut for d in plan if d.typ is RapportTyp.DELRAPPORT] == [
        date(2021, 2, 27),
        date(2021, 8, 30),
        date(2022, 2, 27),
    ]


def test_fixed_cut_dates_merge_a_short_first_period() -> None:
    """The real delrapport covered 2019-10-01 – 2020-04-30: a cut one month after start is skipped."""
    plan = plan_deadlines(date(2019, 10, 1), date(2021, 12, 31), FIXED, as_of=date(2021, 6, 1))
    assert [(d.period_start, d.period_slut) for d in plan] == [
        (date(2019, 10, 1), date(2020, 4, 30)),
        (date(2020, 5, 1), date(2020, 10, 31)),
        (date(2020, 11, 1), date(2021, 4, 30)),
        (date(2021, 5, 1), date(2021, 10, 31)),
        (date(2021, 11, 1), date(2021, 12, 31)),
    ]
    assert plan[-1].typ is RapportTyp.SLUTRAPPORT


def test_no_delrapport_right_before_the_slutrapport() -> None:
    # The 2021-10-31 cut leaves 30 days to the end: the slutrapport takes that stretch.
    schedule = ReportSchedule(schema=SchemaTyp.FASTA_DATUM, fasta_datum=((4, 30), (10, 31)), minsta_period_dagar=60)
    plan = plan_deadlines(date(2021, 1, 1), date(2021, 11, 30), schedule, as_of=date(2021, 1, 1))
    assert [(d.typ, d.period_slut) for d in plan] == [
        (RapportTyp.DELRAPPORT, date(2021, 4, 30)),
        (RapportTyp.SLUTRAPPORT, date(2021, 11, 30)),
    ]
    assert plan[1].period_start == date(2021, 5, 1)


def test_explicit_date_list() -> None:
    schedule = ReportSchedule(schema=SchemaTyp.DATUMLISTA, datumlista=(date(2021, 6, 30), date(2021, 3, 31)))
    plan = plan_deadlines(date(2021, 1, 1), date(2021, 12, 31), schedule, as_of=date(2021, 1, 1))
    assert [d.period_slut for d in plan] == [date(2021, 3, 31), date(2021, 6, 30), date(2021, 12, 31)]


def test_short_insats_owes_only_a_slutrapport() -> None:
    plan = plan_deadlines(date(2021, 10, 1), date(2021, 12, 31), ROLLING, as_of=date(2021, 10, 1))
    assert [(d.typ, d.period_start, d.forfaller) for d in plan] == [
        (RapportTyp.SLUTRAPPORT, date(2021, 10, 1), date(2022, 3, 1))
    ]


def test_open_ended_insats_plans_to_the_horizon_and_owes_no_slutrapport() -> None:
    plan = plan_deadlines(date(2019, 9, 1), None, ROLLING, as_of=date(2021, 6, 1))
    assert all(d.typ is RapportTyp.DELRAPPORT for d in plan)
    assert plan[-1].period_slut <= date(2022, 6, 1)
    assert plan[-1].period_slut == date(2022, 2, 28)


def test_end_before_start_is_refused() -> None:
    with pytest.raises(ValueError, match="före startdatum"):
        plan_deadlines(date(2021, 1, 1), date(2020, 1, 1), ROLLING, as_of=date(2021, 1, 1))


def test_planning_after_a_fulfilled_period_continues_the_numbering() -> None:
    full = plan_deadlines(date(2019, 10, 1), date(2021, 12, 31), ROLLING, as_of=date(2021, 6, 1))
    tail = plan_deadlines(
        date(2019, 10, 1), date(2021, 12, 31), ROLLING, as_of=date(2021, 6, 1), covered_until=date(2020, 9, 30), first_nr=3
    )
    assert periods(tail) == periods(full[2:])


# --- properties over many insatser and dates 2019–2035 ---

month_days = st.tuples(st.integers(1, 12), st.integers(1, 31)).filter(lambda md: md[1] <= [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][md[0] - 1])


@st.composite
def schedules(draw) -> ReportSchedule:
    kind = draw(st.sampled_from(list(SchemaTyp)))
    return ReportSchedule(
        schema=kind,
        manader=draw(st.integers(1, 12)),
        fasta_datum=tuple(draw(st.lists(month_days, min_size=1, max_size=4))),
        datumlista=tuple(draw(st.lists(st.dates(date(2019, 1, 1), date(2035, 12, 31)), min_size=1, max_size=12))),
        dagar_efter_period=draw(st.integers(0, 90)),
        slutrapport_dagar_efter_slut=draw(st.integers(0, 120)),
        minsta_period_dagar=draw(st.integers(1, 120)),
        horisont_manader=draw(st.integers(1, 24)),
    )


@st.composite
def insatser(draw):
    start = draw(st.dates(date(2019, 1, 1), date(2034, 12, 31)))
    length = draw(st.integers(0, 4 * 366))
    end = draw(st.one_of(st.none(), st.just(min(start + timedelta(days=length), date(2035, 12, 31)))))
    as_of = draw(st.dates(date(2019, 1, 1), date(2035, 12, 31)))
    return start, end, as_of


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(insatser(), schedules())
def test_periods_tile_the_insatstid(insats, schedule: ReportSchedule) -> None:
    start, end, as_of = insats
    plan = plan_deadlines(start, end, schedule, as_of=as_of)
    if end is not None:
        assert plan, "an insats with an end date owes at least its slutrapport"
        assert plan[-1].typ is RapportTyp.SLUTRAPPORT and plan[-1].period_slut == end
        assert sum(d.typ is RapportTyp.SLUTRAPPORT for d in plan) == 1
    else:
        assert all(d.typ is RapportTyp.DELRAPPORT for d in plan)
    expected_start = start
    for d in plan:
        assert d.period_start == expected_start, "no gap, no overlap"
        assert d.period_start <= d.period_slut
        expected_start = d.period_slut + timedelta(days=1)
    delrapporter = [d for d in plan if d.typ is RapportTyp.DELRAPPORT]
    assert [d.nr for d in delrapporter] == list(range(1, len(delrapporter) + 1))
    for d in delrapporter:
        assert (d.period_slut - d.period_start).days + 1 >= schedule.minsta_period_dagar
        if end is not None:
            assert (end - d.period_slut).days >= schedule.minsta_period_dagar


@settings(max_examples=400)
@given(insatser(), schedules())
def test_every_due_date_is_a_working_day_after_its_period(insats, schedule: ReportSchedule) -> None:
    start, end, as_of = insats
    for d in plan_deadlines(start, end, schedule, as_of=as_of):
        assert working_day(d.forfaller)
        assert d.forfaller >= d.period_slut
        days = schedule.dagar_efter_period if d.typ is RapportTyp.DELRAPPORT else schedule.slutrapport_dagar_efter_slut
        assert d.period_slut + timedelta(days=days) <= d.forfaller <= d.period_slut + timedelta(days=days + 6)


@settings(max_examples=300)
@given(insatser(), schedules(), st.data())
def test_recomputation_is_stable_and_a_tail_replans_identically(insats, schedule: ReportSchedule, data) -> None:
    start, end, as_of = insats
    first = plan_deadlines(start, end, schedule, as_of=as_of)
    assert plan_deadlines(start, end, schedule, as_of=as_of) == first
    delrapporter = [d for d in first if d.typ is RapportTyp.DELRAPPORT]
    assume(delrapporter)
    k = data.draw(st.integers(0, len(delrapporter) - 1))
    tail = plan_deadlines(
        start, end, schedule, as_of=as_of, covered_until=delrapporter[k].period_slut, first_nr=delrapporter[k].nr + 1
    )
    assert tail == first[k + 1 :]
