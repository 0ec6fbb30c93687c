"""Hardening of report intake: documents beyond the limits are refused by name, and the field search
does work linear in the text's length."""

from __future__ import annotations

import random
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from finsam.errors import FinsamError
from finsam.intake.documents import read_document, read_file
from finsam.intake.extract import VALUE_WINDOW, extract
from finsam.intake.limits import Budget, Limits
from report_files import as_docx

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


# --- documents beyond the limits are refused by name, before they are unpacked or read ---

MB = 1024 * 1024
CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 b'content-types"/>')


def _zeros_docx(path: Path, unpacked_mb: int) -> Path:
    """A 'Word file' whose word/document.xml is `unpacked_mb` MB of zeros: it deflates ~1000 to 1."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("word/document.xml", "w") as body:
            chunk = b"0" * MB
            for _ in range(unpacked_mb):
                body.write(chunk)
    return path


def _declare(path: Path, member: str, size: int) -> None:
    """Make the zip's headers lie: declare `size` as the member's unpacked size."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    local = data.index(b"PK\x03\x04")
    while data[local + 30 : local + 30 + len(name)] != name:
        local = data.index(b"PK\x03\x04", local + 4)
    struct.pack_into("<I", data, local + 22, size)
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, size)
    path.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    return _zeros_docx(tmp_path_factory.mktemp("bomb") / "bomb.docx", 200)


def _peak_memory(read) -> int:
    tracemalloc.start()
    try:
        read()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_a_zip_bomb_is_refused_without_being_unpacked(bomb: Path) -> None:
    assert bomb.stat().st_size < MB  # 200 MB unpacked
    with pytest.raises(FinsamError) as refused:
        read_file(bomb)
    assert str(refused.value) == "bomb.docx: Word-filen packas upp till 200,0 MB; finsam läser högst 50,0 MB uppackat."
    peak = _peak_memory(lambda: pytest.raises(FinsamError, read_file, bomb))
    assert peak < 5 * MB, "nothing was unpacked"


def test_a_word_file_whose_headers_lie_about_its_size_is_refused(tmp_path: Path) -> None:
    liar = _zeros_docx(tmp_path / "lögn.docx", 60)
    _declare(liar, "word/document.xml", 1000)  # declares 1 KB, inflates to 60 MB
    peak = _peak_memory(lambda: pytest.raises(FinsamError, read_file, liar))
    assert peak < 5 * MB, "no more than the declared size was unpacked"
    with pytest.raises(FinsamError, match=r"^lögn\.docx: går inte att läsa som Word-dokument \(Bad CRC-32"):
        read_file(liar)


def test_a_word_file_of_too_many_parts_is_refused(tmp_path: Path) -> None:
    path = as_docx("Slutrapport\nInsatsens namn\nAktiv vardag\n", tmp_path / "delar.docx")
    assert read_file(path, Limits(max_zip_entries=100)).text.startswith("Slutrapport")
    with pytest.raises(FinsamError, match=r"^delar\.docx: Word-filen består av \d+ delar; finsam läser högst 5\.$"):
        read_file(path, Limits(max_zip_entries=5))


def test_a_word_file_without_its_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "trasig.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
    with pytest.raises(FinsamError, match=r"^trasig\.docx: går inte att läsa som Word-dokument \("):
        read_file(path)


def test_an_oversize_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "stor.pdf"
    with path.open("wb") as file:
        file.truncate(25 * MB)  # sparse: 25 MB on paper, nothing on disk
    peak = _peak_memory(lambda: pytest.raises(FinsamError, read_file, path))
    assert peak < MB, "the file was not read"
    with pytest.raises(FinsamError) as refused:
        read_file(path)
    assert str(refused.value) == "stor.pdf: filen är 25,0 MB; finsam läser filer på högst 20,0 MB."
    with pytest.raises(FinsamError) as refused:
        read_document("bilaga.txt", b"Slutrapport\n" * 200, Limits(max_bytes=1000))
    assert str(refused.value) == "bilaga.txt: filen är 0,0 MB; finsam läser filer på högst 0,0 MB."


def _pdf(path: Path, pages: int) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=10)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(0, 5, f"Slutrapport sida {number}")
    pdf.output(str(path))
    return path


def test_a_pdf_over_the_page_limit_is_refused(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "lång.pdf", 3)
    assert "sida 3" in read_file(path, Limits(max_pages=3)).text
    with pytest.raises(FinsamError) as refused:
        read_file(path, Limits(max_pages=2))
    assert str(refused.value) == "lång.pdf: PDF-filen har 3 sidor; finsam läser högst 2."


def test_a_damaged_pdf_is_refused_clearly(tmp_path: Path) -> None:
    whole = _pdf(tmp_path / "hel.pdf", 2).read_bytes()
    with pytest.raises(FinsamError, match=r"^trasig\.pdf: går inte att läsa som PDF \("):
        read_document("trasig.pdf", whole[: len(whole) // 3])


def test_reading_stops_at_the_time_limit(tmp_path: Path) -> None:
    path = as_docx("Slutrapport\nInsatsens namn\nAktiv vardag\n", tmp_path / "seg.docx")
    with pytest.raises(FinsamError) as refused:
        read_file(path, Limits(seconds=1e-9))
    assert str(refused.value) == ("seg.docx: att läsa dokumentet tog mer än 1e-09 sekunder; det är för stort eller "
                                  "för invecklat för finsam.")
