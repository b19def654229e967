"""Applying a load plan: the one write path of a load, with its history rows.

Every row a load writes goes through here so that claim_history stays complete.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from datasette_claims.db.bulk import insert_many
from datasette_claims.db.history import history_row, now
from datasette_claims.db.migrations import migrate
from datasette_claims.db.statuses import derive_load_statuses, write_load_statuses
from datasette_claims.db.stories import update_story_graph
from datasette_claims.load.plan import LoadPlan
from datasette_claims.model import ClaimRow

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
    "link_status",
    "link_score",
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
    status_changes: int = 0
    reviews: int = 0
    skipped_files: int = 0
    suggested_sources: int = 0  # provisional sources added for unknown speakers
    # What extractors reported, e.g. {"spans not found in the text, dropped": 2} (llm).
    extraction_notes: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)  # said to the user, stop nothing

    def add(self, other: LoadSummary) -> None:
        """Fold the summary of one part of a load into this one."""
        for name in ("documents", "sources", "propositions", "claims"):
            mine, theirs = getattr(self, name), getattr(other, name)
            mine.added += theirs.added
            mine.updated += theirs.updated
            mine.unchanged += theirs.unchanged
        self.status_changes += other.status_changes
        self.reviews += other.reviews
        self.suggested_sources += other.suggested_sources
        self.extraction_notes.update(other.extraction_notes)
        self.not_in_input.extend(other.not_in_input)
        self.touched.update(other.touched)
        self.warnings.extend(other.warnings)

    not_in_input: list[str] = field(default_factory=list)
    # Propositions whose claims this load added or moved (the story graph follows them).
    touched: set[str] = field(default_factory=set)

    def lines(self) -> list[str]:
        lines = [
            f"documents:    {self.documents}",
            f"sources:      {self.sources}",
            f"propositions: {self.propositions}",
            f"claims:       {self.claims}",
            f"statuses:     {self.status_changes} derived status changes",
        ]
        if self.suggested_sources:
            lines.append(
                f"suggested:    {self.suggested_sources} provisional sources for speakers the "
                "registry does not know (datasette claims source … to confirm or merge)"
            )
        if self.reviews:
            lines.append(f"verdicts:     {self.reviews} imported reviews")
        for note, count in sorted(self.extraction_notes.items()):
            lines.append(f"extraction:   {count} {note}")
        if self.skipped_files:
            lines.append(
                f"skipped:      {self.skipped_files} files unchanged since they were loaded"
                " (--force reads them again)"
            )
        if self.not_in_input:
            shown = ", ".join(self.not_in_input[:5])
            more = f" and {len(self.not_in_input) - 5} more" if len(self.not_in_input) > 5 else ""
            lines.append(
                f"kept:         {len(self.not_in_input)} curated claims no longer in their "
                f"claim file (not deleted; history is kept): {shown}{more}"
            )
        return lines


def apply_plan(
    db: sqlite_utils.Database, plan: LoadPlan, actor: str = "loader", stories: bool = True
) -> LoadSummary:
    """Write a validated plan in one transaction: all of it or, on any error, none.

    With `stories` false the caller brings the story graph up to date afterwards, once
    for a load of many parts, with the propositions the summary says it touched.
    """
    summary = LoadSummary(
        extraction_notes=Counter(plan.extraction_notes), warnings=list(plan.warnings)
    )
    stamp = now()
    with db.atomic():
        migrate(db)
        _upsert_sources(db, plan, summary.sources)
        summary.suggested_sources = _insert_suggested_sources(db, plan, stamp, actor)
        documents = [{**row, "loaded_at": stamp} for row in plan.documents]
        _upsert_rows(
            db, "documents", documents, summary.documents, ignore={"loaded_at", "fetched_at"}
        )
        propositions = [{**row, "created_at": stamp} for row in plan.propositions]
        _upsert_rows(db, "propositions", propositions, summary.propositions, ignore={"created_at"})
        # Stored claims are updated now; new ones wait until their statuses are derived,
        # so each is inserted once with its final status (no insert, then update).
        fresh, history, left = _upsert_claims(db, plan.claims, stamp, actor, summary.claims)
        reviews, judged = _fresh_reviews(db, plan.reviews, fresh)
        # A claim that moved leaves a proposition behind, whose status changes too.
        touched = sorted(
            {row["proposition_id"] for row in plan.claims if row["proposition_id"]} | judged | left
        )
        statuses = derive_load_statuses(db, touched, fresh, reviews, stamp, actor)
        for row in fresh:
            row["status"] = statuses.fresh.get(row["id"], "unverified")
        for entry in history:
            reason = statuses.fresh_reasons.get(entry["claim_id"])
            if reason is not None and entry["action"] == "created":
                entry["new_value"] = statuses.fresh[entry["claim_id"]]
                entry["reason"] = f"{entry['reason']}; {reason}"
        _insert_claims(db, fresh, history)
        summary.claims.added += len(fresh)
        _add_proposition_terms(db, plan)
        if reviews:
            db.table("claim_reviews").insert_all(reviews)
        summary.reviews = len(reviews)
        if plan.ratings:
            db.table("source_ratings").upsert_all(plan.ratings, pk=("source_id", "scheme", "label"))
        summary.not_in_input = _curated_claims_missing(db, plan)
        write_load_statuses(db, statuses)
        summary.status_changes = statuses.changes
        summary.touched.update(touched)
        if stories:
            update_story_graph(db, touched)
    return summary


def _add_proposition_terms(db: sqlite_utils.Database, plan: LoadPlan) -> None:
    """Grow the matcher's index by the terms of this load's new claims."""
    # In key order: each upsert lands next to the last one in the primary key's B-tree
    # (half the time of hash order at 100k claims); the counts are the same either way.
    db.conn.executemany(
        "insert into proposition_terms (proposition_id, term, count) values (?, ?, ?) "
        "on conflict (proposition_id, term) do update set count = count + excluded.count",
        sorted(
            (proposition_id, term, count)
            for proposition_id, counts in plan.proposition_terms.items()
            for term, count in counts.items()
        ),
    )


def _fresh_reviews(
    db: sqlite_utils.Database, reviews: list[dict[str, Any]], fresh: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], set[str]]:
    """Verdicts not seen before, to store as evidence about their claims.

    A verdict never writes a claim's review columns (a person's decision); the status
    derivation weighs it below people's reviews. Returns the new verdicts and the
    propositions of the claims they judge (new claims' from the plan, since they are not
    written yet).
    """
    if not reviews:
        return [], set()
    claim_ids = sorted({r["claim_id"] for r in reviews})
    seen: set[tuple[Any, ...]] = set()
    for at in range(0, len(claim_ids), 500):
        chunk = claim_ids[at : at + 500]
        marks = ", ".join("?" for _ in chunk)
        seen.update(
            db.execute(
                f"select claim_id, reviewer, url, verdict from claim_reviews "
                f"where claim_id in ({marks})",
                chunk,
            ).fetchall()
        )
    new = [r for r in reviews if (r["claim_id"], r["reviewer"], r["url"], r["verdict"]) not in seen]
    if not new:
        return [], set()
    judged_ids = {r["claim_id"] for r in new}
    planned = {row["id"]: row["proposition_id"] for row in fresh if row["id"] in judged_ids}
    propositions = {p for p in planned.values() if p}
    stored = json.dumps(sorted(judged_ids - set(planned)))
    propositions.update(
        p
        for (p,) in db.execute(
            "select distinct proposition_id from claims "
            "where id in (select value from json_each(?)) and proposition_id is not null",
            [stored],
        )
    )
    return new, propositions


def _curated_claims_missing(db: sqlite_utils.Database, plan: LoadPlan) -> list[str]:
    """Curated claims of the loaded documents that their claim file no longer lists."""
    loaded = {row["id"] for row in plan.claims}
    documents = sorted({row["document_id"] for row in plan.claims if row["origin"] == "curated"})
    missing = []
    for document_id in documents:
        for (claim_id,) in db.execute(
            "select id from claims where document_id = ? and origin = 'curated' order by start",
            [document_id],
        ).fetchall():
            if claim_id not in loaded:
                missing.append(claim_id)
    return missing


def _upsert_sources(db: sqlite_utils.Database, plan: LoadPlan, tally: Tally) -> None:
    parents = {r[0]: r[1] for r in db.execute("select id, parent_id from sources").fetchall()}
    parents.update({entry.id: entry.parent_id for entry in plan.sources})
    groups = plan.groups
    # Insert with the group deferred: a group may name a source inserted later in this load.
    depths = _depths([e.id for e in plan.sources], parents)
    ordered = sorted(plan.sources, key=lambda e: depths[e.id])
    _upsert_rows(db, "sources", [e.row(groups[e.id]) for e in ordered], tally)
    db.conn.executemany(
        "delete from source_aliases where source_id = ?", ([entry.id] for entry in ordered)
    )
    db.table("source_aliases").insert_all(
        (
            {"alias": alias, "language": lang, "source_id": entry.id}
            for entry in ordered
            for alias, lang in entry.aliases
        ),
        ignore=True,
    )
    # A changed parent can move sources that were not in this load to another group.
    db.conn.executemany(
        "update sources set independence_group = ? where id = ? and independence_group != ?",
        ([group, source_id, group] for source_id, group in groups.items()),
    )


def _insert_suggested_sources(
    db: sqlite_utils.Database, plan: LoadPlan, stamp: str, actor: str
) -> int:
    """Add provisional sources that are not in the database yet; never touch a row that
    is (the registry's, or one a person confirmed, renamed or merged)."""
    rows = list(plan.suggested_sources.values())
    if not rows:
        return 0
    existing = set(_existing(db, "sources", [r["id"] for r in rows]))
    new = [r for r in rows if r["id"] not in existing]
    if not new:
        return 0
    groups = {}  # a provisional source counts with the institution of its parent
    for row in new:
        if row["parent_id"]:
            found = db.execute(
                "select independence_group from sources where id = ?", [row["parent_id"]]
            ).fetchone()
            if found:
                groups[row["parent_id"]] = found[0]
    db.table("sources").insert_all(
        (
            {
                **row,
                "independence_group": groups.get(row["parent_id"] or "", row["id"]),
                "aliases": json.dumps([row["name"]], ensure_ascii=False),
            }
            for row in new
        ),
        ignore=True,
    )
    db.table("source_history").insert_all(
        {
            "source_id": row["id"],
            "changed_at": stamp,
            "changed_by": actor,
            "action": "created",
            "field": None,
            "old_value": None,
            "new_value": row["name"],
            "reason": "suggested from the speaker's words in an article",
        }
        for row in new
    )
    return len(new)


def _depths(ids: list[str], parents: dict[str, str | None]) -> dict[str, int]:
    """How many parents up each source's chain goes (parents sort before children).

    Each source is walked once: a walk stops at the first source whose depth is known, and
    the sources it passed are one deeper each, so a deep chain costs linear time, in a loop
    rather than recursion. A chain that runs into a cycle counts as `len(parents)` deep.
    """
    cap = len(parents)
    depths: dict[str, int] = {}
    for start in ids:
        path: list[str] = []
        on_path: set[str] = set()
        node = start
        while True:
            if node in depths:
                depth = depths[node]
                break
            if node in on_path:
                depth = cap
                break
            parent = parents.get(node)
            if not parent:
                depth = depths[node] = 0
                break
            path.append(node)
            on_path.add(node)
            node = parent
        for member in reversed(path):
            depth = min(depth + 1, cap)
            depths[member] = depth
    return depths


def _existing(db: sqlite_utils.Database, table: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Current rows for these ids, fetched in chunks (SQLite caps bound parameters)."""
    found: dict[str, dict[str, Any]] = {}
    for at in range(0, len(ids), 500):
        chunk = ids[at : at + 500]
        marks = ", ".join("?" for _ in chunk)
        cursor = db.execute(f"select * from [{table}] where id in ({marks})", chunk)
        columns = [d[0] for d in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(columns, values, strict=True))
            found[row["id"]] = row
    return found


def _upsert_rows(
    db: sqlite_utils.Database,
    table: str,
    rows: list[dict[str, Any]],
    tally: Tally,
    ignore: AbstractSet[str] = frozenset(),
) -> None:
    """Insert new rows in bulk and update changed ones, counting each kind."""
    existing = _existing(db, table, [row["id"] for row in rows])
    fresh = [row for row in rows if row["id"] not in existing]
    # New rows first: a stored row may be changed to point at one (a registry that adds
    # source X and moves a stored source under X in the same file).
    if fresh:
        insert_many(db, table, fresh)
        tally.added += len(fresh)
    for row in rows:
        before = existing.get(row["id"])
        if before is None:
            continue
        changes = {k: v for k, v in row.items() if k not in ignore and _differs(before.get(k), v)}
        if changes:
            db.table(table).update(row["id"], changes)
            tally.updated += 1
        else:
            tally.unchanged += 1


def _upsert_claims(
    db: sqlite_utils.Database,
    rows: list[ClaimRow],
    stamp: str,
    actor: str,
    tally: Tally,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], set[str]]:
    """Update stored claims whose tracked fields changed; returns the new claims and the
    history rows, written by _insert_claims() once the new claims' statuses are known, and
    the propositions that updated claims moved away from."""
    existing = _existing(db, "claims", [row["id"] for row in rows])
    fresh: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    left: set[str] = set()
    reasons: dict[str, str] = {}
    for planned in rows:
        row: dict[str, Any] = dict(planned)
        file = row.pop("_file", "") or ""
        reason = reasons.get(file)
        if reason is None:
            reason = reasons[file] = f"loaded from {Path(file).name or 'input'}"
        before = existing.get(row["id"])
        if before is None:
            fresh.append({**row, "status": "unverified", "created_at": stamp, "updated_at": stamp})
            history.append(
                history_row(
                    row["id"], stamp, actor, "created", "status", None, "unverified", reason
                )
            )
            continue
        changed = [f for f in TRACKED_FIELDS if f in row and _differs(before.get(f), row[f])]
        if not changed:
            tally.unchanged += 1
            continue
        if "proposition_id" in changed and before.get("proposition_id"):
            left.add(before["proposition_id"])
        db.table("claims").update(row["id"], {**{f: row[f] for f in changed}, "updated_at": stamp})
        history.extend(
            history_row(row["id"], stamp, actor, "updated", f, before.get(f), row[f], reason)
            for f in changed
        )
        tally.updated += 1
    return fresh, history, left


def _insert_claims(
    db: sqlite_utils.Database, fresh: list[dict[str, Any]], history: list[dict[str, Any]]
) -> None:
    """New claims (with their derived statuses), then the load's created/updated rows."""
    if fresh:
        insert_many(db, "claims", fresh)
        if db["claim_counts"].exists():
            # Counted as unverified first before, so the row is there even when no new
            # claim stays unverified (the counts stay what they were).
            db.execute(
                "insert into claim_counts (dimension, value, count) "
                "values ('status', 'unverified', 0) on conflict (dimension, value) do nothing"
            )
    if history:
        insert_many(db, "claim_history", history)


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return float(old) != float(new)
    return old != new
