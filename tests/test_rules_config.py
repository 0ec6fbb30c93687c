from datetime import date
from pathlib import Path

import pytest

from finsam.domain.enums import MoteTyp
from finsam.domain.rules_config import load_rules, parse_rules
from finsam.domain.schedule import SchemaTyp
from finsam.errors import FinsamError, InvalidInput

PROJECT = Path(__file__).resolve().parent.parent
FORBUND = {"forbund": {"namn": "Samordningsförbundet Test", "kansli_epost": "kansli@test.example"}}
FORBUND_YAML = "forbund:\n  namn: Samordningsförbundet Test\n  kansli_epost: kansli@test.example\n"


def test_project_rules_load() -> None:
    regler = load_rules(PROJECT / "config" / "regler.yaml")
    schedule = regler.schedule()
    assert schedule.schema is SchemaTyp.ROLLANDE
    assert schedule.manader == 6
    assert regler.handlingar_dagar(MoteTyp.BEREDNINGSGRUPP) == 14


def test_only_the_forbund_means_defaults_for_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "regler.yaml"
    path.write_text(FORBUND_YAML, encoding="utf-8")
    assert load_rules(path).schedule().dagar_efter_period == 30


@pytest.mark.parametrize("content", ["", "forbund:\n", "rapportering:\n  delrapport:\n    manader: 6\n"])
def test_a_rules_file_without_the_kansli_is_refused_naming_the_keys(tmp_path: Path, content: str) -> None:
    # An empty file used to fall back silently to example addresses.
    path = tmp_path / "regler.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput) as error:
        load_rules(path)
    assert str(error.value) == (
        f"{path}: 2 fel, inget har sparats.\n"
        f"  {path}: forbund.namn: saknas (obligatorisk)\n"
        f"  {path}: forbund.kansli_epost: saknas (obligatorisk)"
    )


def test_a_kansli_address_with_a_line_break_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "regler.yaml"
    path.write_text('forbund:\n  namn: Test\n  kansli_epost: "kansli@test.example\\nBcc: x@evil.example"\n',
                    encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"forbund\.kansli_epost: e-postadressen innehåller ett otillåtet tecken \(U\+000A\)"):
        load_rules(path)


@pytest.mark.parametrize(("content", "expected"), [
    ("a: &x 1\nb: *x\n", "rad 1: ankare (&x) är inte tillåtna; skriv ut värdet"),
    ("forbund:\n  namn: A\n  namn: B\n", "rad 3: nyckeln 'namn' finns redan på rad 2"),
    ("x: {a: 1}\ny:\n  <<: {a: 2}\n", "rad 3: sammanslagning med << är inte tillåten; skriv ut nycklarna"),
])
def test_yaml_tricks_are_refused_with_their_line(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "regler.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput) as error:
        load_rules(path)
    assert error.value.problems[0].__str__() == expected


def test_a_date_outside_the_window_is_refused_in_a_date_list() -> None:
    with pytest.raises(InvalidInput, match="9999-12-31 ligger utanför det tillåtna intervallet 1990-01-01 – 2100-12-31"):
        parse_rules({**FORBUND, "rapportering": {"delrapport": {"schema": "datumlista", "datumlista": ["9999-12-31"]}}},
                    "x")


def test_bad_values_are_named_by_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "regler.yaml"
    path.write_text(
        FORBUND_YAML + "rapportering:\n  delrapport:\n    manader: 0\n    schema: varannan\n  okand: 3\n", encoding="utf-8"
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
        parse_rules({**FORBUND, "rapportering": {"delrapport": {"schema": "fasta_datum", "fasta_datum": ["04-30", "02-30"]}}}, "x")


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "regler.yaml"
    path.write_text(FORBUND_YAML + "rapportering:\n  delrapport: [\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="rad 6"):
        load_rules(path)


def test_missing_file() -> None:
    with pytest.raises(FinsamError, match="Kan inte läsa regelfilen"):
        load_rules(Path("/nonexistent/regler.yaml"))


def test_insats_override_merges_over_the_forbund_rules() -> None:
    regler = parse_rules({**FORBUND, "rapportering": {"delrapport": {"dagar_efter_period": 20}}}, "x")
    schedule = regler.schedule({"delrapport": {"schema": "datumlista", "datumlista": ["2022-03-31"]}})
    assert schedule.schema is SchemaTyp.DATUMLISTA
    assert schedule.datumlista == (date(2022, 3, 31),)
    assert schedule.dagar_efter_period == 20  # kept from the förbund's rules


def test_invalid_override_is_refused() -> None:
    regler = parse_rules(FORBUND, "x")
    with pytest.raises(InvalidInput, match="datumlista"):
        regler.schedule({"delrapport": {"schema": "datumlista"}})


def test_impossible_date_in_a_date_list_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "regler.yaml"
    path.write_text(FORBUND_YAML + "rapportering:\n  delrapport:\n    schema: datumlista\n    datumlista: [2027-02-30]\n",
                    encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"rapportering\.delrapport\.datumlista\.0"):
        load_rules(path)


def test_the_windows_and_the_change_rules_are_in_the_file_with_their_defaults(tmp_path: Path) -> None:
    path = tmp_path / "regler.yaml"
    path.write_text(FORBUND_YAML, encoding="utf-8")
    regler = load_rules(path)
    assert (regler.drift.utskicksstorning_timmar, regler.drift.kommande_dagar, regler.drift.underlag_dagar,
            regler.drift.matchning_procent) == (20, 30, 90, 85)
    assert (regler.andringar.rattvis_frist_arbetsdagar, regler.andringar.anstand_beslutas_av) == (20, "kansli")
    path.write_text(FORBUND_YAML + "drift:\n  matchning_procent: 40\n  kommande_dagar: 0\n"
                    "andringar:\n  anstand_beslutas_av: chefen\n  rattvis_frist_arbetsdagar: 0\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as error:
        load_rules(path)
    message = str(error.value)
    for field in ("drift.matchning_procent", "drift.kommande_dagar", "andringar.anstand_beslutas_av",
                  "andringar.rattvis_frist_arbetsdagar"):
        assert field in message
