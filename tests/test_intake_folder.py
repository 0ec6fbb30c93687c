"""`finsam report inbox MAPP`: every file in the kansli's folder is taken in or set aside with its reason;
a damaged file never stops the ones after it, nothing is overwritten, and what is kept is the owner's alone."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from cli import finsam
from conftest import SHARED
from finsam.db import read_only
from finsam.domain.model import InkommenRapport
from report_files import as_docx

REPORTS = SHARED / "reports"
pytestmark = pytest.mark.skipif(not REPORTS.exists(), reason="../shared/reports is not here")


@pytest.fixture
def loaded(db_url: str, insatser_csv: Path) -> str:
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-06-01")
    return db_url


def _inbox(db_url: str, folder: Path, cwd: Path, *, check: bool = True):
    result = finsam(db_url, "report", "inbox", str(folder), "--json", cwd=cwd, check=check)
    return result, json.loads(result.stdout)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_damaged_file_before_a_good_report_does_not_stop_it(loaded: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    as_docx((REPORTS / "slutrapport-trisam-hudiksvall.txt").read_text(encoding="utf-8"), inbox / "slutrapport.docx")
    (inbox / "a-trasig.docx").write_bytes(b"PK\x03\x04 not really a zip")  # before the report, by name
    (inbox / "bild.png").write_bytes(b"\x89PNG\r\n")
    (inbox / "~$slutrapport.docx").write_bytes(b"Word's lock file")  # left alone
    old = os.umask(0)  # the kept files are the owner's alone whatever the umask
    try:
        result, out = _inbox(loaded, inbox, tmp_path)
    finally:
        os.umask(old)
    assert result.returncode == 0  # refusals are normal outcomes
    assert [(o["fil"], o["atgard"]) for o in out] == [
        ("a-trasig.docx", "fel"), ("bild.png", "fel"), ("slutrapport.docx", "registrerad")]
    assert out[0]["skal"] == "a-trasig.docx: går inte att läsa som Word-dokument (File is not a zip file)."
    assert out[1]["skal"] == "bild.png: okänd filtyp .png; finsam läser .docx, .pdf, .txt."
    assert sorted(p.name for p in inbox.iterdir()) == ["behandlade", "ej-lasbara", "~$slutrapport.docx"]
    assert [p.name for p in (inbox / "behandlade").iterdir()] == ["slutrapport.docx"]
    rejected = inbox / "ej-lasbara"
    assert sorted(p.name for p in rejected.iterdir()) == [
        "a-trasig.docx", "a-trasig.docx.orsak.txt", "bild.png", "bild.png.orsak.txt"]
    reason = (rejected / "a-trasig.docx.orsak.txt").read_text(encoding="utf-8")
    assert reason.startswith("a-trasig.docx kom in ") and reason.endswith(
        " och lades här utan att registreras.\nSkäl: a-trasig.docx: går inte att läsa som Word-dokument "
        "(File is not a zip file).\n")
    assert mode(rejected) == 0o700
    # The reasons are finsam's own files (0600); the refused files keep the mode their owner gave them (finsam never
    # changes a file it did not create), private all the same in the owner-only folder.
    assert {p.name: mode(p) for p in rejected.iterdir()} == {
        "a-trasig.docx": 0o644, "a-trasig.docx.orsak.txt": 0o600, "bild.png": 0o644, "bild.png.orsak.txt": 0o600}
    storage = tmp_path / "rapporter"  # FINSAM_REPORT_FOLDER's default, in the working folder
    assert mode(storage) == 0o700
    [stored] = storage.iterdir()
    assert mode(stored) == 0o600 and stored.read_bytes() == (inbox / "behandlade" / "slutrapport.docx").read_bytes()
    with read_only(loaded) as session:
        [rapport] = session.scalars(select(InkommenRapport)).all()
        assert rapport.filnamn == "slutrapport.docx"
    text = finsam(loaded, "report", "inbox", str(inbox), cwd=tmp_path).stdout
    assert "Inga filer i" in text  # the lock file is no report to take in


def test_files_of_the_same_name_in_two_runs_are_both_kept(loaded: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    report = (REPORTS / "slutrapport-trisam-hudiksvall.txt").read_bytes()
    (inbox / "rapport.docx").write_bytes(b"first damaged file")
    (inbox / "slutrapport.txt").write_bytes(report)
    _inbox(loaded, inbox, tmp_path)
    (inbox / "rapport.docx").write_bytes(b"")  # the same name again, differently wrong
    (inbox / "slutrapport.txt").write_bytes(report)  # the same name again, in behandlade/ already
    result, out = _inbox(loaded, inbox, tmp_path)
    assert [(o["fil"], o["atgard"]) for o in out] == [("rapport.docx", "fel"), ("slutrapport.txt", "redan_registrerad")]
    rejected = inbox / "ej-lasbara"
    assert sorted(p.name for p in rejected.iterdir()) == [
        "rapport-2.docx", "rapport-2.docx.orsak.txt", "rapport.docx", "rapport.docx.orsak.txt"]
    assert (rejected / "rapport.docx").read_bytes() == b"first damaged file"
    assert (rejected / "rapport-2.docx").read_bytes() == b""
    assert "Skäl: rapport.docx: går inte att läsa som Word-dokument" in (rejected / "rapport.docx.orsak.txt").read_text()
    assert "Skäl: rapport.docx: filen är tom." in (rejected / "rapport-2.docx.orsak.txt").read_text()
    assert sorted(p.name for p in (inbox / "behandlade").iterdir()) == ["slutrapport-2.txt", "slutrapport.txt"]
    assert out[1]["flyttad"] == str(inbox / "behandlade" / "slutrapport-2.txt")


def test_a_missing_folder_is_said_plainly(loaded: str, tmp_path: Path) -> None:
    result = finsam(loaded, "report", "inbox", str(tmp_path / "saknas"), cwd=tmp_path, check=False)
    assert result.returncode == 1 and f"Mappen {tmp_path / 'saknas'} finns inte." in result.stderr
    assert "Traceback" not in result.stderr
