"""A database made by the previous release opens, migrates and reloads unchanged.

`data/release-0.1.0-seeds.db.gz` is `datasette claims load claims.db seeds/` as release
0.1.0 (the layout before the package was split into layers) wrote it.
"""

from __future__ import annotations

import gzip
import re
import shutil
import sqlite3

import pytest
import sqlite_utils
from datasette.app import Datasette

from datasette_claims.db.migrations import MIGRATIONS, migrate

from .utils import ROOT, SEEDS, rows, run_cli

PREVIOUS = ROOT / "tests" / "data" / "release-0.1.0-seeds.db.gz"


def _schema(path) -> dict[str, str]:
    """Every table, index, view and trigger, with its SQL up to whitespace."""
    return {
        name: re.sub(r"\s+", " ", sql).strip()
        for name, sql in rows(path, "select name, sql from sqlite_master where sql is not null")
    }


@pytest.fixture
def previous(tmp_path):
    path = tmp_path / "previous.db"
    with gzip.open(PREVIOUS) as packed, open(path, "wb") as out:
        shutil.copyfileobj(packed, out)
    return path


def test_the_previous_release_migrates_to_the_schema_the_current_one_creates(previous, tmp_path):
    fresh = tmp_path / "fresh.db"
    assert run_cli("load", fresh, SEEDS).exit_code == 0
    db = sqlite_utils.Database(previous)
    with db.conn:
        applied = migrate(db)
    db.close()
    assert applied == [m.name for m in MIGRATIONS[6:]]  # release 0.1.0 had six
    assert _schema(previous) == _schema(fresh)
    assert rows(previous, "select name from claims_migrations order by name") == [
        (m.name,) for m in MIGRATIONS
    ]


def test_reloading_into_a_previous_release_database_changes_nothing(previous):
    before = rows(previous, "select * from claims order by id")
    history = rows(previous, "select count(*) from claim_history")
    result = run_cli("load", previous, SEEDS, "--force")  # read every file again
    assert result.exit_code == 0, result.output
    assert "claims:       0 added, 0 updated, 32 unchanged" in result.output
    assert rows(previous, "select * from claims order by id") == before
    assert rows(previous, "select count(*) from claim_history") == history


@pytest.mark.asyncio
async def test_the_pages_read_a_previous_release_database(previous):
    ds = Datasette([str(previous)])
    response = await ds.client.get("/previous/-/claims.json")
    assert response.status_code == 200
    assert response.json()["total"] == rows(previous, "select count(*) from claims")[0][0]
    page = await ds.client.get("/previous/-/claims/compare/nk-troops-in-russia.json")
    assert page.status_code == 200
    assert page.json()["comparison"]["status"] == "corroborated"


RELEASE_020 = ROOT / "tests" / "data" / "release-0.2.0-seeds.db.gz"


def test_the_020_release_migrates_forward_and_suggested_sources_stop_corroborating(tmp_path):
    """Release 0.2.0 (migration 0008) counted suggested sources as corroboration; 0011
    derives every status again, recording each change as derivation does."""
    path = tmp_path / "release-0.2.0.db"
    with gzip.open(RELEASE_020) as packed, open(path, "wb") as out:
        shutil.copyfileobj(packed, out)
    # As if the United States had been a speaker the registry did not know: under the
    # 0.2.0 rules the South Korean and the suggested US claims corroborate.
    with sqlite3.connect(path) as conn:
        conn.execute("update sources set origin = 'suggested' where id = 'united-states'")
    assert rows(path, "select status from propositions where id = 'nk-troops-in-russia'") == [
        ("corroborated",)
    ]
    kept = {
        table: rows(path, f"select * from {table} order by 1")
        for table in ("documents", "sources", "source_aliases", "claim_reviews", "evidence")
    }
    before = dict(rows(path, "select id, status from claims"))
    history = rows(path, "select * from claim_history order by id")
    db = sqlite_utils.Database(path)
    with db.conn:
        applied = migrate(db)
    db.close()
    assert "0011_suggested_never_corroborate" in applied
    assert applied == [m.name for m in MIGRATIONS[8:]]  # release 0.2.0 had eight
    assert rows(path, "select status from propositions where id = 'nk-troops-in-russia'") == [
        ("unverified",)
    ]
    after = dict(rows(path, "select id, status from claims"))
    moved = {c for c in after if after[c] != before[c]}
    assert moved == {"nis-3000-in-russia", "nis-troops-in-facilities", "us-troops-in-russia"}
    assert all(after[c] == "unverified" for c in moved)
    # The history grew by one `status` row per moved claim, the old rows unchanged.
    grown = rows(path, "select * from claim_history order by id")
    assert grown[: len(history)] == history
    assert sorted((r[1], r[3], r[4], r[6], r[7], r[8]) for r in grown[len(history) :]) == sorted(
        (
            claim,
            "migration 0011",
            "status",
            before[claim],
            "unverified",
            "derived: proposition nk-troops-in-russia is unverified",
        )
        for claim in moved
    )
    for table, found in kept.items():
        now = rows(path, f"select * from {table} order by 1")
        # Later migrations add columns (null for the release's rows): the release's own
        # columns come first and are unchanged.
        width = len(found[0]) if found else 0
        assert all(value is None for row in now for value in row[width:]), table
        assert [row[:width] for row in now] == found, table
    assert run_cli("verify", path).exit_code == 0


def test_release_0_2_0_migrates_forward_to_rows_as_document_origins(tmp_path):
    # 0013: documents record the table and row they were made from (the enrichment).
    path = tmp_path / "release-0.2.0.db"
    with gzip.open(ROOT / "tests" / "data" / "release-0.2.0-seeds.db.gz") as packed:
        path.write_bytes(packed.read())
    before = {t: rows(path, f"select * from {t} order by 1") for t in ("documents", "claims")}
    db = sqlite_utils.Database(path)
    with db.conn:
        applied = migrate(db)
    db.close()
    assert "0013_document_origin_row" in applied
    assert rows(path, "select origin_table, origin_pk from documents") == [(None, None)] * len(
        before["documents"]
    )
    after = rows(path, "select * from documents order by 1")
    assert [row[: len(before["documents"][0])] for row in after] == before["documents"]
    assert rows(path, "select * from claims order by 1") == before["claims"]
    assert rows(path, "select name from sqlite_master where name = 'idx_documents_origin'")


def test_release_020_migrates_forward_to_document_encodings_and_keeps_its_data(tmp_path):
    """0009 adds the encoding, replacement count and fetched URL of documents (empty for
    what was loaded before); every row the release wrote stays as it was."""
    path = tmp_path / "release.db"
    with gzip.open(RELEASE_020) as packed, open(path, "wb") as out:
        shutil.copyfileobj(packed, out)
    tables = [t for (t,) in rows(path, "select name from sqlite_master where type = 'table'")]
    before = {t: sorted(rows(path, f"select * from [{t}]"), key=repr) for t in tables}
    before.pop("claims_migrations")
    db = sqlite_utils.Database(path)
    with db.conn:
        applied = migrate(db)
    db.close()
    assert "0009_document_encoding" in applied and applied == [m.name for m in MIGRATIONS[8:]]
    fresh = tmp_path / "fresh.db"
    assert run_cli("load", fresh, SEEDS).exit_code == 0
    assert _schema(path) == _schema(fresh)
    for table, old in before.items():
        columns = [c for (c,) in rows(path, f"select name from pragma_table_info('{table}')")]
        width = len(old[0]) if old else len(columns)  # new columns come last
        kept = ", ".join(f"[{c}]" for c in columns[:width])
        assert sorted(rows(path, f"select {kept} from [{table}]"), key=repr) == old, table
    assert rows(path, "select distinct encoding, replacements, fetched_url from documents") == [
        (None, None, None)
    ]
