"""`finsam run daily` and `finsam outbox` as a user runs them: the embedded default writes .eml files."""

from __future__ import annotations

import os
from email import policy
from email.parser import BytesParser
from pathlib import Path

from cli import PROJECT, finsam, finsam_json
from smtp_servers import smtp_server

PLAN = PROJECT / "data" / "sammantraden-2021-2022.yaml"


def run(db_url: str, tmp_path: Path, *args: str, check: bool = True, **env: str):
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return finsam(db_url, *args, cwd=tmp_path, check=check)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_daily_run_writes_eml_files_once(db_url: str, tmp_path: Path, insatser_csv: Path) -> None:
    run(db_url, tmp_path, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    out = run(db_url, tmp_path, "run", "daily", "--as-of", "2021-09-01").stdout
    assert "6 nya meddelanden i utkorgen" in out and "6 skickade" in out
    files = sorted((tmp_path / "utskick").glob("*.eml"))
    assert len(files) == 6
    again = run(db_url, tmp_path, "run", "daily", "--as-of", "2021-09-01").stdout
    assert "0 nya meddelanden" in again and "0 skickade" in again
    assert len(list((tmp_path / "utskick").glob("*.eml"))) == 6
    messages = [BytesParser(policy=policy.default).parsebytes(f.read_bytes()) for f in files]
    subjects = sorted(m["Subject"] for m in messages)
    assert "Påminnelse: Delrapport 3 för Trisam 2.0 - Söderhamns kommun ska vara inne måndag 6 september 2021" in subjects
    assert any(s.startswith("Veckosammanfattning vecka 35") for s in subjects)
    rows = finsam_json(db_url, "outbox")
    assert len(rows) == 6 and {r["tillstand"] for r in rows} == {"skickad"}
    assert {f.stem for f in files} == {r["message_id"].strip("<>").replace("@", "_") for r in rows}


def test_daily_run_over_smtp_and_a_failure_exits_non_zero(db_url: str, tmp_path: Path, insatser_csv: Path) -> None:
    run(db_url, tmp_path, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    with smtp_server() as server:
        out = run(db_url, tmp_path, "run", "daily", "--as-of", "2021-09-01",
                  FINSAM_SMTP_HOST=server.host, FINSAM_SMTP_PORT=str(server.port)).stdout
        assert "6 skickade" in out and len(server.recorder.received) == 6
    # Nothing listens now: the day's new messages wait, the command says so and exits 3.
    result = run(db_url, tmp_path, "run", "daily", "--as-of", "2021-09-06", check=False,
                 FINSAM_SMTP_HOST="127.0.0.1", FINSAM_SMTP_PORT=str(server.port), FINSAM_SMTP_RETRY_DELAY="0")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "väntar på nytt försök" in result.stdout
    waiting = finsam_json(db_url, "outbox", "--tillstand", "vantar")
    assert waiting and all(r["fel"] for r in waiting)


def test_beslut_and_report_send_their_messages(db_url: str, tmp_path: Path) -> None:
    run(db_url, tmp_path, "import", "meetings", str(PLAN))
    run(db_url, tmp_path, "ansokan", "Steg till arbete", "--huvudman", "Hofors kommun", "--ankomst", "2021-08-10",
        "--kontakt", "Åsa Öberg", "--epost", "asa@hofors.example", "--diarienummer", "SFG 21-9.2")
    run(db_url, tmp_path, "yttrande", "SFG 21-9.2", "--datum", "2021-09-01", "--bedomning", "tillstyrks")
    out = run(db_url, tmp_path, "beslut", "SFG 21-9.2", "--datum", "2021-09-23", "--utfall", "beviljas", "--belopp",
              "580 690 kr", "--start", "2021-10-01", "--slut", "2022-09-30", "--as-of", "2021-09-23").stdout
    assert "Beslutsmeddelande köat" in out and "1 skickade" in out
    [eml] = list((tmp_path / "utskick").glob("*.eml"))
    msg = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert msg["Subject"] == "Beslut: Steg till arbete har beviljats"
    text = msg.get_body(("plain",)).get_content()
    assert "580\u00a0690\u00a0kr" in text
    assert "Delrapport 1 (period 1 oktober 2021 – 31 mars 2022): senast måndag 2 maj 2022" in text
    # The slutrapport reports on the whole insatstid (rapportering.slutrapport.omfattar), not its last six months.
    assert "Slutrapport (period 1 oktober 2021 – 30 september 2022): senast tisdag 29 november 2022" in text
    calendar = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_content().count("BEGIN:VEVENT") == 2
    out = run(db_url, tmp_path, "rapport-inkommen", "SFG 21-9.2", "--typ", "delrapport", "--inkom", "2022-04-20").stdout
    assert "Kvittens köad" in out
    subjects = {BytesParser(policy=policy.default).parsebytes(f.read_bytes())["Subject"] for f in (tmp_path / "utskick").glob("*.eml")}
    assert "Kvittens: Delrapport 1 för Steg till arbete har kommit in" in subjects


def test_a_deadline_past_at_import_is_chased_once_the_kansli_says_so(db_url: str, tmp_path: Path, insatser_csv: Path) -> None:
    run(db_url, tmp_path, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    rows = finsam_json(db_url, "deadlines", "--insats", "SFG 21-6.58", "--as-of", "2021-09-01")
    missing = next(r for r in rows if r["status"] == "forfallen")
    assert missing["chased"] is False
    run(db_url, tmp_path, "run", "daily", "--as-of", "2021-09-01", "--skicka-inte")
    assert not [r for r in finsam_json(db_url, "outbox") if r["amne"].startswith("Eskalering") or r["amne"].startswith("Försenad")]
    out = run(db_url, tmp_path, "bevaka", str(missing["id"])).stdout
    assert "bevakas nu" in out
    out = run(db_url, tmp_path, "run", "daily", "--as-of", "2021-09-02", "--skicka-inte").stdout
    assert "Köat: Eskalering" in out and "insatsansvarig@hudiksvalls.example" not in out.split("Köat: Eskalering")[1].split("\n")[0]
    assert "Till styrelsens uppföljningslista" in out  # long overdue: the latest step, +30, goes
