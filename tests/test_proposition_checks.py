"""`proposition_checks` (migration 0015): each proposition's first check, kept by triggers.

After every kind of write (a person's review, an imported verdict, link, unlink, merge,
split, a deleted review) the kept table equals what the verdicts say from scratch.
"""

from __future__ import annotations

import gzip
import shutil

import pytest
import sqlite_utils

from datasette_claims.db.migrations import migrate

from .utils import ROOT, rows, run_cli

FROM_SCRATCH = """
    select proposition_id, min(t) from (
        select proposition_id, reviewed_at as t from claims
        where reviewed_at is not null and proposition_id is not null
        union all
        select c.proposition_id, r.reviewed_at from claim_reviews r
        join claims c on c.id = r.claim_id
        where c.proposition_id is not null and r.reviewed_at is not null
    ) group by proposition_id order by proposition_id"""
KEPT = "select proposition_id, first_checked from proposition_checks order by proposition_id"


def _agrees(path) -> list[tuple]:
    kept = rows(path, KEPT)
    assert kept == rows(path, FROM_SCRATCH)
    return kept


def _ok(*args) -> None:
    result = run_cli(*args)
    assert result.exit_code == 0, result.output


def test_every_write_keeps_the_first_checks(seed_copy):
    assert _agrees(seed_copy) == []  # the seed has no review yet
    _ok("review", seed_copy, "nis-3000-in-russia", "--status", "confirmed",
        "--evidence", "https://example.org/imagery", "--by", "anna")  # fmt: skip
    (first,) = _agrees(seed_copy)
    assert first[0] == rows(seed_copy, "select proposition_id from claims where id = ?",
                            ["nis-3000-in-russia"])[0][0]  # fmt: skip
    # The reviewed claim moves: the check goes with it, the old proposition is unchecked.
    claims = rows(seed_copy, "select id, proposition_id from claims order by id")
    other = next(p for _, p in claims if p and p != first[0])
    _ok("link", seed_copy, "nis-3000-in-russia", other, "--by", "anna")
    assert [p for p, _ in _agrees(seed_copy)] == [other]
    _ok("unlink", seed_copy, "nis-3000-in-russia", "--by", "anna")
    assert _agrees(seed_copy) == []
    # An imported verdict checks a proposition too, and a merge carries it over.
    with_proposition = [(c, p) for c, p in claims if p and c != "nis-3000-in-russia"]
    (claim, proposition), (_, target) = (
        with_proposition[0],
        next(x for x in with_proposition if x[1] != with_proposition[0][1]),
    )
    db = sqlite_utils.Database(seed_copy)
    with db.conn:
        db["claim_reviews"].insert(
            {"claim_id": claim, "reviewer": "Checkers", "status": "refuted",
             "reviewed_at": "2024-10-01T00:00:00", "url": "https://example.org/check"}
        )  # fmt: skip
    db.close()
    assert _agrees(seed_copy) == [(proposition, "2024-10-01T00:00:00")]
    _ok("merge", seed_copy, target, proposition, "--by", "anna")
    assert _agrees(seed_copy) == [(target, "2024-10-01T00:00:00")]
    db = sqlite_utils.Database(seed_copy)
    with db.conn:
        db.execute("delete from claim_reviews")
    db.close()
    assert _agrees(seed_copy) == []


@pytest.mark.parametrize("release", ["0.1.0", "0.2.0"])
def test_an_earlier_release_gets_its_first_checks_worked_out(release, tmp_path):
    path = tmp_path / "previous.db"
    with gzip.open(ROOT / "tests" / "data" / f"release-{release}-seeds.db.gz") as packed:
        with open(path, "wb") as out:
            shutil.copyfileobj(packed, out)
    db = sqlite_utils.Database(path)
    with db.conn:
        # A review made before the table existed is found by the migration.
        db.execute(
            "update claims set reviewed_at = '2024-11-01T00:00:00', reviewed_by = 'anna' "
            "where id = (select min(id) from claims where proposition_id is not null)"
        )
        migrate(db)
    db.close()
    assert len(_agrees(path)) == 1
