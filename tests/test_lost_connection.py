"""A PostgreSQL connection lost in the middle of one item's work (the backend terminated inside the transaction,
as a server restart or a dropped network does): that work is rolled back whole, the user reads a Swedish
message, never "Oväntat fel", and the next unit of work connects anew and goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from cli import finsam
from finsam.db import read_only
from finsam.domain.model import InkommenRapport, Utskick
from test_file_safety import REPORT

pytestmark = pytest.mark.postgres
PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def pg(postgresql_database: str, db_url: str) -> str:
    if not db_url.startswith("postgresql"):
        pytest.skip("a backend terminated mid-transaction is a PostgreSQL case")
    return db_url


def kill_on_insert(url: str, table: str, condition: str) -> None:
    """A trigger that terminates the inserting backend itself when `condition` holds for the new row."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text(f"""CREATE OR REPLACE FUNCTION finsam_test_kill() RETURNS trigger AS $$
            BEGIN IF {condition} THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF; RETURN NEW; END
            $$ LANGUAGE plpgsql"""))
        c.execute(text(f"DROP TRIGGER IF EXISTS finsam_test_kill ON {table}"))
        c.execute(text(f"CREATE TRIGGER finsam_test_kill BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION finsam_test_kill()"))
    engine.dispose()


def drop_kill(url: str, table: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text(f"DROP TRIGGER IF EXISTS finsam_test_kill ON {table}"))
    engine.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_connection_lost_for_one_file_leaves_it_and_the_next_file_is_registered(pg: str, tmp_path: Path) -> None:
    finsam(pg, "import", "insatser", str(PROJECT / "data" / "insatser-2021.csv"), "--as-of", "2021-06-01")
    kill_on_insert(pg, "inkommen_rapport", "NEW.filnamn = 'a-dor.txt'")
    try:
        inbox = tmp_path / "inkorg"
        inbox.mkdir()
        (inbox / "a-dor.txt").write_text(REPORT, encoding="utf-8")
        (inbox / "b-rapport.txt").write_text(REPORT.replace("SFG 21-6.58", "SFG 21-6.64"), encoding="utf-8")
        result = finsam(pg, "report", "inbox", str(inbox), "--json", cwd=tmp_path, check=False)
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        assert [(o["fil"], o["atgard"]) for o in out] == [("a-dor.txt", "kvar"), ("b-rapport.txt", "registrerad")]
        assert out[0]["skal"].startswith("a-dor.txt: förbindelsen med databasen bröts; inget av det som pågick sparades")
        assert "Oväntat fel" not in result.stdout + result.stderr and "Traceback" not in result.stderr
        assert (inbox / "a-dor.txt").exists()  # waits for the next run
    finally:
        drop_kill(pg, "inkommen_rapport")
    with read_only(pg) as session:
        assert session.scalar(select(func.count()).select_from(InkommenRapport)) == 1
    again = json.loads(finsam(pg, "report", "inbox", str(inbox), "--json", cwd=tmp_path).stdout)
    assert [(o["fil"], o["atgard"]) for o in again] == [("a-dor.txt", "registrerad")]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_connection_lost_in_the_daily_plan_stops_it_with_a_swedish_message(pg: str, tmp_path: Path) -> None:
    finsam(pg, "import", "insatser", str(PROJECT / "data" / "insatser-2021.csv"), "--as-of", "2021-06-01")
    kill_on_insert(pg, "utskick", "NEW.mottagare LIKE 'insatsansvarig@ockelbo%'")
    try:
        result = finsam(pg, "run", "daily", "--as-of", "2021-10-29", cwd=tmp_path, check=False)
    finally:
        drop_kill(pg, "utskick")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Fel: förbindelsen med databasen bröts; inget av det som pågick sparades (allt eller inget)." in \
        " ".join(result.stderr.split())
    assert "Oväntat fel" not in result.stderr and "Traceback" not in result.stderr
    with read_only(pg) as session:
        assert session.scalar(select(func.count()).select_from(Utskick)) == 0  # all or nothing
    finsam(pg, "run", "daily", "--as-of", "2021-10-29", cwd=tmp_path)  # connects anew: the day is done
    with read_only(pg) as session:
        assert session.scalar(select(func.count()).select_from(Utskick)) > 0
