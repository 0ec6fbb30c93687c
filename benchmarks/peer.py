"""A fair peer for `make bench`: the smallest reminder script that does the same job as the daily run.

One SQL query for the deadlines with a ladder step on the day, the project's e-mail templates
rendered with plain Jinja2 (text and HTML), an `email.message.EmailMessage` with an iCalendar
part, an outbox row committed before and after each send, and one aiosmtplib connection. No
audit trail, no savepoints, no catch-up of missed days, no CSS inlining, no stale check: what
a careful script would still do, and nothing more. Over the same database (its own outbox table)
and the same SMTP server as the engine. SQLite's SQL, like the rest of the benchmark.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid

import aiosmtplib
from icalendar import Calendar, Event
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import text

from finsam.db import get_engine
from finsam.domain.ladder import Mottagare
from finsam.domain.rules_config import Regler
from finsam.messages.format import dagar_kvar, datum, kronor
from finsam.messages.render import TEMPLATES

OUTBOX = text("""
    CREATE TABLE IF NOT EXISTS peer_outbox (
        id INTEGER PRIMARY KEY, nyckel TEXT NOT NULL UNIQUE, mottagare TEXT NOT NULL, meddelande BLOB NOT NULL,
        tillstand TEXT NOT NULL, skapad TIMESTAMP NOT NULL, skickad TIMESTAMP)
""")

# Every open, chased deadline of an insats that owes reports whose due date is exactly one ladder step
# away from today, with what its message needs, unless that step is already in the outbox.
DUE = text("""
    SELECT d.id, d.typ, d.nr, d.period_start, d.period_slut, d.forfaller,
           i.namn, i.diarienummer, k.namn, k.epost,
           (SELECT group_concat(o.namn, '|') FROM insats_organisation io JOIN organisation o ON o.id = io.organisation_id
            WHERE io.insats_id = i.id AND io.roll = 'huvudman') AS huvudman
    FROM deadline d
    JOIN insats i ON i.id = d.insats_id
    LEFT JOIN kontaktperson k ON k.id = i.kontaktperson_id
    WHERE d.tillstand = 'oppen' AND d.bevakas = 1
      AND i.tillstand IN ('beviljad', 'pagaende', 'avslutad', 'slutredovisad')
      AND CAST(julianday(:today) - julianday(d.forfaller) AS INTEGER) IN ({offsets})
      AND NOT EXISTS (SELECT 1 FROM peer_outbox o WHERE o.nyckel = 'stege:' || d.id || ':' || d.forfaller || ':'
                                                                   || CAST(julianday(:today) - julianday(d.forfaller) AS INTEGER))
    ORDER BY d.forfaller, d.id
""")


def _environment(html: bool) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=html,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(datum=datum, kronor=kronor, dagar_kvar=dagar_kvar)
    return env


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _ics(deadline_id: int, summary: str, day: date, stamp: datetime) -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//peer//reminders//SV")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{uuid.uuid5(uuid.NAMESPACE_URL, f'deadline:{deadline_id}')}@peer")
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    calendar.add_component(event)
    return calendar.to_ical().decode()


def setup(url: str) -> None:
    """The peer's outbox table, created once before it is timed."""
    with get_engine(url).begin() as connection:
        connection.execute(OUTBOX)


async def remind(url: str, regler: Regler, *, today: date, now: datetime, sender: str, host: str, port: int) -> int:
    """Today's reminders, each queued, sent and marked sent; returns how many went out."""
    engine = get_engine(url)
    steps = {step.offset: step for step in regler.ladder().steps}
    forbund = {"namn": regler.forbund.namn, "kansli_epost": regler.forbund.kansli_epost}
    text_env, html_env = _environment(html=False), _environment(html=True)
    query = text(DUE.text.format(offsets=", ".join(str(offset) for offset in steps)))
    with engine.connect() as connection:
        rows = connection.execute(query, {"today": today.isoformat()}).all()
    sent = 0
    async with aiosmtplib.SMTP(hostname=host, port=port, start_tls=False) as client:
        for deadline_id, typ, nr, period_start, period_slut, forfaller, namn, diarienummer, k_namn, k_epost, huvudman in rows:
            forfaller = _day(forfaller)
            step = steps[(today - forfaller).days]
            rubrik = f"Delrapport {nr}" if typ == "delrapport" else "Slutrapport"
            if step.till is Mottagare.INSATSAGARE and k_epost:
                to = (k_namn, k_epost)
            else:
                to = regler.address(Mottagare.KANSLI if step.till is Mottagare.INSATSAGARE else step.till)
            cc = [regler.address(r) for r in step.kopia]
            context = {
                "forbund": forbund, "mottagare": {"namn": to[0], "epost": to[1]}, "idag": today,
                "insats": {"namn": namn, "diarienummer": diarienummer, "huvudman": huvudman.split("|") if huvudman else []},
                "deadline": {"rubrik": rubrik, "period_start": _day(period_start), "period_slut": _day(period_slut),
                             "forfaller": forfaller},
                "kontakt": {"namn": k_namn, "epost": k_epost} if k_epost else None,
                "flagga_styrelse": False, "styrelsemote": None,
            }
            template = text_env.get_template(f"{step.kind.value}.txt")
            subject = " ".join("".join(template.blocks["subject"](template.new_context(context))).split())
            message = EmailMessage()
            message["From"] = formataddr((regler.forbund.namn, sender))
            message["To"] = formataddr(to)
            if cc:
                message["Cc"] = ", ".join(formataddr(c) for c in cc)
            message["Reply-To"] = regler.forbund.kansli_epost
            message["Subject"] = subject
            message["Date"] = format_datetime(now)
            message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
            message.set_content(template.render(context))
            message.add_alternative(html_env.get_template(f"{step.kind.value}.html").render(context), subtype="html")
            message.add_attachment(_ics(deadline_id, f"{rubrik} – {namn}", forfaller, now), subtype="calendar",
                                   filename="rapporter.ics", params={"method": "PUBLISH"})
            data = message.as_bytes(policy=SMTP)
            nyckel = f"stege:{deadline_id}:{forfaller.isoformat()}:{(today - forfaller).days}"
            with engine.begin() as connection:
                row_id = connection.execute(
                    text("INSERT INTO peer_outbox (nyckel, mottagare, meddelande, tillstand, skapad) "
                         "VALUES (:nyckel, :to, :data, 'skickas', :now) RETURNING id"),
                    {"nyckel": nyckel, "to": to[1], "data": data, "now": now},
                ).scalar_one()
            await client.sendmail(sender, [to[1], *(c[1] for c in cc)], data)
            with engine.begin() as connection:
                connection.execute(text("UPDATE peer_outbox SET tillstand = 'skickad', skickad = :now WHERE id = :id"),
                                   {"now": now, "id": row_id})
            sent += 1
    return sent
