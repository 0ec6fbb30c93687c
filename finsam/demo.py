"""The demo: a stretch of real time replayed over the 2021 insatser and an example meeting plan.

Every weekday morning of the stretch runs the daily job (states, reminders, escalations,
sending) on the embedded defaults: SQLite and .eml files in a folder. The meeting plan's work
(the beredningsgrupp's list, the styrelse's underlag, the reminder of missing decisions) runs
on its days, and reports arrive and an anstånd is granted as data/demo-handelser.yaml says.
The Prefect flow `aterspela` (flows/aterspela.py) drives these steps, one task per day.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from finsam.adapters.mail import FolderTransport
from finsam.audit import Kontext
from finsam.clock import STOCKHOLM
from finsam.db import read_only, unit_of_work, upgrade
from finsam.domain.enums import Bedomning, BeslutUtfall, Inriktning, RapportTyp
from finsam.domain.model import Deadline, Insats, Sammantrade, Utskick
from finsam.domain.parsing import parse_date
from finsam.services.batch import one_line, reason
from finsam.domain.rules_config import Regler
from finsam.domain.workdays import is_working_day
from finsam.domain.yamlfile import load_yaml
from finsam.files import write_in
from finsam.messages.bilaga1_docx import bilaga1_docx
from finsam.services.arsredovisning import bilaga1
from finsam.services.ram import ekonomirapport
from finsam.services.tabular import read_text
from finsam.messages.compose import Recipient
from finsam.messages.format import kronor
from finsam.messages.render import MailRenderer
from finsam.services.calendars import insats_calendar, kansli_calendar
from finsam.services.daily import plan_day
from finsam.services.deadlines import list_deadlines
from finsam.services.delivery import deliver
from finsam.services.import_insatser import import_insatser
from finsam.services import registrations
from finsam.services.lifecycle import NyAnsokan, register_ansokan, register_yttrande
from finsam.services.lookup import find_insats
from finsam.services.meeting_messages import WorkResult, do_meeting_work
from finsam.services.ekonomi import open_repayment
from finsam.services.meeting_work import planned_work
from finsam.services.meetings import import_meetings
from finsam.services.notify import MailContext
from finsam.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "data"
SENDER = "finsam@samordningsforbund-gavleborg.example"
START, END = date(2021, 9, 1), date(2022, 3, 31)


def morning(day: date) -> datetime:
    return datetime.combine(day, time(7, 0), tzinfo=STOCKHOLM)


@dataclass
class Demo:
    """The demo's folder and what the steps share."""

    output: Path
    regler: Regler

    @property
    def url(self) -> str:
        return f"sqlite:///{self.output / 'finsam.db'}"

    @property
    def mail(self) -> MailContext:
        return MailContext(regler=self.regler, renderer=MailRenderer(), sender=Recipient(self.regler.forbund.namn, SENDER))

    @property
    def transport(self) -> FolderTransport:
        return FolderTransport(self.output / "utskick", SENDER)


def prepare(demo: Demo, start: date) -> None:
    """A fresh database with the meeting plan and the 2021 insatser as they stood on `start`."""
    demo.output.mkdir(parents=True, exist_ok=True)
    (demo.output / "finsam.db").unlink(missing_ok=True)
    upgrade(demo.url)
    kontext = Kontext(aktor="kansliet (demo)", atgard="demo: import", nu=morning(start))
    with unit_of_work(demo.url, kontext) as session:
        import_meetings(session, kontext, DATA / "sammantraden-2021-2022.yaml", demo.regler)
        import_insatser(session, kontext, DATA / "insatser-2021.csv", demo.regler, as_of=start)
        # The kansli marks the förbund's own insatser (huvudman the förbund): followed, never chased.
        import_insatser(session, kontext, DATA / "egna-insatser.csv", demo.regler, as_of=start)


def events() -> dict[date, list[dict[str, Any]]]:
    path = DATA / "demo-handelser.yaml"
    data, _ = load_yaml(read_text(path), str(path))
    by_day: dict[date, list[dict[str, Any]]] = {}
    for item in data or []:
        by_day.setdefault(parse_date(str(item["datum"])), []).append(item)
    return by_day


def _apply(demo: Demo, day: date, item: dict[str, Any]) -> str:
    kontext = Kontext(aktor="kansliet (demo)", atgard="demo: händelse", nu=morning(day))
    with unit_of_work(demo.url, kontext) as session:
        if "ansokan" in item:
            values = dict(item["ansokan"])
            values.update(inriktning=Inriktning(values["inriktning"]), ankomstdatum=day,
                          sokt_start=parse_date(str(values["sokt_start"])), sokt_slut=parse_date(str(values["sokt_slut"])))
            insats, ansokan = register_ansokan(session, kontext, NyAnsokan(**values))
            session.flush()
            mote = ansokan.beredningsmote
            return f"{day}: ansökan {insats.namn} kom in" + (f", till beredningsgruppen {mote.datum}" if mote else "")
        insats = find_insats(session, str(item["insats"]))
        if "yttrande" in item:
            register_yttrande(session, kontext, insats, datum=day, bedomning=Bedomning(item["yttrande"]))
            return f"{day}: beredningsgruppens yttrande om {insats.namn}: {item['yttrande']}"
        if "beslut" in item:
            registrations.beslut(session, kontext, demo.mail, insats, datum=day, utfall=BeslutUtfall(item["beslut"]),
                                 as_of=day, belopp_kr=int(item["belopp"]), start=parse_date(str(item["start"])),
                                 slut=parse_date(str(item["slut"])),
                                 belopp_per_ar={int(k): int(v) for k, v in (item.get("per_ar") or {}).items()} or None)
            return f"{day}: styrelsen beslutade om {insats.namn}: {item['beslut']}"
        if "rapport" in item:
            rapport = registrations.rapport(session, kontext, demo.mail, insats, typ=RapportTyp(item["rapport"]), inkom=day).rapport
            text = f"{day}: {rapport.deadline.rubrik} från {insats.namn} kom in"
            if "utnyttjade" in item:  # the money a slutrapport states, as the real one (DOMAIN.md) does
                beviljade, utnyttjade = int(item["beviljade"]), int(item["utnyttjade"])
                rapport.beviljade_medel_kr, rapport.utnyttjade_medel_kr = beviljade, utnyttjade
                rapport.aterbetalning_kr = max(beviljade - utnyttjade, 0)
                rapport.medel_helt_utnyttjade = rapport.aterbetalning_kr == 0
                session.flush()
                if (owed := open_repayment(session, kontext, demo.mail.regler, rapport)) is not None:
                    text += f"; {kronor(owed.belopp_kr)} ska betalas tillbaka senast {owed.deadline.forfaller}"
            return text
        if "aterbetalning" in item:
            paid = registrations.aterbetalning(session, kontext, insats, betald=day, as_of=day).aterbetalning
            return f"{day}: återbetalningen från {insats.namn}, {kronor(paid.betalt_kr)}, kom in"
        open_ = [d for d in insats.deadlines if d.tillstand.value == "oppen"]
        ahead = [d for d in open_ if d.forfaller >= day]  # the report the insatsägare is working on
        deadline = min(ahead or open_, key=lambda d: d.forfaller)
        granted = registrations.anstand(session, kontext, demo.mail, deadline.id, nytt=parse_date(str(item["anstand"])),
                                        skal=item["skal"], beviljat_av="Kansliet", as_of=day).anstand
        return f"{day}: anstånd för {deadline.rubrik}, {insats.namn}, till {granted.nytt_forfaller}"


def replay_day(demo: Demo, day: date, todays_events: list[dict[str, Any]]) -> dict[str, Any]:
    """One day: what happens, the meeting work due, the daily job on weekdays, and sending."""
    log: list[str] = []
    failed: list[str] = []  # one event or piece of work that fails is named; the day goes on
    for item in todays_events:
        try:
            log.append(_apply(demo, day, item))
        except Exception as e:
            failed.append(f"{day}: {one_line(str({k: v for k, v in item.items() if k != 'datum'}), 120)}: {reason(e)}")
    documents: list[WorkResult] = []
    with read_only(demo.url) as session:
        meetings = list(session.scalars(select(Sammantrade)))
        due_work = [w for w in planned_work(meetings, demo.regler) if w.run_at.date() == day]
    for item in due_work:
        kontext = Kontext(aktor=f"flöde {item.arbete}", atgard=item.name, nu=morning(day))
        try:
            with unit_of_work(demo.url, kontext) as session:
                result = do_meeting_work(session, kontext, demo.mail, item.arbete, item.sammantrade_id, today=day)
        except Exception as e:
            failed.append(f"{day}: {item.name}: {reason(e)}")
            continue
        if result.markdown:
            write_in(demo.output, f"underlag/{day.isoformat()}-{item.arbete}.md", result.markdown.encode("utf-8"))
            documents.append(result)
        log.append(f"{day}: {item.name}" + (f" ({result.skipped})" if result.skipped else ""))
    queued = 0
    if is_working_day(day):  # the daily job runs on weekday mornings
        kontext = Kontext(aktor="flöde daglig-bevakning", atgard=f"daglig bevakning {day}", nu=morning(day))
        with unit_of_work(demo.url, kontext) as session:
            plan = plan_day(session, kontext, demo.mail, as_of=day)
            queued = len(plan.queued)
            failed += [f"{day}: {f}" for f in plan.failed]
    report = asyncio.run(deliver(demo.url, demo.transport, clock=lambda: morning(day), aktor="flöde skicka-utskick"))
    failed += [f"{day}: utskick {row_id}: {why}" for row_id, why in report.failed]
    return {
        "fel": failed,
        "handelser": log,
        "dokument": [(r.artifact_key, r.mote.datum.isoformat(), r.markdown) for r in documents],
        "koade": queued,
        "skickade": len(report.sent),
    }


@dataclass
class DemoSummary:
    sent: Counter = field(default_factory=Counter)
    flagged: int = 0
    calendars: int = 0


def finish(demo: Demo, end: date) -> DemoSummary:
    """Calendars and the deadline list as they stand at the end, and what went out."""
    summary = DemoSummary()
    with read_only(demo.url) as session:
        write_in(demo.output, "kalender/kansliet.ics", kansli_calendar(session, demo.regler))
        for insats in session.scalars(select(Insats).order_by(Insats.id)):
            write_in(demo.output, f"kalender/insats-{insats.id}.ics", insats_calendar(session, insats, demo.regler))
            summary.calendars += 1
        # The money as the board saw it at the end: each insats, the totals and what was left to grant, for the
        # year before and the year of the last day (finsam ekonomi --json).
        for year in (end.year - 1, end.year):
            report = ekonomirapport(session, demo.regler, year, as_of=end)
            write_in(demo.output, f"ekonomi-{year}.json",
                     json.dumps(report.as_json(end), ensure_ascii=False, indent=2).encode("utf-8"))
        # The annual report's Bilaga 1 for the year before the last day, as the kansli would paste it.
        write_in(demo.output, f"bilaga-1-{end.year - 1}.docx",
                 bilaga1_docx(bilaga1(session, demo.regler, end.year - 1, as_of=end), demo.regler.forbund.namn))
        rows = list_deadlines(session, as_of=end)
        write_in(demo.output, "deadlines.json",
                 json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2).encode("utf-8"))
        for row in session.scalars(select(Utskick)):
            summary.sent[(row.typ, row.tillstand.value)] += 1
        summary.flagged = len(session.scalars(select(Deadline).where(Deadline.flaggad_styrelse.is_not(None))).all())
    return summary
