"""finsam touches only its own files: whatever is dropped into a folder it reads (a link to a file or a folder
elsewhere, a hard link, a FIFO, a name with a line break or of 255 bytes, a file that changes while read),
nothing outside is read, changed or waited on, nothing of it reaches the database, and the rest goes on.

The file outside is always a report that *would* register if it were read (the plain file beside it does),
so a test passing is not a report that was never readable."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli import finsam
from finsam import files
from finsam.db import read_only
from finsam.domain.model import InkommenRapport, RapportKo
from prefect_tools import finsam_settings

# A slutrapport the 2021 import knows (diarienummer SFG 21-6.58), as plain text: it registers when read.
REPORT = """Slutrapport
Diarienummer
SFG 21-6.58
Insatsens namn
Trisam 2.0 - Hudiksvalls kommun
Organisations namn
Hudiksvalls kommun
Insatstid
2019-12-01 - 2021-12-31
Datum
2022-01-14
"""


@pytest.fixture
def loaded(db_url: str, insatser_csv: Path) -> str:
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-06-01")
    return db_url


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Someone else's file on the server (a report, so that reading it would register it), mode 0644."""
    folder = tmp_path / "annan-forvaltning"
    folder.mkdir()
    target = folder / "hemlig.txt"
    target.write_text(REPORT, encoding="utf-8")
    target.chmod(0o644)
    return target


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def registered(db_url: str) -> tuple[int, int]:
    with read_only(db_url) as session:
        return (session.scalar(select(func.count()).select_from(InkommenRapport)),
                session.scalar(select(func.count()).select_from(RapportKo)))


def inbox_run(db_url: str, inbox: Path, cwd: Path) -> list[dict]:
    result = finsam(db_url, "report", "inbox", str(inbox), "--json", cwd=cwd)  # 120 s at most: a FIFO must not hang it
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_entries_that_are_not_files_of_its_own_are_set_aside_unread(loaded: str, tmp_path: Path, outside: Path) -> None:
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    (inbox / "a-lank.txt").symlink_to(outside)
    (inbox / "b-mapplank").symlink_to(outside.parent, target_is_directory=True)
    os.link(outside, inbox / "c-hardlank.txt")
    os.mkfifo(inbox / "d-fifo.txt")
    (inbox / "e-rad\nbrytning.txt").write_text(REPORT, encoding="utf-8")
    long_name = "f" + "x" * 250 + ".txt"  # 255 bytes, the longest name the file system allows
    (inbox / long_name).write_text("inte en rapport", encoding="utf-8")
    (inbox / "rapport.txt").write_text(REPORT, encoding="utf-8")  # the one real report: registered
    before = outside.read_bytes()

    out = inbox_run(loaded, inbox, tmp_path)

    assert [(o["fil"], o["atgard"]) for o in out] == [
        ("a-lank.txt", "fel"), ("b-mapplank", "fel"), ("c-hardlank.txt", "fel"), ("d-fifo.txt", "fel"),
        ("e-rad brytning.txt", "fel"), (files.shorten_name(long_name), "fel"), ("rapport.txt", "registrerad")]
    reasons = {o["fil"]: o["skal"] for o in out}
    assert reasons["a-lank.txt"] == "a-lank.txt: är en symbolisk länk; finsam följer inga länkar (lägg in själva filen)."
    assert reasons["b-mapplank"] == "b-mapplank: är en symbolisk länk; finsam följer inga länkar (lägg in själva filen)."
    assert reasons["c-hardlank.txt"] == ("c-hardlank.txt: har 2 hårda länkar; finsam läser bara filer som bara finns på "
                                         "ett ställe (lägg in en kopia).")
    assert reasons["d-fifo.txt"] == "d-fifo.txt: är en namngiven rörledning (FIFO), ingen fil."
    assert reasons["e-rad brytning.txt"] == ("e-rad brytning.txt: namnet innehåller radbrytningar eller andra styrtecken; "
                                             "byt namn på filen.")
    assert reasons[files.shorten_name(long_name)].endswith(
        ": namnet är 255 byte långt; finsam tar filer med namn på högst 200 byte.")
    # Nothing outside was read into the database, changed, or moved.
    assert outside.read_bytes() == before and mode(outside) == 0o644 and os.stat(outside).st_nlink == 2
    assert sorted(p.name for p in outside.parent.iterdir()) == ["hemlig.txt"]
    assert registered(loaded) == (1, 0)
    # Each refused entry is in ej-lasbara/ as itself (the links as links), with its reason beside it.
    rejected = inbox / "ej-lasbara"
    assert (rejected / "a-lank.txt").is_symlink() and os.readlink(rejected / "a-lank.txt") == str(outside)
    assert (rejected / "b-mapplank").is_symlink()
    assert stat.S_ISFIFO(os.lstat(rejected / "d-fifo.txt").st_mode)
    assert (rejected / "e-rad brytning.txt").read_text(encoding="utf-8") == REPORT
    assert "Skäl: a-lank.txt: är en symbolisk länk" in (rejected / "a-lank.txt.orsak.txt").read_text(encoding="utf-8")
    assert all(len(os.fsencode(p.name)) <= 200 for p in rejected.iterdir())
    assert sorted(p.name for p in inbox.iterdir()) == ["behandlade", "ej-lasbara"]
    # The stored copy is the real report's, and only it.
    [stored] = (tmp_path / "rapporter").iterdir()
    assert stored.read_text(encoding="utf-8") == REPORT and not stored.is_symlink()


def test_subfolders_replaced_by_links_are_not_written_through(loaded: str, tmp_path: Path, outside: Path) -> None:
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    (inbox / "ej-lasbara").symlink_to(outside.parent, target_is_directory=True)
    (inbox / "behandlade").symlink_to(outside.parent, target_is_directory=True)
    (inbox / "trasig.docx").write_bytes(b"no zip")
    (inbox / "rapport.txt").write_text(REPORT, encoding="utf-8")

    out = inbox_run(loaded, inbox, tmp_path)

    assert [(o["fil"], o["atgard"], o["flyttad"]) for o in out] == [
        ("rapport.txt", "registrerad", None), ("trasig.docx", "fel", None)]
    assert out[0]["skal"].endswith(f"filen ligger kvar i {inbox}: {inbox / 'behandlade'} är en symbolisk länk; finsam "
                                   "följer inga länkar (lägg in själva filen); finsam skriver bara i egna mappar.")
    assert sorted(p.name for p in outside.parent.iterdir()) == ["hemlig.txt"] and mode(outside.parent) != 0o700
    assert sorted(p.name for p in inbox.iterdir()) == ["behandlade", "ej-lasbara", "rapport.txt", "trasig.docx"]


def test_a_report_store_entry_replaced_by_a_link_is_refused(loaded: str, tmp_path: Path, outside: Path) -> None:
    """The store keeps each file under its hash: a link planted at that name is neither followed nor trusted."""
    import hashlib

    store = tmp_path / "rapporter"
    store.mkdir(mode=0o700)
    (store / f"{hashlib.sha256(REPORT.encode()).hexdigest()}.txt").symlink_to(outside)
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    (inbox / "rapport.txt").write_text(REPORT, encoding="utf-8")
    out = inbox_run(loaded, inbox, tmp_path)
    [outcome] = out
    assert (outcome["fil"], outcome["atgard"]) == ("rapport.txt", "fel")
    assert outcome["skal"].endswith(".txt är en symbolisk länk; finsam följer inga länkar (lägg in själva filen); "
                                    "finsam skriver inte över den.")
    assert registered(loaded) == (0, 0)  # the transaction was rolled back whole
    assert outside.read_text(encoding="utf-8") == REPORT and mode(outside) == 0o644


def _in_process_inbox(db_url: str, inbox: Path, tmp_path: Path, monkeypatch) -> list:
    from finsam import clock
    from finsam.cli.common import mail_context, work
    from finsam.services.intake_folder import take_in_folder

    with finsam_settings(monkeypatch, database_url=db_url, mail_folder=str(tmp_path / "utskick")):
        return take_in_folder(inbox, work=work, mail=mail_context(), storage=tmp_path / "rapporter", today=clock.today())


def test_a_file_replaced_while_it_is_read_is_read_once_and_the_new_one_left(loaded: str, tmp_path: Path,
                                                                             monkeypatch) -> None:
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    (inbox / "rapport.txt").write_text(REPORT, encoding="utf-8")
    newcomer = tmp_path / "ny.txt"
    newcomer.write_text("en annan fil", encoding="utf-8")

    def replace_it(fd: int, name: str) -> None:  # another program renames a new file over the name
        if name == "rapport.txt" and newcomer.exists():
            os.replace(newcomer, inbox / name)

    monkeypatch.setattr(files, "_opened", replace_it)
    [outcome] = _in_process_inbox(loaded, inbox, tmp_path, monkeypatch)
    assert outcome.atgard == "registrerad"  # what was opened was read whole: the report, consistently
    assert outcome.flyttad is None and outcome.skal.endswith(
        "filen byttes ut medan den lästes, så den nya filen ligger kvar och tas in vid nästa körning")
    assert (inbox / "rapport.txt").read_text(encoding="utf-8") == "en annan fil"  # the new one is not moved unread


def test_a_file_that_grows_while_it_is_read_is_left_for_the_next_run(loaded: str, tmp_path: Path, monkeypatch) -> None:
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    (inbox / "rapport.txt").write_text(REPORT[:40], encoding="utf-8")

    def grow(fd: int, name: str) -> None:  # still being copied in
        if name == "rapport.txt":
            with open(inbox / name, "a", encoding="utf-8") as more:
                more.write(REPORT[40:])

    monkeypatch.setattr(files, "_opened", grow)
    [outcome] = _in_process_inbox(loaded, inbox, tmp_path, monkeypatch)
    assert (outcome.atgard, outcome.flyttad) == ("kvar", None)
    assert outcome.skal == (f"{inbox / 'rapport.txt'} ändrades medan den lästes (den kanske kopieras in just nu); den tas "
                            "in vid nästa körning.")
    assert registered(loaded) == (0, 0)
    monkeypatch.setattr(files, "_opened", lambda fd, name: None)
    [again] = _in_process_inbox(loaded, inbox, tmp_path, monkeypatch)  # copied in whole now
    assert again.atgard == "registrerad"


@pytest.mark.parametrize("kind", ["lank", "fifo", "hardlank"])
def test_an_import_file_that_is_not_a_file_of_its_own_is_refused(db_url: str, tmp_path: Path, insatser_csv: Path,
                                                                  kind: str) -> None:
    path = tmp_path / "insatser.csv"
    copy = tmp_path / "original.csv"
    copy.write_bytes(insatser_csv.read_bytes())
    if kind == "lank":
        path.symlink_to(copy)
        why = "är en symbolisk länk; finsam följer inga länkar (lägg in själva filen)"
    elif kind == "fifo":
        os.mkfifo(path)
        why = "är en namngiven rörledning (FIFO), ingen fil"
    else:
        os.link(copy, path)
        why = "har 2 hårda länkar; finsam läser bara filer som bara finns på ett ställe (lägg in en kopia)"
    result = finsam(db_url, "import", "insatser", str(path), check=False)
    assert result.returncode == 1 and f"{path} {why}." in result.stderr
    assert "Traceback" not in result.stderr and "Oväntat fel" not in result.stderr


def test_outputs_are_never_written_through_a_link(db_url: str, tmp_path: Path, outside: Path, insatser_csv: Path) -> None:
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-06-01")
    before = outside.read_bytes()
    for args, name in ((("calendar", "export", "--output"), "kansli.ics"),
                       (("arsredovisning", "--ar", "2021", "--ut"), "bilaga1-lank.docx")):
        link = tmp_path / name
        link.symlink_to(outside)
        result = finsam(db_url, *args, str(link), check=False)
        assert result.returncode == 1, result.stdout
        assert f"{link} är en symbolisk länk; finsam följer inga länkar (lägg in själva filen); finsam skriver inte över " \
               "den." in " ".join(result.stderr.split())
        assert link.is_symlink()
    assert outside.read_bytes() == before and mode(outside) == 0o644
    fresh = tmp_path / "bilaga1.docx"
    finsam(db_url, "arsredovisning", "--ar", "2021", "--ut", str(fresh))
    assert mode(fresh) == 0o600 and fresh.read_bytes()[:2] == b"PK"


def test_a_database_file_that_is_a_link_is_refused(tmp_path: Path, outside: Path) -> None:
    link = tmp_path / "finsam.db"
    link.symlink_to(outside)
    result = finsam(f"sqlite:///{link}", "deadlines", check=False)
    assert result.returncode == 1
    assert f"Databasfilen {link} är en symbolisk länk" in result.stderr and "Traceback" not in result.stderr
    assert outside.read_text(encoding="utf-8") == REPORT and mode(outside) == 0o644


def test_the_demo_and_mail_folders_refuse_links(tmp_path: Path, outside: Path) -> None:
    """The demo's output folders and the mail sink: a link planted at a folder's or a file's name is refused."""
    import asyncio

    from finsam.adapters.mail import FolderTransport
    from finsam.services.delivery import TransientMailError

    root = tmp_path / "demo-output"
    root.mkdir()
    (root / "kalender").symlink_to(outside.parent, target_is_directory=True)
    with pytest.raises(files.UnsafeFile, match="kalender är en symbolisk länk"):
        files.write_in(root, "kalender/kansliet.ics", b"BEGIN:VCALENDAR")
    (root / "deadlines.json").symlink_to(outside)
    with pytest.raises(files.UnsafeFile, match="deadlines.json är en symbolisk länk"):
        files.write_in(root, "deadlines.json", b"[]")
    (root / "utskick").symlink_to(outside.parent, target_is_directory=True)

    async def send() -> None:
        async with FolderTransport(root / "utskick", "a@b.example").connect():
            pass

    with pytest.raises(TransientMailError, match="utskick är en symbolisk länk"):
        asyncio.run(send())
    assert sorted(p.name for p in outside.parent.iterdir()) == ["hemlig.txt"]
    assert outside.read_text(encoding="utf-8") == REPORT and mode(outside) == 0o644
    files.write_in(root, "underlag/2021-09-01-underlag.md", b"# Underlag")  # its own folders: created and written
    assert mode(root / "underlag" / "2021-09-01-underlag.md") == 0o600


def test_the_prefect_run_sets_links_and_fifos_aside(loaded: str, tmp_path: Path, outside: Path, monkeypatch,
                                                    harness) -> None:
    from flows.inkomna_rapporter import registrera_inkommen_rapport

    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    (inbox / "lank.txt").symlink_to(outside)
    os.mkfifo(inbox / "fifo.txt")
    (inbox / "rapport.txt").write_text(REPORT, encoding="utf-8")
    with finsam_settings(monkeypatch, database_url=loaded, mail_folder=str(tmp_path / "utskick"),
                         report_folder=str(tmp_path / "arkiv"), report_inbox=str(inbox)):
        result = registrera_inkommen_rapport()
    assert result["antal"] == {"fel": 2, "registrerad": 1}
    assert registered(loaded) == (1, 0)
    assert outside.read_text(encoding="utf-8") == REPORT and mode(outside) == 0o644
    assert sorted(p.name for p in (inbox / "ej-lasbara").iterdir()) == [
        "fifo.txt", "fifo.txt.orsak.txt", "lank.txt", "lank.txt.orsak.txt"]


def test_a_name_that_is_not_utf8_is_read_and_shown_with_a_replacement(loaded: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    (inbox / b"rapport-fr\xe5n-skannern.txt".decode("utf-8", "surrogateescape")).write_text(REPORT, encoding="utf-8")
    out = inbox_run(loaded, inbox, tmp_path)  # valid JSON: json.loads would fail otherwise
    assert [(o["fil"], o["atgard"]) for o in out] == [("rapport-fr\ufffdn-skannern.txt", "registrerad")]
    assert [p.name for p in (inbox / "behandlade").iterdir()] == ["rapport-fr\ufffdn-skannern.txt"]
    result = finsam(loaded, "report", "register", str(tmp_path / ("x" * 230 + ".txt")), "--json", check=False)
    assert result.returncode == 1 and "namnet är 234 byte långt" in result.stderr and "Traceback" not in result.stderr
