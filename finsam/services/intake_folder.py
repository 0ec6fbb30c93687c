"""The kansli's inbox folder: every file in it is taken in, each in its own transaction, and moved
out by what became of it. Used by `finsam report inbox` and by the flow registrera-inkommen-rapport.

- a registered report (or the same file again) goes to `behandlade/`, one for the kansli's queue to
  `att-granska/`;
- any other file (unreadable, beyond the limits, no report) goes to `ej-lasbara/` with a short
  Swedish reason beside it (`<name>.orsak.txt`), both readable by the owner only;
- no file overwrites another: a name already taken gets a counter (`rapport-2.docx`);
- one bad file never stops the others: whatever goes wrong with one file (a refusal, an OSError,
  even a bug in finsam) is caught for that file, recorded in its outcome, and the next file is taken.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from finsam.domain.model import Insats
from finsam.errors import FinsamError
from finsam.intake.documents import read_file
from finsam.intake.limits import Limits
from finsam.files import move_without_overwriting, private_folder, write_new
from finsam.services.intake import take_in
from finsam.services.notify import MailContext

log = logging.getLogger(__name__)

# Where a handled file goes in the inbox folder, by what became of it.
SUBFOLDERS = {"registrerad": "behandlade", "redan_registrerad": "behandlade", "i_kon": "att-granska",
              "fel": "ej-lasbara", "ovantat_fel": "ej-lasbara"}
REJECTED = "ej-lasbara"
REASON = ".orsak.txt"


def _ignored(path: Path) -> bool:
    """Hidden files, and Word's lock files (`~$rapport.docx`, there while the file is open in Word)."""
    return path.name.startswith((".", "~$"))


@dataclass
class FolderOutcome:
    fil: str
    atgard: str  # registrerad / redan_registrerad / i_kon / fel (refused) / ovantat_fel (a bug in finsam)
    skal: str | None
    flyttad: Path | None = None  # where the file is now; None: left in the inbox
    data: dict[str, Any] = field(default_factory=dict)  # the intake's result, for a file that was read
    bug: bool = False  # something went wrong that is finsam's fault, not the file's

    @property
    def failed(self) -> bool:
        return self.bug or self.atgard == "ovantat_fel"

    def as_json(self) -> dict[str, Any]:
        return {**self.data, "fil": self.fil, "atgard": self.atgard, "skal": self.skal,
                "flyttad": str(self.flyttad) if self.flyttad else None, "ovantat_fel": self.failed}


def take_in_folder(
    inbox: Path,
    *,
    work: Callable[[str], AbstractContextManager[Session]],
    mail: MailContext,
    storage: Path,
    limits: Limits = Limits(),
    today: date,
    tag: Callable[[Insats], str] | None = None,
) -> list[FolderOutcome]:
    """Take in every file in `inbox`, in name order; `work(atgard)` opens one transaction per document.

    `tag`, if given, names the insats of a registered report in the outcome's data (`tagg`).
    """
    if not inbox.is_dir():
        raise FinsamError(f"Mappen {inbox} finns inte.")
    outcomes = []
    for path in sorted(p for p in inbox.iterdir() if p.is_file() and not _ignored(p)):
        try:
            outcome = _take_in_one(path, work=work, mail=mail, storage=storage, limits=limits, tag=tag)
        except FinsamError as e:  # unreadable, beyond the limits, or not a report: said plainly, nothing changed
            outcome = FolderOutcome(path.name, "fel", str(e))
        except Exception as e:  # a bug in finsam: this file is set aside, the others are still taken in
            log.exception("Oväntat fel för %s", path)
            outcome = FolderOutcome(path.name, "ovantat_fel",
                                    f"{path.name}: oväntat fel i finsam ({type(e).__name__}: {e}); inget registrerades. "
                                    "Meddela den som sköter finsam.")
        try:
            _move(path, inbox, outcome, today)
        except Exception as e:  # a bug in moving it: recorded, and the next file is still taken in
            log.exception("Oväntat fel när %s skulle flyttas", path)
            outcome.bug = True
            outcome.skal = f"{outcome.skal or ''}; oväntat fel i finsam när filen skulle flyttas ({type(e).__name__}: {e})"
        outcomes.append(outcome)
    return outcomes


def _take_in_one(path: Path, *, work, mail: MailContext, storage: Path, limits: Limits,
                 tag: Callable[[Insats], str] | None) -> FolderOutcome:
    document = read_file(path, limits)
    with work(f"inkommen rapport {document.name}") as session:
        result = take_in(session, session.info["kontext"], mail, document, storage=storage)
        data = result.as_json()
        data["tagg"] = tag(result.insats) if tag and result.insats and result.atgard == "registrerad" else None
    return FolderOutcome(path.name, result.atgard, result.skal, data=data)


def _move(path: Path, inbox: Path, outcome: FolderOutcome, today: date) -> None:
    """Move the file by its outcome; if it cannot be moved, it stays and the outcome says why."""
    rejected = SUBFOLDERS[outcome.atgard] == REJECTED
    try:
        folder = inbox / SUBFOLDERS[outcome.atgard]
        if rejected:
            private_folder(folder)
        else:
            folder.mkdir(exist_ok=True)
        outcome.flyttad = move_without_overwriting(path, folder, private=rejected, companion=REASON if rejected else None)
        if rejected:
            reason = f"{path.name} kom in {today.isoformat()} och lades här utan att registreras.\nSkäl: {outcome.skal}\n"
            try:
                write_new(outcome.flyttad.with_name(outcome.flyttad.name + REASON), reason.encode("utf-8"))
            except FileExistsError:  # someone put a file of that name there since: keep theirs, add a counter
                write_new(_free(outcome.flyttad.with_name(outcome.flyttad.name + REASON)), reason.encode("utf-8"))
    except OSError as e:
        log.warning("Kunde inte flytta %s: %s", path, e)
        why = e.strerror or str(e)
        if outcome.flyttad is None:
            outcome.skal = f"{outcome.skal or ''}; filen ligger kvar i {inbox}, den gick inte att flytta ({why})".lstrip("; ")
        else:
            outcome.skal = f"{outcome.skal or ''}; skälet gick inte att skriva bredvid filen ({why})".lstrip("; ")


def _free(path: Path) -> Path:
    counter = 2
    while (candidate := path.with_name(f"{path.stem}-{counter}{path.suffix}")).exists():
        counter += 1
    return candidate
