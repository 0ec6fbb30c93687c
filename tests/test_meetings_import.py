from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from cli import finsam, finsam_json
from finsam.db import read_only, unit_of_work
from finsam.errors import InvalidInput
from finsam.services.meetings import import_meetings, list_meetings, read_meetings

PROJECT = Path(__file__).resolve().parent.parent
PLAN = PROJECT / "data" / "sammantraden-2021-2022.yaml"


def test_the_example_plan_imports_once(db_url: str) -> None:
    assert "22 nya" in finsam(db_url, "import", "meetings", str(PLAN)).stdout
    assert "0 nya, 0 ändrade, 22 oförändrade" in finsam(db_url, "import", "meetings", str(PLAN)).stdout
    meetings = finsam_json(db_url, "moten", "--alla")
    first = meetings[0]
    assert first == {
        "id": first["id"], "typ": "beredningsgrupp", "datum": "2021-02-03", "tid": "09:00", "plats": "Gävle, Kansliet",
        "handlingar_senast": "2021-01-20", "installt": False, "agenda": [],
    }
    assert sum(m["typ"] == "styrelse" for m in meetings) == 8  # six in 2021, two in spring 2022


def test_csv_plan_with_a_moved_time_and_a_cancellation(db_url: str, tmp_path: Path, kontext, regler) -> None:
    path = tmp_path / "plan.csv"
    path.write_text("typ;datum;tid;plats\nstyrelse;2027-02-11;09:30;Gävle\nberedningsgrupp;2027-01-20;13.00;Teams\n", encoding="utf-8")
    with unit_of_work(db_url, kontext) as session:
        assert import_meetings(session, kontext, path, regler).nya == 2
    path.write_text("typ;datum;tid;plats;installt\nstyrelse;2027-02-11;10:00;Gävle;nej\nberedningsgrupp;2027-01-20;13:00;Teams;ja\n", encoding="utf-8")
    with unit_of_work(db_url, kontext) as session:
        result = import_meetings(session, kontext, path, regler)
        assert (result.nya, result.andrade) == (0, 2)
    with read_only(db_url) as session:
        moten = {m.typ.value: m for m in list_meetings(session)}
        assert moten["styrelse"].tid == time(10, 0)
        assert moten["styrelse"].handlingar_senast == date(2027, 1, 28)
        assert moten["beredningsgrupp"].installt


def test_bad_rows_are_named_and_nothing_is_written(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(
        "- {typ: styrelse, datum: 2027-02-11, tid: '09:30'}\n"
        "- {typ: stämma, datum: 2027-03-11}\n"
        "- {typ: styrelse, datum: 2027-02-30}\n"
        "- {typ: styrelse, datum: 2027-04-01, tid: '25:00'}\n"
        "- {typ: styrelse, datum: 2027-02-11}\n",
        encoding="utf-8",
    )
    result = finsam(db_url, "import", "meetings", str(path), check=False)
    assert result.returncode == 1
    for expected in ("rad 2, kolumn 'typ': okänd mötestyp 'stämma'", "rad 3, kolumn 'datum'", "rad 4, kolumn 'tid'",
                     "rad 5, kolumn 'datum': styrelse 2027-02-11 finns redan (rad 1)"):
        assert expected in result.stderr
    assert finsam_json(db_url, "moten", "--alla") == []


def test_yaml_that_is_not_a_list(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("styrelse: 2027-02-11\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="lista av möten"):
        read_meetings(path)
