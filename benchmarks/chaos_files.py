"""make chaos, the file system: every kind of entry a shared folder can hold, at every door that reads or writes
files, through the real `finsam` command on SQLite and PostgreSQL. Nothing outside may be read into the
database, changed or hung on; every hostile entry is set aside or refused in finsam's own words."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from finsam.db import read_only
from finsam.domain.model import InkommenRapport

PROJECT = Path(__file__).resolve().parent.parent
REPORT = ("Slutrapport\nDiarienummer\nSFG 21-6.58\nInsatsens namn\nTrisam 2.0 - Hudiksvalls kommun\n"
          "Organisations namn\nHudiksvalls kommun\nInsatstid\n2019-12-01 - 2021-12-31\nDatum\n2022-01-14\n")
HOSTILE = ("lank_till_fil", "lank_till_mapp", "hard_lank", "fifo", "radbrytning_i_namn", "namn_255_byte",
           "lank_som_ej_lasbara")


def _finsam(url: str, cwd: Path, *args: str) -> tuple[int | None, str, str]:
    env = {**os.environ, "FINSAM_DATABASE_URL": url, "FINSAM_AKTOR": "chaos", "PYTHONPATH": str(PROJECT)}
    try:
        done = subprocess.run([sys.executable, "-m", "finsam", *args], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=90)
    except subprocess.TimeoutExpired:
        return None, "", ""
    return done.returncode, done.stdout, done.stderr


def _fingerprint(path: Path) -> tuple:
    info = os.lstat(path)
    return path.read_bytes(), stat.S_IMODE(info.st_mode), info.st_nlink, sorted(p.name for p in path.parent.iterdir())


def _plant(inbox: Path, kind: str, outside: Path) -> None:
    if kind == "lank_till_fil":
        (inbox / "lank.txt").symlink_to(outside)
    elif kind == "lank_till_mapp":
        (inbox / "mapplank").symlink_to(outside.parent, target_is_directory=True)
    elif kind == "hard_lank":
        os.link(outside, inbox / "hardlank.txt")
    elif kind == "fifo":
        os.mkfifo(inbox / "fifo.txt")
    elif kind == "radbrytning_i_namn":
        (inbox / "rap\nport.txt").write_text(REPORT, encoding="utf-8")
    elif kind == "namn_255_byte":
        (inbox / ("n" * 251 + ".txt")).write_text(REPORT, encoding="utf-8")
    elif kind == "lank_som_ej_lasbara":
        (inbox / "ej-lasbara").symlink_to(outside.parent, target_is_directory=True)
        (inbox / "trasig.docx").write_bytes(b"inte en zip")


def file_system(urls: dict[str, str], work: Path, rounds: int = 1) -> dict[str, object]:
    """Each hostile kind alone in an inbox beside one real report, `rounds` times per backend; then the import
    file and the outputs as links, FIFOs and hard links."""
    counts = {"fs_cases": 0, "fs_outside_changed": 0, "fs_outside_read": 0, "fs_hung_runs": 0, "fs_tracebacks": 0,
              "fs_set_aside_or_refused": 0, "fs_good_reports_registered": 0}
    per_kind: dict[str, int] = {}
    csv = PROJECT / "data" / "insatser-2021.csv"
    for backend, url in urls.items():
        for n in range(rounds):
            for kind in HOSTILE:
                case = work / f"fs-{backend}-{n}-{kind}"
                (case / "inkorg").mkdir(parents=True)
                outside = case / "annan" / "hemlig.txt"
                outside.parent.mkdir()
                outside.write_text(REPORT.replace("SFG 21-6.58", "SFG 21-6.64"), encoding="utf-8")  # would register too
                _finsam(url, case, "import", "insatser", str(csv), "--as-of", "2021-06-01")
                with read_only(url) as session:
                    already = session.scalar(select(func.count()).select_from(InkommenRapport))
                _plant(case / "inkorg", kind, outside)
                before = _fingerprint(outside)  # as planted (a hard link counts itself)
                (case / "inkorg" / "rapport.txt").write_text(REPORT, encoding="utf-8")
                code, out, err = _finsam(url, case, "report", "inbox", str(case / "inkorg"), "--json")
                counts["fs_cases"] += 1
                per_kind[kind] = per_kind.get(kind, 0) + 1
                if code is None:
                    counts["fs_hung_runs"] += 1
                    continue
                if code not in (0, 1) or "Traceback" in err or "Oväntat fel" in err + out:
                    counts["fs_tracebacks"] += 1
                outcomes = json.loads(out) if code == 0 else []
                counts["fs_set_aside_or_refused"] += sum(1 for o in outcomes if o["atgard"] == "fel")
                counts["fs_good_reports_registered"] += sum(1 for o in outcomes if o["atgard"] in ("registrerad",
                                                                                                   "redan_registrerad"))
                if _fingerprint(outside) != before:
                    counts["fs_outside_changed"] += 1
                    print("ändrad utanför:", backend, kind, before[1:], _fingerprint(outside)[1:], file=sys.stderr)
                with read_only(url) as session:
                    stored = session.scalars(select(InkommenRapport)).all()
                    counts["fs_outside_read"] += sum(1 for r in stored if r.deadline.insats.diarienummer == "SFG 21-6.64")
                    assert len(stored) <= already + 1
        # The import file and the outputs: a link, a FIFO and a hard link at their names.
        for kind in ("lank", "fifo", "hard_lank"):
            case = work / f"fs-{backend}-door-{kind}"
            case.mkdir()
            outside = case / "hemlig.csv"
            outside.write_bytes(csv.read_bytes())
            before = _fingerprint(outside)
            for door, args in (("import", ("import", "insatser")), ("kalender", ("calendar", "export", "--output")),
                               ("bilaga1", ("arsredovisning", "--ar", "2021", "--ut"))):
                path = case / f"{door}.{'docx' if door == 'bilaga1' else 'csv'}"
                if kind == "lank":
                    path.symlink_to(outside)
                elif kind == "fifo":
                    os.mkfifo(path)
                else:
                    os.link(outside, path)
                code, out, err = _finsam(url, case, *args, str(path))
                counts["fs_cases"] += 1
                per_kind[f"{door}_{kind}"] = per_kind.get(f"{door}_{kind}", 0) + 1
                if code is None:
                    counts["fs_hung_runs"] += 1
                elif code != 1 or "Traceback" in err or "Oväntat fel" in err:
                    counts["fs_tracebacks"] += 1
                else:
                    counts["fs_set_aside_or_refused"] += 1
                path.unlink()
            counts["fs_outside_changed"] += _fingerprint(outside) != before
    return {**counts, "fs_per_kind": per_kind}
