"""The flows under prefect_test_harness: real Prefect runs against a temporary server, real database and mail."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from prefect import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey, FlowRunFilter, FlowRunFilterName
from sqlalchemy import select

from cli import PROJECT, finsam
from finsam.db import read_only
from finsam.domain.enums import Tillstand, UtskickTillstand
from finsam.domain.model import Insats, Sammantrade, Utskick
from finsam.settings import get_settings
from prefect_tools import eml_subjects, finsam_settings
from smtp_servers import Recorder, free_port, smtp_server

PLAN = PROJECT / "data" / "sammantraden-2021-2022.yaml"


@pytest.fixture
def loaded(db_url: str, tmp_path: Path, insatser_csv: Path, monkeypatch, harness):
    finsam(db_url, "import", "meetings", str(PLAN))
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    with finsam_settings(monkeypatch, database_url=db_url, mail_folder=str(tmp_path / "utskick"), send_retry_delays="[0, 0]"):
        yield db_url


def artifacts(key: str, flow_run_id=None) -> list:
    """Artifacts with a key, newest first (of one flow run, if given): the server is shared by the session."""
    from prefect.client.schemas.filters import ArtifactFilterFlowRunId
    from prefect.client.schemas.sorting import ArtifactSort

    artifact_filter = ArtifactFilter(key=ArtifactFilterKey(any_=[key]))
    if flow_run_id is not None:
        artifact_filter.flow_run_id = ArtifactFilterFlowRunId(any_=[flow_run_id])
    with get_client(sync_client=True) as client:
        return client.read_artifacts(artifact_filter=artifact_filter, sort=ArtifactSort.CREATED_DESC)


def run_log(flow_run_id, until: str | None = None) -> list[str]:
    """The messages the run, its tasks and its subflows (skicka-utskick) logged: the lines the kansli reads under Logs.
    Logs reach the server in batches: with `until`, wait (up to 20 s) for a line that starts so."""
    return [message for _level, message in run_log_records(flow_run_id, until)]


def run_log_records(flow_run_id, until: str | None = None) -> list[tuple[int, str]]:
    """The run's log lines (its tasks' and subflows' too) with their levels (30 WARNING, 40 ERROR)."""
    import time

    from prefect.client.schemas.filters import FlowRunFilterParentFlowRunId, LogFilter, LogFilterFlowRunId

    deadline = time.monotonic() + 20
    while True:
        with get_client(sync_client=True) as client:
            children = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[flow_run_id])))
            runs = [flow_run_id, *(run.id for run in children)]
            records = [(log.level, log.message)
                       for log in client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=runs)))]
        if until is None or any(m.startswith(until) for _, m in records) or time.monotonic() > deadline:
            return records
        time.sleep(0.5)


def run_named(name: str):
    with get_client(sync_client=True) as client:
        return client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[name])))


def test_daglig_bevakning_sends_reports_and_tags(loaded: str, tmp_path: Path) -> None:
    from flows.daglig_bevakning import daglig_bevakning

    state = daglig_bevakning(datum=date(2021, 9, 1), return_state=True)
    assert state.is_completed()
    result = state.result()
    assert result["koade"] == 6 and result["skickade"] == 6
    assert len(eml_subjects(tmp_path / "utskick")) == 6
    run_id = state.state_details.flow_run_id
    table = artifacts("rapporter-inom-30-dagar", run_id)[0]
    assert any(row["Insats"] == "Trisam 2.0 - Söderhamns kommun" for row in __import__("json").loads(table.data))
    [overdue] = artifacts("forsenade-rapporter", run_id)
    # Imported on 2021-09-01: what was due before is listed but not chased, so nothing chased is overdue yet.
    assert __import__("json").loads(overdue.data) == [] and "äldre bevakas inte: finsam deadlines" in overdue.description
    assert "6** nya meddelanden" in artifacts("daglig-bevakning", run_id)[0].data
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    assert "insats:Trisam 2.0 - Söderhamns kommun".split(":")[0] + ":" in " ".join(run.tags)
    assert len([t for t in run.tags if t.startswith("insats:")]) == 5  # the insatser it wrote to that day
    # The page of each of those five insatser, with the day's reminder on it, sent.
    page = artifacts("insats-trisam-2-0-soderhamns-kommun", run_id)[0].data
    assert ("| 2021-09-01 | Påminnelse, 14 dagar före: Delrapport 3 | insatsansvarig@soderhamns.example | skickad "
            in page)
    assert "| Delrapport 3 (2021-02-06 – 2021-08-05) | 2021-09-06 | kommande |  |" in page
    log = run_log(run_id, until="Insatssidor uppdaterade")
    assert ("Daglig bevakning 2021-09-01: nya meddelanden i utkorgen: 6 (Påminnelse 5, Veckosammanfattning 1); insatser som bytte tillstånd: 0; "
            "till styrelsens uppföljningslista: 0; insatser berörda: 5.") in log
    assert "Utskick: skickade 6, misslyckade 0, väntar på e-postservern 0, makulerade 0." in log
    assert len([line for line in log if line.startswith("Insatssidor uppdaterade (5): insats-")]) == 1
    again = daglig_bevakning(datum=date(2021, 9, 1))
    assert again["koade"] == 0 and again["skickade"] == 0


def test_a_registration_from_the_run_form_changes_the_database(loaded: str) -> None:
    from flows.registrera import Ansokan, BeslutFormular, YttrandeFormular, registrera_ansokan, registrera_beslut, registrera_yttrande

    state = registrera_ansokan(Ansokan(registreras_av="Karin Lund", 
        namn="Arbetsträning Sandviken", inriktning="individ", huvudman=["Sandvikens kommun"], ankomstdatum=date(2021, 10, 4),
        kontaktperson="Karin Lund", kontakt_epost="karin.lund@sandviken.example", sokt_belopp_kr=650000,
        diarienummer="SFG 21-10.3"), return_state=True)
    assert state.is_completed() and state.result()["beredningsmote"] == "2021-11-03"
    [page_artifact] = artifacts("insats-sfg-21-10-3", state.state_details.flow_run_id)
    page = page_artifact.data
    assert "# Arbetsträning Sandviken (SFG 21-10.3)" in page and "**Under beredning**" in page
    # The run's artifacts link to this very page, one click from the run.
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])))
    [link] = [a for a in found if a.key is None and "Insatssidan" in (a.data or "")]
    assert link.data == (f"[Insatssidan: Arbetsträning Sandviken (SFG 21-10.3)]"
                         f"(http://127.0.0.1:4200/artifacts/artifact/{page_artifact.id})")
    assert "## Rapporter och återbetalningar (0)" in page and "- **Huvudman:** Sandvikens kommun" in page
    registrera_yttrande(YttrandeFormular(registreras_av="Karin Lund", insats="SFG 21-10.3", datum=date(2021, 11, 3), bedomning="tillstyrks"))
    state = registrera_beslut(BeslutFormular(registreras_av="Karin Lund", insats="SFG 21-10.3", datum=date(2021, 11, 18), utfall="beviljas",
                                             beviljade_medel_kr=650000, start=date(2022, 1, 1), slut=date(2023, 6, 30)),
                              return_state=True)
    assert state.is_completed()
    assert state.result()["nya_deadlines"] == 3 and state.result()["meddelande"]
    # The page after the beslut, as of the real today (long after the insatstid, so it waits for its slutrapport;
    # its reports are due 20 working days from today, a fair time): the new state, its three reports, the
    # beslutsmeddelande already sent, and 650 000 kr over 546 days: 365 of them in 2022, 181 in 2023.
    run_id = state.state_details.flow_run_id
    page = artifacts("insats-sfg-21-10-3", run_id)[0].data
    assert "**Avslutad (väntar på slutrapport)**" in page and "- **Insatstid:** 2022-01-01 – 2023-06-30" in page
    assert [line.split(" | ")[0] for line in page.splitlines() if line.startswith(("| Delrapport", "| Slutrapport"))] == [
        "| Delrapport 1 (2022-01-01 – 2022-06-30)", "| Delrapport 2 (2022-07-01 – 2022-12-31)",
        "| Slutrapport (2023-01-01 – 2023-06-30)"]
    assert "- **2022:** beviljat 434\u00a0524\u00a0kr (uppskattat); budget –; utfall –" in page  # 650 000 kr spread by days
    assert "- **2023:** beviljat 215\u00a0476\u00a0kr (uppskattat); budget –; utfall –" in page
    assert "| 2021-11-18 | ansökan beviljas | 650\u00a0000\u00a0kr, 2022-01-01 – 2023-06-30 |" in page
    assert ("| 2021-11-18 | Beslutsmeddelande | karin.lund@sandviken.example (kopia "
            "kontakt@samordningsforbund-gavleborg.example) | skickad ") in page
    assert ("Registrerat: beslut (beviljas) – Arbetsträning Sandviken (SFG 21-10.3). Tillstånd: avslutad (väntar på slutrapport). "
            "Rapportdatum: nya 3, ändrade 0, makulerade 0. Meddelande till insatsägaren köat.") in run_log(run_id, until="Registrerat: beslut")
    with read_only(loaded) as session:
        insats = session.scalar(select(Insats).where(Insats.diarienummer == "SFG 21-10.3"))
        assert insats.beviljade_medel_kr == 650000 and len(insats.deadlines) == 3
        assert session.scalar(select(Utskick).where(Utskick.typ == "beslutsmeddelande")).tillstand is UtskickTillstand.SKICKAD
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    assert "insats:SFG 21-10.3" in run.tags
    assert run.name == "Beslut – SFG 21-10.3, torsdag 18 november 2021"  # what it did, the date in words
    with read_only(loaded) as session:
        from finsam.domain.model import Handelse

        actors = {e.aktor for e in session.scalars(select(Handelse).where(Handelse.atgard == "registrera beslut"))}
        assert actors == {"Karin Lund (flöde registrera-beslut/Beslut – SFG 21-10.3, torsdag 18 november 2021)"}  # the person, and the run


def test_change_decisions_from_the_run_forms(loaded: str) -> None:
    """Förlängning, tilläggsanslag and avbrott from their forms: a beslut each, a message each, and no
    deadline left in the past (the dates themselves are checked by hand in tests/scenarios)."""
    from finsam.domain.enums import BeslutTyp, DeadlineTillstand
    from finsam.domain.model import Beslut
    from flows.registrera import (
        AvbrottFormular,
        ForlangningFormular,
        TillaggsanslagFormular,
        registrera_avbrott,
        registrera_forlangning,
        registrera_tillaggsanslag,
    )

    today = date.today()
    with read_only(loaded) as session:
        before = session.scalar(select(Insats.beviljade_medel_kr).where(Insats.diarienummer == "SFG 21-6.58")) or 0
    state = registrera_forlangning(ForlangningFormular(registreras_av="Karin Lund", insats="SFG 21-6.58", slut=date(today.year + 2, 6, 30),
                                                       anteckning="Fler deltagare än väntat."), return_state=True)
    assert state.is_completed(), state.message
    assert state.result()["beslut"] == "förlängning" and state.result()["meddelande"]
    state = registrera_tillaggsanslag(TillaggsanslagFormular(registreras_av="Karin Lund", insats="SFG 21-6.58", belopp_kr=100000, ar=today.year + 1),
                                      return_state=True)
    assert state.is_completed(), state.message
    refused = registrera_tillaggsanslag(TillaggsanslagFormular(registreras_av="Karin Lund", insats="SFG 21-6.58", belopp_kr=5, ar=today.year + 9),
                                        return_state=True)
    assert refused.name == "Avvisad" and not refused.is_failed()
    assert refused.result()["avvisad"].startswith(f"Tilläggsanslaget gäller {today.year + 9}, utanför insatstiden")
    state = registrera_avbrott(AvbrottFormular(registreras_av="Karin Lund", insats="SFG 21-6.58", datum=date(today.year + 1, 3, 31)), return_state=True)
    assert state.is_completed(), state.message
    with read_only(loaded) as session:
        insats = session.scalar(select(Insats).where(Insats.diarienummer == "SFG 21-6.58"))
        decisions = session.scalars(select(Beslut).where(Beslut.insats_id == insats.id).order_by(Beslut.id)).all()
        assert [(b.typ, b.datum, b.belopp_kr, b.ar, b.slut) for b in decisions] == [
            (BeslutTyp.FORLANGNING, today, None, None, date(today.year + 2, 6, 30)),
            (BeslutTyp.TILLAGGSANSLAG, today, 100000, today.year + 1, None),
            (BeslutTyp.AVBROTT, today, None, None, date(today.year + 1, 3, 31)),
        ]
        assert insats.beviljade_medel_kr == before + 100000 and insats.avbruten
        # What the decisions created or moved is owed from now on, never from a day already past.
        changed = [d for d in insats.deadlines if d.tillstand is DeadlineTillstand.OPPEN
                   and any(h.orsak.startswith(("förlängning", "avbrott")) for h in d.historik)]
        assert changed and all(d.forfaller > today for d in changed)
        sent = session.scalars(select(Utskick).where(Utskick.typ == "andringsbeslut", Utskick.insats_id == insats.id)).all()
        assert len(sent) == 3 and {r.tillstand for r in sent} == {UtskickTillstand.SKICKAD}


def test_a_repayment_from_the_run_form_closes_the_aterbetalning(loaded: str, tmp_path: Path) -> None:
    from flows.registrera import AterbetalningFormular, registrera_aterbetalning

    report = tmp_path / "slutrapport.txt"  # Trisam 2.0 - Hofors kommun: 142 000 granted, 71 000 used, 71 000 back
    report.write_text("Slutrapport\nDiarienummer\nSFG 21-6.64\nInsatsens namn\nTrisam 2.0 - Hofors kommun\n"
                      "Beviljade medel för insatsen\n142 000 kr\nUtnyttjade medel\n71 000 kr\n", encoding="utf-8")
    finsam(loaded, "report", "register", str(report), "--received", "2022-01-20", cwd=tmp_path)
    state = registrera_aterbetalning(AterbetalningFormular(registreras_av="Karin Lund", insats="SFG 21-6.64", betald=date(2022, 2, 1)), return_state=True)
    assert state.is_completed(), state.message
    assert {k: state.result()[k] for k in ("aterbetalning_kr", "betalt_kr", "betald", "saknas_kr")} == {
        "aterbetalning_kr": 71_000, "betalt_kr": 71_000, "betald": "2022-02-01", "saknas_kr": 0}
    again = registrera_aterbetalning(AterbetalningFormular(registreras_av="Karin Lund", insats="SFG 21-6.64", betald=date(2022, 2, 1)), return_state=True)
    assert again.name == "Avvisad" and not again.is_failed()
    assert "har ingen öppen återbetalning" in again.result()["avvisad"]


def test_a_bad_registration_fails_with_a_swedish_message_and_changes_nothing(loaded: str) -> None:
    from flows.registrera import BeslutFormular, registrera_beslut

    from finsam.domain.model import Beslut

    state = registrera_beslut(BeslutFormular(registreras_av="Karin Lund", insats="SFG 21-6.58", datum=date(2021, 11, 18), utfall="beviljas",
                                             beviljade_medel_kr=1, start=date(2022, 1, 1)), return_state=True)
    # Refused, not broken: named "Avvisad", of type Completed: not counted as a failure, no failure e-mail.
    assert state.is_completed() and state.name == "Avvisad"
    assert state.message == ("Det går inte att bevilja en insats som är pågående. Tillåtet nu: avsluta, registrera "
                             "slutrapport, förlänga, ge tilläggsanslag, avbryta. Inget sparades; rätta formuläret och kör igen.")
    assert "Traceback" not in state.message
    typo = registrera_beslut(BeslutFormular(registreras_av="Karin Lund", insats="SFG 99-9.99", datum=date(2021, 11, 18), utfall="avslås"),
                             return_state=True)
    assert typo.name == "Avvisad" and "SFG 99-9.99" in typo.message
    with read_only(loaded) as session:
        assert session.scalars(select(Beslut)).all() == []
    # The refusal's log: its reason in one WARNING line, no ERROR, no traceback; the run tagged with its insats.
    log = run_log_records(state.state_details.flow_run_id, until="Finished in state Avvisad")
    assert [level for level, _ in log if level >= 40] == []
    assert not [m for _, m in log if "Traceback" in m or "TypeError" in m]
    assert [m for level, m in log if level == 30] == [
        "Avvisad: Det går inte att bevilja en insats som är pågående. Tillåtet nu: avsluta, registrera slutrapport, "
        "förlänga, ge tilläggsanslag, avbryta."]
    with get_client(sync_client=True) as client:
        assert "insats:SFG 21-6.58" in client.read_flow_run(state.state_details.flow_run_id).tags
        assert not [t for t in client.read_flow_run(typo.state_details.flow_run_id).tags if t.startswith("insats:")]


@pytest.mark.parametrize("typed", ["18/11/2021", "2021-11-18", " 18.11.2021 "])
def test_a_typed_date_is_read_one_way_and_said_in_words(loaded: str, typed: str) -> None:
    from flows.registrera import registrera_beslut

    from finsam.domain.model import Beslut

    finsam(loaded, "ansokan", "Vägen in", "--huvudman", "Gävle kommun", "--ankomst", "2021-10-04", "--kontakt", "Ida Ek",
           "--epost", "ida@vagen.example", "--diarienummer", "SFG 21-10.9")
    finsam(loaded, "yttrande", "SFG 21-10.9", "--datum", "2021-11-03", "--bedomning", "avstyrks")
    state = registrera_beslut({"insats": "SFG 21-10.9", "datum": typed, "utfall": "avslås", "registreras_av": "Karin Lund"},
                              return_state=True)
    assert state.is_completed(), state.message
    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        assert client.read_flow_run(run_id).name == "Beslut – SFG 21-10.9, torsdag 18 november 2021"
    assert run_log(run_id, until="Formulärets datum")[1] == "Formulärets datum: Datum torsdag 18 november 2021."
    with read_only(loaded) as session:
        assert [b.datum for b in session.scalars(select(Beslut))] == [date(2021, 11, 18)]


def test_a_date_that_is_no_meeting_or_month_first_is_refused_naming_the_meetings(loaded: str) -> None:
    from flows.registrera import registrera_beslut

    from finsam.domain.model import Beslut

    finsam(loaded, "ansokan", "Vägen in", "--huvudman", "Gävle kommun", "--ankomst", "2021-10-04", "--kontakt", "Ida Ek",
           "--epost", "ida@vagen.example", "--diarienummer", "SFG 21-10.9")
    finsam(loaded, "yttrande", "SFG 21-10.9", "--datum", "2021-11-03", "--bedomning", "avstyrks")
    form = {"insats": "SFG 21-10.9", "utfall": "avslås", "registreras_av": "Karin Lund"}
    # 12/17/2021, as the US picker writes it: no 17th month, never guessed.
    us = registrera_beslut({**form, "datum": "12/17/2021"}, return_state=True)
    assert (us.type.value, us.name) == ("COMPLETED", "Avvisad")
    assert us.message.startswith("Datum: '12/17/2021' är inte ett giltigt datum.")
    # 17 December 2021: a day after the styrelse met.
    late = registrera_beslut({**form, "datum": "17/12/2021"}, return_state=True)
    assert (late.type.value, late.name) == ("COMPLETED", "Avvisad")
    assert late.message == ("2021-12-17 är inget styrelsemöte i mötesplanen (närmast: 2021-12-16 och 2022-02-24). Var "
                            "det ett extra sammanträde, markera det som extra. Inget sparades; rätta formuläret och kör igen.")
    extra = registrera_beslut({**form, "datum": "17/12/2021", "extra_sammantrade": True}, return_state=True)
    assert extra.is_completed(), extra.message
    with read_only(loaded) as session:
        assert [b.datum for b in session.scalars(select(Beslut))] == [date(2021, 12, 17)]


@pytest.mark.parametrize(("form", "said"), [
    ({"insats": "SFG 21-6.58", "datum": "2021-13-45", "utfall": "avslås", "registreras_av": "Karin Lund"},
     "Datum: '2021-13-45' är inte ett giltigt datum."),
    ({"insats": "SFG 21-6.58", "datum": "2021-11-18", "utfall": "beviljas", "beviljade_medel_kr": -5,
      "registreras_av": "Karin Lund"}, "Beviljade medel (kr): beloppet kan inte vara negativt."),
    ({"insats": "SFG 21-6.58", "datum": "2021-11-18", "utfall": "godkänns", "registreras_av": ""},
     "Beslut: ska vara ett av: 'beviljas', 'avslås', 'återremitteras' eller 'bordläggs'; Registreras av: får inte vara tomt."),
    ({"insats": "SFG 21-6.58", "datum": "2021-11-18", "utfall": "beviljas", "registreras_av": "Karin Lund",
      "belopp_per_ar": [{"ar": 1800, "belopp_kr": 5}]}, "Belopp per år, rad 1, År: ska vara minst 1900."),
    ({"insats": "SFG 21-6.58", "datum": "2021-11-18", "utfall": "avslås", "registreras_av": "Karin Lund",
      "anteckning": "x" * 10_001, "extra": 1}, "Anteckning: högst 10000 tecken; extra: finns inte i formuläret."),
])
def test_a_form_with_a_wrong_value_is_refused_in_swedish_naming_the_field(loaded: str, form: dict, said: str) -> None:
    from flows.registrera import registrera_beslut

    from finsam.domain.model import Beslut

    state = registrera_beslut(form, return_state=True)  # as a deployment passes it: the form's JSON
    assert (state.type.value, state.name) == ("COMPLETED", "Avvisad")
    assert state.message == f"{said} Inget sparades; rätta formuläret och kör igen."
    log = run_log_records(state.state_details.flow_run_id, until="Finished in state Avvisad")
    assert [level for level, _ in log if level >= 40] == []
    with get_client(sync_client=True) as client:
        assert "insats:SFG 21-6.58" in client.read_flow_run(state.state_details.flow_run_id).tags
    with read_only(loaded) as session:
        assert session.scalars(select(Beslut)).all() == []


def test_send_retries_only_transient_errors(loaded: str, monkeypatch) -> None:
    from flows.daglig_bevakning import daglig_bevakning
    from flows.skicka_utskick import skicka_utskick

    port = free_port()
    with finsam_settings(monkeypatch, smtp_host="127.0.0.1", smtp_port=str(port), smtp_retry_delay="0", smtp_attempts="1"):
        state = daglig_bevakning(datum=date(2021, 9, 1), return_state=True)  # nothing listens: transient
        assert state.is_failed()
        with get_client(sync_client=True) as client:
            runs = client.read_task_runs()
            send_runs = [r for r in runs if r.name.startswith("skicka-utkorgen")]
            assert max(r.run_count for r in send_runs) == 3  # the first try and two retries
        with smtp_server(Recorder(refuse_rcpt={"insatsansvarig@ockelbo.example": "550 5.1.1 No such user"}), port=port) as server:
            # The backoff of the waiting rows has to pass first: a fresh run after it delivers them.
            with read_only(loaded) as session:
                assert session.scalars(select(Utskick).where(Utskick.tillstand == UtskickTillstand.VANTAR)).all()
            from finsam.db import unit_of_work
            from finsam.audit import Kontext
            from sqlalchemy import update

            with unit_of_work(loaded, Kontext("test", "test", datetime.now(timezone.utc))) as session:
                session.execute(update(Utskick).values(nasta_forsok=datetime.now(timezone.utc) - timedelta(minutes=1)))
            state = skicka_utskick(return_state=True)
            # A 550 is recorded and reported, not retried: the run says so (failed, naming it); the rest went out.
            assert state.is_failed() and "1 utskick gick inte säkert fram: avvisat " in state.message
            assert "insatsansvarig@ockelbo.example: 550 5.1.1 No such user" in state.message
            result = state.result(raise_on_failure=False)
            assert len(result["misslyckade"]) == 1 and result["skickade"] == 5
            assert len(server.recorder.received) == 5


def test_meeting_work_and_too_late(loaded: str, tmp_path: Path) -> None:
    from flows.moten import efter_styrelsemote, infor_styrelsemote

    with read_only(loaded) as session:
        past = session.scalar(select(Sammantrade).where(Sammantrade.datum == date(2021, 11, 18)))
    result = infor_styrelsemote(mote="18/11/2021")  # the real today is long after 2021
    assert "redan hållits" in result["hoppade_over"]
    assert efter_styrelsemote(mote=past.datum.isoformat()) == {"saknade_beslut": [], "beslutsmeddelanden": []}
    # A meeting is named by its date: a day without one is refused, naming the coming meetings (none in 2021's plan).
    bad = infor_styrelsemote(mote="2021-11-19", return_state=True)
    assert (bad.type.value, bad.name) == ("COMPLETED", "Avvisad")
    assert bad.message.startswith("2021-11-19 är inget styrelsemöte i mötesplanen. Kommande: inga i mötesplanen.")


def test_underlag_artifact_for_a_coming_meeting(loaded: str, tmp_path: Path) -> None:
    from flows.moten import infor_styrelsemote

    coming = date.today() + timedelta(days=7)
    plan = tmp_path / "plan.csv"
    plan.write_text(f"typ,datum,tid,plats\nstyrelse,{coming.isoformat()},09:30,Gävle\n", encoding="utf-8")
    finsam(loaded, "import", "meetings", str(plan))
    with read_only(loaded) as session:
        mote = session.scalar(select(Sammantrade).where(Sammantrade.datum == coming))
    state = infor_styrelsemote(return_state=True)  # empty: the next styrelse meeting
    assert "for_beslut" in state.result()
    markdown = artifacts("underlag-styrelse", state.state_details.flow_run_id)[0].data
    assert markdown.startswith("# Underlag till styrelsemöte") and "## Försenade rapporter" in markdown
    assert f"## Ekonomisk uppföljning {coming.year}" in markdown
    assert any(s.startswith("Underlag till styrelsemötet") for s in eml_subjects(tmp_path / "utskick"))


def test_meddela_fel_tells_the_kansli(loaded: str, tmp_path: Path, monkeypatch) -> None:
    from flows.meddela_fel import meddela_fel
    from flows.registrera import registrera_beslut

    # A real failure: the database does not answer (no refusal: the kansli is alarmed).
    with monkeypatch.context() as patch, finsam_settings(patch, database_url="postgresql+psycopg://finsam@127.0.0.1:1/x"):
        failed = registrera_beslut({"insats": "SFG 21-6.58", "datum": "2021-11-18", "utfall": "avslås",
                                    "registreras_av": "Karin Lund"}, return_state=True)
    get_settings.cache_clear()
    assert failed.is_failed() and failed.name == "Failed"
    result = meddela_fel(flow_run_id=f"prefect.flow-run.{failed.state_details.flow_run_id}")
    assert result["flode"] == "registrera-beslut" and result["skickade"] == 1
    assert "Fel i bevakningen: registrera-beslut misslyckades" in eml_subjects(tmp_path / "utskick")
    with read_only(loaded) as session:
        assert session.scalar(select(Insats).limit(1)).tillstand in set(Tillstand)


def test_a_message_that_cannot_be_made_fails_the_run_after_the_others_went_out(loaded: str, tmp_path: Path) -> None:
    from sqlalchemy import text

    from finsam.db import get_engine
    from flows.daglig_bevakning import daglig_bevakning

    with get_engine(loaded).begin() as c:  # a stored address with a line break (a manual fix in the database)
        c.execute(text("UPDATE kontaktperson SET epost = 'kontakt@soderhamn.example\nBcc: x@evil.example' WHERE id = "
                       "(SELECT kontaktperson_id FROM insats WHERE namn = 'Trisam 2.0 - Söderhamns kommun')"))

    state = daglig_bevakning(datum=date(2021, 9, 1), return_state=True)

    assert state.is_failed()
    assert state.message == ("1 sak kunde inte göras: Påminnelse: Delrapport 3 – Trisam 2.0 - Söderhamns kommun: "
                             "får inte innehålla radbrytningar eller styrtecken (U+000A)")
    assert len(eml_subjects(tmp_path / "utskick")) == 5  # every other message of the day went out first
    summary = artifacts("daglig-bevakning", state.state_details.flow_run_id)[0].data
    assert "## Kunde inte göras" in summary and "Delrapport 3 – Trisam 2.0 - Söderhamns kommun" in summary


def test_a_meeting_cancelled_from_the_run_form_takes_its_ansokan_to_the_next(loaded: str, tmp_path: Path) -> None:
    from flows.moten import Motesandring, andra_mote
    from flows.registrera import Ansokan, registrera_ansokan

    today = date.today()
    first, second = today + timedelta(days=40), today + timedelta(days=75)
    plan = tmp_path / "plan.csv"
    plan.write_text(f"typ,datum\nberedningsgrupp,{first}\nberedningsgrupp,{second}\n", encoding="utf-8")
    finsam(loaded, "import", "meetings", str(plan))
    state = registrera_ansokan(Ansokan(registreras_av="Karin Lund", 
        namn="Vägen in", inriktning="individ", huvudman=["Gävle kommun"], ankomstdatum=today, kontaktperson="Ida Ek",
        kontakt_epost="ida@vagen.example", diarienummer="SFG 26-1.1"), return_state=True)
    assert state.result()["beredningsmote"] == first.isoformat()
    state = andra_mote(Motesandring(registreras_av="Karin Lund", typ="beredningsgrupp", datum=first, andring="ställs in"), return_state=True)
    assert state.is_completed(), state.message
    result = state.result()
    assert result["ansokningar"] == [f"Vägen in (SFG 26-1.1): Beredningsgruppsmöte {first} → Beredningsgruppsmöte {second}"]
    assert result["meddelanden"] == 1
    with read_only(loaded) as session:
        [row] = session.scalars(select(Utskick).where(Utskick.typ == "nytt_motesdatum")).all()
        assert row.mottagare == "ida@vagen.example" and row.tillstand is UtskickTillstand.SKICKAD
        assert session.scalar(select(Sammantrade).where(Sammantrade.datum == first)).installt
    refused = andra_mote(Motesandring(registreras_av="Karin Lund", typ="beredningsgrupp", datum=second, andring="flyttas"), return_state=True)
    assert refused.name == "Avvisad" and not refused.is_failed()
    assert refused.result()["avvisad"] == "Ange antingen ett nytt datum eller att mötet är inställt."


def test_granska_regler_shows_what_an_edited_rules_file_moves_and_saves_nothing(
    loaded: str, tmp_path: Path, monkeypatch
) -> None:
    from flows.daglig_bevakning import daglig_bevakning
    from flows.regler import granska_regler

    daglig_bevakning(datum=date(2021, 9, 1))  # notes the rules the deadlines were planned by
    rules = tmp_path / "regler.yaml"
    rules.write_text((PROJECT / "config" / "regler.yaml").read_text(encoding="utf-8")
                     .replace("dagar_efter_period: 30 ", "dagar_efter_period: 45 "), encoding="utf-8")
    monkeypatch.setenv("FINSAM_RULES_FILE", str(rules))
    from finsam.settings import get_settings

    get_settings.cache_clear()
    state = granska_regler(datum=date(2021, 9, 2), return_state=True)
    assert state.is_completed() and state.result()["regelfilen_andrad"] is True
    [table] = artifacts("regelandring", state.state_details.flow_run_id)
    rows = __import__("json").loads(table.data)
    # Period ending 2021-09-30: +30 is Saturday 30 October, Monday 1 November; +45 is Sunday 14 November, Monday 15.
    assert {"Insats": "Ett hållbart arbetsliv - Ockelbo", "Rapport": "Delrapport 4", "Nu": "2021-11-01",
            "Efter ändringen": "2021-11-15"} in rows
    with read_only(loaded) as session:
        from finsam.domain.model import Deadline

        due = session.scalars(select(Deadline.forfaller).join(Deadline.insats).where(
            Insats.namn == "Ett hållbart arbetsliv - Ockelbo", Deadline.nr == 4)).all()
        assert due == [date(2021, 11, 1)]  # nothing saved


def test_an_anstand_from_the_run_form_names_the_report_as_the_kansli_sees_it(loaded: str) -> None:
    from finsam.domain.model import Anstand, Deadline
    from flows.registrera import AnstandFormular, bevilja_anstand

    wrong = bevilja_anstand(AnstandFormular(registreras_av="Karin Lund", insats="SFG 21-6.58", rapport="Delrapport 9",
                                            nytt_datum=date(2022, 4, 1), skal="Sjukdom", beviljat_av="Förbundschefen"),
                            return_state=True)
    assert wrong.name == "Avvisad"
    assert wrong.message.startswith("Trisam 2.0 - Hudiksvalls kommun har ingen öppen rapport som heter 'Delrapport 9'. "
                                    "Öppna rapporter: ")
    assert "Slutrapport (senast 2022-03-01)" in wrong.message  # 2021-12-31 + 60 days
    state = bevilja_anstand(AnstandFormular(registreras_av="Karin Lund", insats="SFG 21-6.58", rapport="slutrapport",
                                            nytt_datum=date(2022, 4, 1), skal="Sjukdom", beviljat_av="Förbundschefen"),
                            return_state=True)
    assert state.is_completed(), state.message
    assert (state.result()["rapport"], state.result()["forfaller"], state.result()["tidigare"]) == (
        "Slutrapport", "2022-04-01", "2022-03-01")
    with get_client(sync_client=True) as client:
        assert client.read_flow_run(state.state_details.flow_run_id).name == "Anstånd – SFG 21-6.58, slutrapport till fredag 1 april 2022"
    with read_only(loaded) as session:
        [anstand] = session.scalars(select(Anstand)).all()
        assert (anstand.beviljat_av, session.get(Deadline, anstand.deadline_id).forfaller) == ("Förbundschefen", date(2022, 4, 1))
        assert session.scalar(select(Utskick).where(Utskick.typ == "andringsbeslut")).tillstand is UtskickTillstand.SKICKAD
