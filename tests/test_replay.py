"""A year of daily runs over the 2021 insatser, against a real SMTP server: every ladder step of every
chased deadline exactly once, on its day, to the right people; none after the report arrives; a week
with the mail server down loses nothing and ends in one message per deadline."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from finsam.audit import Kontext
from finsam.db import read_only, unit_of_work
from finsam.domain.enums import DeadlineTillstand, RapportTyp, UtskickTillstand
from finsam.domain.ladder import offset_of
from finsam.domain.model import Deadline, Insats, Utskick
from finsam.services import lifecycle
from finsam.services.import_insatser import import_insatser
from finsam.services.decision_messages import queue_kvittens
from mailtools import Clock, mail_context, plan, send, smtp_settings
from smtp_servers import free_port, smtp_server

YEAR_START, YEAR_END = date(2021, 1, 1), date(2021, 12, 31)
ROLE_ADDRESS = {
    "verksamhetsutvecklare": "verksamhetsutvecklare@samordningsforbund-gavleborg.example",
    "forbundschef": "forbundschef@samordningsforbund-gavleborg.example",
}
KANSLI = "kontakt@samordningsforbund-gavleborg.example"


def days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def import_2021(db_url: str, regler, csv: Path, as_of: date) -> None:
    kontext = Kontext(aktor="test", atgard="import", nu=Clock.on(as_of)())
    with unit_of_work(db_url, kontext) as session:
        import_insatser(session, kontext, csv, regler, as_of=as_of)


def register(db_url: str, mail, ref: str, typ: RapportTyp, day: date) -> None:
    kontext = Kontext(aktor="kansliet", atgard="rapport", nu=Clock.on(day)())
    with unit_of_work(db_url, kontext) as session:
        insats = session.scalar(select(Insats).where(Insats.diarienummer == ref))
        rapport = lifecycle.register_report(session, kontext, insats, typ=typ, inkom=day)
        session.flush()
        queue_kvittens(session, kontext, mail, rapport)


def test_a_year_of_daily_runs(db_url: str, regler, insatser_csv: Path) -> None:
    mail = mail_context(regler)
    import_2021(db_url, regler, insatser_csv, YEAR_START)
    arrivals = {date(2021, 6, 24): ("SFG 21-6.58", RapportTyp.DELRAPPORT)}  # Hudiksvall, before its 30 June due date
    with smtp_server() as server:
        settings = smtp_settings(server.port)
        for day in days(YEAR_START, YEAR_END):
            if day in arrivals:
                register(db_url, mail, *arrivals[day], day)
            plan(db_url, mail, day)
            report = send(db_url, settings, Clock.on(day))
            assert not report.failed and not report.deferred
        # Rerunning any day sends nothing more.
        before = len(server.recorder.received)
        plan(db_url, mail, date(2021, 8, 16))
        send(db_url, settings, Clock.on(date(2021, 8, 16)))
        assert len(server.recorder.received) == before
        received = {r.message["Message-ID"].strip(): r for r in server.recorder.received}
        assert len(received) == len(server.recorder.received), "no message delivered twice"
        for r in server.recorder.received:
            message = r.message
            kinds = [part.get_content_type() for part in message.walk()]
            assert "Samordningsförbund Gävleborg" in message.get_body(("plain",)).get_content()
            assert "Samordningsförbund Gävleborg" in message.get_body(("html",)).get_content()
            assert message["From"].addresses[0].display_name == "Samordningsförbund Gävleborg"
            if message["Subject"].startswith(("Försenad", "Eskalering")):  # the day has passed: no calendar event
                assert kinds == ["multipart/alternative", "text/plain", "text/html"], kinds
                continue
            assert kinds[:4] == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html"], kinds
            assert kinds.count("text/calendar") == 1, message["Subject"]
            calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
            assert calendar.get_param("method") == "PUBLISH" and "METHOD:PUBLISH" in calendar.get_content()

    with read_only(db_url) as session:
        ladder = regler.ladder()
        rows = session.scalars(select(Utskick).where(Utskick.steg.is_not(None))).all()
        assert all(r.tillstand is UtskickTillstand.SKICKAD for r in rows)
        by_deadline: dict[int, list[Utskick]] = defaultdict(list)
        for r in rows:
            by_deadline[r.deadline_id].append(r)
        checked = 0
        for deadline in session.scalars(select(Deadline)).all():
            sent = by_deadline.get(deadline.id, [])
            if not deadline.bevakas:
                assert sent == [], "a deadline already past at the import is not chased"
                continue
            stop = deadline.inkom or YEAR_END
            expected = [s for s in ladder.steps if s.day(deadline.forfaller) <= min(stop, YEAR_END)
                        and (deadline.inkom is None or s.day(deadline.forfaller) < deadline.inkom)]
            assert [r.steg for r in sorted(sent, key=lambda r: offset_of(r.steg))] == [s.key for s in expected], deadline.id
            for r in sent:
                step = ladder.by_key(r.steg)
                assert r.planerad == step.day(deadline.forfaller), "each step on its own day"
                message = received[r.message_id].message
                if step.till.value == "insatsagare":
                    assert r.mottagare == deadline.insats.kontaktperson.epost
                else:
                    assert r.mottagare == ROLE_ADDRESS[step.till.value]
                assert (KANSLI in r.kopia) == (step.key == "efter-3")
                assert message["To"].addresses[0].addr_spec == r.mottagare
                if step.flagga_styrelse:
                    assert deadline.flaggad_styrelse == step.day(deadline.forfaller)
                checked += 1
        assert checked > 100
        hudiksvall = session.scalars(select(Deadline).join(Insats).where(Insats.diarienummer == "SFG 21-6.58",
                                                                         Deadline.tillstand == DeadlineTillstand.INKOMMEN)).one()
        steps = sorted(r.steg for r in by_deadline[hudiksvall.id])
        assert steps == ["fore-14", "fore-30"]  # 30 May and 16 June; the report came on 24 June
        assert session.scalar(select(Utskick).where(Utskick.typ == "kvittens")).tillstand is UtskickTillstand.SKICKAD
        weekly = session.scalars(select(Utskick).where(Utskick.typ == "veckosammanfattning")).all()
        assert len(weekly) == 53  # each ISO week touched by 2021, once


def test_a_week_with_the_mail_server_down(db_url: str, regler, insatser_csv: Path) -> None:
    """Runs go on while the server is down; when it is back every deadline gets one message, the latest."""
    mail = mail_context(regler.model_copy(update={"paminnelser": regler.paminnelser.model_copy(update={"veckosammanfattning": None})}))
    first = date(2021, 9, 20)
    import_2021(db_url, regler, insatser_csv, first)
    port = free_port()
    settings = smtp_settings(port)
    for day in days(first, first + timedelta(days=6)):  # a week of runs with nothing listening
        plan(db_url, mail, day)
        report = send(db_url, settings, Clock.on(day))
        assert report.sent == []
    with read_only(db_url) as session:
        queued = session.scalars(select(Utskick).where(Utskick.typ != "utskicksstorning")).all()
        # Waiting, or already dropped because a later step for the same deadline took over.
        assert queued and all(u.tillstand in (UtskickTillstand.VANTAR, UtskickTillstand.MAKULERAD) for u in queued)
        deadlines = {u.deadline_id for u in queued}
        assert len(queued) > len(deadlines), "some deadlines reached a second step during the outage"
    back = first + timedelta(days=7)
    with smtp_server(port=port) as server:
        send(db_url, settings, Clock.on(back))
        got = [r for r in server.recorder.received if not r.message["Subject"].startswith("Störning i utskicken")]
        notices = [r for r in server.recorder.received if r.message["Subject"].startswith("Störning i utskicken")]
        assert len(got) == len(deadlines), "one message per deadline"
    with read_only(db_url) as session:
        cancelled = session.scalars(select(Utskick).where(Utskick.tillstand == UtskickTillstand.MAKULERAD)).all()
        assert len(cancelled) == len(queued) - len(deadlines)
        assert {u.senaste_fel for u in cancelled} == {"ersatt av ett senare steg"}
    # The kansli is told about the outage, once, when the server is back.
    [notice] = notices
    assert notice.rcpt_tos == ["kontakt@samordningsforbund-gavleborg.example"]
    assert "sedan 20 september 2021" in notice.message["Subject"]
    with read_only(db_url) as session:
        for deadline_id in deadlines:
            rows = session.scalars(select(Utskick).where(Utskick.deadline_id == deadline_id)).all()
            sent = [r for r in rows if r.tillstand is UtskickTillstand.SKICKAD]
            assert len(sent) == 1
            assert offset_of(sent[0].steg) == max(offset_of(r.steg) for r in rows), "the latest step went"
        assert not session.scalars(select(Utskick).where(Utskick.tillstand == UtskickTillstand.VANTAR)).all()
        assert len(session.scalars(select(Utskick).where(Utskick.typ == "utskicksstorning")).all()) == 1
