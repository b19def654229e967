"""People's reviews: a claim's status decided with evidence, and what follows from it.

Each writes a `review` row to claim_history; history is only ever appended to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils

from datasette_claims.db.history import history_row, now
from datasette_claims.db.statuses import update_derived_statuses
from datasette_claims.errors import ReviewError
from datasette_claims.model import STATUSES


@dataclass
class ReviewResult:
    claim_id: str
    old_status: str
    new_status: str
    proposition_id: str | None
    proposition_status: str | None
    history_id: int
    derived_changes: int


def check_review(
    db: sqlite_utils.Database,
    claim_id: str,
    status: str,
    by: str,
    evidence: list[str],
    credibility: int | None,
) -> dict[str, Any]:
    """Validate a review before any write; returns the claim row or raises ReviewError."""
    if not by or not by.strip():
        raise ReviewError("a review needs the reviewer's name (--by)")
    if status not in STATUSES:
        raise ReviewError(f"unknown status '{status}'; use one of {', '.join(STATUSES)}")
    cursor = db.execute("select * from claims where id = ?", [claim_id])
    row = cursor.fetchone()
    if row is None:
        raise ReviewError(f"no claim with id '{claim_id}'")
    for url in evidence:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise ReviewError(f"evidence '{url}' is not an http(s) URL")
    if credibility is not None and not 1 <= credibility <= 6:
        raise ReviewError("credibility is a grade from 1 (confirmed) to 6 (cannot be judged)")
    if status in ("confirmed", "refuted") and not evidence:
        raise ReviewError(f"marking a claim {status} needs at least one piece of evidence")
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def review_claim(
    db: sqlite_utils.Database,
    claim_id: str,
    status: str,
    by: str,
    note: str | None = None,
    evidence: list[str] | None = None,
    credibility: int | None = None,
) -> ReviewResult:
    """Record a person's decision on a claim, with evidence, in one transaction.

    `unverified` reopens a claim: the decision is withdrawn and derivation takes over.
    """
    evidence = [url.strip() for url in (evidence or []) if url and url.strip()]
    by = (by or "").strip()
    with db.atomic():
        claim = check_review(db, claim_id, status, by, evidence, credibility)
        stamp = now()
        reopened = status == "unverified"
        db.execute(
            """update claims set status = ?, reviewed_at = ?, reviewed_by = ?,
               credibility = coalesce(?, credibility), updated_at = ? where id = ?""",
            [
                status,
                None if reopened else stamp,
                None if reopened else by,
                credibility,
                stamp,
                claim_id,
            ],
        )
        history_id = (
            db.table("claim_history")
            .insert(
                history_row(
                    claim_id,
                    stamp,
                    by,
                    "review",
                    "status",
                    claim["status"],
                    status,
                    note,
                    evidence[0] if evidence else None,
                )
            )
            .last_pk
        )
        if evidence:
            db.table("evidence").insert_all(
                {
                    "claim_id": claim_id,
                    "history_id": history_id,
                    "url": url,
                    "note": note,
                    "added_by": by,
                    "added_at": stamp,
                }
                for url in evidence
            )
        changes = 0
        proposition_status = None
        if claim["proposition_id"]:
            changes = update_derived_statuses(db, [claim["proposition_id"]], stamp, by)
            proposition_status = db.execute(
                "select status from propositions where id = ?", [claim["proposition_id"]]
            ).fetchone()[0]
    final = db.execute("select status from claims where id = ?", [claim_id]).fetchone()[0]
    assert history_id is not None  # the insert above gave the row its id
    return ReviewResult(
        claim_id,
        claim["status"],
        final,
        claim["proposition_id"],
        proposition_status,
        int(history_id),
        changes,
    )
