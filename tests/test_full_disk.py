"""A full disk at the final checkpoint: an error, the write-ahead log kept, and
`datasette claims checkpoint` (or the next load) finishing it; `verify` checks the file
alone. The disk is a real small filesystem (a tmpfs), which needs root to mount."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from .utils import SEEDS, file_digest, run_cli


def read_only(path: Path, sql: str, *, alone: bool = False) -> list[tuple]:
    """Rows read without writing anything (a read-write connection would checkpoint on
    close); ALONE reads the database file without its write-ahead log."""
    mode = "immutable=1" if alone else "mode=ro"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def mount(where: Path, kib: int, *, again: bool = False) -> None:
    options = f"{'remount,' if again else ''}size={kib}k"
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def small_disk(tmp_path, seed_db_path):
    """A tmpfs with room for a seed load's write-ahead log but not for the database file
    beside it: the load commits, the final checkpoint runs out of space."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem (tmpfs) needs root")
    where = tmp_path / "small"
    where.mkdir()
    # The log holds about one database's worth of pages; the file then needs as much again.
    kib = -(-int(seed_db_path.stat().st_size * 1.5) // 4096) * 4
    try:
        mount(where, kib)
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"this machine does not let us mount a tmpfs: {exc}")
    try:
        yield where, seed_db_path
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False, capture_output=True)


def _full_at_the_checkpoint(small_disk) -> tuple[Path, Path, int]:
    where, seed_db_path = small_disk
    database = where / "claims.db"
    result = run_cli("load", database, SEEDS)
    assert result.exit_code == 1, result.output  # landed code: exit 0, no message
    assert "write-ahead log" in result.output and "full" in result.output, result.output
    assert f"datasette claims checkpoint {database}" in result.output
    assert "Nothing was written" not in result.output  # it was: the log holds it
    assert "Traceback" not in result.output
    wal = Path(f"{database}-wal")
    assert wal.exists() and wal.stat().st_size > 0  # nothing lost
    expected = read_only(seed_db_path, "select count(*) from claims")
    assert read_only(database, "select count(*) from claims") == expected
    return where, database, expected[0][0]


def test_a_full_disk_at_the_checkpoint_is_an_error_and_checkpoint_finishes_it(small_disk):
    where, database, claims = _full_at_the_checkpoint(small_disk)
    wal = Path(f"{database}-wal")

    # verify reads through the log and finds the rest fine, but not the file alone.
    before = (file_digest(database), file_digest(wal))
    checked = run_cli("verify", database)
    assert checked.exit_code == 1, checked.output
    assert "integrity: ok" in checked.output
    assert "write-ahead log: (file) claims.db-wal:" in checked.output
    assert "committed pages are still in the write-ahead log" in checked.output
    assert "file alone: (file) claims.db:" in checked.output  # malformed on its own
    assert (file_digest(database), file_digest(wal)) == before  # verify wrote nothing

    # Still no room: the command says so and keeps the log.
    still = run_cli("checkpoint", database)
    assert still.exit_code == 1 and "full" in still.output, still.output
    assert wal.stat().st_size > 0

    mount(where, 4 * 1024 * 4, again=True)  # space freed
    done = run_cli("checkpoint", database)
    assert done.exit_code == 0, done.output
    assert not wal.exists() or wal.stat().st_size == 0
    assert read_only(database, "pragma integrity_check", alone=True) == [("ok",)]
    assert read_only(database, "select count(*) from claims", alone=True) == [(claims,)]
    assert run_cli("verify", database).exit_code == 0


def test_the_next_load_finishes_a_checkpoint_the_disk_stopped(small_disk):
    where, database, claims = _full_at_the_checkpoint(small_disk)
    mount(where, 4 * 1024 * 4, again=True)
    again = run_cli("load", database, SEEDS)  # unchanged files: skipped, then checkpointed
    assert again.exit_code == 0, again.output
    assert read_only(database, "pragma integrity_check", alone=True) == [("ok",)]
    assert read_only(database, "select count(*) from claims", alone=True) == [(claims,)]


def test_a_reader_holding_an_old_snapshot_is_only_a_warning(seed_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMS_WAIT_SECONDS", "1")  # the checkpoint waits this long for it
    article = tmp_path / "late.txt"
    article.write_text("Die Polizei sagte, die Brücke sei gesperrt.\n", encoding="utf-8")
    reader = sqlite3.connect(seed_copy)
    reader.execute("begin")
    reader.execute("select count(*) from claims").fetchone()  # holds this snapshot
    try:
        result = run_cli("load", seed_copy, article)
        assert result.exit_code == 0, result.output
        assert "warning:" in result.output and "older snapshot" in result.output
        assert "datasette claims checkpoint" in result.output
        assert read_only(seed_copy, "select count(*) from documents where path = 'late.txt'")
        busy = run_cli("checkpoint", seed_copy)
        assert busy.exit_code == 1 and "older snapshot" in busy.output, busy.output
    finally:
        reader.rollback()
        reader.close()
    done = run_cli("checkpoint", seed_copy)
    assert done.exit_code == 0, done.output
    assert read_only(
        seed_copy, "select count(*) from documents where path = 'late.txt'", alone=True
    ) == [(1,)]


def test_verify_reports_commits_still_in_the_write_ahead_log(seed_copy):
    writer = sqlite3.connect(seed_copy)
    writer.execute("pragma wal_autocheckpoint = 0")  # leave the commit in the log
    writer.execute("update sources set name = name || ' (renamed)'")
    writer.commit()
    try:
        result = run_cli("verify", seed_copy)
        assert result.exit_code == 1, result.output
        assert "committed pages are still in the write-ahead log" in result.output
        assert f"datasette claims checkpoint {seed_copy}" in result.output
        assert "file alone: ok" in result.output  # old, but whole
    finally:
        writer.close()  # the last connection checkpoints
    result = run_cli("verify", seed_copy)
    assert result.exit_code == 0, result.output
    assert "write-ahead log: ok" in result.output and "file alone: ok" in result.output


def test_checkpoint_refuses_what_is_not_a_claims_database(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    result = run_cli("checkpoint", other)
    assert result.exit_code == 1 and "holds no claims" in result.output
    assert "Traceback" not in result.output
