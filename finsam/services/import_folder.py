"""The kansli's import folder: files it puts there (a list of insatser, a meeting plan) to import from a run form,
named as they stand in the folder. Only a regular file of the folder itself is taken: no path, no link."""

from __future__ import annotations

from pathlib import Path

from finsam.errors import FinsamError, NotFound
from finsam.files import Folder, name_problem, shown_name

SUFFIXES = (".csv", ".yaml", ".yml")
LISTED = 20


def importable(folder: Path) -> list[str]:
    """The names of the files in the folder that could be imported, in name order."""
    with Folder.open(folder, create=True) as opened:
        return [e.name for e in opened.entries() if e.problem() is None and e.name.lower().endswith(SUFFIXES)]


def file_in(folder: Path, name: str) -> Path:
    """The file `name` of the import folder, or a refusal that says why and what the folder holds."""
    name = name.strip()
    if why := name_problem(name):
        raise FinsamError(f"Filnamnet {shown_name(name)}: {why}. Ange bara filens namn, som det står i importmappen.")
    with Folder.open(folder, create=True) as opened:
        if not opened.exists(name):
            names = importable(folder)
            there = (f"Där finns: {', '.join(names[:LISTED])}{' …' if len(names) > LISTED else ''}." if names
                     else "Mappen är tom.")
            raise NotFound(f"Filen {shown_name(name)} finns inte i importmappen ({folder}). {there}")
        if why := opened.entry(name).problem():
            raise FinsamError(f"{shown_name(name)} i importmappen {why}.")
    return folder / name
