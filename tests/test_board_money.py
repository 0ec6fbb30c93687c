"""The board's money as plans change: grants by year, the frame per year, what an ansökan would leave, the
förbund's own insatser left unchased.

One story, written out by hand (every figure counted on paper from the amounts and the calendar, never by the
code under test):

| insats | huvudman | insatstid | money in the import |
|---|---|---|---|
| Treårig | Gävle kommun | 2025-01-01 – 2027-12-31 | beviljat 2025 400 000, 2026 350 000, 2027 250 000 |
| Bara summa | Sandvikens kommun | 2025-07-01 – 2026-06-30 | beviljade medel 730 000 (total only: 2 000 kr a day) |
| Två huvudmän | Arbetsförmedlingen 60 %, Försäkringskassan 40 % | 2025 | beviljat 2025 500 000, budget 500 000, utbetalt 300 000 |
| Mysam (egen) | Samordningsförbund Gävleborg | 2024-01-01 – 2026-12-31 | beviljat 2025 200 000, 2026 200 000 |
| Okänd | Hofors kommun | 2024-06-01 – 2026-05-31 | nothing |

Frame (rules): 2025 tillgängligt 3 000 000 + 200 000 eget kapital, kansli 600 000; 2026 3 000 000, kansli 650 000;
2027 3 000 000, no kansli budget given.
"""

from __future__ import annotations

from datetime import date, datetime, time
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from cli import finsam, finsam_json
from finsam.audit import Kontext
from finsam.calendar.ics import STOCKHOLM
from finsam.db import read_only, unit_of_work
from finsam.domain.enums import Bedomning, Inriktning, MoteTyp
from finsam.domain.model import Sammantrade, Utskick
from finsam.domain.rules_config import Regler, parse_rules
from finsam.errors import FinsamError
from finsam.services import lifecycle, ram, registrations
from finsam.services.daily import plan_day
from finsam.services.lookup import find_insats
from finsam.services.meeting_work import styrelse_underlag
from mailtools import mail_context

PROJECT = Path(__file__).resolve().parent.parent
NB = "\u00a0"

CSV = """namn,inriktning,huvudman,samverkansparter,start,slut,beviljade_medel_kr,beviljat_2025_kr,beviljat_2026_kr,beviljat_2027_kr,budget_2025_kr,utbetalt_2025_kr,huvudman_andel,egen_insats,kontaktperson,kontakt_epost
Treårig,individ,Gävle kommun,,2025-01-01,2027-12-31,,400000,350000,250000,,,,,Tova Tre,tova@gavle.example
Bara summa,struktur,Sandvikens kommun,,2025-07-01,2026-06-30,730000,,,,,,,,Sune Summa,sune@sandviken.example
Två huvudmän,struktur,Arbetsförmedlingen;Försäkringskassan,,2025-01-01,2025-12-31,,500000,,,500000,300000,60;40,,Tua Två,tua@af.example
Mysam,struktur,Samordningsförbund Gävleborg,,2024-01-01,2026-12-31,,200000,200000,,,,,ja,Kansliet,kontakt@samordningsforbund-gavleborg.example
Okänd,individ,Hofors kommun,,2024-06-01,2026-05-31,,,,,,,,,Olle Okänd,olle@hofors.example
"""
RAM = {
    2025: {"tillgangliga_medel_kr": 3_000_000, "kansli_kr": 600_000, "eget_kapital_kr": 1_000_000,
           "eget_kapital_far_anvandas_kr": 200_000},
    2026: {"tillgangliga_medel_kr": 3_000_000, "kansli_kr": 650_000},
    2027: {"tillgangliga_medel_kr": 3_000_000},
}


def at(day: date, what: str = "test") -> Kontext:
    return Kontext(aktor="test", atgard=what, nu=datetime.combine(day, time(7, 0), tzinfo=STOCKHOLM))


@pytest.fixture
def rules_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Regler]:
    data = yaml.safe_load((PROJECT / "config" / "regler.yaml").read_text(encoding="utf-8"))
    data["ekonomi"]["ram"] = RAM
    path = tmp_path / "regler.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("FINSAM_RULES_FILE", str(path))
    return path, parse_rules(data, "test")


@pytest.fixture
def story(db_url: str, rules_file: tuple[Path, Regler], tmp_path: Path) -> tuple[str, Regler]:
    path = tmp_path / "insatser.csv"
    path.write_text(CSV, encoding="utf-8")
    finsam(db_url, "import", "insatser", str(path), "--as-of", "2025-01-15")
    return db_url, rules_file[1]


def _frame(db_url: str, regler: Regler, year: int) -> tuple:
    with read_only(db_url) as session:
        r = ram.ram(session, regler, year)
        return (r.tillgangligt_kr, r.kansli_kr, r.intecknat_kr, r.uppskattat_kr, r.egna_insatser_kr,
                r.kvar_att_fordela_kr, r.okant, r.saknas)


# (tillgängligt, kansli, intecknat, varav uppskattat, egna insatser, kvar att fördela, okänt, saknas i regler)
AT_IMPORT = {
    # Treårig 400 000 + Bara summa 368 000 (184 days × 2 000, estimated) + Två huvudmän 500 000 = 1 268 000;
    # 3 200 000 − 600 000 − 1 268 000 = 1 332 000.
    2025: (3_200_000, 600_000, 1_268_000, 368_000, 200_000, 1_332_000, ["Okänd"], []),
    # Treårig 350 000 + Bara summa 362 000 (181 days) = 712 000; 3 000 000 − 650 000 − 712 000 = 1 638 000.
    2026: (3_000_000, 650_000, 712_000, 362_000, 200_000, 1_638_000, ["Okänd"], []),
    # Treårig 250 000: 3 000 000 − 250 000; the rules give no kansli budget for 2027, and say so.
    2027: (3_000_000, None, 250_000, 0, 0, 2_750_000, [], ["kanslibudget"]),
}


def test_the_frame_per_year_from_the_import(story: tuple[str, Regler]) -> None:
    db_url, regler = story
    for year, expected in AT_IMPORT.items():
        assert _frame(db_url, regler, year) == expected, year
    report = finsam_json(db_url, "ekonomi", "--ar", "2025", "--as-of", "2025-01-15")
    rows = {r["insats"]: r for r in report["insatser"]}
    assert {n: (r["beviljat_kr"], r["beviljat_kalla"]) for n, r in rows.items()} == {
        "Treårig": (400_000, "beslut"), "Bara summa": (368_000, "uppskattat"), "Två huvudmän": (500_000, "beslut"),
        "Mysam": (200_000, "beslut"), "Okänd": (None, None)}
    assert (rows["Två huvudmän"]["utbetalt_kr"], rows["Mysam"]["egen"]) == (300_000, True)
    assert report["ram"] == {
        "ar": 2025, "tillgangliga_medel_kr": 3_000_000, "eget_kapital_kr": 1_000_000, "eget_kapital_att_anvanda_kr": 200_000,
        "tillgangligt_kr": 3_200_000, "intecknat_kr": 1_268_000, "varav_uppskattat_kr": 368_000, "kansli_kr": 600_000,
        "egna_insatser_kr": 200_000, "kvar_att_fordela_kr": 1_332_000, "okant": ["Okänd"], "saknas_i_regler": []}
    # Two huvudmän counted once, shared 60/40 as the import says: 300 000 and 200 000 of its 500 000.
    huvudman = report["summa"]["per_huvudman"]
    assert (huvudman["Arbetsförmedlingen"]["beviljat_kr"], huvudman["Försäkringskassan"]["beviljat_kr"]) == (300_000, 200_000)
    assert report["summa"]["beviljat_kr"] == 1_468_000 and report["summa"]["saknas"]["beviljat_kr"] == 1
    table = finsam(db_url, "ekonomi", "--ar", "2025", "--as-of", "2025-01-15").stdout
    assert f"1{NB}332{NB}000 kr" in table and "okänt vad 1 beviljad insats har för medel" in table
    assert "2027: regelfilen anger inte kanslibudget (ekonomi.ram.2027)" in table


def test_plans_change_a_tillaggsanslag_a_forlangning_and_an_ansokan_on_the_agenda(
        story: tuple[str, Regler], tmp_path: Path) -> None:
    db_url, regler = story
    mail = mail_context(regler)
    # 20 March 2025: a tilläggsanslag of 100 000 kr for Treårig's second year.
    with unit_of_work(db_url, at(date(2025, 3, 20))) as session:
        registrations.tillaggsanslag(session, session.info["kontext"], mail, find_insats(session, "Treårig"), belopp_kr=None,
                                     ar=None, belopp_per_ar={2026: 100_000}, as_of=date(2025, 3, 20))
    assert _frame(db_url, regler, 2026)[2::3] == (812_000, 1_538_000)  # intecknat 712 000 + 100 000; kvar

    # 22 May: Bara summa is extended to 2026-12-31 without new money. Its 730 000 was a total only: spread anew over
    # 184 + 365 = 549 days: 2025 134 320 000 / 549 = 244 663.02, 2026 266 450 000 / 549 = 485 336.98 → 485 337.
    with unit_of_work(db_url, at(date(2025, 5, 22))) as session:
        done = registrations.forlangning(session, session.info["kontext"], mail, find_insats(session, "Bara summa"),
                                         slut=date(2026, 12, 31), as_of=date(2025, 5, 22))
        assert done.medel.replace(NB, " ") == (
            "Förlängningen ger inga nya medel. De beviljade medlen är bara kända som en summa och fördelas nu om över "
            "den nya insatstiden (uppskattat efter dagar): 2025 368 000 kr → 244 663 kr, 2026 362 000 kr → 485 337 kr.")
    # Treårig's amounts were decided per year: they stay, and the new half year has none.
    with unit_of_work(db_url, at(date(2025, 5, 22))) as session:
        done = registrations.forlangning(session, session.info["kontext"], mail, find_insats(session, "Treårig"),
                                         slut=date(2028, 6, 30), as_of=date(2025, 5, 22))
        assert done.medel.replace(NB, " ") == (
            "Förlängningen ger inga nya medel; beviljat per år är oförändrat (2025: 400 000 kr, 2026: 450 000 kr, "
            "2027: 250 000 kr). 2028 har inga beviljade medel; det kräver ett tilläggsanslag.")
        message = BytesParser(policy=policy.default).parsebytes(session.get(Utskick, done.meddelande.id).meddelande)
        assert "2028 har inga beviljade medel; det kräver ett tilläggsanslag." in message.get_body(("plain",)).get_content()
    # 2025: 400 000 + 244 663 + 500 000 = 1 144 663, kvar 3 200 000 − 600 000 − 1 144 663 = 1 455 337;
    # 2026: 450 000 + 485 337 = 935 337, kvar 3 000 000 − 650 000 − 935 337 = 1 414 663.
    assert _frame(db_url, regler, 2025)[2:6] == (1_144_663, 244_663, 200_000, 1_455_337)
    assert _frame(db_url, regler, 2026)[2:6] == (935_337, 485_337, 200_000, 1_414_663)

    # An ansökan for 600 000 kr over 2025-09-01 – 2026-08-31 (122 + 243 = 365 days): 2025 200 547.95 → 200 548,
    # 2026 399 452.05 → 399 452. It goes to the beredningsgrupp of 5 June and the styrelse of 26 June.
    plan = tmp_path / "plan.yaml"
    plan.write_text("- {typ: beredningsgrupp, datum: '2025-06-05'}\n- {typ: styrelse, datum: '2025-06-26'}\n", encoding="utf-8")
    with unit_of_work(db_url, at(date(2025, 5, 2))) as session:
        registrations.motesplan(session, session.info["kontext"], mail, plan, as_of=date(2025, 5, 2))
        lifecycle.register_ansokan(session, session.info["kontext"], lifecycle.NyAnsokan(
            namn="Ny väg", inriktning=Inriktning.INDIVID, huvudman=["Bollnäs kommun"], ankomstdatum=date(2025, 5, 2),
            kontaktperson="Nina Ny", kontakt_epost="nina@bollnas.example", samverkansparter=[], sokt_belopp_kr=600_000,
            sokt_start=date(2025, 9, 1), sokt_slut=date(2026, 8, 31)))
    with unit_of_work(db_url, at(date(2025, 6, 5))) as session:
        registrations.yttrande(session, session.info["kontext"], mail, find_insats(session, "Ny väg"), datum=date(2025, 6, 5),
                               bedomning=Bedomning.TILLSTYRKS)
    with read_only(db_url) as session:
        mote = session.scalar(select(Sammantrade).where(Sammantrade.typ == MoteTyp.STYRELSE))
        u = styrelse_underlag(session, mote, regler, as_of=date(2025, 6, 19))
        [ansokan] = u.for_beslut
        assert [(k["ar"], k["sokt"], k["kvar"]) for k in ansokan["kvar_om_beviljad"]] == [
            (2025, 200_548, 1_254_789), (2026, 399_452, 1_015_211), (2027, 0, 2_750_000)]
        assert [r.okant for r in u.ramar] == [["Okänd"], ["Okänd"], []]
        # Mysam's Delrapport 2 (due 2025-01-30) is overdue, but it is the kansli's own: not on the board's list.
        assert u.forsenade == []
        from finsam.messages.render import MarkdownRenderer
        page = MarkdownRenderer().render("underlag", {"mote": mote, "u": u, "idag": date(2025, 6, 19)}).replace(NB, " ")
    assert "| Om Ny väg beviljas som sökt | 1 254 789 kr (sökt 200 548 kr) | 1 015 211 kr (sökt 399 452 kr) | 2 750 000 kr |" in page
    assert "| **Kvar att fördela** | **1 455 337 kr** (utan 1 okända) | **1 414 663 kr** (utan 1 okända) | **2 750 000 kr** |" in page
    assert "- 2025: 1 beviljad insats utan känt belopp för året: Okänd." in page
    assert "- 2027: regelfilen anger inte kanslibudget (ekonomi.ram.2027)." in page


def test_a_grant_per_year_is_checked_at_every_door(story: tuple[str, Regler], tmp_path: Path) -> None:
    db_url, regler = story
    bad = tmp_path / "fel.csv"
    bad.write_text("namn,inriktning,huvudman,start,slut,beviljade_medel_kr,beviljat_2024_kr,beviljat_2025_kr,huvudman_andel,egen_insats\n"
                   "A,individ,Gävle kommun,2025-01-01,2025-12-31,100000,50000,80000,,kanske\n"
                   "B,individ,X;Y,2025-01-01,2025-12-31,,,10,50;40,\n", encoding="utf-8")
    out = finsam(db_url, "import", "insatser", str(bad), "--as-of", "2025-01-15", check=False)
    text = out.stdout + out.stderr
    assert out.returncode == 1
    assert "rad 2, kolumn 'beviljat_ÅÅÅÅ_kr': 2024 ligger utanför insatstiden (2025-01-01 – 2025-12-31)" in text
    assert "rad 2, kolumn 'beviljat_ÅÅÅÅ_kr': beloppen per år (130000 kr) är mer än beviljade medel (100000 kr)" in text
    assert "rad 2, kolumn 'egen_insats': 'kanske' ska vara ja eller nej" in text
    assert "rad 3, kolumn 'huvudman_andel': 2 huvudmän ska ha var sin andel i procent som tillsammans är 100 (står: 50;40)" in text
    assert [r["insats"] for r in finsam_json(db_url, "ekonomi", "--ar", "2025", "--as-of", "2025-01-15")["insatser"]] == [
        "Okänd", "Treårig", "Bara summa", "Mysam", "Två huvudmän"]  # nothing of the bad file was written
    with unit_of_work(db_url, at(date(2025, 3, 20))) as session, pytest.raises(FinsamError) as refused:
        registrations.tillaggsanslag(session, session.info["kontext"], mail_context(regler), find_insats(session, "Två huvudmän"),
                                     belopp_kr=None, ar=None, belopp_per_ar={2025: 10_000, 2026: 5_000}, as_of=date(2025, 3, 20))
    assert str(refused.value) == "Tilläggsanslaget gäller 2026, utanför insatstiden (2025-01-01 – 2025-12-31)."


def test_the_forbunds_own_insats_is_not_chased_but_is_the_kanslis_to_do(story: tuple[str, Regler]) -> None:
    db_url, regler = story
    # Thursday 30 January 2025: Mysam's Delrapport 2 (2024-07-01 – 2024-12-31) is due; nobody is reminded of it, and
    # the weekly summary (the first run of week 5) lists it as the kansli's own.
    for day in (date(2025, 1, 30), date(2025, 3, 3)):  # due day; then 32 days late (no escalation either)
        with unit_of_work(db_url, at(day, "daglig bevakning")) as session:
            plan_day(session, session.info["kontext"], mail_context(regler), as_of=day)
    with read_only(db_url) as session:
        rows = session.scalars(select(Utskick).order_by(Utskick.id)).all()
        assert [(r.typ, r.mottagare) for r in rows] == [
            ("veckosammanfattning", "kontakt@samordningsforbund-gavleborg.example"),
            ("veckosammanfattning", "kontakt@samordningsforbund-gavleborg.example")]
        first, later = (BytesParser(policy=policy.default).parsebytes(r.meddelande).get_body(("plain",)).get_content().replace("\r\n", "\n")
                        for r in rows)
    assert "KANSLIETS EGNA INSATSER: RAPPORTER ATT SKRIVA (1)\n- Mysam: Delrapport 2, senast torsdag 30 januari 2025" in first
    assert "FÖRSENADE RAPPORTER (0)" in first
    assert "- Mysam: Delrapport 2, skulle ha varit klar 30 januari 2025" in later and "FÖRSENADE RAPPORTER (0)" in later


def test_the_import_names_the_forbunds_insatser_it_does_not_mark(db_url: str, rules_file: tuple[Path, Regler],
                                                                  tmp_path: Path) -> None:
    path = tmp_path / "insatser.csv"
    path.write_text(CSV.replace(",ja,Kansliet", ",,Kansliet"), encoding="utf-8")  # Mysam without egen_insats
    out = finsam(db_url, "import", "insatser", str(path), "--as-of", "2025-01-15").stdout
    assert ("Obs: förbundet är huvudman för 1 insatser som filen inte markerar som egna (Mysam); de bevakas som andras "
            "tills kolumnen egen_insats säger ja.") in " ".join(out.split())
    path.write_text(CSV, encoding="utf-8")
    assert "Obs: förbundet" not in finsam(db_url, "import", "insatser", str(path), "--as-of", "2025-01-15").stdout
    assert finsam_json(db_url, "ekonomi", "--ar", "2025", "--as-of", "2025-01-15")["ram"]["egna_insatser_kr"] == 200_000


def test_the_kansli_sees_the_frame_in_a_prefect_run(story: tuple[str, Regler], rules_file: tuple[Path, Regler],
                                                   monkeypatch: pytest.MonkeyPatch, harness, tmp_path: Path) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    from flows.ekonomi import ekonomisk_uppfoljning
    from prefect_tools import finsam_settings

    db_url, _ = story
    with finsam_settings(monkeypatch, database_url=db_url, rules_file=str(rules_file[0])):
        state = ekonomisk_uppfoljning({"ar": 2025, "period": "1 (jan–apr)"}, return_state=True)
    assert state.is_completed()
    assert state.result() == {"ar": 2025, "tertial": 1, "insatser": 4, "intecknat_kr": 1_268_000,
                              "kvar_att_fordela_kr": 1_332_000, "okant": ["Okänd"]}
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
        [artifact] = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=["ekonomi-2025"]), flow_run_id=ArtifactFilterFlowRunId(any_=[run.id])))
    assert run.name == "Ekonomi – 2025"
    page = artifact.data.replace(NB, " ")
    assert "# Ekonomisk uppföljning 2025, tertial 1 (t.o.m. 2025-04-30)" in page
    assert "| **Kvar att fördela** | **1 332 000 kr** (utan 1 okända) | **1 638 000 kr** (utan 1 okända) | **2 750 000 kr** |" in page
    assert "| Huvudman Arbetsförmedlingen | 1 | 300 000 kr | 300 000 kr | – | – |" in page  # 60 % of 500 000
    assert "- **Mysam** (förbundets egen): beviljat 200 000 kr" in page


def test_an_avbrott_lists_only_the_reports_actually_owed(story: tuple[str, Regler]) -> None:
    db_url, regler = story
    # Okänd (2024-06-01 – 2026-05-31) was imported on 2025-01-15: its Delrapport 1 (2024-06-01 – 2024-11-30, due
    # 2024-12-30) was already past and is not chased. Ended on 31 March 2025, it owes the slutrapport alone.
    with unit_of_work(db_url, at(date(2025, 3, 20))) as session:
        done = registrations.avbrott(session, session.info["kontext"], mail_context(regler), find_insats(session, "Okänd"),
                                     datum=date(2025, 3, 31), as_of=date(2025, 3, 20))
        row = session.get(Utskick, done.meddelande.id)
        message = BytesParser(policy=policy.default).parsebytes(row.meddelande)
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert message["Subject"] == "Avbrott: Okänd avslutas 31 mars 2025"
    assert "- Slutrapport (period 1 juni 2024 – 31 mars 2025)" in text
    assert "Delrapport 1" not in text.split("behöver inte längre lämnas")[0]
