"""Plans change, from the command line: a new rules file shown first and applied by the daily run,
a changed meeting plan that moves an ansökan and tells its applicant, a komplettering."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import PROJECT, finsam, finsam_json


def _due(db_url: str, insats: str, nr: int, as_of: str) -> str:
    rows = finsam_json(db_url, "deadlines", "--insats", insats, "--as-of", as_of)
    return next(r["due"] for r in rows if r["kind"] == "delrapport" and r["nr"] == nr)


def test_a_rules_change_is_shown_first_then_applied_by_the_daily_run(
    db_url: str, insatser_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINSAM_MAIL_FOLDER", str(tmp_path / "utskick"))
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    finsam(db_url, "run", "daily", "--as-of", "2021-09-01", "--skicka-inte")  # notes the rules in force
    rules = tmp_path / "regler.yaml"
    rules.write_text((PROJECT / "config" / "regler.yaml").read_text(encoding="utf-8")
                     .replace("dagar_efter_period: 30 ", "dagar_efter_period: 45 "), encoding="utf-8")
    moves = finsam_json(db_url, "config", "diff", "--regler", str(rules), "--as-of", "2021-09-02")
    # Period ending 2021-09-30: +30 is Saturday 30 October, so Monday 1 November; +45 is Sunday
    # 14 November, so Monday 15 November.
    assert {"insats": "Ett hållbart arbetsliv - Ockelbo", "rapport": "Delrapport 4", "fore": "2021-11-01",
            "efter": "2021-11-15"} in moves
    assert _due(db_url, "Ett hållbart arbetsliv - Ockelbo", 4, "2021-09-02") == "2021-11-01"  # nothing saved
    monkeypatch.setenv("FINSAM_RULES_FILE", str(rules))
    out = finsam(db_url, "run", "daily", "--as-of", "2021-09-02", "--skicka-inte").stdout
    assert f"Reglerna har ändrats: {len(moves)} rapportdatum planerades om." in out
    assert "Ett hållbart arbetsliv - Ockelbo: Delrapport 4 2021-11-01 → 2021-11-15" in out
    assert _due(db_url, "Ett hållbart arbetsliv - Ockelbo", 4, "2021-09-02") == "2021-11-15"
    again = finsam(db_url, "run", "daily", "--as-of", "2021-09-03", "--skicka-inte").stdout
    assert "Reglerna har ändrats" not in again
    assert finsam_json(db_url, "config", "diff", "--as-of", "2021-09-03") == []


def test_a_cancelled_meeting_moves_the_ansokan_and_its_applicant_is_told(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINSAM_MAIL_FOLDER", str(tmp_path / "utskick"))
    plan = tmp_path / "plan.csv"
    plan.write_text("typ,datum,installt\nberedningsgrupp,2022-02-02,nej\nberedningsgrupp,2022-03-02,nej\n"
                    "styrelse,2022-03-24,nej\n", encoding="utf-8")
    finsam(db_url, "import", "meetings", str(plan), "--as-of", "2022-01-05")
    out = finsam(db_url, "ansokan", "Aktiv start", "--huvudman", "Gävle kommun", "--ankomst", "2022-01-10",
                 "--kontakt", "Ann Ask", "--epost", "ann@aktiv.example", "--diarienummer", "SC 3").stdout
    assert "Går till beredningsgruppen 2022-02-02 (handlingar senast 2022-01-19)." in out
    plan.write_text(plan.read_text(encoding="utf-8").replace("2022-02-02,nej", "2022-02-02,ja"), encoding="utf-8")
    out = finsam(db_url, "import", "meetings", str(plan), "--as-of", "2022-01-12").stdout
    assert "0 nya, 1 ändrade, 2 oförändrade sammanträden." in out
    assert "Aktiv start (SC 3): Beredningsgruppsmöte 2022-02-02 → Beredningsgruppsmöte 2022-03-02" in out
    assert "1 sökande får besked om nytt mötesdatum." in out
    [message] = [r for r in finsam_json(db_url, "outbox") if r["typ"] == "nytt_motesdatum"]
    assert message["mottagare"] == "ann@aktiv.example"
    assert "behandlas 2 mars 2022" in message["amne"]
    meetings = {(m["typ"], m["datum"]): m for m in finsam_json(db_url, "moten", "--as-of", "2022-01-12")}
    assert [a["namn"] for a in meetings[("beredningsgrupp", "2022-03-02")]["agenda"]] == ["Aktiv start"]
    assert meetings[("beredningsgrupp", "2022-02-02")]["installt"] is True
    finsam(db_url, "yttrande", "SC 3", "--datum", "2022-03-02", "--bedomning", "kompletteras",
           "--motivering", "Budget per år saknas.")
    out = finsam(db_url, "komplettering", "SC 3", "--inkom", "2022-03-09").stdout
    # The styrelse on 24 March wants documents by Thursday 10 March: the komplettering makes it.
    assert "Komplettering registrerad för Aktiv start (SC 3); går till styrelsen 2022-03-24" in out
    meetings = {(m["typ"], m["datum"]): m for m in finsam_json(db_url, "moten", "--as-of", "2022-03-09")}
    [agenda] = meetings[("styrelse", "2022-03-24")]["agenda"]
    assert (agenda["namn"], agenda["yttrande"], agenda["komplettering_inkom"]) == ("Aktiv start", "kompletteras", "2022-03-09")


def test_a_styrelse_meeting_moved_from_the_command_line_takes_its_ansokan_along(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINSAM_MAIL_FOLDER", str(tmp_path / "utskick"))
    plan = tmp_path / "plan.csv"
    plan.write_text("typ,datum\nberedningsgrupp,2022-03-02\nstyrelse,2022-03-24\n", encoding="utf-8")
    finsam(db_url, "import", "meetings", str(plan), "--as-of", "2022-02-01")
    finsam(db_url, "ansokan", "Aktiv start", "--huvudman", "Gävle kommun", "--ankomst", "2022-02-01",
           "--kontakt", "Ann Ask", "--epost", "ann@aktiv.example", "--diarienummer", "SC 3")
    finsam(db_url, "yttrande", "SC 3", "--datum", "2022-03-02", "--bedomning", "avstyrks")
    out = finsam(db_url, "mote", "styrelse", "2022-03-24", "--nytt-datum", "2022-03-31", "--as-of", "2022-03-07").stdout
    assert "Styrelsemöte 2022-03-24 flyttat till 2022-03-31." in out
    assert "1 sökande får besked om nytt mötesdatum." in out
    [meeting] = [m for m in finsam_json(db_url, "moten", "--as-of", "2022-03-07") if m["typ"] == "styrelse"]
    # Documents 14 days before Thursday 31 March: Thursday 17 March.
    assert (meeting["datum"], meeting["handlingar_senast"]) == ("2022-03-31", "2022-03-17")
    assert [(a["namn"], a["yttrande"]) for a in meeting["agenda"]] == [("Aktiv start", "avstyrks")]
    refused = finsam(db_url, "mote", "styrelse", "2022-03-31", "--nytt-datum", "2022-03-31", "--as-of", "2022-03-07",
                     check=False)
    assert refused.returncode == 1 and "Styrelsemöte 2022-03-31 har redan det datumet." in refused.stderr
