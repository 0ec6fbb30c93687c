from datetime import date

import pytest

from finsam.domain.enums import Tillstand as T
from finsam.domain.lifecycle import Steg, allowed_steps, next_state, running_state
from finsam.errors import TransitionNotAllowed

D = dict(start=date(2022, 1, 1), end=date(2023, 12, 31))


def test_the_happy_path() -> None:
    state = T.ANSOKAN_INKOMMEN
    state = next_state(state, Steg.BEREDNING)
    assert state is T.UNDER_BEREDNING
    state = next_state(state, Steg.YTTRANDE)
    assert state is T.YTTRANDE_AVGIVET
    assert next_state(state, Steg.BEVILJA, **D, as_of=date(2021, 12, 1)) is T.BEVILJAD
    assert next_state(state, Steg.BEVILJA, **D, as_of=date(2022, 3, 1)) is T.PAGAENDE
    assert next_state(T.BEVILJAD, Steg.STARTA) is T.PAGAENDE
    assert next_state(T.PAGAENDE, Steg.AVSLUTA) is T.AVSLUTAD
    assert next_state(T.AVSLUTAD, Steg.SLUTREDOVISA) is T.SLUTREDOVISAD


def test_aterremiss_goes_back_to_beredning_and_bordlaggning_waits() -> None:
    assert next_state(T.YTTRANDE_AVGIVET, Steg.ATERREMITTERA) is T.UNDER_BEREDNING
    assert next_state(T.YTTRANDE_AVGIVET, Steg.BORDLAGGA) is T.YTTRANDE_AVGIVET
    assert next_state(T.YTTRANDE_AVGIVET, Steg.AVSLA) is T.AVSLAGEN


def test_forlangning_reopens_an_ended_insats() -> None:
    assert next_state(T.AVSLUTAD, Steg.FORLANGA, start=date(2020, 1, 1), end=date(2022, 6, 30), as_of=date(2022, 1, 10)) is T.PAGAENDE


def test_refusal_says_why_and_what_is_allowed() -> None:
    with pytest.raises(TransitionNotAllowed) as error:
        next_state(T.UNDER_BEREDNING, Steg.BEVILJA)
    message = str(error.value)
    assert "bevilja" in message and "under beredning" in message
    assert "Tillåtet nu: registrera yttrande" in message


def test_nothing_is_allowed_after_avslag() -> None:
    assert allowed_steps(T.AVSLAGEN) == []
    with pytest.raises(TransitionNotAllowed, match="inga fler steg"):
        next_state(T.AVSLAGEN, Steg.FORLANGA)


def test_running_state_by_dates() -> None:
    assert running_state(date(2022, 1, 1), None, date(2030, 1, 1)) is T.PAGAENDE
    assert running_state(date(2022, 1, 1), date(2022, 6, 30), date(2022, 6, 30)) is T.PAGAENDE
    assert running_state(date(2022, 1, 1), date(2022, 6, 30), date(2022, 7, 1)) is T.AVSLUTAD
