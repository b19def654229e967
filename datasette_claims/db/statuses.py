"""Writing derived statuses: re-derive propositions and their unreviewed claims.

The rules are pure (propositions.status); this applies them to the database, with a
`status` row in claim_history for every claim whose status moves.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
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
        verdict_join = LATEST_VERDICT_JOIN
    origin = _source_origin(db)
    for at in range(0, len(ids), 500):
        chunk = ids[at : at + 500]
        marks = ", ".join("?" for _ in chunk)
        cursor = db.execute(
            f"""select c.proposition_id, c.id, c.stance, c.status, c.reviewed_at,
                   c.figure_value, c.figure_unit, c.figure_as_of, c.figure_text,
                   s.kind as source_kind, s.independence_group, g.name as group_name,
                   {origin} as source_origin, {verdict_columns}
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


def _source_origin(db: sqlite_utils.Database, alias: str = "s") -> str:
    """The sources' origin column, or null before migration 0008 (every source a
    registry one then): suggested sources never corroborate."""
    return f"{alias}.origin" if "origin" in db["sources"].columns_dict else "null"


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
            history.append(_status_row(claim, claim_status, proposition_id, status, stamp, actor))
            changes += 1
    db.conn.executemany(
        "update propositions set status = ?, status_updated_at = ? where id = ? and status != ?",
        proposition_updates,
    )
    _update_statuses(db, claim_updates)
    if history:
        insert_many(db, "claim_history", history)
    return changes


# Each claim's latest imported verdict (by date, then id), joined as `r`.
LATEST_VERDICT_JOIN = """left join claim_reviews r on r.id = (
    select r2.id from claim_reviews r2 where r2.claim_id = c.id
    order by coalesce(r2.reviewed_at, '') desc, r2.id desc limit 1)"""


def _status_row(
    claim: dict[str, Any],
    claim_status: str,
    proposition_id: str,
    status: str,
    stamp: str,
    actor: str,
) -> dict[str, Any]:
    """The `status` history row of a claim whose derived status moves."""
    by, reason = actor, f"derived: proposition {proposition_id} is {status}"
    evidence = None
    if claim["imported_status"] == claim_status:
        # The fact-checker's own verdict on this claim: recorded as theirs.
        by = claim["imported_by"]
        reason = f"verdict '{claim['imported_verdict']}' imported from {claim['imported_from']}"
        evidence = claim["imported_url"]
    return history_row(
        claim["id"], stamp, by, "status", "status", claim["status"], claim_status, reason, evidence
    )


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


@dataclass
class LoadStatuses:
    """Derived statuses worked out before a load writes its new claims.

    `fresh` gives each new claim the status it is inserted with (no insert-then-update);
    `fresh_reasons` why, for a new claim whose status the rules derived (its `created`
    history row records status and reason, one row instead of two); the rest is written
    by write_load_statuses() once the claims and verdicts are in.
    """

    fresh: dict[str, str] = field(default_factory=dict)
    fresh_reasons: dict[str, str] = field(default_factory=dict)
    changes: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    propositions: list[tuple[str, str, str, str]] = field(default_factory=list)
    claims: list[tuple[str, str, str]] = field(default_factory=list)  # stored claims only


def _latest_fresh_reviews(reviews: list[dict[str, Any]]) -> dict[str, tuple[str, int, dict]]:
    """Each claim's latest new verdict: (reviewed_at or '', position, row)."""
    latest: dict[str, tuple[str, int, dict]] = {}
    for position, review in enumerate(reviews):
        key = (review["reviewed_at"] or "", position)
        found = latest.get(review["claim_id"])
        if found is None or key >= found[:2]:
            latest[review["claim_id"]] = (*key, review)
    return latest


def load_derivations(
    db: sqlite_utils.Database,
    proposition_ids: list[str],
    fresh: list[dict[str, Any]],
    fresh_reviews: list[dict[str, Any]],
) -> Iterator[tuple[str, list[dict[str, Any]], str, dict[str, str]]]:
    """What derivations() gives once `fresh` claims and `fresh_reviews` are written.

    Neither is in the database yet: new claims count as unverified and unreviewed, and a
    new verdict outranks a stored one of the same date (its id will be higher), as it
    would in the query. Claims come in the order that query reads them (the proposition
    index: by status, then rowid), new ones after the stored ones.
    """
    ids = sorted(set(proposition_ids))
    wanted = set(ids)
    sources = {
        source_id: (kind, group, source_origin)
        for source_id, kind, group, source_origin in db.execute(
            f"select id, kind, independence_group, {_source_origin(db, 'sources')} from sources"
        ).fetchall()
    }
    latest = _latest_fresh_reviews(fresh_reviews)
    new_by_proposition: dict[str, list[dict[str, Any]]] = {}
    for row in fresh:
        proposition_id = row["proposition_id"]
        if proposition_id not in wanted:
            continue
        kind, group, source_origin = sources.get(row["source_id"] or "", (None, None, None))
        claim = {
            "proposition_id": proposition_id,
            "id": row["id"],
            "stance": row["stance"],
            "status": "unverified",
            "reviewed_at": None,
            "source_kind": kind,
            "independence_group": group,
            "source_origin": source_origin,
            "imported_status": None,
        }
        found = latest.get(row["id"])
        if found is not None:
            _take_review(claim, found[2])
        new_by_proposition.setdefault(proposition_id, []).append(claim)
    has_reviews = db["claim_reviews"].exists()
    verdict_columns = "null, null, null, null, null, null, null"
    verdict_join = ""
    if has_reviews:
        verdict_columns = (
            "r.id, r.status, r.reviewed_at, r.reviewer, r.verdict, r.imported_from, r.url"
        )
        verdict_join = LATEST_VERDICT_JOIN
    for at in range(0, len(ids), 500):
        chunk = ids[at : at + 500]
        by_proposition: dict[str, list[dict[str, Any]]] = {p: [] for p in chunk}
        stored = db.execute(
            f"""select c.proposition_id, c.id, c.stance, c.status, c.reviewed_at,
                   s.kind, s.independence_group, {_source_origin(db)}, {verdict_columns}
               from claims c left join sources s on s.id = c.source_id
               {verdict_join}
               where c.proposition_id in (select value from json_each(?))
               order by c.proposition_id, c.status, c.rowid""",
            [json.dumps(chunk)],
        ).fetchall()
        for (
            proposition_id,
            claim_id,
            stance,
            status,
            reviewed_at,
            kind,
            group,
            source_origin,
            *review,
        ) in stored:
            claim = {
                "proposition_id": proposition_id,
                "id": claim_id,
                "stance": stance,
                "status": status,
                "reviewed_at": reviewed_at,
                "source_kind": kind,
                "independence_group": group,
                "source_origin": source_origin,
                "imported_status": review[1],
                "imported_at": review[2],
                "imported_by": review[3],
                "imported_verdict": review[4],
                "imported_from": review[5],
                "imported_url": review[6],
            }
            found = latest.get(claim_id)
            if found is not None and (review[0] is None or found[0] >= (review[2] or "")):
                _take_review(claim, found[2])
            by_proposition[proposition_id].append(claim)
        for proposition_id, claims in by_proposition.items():
            new = new_by_proposition.get(proposition_id)
            if new:
                # New claims are unverified: after stored claims of a status that sorts
                # before, before those of one that sorts after (as the index reads them).
                cut = bisect.bisect_right([c["status"] for c in claims], "unverified")
                claims[cut:cut] = new
            status, derived = derive_statuses(claims)
            yield proposition_id, claims, status, derived


def _take_review(claim: dict[str, Any], review: dict[str, Any]) -> None:
    claim.update(
        imported_status=review["status"],
        imported_at=review["reviewed_at"],
        imported_by=review["reviewer"],
        imported_verdict=review["verdict"],
        imported_from=review["imported_from"],
        imported_url=review["url"],
    )


def derive_load_statuses(
    db: sqlite_utils.Database,
    proposition_ids: list[str],
    fresh: list[dict[str, Any]],
    fresh_reviews: list[dict[str, Any]],
    stamp: str,
    actor: str,
) -> LoadStatuses:
    """update_derived_statuses() for a load, worked out before its new claims are written."""
    result = LoadStatuses()
    new_ids = {row["id"] for row in fresh}
    for proposition_id, claims, status, derived in load_derivations(
        db, proposition_ids, fresh, fresh_reviews
    ):
        result.propositions.append((status, stamp, proposition_id, status))
        because = f"derived: proposition {proposition_id} is {status}"
        # `derived` follows the claims' order (reviewed claims left out): walk the claims.
        for claim in claims:
            claim_id = claim["id"]
            claim_status = derived.get(claim_id)
            if claim_status is None:
                continue
            if claim_id in new_ids:
                result.fresh[claim_id] = claim_status
            if claim["status"] == claim_status:
                continue
            result.changes += 1
            if claim_id not in new_ids:
                result.claims.append((claim_status, stamp, claim_id))
            elif claim["imported_status"] != claim_status:
                # Derived by the loader as it creates the claim: said in its `created` row
                # (the reason _status_row() gives). A fact-checker's imported verdict keeps
                # a row of its own, in their name.
                result.fresh_reasons[claim_id] = because
                continue
            result.history.append(
                _status_row(claim, claim_status, proposition_id, status, stamp, actor)
            )
    return result


def write_load_statuses(db: sqlite_utils.Database, statuses: LoadStatuses) -> None:
    """The writes of derive_load_statuses(), once the load's claims and verdicts are in."""
    db.conn.executemany(
        "update propositions set status = ?, status_updated_at = ? where id = ? and status != ?",
        statuses.propositions,
    )
    _update_statuses(db, statuses.claims)
    if statuses.history:
        insert_many(db, "claim_history", statuses.history)
