"""schema.org ClaimReview JSON-LD: single objects, lists, @graph and DataFeed wrappers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from markupsafe import Markup

from datasette_claims.errors import LoadError
from datasette_claims.formats.base import ImportBatch, Importer
from datasette_claims.inputs.decoding import read_text
from datasette_claims.model import SOURCE_KINDS

MAPPED = {
    "@context",
    "@type",
    "@id",
    "claimReviewed",
    "itemReviewed",
    "author",
    "reviewRating",
    "datePublished",
    "url",
}


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _text(value: Any) -> str | None:
    """Plain text of a JSON-LD value: strings, lists of them, {"@value": ...}."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = [t for t in (_text(v) for v in value) if t]
        return "; ".join(parts) or None
    if isinstance(value, dict):
        return _text(value.get("@value") or value.get("name"))
    return str(value)


def _name(value: Any) -> tuple[str | None, str | None, str | None]:
    """(name, @type, url) of a schema.org Person/Organization, or of plain text."""
    value = _first(value)
    if isinstance(value, str):
        return value, None, None
    if isinstance(value, dict):
        url = value.get("url") or _first(value.get("sameAs"))
        kind = value.get("@type")
        return (
            _text(value.get("name")),
            kind if isinstance(kind, str) else None,
            (url if isinstance(url, str) else None),
        )
    return None, None, None


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    if isinstance(kind, list):
        return {k for k in kind if isinstance(k, str)}
    return {kind} if isinstance(kind, str) else set()


def claim_reviews(data: Any) -> list[dict[str, Any]]:
    """Every ClaimReview object in a JSON-LD document, whatever wraps it."""
    found: list[dict[str, Any]] = []
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            if "ClaimReview" in _types(node):
                found.append(node)
            elif "@graph" in node:
                stack.append(node["@graph"])
            elif "DataFeed" in _types(node):
                stack.append(node.get("dataFeedElement", []))
            elif "DataFeedItem" in _types(node):
                stack.append(node.get("item", []))
    return found


class ClaimReviewImporter(Importer):
    name = "claimreview"
    description = "schema.org ClaimReview JSON-LD (object, list, @graph or DataFeed)"

    def detect(self, path: Path, head: str) -> bool:
        return path.suffix.lower() in (".json", ".jsonld") and "ClaimReview" in head

    def read(self, path: Path, batch: ImportBatch) -> None:
        text = read_text(path)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LoadError(f"malformed JSON: {exc.msg}", file=str(path), line=exc.lineno) from None
        except RecursionError:
            raise LoadError("JSON nested too deeply", file=str(path)) from None
        reviews = claim_reviews(data)
        if not reviews:
            raise LoadError("no ClaimReview objects found", file=str(path))
        for number, review in enumerate(reviews, 1):
            self._one(review, number, batch)

    def _one(self, review: dict[str, Any], number: int, batch: ImportBatch) -> None:
        where = f"ClaimReview #{number}"
        text = review.get("claimReviewed")
        if not isinstance(text, str) or not text.strip():
            raise LoadError(
                f"{where} has no claimReviewed text", file=batch.path, field="claimReviewed"
            )
        raw_item = _first(review.get("itemReviewed")) or {}
        item = raw_item if isinstance(raw_item, dict) else {}
        claimant, claimant_type, claimant_url = _name(item.get("author"))
        kind = (
            "person" if claimant_type == "Person" else "organisation" if claimant_type else "other"
        )
        author = _first(item.get("author"))
        own_id = author.get("@id") if isinstance(author, dict) else None
        declared = author.get("additionalType") if isinstance(author, dict) else None
        if declared in SOURCE_KINDS:
            kind = declared
        source_id = batch.source(
            claimant,
            kind=kind,
            source_id=own_id[len("#source-") :]
            if isinstance(own_id, str) and own_id.startswith("#source-")
            else None,
        )
        if source_id and claimant_url:
            batch.sources[source_id].url = claimant_url
        appearance = _first(item.get("appearance")) or _first(item.get("firstAppearance"))
        appearance_url = appearance.get("url") if isinstance(appearance, dict) else appearance
        reviewer, _, reviewer_url = _name(review.get("author"))
        raw_rating = _first(review.get("reviewRating")) or {}
        # A bare string rating ("False") is the verdict itself.
        rating = raw_rating if isinstance(raw_rating, dict) else {"alternateName": raw_rating}
        url = review.get("url")
        extra = {k: v for k, v in review.items() if k not in MAPPED}
        item_extra = {
            k: v
            for k, v in item.items()
            if k not in ("@type", "author", "appearance", "firstAppearance", "datePublished")
        }
        if item_extra:
            extra["itemReviewed"] = item_extra
        if not isinstance(raw_item, dict):
            extra["itemReviewed"] = raw_item  # kept, not dropped
        if len([a for a in (item.get("appearance") or []) if a]) > 1:
            extra["appearances"] = item.get("appearance")
        claim_id = batch.claim(
            text=text,
            key=f"claimreview:{url or ''}:{text.strip()}",
            claim_id=review["@id"][len("#claim-") :] if _is_own_id(review.get("@id")) else None,
            line=None,
            source_id=source_id,
            url=appearance_url if isinstance(appearance_url, str) else url,
            title=review.get("name") or review.get("headline"),
            publisher=reviewer,
            claimed_at=_date(item.get("datePublished")),
            external_id=url,
            extra=extra or None,
        )
        batch.review(
            claim_id,
            reviewer=reviewer,
            reviewer_url=reviewer_url,
            verdict=_text(rating.get("alternateName")),
            rating_value=rating.get("ratingValue"),
            best_rating=rating.get("bestRating"),
            worst_rating=rating.get("worstRating"),
            url=url,
            reviewed_at=_date(review.get("datePublished")),
        )


def _is_own_id(value: Any) -> bool:
    # Our own exports carry the claim id as "#claim-<id>" so a round trip keeps it.
    return isinstance(value, str) and value.startswith("#claim-")


def _date(value: Any) -> str | None:
    return str(value)[:25] if value else None


def claim_review(row: dict[str, Any], claim_url: str | None = None) -> dict[str, Any]:
    """One schema.org ClaimReview for a claim and one of its reviews."""
    item: dict[str, Any] = {"@type": "Claim"}
    if row.get("source_name"):
        kind = "Person" if row.get("source_kind") == "person" else "Organization"
        item["author"] = {"@type": kind, "name": row["source_name"]}
        if row.get("source"):
            item["author"]["@id"] = f"#source-{row['source']}"
        if row.get("source_kind"):
            item["author"]["additionalType"] = row["source_kind"]
    if row.get("date"):
        item["datePublished"] = row["date"]
    if row.get("url"):
        item["appearance"] = [{"@type": "CreativeWork", "url": row["url"]}]
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": row.get("verdict")}
    for key, name in (
        ("rating_value", "ratingValue"),
        ("best_rating", "bestRating"),
        ("worst_rating", "worstRating"),
    ):
        if row.get(key) not in (None, ""):
            rating[name] = row[key]
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "@id": f"#claim-{row['id']}",
        "claimReviewed": row["text"],
        "itemReviewed": item,
        "author": {"@type": "Organization", "name": row.get("reviewer") or "unknown"},
        "reviewRating": rating,
    }
    if row.get("reviewed_at"):
        review["datePublished"] = row["reviewed_at"]
    if row.get("review_url") or claim_url:
        review["url"] = row.get("review_url") or claim_url
    return review


def data_feed(
    rows: Iterable[dict[str, Any]], claim_url: Callable[[dict[str, Any]], str] | None = None
) -> dict[str, Any]:
    """ClaimReviews of every reviewed claim, in a schema.org DataFeed."""
    items = [
        {
            "@type": "DataFeedItem",
            "item": [claim_review(row, claim_url(row) if claim_url else None)],
        }
        for row in rows
        if row.get("reviewer")
    ]
    return {"@context": "https://schema.org", "@type": "DataFeed", "dataFeedElement": items}


def json_ld_script(reviews: list[dict[str, Any]]) -> Markup:
    """A <script type="application/ld+json"> that no text in a claim can break out of."""
    payload = json.dumps(reviews if len(reviews) != 1 else reviews[0], ensure_ascii=False)
    # In a script element only "</" ends it; escaping <, > and & makes every quote inert.
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        payload = payload.replace(char, code)
    payload = payload.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(f'<script type="application/ld+json">{payload}</script>')
