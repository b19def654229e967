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
from datasette_claims.inputs.fields import date_problem, url_problem
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
    """The first usable item of a list (schema.org allows a list wherever one value goes)."""
    while isinstance(value, list):
        value = next((v for v in value if v not in (None, "", [], {})), None)
    return value


def _plain(value: Any) -> Any:
    """A JSON-LD value as a plain one: a list's first usable item, {"@value": x} as x."""
    for _ in range(16):  # bounded, however deeply the wrappers nest
        value = _first(value)
        if not (isinstance(value, dict) and "@value" in value):
            break
        value = value["@value"]
    return value


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


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    names: dict[type, str] = {dict: "an object", list: "a list", str: "text"}
    return names.get(type(value), type(value).__name__)


class _Where:
    """One ClaimReview of a file: its values read so that every refusal names the field."""

    def __init__(self, batch: ImportBatch, number: int) -> None:
        self.batch = batch
        self.label = f"ClaimReview #{number}"

    def error(self, message: str, field: str) -> LoadError:
        return LoadError(f"{self.label}: {message}", file=self.batch.path, field=field)

    def string(self, value: Any, field: str, numbers: bool = False) -> str | None:
        """The first usable text of VALUE (NUMBERS as text too); anything else is refused."""
        value = _plain(value)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            return value
        if numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise self.error(f"expected text, got {_kind(value)}", field)

    def url(self, value: Any, field: str) -> str | None:
        """The first URL of VALUE (a string, a list, or a node's url): http(s) only."""
        value = _plain(value)
        if isinstance(value, dict):
            node_id = _plain(value.get("@id"))
            # An @id is a node's name, and only an address when it looks like one.
            value = _plain(value.get("url")) or (
                node_id if isinstance(node_id, str) and not url_problem(node_id) else None
            )
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.error(f"expected a URL, got {_kind(value)}", field)
        problem = url_problem(value.strip())
        if problem:
            raise self.error(problem, field)
        return value.strip()

    def date(self, value: Any, field: str) -> str | None:
        """An ISO 8601 date or date-time that exists (a bare year may be a number)."""
        value = _plain(value)
        if value is None or value == "":
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise self.error(f"expected a date, got {_kind(value)}", field)
        problem = date_problem(value.strip())
        if problem:
            raise self.error(problem, field)
        return value.strip()[:25]

    def rating(self, value: Any, field: str) -> str | int | float | None:
        value = _plain(value)
        if value is None or isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return value
        raise self.error(f"expected a number or text, got {_kind(value)}", field)

    def name(self, value: Any, field: str) -> tuple[str | None, set[str], str | None]:
        """(name, @types, url) of a schema.org Person/Organization, or of plain text."""
        value = _plain(value)
        if value is None or value == "":
            return None, set(), None
        if isinstance(value, str):
            return value, set(), None
        if not isinstance(value, dict):
            raise self.error(
                f"expected a Person or Organization (an object or a name), got {_kind(value)}",
                field,
            )
        url = self.url(value.get("url"), f"{field}.url") or self.url(
            value.get("sameAs"), f"{field}.sameAs"
        )
        return self.string(value.get("name"), f"{field}.name", numbers=True), _types(value), url


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
        except ValueError as exc:  # a number of more than 4300 digits
            raise LoadError(f"unreadable JSON: {exc}", file=str(path)) from None
        reviews = claim_reviews(data)
        if not reviews:
            raise LoadError("no ClaimReview objects found", file=str(path))
        try:
            for number, review in enumerate(reviews, 1):
                self._one(review, number, batch)
        except RecursionError:  # lists of lists in a verdict, or kept in `extra`
            raise LoadError("JSON nested too deeply", file=str(path)) from None

    def _one(self, review: dict[str, Any], number: int, batch: ImportBatch) -> None:
        # schema.org allows a list or an object for most values: the first usable one is
        # taken, and a value of a type that cannot mean anything is refused by its field.
        at = _Where(batch, number)
        text = _plain(review.get("claimReviewed"))
        if text is not None and not isinstance(text, str):
            raise at.error(f"claimReviewed must be text, got {_kind(text)}", "claimReviewed")
        if not text or not text.strip():
            raise LoadError(
                f"{at.label} has no claimReviewed text", file=batch.path, field="claimReviewed"
            )
        raw_item = _first(review.get("itemReviewed"))
        item = raw_item if isinstance(raw_item, dict) else {}
        claimant, claimant_types, claimant_url = at.name(item.get("author"), "itemReviewed.author")
        kind = (
            "person"
            if "Person" in claimant_types
            else "organisation"
            if claimant_types
            else "other"
        )
        author = _plain(item.get("author"))
        own_id = _plain(author.get("@id")) if isinstance(author, dict) else None
        declared = _plain(author.get("additionalType")) if isinstance(author, dict) else None
        if isinstance(declared, str) and declared in SOURCE_KINDS:
            kind = declared
        source_id = batch.source(
            claimant,
            kind=kind,
            source_id=own_id[len("#source-") :]
            if isinstance(own_id, str) and own_id.startswith("#source-")
            else None,
            id_field="itemReviewed.author.@id",
            name_field="itemReviewed.author.name",
        )
        if source_id and claimant_url:
            batch.sources[source_id].url = claimant_url
        appearance_url = at.url(item.get("appearance"), "itemReviewed.appearance") or at.url(
            item.get("firstAppearance"), "itemReviewed.firstAppearance"
        )
        reviewer, _, reviewer_url = at.name(review.get("author"), "author")
        raw_rating = _first(review.get("reviewRating"))
        if raw_rating is None or isinstance(raw_rating, dict):
            rating = raw_rating or {}
        elif isinstance(raw_rating, str):
            rating = {"alternateName": raw_rating}  # a bare string rating is the verdict
        elif isinstance(raw_rating, (int, float)) and not isinstance(raw_rating, bool):
            rating = {"ratingValue": raw_rating}  # and a bare number the rating's value
        else:
            raise at.error(f"expected a Rating, got {_kind(raw_rating)}", "reviewRating")
        url = at.url(review.get("url"), "url")
        extra = {k: v for k, v in review.items() if k not in MAPPED}
        item_extra = {
            k: v
            for k, v in item.items()
            if k not in ("@type", "author", "appearance", "firstAppearance", "datePublished")
        }
        if item_extra:
            extra["itemReviewed"] = item_extra
        if raw_item is not None and not isinstance(raw_item, dict):
            extra["itemReviewed"] = raw_item  # kept, not dropped
        appearances = item.get("appearance")
        if isinstance(appearances, list) and len([a for a in appearances if a]) > 1:
            extra["appearances"] = appearances
        own_claim = _plain(review.get("@id"))
        claim_id = batch.claim(
            text=text,
            key=f"claimreview:{url or ''}:{text.strip()}",
            claim_id=own_claim[len("#claim-") :] if _is_own_id(own_claim) else None,
            id_field="@id",
            line=None,
            source_id=source_id,
            url=appearance_url or url,
            title=at.string(review.get("name"), "name", numbers=True)
            or at.string(review.get("headline"), "headline", numbers=True),
            publisher=reviewer,
            claimed_at=at.date(item.get("datePublished"), "itemReviewed.datePublished"),
            external_id=url,
            extra=extra or None,
        )
        batch.review(
            claim_id,
            reviewer=reviewer,
            reviewer_url=reviewer_url,
            verdict=_text(rating.get("alternateName")),
            rating_value=at.rating(rating.get("ratingValue"), "reviewRating.ratingValue"),
            best_rating=at.rating(rating.get("bestRating"), "reviewRating.bestRating"),
            worst_rating=at.rating(rating.get("worstRating"), "reviewRating.worstRating"),
            url=url,
            reviewed_at=at.date(review.get("datePublished"), "datePublished"),
        )


def _is_own_id(value: Any) -> bool:
    # Our own exports carry the claim id as "#claim-<id>" so a round trip keeps it.
    return isinstance(value, str) and value.startswith("#claim-")


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
    # A review a person recorded here is by a Person, published on the claim's page, with
    # its evidence cited; an imported fact-check is the fact-checker's, at its own URL.
    by_person = row.get("review_kind") == "person"
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "@id": f"{claim_url or ''}#claim-{row['id']}",
        "claimReviewed": row["text"],
        "itemReviewed": item,
        "author": {
            "@type": "Person" if by_person else "Organization",
            "name": row.get("reviewer") or "unknown",
        },
        "reviewRating": rating,
    }
    if row.get("reviewed_at"):
        review["datePublished"] = row["reviewed_at"]
    if by_person:
        if claim_url:
            review["url"] = claim_url
        if row.get("review_url"):
            review["citation"] = {"@type": "CreativeWork", "url": row["review_url"]}
    elif row.get("review_url") or claim_url:
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
