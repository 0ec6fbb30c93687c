"""make chaos: nothing lost under crashes, concurrent runs, a mail outage and bad input, and nothing outside
touched through the folders finsam reads (benchmarks/chaos_files.py), exactly once under every relay fault,
one insats after an Excel round trip, any file name and a lost connection (benchmarks/chaos_relay.py).

Every figure comes from a real run against a real SMTP server (aiosmtpd) and a real database.
Prints a table and writes benchmarks/chaos.json.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from benchmarks.population import kontext, populate
from finsam.db import read_only, unit_of_work, upgrade
from finsam.domain.enums import UtskickTillstand
from finsam.domain.model import Utskick
from finsam.messages.compose import message_id
from finsam.services.outbox import NewMessage, enqueue
from finsam.wiring import rules
from smtp_servers import Recorder, free_port, smtp_server

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
WORK = Path(tempfile.mkdtemp(prefix="finsam-chaos-"))
PG_ADMIN = os.environ.get("FINSAM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def sqlite_db(name: str) -> str:
    url = f"sqlite:///{WORK / name}.db"
    upgrade(url)
    return url


def postgres_db() -> str | None:
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        name = f"finsam_chaos_{uuid.uuid4().hex[:8]}"
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as e:  # no server here: the PostgreSQL half is reported as skipped
        print(f"PostgreSQL hoppas över: {type(e).__name__}")
        return None
    url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return url


# --- crashes ---

def queue_messages(url: str, run: int, count: int) -> set[str]:
    """`count` plain messages in the outbox; their Message-IDs."""
    k = kontext(date(2025, 6, 2))
    ids = set()
    with unit_of_work(url, k) as session:
        for i in range(count):
            key = f"chaos:{run}:{i}"
            mid = message_id(key, "finsam@chaos.example")
            data = (f"From: finsam@chaos.example\r\nTo: m{i}@kommun.example\r\nSubject: {key}\r\nMessage-ID: {mid}\r\n\r\n"
                    f"Meddelande {i} i körning {run}.\r\n").encode()
            enqueue(session, k, NewMessage(nyckel=key, typ="paminnelse", mottagare=f"m{i}@kommun.example", kopia=[],
                                           amne=key, message_id=mid, meddelande=data, planerad=date(2025, 6, 2)))
            ids.add(mid)
    return ids


def sender(url: str, port: int, claim: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "benchmarks.chaos_sender", url, str(port), str(claim)], cwd=PROJECT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def crashes(runs: int = 20, per_run: int = 500) -> dict[str, int]:
    url = sqlite_db("crash")
    rng = random.Random(2027)
    lost = duplicates = distinct = killed_mid_run = 0
    with smtp_server(Recorder()) as server:
        for run in range(runs):
            expected = queue_messages(url, run, per_run)
            before = len(server.recorder.received)
            process = sender(url, server.port, 0.5)
            time.sleep(rng.uniform(0.3, 2.5))  # somewhere in the run: starting, sending, or done
            if process.poll() is None:
                killed_mid_run += 1
            process.send_signal(signal.SIGKILL)
            process.wait()
            time.sleep(0.6)  # the dead run's claims expire
            normal = sender(url, server.port, 0.5)
            normal.wait(timeout=300)
            got = server.recorder.received[before:]
            by_id = Counter(r.message["Message-ID"].strip() for r in got)
            lost += len(expected - set(by_id))
            duplicates += sum(n - 1 for n in by_id.values())
            by_subject = defaultdict(set)
            for r in got:
                by_subject[r.message["Subject"]].add(r.message["Message-ID"].strip())
            distinct += sum(1 for ids in by_subject.values() if len(ids) > 1)
    with read_only(url) as session:
        unsent = session.scalar(select(func.count()).select_from(Utskick).where(Utskick.tillstand != UtskickTillstand.SKICKAD))
    return {"crash_runs": runs, "killed_mid_run": killed_mid_run, "lost": lost + unsent, "duplicates": duplicates,
            "duplicates_with_distinct_message_id": distinct}


# --- concurrent daily runs ---

def concurrency(url: str, label: str, workers: int) -> dict[str, int]:
    regler = rules()
    as_of = date(2025, 6, 2)
    with unit_of_work(url, kontext(as_of)) as session:
        populate(session, regler, 150, seed=workers, as_of=as_of - timedelta(days=30), prefix=f"{label}{workers}-")
    with read_only(url) as session:  # the same database may have served an earlier run
        earlier = set(session.scalars(select(Utskick.message_id)))
    env = {**os.environ, "FINSAM_DATABASE_URL": url, "FINSAM_AKTOR": "chaos", "FINSAM_SMTP_RETRY_DELAY": "0"}
    with smtp_server(Recorder()) as server:
        env.update(FINSAM_SMTP_HOST="127.0.0.1", FINSAM_SMTP_PORT=str(server.port))
        logs = [(WORK / f"{label}{workers}-{i}.out", WORK / f"{label}{workers}-{i}.err") for i in range(workers)]
        processes = [subprocess.Popen([sys.executable, "-m", "finsam", "run", "daily", "--as-of", as_of.isoformat()],
                                      cwd=WORK, env=env, stdout=out.open("w"), stderr=err.open("w"))
                     for out, err in logs]
        for p in processes:
            p.wait(timeout=600)
        outputs = [(out.read_text(), err.read_text()) for out, err in logs]
        by_id = Counter(r.message["Message-ID"].strip() for r in server.recorder.received)
    failures = sum(1 for p in processes if p.returncode not in (0,))
    locked = sum("database is locked" in (out + err) for out, err in outputs)
    with read_only(url) as session:
        rows = [r for r in session.scalars(select(Utskick)) if r.message_id not in earlier]
    sent_ids = {r.message_id for r in rows if r.tillstand is UtskickTillstand.SKICKAD}
    return {
        "duplicates": sum(n - 1 for n in by_id.values()),
        "lost": len({r.message_id for r in rows} - set(by_id)) + len(sent_ids - set(by_id)),
        "messages": len(rows),
        "failed_runs": failures,
        "database_locked": locked,
    }


# --- outage ---

def outage() -> dict[str, int]:
    from mailtools import Clock, mail_context, plan, send, smtp_settings

    url = sqlite_db("outage")
    regler = rules()
    first = date(2025, 6, 2)
    with unit_of_work(url, kontext(first)) as session:
        populate(session, regler, 200, seed=99, as_of=first - timedelta(days=20))
    mail = mail_context(regler)
    port = free_port()
    for n in range(7):  # a week of daily runs with the mail server down
        day = first + timedelta(days=n)
        plan(url, mail, day)
        send(url, smtp_settings(port, smtp_retry_delay=0, smtp_attempts=1), Clock.on(day))
    with read_only(url) as session:
        waiting = session.scalars(select(Utskick).where(Utskick.tillstand == UtskickTillstand.VANTAR)).all()
        deadlines = {u.deadline_id for u in waiting if u.deadline_id}
        others = [u for u in waiting if not u.deadline_id]
    with smtp_server(port=port) as server:
        send(url, smtp_settings(port), Clock(Clock.on(first + timedelta(days=7))() + timedelta(hours=8)))
        got = server.recorder.received
    by_id = Counter(r.message["Message-ID"].strip() for r in got)
    per_deadline = Counter()
    with read_only(url) as session:
        for u in session.scalars(select(Utskick).where(Utskick.tillstand == UtskickTillstand.SKICKAD)):
            if u.deadline_id:
                per_deadline[u.deadline_id] += 1
        left = session.scalar(select(func.count()).select_from(Utskick).where(Utskick.tillstand == UtskickTillstand.VANTAR))
    told = sum(1 for r in got if r.message["Subject"].startswith("Störning i utskicken"))
    return {
        "outage_days": 7,
        "outage_waiting": len(waiting),
        "outage_delivered": len(got),
        "outage_lost": left,
        "outage_duplicates": sum(n - 1 for n in by_id.values()),
        "outage_deadlines_with_more_than_one_message": sum(1 for n in per_deadline.values() if n > 1),
        "outage_deadlines": len(deadlines),
        "outage_kansli_told": told,
        "outage_other_messages": len(others),
    }


# --- bad input ---

def fuzz() -> dict[str, object]:
    """Hostile input at every entry point; the counts per entry point go into chaos.json."""
    from benchmarks.fuzzing import run_fuzz

    return run_fuzz(WORK / "fuzz")


def main() -> int:
    results: dict[str, object] = {}
    start = time.perf_counter()
    results.update(crashes())
    concurrent: dict[str, dict[str, int]] = {}
    pg = postgres_db()
    for backend, make in (("sqlite", lambda w: sqlite_db(f"concurrent{w}")), ("postgresql", None)):
        for workers in (2, 4):
            if backend == "postgresql":
                if pg is None:
                    continue
                url = pg
            else:
                url = make(workers)
            concurrent[f"{backend}_{workers}"] = concurrency(url, backend, workers)
    results["concurrent"] = concurrent
    results["concurrent_duplicates"] = sum(c["duplicates"] for c in concurrent.values())
    results["concurrent_lost"] = sum(c["lost"] for c in concurrent.values())
    results["concurrent_database_locked"] = sum(c["database_locked"] for c in concurrent.values())
    results["concurrent_failed_runs"] = sum(c["failed_runs"] for c in concurrent.values())
    results.update(outage())
    results.update(fuzz())
    from benchmarks.chaos_files import file_system

    results.update(file_system({"sqlite": sqlite_db("files"), **({"postgresql": pg} if pg else {})}, WORK))
    from benchmarks.chaos_relay import issue25

    results.update(issue25({"sqlite": sqlite_db("relay"), **({"postgresql": pg} if pg else {})}, WORK))
    results["seconds"] = round(time.perf_counter() - start, 1)
    (HERE / "chaos.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print("mått".ljust(46), "värde")
    for key, value in results.items():
        if key not in ("concurrent", "fuzz_per_entry_point", "fs_per_kind", "relay_faults"):
            print(key.ljust(46), value)
    for name, figures in concurrent.items():
        print(f"samtidiga körningar {name}".ljust(46), figures)
    for name, figures in results["fuzz_per_entry_point"].items():
        print(f"fientlig indata {name}".ljust(46), figures)
    for name, figures in results["relay_faults"].items():
        print(f"e-postserverfel {name}".ljust(46), figures)
    print(f"Sparat i {HERE / 'chaos.json'}")
    bad = (results["lost"] or results["duplicates_with_distinct_message_id"] or results["concurrent_duplicates"]
           or results["concurrent_lost"] or results["concurrent_database_locked"] or results["outage_lost"]
           or results["outage_duplicates"] or results["outage_deadlines_with_more_than_one_message"]
           or not results["outage_kansli_told"] or results["fuzz_tracebacks"] or results["fuzz_partial_writes"]
           or results["fs_outside_changed"] or results["fs_outside_read"] or results["fs_hung_runs"]
           or results["fs_tracebacks"] or results["relay_delivered_more_than_twice"]
           or results["relay_runs_that_did_not_end"] or results["relay_lost"] or results["round_trip_duplicate_insatser"]
           or results["issue25_unexpected_errors"] or results.get("lost_connection_unexpected"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
