"""The ladder rule on its own: the right step on the right day, catch-up, anstånd."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from finsam.domain.ladder import Ladder, MeddelandeTyp, Mottagare, offset_of

LADDER = Ladder.build(
    before=[30, 14, 3, 0],
    after=[(3, Mottagare.INSATSAGARE, (Mottagare.KANSLI,), False), (14, Mottagare.VERKSAMHETSUTVECKLARE, (), False),
           (30, Mottagare.FORBUNDSCHEF, (), True)],
)
DUE = date(2027, 4, 30)


def test_each_step_on_its_day() -> None:
    sent: set[int] = set()
    fired = {}
    for n in range(-40, 60):
        day = DUE + timedelta(days=n)
        step = LADDER.step_to_send(DUE, day, sent)
        if step:
            sent.add(step.offset)
            fired[step.key] = (day - DUE).days
    assert fired == {"fore-30": -30, "fore-14": -14, "fore-3": -3, "forfallodag": 0, "efter-3": 3, "efter-14": 14, "efter-30": 30}


def test_kinds_and_recipients() -> None:
    kinds = {s.key: (s.kind, s.till) for s in LADDER.steps}
    assert kinds["fore-3"] == (MeddelandeTyp.PAMINNELSE, Mottagare.INSATSAGARE)
    assert kinds["efter-3"] == (MeddelandeTyp.FORSENAD, Mottagare.INSATSAGARE)
    assert kinds["efter-14"] == (MeddelandeTyp.ESKALERING, Mottagare.VERKSAMHETSUTVECKLARE)
    assert LADDER.by_key("efter-30").flagga_styrelse


def test_a_missed_week_catches_up_with_the_latest_step_only() -> None:
    sent = {-30}
    assert LADDER.step_to_send(DUE, DUE - timedelta(days=1), sent).key == "fore-3"  # -14 and -3 were missed
    assert LADDER.step_to_send(DUE, DUE + timedelta(days=20), {-30, -14}).key == "efter-14"
    assert LADDER.step_to_send(DUE, DUE + timedelta(days=20), {-30, 14}) is None  # the latest went already


def test_nothing_before_the_first_step() -> None:
    assert LADDER.step_to_send(DUE, DUE - timedelta(days=31), set()) is None


@given(st.lists(st.integers(-45, 60), unique=True, min_size=1, max_size=40))
def test_runs_on_any_days_send_each_step_at_most_once_and_never_a_stale_one(days: list[int]) -> None:
    sent: list[int] = []
    for n in sorted(days):
        step = LADDER.step_to_send(DUE, DUE + timedelta(days=n), set(sent))
        if step:
            assert step.offset <= n  # never before its day
            assert step == LADDER.applicable(DUE, DUE + timedelta(days=n))  # the latest that applies
            sent.append(step.offset)
    assert len(sent) == len(set(sent))
    assert sent == sorted(sent)


def test_offsets_from_keys() -> None:
    assert [offset_of(s.key) for s in LADDER.steps] == [s.offset for s in LADDER.steps]
