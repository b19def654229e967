"""The one write path into a claims database: loads, corrections and status changes.

Every write goes through here so that claim_history stays complete; callers never write
claims rows directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from .loader import LoadPlan
from .registry import independence_groups
from .schema import migrate

# Claim fields whose change is a correction worth a history row.
TRACKED_FIELDS = (
    "document_id",
    "source_id",
    "proposition_id",
    "text",
    "start",
    "end",
    "speaker",
    "quote_kind",
    "stance",
    "hedge",
    "figure_value",
    "figure_unit",
    "figure_text",
    "figure_as_of",
    "figure_is_forecast",
    "event_date",
    "claimed_at",
    "origin",
    "confidence",
    "note",
)


@dataclass
class Tally:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class LoadSummary:
    documents: Tally = field(default_factory=Tally)
    sources: Tally = field(default_factory=Tally)
    propositions: Tally = field(default_factory=Tally)
    claims: Tally = field(default_factory=Tally)

    def lines(self) -> list[str]:
        return [
            f"documents:    {self.documents}",
            f"sources:      {self.sources}",
            f"propositions: {self.propositions}",
            f"claims:       {self.claims}",
        ]

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            name: vars(getattr(self, name))
            for name in ("documents", "sources", "propositions", "claims")
        }


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) a claims database with foreign keys enforced."""
    db = sqlite_utils.Database(path)
    db.execute("pragma foreign_keys = on")
    return db


def apply_plan(db: sqlite_utils.Database, plan: LoadPlan, actor: str = "loader") -> LoadSummary:
    """Write a validated plan in one transaction: all of it or, on any error, none."""
    summary = LoadSummary()
    stamp = now()
    with db.atomic():
        migrate(db)
        _upsert_sources(db, plan, summary.sources)
        for row in plan.documents:
            _upsert(
                db,
                "documents",
                {**row, "loaded_at": stamp},
                summary.documents,
                ignore={"loaded_at"},
            )
        for row in plan.propositions:
            _upsert(
                db,
                "propositions",
                {**row, "created_at": stamp},
                summary.propositions,
                ignore={"created_at"},
            )
        for row in plan.claims:
            _upsert_claim(db, row, stamp, actor, summary.claims)
    return summary


def _upsert_sources(db: sqlite_utils.Database, plan: LoadPlan, tally: Tally) -> None:
    parents = {r[0]: r[1] for r in db.execute("select id, parent_id from sources").fetchall()}
    explicit: dict[str, str | None] = {}
    for entry in plan.sources:
        parents[entry.id] = entry.parent_id
        explicit[entry.id] = entry.independence_group
    groups = independence_groups(parents, explicit)
    # Parents first, so foreign keys hold at every insert.
    for entry in sorted(plan.sources, key=lambda e: _depth(e.id, parents)):
        _upsert(db, "sources", entry.row(groups[entry.id]), tally)
        db.execute("delete from source_aliases where source_id = ?", [entry.id])
        db["source_aliases"].insert_all(
            (
                {"alias": alias, "language": lang, "source_id": entry.id}
                for alias, lang in entry.aliases
            ),
            ignore=True,
        )
    # A changed parent can move sources that were not in this load to another group.
    for source_id, group in groups.items():
        db.execute(
            "update sources set independence_group = ? where id = ? and independence_group != ?",
            [group, source_id, group],
        )


def _depth(source_id: str, parents: dict[str, str | None]) -> int:
    depth = 0
    while parents.get(source_id) and depth < len(parents):
        source_id = parents[source_id]  # type: ignore[assignment]
        depth += 1
    return depth


def _upsert(
    db: sqlite_utils.Database,
    table: str,
    row: dict[str, Any],
    tally: Tally,
    ignore: set[str] = frozenset(),  # type: ignore[assignment]
) -> dict[str, Any] | None:
    """Insert or update one row by id; returns the previous row (None if new)."""
    existing = db.execute(f"select * from [{table}] where id = ?", [row["id"]]).fetchone()
    if existing is None:
        db[table].insert(row)
        tally.added += 1
        return None
    cursor = db.execute(f"select * from [{table}] limit 0")
    before = dict(zip([d[0] for d in cursor.description], existing, strict=True))
    changes = {k: v for k, v in row.items() if k not in ignore and before.get(k) != v}
    if changes:
        db[table].update(row["id"], changes)
        tally.updated += 1
    else:
        tally.unchanged += 1
    return before


def _upsert_claim(
    db: sqlite_utils.Database, row: dict[str, Any], stamp: str, actor: str, tally: Tally
) -> None:
    row = dict(row)
    reason = f"loaded from {Path(row.pop('_file', '') or '').name or 'input'}"
    existing = db.execute("select * from claims where id = ?", [row["id"]]).fetchone()
    if existing is None:
        db["claims"].insert(
            {**row, "status": "unverified", "created_at": stamp, "updated_at": stamp}
        )
        _history(db, row["id"], stamp, actor, "created", "status", None, "unverified", reason)
        tally.added += 1
        return
    columns = [d[0] for d in db.execute("select * from claims limit 0").description]
    before = dict(zip(columns, existing, strict=True))
    changed = [f for f in TRACKED_FIELDS if f in row and _differs(before.get(f), row[f])]
    if not changed:
        tally.unchanged += 1
        return
    db["claims"].update(row["id"], {**{f: row[f] for f in changed}, "updated_at": stamp})
    for name in changed:
        _history(db, row["id"], stamp, actor, "updated", name, before.get(name), row[name], reason)
    tally.updated += 1


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return float(old) != float(new)
    return old != new


def _history(
    db: sqlite_utils.Database,
    claim_id: str,
    stamp: str,
    actor: str,
    action: str,
    field_name: str | None,
    old: Any,
    new: Any,
    reason: str | None,
    evidence_url: str | None = None,
) -> None:
    db["claim_history"].insert(
        {
            "claim_id": claim_id,
            "changed_at": stamp,
            "changed_by": actor,
            "action": action,
            "field": field_name,
            "old_value": _text(old),
            "new_value": _text(new),
            "reason": reason,
            "evidence_url": evidence_url,
        }
    )


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)
