"""Hardening of report intake: documents beyond the limits are refused by name, and the field search
does work linear in the text's length."""

from __future__ import annotations

import random

import pytest

from finsam.errors import FinsamError
from finsam.intake.extract import VALUE_WINDOW, extract
from finsam.intake.limits import Budget

# --- the field search is linear in the text's length ---

WORDS = "lorem ipsum dolor 12 345 2019 kr insatsen medel namn för gäller perioden kommun region".split()
LABELS = ["Diarienummer", "Insatsens namn", "Utnyttjade medel", "Beviljade medel för insatsen", "E-postadress",
          "Namn - kontaktperson för insatsägare", "Insatstid", "Delrapporten gäller för perioden"]


def _line(size: int, vocabulary: list[str], seed: int = 1) -> str:
    rng = random.Random(seed)
    words: list[str] = []
    length = 0
    while length < size:
        words.append(rng.choice(vocabulary))
        length += len(words[-1]) + 1
    return " ".join(words)


def _work(text: str) -> Budget:
    budget = Budget("rad.txt")
    extract(text, budget)
    return budget


# Lines that made the old search quadratic: a run of digits or one long word after a label (the amount,
# e-mail and phone patterns backtrack over all of it), and lines of label-like words.
SHAPES = {
    "random words": lambda size: _line(size, WORDS),
    "label-like words": lambda size: _line(size, [w for label in LABELS for w in label.split()]),
    "digits after Utnyttjade medel": lambda size: "Utnyttjade medel " + "1" * size,
    "digit groups after Beviljade medel": lambda size: "Beviljade medel för insatsen " + _line(size, ["1", "234", "5678"]),
    "one long word after E-postadress": lambda size: "E-postadress " + "a" * size,
    "phone-like after kontaktperson": lambda size: "Namn - kontaktperson för insatsägare " + _line(size, ["070", "12-34", "5"]),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_one_long_line_costs_no_more_than_a_short_one(shape: str) -> None:
    # 20 KB and 100 KB on one line (the 20 KB line of digits took about 30 s before). The work is
    # counted, not timed: the fuzzy comparisons and the characters the value patterns search. The
    # patterns backtrack, so their cost is bounded by searching at most VALUE_WINDOW characters at a time.
    small, big = _work(SHAPES[shape](20_000)), _work(SHAPES[shape](100_000))
    assert big.comparisons <= small.comparisons + 16  # the label variants, once per line
    assert big.searched <= small.searched + VALUE_WINDOW
    assert big.longest <= VALUE_WINDOW


def test_the_work_grows_with_the_number_of_lines_and_no_faster() -> None:
    lines = [_line(80, WORDS, seed) for seed in range(200)] + [f"{label} {_line(300, WORDS, 7)}" for label in LABELS]
    small = "\n".join(lines)
    big = "\n".join(lines * 10)
    one, ten = _work(small), _work(big)
    assert ten.comparisons <= 10 * one.comparisons
    assert ten.searched <= 10 * one.searched
    assert ten.longest <= VALUE_WINDOW


def test_a_value_is_still_found_before_a_long_tail() -> None:
    text = "Slutrapport\nUtnyttjade medel 580 690 kr " + "1" * 50_000 + "\nE-postadress\nhelena@hudiksvall.example " + "a" * 50_000
    data = extract(text).as_json()
    assert (data["utnyttjade_medel_kr"], data["kontakt_epost"]) == (580690, "helena@hudiksvall.example")


def test_the_search_stops_at_the_time_limit() -> None:
    budget = Budget("lång.txt", seconds=1e-9)
    with pytest.raises(FinsamError, match="lång.txt: att läsa dokumentet tog mer än 1e-09 sekunder"):
        extract("Slutrapport\n" + "Insatsens namn\nAktiv vardag\n" * 10, budget)
