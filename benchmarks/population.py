"""A synthetic population of insatser, seeded and realistic enough to measure with.

Periods of 3 months to 4 years, a mix of report schedules (rolling, fixed dates, explicit
lists), a few without end date; reports arriving early, late or never.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

from sqlalchemy.orm import Session

from finsam.audit import Kontext
from finsam.domain.enums import DeadlineTillstand, Inriktning, Roll
from finsam.domain.lifecycle import running_state
from finsam.domain.model import Insats, InsatsOrganisation, Kontaktperson, Organisation
from finsam.domain.parsing import parse_email
from finsam.domain.rules_config import Regler
from finsam.services.deadlines import sync_deadlines

KOMMUNER = ["Gävle", "Sandviken", "Hofors", "Ockelbo", "Bollnäs", "Ovanåker", "Söderhamn", "Hudiksvall", "Nordanstig", "Ljusdal"]


def kontext(day: date) -> Kontext:
    return Kontext(aktor="bench", atgard="bench", nu=datetime(day.year, day.month, day.day, 6, tzinfo=timezone.utc))


def schedule(rng: random.Random, start: date, end: date | None) -> dict | None:
    roll = rng.random()
    if roll < 0.6:
        return None  # the förbund's rolling six months
    if roll < 0.85:
        return {"delrapport": {"schema": "fasta_datum", "fasta_datum": ["04-30", "10-31"]}}
    last = end or start + timedelta(days=720)
    dates = sorted({(start + timedelta(days=rng.randint(90, max(91, (last - start).days)))).isoformat() for _ in range(3)})
    return {"delrapport": {"schema": "datumlista", "datumlista": dates}}


def populate(session: Session, regler: Regler, count: int, *, seed: int, as_of: date, prefix: str = "") -> list[int]:
    """`count` insatser with their deadlines materialised; returns their ids."""
    rng = random.Random(seed)
    k = kontext(as_of)
    from sqlalchemy import select

    known = {o.namn: o for o in session.scalars(select(Organisation))}
    orgs = {name: known.get(f"{name} kommun") or Organisation(namn=f"{name} kommun") for name in KOMMUNER}
    ids = []
    for i in range(count):
        start = date(2019, 1, 1) + timedelta(days=rng.randint(0, 6 * 365))
        end = None if rng.random() < 0.05 else start + timedelta(days=rng.randint(91, 4 * 365))
        kommun = rng.choice(KOMMUNER)
        insats = Insats(
            namn=f"{prefix}Insats {i} {kommun}", diarienummer=f"B{seed % 100:02d}-{i}.{prefix or 0}",
            inriktning=rng.choice(list(Inriktning)), tillstand=running_state(start, end, as_of), start=start, slut=end,
            beviljade_medel_kr=rng.randint(50, 5000) * 1000, rapportschema=schedule(rng, start, end),
            kontaktperson=Kontaktperson(namn=f"Kontakt {prefix}{i}", epost=parse_email(f"kontakt{prefix}{i}@{kommun.lower()}.example")),
        )
        insats.parter.append(InsatsOrganisation(organisation=orgs[kommun], roll=Roll.HUVUDMAN, ordning=0))
        session.add(insats)
        session.flush()
        sync_deadlines(session, insats, regler, k, as_of=as_of, orsak="bench")
        ids.append(insats.id)
        if i % 500 == 499:
            session.flush()
    return ids


def reports_arrive(session: Session, seed: int, as_of: date) -> int:
    """Some reports came early, some late, some never (before `as_of`)."""
    from sqlalchemy import select

    from finsam.domain.model import Deadline

    rng = random.Random(seed + 1)
    count = 0
    for d in session.scalars(select(Deadline).where(Deadline.forfaller < as_of - timedelta(days=40))):
        fate = rng.random()
        if fate < 0.7:
            d.tillstand, d.inkom = DeadlineTillstand.INKOMMEN, d.forfaller + timedelta(days=rng.randint(-20, 25))
            count += 1
    return count


CSV_HEADER = ("namn,inriktning,huvudman,samverkansparter,start,slut,budget_2024_kr,utfall_2024_kr,diarienummer,"
              "kontaktperson,kontakt_epost")
PARTNERS = "Arbetsförmedlingen;Försäkringskassan;Region Gävleborg"


def insatser_csv(path, count: int, *, seed: int, as_of: date) -> None:
    """The annual list of `count` running insatser as the kansli would import it (about six deadlines each);
    one contact person in five also runs another insats, as in the real list."""
    rng = random.Random(seed)
    lines = [CSV_HEADER]
    for i in range(count):
        start = as_of - timedelta(days=rng.randint(30, 3 * 365))
        end = start + timedelta(days=rng.randint(2 * 365, 4 * 365))
        kommun = rng.choice(KOMMUNER)
        contact = i - i % 5 if rng.random() < 0.2 else i
        budget = rng.randint(100, 5000) * 1000
        lines.append(
            f"Insats {i} {kommun},{rng.choice(['individ', 'struktur'])},{kommun} kommun,{PARTNERS},"
            f"{start.isoformat()},{end.isoformat()},{budget},{budget - rng.randint(0, 100) * 1000},SFG {seed}-{i},"
            f"Kontakt {contact},kontakt{contact}@{kommun.lower()}.example"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
