"""Small validators for fields of YAML/JSON input, each error naming file, line and field."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from datasette_claims.errors import LoadError
from datasette_claims.inputs.structured import Mapping

_PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
# An ISO 8601 date at any precision, or a date-time (with an offset, if known).
ISO_DATE = re.compile(
    r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?)?)?)?$",
    re.ASCII,  # no other script's digits
)
_TIME = re.compile(r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):?(\d{2}))?)?")
FIGURE_LIMIT = 1e15  # SQLite integers are 64-bit; no figure anyone reports comes near
ID_LIMIT = 200
# Every word our pages' URLs use after /-/claims/ (web/routes.py; a test keeps the two in
# step). A claim, proposition or source with such an id, or one ending in the `.json` the
# pages strip, could never be viewed, so none is accepted; published URLs stay as they are.
RESERVED_IDS = frozenset(
    {
        "add",
        "story",
        "compare",
        "sources",
        "changes.atom",
        "checked.atom",
        "review",
        "link",
        "unlink",
        "merge",
        "split",
        "confirm",
        "rename",
    }
)


def usable_figure(value: Any) -> bool:
    """Whether VALUE is a figure worth storing: a finite number (not true/false) below 10^15."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value) and abs(value) < FIGURE_LIMIT
    except OverflowError:  # an integer too large for a float
        return False


def date_problem(text: str) -> str | None:
    """Why TEXT is not an ISO 8601 date (2024, 2024-12, 2024-12-01 or a date-time), or None.

    The form is not enough: 2024-02-30 and 25:00 are refused too."""
    if not ISO_DATE.fullmatch(text):
        return f"'{text}' is not an ISO 8601 date (2024, 2024-12, 2024-12-01, or a date-time)"
    if len(text) >= 10:
        try:
            dt.date.fromisoformat(text[:10])
        except ValueError:
            return f"'{text}' is not a calendar date"
        time = _TIME.fullmatch(text[10:])
        if time and any(
            int(n or 0) > limit
            for n, limit in zip(time.groups(), (23, 59, 59, 23, 59), strict=True)
        ):
            return f"'{text}' is not a time of day"
    return None


def url_problem(text: str) -> str | None:
    """Why TEXT is not an http(s) URL (javascript:, data:, relative ...), or None."""
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed [IPv6] host
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return f"'{text}' is not an http(s) URL"
    return None


def id_problem(value: str) -> str | None:
    """Why VALUE is no usable id (control characters, edge whitespace, too long, a word
    the pages' URLs use), or None."""
    if len(value) > ID_LIMIT:
        return f"an id has at most {ID_LIMIT} characters, this one has {len(value)}"
    if value in RESERVED_IDS or value.endswith(".json"):
        return (
            f"the id {value!r} is reserved: the pages' URLs use it "
            f"({', '.join(sorted(RESERVED_IDS))}, and ids ending in .json)"
        )
    if value != value.strip():
        return f"the id {value!r} begins or ends with whitespace"
    if not value.isprintable():
        return f"the id {value!r} contains a control or invisible character"
    return None


def name_problem(value: str) -> str | None:
    """Why VALUE cannot name a source (it carries control characters or line breaks), or None."""
    # Printable text has no Cc, Zl or Zp character: the per-character look-up is for the rest.
    if value.isprintable():
        return None
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in value):
        return f"the name {value!r} contains a control character or line break"
    return None


class Fields:
    """Reads one mapping of an input file, so every error can say where it happened."""

    def __init__(self, mapping: Any, file: str, what: str, line: int | None = None) -> None:
        if not isinstance(mapping, dict):
            raise LoadError(
                f"each {what} must be a mapping, got {_kind(mapping)}", file=file, line=line
            )
        self.mapping = mapping
        self.file = file
        self.what = what

    def line(self, key: str | None = None) -> int | None:
        if isinstance(self.mapping, Mapping):
            return self.mapping.line_of(key) if key else self.mapping.line
        return None

    def error(self, message: str, key: str | None = None) -> LoadError:
        return LoadError(message, file=self.file, line=self.line(key), field=key)

    def only(self, allowed: set[str]) -> None:
        unknown = sorted(set(map(str, self.mapping)) - allowed)
        if unknown:
            raise self.error(
                f"unknown field in {self.what}; allowed fields are {', '.join(sorted(allowed))}",
                unknown[0],
            )

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.mapping.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.error(f"{self.what} needs a non-empty '{key}'", key)
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.error(f"expected text, got {_kind(value)}", key)
        return str(value)

    def url(self, key: str) -> str | None:
        """An http(s) URL; anything else (javascript:, data:, ...) is refused."""
        value = self.text(key)
        if value is None:
            return None
        problem = url_problem(value.strip())
        if problem:
            raise self.error(problem, key)
        return value.strip()

    def slug(self, key: str, required: bool = False, defines: bool = False) -> str | None:
        """An id; one that DEFINES a claim, proposition or source must also be usable in
        the pages' URLs (id_problem). A reference is only checked for its form: the id it
        names is checked where it is defined."""
        value = self.text(key, required)
        if value is not None and not _SLUG.match(value):
            raise self.error(
                f"'{value}' is not a valid id (letters, digits, '-', '_', '.', ':'; no spaces)", key
            )
        problem = id_problem(value) if value is not None and defines else None
        if problem:
            raise self.error(problem, key)
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.text(key)
        if value is None:
            if default is None:
                raise self.error(f"{self.what} needs '{key}' (one of {', '.join(choices)})", key)
            return default
        if value not in choices:
            raise self.error(f"'{value}' is not one of {', '.join(choices)}", key)
        return value

    def number(self, key: str) -> int | float | None:
        value = self.mapping.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(f"expected a number, got {_kind(value)} {value!r}", key)
        # SQLite integers are 64-bit; NaN and infinity are not figures anyone reports.
        if not usable_figure(value):
            raise self.error(f"{value!r} is not a usable figure (finite, below 10^15)", key)
        return value

    def integer(self, key: str, minimum: int = 0) -> int | None:
        value = self.number(key)
        if value is None:
            return None
        if not isinstance(value, int) or value < minimum:
            raise self.error(f"expected a whole number >= {minimum}, got {value!r}", key)
        return value

    def boolean(self, key: str) -> bool:
        value = self.mapping.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.error(f"expected true or false, got {value!r}", key)
        return value

    def date(self, key: str) -> str | None:
        """An ISO 8601 date at the precision the text gives: 2024, 2024-12 or 2024-12-01."""
        value = self.mapping.get(key)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value).strip()
        if not _PARTIAL_DATE.match(text):
            raise self.error(f"'{text}' is not a date like 2024, 2024-12 or 2024-12-01", key)
        problem = date_problem(text)
        if problem:
            raise self.error(problem, key)
        return text

    def timestamp(self, key: str) -> str | None:
        """An ISO 8601 date or date-time (with offset, if known)."""
        value = self.mapping.get(key)
        if value is None:
            return None
        if isinstance(value, (dt.datetime, dt.date)):
            return value.isoformat()
        text = str(value).strip()
        if _PARTIAL_DATE.match(text):
            return self.date(key)
        try:
            return dt.datetime.fromisoformat(text).isoformat()
        except ValueError:
            raise self.error(f"'{text}' is not an ISO 8601 date or date-time", key) from None

    def sub(self, key: str, what: str) -> Fields | None:
        value = self.mapping.get(key)
        if value is None:
            return None
        return Fields(value, self.file, what, self.line(key))

    def items_of(self, key: str) -> list[Any]:
        value = self.mapping.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(f"expected a list, got {_kind(value)}", key)
        return value


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return (
        {dict: "a mapping", list: "a list", str: "text", bool: "true/false"}.get(
            type(value), type(value).__name__
        )
        if not isinstance(value, dict)
        else "a mapping"
    )
