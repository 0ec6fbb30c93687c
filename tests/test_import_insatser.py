"""Import of the 2021 insatser: the real CSV, Excel's variant, bad rows, re-imports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from cli import finsam, finsam_json
from finsam.db import read_only, unit_of_work
from finsam.domain.enums import DeadlineTillstand, RapportTyp, Tillstand
from finsam.domain.model import Base, Deadline, Handelse, Insats
from swedish_days import working_day
from finsam.errors import InvalidInput
from finsam.services.import_insatser import import_insatser, read_insatser

HEADER = (
    "namn,inriktning,huvudman,samverkansparter,start,slut,budget_2021_kr,utfall_2021_kr,diarienummer,"
    "kontaktperson,kontakt_epost"
)


def counts(db_url: str) -> dict[str, int]:
    with read_only(db_url) as session:
        return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def test_done_when_the_shared_csv_gives_every_deadline_on_working_days(db_url: str, insatser_csv: Path) -> None:
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-06-01")
    rows = finsam_json(db_url, "deadlines", "--as-of", "2021-06-01")
    assert {r["insats"] for r in rows} == {
        line.split(",")[0] for line in insatser_csv.read_text(encoding="utf-8").splitlines()[1:]
    }
    assert len({r["insats"] for r in rows}) == 18
    for r in rows:
        assert {"id", "insats", "diarienummer", "kind", "period_start", "period_end", "due", "status"} <= set(r)
        assert r["kind"] in {"delrapport", "slutrapport"}
        due = date.fromisoformat(r["due"])
        assert working_day(due), r
        assert due >= date.fromisoformat(r["period_end"])
        assert r["status"] == ("forfallen" if due < date(2021, 6, 1) else "kommande")
    slutrapporter = {r["insats"] for r in rows if r["kind"] == "slutrapport"}
    assert "Insatskatalogen Gävleborg" not in slutrapporter
    assert len(slutrapporter) == 17
    hudiksvall = [r for r in rows if r["diarienummer"] == "SFG 21-6.58"]
    assert hudiksvall and all(r["insats"] == "Trisam 2.0 - Hudiksvalls kommun" for r in hudiksvall)
    slut = next(r for r in hudiksvall if r["kind"] == "slutrapport")
    assert (slut["period_end"], slut["due"]) == ("2021-12-31", "2022-03-01")


def test_states_and_what_is_not_chased_follow_the_import_date(db_url: str, insatser_csv: Path, kontext, regler) -> None:
    with unit_of_work(db_url, kontext) as session:
        import_insatser(session, kontext, insatser_csv, regler, as_of=date(2021, 6, 1))
    with read_only(db_url) as session:
        by_name = {i.namn: i for i in session.scalars(select(Insats))}
        assert by_name["Förstudie - Minska glappet Mysam Gävle"].tillstand is Tillstand.BEVILJAD
        assert by_name["Trisam 2.0 - Gävle kommun"].tillstand is Tillstand.PAGAENDE
        assert by_name["Insatskatalogen Gävleborg"].huvudman == ["Samordningsförbund Gävleborg"]
        assert by_name["Trisam 2.0 - Arbetsförmedlingen och Försäkringskassan"].huvudman == [
            "Arbetsförmedlingen",
            "Försäkringskassan",
        ]
        assert by_name["Ett hållbart arbetsliv - Hofors"].ekonomi[0].budget_kr == 934000
        deadlines = session.scalars(select(Deadline)).all()
        assert deadlines
        for d in deadlines:
            assert d.bevakas == (d.forfaller >= date(2021, 6, 1)), "passed before the import: listed, not chased"


def test_reimport_changes_nothing_and_an_update_is_not_a_duplicate(db_url: str, insatser_csv: Path, tmp_path: Path) -> None:
    first = finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-06-01").stdout
    assert "18 nya" in first
    before = counts(db_url)
    again = finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-06-01").stdout
    assert "0 nya, 0 uppdaterade, 18 oförändrade" in again
    assert "0 nya, 0 ändrade, 0 makulerade" in again
    assert counts(db_url) == before

    # Mysam extended by six months: same insats, re-planned deadlines.
    text = insatser_csv.read_text(encoding="utf-8").replace(
        "Mysam,struktur,Samordningsförbund Gävleborg,Arbetsförmedlingen;Försäkringskassan;Region Gävleborg;"
        "länets samtliga kommuner,2020-10-01,2021-12-31",
        "Mysam,struktur,Samordningsförbund Gävleborg,Arbetsförmedlingen;Försäkringskassan;Region Gävleborg;"
        "länets samtliga kommuner,2020-10-01,2022-06-30",
    )
    changed = tmp_path / "insatser.csv"
    changed.write_text(text, encoding="utf-8")
    out = finsam(db_url, "import", "insatser", str(changed), "--as-of", "2021-06-01").stdout
    assert "0 nya, 1 uppdaterade, 17 oförändrade" in out
    rows = finsam_json(db_url, "deadlines", "--insats", "Mysam")
    assert [(r["kind"], r["period_end"]) for r in rows] == [
        ("delrapport", "2021-03-31"),
        ("delrapport", "2021-09-30"),
        ("delrapport", "2022-03-31"),
        ("slutrapport", "2022-06-30"),
    ]
    assert counts(db_url)["insats"] == 18


def test_a_bad_row_refuses_the_whole_file_with_its_line_and_column(db_url: str, insatser_csv: Path, tmp_path: Path) -> None:
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-06-01")
    before = counts(db_url)
    lines = insatser_csv.read_text(encoding="utf-8").splitlines()
    lines.append("Ny insats,individ,Gävle kommun,,2022-01-01,2023-12-31,100000,0,,Anna,anna@gavle.example")
    lines[5] = lines[5].replace("2020-01-01", "2020-13-01")  # line 6 of the file
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = finsam(db_url, "import", "insatser", str(bad), check=False)
    assert result.returncode == 1
    assert "rad 6" in result.stderr and "kolumn 'start'" in result.stderr and "2020-13-01" in result.stderr
    assert "inget har sparats" in result.stderr
    assert "Traceback" not in result.stderr
    assert counts(db_url) == before, "nothing written, not even the good new row"


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("X,individ,Gävle kommun,,2022-01-01,2021-12-31,,,,A,a@gavle.example", "slut", "före startdatum"),
        ("X,blandad,Gävle kommun,,2022-01-01,,,,,A,a@gavle.example", "inriktning", "okänd inriktning 'blandad'"),
        ("X,individ,Gävle kommun,,2022-01-01,,,,,A,a@@gavle", "kontakt_epost", "ogiltig e-postadress"),
        ("X,individ,,,2022-01-01,,,,,A,a@gavle.example", "huvudman", "värde saknas"),
        ("X,individ,Gävle kommun,,,,,,,A,a@gavle.example", "start", "värde saknas"),
        ("X,individ,Gävle kommun,,2022-01-01,,12 tkr,,,A,a@gavle.example", "budget_2021_kr", "inte ett belopp"),
        ("X,individ,Gävle kommun,,2022-01-01,,,,,A,", "kontakt_epost", "saknar e-postadress"),
        ('X,individ,Gävle kommun,,2022-01-01,,,,,"Anna\nBcc: evil@x.example",a@gavle.example', "kontaktperson",
         "radbrytningar"),
    ],
)
def test_each_kind_of_bad_value_is_named(tmp_path: Path, row: str, column: str, message: str) -> None:
    path = tmp_path / "one.csv"
    path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as error:
        read_insatser(path)
    [problem] = error.value.problems
    assert (problem.line, problem.column) == (2, column)
    assert message in problem.message


def test_duplicates_in_the_file_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(
        f"{HEADER}\n"
        "A,individ,Gävle kommun,,2022-01-01,,,,SFG 1,A,a@gavle.example\n"
        "B,individ,Gävle kommun,,2022-01-01,,,,SFG 1,A,a@gavle.example\n"
        "A,struktur,Gävle kommun,,2023-01-01,,,,,A,a@gavle.example\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as error:
        read_insatser(path)
    found = {(p.line, p.column, p.message) for p in error.value.problems}
    assert (3, "diarienummer", "diarienumret finns redan på rad 2") in found
    assert (4, "namn", "samma namn och huvudman som rad 2") in found


def test_unknown_and_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("namn,inriktning,slutdatum\nA,individ,2022-01-01\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as error:
        read_insatser(path)
    found = {(p.line, p.column, p.message) for p in error.value.problems}
    assert (1, "slutdatum", "okänd kolumn") in found
    assert (1, "huvudman", "kolumnen saknas") in found
    assert (1, "start", "kolumnen saknas") in found


def test_excel_semicolon_file_in_windows_1252(db_url: str, insatser_csv: Path, tmp_path: Path, kontext, regler) -> None:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(insatser_csv.read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    path = tmp_path / "excel.csv"
    path.write_bytes(out.getvalue().encode("cp1252"))
    parsed = read_insatser(path)
    assert len(parsed) == 18
    assert parsed[1].namn == "Ett hållbart arbetsliv - Ovanåker"
    assert parsed[3].huvudman == ["Arbetsförmedlingen", "Försäkringskassan"]
    with unit_of_work(db_url, kontext) as session:
        result = import_insatser(session, kontext, path, regler, as_of=date(2021, 6, 1))
    assert result.nya == 18


def test_dry_run_writes_nothing(db_url: str, insatser_csv: Path) -> None:
    out = finsam(db_url, "import", "insatser", str(insatser_csv), "--dry-run").stdout
    assert "Provkörning, inget sparat: 18 nya" in out
    assert counts(db_url)["insats"] == 0


def test_the_import_is_in_the_audit_log(db_url: str, insatser_csv: Path) -> None:
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-06-01")
    with read_only(db_url) as session:
        events = session.scalars(select(Handelse)).all()
    assert events
    assert {e.aktor for e in events} == {"test"}
    assert {e.atgard for e in events} == {f"import insatser {insatser_csv.name}"}
    assert {e.objekt for e in events} >= {"insats", "deadline", "organisation", "kontaktperson"}
    assert sum(e.objekt == "insats" and e.andring == "skapad" for e in events) == 18


def test_a_fulfilled_deadline_survives_a_reimport(db_url: str, insatser_csv: Path, tmp_path: Path) -> None:
    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-06-01")
    finsam(db_url, "rapport-inkommen", "SFG 21-6.58", "--typ", "delrapport", "--nr", "1", "--inkom", "2020-06-20")
    text = insatser_csv.read_text(encoding="utf-8").replace(
        "Trisam 2.0 - Hudiksvalls kommun,struktur,Hudiksvalls kommun,Arbetsförmedlingen;Försäkringskassan;Region Gävleborg,2019-12-01",
        "Trisam 2.0 - Hudiksvalls kommun,struktur,Hudiksvalls kommun,Arbetsförmedlingen;Försäkringskassan;Region Gävleborg,2020-01-15",
    )
    moved = tmp_path / "moved.csv"
    moved.write_text(text, encoding="utf-8")
    finsam(db_url, "import", "insatser", str(moved), "--as-of", "2021-06-01")
    with read_only(db_url) as session:
        insats = session.scalar(select(Insats).where(Insats.diarienummer == "SFG 21-6.58"))
        first = next(d for d in insats.deadlines if d.typ is RapportTyp.DELRAPPORT and d.nr == 1)
        assert first.tillstand is DeadlineTillstand.INKOMMEN
        assert (first.period_start, first.period_slut, first.inkom) == (date(2019, 12, 1), date(2020, 5, 31), date(2020, 6, 20))


def test_known_and_new_insatser_in_one_file_share_new_contacts_and_organisations(
    db_url: str, insatser_csv: Path, tmp_path: Path
) -> None:
    from finsam.audit import _columns
    from finsam.domain.model import InsatsOrganisation, Kontaktperson, Organisation

    lines = insatser_csv.read_text(encoding="utf-8").splitlines()
    first = tmp_path / "first.csv"
    first.write_text("\n".join(lines[:10]) + "\n", encoding="utf-8")  # nine insatser, Hofors kommun among them
    finsam(db_url, "import", "insatser", str(first), "--as-of", "2021-06-01")
    # Hofors (known) gets its partners in another order, a new partner and a new contact person; Ockelbo (new)
    # shares both with it.
    hofors, ockelbo = 8, 10
    assert lines[hofors].startswith("Trisam 2.0 - Hofors kommun") and lines[ockelbo].startswith("Trisam 2.0 - Ockelbo kommun")
    for i in (hofors, ockelbo):
        lines[i] = lines[i].replace("Arbetsförmedlingen;Försäkringskassan;Region Gävleborg",
                                    "Region Gävleborg;Arbetsförmedlingen;Ny part AB")
        lines[i] = lines[i].rsplit(",", 2)[0] + ",Ny Kontakt,ny@hofors.example"
    second = tmp_path / "second.csv"
    second.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = finsam(db_url, "import", "insatser", str(second), "--as-of", "2021-06-01").stdout
    assert "9 nya, 1 uppdaterade, 8 oförändrade" in out
    assert "0 nya, 0 uppdaterade, 18 oförändrade" in finsam(db_url, "import", "insatser", str(second), "--as-of", "2021-06-01").stdout

    with read_only(db_url) as session:
        [part] = session.scalars(select(Organisation).where(Organisation.namn == "Ny part AB")).all()
        [person] = session.scalars(select(Kontaktperson).where(Kontaktperson.epost == "ny@hofors.example")).all()
        both = {i.namn: i for i in session.scalars(select(Insats).where(Insats.kontaktperson_id == person.id))}
        assert set(both) == {"Trisam 2.0 - Hofors kommun", "Trisam 2.0 - Ockelbo kommun"}
        for insats in both.values():
            assert insats.samverkansparter == ["Region Gävleborg", "Arbetsförmedlingen", "Ny part AB"]
            assert part.id in {p.organisation_id for p in insats.parter}
        # The known insats kept the rows of the partners that stayed (moved, not deleted and made again).
        hofors_parts = session.scalars(select(Handelse).where(Handelse.insats_id == both["Trisam 2.0 - Hofors kommun"].id,
                                                              Handelse.objekt == "insats_organisation")).all()
        assert sorted(e.andring for e in hofors_parts if e.andring != "borttagen") == ["andrad"] * 2 + ["skapad"] * 5
        # Every row the new insats was written with has the audit entry a flush of it would have written.
        new = both["Trisam 2.0 - Ockelbo kommun"]
        rows = [new, *new.parter, *new.ekonomi, *new.deadlines, *(h for d in new.deadlines for h in d.historik)]
        assert {type(r).__name__ for r in rows} == {"Insats", "InsatsOrganisation", "InsatsEkonomi", "Deadline",
                                                   "DeadlineAndring"}
        def utc(values: dict) -> dict:  # SQLite gives back a UTC time without its offset
            return {k: v.removesuffix("+00:00") if isinstance(v, str) else v for k, v in values.items()}

        logged = {(e.objekt, e.objekt_id): e for e in session.scalars(select(Handelse).where(Handelse.andring == "skapad"))}
        for row in rows:
            key = "/".join(str(v) for v in inspect(row).identity)
            entry = logged[(row.__tablename__, key)]
            assert utc(entry.detaljer) == utc(_columns(row)), row
            assert entry.insats_id == new.id or row.__tablename__ == "deadline_andring"
            assert entry.atgard == "import insatser second.csv"


def test_rows_written_in_bulk_pass_the_same_guard_and_leave_room_for_the_next(db_url: str, kontext) -> None:
    from finsam.db import insert_rows
    from finsam.domain.model import Organisation
    from finsam.guard import ValueOutOfBounds

    with pytest.raises(ValueOutOfBounds, match=r"^Värdet ryms inte i databasen: organisation\.namn: högst 200 tecken"):
        with unit_of_work(db_url, kontext) as session:
            insert_rows(session, Organisation, [{"namn": "A"}, {"namn": "O" * 201}])
    assert counts(db_url)["organisation"] == 0
    with unit_of_work(db_url, kontext) as session:
        written = insert_rows(session, Organisation, [{"namn": "A"}, {"namn": "B"}])
        session.add(Organisation(namn="C"))  # the unit of work's next id comes after the bulk ones
        session.flush()
    with read_only(db_url) as session:
        ids = {o.namn: o.id for o in session.scalars(select(Organisation))}
        assert [ids["A"], ids["B"]] == [r["id"] for r in written] and ids["C"] > ids["B"] > ids["A"]
        assert {(e.objekt_id, e.detaljer["namn"]) for e in session.scalars(select(Handelse))} == {
            (str(i), n) for n, i in ids.items()}
