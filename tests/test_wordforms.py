"""Reports as the förbund receives them: its Word template filled in as a form (tests/wordforms.py), read by its
structure. Every value as it stands under or beside its own label, never the next label; säker only then; the
checklist line by line whatever kind of box ticks it; the sections the follow-up uses. Expected values by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from cli import finsam
from finsam.db import read_only
from finsam.domain.model import InkommenRapport
from report_files import pdf_by_libreoffice
from wordforms import delrapport_form

PROJECT = Path(__file__).resolve().parent.parent

FIELDS = {
    "typ": "delrapport", "diarienummer": "SFG 24-3.12", "insatsens_namn": "Steg till arbete",
    "organisation": "Sandvikens kommun", "kontaktperson": "Insatsansvarig Sandviken",
    "kontakt_epost": "insatsansvarig@sandviken.example", "insatstid_start": "2024-09-01",
    "insatstid_slut": "2026-08-31", "period_start": "2024-09-01", "period_slut": "2025-04-30",
    "beviljade_medel_kr": 1240000, "inkom": "2025-05-09",
}
CHECKLIST = [
    {"avsnitt": "5.1", "rad": "Haft möte minst två gånger under perioden", "svar": "ja"},
    {"avsnitt": "5.1", "rad": "Diskuterat budget mot utfall", "svar": "nej"},
    {"avsnitt": "5.1", "rad": "Följt upp att deltagare registrerats i SUS", "svar": None},
    {"avsnitt": "5.3", "rad": "Lämnat deltagaruppgifter till SUS", "svar": "ja"},
    {"avsnitt": "5.3", "rad": "Informerat styrgruppen om avvikelser", "svar": "ja"},
]
FLAGS = ["Nej utan kommentar i 5.2: Diskuterat budget mot utfall",
         "Obesvarad (5.1): Följt upp att deltagare registrerats i SUS"]


def dry_run(db_url: str, path: Path) -> dict:
    return json.loads(finsam(db_url, "report", "register", str(path), "--dry-run", "--json").stdout)


@pytest.mark.parametrize("boxes", ["sdt", "formcheckbox", "glyph"])
def test_a_delrapport_form_gives_every_field_with_honest_certainty(db_url: str, tmp_path: Path, boxes: str) -> None:
    got = dry_run(db_url, delrapport_form(tmp_path / "delrapport.docx", boxes=boxes))
    assert {k: got[k] for k in FIELDS} == FIELDS
    # Found under (or beside) its own label, in the form it must have: säker.
    assert {k: got["sakerhet"][k] for k in FIELDS} == {k: "säker" for k in FIELDS}
    assert got["saknas"] == [] and got["varningar"] == []
    assert (got["ekonomi"]["summa_budget_kr"], got["ekonomi"]["summa_utfall_kr"]) == (322000, 302760)
    assert got["checklista"] == CHECKLIST
    assert got["checklista_flaggor"] == FLAGS
    sections = got["sektioner"]
    assert sections["1.1"] == ("Unga vuxna 18-29 år med aktivitetsersättning som behöver samordnat stöd mot studier "
                               "eller arbete.")
    assert sections["4.3"] == "Rekryteringen av coach tog två månader längre än planerat."
    assert sections["4.4"] == "Mål: 20 deltagare under året.\nUtfall: 14 deltagare, varav två till studier."
    assert sections["4.5"] == "Insatsen följer i stort sin plan."
    assert sections["4.7"] == "Styrgruppen bedömer att utfallet är rimligt."  # from a text box, read once
    assert sections["5.4"] == "Inga avvikelser att kommentera."
    assert "5.2" not in sections  # the comment was left empty: its FORMTEXT holds only Word's en spaces
    assert {k: got["rubriker"][k] for k in ("1.1", "4.3", "4.4", "4.6", "5.1", "6")} == {
        "1.1": "Målgrupp för insatsen", "4.3": "Avvikelser från planering", "4.4": "Mål och utfall",
        "4.6": "Ekonomiskrapport", "5.1": "Styrgruppen har under perioden", "6": "Underskrift"}


def test_an_empty_form_is_all_missing_and_no_label_becomes_a_value(db_url: str, tmp_path: Path) -> None:
    got = dry_run(db_url, delrapport_form(tmp_path / "tom.docx", empty=True))
    # (inkom falls back to the day it is registered, as for any report without a date of its own)
    assert {k: got[k] for k in FIELDS if k not in ("typ", "inkom")} == {k: None for k in FIELDS if k not in ("typ", "inkom")}
    assert got["saknas"] == ["diarienummer", "insatsens_namn", "organisation", "kontaktperson", "kontakt_epost",
                             "insatstid_start", "insatstid_slut", "beviljade_medel_kr", "inkom", "period_start",
                             "period_slut", "ekonomi"]
    assert [f for f in got["checklista_flaggor"] if f.startswith("Obesvarad")] == [
        f"Obesvarad ({c['avsnitt']}): {c['rad']}" for c in CHECKLIST]
    # The placeholder of an empty content control ("Klicka eller tryck här …") is no value either.
    assert "Klicka" not in json.dumps(got, ensure_ascii=False)


def test_help_texts_left_in_are_no_answer(db_url: str, tmp_path: Path) -> None:
    got = dry_run(db_url, delrapport_form(tmp_path / "hjalp.docx", help_texts=True))
    assert "4.1" not in got["sektioner"]  # only "Ange typ av aktiviteter och antal deltagare." stood there


def test_both_boxes_ticked_is_no_answer_and_is_flagged(db_url: str, tmp_path: Path) -> None:
    got = dry_run(db_url, delrapport_form(tmp_path / "bada.docx", both_ticked=True))
    assert [c["svar"] for c in got["checklista"]] == [None] * 5
    assert got["checklista_flaggor"] == [f"Både Ja och Nej ikryssade ({c['avsnitt']}): {c['rad']}" for c in CHECKLIST]


def test_labels_side_by_side_in_text_never_give_a_label_as_value(db_url: str, tmp_path: Path) -> None:
    """The same form flattened to text (a row's cells one per line), where each label is followed by its
    neighbour label before any value: the neighbour is never read as the value."""
    text = ("Delrapport\nOrganisations namn\nArbetsställets namn\n\nNamn - kontaktperson för insatsägare\n"
            "Mobiltelefonnummer\n\nE-postadress\n\n")
    path = tmp_path / "etiketter.txt"
    path.write_text(text, encoding="utf-8")
    got = dry_run(db_url, path)
    assert (got["organisation"], got["kontaktperson"], got["kontakt_epost"]) == (None, None, None)
    assert {"organisation", "kontaktperson", "kontakt_epost"} <= set(got["saknas"])


def test_a_registered_form_keeps_its_checklist_and_sections_on_the_insats_page(db_url: str, tmp_path: Path) -> None:
    from finsam.services import insats_page
    from finsam.wiring import rules

    finsam(db_url, "import", "insatser", str(PROJECT / "data" / "insatser-2021.csv"), "--as-of", "2021-06-01")
    form = delrapport_form(tmp_path / "delrapport-3.docx", dnr="SFG 21-6.58", namn="Trisam 2.0",
                           period="2020-12-01 - 2021-05-31", organisation="Hudiksvalls kommun")
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    form.rename(inbox / form.name)
    [outcome] = json.loads(finsam(db_url, "report", "inbox", str(inbox), "--json", cwd=tmp_path).stdout)
    assert (outcome["atgard"], outcome["match"]["rapport"]) == ("registrerad", "Delrapport 3")
    with read_only(db_url) as session:
        [rapport] = session.scalars(select(InkommenRapport)).all()
        assert rapport.checklista == CHECKLIST and rapport.checklista_flaggor == FLAGS
        assert rapport.sektioner["4.4"] == "Mål: 20 deltagare under året.\nUtfall: 14 deltagare, varav två till studier."
        page = insats_page.markdown(insats_page.build(session, rapport.deadline.insats, rules(),
                                                      as_of=rapport.inkom))
    assert "### Delrapport 3, inkom 2025-05-09" in page
    assert "- **Att se över:** Nej utan kommentar i 5.2: Diskuterat budget mot utfall" in page
    assert "- 5.1 Diskuterat budget mot utfall: **nej**" in page
    assert "- 5.1 Följt upp att deltagare registrerats i SUS: **obesvarad**" in page
    assert "- **4.4:** Mål: 20 deltagare under året. Utfall: 14 deltagare, varav två till studier." in page


def test_the_pdf_libreoffice_saves_from_the_form_reads_the_same(db_url: str, tmp_path: Path) -> None:
    """Labels and values side by side in columns ("Organisations namn Arbetsställets namn" over "Sandvikens kommun
    Arbetsmarknadsenheten", the two date ranges on one line), wrapped questions and headings, ☒/☐ in the rows."""
    got = dry_run(db_url, pdf_by_libreoffice(delrapport_form(tmp_path / "delrapport.docx")))
    assert {k: got[k] for k in FIELDS} == FIELDS
    assert {k: got["sakerhet"][k] for k in FIELDS} == {k: "säker" for k in FIELDS}
    assert got["saknas"] == []
    assert got["checklista"] == CHECKLIST and got["checklista_flaggor"] == FLAGS
    assert got["sektioner"]["4.3"] == "Rekryteringen av coach tog två månader längre än planerat."
    assert got["sektioner"]["4.4"] == "Mål: 20 deltagare under året.\nUtfall: 14 deltagare, varav två till studier."
    assert got["sektioner"]["5.4"] == "Inga avvikelser att kommentera." and "5.2" not in got["sektioner"]


def test_scanned_text_is_restored_where_the_word_list_is_sure_and_marked_to_check(tmp_path: Path) -> None:
    """A scanned report lost its å/ä/ö: words the Swedish dictionary knows in exactly one spelling are restored,
    each change listed, and the text is marked as scanned all the same; addresses are never touched."""
    import os

    from finsam.intake.extract import extract

    if not Path("/usr/share/hunspell/sv_SE.dic").exists():
        if os.environ.get("FINSAM_TEST_REQUIRE_HUNSPELL") == "1":
            pytest.fail("hunspell-sv is required (FINSAM_TEST_REQUIRE_HUNSPELL=1) but /usr/share/hunspell/sv_SE.dic is missing")
        pytest.skip("hunspell-sv skipped: no Swedish word list (Debian's package hunspell-sv)")
    text = ("Slutrapport\nInsatsens namn\nAktiv vardag\n" + "Inledning utan betydelse for saken. " * 8 + "\n"
            "4. Insatsbeskrivning\n4.1 Syfte och bakgrund till insatsen:\n"
            "Samverkan med Forsakringskassan och Arbetsformedlingen i Gavleborg infor arsskiftet. "
            "Kontakt: insatsansvarig@bollnas.example.\n"
            "4.2 Malgrupp for insatsen:\nUnga i Bollnas.\n")
    got = extract(text).as_json()
    assert got["skannad"] is True
    assert got["sektioner"]["4.1"] == ("Samverkan med Försäkringskassan och Arbetsförmedlingen i Gävleborg inför "
                                       "årsskiftet. Kontakt: insatsansvarig@bollnas.example.")
    assert got["sektioner"]["4.2"] == "Unga i Bollnäs."
    assert got["skannade_ord"] == {"Forsakringskassan": "Försäkringskassan", "Arbetsformedlingen": "Arbetsförmedlingen",
                                   "Gavleborg": "Gävleborg", "infor": "inför", "arsskiftet": "årsskiftet",
                                   "Bollnas": "Bollnäs"}
    assert any(v.startswith("Texten kommer från en skannad rapport: 6 ord har fått tillbaka å/ä/ö") for v in got["varningar"])
    clean = extract(text.replace("for saken", "för saken")).as_json()  # one å/ä/ö: typed, not scanned
    assert clean["skannad"] is False and clean["sektioner"]["4.2"] == "Unga i Bollnas."


def test_the_underlag_names_what_to_look_at_in_a_report(db_url: str, tmp_path: Path) -> None:
    from datetime import date

    from finsam.audit import Kontext
    from finsam.db import unit_of_work
    from finsam.domain.enums import MoteTyp
    from finsam.domain.model import Sammantrade
    from finsam.messages.render import MarkdownRenderer
    from finsam.services.meeting_work import styrelse_underlag
    from finsam.wiring import rules
    from datetime import datetime, timezone

    finsam(db_url, "import", "insatser", str(PROJECT / "data" / "insatser-2021.csv"), "--as-of", "2021-06-01")
    form = delrapport_form(tmp_path / "delrapport-3.docx", dnr="SFG 21-6.58", namn="Trisam 2.0",
                           period="2020-12-01 - 2021-05-31", organisation="Hudiksvalls kommun")
    finsam(db_url, "report", "register", str(form), "--received", "2021-06-20", cwd=tmp_path)
    kontext = Kontext(aktor="test", atgard="underlag", nu=datetime(2021, 6, 21, 7, tzinfo=timezone.utc))
    with unit_of_work(db_url, kontext) as session:
        mote = Sammantrade(typ=MoteTyp.STYRELSE, datum=date(2021, 6, 24), handlingar_senast=date(2021, 6, 17))
        session.add(mote)
        session.flush()
        underlag = styrelse_underlag(session, mote, rules(), as_of=date(2021, 6, 21))
        markdown = MarkdownRenderer().render("underlag", {"mote": mote, "u": underlag, "idag": date(2021, 6, 21)})
    assert "**Att se över i rapporterna:**" in markdown
    assert ("- Trisam 2.0 - Hudiksvalls kommun, Delrapport 3: ofullständig: saknar svar i checklistan (avsnitt 5): "
            "Följt upp att deltagare registrerats i SUS") in markdown
    assert "- Trisam 2.0 - Hudiksvalls kommun, Delrapport 3: Nej utan kommentar i 5.2: Diskuterat budget mot utfall" in markdown


def test_a_slutrapports_goals_each_with_its_text_and_whether_it_was_met() -> None:
    from finsam.intake.extract import extract

    text = ("Slutrapport\nInsatsens namn\nTrisam 2.0\n5. Resultat och utfall av insats\n"
            "5.1 Måluppfyllelse: Ange mål och resultat.\n"
            "Individens delaktighet i Trisam 2.0:\nhttp://www.finsamgavleborg.se/\n"
            "Detta mål är uppfyllt. Varje individ har fått formulera sin\negen frågeställning.\n"
            "Sex månader efter konsultation har andelen individer med\nförsörjningsstöd minskat:\n"
            "Detta mål är inte uppfyllt. Statistiken visar ingen minskning.\n"
            "Alla parter lyfter lika många ärenden:\nDetta mål är inte uppfyllt i sin helhet.\n"
            "Individen är mer redo att arbeta:\nDet är svårt att bedöma huruvida målet är uppfyllt eller inte.\n"
            "5.2 Arbetssätt och verksamhetsbeskrivning:\nTrisam-möten varannan vecka.\n")
    assert extract(text).as_json()["maluppfyllelse"] == [
        {"mal": "Individens delaktighet i Trisam 2.0", "uppfyllt": "ja",
         "text": "Detta mål är uppfyllt. Varje individ har fått formulera sin egen frågeställning."},
        {"mal": "Sex månader efter konsultation har andelen individer med försörjningsstöd minskat", "uppfyllt": "nej",
         "text": "Detta mål är inte uppfyllt. Statistiken visar ingen minskning."},
        {"mal": "Alla parter lyfter lika många ärenden", "uppfyllt": "delvis",
         "text": "Detta mål är inte uppfyllt i sin helhet."},
        {"mal": "Individen är mer redo att arbeta", "uppfyllt": None,
         "text": "Det är svårt att bedöma huruvida målet är uppfyllt eller inte."},
    ]


SLUT = {"typ": "slutrapport", "diarienummer": "SFG 21-6.58", "insatsens_namn": "Trisam 2.0",
        "organisation": "Hudiksvalls kommun", "kontaktperson": "Helena Hägg",
        "kontakt_epost": "helena.hagg@hudiksvall.example", "inkom": "2022-01-14", "insatstid_start": "2019-12-01",
        "insatstid_slut": "2021-12-31", "beviljade_medel_kr": 580690, "utnyttjade_medel_kr": 571224,
        "aterbetalning_kr": 9466, "medel_helt_utnyttjade": False}


@pytest.mark.parametrize("as_pdf", [False, True], ids=["docx", "pdf"])
def test_a_slutrapport_form_and_its_pdf_give_every_field_and_its_goals(db_url: str, tmp_path: Path, as_pdf: bool) -> None:
    from wordforms import slutrapport_form

    form = slutrapport_form(tmp_path / "slutrapport.docx")
    got = dry_run(db_url, pdf_by_libreoffice(form) if as_pdf else form)
    assert {k: got[k] for k in SLUT} == SLUT
    assert {k: got["sakerhet"][k] for k in SLUT} == {k: "säker" for k in SLUT}
    assert got["saknas"] == [] and got["varningar"] == [] and got["ofullstandig"] == []
    assert got["sektioner"]["4.1"] == "Utveckla strukturen för samverkan mellan Trisams alla parter."
    assert got["sektioner"]["4.2"] == "Cirka 80 individer med försörjningsstöd och orsakskod sjukskriven med läkarintyg."
    assert got["maluppfyllelse"] == [
        {"mal": "Individens delaktighet i Trisam 2.0", "text": "Detta mål är uppfyllt.", "uppfyllt": "ja"},
        {"mal": "Alla parter lyfter lika många ärenden i forumet", "text": "Detta mål är inte uppfyllt i sin helhet.",
         "uppfyllt": "delvis"}]
    assert "Samtliga medel förutom 9466 kr utnyttjades." in got["sektioner"]["7.2"]
    assert got["uppgiftslamnare"] == {"datum": "2022-01-14", "namn": "Helena Hägg"}  # 8 Uppgiftslämnare


def test_a_slutrapport_form_without_utnyttjade_medel_starts_a_komplettering(db_url: str, tmp_path: Path) -> None:
    from wordforms import slutrapport_form

    finsam(db_url, "import", "insatser", str(PROJECT / "data" / "insatser-2021.csv"), "--as-of", "2021-06-01")
    form = slutrapport_form(tmp_path / "slutrapport.docx", utnyttjade=None)
    got = json.loads(finsam(db_url, "report", "register", str(form), "--json", cwd=tmp_path).stdout)
    assert got["atgard"] == "registrerad" and got["utnyttjade_medel_kr"] is None
    assert got["ofullstandig"] == ["utnyttjade medel (avsnitt 7, ekonomiuppföljning)"]
    rows = json.loads(finsam(db_url, "deadlines", "--insats", "SFG 21-6.58", "--json").stdout)
    # Friday 14 January 2022 + 14 days = Friday 28 January 2022; long past on the real clock the command runs on.
    assert [(r["kind"], r["due"], r["status"]) for r in rows if r["kind"] == "komplettering"] == [
        ("komplettering", "2022-01-28", "forfallen")]
