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
