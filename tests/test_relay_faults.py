"""Exactly once against a relay that misbehaves (a real aiosmtpd server): slow after DATA, dropping the line
after taking the message, and answering each recipient on its own (250 / 452 / 550). Deliveries are counted
per Message-ID in the server: never more than two of one message, and every run ends."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from finsam.audit import Kontext
from finsam.db import read_only, unit_of_work
from finsam.domain.enums import UtskickTillstand as U
from finsam.domain.model import Utskick
from finsam.messages.compose import message_id
from finsam.services import outbox
from finsam.services.outbox import NewMessage, enqueue
from email import message_from_bytes, policy

from finsam.domain.enums import Veckodag
from mailtools import SENDER, Clock, mail_context, plan, send, smtp_settings
from smtp_servers import Recorder, smtp_server

DAY = date(2027, 8, 2)
OWNER, COPY, THIRD = "asa.oberg@hofors.example", "kontakt@samordningsforbund-gavleborg.example", "chef@hofors.example"


def queue(db_url: str, count: int, *, kopia: list[str] | None = None, nu: datetime | None = None) -> list[str]:
    """`count` messages in the outbox (due at `nu`); their Message-IDs."""
    k = Kontext(aktor="test", atgard="test", nu=nu or datetime(2027, 8, 2, 5, tzinfo=timezone.utc))
    ids = []
    with unit_of_work(db_url, k) as session:
        for i in range(count):
            key = f"test:{i}"
            mid = message_id(key, SENDER)
            data = (f"From: {SENDER}\r\nTo: {OWNER}\r\nSubject: Påminnelse {i}\r\nMessage-ID: {mid}\r\n\r\n"
                    f"Meddelande {i}.\r\n").encode()
            enqueue(session, k, NewMessage(nyckel=key, typ="paminnelse", mottagare=OWNER, kopia=kopia or [],
                                           amne=f"Påminnelse {i}", message_id=mid, meddelande=data, planerad=DAY))
            ids.append(mid)
    return ids


def states(db_url: str) -> list[tuple[U, int]]:
    with read_only(db_url) as session:
        return [(r.tillstand, r.osakra) for r in session.scalars(select(Utskick).order_by(Utskick.id))]


def deliveries(recorder: Recorder) -> Counter:
    return Counter(r.message["Message-ID"].strip() for r in recorder.received)


def test_a_slow_relay_gets_each_message_at_most_twice_and_every_run_ends(db_url: str, regler) -> None:
    """The relay takes every message but answers only after 1.5 s; finsam waits 0.5 s. Each message's fate is
    unknown: osäker, tried once more after the wait, then left for the kansli. Two uncertain outcomes in a row
    end a run (the relay is slower than the timeout); what is left waits its turn."""
    ids = queue(db_url, 5)
    clock = Clock.on(DAY)
    runs = 0
    with smtp_server(Recorder(slow_answers=[1.5] * 20)) as server:
        settings = smtp_settings(server.port, smtp_timeout=0.5, smtp_uncertain_wait_minutes=30)
        first = send(db_url, settings, clock)
        runs += 1
        # Two messages tried, both uncertain; the run ends there, the other three untried and waiting.
        assert (len(first.uncertain), len(first.deferred), first.sent, first.failed) == (2, 3, [], [])
        assert states(db_url) == [(U.VANTAR, 1), (U.VANTAR, 1), (U.VANTAR, 0), (U.VANTAR, 0), (U.VANTAR, 0)]
        # A retry of the Prefect task (ignore_backoff) does not hurry an uncertain message: the relay may be on it.
        with unit_of_work(db_url, Kontext("test", "test", clock())) as session:
            claimed = outbox.claim(session, now=clock(), limit=10, claim_timeout=timedelta(minutes=15), ignore_backoff=True)
            assert [r.id for r in claimed] == [3, 4, 5]
            for row in claimed:
                outbox.defer(session, row, now=clock(), error="släppt", tried=False)
        while runs < 12:  # every run ends; the loop ends when nothing is left to try
            report = send(db_url, settings, clock)
            runs += 1
            if not (report.uncertain or report.deferred):
                break
            clock.advance(minutes=31)
        time.sleep(1.7)  # the relay's last slow delivery lands
        assert states(db_url) == [(U.OSAKER, 2)] * 5
        assert deliveries(server.recorder) == {mid: 2 for mid in ids}  # at most two, with one Message-ID each
    with read_only(db_url) as session:
        row = session.get(Utskick, 1)
        assert row.senaste_fel == (f"osäker för {OWNER}: inget svar från e-postservern efter att meddelandet lämnats "
                                   "(SMTPReadTimeoutError); det kan ha kommit fram")
    # The kansli's weekly summary (Monday) lists each one to check.
    weekly = regler.model_copy(update={"paminnelser": regler.paminnelser.model_copy(
        update={"veckosammanfattning": Veckodag.MANDAG})})
    plan(db_url, mail_context(weekly), DAY + timedelta(days=7))
    with read_only(db_url) as session:
        summary = session.scalar(select(Utskick).where(Utskick.typ == "veckosammanfattning"))
        text = " ".join(message_from_bytes(summary.meddelande, policy=policy.default).get_body(("plain",))
                        .get_content().split())
    assert "UTSKICK SOM INTE HAR GÅTT FRAM (5)" in text
    assert (f"- {OWNER}: Påminnelse 0 (osäker: osäker för {OWNER}: inget svar från e-postservern efter att "
            "meddelandet lämnats (SMTPReadTimeoutError); det kan ha kommit fram)") in text


def test_a_line_dropped_after_the_message_is_retried_once_after_the_wait(db_url: str) -> None:
    [mid] = queue(db_url, 1)
    clock = Clock.on(DAY)
    with smtp_server(Recorder(drop_after_accept=1)) as server:
        settings = smtp_settings(server.port, smtp_uncertain_wait_minutes=30)
        report = send(db_url, settings, clock)
        assert report.sent == [] and [i for i, _ in report.uncertain] == [1]
        clock.advance(minutes=29)
        assert send(db_url, settings, clock).uncertain == []  # not before the relay has had its time
        assert states(db_url) == [(U.VANTAR, 1)]
        clock.advance(minutes=2)
        assert send(db_url, settings, clock).sent == [1]
        assert deliveries(server.recorder) == {mid: 2}
    assert states(db_url) == [(U.SKICKAD, 1)]


def test_each_recipient_is_answered_on_its_own(db_url: str) -> None:
    """The insatsägare's server refuses her (550), the kansli's copy is told to wait (452), the third takes it.
    The 452 is tried again for the copy alone; the 550 is final; the command says so with exit code 3."""
    [mid] = queue(db_url, 1, kopia=[COPY, THIRD])
    recorder = Recorder(refuse_rcpt={OWNER: "550 5.1.1 Mailbox unavailable"},
                        rcpt_answers={COPY: ["452 4.2.2 Mailbox full"] * 3})
    clock = Clock.on(DAY)
    with smtp_server(recorder) as server:
        settings = smtp_settings(server.port, smtp_attempts=1)
        report = send(db_url, settings, clock)
        assert report.deferred and not report.failed and not report.sent
        with read_only(db_url) as session:
            row = session.get(Utskick, 1)
            assert row.tillstand is U.VANTAR
            assert {a: v["status"] for a, v in row.mottagarstatus.items()} == {
                OWNER: "avvisad", COPY: "vantar", THIRD: "levererad"}
        assert [r.rcpt_tos for r in server.recorder.received] == [[THIRD]]
        recorder.rcpt_answers[COPY] = []  # the copy's mailbox has room again
        clock.advance(minutes=6)
        report = send(db_url, settings, clock)
        assert [i for i, _ in report.failed] == [1]
        assert [r.rcpt_tos for r in server.recorder.received] == [[THIRD], [COPY]]  # the copy alone, once
        assert deliveries(server.recorder) == {mid: 2}
    with read_only(db_url) as session:
        row = session.get(Utskick, 1)
        assert row.tillstand is U.MISSLYCKAD
        assert row.senaste_fel == (f"avvisad för {OWNER}: 550 5.1.1 Mailbox unavailable; levererad till {COPY}, {THIRD}")


def test_the_cli_exits_3_when_a_recipient_is_refused(db_url: str, tmp_path) -> None:
    queue(db_url, 1, kopia=[COPY], nu=datetime.now(timezone.utc))  # the command runs on the real clock
    with smtp_server(Recorder(refuse_rcpt={OWNER: "550 5.1.1 Mailbox unavailable"})) as server:
        result = _cli(db_url, tmp_path, server.port, "skicka")
        assert result.returncode == 3, result.stdout + result.stderr
        assert f"Misslyckat utskick 1: avvisad för {OWNER}: 550 5.1.1 Mailbox unavailable; levererad till {COPY}" in \
            " ".join(result.stderr.split())
        assert [r.rcpt_tos for r in server.recorder.received] == [[COPY]]


def _cli(db_url: str, cwd, port: int, *args: str):
    import os
    import subprocess
    import sys

    from cli import PROJECT

    env = {**os.environ, "FINSAM_DATABASE_URL": db_url, "FINSAM_AKTOR": "test", "COLUMNS": "200",
           "FINSAM_SMTP_HOST": "127.0.0.1", "FINSAM_SMTP_PORT": str(port), "FINSAM_MAIL_FROM": SENDER,
           "FINSAM_SMTP_RETRY_DELAY": "0", "PYTHONPATH": str(PROJECT)}
    return subprocess.run([sys.executable, "-m", "finsam", *args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=120)
