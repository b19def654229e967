"""People's decisions on matching: link, unlink, merge and split propositions.

Each writes `updated proposition_id` rows to claim_history and re-derives the statuses of
the propositions involved. A confirmed link is never moved by a later matching run; an
unlinked pair is remembered in rejected_links and never suggested again.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import sqlite_utils

from datasette_claims.db.history import history_row, now
from datasette_claims.db.statuses import update_derived_statuses
from datasette_claims.db.stories import update_story_graph
from datasette_claims.errors import LinkError


def _claim(db: sqlite_utils.Database, claim_id: str) -> tuple[str | None]:
    row = db.execute("select proposition_id from claims where id = ?", [claim_id]).fetchone()
    if row is None:
        raise LinkError(f"no claim with id '{claim_id}'")
    return row


def _proposition(db: sqlite_utils.Database, proposition_id: str) -> None:
    row = db.execute(
        "select merged_into from propositions where id = ?", [proposition_id]
    ).fetchone()
    if row is None:
        raise LinkError(f"no proposition with id '{proposition_id}'")
    if row[0]:
        raise LinkError(f"proposition '{proposition_id}' was merged into '{row[0]}'")


def _by(by: str) -> str:
    if not by or not by.strip():
        raise LinkError("a decision needs the name of who makes it (--by)")
    return by.strip()


def _move(
    db: sqlite_utils.Database,
    claim_id: str,
    old: str | None,
    new: str | None,
    by: str,
    stamp: str,
    reason: str,
    status: str | None = "confirmed",
) -> dict[str, Any]:
    db.execute(
        "update claims set proposition_id = ?, link_status = ?, link_score = null, "
        "updated_at = ? where id = ?",
        [new, status if new else None, stamp, claim_id],
    )
    return history_row(claim_id, stamp, by, "updated", "proposition_id", old, new, reason)


def link(db: sqlite_utils.Database, claim_id: str, proposition_id: str, by: str) -> None:
    """Confirm a claim belongs to a proposition (moving it there if need be)."""
    by = _by(by)
    with db.atomic():
        (old,) = _claim(db, claim_id)
        _proposition(db, proposition_id)
        stamp = now()
        db.table("claim_history").insert(
            _move(db, claim_id, old, proposition_id, by, stamp, f"linked by {by}")
        )
        db.execute(
            "delete from rejected_links where claim_id = ? and proposition_id = ?",
            [claim_id, proposition_id],
        )
        update_derived_statuses(db, [p for p in {old, proposition_id} if p], stamp, by)
        update_story_graph(db, [p for p in {old, proposition_id} if p])


def unlink(db: sqlite_utils.Database, claim_id: str, by: str) -> str:
    """Take a claim off its proposition; the pair is never suggested again."""
    by = _by(by)
    with db.atomic():
        (old,) = _claim(db, claim_id)
        if not old:
            raise LinkError(f"claim '{claim_id}' is not linked to a proposition")
        stamp = now()
        db.table("claim_history").insert(
            _move(db, claim_id, old, None, by, stamp, f"unlinked by {by}")
        )
        db.table("rejected_links").insert(
            {"claim_id": claim_id, "proposition_id": old, "rejected_by": by, "rejected_at": stamp},
            replace=True,
        )
        db.execute(
            "update claims set status = 'unverified' where id = ? and reviewed_at is null",
            [claim_id],
        )
        update_derived_statuses(db, [old], stamp, by)
        update_story_graph(db, [old])
    return old


def merge(db: sqlite_utils.Database, target: str, source: str, by: str) -> int:
    """Move every claim of `source` to `target`; `source` is kept, marked merged."""
    by = _by(by)
    if target == source:
        raise LinkError("a proposition cannot be merged into itself")
    with db.atomic():
        _proposition(db, target)
        _proposition(db, source)
        stamp = now()
        claims = [
            r[0]
            for r in db.execute(
                "select id from claims where proposition_id = ? order by rowid", [source]
            ).fetchall()
        ]
        db.table("claim_history").insert_all(
            _move(db, c, source, target, by, stamp, f"merged {source} into {target} ({by})")
            for c in claims
        )
        db.execute("update propositions set merged_into = ? where id = ?", [target, source])
        # What people rejected for the old proposition they reject for the merged one too.
        db.execute(
            "insert or ignore into rejected_links "
            "select claim_id, ?, rejected_by, rejected_at from rejected_links "
            "where proposition_id = ?",
            [target, source],
        )
        db.execute(
            "insert into proposition_terms (proposition_id, term, count) "
            "select ?, term, count from proposition_terms where proposition_id = ? "
            "on conflict (proposition_id, term) do update set count = count + excluded.count",
            [target, source],
        )
        update_derived_statuses(db, [target, source], stamp, by)
        update_story_graph(db, [target, source])
    return len(claims)


def split(
    db: sqlite_utils.Database, proposition_id: str, claim_ids: list[str], statement: str, by: str
) -> str:
    """Move some claims of a proposition to a new one with this English statement."""
    by = _by(by)
    if not statement or not statement.strip():
        raise LinkError("a split needs a statement for the new proposition")
    if not claim_ids:
        raise LinkError("name the claims that move to the new proposition")
    with db.atomic():
        _proposition(db, proposition_id)
        for claim_id in claim_ids:
            (current,) = _claim(db, claim_id)
            if current != proposition_id:
                raise LinkError(f"claim '{claim_id}' is not on proposition '{proposition_id}'")
        slug = re.sub(r"[^a-z0-9]+", "-", statement.lower()).strip("-")[:60]
        new_id = slug or "p-" + hashlib.sha256(statement.encode()).hexdigest()[:12]
        if db.execute("select 1 from propositions where id = ?", [new_id]).fetchone():
            new_id += "-" + hashlib.sha256(" ".join(claim_ids).encode()).hexdigest()[:6]
        stamp = now()
        topic = db.execute(
            "select topic from propositions where id = ?", [proposition_id]
        ).fetchone()[0]
        db.table("propositions").insert(
            {
                "id": new_id,
                "statement": statement.strip(),
                "topic": topic,
                "created_at": stamp,
                "origin": "split",
            }
        )
        db.table("claim_history").insert_all(
            _move(db, c, proposition_id, new_id, by, stamp, f"split from {proposition_id} ({by})")
            for c in claim_ids
        )
        update_derived_statuses(db, [proposition_id, new_id], stamp, by)
        update_story_graph(db, [proposition_id, new_id])
    return new_id
