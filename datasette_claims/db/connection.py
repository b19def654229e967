"""Opening a claims database for writing: WAL, the write lock, the final checkpoint."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from datasette_claims.db.schema import check_compatible
from datasette_claims.errors import WriterBusy


def wait_seconds() -> int:
    """How long a write waits for another writer before it gives up (CLAIMS_WAIT_SECONDS)."""
    return int(os.environ.get("CLAIMS_WAIT_SECONDS", "60"))


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) a claims database for writing.

    Write-ahead logging (switched on by the first write) lets `datasette serve` read the
    file while a load writes it: readers see the last committed load, never part of one,
    and are never locked out.
    """
    db = sqlite_utils.Database(path)
    db.execute("pragma foreign_keys = on")
    db.execute(f"pragma busy_timeout = {wait_seconds() * 1000}")
    return db


@contextmanager
def opened(path: str | Path) -> Iterator[sqlite_utils.Database]:
    """A claims database open for writing, checkpointed and closed afterwards.

    The checkpoint moves committed writes from the write-ahead log into the database file,
    so the file alone is complete: what `datasette -i` and `datasette publish` read.
    """
    db = open_database(path)
    try:
        yield db
    finally:
        try:
            db.execute("pragma wal_checkpoint(truncate)")
        except sqlite3.Error:
            pass  # a reader holds an old snapshot: its last connection checkpoints instead
        db.close()


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """One transaction that holds the write lock from its start.

    A second writer waits up to wait_seconds() for it, then fails with WriterBusy before
    writing anything; a deferred transaction could instead fail halfway.
    """
    check_compatible(db)  # a database that is not ours is left exactly as it was
    if db.execute("pragma journal_mode").fetchone()[0] != "wal":
        db.execute("pragma journal_mode = wal")
    with locked(db, wait_seconds()):
        yield


@contextmanager
def locked(db: sqlite_utils.Database, seconds: int) -> Iterator[None]:
    """`begin immediate` ... commit, waiting up to `seconds` for another writer.

    Raises WriterBusy, before anything is written, when the wait runs out; rolls back
    on any error.
    """
    db.execute(f"pragma busy_timeout = {seconds * 1000}")
    try:
        db.execute("begin immediate")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            (path,) = [row[2] for row in db.execute("pragma database_list") if row[1] == "main"]
            raise WriterBusy(
                f"another process has been writing to this database for {seconds} s "
                "(a load, review or link); try again when it has finished",
                file=path,
            ) from None
        raise
    try:
        yield
    except BaseException:
        if db.conn.in_transaction:
            db.execute("rollback")
        raise
    else:
        db.execute("commit")
