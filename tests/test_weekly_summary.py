"""The weekly summary stays one readable message however many insatser the förbund follows: each part lists
its earliest rows up to `drift.sammanfattning_rader` and counts the rest; its calendar holds what it lists."""

from __future__ import annotations

from datetime import date, datetime, timezone

import icalendar
from sqlalchemy import select

from finsam.audit import Kontext
from finsam.db import unit_of_work
from finsam.domain.enums import Inriktning, Tillstand, Veckodag
from finsam.domain.model import Insats, Kontaktperson
from finsam.services.deadlines import sync_deadlines
from mailtools import Clock, mail_context, plan, send, smtp_settings
from smtp_servers import smtp_server

START, END = date(2027, 1, 1), date(2027, 12, 31)
MONDAY = date(2027, 7, 26)  # week 30; every delrapport 1 is due Friday 30 July, within 30 days


def k() -> Kontext:
    return Kontext(aktor="test", atgard="test", nu=datetime(2027, 1, 1, 6, tzinfo=timezone.utc))


def weekly(regler, rows: int):
    return regler.model_copy(update={
        "paminnelser": regler.paminnelser.model_copy(update={"veckosammanfattning": Veckodag.MANDAG}),
        "drift": regler.drift.model_copy(update={"sammanfattning_rader": rows}),
    })


def insatser(db_url: str, regler, n: int) -> None:
    with unit_of_work(db_url, k()) as session:
        for i in range(1, n + 1):
            person = Kontaktperson(namn=f"Person {i:02d}", epost=f"person{i:02d}@kommun.example")
            insats = Insats(namn=f"Insats {i:02d}", diarienummer=f"SFG 27-1.{i}", inriktning=Inriktning.INDIVID,
                            tillstand=Tillstand.PAGAENDE, start=START, slut=END, kontaktperson=person)
            session.add(insats)
            session.flush()
            sync_deadlines(session, insats, regler, k(), as_of=START, orsak="test")


def summary_of(db_url: str, regler):
    with smtp_server() as server:
        plan(db_url, mail_context(regler), MONDAY)
        send(db_url, smtp_settings(server.port), Clock.on(MONDAY))
        return next(r.message for r in server.recorder.received if r.message["Subject"].startswith("Veckosammanfattning"))


def events(message) -> list[str]:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    return sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))


def test_thirteen_reports_listed_ten_and_three_counted(db_url: str, regler) -> None:
    insatser(db_url, regler, 13)
    message = summary_of(db_url, weekly(regler, 10))
    assert message["Subject"] == "Veckosammanfattning vecka 30: 0 försenade rapporter, 13 rapporter inom 30 dagar"
    text = message.get_body(("plain",)).get_content()
    assert "RAPPORTER SOM SKA IN INOM 30 DAGAR (13)" in text
    listed = [f"- Insats {i:02d}: Delrapport 1, senast fredag 30 juli 2027" for i in range(1, 11)]
    assert all(line in text for line in listed)
    assert "Insats 11" not in text and "Insats 13" not in text
    assert '… och 3 till: hela listan finns i Prefect, artefakten "rapporter-inom-30-dagar".' in text
    html = message.get_body(("html",)).get_content()
    assert "Rapporter som ska in inom 30 dagar (13)" in html and "Insats 10" in html and "Insats 11" not in html
    assert "… och 3 till" in html
    # The calendar holds what the message lists.
    assert events(message) == [f"Delrapport 1 – Insats {i:02d}" for i in range(1, 11)]


def test_no_more_than_the_rows_nothing_counted(db_url: str, regler) -> None:
    insatser(db_url, regler, 10)
    message = summary_of(db_url, weekly(regler, 10))
    text = message.get_body(("plain",)).get_content()
    assert "RAPPORTER SOM SKA IN INOM 30 DAGAR (10)" in text and "Insats 10" in text
    assert "… och" not in text and "… och" not in message.get_body(("html",)).get_content()
    assert len(events(message)) == 10

