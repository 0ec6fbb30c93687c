"""A report's answer as its writer wrote it, for a table cell of the annual report: the lines a PDF or a form
broke joined again, the template's own questions left out, and a long answer cut at a sentence with "…"."""

from __future__ import annotations

import re

# "7.2.1 Varför utnyttjades inte beviljade insatsmedel? …": a sub-question of the template, not an answer.
SUB_QUESTION = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{1,2}\s")
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÅÄÖ0-9\"”–-])")
ENDS_THOUGHT = (".", "!", "?", ":", ";", "…")


def paragraphs(text: str | None) -> list[str]:
    """The text's paragraphs, each on one line: a line that does not end a sentence runs on into the next (a
    PDF's or a form's line break); the template's questions at the start (a line ending in "?", or numbered
    like "7.2.1") are not the writer's and are left out."""
    found: list[str] = []
    current: list[str] = []
    for raw in (text or "").splitlines():
        line = " ".join(raw.split())
        if not line:
            if current:
                found.append(" ".join(current))
                current = []
            continue
        current.append(line)
        if line.endswith(ENDS_THOUGHT):
            found.append(" ".join(current))
            current = []
    if current:
        found.append(" ".join(current))
    while found and (found[0].endswith("?") or SUB_QUESTION.match(found[0])):
        found.pop(0)
    return found


def is_label(paragraph: str) -> bool:
    """A writer's own sub-heading inside an answer: "Bakgrund:", "Insatsens syfte:"."""
    return paragraph.endswith(":") and len(paragraph) <= 60


def under_label(text: str | None, word: str) -> str | None:
    """The paragraphs under the writer's sub-heading that names `word` ("Insatsens syfte:" for "syfte"), up to
    the next sub-heading; None where no sub-heading names it."""
    found: list[str] | None = None
    for paragraph in paragraphs(text):
        if is_label(paragraph):
            if found:
                break
            found = [] if word in paragraph.casefold() else None
        elif found is not None:
            found.append(paragraph)
    return " ".join(found) if found else None


def flowing(text: str | None) -> str:
    """The text as one run of sentences: what a cell of the bilaga holds."""
    return " ".join(paragraphs(text))


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(flowing(text)) if s]


def first_sentence(text: str) -> str:
    return next(iter(sentences(text)), "")


def bounded(text: str, limit: int) -> str:
    """At most `limit` characters: whole sentences while they fit, then "…"; a first sentence longer than
    the limit is cut at a word."""
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in SENTENCE_END.split(text):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) + 2 > limit:
            break
        kept = candidate
    if not kept:
        kept = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:–- ")
    return f"{kept} …"


def uppraknat(items: list[str]) -> str:
    """"A, B och C" as Swedish lists things; "A och B"; "A"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} och {items[-1]}"
