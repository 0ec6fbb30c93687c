"""Reading the money in the reports: the delrapport's economic table (4.6) with its Summa, the
slutrapport's funds (7.1 / 7.2) and the free texts, from text, scanned text, Word and PDF; rows that do not
add up to the Summa are shown; the figures are stored with the report.

The expected values are written by hand from reading the shared reports' text, not computed."""

from __future__ import annotations

import json
import unicodedata
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from cli import finsam
from conftest import SHARED, running_insats
from finsam.audit import Kontext
from finsam.db import read_only, unit_of_work
from finsam.domain.model import InkommenRapport, RapportEkonomiRad
from finsam.intake.documents import read_document, read_file
from finsam.intake.economics import FREE_TEXT_LIMIT, LABEL_LIMIT, LINE_WINDOW
from finsam.intake.extract import extract
from finsam.intake.limits import Budget
from finsam.services.intake import take_in
from mailtools import mail_context
from report_files import FONT, as_docx, as_docx_table, as_pdf

REPORTS = SHARED / "reports"
needs_shared = pytest.mark.skipif(not REPORTS.exists(), reason="../shared/reports is not here")

# Read off the reports' text by hand: (kostnadsslag, the row's own label, budget, utfall).
STEG = {
    "rader": [("Lönekostnader", "Lön coach", 310_000, 298_450),
              ("Resekostnader", "Resor", 12_000, 4_310)],
    "summa": (322_000, 302_760),
}
VAGEN = {
    "rader": [("Aktiviteter", "Nätverksträffar", 8_000, 6_420),
              ("Lönekostnader", "Lön coacher 2 st", 402_500, 318_960),
              ("Lokalkostnader", "Delad lokal", 24_000, 24_000),
              ("Resekostnader", "Resor deltagare och personal", 9_500, 11_870),
              ("Övriga kostnader", "Handledning", 16_000, 0)],
    "summa": (460_000, 361_250),
}
DELRAPPORTER = {"delrapport-exempel-steg-till-arbete.txt": STEG, "delrapport-exempel-vagen-vidare.txt": VAGEN}
# (beviljade, utnyttjade, unused, fully used?)
SLUTRAPPORTER = {
    "slutrapport-trisam-hudiksvall.txt": (580_690, 571_224, 9_466, False),  # "utnyttjad samtliga medel förutom 9466 kr"
    "slutrapport-exempel-skannad.txt": (1_100_000, 1_043_512, 56_488, False),
}


def rows(data: dict) -> list[tuple]:
    return [(r["kostnadsslag"], r["benamning"], r["budget_kr"], r["utfall_kr"]) for r in data["ekonomi"]["rader"]]


def summa(data: dict) -> tuple:
    return data["ekonomi"]["summa_budget_kr"], data["ekonomi"]["summa_utfall_kr"]


def read(path: Path) -> dict:
    return extract(read_file(path).text).as_json()


def in_form(text: str, form: str, tmp_path: Path, name: str = "rapport") -> Path:
    if form == "txt":
        path = tmp_path / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        return path
    if form == "docx":
        return as_docx(text, tmp_path / f"{name}.docx")
    if not FONT.exists():
        pytest.skip("no DejaVu font to write the PDF with")
    return as_pdf(text, tmp_path / f"{name}.pdf")


def scanned(text: str) -> str:
    """As a scanner's OCR gives it: å/ä/ö lost (`Lonekostnader`, `Ovriga kostnader`)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# --- the shared reports ---

@needs_shared
@pytest.mark.parametrize("name", sorted(DELRAPPORTER))
@pytest.mark.parametrize("form", ["txt", "scanned", "docx", "pdf"])
def test_the_delrapports_table_every_row_and_the_summa(name: str, form: str, tmp_path: Path) -> None:
    text = (REPORTS / name).read_text(encoding="utf-8")
    scan = form == "scanned"
    if scan:
        text, form = scanned(text), "txt"
    data = read(in_form(text, form, tmp_path))
    want = DELRAPPORTER[name]["rader"]
    if scan:  # the labels lost their å/ä/ö too; the kostnadsslag is named as the template names it
        want = [(kind, scanned(label), b, u) for kind, label, b, u in want]
    assert rows(data) == want
    assert summa(data) == DELRAPPORTER[name]["summa"]
    assert data["ekonomi"]["summan_stammer"] is True and data["ekonomi"]["varningar"] == []
    # A scan's text is marked to check (finsam.intake.scanned); a typed report has nothing to warn of.
    assert [v.split(":")[0] for v in data["varningar"]] == (["Texten kommer från en skannad rapport"] if scan else [])
    assert data["sakerhet"]["ekonomi"] == "säker" and {r["sakerhet"] for r in data["ekonomi"]["rader"]} == {"säker"}
    assert "ekonomi" not in data["saknas"] and data["aterbetalning_kr"] is None


@needs_shared
def test_a_scanned_delrapport_gives_the_same_figures() -> None:
    text = scanned((REPORTS / "delrapport-exempel-vagen-vidare.txt").read_text(encoding="utf-8"))
    data = extract(text).as_json()
    assert [r[0] for r in rows(data)] == ["Aktiviteter", "Lönekostnader", "Lokalkostnader", "Resekostnader", "Övriga kostnader"]
    assert [r[1] for r in rows(data)] == ["Natverkstraffar", "Lon coacher 2 st", "Delad lokal", "Resor deltagare och personal",
                                          "Handledning"]
    assert [(r[2], r[3]) for r in rows(data)] == [(b, u) for _, _, b, u in VAGEN["rader"]]
    assert summa(data) == (460_000, 361_250)


@needs_shared
def test_the_free_texts_avvikelser_and_the_styrgrupps_analysis() -> None:
    data = read(REPORTS / "delrapport-exempel-vagen-vidare.txt")
    assert data["avvikelser"] == ("Rekryteringen av den andra coachen drog ut på tiden, därför är lönekostnaderna lägre "
                                  "än budget.\nLokalen delas med kommunens arbetsmarknadsenhet.")
    assert data["styrgruppens_analys"] == ("Styrgruppen ser att insatsen når sina mål för antal deltagare. Budgeten för lön "
                                           "justeras när coach två är på plats.")
    assert data["sakerhet"]["avvikelser"] == data["sakerhet"]["styrgruppens_analys"] == "säker"
    steg = read(REPORTS / "delrapport-exempel-steg-till-arbete.txt")  # neither section is in it
    assert steg["avvikelser"] is None and steg["styrgruppens_analys"] is None
    trisam = read(REPORTS / "slutrapport-trisam-hudiksvall.txt")  # the slutrapport's 5.3, without the template's question
    assert trisam["avvikelser"].startswith("Givna datum har varit bestämda för Trisam och möten har varit digitala")
    assert trisam["avvikelser"].endswith("i läkarbesöket och i den\nfortsatta planeringen.")
    assert "Har insatsen kunnat genomföras" not in trisam["avvikelser"]


@needs_shared
@pytest.mark.parametrize("name", sorted(SLUTRAPPORTER))
@pytest.mark.parametrize("form", ["txt", "docx", "pdf"])
def test_the_slutrapports_funds_and_what_goes_back(name: str, form: str, tmp_path: Path) -> None:
    data = read(in_form((REPORTS / name).read_text(encoding="utf-8"), form, tmp_path))
    granted, used, unused, full = SLUTRAPPORTER[name]
    assert (data["beviljade_medel_kr"], data["utnyttjade_medel_kr"]) == (granted, used)
    assert (data["aterbetalning_kr"], data["medel_helt_utnyttjade"]) == (unused, full)
    assert data["sakerhet"]["aterbetalning_kr"] == "säker" and data["ekonomi"] is None


@needs_shared
def test_trisam_answers_under_7_1_though_money_is_left_and_that_is_shown() -> None:
    data = read(REPORTS / "slutrapport-trisam-hudiksvall.txt")
    assert data["varningar"] == ["Rapporten svarar under 7.1 (helt utnyttjade), men beviljade 580\u00a0690\u00a0kr och "
                                 "utnyttjade 571\u00a0224\u00a0kr ger 9\u00a0466\u00a0kr kvar."]
    assert data["sakerhet"]["medel_helt_utnyttjade"] == "trolig"


@needs_shared
def test_the_shared_expected_figures_agree() -> None:
    expected = json.loads((REPORTS / "expected.json").read_text(encoding="utf-8"))
    for name, want in expected.items():
        data = read(REPORTS / name)
        if "ekonomi" in want:
            got = {"rader": [{k: r[k] for k in ("kostnadsslag", "budget_kr", "utfall_kr")} for r in data["ekonomi"]["rader"]],
                   "summa_budget_kr": data["ekonomi"]["summa_budget_kr"], "summa_utfall_kr": data["ekonomi"]["summa_utfall_kr"]}
            assert got == want["ekonomi"], name
        if "aterbetalning_kr" in want:
            assert data["aterbetalning_kr"] == want["aterbetalning_kr"], name


# --- Word tables, Word paragraphs, PDF ---

HEAD = ("Delrapport\nDiarienummer\nSFG 24-3.12\nInsatsens namn\nSteg till arbete\n"
        "Totalt beviljade medel från Samordningsförbund Gävleborg för insatsen\n1 240 000 kr\n"
        "4.6 Ekonomiskrapport: Redovisa era totala kostnader för redovisningsperioden enligt nedan.\n")
TAIL = "4.7 Styrgruppen /Mysam-gruppens analys av utfall för delrapport:\nBudgeten följs.\n"
TABLE = [  # as the template's table: kostnadsslag (with its explanation) and the row's own label in the first cell
    ("Aktiviteter (ange typ av aktiviteter ex. möte och seminarier mm.)\nNätverksträffar", "8 000", "6 420"),
    ("Externa tjänster (typ av köpt tjänst)", "", ""),
    ("Lönekostnader (månadslön, bruttolön, lönebikostnader)\nLön coach", "310 000", "298 450"),
    ("Lokalkostnader (ange typ av lokal)\nDelad lokal", "24 000", "24 000"),  # the same amount twice in one row
    ("Material/expenser (ange typ av material)", "", ""),
    ("Övriga kostnader (ange typ av övriga kostnader)\nHandledning", "16 000", "0"),
]
TABLE_ROWS = [("Aktiviteter", "Nätverksträffar", 8_000, 6_420), ("Lönekostnader", "Lön coach", 310_000, 298_450),
              ("Lokalkostnader", "Delad lokal", 24_000, 24_000), ("Övriga kostnader", "Handledning", 16_000, 0)]


def test_a_word_table(tmp_path: Path) -> None:
    path = as_docx_table(HEAD, [("Kostnadsslag", "Budget", "Utfall"), *TABLE, ("Summa", "358 000", "328 870")], TAIL,
                         tmp_path / "tabell.docx")
    data = read(path)
    assert rows(data) == TABLE_ROWS and summa(data) == (358_000, 328_870)
    assert data["ekonomi"]["summan_stammer"] is True and data["sakerhet"]["ekonomi"] == "säker"
    assert data["styrgruppens_analys"] == "Budgeten följs."


PARAGRAPHS = (HEAD + "Kostnadsslag\tBudget\tUtfall\n"
              "Aktiviteter: Nätverksträffar\t8 000 kr\t6 420 kr\n"
              "Lönekostnader: Lön coach\t310 000 kr\t298 450 kr\n"
              "Lokalkostnader: Delad lokal\t24 000 kr\t24 000 kr\n"
              "Övriga kostnader: Handledning\t16 000 kr\t0 kr\n"
              "Summa\t358 000 kr\t328 870 kr\n" + TAIL)


@pytest.mark.parametrize("form", ["txt", "docx", "pdf"])
def test_a_table_written_as_paragraphs_one_row_a_line(form: str, tmp_path: Path) -> None:
    # A PDF has no tabs: its text gives a table's cells with spaces between them, or none.
    text = {"txt": PARAGRAPHS, "docx": PARAGRAPHS, "pdf": PARAGRAPHS.replace("\t", "   ")}[form]
    data = read(in_form(text, form, tmp_path))
    assert rows(data) == TABLE_ROWS and summa(data) == (358_000, 328_870)
    assert data["ekonomi"]["summan_stammer"] is True


def test_a_pdf_table_whose_cells_ran_together() -> None:
    text = HEAD + "Lönekostnader: Lön coach310 000 kr298 450 kr\nSumma310 000 kr298 450 kr\n"
    data = extract(text).as_json()
    assert rows(data) == [("Lönekostnader", "Lön coach", 310_000, 298_450)] and summa(data) == (310_000, 298_450)


def test_a_row_on_one_line_with_single_spaces_is_read_the_one_plausible_way() -> None:
    # `310 000 298 450` also reads 310 000 298 / 450: a row cannot cost ten times the whole grant (1 240 000 kr).
    text = HEAD + "Lönekostnader Lön coach 310 000 298 450\nResekostnader Resor 12 000 4 310\nSumma 322 000 302 760\n"
    data = extract(text).as_json()
    assert rows(data) == [("Lönekostnader", "Lön coach", 310_000, 298_450), ("Resekostnader", "Resor", 12_000, 4_310)]
    assert summa(data) == (322_000, 302_760) and data["sakerhet"]["ekonomi"] == "säker"


def test_named_amounts_are_read_by_their_names() -> None:
    text = HEAD + "Lönekostnader: Lön coach, utfall 298 450 kr, budget 310 000 kr\nSumma: budget 310 000 kr, utfall 298 450 kr\n"
    data = extract(text).as_json()
    assert rows(data) == [("Lönekostnader", "Lön coach", 310_000, 298_450)] and summa(data) == (310_000, 298_450)


def test_a_row_whose_reading_is_ambiguous_is_only_trolig() -> None:
    # Without the grant nothing bounds the reading: 310 000 / 298 450 or 310 000 298 / 450.
    text = "Delrapport\n4.6 Ekonomiskrapport\nLönekostnader Lön coach 310 000 298 450\n"
    data = extract(text).as_json()
    assert rows(data) == [("Lönekostnader", "Lön coach", 310_000, 298_450)]
    assert data["ekonomi"]["rader"][0]["sakerhet"] == "trolig"
    assert any("kan läsas på flera sätt" in w for w in data["varningar"])


# --- the rows do not add up, amounts as people write them, no table ---

def test_rows_that_do_not_add_up_to_the_summa_are_shown() -> None:
    text = HEAD + "Lönekostnader\nLön coach\n310 000\n298 450\nResekostnader\nResor\n12 000\n4 310\nSumma 330 000 302 760\n"
    data = extract(text).as_json()
    assert summa(data) == (330_000, 302_760)  # the report's own Summa, not replaced by the rows' total
    assert data["ekonomi"]["summan_stammer"] is False and data["sakerhet"]["ekonomi"] == "osäker"
    assert data["varningar"] == ["Raderna summerar till 322\u00a0000\u00a0kr i budget, men Summa anger 330\u00a0000\u00a0kr "
                                 "(skillnad 8\u00a0000\u00a0kr)."]


@pytest.mark.parametrize(
    ("written", "budget", "utfall"),
    [
        ("12 000 kr\n4 310 kr", 12_000, 4_310),
        ("12000kr 4310kr", 12_000, 4_310),
        ("12 tkr\n4,31 tkr", 12_000, 4_310),
        ("12\u00a0000 Kr\n4\u00a0310 Kr", 12_000, 4_310),
        ("12 000:-\n4 310:-", 12_000, 4_310),
        ("12 000,00 kr\n4 310,00 kr", 12_000, 4_310),
        ("1,5 tkr\n0 kr", 1_500, 0),
        ("2530000 Kr\n894 tkr", 2_530_000, 894_000),
    ],
)
def test_amounts_as_people_write_them(written: str, budget: int, utfall: int) -> None:
    data = extract(f"Delrapport\n4.6 Ekonomiskrapport\nResekostnader\nResor\n{written}\n").as_json()
    assert rows(data) == [("Resekostnader", "Resor", budget, utfall)]


def test_a_table_in_tkr_says_so_in_its_header() -> None:
    text = "Delrapport\n4.6 Ekonomiskrapport\nKostnadsslag Budget (tkr) Utfall (tkr)\nLönekostnader\nLön\n310\n298,45\nSumma 310 298,45\n"
    data = extract(text).as_json()
    assert rows(data) == [("Lönekostnader", "Lön", 310_000, 298_450)] and summa(data) == (310_000, 298_450)


def test_a_delrapport_without_the_table_says_it_is_missing() -> None:
    data = extract("Delrapport\nDiarienummer\nSFG 24-3.12\nDelrapporten gäller för perioden\n2024-09-01 - 2025-04-30\n").as_json()
    assert data["ekonomi"] is None and "ekonomi" in data["saknas"]


def test_a_table_without_its_summa_row_is_not_given_one() -> None:
    data = extract("Delrapport\n4.6 Ekonomiskrapport\nResekostnader\nResor\n12 000\n4 310\n5. Underskrift\n").as_json()
    assert rows(data) == [("Resekostnader", "Resor", 12_000, 4_310)] and summa(data) == (None, None)
    assert data["ekonomi"]["summan_stammer"] is None and data["sakerhet"]["ekonomi"] == "trolig"
    assert data["varningar"] == ["Summa-raden saknas i ekonomitabellen (4.6); raderna kan inte stämmas av."]


def test_a_row_with_one_amount_says_so() -> None:
    data = extract("Delrapport\n4.6 Ekonomiskrapport\nResekostnader\nResor\n12 000\nSumma 12 000 0\n").as_json()
    assert rows(data) == [("Resekostnader", "Resor", 12_000, None)]
    assert data["ekonomi"]["rader"][0]["sakerhet"] == "trolig"
    assert "Resekostnader: bara ett belopp (12\u00a0000\u00a0kr), läst som budget." in data["varningar"]


def test_a_kostnadsslag_garbled_by_the_scanner_is_only_trolig() -> None:
    data = extract("Delrapport\n4.6 Ekonomiskrapport\nL0nekostnader\nLon\n310 000\n298 450\nSumma 310 000 298 450\n").as_json()
    assert rows(data) == [("Lönekostnader", "Lon", 310_000, 298_450)]
    assert data["ekonomi"]["rader"][0]["sakerhet"] == "trolig"


# --- the slutrapport's section 7 ---

SLUT = "Slutrapport\nBeviljade medel för insatsen\n{granted}\nUtnyttjade medel\n{used}\n7. Ekonomiuppföljning utnyttjade medel\n"


def test_a_ticked_7_2_and_the_amount_that_goes_back() -> None:
    text = SLUT.format(granted="500 000 kr", used="450 000 kr") + (
        "☐ 7.1 Beviljade medel är helt utnyttjade\n☒ 7.2 Beviljade medel är inte helt utnyttjade\n"
        "7.2.1 Varför utnyttjades inte beviljade insatsmedel? Berätta om de faktorer som påverkat utfallet.\n"
        "Tjänsten var vakant i tre månader.\n8. Uppgiftslämnare\n")
    data = extract(text).as_json()
    assert (data["aterbetalning_kr"], data["medel_helt_utnyttjade"], data["varningar"]) == (50_000, False, [])


def test_all_used_goes_back_nothing() -> None:
    data = extract(SLUT.format(granted="500 000 kr", used="500 000 kr")).as_json()
    assert (data["aterbetalning_kr"], data["medel_helt_utnyttjade"]) == (0, True)


def test_more_used_than_granted_is_shown_and_nothing_goes_back() -> None:
    data = extract(SLUT.format(granted="500 000 kr", used="520 000 kr")).as_json()
    assert (data["aterbetalning_kr"], data["medel_helt_utnyttjade"]) == (0, True)
    assert data["varningar"] == ["Utnyttjade medel (520\u00a0000\u00a0kr) är mer än beviljade medel (500\u00a0000\u00a0kr)."]
    assert data["sakerhet"]["aterbetalning_kr"] == "trolig"


def test_without_the_amounts_the_answer_under_7_1_is_only_trolig() -> None:
    text = ("Slutrapport\n7.1 Beviljade medel är helt utnyttjade\n7.1.1 Var den budget ni lagt bra avvägd i förhållande "
            "till verksamheten?\nJa, budgeten höll.\n7.2 Beviljade medel är inte helt utnyttjade\n")
    data = extract(text).as_json()
    assert (data["aterbetalning_kr"], data["medel_helt_utnyttjade"]) == (0, True)
    assert data["sakerhet"]["medel_helt_utnyttjade"] == "trolig"


# --- bounds: long labels and texts are cut, the work stays linear ---

def test_a_long_label_and_a_long_text_are_cut_to_what_the_columns_hold() -> None:
    text = (HEAD + "Resekostnader\n" + "Resor " * 40 + "\n12 000\n4 310\nSumma 12 000 4 310\n"
            + "4.7 Styrgruppens analys av utfall\n" + ("Ett långt stycke. " * 40 + "\n") * 40)
    data = extract(text).as_json()
    [rad] = data["ekonomi"]["rader"]
    assert len(rad["benamning"]) <= LABEL_LIMIT and rad["utfall_kr"] == 4_310
    assert len(data["styrgruppens_analys"]) <= FREE_TEXT_LIMIT and data["styrgruppens_analys"].startswith("Ett långt stycke.")


def _work(text: str) -> Budget:
    budget = Budget("tabell.txt")
    extract(text, budget)
    return budget


def test_the_table_costs_work_linear_in_its_length() -> None:
    row = "Lönekostnader\nLön coach 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n310 000\n298 450\n"
    small, big = _work(HEAD + row * 20), _work(HEAD + row * 200)
    assert big.searched <= 11 * small.searched and big.comparisons <= 11 * small.comparisons
    assert big.longest <= LINE_WINDOW
    long_line = _work(HEAD + "Lönekostnader " + "1 " * 50_000 + "\nSumma " + "123 " * 30_000 + "\n")
    assert long_line.longest <= LINE_WINDOW


# --- stored when the report is registered ---

def k() -> Kontext:
    return Kontext(aktor="inkorgen", atgard="inkommen rapport", nu=datetime(2024, 10, 29, 8, tzinfo=timezone.utc))


@pytest.fixture
def vagen_vidare(db_url: str, regler) -> str:
    running_insats(db_url, regler, k(), "Vägen vidare", "SFG 23-7.04", date(2023, 9, 1), date(2026, 8, 31),
                   ("Insatsansvarig Söderhamn", "insatsansvarig@soderhamn.example"))
    return db_url


@needs_shared
def test_a_registered_delrapport_keeps_its_table_and_texts(vagen_vidare: str, regler, tmp_path: Path) -> None:
    document = read_file(REPORTS / "delrapport-exempel-vagen-vidare.txt")
    with unit_of_work(vagen_vidare, k()) as session:
        result = take_in(session, k(), mail_context(regler), document, storage=tmp_path / "arkiv")
        assert result.atgard == "registrerad"
    with read_only(vagen_vidare) as session:
        rapport = session.scalar(select(InkommenRapport))
        assert [(r.ordning, r.kostnadsslag, r.benamning, r.budget_kr, r.utfall_kr, r.sakerhet) for r in rapport.ekonomirader] == [
            (i, *row, "säker") for i, row in enumerate(VAGEN["rader"], start=1)]
        assert (rapport.summa_budget_kr, rapport.summa_utfall_kr, rapport.ekonomi_sakerhet) == (460_000, 361_250, "säker")
        assert (rapport.beviljade_medel_kr, rapport.utnyttjade_medel_kr, rapport.aterbetalning_kr) == (2_310_000, None, None)
        assert rapport.avvikelser.startswith("Rekryteringen av den andra coachen")
        assert rapport.styrgruppens_analys.startswith("Styrgruppen ser att insatsen")
        assert rapport.varningar is None


def test_a_registered_delrapport_whose_rows_do_not_add_up_keeps_the_warning(vagen_vidare: str, regler, tmp_path: Path) -> None:
    text = ("Delrapport\nDiarienummer\nSFG 23-7.04\nDelrapporten gäller för perioden\n20240301 - 20240831\n"
            "4.6 Ekonomiskrapport\nLönekostnader\nLön coacher 2 st\n402 500\n318 960\nSumma 460000 361250\n")
    document = read_document("delrapport.txt", text.encode("utf-8"))
    with unit_of_work(vagen_vidare, k()) as session:
        assert take_in(session, k(), mail_context(regler), document, storage=tmp_path / "arkiv").atgard == "registrerad"
    with read_only(vagen_vidare) as session:
        rapport = session.scalar(select(InkommenRapport))
        assert rapport.ekonomi_sakerhet == "osäker" and len(rapport.varningar) == 2
        assert rapport.varningar[0].startswith("Raderna summerar till 402\u00a0500\u00a0kr i budget, men Summa anger 460\u00a0000")
        assert len(session.scalars(select(RapportEkonomiRad)).all()) == 1


@pytest.fixture
def loaded(db_url: str, insatser_csv: Path) -> str:
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-06-01")
    return db_url


@needs_shared
def test_report_register_dry_run_json_and_the_stored_slutrapport(loaded: str, tmp_path: Path) -> None:
    path = REPORTS / "slutrapport-trisam-hudiksvall.txt"
    dry = json.loads(finsam(loaded, "report", "register", str(path), "--dry-run", "--json", cwd=tmp_path).stdout)
    assert (dry["atgard"], dry["aterbetalning_kr"], dry["medel_helt_utnyttjade"], dry["ekonomi"]) == ("provkorning", 9_466, False, None)
    with read_only(loaded) as session:
        assert session.scalar(select(InkommenRapport)) is None
    shown = finsam(loaded, "report", "register", str(path), "--dry-run", cwd=tmp_path).stdout
    assert "Ej utnyttjat (återbetalning): 9\u00a0466 kr" in shown and "Varning: Rapporten svarar under 7.1" in shown
    finsam(loaded, "report", "register", str(path), "--json", cwd=tmp_path)
    with read_only(loaded) as session:
        rapport = session.scalar(select(InkommenRapport))
        assert (rapport.beviljade_medel_kr, rapport.utnyttjade_medel_kr, rapport.aterbetalning_kr) == (580_690, 571_224, 9_466)
        assert rapport.medel_helt_utnyttjade is False and rapport.ekonomirader == [] and rapport.ekonomi_sakerhet is None
        assert rapport.avvikelser.startswith("Givna datum") and len(rapport.varningar) == 1


@needs_shared
def test_report_register_dry_run_json_of_a_delrapport(loaded: str, tmp_path: Path) -> None:
    path = REPORTS / "delrapport-exempel-steg-till-arbete.txt"
    dry = json.loads(finsam(loaded, "report", "register", str(path), "--dry-run", "--json", cwd=tmp_path).stdout)
    assert [{k: r[k] for k in ("kostnadsslag", "budget_kr", "utfall_kr")} for r in dry["ekonomi"]["rader"]] == [
        {"kostnadsslag": "Lönekostnader", "budget_kr": 310_000, "utfall_kr": 298_450},
        {"kostnadsslag": "Resekostnader", "budget_kr": 12_000, "utfall_kr": 4_310}]
    assert (dry["ekonomi"]["summa_budget_kr"], dry["ekonomi"]["summa_utfall_kr"]) == (322_000, 302_760)
    assert dry["aterbetalning_kr"] is None
