"""Merging imported data into a plan: duplicates collapse, people's claims stay."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from datasette_claims.errors import LoadError
from datasette_claims.formats.base import ImportBatch
from datasette_claims.load.plan import LoadPlan
from datasette_claims.model import ClaimRow


def _kept_claims(db: sqlite_utils.Database, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    """Claims that exist and were not imported: never overwritten. id -> who reviewed it,
    its origin, text and stance."""
    if not ids or not db["claims"].exists() or "reviewed_by" not in db["claims"].columns_dict:
        return {}
    kept: dict[str, tuple[Any, ...]] = {}
    for at in range(0, len(ids), 500):
        chunk = ids[at : at + 500]
        marks = ", ".join("?" for _ in chunk)
        for claim_id, *stored in db.execute(
            f"select id, reviewed_by, origin, text, stance from claims "
            f"where origin != 'imported' and id in ({marks})",
            chunk,
        ).fetchall():
            kept[claim_id] = tuple(stored)
    return kept


def _same_claim(
    batch: ImportBatch, row: ClaimRow, stored: tuple[Any, ...], judged: set[str]
) -> None:
    """An imported row may name a curated or extracted claim only to add a verdict to it
    (JUDGED: the rows whose verdict is kept) or as the claim it is (our own export, read
    back). Otherwise it would be dropped unseen, so it is refused."""
    _, origin, text, stance = stored
    differs = [
        name
        for name, given, ours in (("text", row["text"], text), ("stance", row["stance"], stance))
        if given != ours
    ]
    if differs and row["id"] not in judged:
        raise LoadError(
            f"claim id '{row['id']}' is a {origin} claim in the database, with another "
            f"{' and '.join(differs)}; an imported row cannot change it, only add a verdict "
            "to it. Give the row another id, or none",
            file=batch.path,
            line=batch.claim_lines.get(row["id"]),
            field="id",
        )


def _check_extracted(
    db: sqlite_utils.Database,
    path: str,
    row: ClaimRow,
    texts: dict[str, str],
    known_sources: set[str],
) -> None:
    """A shard's claim must point into a loaded document, at exactly its text."""
    document_id = row["document_id"]
    if document_id not in texts and db["documents"].exists():
        found = db.execute("select text from documents where id = ?", [document_id]).fetchone()
        if found:
            texts[document_id] = found[0]
    if document_id not in texts:
        raise LoadError(
            f"document {document_id} is not loaded; load its article together with the shard",
            file=path,
            field="document_id",
        )
    if texts[document_id][row["start"] : row["end"]] != row["text"]:
        raise LoadError(
            f"claim {row['id']}: the text at {row['start']}..{row['end']} of its document differs",
            file=path,
            field="text",
        )
    if row["source_id"] and row["source_id"] not in known_sources:
        row["source_id"] = None  # the registry loaded here does not know it; keep the words


def merge_imports(
    db: sqlite_utils.Database,
    plan: LoadPlan,
    batches: list[ImportBatch],
    propositions: set[str],
    claim_ids: dict[str, str],
) -> None:
    """Add imported rows to the plan; duplicates within and across files become one.

    An imported row never overwrites a curated or extracted claim of the same id (re-loading
    our own export into the database it came from changes nothing); verdicts from other
    reviewers are still added to such claims.
    """
    documents = {row["id"] for row in plan.documents}
    claims: dict[str, ClaimRow] = {}
    kept = _kept_claims(db, [cid for batch in batches for cid in batch.claims])
    texts = {row["id"]: row["text"] for row in plan.documents}
    known_sources = {s.id for s in plan.sources} | existing_ids(db, "sources")
    unclaimed: set[str] = set()  # sources of rows that name a stored claim
    for batch in batches:
        for prop in batch.propositions.values():
            if prop["id"] not in propositions:
                plan.propositions.append(prop)
                propositions.add(prop["id"])
        used: set[str] = set()  # documents of the claims taken: no document without one
        verdicts = [
            r
            for r in batch.reviews
            if r["claim_id"] not in kept or r["reviewer"] != kept[r["claim_id"]][0]
        ]
        judged = {r["claim_id"] for r in verdicts}
        for claim_id, row in batch.claims.items():
            if claim_id in claim_ids:
                raise LoadError(
                    f"claim id '{claim_id}' is also used in {claim_ids[claim_id]}",
                    file=batch.path,
                    line=batch.claim_lines.get(claim_id),
                    field="id",
                )
            if row["proposition_id"] and row["proposition_id"] not in propositions:
                raise LoadError(
                    f"unknown proposition '{row['proposition_id']}'; give its statement in a "
                    "proposition_statement column",
                    file=batch.path,
                    line=batch.claim_lines.get(claim_id),
                    field="proposition",
                )
            if row["origin"] == "extracted":
                _check_extracted(db, batch.path, row, texts, known_sources)
            if claim_id in kept:
                _same_claim(batch, row, kept[claim_id], judged)
                if row["source_id"]:
                    unclaimed.add(row["source_id"])
            else:
                claims[claim_id] = row
                used.add(row["document_id"])
        for document in batch.documents.values():
            if document["id"] in used and document["id"] not in documents:
                plan.documents.append(document)
                documents.add(document["id"])
        plan.reviews.extend(verdicts)
        plan.ratings.extend(
            {"source_id": s, "scheme": scheme, "label": label, "count": count}
            for (s, scheme, label), count in batch.ratings.items()
        )
    plan.claims.extend(claims.values())
    _drop_unclaimed_sources(plan, unclaimed)


def _drop_unclaimed_sources(plan: LoadPlan, unclaimed: set[str]) -> None:
    """Sources that only the rows naming a stored claim brought, which no claim or other
    source refers to: not written, so a verdict for a curated claim leaves no orphan."""
    if not unclaimed:
        return
    referred = {row["source_id"] for row in plan.claims}
    for entry in plan.sources:
        referred.update((entry.parent_id, entry.independence_group))
    plan.sources = [
        entry
        for entry in plan.sources
        if not (entry.imported and entry.id in unclaimed and entry.id not in referred)
    ]


def existing_ids(db: sqlite_utils.Database, table: str) -> set[str]:
    if not db[table].exists():
        return set()
    return {row[0] for row in db.execute(f"select id from [{table}]").fetchall()}
