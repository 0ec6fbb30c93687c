"""The demo: a stretch of real time replayed over the 2021 insatser and an example meeting plan.

Every weekday morning of the stretch runs the daily job (states, reminders, escalations,
sending) with the embedded defaults: SQLite and .eml files in a folder. Reports arrive and an
anstånd is granted on the days listed in data/demo-handelser.yaml.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from finsam.adapters.mail import FolderTransport
from finsam.audit import Kontext
from finsam.clock import STOCKHOLM
from finsam.db import read_only, unit_of_work, upgrade
from finsam.domain.enums import RapportTyp
from finsam.domain.model import Deadline, Utskick
from finsam.domain.parsing import parse_date
from finsam.domain.rules_config import Regler
from finsam.domain.workdays import is_working_day
from finsam.domain.yamlfile import load_yaml
from finsam.messages.compose import Recipient
from finsam.messages.render import MailRenderer
from finsam.services.daily import plan_day
from finsam.services.deadlines import grant_anstand, list_deadlines
from finsam.services.delivery import deliver
from finsam.services.import_insatser import import_insatser
from finsam.services.lifecycle import register_report
from finsam.services.lookup import find_insats
from finsam.services.meetings import import_meetings
from finsam.services.notify import MailContext, queue_kvittens
from finsam.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "data"
SENDER = "finsam@samordningsforbund-gavleborg.example"


@dataclass
class DemoResult:
    days: int = 0
    sent: Counter = field(default_factory=Counter)
    events: list[str] = field(default_factory=list)
    database: Path | None = None
    mail_folder: Path | None = None


def _morning(day: date) -> datetime:
    return datetime.combine(day, time(7, 0), tzinfo=STOCKHOLM)


def _events(path: Path) -> dict[date, list[dict]]:
    data, _ = load_yaml(path.read_text(encoding="utf-8"), str(path))
    by_day: dict[date, list[dict]] = {}
    for item in data or []:
        by_day.setdefault(parse_date(str(item["datum"])), []).append(item)
    return by_day


def _apply(url: str, mail: MailContext, day: date, item: dict, result: DemoResult) -> None:
    kontext = Kontext(aktor="kansliet (demo)", atgard="demo: händelse", nu=_morning(day))
    with unit_of_work(url, kontext) as session:
        insats = find_insats(session, str(item["insats"]))
        if "rapport" in item:
            rapport = register_report(session, kontext, insats, typ=RapportTyp(item["rapport"]), inkom=day)
            session.flush()
            queue_kvittens(session, kontext, mail, rapport)
            result.events.append(f"{day}: {rapport.deadline.rubrik} från {insats.namn} kom in")
        if "anstand" in item:
            open_ = [d for d in insats.deadlines if d.tillstand.value == "oppen"]
            ahead = [d for d in open_ if d.forfaller >= day]  # the report the insatsägare is working on
            deadline = min(ahead or open_, key=lambda d: d.forfaller)
            granted = grant_anstand(session, kontext, deadline.id, parse_date(str(item["anstand"])), item["skal"], "Kansliet")
            result.events.append(f"{day}: anstånd för {deadline.rubrik}, {insats.namn}, till {granted.nytt_forfaller}")


def run_demo(output: Path, regler: Regler, *, start: date = date(2021, 9, 1), end: date = date(2022, 3, 31)) -> DemoResult:
    output.mkdir(parents=True, exist_ok=True)
    database = output / "finsam.db"
    database.unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    upgrade(url)
    mail = MailContext(regler=regler, renderer=MailRenderer(), sender=Recipient(regler.forbund.namn, SENDER))
    transport = FolderTransport(output / "utskick", SENDER)
    result = DemoResult(database=database, mail_folder=transport.folder)

    setup = Kontext(aktor="kansliet (demo)", atgard="demo: import", nu=_morning(start))
    with unit_of_work(url, setup) as session:
        import_meetings(session, setup, DATA / "sammantraden-2021-2022.yaml", regler)
        import_insatser(session, setup, DATA / "insatser-2021.csv", regler, as_of=start)

    events = _events(DATA / "demo-handelser.yaml")
    day = start
    while day <= end:
        for item in events.get(day, []):
            _apply(url, mail, day, item, result)
        if is_working_day(day):  # the daily job runs on weekday mornings
            kontext = Kontext(aktor="daglig-bevakning", atgard=f"daglig bevakning {day}", nu=_morning(day))
            with unit_of_work(url, kontext) as session:
                plan_day(session, kontext, mail, as_of=day)
            asyncio.run(deliver(url, transport, clock=lambda d=day: _morning(d), aktor="skicka-utskick"))
            result.days += 1
        day += timedelta(days=1)

    with read_only(url) as session:
        for row in session.scalars(select(Utskick)):
            result.sent[(row.typ, row.tillstand.value)] += 1
        rows = list_deadlines(session, as_of=end)
        (output / "deadlines.json").write_text(
            json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2), encoding="utf-8"
        )
        flagged = session.scalars(select(Deadline).where(Deadline.flaggad_styrelse.is_not(None))).all()
        result.events.append(f"{len(flagged)} rapporter hamnade på styrelsens uppföljningslista")
    return result
