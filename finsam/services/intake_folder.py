"""The kansli's inbox folder: every file in it is taken in, each in its own transaction, and moved
out by what became of it. Used by `finsam report inbox` and by the flow registrera-inkommen-rapport.

- a registered report (or the same file again) goes to `behandlade/`, one for the kansli's queue to
  `att-granska/`;
- any other entry (unreadable, beyond the limits, no report, and anything that is not a regular file
  of its own: a symbolic link, a FIFO, a device, a hard-linked file, a name with line breaks) goes to
  `ej-lasbara/` with a short Swedish reason beside it (`<name>.orsak.txt`); what it is or points at is
  never opened, read or changed (finsam.files);
- a file that changes while it is read (still being copied in) is left where it is for the next run;
- no file overwrites another: a name already taken gets a counter (`rapport-2.docx`);
- one bad file never stops the others: whatever goes wrong with one entry (a refusal, an OSError,
  even a bug in finsam) is caught for that entry, recorded in its outcome, and the next one is taken.
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
from finsam.errors import DatabaseUnavailable, FinsamError
from finsam.files import Entry, Folder, UnsafeFile, candidate_names, shorten_name, shown_name
from finsam.intake.documents import read_from
from finsam.intake.limits import Limits
from finsam.services.intake import take_in
from finsam.services.notify import MailContext

log = logging.getLogger(__name__)

# Where a handled file goes in the inbox folder, by what became of it.
SUBFOLDERS = {"registrerad": "behandlade", "redan_registrerad": "behandlade", "kompletterad": "behandlade",
              "i_kon": "att-granska",
              "fel": "ej-lasbara", "ovantat_fel": "ej-lasbara", "kvar": None}
REJECTED = "ej-lasbara"
OWN_FOLDERS = frozenset(name for name in SUBFOLDERS.values() if name)  # a link at one of these is refused when used
REASON = ".orsak.txt"


def _ignored(entry: Entry) -> bool:
    """Folders (behandlade/ and the like), hidden files, and Word's lock files (`~$rapport.docx`, there while
    the file is open in Word). A link is never ignored: it is set aside, whatever it points at."""
    return entry.kind == "mapp" or entry.name in OWN_FOLDERS or entry.name.startswith((".", "~$"))


@dataclass
class FolderOutcome:
    fil: str
    # registrerad / redan_registrerad / i_kon / fel (refused) / ovantat_fel (a bug in finsam) / kvar (left for
    # the next run: it changed while it was read)
    atgard: str
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
    """Take in every entry in `inbox`, in name order; `work(atgard)` opens one transaction per document.

    `tag`, if given, names the insats of a registered report in the outcome's data (`tagg`).
    """
    outcomes = []
    with Folder.open(inbox) as folder:
        for entry in folder.entries():
            if _ignored(entry):
                continue
            outcome = _one_entry(folder, entry, work=work, mail=mail, storage=storage, limits=limits, tag=tag, today=today)
            if outcome is not None:
                outcomes.append(outcome)
    return outcomes


def _one_entry(folder: Folder, entry: Entry, *, work, mail: MailContext, storage: Path, limits: Limits,
               tag: Callable[[Insats], str] | None, today: date) -> FolderOutcome | None:
    """What became of one entry; None if it was gone before it could be read (taken away by its owner)."""
    read: tuple[int, int] | None = None  # the identity of the file read, to move that one and no other
    try:
        if why := entry.problem():
            raise UnsafeFile(f"{entry.shown}: {why}.")
        document, read = read_from(folder, entry.name, limits)
        outcome = _register(document, entry, work=work, mail=mail, storage=storage, tag=tag)
    except FileNotFoundError:
        return None
    except DatabaseUnavailable as e:  # nothing of it was saved: the file waits in the inbox for the next run
        outcome = FolderOutcome(entry.shown, "kvar", f"{entry.shown}: {e}.")
    except UnsafeFile as e:
        changed = read is None and entry.problem() is None  # a regular file of its own that changed mid-read
        outcome = FolderOutcome(entry.shown, "kvar" if changed else "fel", str(e))
    except FinsamError as e:  # unreadable, beyond the limits, or not a report: said plainly, nothing changed
        outcome = FolderOutcome(entry.shown, "fel", str(e))
    except Exception as e:  # a bug in finsam: this file is set aside, the others are still taken in
        log.exception("Oväntat fel för %s", entry.shown)
        outcome = FolderOutcome(entry.shown, "ovantat_fel",
                                f"{entry.shown}: oväntat fel i finsam ({type(e).__name__}: {e}); inget registrerades. "
                                "Meddela den som sköter finsam.")
    try:
        _move(folder, entry, read, outcome, today)
    except Exception as e:  # a bug in moving it: recorded, and the next file is still taken in
        log.exception("Oväntat fel när %s skulle flyttas", entry.shown)
        outcome.bug = True
        outcome.skal = f"{outcome.skal or ''}; oväntat fel i finsam när filen skulle flyttas ({type(e).__name__}: {e})"
    return outcome


def _register(document, entry: Entry, *, work, mail: MailContext, storage: Path,
              tag: Callable[[Insats], str] | None) -> FolderOutcome:
    with work(f"inkommen rapport {document.name}") as session:
        result = take_in(session, session.info["kontext"], mail, document, storage=storage)
        data = result.as_json()
        data["tagg"] = tag(result.insats) if tag and result.insats and result.atgard == "registrerad" else None
    return FolderOutcome(entry.shown, result.atgard, result.skal, data=data)


def _move(inbox: Folder, entry: Entry, read: tuple[int, int] | None, outcome: FolderOutcome, today: date) -> None:
    """Move the entry by its outcome (the entry itself: a link as a link, contents and mode untouched);
    if it cannot be moved, it stays and the outcome says why."""
    subfolder = SUBFOLDERS[outcome.atgard]
    if subfolder is None:
        return
    if read is not None and inbox.identity(entry.name) != read:
        outcome.skal = (f"{outcome.skal or ''}; filen byttes ut medan den lästes, så den nya filen ligger kvar och "
                        "tas in vid nästa körning").lstrip("; ")
        return
    rejected = subfolder == REJECTED
    # A name that is no name finsam keeps (line breaks, too long) is moved under the name it is shown by.
    kept = shorten_name(shown_name(entry.name), 200 - len(REASON))
    try:
        with inbox.sub(subfolder, private=rejected) as target:
            moved = inbox.move_into(entry.name, target, as_name=kept, companion=REASON if rejected else None)
            outcome.flyttad = target.path / moved
            if rejected:
                reason = f"{entry.shown} kom in {today.isoformat()} och lades här utan att registreras.\nSkäl: {outcome.skal}\n"
                _write_reason(target, moved + REASON, reason.encode("utf-8"))
    except OSError as e:
        log.warning("Kunde inte flytta %s: %s", entry.shown, e)
        why = e.strerror or str(e)
        if outcome.flyttad is None:
            outcome.skal = f"{outcome.skal or ''}; filen ligger kvar i {inbox.path}, den gick inte att flytta ({why})".lstrip("; ")
        else:
            outcome.skal = f"{outcome.skal or ''}; skälet gick inte att skriva bredvid filen ({why})".lstrip("; ")
    except FinsamError as e:  # e.g. ej-lasbara/ itself replaced by a link: nothing is written there
        outcome.skal = f"{outcome.skal or ''}; filen ligger kvar i {inbox.path}: {e}".lstrip("; ")


def _write_reason(folder: Folder, name: str, data: bytes) -> None:
    """The reason beside the file; if someone put a file of that name there since, theirs is kept and a counter added."""
    for candidate in candidate_names(name):
        try:
            folder.create(candidate, data)
            return
        except FileExistsError:
            continue
    raise FileExistsError(name)
