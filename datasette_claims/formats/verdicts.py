"""Fact-checkers' verdicts mapped to claim statuses: documented, and replaceable."""

from __future__ import annotations

import re
from pathlib import Path

from datasette_claims.errors import LoadError
from datasette_claims.inputs.structured import read_structured
from datasette_claims.model import STATUSES

# Verdict words, lower-cased with punctuation folded to spaces, to our statuses.
DEFAULT_VERDICTS: dict[str, str] = {
    # confirmed
    "true": "confirmed",
    "correct": "confirmed",
    "accurate": "confirmed",
    "mostly true": "confirmed",
    "mostly correct": "confirmed",
    "verified": "confirmed",
    "supported": "confirmed",
    "confirmed": "confirmed",
    # refuted
    "false": "refuted",
    "pants fire": "refuted",
    "pants on fire": "refuted",
    "incorrect": "refuted",
    "wrong": "refuted",
    "fake": "refuted",
    "mostly false": "refuted",
    "barely true": "refuted",
    "partly false": "refuted",
    "partlyfalse": "refuted",
    "fabricated": "refuted",
    "hoax": "refuted",
    "scam": "refuted",
    "refuted": "refuted",
    "untrue": "refuted",
    "not true": "refuted",
    "inaccurate": "refuted",
    # disputed
    "half true": "disputed",
    "mixture": "disputed",
    "mixed": "disputed",
    "misleading": "disputed",
    "missing context": "disputed",
    "exaggerated": "disputed",
    "needs context": "disputed",
    "disputed": "disputed",
    "out of context": "disputed",
    "altered": "disputed",
    "satire": "disputed",
    # no verdict
    "unproven": "unverified",
    "unverified": "unverified",
    "unsupported": "unverified",
    "no evidence": "unverified",
    "not enough evidence": "unverified",
    "retracted": "retracted",
}


def normalise_verdict(verdict: str | None, mapping: dict[str, str] | None = None) -> str:
    """Our status for a verdict; unknown verdicts stay `unverified` (kept verbatim beside)."""
    if not verdict:
        return "unverified"
    key = re.sub(r"[^\w]+", " ", verdict.lower()).strip()
    table = mapping or DEFAULT_VERDICTS
    return table.get(key, table.get(key.replace(" ", ""), "unverified"))


def load_verdict_map(path: Path) -> dict[str, str]:
    """A YAML/JSON mapping of verdict to status, merged over the defaults."""
    data = read_structured(path)
    if not isinstance(data, dict):
        raise LoadError("a verdict map is a mapping of verdict to status", file=str(path))
    mapping = dict(DEFAULT_VERDICTS)
    for verdict, status in data.items():
        if status not in STATUSES:
            line = data.line_of(str(verdict)) if hasattr(data, "line_of") else None
            raise LoadError(
                f"'{status}' is not one of {', '.join(STATUSES)}",
                file=str(path),
                line=line,
                field=str(verdict),
            )
        mapping[re.sub(r"[^\w]+", " ", str(verdict).lower()).strip()] = status
    return mapping
