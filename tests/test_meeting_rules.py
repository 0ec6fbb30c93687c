from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from finsam.domain.enums import MoteTyp
from finsam.domain.meetings import MeetingSlot, beredning_for, document_deadline, styrelse_for
from swedish_days import working_day


def slot(i: int, typ: MoteTyp, day: date, lead: int = 14) -> MeetingSlot:
    return MeetingSlot(i, typ, day, document_deadline(day, lead))


PLAN = [
    slot(1, MoteTyp.BEREDNINGSGRUPP, date(2021, 9, 1)),
    slot(2, MoteTyp.STYRELSE, date(2021, 9, 23)),
    slot(3, MoteTyp.BEREDNINGSGRUPP, date(2021, 11, 3)),
    slot(4, MoteTyp.STYRELSE, date(2021, 11, 18)),
    slot(5, MoteTyp.STYRELSE, date(2021, 12, 16)),
]


def test_document_deadline_moves_back_to_a_working_day() -> None:
    # 14 days before Wednesday 2021-09-01 is Wednesday 2021-08-18.
    assert document_deadline(date(2021, 9, 1), 14) == date(2021, 8, 18)
    # 14 days before Thursday 2022-01-06 (trettondedag) falls on Thursday 2021-12-23: kept.
    assert document_deadline(date(2022, 1, 6), 14) == date(2021, 12, 23)
    # 7 days before 2021-12-31 is Friday 2021-12-24 (julafton): back to the 23rd.
    assert document_deadline(date(2021, 12, 31), 7) == date(2021, 12, 23)


def test_an_ansokan_goes_to_the_first_meeting_it_makes() -> None:
    assert beredning_for(date(2021, 8, 18), PLAN).id == 1  # on the document deadline: made it
    assert beredning_for(date(2021, 8, 19), PLAN).id == 3  # a day late: the next one
    assert beredning_for(date(2021, 11, 1), PLAN) is None  # nothing planned it can make


def test_the_decision_goes_to_the_first_styrelse_after_the_yttrande() -> None:
    assert styrelse_for(date(2021, 9, 1), PLAN).id == 2
    assert styrelse_for(date(2021, 11, 3), PLAN).id == 4
    assert styrelse_for(date(2021, 11, 5), PLAN).id == 5


@given(st.dates(date(2019, 1, 1), date(2035, 12, 31)), st.lists(st.dates(date(2019, 1, 1), date(2036, 6, 30)), max_size=20))
def test_routing_is_computable_for_any_ankomstdatum(ankomst: date, days: list[date]) -> None:
    plan = [slot(i, MoteTyp.BEREDNINGSGRUPP if i % 2 else MoteTyp.STYRELSE, d) for i, d in enumerate(days)]
    chosen = beredning_for(ankomst, plan)
    makeable = [m for m in plan if m.typ is MoteTyp.BEREDNINGSGRUPP and m.handlingar_senast >= ankomst and m.datum > ankomst]
    if chosen is None:
        assert not makeable
        return
    assert chosen.handlingar_senast >= ankomst
    assert working_day(chosen.handlingar_senast)
    assert all(chosen.datum <= m.datum for m in makeable)
    decision = styrelse_for(chosen.datum, plan)
    if decision is not None:
        assert decision.datum > chosen.datum and decision.handlingar_senast >= chosen.datum
