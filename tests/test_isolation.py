"""One bad item never stops the others: a stored value that breaks one message, one outbox row."""

from __future__ import annotations

from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser
from pathlib import Path

from sqlalchemy import text

from cli import finsam_json
from finsam.db import get_engine
from test_cli_daily import run

SODERHAMN = "Trisam 2.0 - Söderhamns kommun"
EVIL = "kontakt@soderhamn.example\r\nBcc: evil@attacker.example"


def _set_contact_address(db_url: str, insats: str, address: str) -> None:
    # A manual fix in the database, or a row from before addresses were checked at the door.
    with get_engine(db_url).begin() as c:
        c.execute(text("UPDATE kontaktperson SET epost = :a WHERE id = (SELECT kontaktperson_id FROM insats WHERE namn = :n)"),
                  {"a": address, "n": insats})


def _subjects(folder: Path) -> list[str]:
    return sorted(BytesParser(policy=policy.default).parsebytes(f.read_bytes())["Subject"] for f in folder.glob("*.eml"))


def test_an_address_with_a_line_break_fails_its_message_and_the_others_go_out(
    db_url: str, tmp_path: Path, insatser_csv: Path
) -> None:
    run(db_url, tmp_path, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    _set_contact_address(db_url, SODERHAMN, EVIL)

    result = run(db_url, tmp_path, "run", "daily", "--as-of", "2021-09-01", check=False)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "Oväntat fel" not in result.stderr
    # The five other messages of the day went out; the sixth is named with its reason.
    assert "5 nya meddelanden i utkorgen" in result.stdout and "5 skickade" in result.stdout
    assert "1 sak kunde inte göras i dag:" in result.stderr
    assert ("Påminnelse: Delrapport 3 – Trisam 2.0 - Söderhamns kommun: "
            "får inte innehålla radbrytningar eller styrtecken (U+000D)") in " ".join(result.stderr.split())
    subjects = _subjects(tmp_path / "utskick")
    assert len(subjects) == 5 and not any("Söderhamn" in s for s in subjects)
    for f in (tmp_path / "utskick").glob("*.eml"):
        message = BytesParser(policy=policy.default).parsebytes(f.read_bytes())
        assert not any("evil" in str(value) for value in message.values()), f  # never in a header
    # The weekly summary lists it for the kansli, escaped.
    summary = next(BytesParser(policy=policy.default).parsebytes(f.read_bytes())
                   for f in (tmp_path / "utskick").glob("*.eml") if b"Veckosammanfattning" in f.read_bytes())
    assert "kontakt@soderhamn.example\\x0d\\x0aBcc: evil@attacker.example: Kunde inte skapas" in (
        summary.get_body(("plain",)).get_content())
    # The failure is kept in the outbox with its reason, the address shown escaped, never as it is.
    failed = finsam_json(db_url, "outbox", "--tillstand", "misslyckad")
    assert [(r["mottagare"], r["amne"], r["fel"]) for r in failed] == [(
        "kontakt@soderhamn.example\\x0d\\x0aBcc: evil@attacker.example",
        "Kunde inte skapas: Påminnelse: Delrapport 3 – Trisam 2.0 - Söderhamns kommun",
        "får inte innehålla radbrytningar eller styrtecken (U+000D)",
    )]

    # The kansli corrects the address: the same day's run now sends the reminder, and only it.
    _set_contact_address(db_url, SODERHAMN, "kontakt@soderhamn.example")
    again = run(db_url, tmp_path, "run", "daily", "--as-of", "2021-09-01")
    assert "1 nya meddelanden i utkorgen" in again.stdout and "1 skickade" in again.stdout
    assert "Påminnelse: Delrapport 3 för Trisam 2.0 - Söderhamns kommun ska vara inne måndag 6 september 2021" in (
        _subjects(tmp_path / "utskick"))


def test_a_corrupt_outbox_row_fails_alone_and_the_rest_is_sent(db_url: str, tmp_path: Path, insatser_csv: Path) -> None:
    run(db_url, tmp_path, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    run(db_url, tmp_path, "run", "daily", "--as-of", "2021-09-01", "--skicka-inte")
    with get_engine(db_url).begin() as c:
        first = c.execute(text("SELECT min(id) FROM utskick")).scalar()
        c.execute(text("UPDATE utskick SET mottagare = :a WHERE id = :i"), {"a": EVIL, "i": first})

    result = run(db_url, tmp_path, "skicka", check=False)

    assert result.returncode == 3, result.stdout + result.stderr
    assert "5 skickade, 1 misslyckade" in result.stdout
    assert (f"Misslyckat utskick {first}: ogiltig mottagaradress i utkorgen (U+000D); meddelandet skickas inte så "
            "(en påminnelse görs om från insatsens uppgifter vid nästa dagliga körning)") in " ".join(result.stderr.split())
    assert len(list((tmp_path / "utskick").glob("*.eml"))) == 5
    # The next daily run makes that reminder anew from the insats's own (sound) data, and it goes out.
    again = run(db_url, tmp_path, "run", "daily", "--as-of", "2021-09-01")
    assert "1 nya meddelanden i utkorgen" in again.stdout and "1 skickade" in again.stdout
    assert len(list((tmp_path / "utskick").glob("*.eml"))) == 6


def test_a_corrupt_meeting_is_left_out_of_the_calendars_and_the_rest_is_served(
    db_url: str, tmp_path: Path, insatser_csv: Path, regler
) -> None:
    import httpx

    from finsam.audit import Kontext
    from finsam.db import unit_of_work
    from finsam.services.calendars import create_token
    from finsam.web import create_app
    from test_calendars import FeedServer
    from test_cli_daily import PLAN

    run(db_url, tmp_path, "import", "meetings", str(PLAN))
    run(db_url, tmp_path, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    with get_engine(db_url).begin() as c:  # a date no door lets in, written straight into the table
        c.execute(text("UPDATE sammantrade SET datum = '9999-12-31', tid = NULL WHERE id = (SELECT min(id) FROM sammantrade)"))

    result = run(db_url, tmp_path, "calendar", "export", "--output", str(tmp_path / "kansli.ics"), check=False)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    assert message.startswith("1 händelse kunde inte skrivas och saknas i kalendern:")
    written = (tmp_path / "kansli.ics").read_bytes()
    assert written.count(b"BEGIN:VEVENT") > 100 and b"99991231" not in written

    with unit_of_work(db_url, Kontext("test", "test", datetime(2021, 9, 1, tzinfo=timezone.utc))) as session:
        _row, token = create_token(session, session.info["kontext"], None)
    with FeedServer(create_app(db_url, regler)) as base, httpx.Client(base_url=base) as client:
        feed = client.get(f"/kalender/{token}.ics")
    assert feed.status_code == 200 and feed.content.count(b"BEGIN:VEVENT") == written.count(b"BEGIN:VEVENT")


def test_after_a_crash_the_commands_say_what_is_held_and_until_when(db_url: str, tmp_path: Path, insatser_csv: Path) -> None:
    run(db_url, tmp_path, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    run(db_url, tmp_path, "run", "daily", "--as-of", "2021-09-01", "--skicka-inte")
    with get_engine(db_url).begin() as c:  # two rows claimed by a run that died (its claim still valid)
        c.execute(text("UPDATE utskick SET tillstand = 'skickar', claim = 'dod-korning', claimed = :t "
                       "WHERE id IN (SELECT id FROM utskick ORDER BY id LIMIT 2)"),
                  {"t": datetime(2099, 1, 1, 10, 0, tzinfo=timezone.utc)})
    expected = ("2 meddelanden hålls av en annan körning (pågående eller avbruten) till 2099-01-01 11:15; "
                "därefter skickas de av nästa körning.")
    sent = run(db_url, tmp_path, "skicka")
    assert "4 skickade" in sent.stdout and expected in " ".join(sent.stderr.split())
    listing = run(db_url, tmp_path, "outbox")
    assert expected in " ".join(listing.stderr.split())


def test_a_registration_stands_when_its_kvittens_cannot_be_made(db_url: str, tmp_path: Path, insatser_csv: Path) -> None:
    run(db_url, tmp_path, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    _set_contact_address(db_url, SODERHAMN, EVIL)

    result = run(db_url, tmp_path, "rapport-inkommen", SODERHAMN, "--typ", "delrapport", "--inkom", "2021-09-03", check=False)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Delrapport 3 för" in result.stdout and "registrerad som inkommen 2021-09-03" in result.stdout
    assert ("Registreringen är sparad, men meddelandet kunde inte skapas: får inte innehålla radbrytningar eller "
            "styrtecken (U+000D). Rätta uppgiften (se `finsam outbox --tillstand misslyckad`).") in " ".join(result.stderr.split())
    rows = finsam_json(db_url, "deadlines", "--as-of", "2021-09-03", "--insats", SODERHAMN)
    assert [(r["nr"], r["status"], r["received"]) for r in rows if r["nr"] == 3] == [(3, "inkommen", "2021-09-03")]
    failed = finsam_json(db_url, "outbox", "--tillstand", "misslyckad")
    assert [r["amne"] for r in failed] == ["Kunde inte skapas: Kvittens: Delrapport 3 – Trisam 2.0 - Söderhamns kommun"]
