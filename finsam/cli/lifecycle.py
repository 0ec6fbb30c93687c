"""CLI commands that drive an insats through its life: ansökan, yttrande, beslut, reports, anstånd, changes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Optional

import typer

from finsam.cli.common import DATE, as_of_or_today, console, err_console, mail_context, reading, rules, send_outbox, work
from finsam.domain.enums import Bedomning, BeslutUtfall, Inriktning, RapportTyp, Tillstand
from finsam.domain.meetings import beredning_for, styrelse_for
from finsam.domain.parsing import parse_amount
from finsam.domain.schedule import SchemaTyp
from finsam.errors import FinsamError
from finsam.services import lifecycle, registrations
from finsam.services.deadlines import SyncResult, set_chased
from finsam.services.lookup import find_insats
from finsam.services.meetings import meeting_slots
from finsam.domain.model import Ansokan, Utskick
from sqlalchemy import select
from finsam.services.notify import not_made

Ref = Annotated[str, typer.Argument(help="Insatsens namn, diarienummer eller id.")]
AsOf = Annotated[Optional[date], typer.Option("--as-of", parser=DATE, metavar="ÅÅÅÅ-MM-DD", help="Dagen att räkna från (standard: i dag).")]
Av = Annotated[Optional[str], typer.Option("--av", help="Vem som registrerar (standard: inloggad användare).")]


ArBelopp = Annotated[Optional[list[str]], typer.Option(
    "--ar-belopp", metavar="ÅÅÅÅ=KR", help="Beloppet för ett år som beslutet anger det, t.ex. 2023=400000 (flera gånger).")]


def _per_year(items: list[str] | None) -> dict[int, int] | None:
    """--ar-belopp 2023=400000 --ar-belopp 2024=350000: the amount per year, each year once."""
    if not items:
        return None
    result: dict[int, int] = {}
    for item in items:
        year, sep, amount = item.partition("=")
        if not sep or not year.strip().isdigit() or not 1900 <= int(year) <= 2200:
            raise typer.BadParameter(f"'{item}' ska vara ÅÅÅÅ=belopp, t.ex. 2023=400000", param_hint="--ar-belopp")
        if int(year) in result:
            raise typer.BadParameter(f"{int(year)} står flera gånger", param_hint="--ar-belopp")
        result[int(year)] = _amount(amount, "--ar-belopp")  # type: ignore[assignment]
    return result


def _amount(text: str | None, option: str) -> int | None:
    if text is None:
        return None
    try:
        return parse_amount(text)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint=option) from None


def _send_now(not_made: str | None = None) -> None:
    """Send what was queued; then, if the use case's message could not be made, say so and exit 1
    (the registration itself stands: it was committed)."""
    report = send_outbox()
    if report.sent or report.failed or report.deferred:
        console.print(f"Utskick: {report.summary()}.")
    if not_made is not None:
        err_console.print(f"Registreringen är sparad, men meddelandet kunde inte skapas: {not_made}. "
                          "Rätta uppgiften (se `finsam outbox --tillstand misslyckad`).",
                          style="red", markup=False, highlight=False)
        raise typer.Exit(1)


def _queued(row: Utskick | None, text: str) -> str | None:
    """Print that the message was queued, or return why it could not be made."""
    if (why := not_made(row)) is None and row is not None:
        console.print(text)
    return why


def _sync_text(sync: SyncResult) -> str:
    return f"deadlines: {sync.skapade} nya, {sync.andrade} ändrade, {sync.makulerade} makulerade"


def ansokan(
    namn: Annotated[str, typer.Argument(help="Insatsens namn.")],
    huvudman: Annotated[list[str], typer.Option("--huvudman", help="Huvudman (kan anges flera gånger).")],
    ankomst: Annotated[date, typer.Option("--ankomst", parser=DATE, metavar="ÅÅÅÅ-MM-DD", help="Ankomstdatum.")],
    kontakt: Annotated[str, typer.Option("--kontakt", help="Kontaktpersonens namn.")],
    epost: Annotated[str, typer.Option("--epost", help="Kontaktpersonens e-postadress.")],
    inriktning: Annotated[Inriktning, typer.Option("--inriktning")] = Inriktning.INDIVID,
    part: Annotated[Optional[list[str]], typer.Option("--samverkanspart", help="Samverkanspart (flera gånger).")] = None,
    belopp: Annotated[Optional[str], typer.Option("--belopp", help="Sökt belopp i kronor.")] = None,
    start: Annotated[Optional[date], typer.Option("--start", parser=DATE, metavar="ÅÅÅÅ-MM-DD", help="Sökt startdatum.")] = None,
    slut: Annotated[Optional[date], typer.Option("--slut", parser=DATE, metavar="ÅÅÅÅ-MM-DD", help="Sökt slutdatum.")] = None,
    diarienummer: Annotated[Optional[str], typer.Option("--diarienummer")] = None,
    telefon: Annotated[Optional[str], typer.Option("--telefon")] = None,
    syfte: Annotated[Optional[str], typer.Option("--syfte", help="Insatsens syfte, som ansökan anger det.")] = None,
    mal: Annotated[Optional[str], typer.Option("--mal", help="Insatsens mål, som ansökan anger det.")] = None,
    egen: Annotated[bool, typer.Option("--egen", help="Förbundets egen insats (huvudman förbundet): följs av kansliet, "
                                       "utan påminnelser; pengarna hör till kanslibudgeten.")] = False,
    deltagarregistrering: Annotated[Optional[str], typer.Option(
        "--deltagarregistrering", help="Årsredovisningens Deltagarregistrering, där den skiljer sig från regelfilens.")] = None,
    specifik_malgrupp: Annotated[Optional[str], typer.Option(
        "--specifik-malgrupp", help="Årsredovisningens Specifik målgrupp, där den skiljer sig från regelfilens.")] = None,
    av: Av = None,
) -> None:
    """Registrera en ansökan; den går till första beredningsgruppsmöte vars handlingsdag den hinner."""
    ny = lifecycle.NyAnsokan(
        namn=namn,
        inriktning=inriktning,
        huvudman=huvudman,
        ankomstdatum=ankomst,
        kontaktperson=kontakt,
        kontakt_epost=epost,
        samverkansparter=part or [],
        sokt_belopp_kr=_amount(belopp, "--belopp"),
        sokt_start=start,
        sokt_slut=slut,
        diarienummer=diarienummer,
        kontakt_telefon=telefon,
        syfte=syfte,
        mal=mal,
        egen=egen,
        deltagarregistrering=deltagarregistrering,
        specifik_malgrupp=specifik_malgrupp,
    )
    with work("registrera ansökan", av=av) as session:
        insats, ans = lifecycle.register_ansokan(session, session.info["kontext"], ny)
        session.flush()
        mote = ans.beredningsmote
        console.print(f"Ansökan registrerad: {insats.ref} (id {insats.id}), {insats.tillstand.label}.")
        if mote:
            console.print(f"Går till beredningsgruppen {mote.datum} (handlingar senast {mote.handlingar_senast}).")
        else:
            console.print("Inget beredningsgruppsmöte i mötesplanen som ansökan hinner till: lägg in fler möten.")


def planera(ankomst: Annotated[date, typer.Option("--ankomst", parser=DATE, metavar="ÅÅÅÅ-MM-DD", help="Ankomstdatum.")]) -> None:
    """Visa vilket beredningsgruppsmöte och styrelsemöte en ansökan med detta ankomstdatum når."""
    with reading() as session:
        slots = meeting_slots(session)
    beredning = beredning_for(ankomst, slots)
    if beredning is None:
        console.print("Inget beredningsgruppsmöte i planen som ansökan hinner till.")
        return
    console.print(f"Beredningsgrupp: {beredning.datum} (handlingar senast {beredning.handlingar_senast}).")
    styrelse = styrelse_for(beredning.datum, slots)
    if styrelse is None:
        console.print("Inget styrelsemöte i planen efter det.")
    else:
        console.print(f"Styrelse: {styrelse.datum} (handlingar senast {styrelse.handlingar_senast}).")


ExtraMote = Annotated[bool, typer.Option(
    "--extra-mote", help="Mötet var ett extra sammanträde, inte i mötesplanen (annars ska datumet vara ett möte i planen).")]


def yttrande(
    insats: Ref,
    datum: Annotated[date, typer.Option("--datum", parser=DATE, metavar="ÅÅÅÅ-MM-DD", help="Beredningsgruppens mötesdatum.")],
    bedomning: Annotated[Bedomning, typer.Option("--bedomning")],
    motivering: Annotated[Optional[str], typer.Option("--motivering")] = None,
    extra_mote: ExtraMote = False,
    as_of: AsOf = None,
    av: Av = None,
) -> None:
    """Registrera beredningsgruppens yttrande; vid kompletteras får sökanden en begäran och ansökan väntar."""
    with work("registrera yttrande", av=av) as session:
        target = find_insats(session, insats)
        done = registrations.yttrande(session, session.info["kontext"], mail_context(), target, datum=datum,
                                      bedomning=bedomning, motivering=motivering, as_of=as_of_or_today(as_of),
                                      extra=extra_mote)
        console.print(f"Yttrande registrerat för {target.ref}: {bedomning.value}.")
        if bedomning is Bedomning.KOMPLETTERAS:
            console.print("Ansökan väntar på komplettering; registrera den med `finsam komplettering` när den kommit in.")
        why = _queued(done.meddelande, "Begäran om komplettering köad till sökanden.")
    _send_now(why)


def komplettering(
    insats: Ref,
    inkom: Annotated[date, typer.Option("--inkom", parser=DATE, metavar="ÅÅÅÅ-MM-DD", help="Dagen kompletteringen kom in.")],
    av: Av = None,
) -> None:
    """Registrera en komplettering som beredningsgruppen begärt; ansökan går vidare till styrelsen."""
    with work("registrera komplettering", av=av) as session:
        target = find_insats(session, insats)
        registrations.komplettering(session, session.info["kontext"], target, inkom=inkom)
        session.flush()
        ansokan = session.scalar(select(Ansokan).where(Ansokan.insats_id == target.id))
        mote = ansokan.styrelsemote
        console.print(f"Komplettering registrerad för {target.ref}; "
                      + (f"går till styrelsen {mote.datum} (handlingar senast {mote.handlingar_senast})." if mote
                         else "inget styrelsemöte i mötesplanen som den hinner till: lägg in fler möten."))


Beslutsdatum = Annotated[Optional[date], typer.Option(
    "--beslutsdatum", parser=DATE, metavar="ÅÅÅÅ-MM-DD",
    help="Dagen styrelsen (eller arbetsutskottet) beslutade (standard: --as-of).")]
Anteckning = Annotated[Optional[str], typer.Option("--anteckning", help="Kort om beslutet, med i meddelandet.")]


def _told(done: registrations.Registrerat, text: str) -> str | None:
    """Print what the registration did and that its message was queued; return why it could not be made."""
    if done.sync.changed:
        text += f" ({_sync_text(done.sync)})"
    console.print(text + ".")
    return _queued(done.meddelande, "Meddelande med de nya datumen köat till insatsägaren.")


def beslut(
    insats: Ref,
    datum: Annotated[date, typer.Option("--datum", parser=DATE, metavar="ÅÅÅÅ-MM-DD", help="Styrelsemötets datum.")],
    utfall: Annotated[BeslutUtfall, typer.Option("--utfall")],
    belopp: Annotated[Optional[str], typer.Option("--belopp", help="Beviljade medel i kronor.")] = None,
    start: Annotated[Optional[date], typer.Option("--start", parser=DATE, metavar="ÅÅÅÅ-MM-DD")] = None,
    slut: Annotated[Optional[date], typer.Option("--slut", parser=DATE, metavar="ÅÅÅÅ-MM-DD")] = None,
    anteckning: Annotated[Optional[str], typer.Option("--anteckning")] = None,
    ar_belopp: ArBelopp = None,
    extra_mote: ExtraMote = False,
    as_of: AsOf = None,
    av: Av = None,
) -> None:
    """Registrera styrelsens beslut (beviljas, avslas, aterremitteras, bordlaggs). Vid beviljas: beviljade medel och
    insatstid, och beloppet per år där beslutet anger det (annars fördelas summan efter dagar, uppskattat)."""
    with work("registrera beslut", av=av) as session:
        target = find_insats(session, insats)
        done = registrations.beslut(
            session, session.info["kontext"], mail_context(), target, datum=datum, utfall=utfall,
            as_of=as_of_or_today(as_of), belopp_kr=_amount(belopp, "--belopp"), start=start, slut=slut,
            anteckning=anteckning, belopp_per_ar=_per_year(ar_belopp), extra=extra_mote,
        )
        console.print(f"Beslut registrerat för {target.ref}: {utfall.label}; nu {target.tillstand.label}.")
        if utfall is BeslutUtfall.BEVILJAS:
            console.print(_sync_text(done.sync) + ".")
        why = _queued(done.meddelande, "Beslutsmeddelande köat till sökanden.")
    _send_now(why)


def rapport_inkommen(
    insats: Ref,
    typ: Annotated[RapportTyp, typer.Option("--typ")],
    inkom: Annotated[date, typer.Option("--inkom", parser=DATE, metavar="ÅÅÅÅ-MM-DD", help="Dagen rapporten kom in.")],
    nr: Annotated[Optional[int], typer.Option("--nr", help="Delrapportens nummer (standard: den äldsta öppna vars period har slutat).")] = None,
    av: Av = None,
) -> None:
    """Registrera en inkommen delrapport eller slutrapport; påminnelserna för den upphör."""
    with work("registrera inkommen rapport", av=av) as session:
        target = find_insats(session, insats)
        done = registrations.rapport(session, session.info["kontext"], mail_context(), target, typ=typ, inkom=inkom, nr=nr)
        console.print(f"{done.rapport.deadline.rubrik} för {target.ref} registrerad som inkommen {inkom}.")
        if target.tillstand is Tillstand.SLUTREDOVISAD:
            console.print("Insatsen är slutredovisad.")
        why = _queued(done.meddelande, "Kvittens köad till kontaktpersonen.")
    _send_now(why)


def anstand(
    deadline_id: Annotated[int, typer.Argument(help="Deadlinens id (se `finsam deadlines`).")],
    new_due: Annotated[date, typer.Option("--new-due", parser=DATE, metavar="ÅÅÅÅ-MM-DD", help="Nytt sista datum.")],
    reason: Annotated[str, typer.Option("--reason", help="Skäl till anståndet.")],
    beslutsdatum: Beslutsdatum = None,
    as_of: AsOf = None,
    av: Av = None,
) -> None:
    """Bevilja anstånd för en rapport. Det gamla datumet finns kvar i historiken."""
    with work("anstånd", av=av) as session:
        kontext = session.info["kontext"]
        done = registrations.anstand(session, kontext, mail_context(), deadline_id, nytt=new_due, skal=reason,
                                     beviljat_av=kontext.aktor, as_of=as_of_or_today(as_of), beslutsdatum=beslutsdatum)
        beviljad = done.anstand
        if beviljad.nytt_forfaller != new_due:
            console.print(f"{new_due} är ingen arbetsdag; anståndet gäller till {beviljad.nytt_forfaller}.")
        why = _told(done, f"Anstånd beviljat: förfaller nu {beviljad.nytt_forfaller} (tidigare {beviljad.tidigare_forfaller})")
    _send_now(why)


def bevaka(
    deadline_id: Annotated[int, typer.Argument(help="Deadlinens id (se `finsam deadlines`).")],
    inte: Annotated[bool, typer.Option("--inte", help="Sluta bevaka (inga fler påminnelser).")] = False,
    av: Av = None,
) -> None:
    """Bevaka en rapport som saknas på riktigt (t.ex. en som redan var försenad vid importen)."""
    with work("bevakning", av=av) as session:
        deadline = set_chased(session, session.info["kontext"], deadline_id, not inte,
                              "bevakas inte längre" if inte else "saknas: bevakas")
        state = "bevakas inte längre" if inte else "bevakas nu; nästa dagliga körning skickar det steg som gäller"
        console.print(f"{deadline.rubrik} för {deadline.insats.namn} {state}.")


def forlang(
    insats: Ref,
    slut: Annotated[date, typer.Option("--slut", parser=DATE, metavar="ÅÅÅÅ-MM-DD", help="Nytt slutdatum.")],
    beslutsdatum: Beslutsdatum = None,
    anteckning: Anteckning = None,
    as_of: AsOf = None,
    av: Av = None,
) -> None:
    """Registrera ett beslut om förlängning; öppna rapporter planeras om och insatsägaren får de nya datumen."""
    with work("förlängning", av=av) as session:
        target = find_insats(session, insats)
        done = registrations.forlangning(session, session.info["kontext"], mail_context(), target, slut=slut,
                                         as_of=as_of_or_today(as_of), beslutsdatum=beslutsdatum, anteckning=anteckning)
        why = _told(done, f"{target.ref} förlängd till {slut}")
        if done.medel:
            console.print(done.medel)
    _send_now(why)


def tillaggsanslag(
    insats: Ref,
    belopp: Annotated[Optional[str], typer.Option("--belopp", help="Tillägg i kronor (utan --ar-belopp).")] = None,
    ar: Annotated[Optional[int], typer.Option("--ar", help="Året anslaget gäller (standard: beslutsårets).", min=1900, max=2200)] = None,
    ar_belopp: ArBelopp = None,
    beslutsdatum: Beslutsdatum = None,
    anteckning: Anteckning = None,
    as_of: AsOf = None,
    av: Av = None,
) -> None:
    """Registrera ett beslut om tilläggsanslag för ett år, eller för flera med --ar-belopp per år."""
    with work("tilläggsanslag", av=av) as session:
        target = find_insats(session, insats)
        done = registrations.tillaggsanslag(session, session.info["kontext"], mail_context(), target,
                                            belopp_kr=_amount(belopp, "--belopp"), ar=ar, belopp_per_ar=_per_year(ar_belopp),
                                            as_of=as_of_or_today(as_of), beslutsdatum=beslutsdatum, anteckning=anteckning)
        years = ", ".join(f"{a.ar}: {a.belopp_kr} kr" for a in done.beslut.anslag)
        why = _told(done, f"Tilläggsanslag {done.beslut.belopp_kr} kr ({years}) registrerat; "
                          f"beviljade medel nu {target.beviljade_medel_kr} kr")
    _send_now(why)


def avbryt(
    insats: Ref,
    datum: Annotated[date, typer.Option("--datum", parser=DATE, metavar="ÅÅÅÅ-MM-DD", help="Sista dag för insatsen.")],
    beslutsdatum: Beslutsdatum = None,
    anteckning: Anteckning = None,
    as_of: AsOf = None,
    av: Av = None,
) -> None:
    """Registrera ett beslut om avbrott; senare delrapporter makuleras och slutrapporten flyttas."""
    with work("avbrott", av=av) as session:
        target = find_insats(session, insats)
        done = registrations.avbrott(session, session.info["kontext"], mail_context(), target, datum=datum,
                                     as_of=as_of_or_today(as_of), beslutsdatum=beslutsdatum, anteckning=anteckning)
        why = _told(done, f"{target.ref} avbruten {datum}")
    _send_now(why)


def rapportschema(
    insats: Ref,
    schema: Annotated[Optional[SchemaTyp], typer.Option("--schema")] = None,
    manader: Annotated[Optional[int], typer.Option("--manader", help="Månader per period (rullande).")] = None,
    fasta_datum: Annotated[Optional[str], typer.Option("--fasta-datum", help="T.ex. 04-30,10-31.")] = None,
    datumlista: Annotated[Optional[str], typer.Option("--datumlista", help="T.ex. 2024-03-31,2024-09-30.")] = None,
    dagar_efter_period: Annotated[Optional[int], typer.Option("--dagar-efter-period")] = None,
    aterstall: Annotated[bool, typer.Option("--aterstall", help="Följ förbundets regler igen.")] = False,
    as_of: AsOf = None,
    av: Av = None,
) -> None:
    """Ge en insats ett eget rapportschema (enligt överenskommelse med kansliet)."""
    delrapport: dict[str, object] = {}
    if schema is not None:
        delrapport["schema"] = schema.value
    if manader is not None:
        delrapport["manader"] = manader
    if fasta_datum:
        delrapport["fasta_datum"] = [p.strip() for p in fasta_datum.split(",") if p.strip()]
    if datumlista:
        delrapport["datumlista"] = [p.strip() for p in datumlista.split(",") if p.strip()]
    if dagar_efter_period is not None:
        delrapport["dagar_efter_period"] = dagar_efter_period
    if not aterstall and not delrapport:
        raise FinsamError("Ange något att ändra (t.ex. --schema fasta_datum --fasta-datum 04-30,10-31) eller --aterstall.")
    with work("ändrat rapportschema", av=av) as session:
        target = find_insats(session, insats)
        override = None if aterstall else {"delrapport": {**((target.rapportschema or {}).get("delrapport", {})), **delrapport}}
        sync = lifecycle.change_schedule(
            session, session.info["kontext"], target, rules(), schema=override, as_of=as_of_or_today(as_of)
        )
        console.print(f"Rapportschema för {target.ref} ändrat; {_sync_text(sync)}.")


def uppdatera(as_of: AsOf = None, av: Av = None) -> None:
    """Flytta insatser till pågående på startdagen och till avslutad efter slutdagen."""
    with work("uppdatera tillstånd", av=av) as session:
        moved = lifecycle.advance_states(session, session.info["kontext"], as_of=as_of_or_today(as_of))
        for m in moved:
            console.print(m.text)
        console.print(f"{len(moved)} insatser bytte tillstånd.")


def register(app: typer.Typer) -> None:
    for command, name in (
        (ansokan, "ansokan"),
        (planera, "planera"),
        (yttrande, "yttrande"),
        (komplettering, "komplettering"),
        (beslut, "beslut"),
        (rapport_inkommen, "rapport-inkommen"),
        (anstand, "anstand"),
        (bevaka, "bevaka"),
        (forlang, "forlang"),
        (tillaggsanslag, "tillaggsanslag"),
        (avbryt, "avbryt"),
        (rapportschema, "rapportschema"),
        (uppdatera, "uppdatera"),
    ):
        app.command(name)(command)
