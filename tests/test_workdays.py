from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finsam.domain.workdays import holiday_name, is_working_day, next_working_day, previous_working_day


@pytest.mark.parametrize(
    ("day", "expected", "why"),
    [
        (date(2021, 6, 25), date(2021, 6, 28), "midsommarafton (Fri), then midsommardagen and Sunday"),
        (date(2021, 12, 24), date(2021, 12, 27), "julafton, juldagen, annandag jul (Sunday)"),
        (date(2021, 12, 31), date(2022, 1, 3), "nyårsafton, nyårsdagen (Sat), Sunday"),
        (date(2022, 4, 15), date(2022, 4, 19), "långfredagen to annandag påsk"),
        (date(2021, 5, 13), date(2021, 5, 14), "Kristi himmelsfärdsdag"),
        (date(2022, 6, 6), date(2022, 6, 7), "nationaldagen on a Monday"),
        (date(2021, 11, 6), date(2021, 11, 8), "alla helgons dag (Sat)"),
        (date(2021, 1, 6), date(2021, 1, 7), "trettondedag jul"),
        (date(2021, 5, 1), date(2021, 5, 3), "första maj (Sat)"),
        (date(2021, 6, 5), date(2021, 6, 7), "an ordinary Saturday"),
        (date(2021, 6, 2), date(2021, 6, 2), "an ordinary Wednesday stays"),
    ],
)
def test_deadline_moves_to_next_working_day(day: date, expected: date, why: str) -> None:
    assert next_working_day(day) == expected, why


def test_holiday_names_are_swedish() -> None:
    assert holiday_name(date(2021, 6, 25)) == "Midsommarafton"
    assert holiday_name(date(2021, 12, 24)) == "Julafton"
    assert holiday_name(date(2021, 12, 31)) == "Nyårsafton"
    assert holiday_name(date(2021, 6, 2)) is None


def test_document_deadlines_move_back() -> None:
    assert previous_working_day(date(2021, 6, 26)) == date(2021, 6, 24)


@given(st.dates(min_value=date(2019, 1, 1), max_value=date(2035, 12, 31)))
def test_next_working_day_is_a_working_day_and_the_first(day: date) -> None:
    result = next_working_day(day)
    assert is_working_day(result)
    assert result.weekday() < 5
    assert day <= result <= day + timedelta(days=6)
    current = day
    while current < result:
        assert not is_working_day(current)
        current += timedelta(days=1)
