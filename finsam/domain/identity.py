"""One insats is one insats: names and diarienummer compared in one normalised form at every door.

A CSV saved by Excel, a run form pasted from Outlook or an ansökan typed by hand can carry a
non-breaking space, a double space, a trailing zero-width space or other letter case; none of these
makes another insats, organisation or diarienummer. The value is stored as the person wrote it; the
key is what is compared.
"""

from __future__ import annotations

import unicodedata


def identity_key(text: str) -> str:
    """NFKC (a non-breaking space is a space, ﬁ is fi), zero-width and control characters removed, whitespace
    collapsed to one space and trimmed, case folded."""
    normal = unicodedata.normalize("NFKC", text)
    kept = "".join(c for c in normal if unicodedata.category(c) not in ("Cf", "Cc") or c.isspace())
    return " ".join(kept.split()).casefold()


def same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and identity_key(a) == identity_key(b)
