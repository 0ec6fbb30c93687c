"""make bench: the engine's figures at the scale of every förbund in Sweden, beside what the database
and the wire cost on their own and what a minimal reminder script of our own takes (benchmarks/peer.py).
Prints a table and writes benchmarks/results.json.

make bench-smoke (`--smoke`): the same code paths at small sizes, in well under a minute, writing
benchmarks/results-smoke.json (not committed). Any break (a count that does not add up, an exception,
a failed `finsam run daily`) exits non-zero; timings are reported as ratios, never checked.

`--only import feed empty` (any of them): just those figures, at the run's sizes, written over the same
figures in the results file: `import insatser` of 1,000 insatser from a CSV, the kansli's feed for
10,000 insatser served cold, kept (warm), conditional (304) and after a change, and `finsam run daily`
over 10,000 insatser on a day with nothing left to do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import aiosmtplib
import httpx
from sqlalchemy import func, select, text

from benchmarks import peer
from benchmarks.population import insatser_csv, kontext, populate, reports_arrive
from finsam.adapters.mail import SmtpTransport
from finsam.db import get_engine, read_only, unit_of_work, upgrade
from finsam.domain.model import Insats, Utskick
from finsam.services.calendars import create_token, kansli_calendar
from finsam.services.delivery import deliver
from finsam.services.notify import plan_ladder, scan_due
from finsam.settings import Settings
from finsam.wiring import mail_context, rules

HERE = Path(__file__).resolve().parent
WORK = Path(os.environ.get("FINSAM_BENCH_DIR", "/tmp/finsam-bench"))
AS_OF = date(2025, 6, 2)  # a Monday
REPEAT = 5


@dataclass(frozen=True)
class Sizes:
    small: int  # insatser: materialise, scan, calendar at small and large (growth is large/small)
    large: int
    reminders: tuple[int, ...]  # reminders sent end to end: engine, peer, bare loop
    rounds: int  # each delivery figure is the median of this many runs, each on a fresh copy
    rss: tuple[int, ...]  # reminders for `finsam run daily` in a subprocess, for its peak RSS
    calendar_repeat: int
    import_rounds: int  # `import insatser` of `small` insatser from a CSV, each on a fresh database
    results: Path


FULL = Sizes(1000, 10000, (1000, 5000), 3, (1000, 10000), 3, 3, HERE / "results.json")
SMOKE = Sizes(50, 500, (100,), 3, (100,), 1, 1, HERE / "results-smoke.json")


def machine() -> dict[str, str | int | float]:
    """What the figures were measured on, written beside them."""
    import platform
    import sqlite3

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    return {"machine": f"{platform.machine()}, {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "load_average_at_start": round(os.getloadavg()[0], 2)}


def check(ok: bool, what: str) -> None:
    """A broken benchmark stops it (exit 1), also under `python -O`."""
    if not ok:
        raise AssertionError(what)


def size_label(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def median_time(fn, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fresh_db(name: str) -> str:
    path = WORK / f"{name}.db"
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    upgrade(url)
    return url


def materialise(n: int) -> tuple[str, float]:
    """Insatser created and their deadlines materialised through the service, in one transaction."""
    url = fresh_db(f"pop{n}")
    start = time.perf_counter()
    with unit_of_work(url, kontext(AS_OF)) as session:
        populate(session, rules(), n, seed=n, as_of=AS_OF)
    elapsed = time.perf_counter() - start
    with unit_of_work(url, kontext(AS_OF)) as session:
        reports_arrive(session, seed=n, as_of=AS_OF)  # early, late, or never
    checkpoint(url)
    return url, elapsed


def checkpoint(url: str) -> None:
    """Fold the write-ahead log into the database file, as SQLite does on its own between days."""
    from finsam.db import get_engine

    with get_engine(url).connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


PLAIN_SCAN = text("""
    SELECT d.id, d.forfaller FROM deadline d JOIN insats i ON i.id = d.insats_id
    WHERE d.tillstand = 'oppen' AND d.bevakas = 1 AND d.forfaller <= :horizon
      AND i.tillstand IN ('beviljad', 'pagaende', 'avslutad', 'slutredovisad')
    ORDER BY d.forfaller, d.id
""")


def scan(url: str) -> tuple[float, float, int]:
    regler = rules()
    horizon = AS_OF + timedelta(days=30)

    def engine() -> None:
        with read_only(url) as session:
            engine.result = scan_due(session, regler, as_of=AS_OF)

    def plain() -> None:
        with read_only(url) as session:
            plain.result = session.execute(PLAIN_SCAN, {"horizon": horizon}).all()

    engine_time, plain_time = median_time(engine), median_time(plain)
    return engine_time, plain_time, len(engine.result)


def calendar(url: str, repeat: int = 3) -> tuple[float, int]:
    """The kansli's calendar built whole."""

    def build() -> None:
        with read_only(url) as session:
            build.result = kansli_calendar(session, rules())

    return median_time(build, repeat), len(build.result)


def served(url: str, label: str) -> dict[str, float]:
    """`finsam serve` over HTTP: one insats's feed, and the kansli's whole feed cold (built on the first request
    after a start or a change), warm (kept) and conditional (304); then a deadline changes and the next request
    must build it anew."""
    import uvicorn

    from finsam.domain.model import Deadline
    from finsam.web import create_app
    from smtp_servers import free_port

    with unit_of_work(url, kontext(AS_OF)) as session:
        insats = session.scalar(select(Insats).limit(1))
        _row, token = create_token(session, kontext(AS_OF), insats)
        _row, kansli = create_token(session, kontext(AS_OF), None)
    app = create_app(url, rules())
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    figures = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=None) as client:
            client.get(f"/kalender/{token}.ics")
            figures["served_feed_latency_s"] = median_time(lambda: client.get(f"/kalender/{token}.ics").raise_for_status(), 20)

            def get(headers: dict[str, str] | None = None, cpu_as: str | None = None) -> tuple[float, httpx.Response]:
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(f"/kalender/{kansli}.ics", headers=headers)
                if cpu_as:  # the server runs in this process: its CPU time, what the wall time is on idle cores
                    figures[f"feed_kansli_{label}_{cpu_as}_cpu_s"] = time.process_time() - start_cpu
                return time.perf_counter() - start, response

            builds = app.state.feeds.builds
            figures[f"feed_kansli_{label}_cold_s"], first = get(cpu_as="cold")
            check(first.status_code == 200 and app.state.feeds.builds == builds + 1, "the kansli feed was not built")
            warm = [get() for _ in range(REPEAT)]
            check(all(r.content == first.content and r.headers["etag"] == first.headers["etag"] for _, r in warm)
                  and app.state.feeds.builds == builds + 1, "the kept kansli feed changed, or was built again")
            figures[f"feed_kansli_{label}_warm_s"] = statistics.median(t for t, _ in warm)
            conditional = [get({"If-None-Match": first.headers["etag"]}) for _ in range(REPEAT)]
            check(all(r.status_code == 304 for _, r in conditional), "a matching If-None-Match was not answered 304")
            figures[f"feed_kansli_{label}_304_s"] = statistics.median(t for t, _ in conditional)
            with unit_of_work(url, kontext(AS_OF)) as session:
                deadline = session.scalar(select(Deadline).order_by(Deadline.id).limit(1))
                deadline.forfaller += timedelta(days=7)
            figures[f"feed_kansli_{label}_after_change_s"], changed = get({"If-None-Match": first.headers["etag"]},
                                                                         cpu_as="after_change")
            check(changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]
                  and app.state.feeds.builds == builds + 2, "a changed deadline did not change the kansli feed")
            figures[f"feed_kansli_{label}_bytes"] = len(first.content)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return figures


def import_csv(n: int, rounds: int) -> dict[str, float]:
    """`finsam import insatser` of n insatser (about six deadlines each) into an empty database: the service, in
    one transaction, the median of `rounds` runs, each on a fresh database."""
    from finsam.domain.model import Deadline, Handelse
    from finsam.services.import_insatser import import_insatser

    path = WORK / f"insatser{n}.csv"
    insatser_csv(path, n, seed=n, as_of=AS_OF)
    regler = rules()
    times, cpu = [], []
    for _ in range(rounds):
        url = fresh_db(f"import{n}")
        start, start_cpu = time.perf_counter(), time.process_time()
        with unit_of_work(url, kontext(AS_OF)) as session:
            result = import_insatser(session, kontext(AS_OF), path, regler, as_of=AS_OF)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        with read_only(url) as session:
            stored = [session.scalar(select(func.count()).select_from(m)) for m in (Insats, Deadline, Handelse)]
        check(result.nya == n and stored[:2] == [n, result.deadlines.skapade] and stored[2] > stored[1],
              f"import of {n}: {result}, stored (insatser, deadlines, audit rows) {stored}")
        drop_db(url)
    label = size_label(n)
    # The CPU time the process spent: what the wall time is when the machine's cores are not shared.
    return {f"import_{label}_s": statistics.median(times), f"import_{label}_cpu_s": statistics.median(cpu),
            f"import_{label}_deadlines": result.deadlines.skapade}


def reminders_due(url: str, regler, n: int) -> None:
    """A population where exactly n deadlines, one per insats, have a ladder step today (fore-14),
    and nothing else is chased; checked with a plain query and with the engine's own scan."""
    from finsam.domain.model import Deadline

    with unit_of_work(url, kontext(AS_OF)) as session:
        populate(session, regler, n + n // 5, seed=7, as_of=AS_OF)
    # A fresh session: a bulk UPDATE bypasses the identity map, so deadlines still loaded from `populate`
    # (kept alive by reference cycles until the garbage collector runs) would keep bevakas=True in memory,
    # and setting it to True again would write nothing. That left 88 of 1,000 unchased (912 queued).
    with unit_of_work(url, kontext(AS_OF)) as session:
        session.execute(Deadline.__table__.update().values(bevakas=False))
        chosen = 0
        for insats in session.scalars(select(Insats).order_by(Insats.id)):
            if chosen == n:
                break
            if not insats.deadlines or insats.slut is None:
                # An open-ended insats has its schedule re-planned by the daily run, which would give this
                # deadline (moved here earlier than its rule) back its rule's date.
                continue
            first = min(insats.deadlines, key=lambda d: (d.forfaller, d.id))
            first.forfaller, first.bevakas, first.tillstand = AS_OF + timedelta(days=14), True, first.tillstand.OPPEN
            insats.tillstand = insats.tillstand.PAGAENDE
            chosen += 1
        check(chosen == n, f"only {chosen} insatser with deadlines for {n} reminders")
    with read_only(url) as session:
        due_day = (AS_OF + timedelta(days=14)).isoformat()
        chased = session.execute(text("SELECT count(*), min(forfaller), max(forfaller) FROM deadline WHERE bevakas = 1")).one()
        check(tuple(chased) == (n, due_day, due_day), f"{n} deadlines chased, all due {due_day}: {tuple(chased)}")
        due = scan_due(session, regler, as_of=AS_OF)
        check(len(due) == n and {step.key for step in due.values()} == {"fore-14"},
              f"{n} due at fore-14 by the engine's scan: {len(due)}, {sorted({s.key for s in due.values()})}")
    checkpoint(url)


def copy_db(template: str, name: str) -> str:
    """A fresh copy of a prepared (checkpointed) database, so every run starts from the same state."""
    path = WORK / f"{name}.db"
    drop_db(f"sqlite:///{path}")
    shutil.copyfile(template.removeprefix("sqlite:///"), path)
    return f"sqlite:///{path}"


def drop_db(url: str) -> None:
    get_engine(url).dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)


def received(server, expected: int, what: str) -> None:
    """The SMTP server got exactly `expected` messages since the last look; forgotten after counting."""
    with server.recorder.lock:
        got = len(server.recorder.received)
        server.recorder.received.clear()
    check(got == expected, f"{what}: the SMTP server received {got} messages, {expected} expected")


def delivery_regler():
    """The rules file without the weekly summary: the only messages are the ladder's reminders."""
    return rules().model_copy(update={"paminnelser": rules().paminnelser.model_copy(update={"veckosammanfattning": None})})


def prepare_reminders(n: int) -> str:
    url = fresh_db(f"delivery{n}")
    reminders_due(url, delivery_regler(), n)
    return url


def delivery(template: str, n: int, rounds: int, server) -> dict[str, float]:
    """n reminders end to end (render, outbox, SMTP, marked sent) by the engine, by the peer script and
    by a bare aiosmtplib loop sending the engine's messages; each the median of `rounds` runs on fresh copies."""
    regler = delivery_regler()
    mail = mail_context()
    mail = type(mail)(regler=regler, renderer=mail.renderer, sender=mail.sender)
    settings = Settings(smtp_host="127.0.0.1", smtp_port=server.port, mail_from="finsam@bench.example")
    engine_times, plan_times, send_times, peer_times, bare_times = [], [], [], [], []
    for round_ in range(rounds):
        # The engine: the daily run's ladder (plan) and delivery (send), as `finsam run daily` does.
        url = copy_db(template, f"delivery{n}-engine")
        start = time.perf_counter()
        with unit_of_work(url, kontext(AS_OF)) as session:
            ladder = plan_ladder(session, kontext(AS_OF), mail, as_of=AS_OF)
            check(len(ladder.queued) == n and not ladder.failed,
                  f"engine: {len(ladder.queued)} queued, {len(ladder.failed)} failed, {n} planned")
        planned = time.perf_counter()
        report = asyncio.run(deliver(url, SmtpTransport(settings), clock=lambda: kontext(AS_OF).nu, aktor="bench"))
        done = time.perf_counter()
        check(len(report.sent) == n, f"engine: {report.summary()}, {n} planned")
        received(server, n, "engine")
        engine_times.append(done - start)
        plan_times.append(planned - start)
        send_times.append(done - planned)
        with read_only(url) as session:
            messages = [(r.mottagare, r.kopia, r.meddelande) for r in session.scalars(select(Utskick))]
        drop_db(url)

        # The peer: a minimal script doing the same job over the same database and server.
        url = copy_db(template, f"delivery{n}-peer")
        peer.setup(url)
        start = time.perf_counter()
        sent = asyncio.run(peer.remind(url, regler, today=AS_OF, now=kontext(AS_OF).nu, sender="finsam@bench.example",
                                       host="127.0.0.1", port=server.port))
        peer_times.append(time.perf_counter() - start)
        check(sent == n, f"peer: {sent} sent, {n} planned")
        received(server, n, "peer")
        drop_db(url)

        # The wire alone: the engine's bytes over one connection.
        async def bare() -> None:
            async with aiosmtplib.SMTP(hostname="127.0.0.1", port=server.port, start_tls=False) as client:
                for to, cc, data in messages:
                    await client.sendmail("finsam@bench.example", [to, *cc], data)

        start = time.perf_counter()
        asyncio.run(bare())
        bare_times.append(time.perf_counter() - start)
        received(server, n, "bare loop")
    median = statistics.median
    figures = {
        f"delivery_{n}_s": median(engine_times),
        f"render_and_queue_{n}_s": median(plan_times),
        f"send_and_mark_{n}_s": median(send_times),
        f"peer_{n}_s": median(peer_times),
        f"bare_smtp_{n}_s": median(bare_times),
    }
    figures[f"peer_ratio_{n}"] = figures[f"delivery_{n}_s"] / figures[f"peer_{n}_s"]
    figures[f"delivery_ratio_{n}"] = figures[f"delivery_{n}_s"] / figures[f"bare_smtp_{n}_s"]
    figures[f"send_ratio_{n}"] = figures[f"send_and_mark_{n}_s"] / figures[f"bare_smtp_{n}_s"]
    return figures


# Runs the command given after the log file's name and prints its peak RSS (kB) and wall time. A child's
# ru_maxrss on Linux starts from the RSS of the process it was forked from, so the daily run is started
# from this small process and measured here (RUSAGE_CHILDREN), not from the benchmark's large one.
MEASURE = """
import json, resource, subprocess, sys, time
with open(sys.argv[1], "wb") as log:
    start = time.perf_counter()
    code = subprocess.run(sys.argv[2:], stdout=log, stderr=subprocess.STDOUT).returncode
    elapsed = time.perf_counter() - start
print(json.dumps({"code": code, "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "s": elapsed}))
"""


def run_daily_cli(url: str, server, label: str, *extra: str) -> dict:
    """`finsam run daily` in a subprocess against `url` and the benchmark's SMTP server, with the project's
    rules file; its peak RSS (kB), wall time (imports included) and output. Stops the benchmark if it fails."""
    env = {**os.environ, "FINSAM_DATABASE_URL": url, "FINSAM_SMTP_HOST": "127.0.0.1", "FINSAM_SMTP_PORT": str(server.port),
           "FINSAM_MAIL_FROM": "finsam@bench.example", "PYTHONPATH": str(HERE.parent)}
    log = WORK / f"run-daily-{label}.log"
    command = [sys.executable, "-m", "finsam", "run", "daily", "--as-of", AS_OF.isoformat(), *extra]
    measured = subprocess.run([sys.executable, "-c", MEASURE, str(log), *command], cwd=HERE.parent, env=env,
                              capture_output=True, text=True)
    check(measured.returncode == 0, f"measuring finsam run daily failed: {measured.stderr[-2000:]}")
    figures = json.loads(measured.stdout)
    figures["output"] = log.read_text(encoding="utf-8", errors="replace")
    check(figures["code"] == 0, f"finsam run daily ({label}) exited {figures['code']}; {log}:\n{figures['output'][-2000:]}")
    return figures


def daily_rss(template: str, n: int, server) -> tuple[float, float]:
    """`finsam run daily` against a copy of the database (AS_OF is a Monday: n reminders and the weekly summary).
    Returns its peak RSS in MB and its wall time (imports included)."""
    url = copy_db(template, f"rss{n}")
    figures = run_daily_cli(url, server, str(n))
    received(server, n + 1, f"finsam run daily ({n} reminders and the weekly summary)")
    drop_db(url)
    return figures["maxrss_kb"] / 1024, figures["s"]


def empty_day(template: str, label: str, server) -> dict[str, float]:
    """`finsam run daily` on a day whose work is done: the same day run again after its messages went out
    (every ladder step of the day queued, states moved, the week's summary sent), so the run scans every
    insats and finds nothing to do. Median of REPEAT runs, each a subprocess (imports included)."""
    from finsam.domain.enums import UtskickTillstand

    url = copy_db(template, f"empty{label}")
    first = run_daily_cli(url, server, f"{label}-first", "--skicka-inte")
    with unit_of_work(url, kontext(AS_OF)) as session:  # as if the day's messages went out
        session.execute(Utskick.__table__.update().values(tillstand=UtskickTillstand.SKICKAD.value, forsok=1))
        queued = session.scalar(select(func.count()).select_from(Utskick))
    check(f"{queued} nya meddelanden i utkorgen" in first["output"], f"the day's first run: {first['output'][-500:]}")
    checkpoint(url)
    runs = [run_daily_cli(url, server, f"{label}-empty") for _ in range(REPEAT)]
    check(all(f"{AS_OF.isoformat()}: 0 nya meddelanden i utkorgen" in r["output"] and "0 skickade" in r["output"]
              for r in runs), f"a day with nothing to do did something: {runs[-1]['output'][-500:]}")
    received(server, 0, "a day with nothing to do")
    drop_db(url)
    return {f"empty_day_{label}_s": statistics.median(r["s"] for r in runs),
            f"empty_day_{label}_peak_rss_mb": max(r["maxrss_kb"] for r in runs) / 1024,
            f"empty_day_{label}_first_run_queued": queued}


PARTS = ("import", "feed", "empty")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes, results-smoke.json")
    parser.add_argument("--only", choices=PARTS, nargs="+",
                        help="only these figures (the feed's needs the large population), updated in the results file")
    args = parser.parse_args(argv)
    smoke = args.smoke
    sizes = SMOKE if smoke else FULL
    if args.only:
        return only(sizes, smoke, set(args.only))
    from smtp_servers import smtp_server

    global WORK
    if smoke:
        WORK = WORK / "smoke"  # its own files, beside a full run's

    began = time.perf_counter()
    WORK.mkdir(parents=True, exist_ok=True)
    small, large = size_label(sizes.small), size_label(sizes.large)
    results: dict[str, float | int | str] = machine()
    url_small, results[f"materialise_{small}_s"] = materialise(sizes.small)
    url_large, results[f"materialise_{large}_s"] = materialise(sizes.large)
    results[f"scan_{small}_s"], _, _ = scan(url_small)
    results[f"scan_{large}_s"], results[f"plain_query_{large}_s"], results[f"due_rows_{large}"] = scan(url_large)
    results["scan_ratio"] = results[f"scan_{large}_s"] / results[f"plain_query_{large}_s"]
    results[f"calendar_{small}_s"], results[f"calendar_{small}_bytes"] = calendar(url_small, sizes.calendar_repeat)
    results[f"calendar_{large}_s"], results[f"calendar_{large}_bytes"] = calendar(url_large, sizes.calendar_repeat)
    results.update(served(url_large, large))
    results.update(import_csv(sizes.small, sizes.import_rounds))
    with smtp_server() as server:
        results.update(empty_day(url_large, large, server))
    growth = {
        "materialise": results[f"materialise_{large}_s"] / results[f"materialise_{small}_s"],
        "scan": results[f"scan_{large}_s"] / results[f"scan_{small}_s"],
        "calendar": results[f"calendar_{large}_s"] / results[f"calendar_{small}_s"],
    }
    results.update({f"growth_{k}": v for k, v in growth.items()})
    results["growth_ratio"] = max(growth.values())
    templates = {n: prepare_reminders(n) for n in sorted({*sizes.reminders, *sizes.rss})}
    with smtp_server() as server:
        for n in sizes.reminders:
            results.update(delivery(templates[n], n, sizes.rounds, server))
        for n in sizes.rss:
            results[f"run_daily_peak_rss_{n}_mb"], results[f"run_daily_cli_{n}_s"] = daily_rss(templates[n], n, server)
    results["bench_process_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results["bench_wall_s"] = time.perf_counter() - began
    results["load_average_at_end"] = round(os.getloadavg()[0], 2)
    sizes.results.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    report(results, sizes, smoke)
    return 0


def only(sizes: Sizes, smoke: bool, parts: set[str]) -> int:
    """Some figures, at the run's sizes, written over the same figures in the results file (the rest kept)."""
    global WORK
    if smoke:
        WORK = WORK / "smoke"
    WORK.mkdir(parents=True, exist_ok=True)
    results: dict[str, float | int | str] = machine()
    if "import" in parts:
        results.update(import_csv(sizes.small, sizes.import_rounds))
    if parts & {"feed", "empty"}:
        url_large, _ = materialise(sizes.large)
    if "feed" in parts:
        results.update(served(url_large, size_label(sizes.large)))
    if "empty" in parts:
        from smtp_servers import smtp_server

        with smtp_server() as server:
            results.update(empty_day(url_large, size_label(sizes.large), server))
    kept = json.loads(sizes.results.read_text(encoding="utf-8")) if sizes.results.exists() else {}
    sizes.results.write_text(json.dumps({**kept, **results}, indent=2) + "\n", encoding="utf-8")
    report(results, sizes, smoke)
    return 0


def report(results: dict[str, float | int], sizes: Sizes, smoke: bool) -> None:
    # Goals from the issue, reported, never checked: timings on a shared machine are not a pass/fail.
    # The goals are for the full sizes; the smoke run's small figures are not held against them.
    targets = {} if smoke else {"scan_ratio": 3.0, "growth_ratio": 10.0, "delivery_ratio_1000": 1.5,
                                "peer_ratio_1000": 1.3, "peer_ratio_5000": 1.3, "import_1k_s": 2.0,
                                "feed_kansli_10k_warm_s": 1.0, "empty_day_10k_s": 2.0,
                                "run_daily_peak_rss_1000_mb": 150.0, "run_daily_peak_rss_10000_mb": 150.0}
    width = max(len(k) for k in results)
    print(f"{'mått'.ljust(width)}  värde")
    for key, value in results.items():
        mark = ""
        if key in targets:
            mark = "  ok" if value <= targets[key] else f"  MÅL EJ NÅTT (≤ {targets[key]})"
        print(f"{key.ljust(width)}  {value:.4f}{mark}" if isinstance(value, float) else f"{key.ljust(width)}  {value}{mark}")
    print(f"Sparat i {sizes.results}")


if __name__ == "__main__":
    sys.exit(main())
