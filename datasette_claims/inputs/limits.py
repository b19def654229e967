"""How much one input file may hold, checked before the expensive work on it.

Parsing YAML takes about 70 bytes of memory per byte of input, trafilatura minutes on a
60 MB page, and extraction about 8 s per MB of claim-dense text: a file over a limit is
refused, naming it and the option that raises the limit, before any of that starts.
Imported data files (CSV, ClaimReview, ...) stream, so they are bound by claims, not bytes.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from datasette_claims.errors import LoadError

MB = 1_000_000


@dataclass(frozen=True)
class Limits:
    # An article (text, Markdown, saved HTML), a claim file or a source registry. News
    # articles are well under 1 MB, saved pages with their scripts a few MB.
    max_bytes: int = 5 * MB
    # Claims in one claim file or imported file (extraction is bound by max_bytes).
    max_claims: int = 100_000


DEFAULT_LIMITS = Limits()
# The limits of this load (`datasette claims load --max-bytes / --max-claims`).
LIMITS: ContextVar[Limits] = ContextVar("limits", default=DEFAULT_LIMITS)


def check_size(path: Path, what: str) -> None:
    """Refuse a file over max_bytes before it is read (WHAT: "article", "claim file", ...)."""
    limit = LIMITS.get().max_bytes
    try:
        size = path.stat().st_size
    except OSError:
        return  # the reader says what is wrong with the file
    if size > limit:
        raise LoadError(
            f"the {what} has {size:,} bytes, over the limit of {limit:,} bytes for one "
            "article, claim file or registry; split it, or raise the limit with --max-bytes",
            file=str(path),
        )


def check_claims(count: int, path: str, line: int | None, field: str | None = None) -> None:
    """Refuse a file with more than max_claims claims (COUNT so far), at LINE."""
    limit = LIMITS.get().max_claims
    if count > limit:
        raise LoadError(
            f"more than {limit:,} claims in one file; split it, or raise the limit with "
            "--max-claims",
            file=path,
            line=line,
            field=field,
        )
