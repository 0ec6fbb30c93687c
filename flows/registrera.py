"""Registrations from the Prefect UI's run forms: the kansli fills in a form instead of a terminal."""

from __future__ import annotations

from datetime import date
from typing import Literal

from prefect.states import Failed
from pydantic import BaseModel, ConfigDict, Field

from finsam.domain.checked import Belopp, Namn

from finsam import clock
from finsam.domain.enums import Bedomning, BeslutUtfall, Inriktning, RapportTyp
from flows.skicka_utskick import skicka_utskick
from flows.common import REGISTRERAS_AV, Dag, Formular, kansli_form, parameter, refused, run_name
from tasks.common import tag_this_run
from tasks.insatssidor import refresh_insats_pages
from tasks.registrering import (
    accept_report,
    grant,
    register_ansokan,
    register_beslut,
    register_change,
    register_komplettering,
    register_payout,
    register_repayment,
    register_report,
    register_yttrande,
    resolve_from_queue,
)

UTFALL = {u.label: u for u in BeslutUtfall}  # the choices as the kansli reads them: "avslås", "återremitteras"

INSATS = Field(title="Insats", description="Diarienummer, id eller namn (en del av namnet räcker om den är unik).",
               max_length=300)


class Ansokan(Formular):
    namn: str = Field(title="Insatsens namn", min_length=1, max_length=300)
    inriktning: Literal["individ", "struktur"] = Field(title="Inriktning")
    huvudman: list[str] = Field(title="Huvudman", description="Organisationen som driver insatsen (en eller flera).", min_length=1)
    samverkansparter: list[str] = Field(default_factory=list, title="Samverkansparter")
    ankomstdatum: Dag = Field(title="Ankomstdatum", description="Dagen ansökan kom in.")
    kontaktperson: str = Field(title="Kontaktperson", description="Den som får påminnelserna.", max_length=200)
    kontakt_epost: str = Field(title="Kontaktpersonens e-post", max_length=320)
    kontakt_telefon: str | None = Field(default=None, title="Kontaktpersonens telefon", max_length=40)
    sokt_belopp_kr: Belopp | None = Field(default=None, title="Sökt belopp (kr)", ge=0)
    sokt_start: Dag | None = Field(default=None, title="Sökt startdatum")
    sokt_slut: Dag | None = Field(default=None, title="Sökt slutdatum")
    diarienummer: str | None = Field(default=None, title="Diarienummer", description="T.ex. SFG 21-6.58", max_length=50)
    syfte: str | None = Field(default=None, title="Syfte", description="Som ansökan anger det (står i årsredovisningen).",
                              max_length=10_000)
    mal: str | None = Field(default=None, title="Mål", description="Som ansökan anger det (står i årsredovisningen).",
                            max_length=10_000)
    egen: bool = Field(default=False, title="Förbundets egen insats",
                       description="Huvudman är förbundet: kansliet följer den själv, utan påminnelser; pengarna hör till kanslibudgeten.")
    deltagarregistrering: str | None = Field(
        default=None, title="Deltagarregistrering", max_length=200,
        description="Som årsredovisningen ska ange den; lämna tomt för regelfilens (t.ex. Med personuppgifter/anonym).")
    specifik_malgrupp: str | None = Field(
        default=None, title="Specifik målgrupp", max_length=200,
        description="Som årsredovisningen ska ange den; lämna tomt för regelfilens.")

    registreras_av: Namn = REGISTRERAS_AV

EXTRA = Field(default=False, title="Extra sammanträde",
              description="Mötet fanns inte i mötesplanen (annars ska datumet vara ett möte i planen).")


class YttrandeFormular(Formular):
    insats: str = INSATS
    datum: Dag = Field(title="Datum", description="Beredningsgruppens mötesdatum, ett möte i mötesplanen.")
    bedomning: Literal["tillstyrks", "avstyrks", "kompletteras"] = Field(title="Bedömning")
    motivering: str | None = Field(default=None, title="Motivering", max_length=10_000)
    extra_sammantrade: bool = EXTRA

    registreras_av: Namn = REGISTRERAS_AV

class KompletteringFormular(Formular):
    insats: str = INSATS
    inkom: Dag = Field(title="Inkom", description="Dagen kompletteringen kom in.")

    registreras_av: Namn = REGISTRERAS_AV

class ArBelopp(BaseModel):
    """One year's amount, as the decision states it."""

    model_config = ConfigDict(title="Belopp för ett år", json_schema_extra={"description": "Ett år och beslutets belopp för det året."})
    ar: int = Field(title="År", ge=1900, le=2200)
    belopp_kr: Belopp = Field(title="Belopp (kr)", ge=0)


BELOPP_PER_AR = Field(default_factory=list, title="Belopp per år",
                      description="Där beslutet anger beloppet per år. Tomt: summan fördelas efter dagar (uppskattat).")


def _per_year(rows: list[ArBelopp]) -> dict[int, int] | None:
    return {row.ar: row.belopp_kr for row in rows} or None


class BeslutFormular(Formular):
    insats: str = INSATS
    datum: Dag = Field(title="Datum", description="Styrelsemötets datum, ett möte i mötesplanen.")
    utfall: Literal["beviljas", "avslås", "återremitteras", "bordläggs"] = Field(title="Beslut")
    beviljade_medel_kr: Belopp | None = Field(default=None, title="Beviljade medel (kr)", ge=0, description="Krävs vid beviljas.")
    start: Dag | None = Field(default=None, title="Insatstid från", description="Krävs vid beviljas.")
    slut: Dag | None = Field(default=None, title="Insatstid till", description="Tomt: tills vidare.")
    belopp_per_ar: list[ArBelopp] = BELOPP_PER_AR
    anteckning: str | None = Field(default=None, title="Anteckning", max_length=10_000)
    extra_sammantrade: bool = EXTRA

    registreras_av: Namn = REGISTRERAS_AV

class RapportFormular(Formular):
    insats: str = INSATS
    typ: Literal["delrapport", "slutrapport"] = Field(title="Rapport")
    inkom: Dag = Field(title="Inkom", description="Dagen rapporten kom in.")
    nr: int | None = Field(default=None, title="Delrapportens nummer", description="Tomt: den äldsta öppna vars period har slutat.", ge=1)

    registreras_av: Namn = REGISTRERAS_AV

class KoFormular(Formular):
    fil: str = Field(title="Fil", description="Filnamnet som det står i kansliets kö (artefakten inkomna-rapporter).",
                     min_length=1, max_length=300)
    insats: str = INSATS
    typ: Literal["delrapport", "slutrapport"] | None = Field(default=None, title="Rapport", description="Tomt: som dokumentet säger.")
    nr: int | None = Field(default=None, title="Delrapportens nummer", description="Tomt: den vars period rapporten gäller.", ge=1)

    registreras_av: Namn = REGISTRERAS_AV

class AnstandFormular(Formular):
    insats: str = INSATS
    rapport: str = Field(title="Rapport", description="Som den heter i listan: Delrapport 2, Slutrapport eller Återbetalning.",
                         min_length=1, max_length=100)
    nytt_datum: Dag = Field(title="Nytt sista datum")
    skal: str = Field(title="Skäl", min_length=1, max_length=2000)
    beviljat_av: str = Field(title="Beviljat av", min_length=1, max_length=200)
    beslutsdatum: Dag | None = Field(default=None, title="Beslutsdatum",
                                       description="Dagen styrelsen beslutade, där förbundets regler kräver ett beslut.")

    registreras_av: Namn = REGISTRERAS_AV

BESLUTSDATUM = Field(default=None, title="Beslutsdatum", description="Dagen styrelsen beslutade. Tomt: i dag.")
ANTECKNING = Field(default=None, title="Anteckning", description="Kort om beslutet; står i meddelandet till insatsägaren.",
                   max_length=10_000)


class ForlangningFormular(Formular):
    insats: str = INSATS
    slut: Dag = Field(title="Nytt slutdatum")
    beslutsdatum: Dag | None = BESLUTSDATUM
    anteckning: str | None = ANTECKNING

    registreras_av: Namn = REGISTRERAS_AV

class TillaggsanslagFormular(Formular):
    insats: str = INSATS
    belopp_kr: Belopp | None = Field(default=None, title="Tilläggsanslag (kr)", gt=0,
                                     description="Tomt: summan av beloppen per år.")
    ar: int | None = Field(default=None, title="År", description="Året anslaget gäller. Tomt: beslutsåret.", ge=1900, le=2200)
    belopp_per_ar: list[ArBelopp] = BELOPP_PER_AR
    beslutsdatum: Dag | None = BESLUTSDATUM
    anteckning: str | None = ANTECKNING

    registreras_av: Namn = REGISTRERAS_AV

class AvbrottFormular(Formular):
    insats: str = INSATS
    datum: Dag = Field(title="Sista dag", description="Insatsens sista dag; slutrapporten gäller tiden fram till dess.")
    beslutsdatum: Dag | None = BESLUTSDATUM
    anteckning: str | None = ANTECKNING

    registreras_av: Namn = REGISTRERAS_AV

class GodkannandeFormular(Formular):
    insats: str = INSATS

    registreras_av: Namn = REGISTRERAS_AV


class UtbetalningFormular(Formular):
    insats: str = INSATS
    datum: Dag = Field(title="Utbetald", description="Dagen förbundet betalade ut pengarna.")
    belopp_kr: Belopp = Field(title="Utbetalt belopp (kr)", gt=0)

    registreras_av: Namn = REGISTRERAS_AV


class AterbetalningFormular(Formular):
    insats: str = INSATS
    betald: Dag = Field(title="Betald", description="Dagen återbetalningen kom in till förbundet.")
    belopp_kr: Belopp | None = Field(default=None, title="Betalt belopp (kr)", gt=0,
                                     description="Tomt: hela återbetalningen, som slutrapporten anger den.")

    registreras_av: Namn = REGISTRERAS_AV

@kansli_form(name="registrera-ansokan", flow_run_name=run_name("Ansökan – {namn}"), description="Registrerar en ansökan och skickar den till nästa beredningsgrupp.")
def registrera_ansokan(ansökan: Ansokan = parameter("Ansökan")) -> dict:
    values = ansökan.model_dump(exclude={"registreras_av"})
    values["inriktning"] = Inriktning(values["inriktning"])
    return _told(register_ansokan(values), send=False)


@kansli_form(name="registrera-yttrande", flow_run_name=run_name("Yttrande – {insats}, {datum}"), description="Registrerar beredningsgruppens yttrande; vid kompletteras får sökanden en begäran.")
def registrera_yttrande(yttrande: YttrandeFormular = parameter("Yttrande")) -> dict:
    return _told(register_yttrande(yttrande.insats, yttrande.datum, Bedomning(yttrande.bedomning), yttrande.motivering,
                                   clock.today(), yttrande.extra_sammantrade))


@kansli_form(name="registrera-komplettering", flow_run_name=run_name("Komplettering – {insats}, inkom {inkom}"), description="Registrerar en begärd komplettering; ansökan går vidare till styrelsen.")
def registrera_komplettering(komplettering: KompletteringFormular = parameter("Komplettering")) -> dict:
    return _told(register_komplettering(komplettering.insats, komplettering.inkom))


@kansli_form(name="registrera-beslut", flow_run_name=run_name("Beslut – {insats}, {datum}"), description="Registrerar styrelsens beslut; ett beviljande planerar insatsens rapporter.")
def registrera_beslut(beslut: BeslutFormular = parameter("Styrelsens beslut")) -> dict:
    result = register_beslut(beslut.insats, beslut.datum, UTFALL[beslut.utfall], clock.today(),
                             beslut.beviljade_medel_kr, beslut.start, beslut.slut, beslut.anteckning,
                             _per_year(beslut.belopp_per_ar), beslut.extra_sammantrade)
    return _told(result)


def _message_not_made(result: dict):  # noqa: ANN202
    """The registration is saved; if its message could not be made the run ends failed saying why."""
    if result.get("meddelandefel"):
        return Failed(message=f"Registreringen är sparad, men meddelandet kunde inte skapas: {result['meddelandefel']}",
                      data=result)
    return result


@kansli_form(name="registrera-rapport", flow_run_name=run_name("Rapport – {insats}, inkom {inkom}"), description="Registrerar en inkommen delrapport eller slutrapport och skickar kvittens.")
def registrera_rapport(rapport: RapportFormular = parameter("Inkommen rapport")) -> dict:
    return _told(register_report(rapport.insats, RapportTyp(rapport.typ), rapport.inkom, rapport.nr))


@kansli_form(name="bevilja-anstand", flow_run_name=run_name("Anstånd – {insats}, {rapport} till {nytt_datum}"), description="Flyttar en rapports sista datum och meddelar insatsägaren; det gamla datumet finns kvar i historiken.")
def bevilja_anstand(anstånd: AnstandFormular = parameter("Anstånd")) -> dict:
    result = grant(anstånd.insats, anstånd.rapport, anstånd.nytt_datum, anstånd.skal, anstånd.beviljat_av, clock.today(),
                   anstånd.beslutsdatum)
    return _told(result)


def _told(result: dict, *, send: bool | str = True):  # noqa: ANN202
    """End the run: "Avvisad" with the reason if the registration was refused; else tag the run with its
    insats, send the message at once, refresh the insats's page, and say if the message could not be made."""
    if (state := refused(result)) is not None:
        return state
    tag_this_run([result["tagg"]])
    if send == "always" or (send and result.get("meddelande")):
        skicka_utskick()
    refresh_insats_pages([result["tagg"]])
    return _message_not_made(result)


@kansli_form(name="registrera-forlangning", flow_run_name=run_name("Förlängning – {insats} till {slut}"), description="Styrelsens beslut om förlängning: rapporterna planeras om och insatsägaren får de nya datumen.")
def registrera_forlangning(beslut: ForlangningFormular = parameter("Förlängning")) -> dict:
    return _told(register_change("forlangning", beslut.insats, clock.today(), beslut.beslutsdatum, beslut.anteckning,
                                 slut=beslut.slut))


@kansli_form(name="registrera-tillaggsanslag", flow_run_name=run_name("Tilläggsanslag – {insats}"), description="Styrelsens beslut om tilläggsanslag för ett år; insatsägaren får besked.")
def registrera_tillaggsanslag(beslut: TillaggsanslagFormular = parameter("Tilläggsanslag")) -> dict:
    return _told(register_change("tillaggsanslag", beslut.insats, clock.today(), beslut.beslutsdatum, beslut.anteckning,
                                 belopp_kr=beslut.belopp_kr, ar=beslut.ar, belopp_per_ar=_per_year(beslut.belopp_per_ar)))


@kansli_form(name="registrera-avbrott", flow_run_name=run_name("Avbrott – {insats}, sista dag {datum}"), description="Styrelsens beslut om avbrott: senare delrapporter makuleras och slutrapporten flyttas.")
def registrera_avbrott(beslut: AvbrottFormular = parameter("Avbrott")) -> dict:
    return _told(register_change("avbrott", beslut.insats, clock.today(), beslut.beslutsdatum, beslut.anteckning,
                                 datum=beslut.datum))


@kansli_form(name="registrera-rapport-ur-ko", flow_run_name=run_name("Rapport ur kön – {insats}"), description="Registrerar en rapport ur kansliets kö på den insats kansliet anger.")
def registrera_rapport_ur_ko(post: KoFormular = parameter("Rapport ur kön")) -> dict:
    return _told(resolve_from_queue(post.fil, post.insats, RapportTyp(post.typ) if post.typ else None, post.nr),
                 send="always")


@kansli_form(name="registrera-aterbetalning", flow_run_name=run_name("Återbetalning – {insats}, betald {betald}"), description="Registrerar att insatsägaren betalat tillbaka ej utnyttjade medel; påminnelserna upphör.")
def registrera_aterbetalning(betalning: AterbetalningFormular = parameter("Återbetalning")) -> dict:
    return _told(register_repayment(betalning.insats, betalning.betald, betalning.belopp_kr, clock.today()), send=False)


@kansli_form(name="registrera-utbetalning", flow_run_name=run_name("Utbetalning – {insats}, {datum}"),
      description="Registrerar en utbetalning från förbundet till en insats; en återbetalning räknas då på utbetalt minus utnyttjat.")
def registrera_utbetalning(utbetalning: UtbetalningFormular = parameter("Utbetalning")) -> dict:
    return _told(register_payout(utbetalning.insats, utbetalning.datum, utbetalning.belopp_kr, clock.today()), send=False)


@kansli_form(name="godkann-rapport", flow_run_name=run_name("Godkänd rapport – {insats}"),
      description="Godkänner en ofullständig rapport som den är; kompletteringen bevakas inte längre.")
def godkann_rapport(godkannande: GodkannandeFormular = parameter("Godkännande")) -> dict:
    return _told(accept_report(godkannande.insats), send=False)
