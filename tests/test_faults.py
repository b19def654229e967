"""Concurrency and faults: real loader processes against a file Datasette is reading."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from datasette.app import Datasette

from .utils import run_cli

DATASETTE = str(Path(sys.executable).with_name("datasette"))


def assert_verifies(path) -> None:
    """Whatever happened, the database still keeps every promise `verify` checks."""
    result = run_cli("verify", path)
    assert result.exit_code == 0, result.output


def write_claims(directory: Path, prefix: str, shards: int, per_shard: int) -> list[Path]:
    """Plain CSV claim files: enough rows that a load takes seconds, in several shards."""
    paths = []
    for shard in range(shards):
        path = directory / f"{prefix}-{shard:02d}.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["id", "text", "source", "proposition", "proposition_statement"])
            for n in range(per_shard):
                k = shard * per_shard + n
                out.writerow(
                    [
                        f"{prefix}-{k}",
                        f"Report {prefix} {k}: {k % 97} soldiers seen near town {k % 31}",
                        f"src-{k % 53}",
                        f"{prefix}-p{k % 400}",
                        f"Soldiers near town {k % 400}",
                    ]
                )
        paths.append(path)
    return paths


def load(database: Path, *paths: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [DATASETTE, "claims", "load", str(database), *map(str, paths), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        **kwargs,
    )


def content(database: Path) -> str:
    """A digest of everything committed: what any reader would see."""
    conn = sqlite3.connect(database)
    try:
        digest = hashlib.sha256()
        for line in conn.iterdump():
            digest.update(line.encode())
        return digest.hexdigest()
    finally:
        conn.close()


def count(database: Path) -> int:
    conn = sqlite3.connect(database)
    try:
        return conn.execute("select count(*) from claims").fetchone()[0]
    finally:
        conn.close()


def wait_until_writing(database: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    """Until the loader has spilled rows into the write-ahead log (mid-transaction)."""
    wal = Path(f"{database}-wal")
    deadline = time.time() + timeout
    while time.time() < deadline and process.poll() is None:
        if wal.exists() and wal.stat().st_size > 2_000_000:
            return
        time.sleep(0.02)
    raise AssertionError(f"the loader never got to writing (exit {process.poll()})")


@pytest.mark.slow  # over 5 s
@pytest.mark.asyncio(loop_scope="function")
async def test_datasette_reads_while_a_load_writes(seed_copy, tmp_path):
    files = write_claims(tmp_path, "wal", shards=3, per_shard=8000)
    before = count(seed_copy)
    ds = Datasette([str(seed_copy)])
    process = load(seed_copy, *files)
    seen = set()
    reads = 0
    while process.poll() is None or reads < 3:
        response = await ds.client.get("/claims/-/claims.json?_size=1")
        assert response.status_code == 200, response.text  # never "database is locked"
        data = response.json()
        # The kept counts and the rows agree in every snapshot: no half-applied batch.
        assert data["total"] == sum(data["counts"]["status"].values())
        seen.add(data["total"])
        conn = sqlite3.connect(f"{seed_copy.resolve().as_uri()}?mode=ro", uri=True)
        rows, kept = conn.execute(
            "select (select count(*) from claims), "
            "(select count from claim_counts where dimension = 'all')"
        ).fetchone()
        conn.close()
        assert rows == kept
        seen.add(rows)
        reads += 1
        await asyncio.sleep(0.01)
    assert process.wait() == 0, process.stdout.read().decode()
    after = before + 3 * 8000
    assert seen <= {before, after}, seen  # readers see the whole load or none of it
    assert count(seed_copy) == after
    assert reads > 10
    assert_verifies(seed_copy)


@pytest.mark.slow  # over 5 s
def test_two_loaders_at_once_one_waits_and_nothing_is_lost(seed_copy, tmp_path):
    first = write_claims(tmp_path, "first", shards=3, per_shard=8000)
    second = write_claims(tmp_path, "second", shards=1, per_shard=50)
    before = count(seed_copy)
    a = load(seed_copy, *first)
    wait_until_writing(seed_copy, a)
    b = load(seed_copy, *second)
    assert a.wait(timeout=300) == 0, a.stdout.read().decode()
    assert b.wait(timeout=300) == 0, b.stdout.read().decode()
    assert count(seed_copy) == before + 3 * 8000 + 50
    assert_verifies(seed_copy)


def test_a_second_writer_gives_up_clearly_after_waiting(seed_copy, tmp_path):
    extra = write_claims(tmp_path, "late", shards=1, per_shard=10)
    holder = sqlite3.connect(seed_copy)
    holder.execute("begin immediate")  # another writer that never finishes
    try:
        env = {**os.environ, "CLAIMS_WAIT_SECONDS": "1"}
        result = subprocess.run(
            [DATASETTE, "claims", "load", str(seed_copy), str(extra[0])],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
    finally:
        holder.rollback()
        holder.close()
    assert result.returncode == 1
    assert "another process has been writing to this database" in result.stderr
    assert "Nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert_verifies(seed_copy)


@pytest.mark.slow  # over 5 s
def test_sigkill_mid_load_leaves_the_database_as_before_and_a_rerun_completes(seed_copy, tmp_path):
    files = write_claims(tmp_path, "kill", shards=3, per_shard=8000)
    before = content(seed_copy)
    claims_before = count(seed_copy)
    process = load(seed_copy, *files)
    wait_until_writing(seed_copy, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert content(seed_copy) == before
    if sys.platform == "linux":  # the process reading files ahead goes with the loader
        deadline = time.monotonic() + 10
        while _loads_of(seed_copy) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _loads_of(seed_copy) == []
    rerun = load(seed_copy, *files)
    assert rerun.wait(timeout=300) == 0, rerun.stdout.read().decode()
    assert count(seed_copy) == claims_before + 3 * 8000
    again = load(seed_copy, *files)  # and loading it once more changes nothing
    assert again.wait(timeout=300) == 0
    assert count(seed_copy) == claims_before + 3 * 8000
    assert_verifies(seed_copy)


def _loads_of(database: Path) -> list[int]:
    """Processes still running `datasette claims load` on this database (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if str(database).encode() in command and b"load" in command:
                found.append(int(entry.name))
    return found


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a dead process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_disk_full_is_a_clear_error_and_the_database_is_intact(seed_copy, tmp_path):
    files = write_claims(tmp_path, "full", shards=2, per_shard=8000)
    before = content(seed_copy)
    process = load(seed_copy, *files, preexec_fn=_limit_file_size(1_500_000))
    output = process.communicate(timeout=300)[0].decode()
    assert process.returncode == 1, output
    assert "disk" in output and "Nothing was written" in output, output
    assert "Traceback" not in output
    assert content(seed_copy) == before
    assert_verifies(seed_copy)


ROOT_USER = os.getuid() == 0
SETPRIV = shutil.which("setpriv")


@pytest.mark.skipif(ROOT_USER and not SETPRIV, reason="root ignores file modes without setpriv")
def test_a_read_only_database_file_is_a_clear_error(seed_copy, tmp_path):
    seed_copy.chmod(0o444)
    extra = write_claims(tmp_path, "ro", shards=1, per_shard=5)
    before = content(seed_copy)
    command = [DATASETTE, "claims", "load", str(seed_copy), str(extra[0])]
    if ROOT_USER:  # root writes any file unless it gives up the capability to
        command = [SETPRIV, "--bounding-set=-dac_override,-dac_read_search", "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "read-only" in result.stderr, result.stderr
    assert "Nothing was written" in result.stderr and "Traceback" not in result.stderr
    assert content(seed_copy) == before


def test_a_failed_first_load_never_removes_another_loaders_new_database(tmp_path):
    database = tmp_path / "new.db"
    first = sqlite3.connect(database)  # another loader, mid-way through the first load
    first.execute("begin immediate")
    first.execute("create table claims_migrations (name text primary key, applied_at text)")
    try:
        result = subprocess.run(
            [DATASETTE, "claims", "load", str(database), str(tmp_path / "missing.txt")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0
        assert database.exists()  # still there for the loader that is writing it
    finally:
        first.commit()
        first.close()
    assert sqlite3.connect(database).execute("select count(*) from claims_migrations").fetchone()


def test_review_and_link_wait_for_a_running_load_then_give_up_clearly(seed_copy, monkeypatch):

    monkeypatch.setenv("CLAIMS_WAIT_SECONDS", "1")
    holder = sqlite3.connect(seed_copy)
    holder.execute("begin immediate")
    try:
        review = run_cli(
            "review",
            seed_copy,
            "nis-3000-in-russia",
            "--status",
            "confirmed",
            "--by",
            "anna",
            "--evidence",
            "https://example.org/e",
        )
        unlink = run_cli("unlink", seed_copy, "nis-3000-in-russia", "--by", "anna")
    finally:
        holder.rollback()
        holder.close()
    for result in (review, unlink):
        assert result.exit_code == 1
        assert "another process has been writing to this database" in result.output
    assert count(seed_copy) == 32
