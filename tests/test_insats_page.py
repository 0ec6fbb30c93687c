"""One page per insats: a known insats taken through a report, an anstånd, a förlängning and a day's run,
its page checked against rows written by hand (the dates from the rules, worked out on paper)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from cli import finsam, finsam_json
from conftest import running_insats
from finsam.audit import Kontext
from finsam.db import read_only, unit_of_work
from finsam.domain.enums import RapportTyp, Roll
from finsam.domain.model import Deadline, Insats, InsatsOrganisation, Organisation
from finsam.domain.rules_config import Regler
from finsam.services import insats_page, registrations
from finsam.services.daily import plan_day
from mailtools import mail_context

NBSP = "\u00a0"
ANNA = "anna.berg@hudiksvall.example"
KANSLI = "kontakt@samordningsforbund-gavleborg.example"
DAY = date(2026, 3, 2)  # a Monday: Delrapport 2 was due (after its anstånd) on Friday 27 February


def on(day: date, atgard: str) -> Kontext:
    return Kontext(aktor="kansliet", atgard=atgard, nu=datetime(day.year, day.month, day.day, 8, tzinfo=timezone.utc))


def kr(amount: int) -> str:
    return f"{amount:,}".replace(",", NBSP) + f"{NBSP}kr"


@pytest.fixture
def story(db_url: str, regler: Regler) -> str:
    """Steg mot arbete (SFG 25-1.7), 2025-01-01 – 2026-06-30, 900 000 kr, delrapporter every six months due
    30 days after their period, the slutrapport 60 days after the end (each moved to a working day):
    Delrapport 1 2025-01-01 – 2025-06-30 due Wed 2025-07-30, Delrapport 2 2025-07-01 – 2025-12-31 due
    Fri 2026-01-30, the slutrapport 2026-01-01 – 2026-06-30 due Sat 2026-08-29 → Mon 2026-08-31.
    Another insats, Annat spår (SFG 25-2.1), runs alongside so that a filter has something to leave out."""
    mail = mail_context(regler)
    start = on(date(2025, 1, 1), "import")
    running_insats(db_url, regler, start, "Steg mot arbete", "SFG 25-1.7", date(2025, 1, 1), date(2026, 6, 30),
                   ("Anna Berg", ANNA))
    running_insats(db_url, regler, start, "Annat spår", "SFG 25-2.1", date(2025, 1, 1), date(2026, 6, 30),
                   ("Per Ek", "per.ek@bollnas.example"))
    with unit_of_work(db_url, start) as session:
        insats = session.scalar(select(Insats).where(Insats.diarienummer == "SFG 25-1.7"))
        insats.beviljade_medel_kr = 900_000
        insats.parter.append(InsatsOrganisation(organisation=Organisation(namn="Hudiksvalls kommun"), roll=Roll.HUVUDMAN))
        assert [(d.rubrik, d.forfaller) for d in insats.deadlines] == [
            ("Delrapport 1", date(2025, 7, 30)), ("Delrapport 2", date(2026, 1, 30)), ("Slutrapport", date(2026, 8, 31))]

    k = on(date(2025, 7, 25), "registrera inkommen rapport")
    with unit_of_work(db_url, k) as session:
        insats = session.scalar(select(Insats).where(Insats.diarienummer == "SFG 25-1.7"))
        done = registrations.rapport(session, k, mail, insats, typ=RapportTyp.DELRAPPORT, inkom=date(2025, 7, 25))
        done.rapport.summa_budget_kr, done.rapport.summa_utfall_kr = 250_000, 200_000  # as read from its 4.6

    k = on(date(2026, 1, 15), "anstånd")
    with unit_of_work(db_url, k) as session:
        d2 = session.scalar(select(Deadline).join(Deadline.insats).where(Insats.diarienummer == "SFG 25-1.7",
                                                                          Deadline.nr == 2))
        registrations.anstand(session, k, mail, d2.id, nytt=date(2026, 2, 27), skal="Ny insatsledare",
                              beviljat_av="Förbundschefen", as_of=date(2026, 1, 15), beslutsdatum=date(2026, 1, 15))

    k = on(date(2026, 2, 5), "förlängning")
    with unit_of_work(db_url, k) as session:
        insats = session.scalar(select(Insats).where(Insats.diarienummer == "SFG 25-1.7"))
        registrations.forlangning(session, k, mail, insats, slut=date(2026, 12, 31), as_of=date(2026, 2, 5),
                                  beslutsdatum=date(2026, 2, 5), anteckning="Fler deltagare än väntat.")

    k = on(DAY, "daglig bevakning")
    with unit_of_work(db_url, k) as session:
        plan_day(session, k, mail, as_of=DAY)
    return db_url


def page(db_url: str, regler: Regler, ref: str = "SFG 25-1.7") -> dict:
    with read_only(db_url) as session:
        insats = session.scalar(select(Insats).where(Insats.diarienummer == ref))
        return insats_page.build(session, insats, regler, as_of=DAY)


def test_the_page_holds_the_insats_story(story: str, regler: Regler) -> None:
    p = page(story, regler)
    assert p["nyckel"] == "insats-sfg-25-1-7"
    i = p["insats"]
    assert (i["namn"], i["tillstand"], i["huvudman"], i["start"], i["slut"], i["beviljade_medel_kr"]) == (
        "Steg mot arbete", "pagaende", ["Hudiksvalls kommun"], "2025-01-01", "2026-12-31", 900_000)
    # The förlängning to 2026-12-31 added Delrapport 3 (2026-01-01 – 2026-06-30, due Thu 2026-07-30) and moved
    # the slutrapport to 2026-07-01 – 2026-12-31, due 60 days after: Mon 2027-03-01. The anstånd holds.
    assert [(d["rapport"], d["period_start"], d["period_slut"], d["forfaller"], d["regel_forfaller"], d["status"],
             d["bevakas"], d["anstand"], d["inkom"]) for d in p["deadlines"]] == [
        ("Delrapport 1", "2025-01-01", "2025-06-30", "2025-07-30", "2025-07-30", "inkommen", True, 0, "2025-07-25"),
        ("Delrapport 2", "2025-07-01", "2025-12-31", "2026-02-27", "2026-01-30", "forfallen", True, 1, None),
        ("Delrapport 3", "2026-01-01", "2026-06-30", "2026-07-30", "2026-07-30", "kommande", True, 0, None),
        ("Slutrapport", "2026-07-01", "2026-12-31", "2027-03-01", "2027-03-01", "kommande", True, 0, None),
    ]
    # The kvittens, the two decisions told, and the day's one step: Delrapport 2 three days late on 2026-03-02.
    assert [(u["planerad"], u["typ"], u["steg"], u["mottagare"], u["kopia"], u["rapport"], u["tillstand"])
            for u in p["utskick"]] == [
        ("2025-07-25", "kvittens", None, ANNA, [], "Delrapport 1", "vantar"),
        ("2026-01-15", "andringsbeslut", None, ANNA, [KANSLI], None, "vantar"),
        ("2026-02-05", "andringsbeslut", None, ANNA, [KANSLI], None, "vantar"),
        ("2026-03-02", "forsenad", "efter-3", ANNA, [KANSLI], "Delrapport 2", "vantar"),
    ]
    assert [(r["rapport"], r["inkom"], r["i_tid"], r["summa_budget_kr"], r["summa_utfall_kr"], r["registrerad_av"])
            for r in p["rapporter"]] == [("Delrapport 1", "2025-07-25", True, 250_000, 200_000, "kansliet")]
    assert [(b["datum"], b["typ"], b["utfall"], b["slut"], b["rapport"], b["anteckning"]) for b in p["beslut"]] == [
        ("2026-01-15", "anstand", "beviljas", "2026-02-27", "Delrapport 2", "Ny insatsledare"),
        ("2026-02-05", "forlangning", "beviljas", "2026-12-31", None, "Fler deltagare än väntat."),
    ]
    assert p["anstand"] == [{"rapport": "Delrapport 2", "tidigare_forfaller": "2026-01-30", "nytt_forfaller": "2026-02-27",
                             "skal": "Ny insatsledare", "beviljat_av": "Förbundschefen", "beviljat": "2026-01-15"}]
    # 900 000 kr over 2025-01-01 – 2026-12-31 (730 days): 450 000 kr a year. Utfall 2025 from Delrapport 1
    # (its whole period in 2025): 200 000 kr of 450 000 = 44.4 %, covering 181 of 365 days = 49.6 %.
    money = p["ekonomi"]
    assert (money["beviljade_medel_kr"], money["utfall_hittills_kr"], money["aterbetalningar"]) == (900_000, 200_000, [])
    assert [(y["ar"], y["beviljat_kr"], y["utfall_kr"], y["utfall_till"], y["forbrukning_procent"], y["forvantad_procent"],
             y["flaggor"]) for y in money["ar"]] == [
        (2025, 450_000, 200_000, "2025-06-30", 44.4, 49.6, []),
        (2026, 450_000, None, None, None, None, []),
    ]


def test_the_page_as_markdown(story: str, regler: Regler) -> None:
    markdown = insats_page.markdown(page(story, regler))
    assert markdown.startswith("# Steg mot arbete (SFG 25-1.7)\n\nPer 2026-03-02. **Pågående**.\n")
    for row in [
        "- **Huvudman:** Hudiksvalls kommun",
        "- **Insatstid:** 2025-01-01 – 2026-12-31",
        f"- **Beviljade medel:** {kr(900_000)}",
        f"- **Kontaktperson:** Anna Berg, {ANNA}",
        "| Delrapport 1 (2025-01-01 – 2025-06-30) | 2025-07-30 | inkommen | 2025-07-25 |",
        "| Delrapport 2 (2025-07-01 – 2025-12-31) | 2026-02-27 (anstånd, var 2026-01-30) | **förfallen** |  |",
        "| Delrapport 3 (2026-01-01 – 2026-06-30) | 2026-07-30 | kommande |  |",
        "| Slutrapport (2026-07-01 – 2026-12-31) | 2027-03-01 | kommande |  |",
        f"| 2025-07-25 | Kvittens: Delrapport 1 | {ANNA} | väntar |",
        f"| 2026-01-15 | Ändrade rapportdatum | {ANNA} (kopia {KANSLI}) | väntar |",
        f"| 2026-03-02 | Försenad rapport, 3 dagar efter: Delrapport 2 | {ANNA} (kopia {KANSLI}) | väntar |",
        f"| Delrapport 1 | 2025-07-25, i tid | utfall {kr(200_000)} av budget {kr(250_000)} | kansliet |",
        "| 2026-01-15 | anstånd | Delrapport 2 till 2026-02-27. Ny insatsledare |",
        "| 2026-02-05 | förlängning | nytt slutdatum 2026-12-31. Fler deltagare än väntat. |",
        "| Delrapport 2 | 2026-02-27 (var 2026-01-30) | Ny insatsledare | Förbundschefen (2026-01-15) |",
        f"- Utfall hittills: {kr(200_000)}",
        f"- Utbetalt av förbundet: inte registrerat (en återbetalning räknas då på beviljade medel)",
        # 900 000 kr granted as a total: spread by days over 2025–2026, marked as estimated.
        f"- **2025:** beviljat {kr(450_000)} (uppskattat); budget –; utfall {kr(200_000)} (t.o.m. 2025-06-30); förbrukning 44,4 % (väntat 49,6 %)",
    ]:
        assert row in markdown.splitlines(), row
    assert "## Utskick (4)" in markdown and "## Inkomna rapporter (1)" in markdown and "## Anstånd (1)" in markdown


def test_keys_are_lowercase_letters_digits_and_dashes(db_url: str, regler: Regler, kontext: Kontext) -> None:
    running_insats(db_url, regler, kontext, "Trisam 2.0 – Söderhamns kommun", None, date(2021, 1, 1),
                   date(2021, 12, 31), ("Eva", "eva@soderhamn.example"))
    running_insats(db_url, regler, kontext, "Trisam 2.0: Söderhamns kommun", None, date(2021, 1, 1),
                   date(2021, 12, 31), ("Olle", "olle@soderhamn.example"))
    running_insats(db_url, regler, kontext, "Åre Öst", "SFG 21-6.58", date(2021, 1, 1), date(2021, 12, 31),
                   ("Åsa", "asa@are.example"))
    with read_only(db_url) as session:
        first, second, third = session.scalars(select(Insats).order_by(Insats.id)).all()
        # The same slug for two names: each gets its id, so neither overwrites the other's page.
        assert insats_page.artifact_key(session, first) == f"insats-trisam-2-0-soderhamns-kommun-{first.id}"
        assert insats_page.artifact_key(session, second) == f"insats-trisam-2-0-soderhamns-kommun-{second.id}"
        assert insats_page.artifact_key(session, third) == "insats-sfg-21-6-58"
        # A run's tags name its insatser: by diarienummer, or by name for one without (never an id the kansli
        # does not see).
        assert insats_page.with_tags(session, ["insats:Trisam 2.0: Söderhamns kommun", "insats:SFG 21-6.58",
                                               f"insats:{first.id}", "sammantrade:3"]) == [second, third]


def test_the_cli_shows_the_page_and_filters_the_outbox(story: str, regler: Regler) -> None:
    shown = finsam_json(story, "insats", "visa", "Steg mot", "--as-of", DAY.isoformat())
    assert shown == page(story, regler)
    text = finsam(story, "insats", "visa", "SFG 25-1.7", "--as-of", DAY.isoformat()).stdout
    assert "Steg mot arbete (SFG 25-1.7)" in text and "Försenad rapport, 3 dagar efter" in text
    assert "2026-02-27 (anstånd, var 2026-01-30)" in text

    rows = finsam_json(story, "outbox", "--insats", "SFG 25-1.7")
    assert [(r["planerad"], r["typ"], r["mottagare"]) for r in rows] == [  # newest first
        ("2026-03-02", "forsenad", ANNA), ("2026-02-05", "andringsbeslut", ANNA),
        ("2026-01-15", "andringsbeslut", ANNA), ("2025-07-25", "kvittens", ANNA)]
    everything = finsam_json(story, "outbox")
    assert {r["mottagare"] for r in everything} > {ANNA}  # the other insats's and the kansli's are left out above
    listing = finsam(story, "outbox", "--insats", "Steg mot arbete").stdout
    assert "Utkorgen: Steg mot arbete (SFG 25-1.7)" in listing and "per.ek@bollnas.example" not in listing
    refused = finsam(story, "insats", "visa", "Finns inte", check=False)
    assert refused.returncode == 1 and "Ingen insats matchar 'Finns inte'" in refused.stderr
