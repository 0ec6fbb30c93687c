"""A Word form read by its structure, as a person reads it: the förbund's templates are forms, not pages.

Each label stands in a table cell with its value in the cell below it or beside it, sometimes two label/value
pairs in one row ("Organisations namn | Arbetsställets namn", their values in the row under); values are typed
into Word's grey fill-in fields (legacy FORMTEXT fields) or content controls (`w:sdt`, plain or rich text);
some text sits in text boxes; the checklist is ticked with content-control checkboxes (`w14:checkbox`), legacy
FORMCHECKBOX fields or a glyph (☒ ☐ ✓ X) in a Ja/Nej cell. Merged cells (gridSpan, vMerge) and nested tables
are read where they stand.

`read_form` gives three things: the text in reading order (for the sections and the economic table), the
label/value pairs of the tables (the value exactly as it stands under or beside its label: never the next label),
and the checklist rows. Which texts are labels is the caller's knowledge (`is_label`); this module knows Word.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
CHECKED, UNCHECKED = "☒", "☐"
# What a tick looks like where the form has no real checkbox: a glyph typed into the Ja/Nej cell.
TICKS = ("☒", "☑", "✓", "✔", "✗", "✘", "X", "x")
EMPTY_FIELD = "\u2002" * 5  # what Word puts in an empty FORMTEXT field (five en spaces)


@dataclass(frozen=True)
class Pair:
    label: str
    value: str  # "" when the field was left empty (an empty grey field, a placeholder)
    hur: str  # "under" / "bredvid" / "i cellen": where the value stood
    avsnitt: str = ""  # the numbered section the table stands in ("8")


@dataclass(frozen=True)
class CheckRow:
    rad: str
    ja: bool
    nej: bool
    avsnitt: str = ""  # the section the line stands in ("5.1")

    @property
    def svar(self) -> str | None:
        if self.ja and not self.nej:
            return "ja"
        if self.nej and not self.ja:
            return "nej"
        return None


@dataclass
class FormRead:
    lines: list[str] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    checks: list[CheckRow] = field(default_factory=list)
    avsnitt: str = ""  # the numbered section being read (for the checklist's lines)


# ------------------------------------------------------------------------------------------------ text

def _local(element) -> str:  # noqa: ANN001
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _sdt_state(sdt) -> tuple[str | None, bool]:  # noqa: ANN001
    """A content control's checkbox state (☒/☐, or None for no checkbox) and whether it shows its placeholder."""
    pr = sdt.find(f"{W}sdtPr")
    if pr is None:
        return None, False
    placeholder = pr.find(f"{W}showingPlcHdr") is not None
    box = pr.find(f"{W14}checkbox")
    if box is None:
        return None, placeholder
    checked = box.find(f"{W14}checked")
    value = checked.get(f"{W14}val") if checked is not None else "0"
    return (CHECKED if value in ("1", "true", "on") else UNCHECKED), placeholder


def _checkbox_field(ff) -> str:  # noqa: ANN001
    box = ff.find(f"{W}checkBox")
    for tag in ("checked", "default"):
        node = box.find(f"{W}{tag}") if box is not None else None
        if node is not None:
            return CHECKED if node.get(f"{W}val", "1") in ("1", "true", "on") else UNCHECKED
    return UNCHECKED


class _Runs:
    """The text of a paragraph's runs, with Word's complex fields resolved: a FORMTEXT field gives the text of its
    result (empty when left as Word's five en spaces), a FORMCHECKBOX its state; other fields their result."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.depth = 0
        self.in_result = False
        self.kind: str | None = None
        self.checkbox: str | None = None
        self.result: list[str] = []

    def element(self, node) -> None:  # noqa: ANN001, C901
        tag = _local(node)
        if tag == "fldChar":
            kind = node.get(f"{W}fldCharType")
            if kind == "begin":
                self.depth += 1
                self.kind, self.in_result, self.result = None, False, []
                ff = node.find(f"{W}ffData")
                self.checkbox = _checkbox_field(ff) if ff is not None and ff.find(f"{W}checkBox") is not None else None
            elif kind == "separate":
                self.in_result = True
            elif kind == "end" and self.depth:
                self.depth -= 1
                if self.checkbox is not None or (self.kind or "").startswith("FORMCHECKBOX"):
                    self.parts.append(self.checkbox or UNCHECKED)
                else:
                    text = "".join(self.result)
                    self.parts.append("" if not text.strip("\u2002 \u00a0") else text)
                self.in_result, self.kind, self.checkbox = False, None, None
            return
        if tag == "instrText" and self.depth:
            self.kind = ((self.kind or "") + (node.text or "")).strip() or self.kind
            return
        text = {"t": node.text or "", "tab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-"}.get(tag)
        if text is None:
            return
        if self.depth and self.in_result:
            self.result.append(text)
        elif not self.depth:
            self.parts.append(text)

    def text(self) -> str:
        return "".join(self.parts)


def _paragraph_text(p) -> str:  # noqa: ANN001
    runs = _Runs()
    _walk_inline(p, runs)
    return runs.text()


def _walk_inline(node, runs: _Runs) -> None:  # noqa: ANN001
    for child in node:
        tag = _local(child)
        if tag == "sdt":  # an inline content control: its checkbox state, or its text unless it shows the placeholder
            state, placeholder = _sdt_state(child)
            if state is not None:
                runs.parts.append(state)
            elif not placeholder:
                content = child.find(f"{W}sdtContent")
                if content is not None:
                    _walk_inline(content, runs)
            continue
        if tag == "AlternateContent":  # a text box in both a modern and a fallback form: read one of them
            choice = child.find(f"{MC}Choice")
            _walk_inline(choice if choice is not None else child, runs)
            continue
        if tag == "txbxContent":  # text in a text box, on lines of its own
            runs.parts.append("\n" + "\n".join(_block_lines(child)) + "\n")
            continue
        if tag in ("fldChar", "instrText", "t", "tab", "br", "cr", "noBreakHyphen"):
            runs.element(child)
            continue
        if tag in ("del", "moveFrom", "rPr", "pPr"):  # deleted text is not the form's; properties hold no text
            continue
        _walk_inline(child, runs)


def _block_lines(container) -> list[str]:  # noqa: ANN001
    """The text of a block container (the body, a cell, a text box, a content control) in reading order."""
    lines: list[str] = []
    for block in _blocks(container):
        if _local(block) == "p":
            lines.extend(_paragraph_text(block).split("\n"))
        else:
            for row in _rows(block):
                for cell in row:
                    if not cell.continued:
                        lines.extend(cell.lines)
    return lines


def _blocks(container) -> Iterator:  # noqa: ANN001
    """Paragraphs and tables of a container in order, block-level content controls opened."""
    for child in container:
        tag = _local(child)
        if tag in ("p", "tbl"):
            yield child
        elif tag == "sdt":
            state, placeholder = _sdt_state(child)
            content = child.find(f"{W}sdtContent")
            if content is not None and not placeholder:
                yield from _blocks(content)
        elif tag in ("customXml", "ins"):
            yield from _blocks(child)


# ---------------------------------------------------------------------------------------------- tables

@dataclass
class _Cell:
    column: int  # its first grid column
    span: int
    lines: list[str]
    continued: bool  # a vMerge continuation: the cell above reaches down here
    node: object = None

    @property
    def text(self) -> str:
        return "\n".join(line for line in self.lines).strip()


def _rows(table) -> list[list[_Cell]]:  # noqa: ANN001
    rows = []
    for tr in table.findall(f"{W}tr"):
        column, cells = 0, []
        for tc in _row_cells(tr):
            pr = tc.find(f"{W}tcPr")
            span = 1
            continued = False
            if pr is not None:
                grid = pr.find(f"{W}gridSpan")
                span = int(grid.get(f"{W}val", "1")) if grid is not None and grid.get(f"{W}val", "1").isdigit() else 1
                merge = pr.find(f"{W}vMerge")
                continued = merge is not None and merge.get(f"{W}val", "continue") != "restart"
            cells.append(_Cell(column, max(span, 1), [] if continued else _block_lines(tc), continued, tc))
            column += max(span, 1)
        rows.append(cells)
    return rows


def _row_cells(tr) -> Iterator:  # noqa: ANN001
    for child in tr:
        tag = _local(child)
        if tag == "tc":
            yield child
        elif tag == "sdt":  # a content control around cells
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from _row_cells(content)


def _at(row: list[_Cell], column: int) -> _Cell | None:
    return next((c for c in row if c.column <= column < c.column + c.span), None)


def _has_box(text: str) -> bool:
    return CHECKED in text or UNCHECKED in text


def _ticked(text: str) -> bool:
    stripped = text.replace("Ja", "").replace("JA", "").replace("Nej", "").replace("NEJ", "").strip()
    return CHECKED in text or "☑" in text or (stripped in TICKS[2:] and not _has_box(text))


def _table(table, is_label: Callable[[str], bool], out: FormRead) -> None:  # noqa: ANN001
    rows = _rows(table)
    header: dict[int, str] = {}  # a row of "Ja" / "Nej" headings: which column answers what

    def first_line(cell: _Cell | None) -> str:
        return next((line.strip() for line in cell.lines if line.strip()), "") if cell is not None else ""

    for r, row in enumerate(rows):
        for cell in row:  # nested tables, where they stand
            for block in _blocks(cell.node) if cell.node is not None and not cell.continued else ():
                if _local(block) == "tbl":
                    _table(block, is_label, out)
        words = {c.column: c.text.strip().rstrip(":").casefold() for c in row if not c.continued}
        if set(words.values()) - {""} and set(words.values()) - {""} <= {"ja", "nej"}:
            header = {col: w for col, w in words.items() if w in ("ja", "nej")}
            continue
        if _check_row(row, header, out):
            continue
        for i, cell in enumerate(row):
            lines = [line.strip() for line in cell.lines if line.strip()]
            if cell.continued or not lines or not is_label(lines[0]) or _holds_table(cell):
                continue
            if len(lines) > 1:  # label and value in one cell, one paragraph under the other
                out.pairs.append(Pair(lines[0], "\n".join(lines[1:]), "i cellen", out.avsnitt))
                continue
            beside = row[i + 1] if i + 1 < len(row) else None
            if beside is not None and first_line(beside) and not is_label(first_line(beside)):
                out.pairs.append(Pair(lines[0], beside.text, "bredvid", out.avsnitt))
                continue
            below = _at(rows[r + 1], cell.column) if r + 1 < len(rows) else None
            if below is not None and not below.continued and not is_label(first_line(below)):
                out.pairs.append(Pair(lines[0], below.text, "under", out.avsnitt))
            else:
                out.pairs.append(Pair(lines[0], "", "under", out.avsnitt))  # the label is there, its value is not


def _holds_table(cell: _Cell) -> bool:
    """A cell with a table in it: its pairs are the nested table's, read where it stands."""
    return cell.node is not None and any(_local(b) == "tbl" for b in _blocks(cell.node))


def _check_row(row: list[_Cell], header: dict[int, str], out: FormRead) -> bool:
    """A checklist row: its question and which of Ja / Nej is ticked (a box, or a glyph in a Ja/Nej column)."""
    question = next((c for c in row if not c.continued and c.text), None)
    if question is None:
        return False
    others = [c for c in row if c is not question and not c.continued]
    ja = nej = False
    found = False
    for cell in others:
        text = cell.text
        answer = header.get(cell.column)
        if answer is None:
            folded = text.casefold()
            if _has_box(text) and ("ja" in folded or "nej" in folded):
                # "☒ Ja ☐ Nej" in one cell: each box belongs to the word after it
                for piece in text.replace(UNCHECKED, "\x00" + UNCHECKED).replace(CHECKED, "\x00" + CHECKED).split("\x00"):
                    word = piece[1:].strip().casefold()
                    if piece[:1] in (CHECKED, UNCHECKED) and word.startswith(("ja", "nej")):
                        found = True
                        if piece[:1] == CHECKED:
                            ja, nej = (True, nej) if word.startswith("ja") else (ja, True)
            continue
        found = True
        if _ticked(text):
            ja, nej = (True, nej) if answer == "ja" else (ja, True)
    if not found:
        return False
    out.checks.append(CheckRow(" ".join(question.text.split()), ja, nej, out.avsnitt))
    return True


# ------------------------------------------------------------------------------------------------ door

def read_form(body, is_label: Callable[[str], bool], budget_check: Callable[[], None] = lambda: None) -> FormRead:  # noqa: ANN001
    """The body of a Word document (python-docx's `document.element.body`) read as a form."""
    from finsam.intake.sections import heading

    out = FormRead()
    current: tuple[int, int] | None = None
    for block in _blocks(body):
        budget_check()
        if _local(block) == "p":
            text = _paragraph_text(block)
            if (key := heading(text, current)) is not None:
                current = key
                out.avsnitt = f"{key[0]}.{key[1]}" if key[1] else str(key[0])
            out.lines.extend(text.split("\n"))
            continue
        _table(block, is_label, out)
        for row in _rows(block):
            budget_check()
            for cell in row:
                if not cell.continued:
                    out.lines.extend(cell.lines)
    # Text boxes anchored outside the paragraphs' runs (rare) are reached through their paragraphs above.
    return out
