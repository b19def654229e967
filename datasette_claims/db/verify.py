"""`datasette claims verify`: re-check what a claims database promises, row by row.

Read-only. Each check yields violations naming the table and row, so a report says what
is wrong and where; an empty report means every promise holds.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from datasette_claims.db.schema import COUNTED
from datasette_claims.db.statuses import derivations


@dataclass(frozen=True)
class Violation:
    check: str
    table: str
    row: str
    message: str

    def __str__(self) -> str:
        return f"{self.check}: {self.table} {self.row}: {self.message}"


def _integrity(db: sqlite_utils.Database) -> Iterator[Violation]:
    for (message,) in db.execute("pragma integrity_check").fetchall():
        if message != "ok":
            yield Violation("integrity", "(file)", "-", message)


def _foreign_keys(db: sqlite_utils.Database) -> Iterator[Violation]:
    for table, rowid, parent, _ in db.execute("pragma foreign_key_check").fetchall():
        yield Violation("foreign key", table, f"rowid {rowid}", f"no row in {parent}")


def _spans(db: sqlite_utils.Database) -> Iterator[Violation]:
    for claim_id, start, end, length in db.execute(
        """select c.id, c.start, c."end", length(d.text) from claims c
           join documents d on d.id = c.document_id
           where substr(d.text, c.start + 1, c."end" - c.start) is not c.text"""
    ).fetchall():
        yield Violation(
            "span",
            "claims",
            claim_id,
            f"the document text at {start}..{end} (of {length}) is not the claim's text",
        )


_APPEND_ONLY = ("claim_history_no_update", "claim_history_no_delete", "claim_history_no_replace")


def _history(db: sqlite_utils.Database) -> Iterator[Violation]:
    triggers = {
        name for (name,) in db.execute("select name from sqlite_master where type = 'trigger'")
    }
    for name in _APPEND_ONLY:
        if name not in triggers:
            yield Violation("history", "claim_history", "-", f"trigger {name} is missing")
    for (claim_id,) in db.execute(
        """select id from claims c where not exists (
               select 1 from claim_history h where h.claim_id = c.id and h.action = 'created')"""
    ).fetchall():
        yield Violation("history", "claims", claim_id, "no 'created' row in claim_history")
    # The latest recorded value of each field is the value the claim holds now: one query
    # per field, the claim's value joined to its last history row.
    columns = set(db["claims"].columns_dict)
    fields = [f for (f,) in db.execute("select distinct field from claim_history") if f in columns]
    for field in fields:
        found = db.execute(
            f"""select h.claim_id, h.new_value, h.id, c.[{field}] from claim_history h
                join claims c on c.id = h.claim_id
                where h.field = :field and h.id = (
                    select max(h2.id) from claim_history h2
                    where h2.claim_id = h.claim_id and h2.field = :field)""",
            {"field": field},
        ).fetchall()
        yield from _disagreeing(field, found)


def _disagreeing(
    field: str, found: list[tuple[str, str | None, int, object]]
) -> Iterator[Violation]:
    for claim_id, new_value, history_id, current in found:
        if not _same(current, new_value):
            yield Violation(
                "history",
                "claims",
                claim_id,
                f"{field} is {current!r} but its last history row ({history_id}) says "
                f"{new_value!r}",
            )


def _same(current: object, recorded: str | None) -> bool:
    if current is None or recorded is None:
        return current is None and recorded is None
    if isinstance(current, str):
        return current == recorded
    try:
        return bool(json.loads(recorded) == current)
    except ValueError:
        return str(current) == recorded


def _statuses(db: sqlite_utils.Database) -> Iterator[Violation]:
    ids = [row[0] for row in db.execute("select id from propositions").fetchall()]
    stored = dict(db.execute("select id, status from propositions").fetchall())
    for proposition_id, claims, status, derived in derivations(db, ids):
        if stored.get(proposition_id) != status:
            yield Violation(
                "status",
                "propositions",
                proposition_id,
                f"stored as {stored.get(proposition_id)}, the rules give {status}",
            )
        for claim in claims:
            expected = derived.get(claim["id"])
            if expected is not None and claim["status"] != expected:
                yield Violation(
                    "status",
                    "claims",
                    claim["id"],
                    f"stored as {claim['status']}, the rules give {expected}",
                )


def _counts(db: sqlite_utils.Database) -> Iterator[Violation]:
    if not db["claim_counts"].exists():
        return
    kept = {
        (dimension, value): count
        for dimension, value, count in db.execute(
            "select dimension, value, count from claim_counts"
        ).fetchall()
    }
    actual = {("all", ""): db.execute("select count(*) from claims").fetchone()[0]}
    for dimension, column in COUNTED:
        for value, count in db.execute(
            f"select coalesce([{column}], ''), count(*) from claims group by 1"
        ).fetchall():
            actual[(dimension, value)] = count
    for key in sorted(set(kept) | set(actual)):
        if kept.get(key, 0) != actual.get(key, 0):
            yield Violation(
                "counts",
                "claim_counts",
                f"{key[0]}={key[1]!r}",
                f"kept {kept.get(key, 0)}, the claims table has {actual.get(key, 0)}",
            )


CHECKS: list[tuple[str, Callable[[sqlite_utils.Database], Iterator[Violation]]]] = [
    ("integrity", _integrity),
    ("foreign keys", _foreign_keys),
    ("spans", _spans),
    ("history", _history),
    ("statuses", _statuses),
    ("counts", _counts),
]


def verify(db: sqlite_utils.Database) -> Iterator[Violation]:
    """Every violation of the database's promises, check by check."""
    for _, check in CHECKS:
        yield from check(db)


# The checks above read through the write-ahead log, as every connection does. What
# `datasette -i` and `datasette publish` read is the file alone: these checks are about it.


def wal_pending(path: Path) -> int | None:
    """Committed pages in the write-ahead log that are not in the database file yet.

    Read from the wal-index header in the `-shm` file (sqlite.org/walformat.html: mxFrame,
    the last committed frame, and nBackfill, the frames already copied into the file),
    which SQLite offers no read-only call for. Call it while a connection has read the
    database, so the index is current. None when there is no usable index to read.
    """
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    try:
        if not wal.exists() or wal.stat().st_size == 0:
            return 0
        header = shm.read_bytes()[:136]
    except OSError:
        return None
    # Two copies of the 48-byte header that agree, initialised, in the format of 3.7.0 on.
    if len(header) < 136 or header[:48] != header[48:96] or header[12] != 1:
        return None
    version, last_frame, backfilled = (
        int.from_bytes(header[at : at + 4], sys.byteorder) for at in (0, 16, 96)
    )
    if version != 3007000:
        return None
    return max(0, last_frame - backfilled)


def _write_ahead_log(path: Path) -> Iterator[Violation]:
    pending = wal_pending(path)
    if pending:
        yield Violation(
            "write-ahead log",
            "(file)",
            f"{path.name}-wal",
            f"{pending} committed pages are still in the write-ahead log, not in the file: "
            f"the file alone (datasette -i, publish) lacks them; run "
            f"`datasette claims checkpoint {path}`",
        )


def _file_alone(path: Path) -> Iterator[Violation]:
    """SQLite's integrity check of the database file without its write-ahead log."""
    wal = Path(f"{path}-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        return  # no log: the checks through it read the file alone already
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)
    try:
        messages = [m for (m,) in conn.execute("pragma integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        messages = [str(exc)]
    finally:
        conn.close()
    for message in messages:
        if message != "ok":
            yield Violation("file alone", "(file)", path.name, message)


FILE_CHECKS: list[tuple[str, Callable[[Path], Iterator[Violation]]]] = [
    ("write-ahead log", _write_ahead_log),
    ("file alone", _file_alone),
]
