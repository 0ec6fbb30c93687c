"""YAML as the kansli writes it, and nothing more: dates stay text, no anchors, no duplicates.

PyYAML turns 2027-02-30 into an exception deep inside its loader, with no line; keeping
dates as strings lets the caller say which field is wrong. Anchors and aliases let a 1 KB
file expand to gigabytes (a "billion laughs"), merge keys hide where a value came from, and a
key written twice silently loses one of its values: all three are refused with their line,
as is a file larger than any plan or rules file should be.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError

from finsam.domain import limits
from finsam.errors import InputProblem, InvalidInput


class _Refused(yaml.MarkedYAMLError):
    pass


class _PlainLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(None, None, f"alias (*{event.anchor}) är inte tillåtna; skriv ut värdet", event.start_mark)
        if getattr(event, "anchor", None):
            raise _Refused(None, None, f"ankare (&{event.anchor}) är inte tillåtna; skriv ut värdet", event.start_mark)
        return super().compose_node(parent, index)

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(None, None, "sammanslagning med << är inte tillåten; skriv ut nycklarna",
                               key_node.start_mark)
        super().flatten_mapping(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen: dict[Any, int] = {}
            for key_node, _value in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:
                    raise ConstructorError(None, None, "en nyckel måste vara en enkel text", key_node.start_mark) from None
                if first is not None:
                    raise _Refused(None, None, f"nyckeln '{key}' finns redan på rad {first}", key_node.start_mark)
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    """The data and its node tree (for line numbers); InvalidInput naming the line on any refusal."""
    limit = limits.current().max_file_bytes
    if len(text) > limit:
        raise InvalidInput(source, [InputProblem(f"filen är för stor (högst {limit // 1_000_000} MB)")])
    loader = None
    try:
        loader = _PlainLoader(text)  # the reader refuses control characters here, before any parsing
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
        return data, node
    except yaml.reader.ReaderError as e:  # a control character (NUL, DEL, C1) anywhere in the file
        line = text.count("\n", 0, e.position) + 1
        character = e.character if isinstance(e.character, str) else chr(e.character)
        problem = f"tecknet U+{ord(character):04X} är inte tillåtet (styrtecken)"
        raise InvalidInput(source, [InputProblem(problem, line=line)]) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(e, "problem", None) or str(e)
        prefix = "" if isinstance(e, _Refused) else "ogiltig YAML: "
        raise InvalidInput(source, [InputProblem(f"{prefix}{problem}", line=line)]) from None
    except RecursionError:
        raise InvalidInput(source, [InputProblem("filen är för djupt nästlad")]) from None
    finally:
        if loader is not None:
            loader.dispose()
