"""An incomplete report is not a finished one: a slutrapport without utnyttjade medel is inkommen but ofullständig;
the kvittens says what is missing and by when, a komplettering is chased with its own date, and the insats is not
slutredovisad (nor an återbetalning computed) until the completed report arrives or the kansli accepts it.

Trisam 2.0 - Hudiksvalls kommun (SFG 21-6.58) ends 2021-12-31. The slutrapport comes Friday 14 January 2022;
komplettering_dagar 14 makes the komplettering due Friday 28 January 2022 (counted by hand)."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import select

from cli import finsam
from finsam.db import read_only
from finsam.domain.enums import DeadlineTillstand, RapportTyp, Tillstand
from finsam.domain.model import Aterbetalning, Deadline, InkommenRapport, Insats, Utskick

PROJECT = Path(__file__).resolve().parent.parent
HEAD = """Slutrapport
Diarienummer
SFG 21-6.58
Insatsens namn
Trisam 2.0
Organisations namn
Hudiksvalls kommun
Insatstid – åååå-mm-dd
2019-12-01 - 2021-12-31
Beviljade medel för insatsen
580 690 kr
"""
COMPLETE = HEAD + "Utnyttjade medel\n571 224 kr\n"


def loaded(db_url: str) -> str:
    finsam(db_url, "import", "insatser", str(PROJECT / "data" / "insatser-2021.csv"), "--as-of", "2021-06-01")
    return db_url


def register(db_url: str, tmp_path: Path, name: str, text: str, day: str) -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return json.loads(finsam(db_url, "report", "register", str(path), "--received", day, "--json", cwd=tmp_path).stdout)


def state(db_url: str) -> tuple[Tillstand, list[tuple[str, str, str]], int]:
    with read_only(db_url) as session:
        insats = session.scalar(select(Insats).where(Insats.diarienummer == "SFG 21-6.58"))
        kompl = [(d.rubrik, d.forfaller.isoformat(), d.tillstand.value) for d in insats.deadlines
                 if d.typ is RapportTyp.KOMPLETTERING]
        repayments = len(session.scalars(select(Aterbetalning).where(Aterbetalning.insats_id == insats.id)).all())
        return insats.tillstand, kompl, repayments


def kvittens_text(db_url: str) -> str:
    with read_only(db_url) as session:
        row = session.scalars(select(Utskick).where(Utskick.typ == "kvittens").order_by(Utskick.id)).first()
        body = message_from_bytes(row.meddelande, policy=policy.default).get_body(("plain",)).get_content()
    return " ".join(body.split())


def test_an_incomplete_slutrapport_asks_for_the_rest_and_the_completed_one_closes_the_insats(
        db_url: str, tmp_path: Path) -> None:
    loaded(db_url)
    first = register(db_url, tmp_path, "slutrapport.txt", HEAD, "2022-01-14")
    assert first["atgard"] == "registrerad"
    assert first["ofullstandig"] == ["utnyttjade medel (avsnitt 7, ekonomiuppföljning)"]
    tillstand, kompl, repayments = state(db_url)
    assert tillstand is not Tillstand.SLUTREDOVISAD and repayments == 0
    assert kompl == [("Komplettering av rapport", "2022-01-28", "oppen")]
    text = kvittens_text(db_url)
    assert ("Rapporten är inte komplett. Det här saknas: - utnyttjade medel (avsnitt 7, ekonomiuppföljning) Skicka den "
            "kompletterade rapporten senast fredag 28 januari 2022. Tills den har kommit in går påminnelser ut om "
            "kompletteringen, och insatsen är inte slutredovisad.") in text
    with read_only(db_url) as session:
        slut = session.scalar(select(Deadline).where(Deadline.typ == RapportTyp.SLUTRAPPORT, Deadline.insats.has(
            Insats.diarienummer == "SFG 21-6.58")))
        assert slut.tillstand is DeadlineTillstand.INKOMMEN  # its own reminders stop
        # Delrapport 3 (due 2021-06-30) never came: kept as ej inkommen, not made to look cancelled.
        delrapporter = {d.nr: d.tillstand for d in slut.insats.deadlines if d.typ is RapportTyp.DELRAPPORT}
        assert delrapporter[3] is DeadlineTillstand.EJ_INKOMMEN

    # The completed slutrapport: the komplettering is in, the insats closed, the återbetalning from its figures.
    second = register(db_url, tmp_path, "slutrapport-komplett.txt", COMPLETE, "2022-01-20")
    assert second["atgard"] == "kompletterad" and second["ofullstandig"] == []
    tillstand, kompl, repayments = state(db_url)
    assert tillstand is Tillstand.SLUTREDOVISAD and repayments == 1
    assert kompl == [("Komplettering av rapport", "2022-01-28", "inkommen")]
    with read_only(db_url) as session:
        [rapport] = session.scalars(select(InkommenRapport)).all()
        assert (rapport.ofullstandig, rapport.utnyttjade_medel_kr, rapport.aterbetalning_kr) == (None, 571224, 9466)


def test_the_kansli_accepts_an_incomplete_report_as_it_is(db_url: str, tmp_path: Path) -> None:
    loaded(db_url)
    register(db_url, tmp_path, "slutrapport.txt", HEAD, "2022-01-14")
    refused = finsam(db_url, "report", "godkann", "SFG 99-9.99", check=False)
    assert refused.returncode == 1 and "Ingen insats matchar 'SFG 99-9.99'" in refused.stderr
    out = finsam(db_url, "report", "godkann", "SFG 21-6.58", "--av", "Karin Lund").stdout
    assert ("Slutrapport för Trisam 2.0 - Hudiksvalls kommun (SFG 21-6.58) är godkänd som den är (saknades: utnyttjade "
            "medel (avsnitt 7, ekonomiuppföljning)); insatsen är slutredovisad.") in " ".join(out.split())
    tillstand, kompl, repayments = state(db_url)
    assert tillstand is Tillstand.SLUTREDOVISAD and repayments == 0  # no återbetalning from a guess
    assert kompl == [("Komplettering av rapport", "2022-01-28", "inkommen")]
    with read_only(db_url) as session:
        [rapport] = session.scalars(select(InkommenRapport)).all()
        assert rapport.godkand_av == "Karin Lund"
    again = finsam(db_url, "report", "godkann", "SFG 21-6.58", check=False)
    assert again.returncode == 1 and "har ingen ofullständig rapport att godkänna" in again.stderr


def test_the_komplettering_is_chased_by_the_ladder(db_url: str, tmp_path: Path) -> None:
    loaded(db_url)
    register(db_url, tmp_path, "slutrapport.txt", HEAD, "2022-01-14")
    finsam(db_url, "run", "daily", "--as-of", "2022-01-31", cwd=tmp_path, check=False)  # +3 working days: försenad
    with read_only(db_url) as session:
        subjects = [u.amne for u in session.scalars(select(Utskick).where(Utskick.deadline_id.is_not(None)))
                    if "Komplettering" in u.amne]
    assert subjects and all("Komplettering av rapport" in s and "Trisam 2.0 - Hudiksvalls kommun" in s for s in subjects)


def test_the_run_form_accepts_an_incomplete_report(db_url: str, tmp_path: Path, monkeypatch, harness) -> None:
    from flows.registrera import GodkannandeFormular, godkann_rapport
    from prefect_tools import finsam_settings

    loaded(db_url)
    register(db_url, tmp_path, "slutrapport.txt", HEAD, "2022-01-14")
    with finsam_settings(monkeypatch, database_url=db_url, mail_folder=str(tmp_path / "utskick")):
        typo = godkann_rapport(GodkannandeFormular(registreras_av="Karin Lund", insats="SFG 99-9.99"), return_state=True)
        assert typo.name == "Avvisad" and "SFG 99-9.99" in typo.message
        result = godkann_rapport(GodkannandeFormular(registreras_av="Karin Lund", insats="SFG 21-6.58"))
    assert result["rapport"] == "Slutrapport" and result["tillstand"] == "slutredovisad"
    with read_only(db_url) as session:
        [rapport] = session.scalars(select(InkommenRapport)).all()
        assert rapport.godkand_av.startswith("Karin Lund")  # as every registration names who did it, and through what
