"""Text from a scan: restored where a real Swedish word list knows the word, and marked as scanned all the same.

Scanned reports lose å/ä/ö ("Forsakringskassan", "arsskiftet") or read them as other letters ("genomférande").
A text that goes to the board or the annual report is never shown as if it were clean: each word the Swedish
dictionary (Debian's hunspell-sv, read by spylls) does not know is tried with å/ä for a and ö for o or é, and
restored when exactly one spelling is a word; every change is listed, and the text stays marked as scanned for
the kansli to check. Without the dictionary nothing is changed, and the text is marked all the same.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DICTIONARIES = (Path("/usr/share/hunspell/sv_SE"), Path("/usr/share/hunspell/sv_FI"))
SWEDISH = set("åäöÅÄÖ")
WORD = re.compile(r"[A-Za-zÅÄÖåäöéÉ]{3,30}")
CHOICES = {"a": ("a", "å", "ä"), "o": ("o", "ö"), "é": ("ö", "é", "e"), "A": ("A", "Å", "Ä"), "O": ("O", "Ö"),
           "É": ("Ö", "É", "E")}
MAX_POSITIONS = 4  # 3^4 spellings at most per word: bounded work on any text


def looks_scanned(text: str) -> bool:
    """A Swedish report of any length has å/ä/ö; a long text with none, or with é inside words, was scanned."""
    letters = sum(c.isalpha() for c in text)
    if letters < 300:
        return False
    return not (SWEDISH & set(text)) or len(re.findall(r"[a-zåäö]é[a-zåäö]", text)) >= 3


@lru_cache(maxsize=1)
def _dictionary():  # noqa: ANN202
    for base in DICTIONARIES:
        if base.with_suffix(".dic").exists() and base.with_suffix(".aff").exists():
            try:
                from spylls.hunspell import Dictionary
            except ImportError:
                return None
            return Dictionary.from_files(str(base))
    return None


@lru_cache(maxsize=20_000)
def _restored_word(word: str) -> str | None:
    """The one spelling of `word` with å/ä/ö that the dictionary knows, if `word` itself is not a word."""
    dictionary = _dictionary()
    if dictionary is None or dictionary.lookup(word):
        return None
    positions = [i for i, c in enumerate(word) if c in CHOICES]
    if not positions or len(positions) > MAX_POSITIONS:
        return None
    found = set()
    for combination in itertools.product(*(CHOICES[word[i]] for i in positions)):
        candidate = list(word)
        for i, letter in zip(positions, combination):
            candidate[i] = letter
        spelled = "".join(candidate)
        if spelled != word and dictionary.lookup(spelled):
            found.add(spelled)
            if len(found) > 1:
                return None  # two words could be meant: not guessed
    return found.pop() if found else None


@dataclass
class Restored:
    text: str
    skannad: bool = False
    andrade: dict[str, str] = field(default_factory=dict)  # each word changed, as read → as restored
    ordlista: bool = True  # the dictionary was there to restore with


def restore(text: str, *, scanned: bool) -> Restored:
    """`text` with the å/ä/ö a scan lost put back where the dictionary is sure; unchanged when not `scanned`."""
    if not scanned:
        return Restored(text)
    result = Restored(text, skannad=True, ordlista=_dictionary() is not None)
    if not result.ordlista:
        return result

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        restored = _restored_word(word)
        if restored is None:
            return word
        result.andrade[word] = restored
        return restored

    # Word by word, never inside an address or a link (a domain is no Swedish word to restore).
    result.text = "".join(piece if ("@" in piece or "/" in piece or re.search(r"\w\.\w", piece)) else WORD.sub(fix, piece)
                          for piece in re.split(r"(\s+)", text))
    return result
