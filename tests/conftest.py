"""Shared fixtures: a real database per backend (SQLite always, PostgreSQL where one answers).

Every test that takes `db_url` runs once on SQLite and once on PostgreSQL. PostgreSQL is
found at FINSAM_TEST_POSTGRES_URL (default: postgres@127.0.0.1:5432, trust auth); without
one those runs are skipped and the summary says so, unless FINSAM_TEST_REQUIRE_POSTGRES=1
(CI), where a missing server fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from finsam.audit import Kontext
from finsam.db import get_engine, upgrade
from finsam.domain.model import Base
from finsam.domain.rules_config import Regler, load_rules

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"
POSTGRES_URL = os.environ.get("FINSAM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REQUIRE_POSTGRES = os.environ.get("FINSAM_TEST_REQUIRE_POSTGRES") == "1"


def _postgres_available() -> str | None:
    """None if PostgreSQL answers, else why not."""
    try:
        engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as e:  # any failure to connect means: not available here
        return f"{type(e).__name__}: {str(e).splitlines()[0]}"


@pytest.fixture(scope="session")
def postgresql_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session, dropped at the end."""
    problem = _postgres_available()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required (FINSAM_TEST_REQUIRE_POSTGRES=1) but does not answer: {problem}")
        pytest.skip(f"PostgreSQL skipped: no server at {POSTGRES_URL} ({problem})")
    name = f"finsam_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    get_engine(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'finsam.db'}"
    upgrade(url)
    return url


def _empty(url: str) -> None:
    engine = get_engine(url)
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """The URL of an empty, migrated database: SQLite, then PostgreSQL."""
    url = request.getfixturevalue(f"{request.param}_database")
    _empty(url)
    return url


@pytest.fixture(scope="session")
def regler() -> Regler:
    return load_rules(PROJECT / "config" / "regler.yaml")


@pytest.fixture
def kontext() -> Kontext:
    return Kontext(aktor="test", atgard="test", nu=datetime(2021, 6, 1, 8, 0, tzinfo=timezone.utc))


@pytest.fixture(scope="session")
def insatser_csv() -> Path:
    """The 2021 insatser: from ../shared where present, else the project's own copy."""
    shared = SHARED / "data" / "insatser-2021.csv"
    return shared if shared.exists() else PROJECT / "data" / "insatser-2021.csv"


@pytest.fixture(scope="session")
def harness():
    """One temporary Prefect server for every flow test of the session (prefect_test_harness)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def running_insats(db_url: str, regler: Regler, kontext: Kontext, namn: str, diarienummer: str, start: date, slut: date,
                   kontakt: tuple[str, str]) -> None:
    """An insats under way, with its deadlines as the rules give them from its start (kontakt: name, e-mail)."""
    from finsam.db import unit_of_work
    from finsam.domain.enums import Inriktning, Tillstand
    from finsam.domain.model import Insats, Kontaktperson
    from finsam.services.deadlines import sync_deadlines

    with unit_of_work(db_url, kontext) as session:
        insats = Insats(namn=namn, diarienummer=diarienummer, inriktning=Inriktning.INDIVID, tillstand=Tillstand.PAGAENDE,
                        start=start, slut=slut, kontaktperson=Kontaktperson(namn=kontakt[0], epost=kontakt[1]))
        session.add(insats)
        session.flush()
        sync_deadlines(session, insats, regler, kontext, as_of=start, orsak="test")
