"""registrera-inkommen-rapport: from the kansli's folder and from its mailbox on a real IMAP server (Dovecot)."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from cli import finsam
from conftest import SHARED
from finsam.db import read_only
from finsam.domain.model import InkommenRapport, RapportKo
from imap_server import PASSWORD, USER, deliver, dovecot, seen_flags
from prefect_tools import eml_subjects, finsam_settings
from report_files import as_docx

REPORTS = SHARED / "reports"
pytestmark = pytest.mark.skipif(not REPORTS.exists(), reason="../shared/reports is not here")


@pytest.fixture
def loaded(db_url: str, tmp_path: Path, insatser_csv: Path, monkeypatch, harness):
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-06-01")
    with finsam_settings(monkeypatch, database_url=db_url, mail_folder=str(tmp_path / "utskick"),
                         report_folder=str(tmp_path / "arkiv"), report_inbox=str(tmp_path / "inkorg")):
        yield db_url


def _mail(subject: str, attachments: list[tuple[str, bytes]]) -> bytes:
    message = EmailMessage()
    message["From"] = "Helena Hägg <helena@hudiksvall.example>"
    message["To"] = "kontakt@samordningsforbund-gavleborg.example"
    message["Subject"] = subject
    message["Date"] = "Fri, 14 Jan 2022 09:12:00 +0100"
    message.set_content("Hej! Här kommer rapporten.")
    for name, data in attachments:
        maintype, subtype = ("application", "octet-stream")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def test_reports_from_the_mailbox_register_themselves(loaded: str, tmp_path: Path, monkeypatch) -> None:
    from flows.inkomna_rapporter import registrera_inkommen_rapport

    docx = as_docx((REPORTS / "slutrapport-trisam-hudiksvall.txt").read_text(encoding="utf-8"), tmp_path / "Slutrapport Trisam.docx")
    with dovecot() as port, finsam_settings(monkeypatch, imap_host="127.0.0.1", imap_port=str(port), imap_tls="none",
                                            imap_username=USER, imap_password=PASSWORD):
        deliver(port, _mail("Slutrapport Trisam 2.0", [("Slutrapport Trisam.docx", docx.read_bytes())]))
        deliver(port, _mail("Rapport", [("rapport.txt", "Slutrapport\nInsatsens namn\nTrisam 2.0\n".encode()),
                                         ("bild.txt", b"   ")]))
        deliver(port, _mail("Bara hej", []))
        result = registrera_inkommen_rapport(brevlada=True)
        assert result["antal"] == {"registrerad": 1, "i_kon": 1, "fel": 1}
        assert seen_flags(port) == [True, True, True]
        again = registrera_inkommen_rapport(brevlada=True)  # nothing unseen: nothing new
        assert again["antal"] == {}
    with read_only(loaded) as session:
        [rapport] = session.scalars(select(InkommenRapport)).all()
        assert rapport.filnamn == "Slutrapport Trisam.docx" and str(rapport.inkom) == "2022-01-14"
        assert [q.filnamn for q in session.scalars(select(RapportKo))] == ["rapport.txt"]
    assert "Kvittens: Slutrapport för Trisam 2.0 - Hudiksvalls kommun har kommit in" in eml_subjects(tmp_path / "utskick")


def test_reports_dropped_in_the_folder(loaded: str, tmp_path: Path) -> None:
    from flows.inkomna_rapporter import registrera_inkommen_rapport

    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    (inbox / "hudiksvall.txt").write_bytes((REPORTS / "slutrapport-trisam-hudiksvall.txt").read_bytes())
    (inbox / "kopia.txt").write_bytes((REPORTS / "slutrapport-trisam-hudiksvall.txt").read_bytes())  # the same file twice
    (inbox / "faktura.txt").write_text("Faktura 77\n", encoding="utf-8")
    result = registrera_inkommen_rapport()
    assert result["antal"] == {"registrerad": 1, "redan_registrerad": 1, "fel": 1}
    assert sorted(p.name for p in (inbox / "behandlade").iterdir()) == ["hudiksvall.txt", "kopia.txt"]
    assert sorted(p.name for p in (inbox / "ej-lasbara").iterdir()) == ["faktura.txt", "faktura.txt.orsak.txt"]
    assert not [p for p in inbox.iterdir() if p.is_file()]
    with read_only(loaded) as session:
        assert len(session.scalars(select(InkommenRapport)).all()) == 1


def latest_artifact(key: str) -> str:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        return client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                                     sort=ArtifactSort.CREATED_DESC, limit=1)[0].data


def test_a_queued_report_is_registered_from_the_run_form(loaded: str, tmp_path: Path) -> None:
    from flows.inkomna_rapporter import registrera_inkommen_rapport
    from flows.registrera import KoFormular, registrera_rapport_ur_ko

    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    (inbox / "oklar.txt").write_text("Slutrapport\nInsatsens namn\nTrisam 2.0\nAnkomstdatum\n2022-01-20\n", encoding="utf-8")
    assert registrera_inkommen_rapport()["antal"] == {"i_kon": 1}
    assert registrera_inkommen_rapport()["antal"] == {}  # a quarter of an hour later, nothing new...
    queue = latest_artifact("inkomna-rapporter")
    assert "Inga nya rapporter." in queue and "## Kansliets kö (1)" in queue  # ...but the queue is still shown
    assert "| oklar.txt | 2022-01-20 |" in queue
    with read_only(loaded) as session:
        [row] = session.scalars(select(RapportKo)).all()
    wrong = registrera_rapport_ur_ko(KoFormular(registreras_av="Karin Lund", fil="annan.txt", insats="SFG 21-6.58"),
                                     return_state=True)
    assert wrong.name == "Avvisad" and wrong.message.startswith("Ingen fil i kansliets kö heter 'annan.txt'. I kön: oklar.txt.")
    result = registrera_rapport_ur_ko(KoFormular(registreras_av="Karin Lund", fil="oklar.txt", insats="SFG 21-6.58"))
    assert result == {"insats": "Trisam 2.0 - Hudiksvalls kommun (SFG 21-6.58)", "tagg": "insats:SFG 21-6.58",
                      "rapport": "Slutrapport", "inkom": "2022-01-20"}
    with read_only(loaded) as session:
        assert session.get(RapportKo, row.id).hanterad is not None
    registrera_inkommen_rapport()
    assert "## Kansliets kö (0)" in latest_artifact("inkomna-rapporter") and "Kön är tom." in latest_artifact("inkomna-rapporter")


def test_any_file_name_is_bounded_at_the_door(loaded: str, tmp_path: Path, monkeypatch) -> None:
    """A 400-character attachment name and one with bytes that are not UTF-8, from the mailbox; a name with such
    bytes in the folder: registered or queued under a name the database holds on SQLite and PostgreSQL alike."""
    from flows.inkomna_rapporter import registrera_inkommen_rapport

    report = (REPORTS / "slutrapport-trisam-hudiksvall.txt").read_bytes()
    unclear = "Slutrapport\nInsatsens namn\nTrisam 2.0\n".encode()
    long_name = "Slutrapport " + "x" * 390 + ".txt"
    with dovecot() as port, finsam_settings(monkeypatch, imap_host="127.0.0.1", imap_port=str(port), imap_tls="none",
                                            imap_username=USER, imap_password=PASSWORD):
        deliver(port, _mail("Lång", [(long_name, report)]))
        deliver(port, _mail("Konstig", [("rapport-\udcff.txt".encode("utf-8", "surrogateescape").decode("latin-1"), unclear)]))
        result = registrera_inkommen_rapport(brevlada=True)
        assert result["antal"] == {"registrerad": 1, "i_kon": 1}
        assert seen_flags(port) == [True, True]  # handled: never retried on every run
    inbox = tmp_path / "inkorg"
    inbox.mkdir(exist_ok=True)
    (inbox / b"fr\xe5n-skannern.txt".decode("utf-8", "surrogateescape")).write_bytes(unclear + b"Ankomstdatum\n2022-01-20\n")
    result = registrera_inkommen_rapport()
    assert result["antal"] == {"i_kon": 1}
    with read_only(loaded) as session:
        [rapport] = session.scalars(select(InkommenRapport)).all()
        assert len(rapport.filnamn.encode()) <= 200 and rapport.filnamn.startswith("Slutrapport xxx")
        assert rapport.filnamn.endswith("….txt")
        queued = sorted(q.filnamn for q in session.scalars(select(RapportKo)))
        assert "fr\ufffdn-skannern.txt" in queued


def test_a_word_form_from_the_mailbox_keeps_its_checklist(loaded: str, tmp_path: Path, monkeypatch) -> None:
    """The förbund's delrapport form as an Outlook attachment, through the Prefect run: registered with its
    checklist line by line and the flags for the kansli."""
    from flows.inkomna_rapporter import registrera_inkommen_rapport
    from wordforms import delrapport_form

    form = delrapport_form(tmp_path / "Delrapport 3 Trisam.docx", dnr="SFG 21-6.58", namn="Trisam 2.0",
                           period="2020-12-01 - 2021-05-31", organisation="Hudiksvalls kommun")
    with dovecot() as port, finsam_settings(monkeypatch, imap_host="127.0.0.1", imap_port=str(port), imap_tls="none",
                                            imap_username=USER, imap_password=PASSWORD):
        deliver(port, _mail("Delrapport 3", [(form.name, form.read_bytes())]))
        assert registrera_inkommen_rapport(brevlada=True)["antal"] == {"registrerad": 1}
    with read_only(loaded) as session:
        [rapport] = session.scalars(select(InkommenRapport)).all()
        assert [(c["rad"], c["svar"]) for c in rapport.checklista] == [
            ("Haft möte minst två gånger under perioden", "ja"), ("Diskuterat budget mot utfall", "nej"),
            ("Följt upp att deltagare registrerats i SUS", None), ("Lämnat deltagaruppgifter till SUS", "ja"),
            ("Informerat styrgruppen om avvikelser", "ja")]
        assert rapport.checklista_flaggor == ["Nej utan kommentar i 5.2: Diskuterat budget mot utfall",
                                              "Obesvarad (5.1): Följt upp att deltagare registrerats i SUS"]
        assert (rapport.summa_budget_kr, rapport.summa_utfall_kr) == (322000, 302760)
