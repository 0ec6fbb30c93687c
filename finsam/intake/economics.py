"""Reading the money in a report: the delrapport's economic table (template section 4.6), the
slutrapport's use of the granted funds (section 7), and the free texts the board reads with them
(4.3 avvikelser, 4.7 the styrgrupp's analysis).

The table comes in many shapes. In text extracted from Word or PDF each number often stands on its
own line; a Word table gives one cell a line; a report written as paragraphs puts a row on one line
(`Lön coach 310 000 298 450`). So the table is read as a sequence of lines under a kostnadsslag:
text lines name the row (its own label, the template's free line), and the amounts that follow,
wherever they stand, are its budget and utfall. Numbers grouped with single spaces are ambiguous
on one line (`310 000 298 450`); every reading into budget and utfall is tried and one is kept only
if it is the single plausible one, else the row is only `trolig`.

Nothing is made up: the Summa is the report's own, and when the rows do not add up to it the table
says so (a warning, and certainty `osäker`); a missing Summa is reported missing, not computed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from finsam.domain.limits import current, forbidden_character
from finsam.domain.parsing import parse_amount
from finsam.intake.limits import Budget
from finsam.intake.text import Falt, Line, Sakerhet, fold, least
from finsam.messages.format import kronor

THRESHOLD = 86
LINE_WINDOW = 300  # a table line or a heading longer than this is no table line or heading
MAX_TABLE_LINES = 120  # the template's table is about 30 lines with its empty rows
MAX_SECTION_LINES = 400
FREE_TEXT_LIMIT = 10_000  # characters kept of a free-text answer
LABEL_LIMIT = 300  # characters kept of a row's own label (the column rapport_ekonomi_rad.benamning holds 300)
MAX_TAIL_NUMBERS = 12  # digit groups looked at when splitting amounts on one line

# The template's fixed cost types (folded) and how they are written.
KOSTNADSSLAG = {
    "aktiviteter": "Aktiviteter",
    "externa tjanster": "Externa tjänster",
    "lonekostnader": "Lönekostnader",
    "lokalkostnader": "Lokalkostnader",
    "material/expenser": "Material/expenser",
    "resekostnader": "Resekostnader",
    "ovriga kostnader": "Övriga kostnader",
}

# Section titles (folded, without their numbers) and the template's own words under them.
TABLE = ("ekonomiskrapport", "ekonomisk rapport", "ekonomirapport", "ekonomisk redovisning")
AVVIKELSER = ("avvikelser fran planering",)
ANALYS = ("styrgruppen /mysam-gruppens analys av utfall for delrapport", "styrgruppen /mysam-gruppens analys av utfall",
          "styrgruppens analys av utfall", "styrgruppens analys")
HELT = ("beviljade medel ar helt utnyttjade",)
INTE_HELT = ("beviljade medel ar inte helt utnyttjade",)
SECTIONS = {"tabell": TABLE, "avvikelser": AVVIKELSER, "analys": ANALYS, "helt": HELT, "inte_helt": INTE_HELT}
TEMPLATE_TEXT = {
    "avvikelser": ("(avseende ekonomi, tidsplan, aktiviteter numerara mal, m.m.):",
                   "(tidsplan, aktiviteter numerara mal, m.m.):",
                   "har insatsen kunnat genomforas enligt planering? om inte, vilka atgarder har vidtagits? "
                   "om malet ej natts, vad ar orsaken till detta?"),
    "analys": ("(maluppfyllelse, budget, avvikelser, plan for implementering m.m)",),
    "helt": ("var den budget ni lagt bra avvagd i forhallande till verksamheten? beskriv om ni skulle gjort "
             "nagot annorlunda i efterhand och vilken betydelse det skulle haft for insatsen.",),
    "inte_helt": ("varfor utnyttjades inte beviljade insatsmedel? beratta om de faktorer som paverkat utfallet.",),
}
TEMPLATE_MATCH = 90

# `4.6 Ekonomiskrapport`, `5. Resultat`, `7.1.1 Var den budget …`: a number with a dot, then words.
HEADING = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2}){1,3}\.?|\d{1,2}\.)\s+(?=\D)")
CHECKED = re.compile(r"[\u2612\u2611\u2713\u2714]|\[\s*[xX]\s*\]|^\s*[xX]\s")
UNCHECKED = re.compile(r"[\u2610]|\[\s*\]")
URL_LINE = re.compile(r"^\s*(?:https?://|mailto:)\S*\s*$")
# Amounts on a line: digit groups (with öre or tkr decimals), units, and what separates them.
TOKEN = re.compile(
    r"(?P<num>\d+(?:[,.]\d{1,3}(?!\d))?)"
    r"|(?P<unit>tkr|kr|sek|:-)(?![^\W\d_])"
    r"|(?P<role>budget|utfall)(?![^\W\d_])"
    r"|(?P<hard>[\t|;/–—]|\s{2,}|(?<=\s)-(?=\s)|,(?=\s))"
    r"|(?P<space>\s)"
    r"|(?P<word>[^\s\d]+?(?=[\s\d]|$)|[^\s\d])",
    re.IGNORECASE,
)
HEADER_WORDS = {"kostnadsslag", "budget", "utfall", "kr", "tkr", "(kr)", "(tkr)", "belopp", "sek"}


@dataclass(frozen=True)
class Rad:
    """One used row of the table: its kostnadsslag, its own label, its amounts in whole kronor."""

    kostnadsslag: str
    benamning: str | None
    budget_kr: int | None
    utfall_kr: int | None
    sakerhet: Sakerhet
    rad: int

    def as_json(self) -> dict[str, object]:
        return {"kostnadsslag": self.kostnadsslag, "benamning": self.benamning, "budget_kr": self.budget_kr,
                "utfall_kr": self.utfall_kr, "sakerhet": self.sakerhet.value, "rad": self.rad}


@dataclass
class Ekonomitabell:
    rader: list[Rad] = field(default_factory=list)
    summa_budget_kr: int | None = None
    summa_utfall_kr: int | None = None
    summa_sakerhet: Sakerhet | None = None
    rad: int = 0  # where the table begins
    varningar: list[str] = field(default_factory=list)
    stammer: bool | None = None  # the rows add up to the Summa (None: cannot tell)

    @property
    def sakerhet(self) -> Sakerhet:
        if self.stammer is False:
            return Sakerhet.OSAKER
        levels = [r.sakerhet for r in self.rader] + ([self.summa_sakerhet] if self.summa_sakerhet else [])
        return least(*levels) if self.stammer else least(Sakerhet.TROLIG, *levels)

    def as_json(self) -> dict[str, object]:
        return {
            "rader": [r.as_json() for r in self.rader],
            "summa_budget_kr": self.summa_budget_kr,
            "summa_utfall_kr": self.summa_utfall_kr,
            "summan_stammer": self.stammer,
            "sakerhet": self.sakerhet.value,
            "varningar": list(self.varningar),
        }


@dataclass
class Ekonomi:
    """What a report says about money: the table, and fields (Falt) for the rest."""

    tabell: Ekonomitabell | None = None
    falt: dict[str, Falt] = field(default_factory=dict)  # aterbetalning_kr, medel_helt_utnyttjade, avvikelser, …
    varningar: list[str] = field(default_factory=list)  # about the slutrapport's funds


# --- amounts ---

@dataclass(frozen=True)
class _Num:
    digits: str
    decimals: str
    unit: str | None
    closed: bool  # nothing but a separator or a unit follows: a number cannot run on past it
    start: int
    role: str | None  # `budget` / `utfall` written before it


def _tokens(parts: list[str], budget: Budget) -> tuple[list[_Num], bool]:
    """The numbers at the end of the lines `parts` (positions as in the lines joined by newlines), and
    whether they hold nothing but amounts. Each line is searched on its own, so no search is longer than a line."""
    nums: list[_Num] = []
    any_word, offset = False, 0
    role: tuple[str, int] | None = None

    def close(unit: str | None = None) -> None:
        last = nums[-1]
        nums[-1] = _Num(last.digits, last.decimals, unit or last.unit, True, last.start, last.role)

    for part in parts:
        for match in TOKEN.finditer(budget.searching(part[:LINE_WINDOW])):
            kind, value = match.lastgroup, match.group()
            if kind == "num":  # a number named `budget 12 000` begins where its name does
                digits, _, decimals = value.replace(".", ",").partition(",")
                begins = role[1] if role else offset + match.start()
                nums.append(_Num(digits, decimals, None, bool(decimals), begins, role[0] if role else None))
                role = None
            elif kind == "unit" and nums and nums[-1].unit is None:
                close(value.lower())
            elif kind in ("hard", "unit") and nums:
                close()
            elif kind == "role":
                role = (value.lower(), offset + match.start())
            elif kind == "word" and re.search(r"[^\W\d_]", value):  # a word, not a bracket or a dot
                nums, any_word, role = [], True, None
        if nums:
            close()  # a number ends with its line
        offset += len(part) + 1
    return nums[-MAX_TAIL_NUMBERS:], not any_word


def _number(parts: list[_Num], thousands: bool) -> tuple[int, bool] | None:
    """The amount the digit groups write (whole kronor, and whether it is exact), or None if they write none."""
    if any(p.closed for p in parts[:-1]) or any(p.decimals for p in parts[:-1]):
        return None
    head, rest = parts[0].digits, [p.digits for p in parts[1:]]
    if rest and not (1 <= len(head) <= 3 and head[0] != "0" and all(len(g) == 3 for g in rest)):
        return None
    if not rest and len(head) > 1 and head[0] == "0":
        return None
    last = parts[-1]
    whole = head + "".join(rest)
    in_thousands = last.unit == "tkr" or (thousands and last.unit is None)
    exact = True
    try:
        if in_thousands:
            value = parse_amount(whole) * 1000 + int((last.decimals + "000")[:3] or 0)
        else:
            value = parse_amount(whole)
            if last.decimals and int(last.decimals) != 0:
                value, exact = value + round(int(last.decimals) / 10 ** len(last.decimals)), False  # öre: rounded
        value = parse_amount(str(value))  # within the door's bounds
    except ValueError:
        return None
    return value, exact


@dataclass(frozen=True)
class _Reading:
    values: tuple[int, ...]
    used: int  # digit groups used from the end
    exact: bool
    start: int  # where the first number used begins in the text


def _readings(nums: list[_Num], thousands: bool, ceiling: int) -> list[_Reading]:
    """Every way the groups at the end read as one or two amounts (the rest belonging to the label)."""
    out = []
    n = len(nums)
    for j in range(n - 1, -1, -1):  # the last amount is nums[j:]
        last = _number(nums[j:], thousands)
        if last is None:
            continue
        out.append(_Reading((last[0],), n - j, last[1], nums[j].start))
        for i in range(j - 1, -1, -1):  # the one before it is nums[i:j]
            first = _number(nums[i:j], thousands)
            if first is not None:
                out.append(_Reading((first[0], last[0]), n - i, first[1] and last[1], nums[i].start))
    return [r for r in out if all(v <= ceiling for v in r.values)]


def _best(readings: list[_Reading]) -> tuple[_Reading | None, bool]:
    """The reading to keep and whether it is the only plausible one: two amounts before one, as many
    groups as possible (a label seldom ends in a number), then amounts of like size."""
    if not readings:
        return None, False
    def key(r: _Reading) -> tuple[int, int]:
        return (len(r.values), r.used)
    top = max(key(r) for r in readings)
    best = [r for r in readings if key(r) == top]
    best.sort(key=lambda r: abs(len(str(r.values[0])) - len(str(r.values[-1]))))
    return best[0], len(best) == 1


def _ordered(reading: _Reading, nums: list[_Num]) -> tuple[int | None, int | None]:
    """(budget, utfall): in the template's order, unless the text names them the other way round."""
    if len(reading.values) == 1:
        role = next((n.role for n in nums if n.start == reading.start), None)
        return (None, reading.values[0]) if role == "utfall" else (reading.values[0], None)
    roles = [n.role for n in nums if n.start >= reading.start and n.role]
    if roles[:2] == ["utfall", "budget"]:
        return reading.values[1], reading.values[0]
    return reading.values[0], reading.values[1]


# --- lines ---

def _clean_label(text: str) -> str | None:
    text = re.sub(r"\s+", " ", "".join(" " if forbidden_character(c) else c for c in text)).strip(" :;,-–—\t")
    if not text or not re.search(r"[^\W\d_]", text):
        return None
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1] + "…"


def _head(folded: str, variants: tuple[str, ...], budget: Budget, threshold: float = THRESHOLD) -> tuple[int, bool] | None:
    """(words of the variant matched, exact?) if the folded text begins with one of the variants."""
    words = [w.rstrip(":;") for w in folded.split()]
    best: tuple[float, int] | None = None
    for variant in variants:
        n = len(variant.split())
        if len(words) < n:
            continue
        budget.comparisons += 1
        head = " ".join(words[:n])
        score = 100.0 if head == variant else fuzz.ratio(head, variant)
        if score >= threshold and (best is None or (score, n) > best):
            best = (score, n)
    return None if best is None else (best[1], best[0] == 100.0)


def _after_words(text: str, n: int) -> str:
    skip = re.match(r"\s*(?:\S+\s+){%d}" % n, text + " ")
    return text[skip.end():] if skip else ""


def _without_number(line: Line) -> tuple[str, str, str | None]:
    """(text, folded text, section number) of a line with its heading number taken off."""
    text = line.text[:LINE_WINDOW]
    match = HEADING.match(text)
    if not match:
        return text, fold(text), None
    return text[match.end():], fold(text[match.end():]), match.group(1).rstrip(".")


@dataclass(frozen=True)
class _Heading:
    index: int  # in the list of lines
    section: str | None  # which known section (None: some other numbered heading)
    number: str | None
    rest: str  # the line's text after the title
    exact: bool


def _headings(lines: list[Line], budget: Budget) -> list[_Heading]:
    found = []
    for index, line in enumerate(lines):
        if index % 256 == 0:
            budget.check()
        if not line.folded:
            continue
        text, folded, number = _without_number(line)
        best: tuple[int, str, bool] | None = None
        for name, variants in SECTIONS.items():
            if (match := _head(folded, variants, budget)) and (best is None or match[0] > best[0]):
                best = (match[0], name, match[1])
        if best is not None:
            found.append(_Heading(index, best[1], number, _after_words(text, best[0]), best[2]))
        elif number is not None:
            found.append(_Heading(index, None, number, text, True))
    return found


def _section_end(headings: list[_Heading], position: int, number: str | None, limit: int) -> int:
    """The index of the line where a section ends: the next heading not numbered inside it."""
    for later in headings[position + 1:]:
        inside = number is not None and later.number is not None and later.number.startswith(number + ".")
        if not inside:
            return min(later.index, limit)
    return limit


# --- the table ---

def _kostnadsslag(line: Line, budget: Budget) -> tuple[str, str, bool] | None:
    """(kostnadsslag, the text after it, exact?) if the line begins with one of the template's cost types."""
    text = re.sub(r"\s*/\s*", "/", line.text[:LINE_WINDOW])
    match = _head(fold(text), tuple(KOSTNADSSLAG), budget)
    if match is None:
        return None
    n, exact = match
    words = [w.rstrip(":;") for w in fold(text).split()][:n]
    name = max(KOSTNADSSLAG, key=lambda k: fuzz.ratio(" ".join(words), k) if len(k.split()) == n else -1)
    return KOSTNADSSLAG[name], _after_words(text, n), exact


def _summa(line: Line, budget: Budget) -> str | None:
    """The text after `Summa` if the line is the table's Summa row."""
    text = re.sub(r"(?<=[^\W\d_])(?=\d)", " ", line.text[:LINE_WINDOW])  # `Summa358 000 kr` from a PDF's table
    match = _head(fold(text), ("summa", "summa totalt", "totalt"), budget, threshold=80)
    return None if match is None else _after_words(text, match[0])


def _is_header(folded: str) -> bool:
    words = folded.replace("/", " ").split()
    return bool(words) and all(w.strip(":") in HEADER_WORDS for w in words)


@dataclass
class _Group:
    """The lines of one row: its kostnadsslag, its label lines and its amounts."""

    kostnadsslag: str | None
    exact: bool
    rad: int
    parts: list[str] = field(default_factory=list)
    amounts: bool = False


def _amounts_only(text: str, budget: Budget) -> tuple[bool, bool]:
    """(has amounts at the end, nothing but amounts)."""
    nums, only = _tokens([text], budget)
    return bool(nums), only and bool(nums)


def _complete(summa: _Group, budget: Budget) -> bool:
    """The Summa row has its two amounts: what follows (a page number, the next section) is not part of it."""
    nums, _ = _tokens(summa.parts, budget)
    separate = sum(1 for a, b in zip(nums, nums[1:]) if a.closed or len(b.digits) != 3)
    return bool(nums) and separate >= 1


def read_table(lines: list[Line], start: int, end: int, ceiling: int, budget: Budget) -> Ekonomitabell:
    """The table from its heading (lines[start]) to the line before `end`."""
    table = Ekonomitabell(rad=lines[start].number)
    thousands = "tkr" in lines[start].folded
    groups: list[_Group] = []
    current: _Group | None = None
    summa: _Group | None = None
    skip_to_paren = 0
    for line in lines[start + 1: min(end, start + 1 + MAX_TABLE_LINES)]:
        budget.check()
        if not line.folded or URL_LINE.match(line.text):
            continue
        text = line.text[:LINE_WINDOW]
        if skip_to_paren:  # the template's explanation in brackets, wrapped onto the next line
            skip_to_paren -= 1
            if ")" in text:
                skip_to_paren, text = 0, text.split(")", 1)[1]
                if not text.strip():
                    continue
            else:
                continue
        if summa is not None:
            if not _amounts_only(text, budget)[1]:
                break
            summa.parts.append(text)
            if _complete(summa, budget):
                break
            continue
        if _is_header(line.folded[:LINE_WINDOW]):
            thousands = thousands or "tkr" in line.folded
            continue
        if (rest := _summa(line, budget)) is not None:
            summa = _Group("Summa", True, line.number, [rest])
            if _complete(summa, budget):
                break
            continue
        if (found := _kostnadsslag(line, budget)) is not None:
            name, rest, exact = found
            rest = rest.lstrip()
            if rest.startswith("("):
                if ")" in rest:
                    rest = rest.split(")", 1)[1]
                else:
                    rest, skip_to_paren = "", 3
            current = _Group(name, exact, line.number, [rest] if rest.strip(" :") else [])
            current.amounts = bool(rest.strip()) and _amounts_only(rest, budget)[0]
            groups.append(current)
            continue
        has, only = _amounts_only(text, budget)
        if current is None or (current.amounts and not only):
            # Text after a row's amounts starts the next row of the same kostnadsslag.
            current = _Group(current.kostnadsslag if current else None, current.exact if current else True, line.number)
            groups.append(current)
        current.parts.append(text)
        current.amounts = current.amounts or has
    for group in groups:
        _row(table, group, thousands, ceiling, budget)
    if summa is not None:
        _summa_row(table, summa, thousands, ceiling, budget)
    _check_sums(table)
    return table


def _row(table: Ekonomitabell, group: _Group, thousands: bool, ceiling: int, budget: Budget) -> None:
    joined = "\n".join(group.parts)
    nums, _ = _tokens(group.parts, budget)
    reading, only = _best(_readings(nums, thousands, ceiling))
    if reading is None:
        return  # an empty row of the template (or only its label): not used
    label = _clean_label(joined[: reading.start])
    if group.kostnadsslag is None:
        table.varningar.append(f"Rad {group.rad}: belopp utan kostnadsslag ({label or 'utan text'}); inte medräknade.")
        return
    budget_kr, utfall_kr = _ordered(reading, nums)
    sure = Sakerhet.SAKER if group.exact and only and reading.exact and len(reading.values) == 2 else Sakerhet.TROLIG
    if len(reading.values) == 1:
        which = "utfall" if budget_kr is None else "budget"
        table.varningar.append(f"{group.kostnadsslag}: bara ett belopp ({kronor(reading.values[0])}), läst som {which}.")
    elif not only:
        table.varningar.append(f"{group.kostnadsslag}: beloppen kan läsas på flera sätt; läst som budget "
                               f"{kronor(budget_kr)} och utfall {kronor(utfall_kr)}.")
    table.rader.append(Rad(group.kostnadsslag, label, budget_kr, utfall_kr, sure, group.rad))


def _summa_row(table: Ekonomitabell, group: _Group, thousands: bool, ceiling: int, budget: Budget) -> None:
    nums, _ = _tokens(group.parts, budget)
    readings = [r for r in _readings(nums, thousands, ceiling) if len(r.values) == 2]
    sums = (_total([r.budget_kr for r in table.rader]), _total([r.utfall_kr for r in table.rader]))
    agreeing = [r for r in readings if r.values == sums]
    if len(agreeing) == 1:  # of the ways to read the Summa, the one the rows add up to
        reading, only = agreeing[0], True
    else:
        reading, only = _best(readings)
    if reading is None:
        table.varningar.append("Summa-raden har inte två belopp (budget och utfall).")
        return
    table.summa_budget_kr, table.summa_utfall_kr = _ordered(reading, nums)
    table.summa_sakerhet = Sakerhet.SAKER if only and reading.exact else Sakerhet.TROLIG


def _total(values: list[int | None]) -> int | None:
    return None if None in values else sum(values)  # type: ignore[arg-type]


def _check_sums(table: Ekonomitabell) -> None:
    if not table.rader and table.summa_budget_kr is None:
        table.varningar.append("Ekonomitabellen (4.6) har inga ifyllda rader.")
        return
    if table.summa_budget_kr is None:
        table.varningar.append("Summa-raden saknas i ekonomitabellen (4.6); raderna kan inte stämmas av.")
        return
    checks = []
    for name, own, values in (("budget", table.summa_budget_kr, [r.budget_kr for r in table.rader]),
                              ("utfall", table.summa_utfall_kr, [r.utfall_kr for r in table.rader])):
        total = _total(values)
        if total is None:
            table.varningar.append(f"Någon rad saknar {name}; raderna kan inte stämmas av mot Summa.")
            checks.append(None)
        elif total != own:
            table.varningar.append(f"Raderna summerar till {kronor(total)} i {name}, men Summa anger {kronor(own)} "
                                   f"(skillnad {kronor(abs(total - own))}).")
            checks.append(False)
        else:
            checks.append(True)
    table.stammer = False if False in checks else (None if None in checks else True)


# --- free texts and the slutrapport's funds ---

def _is_template(text: str, section: str, budget: Budget) -> bool:
    folded = fold(text)[:LINE_WINDOW]
    if not folded.strip(" :.()"):
        return True
    budget.comparisons += len(TEMPLATE_TEXT.get(section, ()))
    return len(folded) >= 8 and any(fuzz.partial_ratio(folded, t) >= TEMPLATE_MATCH for t in TEMPLATE_TEXT.get(section, ()))


def _answer(lines: list[Line], headings: list[_Heading], position: int, budget: Budget) -> Falt | None:
    """The text written under a section heading, without the template's own words; None if nothing is written."""
    heading = headings[position]
    end = _section_end(headings, position, heading.number, min(len(lines), heading.index + 1 + MAX_SECTION_LINES))
    subheadings = {h.index for h in headings if heading.index < h.index < end}
    kept: list[str] = []
    size = 0
    template = True  # at the start and after a sub-heading, the template's question may stand
    first_line = lines[heading.index].number
    candidates = [(heading.index, heading.rest)] + [(i, lines[i].text) for i in range(heading.index + 1, end)]
    for index, text in candidates:
        if index % 64 == 0:
            budget.check()
        if index in subheadings:
            template = True
            continue
        if URL_LINE.match(text):
            continue
        if not text.strip():
            if kept and kept[-1]:
                kept.append("")
            continue
        if template and _is_template(text, heading.section or "", budget):
            continue
        template = False
        if not kept:
            first_line = lines[index].number
        line = "".join(c for c in text.rstrip() if c in "\t" or not forbidden_character(c))
        kept.append(line)
        size += len(line) + 1
        if size > FREE_TEXT_LIMIT:
            break
    value = "\n".join(kept).strip()
    if not value:
        return None
    if len(value) > FREE_TEXT_LIMIT:
        value = value[: FREE_TEXT_LIMIT - 1] + "…"
    return Falt(value, Sakerhet.SAKER if heading.exact else Sakerhet.TROLIG, first_line)


def _chosen(lines: list[Line], headings: list[_Heading], budget: Budget) -> tuple[Falt | None, list[str]]:
    """Which of 7.1 (helt utnyttjade) and 7.2 (inte helt) the report answers: a ticked box, else the one written under."""
    answered: dict[str, Falt] = {}
    for position, heading in enumerate(headings):
        if heading.section not in ("helt", "inte_helt") or heading.section in answered:
            continue
        line = lines[heading.index].text[:LINE_WINDOW]
        sure = Sakerhet.SAKER if heading.exact else Sakerhet.TROLIG
        if CHECKED.search(line):
            answered[heading.section] = Falt(heading.section == "helt", sure, lines[heading.index].number)
        elif not UNCHECKED.search(line) and _answer(lines, headings, position, budget) is not None:
            answered[heading.section] = Falt(heading.section == "helt", Sakerhet.TROLIG, lines[heading.index].number)
    if len(answered) == 2:
        return None, ["Både 7.1 (helt utnyttjade) och 7.2 (inte helt utnyttjade) är besvarade."]
    return next(iter(answered.values()), None), []


def _funds(fields: dict[str, Falt], chosen: Falt | None, found: Ekonomi) -> None:
    beviljade, utnyttjade = fields.get("beviljade_medel_kr"), fields.get("utnyttjade_medel_kr")
    if beviljade is not None and utnyttjade is not None:
        granted, used = int(beviljade.value), int(utnyttjade.value)  # type: ignore[call-overload]
        sure = least(beviljade.sakerhet, utnyttjade.sakerhet)
        if used > granted:
            found.varningar.append(f"Utnyttjade medel ({kronor(used)}) är mer än beviljade medel ({kronor(granted)}).")
            sure = least(sure, Sakerhet.TROLIG)
        helt = used >= granted
        found.falt["aterbetalning_kr"] = Falt(max(granted - used, 0), sure, utnyttjade.rad)
        helt_sure = sure
        if chosen is not None and chosen.value != helt:
            said = "7.1 (helt utnyttjade)" if chosen.value else "7.2 (inte helt utnyttjade)"
            found.varningar.append(f"Rapporten svarar under {said}, men beviljade {kronor(granted)} och utnyttjade "
                                   f"{kronor(used)} ger {kronor(max(granted - used, 0))} kvar.")
            helt_sure = least(sure, Sakerhet.TROLIG)
        found.falt["medel_helt_utnyttjade"] = Falt(helt, helt_sure, utnyttjade.rad)
    elif chosen is not None:
        found.falt["medel_helt_utnyttjade"] = Falt(chosen.value, Sakerhet.TROLIG, chosen.rad)
        if chosen.value:
            found.falt["aterbetalning_kr"] = Falt(0, Sakerhet.TROLIG, chosen.rad)


def read_economics(lines: list[Line], typ: object, fields: dict[str, Falt], budget: Budget) -> Ekonomi:
    """The money in a report's lines (all of them, blank ones too), given the fields already read."""
    found = Ekonomi()
    headings = _headings(lines, budget)
    beviljade = fields.get("beviljade_medel_kr")
    # A row can hardly cost ten times the insats's whole grant: that reading of its digits is not plausible.
    ceiling = 10 * int(beviljade.value) if beviljade is not None else current().max_amount_kr  # type: ignore[call-overload]
    for position, heading in enumerate(headings):
        if heading.section == "tabell" and found.tabell is None:
            end = _section_end(headings, position, heading.number, len(lines))
            found.tabell = read_table(lines, heading.index, end, ceiling, budget)
        elif heading.section in ("avvikelser", "analys"):
            name = "avvikelser" if heading.section == "avvikelser" else "styrgruppens_analys"
            if name not in found.falt and (text := _answer(lines, headings, position, budget)) is not None:
                found.falt[name] = text
    if typ == "slutrapport":
        chosen, warnings = _chosen(lines, headings, budget)
        found.varningar.extend(warnings)
        _funds(fields, chosen, found)
    return found
