"""Scenario files: a story of an insats when plans change, day by day, with the answer written by hand.

Each file in tests/scenarios/ holds rule overrides, then days. A day has events (the same
registration services the CLI and the run forms call), optionally the daily run, and what must hold
afterwards: every deadline of an insats (rubrik | period | due date | state), exactly the messages
queued that day (kind, ladder step, recipient), the agenda of coming meetings, the money counted in
a year's underlag, or the refusal an event must meet. Nothing expected is computed by the code under
test: the dates in the files were counted by hand on a calendar (helgdagar and aftnar included).
"""

from __future__ import annotations

import copy
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import select

from finsam.audit import Kontext
from finsam.db import read_only, unit_of_work
from finsam.domain.enums import Bedomning, BeslutUtfall, DeadlineTillstand, Inriktning, MoteTyp, RapportTyp
from finsam.domain.model import Deadline, Sammantrade, Utskick
from finsam.domain.rules_config import parse_rules
from finsam.errors import FinsamError
from finsam.messages.compose import Recipient
from finsam.messages.render import MailRenderer
from finsam.services import lifecycle, registrations
from finsam.services.daily import plan_day
from finsam.services.lookup import find_insats
from finsam.services.meeting_work import agenda_of, styrelse_underlag
from finsam.services.notify import MailContext

PROJECT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((PROJECT / "tests" / "scenarios").glob("*.yaml"))
STOCKHOLM = ZoneInfo("Europe/Stockholm")
STATES = {DeadlineTillstand.OPPEN: "öppen", DeadlineTillstand.INKOMMEN: "inkommen", DeadlineTillstand.MAKULERAD: "makulerad"}


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in over.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def _mail(overrides: dict[str, Any]) -> MailContext:
    base = yaml.safe_load((PROJECT / "config" / "regler.yaml").read_text(encoding="utf-8"))
    regler = parse_rules(_merge(base, overrides), "scenario")
    return MailContext(regler=regler, renderer=MailRenderer(), sender=Recipient("Förbundet", "finsam@forbund.example"))


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _kontext(day: date, atgard: str) -> Kontext:
    return Kontext(aktor="scenario", atgard=atgard, nu=datetime.combine(day, time(7, 0), tzinfo=STOCKHOLM))


def _optional_day(values: dict[str, Any], key: str) -> date | None:
    return _day(values[key]) if values.get(key) is not None else None


def _apply(session, kontext: Kontext, mail: MailContext, day: date, event: dict[str, Any], tmp: Path) -> None:  # noqa: ANN001
    kind, values = next(iter(event.items()))
    values = values or {}
    if kind == "motesplan":
        path = tmp / f"plan-{day.isoformat()}.yaml"
        path.write_text(yaml.safe_dump([{k: str(v) for k, v in m.items()} for m in values], allow_unicode=True),
                        encoding="utf-8")
        registrations.motesplan(session, kontext, mail, path, as_of=day)
        return
    if kind == "ansokan":
        lifecycle.register_ansokan(session, kontext, lifecycle.NyAnsokan(
            namn=values["namn"], inriktning=Inriktning.INDIVID, huvudman=[values.get("huvudman", "Gävle kommun")],
            ankomstdatum=day, kontaktperson=values["kontakt"], kontakt_epost=values["epost"], samverkansparter=[],
            diarienummer=values["diarienummer"], sokt_start=_optional_day(values, "start"), sokt_slut=_optional_day(values, "slut"),
        ))
        return
    insats = find_insats(session, str(values["insats"]))
    if kind == "yttrande":
        registrations.yttrande(session, kontext, mail, insats, datum=day, bedomning=Bedomning(values["bedomning"]),
                               motivering=values.get("motivering"))
    elif kind == "komplettering":
        registrations.komplettering(session, kontext, insats, inkom=day)
    elif kind == "beslut":
        registrations.beslut(session, kontext, mail, insats, datum=day, utfall=BeslutUtfall(values["utfall"]), as_of=day,
                             belopp_kr=values.get("belopp"), start=_optional_day(values, "start"),
                             slut=_optional_day(values, "slut"))
    elif kind == "rapport":
        registrations.rapport(session, kontext, mail, insats, typ=RapportTyp(values["typ"]), inkom=day, nr=values.get("nr"))
    elif kind == "forlangning":
        registrations.forlangning(session, kontext, mail, insats, slut=_day(values["slut"]), as_of=day,
                                  beslutsdatum=_optional_day(values, "beslutsdatum"))
    elif kind == "tillaggsanslag":
        registrations.tillaggsanslag(session, kontext, mail, insats, belopp_kr=values["belopp"], ar=values.get("ar"),
                                     as_of=day, beslutsdatum=_optional_day(values, "beslutsdatum"))
    elif kind == "avbrott":
        registrations.avbrott(session, kontext, mail, insats, datum=_day(values["datum"]), as_of=day,
                              beslutsdatum=_optional_day(values, "beslutsdatum"))
    elif kind == "anstand":
        deadline = next(d for d in insats.deadlines if d.rubrik == values["rapport"])
        registrations.anstand(session, kontext, mail, deadline.id, nytt=_day(values["nytt"]), skal=values["skal"],
                              beviljat_av="Kansliet", as_of=day, beslutsdatum=_optional_day(values, "beslutsdatum"))
    else:
        raise AssertionError(f"unknown event {kind}")


def _deadlines(session, ref: str) -> list[str]:  # noqa: ANN001
    insats = find_insats(session, ref)
    rows = session.scalars(select(Deadline).where(Deadline.insats_id == insats.id).order_by(Deadline.typ, Deadline.nr))
    return [f"{d.rubrik} | {d.period_start} – {d.period_slut} | {d.forfaller} | {STATES[d.tillstand]}" for d in rows]


def _messages(session, after_id: int) -> list[str]:  # noqa: ANN001
    rows = session.scalars(select(Utskick).where(Utskick.id > after_id).order_by(Utskick.id))
    return sorted(f"{r.typ}{' ' + r.steg if r.steg else ''} → {r.mottagare}" for r in rows)


def _agenda(session, key: str) -> list[str]:  # noqa: ANN001
    typ, _, day = key.partition(" ")
    mote = session.scalar(select(Sammantrade).where(Sammantrade.typ == MoteTyp(typ), Sammantrade.datum == _day(day)))
    assert mote is not None, f"no {key} in the plan"
    return [a["namn"] + (f" ({a['yttrande']})" if a["yttrande"] not in (None, "tillstyrks") else "")
            for a in agenda_of(session, mote)]


def _last_id(session) -> int:  # noqa: ANN001
    return session.scalar(select(Utskick.id).order_by(Utskick.id.desc()).limit(1)) or 0


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(scenario: Path, db_url: str, tmp_path: Path) -> None:
    story = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    mail = _mail(story.get("regler") or {})
    for step in story["dagar"]:
        day = _day(step["datum"])
        where = f"{scenario.name}, {day}"
        if "regler" in step:  # the förbund changes its rules file from this day on
            mail = _mail(step["regler"])
        with read_only(db_url) as session:
            before = _last_id(session)
        for event in step.get("handelser") or []:
            expected_error = event.pop("fel", None)
            try:
                with unit_of_work(db_url, _kontext(day, next(iter(event)))) as session:
                    _apply(session, session.info["kontext"], mail, day, event, tmp_path)
            except FinsamError as e:
                assert expected_error is not None, f"{where}: {event} was refused: {e}"
                assert str(e) == expected_error, where
            else:
                assert expected_error is None, f"{where}: {event} should have been refused"
        if step.get("daglig"):
            with unit_of_work(db_url, _kontext(day, "daglig bevakning")) as session:
                plan = plan_day(session, session.info["kontext"], mail, as_of=day)
                assert not plan.failed, f"{where}: {plan.failed}"
        with read_only(db_url) as session:
            for ref, expected in (step.get("deadlines") or {}).items():
                assert _deadlines(session, ref) == expected, f"{where}: deadlines of {ref}"
            if "meddelanden" in step:
                assert _messages(session, before) == sorted(step["meddelanden"]), f"{where}: messages"
            for key, expected in (step.get("agenda") or {}).items():
                assert _agenda(session, key) == expected, f"{where}: agenda of {key}"
            for key, expected in (step.get("beviljat_i_ar") or {}).items():
                mote = session.scalar(select(Sammantrade).where(Sammantrade.typ == MoteTyp.STYRELSE,
                                                                Sammantrade.datum == _day(key.split()[-1])))
                assert styrelse_underlag(session, mote, mail.regler, as_of=day).ramar[0].intecknat_kr == expected, where
            for ref, expected in (step.get("tillstand") or {}).items():
                assert find_insats(session, ref).tillstand.value == expected, f"{where}: state of {ref}"


def test_every_scenario_has_expectations() -> None:
    """A scenario that checks nothing cannot fail: each day of each file states what must hold."""
    assert len(SCENARIOS) >= 6
    checks = {"deadlines", "meddelanden", "agenda", "beviljat_i_ar", "tillstand"}
    assert len({path.stem for path in SCENARIOS}) == len(SCENARIOS)
    for path in SCENARIOS:
        story = yaml.safe_load(path.read_text(encoding="utf-8"))
        for step in story["dagar"]:
            refused = any("fel" in e for e in step.get("handelser") or [])
            assert refused or checks & set(step), f"{path.name} {step['datum']}: nothing expected"

