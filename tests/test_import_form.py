"""Importing insatser and the meeting plan from a run form: a file the kansli put in the import folder, named as it
stands there; all or nothing, refused with the same line-numbered errors as `finsam import`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from finsam.db import read_only
from finsam.domain.model import Insats, Sammantrade
from prefect_tools import finsam_settings

GOOD = """namn,inriktning,huvudman,start,slut,diarienummer
Steg till arbete,individ,Sandvikens kommun,2024-09-01,2026-08-31,SFG 24-3.12
Vägen vidare,individ,Söderhamns kommun,2023-09-01,2026-08-31,SFG 23-7.04
"""
BAD = GOOD + "Trasig,individ,Gävle kommun,2025-13-01,2026-08-31,\nUtan huvudman,struktur,,2025-01-01,,\n"


@pytest.fixture
def folder(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, harness) -> Iterator[Path]:
    imports = tmp_path / "import"
    imports.mkdir()
    with finsam_settings(monkeypatch, database_url=db_url, import_folder=str(imports),
                         mail_folder=str(tmp_path / "utskick"), send_retry_delays="[0, 0]"):
        yield imports


def insatser(db_url: str) -> int:
    with read_only(db_url) as session:
        return session.scalar(select(func.count()).select_from(Insats))


def run(fil: str, vad: str, provkorning: bool = False):  # noqa: ANN201 - a Prefect state
    from flows.importera import ImportFormular, importera

    return importera(ImportFormular(fil=fil, vad=vad, provkorning=provkorning, registreras_av="Karin Lund"),
                     return_state=True)


def test_a_bad_file_is_refused_line_by_line_and_nothing_is_saved(db_url: str, folder: Path) -> None:
    (folder / "insatser-2025.csv").write_text(BAD, encoding="utf-8")
    state = run("insatser-2025.csv", "insatser")
    assert state.name == "Avvisad"
    message = " ".join(state.message.split())
    assert "insatser-2025.csv: 2 fel, inget har sparats." in message
    assert "insatser-2025.csv: rad 4, kolumn 'start':" in message
    assert "insatser-2025.csv: rad 5, kolumn 'huvudman': värde saknas" in message
    assert insatser(db_url) == 0


def test_a_good_file_imports_once_and_a_trial_run_saves_nothing(db_url: str, folder: Path) -> None:
    (folder / "insatser-2025.csv").write_text(GOOD, encoding="utf-8")
    trial = run("insatser-2025.csv", "insatser", provkorning=True)
    assert trial.is_completed() and trial.result()["nya"] == 2 and insatser(db_url) == 0
    state = run(" insatser-2025.csv ", "insatser")
    assert state.is_completed() and (state.result()["nya"], state.result()["fil"]) == (2, "insatser-2025.csv")
    assert insatser(db_url) == 2
    again = run("insatser-2025.csv", "insatser")
    assert (again.result()["nya"], again.result()["oforandrade"]) == (0, 2) and insatser(db_url) == 2


@pytest.mark.parametrize(("fil", "said"), [
    ("insatser-2026.csv", "Filen insatser-2026.csv finns inte i importmappen ({folder}). Där finns: a.csv, plan.yaml."),
    ("../hemligt.csv", "Filnamnet ../hemligt.csv: namnet innehåller / eller NUL och kan peka ut ur mappen. Ange bara "
                       "filens namn, som det står i importmappen."),
    ("länk.csv", "länk.csv i importmappen är en symbolisk länk; finsam följer inga länkar (lägg in själva filen)."),
])
def test_a_file_not_in_the_folder_is_refused_naming_what_is_there(db_url: str, folder: Path, tmp_path: Path,
                                                                   fil: str, said: str) -> None:
    (folder / "a.csv").write_text(GOOD, encoding="utf-8")
    (folder / "plan.yaml").write_text("sammantraden: []\n", encoding="utf-8")
    (tmp_path / "hemligt.csv").write_text(GOOD, encoding="utf-8")
    (folder / "länk.csv").symlink_to(tmp_path / "hemligt.csv")
    state = run(fil, "insatser")
    assert state.name == "Avvisad" and state.message.startswith(said.format(folder=folder))
    assert insatser(db_url) == 0


def test_a_meeting_plan_imported_from_the_form_plans_the_meetings_runs(db_url: str, folder: Path) -> None:
    day = date.today() + timedelta(days=60)
    (folder / "moten.yaml").write_text(
        f"sammantraden:\n  - {{typ: styrelse, datum: {day.isoformat()}, tid: '09:30', plats: Gävle}}\n"
        f"  - {{typ: beredningsgrupp, datum: {(day - timedelta(days=21)).isoformat()}}}\n", encoding="utf-8")
    state = run("moten.yaml", "mötesplan")
    assert state.is_completed(), state.message
    assert (state.result()["nya"], state.result()["meddelandefel"]) == (2, [])
    with read_only(db_url) as session:
        assert session.scalar(select(Sammantrade.datum).where(Sammantrade.typ == "styrelse")) == day
    # The meetings' runs were synced (none created here: the test server has no deployments).
    assert state.result()["synkat"] == {"skapade": 0, "oforandrade": 0, "installda": 0, "fel": []}
