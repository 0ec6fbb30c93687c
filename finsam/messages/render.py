"""Rendering a message kind from templates/email/: subject and text from KIND.txt, HTML from KIND.html.

StrictUndefined makes a missing value an error, never a blank; HTML is autoescaped and its
CSS inlined (Outlook ignores <style> blocks in many setups).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from finsam.domain.parsing import plain_text
from finsam.messages.format import antal, dagar_kvar, datum, kronor

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates" / "email"
ARTIFACTS = TEMPLATES.parent / "artifacts"


class MarkdownSafe(str):
    """Text already escaped for Markdown (by `markdown_cell`): the artifact templates print it as it is."""


# What makes structure inside a line of Markdown: emphasis, code, links and images, tables, strikethrough;
# `<` as an entity, so no HTML reaches the page.
_MARKDOWN_SPECIAL = {c: "\\" + c for c in "\\`*_[]|~"} | {"<": "&lt;", ">": "&gt;"}


def markdown_cell(value: object) -> MarkdownSafe:
    """Stored text as it may stand in Markdown (a table cell, a list item, a heading): one line, and no
    character that would make a link, an image, emphasis, a table column or HTML of it. A name such as
    `[Logga in](https://…) <img onerror=…>` shows as the text it is."""
    if isinstance(value, MarkdownSafe):
        return value
    # One line; a non-breaking space (in "366 000 kr") is kept as it is.
    text = " ".join(re.sub(r"[\s\u2028\u2029]", lambda m: m.group(0) if m.group(0) in "\u00a0\u202f" else " ",
                           str(value)).split(" ")).strip()
    text = re.sub(" {2,}", " ", text)
    return MarkdownSafe("".join(_MARKDOWN_SPECIAL.get(c, c) for c in text))


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _environment(directory: Path, *, html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(directory),
        undefined=StrictUndefined,
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(datum=datum, kronor=kronor, dagar_kvar=dagar_kvar, md=markdown_cell, antal=antal)
    return env


class MailRenderer:
    def __init__(self, directory: Path = TEMPLATES):
        self.directory = directory
        self._text = _environment(directory, html=False)
        self._html = _environment(directory, html=True)
        self._inliner = css_inline.CSSInliner(keep_style_tags=False)

    def render(self, kind: str, context: dict[str, Any]) -> Rendered:
        text_template = self._text.get_template(f"{kind}.txt")
        subject = "".join(text_template.blocks["subject"](text_template.new_context(context)))
        subject = plain_text(" ".join(subject.split()))  # one line; control characters refused
        text = text_template.render(context)
        html = self._inliner.inline(self._html.get_template(f"{kind}.html").render(context))
        return Rendered(subject=subject, text=text, html=html)


class MarkdownRenderer:
    """Markdown for Prefect artifacts (templates/artifacts/NAME.md). Every value a template prints is escaped
    (`markdown_cell`), whether or not the template asks for it: stored text never becomes Markdown."""

    def __init__(self, directory: Path = ARTIFACTS):
        self._env = _environment(directory, html=False)
        self._env.finalize = lambda value: value if value is None else markdown_cell(value)

    def render(self, name: str, context: dict[str, Any]) -> str:
        return self._env.get_template(f"{name}.md").render(context)
