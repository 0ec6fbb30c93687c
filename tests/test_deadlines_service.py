"""Re-planning deadlines when an insats changes, anstånd, and the history they leave."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from finsam.audit import Kontext
from finsam.db import read_only, unit_of_work
from finsam.domain.enums import DeadlineTillstand, Inriktning, RapportTyp, Tillstand
from finsam.domain.model import Anstand, Deadline, Handelse, Insats
from finsam.errors import FinsamError, TransitionNotAllowed
from finsam.services import lifecycle
from finsam.services.deadlines import grant_anstand, list_deadlines, sync_deadlines

AS_OF = date(2022, 3, 1)


def k(atgard: str = "test", aktor: str = "test") -> Kontext:
    return Kontext(aktor=aktor, atgard=atgard, nu=datetime(2022, 3, 1, 9, tzinfo=timezone.utc))


def make_insats(db_url: str, regler, start=date(2022, 1, 1), slut=date(2023, 12, 31)) -> int:
    with unit_of_work(db_url, k("skapa")) as session:
        insats = Insats(namn="Steg till arbete", inriktning=Inriktning.INDIVID, tillstand=Tillstand.PAGAENDE, start=start, slut=slut)
        session.add(insats)
        session.flush()
        sync_deadlines(session, insats, regler, k(), as_of=AS_OF, orsak="beslut")
        return insats.id


def plan(db_url: str, insats_id: int, include_cancelled: bool = False):
    with read_only(db_url) as session:
        insats = session.get(Insats, insats_id)
        return [
            (r.kind.value, r.nr, r.period_start.isoformat(), r.period_end.isoformat(), r.due.isoformat(), r.status.value)
            for r in list_deadlines(session, as_of=AS_OF, insats=insats, include_cancelled=include_cancelled)
        ]


def test_sync_twice_changes_nothing(db_url: str, regler) -> None:
    insats_id = make_insats(db_url, regler)
    before = plan(db_url, insats_id)
    assert len(before) == 4  # three delrapporter and the slutrapport
    with unit_of_work(db_url, k()) as session:
        result = sync_deadlines(session, session.get(Insats, insats_id), regler, k(), as_of=AS_OF, orsak="igen")
    assert not result.changed
    assert plan(db_url, insats_id) == before


def test_forlangning_adds_delrapporter_and_moves_the_slutrapport(db_url: str, regler) -> None:
    insats_id = make_insats(db_url, regler)
    with unit_of_work(db_url, k("förlängning")) as session:
        sync = lifecycle.extend(session, k(), session.get(Insats, insats_id), regler, slut=date(2024, 12, 31), as_of=AS_OF).sync
    assert (sync.skapade, sync.makulerade) == (2, 0)
    assert plan(db_url, insats_id)[-1] == ("slutrapport", 1, "2024-07-01", "2024-12-31", "2025-03-03", "kommande")
    assert [p[3] for p in plan(db_url, insats_id)] == [
        "2022-06-30", "2022-12-31", "2023-06-30", "2023-12-31", "2024-06-30", "2024-12-31"
    ]


def test_avbrott_cancels_later_delrapporter_but_keeps_them_in_history(db_url: str, regler) -> None:
    insats_id = make_insats(db_url, regler)
    with unit_of_work(db_url, k("avbrott")) as session:
        sync = lifecycle.interrupt(session, k(), session.get(Insats, insats_id), regler, datum=date(2022, 9, 30), as_of=AS_OF).sync
    assert sync.makulerade == 2
    assert plan(db_url, insats_id) == [
        ("delrapport", 1, "2022-01-01", "2022-06-30", "2022-08-01", "kommande"),
        ("slutrapport", 1, "2022-07-01", "2022-09-30", "2022-11-29", "kommande"),
    ]
    everything = plan(db_url, insats_id, include_cancelled=True)
    assert [p[5] for p in everything].count("makulerad") == 2
    with read_only(db_url) as session:
        insats = session.get(Insats, insats_id)
        assert insats.avbruten and insats.slut == date(2022, 9, 30)
        cancelled = [d for d in insats.deadlines if d.tillstand is DeadlineTillstand.MAKULERAD]
        assert all(any(h.efter == "makulerad" and h.orsak == "avbrott 2022-09-30" for h in d.historik) for d in cancelled)


def test_a_fulfilled_deadline_is_never_rewritten(db_url: str, regler) -> None:
    insats_id = make_insats(db_url, regler)
    with unit_of_work(db_url, k("rapport")) as session:
        insats = session.get(Insats, insats_id)
        lifecycle.register_report(session, k(), insats, typ=RapportTyp.DELRAPPORT, inkom=date(2022, 7, 20))
    with read_only(db_url) as session:
        history_before = [(h.falt, h.fore, h.efter) for d in session.get(Insats, insats_id).deadlines for h in d.historik if d.nr == 1 and d.typ is RapportTyp.DELRAPPORT]
    # The kansli agrees fixed cut dates from now on.
    with unit_of_work(db_url, k("schema")) as session:
        lifecycle.change_schedule(
            session, k(), session.get(Insats, insats_id), regler,
            schema={"delrapport": {"schema": "fasta_datum", "fasta_datum": ["04-30", "10-31"]}}, as_of=AS_OF,
        )
    rows = plan(db_url, insats_id)
    assert rows[0] == ("delrapport", 1, "2022-01-01", "2022-06-30", "2022-08-01", "inkommen")
    assert [(p[2], p[3]) for p in rows[1:]] == [
        ("2022-07-01", "2022-10-31"), ("2022-11-01", "2023-04-30"), ("2023-05-01", "2023-10-31"), ("2023-11-01", "2023-12-31")
    ]
    with read_only(db_url) as session:
        first = next(d for d in session.get(Insats, insats_id).deadlines if d.nr == 1 and d.typ is RapportTyp.DELRAPPORT)
        assert [(h.falt, h.fore, h.efter) for h in first.historik] == history_before


def test_an_open_earlier_delrapport_stays_owed_when_a_later_one_arrives(db_url: str, regler) -> None:
    insats_id = make_insats(db_url, regler)
    with unit_of_work(db_url, k()) as session:
        lifecycle.register_report(session, k(), session.get(Insats, insats_id), typ=RapportTyp.DELRAPPORT, nr=2, inkom=date(2023, 1, 20))
    with unit_of_work(db_url, k()) as session:
        result = sync_deadlines(session, session.get(Insats, insats_id), regler, k(), as_of=AS_OF, orsak="igen")
    assert not result.changed
    assert [p[5] for p in plan(db_url, insats_id)] == ["kommande", "inkommen", "kommande", "kommande"]


def test_anstand_moves_the_due_date_and_keeps_the_old_one(db_url: str, regler) -> None:
    insats_id = make_insats(db_url, regler)
    with read_only(db_url) as session:
        first = session.scalars(select(Deadline).where(Deadline.insats_id == insats_id).order_by(Deadline.forfaller)).first()
        first_id = first.id
        assert first.forfaller == date(2022, 8, 1)
    with unit_of_work(db_url, k("anstånd", "Karin på kansliet")) as session:
        anstand = grant_anstand(session, k("anstånd", "Karin på kansliet"), first_id, date(2022, 8, 27), "Semester", "Karin på kansliet")
        assert anstand.nytt_forfaller == date(2022, 8, 29)  # a Saturday: moved to Monday
    with read_only(db_url) as session:
        d = session.get(Deadline, first_id)
        assert (d.forfaller, d.regel_forfaller) == (date(2022, 8, 29), date(2022, 8, 1))
        assert [(h.falt, h.fore, h.efter, h.aktor) for h in d.historik][-1] == ("forfaller", "2022-08-01", "2022-08-29", "Karin på kansliet")
        record = session.scalar(select(Anstand).where(Anstand.deadline_id == first_id))
        assert (record.tidigare_forfaller, record.skal, record.beviljat_av) == (date(2022, 8, 1), "Semester", "Karin på kansliet")
        audit = session.scalars(select(Handelse).where(Handelse.objekt == "deadline", Handelse.andring == "andrad")).all()
        assert any(e.atgard == "anstånd" and e.aktor == "Karin på kansliet" and e.detaljer["forfaller"]["efter"] == "2022-08-29" for e in audit)
    # A re-plan (e.g. a förlängning) keeps the anstånd while the period stays the same.
    with unit_of_work(db_url, k()) as session:
        lifecycle.extend(session, k(), session.get(Insats, insats_id), regler, slut=date(2024, 6, 30), as_of=AS_OF)
    with read_only(db_url) as session:
        assert session.get(Deadline, first_id).forfaller == date(2022, 8, 29)


def test_anstand_refusals(db_url: str, regler) -> None:
    insats_id = make_insats(db_url, regler)
    with read_only(db_url) as session:
        ids = [d.id for d in session.get(Insats, insats_id).deadlines]
    with pytest.raises(FinsamError, match="inte senare än"):
        with unit_of_work(db_url, k()) as session:
            grant_anstand(session, k(), ids[0], date(2022, 7, 1), "x", "y")
    with pytest.raises(FinsamError, match="skäl"):
        with unit_of_work(db_url, k()) as session:
            grant_anstand(session, k(), ids[0], date(2022, 9, 1), "  ", "y")
    with pytest.raises(FinsamError, match="ingen deadline med id 999999"):
        with unit_of_work(db_url, k()) as session:
            grant_anstand(session, k(), 999999, date(2022, 9, 1), "x", "y")
    with unit_of_work(db_url, k()) as session:
        lifecycle.register_report(session, k(), session.get(Insats, insats_id), typ=RapportTyp.DELRAPPORT, inkom=date(2022, 7, 1))
    with pytest.raises(FinsamError, match="anstånd ges bara för öppna"):
        with unit_of_work(db_url, k()) as session:
            grant_anstand(session, k(), ids[0], date(2022, 9, 1), "x", "y")


def test_slutrapport_closes_the_insats_and_stops_open_delrapporter(db_url: str, regler) -> None:
    insats_id = make_insats(db_url, regler, start=date(2021, 1, 1), slut=date(2021, 12, 31))
    with unit_of_work(db_url, k()) as session:
        insats = session.get(Insats, insats_id)
        insats.tillstand = Tillstand.AVSLUTAD
        lifecycle.register_report(session, k(), insats, typ=RapportTyp.SLUTRAPPORT, inkom=date(2022, 1, 14))
    with read_only(db_url) as session:
        insats = session.get(Insats, insats_id)
        assert insats.tillstand is Tillstand.SLUTREDOVISAD
        # Delrapport 1 (due 2021-07-30) never came: ej inkommen, kept, not made to look cancelled.
        assert {(d.typ.value, d.tillstand.value) for d in insats.deadlines} == {("delrapport", "ej_inkommen"),
                                                                               ("slutrapport", "inkommen")}
    with pytest.raises(TransitionNotAllowed, match="slutredovisad"):
        with unit_of_work(db_url, k()) as session:
            lifecycle.extend(session, k(), session.get(Insats, insats_id), regler, slut=date(2022, 6, 30), as_of=AS_OF)


def test_a_failed_use_case_leaves_nothing_behind(db_url: str, regler) -> None:
    insats_id = make_insats(db_url, regler)
    with read_only(db_url) as session:
        audit_before = len(session.scalars(select(Handelse)).all())
    with pytest.raises(FinsamError):
        with unit_of_work(db_url, k()) as session:
            insats = session.get(Insats, insats_id)
            lifecycle.add_funds(session, k(), insats, belopp_kr=50000, as_of=AS_OF)
            session.flush()
            lifecycle.extend(session, k(), insats, regler, slut=date(2023, 1, 1), as_of=AS_OF)  # shorter: refused
    with read_only(db_url) as session:
        assert session.get(Insats, insats_id).beviljade_medel_kr is None
        assert len(session.scalars(select(Handelse)).all()) == audit_before


def test_anstand_takes_a_report_off_the_styrelse_list_until_the_new_date_runs_out(db_url: str, regler) -> None:
    insats_id = make_insats(db_url, regler)
    with unit_of_work(db_url, k()) as session:
        first = session.scalars(select(Deadline).where(Deadline.insats_id == insats_id).order_by(Deadline.forfaller)).first()
        first.flaggad_styrelse = date(2022, 8, 31)  # the +30 step put it on the list
        first_id = first.id
    with unit_of_work(db_url, k("anstånd")) as session:
        grant_anstand(session, k("anstånd"), first_id, date(2022, 10, 3), "Sjukdom", "Kansliet")
    with read_only(db_url) as session:
        d = session.get(Deadline, first_id)
        assert (d.forfaller, d.flaggad_styrelse) == (date(2022, 10, 3), None)
