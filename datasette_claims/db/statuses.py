"""Writing derived statuses: re-derive propositions and their unreviewed claims.

The rules are pure (propositions.status); this applies them to the database, with a
`status` row in claim_history for every claim whose status moves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import sqlite_utils

from datasette_claims.db.bulk import BULK_ROWS, insert_many
from datasette_claims.db.history import history_row
from datasette_claims.propositions.status import derive_statuses


def derivations(
    db: sqlite_utils.Database, proposition_ids: list[str]
) -> Iterator[tuple[str, list[dict[str, Any]], str, dict[str, str]]]:
    """For each proposition: its claims, and the statuses the rules give them now.

    Yields (proposition id, claims, proposition status, {claim id: derived status}).
    """
    ids = sorted(set(proposition_ids))
    # The latest imported verdict on each claim: evidence, ranked below people's reviews.
    verdict_columns = "null as imported_status, null as imported_at, null as imported_by, "
    verdict_columns += "null as imported_verdict, null as imported_from, null as imported_url"
    verdict_join = ""
    if db["claim_reviews"].exists():
        verdict_columns = (
            "r.status as imported_status, r.reviewed_at as imported_at, "
            "r.reviewer as imported_by, r.verdict as imported_verdict, "
            "r.imported_from as imported_from, r.url as imported_url"
        )
        verdict_join = """left join claim_reviews r on r.id = (
            select r2.id from claim_reviews r2 where r2.claim_id = c.id
            order by coalesce(r2.reviewed_at, '') desc, r2.id desc limit 1)"""
    for at in range(0, len(ids), 500):
        chunk = ids[at : at + 500]
        marks = ", ".join("?" for _ in chunk)
        cursor = db.execute(
            f"""select c.proposition_id, c.id, c.stance, c.status, c.reviewed_at,
                   c.figure_value, c.figure_unit, c.figure_as_of, c.figure_text,
                   s.kind as source_kind, s.independence_group, g.name as group_name,
                   {verdict_columns}
               from claims c left join sources s on s.id = c.source_id
               left join sources g on g.id = s.independence_group
               {verdict_join}
               where c.proposition_id in ({marks})""",
            chunk,
        )
        columns = [d[0] for d in cursor.description]
        by_proposition: dict[str, list[dict[str, Any]]] = {p: [] for p in chunk}
        for values in cursor.fetchall():
            claim = dict(zip(columns, values, strict=True))
            by_proposition[claim["proposition_id"]].append(claim)
        for proposition_id, claims in by_proposition.items():
            status, derived = derive_statuses(claims)
            yield proposition_id, claims, status, derived


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
    # Writes wait until every proposition is read (each chunk's claims are then dropped).
    for proposition_id, claims, status, derived in derivations(db, proposition_ids):
        proposition_updates.append((status, stamp, proposition_id, status))
        current = {c["id"]: c for c in claims}
        for claim_id, claim_status in derived.items():
            claim = current[claim_id]
            if claim["status"] == claim_status:
                continue
            claim_updates.append((claim_status, stamp, claim_id))
            by, reason = actor, f"derived: proposition {proposition_id} is {status}"
            evidence = None
            if claim["imported_status"] == claim_status:
                # The fact-checker's own verdict on this claim: recorded as theirs.
                by = claim["imported_by"]
                reason = (
                    f"verdict '{claim['imported_verdict']}' imported from {claim['imported_from']}"
                )
                evidence = claim["imported_url"]
            history.append(
                history_row(
                    claim_id,
                    stamp,
                    by,
                    "status",
                    "status",
                    claim["status"],
                    claim_status,
                    reason,
                    evidence,
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
