"""Exports: schema.org ClaimReview JSON-LD and plain CSV that the importers read back."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from markupsafe import Markup

# One row per claim and review (a claim without reviews gets one row).
EXPORT_SQL = """
select c.id, c.text, c.source_id as source, s.name as source_name, s.kind as source_kind,
    s.role as source_role, s.country as source_country,
    s.independence_group as source_institution, g.name as source_institution_name,
    c.claimed_at as date, c.status,
    c.stance, c.quote_kind, c.hedge, d.url, d.title, d.publisher,
    c.proposition_id as proposition, p.statement as proposition_statement,
    p.topic as proposition_topic, c.figure_value, c.figure_unit, c.figure_as_of,
    r.verdict, r.reviewer, r.reviewer_url, r.url as review_url, r.reviewed_at,
    r.rating_value, r.best_rating, r.worst_rating, r.status as review_status
from claims c
left join sources s on s.id = c.source_id
left join sources g on g.id = s.independence_group
left join documents d on d.id = c.document_id
left join propositions p on p.id = c.proposition_id
left join (
    select claim_id, verdict, reviewer, reviewer_url, url, reviewed_at, rating_value,
        best_rating, worst_rating, status, id as sort_key
    from claim_reviews {review_where}
    union all
    -- Reviews made here: the reviewer's decision, with the first piece of evidence.
    select c2.id, c2.status, c2.reviewed_by, null,
        (select e.url from evidence e where e.claim_id = c2.id order by e.id limit 1),
        c2.reviewed_at, null, null, null, c2.status, 1e15
    from claims c2
    where c2.reviewed_at is not null {own_where} and not exists (
        select 1 from claim_reviews r2
        where r2.claim_id = c2.id and r2.reviewer = c2.reviewed_by
    )
) r on r.claim_id = c.id
{where}
order by c.rowid, r.sort_key
"""

CSV_COLUMNS = [
    "id",
    "text",
    "source",
    "source_name",
    "source_kind",
    "source_role",
    "source_country",
    "source_institution",
    "source_institution_name",
    "date",
    "status",
    "stance",
    "quote_kind",
    "hedge",
    "url",
    "title",
    "publisher",
    "proposition",
    "proposition_statement",
    "proposition_topic",
    "figure_value",
    "figure_unit",
    "figure_as_of",
    "verdict",
    "reviewer",
    "review_url",
    "reviewed_at",
]


def export_sql(claim_id: bool = False) -> str:
    """The export query, for every claim or (with :claim_id) one, using the indexes."""
    if not claim_id:
        return EXPORT_SQL.format(where="", review_where="", own_where="")
    return EXPORT_SQL.format(
        where="where c.id = :claim_id",
        review_where="where claim_id = :claim_id",
        own_where="and c2.id = :claim_id",
    )


def csv_text(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The plain CSV the `csv` importer reads: one line per claim and review."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow({k: ("" if row.get(k) is None else row[k]) for k in CSV_COLUMNS})
        yield buffer.getvalue()


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


def data_feed(rows: Iterable[dict[str, Any]], claim_url=None) -> dict[str, Any]:
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
