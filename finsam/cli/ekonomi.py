"""`finsam ekonomi` (each insats's money in a year) and `finsam aterbetalning` (a repayment is paid)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Optional

import typer
from rich.table import Table

from finsam.cli.common import DATE, as_of_or_today, console, kr, print_json, reading, rules, work
from finsam.cli.lifecycle import AsOf, Av, Ref, _amount
from finsam.services import registrations
from finsam.services.ekonomi import uppfoljning
from finsam.services.lookup import find_insats


def ekonomi(
    ar: Annotated[int, typer.Option("--ar", help="Året (ÅÅÅÅ).", min=1900, max=2200)],
    as_of: AsOf = None,
    json_: Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")] = False,
) -> None:
    """Visa varje insats pengar under ett år: beviljat, budget, utfall, förbrukning, återbetalning och flaggor."""
    day = as_of_or_today(as_of)
    with reading() as session:
        rows = uppfoljning(session, rules(), ar, as_of=day)
        data = [r.as_json(day) for r in rows]
        flags = [", ".join(r.flaggtext) for r in rows]
    if json_:
        print_json(data)
        return
    table = Table(title=f"Ekonomisk uppföljning {ar} (per {day.isoformat()})")
    for column in ("Insats", "Beviljat", "Budget", "Utfall", "Förbrukning", "Väntad", "Återbetalning", "Flaggor"):
        table.add_column(column, justify="right" if column not in ("Insats", "Flaggor") else "left", overflow="fold")
    for d, flag in zip(data, flags, strict=True):
        utfall = kr(d["utfall_kr"]) + (" (rapporter)" if d["utfall_kalla"] == "rapporter" else "")
        percent = lambda p: "" if p is None else f"{p:.1f} %".replace(".", ",")  # noqa: E731
        table.add_row(d["insats"], kr(d["beviljat_kr"]), kr(d["budget_kr"]), utfall, percent(d["forbrukning_procent"]),
                      percent(d["forvantad_procent"]), kr(d["aterbetalning_kr"]), flag, style="red" if flag else None)
    console.print(table)
    console.print(f"{len(data)} insatser under {ar}.")


def aterbetalning(
    insats: Ref,
    betald: Annotated[date, typer.Option("--betald", parser=DATE, metavar="ÅÅÅÅ-MM-DD", help="Dagen betalningen kom in.")],
    belopp: Annotated[Optional[str], typer.Option("--belopp", help="Betalt belopp i kronor (standard: hela återbetalningen).")] = None,
    as_of: AsOf = None,
    av: Av = None,
) -> None:
    """Registrera att insatsägaren betalat tillbaka ej utnyttjade medel; påminnelserna för återbetalningen upphör."""
    with work("registrera återbetalning", av=av) as session:
        target = find_insats(session, insats)
        done = registrations.aterbetalning(session, session.info["kontext"], target, betald=betald,
                                           belopp_kr=_amount(belopp, "--belopp"), as_of=as_of_or_today(as_of))
        paid = done.aterbetalning
        console.print(f"Återbetalning från {target.ref} registrerad: {kr(paid.betalt_kr)} betalt {betald}.")
        if paid.betalt_kr < paid.belopp_kr:
            console.print(f"Obs: återbetalningen var {kr(paid.belopp_kr)}; {kr(paid.belopp_kr - paid.betalt_kr)} "
                          "saknas (flaggas i `finsam ekonomi`).", style="yellow")
        elif paid.betalt_kr > paid.belopp_kr:
            console.print(f"Obs: återbetalningen var {kr(paid.belopp_kr)}; {kr(paid.betalt_kr - paid.belopp_kr)} för mycket betalt.",
                          style="yellow")


def register(app: typer.Typer) -> None:
    app.command("ekonomi")(ekonomi)
    app.command("aterbetalning")(aterbetalning)
