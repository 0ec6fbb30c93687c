"""YAML as the kansli writes it: dates stay text until our own parser reads them.

PyYAML turns 2027-02-30 into an exception deep inside its loader, with no line; keeping
dates as strings lets the caller say which field is wrong.
"""

from __future__ import annotations

from typing import Any

import yaml

from finsam.errors import InputProblem, InvalidInput


class _TextDateLoader(yaml.SafeLoader):
    pass


_TextDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    """The data and its node tree (for line numbers); InvalidInput naming the line on a syntax error."""
    try:
        return yaml.load(text, Loader=_TextDateLoader), yaml.compose(text, Loader=_TextDateLoader)  # noqa: S506
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InvalidInput(source, [InputProblem(f"ogiltig YAML: {getattr(e, 'problem', None) or e}", line=line)]) from None
