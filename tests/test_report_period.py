"""A report without a number lands on the right period: the oldest open one that has ended, chased
ones first (that is the one escalating); one whose period has not ended is refused with the choices.

The insats runs 2022-01-01 – 2023-12-31 with delrapporter every six months (written out by hand):
nr 1 2022-01-01 – 2022-06-30 due 2022-08-01, nr 2 2022-07-01 – 2022-12-31 due 2023-01-30,
nr 3 2023-01-01 – 2023-06-30 due 2023-07-31 (the 30th is a Sunday), then the slutrapport.
"""

from __future__ import annotations

from datetime import date

import pytest

from finsam.db import unit_of_work
from finsam.domain.enums import RapportTyp
from finsam.domain.model import Deadline, Insats
from finsam.errors import FinsamError
from finsam.services import lifecycle
from finsam.services.deadlines import set_chased
from test_deadlines_service import k, make_insats, plan


def register(db_url: str, insats_id: int, inkom: date, nr: int | None = None) -> int:
    with unit_of_work(db_url, k()) as session:
        rapport = lifecycle.register_report(session, k(), session.get(Insats, insats_id), typ=RapportTyp.DELRAPPORT,
                                            inkom=inkom, nr=nr)
        session.flush()
        return session.get(Deadline, rapport.deadline_id).nr


def statuses(db_url: str, insats_id: int) -> list[tuple[int, str]]:
    return [(nr, status) for kind, nr, *_rest, status in plan(db_url, insats_id) if kind == "delrapport"]


def test_overdue_reports_without_a_number_fill_the_oldest_period_first(db_url: str, regler) -> None:
    insats_id = make_insats(db_url, regler)
    assert register(db_url, insats_id, date(2023, 2, 15)) == 1  # nr 1 and 2 both overdue: the oldest
    assert register(db_url, insats_id, date(2023, 2, 20)) == 2
    assert statuses(db_url, insats_id) == [(1, "inkommen"), (2, "inkommen"), (3, "kommande")]


def test_a_report_for_a_period_not_yet_ended_is_refused_with_the_choices(db_url: str, regler) -> None:
    insats_id = make_insats(db_url, regler)
    register(db_url, insats_id, date(2023, 2, 15))
    register(db_url, insats_id, date(2023, 2, 20))
    with pytest.raises(FinsamError) as refused:
        register(db_url, insats_id, date(2023, 3, 1))
    assert str(refused.value) == (
        "Ingen öppen delrapportperiod för Steg till arbete hade slutat 2023-03-01. "
        "Ange vilken delrapport det är (--nr): nr 3 (2023-01-01 – 2023-06-30, senast 2023-07-31)."
    )
    assert statuses(db_url, insats_id) == [(1, "inkommen"), (2, "inkommen"), (3, "kommande")]
    assert register(db_url, insats_id, date(2023, 3, 1), nr=3) == 3  # early, by its number: taken


def test_a_chased_period_goes_before_an_older_one_not_chased(db_url: str, regler) -> None:
    # nr 1 was already past when the insats was imported, so nobody chases it; nr 2 is escalating.
    insats_id = make_insats(db_url, regler)
    with unit_of_work(db_url, k()) as session:
        first = next(d for d in session.get(Insats, insats_id).deadlines if d.typ is RapportTyp.DELRAPPORT and d.nr == 1)
        set_chased(session, k(), first.id, False, "redan försenad vid importen")
    assert register(db_url, insats_id, date(2023, 2, 15)) == 2
    assert register(db_url, insats_id, date(2023, 2, 16)) == 1


def test_an_avbrott_inside_a_reported_period_still_leaves_one_slutrapport(db_url: str, regler) -> None:
    insats_id = make_insats(db_url, regler)
    assert register(db_url, insats_id, date(2022, 7, 20)) == 1  # covers 2022-01-01 – 2022-06-30
    with unit_of_work(db_url, k("avbrott")) as session:
        lifecycle.interrupt(session, k(), session.get(Insats, insats_id), regler, datum=date(2022, 5, 31),
                            as_of=date(2022, 7, 20))
    # The slutrapport covers the whole insats up to the avbrott. By the rules it is due 2022-07-30, a
    # Saturday: Monday 1 August; that leaves the insatsägare 8 working days after the decision, so it
    # gets the fair date instead: 20 working days after Wednesday 20 July is Wednesday 17 August.
    assert plan(db_url, insats_id) == [
        ("delrapport", 1, "2022-01-01", "2022-06-30", "2022-08-01", "inkommen"),
        ("slutrapport", 1, "2022-01-01", "2022-05-31", "2022-08-17", "kommande"),
    ]
