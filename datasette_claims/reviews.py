"""Status changes: people's reviews with evidence, and the statuses derived from them.

Both write claim_history rows; history is only ever appended to.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils

from .bulk import BULK_ROWS, insert_many
from .compare import derive_statuses
from .history import history_row, now
from .schema import STATUSES


class ReviewError(ValueError):
    """A review that cannot be recorded; nothing was written."""


@dataclass
class ReviewResult:
    claim_id: str
    old_status: str
    new_status: str
    proposition_id: str | None
    proposition_status: str | None
    history_id: int
    derived_changes: int


def update_derived_statuses(
    db: sqlite_utils.Database, proposition_ids: list[str], stamp: str, actor: str
) -> int:
    """Re-derive propositions and their unreviewed claims; returns claim status changes.

    Every claim change is a `status` row in claim_history, so derived statuses are as
    traceable as reviewed ones.
    """
    changes = 0
    history = []
    proposition_updates = []
    claim_updates = []
    ids = sorted(set(proposition_ids))
    for at in range(0, len(ids), 500):
        chunk = ids[at : at + 500]
        marks = ", ".join("?" for _ in chunk)
        cursor = db.execute(
            f"""select c.proposition_id, c.id, c.stance, c.status, c.reviewed_at,
                   c.figure_value, c.figure_unit, c.figure_as_of, c.figure_text,
                   s.kind as source_kind, s.independence_group, g.name as group_name
               from claims c left join sources s on s.id = c.source_id
               left join sources g on g.id = s.independence_group
               where c.proposition_id in ({marks})""",
            chunk,
        )
        columns = [d[0] for d in cursor.description]
        by_proposition: dict[str, list[dict]] = {p: [] for p in chunk}
        for values in cursor.fetchall():
            claim = dict(zip(columns, values, strict=True))
            by_proposition[claim["proposition_id"]].append(claim)
        for proposition_id, claims in by_proposition.items():
            status, derived = derive_statuses(claims)
            proposition_updates.append((status, stamp, proposition_id, status))
            current = {c["id"]: c["status"] for c in claims}
            for claim_id, claim_status in derived.items():
                if current[claim_id] == claim_status:
                    continue
                claim_updates.append((claim_status, stamp, claim_id))
                history.append(
                    history_row(
                        claim_id,
                        stamp,
                        actor,
                        "status",
                        "status",
                        current[claim_id],
                        claim_status,
                        f"derived: proposition {proposition_id} is {status}",
                    )
                )
                changes += 1
    db.conn.executemany(
        "update propositions set status = ?, status_updated_at = ? where id = ? and status != ?",
        proposition_updates,
    )
    _update_statuses(db, claim_updates)
    if history:
        insert_many(db, "claim_history", history)
    return changes


def _update_statuses(db: sqlite_utils.Database, updates: list[tuple[str, str, str]]) -> None:
    """Set many claims' statuses; only the status counts move, so they move in one pass."""
    found = db.execute(
        "select sql from sqlite_master where type = 'trigger' and name = 'claim_counts_update'"
    ).fetchone()
    if len(updates) < BULK_ROWS or found is None:  # no trigger before migration 0005
        db.conn.executemany("update claims set status = ?, updated_at = ? where id = ?", updates)
        return
    ids = [claim_id for _, _, claim_id in updates]
    deltas: Counter = Counter(status for status, _, _ in updates)
    for at in range(0, len(ids), 500):
        chunk = ids[at : at + 500]
        marks = ", ".join("?" for _ in chunk)
        deltas.subtract(
            status
            for (status,) in db.execute(f"select status from claims where id in ({marks})", chunk)
        )
    (create,) = found
    db.execute("drop trigger claim_counts_update")
    db.conn.executemany("update claims set status = ?, updated_at = ? where id = ?", updates)
    db.conn.executemany(
        "update claim_counts set count = count + ? where dimension = 'status' and value = ?",
        [(n, status) for status, n in deltas.items() if n < 0],
    )
    db.conn.executemany(
        "insert into claim_counts (dimension, value, count) values ('status', ?, ?) "
        "on conflict (dimension, value) do update set count = count + excluded.count",
        [(status, n) for status, n in deltas.items() if n > 0],
    )
    db.execute(create)


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
            db["claim_history"]
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
            db["evidence"].insert_all(
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
    return ReviewResult(
        claim_id,
        claim["status"],
        final,
        claim["proposition_id"],
        proposition_status,
        int(history_id),
        changes,
    )
