"""The årsredovisning's Bilaga 1 ("Mål och resultat av insatser 2021") for the 2021 insatser: figures read by hand
from the CSV, texts by hand from the reports (which report, which section), layout as the förbund's report has it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document

from cli import finsam, finsam_json
from report_files import pdf_by_libreoffice

REPORTS = Path(__file__).resolve().parent.parent.parent / "shared" / "reports"
needs_shared = pytest.mark.skipif(not REPORTS.exists(), reason="../shared/reports is not here")

INDIVID = ["Ett hållbart arbetsliv - Hofors", "Ett hållbart arbetsliv - Ockelbo", "Ett hållbart arbetsliv - Ovanåker"]
# By huvudman (Arbetsförmedlingen, Bollnäs, Gävle ×2, Hofors, Hudiksvall ×2, Ockelbo, Ovanåker, Region Gävleborg,
# Samordningsförbund Gävleborg ×3, Sandviken, Söderhamn), then by name.
STRUKTUR = [
    "Trisam 2.0 - Arbetsförmedlingen och Försäkringskassan", "Trisam 2.0 - Bollnäs kommun",
    "Förstudie - Minska glappet Mysam Gävle", "Trisam 2.0 - Gävle kommun", "Trisam 2.0 - Hofors kommun",
    "Lokal individinsats efter Trisam i Hudiksvall", "Trisam 2.0 - Hudiksvalls kommun", "Trisam 2.0 - Ockelbo kommun",
    "Trisam 2.0 - Ovanåker kommun", "Trisam 2.0 - Region Gävleborg", "Förstudie - Utveckling av egenmakt Hudiksvall",
    "Insatskatalogen Gävleborg", "Mysam", "Trisam 2.0 - Sandvikens kommun", "Trisam 2.0 - Söderhamns kommun",
]
INDIVIDGRUPP, STRUKTURGRUPP = "Individinriktade insatser", "Strukturövergripande insatser"


def blocks(data: dict) -> dict[str, dict[str, str]]:
    return {b["Insatsnamn"]: b for grupp in data["grupper"].values() for b in grupp}


def test_bilaga_1_for_2021_has_the_reports_layout_and_every_insats_money(db_url: str, insatser_csv: Path,
                                                                          tmp_path: Path) -> None:
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    data = finsam_json(db_url, "arsredovisning", "--ar", "2021", "--as-of", "2022-03-01")
    assert data["titel"] == "Mål och resultat av insatser 2021"
    assert list(data["grupper"]) == [INDIVIDGRUPP, STRUKTURGRUPP]
    assert [b["Insatsnamn"] for b in data["grupper"][INDIVIDGRUPP]] == INDIVID
    assert [b["Insatsnamn"] for b in data["grupper"][STRUKTURGRUPP]] == STRUKTUR
    by_name = blocks(data)
    assert by_name["Ett hållbart arbetsliv - Ockelbo"] == {
        "Insatsnamn": "Ett hållbart arbetsliv - Ockelbo", "Inriktning": "Individ - Rehabilitering mot arbete/utbildning",
        "Period": "2019-10-01 – 2022-06-30", "Syfte": "[Fyll i: syfte]", "Mål": "[Fyll i: mål]",
        "Deltagarregistrering": "Med personuppgifter/anonym", "Specifik målgrupp": "Rehabilitering mot arbete/utbildning",
        "Budget 2021": "894 tkr", "Utfall ekonomi": "843 tkr", "Huvudman för insats": "Ockelbo kommun",
        "Samverkansparter": "Arbetsförmedlingen, Försäkringskassan och Region Gävleborg",
        "Resultat": "[Fyll i: resultat 2021]", "Kommentar": "[Fyll i: kommentar 2021]",
    }
    trisam_af = by_name["Trisam 2.0 - Arbetsförmedlingen och Försäkringskassan"]
    assert (trisam_af["Inriktning"], trisam_af["Deltagarregistrering"], trisam_af["Specifik målgrupp"]) == (
        "Struktur - Myndighetspersonal i samverkan", "Endast volym", "Myndighetspersonal i samverkan")
    assert (trisam_af["Budget 2021"], trisam_af["Utfall ekonomi"], trisam_af["Huvudman för insats"],
            trisam_af["Samverkansparter"]) == ("4 981 tkr", "4 817 tkr", "Arbetsförmedlingen och Försäkringskassan",
                                               "Region Gävleborg och länets samtliga kommuner")
    # Insatser that ran only within 2021: their figure is the whole insatstid's.
    assert by_name["Förstudie - Minska glappet Mysam Gävle"]["Totalbudget 2021"] == "97 tkr"
    assert by_name["Förstudie - Utveckling av egenmakt Hudiksvall"]["Totalbudget 2021"] == "220 tkr"
    assert by_name["Insatskatalogen Gävleborg"]["Period"] == "2019-09-01 – tills vidare"
    # The year's economic flags (utfall more than 25 % under or 10 % over the budget) are the Kommentar where no
    # report says more: 648/934, 71/142, 153/289, 144/124.
    assert {name: b["Kommentar"] for name, b in by_name.items() if not b["Kommentar"].startswith("[")} == {
        "Ett hållbart arbetsliv - Hofors": "Förbrukning 69 % av årets budget.",
        "Trisam 2.0 - Hofors kommun": "Förbrukning 50 % av årets budget.",
        "Trisam 2.0 - Söderhamns kommun": "Förbrukning 53 % av årets budget.",
        "Insatskatalogen Gävleborg": "Förbrukning 116 % av årets budget.",
    }
    # No reports registered: syfte, mål and resultat for all 18, kommentar for the 14 without a flag.
    assert data["antal_att_fylla_i"] == 18 * 3 + 14 == len(data["att_fylla_i"])
    assert data["att_fylla_i"][:3] == [
        {"insats": "Ett hållbart arbetsliv - Hofors", "falt": "Syfte", "vad": "syfte"},
        {"insats": "Ett hållbart arbetsliv - Hofors", "falt": "Mål", "vad": "mål"},
        {"insats": "Ett hållbart arbetsliv - Hofors", "falt": "Resultat", "vad": "resultat 2021"},
    ]
    assert data["finansierade"]["Individ - Rehabilitering mot arbete/utbildning"] == [
        "Ett hållbart arbetsliv - Hofors, 2021-01-01 – 2023-03-01", "Ett hållbart arbetsliv - Ockelbo, 2019-10-01 – 2022-06-30",
        "Ett hållbart arbetsliv - Ovanåker, 2020-09-01 – 2023-08-01"]
    assert len(data["finansierade"]["Struktur - Myndighetspersonal i samverkan"]) == 15

    out = tmp_path / "bilaga1.docx"
    printed = finsam(db_url, "arsredovisning", "--ar", "2021", "--ut", str(out), "--as-of", "2022-03-01").stdout
    assert (f"Bilaga 1 för 2021: 18 insatser skrivna till {out}; 68 fält att fylla i eller kontrollera (inom "
            "hakparentes, listade sist).") in " ".join(printed.split())
    document = Document(str(out))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Mål och resultat av insatser 2021", INDIVIDGRUPP, STRUKTURGRUPP, "Finansierade insatser 2021",
                        "Kvar för kansliet att fylla i (tas bort före inklistring)"]
    assert len(document.tables) == 18
    first = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert (first["Insatsnamn"], first["Budget 2021"], first["Utfall ekonomi"], first["Kommentar"]) == (
        "Ett hållbart arbetsliv - Hofors", "934 tkr", "648 tkr", "Förbrukning 69 % av årets budget.")
    section = document.sections[0]
    label, value = document.tables[0].columns
    text_width = section.page_width - section.left_margin - section.right_margin
    assert round(label.width / text_width, 2) == 0.33 and round((label.width + value.width) / text_width, 3) == 1
    listed = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert listed[0] == "Ett hållbart arbetsliv - Hofors, 2021-01-01 – 2023-03-01"
    assert listed[18:20] == ["Ett hållbart arbetsliv - Hofors – Syfte: syfte", "Ett hållbart arbetsliv - Hofors – Mål: mål"]
    assert len(listed) == 18 + 68


def test_each_insats_stays_on_one_page_when_libreoffice_prints_it(db_url: str, insatser_csv: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    out = tmp_path / "bilaga1.docx"
    finsam(db_url, "arsredovisning", "--ar", "2021", "--ut", str(out), "--as-of", "2022-03-01")
    pages = [page.extract_text() for page in PdfReader(pdf_by_libreoffice(out)).pages]
    # 18 blocks of 13 rows, three to a page, then the list of financed insatser and what is left to fill in.
    assert len(pages) <= 10
    for number, text in enumerate(pages, start=1):
        # a block that began on a page ends on it: as many Insatsnamn as Kommentar labels
        assert len(re.findall(r"^Insatsnamn", text, re.M)) == len(re.findall(r"^Kommentar", text, re.M)), number
    assert sum(len(re.findall(r"^Insatsnamn", text, re.M)) for text in pages) == 18


def test_a_year_without_insatser_and_bad_output_are_said_plainly(db_url: str, tmp_path: Path) -> None:
    data = finsam_json(db_url, "arsredovisning", "--ar", "2030")
    assert (data["grupper"], data["att_fylla_i"], data["antal_att_fylla_i"]) == (
        {INDIVIDGRUPP: [], STRUKTURGRUPP: []}, [], 0)
    refused = finsam(db_url, "arsredovisning", "--ar", "2021", "--ut", str(tmp_path / "bilaga.pdf"), check=False)
    assert refused.returncode == 1 and "bilaga.pdf: filen ska sluta på .docx." in refused.stderr


def delrapport(period: str, registrerad: str, avvikelser: str, mal_och_utfall: str, analys: str) -> str:
    """A delrapport for Ockelbo in the template's words (from the shared example), with its own 4.3, 4.4 and 4.7."""
    text = (REPORTS / "delrapport-exempel-vagen-vidare.txt").read_text(encoding="utf-8")
    for old, new in [
        ("SFG 23-7.04", ""), ("Vägen vidare", "Ett hållbart arbetsliv - Ockelbo"), ("Söderhamns kommun", "Ockelbo kommun"),
        ("20230901 - 20260831", "20191001 - 20220630"), ("20240301 - 20240831", period), ("2024-10-28", registrerad),
        ("Rekryteringen av den andra coachen drog ut på tiden, därför är lönekostnaderna lägre än budget.\n"
         "Lokalen delas med kommunens arbetsmarknadsenhet.",
         f"{avvikelser}\n\n4.4 Mål och utfall: Ange insatsens mål och utfall för perioden.\n\n{mal_och_utfall}"),
        ("Styrgruppen ser att insatsen når sina mål för antal deltagare. Budgeten för lön justeras när coach två är på "
         "plats.", analys),
    ]:
        assert old in text
        text = text.replace(old, new)
    return text


@needs_shared
def test_resultat_and_kommentar_come_from_the_reports_of_the_year_only(db_url: str, insatser_csv: Path,
                                                                       tmp_path: Path) -> None:
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    finsam(db_url, "report", "register", str(REPORTS / "slutrapport-trisam-hudiksvall.txt"), "--received", "2022-01-14",
           cwd=tmp_path)
    # Ockelbo: a delrapport for April–September 2020 (not 2021's) and one for April–September 2021, lines broken
    # as a PDF breaks them.
    (tmp_path / "d2020.txt").write_text(delrapport(
        "20200401 - 20200930", "2020-10-20", "Pandemin stängde verksamheten i april 2020.",
        "Målet för 2020 var 20 deltagare. Under perioden deltog 4 personer.", "Styrgruppen följer pandemins påverkan."),
        encoding="utf-8")
    (tmp_path / "d2021.txt").write_text(delrapport(
        "20210401 - 20210930", "2021-10-25", "Två deltagare avslutade i förtid när\nde fick arbete. Coachen var "
        "föräldraledig i juni.", "Målet är 30 deltagare per år. Under\nperioden deltog 17 personer, varav 6 gick vidare "
        "till arbete eller studier.", "Styrgruppen bedömer att insatsen\när på väg att nå sina mål."), encoding="utf-8")
    finsam(db_url, "report", "register", str(tmp_path / "d2020.txt"), "--received", "2020-10-20", cwd=tmp_path)
    finsam(db_url, "report", "register", str(tmp_path / "d2021.txt"), "--received", "2021-10-25", cwd=tmp_path)

    data = finsam_json(db_url, "arsredovisning", "--ar", "2021", "--as-of", "2022-03-01")
    ockelbo = blocks(data)["Ett hållbart arbetsliv - Ockelbo"]
    assert (ockelbo["Mål"], ockelbo["Resultat"], ockelbo["Kommentar"]) == (
        "Målet är 30 deltagare per år.",  # the 4.4 sentence that names the goal
        "Målet är 30 deltagare per år. Under perioden deltog 17 personer, varav 6 gick vidare till arbete eller studier. "
        "Styrgruppen bedömer att insatsen är på väg att nå sina mål.",  # 4.4, then 4.7
        "Två deltagare avslutade i förtid när de fick arbete. Coachen var föräldraledig i juni.",  # 4.3
    )
    assert "2020" not in " ".join(ockelbo.values()).replace("2019-10-01", "") and "Pandemin" not in str(data)
    assert data["kallor"]["Ett hållbart arbetsliv - Ockelbo"]["Kommentar"] == "Delrapport 4, avsnitt 4.3, inkom 2021-10-25"

    hudiksvall = blocks(data)["Trisam 2.0 - Hudiksvalls kommun"]
    # Syfte: the writer's "Insatsens syfte:" part of 4.1, cut at the sentence that no longer fits 450 characters.
    assert hudiksvall["Syfte"] == (
        "Utveckla strukturen för samverkan mellan Trisams alla parter så att fler individer ges möjlighet till "
        "fungerande planering i syfte att rehabiliteras mot arbete eller andra former för egen försörjning. Utveckla "
        "det interna arbetet i Hudiksvall vad gäller tidig identifiering, dokumentation, frågeställning, planering och "
        "uppföljning kopplat till Trisam. …")
    # Mål: the goals 5.1 names; Resultat: each goal with the first sentence under it, while they fit.
    assert hudiksvall["Mål"].startswith("Individens delaktighet i Trisam 2.0; Alla parter lyfter lika många ärenden i "
                                        "forumet; Individen upplever sex månader efter forumet")
    assert hudiksvall["Resultat"] == (
        "Individens delaktighet i Trisam 2.0: Detta mål är uppfyllt. Alla parter lyfter lika många ärenden i forumet: "
        "Detta mål är inte uppfyllt i sin helhet. Individen upplever sex månader efter forumet att de är mer redo att "
        "arbeta eller studera: Det är svårt att bedöma huruvida målet är uppfyllt eller inte. …")
    # Kommentar: the money not used, then 5.3 (avvikelser) cut at a sentence; 7.2 holds only the template's question.
    assert hudiksvall["Kommentar"] == (
        "Ej utnyttjade medel att återbetala: 9\u00a0466\u00a0kr. Givna datum har varit bestämda för Trisam och möten har "
        "varit digitala så de har kunnat genomföras trots restriktioner. De mål som ej har nåtts har orsaker som t.ex "
        "olika parters olika behov eller att tiden för insatsen varit för kort för vissa individer. …")
    assert len(hudiksvall["Kommentar"]) <= 450 and "Varför utnyttjades" not in hudiksvall["Kommentar"]
    # The report's 1 400 characters of 5.3 are whole on the insats page.
    page = finsam_json(db_url, "insats", "visa", "SFG 21-6.58", "--as-of", "2022-03-01")
    [slutrapport] = page["rapporter"]
    assert "Just detta, att ta kontakt med andra är svårt" in " ".join(slutrapport["sektioner"]["5.3"].split())
    # Hudiksvall and Ockelbo now have syfte/mål/resultat/kommentar where they had none: 68 − 4 − 3.
    assert data["antal_att_fylla_i"] == 61


@needs_shared
def test_text_from_a_scanned_report_is_marked_for_the_kansli(db_url: str, insatser_csv: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Restoring every word of a whole report with the Swedish word list takes its time on a busy machine.
    monkeypatch.setenv("FINSAM_DOCUMENT_SECONDS", "600")
    # The Hudiksvall slutrapport as a scan reads it: no å, ä or ö.
    text = (REPORTS / "slutrapport-trisam-hudiksvall.txt").read_text(encoding="utf-8")
    (tmp_path / "skannad.txt").write_text(text.translate(str.maketrans("åäöÅÄÖ", "aaoAAO")), encoding="utf-8")
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    finsam(db_url, "report", "register", str(tmp_path / "skannad.txt"), "--received", "2022-01-14", cwd=tmp_path)
    data = finsam_json(db_url, "arsredovisning", "--ar", "2021", "--as-of", "2022-03-01")
    hudiksvall = blocks(data)["Trisam 2.0 - Hudiksvalls kommun"]
    for field in ("Syfte", "Mål", "Resultat", "Kommentar"):
        assert hudiksvall[field].endswith(" [Kontrollera: skannad text]"), field
        assert {"insats": "Trisam 2.0 - Hudiksvalls kommun", "falt": field, "vad": "kontrollera skannad text"} \
            in data["att_fylla_i"]
    # A slutrapport tells of the year its insats ended: not of 2020.
    earlier = blocks(finsam_json(db_url, "arsredovisning", "--ar", "2020", "--as-of", "2022-03-01"))
    assert earlier["Trisam 2.0 - Hudiksvalls kommun"]["Resultat"] == "[Fyll i: resultat 2020]"


IMPORT = """namn,inriktning,huvudman,start,slut,ordning,syfte,mal,deltagarregistrering,specifik_malgrupp
Cstig,individ,Gävle kommun,2022-01-01,2023-12-31,2,"Fler unga i arbete.
Färre i långvarigt försörjningsstöd.",Hälften i arbete eller studier efter ett år.,,
Astig,individ,Bollnäs kommun,2022-01-01,2023-12-31,1,,,Anonym,Unga vuxna 18–29 år
Bstig,individ,Askersunds kommun,2022-01-01,2023-12-31,,,,,
"""


def test_the_forbund_sets_order_syfte_mal_and_its_own_fields_in_the_import(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "insatser.csv"
    path.write_text(IMPORT, encoding="utf-8")
    finsam(db_url, "import", "insatser", str(path), "--as-of", "2022-01-01")
    data = finsam_json(db_url, "arsredovisning", "--ar", "2022", "--as-of", "2023-03-01")
    # ordning 1, 2; then the one without, by huvudman
    assert [b["Insatsnamn"] for b in data["grupper"][INDIVIDGRUPP]] == ["Astig", "Cstig", "Bstig"]
    a, c, b = data["grupper"][INDIVIDGRUPP]
    assert (c["Syfte"], c["Mål"]) == ("Fler unga i arbete.\nFärre i långvarigt försörjningsstöd.",
                                      "Hälften i arbete eller studier efter ett år.")
    assert (a["Deltagarregistrering"], a["Specifik målgrupp"]) == ("Anonym", "Unga vuxna 18–29 år")
    assert (b["Deltagarregistrering"], b["Specifik målgrupp"], b["Syfte"]) == (
        "Med personuppgifter/anonym", "Rehabilitering mot arbete/utbildning", "[Fyll i: syfte]")
    assert data["kallor"]["Cstig"]["Syfte"] == "insatsen (import)"

    # A bad order or an overlong text is named by line and column, and nothing is imported.
    path.write_text(IMPORT.replace(",2,", ",två,").replace("Anonym", "A" * 201), encoding="utf-8")
    refused = finsam(db_url, "import", "insatser", str(path), "--as-of", "2022-01-01", check=False)
    assert refused.returncode != 0
    said = " ".join(refused.stderr.split())
    assert "rad 2, kolumn 'ordning': 'två' ska vara ett heltal (1, 2, 3 …)" in said
    assert "rad 4, kolumn 'deltagarregistrering': högst 200 tecken (här 201)" in said


def test_syfte_mal_and_the_forbunds_fields_come_from_the_ansokan(db_url: str) -> None:
    finsam(db_url, "ansokan", "Vägen in", "--huvudman", "Gävle kommun", "--ankomst", "2021-10-04", "--kontakt", "Ida Ek",
           "--epost", "ida@vagen.example", "--diarienummer", "SFG 21-10.9",
           "--syfte", "Fler unga i arbete\neller studier.", "--mal", "Hälften av deltagarna i arbete efter ett år.",
           "--deltagarregistrering", "Anonym")
    finsam(db_url, "yttrande", "SFG 21-10.9", "--datum", "2021-11-03", "--bedomning", "tillstyrks")
    finsam(db_url, "beslut", "SFG 21-10.9", "--datum", "2021-11-18", "--utfall", "beviljas", "--belopp", "730 000",
           "--start", "2022-01-01", "--slut", "2023-12-31", "--as-of", "2021-11-18")
    [block] = finsam_json(db_url, "arsredovisning", "--ar", "2022", "--as-of", "2023-03-01")["grupper"][INDIVIDGRUPP]
    assert (block["Syfte"], block["Mål"]) == ("Fler unga i arbete eller studier.", "Hälften av deltagarna i arbete efter ett år.")
    assert (block["Deltagarregistrering"], block["Specifik målgrupp"]) == ("Anonym", "Rehabilitering mot arbete/utbildning")
    # 730 000 kr over 2022-01-01 – 2023-12-31 (730 days): 2022's 365 days get 365 000 kr, an estimate said as one.
    assert (block["Period"], block["Budget 2022"], block["Utfall ekonomi"]) == (
        "2022-01-01 – 2023-12-31", "365 tkr (uppskattat: 730 tkr fördelat över insatstiden)", "[Fyll i: utfall 2022]")


def test_the_prefect_run_links_the_same_word_file_and_shows_the_same_text(db_url: str, insatser_csv: Path, regler,
                                                                         monkeypatch: pytest.MonkeyPatch, harness,
                                                                         tmp_path: Path) -> None:
    from fastapi.testclient import TestClient
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from finsam.web import create_app
    from flows.arsredovisning import arsredovisning
    from prefect_tools import finsam_settings

    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01")
    with finsam_settings(monkeypatch, database_url=db_url, public_url="https://finsam.forbund.example/"):
        state = arsredovisning(ar=2021, return_state=True)
    assert state.is_completed()
    result = state.result()
    assert (result["ar"], result["insatser"], result["att_fylla_i"]) == (2021, 18, 68)
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
        found = client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id])))
    assert run.name == "Bilaga 1 – 2021"
    by_key = {a.key: a for a in found}
    link = by_key["bilaga-1-2021-word"]
    assert link.data == f"[Mål och resultat av insatser 2021 (Word)]({result['word']})"
    assert re.fullmatch(r"https://finsam\.forbund\.example/dokument/[A-Za-z0-9_-]{43}/bilaga-1-2021\.docx", result["word"])
    markdown = by_key["bilaga-1-2021"].data
    assert "# Mål och resultat av insatser 2021" in markdown and "## Strukturövergripande insatser (15)" in markdown
    assert "| **Kommentar** | Förbrukning 69 % av årets budget. |" in markdown

    # The link hands out the document (finsam serve); a wrong token or name is not found.
    path = result["word"].removeprefix("https://finsam.forbund.example")
    with TestClient(create_app(db_url, regler)) as web:
        served = web.get(path)
        assert served.status_code == 200 and served.headers["content-disposition"] == 'attachment; filename="bilaga-1-2021.docx"'
        assert web.get(path.replace("bilaga-1-2021", "bilaga-1-2020")).status_code == 404
        assert web.get(path[:-8] + "x" + path[-7:]).status_code == 404
    (tmp_path / "serverad.docx").write_bytes(served.content)
    cli = tmp_path / "cli.docx"
    finsam(db_url, "arsredovisning", "--ar", "2021", "--ut", str(cli))

    def cells(path: Path) -> list[list[str]]:
        return [[c.text for row in t.rows for c in row.cells] for t in Document(str(path)).tables]

    assert cells(tmp_path / "serverad.docx") == cells(cli)
