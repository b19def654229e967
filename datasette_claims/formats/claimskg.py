"""ClaimsKG's CSV export: claims, their fact-checkers' verdicts, and who made them."""

from __future__ import annotations

from pathlib import Path

from datasette_claims.errors import LoadError
from datasette_claims.formats.base import ImportBatch, Importer
from datasette_claims.formats.tabular import rows_of

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
            source_id = batch.source(
                row.get("creativeWork_author_name"),
                kind="other",
                line=line,
                name_field="creativeWork_author_name",
            )
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
                line=line,
            )
