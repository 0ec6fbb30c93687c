"""`finsam`: the command line. Messages are Swedish; dates ÅÅÅÅ-MM-DD; `--as-of` replays any day."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.exc import DataError, OperationalError, ProgrammingError

from finsam.files import write_output
from finsam import clock
from finsam.cli import calendar as calendar_cli
from finsam.cli import report as report_cli
from finsam.cli import lifecycle as lifecycle_cli
from finsam.cli import ekonomi as ekonomi_cli
from finsam.cli.insats import insats_app
from finsam.cli.errors import EXIT_BUG, EXIT_REFUSED, EXIT_USAGE, ClickException, UsageError, show_usage_error, write_crash_report
from finsam.cli.common import (
    DATE,
    as_of_or_today,
    console,
    database_url,
    err_console,
    mail_context,
    print_json,
    reading,
    antal,
    rules,
    say_held_claims,
    send_outbox,
    work,
)
from finsam.db import upgrade
from finsam.domain.enums import MoteTyp, UtskickTillstand
from finsam.domain.model import Handelse, Insats
from finsam.errors import FinsamError, os_reason
from finsam.services.deadlines import list_deadlines
from finsam.services.import_insatser import import_insatser
from finsam.services.lookup import find_insats
from finsam.services.daily import plan_day
from finsam.services.replan import replan_all
from finsam.domain.rules_config import load_rules
from finsam.services import registrations
from finsam.services.meeting_work import agenda_of
from finsam.services.meetings import list_meetings
from finsam.services.outbox import list_outbox
from finsam.settings import get_settings

app = typer.Typer(
    name="finsam",
    help="finsam – bevakning av insatser, rapporter och sammanträden för ett samordningsförbund.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Databasen.", no_args_is_help=True)
run_app = typer.Typer(help="Kör dagens arbete.", no_args_is_help=True)
import_app = typer.Typer(help="Importera insatser och mötesplaner.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")
app.add_typer(run_app, name="run")
lifecycle_cli.register(app)
ekonomi_cli.register(app)
app.add_typer(calendar_cli.calendar_app, name="calendar")
app.add_typer(insats_app, name="insats")
app.add_typer(report_cli.report_app, name="report")
app.command("serve")(calendar_cli.serve)

AsOf = Annotated[Optional[date], typer.Option("--as-of", parser=DATE, metavar="ÅÅÅÅ-MM-DD", help="Dagen att räkna från (standard: i dag).")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Kontrollera och visa, men spara ingenting.")]
Json = Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")]


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Skapa eller uppgradera databasens tabeller."""
    upgrade(database_url())
    console.print(f"Databasen är uppgraderad: {database_url()}")


@import_app.command("insatser")
def import_insatser_cmd(
    fil: Annotated[Path, typer.Argument(help="CSV-fil (komma- eller semikolonseparerad).")],
    dry_run: DryRun = False,
    as_of: AsOf = None,
) -> None:
    """Importera insatser från CSV. Allt eller inget: en felaktig rad stoppar hela importen."""
    day = as_of_or_today(as_of)
    with work(f"import insatser {fil.name}", dry_run=dry_run) as session:
        result = import_insatser(session, session.info["kontext"], fil, rules(), as_of=day)
    prefix = "Provkörning, inget sparat: " if dry_run else ""
    console.print(f"{prefix}{result.summary()}")
    if notice := result.notice():
        console.print(notice, style="yellow")


@import_app.command("meetings")
def import_meetings_cmd(
    fil: Annotated[Path, typer.Argument(help="YAML- eller CSV-fil med typ, datum, tid, plats.")],
    dry_run: DryRun = False,
    as_of: AsOf = None,
) -> None:
    """Importera en mötesplan (styrelse, beredningsgrupp, arbetsutskott). Öppna ansökningar följer sina möten;
    sökande vars mötesdatum ändras får besked."""
    with work(f"import möten {fil.name}", dry_run=dry_run) as session:
        plan = registrations.motesplan(session, session.info["kontext"], mail_context(), fil, as_of=as_of_or_today(as_of))
        result = plan.moten
        prefix = "Provkörning, inget sparat: " if dry_run else ""
        console.print(f"{prefix}{result.summary()}")
        problems = _followed(plan)
    _after_plan_change(problems, dry_run=dry_run)


def _followed(plan: registrations.Motesplan) -> list[str]:
    """Print the ansökningar that moved with their meetings; return the messages that could not be made."""
    for change in plan.omdirigerade:
        before = change.fore.rubrik if change.fore else "inget möte"
        after = change.efter.rubrik if change.efter else "inget möte i planen ännu"
        console.print(f"{change.ansokan.insats.ref}: {before} → {after}", markup=False, highlight=False)
    if plan.meddelanden:
        console.print(f"{len(plan.meddelanden)} sökande får besked om nytt mötesdatum.")
    return plan.meddelandefel


def _after_plan_change(problems: list[str], *, dry_run: bool = False) -> None:
    if not dry_run:
        report = send_outbox()
        if report.sent or report.failed or report.deferred:
            console.print(f"Utskick: {report.summary()}.")
    if problems:
        err_console.print("Mötesplanen är sparad, men några meddelanden kunde inte skapas: " + "; ".join(problems),
                          style="red", markup=False, highlight=False)
        raise typer.Exit(1)


@app.command("mote")
def mote_cmd(
    typ: Annotated[MoteTyp, typer.Argument(help="styrelse, beredningsgrupp eller arbetsutskott.")],
    datum: Annotated[date, typer.Argument(parser=DATE, metavar="ÅÅÅÅ-MM-DD", help="Mötets datum i planen.")],
    nytt_datum: Annotated[Optional[date], typer.Option("--nytt-datum", parser=DATE, metavar="ÅÅÅÅ-MM-DD",
                                                       help="Flytta mötet till detta datum.")] = None,
    installt: Annotated[bool, typer.Option("--installt", help="Ställ in mötet.")] = False,
    as_of: AsOf = None,
) -> None:
    """Flytta eller ställ in ett möte; öppna ansökningar följer med och sökande får besked."""
    with work("ändrat möte") as session:
        plan = registrations.mote_andras(session, session.info["kontext"], mail_context(), typ, datum,
                                         nytt_datum=nytt_datum, installt=installt, as_of=as_of_or_today(as_of))
        console.print(f"{typ.label} {datum.isoformat()} " + ("inställt." if installt else f"flyttat till {nytt_datum}."))
        problems = _followed(plan)
    _after_plan_change(problems)


@app.command("deadlines")
def deadlines_cmd(
    as_of: AsOf = None,
    insats: Annotated[Optional[str], typer.Option("--insats", help="Namn, diarienummer eller id.")] = None,
    json_: Json = False,
    alla: Annotated[bool, typer.Option("--alla", help="Visa även makulerade.")] = False,
) -> None:
    """Lista delrapporter och slutrapporter med förfallodag och status."""
    day = as_of_or_today(as_of)
    with reading() as session:
        target = find_insats(session, insats) if insats else None
        rows = list_deadlines(session, as_of=day, insats=target, include_cancelled=alla)
    if json_:
        print_json([r.as_json() for r in rows])
        return
    table = Table(title=f"Rapporter per {day.isoformat()}")
    for column in ("Id", "Insats", "Rapport", "Period", "Förfaller", "Status"):
        table.add_column(column)
    for r in rows:
        rubrik = r.kind.rubrik(r.nr)
        status = r.status.label + (f" {r.received.isoformat()}" if r.received else "")
        if r.due != r.rule_due:
            status += " (anstånd)"
        if not r.chased and r.status.value == "forfallen":
            status += " (bevakas ej)"
        style = "red" if r.status.value == "forfallen" else None
        table.add_row(
            str(r.id), r.insats, rubrik, f"{r.period_start} – {r.period_end}", r.due.isoformat(), status, style=style
        )
    console.print(table)


@app.command("insatser")
def insatser_cmd(json_: Json = False) -> None:
    """Lista insatserna med tillstånd och insatstid."""
    with reading() as session:
        insatser = list(session.scalars(select(Insats).order_by(Insats.namn)))
        data = [
            {
                "id": i.id,
                "namn": i.namn,
                "diarienummer": i.diarienummer,
                "inriktning": i.inriktning.value,
                "huvudman": i.huvudman,
                "samverkansparter": i.samverkansparter,
                "tillstand": i.tillstand.value,
                "start": i.start.isoformat() if i.start else None,
                "slut": i.slut.isoformat() if i.slut else None,
                "beviljade_medel_kr": i.beviljade_medel_kr,
                "kontakt_epost": i.kontaktperson.epost if i.kontaktperson else None,
            }
            for i in insatser
        ]
    if json_:
        print_json(data)
        return
    table = Table(title="Insatser")
    for column in ("Id", "Namn", "Diarienr", "Huvudman", "Tillstånd", "Insatstid"):
        table.add_column(column)
    for i, d in zip(insatser, data, strict=True):
        table.add_row(
            str(i.id), i.namn, i.diarienummer or "", ", ".join(i.huvudman), i.tillstand.label,
            f"{d['start'] or '?'} – {d['slut'] or 'tills vidare'}",
        )
    console.print(table)


@app.command("moten")
def moten_cmd(
    json_: Json = False,
    as_of: AsOf = None,
    alla: Annotated[bool, typer.Option("--alla", help="Visa även möten som har varit.")] = False,
) -> None:
    """Lista kommande möten med sista dag för handlingar och ärendena (ansökningarna) på dagordningen."""
    day = as_of_or_today(as_of)
    with reading() as session:
        moten = [m for m in list_meetings(session) if alla or m.datum >= day]
        data = [
            {
                "id": m.id,
                "typ": m.typ.value,
                "datum": m.datum.isoformat(),
                "tid": m.tid.strftime("%H:%M") if m.tid else None,
                "plats": m.plats,
                "handlingar_senast": m.handlingar_senast.isoformat(),
                "installt": m.installt,
                "agenda": [] if m.installt else agenda_of(session, m),
            }
            for m in moten
        ]
    if json_:
        print_json(data)
        return
    table = Table(title="Sammanträden")
    for column in ("Datum", "Tid", "Möte", "Plats", "Handlingar senast", "Ärenden"):
        table.add_column(column)
    for m, d in zip(moten, data, strict=True):
        table.add_row(
            d["datum"], d["tid"] or "", m.typ.label + (" (inställt)" if m.installt else ""), m.plats or "",
            d["handlingar_senast"],
            ", ".join(a["namn"] + (f" ({a['yttrande']})" if a["yttrande"] and a["yttrande"] != "tillstyrks" else "")
                      for a in d["agenda"]),
        )
    console.print(table)


@app.command("historik")
def historik_cmd(
    insats: Annotated[str, typer.Argument(help="Namn, diarienummer eller id.")],
    json_: Json = False,
) -> None:
    """Visa granskningsloggen för en insats: varje ändring, när och av vem."""
    with reading() as session:
        target = find_insats(session, insats)
        events = list(session.scalars(select(Handelse).where(Handelse.insats_id == target.id).order_by(Handelse.id)))
    data = [
        {
            "tid": clock.local(e.tid).isoformat(timespec="seconds"),
            "aktor": e.aktor,
            "atgard": e.atgard,
            "andring": e.andring,
            "objekt": e.objekt,
            "objekt_id": e.objekt_id,
            "detaljer": e.detaljer,
        }
        for e in events
    ]
    if json_:
        print_json(data)
        return
    table = Table(title=f"Historik: {target.ref}")
    for column in ("Tid", "Av", "Åtgärd", "Vad", "Ändring"):
        table.add_column(column)
    for d in data:
        details = ", ".join(
            f"{k}: {v['fore']} → {v['efter']}" if isinstance(v, dict) and "efter" in v else f"{k}={v}"
            for k, v in d["detaljer"].items()
            if k != "id"
        )
        table.add_row(d["tid"][:19], d["aktor"], d["atgard"], f"{d['objekt']} {d['andring']}", details[:120])
    console.print(table)


@run_app.command("daily")
def run_daily(
    as_of: AsOf = None,
    skicka: Annotated[bool, typer.Option("--skicka/--skicka-inte", help="Skicka utkorgen direkt efter planeringen.")] = True,
) -> None:
    """Daglig bevakning: uppdatera tillstånd, köa dagens påminnelser och eskaleringar, skicka utkorgen."""
    day = as_of_or_today(as_of)
    with work(f"daglig bevakning {day.isoformat()}") as session:
        plan = plan_day(session, session.info["kontext"], mail_context(), as_of=day)
        lines = [m.text for m in plan.moved]
        lines += [f"Köat: {row.amne} → {row.mottagare}" for row in plan.queued]
        lines += [f"Till styrelsens uppföljningslista: {d}" for d in plan.flagged]
        if plan.replanned is not None:
            lines.append(f"Reglerna har ändrats: {antal(len(plan.replanned), 'rapportdatum', 'rapportdatum')} planerades om.")
            lines += [f"  {m.text}" for m in plan.replanned]
    # Printed after the commit: a slow terminal or a full pipe must never hold the database's locks.
    for line in lines:
        console.print(line, highlight=False, markup=False)
    console.print(f"{day.isoformat()}: {len(plan.queued)} nya meddelanden i utkorgen.")
    code = 0
    if skicka:
        code = _send_and_report()
    if plan.failed:
        # Everything else is done; now say what could not be, and end failed.
        err_console.print(f"{antal(len(plan.failed), 'sak', 'saker')} kunde inte göras i dag:", style="red", highlight=False)
        for failure in plan.failed:
            err_console.print(f"  {failure}", style="red", markup=False, highlight=False)
        raise typer.Exit(EXIT_REFUSED)
    if code:
        raise typer.Exit(code)


def _send_and_report() -> int:
    """Send the outbox and print what happened; 3 when the mail server refused or was away, else 0."""
    report = send_outbox()
    console.print(f"Utskick: {report.summary()}.")
    for row_id, why in report.failed:
        err_console.print(f"  Misslyckat utskick {row_id}: {why}", style="red", markup=False, highlight=False)
    for row_id, why in report.uncertain:
        err_console.print(f"  Osäkert utskick {row_id} (kan ha kommit fram; försöks högst en gång till): {why}",
                          style="yellow", markup=False, highlight=False)
    say_held_claims()
    return 3 if report.failed or report.deferred or report.uncertain else 0


@app.command("skicka")
def skicka_cmd() -> None:
    """Skicka det som väntar i utkorgen."""
    if code := _send_and_report():
        raise typer.Exit(code)


@app.command("outbox")
def outbox_cmd(
    json_: Json = False,
    tillstand: Annotated[Optional[list[UtskickTillstand]], typer.Option("--tillstand", help="Bara dessa tillstånd.")] = None,
    antal: Annotated[int, typer.Option("--antal", help="Högst så många, senaste först.")] = 200,
    insats: Annotated[Optional[str], typer.Option("--insats", help="Bara en insats (namn, diarienummer eller id).")] = None,
) -> None:
    """Visa utkorgen: vad som skickats, vad som väntar och vad som misslyckats."""
    with reading() as session:
        target = find_insats(session, insats) if insats else None
        rows = list_outbox(session, states=tillstand or None, limit=antal, insats_id=target.id if target else None)
        title = f"Utkorgen: {target.ref}" if target else "Utkorgen"
        data = [
            {
                "id": r.id,
                "insats_id": r.insats_id,
                "typ": r.typ,
                "steg": r.steg,
                "mottagare": r.mottagare,
                "kopia": r.kopia,
                "amne": r.amne,
                "tillstand": r.tillstand.value,
                "forsok": r.forsok,
                "planerad": r.planerad.isoformat(),
                "skickad": clock.local(r.skickad).isoformat(timespec="seconds") if r.skickad else None,
                "fel": r.senaste_fel,
                "message_id": r.message_id,
            }
            for r in rows
        ]
    if json_:
        print_json(data)
        return
    say_held_claims()
    table = Table(title=title)
    for column in ("Id", "Planerad", "Till", "Ämne", "Status", "Försök", "Fel"):
        table.add_column(column)
    for r, d in zip(rows, data, strict=True):
        style = "red" if r.tillstand.value == "misslyckad" else None
        table.add_row(str(r.id), d["planerad"], r.mottagare, r.amne, r.tillstand.label, str(r.forsok), r.senaste_fel or "",
                      style=style)
    console.print(table)


@app.command("synka-moten")
def synka_moten_cmd() -> None:
    """Skapa, flytta och ställ in Prefect-körningarna som mötesplanen kräver (kräver PREFECT_API_URL)."""
    if not os.environ.get("PREFECT_API_URL"):
        raise FinsamError("Ange Prefect-serverns adress i PREFECT_API_URL (t.ex. http://127.0.0.1:4200/api).")
    from flows.moten import synka_motesplan

    state = synka_motesplan(return_state=True)
    result = state.result(raise_on_failure=False) if state.is_failed() else state.result()
    if not isinstance(result, dict):
        raise FinsamError(f"Mötesplanen kunde inte synkas: {state.message or state.name}")
    console.print(f"Mötesplanen synkad: {result['skapade']} nya körningar, {result['oforandrade']} oförändrade, "
                  f"{result['installda']} inställda.")
    if result["fel"]:
        for failure in result["fel"]:
            err_console.print(f"  Kunde inte synkas: {failure}", style="red", markup=False, highlight=False)
        raise typer.Exit(EXIT_REFUSED)


@app.command("demo")
def demo_cmd(
    output: Annotated[Path, typer.Option("--output", help="Mappen demon skriver till.")] = Path("demo-output"),
    fran: Annotated[Optional[date], typer.Option("--fran", parser=DATE, metavar="ÅÅÅÅ-MM-DD")] = None,
    till: Annotated[Optional[date], typer.Option("--till", parser=DATE, metavar="ÅÅÅÅ-MM-DD")] = None,
) -> None:
    """Spela upp 2021-09-01 – 2022-03-31 över 2021 års insatser som en Prefect-körning (lokalt läge)."""
    output = output.resolve()
    output.mkdir(parents=True, exist_ok=True)
    # Prefect keeps its runs in the demo folder, so the UI can show them afterwards.
    os.environ.setdefault("PREFECT_HOME", str(output / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # Prefect's local server gets 20 s to start by default; a first run or a busy machine needs more.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    # The terminal gets the summary below, not a line per task run; the runs' logs stay in Prefect.
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    from finsam.demo import END, START
    from flows.aterspela import aterspela

    start, end = fran or START, till or END
    console.print(f"Spelar upp {start} – {end} över 2021 års insatser och en exempelplan för sammanträden …")
    console.print("(Prefect startar en tillfällig lokal server första gången; det tar några sekunder.)")
    state = aterspela(utdata=str(output), fran=start, till=end, return_state=True)
    result = state.result(raise_on_failure=False)
    if not isinstance(result, dict):
        raise FinsamError(f"Demon kunde inte spelas upp: {state.message or state.name}")
    for line in result["handelser"]:
        console.print(f"  {line}")
    table = Table(title="Utskick under perioden")
    table.add_column("Slag och status")
    table.add_column("Antal", justify="right")
    for kind, count in result["utskick"].items():
        table.add_row(kind, str(count))
    console.print(table)
    console.print(f"{result['styrelselistan']} rapporter hamnade på styrelsens uppföljningslista.")
    console.print(f"E-post (öppnas i Outlook eller Thunderbird): {output / 'utskick'}/")
    console.print(f"Underlag och listor inför mötena: {output / 'underlag'}/")
    console.print(f"Kalendrar ({result['kalendrar'] + 1} filer): {output / 'kalender'}/   Rapporterna: {output / 'deadlines.json'}")
    console.print("Se körningen och dess artefakter i Prefects webbgränssnitt:")
    console.print(f"  PREFECT_HOME={output / 'prefect'} .venv/bin/prefect server start   och öppna http://127.0.0.1:4200")
    if result["fel"]:
        err_console.print(f"{antal(len(result['fel']), 'sak', 'saker')} kunde inte göras:", style="red", highlight=False)
        for failure in result["fel"]:
            err_console.print(f"  {failure}", style="red", markup=False, highlight=False)
        raise typer.Exit(EXIT_REFUSED)


@app.command("arsredovisning")
def arsredovisning_cmd(
    ar: Annotated[int, typer.Option("--ar", min=1990, max=2100, help="Året som årsredovisningen gäller.")],
    ut: Annotated[Optional[Path], typer.Option("--ut", help="Word-filen att skriva (.docx).")] = None,
    as_of: AsOf = None,
    json_: Json = False,
) -> None:
    """Bilaga 1 till årsredovisningen: ett block per insats som pågick under året, som Word-fil eller JSON."""
    from finsam.messages.bilaga1_docx import bilaga1_docx
    from finsam.services.arsredovisning import bilaga1

    if ut is None and not json_:
        raise FinsamError("Ange --ut FIL.docx (eller --json).")
    if ut is not None and ut.suffix.lower() != ".docx":
        raise FinsamError(f"{ut.name}: filen ska sluta på .docx.")
    regler = rules()
    with reading() as session:
        bilaga = bilaga1(session, regler, ar, as_of=as_of_or_today(as_of))
    if json_:
        print_json(bilaga.as_json())
    if ut is not None:
        try:
            write_output(ut, bilaga1_docx(bilaga, regler.forbund.namn))
        except OSError as e:
            raise FinsamError(f"Kan inte skriva {ut}: {os_reason(e)}") from None
        console.print(f"Bilaga 1 för {ar}: {bilaga.antal} insatser skrivna till {ut}; {bilaga.sammanfattning()}",
                      markup=False, highlight=False, soft_wrap=True)


config_app = typer.Typer(help="Regelfilen: visa den, och se vad en ändring gör innan den gäller.", no_args_is_help=False,
                         invoke_without_command=True)
app.add_typer(config_app, name="config")


@config_app.callback()
def config_cmd(ctx: typer.Context) -> None:
    """Kontrollera regelfilen och visa reglerna som gäller."""
    if ctx.invoked_subcommand is None:
        print_json(rules().model_dump(mode="json", by_alias=True))


@config_app.command("diff")
def config_diff_cmd(
    fil: Annotated[Optional[Path], typer.Option("--regler", help="Regelfilen att pröva (standard: den som är inställd).")] = None,
    as_of: AsOf = None,
    json_: Json = False,
) -> None:
    """Visa vilka öppna rapportdatum som flyttas med reglerna i filen, utan att spara något.
    Nästa dagliga körning planerar om på samma sätt."""
    candidate = load_rules(fil) if fil is not None else rules()
    day = as_of_or_today(as_of)
    with work("regeländring (provkörning)", dry_run=True) as session:
        moves = replan_all(session, session.info["kontext"], candidate, as_of=day)
        data = [m.as_json() for m in moves]
        texts = [m.text for m in moves]
    if json_:
        print_json(data)
        return
    for text in texts:
        console.print(text, markup=False, highlight=False)
    console.print(f"Provkörning, inget sparat: {antal(len(moves), 'rapportdatum', 'rapportdatum')} skulle planeras om.")


def _command_names() -> set[str]:
    """Every command and subcommand name, so a crash report can keep them and leave out what was typed."""
    names: set[str] = set()
    pending = [typer.main.get_command(app)]
    while pending:
        command = pending.pop()
        for name, sub in getattr(command, "commands", {}).items():
            names.add(name)
            pending.append(sub)
    return names


def main() -> None:
    """Entry point: usage errors exit 2, refusals 1 with a Swedish reason, real bugs 70 with a crash report."""
    try:
        code = app(standalone_mode=False, prog_name="finsam")  # returns the code of a typer.Exit instead of raising it
        if isinstance(code, int) and code:
            sys.exit(code)
    except UsageError as e:
        show_usage_error(e)
        sys.exit(EXIT_USAGE)
    except FinsamError as e:
        err_console.print(f"Fel: {e}", style="red", markup=False, highlight=False)
        sys.exit(EXIT_REFUSED)
    except DataError as e:  # a value from the command line that the database cannot compare or hold
        text = str(e.orig).splitlines()[0] if getattr(e, "orig", None) else type(e).__name__
        err_console.print(f"Fel: ett värde ryms inte i databasen ({text}).", style="red", markup=False, highlight=False)
        sys.exit(EXIT_REFUSED)
    except (OperationalError, ProgrammingError) as e:
        text = str(e.orig) if getattr(e, "orig", None) else str(e)
        if "no such table" in text or "does not exist" in text:
            err_console.print("Fel: databasen saknar tabeller: kör först `finsam db upgrade`.", style="red", markup=False)
        else:
            err_console.print(f"Fel i databasen: {text.strip()}", style="red", markup=False, highlight=False)
        sys.exit(EXIT_REFUSED)
    except (KeyboardInterrupt, typer.Abort):
        err_console.print("Avbrutet.")
        sys.exit(EXIT_REFUSED)
    except ClickException as e:
        err_console.print(f"Fel: {e.format_message()}", style="red", markup=False, highlight=False)
        sys.exit(e.exit_code)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except OSError as e:  # the disk, a folder or a file the command was pointed at
        err_console.print(f"Fel: {os_reason(e)}", style="red", markup=False, highlight=False)
        sys.exit(EXIT_REFUSED)
    except Exception as e:  # a bug: say so plainly, keep a report for whoever runs the server
        if os.environ.get("FINSAM_DEBUG"):
            raise
        try:
            report = write_crash_report(e, sys.argv, get_settings().crash_folder.resolve(), _command_names())
            where = f"En felrapport (utan personuppgifter) finns i {report}: skicka den till den som sköter servern."
        except Exception:  # the report itself could not be written: still no traceback
            where = "Felrapporten kunde inte sparas; kör igen med FINSAM_DEBUG=1 för detaljer."
        err_console.print(
            f"Oväntat fel ({type(e).__name__}): ett fel i programmet, inte i det du skrev. {where}",
            style="red", markup=False, highlight=False,
        )
        sys.exit(EXIT_BUG)
