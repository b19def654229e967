"""People's decisions on provisional sources: confirm, rename, or merge into another.

The extractor suggests a source for a speaker the registry does not know; only a person
makes it a source of record. Every decision is a row in source_history (and a merge one
`updated source_id` row per moved claim in claim_history), and the statuses of the
propositions its claims are on are derived again: a suggested source never corroborates,
a confirmed one does.
"""

from __future__ import annotations

import sqlite_utils

from datasette_claims.db.history import history_row, now
from datasette_claims.db.statuses import update_derived_statuses
from datasette_claims.errors import ReviewError
from datasette_claims.model import SOURCE_KINDS


class SourceDecisionError(ReviewError):
    """A decision on a source that cannot be made (unknown id, not provisional, no name)."""


def _by(by: str) -> str:
    if not by or not by.strip():
        raise SourceDecisionError("a decision needs the name of who makes it (--by)")
    return by.strip()


def _source(db: sqlite_utils.Database, source_id: str) -> tuple[str, str, str | None]:
    row = db.execute(
        "select name, origin, merged_into from sources where id = ?", [source_id]
    ).fetchone()
    if row is None:
        raise SourceDecisionError(f"no source with id '{source_id}'")
    return row


def _provisional(db: sqlite_utils.Database, source_id: str) -> str:
    name, origin, merged_into = _source(db, source_id)
    if origin == "merged":
        raise SourceDecisionError(f"source '{source_id}' was merged into '{merged_into}'")
    if origin == "registry":
        raise SourceDecisionError(
            f"source '{source_id}' comes from the registry: change it in its sources file"
        )
    return name


def _record(
    db: sqlite_utils.Database,
    source_id: str,
    stamp: str,
    by: str,
    action: str,
    field: str | None,
    old: str | None,
    new: str | None,
    reason: str | None,
) -> None:
    db.table("source_history").insert(
        {
            "source_id": source_id,
            "changed_at": stamp,
            "changed_by": by,
            "action": action,
            "field": field,
            "old_value": old,
            "new_value": new,
            "reason": reason,
        }
    )


def confirm_source(
    db: sqlite_utils.Database, source_id: str, by: str, reason: str | None = None
) -> None:
    """Keep a provisional source as a source of record (origin becomes `confirmed`)."""
    by = _by(by)
    with db.atomic():
        _provisional(db, source_id)
        stamp = now()
        db.execute("update sources set origin = 'confirmed' where id = ?", [source_id])
        _record(db, source_id, stamp, by, "confirmed", "origin", "suggested", "confirmed", reason)
        _rederive(db, source_id, stamp, by)


def rename_source(
    db: sqlite_utils.Database,
    source_id: str,
    name: str,
    by: str,
    role: str | None = None,
    reason: str | None = None,
    kind: str | None = None,
) -> None:
    """Correct a provisional source's name (and role, and kind: the extractor guesses
    person or organisation); the source is then confirmed."""
    by = _by(by)
    name = " ".join((name or "").split())
    if not name:
        raise SourceDecisionError("a source needs a name")
    if kind is not None and kind not in SOURCE_KINDS:
        raise SourceDecisionError(f"kind '{kind}' is not one of {', '.join(SOURCE_KINDS)}")
    with db.atomic():
        old = _provisional(db, source_id)
        stamp = now()
        old_role, old_kind = db.execute(
            "select role, kind from sources where id = ?", [source_id]
        ).fetchone()
        db.execute(
            "update sources set name = ?, role = coalesce(?, role), kind = coalesce(?, kind), "
            "origin = 'confirmed' where id = ?",
            [name, role, kind, source_id],
        )
        _record(db, source_id, stamp, by, "renamed", "name", old, name, reason)
        if role is not None and role != old_role:
            _record(db, source_id, stamp, by, "renamed", "role", old_role, role, reason)
        if kind is not None and kind != old_kind:
            _record(db, source_id, stamp, by, "renamed", "kind", old_kind, kind, reason)

        _rederive(db, source_id, stamp, by)


def _rederive(db: sqlite_utils.Database, source_id: str, stamp: str, by: str) -> None:
    """A confirmed source now corroborates: its claims' propositions are derived again."""
    touched = [
        proposition
        for (proposition,) in db.execute(
            "select distinct proposition_id from claims "
            "where source_id = ? and proposition_id is not null",
            [source_id],
        )
    ]
    update_derived_statuses(db, touched, stamp, by)


def merge_source(
    db: sqlite_utils.Database, source_id: str, into: str, by: str, reason: str | None = None
) -> int:
    """Fold a provisional source into another source: its claims move there, for good.

    Later loads that suggest the same source give its claims to `into`. Returns the
    number of claims moved.
    """
    by = _by(by)
    if source_id == into:
        raise SourceDecisionError("a source cannot be merged into itself")
    with db.atomic():
        _provisional(db, source_id)
        _, target_origin, target_merged = _source(db, into)
        if target_origin == "merged":
            raise SourceDecisionError(f"source '{into}' was merged into '{target_merged}'")
        stamp = now()
        moved = db.execute(
            "select id, proposition_id from claims where source_id = ?", [source_id]
        ).fetchall()
        db.execute(
            "update claims set source_id = ?, updated_at = ? where source_id = ?",
            [into, stamp, source_id],
        )
        db.table("claim_history").insert_all(
            history_row(claim, stamp, by, "updated", "source_id", source_id, into, reason)
            for claim, _ in moved
        )
        db.execute(
            "update sources set origin = 'merged', merged_into = ? where id = ?", [into, source_id]
        )
        _record(db, source_id, stamp, by, "merged", "merged_into", None, into, reason)
        touched = sorted({proposition for _, proposition in moved if proposition})
        update_derived_statuses(db, touched, stamp, by)
    return len(moved)
