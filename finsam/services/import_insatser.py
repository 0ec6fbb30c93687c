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
from sqlalchemy.orm import Session, selectinload

from finsam.audit import Kontext
from finsam.domain.enums import Inriktning, Roll, Tillstand
from finsam.domain.lifecycle import running_state
from finsam.db import insert_rows
from finsam.domain.identity import identity_key, same
from finsam.domain.model import (
    Anslag, Deadline, DeadlineAndring, Insats, InsatsEkonomi, InsatsOrganisation, Kontaktperson, Organisation, Utbetalning,
)
from finsam.domain import limits
from finsam.domain.limits import max_length
from finsam.domain import grants
from finsam.domain.parsing import paragraph_text, parse_amount, parse_date, parse_email, parse_position, plain_text, shown
from finsam.domain.rules_config import Regler
from finsam.errors import InputProblem, InvalidInput
from finsam.services.deadlines import SyncResult, first_deadlines, sync_deadlines
from finsam.services.tabular import CsvRow, read_csv

IMPORT = "import"  # Utbetalning.kalla of a payment the file gives (per year, no date)

REQUIRED = {"namn", "inriktning", "huvudman", "start"}
OPTIONAL = {
    "samverkansparter",
    "slut",
    "diarienummer",
    "kontaktperson",
    "kontakt_epost",
    "kontakt_telefon",
    "beviljade_medel_kr",
    "egen_insats",
    "huvudman_andel",
    # What the annual report's Bilaga 1 says of the insats (finsam.services.arsredovisning), and its place there.
    "syfte",
    "mal",
    "deltagarregistrering",
    "specifik_malgrupp",
    "ordning",
}
# Per year: the budget and utfall (the annual report's), the grant as the beslut states it, what the förbund paid out.
YEARLY = re.compile(r"^(budget|utfall|beviljat|utbetalt)_(\d{4})_kr$")
YEARLY_PREFIXES = ("budget_", "utfall_", "beviljat_", "utbetalt_")
YES, NO = {"ja", "j", "x", "1", "true", "sant"}, {"nej", "n", "0", "false", "falskt", ""}
# Each text column and the database column that stores it (whose length bounds it).
TEXT_COLUMNS = {
    "namn": Insats.namn, "huvudman": Organisation.namn, "samverkansparter": Organisation.namn,
    "kontaktperson": Kontaktperson.namn, "diarienummer": Insats.diarienummer, "kontakt_telefon": Kontaktperson.telefon,
    "deltagarregistrering": Insats.deltagarregistrering, "specifik_malgrupp": Insats.specifik_malgrupp,
}
# Texts of a few paragraphs (a cell of the annual report), bounded here as the columns are not.
BILAGA_TEXTS = {"syfte": 2000, "mal": 2000}
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
    egen: bool | None = None  # the förbund's own insats (column egen_insats); None: as stored, else not
    bilaga: dict[str, object] = field(default_factory=dict)  # syfte, mal, … for Bilaga 1: only the columns given
    andelar: list[int] | None = None  # each huvudman's share in percent, in the order they are named

    def stated(self, kind: str) -> dict[int, int]:
        """The row's amounts of one kind per year (beviljat, utbetalt, budget, utfall)."""
        return {ar: values[kind] for ar, values in self.ekonomi.items() if kind in values}

    @property
    def identity(self) -> tuple[str, frozenset[str]]:
        return (identity_key(self.namn), frozenset(identity_key(h) for h in self.huvudman))


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

    egen = None
    if (text := row.get("egen_insats")) is not None and text.strip():
        if text.strip().lower() not in YES | NO:
            problem("egen_insats", f"'{shown(text.strip())}' ska vara ja eller nej")
        else:
            egen = text.strip().lower() in YES
    andelar = None
    if text := row.get("huvudman_andel"):
        try:
            andelar = [int(part.strip().removesuffix("%").strip()) for part in text.split(";")]
        except ValueError:
            problem("huvudman_andel", f"'{shown(text)}' ska vara procent per huvudman, t.ex. 50;50")
        else:
            if len(andelar) != len(huvudman) or sum(andelar) != 100 or min(andelar) < 0:
                problem("huvudman_andel", f"{len(huvudman)} huvudmän ska ha var sin andel i procent som tillsammans är 100 "
                                          f"(står: {shown(text)})")
    bilaga: dict[str, object] = {}
    for column, limit in BILAGA_TEXTS.items():
        if text := row.get(column):
            try:
                bilaga[column] = paragraph_text(text, limit)
            except ValueError as e:
                problem(column, str(e))
    for column in ("deltagarregistrering", "specifik_malgrupp"):
        if text := row.get(column):
            bilaga[column] = text
    if (ordning := parsed("ordning", parse_position)) is not None:
        bilaga["ordning"] = ordning
    stated = {ar: values["beviljat"] for ar, values in ekonomi.items() if "beviljat" in values}
    if start and stated:
        for text in grants.check_stated(stated, beviljade, start, slut):
            problem("beviljat_ÅÅÅÅ_kr", text)
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
        beviljade_medel_kr=beviljade if beviljade is not None or not stated else sum(stated.values()),
        ekonomi=ekonomi,
        egen=egen,
        andelar=andelar,
        bilaga=bilaga,
    )


def read_insatser(path: Path) -> list[InsatsRad]:
    """Every row of the file, checked; InvalidInput listing every problem if any row is bad."""
    _header, rows = read_csv(path, required=REQUIRED, optional=OPTIONAL, optional_patterns=YEARLY_PREFIXES)
    problems: list[InputProblem] = []
    parsed: list[InsatsRad] = []
    seen_dnr: dict[str, int] = {}
    seen_identity: dict[tuple[str, frozenset[str]], int] = {}
    for row in rows:
        rad = _parse_row(row, problems)
        if rad is None:
            continue
        if rad.diarienummer:
            if (first := seen_dnr.get(identity_key(rad.diarienummer))) is not None:
                problems.append(
                    InputProblem(f"diarienumret finns redan på rad {first}", line=rad.line, column="diarienummer")
                )
            seen_dnr.setdefault(identity_key(rad.diarienummer), rad.line)
        if (first := seen_identity.get(rad.identity)) is not None:
            problems.append(
                InputProblem(f"samma namn och huvudman som rad {first}", line=rad.line, column="namn")
            )
        seen_identity.setdefault(rad.identity, rad.line)
        parsed.append(rad)
    for prefix in YEARLY_PREFIXES:
        for name in _header:
            if name.startswith(prefix) and not YEARLY.match(name):
                problems.append(InputProblem(f"skriv kolumnen som {prefix}ÅÅÅÅ_kr", line=1, column=name))
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
    # Rows whose huvudman is the förbund itself but that the file does not mark (egen_insats): they are chased
    # like anyone's until the kansli marks them; named so it can.
    forbundet_huvudman: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """What the import did, in one sentence (the CLI prints it, the run form logs it)."""
        return (f"{self.nya} nya, {self.uppdaterade} uppdaterade, {self.oforandrade} oförändrade insatser; deadlines: "
                f"{self.deadlines.skapade} nya, {self.deadlines.andrade} ändrade, {self.deadlines.makulerade} makulerade.")

    def notice(self) -> str | None:
        """Rows whose huvudman is the förbund but that the file does not mark as its own, named."""
        if not self.forbundet_huvudman:
            return None
        return (f"Obs: förbundet är huvudman för {len(self.forbundet_huvudman)} insatser som filen inte markerar som "
                f"egna ({', '.join(self.forbundet_huvudman)}); de bevakas som andras tills kolumnen egen_insats säger ja.")


class _Known:
    """What the file's rows refer to, loaded in a few queries before any row is applied: insatser with one
    of the file's diarienummer or names (with their parts, economy, deadlines and their history),
    organisations by name and contact persons by address. Kept current as rows change them, so each row
    finds what a query at that point would find, without a query (or a flush) per row."""

    def __init__(self, session: Session, rader: list[InsatsRad]) -> None:
        self.session = session
        insatser: dict[int, Insats] = {}
        # By the keys every door compares (finsam.domain.identity): an Excel round trip finds the same insats.
        for column, values in ((Insats.diarienummer_nyckel, {identity_key(r.diarienummer) for r in rader if r.diarienummer}),
                               (Insats.namn_nyckel, {identity_key(r.namn) for r in rader})):
            for chunk in _chunks(values):
                insatser.update((i.id, i) for i in session.scalars(_with_what_an_import_touches().where(column.in_(chunk))))
        self.by_dnr: dict[str, Insats] = {}
        self.by_name: dict[str, list[Insats]] = {}
        for insats in sorted(insatser.values(), key=lambda i: i.id):
            self._index(insats)
        names = {identity_key(n) for r in rader for n in (*r.huvudman, *r.samverkansparter)}
        self.organisations = {
            o.namn_nyckel: o
            for chunk in _chunks(names) for o in session.scalars(select(Organisation).where(Organisation.namn_nyckel.in_(chunk)))
        }
        self.orgs_by_key: dict[str, Organisation] = {}
        emails = {r.kontakt_epost for r in rader if r.kontakt_epost}
        self.contacts = {
            p.epost: p
            for chunk in _chunks(emails)
            for p in session.scalars(select(Kontaktperson).where(Kontaktperson.epost.in_(chunk)))
        }

    def _index(self, insats: Insats) -> None:
        if insats.diarienummer:
            self.by_dnr[identity_key(insats.diarienummer)] = insats
        self.by_name.setdefault(identity_key(insats.namn), []).append(insats)

    def renamed(self, insats: Insats, namn: str, diarienummer: str | None) -> None:
        """A row changed `insats`, known until then by `namn` and `diarienummer`."""
        if diarienummer and self.by_dnr.get(identity_key(diarienummer)) is insats:
            del self.by_dnr[identity_key(diarienummer)]
        if insats in self.by_name.get(identity_key(namn), []):
            self.by_name[identity_key(namn)].remove(insats)
        self._index(insats)

    def find(self, rad: InsatsRad, path: str) -> Insats | None:
        by_dnr = self.by_dnr.get(identity_key(rad.diarienummer)) if rad.diarienummer else None
        by_name = [
            i for i in self.by_name.get(rad.identity[0], [])
            if frozenset(identity_key(h) for h in i.huvudman) == rad.identity[1]
        ]
        if by_dnr is not None and by_name and by_name[0] is not by_dnr:
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

    def parts(self, rad: InsatsRad) -> list[tuple[Roll, Organisation, int]]:
        """The row's huvudmän and samverkansparter in order (role, organisation, place), each once."""
        wanted = [(Roll.HUVUDMAN, n) for n in rad.huvudman] + [(Roll.SAMVERKANSPART, n) for n in rad.samverkansparter]
        parts, seen = [], set()
        for i, (roll, namn) in enumerate(wanted):
            key = identity_key(namn)
            if key not in self.orgs_by_key:
                org = self.organisations.get(key)
                if org is None:
                    org = Organisation(namn=namn)
                    self.session.add(org)
                self.orgs_by_key[key] = org
            org = self.orgs_by_key[key]
            if (roll, key) not in seen:
                seen.add((roll, key))
                parts.append((roll, org, i))
        return parts

    def contact(self, rad: InsatsRad) -> Kontaktperson | None:
        if not rad.kontakt_epost:
            return None
        person = self.contacts.get(rad.kontakt_epost)
        if person is None:
            person = Kontaktperson(namn=rad.kontaktperson or rad.kontakt_epost, epost=rad.kontakt_epost)
            self.session.add(person)
            self.contacts[rad.kontakt_epost] = person
        else:
            person.namn = rad.kontaktperson or person.namn
        if rad.kontakt_telefon:
            person.telefon = rad.kontakt_telefon
        return person


def _with_what_an_import_touches():  # type: ignore[no-untyped-def]
    return select(Insats).options(
        selectinload(Insats.ekonomi), selectinload(Insats.anslag), selectinload(Insats.utbetalningar), selectinload(Insats.deadlines).selectinload(Deadline.historik)
    )


def _chunks(values: set[str], size: int = 500) -> list[list[str]]:
    """IN lists of a size every database takes."""
    ordered = sorted(values)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def _fields(rad: InsatsRad) -> dict[str, object]:
    """The columns of the insats the row gives (an empty diarienummer, amount or egen_insats keeps what is stored)."""
    fields: dict[str, object] = {"namn": rad.namn, "inriktning": rad.inriktning, "start": rad.start, "slut": rad.slut}
    if rad.egen is not None:
        fields["egen"] = rad.egen
    if rad.diarienummer:
        fields["diarienummer"] = rad.diarienummer
    if rad.beviljade_medel_kr is not None:
        fields["beviljade_medel_kr"] = rad.beviljade_medel_kr
    fields.update(rad.bilaga)  # an empty syfte, mål, … keeps what is stored (an ansökan's, an earlier import's)
    return fields


def _apply(insats: Insats, rad: InsatsRad, known: _Known) -> None:
    for key, value in _fields(rad).items():
        if key in ("namn", "diarienummer") and same(getattr(insats, key), value):
            continue  # the same name as stored, but for an invisible difference (Excel): kept as first written
        setattr(insats, key, value)
    if (person := known.contact(rad)) is not None:
        insats.kontaktperson = person
    wanted = [(Roll.HUVUDMAN, n) for n in rad.huvudman] + [(Roll.SAMVERKANSPART, n) for n in rad.samverkansparter]
    if [(p.roll, identity_key(p.organisation.namn)) for p in insats.parter] != [(r, identity_key(n)) for r, n in wanted]:
        # A part that stays keeps its row (its place may change) and one that goes is deleted: deleting them
        # all and adding them again would need a flush in between, as the new rows would share the old keys.
        kept = {(p.roll, identity_key(p.organisation.namn)): p for p in insats.parter}
        parter = []
        for roll, org, ordning in known.parts(rad):
            part = kept.pop((roll, identity_key(org.namn)), None) or InsatsOrganisation(organisation=org, roll=roll)
            part.ordning = ordning
            parter.append(part)
        insats.parter = parter
    for part, andel in zip([p for p in insats.parter if p.roll is Roll.HUVUDMAN], rad.andelar or [], strict=False):
        part.andel_procent = andel
    by_year = {e.ar: e for e in insats.ekonomi}
    for ar, values in rad.ekonomi.items():
        if not {"budget", "utfall"} & set(values):
            continue
        post = by_year.get(ar) or InsatsEkonomi(ar=ar)
        if post.id is None and ar not in by_year:
            insats.ekonomi.append(post)
        post.budget_kr = values.get("budget", post.budget_kr)
        post.utfall_kr = values.get("utfall", post.utfall_kr)
    # The file's grant and payments per year replace what an earlier import said for those years; a board
    # decision's own amounts stay.
    beviljat, utbetalt = rad.stated("beviljat"), rad.stated("utbetalt")
    insats.anslag = [a for a in insats.anslag if a.beslut_id is not None or a.ar not in beviljat] + [
        Anslag(slag=grants.SLAG_BEVILJAT, ar=ar, belopp_kr=belopp) for ar, belopp in beviljat.items()]
    insats.utbetalningar = [u for u in insats.utbetalningar if u.kalla != IMPORT or u.ar not in utbetalt] + [
        Utbetalning(ar=ar, belopp_kr=belopp, kalla=IMPORT) for ar, belopp in utbetalt.items()]


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
        insats.egen,
        (insats.syfte, insats.mal, insats.deltagarregistrering, insats.specifik_malgrupp, insats.ordning),
        [p.andel_procent for p in insats.parter],
        sorted((a.slag, a.ar, a.belopp_kr, a.beslut_id) for a in insats.anslag),
        sorted((u.kalla, u.ar, u.belopp_kr, u.datum) for u in insats.utbetalningar),
    )


@dataclass
class _New:
    """A row that becomes a new insats: written in bulk once the rows it refers to have their ids."""

    rad: InsatsRad
    kontaktperson: Kontaktperson | None
    parter: list[tuple[Roll, Organisation, int]]


def _insert_new(session: Session, kontext: Kontext, nya: list[_New], regler: Regler, *, as_of: date, orsak: str) -> int:
    """The new insatser with their parts, economy and deadlines (as `sync_deadlines` would plan them), in
    a few bulk inserts, audited; returns the number of deadlines."""
    insatser = insert_rows(session, Insats, [
        {**_fields(n.rad), "egen": bool(n.rad.egen), "tillstand": running_state(n.rad.start, n.rad.slut, as_of),
         "kontaktperson_id": n.kontaktperson.id if n.kontaktperson else None,
         # Past the unit of work, so past the model's validators: the keys every door compares, written here.
         "namn_nyckel": identity_key(n.rad.namn)[:300],
         "diarienummer_nyckel": identity_key(n.rad.diarienummer)[:50] if n.rad.diarienummer else None}
        for n in nya
    ])
    parter, ekonomi, anslag, utbetalningar, deadlines, changes = [], [], [], [], [], []
    for n, insats in zip(nya, insatser, strict=True):
        andelar = iter(n.rad.andelar or [])
        parter += [{"insats_id": insats["id"], "organisation_id": org.id, "roll": roll, "ordning": ordning,
                    "andel_procent": next(andelar, None) if roll is Roll.HUVUDMAN else None}
                   for roll, org, ordning in n.parter]
        ekonomi += [{"insats_id": insats["id"], "ar": ar, "budget_kr": values.get("budget"), "utfall_kr": values.get("utfall")}
                    for ar, values in n.rad.ekonomi.items() if {"budget", "utfall"} & set(values)]
        anslag += [{"insats_id": insats["id"], "beslut_id": None, "slag": grants.SLAG_BEVILJAT, "ar": ar, "belopp_kr": belopp}
                   for ar, belopp in n.rad.stated("beviljat").items()]
        utbetalningar += [{"insats_id": insats["id"], "datum": None, "ar": ar, "belopp_kr": belopp, "kalla": IMPORT,
                           "registrerad_av": None} for ar, belopp in n.rad.stated("utbetalt").items()]
        for deadline, change in first_deadlines(
            regler, kontext, tillstand=insats["tillstand"], start=insats["start"], slut=insats["slut"],
            rapportschema=insats["rapportschema"], as_of=as_of, orsak=orsak, bevaka_passerade=False,
        ):
            deadlines.append({**deadline, "insats_id": insats["id"]})
            changes.append(change)
    insert_rows(session, InsatsOrganisation, parter)
    insert_rows(session, InsatsEkonomi, ekonomi)
    insert_rows(session, Anslag, anslag)
    insert_rows(session, Utbetalning, utbetalningar)
    for deadline, change in zip(insert_rows(session, Deadline, deadlines), changes, strict=True):
        change["deadline_id"] = deadline["id"]
    insert_rows(session, DeadlineAndring, changes)
    return len(deadlines)


def import_insatser(
    session: Session, kontext: Kontext, path: Path, regler: Regler, *, as_of: date
) -> ImportResult:
    """Read, check and write the file. Deadlines due before `as_of` are stored but not chased.

    What the rows refer to is loaded first, in a few queries, and every row is applied in memory: changes
    to insatser already stored through the unit of work, in one flush; new insatser, with their deadlines,
    in bulk inserts (finsam.db.insert_rows). Both are audited, in the caller's one transaction.
    """
    rader = read_insatser(path)
    orsak = f"import från {path.name}"
    result = ImportResult()
    nya: list[_New] = []
    session.flush()  # what the caller has pending is there for the queries below to find
    with session.no_autoflush:  # nothing is read back until every row is applied
        known = _Known(session, rader)
        for rad in rader:
            insats = known.find(rad, str(path))
            if rad.egen is None and not (insats is not None and insats.egen) and any(
                    same(h, regler.forbund.namn) for h in rad.huvudman):
                result.forbundet_huvudman.append(rad.namn)
            if insats is None:
                nya.append(_New(rad, known.contact(rad), known.parts(rad)))
                continue
            before, was = _snapshot(insats), (insats.namn, insats.diarienummer)
            _apply(insats, rad, known)
            if insats.tillstand is not Tillstand.SLUTREDOVISAD:
                insats.tillstand = running_state(rad.start, rad.slut, as_of)
            known.renamed(insats, *was)
            sync = sync_deadlines(session, insats, regler, kontext, as_of=as_of, orsak=orsak, bevaka_passerade=False)
            result.deadlines += sync
            if _snapshot(insats) != before or sync.changed:
                result.uppdaterade += 1
            else:
                result.oforandrade += 1
    session.flush()  # the changes, and the organisations and contact persons the new insatser refer to
    result.nya = len(nya)
    result.deadlines.skapade += _insert_new(session, kontext, nya, regler, as_of=as_of, orsak=orsak)
    return result
