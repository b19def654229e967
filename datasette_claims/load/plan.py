"""What a load will write: the validated rows of one plan, and what plans share."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from datasette_claims.inputs.registry import SourceEntry
from datasette_claims.model import ClaimRow, DocumentRow, PropositionRow


@dataclass
class LoadSession:
    """What consecutive plans of one load share: the matcher's index, kept in memory."""

    match_index: Any = None


@dataclass
class LoadPlan:
    """Rows to write, already validated against each other and the database."""

    sources: list[SourceEntry] = field(default_factory=list)
    groups: dict[str, str] = field(default_factory=dict)  # source id -> institution
    documents: list[DocumentRow] = field(default_factory=list)
    propositions: list[PropositionRow] = field(default_factory=list)
    claims: list[ClaimRow] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)  # imported verdicts
    proposition_terms: dict[str, Counter] = field(default_factory=dict)  # matcher index delta
    ratings: list[dict[str, Any]] = field(default_factory=list)  # imported source ratings
    # Speakers the registry did not know, as provisional sources (never overwrite a row).
    suggested_sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    # What extractors had to say (e.g. model spans not found in the text), by count.
    extraction_notes: Counter = field(default_factory=Counter)
    # What the user is told but that stops nothing (invalid bytes replaced in a page).
    warnings: list[str] = field(default_factory=list)
