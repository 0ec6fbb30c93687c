"""The money follow-up: each insats's beviljat, budget, utfall and förbrukning per year; the återbetalning a
slutrapport with unused funds opens, chased by the ladder until the payment is registered; the underlag's
Ekonomisk uppföljning.

Every expected figure and date is written by hand (from the CSV, the report texts and a calendar), never
computed by the code under test.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlalchemy import select

from cli import finsam, finsam_json
from conftest import SHARED
from finsam.audit import Kontext
from finsam.calendar.ics import STOCKHOLM
from finsam.db import read_only, unit_of_work
from finsam.domain.enums import DeadlineTillstand, Inriktning, MoteTyp, RapportTyp, Roll, Tillstand
from finsam.domain.model import Aterbetalning, Deadline, Insats, InsatsOrganisation, Kontaktperson, Organisation, Sammantrade, Utskick
from finsam.domain.rules_config import Regler
from finsam.intake.documents import read_document
from finsam.messages.render import MarkdownRenderer
from finsam.services import ekonomi, lifecycle, registrations
from finsam.services.deadlines import sync_deadlines
from finsam.services.intake import take_in
from finsam.services.meeting_work import styrelse_underlag
from finsam.services.notify import plan_ladder
from finsam.services.replan import replan_all
from mailtools import mail_context

REPORTS = SHARED / "reports"
needs_shared = pytest.mark.skipif(not REPORTS.exists(), reason="../shared/reports is not here")
NB = "\u00a0"  # the messages write amounts with no-break spaces: 9 466 kr

# --- the 2021 insatser, from the annual report's CSV ---

# Read off data/insatser-2021.csv by hand: name → (budget_2021_kr, utfall_2021_kr).
CSV_2021 = {
    "Ett hållbart arbetsliv - Ockelbo": (894_000, 843_000),
    "Ett hållbart arbetsliv - Hofors": (934_000, 648_000),
    "Trisam 2.0 - Arbetsförmedlingen och Försäkringskassan": (4_981_000, 4_817_000),
    "Trisam 2.0 - Region Gävleborg": (1_530_000, 1_194_000),
    "Trisam 2.0 - Hudiksvalls kommun": (279_000, 279_000),
    "Trisam 2.0 - Hofors kommun": (142_000, 71_000),
    "Insatskatalogen Gävleborg": (124_000, 144_000),
}
# With the rules' 25 % / 10 %: a whole year's utfall below 75 % of the budget, or above 110 %, is flagged.
# Hofors 648/934 = 69 %, Trisam Hofors 71/142 = 50 %, Söderhamn 153/289 = 53 %; Insatskatalogen 144/124 = 116 %.
# (Region Gävleborg, 1 194/1 530 = 78 %, is not.)
# Insatskatalogen (144/124 = 116 %) is the förbund's own (huvudman Samordningsförbund Gävleborg): its money is the
# kansli's budget, never an insats's överförbrukning.
FLAGGED_2021 = {
    "Ett hållbart arbetsliv - Hofors": ["underforbrukning"],
    "Trisam 2.0 - Hofors kommun": ["underforbrukning"],
    "Trisam 2.0 - Söderhamns kommun": ["underforbrukning"],
}
# The förbund's own: Mysam (721/710), Förstudie Hudiksvall (220/218), Insatskatalogen (124/144) = 1 065 / 1 072 tkr.
EGNA_2021 = {"Mysam", "Förstudie - Utveckling av egenmakt Hudiksvall", "Insatskatalogen Gävleborg"}


@pytest.fixture
def loaded(db_url: str, insatser_csv: Path) -> str:
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    return db_url


@pytest.fixture
def loaded_egna(db_url: str, insatser_csv: Path, tmp_path: Path) -> str:
    """The 2021 insatser with the column the kansli adds: the three whose huvudman is the förbund are its own."""
    lines = insatser_csv.read_text(encoding="utf-8").splitlines()
    marked = [lines[0] + ",egen_insats"] + [
        line + (",ja" if ",Samordningsförbund Gävleborg," in line else ",") for line in lines[1:]]
    path = tmp_path / "insatser-egna.csv"
    path.write_text("\n".join(marked) + "\n", encoding="utf-8")
    finsam(db_url, "import", "insatser", str(path), "--as-of", "2021-09-01")
    return db_url


def test_ekonomi_2021_lists_all_18_insatser_with_the_csvs_budget_and_utfall(loaded_egna: str) -> None:
    loaded = loaded_egna
    report = finsam_json(loaded, "ekonomi", "--ar", "2021", "--as-of", "2022-03-01")
    rows = report["insatser"]
    by_name = {r["insats"]: r for r in rows}
    assert len(rows) == 18 == len(by_name)
    for name, (budget, utfall) in CSV_2021.items():
        row = by_name[name]
        assert (row["budget_kr"], row["utfall_kr"], row["utfall_kalla"]) == (budget, utfall, "import"), name
        assert row["beviljat_kr"] is None and row["aterbetalning_kr"] is None  # the CSV grants nothing
    assert sum(r["budget_kr"] for r in rows) == 12_543_000  # the 18 budgets added up by hand
    assert sum(r["utfall_kr"] for r in rows) == 11_416_000
    assert {r["insats"]: r["flaggor"] for r in rows if r["flaggor"]} == FLAGGED_2021
    hofors = by_name["Ett hållbart arbetsliv - Hofors"]
    assert (hofors["forbrukning_procent"], hofors["forvantad_procent"]) == (69.4, 100.0)  # 648 000 / 934 000
    assert by_name["Insatskatalogen Gävleborg"]["slut"] is None  # no end date, still listed
    assert {r["insats"] for r in rows if r["egen"]} == EGNA_2021
    # The annual report's sums, added up by hand from the CSV: 12 543 tkr budget, 11 416 tkr utfall, 91,0 %.
    summa = report["summa"]
    assert (summa["antal"], summa["budget_kr"], summa["utfall_kr"], summa["forbrukning_procent"]) == (
        18, 12_543_000, 11_416_000, 91.0)
    assert summa["beviljat_kr"] is None and summa["saknas"] == {"beviljat_kr": 18, "utbetalt_kr": 18}
    assert (summa["egna_insatser"]["budget_kr"], summa["egna_insatser"]["utfall_kr"]) == (1_065_000, 1_072_000)
    assert (summa["externa_insatser"]["budget_kr"], summa["externa_insatser"]["utfall_kr"]) == (11_478_000, 10_344_000)
    # Individ: the three Ett hållbart arbetsliv, 894 + 799 + 934 and 843 + 775 + 648.
    assert {k: (v["antal"], v["budget_kr"], v["utfall_kr"]) for k, v in summa["per_inriktning"].items()} == {
        "individ": (3, 2_627_000, 2_266_000), "struktur": (15, 9_916_000, 9_150_000)}
    huvudman = summa["per_huvudman"]
    # Trisam AF/FK (4 981 / 4 817 tkr) has two huvudmän and no shares in the CSV: half each, counted once.
    assert (huvudman["Arbetsförmedlingen"]["budget_kr"], huvudman["Försäkringskassan"]["utfall_kr"]) == (2_490_500, 2_408_500)
    assert (huvudman["Hofors kommun"]["antal"], huvudman["Hofors kommun"]["budget_kr"]) == (2, 1_076_000)  # 934 + 142
    assert sum(v["budget_kr"] for v in huvudman.values()) == 12_543_000
    # The frame (config/regler.yaml, 2021): 13 000 000 + 1 000 000 of eget kapital, kansli 2 300 000. Granted
    # amounts are not in the CSV: the year's budgets hold the 15 external insatser's 11 478 000 (estimated).
    ram = report["ram"]
    assert (ram["tillgangligt_kr"], ram["kansli_kr"], ram["intecknat_kr"], ram["varav_uppskattat_kr"],
            ram["egna_insatser_kr"], ram["kvar_att_fordela_kr"], ram["okant"]) == (
        14_000_000, 2_300_000, 11_478_000, 11_478_000, 1_065_000, 222_000, [])
    # 2022: the four external ones running into it have neither a grant nor a 2022 budget in the CSV: not known,
    # not 0 (Insatskatalogen, the förbund's own, is the kansli's budget either way).
    [_, ram_2022, ram_2023] = report["ramar"]
    assert (ram_2022["ar"], ram_2022["intecknat_kr"], ram_2022["kvar_att_fordela_kr"]) == (2022, 0, 11_600_000)
    assert sorted(ram_2022["okant"]) == ["Ett hållbart arbetsliv - Hofors", "Ett hållbart arbetsliv - Ockelbo",
                                         "Ett hållbart arbetsliv - Ovanåker", "Lokal individinsats efter Trisam i Hudiksvall"]
    assert sorted(ram_2023["okant"]) == ["Ett hållbart arbetsliv - Hofors", "Ett hållbart arbetsliv - Ovanåker"]
    table = finsam(loaded, "ekonomi", "--ar", "2021", "--as-of", "2022-03-01").stdout
    assert "Ekonomisk uppföljning 2021" in table and "4\u00a0981\u00a0000 kr" in table and "underförbrukning" in table
    assert "Kvar att fördela" in table and "222\u00a0000 kr" in table and "okänt vad 4 beviljade insatser" in table
    # In 2022 only those running into it: Ockelbo, Ovanåker, Hofors, the Hudiksvall follow-up, Insatskatalogen.
    names_2022 = {r["insats"] for r in finsam_json(loaded, "ekonomi", "--ar", "2022", "--as-of", "2022-03-01")["insatser"]}
    assert names_2022 == {"Ett hållbart arbetsliv - Ockelbo", "Ett hållbart arbetsliv - Ovanåker",
                          "Ett hållbart arbetsliv - Hofors", "Lokal individinsats efter Trisam i Hudiksvall",
                          "Insatskatalogen Gävleborg"}


def _eml_texts(folder: Path) -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(folder.glob("*.eml")):
        msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        found.append((str(msg["To"]), str(msg["Subject"]), msg.get_body(("plain",)).get_content()))
    return found


@needs_shared
def test_the_trisam_hudiksvall_slutrapport_opens_an_aterbetalning_until_it_is_paid(loaded: str, tmp_path: Path) -> None:
    path = REPORTS / "slutrapport-trisam-hudiksvall.txt"  # beviljade 580 690, utnyttjade 571 224: 9 466 kr back
    finsam(loaded, "report", "register", str(path), "--received", "2022-01-14", cwd=tmp_path)
    deadlines = finsam_json(loaded, "deadlines", "--insats", "SFG 21-6.58", "--as-of", "2022-01-17")
    [owed] = [d for d in deadlines if d["kind"] == "aterbetalning"]
    # 14 January 2022 + 30 days = Sunday 13 February: due Monday 14 February.
    assert (owed["due"], owed["status"], owed["chased"]) == ("2022-02-14", "kommande", True)
    rows = {r["insats"]: r for r in finsam_json(loaded, "ekonomi", "--ar", "2021", "--as-of", "2022-01-17")["insatser"]}
    assert rows["Trisam 2.0 - Hudiksvalls kommun"]["aterbetalning_kr"] == 9_466

    # 30 days before the due date is Saturday 15 January: Monday's run sends the first step, with the amount.
    finsam(loaded, "run", "daily", "--as-of", "2022-01-17", cwd=tmp_path)
    [(to, subject, text)] = [m for m in _eml_texts(tmp_path / "utskick") if "återbetal" in m[1].lower()]
    assert to == "Insatsansvarig Hudiksvalls kommun <insatsansvarig@hudiksvalls.example>"
    assert subject == ("Återbetalning av ej utnyttjade medel: 9 466 kr för Trisam 2.0 - Hudiksvalls kommun "
                       "senast måndag 14 februari 2022")
    assert f"har 9{NB}466{NB}kr av de beviljade medlen inte utnyttjats" in text
    assert f"Utnyttjade medel:  571{NB}224{NB}kr" in text

    finsam(loaded, "aterbetalning", "SFG 21-6.58", "--betald", "2022-02-10", "--as-of", "2022-02-10", cwd=tmp_path)
    [paid] = [d for d in finsam_json(loaded, "deadlines", "--insats", "SFG 21-6.58", "--as-of", "2022-02-20")
              if d["kind"] == "aterbetalning"]
    assert (paid["status"], paid["received"]) == ("inkommen", "2022-02-10")
    again = finsam(loaded, "aterbetalning", "SFG 21-6.58", "--betald", "2022-02-11", check=False)
    assert again.returncode == 1 and "har ingen öppen återbetalning" in again.stderr.replace("\n", " ")


# --- an insats built by hand: 366 000 kr for the leap year 2024, 1 000 kr a day ---

def at(day: date) -> Kontext:
    return Kontext(aktor="test", atgard="test", nu=datetime.combine(day, time(7, 0), tzinfo=STOCKHOLM))


DNR = "SFG 24-1.1"
DELRAPPORT = """Delrapport
Diarienummer
SFG 24-1.1
Insatsens namn
Steg framåt
Organisations namn
Hofors kommun
Delrapporten gäller för perioden
2024-01-01 – 2024-06-30
4.3 Avvikelser från planering
Coachen arbetade mer tid än planerat under våren.
4.6 Ekonomiskrapport
Kostnadsslag Budget Utfall
Lönekostnader
Lön coach
170 000
{lon}
Resekostnader
Resor
12 000
{resor}
Summa
182 000
{summa}
"""
SLUTRAPPORT = """Slutrapport
Diarienummer
SFG 24-1.1
Insatsens namn
Steg framåt
Beviljade medel för insatsen
366 000 kr
Utnyttjade medel
328 500 kr
7. Ekonomiuppföljning utnyttjade medel
☐ 7.1 Beviljade medel är helt utnyttjade
☒ 7.2 Beviljade medel är inte helt utnyttjade
7.2.1 Varför utnyttjades inte beviljade insatsmedel?
Coachen var sjukskriven i december.
"""


@pytest.fixture
def steg_framat(db_url: str, regler: Regler) -> str:
    """Steg framåt, Hofors kommun: 2024-01-01 – 2024-12-31, beviljat 366 000 kr; deadlines from the rules."""
    with unit_of_work(db_url, at(date(2024, 1, 2))) as session:
        insats = Insats(namn="Steg framåt", diarienummer=DNR, inriktning=Inriktning.INDIVID, tillstand=Tillstand.PAGAENDE,
                        start=date(2024, 1, 1), slut=date(2024, 12, 31), beviljade_medel_kr=366_000,
                        kontaktperson=Kontaktperson(namn="Åsa Öberg", epost="asa@hofors.example"))
        insats.parter.append(InsatsOrganisation(organisation=Organisation(namn="Hofors kommun"), roll=Roll.HUVUDMAN))
        session.add(insats)
        session.flush()
        sync_deadlines(session, insats, regler, session.info["kontext"], as_of=date(2024, 1, 1), orsak="test")
    return db_url


def _take_in(db_url: str, regler: Regler, tmp_path: Path, name: str, text: str, day: date) -> None:
    with unit_of_work(db_url, at(day)) as session:
        result = take_in(session, session.info["kontext"], mail_context(regler), read_document(name, text.encode("utf-8")),
                         storage=tmp_path / "arkiv", received=day)
        assert result.atgard == "registrerad", result.skal


def _follow_up(db_url: str, regler: Regler, year: int, day: date) -> ekonomi.EkonomiRad:
    with read_only(db_url) as session:
        [rad] = ekonomi.uppfoljning(session, regler, year, as_of=day)
        rad.as_json(day)  # loaded while the session is open
        return rad


# The first half of 2024 is 182 days (31+29+31+30+31+30): 182 000 kr of the 366 000 is expected spent by 30 June.
@pytest.mark.parametrize(("lon", "resor", "summa", "flaggor", "forbrukning"), [
    ("195 000", "15 000", "210 000", ["overforbrukning"], 57.4),  # 210 000 > 1.10 × 182 000 = 200 200
    ("190 000", "10 000", "200 000", [], 54.6),  # 200 000: within 10 % over
    ("130 000", "6 000", "136 000", ["underforbrukning"], 37.2),  # 136 000 < 0.75 × 182 000 = 136 500
], ids=["over", "within", "just-under"])
def test_a_delrapports_utfall_against_the_elapsed_half_year(steg_framat: str, regler: Regler, tmp_path: Path, lon: str,
                                                             resor: str, summa: str, flaggor: list[str],
                                                             forbrukning: float) -> None:
    _take_in(steg_framat, regler, tmp_path, "delrapport.txt", DELRAPPORT.format(lon=lon, resor=resor, summa=summa),
             date(2024, 7, 22))
    rad = _follow_up(steg_framat, regler, 2024, date(2024, 8, 1))
    data = rad.as_json(date(2024, 8, 1))
    assert (data["beviljat_kr"], data["budget_kr"], data["utfall_kalla"], data["utfall_till"]) == (
        366_000, None, "rapporter", "2024-06-30")
    assert data["utfall_kr"] == int(summa.replace(" ", ""))
    assert (data["forbrukning_procent"], data["forvantad_procent"]) == (forbrukning, 49.7)  # 182 / 366
    assert data["flaggor"] == flaggor
    assert data["avvikelser"] == "Coachen arbetade mer tid än planerat under våren."


def test_a_tillaggsanslag_counts_in_its_own_year(steg_framat: str, regler: Regler) -> None:
    with unit_of_work(steg_framat, at(date(2024, 5, 2))) as session:
        insats = session.scalar(select(Insats).where(Insats.diarienummer == DNR))
        lifecycle.extend(session, session.info["kontext"], insats, regler, slut=date(2025, 12, 31), as_of=date(2024, 5, 2))
        lifecycle.add_funds(session, session.info["kontext"], insats, belopp_kr=100_000, ar=2025, as_of=date(2024, 5, 2))
    # 366 000 over 2024-01-01 – 2025-12-31 (731 days): 2024's 366 days get 183 250.34… → 183 250, 2025's 365 get
    # 182 749.65… → 182 750; the 100 000 kr tilläggsanslag is 2025's alone.
    assert _follow_up(steg_framat, regler, 2024, date(2024, 6, 1)).beviljat_kr == 183_250
    rad = _follow_up(steg_framat, regler, 2025, date(2025, 6, 1))
    assert (rad.beviljat_kr, rad.tillaggsanslag_kr) == (282_750, 100_000)


def _body(row: Utskick) -> str:
    return BytesParser(policy=policy.default).parsebytes(row.meddelande).get_body(("plain",)).get_content()


def _ladder(db_url: str, regler: Regler, day: date) -> list[Utskick]:
    with unit_of_work(db_url, at(day)) as session:
        queued = plan_ladder(session, session.info["kontext"], mail_context(regler), as_of=day).queued
        ids = [row.id for row in queued if row.typ == "aterbetalning"]
    with read_only(db_url) as session:  # the day's plan keeps only the messages' headings: read them whole
        return [session.get(Utskick, row_id) for row_id in ids if session.get(Utskick, row_id).meddelande]


def test_a_slutrapport_written_here_opens_the_aterbetalning_its_ladder_and_its_payment(
        steg_framat: str, regler: Regler, tmp_path: Path) -> None:
    with unit_of_work(steg_framat, at(date(2025, 1, 31))) as session:
        lifecycle.advance_states(session, session.info["kontext"], as_of=date(2025, 1, 31))
    _take_in(steg_framat, regler, tmp_path, "slutrapport.txt", SLUTRAPPORT, date(2025, 1, 31))
    with read_only(steg_framat) as session:
        [owed] = session.scalars(select(Deadline).where(Deadline.typ == RapportTyp.ATERBETALNING)).all()
        # Friday 31 January 2025 + 30 days = Sunday 2 March: due Monday 3 March.
        assert (owed.forfaller, owed.tillstand, owed.rubrik) == (date(2025, 3, 3), DeadlineTillstand.OPPEN, "Återbetalning")
        assert (owed.aterbetalning.belopp_kr, owed.period_slut) == (37_500, date(2024, 12, 31))  # 366 000 − 328 500

    # A rules change re-plans every open deadline: the återbetalning is not the rules', it stays as it is.
    with unit_of_work(steg_framat, at(date(2025, 2, 3))) as session:
        replan_all(session, session.info["kontext"], regler, as_of=date(2025, 2, 3))
        owed = session.scalar(select(Deadline).where(Deadline.typ == RapportTyp.ATERBETALNING))
        insats = session.get(Insats, owed.insats_id)
        sync_deadlines(session, insats, regler, session.info["kontext"], as_of=date(2025, 2, 3), orsak="test")
        assert (owed.tillstand, owed.forfaller) == (DeadlineTillstand.OPPEN, date(2025, 3, 3))

    assert _ladder(steg_framat, regler, date(2025, 1, 31)) == []  # the first step (fore-30) is Saturday 1 February
    [first] = _ladder(steg_framat, regler, date(2025, 2, 3))
    assert (first.mottagare, first.steg) == ("asa@hofors.example", "fore-30")
    assert f"Steg framåt har 37{NB}500{NB}kr av de beviljade medlen inte utnyttjats" in _body(first)
    assert "senast måndag 3 mars 2025" in _body(first)

    # 30 days after the due date (2 April) the förbundschef hears of it and the styrelse's list gets it.
    [escalated] = _ladder(steg_framat, regler, date(2025, 4, 2))
    assert (escalated.mottagare, escalated.steg) == ("forbundschef@samordningsforbund-gavleborg.example", "efter-30")
    assert escalated.amne == "Eskalering: återbetalning 37 500 kr från Steg framåt är 30 dagar försenad"
    with unit_of_work(steg_framat, at(date(2025, 4, 3)), dry_run=True) as session:
        assert session.scalar(select(Deadline).where(Deadline.typ == RapportTyp.ATERBETALNING)).flaggad_styrelse == date(2025, 4, 2)
        # The underlag lists it as not paid, 31 days late on 3 April.
        mote = Sammantrade(typ=MoteTyp.STYRELSE, datum=date(2025, 4, 10), handlingar_senast=date(2025, 3, 27))
        session.add(mote)
        session.flush()
        underlag = styrelse_underlag(session, mote, regler, as_of=date(2025, 4, 3))
        assert [(a["namn"], a["belopp"], a["dagar_sen"], a["flaggad"]) for a in underlag.aterbetalningar] == [
            ("Steg framåt", 37_500, 31, True)]

    with unit_of_work(steg_framat, at(date(2025, 4, 4))) as session:
        insats = session.scalar(select(Insats).where(Insats.diarienummer == DNR))
        done = registrations.aterbetalning(session, session.info["kontext"], insats, betald=date(2025, 4, 4),
                                           as_of=date(2025, 4, 4))
        assert (done.aterbetalning.betalt_kr, done.aterbetalning.betald) == (37_500, date(2025, 4, 4))
    assert _ladder(steg_framat, regler, date(2025, 4, 20)) == []
    with read_only(steg_framat) as session:
        [paid] = session.scalars(select(Aterbetalning)).all()
        assert (paid.deadline.tillstand, paid.deadline.inkom) == (DeadlineTillstand.INKOMMEN, date(2025, 4, 4))


def test_a_payment_short_of_the_amount_is_kept_and_flagged(steg_framat: str, regler: Regler, tmp_path: Path) -> None:
    with unit_of_work(steg_framat, at(date(2025, 1, 31))) as session:
        lifecycle.advance_states(session, session.info["kontext"], as_of=date(2025, 1, 31))
    _take_in(steg_framat, regler, tmp_path, "slutrapport.txt", SLUTRAPPORT, date(2025, 1, 31))
    with unit_of_work(steg_framat, at(date(2025, 2, 14))) as session:
        insats = session.scalar(select(Insats).where(Insats.diarienummer == DNR))
        with pytest.raises(Exception, match="efter 2025-02-14"):
            registrations.aterbetalning(session, session.info["kontext"], insats, betald=date(2025, 2, 20),
                                        as_of=date(2025, 2, 14))
        registrations.aterbetalning(session, session.info["kontext"], insats, betald=date(2025, 2, 14), belopp_kr=30_000,
                                    as_of=date(2025, 2, 14))
    rad = _follow_up(steg_framat, regler, 2024, date(2025, 2, 20))
    assert (rad.aterbetalning_kr, rad.flaggor) == (37_500, ["aterbetalning_ej_full"])
    assert rad.as_json(date(2025, 2, 20))["aterbetalningar"][0]["betalt_kr"] == 30_000


def test_the_underlag_shows_the_running_insats_money_and_its_avvikelser(steg_framat: str, regler: Regler,
                                                                       tmp_path: Path) -> None:
    _take_in(steg_framat, regler, tmp_path, "delrapport.txt",
             DELRAPPORT.format(lon="195 000", resor="15 000", summa="210 000"), date(2024, 7, 22))
    with unit_of_work(steg_framat, at(date(2024, 9, 11))) as session:
        mote = Sammantrade(typ=MoteTyp.STYRELSE, datum=date(2024, 9, 18), handlingar_senast=date(2024, 9, 4))
        session.add(mote)
        session.flush()
        underlag = styrelse_underlag(session, mote, regler, as_of=date(2024, 9, 11))
        markdown = MarkdownRenderer().render("underlag", {"mote": mote, "u": underlag, "idag": date(2024, 9, 11)})
    assert "## Ekonomisk uppföljning 2024" in markdown
    assert (f"| Steg framåt | 366{NB}000{NB}kr | – | 210{NB}000{NB}kr (t.o.m. 2024-06-30) | 57,4 % | 49,7 % "
            "| **överförbrukning** |") in markdown
    assert "- Steg framåt (Delrapport 1, inkom 2024-07-22): Coachen arbetade mer tid än planerat under våren." in markdown
    assert "**Återbetalningar som inte är betalda (0)**: inga." in markdown


@pytest.mark.parametrize(("utbetalt", "belopp", "grund", "text"), [
    # Paid out 340 000 (two payments), used 328 500: 11 500 back, from what was paid out.
    (["200 000", "140 000"], 11_500, "utbetalt", f"Förbundet har betalat ut 340{NB}000{NB}kr till Steg framåt"),
    # No payments registered: beviljade 366 000 less utnyttjade 328 500, and the message says so.
    ([], 37_500, "beviljat", "förbundets utbetalningar är inte registrerade"),
    # Paid out 300 000, used 328 500: nothing to pay back (no återbetalning opened).
    (["300 000"], None, None, None),
], ids=["paid-out", "granted", "paid-less-than-used"])
def test_the_aterbetalning_is_paid_out_less_used_where_payments_are_known(
        steg_framat: str, regler: Regler, tmp_path: Path, utbetalt: list[str], belopp: int | None, grund: str | None,
        text: str | None) -> None:
    for i, amount in enumerate(utbetalt):
        finsam(steg_framat, "utbetalning", DNR, "--datum", f"2024-0{i + 2}-15", "--belopp", amount, "--as-of", "2024-06-01")
    refused = finsam(steg_framat, "utbetalning", DNR, "--datum", "2024-07-01", "--belopp", "5000", "--as-of", "2024-06-01",
                     check=False)
    assert refused.returncode == 1 and "Utbetalningsdagen 2024-07-01 är efter 2024-06-01" in refused.stdout + refused.stderr
    with unit_of_work(steg_framat, at(date(2025, 1, 31))) as session:
        lifecycle.advance_states(session, session.info["kontext"], as_of=date(2025, 1, 31))
    _take_in(steg_framat, regler, tmp_path, "slutrapport.txt", SLUTRAPPORT, date(2025, 1, 31))
    with read_only(steg_framat) as session:
        owed = session.scalars(select(Aterbetalning)).all()
        assert [(a.belopp_kr, a.grund) for a in owed] == ([] if belopp is None else [(belopp, grund)])
    if text is not None:
        [first] = _ladder(steg_framat, regler, date(2025, 2, 3))
        assert text in _body(first)
    year = finsam_json(steg_framat, "ekonomi", "--ar", "2024", "--as-of", "2025-02-03")["insatser"][0]
    assert year["utbetalt_kr"] == (sum(int(a.replace(" ", "")) for a in utbetalt) or None)


# Delrapport 1 covers 2024-01-01 – 2024-06-30 (182 days) with Summa utfall 210 000. Tertial 1 ends 30 April: its
# 121 days (31 + 29 + 31 + 30) of the report are 210 000 × 121 / 182 = 139 615.38 → 139 615 kr, against 366 000 ×
# 121 / 366 = 121 000 expected: above 110 % (133 100), överförbrukning; 139 615 / 366 000 = 38,1 %. Tertial 2 and 3
# take the whole report (the year's figure 57,4 % of 49,7 % expected, as above).
@pytest.mark.parametrize(("tertial", "utfall", "till", "forbrukning", "forvantad"), [
    (1, 139_615, "2024-04-30", 38.1, 33.1),
    (2, 210_000, "2024-06-30", 57.4, 49.7),
    (3, 210_000, "2024-06-30", 57.4, 49.7),
])
def test_a_tertial_counts_the_reports_up_to_its_end(steg_framat: str, regler: Regler, tmp_path: Path, tertial: int,
                                                    utfall: int, till: str, forbrukning: float, forvantad: float) -> None:
    _take_in(steg_framat, regler, tmp_path, "delrapport.txt", DELRAPPORT.format(lon="195 000", resor="15 000", summa="210 000"),
             date(2024, 7, 22))
    report = finsam_json(steg_framat, "ekonomi", "--ar", "2024", "--tertial", str(tertial), "--as-of", "2024-09-02")
    [row] = report["insatser"]
    assert (report["tertial"], report["till"]) == (tertial, {1: "2024-04-30", 2: "2024-08-31", 3: "2024-12-31"}[tertial])
    assert (row["utfall_kr"], row["utfall_till"], row["forbrukning_procent"], row["forvantad_procent"], row["flaggor"]) == (
        utfall, till, forbrukning, forvantad, ["overforbrukning"])
    assert (report["summa"]["utfall_kr"], report["summa"]["beviljat_kr"]) == (utfall, 366_000)
