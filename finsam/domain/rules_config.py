"""The förbund's rules, read from YAML (config/regler.yaml) and validated on load.

Field names are the Swedish ones the kansli reads in the file. A bad value is refused with
the file name and the path of the field, e.g. `regler.yaml: rapportering.delrapport.manader: ...`.
An insats may override the report schedule ("enligt överenskommelse med kansliet") with a
dict of the same `delrapport`/`slutrapport` keys; see `schedule_for`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from finsam.domain.enums import Inriktning, MoteTyp, Veckodag
from finsam.domain.ladder import Ladder, Mottagare
from finsam.domain.checked import Belopp, Datum, Epost, Namn
from finsam.domain.parsing import parse_time
from finsam.domain.schedule import ReportSchedule, SchemaTyp
from finsam.domain.yamlfile import load_yaml
from finsam.errors import FinsamError, InputProblem, InvalidInput, in_swedish, os_reason
from finsam.files import read_regular


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DelrapportRegel(_Strict):
    schema_: SchemaTyp = Field(default=SchemaTyp.ROLLANDE, alias="schema")
    manader: int = Field(default=6, ge=1, le=24)
    fasta_datum: list[str] = Field(default_factory=lambda: ["04-30", "10-31"])
    datumlista: list[Datum] = Field(default_factory=list)
    dagar_efter_period: int = Field(default=30, ge=0, le=365)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("fasta_datum")
    @classmethod
    def _month_days(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                month, day = (int(part) for part in value.split("-"))
                date(2024, month, day)  # a leap year, so 02-29 is accepted
            except ValueError:
                raise ValueError(f"'{value}' är inte ett datum på formen MM-DD") from None
        return values

    @model_validator(mode="after")
    def _schema_has_dates(self) -> DelrapportRegel:
        if self.schema_ is SchemaTyp.FASTA_DATUM and not self.fasta_datum:
            raise ValueError("schema 'fasta_datum' kräver minst ett datum i fasta_datum")
        if self.schema_ is SchemaTyp.DATUMLISTA and not self.datumlista:
            raise ValueError("schema 'datumlista' kräver minst ett datum i datumlista")
        return self


class SlutrapportRegel(_Strict):
    dagar_efter_slut: int = Field(default=60, ge=0, le=365)
    # What the slutrapport reports on, as the messages name its period: the whole insatstid (the template's
    # "Insatstid"), or only the time since the last delrapport.
    omfattar: Literal["hela_insatstiden", "sedan_senaste_delrapport"] = "hela_insatstiden"


class Rapportering(_Strict):
    delrapport: DelrapportRegel = DelrapportRegel()
    slutrapport: SlutrapportRegel = SlutrapportRegel()
    minsta_period_dagar: int = Field(default=60, ge=1, le=366)
    horisont_manader: int = Field(default=12, ge=1, le=60)
    # An incomplete report (no economic table, no beviljade/utnyttjade medel, an unanswered checklist): what is
    # missing is asked for, due this many days after the report came in (on a working day).
    komplettering_dagar: int = Field(default=14, ge=1, le=120)




class Person(_Strict):
    namn: Namn
    epost: Epost


# Days before a meeting: bounded like every other count of days in this file (a year at most).
Dagar = Annotated[int, Field(ge=0, le=365)]


class Sammantraden(_Strict):
    # Documents must reach the kansli this many days before a meeting.
    handlingar_dagar_fore: dict[MoteTyp, Dagar] = Field(
        default_factory=lambda: {MoteTyp.BEREDNINGSGRUPP: 14, MoteTyp.STYRELSE: 14, MoteTyp.ARBETSUTSKOTT: 7}
    )
    # The work before a meeting (agenda, underlag) runs this many days before it, at `klockslag`.
    infor_dagar_fore: dict[MoteTyp, Dagar] = Field(
        default_factory=lambda: {MoteTyp.BEREDNINGSGRUPP: 7, MoteTyp.STYRELSE: 7}
    )
    klockslag: str = "07:00"
    # Who besides the kansli gets the beredningsgrupp's list of ansökningar.
    beredningsgrupp_medlemmar: list[Person] = Field(default_factory=list)

    @field_validator("klockslag")
    @classmethod
    def _time(cls, value: str) -> str:
        parse_time(value)
        return value


class Forbund(_Strict):
    namn: Namn = "Samordningsförbund"
    kansli_epost: Epost = "kansli@forbund.example"
    # The kansli's people; a role left out is reached through the shared mailbox.
    verksamhetsutvecklare: Person | None = None
    forbundschef: Person | None = None
    # The older form of ekonomi.ram's tillgangliga_medel_kr (kronor a year), still read where the ram leaves it out.
    tillgangliga_medel: dict[int, Belopp] = Field(default_factory=dict)


class EfterSteg(_Strict):
    """A step after the due date: who is told, and whether the styrelse's follow-up list gets it."""

    dagar: int = Field(ge=1, le=365)
    till: Mottagare
    kopia: list[Mottagare] = Field(default_factory=list)
    flagga_styrelse: bool = False


class Paminnelser(_Strict):
    fore: list[int] = Field(default_factory=lambda: [30, 14, 3, 0])  # days before the due date
    efter: list[EfterSteg] = Field(
        default_factory=lambda: [
            EfterSteg(dagar=3, till=Mottagare.INSATSAGARE, kopia=[Mottagare.KANSLI]),
            EfterSteg(dagar=14, till=Mottagare.VERKSAMHETSUTVECKLARE),
            EfterSteg(dagar=30, till=Mottagare.FORBUNDSCHEF, flagga_styrelse=True),
        ]
    )
    veckosammanfattning: Veckodag | None = Veckodag.MANDAG  # None: no weekly summary

    @field_validator("fore")
    @classmethod
    def _days_before(cls, values: list[int]) -> list[int]:
        if any(v < 0 or v > 365 for v in values):
            raise ValueError("dagar före förfallodagen ska vara mellan 0 och 365")
        if len(set(values)) != len(values):
            raise ValueError("samma dag finns flera gånger")
        return sorted(values, reverse=True)

    @field_validator("efter")
    @classmethod
    def _days_after(cls, steps: list[EfterSteg]) -> list[EfterSteg]:
        if len({s.dagar for s in steps}) != len(steps):
            raise ValueError("samma antal dagar finns i flera steg")
        return sorted(steps, key=lambda s: s.dagar)


class Andringar(_Strict):
    """When plans change: fair due dates, and who grants an anstånd."""

    # A deadline that a decision (or a rules change) puts in the past, or earlier than this many
    # working days after it, is due then instead: the insatsägare hears of it with a reminder first.
    rattvis_frist_arbetsdagar: int = Field(default=20, ge=1, le=120)
    # kansli: an anstånd is the kansli's note; styrelse: it is a beslut with a date (and meeting).
    anstand_beslutas_av: Literal["kansli", "styrelse"] = "kansli"


class Arsram(_Strict):
    """The förbund's money for one year (kronor): what the board may grant from, and what is the kansli's."""

    tillgangliga_medel_kr: Belopp | None = None  # the members' contributions for the year
    kansli_kr: Belopp | None = None  # the kansli's own budget (the förbund's own insatser are paid from it)
    eget_kapital_kr: Belopp | None = None  # eget kapital at the start of the year
    eget_kapital_far_anvandas_kr: Belopp | None = None  # how much of it the board may use for insatser this year

    @model_validator(mode="after")
    def _within_own_capital(self) -> Arsram:
        if (self.eget_kapital_far_anvandas_kr is not None and self.eget_kapital_kr is not None
                and self.eget_kapital_far_anvandas_kr > self.eget_kapital_kr):
            raise ValueError("eget_kapital_far_anvandas_kr är mer än eget_kapital_kr")
        return self


class Ekonomi(_Strict):
    """The money follow-up: when an insats's förbrukning is flagged, and återbetalning of unused funds;
    the förbund's frame per year."""

    # Utfall more than this share below (above) what the elapsed part of the period leads one to
    # expect of the year's budget (else beviljat) is flagged as under- (over-)förbrukning.
    underforbrukning_procent: int = Field(default=25, ge=0, le=100)
    overforbrukning_procent: int = Field(default=10, ge=0, le=1000)
    # A slutrapport with unused funds: the huvudman pays them back within this many days of its registration.
    aterbetalning_dagar: int = Field(default=30, ge=1, le=365)
    # How to pay, in the message about an återbetalning (e.g. "Bankgiro 123-4567, ange diarienumret").
    betalningsinformation: Namn | None = None
    # The förbund's frame per year (ÅÅÅÅ: Arsram): what is left to grant is counted from it.
    ram: dict[Annotated[int, Field(ge=1900, le=2200)], Arsram] = Field(default_factory=dict)


class PerInriktning(_Strict):
    """One text for each inriktning, as the annual report writes it."""

    individ: Namn
    struktur: Namn

    def __getitem__(self, inriktning: Inriktning) -> str:
        return self.individ if inriktning is Inriktning.INDIVID else self.struktur


class Arsredovisning(_Strict):
    """The annual report's Bilaga 1 as the förbund writes it: its title, headings and the texts that are the
    same for every insats of a kind (each insats may have its own, from the import or the ansökan)."""

    # "{ar}" is the year.
    titel: Namn = "Mål och resultat av insatser {ar}"
    finansierade_rubrik: Namn = "Finansierade insatser {ar}"
    grupper: PerInriktning = PerInriktning(individ="Individinriktade insatser", struktur="Strukturövergripande insatser")
    inriktning: PerInriktning = PerInriktning(individ="Individ - Rehabilitering mot arbete/utbildning",
                                              struktur="Struktur - Myndighetspersonal i samverkan")
    deltagarregistrering: PerInriktning = PerInriktning(individ="Med personuppgifter/anonym", struktur="Endast volym")
    specifik_malgrupp: PerInriktning = PerInriktning(individ="Rehabilitering mot arbete/utbildning",
                                                     struktur="Myndighetspersonal i samverkan")
    # The longest text (characters) a field of the bilaga takes from a report or an ansökan: a longer one is cut
    # at a sentence and ends "…" (the whole text stays on the insats page).
    textlangd: int = Field(default=450, ge=100, le=5000)

    @field_validator("titel", "finansierade_rubrik")
    @classmethod
    def _year_only(cls, value: str) -> str:
        try:
            value.format(ar=2021)
        except (KeyError, IndexError, ValueError):
            raise ValueError("får bara ha {ar} (året) inom klammerparentes") from None
        return value


class Drift(_Strict):
    """The engine's windows: how long, how far ahead, how alike."""

    # Tell the kansli when messages have waited this long for the mail server.
    utskicksstorning_timmar: int = Field(default=20, ge=1, le=168)
    # The weekly summary and the daily table list reports due within this many days.
    kommande_dagar: int = Field(default=30, ge=1, le=365)
    # The weekly summary lists at most this many rows per part, the earliest first, and counts the rest.
    sammanfattning_rader: int = Field(default=200, ge=10, le=2000)
    # The underlag lists insatser starting or ending this many days around a meeting with no meeting before it.
    underlag_dagar: int = Field(default=90, ge=7, le=366)
    # How alike (0–100) a report's insats name and organisation must be to register it without asking.
    matchning_procent: int = Field(default=85, ge=50, le=100)


class Regler(_Strict):
    forbund: Forbund = Forbund()
    rapportering: Rapportering = Rapportering()
    sammantraden: Sammantraden = Sammantraden()
    paminnelser: Paminnelser = Paminnelser()
    andringar: Andringar = Andringar()
    ekonomi: Ekonomi = Ekonomi()
    drift: Drift = Drift()
    arsredovisning: Arsredovisning = Arsredovisning()

    def ladder(self) -> Ladder:
        return Ladder.build(
            before=self.paminnelser.fore,
            after=[(s.dagar, s.till, tuple(s.kopia), s.flagga_styrelse) for s in self.paminnelser.efter],
        )

    def address(self, roll: Mottagare) -> tuple[str, str]:
        """(name, address) of a kansli role; a role with no person configured is the shared mailbox."""
        person = {
            Mottagare.VERKSAMHETSUTVECKLARE: self.forbund.verksamhetsutvecklare,
            Mottagare.FORBUNDSCHEF: self.forbund.forbundschef,
        }.get(roll)
        if person is not None:
            return person.namn, person.epost
        return f"{self.forbund.namn}, kansliet", self.forbund.kansli_epost

    def schedule(self, override: dict[str, Any] | None = None) -> ReportSchedule:
        """The report schedule for one insats: the förbund's, with the insats's own override."""
        rapportering = self.rapportering
        if override:
            rapportering = parse_override(rapportering, override)
        d = rapportering.delrapport
        return ReportSchedule(
            schema=d.schema_,
            manader=d.manader,
            fasta_datum=tuple(tuple(int(p) for p in v.split("-")) for v in d.fasta_datum),  # type: ignore[misc]
            datumlista=tuple(d.datumlista),
            dagar_efter_period=d.dagar_efter_period,
            slutrapport_dagar_efter_slut=rapportering.slutrapport.dagar_efter_slut,
            minsta_period_dagar=rapportering.minsta_period_dagar,
            horisont_manader=rapportering.horisont_manader,
        )

    def ram(self, year: int) -> Arsram:
        """The förbund's frame for `year`, with the older forbund.tillgangliga_medel where the ram has none."""
        ram = self.ekonomi.ram.get(year, Arsram())
        if ram.tillgangliga_medel_kr is None and year in self.forbund.tillgangliga_medel:
            ram = ram.model_copy(update={"tillgangliga_medel_kr": self.forbund.tillgangliga_medel[year]})
        return ram

    def handlingar_dagar(self, typ: MoteTyp) -> int:
        return self.sammantraden.handlingar_dagar_fore.get(typ, 0)


def _problems(error: ValidationError) -> list[InputProblem]:
    problems = []
    for e in error.errors():
        path = ".".join(str(p) for p in e["loc"] if p != "__root__") or "(hela filen)"
        message = in_swedish(e["msg"])
        problems.append(InputProblem(f"{path}: {message}"))
    return problems


def parse_override(base: Rapportering, override: dict[str, Any]) -> Rapportering:
    """Merge an insats's schedule override over the förbund's rules; refused if invalid."""
    merged = base.model_dump(by_alias=True)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    try:
        return Rapportering.model_validate(merged)
    except ValidationError as e:
        raise InvalidInput("rapportschema", _problems(e)) from None


# Without these the engine would write to example addresses: a rules file must name them.
REQUIRED = (("forbund", "namn"), ("forbund", "kansli_epost"))


def parse_rules(data: Any, source: str) -> Regler:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidInput(source, [InputProblem("filen ska innehålla nycklar (forbund, rapportering, sammantraden)")])
    missing = [".".join(path) for path in REQUIRED if not _has(data, path)]
    if missing:
        raise InvalidInput(source, [InputProblem(f"{key}: saknas (obligatorisk)") for key in missing])
    try:
        return Regler.model_validate(data)
    except ValidationError as e:
        raise InvalidInput(source, _problems(e)) from None


def _has(data: dict[str, Any], path: tuple[str, ...]) -> bool:
    value: Any = data
    for key in path:
        if not isinstance(value, dict) or value.get(key) in (None, ""):
            return False
        value = value[key]
    return True


MAX_RULES_BYTES = 1_000_000


def load_rules(path: Path) -> Regler:
    try:
        raw = read_regular(path, max_bytes=MAX_RULES_BYTES,
                           too_big=lambda size: FinsamError(f"Regelfilen {path} är för stor ({size} byte)."), follow_links=True)
        text = raw.decode("utf-8-sig")
    except OSError as e:
        raise FinsamError(f"Kan inte läsa regelfilen: {os_reason(e)}") from None
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise InvalidInput(str(path), [InputProblem("tecken som inte går att läsa som UTF-8", line=line)]) from None
    data, _nodes = load_yaml(text, str(path))
    return parse_rules(data, str(path))
