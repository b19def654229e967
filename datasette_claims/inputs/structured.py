"""Read YAML and JSON input files keeping line numbers, so errors can point at a line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from datasette_claims.errors import LoadError
from datasette_claims.inputs.decoding import read_text


class Mapping(dict):
    """A dict that remembers the line of each key (1-based) and its own line."""

    line: int | None = None
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key, self.line)


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it


_MERGE_TAG = "tag:yaml.org,2002:merge"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that records lines and refuses aliases (no billion-laughs expansion)."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # An alias is a node met a second time; refuse it before it can be expanded.
        if node in self.constructed_objects or node in self.recursive_objects:
            raise LoadError(
                "YAML aliases (*name) are not allowed in claim files",
                line=node.start_mark.line + 1,
            )
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:  # e.g. an integer of 5000 digits
            raise LoadError(
                f"cannot read {_excerpt(node)}: {exc}", line=node.start_mark.line + 1
            ) from None

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        # An unquoted 2024-02-30 looks like a date to YAML but is none.
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise LoadError(
                f"'{node.value}' is not a calendar date or time", line=node.start_mark.line + 1
            ) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Mapping:
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                # `<<: *base` copies another mapping in: an alias by another name.
                raise LoadError(
                    "YAML merge keys (<<) are not allowed in claim files",
                    line=key_node.start_mark.line + 1,
                )
            if isinstance(key_node, yaml.ScalarNode):
                line = key_node.start_mark.line + 1
                if isinstance(value_node, yaml.ScalarNode) and value_node.tag == _TIMESTAMP_TAG:
                    try:
                        self.construct_yaml_timestamp(value_node)
                    except LoadError as exc:
                        exc.field = str(key_node.value)
                        raise
                if key_node.value in seen:
                    raise LoadError(
                        f"key '{key_node.value}' appears twice in one mapping "
                        f"(first on line {seen[key_node.value]})",
                        line=line,
                    )
                seen[key_node.value] = line
        mapping = Mapping(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {
            str(key_node.value): key_node.start_mark.line + 1
            for key_node, _ in node.value
            if isinstance(key_node, yaml.ScalarNode)
        }
        return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping
)
_LineLoader.add_constructor(_TIMESTAMP_TAG, _LineLoader.construct_yaml_timestamp)


def _excerpt(node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode):
        return "this value"
    value = str(node.value)
    return f"the value '{value[:20]}...'" if len(value) > 20 else f"the value '{value}'"


def read_structured(path: Path) -> Any:
    """Parse a YAML or JSON file; mappings come back as `Mapping` with line numbers."""
    text = read_text(path)
    if path.suffix.lower() == ".json":
        try:
            parsed = json.loads(text, object_pairs_hook=_json_mapping)
        except json.JSONDecodeError as exc:
            raise LoadError(f"malformed JSON: {exc.msg}", file=str(path), line=exc.lineno) from None
        except LoadError as exc:
            exc.file = str(path)
            raise
        except RecursionError:
            raise LoadError("JSON nested too deeply", file=str(path)) from None
        except ValueError as exc:  # a number of more than 4300 digits
            raise LoadError(f"unreadable JSON: {exc}", file=str(path)) from None
        # The values come from the JSON parser; JSON is also YAML flow style, so a second
        # read with the YAML loader recovers the line of each key for error messages.
        try:
            located = yaml.load(text, Loader=_LineLoader)  # noqa: S506
        except (yaml.YAMLError, LoadError, RecursionError):
            return parsed
        _copy_lines(parsed, located)
        return parsed
    return parse_yaml(text, str(path))


def parse_yaml(text: str, file: str, what: str = "YAML") -> Any:
    """YAML text with line numbers and the loader's refusals; every error names `file`.

    Lines count from the start of `text`: pad it with newlines to number them as in a
    larger file (front matter starts on line 2)."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except LoadError as exc:
        exc.file = file
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise LoadError(f"malformed {what}: {exc.problem or exc}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise LoadError(f"malformed {what}: {exc}", file=file) from None
    except RecursionError:
        raise LoadError(f"{what} nested too deeply", file=file) from None


def _json_mapping(pairs: list[tuple[str, Any]]) -> Mapping:
    mapping = Mapping(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        duplicate = None
        for key, _ in pairs:
            if key in seen:
                duplicate = key
                break
            seen.add(key)
        raise LoadError(f"key '{duplicate}' appears twice in one object")
    mapping.key_lines = {}
    return mapping


def _copy_lines(target: Any, located: Any) -> None:
    """Give the JSON parser's mappings the line numbers the YAML reading found."""
    if isinstance(target, Mapping) and isinstance(located, Mapping):
        target.line, target.key_lines = located.line, located.key_lines
        for key, value in target.items():
            _copy_lines(value, located.get(key))
    elif isinstance(target, list) and isinstance(located, list):
        for value, twin in zip(target, located, strict=False):
            _copy_lines(value, twin)
