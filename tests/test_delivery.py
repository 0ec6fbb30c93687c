"""Reminders over a real SMTP server: what arrives, byte for byte where it matters, and exactly once."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone
from email import policy
from email.parser import BytesParser

import pytest
from sqlalchemy import select

from finsam.audit import Kontext
from finsam.db import read_only, unit_of_work
from finsam.domain.enums import Inriktning, RapportTyp, Tillstand, UtskickTillstand, Veckodag
from finsam.domain.model import Deadline, Insats, Kontaktperson, Utskick
from finsam.services import lifecycle, outbox
from finsam.services.deadlines import grant_anstand, sync_deadlines
from finsam.services.decision_messages import queue_kvittens
from mailtools import SENDER, Clock, mail_context, plan, send, smtp_settings
from smtp_servers import Recorder, free_port, smtp_server

START, END = date(2027, 1, 1), date(2027, 12, 31)
FIRST_DUE = date(2027, 7, 30)  # delrapport 1: period ends 2027-06-30, + 30 days = Friday 30 July


def k(day: date = date(2027, 1, 1)) -> Kontext:
    return Kontext(aktor="test", atgard="test", nu=datetime(day.year, day.month, day.day, 6, tzinfo=timezone.utc))


@pytest.fixture
def insats_id(db_url: str, regler) -> int:
    with unit_of_work(db_url, k()) as session:
        person = Kontaktperson(namn="Åsa Öberg", epost="asa.oberg@hofors.example")
        insats = Insats(namn="Steg till arbete – Hofors", diarienummer="SFG 27-1.1", inriktning=Inriktning.INDIVID,
                        tillstand=Tillstand.PAGAENDE, start=START, slut=END, kontaktperson=person)
        session.add(insats)
        session.flush()
        sync_deadlines(session, insats, regler, k(), as_of=START, orsak="test")
        return insats.id


def first_deadline(db_url: str, insats_id: int) -> Deadline:
    with read_only(db_url) as session:
        return session.scalars(select(Deadline).where(Deadline.insats_id == insats_id).order_by(Deadline.forfaller)).first()


def rows(db_url: str) -> list[Utskick]:
    with read_only(db_url) as session:
        return list(session.scalars(select(Utskick).order_by(Utskick.id)))


@pytest.fixture
def regler(regler):
    """The förbund's rules without the weekly summary, so each test sees only its own messages."""
    return regler.model_copy(update={"paminnelser": regler.paminnelser.model_copy(update={"veckosammanfattning": None})})



def test_a_reminder_arrives_as_outlook_expects_it(db_url: str, regler, insats_id: int) -> None:
    mail = mail_context(regler)
    day = FIRST_DUE - timedelta(days=14)
    with smtp_server() as server:
        plan(db_url, mail, day)
        report = send(db_url, smtp_settings(server.port), Clock.on(day))
        assert len(report.sent) == 1
        [got] = server.recorder.received
    assert got.mail_from == SENDER
    assert got.rcpt_tos == ["asa.oberg@hofors.example"]
    raw = got.data
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nAuto-Submitted: auto-generated\r\n" in headers
    assert b"\r\nReply-To: kontakt@samordningsforbund-gavleborg.example\r\n" in headers
    assert b"=?utf-8?" in headers  # å/ä/ö in names and subject are RFC 2047-encoded, never raw 8-bit
    assert all(byte < 128 for byte in headers)
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert msg["Subject"] == "Påminnelse: Delrapport 1 för Steg till arbete – Hofors ska vara inne fredag 30 juli 2027"
    assert str(msg["To"]) == "Åsa Öberg <asa.oberg@hofors.example>"
    assert str(msg["From"]) == f"Samordningsförbund Gävleborg <{SENDER}>"
    assert msg["Message-ID"].strip() == rows(db_url)[0].message_id
    assert msg["Date"] and msg["Content-Language"] == "sv-SE"
    assert msg.get_content_type() == "multipart/mixed"
    alternative, calendar = msg.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    text, html = alternative.get_payload()
    assert text.get_content_type() == "text/plain" and text.get_content_charset() == "utf-8"
    assert "om 14 dagar, fredag 30 juli 2027" in text.get_content()
    assert "Hej Åsa Öberg" in text.get_content()
    assert html.get_content_type() == "text/html"
    assert 'style="' in html.get_content() and "<style" not in html.get_content()  # CSS inlined for Outlook
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "PUBLISH" and calendar.get_filename() == "rapporter.ics"
    ics = calendar.get_content()
    assert "METHOD:PUBLISH" in ics and "DTSTART;VALUE=DATE:20270730" in ics and "Steg till arbete – Hofors" in ics


def test_rerunning_a_day_sends_nothing(db_url: str, regler, insats_id: int) -> None:
    mail = mail_context(regler)
    day = FIRST_DUE - timedelta(days=3)
    with smtp_server() as server:
        settings = smtp_settings(server.port)
        assert len(plan(db_url, mail, day).queued) == 1
        send(db_url, settings, Clock.on(day))
        assert len(plan(db_url, mail, day).queued) == 0
        assert send(db_url, settings, Clock.on(day)).sent == []
        assert len(server.recorder.received) == 1


def test_451_is_retried_in_the_run(db_url: str, regler, insats_id: int) -> None:
    mail = mail_context(regler)
    with smtp_server(Recorder(data_answers=["451 4.3.0 Try again later"])) as server:
        plan(db_url, mail, FIRST_DUE)
        report = send(db_url, smtp_settings(server.port), Clock.on(FIRST_DUE))
        assert len(report.sent) == 1 and len(server.recorder.received) == 1
    [row] = rows(db_url)
    assert (row.tillstand, row.forsok) == (UtskickTillstand.SKICKAD, 1)


def test_a_lasting_451_waits_with_backoff_and_is_delivered_later(db_url: str, regler, insats_id: int) -> None:
    mail = mail_context(regler)
    clock = Clock.on(FIRST_DUE)
    with smtp_server(Recorder(data_answers=["451 4.3.0 Try again later"] * 3)) as server:
        settings = smtp_settings(server.port, smtp_attempts=3)
        plan(db_url, mail, FIRST_DUE)
        report = send(db_url, settings, clock)
        assert report.sent == [] and len(report.deferred) == 1
        [row] = rows(db_url)
        assert row.tillstand is UtskickTillstand.VANTAR and "451" in row.senaste_fel
        assert send(db_url, settings, clock).sent == []  # not before the backoff has passed
        clock.advance(minutes=6)
        assert len(send(db_url, settings, clock).sent) == 1
        assert len(server.recorder.received) == 1


def test_550_is_permanent_recorded_and_not_retried(db_url: str, regler, insats_id: int) -> None:
    mail = mail_context(regler)
    clock = Clock.on(FIRST_DUE)
    recorder = Recorder(refuse_rcpt={"asa.oberg@hofors.example": "550 5.1.1 Mailbox unavailable"})
    with smtp_server(recorder) as server:
        settings = smtp_settings(server.port)
        plan(db_url, mail, FIRST_DUE)
        report = send(db_url, settings, clock)
        assert report.sent == [] and len(report.failed) == 1
        clock.advance(days=1)
        send(db_url, settings, clock)
    [row] = rows(db_url)
    assert row.tillstand is UtskickTillstand.MISSLYCKAD and row.forsok == 1
    assert "550 5.1.1 Mailbox unavailable" in row.senaste_fel
    assert server.recorder.received == []
    # The kansli hears of it in the weekly summary.
    monday = FIRST_DUE + timedelta(days=3)
    weekly = regler.model_copy(update={"paminnelser": regler.paminnelser.model_copy(update={"veckosammanfattning": Veckodag.MANDAG})})
    with smtp_server() as server:
        plan(db_url, mail_context(weekly), monday)
        send(db_url, smtp_settings(server.port), Clock.on(monday))
        summary = next(r for r in server.recorder.received if "Veckosammanfattning" in r.message["Subject"])
        assert "550 5.1.1 Mailbox unavailable" in summary.message.get_body(("plain",)).get_content()


def test_a_server_that_requires_auth(db_url: str, regler, insats_id: int) -> None:
    mail = mail_context(regler)
    clock = Clock.on(FIRST_DUE)
    with smtp_server(auth=("finsam", "hemligt")) as server:
        plan(db_url, mail, FIRST_DUE)
        without = send(db_url, smtp_settings(server.port), clock)
        assert without.sent == [] and len(without.deferred) == 1  # a login problem: waits, is not lost
        clock.advance(hours=1)
        report = send(db_url, smtp_settings(server.port, smtp_username="finsam", smtp_password="hemligt"), clock)
        assert len(report.sent) == 1
        assert server.recorder.logins == ["finsam"] and len(server.recorder.received) == 1


def test_a_connection_dropped_before_the_message_reconnects_and_delivers(db_url: str, regler, insats_id: int) -> None:
    mail = mail_context(regler)
    # The kontaktperson's RCPT is answered 421 and the line closes: nothing was handed over, so it is sent again now.
    recorder = Recorder(rcpt_answers={"asa.oberg@hofors.example": ["421 4.3.2 Service shutting down"]})
    with smtp_server(recorder) as server:
        plan(db_url, mail, FIRST_DUE)
        report = send(db_url, smtp_settings(server.port, smtp_retry_delay=0), Clock.on(FIRST_DUE))
        assert len(report.sent) == 1 and len(server.recorder.received) == 1


def test_server_down_loses_nothing(db_url: str, regler, insats_id: int) -> None:
    mail = mail_context(regler)
    clock = Clock.on(FIRST_DUE)
    port = free_port()
    plan(db_url, mail, FIRST_DUE)
    report = send(db_url, smtp_settings(port), clock)
    assert report.sent == [] and len(report.deferred) == 1
    clock.advance(hours=2)
    with smtp_server(port=port) as server:
        assert len(send(db_url, smtp_settings(port), clock).sent) == 1
        assert len(server.recorder.received) == 1


def test_a_crash_after_acceptance_resends_with_the_same_message_id(db_url: str, regler, insats_id: int) -> None:
    mail = mail_context(regler)
    clock = Clock.on(FIRST_DUE)
    plan(db_url, mail, FIRST_DUE)
    with unit_of_work(db_url, k(FIRST_DUE)) as session:  # a run claims the row ... and dies before marking it
        [claimed] = outbox.claim(session, now=clock(), limit=10, claim_timeout=timedelta(minutes=15))
    with smtp_server() as server:
        settings = smtp_settings(server.port)
        assert send(db_url, settings, clock).sent == []  # the claim is still fresh: nobody else takes it
        clock.advance(minutes=16)
        assert len(send(db_url, settings, clock).sent) == 1
        assert server.recorder.received[0].message["Message-ID"].strip() == claimed.message_id


def test_two_senders_at_once_never_send_a_row_twice(db_url: str, regler, insats_id: int) -> None:
    mail = mail_context(regler)
    with unit_of_work(db_url, k()) as session:  # forty insatser, all due the same day
        for i in range(40):
            person = Kontaktperson(namn=f"Kontakt {i}", epost=f"kontakt{i}@kommun.example")
            insats = Insats(namn=f"Insats {i}", inriktning=Inriktning.STRUKTUR, tillstand=Tillstand.PAGAENDE,
                            start=START, slut=END, kontaktperson=person)
            session.add(insats)
            session.flush()
            sync_deadlines(session, insats, regler, k(), as_of=START, orsak="test")
    assert len(plan(db_url, mail, FIRST_DUE).queued) == 41
    with smtp_server() as server:
        settings = smtp_settings(server.port)
        reports = []
        threads = [threading.Thread(target=lambda: reports.append(send(db_url, settings, Clock.on(FIRST_DUE), batch_size=5)))
                   for _ in range(3)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        ids = [i for r in reports for i in r.sent]
        assert len(ids) == len(set(ids)) == 41
        assert all(len(v) == 1 for v in server.recorder.by_message_id().values())
        assert len(server.recorder.received) == 41


def test_no_step_once_the_report_is_in_and_a_kvittens_goes_out(db_url: str, regler, insats_id: int) -> None:
    mail = mail_context(regler)
    with smtp_server() as server:
        settings = smtp_settings(server.port)
        plan(db_url, mail, FIRST_DUE - timedelta(days=3))  # queued, not yet sent
        with unit_of_work(db_url, k(FIRST_DUE)) as session:
            insats = session.get(Insats, insats_id)
            rapport = lifecycle.register_report(session, k(), insats, typ=RapportTyp.DELRAPPORT, inkom=FIRST_DUE - timedelta(days=2))
            session.flush()
            queue_kvittens(session, k(), mail, rapport)
        report = send(db_url, settings, Clock.on(FIRST_DUE - timedelta(days=2)))
        assert len(report.cancelled) == 1 and "rapporten har kommit in" in report.cancelled[0][1]
        for n in range(0, 40):
            day = FIRST_DUE + timedelta(days=n)
            plan(db_url, mail, day)
            send(db_url, settings, Clock.on(day))
        subjects = [r.message["Subject"] for r in server.recorder.received]
        assert subjects[0] == "Kvittens: Delrapport 1 för Steg till arbete – Hofors har kommit in"
        assert not any("Delrapport 1" in s for s in subjects[1:]), subjects


def test_anstand_moves_the_whole_ladder(db_url: str, regler, insats_id: int) -> None:
    mail = mail_context(regler)
    deadline = first_deadline(db_url, insats_id)
    new_due = date(2027, 8, 31)
    with smtp_server() as server:
        settings = smtp_settings(server.port)
        for n in range(-31, 64):
            day = FIRST_DUE + timedelta(days=n)
            if day == FIRST_DUE - timedelta(days=2):
                with unit_of_work(db_url, k(day)) as session:
                    grant_anstand(session, k(day), deadline.id, new_due, "Ny projektledare", "Kansliet")
            plan(db_url, mail, day)
            send(db_url, settings, Clock.on(day))
        sent = [(r.message["Subject"], r.message["Date"]) for r in server.recorder.received if "Delrapport 1" in r.message["Subject"]]
    with read_only(db_url) as session:
        fired = [(u.steg, u.forfaller, u.planerad) for u in session.scalars(
            select(Utskick).where(Utskick.deadline_id == deadline.id, Utskick.tillstand == UtskickTillstand.SKICKAD).order_by(Utskick.id))]
    assert fired == [
        ("fore-30", FIRST_DUE, FIRST_DUE - timedelta(days=30)),
        ("fore-14", FIRST_DUE, FIRST_DUE - timedelta(days=14)),
        ("fore-3", FIRST_DUE, FIRST_DUE - timedelta(days=3)),
        # the anstånd on 28 July: the ladder starts again for 31 August
        ("fore-30", new_due, new_due - timedelta(days=30)),
        ("fore-14", new_due, new_due - timedelta(days=14)),
        ("fore-3", new_due, new_due - timedelta(days=3)),
        ("forfallodag", new_due, new_due),
        ("efter-3", new_due, new_due + timedelta(days=3)),
        ("efter-14", new_due, new_due + timedelta(days=14)),
        ("efter-30", new_due, new_due + timedelta(days=30)),
    ]
    assert len(sent) == 10


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "implicit-tls"])
def test_tls_and_auth(db_url: str, regler, insats_id: int, tmp_path, implicit: bool) -> None:
    from smtp_servers import self_signed, tls_smtp_server

    mail = mail_context(regler)
    cert, key = self_signed(tmp_path)
    with tls_smtp_server(cert, key, implicit=implicit, auth=("finsam", "hemligt")) as server:
        plan(db_url, mail, FIRST_DUE)
        settings = smtp_settings(server.port, smtp_tls="tls" if implicit else "starttls", smtp_validate_certs=False,
                                 smtp_username="finsam", smtp_password="hemligt")
        report = send(db_url, settings, Clock.on(FIRST_DUE))
        assert len(report.sent) == 1 and len(server.recorder.received) == 1
        assert server.recorder.logins == ["finsam"]


def test_a_server_that_requires_starttls_refuses_plain_and_nothing_is_lost(db_url: str, regler, insats_id: int, tmp_path) -> None:
    from smtp_servers import self_signed, tls_smtp_server

    mail = mail_context(regler)
    cert, key = self_signed(tmp_path)
    with tls_smtp_server(cert, key, implicit=False) as server:
        plan(db_url, mail, FIRST_DUE)
        report = send(db_url, smtp_settings(server.port), Clock.on(FIRST_DUE))
        assert report.sent == [] and len(report.deferred) == 1
        assert server.recorder.received == []
        report = send(db_url, smtp_settings(server.port, smtp_tls="starttls", smtp_validate_certs=False),
                      Clock(Clock.on(FIRST_DUE)() + timedelta(hours=1)))
        assert len(report.sent) == 1


def test_a_partial_refusal_is_recorded_per_recipient_and_listed_in_the_weekly_summary(
    db_url: str, regler, insats_id: int
) -> None:
    # Monday 2 August 2027 is the +3 step: the insatsägare, with the kansli in copy. Her server refuses her.
    late = date(2027, 8, 2)
    recorder = Recorder(refuse_rcpt={"asa.oberg@hofors.example": "550 5.1.1 Mailbox unavailable"})
    no_weekly = regler.model_copy(update={"paminnelser": regler.paminnelser.model_copy(update={"veckosammanfattning": None})})
    with smtp_server(recorder) as server:
        plan(db_url, mail_context(no_weekly), late)
        report = send(db_url, smtp_settings(server.port), Clock.on(late))
        assert report.sent == [] and [row_id for row_id, _ in report.failed] == [1]  # refused: not "sent"
        assert [r.rcpt_tos for r in server.recorder.received] == [["kontakt@samordningsforbund-gavleborg.example"]]
    [row] = rows(db_url)
    assert row.steg == "efter-3" and row.tillstand is UtskickTillstand.MISSLYCKAD
    assert row.senaste_fel == ("avvisad för asa.oberg@hofors.example: 550 5.1.1 Mailbox unavailable; levererad till "
                               "kontakt@samordningsforbund-gavleborg.example")
    assert {a: v["status"] for a, v in row.mottagarstatus.items()} == {
        "asa.oberg@hofors.example": "avvisad", "kontakt@samordningsforbund-gavleborg.example": "levererad"}
    # The next Monday's summary tells the kansli she never got it.
    monday = date(2027, 8, 9)
    weekly = regler.model_copy(update={"paminnelser": regler.paminnelser.model_copy(update={"veckosammanfattning": Veckodag.MANDAG})})
    with smtp_server() as server:
        plan(db_url, mail_context(weekly), monday)
        send(db_url, smtp_settings(server.port), Clock.on(monday))
        summary = next(r for r in server.recorder.received if "Veckosammanfattning" in r.message["Subject"])
        body = " ".join(summary.message.get_body(("plain",)).get_content().split())
        assert ("- asa.oberg@hofors.example: Försenad: Delrapport 1 för Steg till arbete – Hofors skulle ha varit inne "
                "fredag 30 juli 2027 (misslyckad: avvisad för asa.oberg@hofors.example: 550 5.1.1 Mailbox unavailable; "
                "levererad till kontakt@samordningsforbund-gavleborg.example)") in body


def test_an_escalation_says_what_went_out_and_when_and_carries_no_past_calendar_day(db_url: str, regler, insats_id: int) -> None:
    """Delrapport 1 is due Friday 30 July 2027. Runs on 30 June (30 days before), 16 July (14 before),
    30 July (the day) and 13 August (14 after: the eskalering to the verksamhetsutvecklare)."""
    mail = mail_context(regler)
    with smtp_server() as server:
        for day in (date(2027, 6, 30), date(2027, 7, 16), date(2027, 7, 30), date(2027, 8, 13)):
            plan(db_url, mail, day)
            send(db_url, smtp_settings(server.port), Clock.on(day))
        received = [BytesParser(policy=policy.default).parsebytes(m.data) for m in server.recorder.received]
    assert [m["Subject"].split(":")[0] for m in received] == ["Påminnelse", "Påminnelse", "Påminnelse", "Eskalering"]
    escalation = received[-1]
    assert escalation.get_content_type() == "multipart/alternative"  # no .ics: the day has passed
    text = escalation.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert ("Det här har gått ut om rapporten:\n"
            "- 30 juni 2027: påminnelse 30 dagar före till asa.oberg@hofors.example\n"
            "- 16 juli 2027: påminnelse 14 dagar före till asa.oberg@hofors.example\n"
            "- 30 juli 2027: påminnelse på sista dagen till asa.oberg@hofors.example\n") in text
    assert all(m.get_content_type() == "multipart/mixed" for m in received[:3])  # reminders keep their event


def test_a_kvittens_calendar_carries_only_what_is_still_chased(db_url: str, regler, insats_id: int) -> None:
    with unit_of_work(db_url, k()) as session:
        insats = session.get(Insats, insats_id)
        slutrapport = next(d for d in insats.deadlines if d.rubrik == "Slutrapport")
        slutrapport.bevakas = False  # the kansli does not chase it (say it was past at import)
    with unit_of_work(db_url, k(FIRST_DUE)) as session:
        rapport = lifecycle.register_report(session, k(FIRST_DUE), session.get(Insats, insats_id),
                                            typ=RapportTyp.DELRAPPORT, inkom=FIRST_DUE)
        session.flush()
        row = queue_kvittens(session, k(FIRST_DUE), mail_context(regler), rapport)
        msg = BytesParser(policy=policy.default).parsebytes(row.meddelande)
    [calendar] = [part for part in msg.walk() if part.get_content_type() == "text/calendar"]
    ics = calendar.get_content()
    assert ics.count("BEGIN:VEVENT") == 1 and "Delrapport 1 – Steg till arbete – Hofors (inkommen)" in ics
    assert "Slutrapport" not in msg.get_body(("plain",)).get_content()
