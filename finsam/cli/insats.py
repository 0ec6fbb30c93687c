"""`finsam insats visa`: one insats's whole story, the same page the Prefect UI shows as its artifact."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markdown import Markdown

from finsam.cli.common import as_of_or_today, console, print_json, reading, rules
from finsam.cli.lifecycle import AsOf, Ref
from finsam.services import insats_page
from finsam.services.lookup import find_insats

insats_app = typer.Typer(help="En insats: hela dess historia på en sida.", no_args_is_help=True)


@insats_app.command("visa")
def visa(
    ref: Ref,
    as_of: AsOf = None,
    json_: Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")] = False,
) -> None:
    """Visa en insats: tillstånd, rapporter med status, utskick, inkomna rapporter, beslut, anstånd och ekonomi."""
    with reading() as session:
        page = insats_page.build(session, find_insats(session, ref), rules(), as_of=as_of_or_today(as_of))
    if json_:
        print_json(page)
        return
    console.print(Markdown(insats_page.markdown(page)))
