"""`datasette claims verify` finds each broken promise, names its row, and exits 1."""

from __future__ import annotations

import sqlite3

import pytest

from .utils import file_digest, run_cli


def test_a_loaded_database_verifies(seed_copy):
    before = file_digest(seed_copy)
    result = run_cli("verify", seed_copy)
    assert result.exit_code == 0, result.output
    for check in ("integrity", "foreign keys", "spans", "history", "statuses", "counts"):
        assert f"{check}: ok" in result.output
    assert file_digest(seed_copy) == before  # read-only


def _tamper(path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("pragma foreign_keys = off")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "statements, expected",
    [
        (
            [
                "drop trigger claims_au",
                "update claims set text = 'Made up' where id = 'nis-3000-in-russia'",
            ],
            ["span: claims nis-3000-in-russia: the document text at"],
        ),
        (
            ["update claims set status = 'refuted' where id = 'nis-3000-in-russia'"],
            [
                "status: claims nis-3000-in-russia: stored as refuted",
                "history: claims nis-3000-in-russia: status is 'refuted' but its last history row",
            ],
        ),
        (
            ["update propositions set status = 'refuted' where id = 'nk-troops-in-russia'"],
            ["status: propositions nk-troops-in-russia: stored as refuted"],
        ),
        (
            ["update claim_counts set count = count + 5 where dimension = 'all'"],
            ["counts: claim_counts all=''"],
        ),
        (
            ["drop trigger claim_history_no_replace"],
            ["history: claim_history -: trigger claim_history_no_replace is missing"],
        ),
        (
            ["update claims set source_id = 'nobody' where id = 'nis-3000-in-russia'"],
            ["foreign key: claims rowid"],
        ),
    ],
)
def test_each_broken_promise_is_reported_with_its_row(seed_copy, statements, expected):
    _tamper(seed_copy, *statements)
    result = run_cli("verify", seed_copy)
    assert result.exit_code == 1
    for line in expected:
        assert line in result.output, result.output
    assert "violations in" in result.output and "Traceback" not in result.output


def test_verify_refuses_what_is_not_a_claims_database(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    result = run_cli("verify", other)
    assert result.exit_code == 1 and "holds no claims" in result.output
