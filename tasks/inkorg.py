"""Arriving reports from the kansli's folder and mailbox: each document its own transaction."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from finsam import clock, wiring
from finsam.adapters.imap import Mailbox
from finsam.errors import DatabaseUnavailable, FinsamError
from finsam.intake.documents import Document, read_document
from finsam.services.batch import reason
from finsam.messages.render import markdown_cell
from finsam.services.intake import queue_rows, take_in
from finsam.services.intake_folder import take_in_folder
from finsam.settings import get_settings
from tasks.common import insats_tag, reading, work


def _take_in(document: Document, received: date | None) -> dict[str, Any]:
    with work(f"inkommen rapport {document.name}") as session:
        result = take_in(session, session.info["kontext"], wiring.mail_context(), document,
                         storage=get_settings().report_folder, received=received)
        data = result.as_json()
        data["tagg"] = insats_tag(result.insats) if result.insats and result.atgard == "registrerad" else None
        return data


def _handle(name: str, data: bytes, received: date | None) -> dict[str, Any]:
    try:
        return _take_in(read_document(name, data, wiring.document_limits()), received)
    except DatabaseUnavailable as e:  # nothing saved: the message stays unread and is taken on the next run
        return {"fil": name, "atgard": "kvar", "skal": str(e), "tagg": None}
    except FinsamError as e:  # unreadable, or not a report: said plainly, nothing changed
        return {"fil": name, "atgard": "fel", "skal": str(e), "tagg": None}
    except Exception as e:  # a bug in finsam: this attachment only; the others are still taken in
        get_run_logger().exception("Oväntat fel för bilagan %s", name)
        return {"fil": name, "atgard": "ovantat_fel", "skal": reason(e), "tagg": None}


@task(name="las-inkorgsmappen")
def from_folder(folder: str) -> list[dict[str, Any]]:
    """The same service as `finsam report inbox`: each file taken in, moved out, a bad one never stops the rest."""
    settings = get_settings()
    outcomes = take_in_folder(Path(folder), work=work, mail=wiring.mail_context(), storage=settings.report_folder,
                              limits=wiring.document_limits(), today=clock.today(), tag=insats_tag)
    return [o.as_json() for o in outcomes]


@task(name="las-brevladan")
def from_mailbox() -> list[dict[str, Any]]:
    results = []
    with Mailbox(get_settings()) as mailbox:
        for uid, attachments in mailbox.new_attachments().items():
            handled = [_handle(a.filename, a.data, a.received) for a in attachments]
            results += handled
            if not any(r["atgard"] in ("ovantat_fel", "kvar") for r in handled):
                mailbox.mark_seen(uid)  # handled: registered, queued or refused with its reason
            # else left unread: once the bug is fixed the next run takes it again (a twin is recognised)
    return results


ATGARD = {"registrerad": "registrerad", "redan_registrerad": "redan registrerad", "i_kon": "till kansliets kö",
          "kompletterad": "komplettering av en ofullständig rapport, registrerad",
          "fel": "kunde inte läsas", "ovantat_fel": "oväntat fel i finsam, lagd i ej-lasbara/",
          "kvar": "ändrades medan den lästes, ligger kvar till nästa körning"}


@task(name="visa-kansliets-ko")
def publish_queue(results: list[dict[str, Any]]) -> int:
    """The artifact `inkomna-rapporter`: what this run took in, and the whole queue still waiting for the
    kansli, each file by its name (the name the run form `registrera-rapport-ur-ko` asks for)."""
    with reading() as session:
        waiting = [(row.filnamn, row.inkom, row.skal) for row in queue_rows(session)]
    lines = ["# Inkomna rapporter", "", "## Den här körningen", ""]
    lines += [f"- **{markdown_cell(r['fil'])}**: {ATGARD[r['atgard']]}. {markdown_cell(r.get('skal') or '')}" for r in results]
    if not results:
        lines.append("Inga nya rapporter.")
    lines += ["", f"## Kansliets kö ({len(waiting)})", ""]
    if waiting:
        lines += ["Registrera en fil med flödet **registrera-rapport-ur-ko** och filens namn.", "",
                  "| Fil | Inkom | Varför den väntar |", "|---|---|---|"]
        lines += [f"| {markdown_cell(name)} | {inkom.isoformat() if inkom else '–'} | {markdown_cell(skal)} |"
                  for name, inkom, skal in waiting]
    else:
        lines.append("Kön är tom.")
    create_markdown_artifact("\n".join(lines) + "\n", key="inkomna-rapporter", description="Rapporter som kom in och kansliets kö")
    get_run_logger().info("%d filer lästes; %d väntar i kansliets kö.", len(results), len(waiting))
    return len(waiting)
