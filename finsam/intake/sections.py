"""A report's numbered sections and its checklist, from its text in reading order.

The templates number their sections (`4.3 Avvikelser från planering …:`, `5.1 Måluppfyllelse: …`); the
heading carries the template's own question, the text under it is the insatsägare's answer. A number is a
heading only where it follows the one before (4.3 after 4.1, 5 after 4.7): "14 deltagare" or the numbered list
of samverkansparter under section 3 is text. The checklist of section 5 is read line by line: each question
with its Ja and Nej box (☒ ticked, ☐ not), as a Word form's cells or its PDF put them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from finsam.intake.text import Line, fold
from finsam.intake.wordform import CHECKED, UNCHECKED, CheckRow

HEADING = re.compile(r"^\s*(\d{1,2})(?:\.(\d{1,2}))?\.?\s+([A-ZÅÄÖ].*)$")
HELP = ("ange ", "fyll i", "klicka eller tryck har", "skriv har", "om ni angett nej")
BOXES = (CHECKED, UNCHECKED, "☑")


def heading(text: str, last: tuple[int, int] | None) -> tuple[int, int] | None:
    """(section, subsection) if `text` is the next heading after `last`, else None."""
    match = HEADING.match(text)
    if match is None:
        return None
    major, minor = int(match.group(1)), int(match.group(2) or 0)
    if last is None:
        return (major, minor) if major <= 9 else None
    if major == last[0] and last[1] < minor <= last[1] + 3:
        return major, minor
    if last[0] < major <= last[0] + 2 and minor <= 1:
        return major, minor
    return None


def _name(key: tuple[int, int]) -> str:
    return f"{key[0]}.{key[1]}" if key[1] else str(key[0])


def sections(lines: list[Line], noise: Callable[[str], bool] = lambda text: False) -> dict[str, str]:
    """Each numbered section's own text (the heading's question left out, help texts and checkboxes too, and what
    `noise` says is the form's, not the writer's: labels, the values of its fields, the checklist), by its number:
    {"4.3": "…", "5.1": "…"}; paragraphs on lines of their own."""
    found: dict[str, list[str]] = {}
    current: tuple[int, int] | None = None
    continues = 0  # lines of a heading's question still to come (a PDF wraps a long heading)
    for line in lines:
        key = heading(line.text, current)
        if key is not None:
            current = key
            found.setdefault(_name(key), [])
            continues = 0 if line.text.rstrip().endswith((":", ".", ")", "?")) else 2
            continue
        text = " ".join(line.text.split())
        if continues and text:
            continues = 0 if text.endswith((":", ".", ")", "?")) else continues - 1
            if text.endswith((":", ")")) or fold(text).endswith(("enligt nedan.", "m.m.):")):
                continue  # the rest of the heading's question
        if len(text.replace(" ", "")) <= 2 and not text.isdigit():
            continue  # a stray glyph of an empty field, not an answer
        if re.fullmatch(r"(?:https?://|www\.)\S+", text):
            continue  # a page's footer (the förbund's web address), not the writer's text
        if (current is None or not text or fold(text).startswith(HELP) or all(c in BOXES + (" ",) for c in text)
                or noise(text)):
            continue
        texts = found[_name(current)]
        if texts and not texts[-1].endswith((".", "!", "?", ":", ";")) and text[:1].islower():
            texts[-1] = f"{texts[-1]} {text}"  # a line a PDF wrapped: one paragraph, as it was written
        else:
            texts.append(text)
    return {name: "\n".join(texts) for name, texts in found.items() if texts}


def checklist_from_text(lines: list[Line]) -> list[CheckRow]:
    """The checklist as text has it (a PDF, a flattened form): each question followed by its two boxes, in the order
    of the Ja / Nej headings, on its own line or the next ones; "☒ Ja ☐ Nej" with the words is read by the words."""
    rows: list[CheckRow] = []
    current: tuple[int, int] | None = None
    avsnitt = ""
    question: str | None = None
    boxes: list[bool] = []
    for line in lines:
        key = heading(line.text, current)
        if key is not None:
            current, avsnitt, question, boxes = key, _name(key), None, []
            continue
        if current is None or current[0] != 5:
            continue
        text = " ".join(line.text.split())
        if not text or fold(text) in ("ja", "nej", "ja nej"):
            continue
        words = re.findall(r"([☒☐☑])\s*(Ja|Nej|JA|NEJ)\b", text)
        if words:
            plain = re.sub(r"[☒☐☑]\s*(Ja|Nej|JA|NEJ)\b", "", text).strip()
            ja = any(box != UNCHECKED and word.lower() == "ja" for box, word in words)
            nej = any(box != UNCHECKED and word.lower() == "nej" for box, word in words)
            rows.append(CheckRow(plain or question or "", ja, nej, avsnitt))
            question, boxes = None, []
            continue
        glyphs = [c for c in text if c in BOXES]
        rest = "".join(c for c in text if c not in BOXES).strip()
        if rest:  # a question, or the rest of one that wrapped onto this line
            question, boxes = (f"{question} {rest}" if question and not boxes else rest), []
        boxes += [g != UNCHECKED for g in glyphs]
        if question and len(boxes) >= 2:
            rows.append(CheckRow(question, boxes[0], boxes[1], avsnitt))
            question, boxes = None, []
    return rows


def checklist_flags(rows: list[CheckRow], sektioner: dict[str, str]) -> list[str]:
    """What the kansli must look at: unanswered lines, both boxes ticked, and a Nej without the comment the
    template asks for ("om ni angett nej ovan ska detta kommenteras här", the section after the list)."""
    flags = []
    for row in rows:
        where = f" ({row.avsnitt})" if row.avsnitt else ""
        if row.ja and row.nej:
            flags.append(f"Både Ja och Nej ikryssade{where}: {row.rad}")
        elif row.svar is None:
            flags.append(f"Obesvarad{where}: {row.rad}")
        elif row.svar == "nej" and row.avsnitt and "." in row.avsnitt:
            major, minor = row.avsnitt.split(".")
            comment = f"{major}.{int(minor) + 1}"
            if not sektioner.get(comment, "").strip():
                flags.append(f"Nej utan kommentar i {comment}: {row.rad}")
    return flags


def goals(text: str) -> list[dict[str, str | None]]:
    """A slutrapport's 5.1 Måluppfyllelse, goal by goal: each goal is a line ending in ":" (with the lines before it
    that a PDF wrapped off it) and the text under it, joined again; and whether that text's first sentence says the
    goal was met: ja, delvis, nej, or None where it does not say (\"svårt att bedöma\")."""
    found: list[dict[str, object]] = []
    for line in (part.strip() for part in text.split("\n")):
        if not line:
            continue
        if line.endswith(":") and len(line) <= 200 and not line.startswith(("-", "•")):
            title = [line.rstrip(":").strip()]
            lines = found[-1]["lines"] if found else []
            while lines and not lines[-1].endswith((".", "!", "?", ",")) and len(title) < 3:
                title.insert(0, lines.pop())  # the start of a title the PDF wrapped
            found.append({"mal": " ".join(title), "lines": []})
        elif found:
            found[-1]["lines"].append(line)  # type: ignore[union-attr]
    result = []
    for goal in found:
        body = " ".join(goal["lines"])  # type: ignore[arg-type]
        first = fold(re.split(r"(?<=[.!?])\s", body, maxsplit=1)[0])
        if re.search(r"svart att bedoma|eller inte|oklart", first):
            met = None
        elif re.search(r"i sin helhet|delvis", first):
            met = "delvis"
        elif re.search(r"(inte|ej) (helt )?(uppfyllt|uppnatt)", first):
            met = "nej"
        elif re.search(r"uppfyllt|uppnatt", first):
            met = "ja"
        else:
            met = None
        result.append({"mal": goal["mal"], "text": body, "uppfyllt": met})
    return result


def headings(lines: list[Line]) -> dict[str, str]:
    """Each numbered section's heading as the template words it, its question left out: {"4.3": "Avvikelser från
    planering"}."""
    found: dict[str, str] = {}
    current: tuple[int, int] | None = None
    for line in lines:
        key = heading(line.text, current)
        if key is not None:
            current = key
            match = HEADING.match(line.text)
            title = re.split(r"[:(]", match.group(3), maxsplit=1)[0] if match else ""
            found[_name(key)] = " ".join(title.split()).rstrip(" .")
    return found


def heading_number(text: str) -> str | None:
    """The number a line starts with as a heading would ("8" of "8. Uppgiftslämnare"), whatever came before it."""
    match = HEADING.match(text)
    if match is None:
        return None
    return f"{match.group(1)}.{match.group(2)}" if match.group(2) else match.group(1)
