"""Limits on an arriving document: its size, what a Word file unpacks to, a PDF's pages, and the time
spent reading it. Anyone can send the kansli a file; a file beyond a limit is refused with a message
that names it, before it can fill the memory or hold the run up.

The limits are passed in by the caller (from the FINSAM_DOCUMENT_* settings at the edge); the
defaults here are the settings' defaults.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from finsam.errors import FinsamError

MB = 1024 * 1024


class UnreadableDocument(FinsamError):
    pass


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * MB  # the file as it arrives
    max_unpacked_bytes: int = 50 * MB  # a Word file's parts together, unpacked
    max_zip_entries: int = 1000  # a Word file's parts
    max_pages: int = 200  # a PDF's pages
    seconds: float = 30.0  # reading the text and finding the fields


def megabytes(size: int) -> str:
    return f"{size / MB:.1f}".replace(".", ",") + " MB"


class Budget:
    """The time one document may take, checked between the steps of reading it (pages, paragraphs,
    lines); also a tally of the work the field search does, so tests can see that it stays linear.

    A check between steps works in any thread (signal.alarm works only in the main thread). It cannot
    interrupt a single step, so each step is bounded by the other limits (a page, a part of at most
    max_unpacked_bytes, a line window in extract).
    """

    def __init__(self, name: str, seconds: float | None = None) -> None:
        self.name = name
        self.seconds = seconds
        self.until = time.monotonic() + seconds if seconds else None
        self.comparisons = 0  # fuzzy label comparisons
        self.searched = 0  # characters handed to the value patterns
        self.longest = 0  # the longest text handed to a value pattern

    def check(self) -> None:
        if self.until is not None and time.monotonic() > self.until:
            raise UnreadableDocument(
                f"{self.name}: att läsa dokumentet tog mer än {self.seconds:g} sekunder; "
                "det är för stort eller för invecklat för finsam."
            )

    def searching(self, text: str) -> str:
        self.searched += len(text)
        self.longest = max(self.longest, len(text))
        return text
