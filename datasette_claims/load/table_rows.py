"""Articles that live in a row of another table (the "Extract claims" enrichment).

Each row is loaded on its own, through the same plan and store as `datasette claims load`
(extraction, matching, statuses, history), in the caller's transaction. The document
records the table and primary key it came from: the same row again changes nothing; an
edited row supersedes the machine claims of the row's earlier text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from datasette_claims.db.history import history_row, now
from datasette_claims.db.migrations import migrate, our_tables
from datasette_claims.db.statuses import update_derived_statuses
from datasette_claims.errors import LoadError
from datasette_claims.extract import Extractor
from datasette_claims.inputs.article import Article, guess_language
from datasette_claims.inputs.fields import date_problem, url_problem
from datasette_claims.load.apply import LoadSummary, apply_plan
from datasette_claims.load.planning import plan_load


@dataclass
class TableRow:
    """One row's article: the row's table and primary key, and its mapped columns."""

    table: str
    pk: list[Any]  # the primary key's values, in the table's key order
    text: Any
    title: Any = None
    published_at: Any = None
    url: Any = None
    publisher: Any = None
    language: str | None = None

    @property
    def key(self) -> str:
        return json.dumps(self.pk, ensure_ascii=False, default=str)

    @property
    def where(self) -> str:
        return f"{self.table} row {', '.join(map(str, self.pk))}"


def clashing_tables(db: sqlite_utils.Database) -> list[str]:
    """Tables with our names that datasette-claims did not make (none once it has)."""
    if db["claims_migrations"].exists():
        return []
    return sorted(set(db.table_names()) & our_tables())


def row_article(row: TableRow) -> Article:
    """The row as an article; a LoadError names the row and the column that is wrong."""

    def text_of(value: Any, column: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, (str, int, float)):
            raise LoadError(f"the {column} is not text", file=row.where, field=column)
        return " ".join(str(value).split()) or None

    if not isinstance(row.text, str) or not row.text.strip():
        raise LoadError("the text column is empty", file=row.where, field="text")
    url = text_of(row.url, "url")
    if url and url_problem(url):
        raise LoadError(str(url_problem(url)), file=row.where, field="url")
    published = text_of(row.published_at, "date")
    if published and date_problem(published):
        raise LoadError(str(date_problem(published)), file=row.where, field="date")
    text = row.text.replace("\r\n", "\n").strip() + "\n"
    return Article(
        path=row.where,
        text=text,
        title=text_of(row.title, "title"),
        published_at=published,
        url=url,
        publisher=text_of(row.publisher, "outlet"),
        language=row.language or guess_language(text),
    )


@dataclass
class RowResult:
    document_id: str
    summary: LoadSummary
    superseded: int  # machine claims of the row's earlier text, now retracted


def load_table_row(
    db: sqlite_utils.Database,
    row: TableRow,
    actor: str,
    extractors: list[Extractor] | None = None,
) -> RowResult:
    """Extract and store one row's claims; the caller holds the transaction (one per row)."""
    clashing = clashing_tables(db)
    if clashing:
        raise LoadError(
            f"this database already has tables named {', '.join(clashing)} that "
            "datasette-claims did not create; extract claims into another database"
        )
    article = row_article(row)
    migrate(db)
    plan = plan_load(db, [], discovered=True, fetched=[article], extractors=extractors)
    for document in plan.documents:
        document["path"] = row.where  # the plan keeps a file name; this is the row
    summary = apply_plan(db, plan, actor=actor)
    # The first row to bring this text keeps it (two rows with one text share a document).
    db.execute(
        "update documents set origin_table = ?, origin_pk = ? "
        "where id = ? and origin_table is null",
        [row.table, row.key, article.id],
    )
    superseded = _supersede(db, row, article.id, actor)
    return RowResult(article.id, summary, superseded)


def _supersede(db: sqlite_utils.Database, row: TableRow, current: str, actor: str) -> int:
    """Retract the machine claims of the row's earlier texts, with a history row each.

    Nothing is deleted; claims a person reviewed or whose link a person confirmed stay.
    """
    stale = db.execute(
        """
        select c.id, c.status, c.proposition_id from claims c
        join documents d on d.id = c.document_id
        where d.origin_table = ? and d.origin_pk = ? and d.id != ?
          and c.origin = 'extracted' and c.status != 'retracted'
          and c.reviewed_at is null and coalesce(c.link_status, '') != 'confirmed'
          and not exists (select 1 from claim_history h
                          where h.claim_id = c.id and h.action = 'review')
        order by c.id
        """,
        [row.table, row.key, current],
    ).fetchall()
    if not stale:
        return 0
    stamp = now()
    reason = f"superseded: {row.where} was edited (its text is now document {current})"
    db.conn.executemany(
        "update claims set status = 'retracted', updated_at = ? where id = ?",
        [(stamp, claim_id) for claim_id, _, _ in stale],
    )
    db.table("claim_history").insert_all(
        history_row(claim_id, stamp, actor, "status", "status", status, "retracted", reason)
        for claim_id, status, _ in stale
    )
    propositions = sorted({p for _, _, p in stale if p})
    update_derived_statuses(db, propositions, stamp, actor)
    return len(stale)
