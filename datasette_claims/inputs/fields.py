"""Small validators for fields of YAML/JSON input, each error naming file, line and field."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any
from urllib.parse import urlsplit

from datasette_claims.errors import LoadError
from datasette_claims.inputs.structured import Mapping

_PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


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
        parts = urlsplit(value.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise self.error(f"'{value}' is not an http(s) URL", key)
        return value.strip()

    def slug(self, key: str, required: bool = False) -> str | None:
        value = self.text(key, required)
        if value is not None and not _SLUG.match(value):
            raise self.error(
                f"'{value}' is not a valid id (letters, digits, '-', '_', '.', ':'; no spaces)", key
            )
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
        if not math.isfinite(value) or abs(value) >= 1e15:
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
        if len(text) == 10:
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                raise self.error(f"'{text}' is not a calendar date", key) from None
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
