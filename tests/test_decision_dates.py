"""A decision's date is the date of the meeting that took it: never a day still to come, and a meeting of its kind
in the plan unless the kansli says it was an extra one. Alike for the CLI and the run forms (the rule is the
service's); the dates and messages below are written out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import finsam

PLAN = """typ,datum
beredningsgrupp,2021-10-06
beredningsgrupp,2021-11-03
styrelse,2021-11-18
styrelse,2021-12-16
"""


@pytest.fixture
def ansokan(db_url: str, tmp_path: Path) -> str:
    (tmp_path / "plan.csv").write_text(PLAN, encoding="utf-8")
    finsam(db_url, "import", "meetings", str(tmp_path / "plan.csv"))
    finsam(db_url, "ansokan", "Vägen in", "--huvudman", "Gävle kommun", "--ankomst", "2021-09-20", "--kontakt", "Ida Ek",
           "--epost", "ida@vagen.example", "--diarienummer", "SFG 21-9.4")
    return db_url


def refused(db_url: str, *args: str) -> str:
    result = finsam(db_url, *args, check=False)
    assert result.returncode != 0, result.stdout
    return " ".join(result.stderr.split())


# (what, datum, as of, extra meeting, the refusal or None)
YTTRANDEN = [
    ("a day after the meeting", "2021-11-04", "2021-11-10", False,
     "Fel: 2021-11-04 är inget beredningsgruppsmöte i mötesplanen (närmast: 2021-11-03). Var det ett extra "
     "sammanträde, markera det som extra."),
    ("between two meetings", "2021-10-20", "2021-11-10", False,
     "Fel: 2021-10-20 är inget beredningsgruppsmöte i mötesplanen (närmast: 2021-10-06 och 2021-11-03). Var det ett "
     "extra sammanträde, markera det som extra."),
    ("a meeting still to come", "2021-11-03", "2021-11-02", False,
     "Fel: Beredningsgruppens yttrande är daterat 2021-11-03, efter i dag (2021-11-02); registrera det när mötet har "
     "hållits."),
    ("an extra meeting, said so", "2021-11-04", "2021-11-10", True, None),
    ("the meeting", "2021-11-03", "2021-11-10", False, None),
]


@pytest.mark.parametrize(("what", "datum", "as_of", "extra", "said"), YTTRANDEN, ids=[y[0] for y in YTTRANDEN])
def test_a_yttrande_is_dated_by_a_beredningsgrupp_meeting(ansokan: str, what: str, datum: str, as_of: str, extra: bool,
                                                         said: str | None) -> None:
    args = ("yttrande", "SFG 21-9.4", "--datum", datum, "--bedomning", "tillstyrks", "--as-of", as_of,
            *(["--extra-mote"] if extra else []))
    if said is None:
        assert "Yttrande registrerat för Vägen in (SFG 21-9.4): tillstyrks." in finsam(ansokan, *args).stdout
    else:
        assert said in refused(ansokan, *args)


BESLUT = [
    ("a day after the meeting", "2021-11-19", "2021-12-20", False,
     "Fel: 2021-11-19 är inget styrelsemöte i mötesplanen (närmast: 2021-11-18 och 2021-12-16). Var det ett extra "
     "sammanträde, markera det som extra."),
    ("two weeks ahead", "2021-12-16", "2021-12-01", False,
     "Fel: Styrelsens beslut är daterat 2021-12-16, efter i dag (2021-12-01); registrera det när mötet har hållits."),
    ("ahead, even as an extra meeting", "2021-12-10", "2021-12-01", True,
     "Fel: Styrelsens beslut är daterat 2021-12-10, efter i dag (2021-12-01); registrera det när mötet har hållits."),
    ("an extra meeting, said so", "2021-11-25", "2021-12-01", True, None),
    ("the meeting", "2021-11-18", "2021-12-01", False, None),
    # The plan has no styrelse meeting in 2022: it does not cover the year, the date is taken as given.
    ("a year the plan does not cover", "2022-02-10", "2022-02-11", False, None),
]


@pytest.mark.parametrize(("what", "datum", "as_of", "extra", "said"), BESLUT, ids=[b[0] for b in BESLUT])
def test_a_beslut_is_dated_by_a_styrelse_meeting(ansokan: str, what: str, datum: str, as_of: str, extra: bool,
                                                said: str | None) -> None:
    finsam(ansokan, "yttrande", "SFG 21-9.4", "--datum", "2021-11-03", "--bedomning", "avstyrks")
    args = ("beslut", "SFG 21-9.4", "--datum", datum, "--utfall", "avslas", "--as-of", as_of,
            *(["--extra-mote"] if extra else []))
    if said is None:
        assert "Beslut registrerat för Vägen in (SFG 21-9.4): avslås" in finsam(ansokan, *args).stdout
    else:
        assert said in refused(ansokan, *args)
        assert "avslag" not in finsam(ansokan, "insats", "visa", "SFG 21-9.4").stdout.lower()


def test_a_moved_meeting_moves_the_date_a_decision_must_have(ansokan: str) -> None:
    finsam(ansokan, "yttrande", "SFG 21-9.4", "--datum", "2021-11-03", "--bedomning", "tillstyrks")
    finsam(ansokan, "mote", "styrelse", "2021-11-18", "--nytt-datum", "2021-11-25", "--as-of", "2021-11-10")
    said = refused(ansokan, "beslut", "SFG 21-9.4", "--datum", "2021-11-18", "--utfall", "avslas", "--as-of", "2021-12-01")
    assert ("Fel: 2021-11-18 är inget styrelsemöte i mötesplanen (närmast: 2021-11-25). Var det ett extra "
            "sammanträde, markera det som extra.") in said
    assert "avslås" in finsam(ansokan, "beslut", "SFG 21-9.4", "--datum", "2021-11-25", "--utfall", "avslas",
                              "--as-of", "2021-12-01").stdout
