"""The bulk write path of a load: many rows with one executemany, triggers set aside."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from .schema import BULK_CATCH_UP

BULK_ROWS = 2000  # below this, per-row triggers cost less than setting them aside


def insert_many(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows that share their keys with one executemany: the bulk path of a load.

    Our rows are built by our own code with fixed keys and plain values, so sqlite-utils'
    per-value conversions are not needed here.
    """
    columns = list(rows[0])
    sql = "insert into [{}] ({}) values ({})".format(
        table, ", ".join(f"[{c}]" for c in columns), ", ".join("?" for _ in columns)
    )
    values = (list(map(row.get, columns)) for row in rows)
    if table not in BULK_CATCH_UP or len(rows) < BULK_ROWS:
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
