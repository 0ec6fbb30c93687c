from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finsam.domain.workdays import add_working_days, holiday_name, is_working_day, next_working_day, previous_working_day
from swedish_days import easter_sunday, working_day


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
        (date(2022, 6, 24), date(2022, 6, 27), "midsommarafton 2022 (Fri)"),
        (date(2024, 12, 24), date(2024, 12, 27), "julafton on a Tuesday, juldagen, annandag jul"),
        (date(2022, 6, 5), date(2022, 6, 7), "a Sunday before a helgdag (nationaldagen on Monday)"),
        (date(2024, 2, 29), date(2024, 2, 29), "a leap day, a Thursday, stays"),
        (date(2028, 2, 29), date(2028, 2, 29), "a leap day, a Tuesday, stays"),
        (date(2032, 2, 29), date(2032, 3, 1), "a leap day on a Sunday"),
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


@pytest.mark.parametrize(
    ("day", "count", "expected", "why"),
    [
        (date(2023, 3, 20), 20, date(2023, 4, 19), "långfredagen and annandag påsk not counted"),
        (date(2022, 7, 20), 20, date(2022, 8, 17), "an ordinary summer"),
        (date(2022, 9, 15), 20, date(2022, 10, 13), "an ordinary autumn"),
        (date(2021, 12, 17), 5, date(2021, 12, 27), "julafton (Fri) and the weekend not counted"),
        (date(2022, 6, 22), 2, date(2022, 6, 27), "midsommarafton not counted"),
    ],
)
def test_working_days_after_a_decision(day: date, count: int, expected: date, why: str) -> None:
    assert add_working_days(day, count) == expected, why


def test_the_oracle_knows_its_easter() -> None:
    assert [easter_sunday(y) for y in (2021, 2022, 2023, 2024, 2025)] == [
        date(2021, 4, 4), date(2022, 4, 17), date(2023, 4, 9), date(2024, 3, 31), date(2025, 4, 20)]


def test_every_day_from_2019_to_2035_agrees_with_an_independent_almanac() -> None:
    day = date(2019, 1, 1)
    while day <= date(2035, 12, 31):
        assert is_working_day(day) == working_day(day), day
        day += timedelta(days=1)


@given(st.dates(min_value=date(2019, 1, 1), max_value=date(2035, 12, 31)))
def test_next_working_day_is_a_working_day_and_the_first(day: date) -> None:
    result = next_working_day(day)
    assert working_day(result)
    assert result.weekday() < 5
    assert day <= result <= day + timedelta(days=6)
    current = day
    while current < result:
        assert not working_day(current)
        current += timedelta(days=1)
