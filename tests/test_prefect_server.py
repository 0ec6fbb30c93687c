"""Against a real `prefect server start`: deploy from prefect.yaml, run through a process worker,
artifacts, the failure automation, and the meeting sync creating, moving and cancelling runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from cli import PROJECT, finsam
from prefect_tools import eml_subjects
from smtp_servers import free_port

BIN = Path(sys.executable).parent
STOCKHOLM = ZoneInfo("Europe/Stockholm")


class PrefectServer:
    def __init__(self, home: Path, database_url: str | None = None):
        """database_url: the server's own database (postgresql+asyncpg://…); without it, SQLite in home."""
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.port}/api"
        self.env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": self.api,
                    "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PREFECT_LOGGING_LEVEL": "WARNING"}
        if database_url:
            self.env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = database_url
        self.log = (home / "server.log").open("w")
        self.process = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port",
                                         str(self.port)], env=self.env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.api}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert self.process.poll() is None, "the Prefect server exited"
            time.sleep(0.5)
        raise AssertionError("the Prefect server did not start")

    def cli(self, *args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
        result = subprocess.run([str(BIN / "prefect"), *args], env={**self.env, **(env or {})}, cwd=PROJECT,
                                capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def _call(self, method: str, path: str, body: dict | None = None) -> dict | list:
        # The server answers 503 while its own SQLite database is busy; Prefect's client retries
        # those, and so do we.
        for attempt in range(8):
            response = httpx.request(method, f"{self.api}{path}", json=body, timeout=30)
            if response.status_code != 503:
                break
            time.sleep(0.5 * 2**attempt)
        assert response.status_code < 300, response.text
        return response.json()

    def post(self, path: str, body: dict) -> dict | list:
        return self._call("POST", path, body)

    def get(self, path: str) -> dict | list:
        return self._call("GET", path)

    def deployment(self, name: str) -> dict:
        return self.get(f"/deployments/name/{name}/{name}")

    def run(self, name: str, parameters: dict, finsam_env: dict) -> dict:
        """Create a run of a deployment and let a process worker run it; the finished run."""
        run = self.post(f"/deployments/{self.deployment(name)['id']}/create_flow_run", {"parameters": parameters})
        self.work(finsam_env)
        return self.wait_for(run["id"])

    def work(self, finsam_env: dict) -> None:
        self.cli("worker", "start", "--pool", "finsam", "--run-once", env=finsam_env)

    def wait_for(self, run_id: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            run = self.get(f"/flow_runs/{run_id}")
            if run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") or time.monotonic() > deadline:
                return run
            time.sleep(0.5)

    def runs(self, **flow_run_filter) -> list[dict]:
        return self.post("/flow_runs/filter", {"flow_runs": flow_run_filter, "limit": 200})

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def _started(server: PrefectServer) -> PrefectServer:
    """The server up, with the finsam work pool and every deployment in prefect.yaml."""
    server.wait()
    server.cli("work-pool", "create", "finsam", "--type", "process")
    server.cli("--no-prompt", "deploy", "--all")
    return server


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    server = PrefectServer(tmp_path_factory.mktemp("prefect-home"))
    try:
        yield _started(server)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def prefect_server_on_postgres(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[PrefectServer]:
    """A second server keeping its own state in a fresh PostgreSQL database, as a production install would;
    without PostgreSQL (or asyncpg, Prefect's driver for it) the SQLite-backed server stands in."""
    import importlib.util
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from conftest import POSTGRES_URL, REQUIRE_POSTGRES, _postgres_available

    problem = _postgres_available() or (None if importlib.util.find_spec("asyncpg") else "asyncpg is not installed")
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required (FINSAM_TEST_REQUIRE_POSTGRES=1) for the Prefect server: {problem}")
        yield request.getfixturevalue("prefect_server")
        return
    name = f"prefect_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)
    server = PrefectServer(tmp_path_factory.mktemp("prefect-home-postgres"), url)
    try:
        yield _started(server)
    finally:
        server.stop()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def finsam_env(db_url: str, tmp_path: Path, insatser_csv: Path) -> dict:
    finsam(db_url, "import", "meetings", str(PROJECT / "data" / "sammantraden-2021-2022.yaml"))
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    return {"FINSAM_DATABASE_URL": db_url, "FINSAM_MAIL_FOLDER": str(tmp_path / "utskick"), "FINSAM_SEND_RETRY_DELAYS": "[0]"}


def test_every_deployment_from_prefect_yaml(prefect_server: PrefectServer, db_url: str) -> None:
    names = {d["name"] for d in prefect_server.post("/deployments/filter", {"limit": 100})}
    assert names >= {"daglig-bevakning", "skicka-utskick", "synka-motesplan", "infor-beredningsgrupp", "infor-styrelsemote",
                     "efter-styrelsemote", "registrera-ansokan", "registrera-yttrande", "registrera-beslut",
                     "registrera-rapport", "bevilja-anstand", "registrera-forlangning", "registrera-komplettering", "andra-mote", "granska-regler", "arsredovisning",
                     "registrera-tillaggsanslag", "registrera-avbrott", "registrera-aterbetalning", "registrera-utbetalning", "ekonomisk-uppfoljning", "meddela-fel",
                     "registrera-inkommen-rapport", "registrera-rapport-ur-ko"}
    # The kansli's forms apart from the jobs that run by themselves: the Deployments page filters by tag.
    assert "kansliet" in prefect_server.deployment("registrera-beslut")["tags"]
    assert "automatiskt" in prefect_server.deployment("daglig-bevakning")["tags"]
    daily = prefect_server.deployment("daglig-bevakning")
    [schedule] = daily["schedules"]
    assert schedule["schedule"]["cron"] == "30 6 * * 1-5" and schedule["schedule"]["timezone"] == "Europe/Stockholm"
    assert daily["work_pool_name"] == "finsam"
    form = prefect_server.deployment("registrera-beslut")["parameter_openapi_schema"]
    beslut = form["definitions"]["BeslutFormular"]["properties"]
    assert beslut["utfall"]["title"] == "Beslut" and beslut["utfall"]["enum"] == ["beviljas", "avslås", "återremitteras", "bordläggs"]
    # In the order declared (the UI sorts by position; PostgreSQL's jsonb would otherwise sort by name).
    # Optional fields are plain inputs (no "None" type switch), with no null default for the UI to send; a date is
    # plain text (Prefect's date field reads typed dates month first), its format said in the description.
    assert beslut["slut"] == {"title": "Insatstid till", "type": "string", "maxLength": 30, "position": 5,
                              "description": "Tomt: tills vidare. Skriv ÅÅÅÅ-MM-DD, t.ex. 2026-12-17 (eller 17/12/2026, dag först)."}
    assert sorted(beslut, key=lambda k: beslut[k]["position"]) == [
        "insats", "datum", "utfall", "beviljade_medel_kr", "start", "slut", "belopp_per_ar", "anteckning",
        "extra_sammantrade", "registreras_av"]
    # Every field listed as required (no "(Optional)" in the UI); the run checks the form, not the server.
    assert form["definitions"]["BeslutFormular"]["required"] == sorted(beslut, key=lambda k: beslut[k]["position"])
    assert prefect_server.deployment("registrera-beslut")["enforce_parameter_schema"] is False
    # A grant stated per year: a list of (år, belopp), each titled in Swedish.
    assert beslut["belopp_per_ar"]["title"] == "Belopp per år" and beslut["belopp_per_ar"]["type"] == "array"
    per_year = form["definitions"]["ArBelopp"]
    assert (per_year["title"], per_year["properties"]["ar"]["title"], per_year["properties"]["belopp_kr"]["title"]) == (
        "Belopp för ett år", "År", "Belopp (kr)")
    automations = prefect_server.post("/automations/filter", {})
    assert any("meddela-fel" in a["name"] for a in automations)


def test_a_deployment_run_through_a_worker_leaves_its_artifacts(prefect_server: PrefectServer, finsam_env: dict) -> None:
    run = prefect_server.run("daglig-bevakning", {"datum": "2021-09-01"}, finsam_env)
    assert run["state"]["type"] == "COMPLETED", run["state"]
    artifacts = prefect_server.post("/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [run["id"]]}}})
    keys = {a["key"] for a in artifacts}
    assert {"rapporter-inom-30-dagar", "forsenade-rapporter", "daglig-bevakning"} <= keys
    assert len(eml_subjects(Path(finsam_env["FINSAM_MAIL_FOLDER"]))) == 6
    assert any(t.startswith("insats:") for t in run["tags"])


def test_a_failed_run_notifies_the_kansli(prefect_server: PrefectServer, finsam_env: dict) -> None:
    # A form naming an insats that does not exist is refused, not an alarm: no failure e-mail for it.
    refused = prefect_server.run("registrera-beslut", {"beslut": {"insats": "SFG 99-9.99", "datum": "2021-11-18",
                                                                  "utfall": "avslås", "registreras_av": "Karin Lund",
                                                                  # an emptied text field, as a form may send it
                                                                  "anteckning": ""}},
                             finsam_env)
    assert (refused["state"]["type"], refused["state"]["name"]) == ("COMPLETED", "Avvisad")
    assert refused["state"]["message"].startswith("Ingen insats matchar 'SFG 99-9.99'.")
    # A real failure: the database does not answer.
    failed = prefect_server.run("registrera-beslut", {"beslut": {"insats": "SFG 21-6.58", "datum": "2021-11-18",
                                                                 "utfall": "avslås", "registreras_av": "Karin Lund"}},
                                {**finsam_env, "FINSAM_DATABASE_URL": "postgresql+psycopg://finsam@127.0.0.1:1/finns_inte"})
    assert failed["state"]["type"] == "FAILED"
    deadline = time.monotonic() + 60
    notices: list[dict] = []
    while not notices and time.monotonic() < deadline:  # the automation reacts to the Failed event
        time.sleep(1)
        notices = [r for r in prefect_server.runs() if str(r["parameters"].get("flow_run_id", "")).endswith(failed["id"])]
    assert notices, "the automation created no meddela-fel run"
    assert not [r for r in prefect_server.runs() if str(r["parameters"].get("flow_run_id", "")).endswith(refused["id"])]
    prefect_server.work(finsam_env)
    done = prefect_server.wait_for(notices[0]["id"])
    assert done["state"]["type"] == "COMPLETED", done["state"]
    assert "Fel i bevakningen: registrera-beslut misslyckades" in eml_subjects(Path(finsam_env["FINSAM_MAIL_FOLDER"]))


def _scheduled(prefect_server: PrefectServer, db_url: str) -> dict[str, dict]:
    """This database's scheduled meeting runs (the server is shared by the SQLite and PostgreSQL runs)."""
    import hashlib

    from sqlalchemy.engine import make_url

    instance = hashlib.sha256(make_url(db_url).render_as_string(hide_password=True).encode()).hexdigest()[:10]
    runs = prefect_server.runs(tags={"all_": ["finsam-mote", f"finsam-db:{instance}"]}, state={"type": {"any_": ["SCHEDULED"]}})
    return {r["name"]: r for r in runs}


def test_meeting_sync_creates_moves_and_cancels_runs(prefect_server: PrefectServer, finsam_env: dict, db_url: str, tmp_path: Path) -> None:
    today = date.today()
    styrelse, moved_to, beredning = today + timedelta(days=40), today + timedelta(days=47), today + timedelta(days=20)
    plan = tmp_path / "plan.csv"
    plan.write_text(f"typ,datum,tid,plats\nstyrelse,{styrelse},09:30,Gävle\nberedningsgrupp,{beredning},09:00,Gävle\n",
                    encoding="utf-8")
    finsam(db_url, "import", "meetings", str(plan))
    assert prefect_server.run("synka-motesplan", {}, finsam_env)["state"]["type"] == "COMPLETED"
    runs = _scheduled(prefect_server, db_url)
    assert set(runs) == {f"Inför styrelsemöte {styrelse}", f"Efter styrelsemöte {styrelse}", f"Inför beredningsgruppsmöte {beredning}"}
    infor = runs[f"Inför styrelsemöte {styrelse}"]
    when = datetime.fromisoformat(infor["next_scheduled_start_time"]).astimezone(STOCKHOLM)
    assert (when.date(), when.hour, when.minute) == (styrelse - timedelta(days=7), 7, 0)  # 07:00 Stockholm, a week before
    assert infor["deployment_id"] == prefect_server.deployment("infor-styrelsemote")["id"]
    # Syncing again changes nothing.
    assert prefect_server.run("synka-motesplan", {}, finsam_env)["state"]["type"] == "COMPLETED"
    assert {n: r["id"] for n, r in _scheduled(prefect_server, db_url).items()} == {n: r["id"] for n, r in runs.items()}
    # The styrelse meeting moves a week, the beredningsgrupp's is cancelled.
    plan.write_text(f"typ,datum,tid,plats,flyttad_fran,installt\nstyrelse,{moved_to},09:30,Gävle,{styrelse},nej\n"
                    f"beredningsgrupp,{beredning},09:00,Gävle,,ja\n", encoding="utf-8")
    finsam(db_url, "import", "meetings", str(plan))
    assert prefect_server.run("synka-motesplan", {}, finsam_env)["state"]["type"] == "COMPLETED"
    after = _scheduled(prefect_server, db_url)
    assert set(after) == {f"Inför styrelsemöte {moved_to}", f"Efter styrelsemöte {moved_to}"}
    for name, old in runs.items():
        assert prefect_server.get(f"/flow_runs/{old['id']}")["state"]["type"] == "CANCELLED", name


def _browser_problem() -> str | None:
    import shutil

    if shutil.which("node") is None:
        return "node is not installed"
    if not (PROJECT / "tests" / "js" / "node_modules" / "playwright-core").exists():
        return "playwright-core is not installed (make install runs npm ci in tests/js)"
    if not Path(os.environ.get("CHROMIUM", "/usr/bin/chromium")).exists():
        return "Chromium is not installed (Debian's package chromium)"
    return None


def _require_browser() -> None:
    """Skip without node, playwright-core or Chromium; fail instead under FINSAM_TEST_REQUIRE_BROWSER=1."""
    problem = _browser_problem()
    if problem:
        if os.environ.get("FINSAM_TEST_REQUIRE_BROWSER") == "1":
            pytest.fail(f"the browser test is required (FINSAM_TEST_REQUIRE_BROWSER=1): {problem}")
        pytest.skip(f"browser test skipped: {problem}")


def _keep_screenshot(screenshot: Path, name: str) -> None:
    keep = os.environ.get("FINSAM_TEST_SCREENSHOTS")
    if keep:  # e.g. for a person to look at, or for the README
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / name).write_bytes(screenshot.read_bytes())


def _screenshot(url: str, text: str, output: Path, height: int = 1000) -> dict:
    """The page at url once text shows, saved to output by headless Chromium; its title and visible text."""
    result = subprocess.run(["node", str(PROJECT / "tests" / "js" / "screenshot.mjs"), url, text, str(output), str(height)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert output.stat().st_size > 20_000 and output.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return json.loads(result.stdout)


def test_the_underlag_in_the_prefect_ui(prefect_server: PrefectServer, finsam_env: dict, db_url: str, tmp_path: Path) -> None:
    """Headless Chromium opens the UI's page for the underlag artifact and saves a screenshot."""
    _require_browser()
    coming = date.today() + timedelta(days=6)
    plan = tmp_path / "plan.csv"
    plan.write_text(f"typ,datum,tid,plats\nstyrelse,{coming},09:30,Gävle\n", encoding="utf-8")
    finsam(db_url, "import", "meetings", str(plan))
    meetings = json.loads(finsam(db_url, "moten", "--json", "--alla").stdout)
    mote = next(m for m in meetings if m["datum"] == coming.isoformat())
    run = prefect_server.run("infor-styrelsemote", {"mote": coming.strftime("%d/%m/%Y")}, finsam_env)
    assert run["state"]["type"] == "COMPLETED", run["state"]
    [artifact] = prefect_server.post("/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [run["id"]]}}})
    url = f"http://127.0.0.1:{prefect_server.port}/artifacts/artifact/{artifact['id']}"
    screenshot = tmp_path / "underlag.png"
    page = _screenshot(url, "Ansökningar för beslut", screenshot)
    assert "Underlag till styrelsemöte" in page["text"] and "Försenade rapporter" in page["text"]
    _keep_screenshot(screenshot, f"underlag-{db_url.split(':')[0]}.png")


def test_a_registration_through_the_deployment_changes_the_database(prefect_server: PrefectServer, finsam_env: dict, db_url: str) -> None:
    """What the UI's run form submits: the deployment's parameters, checked against its schema, run by the worker."""
    ansokan = {"ansökan": {"namn": "Arbetsträning Sandviken", "inriktning": "individ", "huvudman": ["Sandvikens kommun"],
                           "ankomstdatum": "2021-10-04", "kontaktperson": "Karin Lund",
                           "kontakt_epost": "karin.lund@sandviken.example", "diarienummer": "SFG 21-10.3",
                           "registreras_av": "Karin Lund"}}
    assert prefect_server.run("registrera-ansokan", ansokan, finsam_env)["state"]["type"] == "COMPLETED"
    yttrande = {"yttrande": {"insats": "SFG 21-10.3", "datum": "2021-11-03", "bedomning": "tillstyrks",
                             "registreras_av": "Karin Lund"}}
    assert prefect_server.run("registrera-yttrande", yttrande, finsam_env)["state"]["type"] == "COMPLETED"
    beslut = {"beslut": {"insats": "SFG 21-10.3", "datum": "2021-11-18", "utfall": "beviljas", "beviljade_medel_kr": 650000,
                         "start": "2022-01-01", "slut": "2023-06-30", "registreras_av": "Karin Lund"}}
    run = prefect_server.run("registrera-beslut", beslut, finsam_env)
    assert run["state"]["type"] == "COMPLETED", run["state"]
    assert "insats:SFG 21-10.3" in run["tags"]
    rows = json.loads(finsam(db_url, "deadlines", "--insats", "SFG 21-10.3", "--json").stdout)
    assert [(r["kind"], r["period_end"]) for r in rows] == [
        ("delrapport", "2022-06-30"), ("delrapport", "2022-12-31"), ("slutrapport", "2023-06-30")]
    assert "Beslut: Arbetsträning Sandviken har beviljats" in eml_subjects(Path(finsam_env["FINSAM_MAIL_FOLDER"]))


class Forms:
    """The kansli at the Prefect UI (V2, Prefect's default): a deployment's form filled in by its labels and
    submitted in headless Chromium, then run by the worker."""

    def __init__(self, server: PrefectServer, env: dict, folder: Path) -> None:
        self.server, self.env, self.folder, self.runs = server, env, folder, []

    def submit(self, deployment: str, values: dict, shot: str | None = None) -> tuple[dict, dict]:
        values_file = self.folder / f"{deployment}-{len(self.runs)}.json"
        values_file.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
        screenshot = self.folder / (shot or f"{deployment}-{len(self.runs)}.png")
        url = f"http://127.0.0.1:{self.server.port}/v2/deployments/deployment/{self.server.deployment(deployment)['id']}/run"
        result = subprocess.run(["node", str(PROJECT / "tests" / "js" / "runform.mjs"), url, str(values_file), str(screenshot)],
                                capture_output=True, text=True, timeout=240)
        assert result.returncode == 0, f"{deployment}: {result.stderr}"
        form = json.loads(result.stdout)
        self.server.work({**self.env, "PREFECT_LOGGING_LEVEL": "INFO"})  # the run's Swedish log lines, as in production
        run = self.server.wait_for(form["flowRunId"])
        self.runs.append(run)
        if shot:
            _keep_screenshot(screenshot, shot)
        return form, run

    def errors_logged(self, run: dict) -> list[str]:
        return [log["message"] for log in self.server.post("/logs/filter", {
            "logs": {"flow_run_id": {"any_": [run["id"]]}, "level": {"ge_": 40}}, "limit": 50})]


def saved(db_url: str, sql: str) -> list[tuple]:
    from sqlalchemy import text

    from finsam.db import read_only

    with read_only(db_url) as session:
        # SQLite gives a raw query's dates back as text, PostgreSQL as dates: both compared as dates.
        return [tuple(date.fromisoformat(v) if isinstance(v, str) and len(v) == 10 and v[4:5] == "-" else v for v in row)
                for row in session.execute(text(sql))]


def test_every_kansli_form_in_the_browser(prefect_server_on_postgres: PrefectServer, finsam_env: dict, db_url: str,
                                         tmp_path: Path) -> None:
    """As the kansli does it, in the UI it opens: every registration form filled in by its labels (dates typed both
    ISO and day first, list lines left empty, a misspelt insats, a beslut on no meeting day), run by the worker on a
    PostgreSQL-backed server: each run's end and name, no ERROR in a refusal's log, no failed run at all, and the
    dates saved in the database as meant."""
    _require_browser()
    imports = tmp_path / "import"
    imports.mkdir()
    (imports / "moten-2027.csv").write_text("typ,datum\nstyrelse,2027-02-25\nberedningsgrupp,2027-02-03\n", encoding="utf-8")
    forms = Forms(prefect_server_on_postgres, {**finsam_env, "FINSAM_IMPORT_FOLDER": str(imports)}, tmp_path)

    def done(deployment: str, values: dict, name: str, shot: str | None = None) -> dict:
        form, run = forms.submit(deployment, values, shot)
        assert (run["state"]["type"], run["state"]["name"], run["name"]) == ("COMPLETED", "Completed", name), (
            run["state"]["message"], run["parameters"])
        assert form["optional"] == []  # no "(Optional)": what may be left empty, the form's description says
        return run

    def avvisad(deployment: str, values: dict, reason: str) -> dict:
        _form, run = forms.submit(deployment, values)
        assert (run["state"]["type"], run["state"]["name"]) == ("COMPLETED", "Avvisad"), run["state"]
        assert run["state"]["message"].startswith(reason), run["state"]["message"]
        assert forms.errors_logged(run) == []  # a refusal is no error: no ERROR line, no traceback
        return run

    # The meeting plan from the import folder, by the file's name.
    avvisad("importera", {"Fil": "moten-2026.csv", "Innehåll": {"select": "mötesplan"}, "Registreras av": "Karin Lund"},
            f"Filen moten-2026.csv finns inte i importmappen ({imports}). Där finns: moten-2027.csv.")
    done("importera", {"Fil": "moten-2027.csv", "Innehåll": {"select": "mötesplan"}, "Registreras av": "Karin Lund"},
         "Import – moten-2027.csv")
    # An ansökan, its dates typed day first, an empty line left under Huvudman and Samverkansparter.
    run = done("registrera-ansokan", {
        "Insatsens namn": "Vägen in", "Inriktning": {"select": "individ"}, "Huvudman": {"list": ["Gävle kommun", ""]},
        "Samverkansparter": {"list": [""]}, "Ankomstdatum": "04/10/2021", "Kontaktperson": "Ida Ek",
        "Kontaktpersonens e-post": "ida@vagen.example", "Sökt belopp (kr)": "650000", "Diarienummer": "SFG 21-10.9",
        "Registreras av": "Karin Lund"}, "Ansökan – Vägen in", "ansokan-formular.png")
    assert "insats:SFG 21-10.9" in run["tags"]
    done("registrera-yttrande", {"Insats": "SFG 21-10.9", "Datum": "2021-11-03", "Bedömning": {"select": "tillstyrks"},
                                 "Registreras av": "Karin Lund"}, "Yttrande – SFG 21-10.9, onsdag 3 november 2021")
    # A misspelt insats, and a beslut on a day the styrelse did not meet: refused, saying why.
    refused = avvisad("registrera-beslut", {"Insats": "SFG 21-10.8", "Datum": "18/11/2021", "Beslut": {"select": "avslås"},
                                            "Registreras av": "Karin Lund"}, "Ingen insats matchar 'SFG 21-10.8'.")
    assert not [t for t in refused["tags"] if t.startswith("insats:")]
    refused = avvisad("registrera-beslut", {"Insats": "SFG 21-10.9", "Datum": "17/11/2021", "Beslut": {"select": "avslås"},
                                            "Registreras av": "Karin Lund"},
                      "2021-11-17 är inget styrelsemöte i mötesplanen (närmast: 2021-09-23 och 2021-11-18).")
    assert "insats:SFG 21-10.9" in refused["tags"]  # refused, but about that insats
    form, run = forms.submit("registrera-beslut", {
        "Insats": "SFG 21-10.9", "Datum": "18/11/2021", "Beslut": {"select": "beviljas"}, "Beviljade medel (kr)": "650000",
        "Insatstid från": "2022-01-01", "Insatstid till": "31/12/2023", "Registreras av": "Karin Lund"},
        "beslut-formular.png")
    assert form["labels"] == ["Styrelsens beslut", "Insats", "Datum", "Beslut", "Beviljade medel (kr)", "Insatstid från", "Insatstid till",
                              "Belopp per år", "Anteckning", "Extra sammanträde", "Registreras av"]
    assert (run["state"]["type"], run["state"]["name"], run["name"]) == (
        "COMPLETED", "Completed", "Beslut – SFG 21-10.9, torsdag 18 november 2021")
    assert saved(db_url, "SELECT b.datum, b.utfall, i.start, i.slut FROM beslut b JOIN insats i ON i.id = b.insats_id "
                         "WHERE i.diarienummer = 'SFG 21-10.9'") == [(date(2021, 11, 18), "beviljas", date(2022, 1, 1),
                                                                       date(2023, 12, 31))]
    beslut_run = run
    done("registrera-rapport", {"Insats": "SFG 21-10.9", "Rapport": {"select": "delrapport"}, "Inkom": "2022-07-15",
                                "Registreras av": "Karin Lund"}, "Rapport – SFG 21-10.9, inkom fredag 15 juli 2022")
    done("bevilja-anstand", {"Insats": "SFG 21-10.9", "Rapport": "Delrapport 2", "Nytt sista datum": "30/04/2027",
                             "Skäl": "Ny insatsledare", "Beviljat av": "Förbundschefen", "Registreras av": "Karin Lund"},
         "Anstånd – SFG 21-10.9, Delrapport 2 till fredag 30 april 2027")
    done("registrera-forlangning", {"Insats": "SFG 21-10.9", "Nytt slutdatum": "2027-06-30", "Registreras av": "Karin Lund"},
         "Förlängning – SFG 21-10.9 till onsdag 30 juni 2027")
    done("registrera-utbetalning", {"Insats": "SFG 21-10.9", "Utbetald": "2022-01-20", "Utbetalt belopp (kr)": "325000",
                                    "Registreras av": "Karin Lund"}, "Utbetalning – SFG 21-10.9, torsdag 20 januari 2022")
    # A decision dated in the future is refused here as in every form.
    ahead = date.today() + timedelta(days=14)
    avvisad("registrera-tillaggsanslag", {"Insats": "SFG 21-10.9", "Tilläggsanslag (kr)": "50000", "År": "2027",
                                          "Beslutsdatum": ahead.isoformat(), "Registreras av": "Karin Lund"},
            f"Beslutet är daterat {ahead.isoformat()}, efter i dag ({date.today().isoformat()}); registrera det när "
            "mötet har hållits.")
    avvisad("registrera-aterbetalning", {"Insats": "SFG 21-10.9", "Betald": "2022-03-01", "Registreras av": "Karin Lund"},
            "Vägen in (SFG 21-10.9) har ingen öppen återbetalning")
    assert saved(db_url, "SELECT d.nr, d.forfaller FROM deadline d JOIN insats i ON i.id = d.insats_id WHERE "
                         "i.diarienummer = 'SFG 21-10.9' AND d.typ = 'delrapport' AND d.nr = 2") == [(2, date(2027, 4, 30))]
    assert saved(db_url, "SELECT u.datum, u.belopp_kr FROM utbetalning u JOIN insats i ON i.id = u.insats_id "
                         "WHERE i.diarienummer = 'SFG 21-10.9'") == [(date(2022, 1, 20), 325000)]
    # The rest of the kansli's forms, each filled in and run.
    avvisad("registrera-komplettering", {"Insats": "SFG 21-10.9", "Inkom": "10/11/2021", "Registreras av": "Karin Lund"},
            "Vägen in väntar inte på någon komplettering.")
    avvisad("registrera-rapport-ur-ko", {"Fil": "delrapport.pdf", "Insats": "SFG 21-10.9", "Registreras av": "Karin Lund"},
            "Ingen fil i kansliets kö heter 'delrapport.pdf'.")
    avvisad("godkann-rapport", {"Insats": "SFG 21-10.9", "Registreras av": "Karin Lund"},
            "Vägen in (SFG 21-10.9) har ingen ofullständig rapport att godkänna.")
    done("registrera-avbrott", {"Insats": "SFG 21-10.9", "Sista dag": "31/03/2027", "Registreras av": "Karin Lund"},
         "Avbrott – SFG 21-10.9, sista dag onsdag 31 mars 2027")
    done("andra-mote", {"Möte": {"select": "beredningsgrupp"}, "Datum": "2027-02-03", "Ändring": {"select": "flyttas"},
                        "Nytt datum": "10/02/2027", "Registreras av": "Karin Lund"},
         "Ändrat möte – beredningsgrupp onsdag 3 februari 2027")
    assert saved(db_url, "SELECT datum FROM sammantrade WHERE typ = 'beredningsgrupp' AND datum > '2027-01-01'") == [
        (date(2027, 2, 10),)]
    done("arsredovisning", {"År": "2022"}, "Bilaga 1 – 2022")
    done("ekonomisk-uppfoljning", {"År": "2022", "Period": {"select": "2 (maj–aug)"}}, "Ekonomi – 2022")
    # Not one failed run: the dashboard and the work pool count no refusal as a failure.
    assert [r["name"] for r in forms.runs if r["state"]["type"] in ("FAILED", "CRASHED")] == []
    # Where the kansli sees it afterwards: the run, and the insats's own page one click away.
    page = _screenshot(f"http://127.0.0.1:{forms.server.port}/v2/runs/flow-run/{beslut_run['id']}",
                       "Registrerat: beslut (beviljas)", tmp_path / "beslut-korning.png", 1500)
    assert "Beslut – SFG 21-10.9, torsdag 18 november 2021" in page["text"]
    _keep_screenshot(tmp_path / "beslut-korning.png", "beslut-korning.png")
    [insatssida] = forms.server.post("/artifacts/latest/filter", {"artifacts": {"key": {"any_": ["insats-sfg-21-10-9"]}}})
    page = _screenshot(f"http://127.0.0.1:{forms.server.port}/v2/artifacts/artifact/{insatssida['latest_id']}", "Pågående",
                       tmp_path / "insatssida.png", 1800)
    assert "ansökan beviljas" in page["text"]
    _keep_screenshot(tmp_path / "insatssida.png", "insatssida.png")
