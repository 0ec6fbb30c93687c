"""An insats's whole life driven through the services and the CLI, with meetings deciding the path."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from cli import finsam, finsam_json
from finsam.audit import Kontext
from finsam.db import read_only, unit_of_work
from finsam.domain.enums import Bedomning, BeslutUtfall, Inriktning, RapportTyp, Tillstand
from finsam.domain.model import Ansokan, Insats
from finsam.errors import FinsamError, TransitionNotAllowed
from finsam.services import lifecycle
from finsam.services.meetings import import_meetings

PROJECT = Path(__file__).resolve().parent.parent
PLAN = PROJECT / "data" / "sammantraden-2021-2022.yaml"


def k() -> Kontext:
    return Kontext(aktor="kansliet", atgard="test", nu=datetime(2021, 8, 1, 9, tzinfo=timezone.utc))


def ny(**changes) -> lifecycle.NyAnsokan:
    values = dict(
        namn="Steg till arbete Sandviken",
        inriktning=Inriktning.INDIVID,
        huvudman=["Sandvikens kommun"],
        ankomstdatum=date(2021, 8, 10),
        kontaktperson="Åsa Öberg",
        kontakt_epost="asa.oberg@sandviken.example",
        samverkansparter=["Arbetsförmedlingen"],
        sokt_belopp_kr=900000,
    )
    return lifecycle.NyAnsokan(**{**values, **changes})


def test_from_ansokan_to_slutredovisad(db_url: str, regler) -> None:
    with unit_of_work(db_url, k()) as session:
        import_meetings(session, k(), PLAN, regler)
    with unit_of_work(db_url, k()) as session:
        insats, ansokan = lifecycle.register_ansokan(session, k(), ny())
        session.flush()
        insats_id = insats.id
        # Arrived 2021-08-10: makes the 2021-09-01 beredningsgrupp (documents by 2021-08-18).
        assert ansokan.beredningsmote.datum == date(2021, 9, 1)
        assert insats.tillstand is Tillstand.UNDER_BEREDNING
    with unit_of_work(db_url, k()) as session:
        insats = session.get(Insats, insats_id)
        with pytest.raises(TransitionNotAllowed, match="Tillåtet nu: registrera yttrande"):
            lifecycle.register_beslut(session, k(), insats, regler, datum=date(2021, 9, 23), utfall=BeslutUtfall.BEVILJAS,
                                      as_of=date(2021, 9, 23), belopp_kr=1, start=date(2021, 10, 1))
    with unit_of_work(db_url, k()) as session:
        insats = session.get(Insats, insats_id)
        lifecycle.register_yttrande(session, k(), insats, datum=date(2021, 9, 1), bedomning=Bedomning.TILLSTYRKS,
                                    as_of=date(2021, 9, 1))
        ansokan = session.scalar(select(Ansokan).where(Ansokan.insats_id == insats_id))
        assert ansokan.styrelsemote.datum == date(2021, 9, 23)
    with unit_of_work(db_url, k()) as session:
        insats = session.get(Insats, insats_id)
        lifecycle.register_beslut(session, k(), insats, regler, datum=date(2021, 9, 23), utfall=BeslutUtfall.BORDLAGGS, as_of=date(2021, 9, 23))
        assert session.scalar(select(Ansokan).where(Ansokan.insats_id == insats_id)).styrelsemote.datum == date(2021, 11, 18)
    with unit_of_work(db_url, k()) as session:
        insats = session.get(Insats, insats_id)
        _b, sync = lifecycle.register_beslut(
            session, k(), insats, regler, datum=date(2021, 11, 18), utfall=BeslutUtfall.BEVILJAS, as_of=date(2021, 11, 18),
            belopp_kr=850000, start=date(2022, 1, 1), slut=date(2022, 12, 31),
        )
        assert insats.tillstand is Tillstand.BEVILJAD
        assert sync.skapade == 2  # one delrapport, the slutrapport
    for day, expected in ((date(2021, 12, 31), Tillstand.BEVILJAD), (date(2022, 1, 1), Tillstand.PAGAENDE),
                          (date(2022, 12, 31), Tillstand.PAGAENDE), (date(2023, 1, 1), Tillstand.AVSLUTAD)):
        with unit_of_work(db_url, k()) as session:
            lifecycle.advance_states(session, k(), as_of=day)
        with read_only(db_url) as session:
            assert session.get(Insats, insats_id).tillstand is expected, day
    with unit_of_work(db_url, k()) as session:
        insats = session.get(Insats, insats_id)
        lifecycle.register_report(session, k(), insats, typ=RapportTyp.SLUTRAPPORT, inkom=date(2023, 2, 3))
        assert insats.tillstand is Tillstand.SLUTREDOVISAD


def test_aterremiss_sends_the_ansokan_back_to_the_next_beredning(db_url: str, regler) -> None:
    with unit_of_work(db_url, k()) as session:
        import_meetings(session, k(), PLAN, regler)
        insats, _ = lifecycle.register_ansokan(session, k(), ny())
        lifecycle.register_yttrande(session, k(), insats, datum=date(2021, 9, 1), bedomning=Bedomning.KOMPLETTERAS,
                                    as_of=date(2021, 9, 1))
        lifecycle.register_beslut(session, k(), insats, regler, datum=date(2021, 9, 23), utfall=BeslutUtfall.ATERREMITTERAS, as_of=date(2021, 9, 23))
        assert insats.tillstand is Tillstand.UNDER_BEREDNING
        ansokan = session.scalar(select(Ansokan).where(Ansokan.insats_id == insats.id))
        session.flush()
        assert ansokan.beredningsmote.datum == date(2021, 11, 3)


def test_an_ansokan_with_no_meeting_to_go_to_waits(db_url: str, regler) -> None:
    with unit_of_work(db_url, k()) as session:
        insats, ansokan = lifecycle.register_ansokan(session, k(), ny())
        assert insats.tillstand is Tillstand.ANSOKAN_INKOMMEN and ansokan.beredningsmote_id is None


def test_bad_ansokan_is_refused(db_url: str) -> None:
    with pytest.raises(FinsamError, match="ogiltig e-postadress"):
        with unit_of_work(db_url, k()) as session:
            lifecycle.register_ansokan(session, k(), ny(kontakt_epost="asa@"))
    with pytest.raises(FinsamError, match="huvudman"):
        with unit_of_work(db_url, k()) as session:
            lifecycle.register_ansokan(session, k(), ny(huvudman=[]))


def test_the_whole_life_from_the_cli(db_url: str) -> None:
    finsam(db_url, "import", "meetings", str(PLAN))
    out = finsam(
        db_url, "ansokan", "Steg till arbete Sandviken", "--huvudman", "Sandvikens kommun", "--ankomst", "2021-08-10",
        "--kontakt", "Åsa Öberg", "--epost", "asa.oberg@sandviken.example", "--belopp", "900 000 kr", "--diarienummer", "SFG 21-9.1",
    ).stdout
    assert "Går till beredningsgruppen 2021-09-01" in out
    planned = finsam(db_url, "planera", "--ankomst", "2021-08-10").stdout
    assert "Beredningsgrupp: 2021-09-01" in planned and "Styrelse: 2021-09-23" in planned
    refused = finsam(db_url, "beslut", "SFG 21-9.1", "--datum", "2021-09-23", "--utfall", "beviljas", check=False)
    assert refused.returncode == 1 and "Tillåtet nu: registrera yttrande" in refused.stderr
    finsam(db_url, "yttrande", "SFG 21-9.1", "--datum", "2021-09-01", "--bedomning", "tillstyrks")
    out = finsam(db_url, "beslut", "SFG 21-9.1", "--datum", "2021-09-23", "--utfall", "beviljas", "--belopp", "850000",
                 "--start", "2021-10-01", "--slut", "2022-09-30", "--as-of", "2021-09-23").stdout
    assert "nu beviljad" in out
    rows = finsam_json(db_url, "deadlines", "--insats", "SFG 21-9.1", "--as-of", "2021-09-23")
    assert [(r["kind"], r["period_end"], r["due"]) for r in rows] == [
        ("delrapport", "2022-03-31", "2022-05-02"),
        ("slutrapport", "2022-09-30", "2022-11-29"),
    ]
    out = finsam(db_url, "anstand", str(rows[0]["id"]), "--new-due", "2022-05-20", "--reason", "Byte av projektledare").stdout
    assert "förfaller nu 2022-05-20" in out
    finsam(db_url, "uppdatera", "--as-of", "2021-10-01")
    finsam(db_url, "rapport-inkommen", "SFG 21-9.1", "--typ", "delrapport", "--inkom", "2022-05-19")
    out = finsam(db_url, "forlang", "SFG 21-9.1", "--slut", "2022-12-31", "--as-of", "2022-06-01").stdout
    assert "förlängd till 2022-12-31 (deadlines: 1 nya, 1 ändrade, 0 makulerade)" in out
    assert "Meddelande med de nya datumen köat till insatsägaren." in out
    refused = finsam(db_url, "tillaggsanslag", "SFG 21-9.1", "--belopp", "100000", "--ar", "2023", "--as-of", "2022-06-01",
                     check=False)
    assert refused.returncode == 1
    assert "Tilläggsanslaget gäller 2023, utanför insatstiden (2021-10-01 – 2022-12-31)." in refused.stderr
    out = finsam(db_url, "tillaggsanslag", "SFG 21-9.1", "--belopp", "100000", "--ar", "2022", "--as-of", "2022-06-01").stdout
    assert "Tilläggsanslag 100000 kr (2022: 100000 kr) registrerat; beviljade medel nu 950000 kr" in out
    rows = finsam_json(db_url, "deadlines", "--insats", "SFG 21-9.1", "--as-of", "2022-06-01")
    assert [(r["kind"], r["status"], r["period_end"]) for r in rows] == [
        ("delrapport", "inkommen", "2022-03-31"),
        ("delrapport", "kommande", "2022-09-30"),  # the förlängning makes room for one more
        ("slutrapport", "kommande", "2022-12-31"),
    ]
    [insats] = finsam_json(db_url, "insatser")
    assert (insats["tillstand"], insats["beviljade_medel_kr"], insats["slut"]) == ("pagaende", 950000, "2022-12-31")
    history = finsam_json(db_url, "historik", "SFG 21-9.1")
    assert {e["atgard"] for e in history} >= {
        "registrera ansökan", "registrera yttrande", "registrera beslut", "anstånd", "registrera inkommen rapport",
        "förlängning", "tilläggsanslag", "uppdatera tillstånd",
    }
    assert all(e["aktor"] == "test" for e in history)
