"""Hostile input at every door: hand-written regressions for what the fuzzing found, then a
hypothesis suite over every entry point (the larger run is `make chaos`, benchmarks/fuzzing.py).

Each case passes when the input is taken, or refused with finsam's own words (FinsamError naming
the line or field, a pydantic ValidationError for a run form, a usage error): never a traceback,
never a half-written import, and the other items of a batch done.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import finsam
from finsam.domain.rules_config import load_rules
from finsam.errors import InvalidInput
from test_door import refused

FORBUND_YAML = "forbund:\n  namn: Samordningsförbundet Test\n  kansli_epost: kansli@test.example\n"


# --- regressions: bugs the hostile suite found ---

@pytest.mark.parametrize(("content", "line", "code"), [
    ("- {typ: styrelse, datum: 2027-02-11, plats: Gävle\x05}\n", 1, "0005"),
    ("- {typ: styrelse, datum: 2027-02-11}\n- {typ: styrelse, datum: 2027-03-11, plats: \x7f}\n", 2, "007F"),
    ("- {typ: styrelse, datum: 2027-02-11, plats: \x9d}\n", 1, "009D"),
])
def test_a_control_character_in_a_meeting_plan_is_refused_with_its_line(
    db_url: str, tmp_path: Path, content: str, line: int, code: str
) -> None:
    # Was: PyYAML's ReaderError escaped the door (exit 70, "Oväntat fel").
    path = tmp_path / "moten.yaml"
    path.write_text(content, encoding="utf-8")
    assert f"{path}: rad {line}: tecknet U+{code} är inte tillåtet (styrtecken)" in refused(
        db_url, "import", "meetings", str(path))


def test_a_control_character_in_the_rules_file_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "regler.yaml"
    path.write_text(FORBUND_YAML + "paminnelser:\n  fore: [30\x00]\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as error:
        load_rules(path)
    assert str(error.value) == (f"{path}: 1 fel, inget har sparats.\n"
                                f"  {path}: rad 5: tecknet U+0000 är inte tillåtet (styrtecken)")


def test_days_before_a_meeting_are_bounded_in_the_rules_file(tmp_path: Path) -> None:
    # Was: accepted, and every later meeting import ended in an OverflowError (exit 70).
    path = tmp_path / "regler.yaml"
    path.write_text(FORBUND_YAML + "sammantraden:\n  handlingar_dagar_fore: {styrelse: 99999999999}\n"
                    "  infor_dagar_fore: {beredningsgrupp: -1}\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as error:
        load_rules(path)
    assert str(error.value) == (f"{path}: 2 fel, inget har sparats.\n"
                                f"  {path}: sammantraden.handlingar_dagar_fore.styrelse: högst 365\n"
                                f"  {path}: sammantraden.infor_dagar_fore.beredningsgrupp: minst 0")


def test_the_rules_file_is_refused_in_swedish(tmp_path: Path) -> None:
    # Was: pydantic's English ("Extra inputs are not permitted", "Field required").
    path = tmp_path / "regler.yaml"
    path.write_text(FORBUND_YAML + "  okand: 1\nrapportering: [1]\npaminnelser: {efter: [{till: kansli}], fore: x}\n",
                    encoding="utf-8")
    with pytest.raises(InvalidInput) as error:
        load_rules(path)
    assert str(error.value).splitlines()[1:] == [
        f"  {path}: forbund.okand: okänd nyckel (felstavad?)",
        f"  {path}: rapportering: ska vara nycklar med värden",
        f"  {path}: paminnelser.fore: ska vara en lista",
        f"  {path}: paminnelser.efter.0.dagar: saknas",
    ]


def test_a_bad_rules_file_stops_a_command_with_exit_1(db_url: str, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "regler.yaml"
    path.write_text(FORBUND_YAML + "sammantraden:\n  handlingar_dagar_fore: {styrelse: 400}\n", encoding="utf-8")
    monkeypatch.setenv("FINSAM_RULES_FILE", str(path))
    plan = tmp_path / "moten.yaml"
    plan.write_text("- {typ: styrelse, datum: 2027-02-11}\n", encoding="utf-8")
    assert f"{path}: sammantraden.handlingar_dagar_fore.styrelse: högst 365" in refused(
        db_url, "import", "meetings", str(plan))



@pytest.mark.parametrize(("args", "expected"), [
    (("historik", "99999999999999999999"), "Fel: Ingen insats matchar '99999999999999999999'."),
    (("report", "dismiss", "99999999999999999999999"),
     "Fel: Det finns ingen ohanterad rapport med id 99999999999999999999999 i kön."),
    (("anstand", "99999999999999999999", "--new-due", "2025-01-01", "--reason", "x"),
     "Fel: Det finns ingen deadline med id 99999999999999999999."),
    (("calendar", "token", "revoke", "99999999999999999999"), "Fel: Det finns ingen kalenderlänk med id 99999999999999999999."),
])
def test_an_id_beyond_any_row_is_not_found(db_url: str, args: tuple[str, ...], expected: str) -> None:
    # Was: OverflowError from the SQLite driver (exit 70, "Oväntat fel").
    assert expected in refused(db_url, *args)


def test_an_outbox_row_whose_copy_list_is_not_a_list_fails_alone(db_url: str, tmp_path: Path, insatser_csv: Path) -> None:
    # Was: a TypeError that stopped the whole delivery.
    from sqlalchemy import text

    from finsam.db import get_engine

    finsam(db_url, "import", "insatser", str(insatser_csv), "--as-of", "2021-09-01", cwd=tmp_path)
    finsam(db_url, "run", "daily", "--as-of", "2021-09-01", "--skicka-inte", cwd=tmp_path)
    with get_engine(db_url).begin() as c:
        first = c.execute(text("SELECT min(id) FROM utskick")).scalar()
        c.execute(text("UPDATE utskick SET kopia = CAST('null' AS JSON) WHERE id = :i" if db_url.startswith("postgresql")
                       else "UPDATE utskick SET kopia = 'null' WHERE id = :i"), {"i": first})
    result = finsam(db_url, "skicka", cwd=tmp_path, check=False)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "5 skickade, 1 misslyckade" in result.stdout
    assert (f"Misslyckat utskick {first}: ogiltig kopielista i utkorgen (ska vara en lista med adresser); "
            "meddelandet skickas inte så") in " ".join(result.stderr.split())

# --- the hypothesis suite: the checks of `make chaos` (benchmarks/fuzzing.py), fewer examples ---

from hypothesis import given  # noqa: E402

from benchmarks import fuzzing as fz  # noqa: E402

EXAMPLES = 60


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> fz.Env:
    return fz.Env(tmp_path / "fuzz", db_url)


def _holds(outcome: str | None) -> None:
    assert outcome in ("accepted", "refused", None)


def test_csv_import(env: fz.Env) -> None:
    @fz.fuzz_settings(EXAMPLES)
    @given(fz.CSV_ROWS)
    def case(c) -> None:  # noqa: ANN001
        _holds(fz.check_csv(env, c))

    case()


def test_meeting_plan(env: fz.Env) -> None:
    @fz.fuzz_settings(EXAMPLES)
    @given(fz.MEETING_PLAN)
    def case(c) -> None:  # noqa: ANN001
        _holds(fz.check_meeting_plan(env, c))

    case()


def test_rules_file(tmp_path: Path) -> None:
    env = fz.Env(tmp_path / "fuzz")

    @fz.fuzz_settings(100)
    @given(fz.RULES_FILE)
    def case(c) -> None:  # noqa: ANN001
        _holds(fz.check_rules(env, c))

    case()


@pytest.mark.parametrize(("check", "strategy"), [(fz.check_report_txt, fz.REPORT_LINES),
                                                 (fz.check_report_docx, fz.DOCX_CASE),
                                                 (fz.check_report_pdf, fz.PDF_CASE)], ids=["txt", "docx", "pdf"])
def test_report_files(tmp_path: Path, check, strategy) -> None:  # noqa: ANN001
    env = fz.Env(tmp_path / "fuzz")

    @fz.fuzz_settings(EXAMPLES)
    @given(strategy)
    def case(c) -> None:  # noqa: ANN001
        _holds(check(env, c))

    case()


def test_cli_options(env: fz.Env) -> None:
    @fz.fuzz_settings(EXAMPLES)
    @given(fz.cli_argv())
    def case(argv) -> None:  # noqa: ANN001
        _holds(fz.check_cli(env, argv))

    case()


def test_run_forms(env: fz.Env) -> None:
    @fz.fuzz_settings(EXAMPLES)
    @given(fz.run_form())
    def case(c) -> None:  # noqa: ANN001
        _holds(fz.check_run_form(env, c))

    case()


def test_feed_urls(env: fz.Env) -> None:
    with fz.feed_client(env) as client:
        @fz.fuzz_settings(100)
        @given(fz.FEED_REQUEST)
        def case(c) -> None:  # noqa: ANN001
            _holds(fz.check_feed(env, client, c))

        case()


def test_stored_row_corruption(env: fz.Env) -> None:
    with env.configured():
        population = fz.Population(env)

        @fz.fuzz_settings(10)
        @given(fz.CORRUPTION, fz.st.integers(0, 1000))
        def case(c, pick) -> None:  # noqa: ANN001
            _holds(fz.check_stored_row(env, population, c, pick))

        case()


def test_header_injection(env: fz.Env) -> None:
    @fz.fuzz_settings(EXAMPLES)
    @given(fz.INJECTION)
    def case(c) -> None:  # noqa: ANN001
        assert fz.check_injection(env, c) == "refused"

    case()
