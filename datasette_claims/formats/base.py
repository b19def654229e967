"""Importers: claims that others published (ClaimReview, ClaimsKG, LIAR, plain CSV/JSON).

Importers register through the `register_claim_importers` hook, the built-ins included.
Each turns one file into an `ImportBatch` of rows the loader writes like any other input.
"""

from __future__ import annotations

import json
import re
import unicodedata
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cached_property
from pathlib import Path
from typing import Any

from datasette_claims.errors import LoadError
from datasette_claims.formats.verdicts import normalise_verdict
from datasette_claims.inputs.article import guess_language
from datasette_claims.inputs.fields import RESERVED_IDS, id_problem, name_problem
from datasette_claims.inputs.limits import check_claims
from datasette_claims.inputs.registry import SourceEntry
from datasette_claims.model import (
    SOURCE_KINDS,
    ClaimRow,
    DocumentRow,
    PropositionRow,
    claim_row,
    document_row,
    imported_claim_id,
)


@dataclass
class ImportBatch:
    """Rows from one imported file: sources, documents, claims, reviews, source ratings."""

    path: str
    sources: dict[str, SourceEntry] = field(default_factory=dict)
    documents: dict[str, DocumentRow] = field(default_factory=dict)
    claims: dict[str, ClaimRow] = field(default_factory=dict)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    ratings: dict[tuple[str, str, str], int] = field(default_factory=dict)
    propositions: dict[str, PropositionRow] = field(default_factory=dict)
    verdicts: dict[str, str] | None = None
    claim_lines: dict[str, int | None] = field(default_factory=dict)  # where each id was
    _review_keys: set[tuple[Any, ...]] = field(default_factory=set)
    _stubs: set[str] = field(default_factory=set)

    @cached_property
    def file_name(self) -> str:
        return Path(self.path).name

    def source(
        self,
        name: str | None,
        kind: str = "other",
        line: int | None = None,
        source_id: str | None = None,
        role: str | None = None,
        extra: dict[str, Any] | None = None,
        stub: bool = False,
        id_field: str = "source",
        name_field: str = "source_name",
    ) -> str | None:
        """The id of a source by this name, recorded for insertion if new.

        A `stub` (a source known only as some other source's institution) gives way to
        the full description when that source appears in its own right. An id or name
        with control characters is refused (ID_FIELD, NAME_FIELD name them in the input).
        """
        if not name or not str(name).strip():
            return None
        name = str(name).strip()
        for problem, key in (
            (id_problem(source_id) if source_id else None, id_field),
            (name_problem(name), name_field),
        ):
            if problem:
                raise LoadError(problem, file=self.path, line=line, field=key)
        source_id = source_id or slug(name)
        if source_id in self._stubs and not stub:
            del self.sources[source_id]
            self._stubs.discard(source_id)
        if source_id not in self.sources:
            if stub:
                self._stubs.add(source_id)
            if kind not in SOURCE_KINDS:
                raise LoadError(
                    f"'{kind}' is not one of {', '.join(SOURCE_KINDS)}",
                    file=self.path,
                    line=line,
                    field="source_kind",
                )
            self.sources[source_id] = SourceEntry(
                id=source_id,
                name=name,
                kind=kind,
                role=role,
                file=self.path,
                line=line,
                imported=True,
                extra=extra,
                aliases=[(name, None)],
            )
        return source_id

    def claim(
        self,
        *,
        text: str,
        key: str,
        line: int | None,
        source_id: str | None,
        claim_id: str | None = None,
        url: str | None = None,
        title: str | None = None,
        publisher: str | None = None,
        published_at: str | None = None,
        claimed_at: str | None = None,
        stance: str = "asserts",
        quote_kind: str = "paraphrase",
        external_id: str | None = None,
        extra: dict[str, Any] | None = None,
        id_field: str = "id",
        **fields: Any,
    ) -> str:
        """Record a claim with a document of its own text (offsets 0..len); returns its id.

        A CLAIM_ID the input gives must be printable, without edge whitespace and at most
        200 characters: "y1\n" and "y1" would otherwise be two claims."""
        text = (text or "").strip()
        if not text:
            raise LoadError("the claim has no text", file=self.path, line=line, field="text")
        problem = id_problem(claim_id) if isinstance(claim_id, str) else None
        if problem:
            raise LoadError(problem, file=self.path, line=line, field=id_field)
        document = document_row(
            text=text,
            title=title,
            publisher=publisher,
            url=url,
            published_at=published_at,
            path=self.file_name,
            # Guessed once per document and stored, so matching and pages read it.
            language=guess_language(text),
        )
        document_id = document["id"]
        self.documents.setdefault(document_id, document)
        claim_id = claim_id or imported_claim_id(key)
        row = claim_row(
            id=claim_id,
            document_id=document_id,
            source_id=source_id,
            text=text,
            start=0,
            end=len(text),
            quote_kind=quote_kind,
            stance=stance,
            claimed_at=claimed_at,
            origin="imported",
            external_id=external_id,
            extra=json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else None,
            file=self.path,
            **{k: v for k, v in fields.items() if v is not None},
        )
        earlier = self.claims.get(claim_id)
        if earlier is None:
            check_claims(len(self.claims) + 1, self.path, line)  # before the rest is read
        if earlier is not None and earlier["text"] != text:
            raise LoadError(
                f"claim id '{claim_id}' is used twice with different text",
                file=self.path,
                line=line,
                field=id_field,
            )
        self.claims[claim_id] = row  # duplicates in the input collapse into one claim
        self.claim_lines.setdefault(claim_id, line)
        return claim_id

    def review(
        self,
        claim_id: str,
        *,
        reviewer: str | None,
        verdict: str | None,
        status: str | None = None,
        url: str | None = None,
        reviewed_at: str | None = None,
        reviewer_url: str | None = None,
        rating_value: Any = None,
        best_rating: Any = None,
        worst_rating: Any = None,
        line: int | None = None,
    ) -> None:
        if not reviewer and not verdict:
            return
        tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).date().isoformat()
        if reviewed_at and reviewed_at[:10] > tomorrow:
            # A date in the future would outrank every later verdict on the claim for good.
            raise LoadError(
                f"the review date {reviewed_at} is in the future",
                file=self.path,
                line=line,
                field="reviewed_at",
            )
        row = {
            "claim_id": claim_id,
            "reviewer": reviewer or "unknown",
            "reviewer_url": reviewer_url,
            "verdict": verdict,
            "rating_value": _text(rating_value),
            "best_rating": _text(best_rating),
            "worst_rating": _text(worst_rating),
            "status": status or normalise_verdict(verdict, self.verdicts),
            "url": url,
            "reviewed_at": reviewed_at,
            "imported_from": self.file_name,
        }
        key = (row["claim_id"], row["reviewer"], row["url"], row["verdict"])
        if key not in self._review_keys:
            self._review_keys.add(key)
            self.reviews.append(row)


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def slug(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    made = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:80] or "unnamed"
    # A source named "Story" gets an id its page can be reached at.
    return f"{made}-source" if made in RESERVED_IDS else made


class Importer(ABC):
    """Base class for importers; register instances via `register_claim_importers`."""

    name: str = "importer"
    description: str = ""

    @abstractmethod
    def detect(self, path: Path, head: str) -> bool:
        """Whether this importer reads the file (given its name and first 64 KB of text)."""

    @abstractmethod
    def read(self, path: Path, batch: ImportBatch) -> None:
        """Fill the batch from the file, raising LoadError (file, line/row, field) on bad input."""


def choose_importer(
    path: Path, head: str, importers: list[Importer], forced: str | None
) -> Importer | None:
    if forced:
        for importer in importers:
            if importer.name == forced:
                return importer
        names = ", ".join(i.name for i in importers)
        raise LoadError(f"no importer named '{forced}'; available: {names}", file=str(path))
    return next((i for i in importers if i.detect(path, head)), None)
