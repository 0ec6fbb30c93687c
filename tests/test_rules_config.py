from datetime import date
from pathlib import Path

import pytest

from finsam.domain.enums import MoteTyp
from finsam.domain.rules_config import load_rules, parse_rules
from finsam.domain.schedule import SchemaTyp
from finsam.errors import FinsamError, InvalidInput

PROJECT = Path(__file__).resolve().parent.parent


def test_project_rules_load() -> None:
    regler = load_rules(PROJECT / "config" / "regler.yaml")
    schedule = regler.schedule()
    assert schedule.schema is SchemaTyp.ROLLANDE
    assert schedule.manader == 6
    assert regler.handlingar_dagar(MoteTyp.BEREDNINGSGRUPP) == 14


def test_empty_file_means_defaults(tmp_path: Path) -> None:
    path = tmp_path / "regler.yaml"
    path.write_text("", encoding="utf-8")
    assert load_rules(path).schedule().dagar_efter_period == 30


def test_bad_values_are_named_by_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "regler.yaml"
    path.write_text(
        "rapportering:\n  delrapport:\n    manader: 0\n    schema: varannan\n  okand: 3\n", encoding="utf-8"
    )
    with pytest.raises(InvalidInput) as error:
        load_rules(path)
    message = str(error.value)
    assert str(path) in message
    assert "rapportering.delrapport.manader" in message
    assert "rapportering.delrapport.schema" in message
    assert "rapportering.okand" in message


def test_bad_fixed_date_is_refused() -> None:
    with pytest.raises(InvalidInput, match="'02-30' är inte ett datum"):
        parse_rules({"rapportering": {"delrapport": {"schema": "fasta_datum", "fasta_datum": ["04-30", "02-30"]}}}, "x")


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "regler.yaml"
    path.write_text("rapportering:\n  delrapport: [\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="rad 3"):
        load_rules(path)


def test_missing_file() -> None:
    with pytest.raises(FinsamError, match="Kan inte läsa regelfilen"):
        load_rules(Path("/nonexistent/regler.yaml"))


def test_insats_override_merges_over_the_forbund_rules() -> None:
    regler = parse_rules({"rapportering": {"delrapport": {"dagar_efter_period": 20}}}, "x")
    schedule = regler.schedule({"delrapport": {"schema": "datumlista", "datumlista": ["2022-03-31"]}})
    assert schedule.schema is SchemaTyp.DATUMLISTA
    assert schedule.datumlista == (date(2022, 3, 31),)
    assert schedule.dagar_efter_period == 20  # kept from the förbund's rules


def test_invalid_override_is_refused() -> None:
    regler = parse_rules({}, "x")
    with pytest.raises(InvalidInput, match="datumlista"):
        regler.schedule({"delrapport": {"schema": "datumlista"}})


def test_impossible_date_in_a_date_list_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "regler.yaml"
    path.write_text("rapportering:\n  delrapport:\n    schema: datumlista\n    datumlista: [2027-02-30]\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"rapportering\.delrapport\.datumlista\.0"):
        load_rules(path)
