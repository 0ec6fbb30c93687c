"""make chaos, issue 25's promises: exactly once under every relay fault (a real aiosmtpd relay that is slow after
DATA, drops the line after taking the message, or answers each recipient 250/452/550), one insats after an
Excel round trip, any file name, and a lost database connection, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select, text

from finsam.adapters.mail import SmtpTransport
from finsam.audit import Kontext
from finsam.db import get_engine, read_only, unit_of_work
from finsam.domain.enums import UtskickTillstand as U
from finsam.domain.model import Base, Insats, Utskick
from finsam.messages.compose import message_id
from finsam.services.delivery import deliver
from finsam.services.outbox import NewMessage, enqueue
from finsam.settings import Settings
from smtp_servers import Recorder, smtp_server

PROJECT = Path(__file__).resolve().parent.parent
SENDER = "finsam@chaos.example"
OWNER, COPY, THIRD = "agare@kommun.example", "kansli@forbund.example", "chef@kommun.example"


def _empty(url: str) -> None:
    with get_engine(url).begin() as c:
        for table in reversed(Base.metadata.sorted_tables):
            c.execute(table.delete())


def _queue(url: str, count: int, start: datetime) -> set[str]:
    k = Kontext(aktor="chaos", atgard="chaos", nu=start)
    ids = set()
    with unit_of_work(url, k) as session:
        for i in range(count):
            key = f"relay:{i}"
            mid = message_id(key, SENDER)
            data = (f"From: {SENDER}\r\nTo: {OWNER}\r\nCc: {COPY}, {THIRD}\r\nSubject: {key}\r\nMessage-ID: {mid}\r\n\r\n"
                    f"Meddelande {i}.\r\n").encode()
            enqueue(session, k, NewMessage(nyckel=key, typ="paminnelse", mottagare=OWNER, kopia=[COPY, THIRD], amne=key,
                                           message_id=mid, meddelande=data, planerad=start.date()))
            ids.add(mid)
    return ids


FAULTS = {
    # a relay that takes every message but answers DATA only after 0.6 s; finsam waits 0.3 s
    "langsam_efter_data": lambda: Recorder(slow_answers=[0.6] * 1000),
    # a relay that takes the message and drops the line before answering, every other time
    "tappar_efter_data": lambda: Recorder(drop_after_accept=5),
    # per recipient: the owner refused (550), the copy told to wait twice (452), the third accepts
    "per_mottagare": lambda: Recorder(refuse_rcpt={OWNER: "550 5.1.1 No such user"},
                                      rcpt_answers={COPY: ["452 4.2.2 Mailbox full"] * 2}),
}


def relay_faults(urls: dict[str, str], messages: int = 10) -> dict[str, object]:
    per_fault: dict[str, dict[str, object]] = {}
    for backend, url in urls.items():
        for fault, make in FAULTS.items():
            _empty(url)
            start = datetime(2027, 8, 2, 5, tzinfo=timezone.utc)
            ids = _queue(url, messages, start)
            moment = [start]
            with smtp_server(make()) as server:
                settings = Settings(smtp_host="127.0.0.1", smtp_port=server.port, mail_from=SENDER, smtp_timeout=0.3,
                                    smtp_retry_delay=0, smtp_attempts=1)
                runs, longest = 0, 0.0
                while runs < 60:
                    began = time.perf_counter()
                    report = asyncio.run(deliver(url, SmtpTransport(settings), clock=lambda: moment[0], aktor="chaos",
                                                 attempts=1, retry_delay=0, uncertain_wait=timedelta(minutes=30),
                                                 max_seconds=30))
                    longest = max(longest, time.perf_counter() - began)
                    runs += 1
                    if not (report.uncertain or report.deferred):
                        break
                    moment[0] += timedelta(minutes=31)
                time.sleep(0.8)  # the relay's last slow delivery lands
                by_id = Counter(r.message["Message-ID"].strip() for r in server.recorder.received)
                by_copy = Counter((r.message["Message-ID"].strip(), tuple(r.rcpt_tos)) for r in server.recorder.received)
            with read_only(url) as session:
                states = Counter(r.tillstand.value for r in session.scalars(select(Utskick)))
            per_fault[f"{backend}_{fault}"] = {
                "meddelanden": messages, "korningar": runs, "langsta_korning_s": round(longest, 2),
                "levererade_mer_an_tva_ganger": sum(1 for n in by_id.values() if n > 2),
                "samma_mottagare_mer_an_tva_ganger": sum(1 for n in by_copy.values() if n > 2),
                "forlorade": len(ids - set(by_id)), "tillstand": dict(states),
                "slutade_inte": int(runs >= 60),
            }
    return {
        "relay_faults": per_fault,
        "relay_delivered_more_than_twice": sum(f["levererade_mer_an_tva_ganger"] for f in per_fault.values()),
        "relay_runs_that_did_not_end": sum(f["slutade_inte"] for f in per_fault.values()),
        "relay_lost": sum(f["forlorade"] for f in per_fault.values()),
    }


def _finsam(url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FINSAM_DATABASE_URL": url, "FINSAM_AKTOR": "chaos", "PYTHONPATH": str(PROJECT)}
    return subprocess.run([sys.executable, "-m", "finsam", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


ROUND_TRIP = [("nbsp", "Trisam 2.0 - Hudiksvalls kommun", "Trisam 2.0\u00a0- Hudiksvalls kommun"),
              ("dubbelt_mellanslag", "Mysam,", "Mysam  ,"), ("nollbredd", "SFG 21-6.58", "SFG 21-6.58\u200b"),
              ("versaler", "Hudiksvalls kommun,Arbetsförmedlingen", "HUDIKSVALLS KOMMUN,Arbetsförmedlingen")]


def round_trip_and_names(urls: dict[str, str], work: Path) -> dict[str, object]:
    csv = PROJECT / "data" / "insatser-2021.csv"
    duplicates = unexpected = cases = 0
    for backend, url in urls.items():
        _empty(url)
        folder = work / f"rundtur-{backend}"
        folder.mkdir()
        _finsam(url, folder, "import", "insatser", str(csv), "--as-of", "2021-06-01")
        original = csv.read_text(encoding="utf-8")
        for what, before, after in ROUND_TRIP:
            changed = folder / f"{what}.csv"
            changed.write_text(original.replace(before, after, 1), encoding="utf-8")
            done = _finsam(url, folder, "import", "insatser", str(changed), "--as-of", "2021-06-01")
            cases += 1
            unexpected += "Oväntat fel" in done.stderr or "Traceback" in done.stderr
            with read_only(url) as session:
                duplicates += session.scalar(select(func.count()).select_from(Insats)) - 18
        # File names of any length and any bytes, at the CLI and the inbox.
        inbox = folder / "inkorg"
        inbox.mkdir()
        for name in ("r" * 246 + ".txt", "bilaga-" + "x" * 180 + ".txt", b"fr\xe5n-skannern.txt".decode("utf-8", "surrogateescape")):
            (inbox / name).write_text("Slutrapport\nInsatsens namn\nTrisam 2.0\n", encoding="utf-8")
            done = _finsam(url, folder, "report", "register", str(inbox / name), "--json")
            cases += 1
            unexpected += done.returncode not in (0, 1) or "Oväntat fel" in done.stderr or "Traceback" in done.stderr
        done = _finsam(url, folder, "report", "inbox", str(inbox), "--json")
        cases += 1
        try:
            json.loads(done.stdout)
        except ValueError:
            unexpected += 1
        unexpected += done.returncode != 0 or "Oväntat fel" in done.stdout + done.stderr
    return {"round_trip_cases": cases, "round_trip_duplicate_insatser": duplicates, "issue25_unexpected_errors": unexpected}


def lost_connection(pg_url: str | None, work: Path) -> dict[str, object]:
    """A backend terminated inside the daily run's transaction: a Swedish message, then the next run does the day."""
    if pg_url is None:
        return {"lost_connection_cases": 0}
    _empty(pg_url)
    folder = work / "tappad"
    folder.mkdir()
    _finsam(pg_url, folder, "import", "insatser", str(PROJECT / "data" / "insatser-2021.csv"), "--as-of", "2021-06-01")
    engine = get_engine(pg_url)
    with engine.connect() as c:
        c.execute(text("""CREATE OR REPLACE FUNCTION finsam_chaos_kill() RETURNS trigger AS $$
            BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$ LANGUAGE plpgsql"""))
        c.execute(text("CREATE TRIGGER finsam_chaos_kill BEFORE INSERT ON utskick FOR EACH ROW "
                       "EXECUTE FUNCTION finsam_chaos_kill()"))
        c.commit()
    try:
        done = _finsam(pg_url, folder, "run", "daily", "--as-of", "2021-10-29")
    finally:
        with engine.connect() as c:
            c.execute(text("DROP TRIGGER IF EXISTS finsam_chaos_kill ON utskick"))
            c.commit()
    again = _finsam(pg_url, folder, "run", "daily", "--as-of", "2021-10-29")
    return {"lost_connection_cases": 1,
            "lost_connection_unexpected": int("Oväntat fel" in done.stderr or done.returncode != 1),
            "lost_connection_next_run_ok": int(again.returncode in (0, 3))}


def issue25(urls: dict[str, str], work: Path) -> dict[str, object]:
    results: dict[str, object] = {}
    results.update(relay_faults(urls))
    results.update(round_trip_and_names(urls, work))
    results.update(lost_connection(urls.get("postgresql"), work))
    return results


if __name__ == "__main__":  # a quick look at these figures alone
    import tempfile

    from finsam.db import upgrade

    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'x.db'}"
    upgrade(url)
    print(json.dumps(issue25({"sqlite": url}, folder), indent=1, ensure_ascii=False, default=str))

