"""Helpers for the Prefect tests: finsam's settings for a flow run, and reading runs and artifacts back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from finsam.settings import get_settings


@contextmanager
def finsam_settings(monkeypatch: pytest.MonkeyPatch, **values: str) -> Iterator[None]:
    """FINSAM_* settings as a worker's environment would give them; the settings cache follows."""
    for key, value in values.items():
        monkeypatch.setenv(f"FINSAM_{key.upper()}", value)
    get_settings.cache_clear()
    try:
        yield
    finally:
        get_settings.cache_clear()


def eml_subjects(folder: Path) -> list[str]:
    from email import policy
    from email.parser import BytesParser

    return sorted(BytesParser(policy=policy.default).parsebytes(f.read_bytes())["Subject"] for f in folder.glob("*.eml"))
