"""`finsam report …`: an arriving report registers itself, or goes to the kansli's queue with the reason."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from finsam import clock, wiring
from finsam.cli.common import DATE, console, kr, mail_context, print_json, reading, send_outbox, work
from finsam.intake.documents import read_file
from finsam.domain.enums import RapportTyp
from finsam.services.intake import dismiss_queued, queue_rows, resolve_queued, take_in
from finsam.services.intake_folder import take_in_folder
from finsam.services import registrations
from finsam.services.lookup import find_insats
from finsam.settings import get_settings

report_app = typer.Typer(help="Inkomna rapporter: läs, matcha, registrera.", no_args_is_help=True)

ATGARD = {
    "registrerad": "Registrerad",
    "redan_registrerad": "Redan registrerad (samma fil), inget ändrat",
    "i_kon": "Till kansliets kö, inget registrerat",
    "kompletterad": "Komplettering av en ofullständig rapport, registrerad",
    "provkorning": "Provkörning, inget sparat",
}


@report_app.command("register")
def register(
    fil: Annotated[Path, typer.Argument(help="Rapporten: .docx, .pdf eller .txt (text från OCR).")],
    received: Annotated[Optional[date], typer.Option("--received", parser=DATE, metavar="ÅÅÅÅ-MM-DD",
                                                      help="Dagen den kom in (standard: dokumentets datum, annars i dag).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Visa vad som skulle hända, spara ingenting.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")] = False,
) -> None:
    """Läs en inkommen delrapport eller slutrapport, hitta insatsen och registrera den (med kvittens)."""
    document = read_file(fil, wiring.document_limits())
    with work(f"inkommen rapport {document.name}", dry_run=dry_run) as session:
        result = take_in(session, session.info["kontext"], mail_context(), document,
                         storage=get_settings().report_folder, received=received, dry_run=dry_run)
        data = result.as_json()
    if result.atgard == "registrerad":
        send_outbox()
    if json_:
        print_json(data)
        return
    table = Table(title=f"{document.name}: {ATGARD[result.atgard]}", show_header=False)
    for key in ("typ", "diarienummer", "insatsens_namn", "organisation", "kontaktperson", "kontakt_epost",
                "insatstid_start", "insatstid_slut", "period_start", "period_slut", "beviljade_medel_kr",
                "utnyttjade_medel_kr", "inkom"):
        sure = data["sakerhet"].get(key)
        table.add_row(key, "–" if data[key] is None else str(data[key]), sure or ("saknas" if key in data["saknas"] else ""))
    console.print(table)
    _print_economics(data)
    if data["match"]:
        console.print(f"Insats: {data['match']['insats']} ({data['match']['diarienummer'] or 'utan diarienummer'}), "
                      f"{data['match']['rapport'] or 'ingen rapport'}.")
    console.print(f"Skäl: {data['skal']}")


def _print_economics(data: dict) -> None:
    """The economic table (4.6), the slutrapport's funds and every warning about the figures, visibly."""
    ekonomi = data["ekonomi"]
    if ekonomi:
        table = Table(title=f"Ekonomisk rapport (4.6), {ekonomi['sakerhet']}")
        for column in ("Kostnadsslag", "Benämning", "Budget", "Utfall", "Säkerhet"):
            table.add_column(column, justify="right" if column in ("Budget", "Utfall") else "left")
        for rad in ekonomi["rader"]:
            table.add_row(rad["kostnadsslag"], rad["benamning"] or "", kr(rad["budget_kr"]), kr(rad["utfall_kr"]), rad["sakerhet"])
        table.add_row("Summa", "", kr(ekonomi["summa_budget_kr"]) or "saknas", kr(ekonomi["summa_utfall_kr"]) or "saknas", "")
        console.print(table)
    if data["aterbetalning_kr"] is not None:
        helt = {True: "ja", False: "nej", None: "framgår inte"}[data["medel_helt_utnyttjade"]]
        console.print(f"Beviljade medel helt utnyttjade: {helt}. Ej utnyttjat (återbetalning): {kr(data['aterbetalning_kr'])}.")
    for varning in data["varningar"]:
        console.print(f"[bold yellow]Varning:[/] {varning}", highlight=False)


FOLDER_ATGARD = {
    "registrerad": "Registrerad",
    "redan_registrerad": "Redan registrerad (samma fil)",
    "i_kon": "Till kansliets kö",
    "kompletterad": "Komplettering registrerad",
    "fel": "Inte läsbar, inget registrerat",
    "ovantat_fel": "Oväntat fel i finsam, inget registrerat",
    "kvar": "Ändrades medan den lästes, ligger kvar till nästa körning",
}


@report_app.command("inbox")
def inbox(
    mapp: Annotated[Optional[Path], typer.Argument(metavar="MAPP", help="Mappen att läsa (standard: FINSAM_REPORT_INBOX).")] = None,
    json_: Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")] = False,
) -> None:
    """Läs alla filer i inkorgsmappen: registrera rapporterna, lägg resten i behandlade/, att-granska/ eller ej-lasbara/.

    Slutkod 1 bara om finsam självt fick ett oväntat fel för någon fil; olästa filer är ett vanligt utfall.
    """
    settings = get_settings()
    outcomes = take_in_folder(mapp or settings.report_inbox, work=work, mail=mail_context(), storage=settings.report_folder,
                              limits=wiring.document_limits(), today=clock.today())
    if any(o.atgard == "registrerad" for o in outcomes):
        send_outbox()
    if json_:
        print_json([o.as_json() for o in outcomes])
    elif not outcomes:
        console.print(f"Inga filer i {mapp or settings.report_inbox}.")
    else:
        table = Table(title=f"Inkorgen {mapp or settings.report_inbox}")
        for column in ("Fil", "Utfall", "Flyttad till", "Skäl"):
            table.add_column(column, overflow="fold")
        for o in outcomes:
            where = str(o.flyttad.relative_to(o.flyttad.parent.parent)) if o.flyttad else "ligger kvar"
            table.add_row(o.fil, FOLDER_ATGARD[o.atgard] + (" (fel i finsam)" if o.bug else ""), where, o.skal or "")
        console.print(table)
    if any(o.failed for o in outcomes):
        raise typer.Exit(1)


@report_app.command("queue")
def queue(json_: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Visa kansliets kö: rapporter som inte kunde kopplas till en insats, och varför."""
    with reading() as session:
        rows = [{"id": r.id, "fil": r.filnamn, "skal": r.skal, "inkom": r.inkom.isoformat() if r.inkom else None,
                 "skapad": clock.local(r.skapad).isoformat(timespec="minutes")} for r in queue_rows(session)]
    if json_:
        print_json(rows)
        return
    table = Table(title="Rapporter att granska")
    for column in ("Id", "Fil", "Inkom", "Skäl"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r["id"]), r["fil"], r["inkom"] or "", r["skal"])
    console.print(table)


@report_app.command("resolve")
def resolve(
    queue_id: Annotated[int, typer.Argument(help="Köpostens id (se `finsam report queue`).")],
    insats: Annotated[str, typer.Option("--insats", help="Insatsen rapporten gäller: diarienummer, id eller namn.")],
    typ: Annotated[Optional[RapportTyp], typer.Option("--typ")] = None,
    nr: Annotated[Optional[int], typer.Option("--nr", help="Delrapportens nummer, om det inte framgår av perioden.")] = None,
) -> None:
    """Registrera en rapport ur kön på den insats kansliet anger (med kvittens)."""
    with work(f"rapport ur kön {queue_id}") as session:
        target = find_insats(session, insats)
        rapport = resolve_queued(session, session.info["kontext"], mail_context(), queue_id, target,
                                 storage=get_settings().report_folder, typ=typ, nr=nr,
                                 limits=wiring.document_limits())
        text = f"{rapport.deadline.rubrik} för {target.ref} registrerad som inkommen {rapport.inkom}."
    send_outbox()
    console.print(text)


@report_app.command("godkann")
def godkann(
    insats: Annotated[str, typer.Argument(metavar="INSATS", help="Insatsen: diarienummer, id eller namn.")],
    av: Annotated[Optional[str], typer.Option("--av", help="Vem som godkänner (standard: FINSAM_AKTOR).")] = None,
) -> None:
    """Godkänn insatsens ofullständiga rapport som den är: kompletteringen bevakas inte längre."""
    with work("godkänn ofullständig rapport", av=av) as session:
        target = find_insats(session, insats)
        done = registrations.godkann_rapport(session, session.info["kontext"], mail_context(), target)
        text = (f"{done.rapport.deadline.rubrik} för {target.ref} är godkänd som den är "
                f"(saknades: {'; '.join(done.rapport.ofullstandig or [])}); insatsen är {target.tillstand.label}.")
    console.print(text, highlight=False)


@report_app.command("dismiss")
def dismiss(queue_id: Annotated[int, typer.Argument(help="Köpostens id.")]) -> None:
    """Ta bort en post ur kön utan att registrera något (t.ex. inte en rapport)."""
    with work(f"ta bort ur kön {queue_id}") as session:
        dismiss_queued(session, session.info["kontext"], queue_id)
    console.print(f"Köpost {queue_id} är borttagen ur kön.")
