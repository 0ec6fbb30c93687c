"""One insats is one insats: an Excel round trip (a non-breaking space, a double space, a trailing zero-width
space, other letter case) finds the insatser already there, at every door, and stores nothing anew."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli import finsam, finsam_json
from finsam.db import read_only
from finsam.domain.identity import identity_key
from finsam.domain.model import Insats, Organisation, Utskick

PROJECT_CSV = Path(__file__).resolve().parent.parent / "data" / "insatser-2021.csv"

# Each invisible change Excel or a copy from Outlook makes, to a name, a huvudman and a diarienummer.
CHANGES = [
    ("nbsp", "Trisam 2.0 - Hudiksvalls kommun", "Trisam 2.0\u00a0- Hudiksvalls kommun"),
    ("double space", "Mysam,", "Mysam  ,"),
    ("zero-width", "SFG 21-6.58", "SFG 21-6.58\u200b"),
    ("case", "Hudiksvalls kommun,Arbetsförmedlingen", "HUDIKSVALLS KOMMUN,Arbetsförmedlingen"),
    ("nbsp in huvudman", "Ockelbo kommun", "Ockelbo\u00a0kommun"),
]


@pytest.mark.parametrize(("what", "before", "after"), CHANGES, ids=[c[0] for c in CHANGES])
def test_a_round_trip_with_an_invisible_change_makes_no_new_insats(db_url: str, tmp_path: Path, what: str, before: str,
                                                                   after: str) -> None:
    finsam(db_url, "import", "insatser", str(PROJECT_CSV), "--as-of", "2021-06-01")
    finsam(db_url, "run", "daily", "--as-of", "2021-06-01", cwd=tmp_path)
    with read_only(db_url) as session:
        names = sorted(session.scalars(select(Insats.namn)))
        orgs = sorted(session.scalars(select(Organisation.namn)))
        queued = session.scalar(select(func.count()).select_from(Utskick))
    text = PROJECT_CSV.read_text(encoding="utf-8")
    assert before in text
    changed = tmp_path / "insatser.csv"
    changed.write_text(text.replace(before, after, 1), encoding="utf-8")
    out = finsam(db_url, "import", "insatser", str(changed), "--as-of", "2021-06-01").stdout
    assert "0 nya, 0 uppdaterade, 18 oförändrade" in out
    finsam(db_url, "run", "daily", "--as-of", "2021-06-01", cwd=tmp_path)
    with read_only(db_url) as session:
        # Stored as first written: the invisible difference changes nothing, and no reminder is queued twice.
        assert sorted(session.scalars(select(Insats.namn))) == names
        assert sorted(session.scalars(select(Organisation.namn))) == orgs
        assert session.scalar(select(func.count()).select_from(Utskick)) == queued


def test_every_door_finds_the_insats_by_a_lookalike(db_url: str) -> None:
    finsam(db_url, "import", "insatser", str(PROJECT_CSV), "--as-of", "2021-06-01")
    for ref in ("SFG 21-6.58\u200b", "sfg  21-6.58", "trisam 2.0\u00a0- hudiksvalls KOMMUN"):
        [row, *_] = finsam_json(db_url, "deadlines", "--insats", ref)
        assert row["insats"] == "Trisam 2.0 - Hudiksvalls kommun"


def test_a_new_ansokan_with_a_lookalike_diarienummer_is_refused(db_url: str) -> None:
    finsam(db_url, "import", "insatser", str(PROJECT_CSV), "--as-of", "2021-06-01")
    result = finsam(db_url, "ansokan", "Ny insats", "--huvudman", "Hofors kommun", "--ankomst", "2021-09-01",
                    "--kontakt", "Åsa Öberg", "--epost", "asa@hofors.example", "--diarienummer", "sfg 21-6.58\u00a0",
                    check=False)
    assert result.returncode == 1
    assert "används redan (som SFG 21-6.58) av Trisam 2.0 - Hudiksvalls kommun." in " ".join(result.stderr.split())
    with read_only(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Insats)) == 18


def test_a_new_ansokan_names_an_existing_organisation_by_a_lookalike(db_url: str) -> None:
    finsam(db_url, "import", "insatser", str(PROJECT_CSV), "--as-of", "2021-06-01")
    finsam(db_url, "ansokan", "Ny insats", "--huvudman", "HOFORS\u00a0kommun ", "--ankomst", "2021-09-01",
           "--kontakt", "Åsa Öberg", "--epost", "asa@hofors.example")
    with read_only(db_url) as session:
        assert [o for o in session.scalars(select(Organisation.namn)) if identity_key(o) == "hofors kommun"] == [
            "Hofors kommun"]


@pytest.mark.parametrize(("written", "key"), [
    ("Trisam\u00a02.0", "trisam 2.0"), ("  Mysam  \t ", "mysam"), ("SFG 21-6.58\u200b\u200d", "sfg 21-6.58"),
    ("ÅSA ÖBERG", "åsa öberg"), ("ﬁnsam", "finsam"), ("a\u2028b", "a b"), ("Straße", "strasse"),
])
def test_the_key(written: str, key: str) -> None:
    assert identity_key(written) == key
