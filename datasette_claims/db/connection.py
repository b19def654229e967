"""Opening a claims database for writing: WAL, the write lock, the final checkpoint."""

from __future__ import annotations

import os
import sqlite3
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from datasette_claims.db.schema import check_compatible
from datasette_claims.errors import CheckpointError, ClaimsWarning, WriterBusy


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


Warn = Callable[[str], None]


def _warn(message: str) -> None:
    warnings.warn(message, ClaimsWarning, stacklevel=3)


@contextmanager
def opened(path: str | Path, warn: Warn | None = None) -> Iterator[sqlite_utils.Database]:
    """A claims database open for writing, checkpointed and closed afterwards.

    The checkpoint moves committed writes from the write-ahead log into the database file,
    so the file alone is complete: what `datasette -i` and `datasette publish` read. When
    it cannot (see checkpoint()), the log is kept and the next write command finishes it.
    """
    db = open_database(path)
    try:
        yield db
    except BaseException:
        # The body's error is the one to tell; a checkpoint may still fold in earlier commits.
        try:
            db.execute("pragma wal_checkpoint(truncate)")
        except sqlite3.Error:
            pass
        db.close()
        raise
    try:
        checkpoint(db, path, warn or _warn)
    finally:
        db.close()  # a failed checkpoint leaves the -wal file: SQLite deletes it only when done


# Errors that leave the log for later without harm: a reader or writer holds the file.
_WAIT_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED


def checkpoint(db: sqlite_utils.Database, path: str | Path, warn: Warn) -> bool:
    """Fold the write-ahead log into the database file; True when it is all in.

    A reader holding an old snapshot ("busy") is a warning: that reader's connection, the
    next command or `datasette claims checkpoint` finishes the work. Any other failure (a
    full disk, an I/O error) raises CheckpointError: what was committed is safe in the log,
    but the file alone is incomplete, and must not be served with -i or published.
    """
    try:
        busy, _, _ = db.execute("pragma wal_checkpoint(truncate)").fetchone()
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorcode", None) in _WAIT_CODES or "locked" in str(exc):
            busy = 1
        else:
            raise CheckpointError(
                f"the changes are committed, but moving them from the write-ahead log "
                f"({path}-wal) into the database file failed: {_reason(exc)}. Nothing is "
                f"lost: the log is kept, and {path} alone is incomplete until it is moved in; "
                f"do not publish or serve it with -i yet. Free space, then run "
                f"`datasette claims checkpoint {path}` (the next load does it too).",
                file=str(path),
            ) from None
    if busy:
        warn(
            f"{path}: another connection is reading an older snapshot (or writing), so "
            "the write-ahead log is not all in the database file yet; it will be when that "
            f"connection finishes (or run `datasette claims checkpoint {path}` before "
            "publishing)"
        )
        return False
    return True


def _reason(exc: sqlite3.Error) -> str:
    message = str(exc)
    if "full" in message:
        return f"{message} (the disk or the file size limit is full)"
    return message


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
