"""Calendars read back by two independent parsers: UIDs, SEQUENCE, dates, time zone, alarms; DST; changes."""

from __future__ import annotations

import re
import threading
import time as clock_time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import uvicorn
from sqlalchemy import select

from calendar_readers import read_both, read_with_icaljs
from cli import PROJECT, finsam
from finsam.audit import Kontext
from finsam.calendar.ics import AllDayEvent, TimedEvent
from finsam.db import read_only, unit_of_work
from finsam.domain.enums import RapportTyp
from finsam.domain.model import Deadline, Insats, Sammantrade
from finsam.services import lifecycle
from finsam.services.calendars import create_token, insats_calendar, kansli_calendar, revoke_token
from finsam.services.deadlines import grant_anstand
from finsam.services.import_insatser import import_insatser
from finsam.services.meetings import import_meetings
from finsam.web import create_app
from smtp_servers import free_port

PLAN = PROJECT / "data" / "sammantraden-2021-2022.yaml"
UID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}@finsam$")
DEADLINE_ALARM = -(7 * 86400 - 9 * 3600)  # 09:00 seven days before


STOCKHOLM = ZoneInfo("Europe/Stockholm")


def k(day: date = date(2021, 6, 1)) -> Kontext:
    return Kontext(aktor="test", atgard="test", nu=datetime(day.year, day.month, day.day, 8, tzinfo=timezone.utc))


@pytest.fixture
def loaded(db_url: str, regler, insatser_csv: Path) -> str:
    with unit_of_work(db_url, k()) as session:
        import_meetings(session, k(), PLAN, regler)
        import_insatser(session, k(), insatser_csv, regler, as_of=date(2021, 6, 1))
    return db_url


def kansli(db_url: str, regler) -> bytes:
    with read_only(db_url) as session:
        return kansli_calendar(session, regler)


def test_done_when_the_kansli_feed_validates_in_both_parsers(loaded: str, regler, tmp_path: Path) -> None:
    data = kansli(loaded, regler)
    vobj, js = read_both(data, tmp_path)
    with read_only(loaded) as session:
        deadlines = session.scalars(select(Deadline)).all()
        meetings = session.scalars(select(Sammantrade)).all()
    expected = len(deadlines) + 2 * len(meetings)  # each meeting and its document deadline
    for parsed in (vobj, js):
        assert parsed["name"] == "Samordningsförbund Gävleborg – bevakning"
        assert parsed["method"] is None  # a feed, not a message
        assert len(parsed["events"]) == expected
        assert all(UID.match(u) for u in parsed["events"])
    assert js["refresh"] == "PT1H" and js["ttl"] == "PT1H"
    assert set(vobj["events"]) == set(js["events"])
    for uid_, a in vobj["events"].items():
        b = js["events"][uid_]
        assert (a["sequence"], a["summary"], a["status"], a["all_day"], a["start"]) == (
            b["sequence"], b["summary"], b["status"], b["all_day"], b["start"]), uid_
        assert a["alarms"] == [{k: v for k, v in x.items()} for x in b["alarms"]]
        assert b["dtstamp_utc"]
        assert not a["floating"], "times are never floating"
        if not a["all_day"]:
            assert b["tzid"] == "Europe/Stockholm"
    by_summary = {}
    for e in js["events"].values():
        by_summary.setdefault(e["summary"], []).append(e)
    # A deadline: an all-day event on the due date, with its alarm at 09:00 a week before.
    hudiksvall = by_summary["Slutrapport – Trisam 2.0 - Hudiksvalls kommun"][0]
    assert (hudiksvall["start"], hudiksvall["all_day"]) == (date(2022, 3, 1), True)
    assert hudiksvall["alarms"] == [{"action": "DISPLAY", "trigger_seconds": DEADLINE_ALARM}]
    # Meetings at 09:30 Stockholm time on either side of the switch to summer time (28 March 2021).
    styrelse = sorted(by_summary["Styrelsemöte"], key=lambda e: e["start"])
    assert styrelse[0]["start"] == datetime(2021, 2, 25, 8, 30, tzinfo=timezone.utc)  # CET, UTC+1
    assert styrelse[0]["utc_offset_seconds"] == 3600
    assert styrelse[1]["start"] == datetime(2021, 4, 29, 7, 30, tzinfo=timezone.utc)  # CEST, UTC+2
    assert styrelse[1]["utc_offset_seconds"] == 7200
    assert styrelse[0]["alarms"] == [{"action": "DISPLAY", "trigger_seconds": -86400}]
    documents = by_summary["Sista dag för handlingar: styrelsemöte 25 februari 2021"][0]
    assert (documents["start"], documents["all_day"]) == (date(2021, 2, 11), True)


def test_a_moved_deadline_keeps_its_uid_and_raises_sequence(loaded: str, regler, tmp_path: Path) -> None:
    with read_only(loaded) as session:
        insats = session.scalar(select(Insats).where(Insats.diarienummer == "SFG 21-6.58"))
        before = insats_calendar(session, insats, regler)
        slut = next(d for d in insats.deadlines if d.typ is RapportTyp.SLUTRAPPORT)
    with unit_of_work(loaded, k()) as session:
        grant_anstand(session, k(), slut.id, date(2022, 3, 31), "Byte av projektledare", "Kansliet")
    with read_only(loaded) as session:
        after = insats_calendar(session, session.get(Insats, slut.insats_id), regler)
    for reader in (lambda d: read_both(d, tmp_path)[0], lambda d: read_with_icaljs(d, tmp_path)):
        old, new = reader(before)["events"], reader(after)["events"]
        assert set(old) == set(new)
        moved = [u for u in old if old[u]["start"] != new[u]["start"]]
        assert len(moved) == 1
        u = moved[0]
        assert (old[u]["start"], new[u]["start"]) == (date(2022, 3, 1), date(2022, 3, 31))
        assert new[u]["sequence"] > old[u]["sequence"]
        assert all(old[x]["sequence"] == new[x]["sequence"] for x in old if x != u)


def test_a_removed_deadline_is_sent_as_cancelled(loaded: str, regler, tmp_path: Path) -> None:
    with unit_of_work(loaded, k()) as session:
        insats = session.scalar(select(Insats).where(Insats.namn == "Ett hållbart arbetsliv - Ovanåker"))
        before = insats_calendar(session, insats, regler)
        lifecycle.interrupt(session, k(), insats, regler, datum=date(2021, 12, 31), as_of=date(2021, 6, 1))
        session.flush()
        after = insats_calendar(session, insats, regler)
    for old, new in ((read_both(before, tmp_path)[0], read_both(after, tmp_path)[0]),
                     (read_with_icaljs(before, tmp_path), read_with_icaljs(after, tmp_path))):
        cancelled = [u for u, e in new["events"].items() if e["status"] == "CANCELLED"]
        assert len(cancelled) == 3  # delrapporter 3–5, after the avbrott
        for u in cancelled:
            assert old["events"][u]["status"] == "CONFIRMED"
            assert new["events"][u]["sequence"] > old["events"][u]["sequence"]
            assert not new["events"][u]["alarms"]


def test_a_moved_meeting_across_the_dst_change(db_url: str, regler, tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text("typ,datum,tid,plats\nstyrelse,2027-03-25,09:30,Gävle\n", encoding="utf-8")
    with unit_of_work(db_url, k()) as session:
        import_meetings(session, k(), plan, regler)
    before = kansli(db_url, regler)
    plan.write_text("typ,datum,tid,plats,flyttad_fran\nstyrelse,2027-04-01,09:30,Gävle,2027-03-25\n", encoding="utf-8")
    with unit_of_work(db_url, k(date(2027, 3, 1))) as session:
        import_meetings(session, k(date(2027, 3, 1)), plan, regler)
    after = kansli(db_url, regler)
    for reader in (lambda d: read_both(d, tmp_path)[0], lambda d: read_with_icaljs(d, tmp_path)):
        old = {e["summary"]: (u, e) for u, e in reader(before)["events"].items()}
        new = {e["summary"]: (u, e) for u, e in reader(after)["events"].items()}
        (u_old, e_old), (u_new, e_new) = old["Styrelsemöte"], new["Styrelsemöte"]
        assert u_old == u_new and e_new["sequence"] == e_old["sequence"] + 1
        assert e_old["start"] == datetime(2027, 3, 25, 8, 30, tzinfo=timezone.utc)  # 09:30 CET
        assert e_new["start"] == datetime(2027, 4, 1, 7, 30, tzinfo=timezone.utc)  # 09:30 CEST
    with read_only(db_url) as session:
        assert len(session.scalars(select(Sammantrade)).all()) == 1


def test_an_emailed_calendar_says_publish_in_file_and_mime(loaded: str, regler, tmp_path: Path) -> None:
    from finsam.services.calendars import email_calendar

    with read_only(loaded) as session:
        deadlines = session.scalars(select(Deadline).limit(3)).all()
        data = email_calendar(deadlines, regler, name="Rapporter", stamp=datetime(2021, 6, 1, 8, tzinfo=timezone.utc))
    vobj, js = read_both(data, tmp_path)
    assert vobj["method"] == js["method"] == "PUBLISH"


class FeedServer:
    def __init__(self, app) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = clock_time.monotonic() + 20
        while not self.server.started:
            assert clock_time.monotonic() < deadline, "the feed server did not start"
            clock_time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def test_the_feed_is_served_only_with_its_token(loaded: str, regler, tmp_path: Path) -> None:
    with unit_of_work(loaded, k()) as session:
        insats = session.scalar(select(Insats).where(Insats.diarienummer == "SFG 21-6.58"))
        insats_row, insats_token = create_token(session, k(), insats, "Insatsansvarig Hudiksvall")
        _kansli_row, kansli_token = create_token(session, k(), None)
        insats_token_id = insats_row.id
    assert len(insats_token) >= 43  # 256 bits in URL-safe base64
    with FeedServer(create_app(loaded, regler)) as base, httpx.Client(base_url=base) as client:
        response = client.get(f"/kalender/{insats_token}.ics", headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/calendar; charset=utf-8"
        assert "content-encoding" not in response.headers  # gzip breaks Outlook subscriptions
        etag = response.headers["etag"]
        body = response.content
        assert b"X-WR-CALNAME:Rapporter \xe2\x80\x93 Trisam 2.0 - Hudiksvalls kommun" in body
        assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body and b"X-PUBLISHED-TTL:PT1H" in body
        parsed = read_with_icaljs(body, tmp_path)
        assert {e["summary"].split(" – ")[1] for e in parsed["events"].values()} == {"Trisam 2.0 - Hudiksvalls kommun"}
        again = client.get(f"/kalender/{insats_token}.ics", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert client.get(f"/kalender/{insats_token}.ics").headers["etag"] == etag  # stable while nothing changes
        whole = client.get(f"/kalender/{kansli_token}.ics")
        assert whole.status_code == 200 and b"Styrelsem\xc3\xb6te" in whole.content
        for wrong in (insats_token[:-1] + ("A" if insats_token[-1] != "A" else "B"), "x", ""):
            assert client.get(f"/kalender/{wrong}.ics").status_code == 404
        for listing in ("/", "/kalender/", "/docs", "/openapi.json"):
            assert client.get(listing).status_code == 404
        with unit_of_work(loaded, k()) as session:
            revoke_token(session, k(), insats_token_id)
        assert client.get(f"/kalender/{insats_token}.ics").status_code == 404
        # A change to the insats changes the kansli feed's ETag.
        kansli_etag = whole.headers["etag"]
        with unit_of_work(loaded, k()) as session:
            slut = session.scalar(select(Deadline).join(Insats).where(Insats.diarienummer == "SFG 21-6.58",
                                                                    Deadline.typ == RapportTyp.SLUTRAPPORT))
            grant_anstand(session, k(), slut.id, date(2022, 4, 1), "x", "y")
        changed = client.get(f"/kalender/{kansli_token}.ics", headers={"If-None-Match": kansli_etag})
        assert changed.status_code == 200 and changed.headers["etag"] != kansli_etag


def test_calendar_cli(loaded: str, tmp_path: Path) -> None:
    out = finsam(loaded, "calendar", "token", "create", "--insats", "SFG 21-6.58", "--beskrivning", "Hudiksvall").stdout
    url = re.search(r"http://127\.0\.0\.1:8080/kalender/[A-Za-z0-9_-]{43}\.ics", out)
    assert url
    listing = finsam(loaded, "calendar", "token", "list").stdout
    assert "Hudiksvall" in listing and url.group(0).split("/")[-1][:-4] not in listing
    finsam(loaded, "calendar", "token", "revoke", "1")
    assert "återkallad" in finsam(loaded, "calendar", "token", "list").stdout
    target = tmp_path / "hudiksvall.ics"
    finsam(loaded, "calendar", "export", "--insats", "SFG 21-6.58", "--output", str(target))
    assert read_with_icaljs(target.read_bytes(), tmp_path)["name"] == "Rapporter – Trisam 2.0 - Hudiksvalls kommun"
    refused = finsam(loaded, "calendar", "token", "create", check=False)
    assert refused.returncode == 1 and "--insats" in refused.stderr


def test_the_feed_is_kept_until_a_deadline_or_meeting_changes_in_any_process(
    loaded: str, regler, tmp_path: Path, insatser_csv: Path
) -> None:
    from finsam.domain.model import KalenderToken

    with unit_of_work(loaded, k()) as session:
        _row, token = create_token(session, k(), None)
        slut = session.scalar(select(Deadline).join(Insats).where(Insats.diarienummer == "SFG 21-6.58",
                                                                 Deadline.typ == RapportTyp.SLUTRAPPORT))
        slut_id = slut.id
    app = create_app(loaded, regler)
    with FeedServer(app) as base, httpx.Client(base_url=base) as client:
        first = client.get(f"/kalender/{token}.ics")
        assert first.status_code == 200 and app.state.feeds.builds == 1
        assert first.content == kansli(loaded, regler), "the kept feed is the one a fresh build gives"
        # Nothing a feed shows changes: the same bytes, not built again.
        with unit_of_work(loaded, k()) as session:
            create_token(session, k(), None, "en till")
            session.scalar(select(Insats).where(Insats.diarienummer == "SFG 21-6.58")).beviljade_medel_kr = 1
            session.scalar(select(KalenderToken).limit(1)).beskrivning = "ändrad"
        for _ in range(3):
            again = client.get(f"/kalender/{token}.ics")
            assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
        assert client.get(f"/kalender/{token}.ics", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
        assert app.state.feeds.builds == 1

        # An anstånd granted by another process (the CLI): a new feed, with a new ETag, at the next request.
        finsam(loaded, "anstand", str(slut_id), "--new-due", "2022-03-31", "--reason", "Byte av projektledare")
        moved = client.get(f"/kalender/{token}.ics", headers={"If-None-Match": first.headers["etag"]})
        assert moved.status_code == 200 and moved.headers["etag"] != first.headers["etag"]
        assert moved.content == kansli(loaded, regler) and app.state.feeds.builds == 2
        # A meeting moved: the same.
        plan = tmp_path / "plan.csv"
        plan.write_text("typ,datum,tid,plats,flyttad_fran\nstyrelse,2021-03-04,09:30,Gävle,2021-02-25\n", encoding="utf-8")
        finsam(loaded, "import", "meetings", str(plan))
        met = client.get(f"/kalender/{token}.ics", headers={"If-None-Match": moved.headers["etag"]})
        assert met.status_code == 200 and met.headers["etag"] not in (first.headers["etag"], moved.headers["etag"])
        assert met.content == kansli(loaded, regler) and app.state.feeds.builds == 3
        # New insatser written in bulk (past the unit of work) count as well.
        lines = insatser_csv.read_text(encoding="utf-8").splitlines()
        extra = tmp_path / "extra.csv"
        extra.write_text(lines[0] + "\n" + lines[1].replace("Ett hållbart arbetsliv - Ockelbo", "Ny insats") + "\n", encoding="utf-8")
        finsam(loaded, "import", "insatser", str(extra), "--as-of", "2021-06-01")
        grown = client.get(f"/kalender/{token}.ics")
        assert grown.content == kansli(loaded, regler) and b"Ny insats" in grown.content and app.state.feeds.builds == 4

    for reader in (lambda d: read_both(d, tmp_path)[0], lambda d: read_with_icaljs(d, tmp_path)):
        old, new, last = (reader(r.content)["events"] for r in (first, moved, met))
        changed = [u for u in old if old[u]["start"] != new[u]["start"]]
        assert len(changed) == 1 and new[changed[0]]["start"] == date(2022, 3, 31)
        assert new[changed[0]]["sequence"] > old[changed[0]]["sequence"]
        assert all(old[u] == new[u] for u in old if u not in changed)
        styrelse = sorted(e["start"] for e in last.values() if e["summary"] == "Styrelsemöte")
        assert datetime(2021, 3, 4, 8, 30, tzinfo=timezone.utc) in styrelse
        assert datetime(2021, 2, 25, 8, 30, tzinfo=timezone.utc) not in styrelse


def test_the_calendar_stamp_moves_with_every_write_that_a_feed_shows(loaded: str) -> None:
    from sqlalchemy import update

    from finsam.services.calendars import calendar_stamp

    def stamp() -> tuple[str, int]:
        with read_only(loaded) as session:
            return calendar_stamp(session)

    def moves(change) -> bool:  # noqa: ANN001
        before = stamp()
        with unit_of_work(loaded, k()) as session:
            change(session)
        after = stamp()
        assert after[1] >= before[1]
        return after != before

    def deadline(session):  # noqa: ANN001, ANN202
        return session.scalar(select(Deadline).order_by(Deadline.id).limit(1))

    def insats(session):  # noqa: ANN001, ANN202
        return session.scalar(select(Insats).order_by(Insats.id).limit(1))

    assert moves(lambda s: setattr(deadline(s), "inkom", date(2021, 5, 1)))  # through the unit of work
    assert moves(lambda s: s.execute(update(Deadline).values(bevakas=False)))  # plain SQL, every row
    assert moves(lambda s: setattr(s.scalar(select(Sammantrade).limit(1)), "plats", "Sandviken"))
    assert moves(lambda s: setattr(insats(s), "namn", "Nytt namn"))
    assert moves(lambda s: s.delete(s.scalar(select(Sammantrade).limit(1))))
    assert not moves(lambda s: setattr(insats(s), "beviljade_medel_kr", 5))  # no feed shows it
    assert not moves(lambda s: create_token(s, k(), None))
    with pytest.raises(RuntimeError):  # a change rolled back leaves the stamp where it was
        before = stamp()
        with unit_of_work(loaded, k()) as session:
            deadline(session).inkom = date(2021, 5, 2)
            session.flush()
            raise RuntimeError
    assert stamp() == before


# Text as the kansli and the data give it: Swedish letters, what RFC 5545 escapes (\\ ; , and line breaks),
# long enough to be folded, a backslash where a fold would fall, and characters of 2-4 bytes in UTF-8.
ALPHABET = st.sampled_from(list("aåäöÅÄÖ xyz,;:\\\n\r\"^–€😀N")) | st.characters(codec="utf-8", exclude_categories=("Cs",))
TEXT = st.text(ALPHABET, max_size=20) | st.text(ALPHABET, min_size=60, max_size=300)  # short, and folded
STAMP = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                     timezones=st.just(timezone.utc) | st.just(STOCKHOLM))
ALL_DAY = st.builds(AllDayEvent, uid=st.text(max_size=80), sequence=st.integers(0, 10_000), summary=TEXT,
                    description=TEXT, day=st.dates(date(2000, 1, 1), date(2099, 12, 30)), stamp=STAMP,
                    alarm_days_before=st.integers(0, 30), cancelled=st.booleans())
START = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 30), timezones=st.just(STOCKHOLM))
TIMED = st.builds(
    lambda start, minutes, **kw: TimedEvent(start=start, end=start + timedelta(minutes=minutes), **kw),
    start=START, minutes=st.integers(0, 24 * 60), uid=st.text(max_size=80), sequence=st.integers(0, 10_000),
    summary=TEXT, description=TEXT, location=st.none() | TEXT, stamp=STAMP,
    alarm_minutes_before=st.integers(0, 7 * 24 * 60), cancelled=st.booleans())


@settings(max_examples=400, deadline=None)
@given(st.one_of(ALL_DAY, TIMED))
def test_an_event_is_written_byte_for_byte_as_icalendar_writes_it(item) -> None:
    """Feeds write their events directly (fast); icalendar, the library, is the reference for every byte."""
    from finsam.calendar import ics

    assert ics._ical(item) == ics._event(item).to_ical()


def test_the_events_of_a_real_feed_are_written_as_icalendar_writes_them(loaded: str, regler) -> None:
    from finsam.calendar import ics
    from finsam.services.calendars import _deadline_events, _deadlines, meeting_events

    with read_only(loaded) as session:
        events = [e for d in _deadlines(session, None) for e in _deadline_events(regler)(d)]
        events += [e for m in session.scalars(select(Sammantrade)) for e in meeting_events(m)]
    assert len(events) > 100 and any(isinstance(e, ics.TimedEvent) for e in events)
    assert [ics._ical(e) for e in events] == [ics._event(e).to_ical() for e in events]
