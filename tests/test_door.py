"""Every input is checked at the door, the same on SQLite and PostgreSQL; errors read like a program
a kansli can trust. Expected messages are written out by hand."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from cli import finsam
from finsam.db import get_engine, read_only
from finsam.domain.model import Base
from finsam.web import create_app
from test_calendars import FeedServer

HEADER = "namn,inriktning,huvudman,start,slut,kontaktperson,kontakt_epost,kontakt_telefon,beviljade_medel_kr"


def counts(db_url: str) -> dict[str, int]:
    with read_only(db_url) as session:
        return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def refused(db_url: str, *args: str, cwd: Path | None = None) -> str:
    """Run a command that must be refused: exit 1, no traceback, nothing written; its message on one line."""
    before = counts(db_url)
    result = finsam(db_url, *args, cwd=cwd, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "Oväntat fel" not in result.stderr
    assert counts(db_url) == before
    return " ".join(result.stderr.split())


@pytest.mark.parametrize(("row", "expected"), [
    ("N" * 301 + ",individ,Gävle kommun,2021-01-01,,,,,",
     "rad 2, kolumn 'namn': högst 300 tecken (här 301)"),
    ("Insats,individ," + "H" * 201 + ",2021-01-01,,,,,",
     "rad 2, kolumn 'huvudman': högst 200 tecken (här 201)"),
    ("Insats,individ,Gävle kommun,2021-01-01,,Anna,anna@gavle.example," + "1" * 41 + ",",
     "rad 2, kolumn 'kontakt_telefon': högst 40 tecken (här 41)"),
    ("Insats,individ,Gävle kommun,2021-01-01,9999-12-31,,,,",
     "rad 2, kolumn 'slut': 9999-12-31 ligger utanför det tillåtna intervallet 1990-01-01 – 2100-12-31"),
    ("Insats,individ,Gävle kommun,1989-12-31,,,,,",
     "rad 2, kolumn 'start': 1989-12-31 ligger utanför det tillåtna intervallet 1990-01-01 – 2100-12-31"),
    ("Insats,individ,Gävle kommun,2021-01-01,,,,,99999999999999999999999",
     "rad 2, kolumn 'beviljade_medel_kr': beloppet är större än högsta tillåtna (10 000 000 000 kr)"),
    ("Insats\u2028Bcc,individ,Gävle kommun,2021-01-01,,,,,",
     "rad 2, kolumn 'namn': får inte innehålla radbrytningar eller styrtecken (U+2028)"),
    ("Insats\u202e,individ,Gävle kommun,2021-01-01,,,,,",
     "rad 2, kolumn 'namn': får inte innehålla radbrytningar eller styrtecken (U+202E)"),
])
def test_a_csv_value_outside_the_bounds_is_refused_naming_line_and_column(
    db_url: str, tmp_path: Path, row: str, expected: str
) -> None:
    path = tmp_path / "insatser.csv"
    path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    assert expected in refused(db_url, "import", "insatser", str(path))


def test_each_row_reports_every_problem_it_has(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "insatser.csv"
    path.write_text(f"{HEADER}\n{'N' * 301},okänd,,2021-02-30,,Anna,,{'1' * 41},-5\n", encoding="utf-8")
    message = refused(db_url, "import", "insatser", str(path))
    for expected in ("rad 2, kolumn 'namn': högst 300 tecken (här 301)",
                     "rad 2, kolumn 'inriktning': okänd inriktning 'okänd' (ska vara individ eller struktur)",
                     "rad 2, kolumn 'huvudman': värde saknas",
                     "rad 2, kolumn 'start': '2021-02-30' är inte ett giltigt datum",
                     "rad 2, kolumn 'kontakt_epost': kontaktpersonen saknar e-postadress",
                     "rad 2, kolumn 'kontakt_telefon': högst 40 tecken (här 41)",
                     "rad 2, kolumn 'beviljade_medel_kr': beloppet kan inte vara negativt"):
        assert expected in message, expected
    assert "7 fel, inget har sparats" in message


def test_csv_encodings_utf16_is_read_and_undecodable_bytes_are_named_by_line(db_url: str, tmp_path: Path) -> None:
    good = f"{HEADER}\nArbetsträning Söderhamn,individ,Söderhamns kommun,2021-01-01,2021-12-31,,,,\n"
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(good.encode("utf-16"))  # with its BOM, as Excel's "Unicode text" saves it
    finsam(db_url, "import", "insatser", str(utf16), "--dry-run", "--as-of", "2021-01-01")
    broken = tmp_path / "trasig.csv"
    broken.write_bytes(good.encode("utf-8") + "Insats två,individ,Gävle kommun,2021-01-01,,,,,\n".encode() +
                       b"Insats \xff,individ,G\xe4vle,2021-01-01,,,,,\n")
    assert (f"{broken}: rad 4: tecken som inte går att läsa (byte 0xFF); spara filen som UTF-8 eller Windows-1252"
            in refused(db_url, "import", "insatser", str(broken)))


@pytest.mark.parametrize(("content", "expected"), [
    ("- {typ: styrelse, datum: 9999-12-31}\n",
     "rad 1, kolumn 'datum': 9999-12-31 ligger utanför det tillåtna intervallet 1990-01-01 – 2100-12-31"),
    ("- {typ: styrelse, datum: 2027-02-11, plats: \"Gävle\\nBcc: x\"}\n",
     "rad 1, kolumn 'plats': får inte innehålla radbrytningar eller styrtecken (U+000A)"),
    (f"- {{typ: styrelse, datum: 2027-02-11, plats: {'P' * 201}}}\n",
     "rad 1, kolumn 'plats': högst 200 tecken (här 201)"),
    ("- {typ: styrelse, datum: 2027-02-11, plats: [a, b]}\n",
     "rad 1, kolumn 'plats': ska vara ett enkelt värde, inte en lista"),
    ("- &m {typ: styrelse, datum: 2027-02-11}\n- *m\n",
     "rad 1: ankare (&m) är inte tillåtna; skriv ut värdet"),
    ("- {typ: styrelse, datum: 2027-02-11, datum: 2027-03-11}\n",
     "rad 1: nyckeln 'datum' finns redan på rad 1"),
])
def test_a_meeting_plan_outside_the_bounds_is_refused(db_url: str, tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "moten.yaml"
    path.write_text(content, encoding="utf-8")
    assert f"{path}: {expected}" in refused(db_url, "import", "meetings", str(path))


def test_a_billion_laughs_plan_is_refused_before_it_expands(db_url: str, tmp_path: Path) -> None:
    lines = ['a0: &a0 "' + "x" * 100 + '"'] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    path = tmp_path / "moten.yaml"
    path.write_text("\n".join(lines) + "\nsammantraden: [{typ: styrelse, datum: 2027-02-11, plats: *a8}]\n")
    assert f"{path}: rad 1: ankare (&a0) är inte tillåtna; skriv ut värdet" in refused(db_url, "import", "meetings", str(path))


def test_a_file_over_the_size_limit_is_refused_unread(db_url: str, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "stor.csv"
    path.write_text(HEADER + "\n" + "x" * 1_100_000, encoding="utf-8")
    monkeypatch.setenv("FINSAM_MAX_IMPORTFIL_MB", "1")  # the operator's setting, read by the command
    assert f"{path}: filen är för stor (1 MB; högst 1 MB)" in refused(db_url, "import", "insatser", str(path))


def test_a_value_that_slipped_past_the_door_is_stopped_before_the_database(db_url: str) -> None:
    # SQLite would store it; PostgreSQL would refuse it. Both refuse it the same way, naming the column.
    from datetime import datetime, timezone

    from finsam.audit import Kontext
    from finsam.db import unit_of_work
    from finsam.domain.model import Organisation
    from finsam.guard import ValueOutOfBounds

    kontext = Kontext(aktor="test", atgard="test", nu=datetime(2026, 12, 1, tzinfo=timezone.utc))
    with pytest.raises(ValueOutOfBounds, match=r"^Värdet ryms inte i databasen: organisation\.namn: högst 200 tecken \(här 201\)$"):
        with unit_of_work(db_url, kontext) as session:
            session.add(Organisation(namn="O" * 201))
    assert counts(db_url)["organisation"] == 0


@pytest.mark.parametrize(("args", "expected"), [
    (("deadlines", "--as-of", "2021-13-45"), "Fel: ogiltigt värde för '--as-of': '2021-13-45' är inte ett giltigt datum"),
    (("deadlines", "--as-of", "9999-12-31"),
     "Fel: ogiltigt värde för '--as-of': 9999-12-31 ligger utanför det tillåtna intervallet 1990-01-01 – 2100-12-31"),
    (("deadlines", "--as-of"), "Fel: '--as-of' kräver ett värde"),
    (("anstand",), "Fel: 'deadline_id' saknas"),
    (("finns-inte",), "Fel: det finns inget kommando 'finns-inte'"),
    (("outbox", "--antal", "x"), "Fel: ogiltigt värde för '--antal': skriv ett heltal"),
    (("deadlines", "--okand"), "Fel: det finns inget alternativ --okand"),
])
def test_usage_errors_get_the_usage_in_swedish_and_exit_2(db_url: str, args: tuple[str, ...], expected: str) -> None:
    result = finsam(db_url, *args, check=False)
    assert result.returncode == 2, result.stderr
    assert "Användning: finsam" in result.stderr and "Traceback" not in result.stderr
    assert expected in result.stderr.replace("\n", " ")


def test_a_real_bug_writes_a_private_crash_report_without_personal_data(db_url: str, tmp_path: Path, insatser_csv: Path) -> None:
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-06-01")
    with get_engine(db_url).begin() as c:  # a state no version of finsam writes: reading it is a bug
        c.execute(text("UPDATE insats SET tillstand = 'pa_vag' WHERE diarienummer = 'SFG 21-6.58'"))
    result = finsam(db_url, "insatser", cwd=tmp_path, check=False)
    assert result.returncode == 70, result.stderr
    assert "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    assert message.startswith("Oväntat fel (LookupError): ett fel i programmet, inte i det du skrev. "
                              "En felrapport (utan personuppgifter) finns i ")
    reports = list((tmp_path / "felrapporter").glob("felrapport-*.txt"))
    assert len(reports) == 1 and str(reports[0]) in message
    assert stat.S_IMODE(reports[0].stat().st_mode) == 0o600
    report = reports[0].read_text(encoding="utf-8")
    assert "kommando: finsam insatser" in report and "LookupError" in report and 'File "' in report
    assert "Hudiksvall" not in report and "pa_vag" not in report  # the messages are left out


def test_files_with_personal_data_are_private(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ny.db'}"
    finsam(url, "db", "upgrade")
    assert stat.S_IMODE((tmp_path / "ny.db").stat().st_mode) == 0o600


def test_the_feed_answers_every_unknown_path_alike_and_never_redirects(db_url: str, regler) -> None:
    with FeedServer(create_app(db_url, regler)) as base, httpx.Client(base_url=base) as client:
        answers = set()
        for method, path in [("GET", "/"), ("GET", "/kalender/"), ("GET", "/kalender/x.ics"), ("GET", "/halsa/"),
                             ("POST", "/kalender/x.ics"), ("GET", "/kalender/x"), ("GET", "/docs"),
                             ("GET", "/kalender/%00.ics"), ("DELETE", "/halsa"), ("GET", "/dokument/x/bilaga-1-2021.docx"),
                             ("GET", "/dokument/x/..%2F..%2Fetc%2Fpasswd"), ("GET", "/dokument/"), ("GET", "/dokument/x/y.docx")]:
            response = client.request(method, path, headers={"Host": "evil.example"})
            answers.add((response.status_code, response.text, response.headers.get("location")))
        assert answers == {(404, "Hittades inte.", None)}


@pytest.mark.parametrize(("args", "expected"), [
    (("anstand", "99999999999999999999", "--new-due", "2022-01-01", "--reason", "x"),
     "Fel: Det finns ingen deadline med id 99999999999999999999."),
    (("historik", "99999999999999999999"), "Fel: Ingen insats matchar '99999999999999999999'."),
    (("historik", "١٢"), "Fel: Ingen insats matchar '١٢'."),
    (("report", "dismiss", "99999999999999999999"), "Fel: Det finns ingen ohanterad rapport med id 99999999999999999999 i kön."),
    (("calendar", "token", "revoke", "--", "-5"), "Fel: Det finns ingen kalenderlänk med id -5."),
])
def test_a_number_no_id_can_be_is_simply_not_found(db_url: str, args: tuple[str, ...], expected: str) -> None:
    # PostgreSQL refuses to compare an INTEGER column with 20 digits; the lookup never asks it to.
    assert expected in refused(db_url, *args)
