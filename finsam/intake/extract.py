"""Reading the fields of a delrapport or slutrapport from its text, as the förbund's templates label them.

Real documents are messy: labels and values on the same or the next line, two labels side by
side with their values on one line below, ranges written `20191001 - 20200430` or
`2019-12-01 – 2021-12-31`, amounts `580 690 kr` or `2530000 Kr`, and scanned text that lost
å/ä/ö or changed letters (`Allmanna uppgifter`, `genomférande`). Labels are therefore found by
comparing a folded form of each line (no diacritics, lower case) with a similarity threshold.
Each field says how sure it is; a field not found is reported missing, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz

from finsam.domain.parsing import parse_amount, parse_date
from finsam.intake.economics import Ekonomitabell, read_economics
from finsam.intake.limits import Budget
from finsam.intake.scanned import looks_scanned, restore
from finsam.intake.sections import checklist_flags, checklist_from_text, goals, heading_number, headings, sections
from finsam.intake.text import Falt, Line, Sakerhet, fold
from finsam.intake.wordform import CheckRow, FormRead, Pair


FIELDS = (
    "typ", "diarienummer", "insatsens_namn", "organisation", "kontaktperson", "kontakt_epost",
    "insatstid_start", "insatstid_slut", "period_start", "period_slut",
    "beviljade_medel_kr", "utnyttjade_medel_kr", "inkom",
)
# Read by finsam.intake.economics: the slutrapport's funds and the free texts the board reads.
MONEY_FIELDS = ("aterbetalning_kr", "medel_helt_utnyttjade", "avvikelser", "styrgruppens_analys")


@dataclass
class Extraction:
    fields: dict[str, Falt] = field(default_factory=dict)
    ekonomi: Ekonomitabell | None = None  # a delrapport's table (4.6)
    varningar: list[str] = field(default_factory=list)  # what the report's figures contradict
    sektioner: dict[str, str] = field(default_factory=dict)  # each numbered section's text, by its number
    rubriker: dict[str, str] = field(default_factory=dict)  # each numbered section's heading, by its number
    uppgiftslamnare: dict[str, str | None] | None = None  # a slutrapport's 8 Uppgiftslämnare: datum, namn
    skannad: bool = False  # the text came from a scan (no å/ä/ö): restored where sure, to be checked
    skannade_ord: dict[str, str] = field(default_factory=dict)  # each word restored, as read → as restored
    checklista: list[CheckRow] = field(default_factory=list)  # section 5, line by line

    @property
    def checklista_flaggor(self) -> list[str]:
        return checklist_flags(self.checklista, self.sektioner)

    @property
    def ofullstandig(self) -> list[str]:
        """What the report lacks to be a finished one, as the kvittens names it (empty: complete)."""
        lacks = []
        if self.get("typ") == "slutrapport":
            for name, words in (("beviljade_medel_kr", "beviljade medel"), ("utnyttjade_medel_kr", "utnyttjade medel")):
                if self.get(name) is None:
                    lacks.append(f"{words} (avsnitt 7, ekonomiuppföljning)")
        elif self.get("typ") == "delrapport":
            if self.ekonomi is None or self.ekonomi.summa_utfall_kr is None:
                lacks.append("ekonomirapporten (4.6) med summa för budget och utfall")
            unanswered = [c.rad for c in self.checklista if c.svar is None]
            if unanswered:
                lacks.append("svar i checklistan (avsnitt 5): " + "; ".join(unanswered))
        return lacks

    def get(self, name: str) -> object:
        item = self.fields.get(name)
        return item.value if item else None

    @property
    def missing(self) -> list[str]:
        expected = [f for f in FIELDS if f not in ("period_start", "period_slut", "utnyttjade_medel_kr")]
        missing = []
        if self.get("typ") == "delrapport":
            expected += ["period_start", "period_slut"]
            # A table without its Summa (an empty form's) is no economic report: missing, not zero.
            has_sum = self.ekonomi is not None and self.ekonomi.summa_utfall_kr is not None
            missing += [] if has_sum else ["ekonomi"]
        elif self.get("typ") == "slutrapport":
            expected += ["utnyttjade_medel_kr", "aterbetalning_kr"]
        return [f for f in expected if f not in self.fields] + missing

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for name in FIELDS:
            value = self.get(name)
            out[name] = value.isoformat() if isinstance(value, date) else value
        out["ekonomi"] = self.ekonomi.as_json() if self.ekonomi else None
        for name in MONEY_FIELDS:
            out[name] = self.get(name)
        out["sakerhet"] = {name: f.sakerhet.value for name, f in self.fields.items()}
        if self.ekonomi:
            out["sakerhet"]["ekonomi"] = self.ekonomi.sakerhet.value
        out["saknas"] = self.missing
        out["varningar"] = self.alla_varningar
        out["sektioner"] = self.sektioner
        out["rubriker"] = self.rubriker
        out["checklista"] = [{"avsnitt": c.avsnitt, "rad": c.rad, "svar": c.svar} for c in self.checklista]
        out["checklista_flaggor"] = self.checklista_flaggor
        out["ofullstandig"] = self.ofullstandig
        out["maluppfyllelse"] = goals(self.sektioner.get("5.1", "")) if self.get("typ") == "slutrapport" else []
        out["uppgiftslamnare"] = self.uppgiftslamnare
        out["skannad"] = self.skannad
        out["skannade_ord"] = self.skannade_ord
        return out

    @property
    def alla_varningar(self) -> list[str]:
        """Every warning about the report's figures: the table's and the funds'."""
        return (self.ekonomi.varningar if self.ekonomi else []) + self.varningar


# The templates' labels (folded). A value belongs to the label it follows.
LABELS: dict[str, tuple[str, ...]] = {
    "diarienummer": ("diarienummer",),
    "inkom": ("ankomstdatum", "registreringsdatum"),
    "insatsens_namn": ("insatsens namn",),
    "insatstid": ("insatstid - aaaa-mm-dd", "planerad insatstid - aaaa-mm-dd", "insatstid"),
    "period": ("delrapporten galler for perioden",),
    "beviljade_medel_kr": (
        "totalt beviljade medel fran samordningsforbund gavleborg for insatsen",
        "totalt beviljade medel",
        "beviljade medel for insatsen",
    ),
    "utnyttjade_medel_kr": ("utnyttjade medel",),
    "organisation": ("organisations namn",),
    "kontaktperson": ("namn - kontaktperson for insatsagare", "kontaktperson for insatsagare"),
    "kontakt_epost": ("e-postadress",),
}
# Labels that sit beside the ones above on the same line; their values come second.
NEIGHBOURS = ("signatur", "arbetsstallets namn", "mobiltelefonnummer", "postadress")
# Every other label of the templates: a text that is one of these is a label, never a value.
OTHER_LABELS = ("postnummer", "registreringsdatum", "ankomstdatum", "datum", "underskrift", "namn", "organisation",
                "kostnadsslag", "budget", "utfall", "summa", "organisations och arbetsstallets namn")
ALL_LABELS = frozenset({v for variants in LABELS.values() for v in variants} | set(NEIGHBOURS) | set(OTHER_LABELS))
# The templates' own help texts and the placeholders of empty fields (folded): no value either.
HELP_TEXTS = ("ange ", "fyll i", "klicka eller tryck har", "klicka har", "skriv har", "beskriv ", "redovisa ",
              "valj ett objekt", "om ni angett nej")
THRESHOLD = 86


def is_label(text: str) -> bool:
    """Whether a text (a table cell, a line) is one of the templates' labels, as written or scanned."""
    folded = fold(text).rstrip(":;. ").strip()
    if not folded or len(folded) > 90:
        return False
    if folded in ALL_LABELS:
        return True
    return any(fuzz.ratio(folded, label) >= THRESHOLD for label in ALL_LABELS if abs(len(label) - len(folded)) <= 6)


def no_value(text: str) -> bool:
    """A label (or a text that starts with one), a help text or an empty field's placeholder is no value."""
    folded = fold(text).strip()
    if not folded or folded.strip("-_. ") == "":
        return True
    if folded.startswith(HELP_TEXTS) or is_label(text):
        return True
    first = folded.split(":")[0] if ":" in folded[:90] else None
    return first is not None and first.strip() in ALL_LABELS

# Bounds on the work per line. The value patterns below (amounts, e-mail addresses, phone numbers)
# backtrack: on a run of n digits or letters that lacks the ending they look for (`kr`, `@…`), one
# search costs about n² steps, so one 20 KB line of digits after "Utnyttjade medel" took half a
# minute. The templates' labels start their lines and their values are short (a name, a date range,
# an amount), so a label is looked for only in a line's first LABEL_WINDOW characters, and a value
# only in the first VALUE_WINDOW characters after its label or of the line below it. A pattern search
# then costs at most VALUE_WINDOW² steps, each line is looked at a bounded number of times (as a
# label line and as one of the three lines below a label), and a document's cost is linear in its length.
LABEL_WINDOW = 200  # the longest label is 70 characters folded
VALUE_WINDOW = 300  # the shared reports' longest line is under 120 characters

DIARIENUMMER = re.compile(r"\b[A-ZÅÄÖ]{2,6}\s?\d{2}-\d{1,4}(?:\.\d{1,4})?\b")
DATE = r"(\d{4}-\d{2}-\d{2}|\d{8})"
RANGE = re.compile(DATE + r"\s*(?:-|–|—|till|to)\s*" + DATE)
SINGLE_DATE = re.compile(r"\b" + DATE + r"\b")
AMOUNT = re.compile(r"(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[,.]\d{2})?\s*(?:kr|sek)\b", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\s+(?:\+?\d[\d\s-]{5,}\d)(?:,\s*\+?\d[\d\s-]{5,}\d)*\s*$")
ORGANISATION = re.compile(
    r"^(.*?\b(?:kommun|region \w+|arbetsformedlingen|forsakringskassan|samordningsforbund \w+))\b", re.IGNORECASE
)


def _label_at(line: Line, budget: Budget) -> tuple[str, str, bool] | None:
    """(field, the original text after the label, exact?) if the line starts with a known label.

    Compared word by word, so a scanned label whose letters changed (`narnn` for `namn`) still
    ends where the label ends. Only the line's first LABEL_WINDOW characters are looked at: a head
    longer than that is too unlike any label to pass THRESHOLD anyway.
    """
    words = [w.rstrip(":;") for w in line.folded[:LABEL_WINDOW].split()]  # "Diarienummer:" is the label too
    best: tuple[float, int, str] | None = None  # (score, words in the label, field)
    for name, variants in LABELS.items():
        for variant in variants:
            n = len(variant.split())
            if len(words) < n:
                continue
            head = " ".join(words[:n])
            budget.comparisons += 1
            score = 100.0 if head == variant else fuzz.ratio(head, variant)
            if score >= THRESHOLD and (best is None or (score, n) > (best[0], best[1])):
                best = (score, n, name)
    if best is None:
        return None
    score, n, name = best
    head_text = line.text[: 2 * LABEL_WINDOW + VALUE_WINDOW] + " "  # folding can shorten a text, never lengthen it much
    skip = re.match(r"\s*(?:\S+\s+){%d}" % n, head_text)
    rest = head_text[skip.end():].strip()[:VALUE_WINDOW] if skip else ""
    return name, rest.lstrip(":;.- ").strip(), score == 100.0


def _strip_neighbours(rest: str) -> str:
    folded = fold(rest)
    for neighbour in NEIGHBOURS:
        if folded.startswith(neighbour) or fold(rest).endswith(neighbour):
            return ""
    return rest


def _value(name: str, text: str, nth: int = 0) -> object | None:
    """A value of the field's form in `text` (the `nth` one, for values side by side), or None (a label or a help
    text is no value, whatever its form)."""
    if no_value(text):
        return None
    if name == "diarienummer":
        match = DIARIENUMMER.search(text)
        return " ".join(match.group(0).split()) if match else None
    if name in ("insatstid", "period"):
        matches = list(RANGE.finditer(text))
        match = matches[nth] if len(matches) > nth else None
        if not match:
            return None
        try:
            return parse_date(match.group(1)), parse_date(match.group(2))
        except ValueError:
            return None
    if name == "inkom":
        match = SINGLE_DATE.search(text)
        try:
            return parse_date(match.group(1)) if match else None
        except ValueError:
            return None
    if name in ("beviljade_medel_kr", "utnyttjade_medel_kr"):
        match = AMOUNT.search(text)
        if not match:
            return None
        try:
            return parse_amount(match.group(0).replace(",00", "").replace(".00", ""))
        except ValueError:
            return None
    if name == "kontakt_epost":
        match = EMAIL.search(text)
        return match.group(0) if match else None
    if name == "organisation":
        value = re.split(r"\s{2,}", text.strip())[0]
        match = ORGANISATION.match(fold(value))
        return value[: len(match.group(1))].strip() if match else (value or None)
    if name == "kontaktperson":
        value = re.split(r"\s{2,}", text.strip())[0]
        value = PHONE.sub("", value).strip()
        return value or None
    if name == "insatsens_namn":
        value = text.strip()
        return value or None
    return None


def _typ(lines: list[Line]) -> Falt | None:
    for line in lines[:8]:
        for typ in ("slutrapport", "delrapport"):
            if line.folded.startswith(typ):
                return Falt(typ, Sakerhet.SAKER, line.number)
            if fuzz.ratio(line.folded[: len(typ)], typ) >= THRESHOLD:
                return Falt(typ, Sakerhet.TROLIG, line.number)
    return None


def _from_pairs(result: Extraction, pairs: list[Pair], budget: Budget) -> set[str]:
    """The fields of a Word form's tables, each value exactly as it stood under or beside its own label. Returns
    the fields the form decided (found, or left empty: then they are missing, not looked for elsewhere)."""
    decided: set[str] = set()
    for pair in pairs:
        found = _label_at(Line(0, pair.label, fold(pair.label)), budget)
        if found is None:
            continue
        name, rest, exact = found
        if rest or name in _done(result, name):
            continue
        decided.add(name)
        value = _value(name, pair.value) if pair.value else None
        if value is None:
            if pair.value and not no_value(pair.value):
                result.varningar.append(f"{pair.label}: '{pair.value[:80]}' är inte ett giltigt värde för fältet")
            continue
        _store(result, name, value, Sakerhet.SAKER if exact else Sakerhet.TROLIG, 0)
    return decided


def extract(text: str, budget: Budget | None = None, form: FormRead | None = None) -> Extraction:
    """The fields of a report's text. `budget` bounds the time (checked line by line) and tallies the work.
    `form`, for a Word form, gives its label/value pairs and checklist: they come first, read by structure."""
    budget = budget or Budget("dokumentet")
    lines = []
    for i, raw in enumerate(text.splitlines(), start=1):
        if i % 256 == 0:
            budget.check()
        lines.append(Line(i, raw, fold(raw)))
    content = [line for line in lines if line.folded]
    result = Extraction()
    if (typ := _typ(content)) is not None:
        result.fields["typ"] = typ
    decided = _from_pairs(result, form.pairs, budget) if form is not None else set()
    for index, line in enumerate(content):
        budget.check()
        found = _label_at(line, budget)
        if found is None:
            continue
        name, rest, exact = found
        # Two labels side by side (a form's row as a PDF prints it): their values stand side by side below.
        # (A label is short: a long rest is a value, never looked at as a label.)
        second = _label_at(Line(line.number, rest, fold(rest)), budget) if rest and len(rest) <= 90 else None
        side_by_side = [(name, exact, 0)] + ([(second[0], second[2], 1)] if second and not second[1] else [])
        if all(n in _done(result, n) or n in decided for n, _, _ in side_by_side):
            continue  # nothing here still to find: no more work on this line
        following = []
        for below in content[index + 1 : index + 4]:  # otherwise the value is on one of the next lines
            if _label_at(below, budget) is not None:
                break
            following.append((below, below.text[:VALUE_WINDOW]))
        for field_name, field_exact, nth in side_by_side:
            if field_name in _done(result, field_name) or field_name in decided:
                continue
            sure = Sakerhet.SAKER if field_exact else Sakerhet.TROLIG
            candidates = ([] if len(side_by_side) > 1 else [(line, _strip_neighbours(rest))]) + following
            for source, text_ in candidates:
                value = _value(field_name, budget.searching(text_), nth) if text_ else None
                if value is None:
                    continue
                _store(result, field_name, value, sure, source.number)
                break
    if "diarienummer" not in result.fields:
        # A diarienummer anywhere near the top, e.g. where the label was lost in scanning.
        for line in content[:25]:
            if match := DIARIENUMMER.search(line.text):  # bounded repeats: linear in the line
                result.fields["diarienummer"] = Falt(" ".join(match.group(0).split()), Sakerhet.TROLIG, line.number)
                break
    if "typ" not in result.fields and ("period_start" in result.fields or "utnyttjade_medel_kr" in result.fields):
        typ_value = "delrapport" if "period_start" in result.fields else "slutrapport"
        result.fields["typ"] = Falt(typ_value, Sakerhet.TROLIG, 0)
    money = read_economics(lines, result.get("typ"), result.fields, budget)
    result.ekonomi, result.varningar = money.tabell, result.varningar + money.varningar
    result.fields.update(money.falt)
    result.checklista = form.checks if form is not None and form.checks else checklist_from_text(lines)
    # The form's own words (labels, its fields' values, the checklist) are not a section's text.
    forms_own = {" ".join(t.split()) for t in ([p.value for p in form.pairs] if form is not None else [])}
    forms_own |= {c.rad for c in result.checklista} | {"Ja", "Nej", "JA", "NEJ"}
    result.sektioner = sections(lines, lambda text: text in forms_own or is_label(text))
    result.rubriker = headings(lines)
    if result.get("typ") == "slutrapport":
        result.uppgiftslamnare = _informant(form, lines, result.rubriker)
    _restore_scanned(result, text, budget)
    return result


def _informant(form: FormRead | None, lines: list[Line], rubriker: dict[str, str]) -> dict[str, str | None] | None:
    """Who gave the slutrapport's information (8 Uppgiftslämnare: Datum, Namn): the form's own fields, or the line
    under "Datum Namn" in the section's text (a PDF, a flattened form)."""
    number = next((n for n, title in rubriker.items() if fold(title).startswith("uppgiftslamnare")), None)
    if number is None:
        return None
    if form is not None:
        pairs = {fold(p.label).rstrip(":"): p.value.strip() for p in form.pairs if p.avsnitt == number}
        if "datum" in pairs or "namn" in pairs:
            day = SINGLE_DATE.search(pairs.get("datum", ""))
            return {"datum": _iso_or_none(day.group(1)) if day else None, "namn": pairs.get("namn") or None}
    inside, header = False, False
    for line in lines:
        if heading_number(line.text) == number:
            inside = True
            continue
        if inside and fold(line.text).split() == ["datum", "namn"]:
            header = True
            continue
        if header and line.text.strip():
            day = re.match(r"\s*(\d{4}-\d{2}-\d{2}|\d{8})\s+(.+)$", line.text)
            if day:
                return {"datum": _iso_or_none(day.group(1)), "namn": day.group(2).strip() or None}
            return None
    return None


def _iso_or_none(text: str) -> str | None:
    try:
        return parse_date(text).isoformat()
    except ValueError:
        return None


def _restore_scanned(result: Extraction, text: str, budget: Budget) -> None:
    """Text that goes to the board and the annual report (the sections, 4.3, 4.7), from a scan: restored where the
    Swedish word list is sure, and marked as scanned text to check either way (finsam.intake.scanned)."""
    if not looks_scanned(text):
        return
    result.skannad = True
    changed: dict[str, str] = {}
    for name, section in list(result.sektioner.items()):
        budget.check()
        restored = restore(section, scanned=True)
        result.sektioner[name] = restored.text
        changed.update(restored.andrade)
    for name in ("avvikelser", "styrgruppens_analys"):
        if (item := result.fields.get(name)) is not None and isinstance(item.value, str):
            restored = restore(item.value, scanned=True)
            result.fields[name] = Falt(restored.text, Sakerhet.TROLIG, item.rad)
            changed.update(restored.andrade)
    result.skannade_ord = changed
    how = (f"{len(changed)} ord har fått tillbaka å/ä/ö med den svenska ordlistan ("
           + ", ".join(f"{a} → {b}" for a, b in list(changed.items())[:10]) + ("…" if len(changed) > 10 else "") + ")"
           if changed else "inga ord kunde återställas säkert")
    result.varningar.append(f"Texten kommer från en skannad rapport: {how}; kontrollera texten innan den används.")


def _done(result: Extraction, name: str) -> set[str]:
    if name == "insatstid" and "insatstid_start" in result.fields:
        return {name}
    if name == "period" and "period_start" in result.fields:
        return {name}
    return {name} if name in result.fields else set()


def _store(result: Extraction, name: str, value: object, sure: Sakerhet, number: int) -> None:
    if name in ("insatstid", "period"):
        start, end = value  # type: ignore[misc]
        prefix = "insatstid" if name == "insatstid" else "period"
        result.fields[f"{prefix}_start"] = Falt(start, sure, number)
        result.fields[f"{prefix}_slut"] = Falt(end, sure, number)
    else:
        result.fields[name] = Falt(value, sure, number)
