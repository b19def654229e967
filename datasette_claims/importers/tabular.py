"""Tabular claim data: ClaimsKG CSV, the LIAR TSV, and plain CSV/JSON claim lists."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import LoadError
from ..export import CSV_COLUMNS
from ..schema import QUOTE_KINDS, STANCES, STATUSES
from ..yamlfile import read_text
from . import ImportBatch, Importer

csv.field_size_limit(64 * 1024 * 1024)
ISO_DATE = re.compile(
    r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?)?)?)?$"
)


def rows_of(
    path: Path, delimiter: str, header: bool = True, quoting: int = csv.QUOTE_MINIMAL
) -> Iterator[tuple[int, dict[str, str] | list[str]]]:
    """(line, row) pairs; broken quoting is an error naming the line."""
    text = read_text(path)
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, strict=True, quoting=quoting
    )
    names: list[str] | None = None
    started = 1  # a quoted field may span lines: a record is named by its first line
    try:
        for values in reader:
            line, started = started, reader.line_num + 1
            if not values or not any(v.strip() for v in values):
                continue
            if header and names is None:
                names = [v.strip() for v in values]
                continue
            if names is not None:
                if len(values) != len(names):
                    raise LoadError(
                        f"row has {len(values)} fields, the header has {len(names)}",
                        file=str(path),
                        line=line,
                    )
                yield line, dict(zip(names, values, strict=True))
            else:
                yield line, values
    except csv.Error as exc:
        hint = (
            "; a quote opened in this record is never closed" if "end of data" in str(exc) else ""
        )
        raise LoadError(f"malformed CSV: {exc}{hint}", file=str(path), line=started) from None


# --- ClaimsKG: flattened ClaimReview columns ------------------------------------------------

CLAIMSKG_MAPPED = {
    "",
    "rating_ratingValue",
    "rating_worstRating",
    "rating_bestRating",
    "rating_alternateName",
    "creativeWork_author_name",
    "creativeWork_datePublished",
    "creativeWork_author_sameAs",
    "claimReview_author_name",
    "claimReview_author_url",
    "claimReview_url",
    "claimReview_claimReviewed",
    "claimReview_datePublished",
    "extra_title",
}


class ClaimsKGImporter(Importer):
    name = "claimskg"
    description = "ClaimsKG CSV (flattened ClaimReview columns)"

    def detect(self, path: Path, head: str) -> bool:
        return (
            path.suffix.lower() == ".csv" and "claimReview_claimReviewed" in head.split("\n", 1)[0]
        )

    def read(self, path: Path, batch: ImportBatch) -> None:
        for line, row in rows_of(path, ","):
            assert isinstance(row, dict)
            text = row.get("claimReview_claimReviewed", "")
            fallback = not text.strip()
            if fallback:
                # Africa Check rows often leave claimReviewed empty; the fact-check's
                # headline states the claim, so it stands in (and is marked as such).
                text = row.get("extra_title", "")
            if not text.strip():
                raise LoadError(
                    "the row has neither claimReview_claimReviewed nor extra_title text",
                    file=str(path),
                    line=line,
                    field="claimReview_claimReviewed",
                )
            url = row.get("claimReview_url") or None
            # creativeWork_author_name is the claimant when known ("Multiple sources" at AFP).
            source_id = batch.source(row.get("creativeWork_author_name"), kind="other", line=line)
            extra = {
                k: v for k, v in row.items() if k not in CLAIMSKG_MAPPED and v not in ("", None)
            }
            if fallback:
                extra["claim_text_from"] = "extra_title"
            claim_id = batch.claim(
                text=text,
                key=f"claimskg:{url or ''}:{text.strip()}",
                line=line,
                source_id=source_id,
                url=url,
                title=row.get("extra_title") or None,
                publisher=row.get("claimReview_author_name") or None,
                claimed_at=row.get("creativeWork_datePublished") or None,
                external_id=url,
                extra=extra or None,
            )
            batch.review(
                claim_id,
                reviewer=row.get("claimReview_author_name") or None,
                reviewer_url=row.get("claimReview_author_url") or None,
                verdict=row.get("rating_alternateName") or None,
                rating_value=row.get("rating_ratingValue"),
                best_rating=row.get("rating_bestRating"),
                worst_rating=row.get("rating_worstRating"),
                url=url,
                reviewed_at=row.get("claimReview_datePublished") or None,
            )


# --- LIAR: PolitiFact statements with the speaker's credit history ---------------------------

LIAR_LABELS = ("barely-true", "false", "half-true", "mostly-true", "pants-fire")
LIAR_ALL_LABELS = {*LIAR_LABELS, "true"}


class LiarImporter(Importer):
    name = "liar"
    description = "LIAR dataset TSV (PolitiFact statements, 14 columns, no header)"

    def detect(self, path: Path, head: str) -> bool:
        first = head.split("\n", 1)[0].split("\t")
        return path.suffix.lower() == ".tsv" and len(first) == 14 and first[0].endswith(".json")

    def read(self, path: Path, batch: ImportBatch) -> None:
        # LIAR quotes nothing: quotation marks in statements are literal.
        for line, values in rows_of(path, "\t", header=False, quoting=csv.QUOTE_NONE):
            assert isinstance(values, list)
            if len(values) != 14:
                raise LoadError(
                    f"a LIAR row has 14 columns, this one has {len(values)}",
                    file=str(path),
                    line=line,
                )
            (
                statement_id,
                label,
                statement,
                subjects,
                speaker,
                job,
                state,
                party,
                *counts_and_context,
            ) = values
            counts, context = counts_and_context[:5], counts_and_context[5]
            if label not in LIAR_ALL_LABELS:
                raise LoadError(
                    f"unknown LIAR label '{label}'", file=str(path), line=line, field="label"
                )
            try:
                numbers = [int(float(c or 0)) for c in counts]
            except ValueError:
                raise LoadError(
                    "credit history counts must be numbers",
                    file=str(path),
                    line=line,
                    field="credit history",
                ) from None
            speaker_id = None
            if speaker.strip():
                name = " ".join(part.capitalize() for part in re.split(r"[-_ ]+", speaker) if part)
                speaker_id = batch.source(
                    name,
                    kind="person",
                    line=line,
                    source_id=speaker.strip().lower(),
                    role=job or None,
                    extra={k: v for k, v in (("state", state), ("party", party)) if v} or None,
                )
                for label_name, count in zip(LIAR_LABELS, numbers, strict=True):
                    key = (speaker_id, "politifact-credit-history", label_name)
                    batch.ratings[key] = max(batch.ratings.get(key, 0), count)
            external = statement_id.removesuffix(".json")
            claim_id = batch.claim(
                text=statement,
                key=f"liar:{external}",
                claim_id=f"liar-{external}",
                line=line,
                source_id=speaker_id,
                title=context or None,
                publisher="PolitiFact",
                external_id=external,
                extra={
                    k: v
                    for k, v in (("subjects", subjects), ("context", context), ("label", label))
                    if v
                },
            )
            batch.review(claim_id, reviewer="PolitiFact", verdict=label)


# --- Plain CSV / JSON claim lists ------------------------------------------------------------

# The columns `datasette claims export --format csv` writes: what this importer reads back.
PLAIN_COLUMNS = set(CSV_COLUMNS)


class PlainImporter(Importer):
    name = "csv"
    description = "Plain CSV or JSON list of claims with the documented columns"

    def detect(self, path: Path, head: str) -> bool:
        first = head.split("\n", 1)[0]
        if path.suffix.lower() == ".csv":
            return "text" in [c.strip() for c in next(csv.reader([first]), [])]
        if path.suffix.lower() == ".json":
            return head.lstrip().startswith("[") and '"text"' in head
        return False

    def read(self, path: Path, batch: ImportBatch) -> None:
        if path.suffix.lower() == ".json":
            try:
                data = json.loads(read_text(path))
            except json.JSONDecodeError as exc:
                raise LoadError(
                    f"malformed JSON: {exc.msg}", file=str(path), line=exc.lineno
                ) from None
            if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
                raise LoadError("a JSON claim list is a list of objects", file=str(path))
            records: Any = ((None, {k: "" if v is None else v for k, v in r.items()}) for r in data)
        else:
            records = rows_of(path, ",")
        for number, (line, row) in enumerate(records, 1):
            self._one(path, batch, line or number, row)

    def _one(self, path: Path, batch: ImportBatch, line: int, row: dict[str, Any]) -> None:
        # Each column cleaned once: blank means absent.
        cleaned = {k: str(v).strip() for k, v in row.items() if v is not None}
        value = {k: v for k, v in cleaned.items() if v}.get

        for key, allowed in (
            ("stance", STANCES),
            ("quote_kind", QUOTE_KINDS),
            ("status", STATUSES),
        ):
            if value(key) and value(key) not in allowed:
                raise LoadError(
                    f"'{value(key)}' is not one of {', '.join(allowed)}",
                    file=str(path),
                    line=line,
                    field=key,
                )
        figure = value("figure_value")
        try:
            figure_value = float(figure) if figure else None
        except ValueError:
            figure_value = float("nan")
        if figure_value is not None and not (
            math.isfinite(figure_value) and abs(figure_value) < 1e15
        ):
            raise LoadError(
                f"'{figure}' is not a usable figure (a finite number below 10^15)",
                file=str(path),
                line=line,
                field="figure_value",
            )
        for key in ("date", "figure_as_of", "reviewed_at"):
            if value(key) and not ISO_DATE.match(value(key)):
                raise LoadError(
                    f"'{value(key)}' is not an ISO 8601 date (2024, 2024-12, 2024-12-01, "
                    "or a date-time)",
                    file=str(path),
                    line=line,
                    field=key,
                )
        for key in ("url", "review_url"):
            if value(key) and not value(key).lower().startswith(("http://", "https://")):
                raise LoadError(
                    f"'{value(key)}' is not an http(s) URL", file=str(path), line=line, field=key
                )
        if figure_value is not None and figure_value.is_integer():
            figure_value = int(figure_value)
        institution = value("source_institution")
        if institution and institution != value("source"):
            # The institution the source counts as, so independence survives a round trip.
            batch.source(
                value("source_institution_name") or institution,
                kind="other",
                line=line,
                source_id=institution,
                stub=True,
            )
        source_id = batch.source(
            value("source_name") or value("source"),
            kind=value("source_kind") or "other",
            line=line,
            source_id=value("source"),
            role=value("source_role"),
        )
        if source_id and institution and institution != source_id:
            batch.sources[source_id].independence_group = institution
        if source_id and value("source_country"):
            batch.sources[source_id].country = value("source_country")
        extra = {k: v for k, v in row.items() if k not in PLAIN_COLUMNS and v not in ("", None)}
        if value("proposition") and value("proposition_statement"):
            batch.propositions.setdefault(
                value("proposition"),
                {
                    "id": value("proposition"),
                    "statement": value("proposition_statement"),
                    "topic": value("proposition_topic"),
                },
            )
        claim_id = batch.claim(
            text=str(row.get("text") or ""),
            key=f"plain:{value('id') or value('text')}",
            claim_id=value("id"),
            line=line,
            source_id=source_id,
            url=value("url"),
            title=value("title"),
            publisher=value("publisher"),
            claimed_at=value("date"),
            stance=value("stance") or "asserts",
            quote_kind=value("quote_kind") or "paraphrase",
            extra=extra or None,
            hedge=value("hedge"),
            proposition_id=value("proposition"),
            figure_value=figure_value,
            figure_unit=value("figure_unit"),
            figure_as_of=value("figure_as_of"),
        )
        if value("verdict") or value("reviewer"):
            batch.review(
                claim_id,
                reviewer=value("reviewer"),
                verdict=value("verdict"),
                status=value("status"),
                url=value("review_url"),
                reviewed_at=value("reviewed_at"),
            )
