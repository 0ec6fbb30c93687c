"""`finsam ekonomi` (each insats's money in a year) and `finsam aterbetalning` (a repayment is paid)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Optional

import typer
from rich.table import Table

from finsam.cli.common import DATE, antal, as_of_or_today, console, kr, print_json, reading, rules, work
from finsam.cli.lifecycle import AsOf, Av, Ref, _amount
from finsam.services import registrations
from finsam.services import ram
from finsam.services.ekonomi import tertial_slut
from finsam.services.lookup import find_insats


def _percent(p: float | None) -> str:
    return "" if p is None else f"{p:.1f} %".replace(".", ",")


def ekonomi(
    ar: Annotated[int, typer.Option("--ar", help="Året (ÅÅÅÅ).", min=1900, max=2200)],
    tertial: Annotated[Optional[int], typer.Option("--tertial", help="Tertial 1 (jan–apr), 2 (maj–aug) eller 3 (sep–dec): "
                                                   "utfall till tertialets slut.", min=1, max=3)] = None,
    as_of: AsOf = None,
    json_: Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")] = False,
) -> None:
    """Visa varje insats pengar under ett år: beviljat, budget, utfall, förbrukning, återbetalning och flaggor;
    summor per inriktning och huvudman; och ramen: tillgängligt, intecknat, kansli och kvar att fördela i år och två år framåt."""
    day = as_of_or_today(as_of)
    with reading() as session:
        report = ram.ekonomirapport(session, rules(), ar, as_of=day, tertial=tertial)
        whole = report.as_json(day)
        flags = [", ".join(r.flaggtext) for r in report.rader]
    if json_:
        print_json(whole)
        return
    data, totals, frames = whole["insatser"], report.summa, report.ramar
    period = f"tertial {tertial} (t.o.m. {tertial_slut(ar, tertial).isoformat()})" if tertial else str(ar)
    table = Table(title=f"Ekonomisk uppföljning {ar}{', ' + period if tertial else ''} (per {day.isoformat()})")
    for column in ("Insats", "Beviljat", "Budget", "Utfall", "Förbrukning", "Väntad", "Återbetalning", "Flaggor"):
        table.add_column(column, justify="right" if column not in ("Insats", "Flaggor") else "left", overflow="fold")
    for d, flag in zip(data, flags, strict=True):
        utfall = kr(d["utfall_kr"]) + (" (rapporter)" if d["utfall_kalla"] == "rapporter" else "")
        beviljat = kr(d["beviljat_kr"]) + (" (uppskattat)" if d["beviljat_kalla"] == "uppskattat" else "")
        name = d["insats"] + (" (egen insats)" if d["egen"] else "")
        table.add_row(name, beviljat, kr(d["budget_kr"]), utfall, _percent(d["forbrukning_procent"]),
                      _percent(d["forvantad_procent"]), kr(d["aterbetalning_kr"]), flag, style="red" if flag else None)
    console.print(table)
    console.print(f"{len(data)} insatser under {period}.")
    _print_totals(totals)
    _print_frames(frames)


def _total_row(table: Table, label: str, t: dict) -> None:  # noqa: ANN001
    table.add_row(label, str(t["antal"]), kr(t["beviljat_kr"]), kr(t["budget_kr"]), kr(t["utfall_kr"]),
                  _percent(t["forbrukning_procent"]))


def _print_totals(totals: dict) -> None:  # noqa: ANN001
    table = Table(title="Summor")
    for column in ("", "Insatser", "Beviljat", "Budget", "Utfall", "Förbrukningsgrad"):
        table.add_column(column, justify="left" if not column else "right", overflow="fold")
    _total_row(table, "Alla insatser", totals)
    _total_row(table, "varav förbundets egna (kanslibudget)", totals["egna_insatser"])
    for key, t in totals["per_inriktning"].items():
        _total_row(table, f"Inriktning {key}", t)
    for key, t in totals["per_huvudman"].items():
        _total_row(table, f"Huvudman {key}", t)
    console.print(table)
    if totals["saknas"]:
        console.print("Summorna saknar " + ", ".join(f"{SUMMA_NAMN[k]} för {n} insatser" for k, n in totals["saknas"].items())
                      + " (inte kända).", style="yellow")


def _print_frames(frames: list) -> None:  # noqa: ANN001
    table = Table(title="Ramen: intecknat och kvar att fördela")
    table.add_column("")
    for f in frames:
        table.add_column(str(f.ar), justify="right")
    for label, key in (("Tillgängliga medel", "tillgangliga_medel_kr"), ("Eget kapital att använda", "eget_kapital_att_anvanda_kr"),
                       ("Tillgängligt", "tillgangligt_kr"), ("Kansli", "kansli_kr"),
                       ("  varav förbundets egna insatser", "egna_insatser_kr"), ("Intecknat av beviljade insatser", "intecknat_kr"),
                       ("  varav uppskattat", "uppskattat_kr"), ("Kvar att fördela", "kvar_att_fordela_kr")):
        table.add_row(label, *(kr(getattr(f, key)) for f in frames))
    console.print(table)
    for f in frames:
        if f.saknas:
            console.print(f"{f.ar}: regelfilen anger inte {' eller '.join(f.saknas)} (ekonomi.ram.{f.ar}).", style="yellow")
        if f.okant:
            console.print(f"{f.ar}: okänt vad {antal(len(f.okant), 'beviljad insats', 'beviljade insatser')} har för medel (inte räknat): "
                          + ", ".join(f.okant) + ".", style="yellow")


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


SUMMA_NAMN = {"beviljat_kr": "beviljat", "budget_kr": "budget", "utfall_kr": "utfall", "utbetalt_kr": "utbetalt"}


def utbetalning(
    insats: Ref,
    datum: Annotated[date, typer.Option("--datum", parser=DATE, metavar="ÅÅÅÅ-MM-DD", help="Dagen förbundet betalade ut.")],
    belopp: Annotated[str, typer.Option("--belopp", help="Utbetalt belopp i kronor.")],
    as_of: AsOf = None,
    av: Av = None,
) -> None:
    """Registrera en utbetalning från förbundet till insatsen; en återbetalning räknas då på utbetalt minus utnyttjat."""
    with work("registrera utbetalning", av=av) as session:
        target = find_insats(session, insats)
        registrations.utbetalning(session, session.info["kontext"], target, datum=datum,
                                  belopp_kr=_amount(belopp, "--belopp") or 0, as_of=as_of_or_today(as_of))
        total = sum(u.belopp_kr for u in target.utbetalningar)
        console.print(f"Utbetalning till {target.ref} registrerad: {kr(_amount(belopp, '--belopp'))} {datum}; "
                      f"utbetalt totalt {kr(total)}.")


def register(app: typer.Typer) -> None:
    app.command("ekonomi")(ekonomi)
    app.command("utbetalning")(utbetalning)
    app.command("aterbetalning")(aterbetalning)
