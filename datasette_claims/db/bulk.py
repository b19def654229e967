"""The bulk write path of a load: many rows with one executemany, triggers set aside."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

import sqlite_utils

from datasette_claims.db.schema import COUNTED
from datasette_claims.model import same_columns

BULK_ROWS = 2000  # below this, per-row triggers cost less than setting them aside


def insert_many(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows that share their keys with one executemany: the bulk path of a load.

    Our rows are built by our own code (model's row functions) with plain values, so
    sqlite-utils' per-value conversions are not needed here; rows whose keys differ are
    refused rather than written with the first row's columns.
    """
    columns = same_columns(rows)
    sql = "insert into [{}] ({}) values ({})".format(
        table, ", ".join(f"[{c}]" for c in columns), ", ".join("?" for _ in columns)
    )
    values = (
        map(itemgetter(*columns), rows) if len(columns) > 1 else ([r[columns[0]]] for r in rows)
    )
    # History rows that bring their own id keep the append-only guard (see below).
    guarded = table == "claim_history" and "id" in columns
    if table not in BULK_CATCH_UP or len(rows) < BULK_ROWS or guarded:
        db.conn.executemany(sql, values)
        return
    # Many rows: per-row triggers (full-text index, counts) are set aside and their work
    # done afterwards in one set-based pass. Inside the load's transaction, so readers
    # never see the table without them.
    names, catch_up = BULK_CATCH_UP[table]
    marks = ", ".join("?" for _ in names)
    saved = db.execute(
        f"select name, sql from sqlite_master where type = 'trigger' and name in ({marks})",
        list(names),
    ).fetchall()
    after = db.execute(f"select coalesce(max(rowid), 0) from [{table}]").fetchone()[0]
    for name, _ in saved:
        db.execute(f"drop trigger [{name}]")
    db.conn.executemany(sql, values)
    for statement in catch_up:
        db.execute(statement, {"after": after})
    for _, create in saved:
        db.execute(create)


# After-insert triggers the bulk path of a load may set aside, and the set-based statements
# that do their work for the rows after a given rowid in one pass.
BULK_CATCH_UP: dict[str, tuple[tuple[str, ...], list[str]]] = {
    "claims": (
        ("claims_ai", "claim_counts_insert"),
        [
            "insert into claims_fts (rowid, text, speaker) "
            "select rowid, text, speaker from claims where rowid > :after",
            *(
                "insert into claim_counts (dimension, value, count) "
                f"select '{dimension}', {value}, count(*) from claims where rowid > :after "
                "group by 2 having count(*) > 0 "
                "on conflict (dimension, value) do update set count = count + excluded.count"
                for dimension, value in (
                    ("all", "''"),
                    *((d, f"coalesce({c}, '')") for d, c in COUNTED),
                )
            ),
        ],
    ),
    # History is append-only: the guard against an insert that replaces a row costs a
    # look-up per row, but a plain insert that gives no id never lands on an existing row.
    "claim_history": (("claim_history_no_replace",), []),
    "documents": (
        ("documents_ai",),
        [
            "insert into documents_fts (rowid, title, text) "
            "select rowid, title, text from documents where rowid > :after"
        ],
    ),
}
