"""Import of running insatser from CSV (the columns of the förbund's annual list).

All or nothing: the whole file is checked first and every problem is reported with its line
and column; only a clean file is written, in one transaction. An insats already present
(same diarienummer, or same name and huvudman) is updated, not doubled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from finsam.audit import Kontext
from finsam.domain.enums import Inriktning, Roll, Tillstand
from finsam.domain.lifecycle import running_state
from finsam.domain.model import Insats, InsatsEkonomi, InsatsOrganisation, Kontaktperson, Organisation
from finsam.domain import limits
from finsam.domain.limits import max_length
from finsam.domain.parsing import parse_amount, parse_date, parse_email, plain_text
from finsam.domain.rules_config import Regler
from finsam.errors import InputProblem, InvalidInput
from finsam.services.deadlines import SyncResult, sync_deadlines
from finsam.services.tabular import CsvRow, read_csv

REQUIRED = {"namn", "inriktning", "huvudman", "start"}
OPTIONAL = {
    "samverkansparter",
    "slut",
    "diarienummer",
    "kontaktperson",
    "kontakt_epost",
    "kontakt_telefon",
    "beviljade_medel_kr",
}
YEARLY = re.compile(r"^(budget|utfall)_(\d{4})_kr$")
# Each text column and the database column that stores it (whose length bounds it).
TEXT_COLUMNS = {
    "namn": Insats.namn, "huvudman": Organisation.namn, "samverkansparter": Organisation.namn,
    "kontaktperson": Kontaktperson.namn, "diarienummer": Insats.diarienummer, "kontakt_telefon": Kontaktperson.telefon,
}
LISTS = {"huvudman", "samverkansparter"}


@dataclass
class InsatsRad:
    """One valid row of the file."""

    line: int
    namn: str
    inriktning: Inriktning
    huvudman: list[str]
    samverkansparter: list[str]
    start: date
    slut: date | None
    diarienummer: str | None
    kontaktperson: str | None
    kontakt_epost: str | None
    kontakt_telefon: str | None
    beviljade_medel_kr: int | None
    ekonomi: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def identity(self) -> tuple[str, frozenset[str]]:
        return (self.namn.casefold(), frozenset(h.casefold() for h in self.huvudman))


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _parse_row(row: CsvRow, problems: list[InputProblem]) -> InsatsRad | None:
    before = len(problems)

    def problem(column: str | None, message: str) -> None:
        problems.append(InputProblem(message, line=row.line, column=column))

    def parsed(column: str, parse, *, required: bool = False):  # type: ignore[no-untyped-def]
        text = row.get(column)
        if not text:
            if required:
                problem(column, "värde saknas")
            return None
        try:
            return parse(text)
        except ValueError as e:
            problem(column, str(e))
            return None

    if row.problem:
        problem(None, row.problem)
    for column, stored_in in TEXT_COLUMNS.items():
        try:
            plain_text(row.get(column))
            for part in _names(row.get(column)) if column in LISTS else [row.get(column)]:
                plain_text(part, max_length(stored_in))
        except ValueError as e:
            problem(column, str(e))
    namn = row.get("namn")
    if not namn:
        problem("namn", "värde saknas")
    inriktning = None
    if text := row.get("inriktning"):
        try:
            inriktning = Inriktning(text.lower())
        except ValueError:
            problem("inriktning", f"okänd inriktning '{text}' (ska vara individ eller struktur)")
    else:
        problem("inriktning", "värde saknas")
    huvudman = _names(row.get("huvudman"))
    if not huvudman:
        problem("huvudman", "värde saknas")
    start = parsed("start", parse_date, required=True)
    slut = parsed("slut", parse_date)
    if start and slut and slut < start:
        problem("slut", f"slutdatum {slut.isoformat()} är före startdatum {start.isoformat()}")
    epost = parsed("kontakt_epost", parse_email)
    kontaktperson = row.get("kontaktperson") or None
    if kontaktperson and not row.get("kontakt_epost"):
        problem("kontakt_epost", "kontaktpersonen saknar e-postadress (påminnelser skickas med e-post)")
    beviljade = parsed("beviljade_medel_kr", parse_amount)
    ekonomi: dict[int, dict[str, int]] = {}
    for column in row.values:
        if match := YEARLY.match(column):
            window = limits.current()
            if not window.earliest.year <= int(match.group(2)) <= window.latest.year:
                problem(column, f"året ligger utanför {window.earliest.year}–{window.latest.year}")
                continue
            amount = parsed(column, parse_amount)
            if amount is not None:
                ekonomi.setdefault(int(match.group(2)), {})[match.group(1)] = amount

    if len(problems) > before:
        return None
    return InsatsRad(
        line=row.line,
        namn=namn,
        inriktning=inriktning,  # type: ignore[arg-type]
        huvudman=huvudman,
        samverkansparter=_names(row.get("samverkansparter")),
        start=start,  # type: ignore[arg-type]
        slut=slut,
        diarienummer=row.get("diarienummer") or None,
        kontaktperson=kontaktperson,
        kontakt_epost=epost,
        kontakt_telefon=row.get("kontakt_telefon") or None,
        beviljade_medel_kr=beviljade,
        ekonomi=ekonomi,
    )


def read_insatser(path: Path) -> list[InsatsRad]:
    """Every row of the file, checked; InvalidInput listing every problem if any row is bad."""
    _header, rows = read_csv(path, required=REQUIRED, optional=OPTIONAL, optional_patterns=("budget_", "utfall_"))
    problems: list[InputProblem] = []
    parsed: list[InsatsRad] = []
    seen_dnr: dict[str, int] = {}
    seen_identity: dict[tuple[str, frozenset[str]], int] = {}
    for row in rows:
        rad = _parse_row(row, problems)
        if rad is None:
            continue
        if rad.diarienummer:
            if (first := seen_dnr.get(rad.diarienummer.casefold())) is not None:
                problems.append(
                    InputProblem(f"diarienumret finns redan på rad {first}", line=rad.line, column="diarienummer")
                )
            seen_dnr.setdefault(rad.diarienummer.casefold(), rad.line)
        if (first := seen_identity.get(rad.identity)) is not None:
            problems.append(
                InputProblem(f"samma namn och huvudman som rad {first}", line=rad.line, column="namn")
            )
        seen_identity.setdefault(rad.identity, rad.line)
        parsed.append(rad)
    for column, patterns in (("budget_", "budget"), ("utfall_", "utfall")):
        for name in _header:
            if name.startswith(column) and not YEARLY.match(name):
                problems.append(InputProblem(f"skriv kolumnen som {patterns}_ÅÅÅÅ_kr", line=1, column=name))
    if not parsed and not problems:
        problems.append(InputProblem("filen innehåller inga insatser"))
    if problems:
        raise InvalidInput(str(path), sorted(problems, key=lambda p: (p.line or 0)))
    return parsed


@dataclass
class ImportResult:
    nya: int = 0
    uppdaterade: int = 0
    oforandrade: int = 0
    deadlines: SyncResult = field(default_factory=SyncResult)


def _organisation(session: Session, cache: dict[str, Organisation], namn: str) -> Organisation:
    key = namn.casefold()
    if key not in cache:
        found = session.scalar(select(Organisation).where(Organisation.namn == namn))
        cache[key] = found or Organisation(namn=namn)
    return cache[key]


def _contact(session: Session, rad: InsatsRad) -> Kontaktperson | None:
    if not rad.kontakt_epost:
        return None
    person = session.scalar(select(Kontaktperson).where(Kontaktperson.epost == rad.kontakt_epost))
    if person is None:
        person = Kontaktperson(namn=rad.kontaktperson or rad.kontakt_epost, epost=rad.kontakt_epost)
        session.add(person)
    else:
        person.namn = rad.kontaktperson or person.namn
    if rad.kontakt_telefon:
        person.telefon = rad.kontakt_telefon
    return person


def _find_existing(session: Session, rad: InsatsRad, path: str) -> Insats | None:
    by_dnr = None
    if rad.diarienummer:
        by_dnr = session.scalar(select(Insats).where(Insats.diarienummer == rad.diarienummer))
    by_name = [
        i
        for i in session.scalars(select(Insats).where(Insats.namn == rad.namn))
        if frozenset(h.casefold() for h in i.huvudman) == rad.identity[1]
    ]
    if by_dnr is not None and by_name and by_name[0].id != by_dnr.id:
        raise InvalidInput(
            path,
            [
                InputProblem(
                    f"diarienumret tillhör insatsen '{by_dnr.namn}', men namn och huvudman tillhör en annan",
                    line=rad.line,
                    column="diarienummer",
                )
            ],
        )
    return by_dnr or (by_name[0] if by_name else None)


def _apply(session: Session, insats: Insats, rad: InsatsRad, orgs: dict[str, Organisation]) -> None:
    insats.namn = rad.namn
    insats.inriktning = rad.inriktning
    insats.start = rad.start
    insats.slut = rad.slut
    if rad.diarienummer:
        insats.diarienummer = rad.diarienummer
    if rad.beviljade_medel_kr is not None:
        insats.beviljade_medel_kr = rad.beviljade_medel_kr
    if (person := _contact(session, rad)) is not None:
        insats.kontaktperson = person
    wanted = [(Roll.HUVUDMAN, n) for n in rad.huvudman] + [(Roll.SAMVERKANSPART, n) for n in rad.samverkansparter]
    current = [(p.roll, p.organisation.namn) for p in insats.parter]
    if current != wanted:
        insats.parter.clear()
        session.flush()  # the old rows go before the new ones share their primary keys
        seen = set()
        for i, (roll, namn) in enumerate(wanted):
            org = _organisation(session, orgs, namn)
            if (roll, org.namn.casefold()) in seen:
                continue
            seen.add((roll, org.namn.casefold()))
            insats.parter.append(InsatsOrganisation(organisation=org, roll=roll, ordning=i))
    by_year = {e.ar: e for e in insats.ekonomi}
    for ar, values in rad.ekonomi.items():
        post = by_year.get(ar) or InsatsEkonomi(ar=ar)
        if post.id is None and ar not in by_year:
            insats.ekonomi.append(post)
        post.budget_kr = values.get("budget", post.budget_kr)
        post.utfall_kr = values.get("utfall", post.utfall_kr)


def _snapshot(insats: Insats) -> tuple[object, ...]:
    return (
        insats.namn,
        insats.inriktning,
        insats.tillstand,
        insats.start,
        insats.slut,
        insats.diarienummer,
        insats.beviljade_medel_kr,
        insats.kontaktperson and (insats.kontaktperson.namn, insats.kontaktperson.epost, insats.kontaktperson.telefon),
        [(p.roll, p.organisation.namn) for p in insats.parter],
        [(e.ar, e.budget_kr, e.utfall_kr) for e in insats.ekonomi],
    )


def import_insatser(
    session: Session, kontext: Kontext, path: Path, regler: Regler, *, as_of: date
) -> ImportResult:
    """Read, check and write the file. Deadlines due before `as_of` are stored but not chased."""
    rader = read_insatser(path)
    result = ImportResult()
    orgs: dict[str, Organisation] = {}
    for rad in rader:
        insats = _find_existing(session, rad, str(path))
        is_new = insats is None
        if insats is None:
            insats = Insats(namn=rad.namn, inriktning=rad.inriktning, tillstand=Tillstand.BEVILJAD)
            session.add(insats)
        before = None if is_new else _snapshot(insats)
        _apply(session, insats, rad, orgs)
        if insats.tillstand is not Tillstand.SLUTREDOVISAD:
            insats.tillstand = running_state(rad.start, rad.slut, as_of)
        session.flush()
        modified = is_new or _snapshot(insats) != before
        sync = sync_deadlines(
            session, insats, regler, kontext, as_of=as_of, orsak=f"import från {path.name}", bevaka_passerade=False
        )
        result.deadlines += sync
        if is_new:
            result.nya += 1
        elif modified or sync.changed:
            result.uppdaterade += 1
        else:
            result.oforandrade += 1
    return result
