"""The årsredovisning's Bilaga 1 written by the engine, for the 2021 insatser: figures read by hand from the CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from cli import finsam, finsam_json

REPORTS = Path(__file__).resolve().parent.parent.parent / "shared" / "reports"
needs_shared = pytest.mark.skipif(not REPORTS.exists(), reason="../shared/reports is not here")

INDIVID = ["Ett hållbart arbetsliv - Hofors", "Ett hållbart arbetsliv - Ockelbo", "Ett hållbart arbetsliv - Ovanåker"]
STRUKTUR = [
    "Förstudie - Minska glappet Mysam Gävle", "Förstudie - Utveckling av egenmakt Hudiksvall", "Insatskatalogen Gävleborg",
    "Lokal individinsats efter Trisam i Hudiksvall", "Mysam", "Trisam 2.0 - Arbetsförmedlingen och Försäkringskassan",
    "Trisam 2.0 - Bollnäs kommun", "Trisam 2.0 - Gävle kommun", "Trisam 2.0 - Hofors kommun",
    "Trisam 2.0 - Hudiksvalls kommun", "Trisam 2.0 - Ockelbo kommun", "Trisam 2.0 - Ovanåker kommun",
    "Trisam 2.0 - Region Gävleborg", "Trisam 2.0 - Sandvikens kommun", "Trisam 2.0 - Söderhamns kommun",
]


def test_bilaga_1_for_2021_names_all_18_with_their_budget_and_utfall(db_url: str, insatser_csv: Path, tmp_path: Path) -> None:
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    data = finsam_json(db_url, "arsredovisning", "--ar", "2021", "--as-of", "2022-03-01")
    individ, struktur = data["grupper"]["Individinriktade insatser"], data["grupper"]["Strukturinriktade insatser"]
    assert [b["Insatsnamn"] for b in individ] == INDIVID
    assert [b["Insatsnamn"] for b in struktur] == STRUKTUR
    ockelbo = individ[1]
    assert ockelbo == {
        "Insatsnamn": "Ett hållbart arbetsliv - Ockelbo", "Inriktning": "Individinriktad", "Period": "2019-10-01 – 2022-06-30",
        "Syfte": "[Fyll i: syfte (ur ansökan)]", "Mål": "[Fyll i: mål (ur ansökan)]",
        "Deltagarregistrering": "[Fyll i: deltagarregistrering (SUS)]", "Specifik målgrupp": "[Fyll i: specifik målgrupp]",
        "Budget 2021": "894 tkr", "Utfall ekonomi": "843 tkr", "Huvudman för insats": "Ockelbo kommun",
        "Samverkansparter": "Arbetsförmedlingen, Försäkringskassan, Region Gävleborg",
        "Resultat": "[Fyll i: resultat]", "Kommentar": "[Fyll i: kommentar]",
    }
    by_name = {b["Insatsnamn"]: b for b in individ + struktur}
    assert (by_name["Trisam 2.0 - Arbetsförmedlingen och Försäkringskassan"]["Budget 2021"],
            by_name["Trisam 2.0 - Arbetsförmedlingen och Försäkringskassan"]["Utfall ekonomi"]) == ("4 981 tkr", "4 817 tkr")
    assert (by_name["Förstudie - Minska glappet Mysam Gävle"]["Budget 2021"],
            by_name["Förstudie - Minska glappet Mysam Gävle"]["Utfall ekonomi"]) == ("97 tkr", "90 tkr")
    assert by_name["Insatskatalogen Gävleborg"]["Period"] == "2019-09-01 – tills vidare"

    out = tmp_path / "bilaga1.docx"
    printed = finsam(db_url, "arsredovisning", "--ar", "2021", "--ut", str(out), "--as-of", "2022-03-01").stdout
    # 18 insatser with six fields the engine does not know (syfte, mål, deltagarregistrering, målgrupp,
    # resultat, kommentar: no reports registered): 6 × 18 = 108.
    assert f"Bilaga 1 för 2021: 18 insatser skrivna till {out}; 108 fält att fylla i (inom hakparentes)." in printed
    document = Document(str(out))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Bilaga 1 – Insatser 2021", "Individinriktade insatser", "Strukturinriktade insatser",
                        "Finansierade insatser 2021"]
    assert len(document.tables) == 18
    first = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert (first["Insatsnamn"], first["Budget 2021"], first["Utfall ekonomi"]) == (
        "Ett hållbart arbetsliv - Hofors", "934 tkr", "648 tkr")
    listed = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert listed[0] == "Ett hållbart arbetsliv - Hofors, 2021-01-01 – 2023-03-01" and len(listed) == 18


def test_a_year_without_insatser_and_bad_output_are_said_plainly(db_url: str, tmp_path: Path) -> None:
    data = finsam_json(db_url, "arsredovisning", "--ar", "2030")
    assert data == {"ar": 2030, "grupper": {"Individinriktade insatser": [], "Strukturinriktade insatser": []}}
    refused = finsam(db_url, "arsredovisning", "--ar", "2021", "--ut", str(tmp_path / "bilaga.pdf"), check=False)
    assert refused.returncode == 1 and "bilaga.pdf: filen ska sluta på .docx." in refused.stderr


@needs_shared
def test_the_kommentar_comes_from_the_latest_report_that_has_one(db_url: str, insatser_csv: Path, tmp_path: Path) -> None:
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    finsam(db_url, "report", "register", str(REPORTS / "slutrapport-trisam-hudiksvall.txt"), "--received", "2022-01-14",
           cwd=tmp_path)
    data = finsam_json(db_url, "arsredovisning", "--ar", "2021", "--as-of", "2022-03-01")
    [hudiksvall] = [b for b in data["grupper"]["Strukturinriktade insatser"]
                    if b["Insatsnamn"] == "Trisam 2.0 - Hudiksvalls kommun"]
    assert hudiksvall["Kommentar"].startswith("Givna datum har varit bestämda för Trisam och möten har varit digitala")
    assert hudiksvall["Resultat"] == "[Fyll i: resultat]"  # a slutrapport has no styrgrupp analysis (4.7)
    assert (hudiksvall["Budget 2021"], hudiksvall["Utfall ekonomi"]) == ("279 tkr", "279 tkr")


def test_syfte_and_mal_come_from_the_ansokan(db_url: str) -> None:
    finsam(db_url, "ansokan", "Vägen in", "--huvudman", "Gävle kommun", "--ankomst", "2021-10-04", "--kontakt", "Ida Ek",
           "--epost", "ida@vagen.example", "--diarienummer", "SFG 21-10.9",
           "--syfte", "Fler unga i arbete eller studier.", "--mal", "Hälften av deltagarna i arbete efter ett år.")
    finsam(db_url, "yttrande", "SFG 21-10.9", "--datum", "2021-11-03", "--bedomning", "tillstyrks")
    finsam(db_url, "beslut", "SFG 21-10.9", "--datum", "2021-11-18", "--utfall", "beviljas", "--belopp", "730 000",
           "--start", "2022-01-01", "--slut", "2023-12-31", "--as-of", "2021-11-18")
    [block] = finsam_json(db_url, "arsredovisning", "--ar", "2022", "--as-of", "2023-03-01")["grupper"]["Individinriktade insatser"]
    assert (block["Syfte"], block["Mål"]) == ("Fler unga i arbete eller studier.", "Hälften av deltagarna i arbete efter ett år.")
    # 730 000 kr over 2022-01-01 – 2023-12-31 (730 days): 2022's 365 days get 365 000 kr.
    assert (block["Period"], block["Budget 2022"], block["Utfall ekonomi"]) == (
        "2022-01-01 – 2023-12-31", "365 tkr", "[Fyll i: utfall 2022]")
