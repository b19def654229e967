"""Read YAML and JSON input files keeping line numbers, so errors can point at a line."""

from __future__ import annotations

import codecs
import json
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import yaml

from .errors import LoadError


class Mapping(dict):
    """A dict that remembers the line of each key (1-based) and its own line."""

    line: int | None = None
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key, self.line)


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that records lines and refuses aliases (no billion-laughs expansion)."""

    def construct_object(self, node, deep=False):  # type: ignore[override]
        # An alias is a node met a second time; refuse it before it can be expanded.
        if node in self.constructed_objects or node in self.recursive_objects:
            raise LoadError(
                "YAML aliases (*name) are not allowed in claim files",
                line=node.start_mark.line + 1,
            )
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                line = key_node.start_mark.line + 1
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


# The encoding of input files for this load (`--encoding`); UTF-8 unless the user says.
INPUT_ENCODING: ContextVar[str] = ContextVar("input_encoding", default="utf-8")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its mark begins the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _encoding_of(raw: bytes, chosen: str) -> str:
    for bom, bom_encoding in _BOMS:
        if raw.startswith(bom):
            return bom_encoding
    return chosen


def decode_head(raw: bytes) -> str:
    """The first bytes of a file as text, for recognising its format (never raises)."""
    return raw.decode(_encoding_of(raw, INPUT_ENCODING.get()), errors="replace").removeprefix(
        "\ufeff"
    )


def read_text(path: Path, encoding: str | None = None, allow_empty: bool = False) -> str:
    """Read a text file strictly: a wrong encoding is an error, never silently replaced.

    A byte-order mark says the encoding for itself (UTF-8, -16, -32); otherwise the file
    is read as `encoding` (`--encoding`, UTF-8 by default).
    """
    raw = path.read_bytes()
    chosen = _encoding_of(raw, encoding or INPUT_ENCODING.get())
    wide = codecs.lookup(chosen).name.startswith(("utf-16", "utf-32"))
    if b"\x00" in raw[:8192] and not wide:
        raise LoadError(
            "looks like a binary file or UTF-16 without a byte-order mark; expected "
            f"{chosen} text (for UTF-16 say --encoding utf-16-le)",
            file=str(path),
        )
    try:
        text = raw.decode(chosen)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LoadError(
            f"not valid {chosen} (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "convert the file to UTF-8 or name its encoding with --encoding (e.g. latin-1)",
            file=str(path),
            line=line,
        ) from None
    if "\x00" in text:
        raise LoadError("contains NUL characters: a binary file?", file=str(path))
    text = text.removeprefix("\ufeff")
    if not text.strip() and not allow_empty:
        raise LoadError("the file is empty", file=str(path))
    return text


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
        # The values come from the JSON parser; JSON is also YAML flow style, so a second
        # read with the YAML loader recovers the line of each key for error messages.
        try:
            located = yaml.load(text, Loader=_LineLoader)  # noqa: S506
        except (yaml.YAMLError, LoadError, RecursionError):
            return parsed
        _copy_lines(parsed, located)
        return parsed
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except LoadError as exc:
        exc.file = str(path)
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise LoadError(
            f"malformed YAML: {exc.problem or exc}", file=str(path), line=line
        ) from None
    except yaml.YAMLError as exc:
        raise LoadError(f"malformed YAML: {exc}", file=str(path)) from None
    except RecursionError:
        raise LoadError("YAML nested too deeply", file=str(path)) from None


def _json_mapping(pairs: list[tuple[str, Any]]) -> Mapping:
    mapping = Mapping(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        duplicate = next(k for k, _ in pairs if k in seen or seen.add(k))
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
