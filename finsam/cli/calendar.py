"""`finsam calendar …` and `finsam serve`: calendar files, feed links and the feed server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from finsam.files import write_output
from finsam import clock
from finsam.cli.common import antal, console, database_url, err_console, reading, rules, work
from finsam.errors import FinsamError
from finsam.services.batch import ItemFailure
from finsam.services.calendars import create_token, insats_calendar, kansli_calendar, list_tokens, revoke_token
from finsam.services.lookup import find_insats
from finsam.settings import get_settings

calendar_app = typer.Typer(help="Kalendrar: exportera filer och hantera prenumerationslänkar.", no_args_is_help=True)
token_app = typer.Typer(help="Hemliga prenumerationslänkar till kalendrarna.", no_args_is_help=True)
calendar_app.add_typer(token_app, name="token")


@calendar_app.command("export")
def export(
    insats: Annotated[Optional[str], typer.Option("--insats", help="En insats (annars kansliets kalender).")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", help="Fil att skriva (annars standard ut).")] = None,
) -> None:
    """Skriv en kalenderfil (.ics): en insats rapporter, eller kansliets kalender med alla rapporter och möten."""
    skipped: list[ItemFailure] = []
    with reading() as session:
        if insats:
            data = insats_calendar(session, find_insats(session, insats), rules(), failures=skipped)
        else:
            data = kansli_calendar(session, rules(), failures=skipped)
    if output is None:
        typer.echo(data.decode("utf-8"), nl=False)
    else:
        write_output(output, data)
        console.print(f"Kalendern är sparad i {output}.")
    if skipped:  # the rest is written; now say what is missing from it, and end failed
        err_console.print(f"{antal(len(skipped), 'händelse', 'händelser')} kunde inte skrivas och saknas i kalendern:",
                          style="red", highlight=False)
        for failure in skipped:
            err_console.print(f"  {failure}", style="red", markup=False, highlight=False)
        raise typer.Exit(1)


@token_app.command("create")
def token_create(
    insats: Annotated[Optional[str], typer.Option("--insats", help="Länk till en insats rapporter (för insatsägaren).")] = None,
    kansli: Annotated[bool, typer.Option("--kansli", help="Länk till kansliets kalender (alla rapporter och möten).")] = False,
    beskrivning: Annotated[Optional[str], typer.Option("--beskrivning", help="Vem länken är till.")] = None,
) -> None:
    """Skapa en prenumerationslänk. Länken visas bara nu: spara den eller skicka den direkt."""
    if bool(insats) == kansli:
        raise FinsamError("Ange antingen --insats REF eller --kansli.")
    with work("skapa kalenderlänk") as session:
        target = find_insats(session, insats) if insats else None
        row, secret = create_token(session, session.info["kontext"], target, beskrivning)
        token_id = row.id
    url = f"{get_settings().public_url.rstrip('/')}/kalender/{secret}.ics"
    console.print(f"Kalenderlänk {token_id} för {target.ref if target else 'kansliet'}:")
    typer.echo(url)
    console.print("Lägg till den i Outlook (Lägg till kalender → Från Internet) eller Google (Andra kalendrar → Från URL).")


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="Länkens id (se `finsam calendar token list`).")]) -> None:
    """Återkalla en prenumerationslänk; den ger 404 från och med nu."""
    with work("återkalla kalenderlänk") as session:
        revoke_token(session, session.info["kontext"], token_id)
    console.print(f"Kalenderlänk {token_id} är återkallad.")


@token_app.command("list")
def token_list() -> None:
    """Lista prenumerationslänkarna (id och för vem; själva länkarna visas aldrig igen)."""
    with reading() as session:
        rows = [(t.id, t.insats.ref if t.insats else "kansliet", t.beskrivning or "", clock.local(t.skapad).date(),
                 "återkallad" if t.aterkallad else "aktiv") for t in list_tokens(session)]
    table = Table(title="Kalenderlänkar")
    for column in ("Id", "Kalender", "Beskrivning", "Skapad", "Status"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(v) for v in row))
    console.print(table)


def serve(
    host: Annotated[Optional[str], typer.Option("--host")] = None,
    port: Annotated[Optional[int], typer.Option("--port")] = None,
) -> None:
    """Starta kalenderservern (prenumerationer för Outlook, Google och Thunderbird)."""
    import uvicorn

    from finsam.web import create_app

    settings = get_settings()
    app = create_app(database_url(), rules())
    console.print(f"Kalenderservern svarar på http://{host or settings.serve_host}:{port or settings.serve_port}/")
    uvicorn.run(app, host=host or settings.serve_host, port=port or settings.serve_port, log_level="warning")
