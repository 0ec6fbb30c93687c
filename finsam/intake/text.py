"""What the readers of a report's text share: lines in a folded form, and how sure a value is."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Sakerhet(StrEnum):
    SAKER = "säker"  # the label as written in the template, and a value of the right form
    TROLIG = "trolig"  # a label that only resembles the template's (scanned text), or a value found near it
    OSAKER = "osäker"  # values the document itself contradicts (table rows that do not add up to its Summa)


def least(*levels: Sakerhet) -> Sakerhet:
    """The least sure of the levels (säker when there are none)."""
    order = (Sakerhet.SAKER, Sakerhet.TROLIG, Sakerhet.OSAKER)
    return max(levels, key=order.index, default=Sakerhet.SAKER)


@dataclass(frozen=True)
class Falt:
    value: object
    sakerhet: Sakerhet
    rad: int  # the line the value was read from (1-based)


@dataclass(frozen=True)
class Line:
    number: int
    text: str
    folded: str


def fold(text: str) -> str:
    """Lower case, no diacritics, one kind of dash, single spaces: `Insatstid — åååå` → `insatstid - aaaa`."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return " ".join(text.lower().split())
