"""Files read ahead in a second process load exactly as files read in their turn.

`datasette claims load` reads the next imported files (and works out their claims'
matching terms) in a forked process while the current one is written (load/prefetch.py).
These tests load the same files both ways and compare the databases, and check that a
bad file read ahead stops the load with the same located error and writes nothing.
"""

from __future__ import annotations

import csv
import os
import random
import sqlite3
import tempfile
from pathlib import Path

import pytest

from datasette_claims.db.connection import opened
from datasette_claims.errors import LoadError
from datasette_claims.extract.linking import AliasIndex, SourceInfo
from datasette_claims.load import matching, prefetch
from datasette_claims.load.imports import existing_ids
from datasette_claims.load.matching import terms_ahead
from datasette_claims.load.planning import alias_index, plan_load, read_inputs
from datasette_claims.load.prefetch import can_read_ahead
from datasette_claims.load.run import load_paths

from .utils import KOREA_REGISTRY, rows, run_cli

needs_a_worker = pytest.mark.skipif(
    not can_read_ahead(2), reason="reading ahead needs fork and a second core"
)

REGISTRY = KOREA_REGISTRY


def _corpus(directory: Path, files: int = 4, per_file: int = 300) -> list[Path]:
    """A registry and CSV files; each file also brings sources of its own (by name),
    which later files' claims name, so the aliases grow from file to file."""
    rng = random.Random(11)
    directory.mkdir()
    (directory / "sources.yml").write_text(REGISTRY, encoding="utf-8")
    paths = [directory / "sources.yml"]
    brought: list[str] = []
    for number in range(files):
        path = directory / f"claims-{number}.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["id", "text", "source", "source_name", "stance", "verdict", "reviewer"])
            for n in range(per_file):
                k = number * per_file + n
                who = rng.choice(["South Korean intelligence", "the Pentagon", "officials"])
                if brought and rng.random() < 0.3:
                    who = rng.choice(brought)
                figure = rng.choice(["3,000", "10,000", "12.000", "11,000"])
                text = (
                    f"According to {who}, {figure} North Korean soldiers are in Russia ({k})"
                    if rng.random() < 0.7
                    else f"Laut dem Pentagon sind {figure} nordkoreanische Soldaten in Kursk ({k})"
                )
                verdict = rng.choice(["", "", "", "True", "False"])
                source, name = rng.choice(["nis", "pentagon", ""]), ""
                if n % 50 == 0:  # a source this file brings
                    source, name = "", f"Analyst Number{n // 50} Filed{number}"
                out.writerow(
                    [
                        f"c{k}",
                        text,
                        source,
                        name,
                        rng.choice(["asserts", "denies", "expects"]),
                        verdict,
                        "Checker" if verdict else "",
                    ]
                )
        brought += [f"Analyst Number{m} Filed{number}" for m in range(per_file // 50)]
        paths.append(path)
    return paths


def _counting_terms(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The claims whose terms the loading process works out itself (not read ahead)."""
    counted: list[str] = []
    original = matching.claim_terms

    def counting(text, *args, **kwargs):  # type: ignore[no-untyped-def]
        counted.append(text)
        return original(text, *args, **kwargs)

    monkeypatch.setattr(matching, "claim_terms", counting)
    return counted


def _dump(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows, without the columns that hold the time of writing."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "select name from sqlite_master where type = 'table' "
                "and name not like 'sqlite_%' and name not like '%_fts%' order by name"
            )
        ]
        dumped = {}
        for table in tables:
            columns = [
                row[1]
                for row in conn.execute(f"pragma table_info([{table}])")
                if not row[1].endswith("_at") and row[1] not in ("path", "timestamp")
            ]
            listed = ", ".join(f"[{c}]" for c in columns)
            dumped[table] = conn.execute(f"select {listed} from [{table}] order by 1").fetchall()
        return dumped
    finally:
        conn.close()


@needs_a_worker
def test_read_ahead_gives_the_database_reading_in_turn_gives(tmp_path, monkeypatch):
    files = _corpus(tmp_path / "corpus")
    ahead, in_turn = tmp_path / "ahead.db", tmp_path / "in_turn.db"
    counted = _counting_terms(monkeypatch)
    result = run_cli("load", ahead, *files)  # the command line reads ahead
    assert result.exit_code == 0, result.output
    assert counted == []  # every file's terms came from the worker, new sources and all
    monkeypatch.undo()
    with opened(in_turn) as db:
        load_paths(db, files, read_ahead_files=False)
    got, expected = _dump(ahead), _dump(in_turn)
    assert got == expected
    # The comparison has something to compare: matched claims, derived statuses, verdicts.
    assert rows(ahead, "select count(*) from claims where proposition_id is not null")[0][0] > 0
    assert rows(ahead, "select count(*) from claims where status != 'unverified'")[0][0] > 0
    assert len(got["claims"]) == 1200


@needs_a_worker
def test_a_bad_file_read_ahead_stops_the_load_where_it_is_and_writes_nothing(tmp_path):
    files = _corpus(tmp_path / "corpus")
    db_path = tmp_path / "claims.db"
    assert run_cli("load", db_path, files[0], files[1]).exit_code == 0
    before = _dump(db_path)
    bad = files[3]  # claims-2.csv, the third data file: read ahead
    lines = bad.read_text(encoding="utf-8").splitlines()
    lines[5] = "c-bad,,nis,,asserts,,"  # a claim without text, on line 6
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("load", db_path, *files)
    assert result.exit_code != 0
    assert "claims-2.csv:6: field 'text'" in result.output
    assert "Traceback" not in result.output
    assert _dump(db_path) == before  # the files before it in this load are rolled back too
    with opened(db_path) as db, pytest.raises(LoadError) as in_turn:
        load_paths(db, files, read_ahead_files=False)
    assert str(in_turn.value) in result.output  # the same message either way


def _matched(db, path, terms=None) -> list[tuple]:
    plan = plan_load(db, [path], discovered=True, terms=terms)
    return sorted((r["id"], r["proposition_id"], r.get("link_score")) for r in plan.claims)


def test_terms_worked_out_with_other_aliases_are_not_used(tmp_path):
    """The worker's aliases are the database's when reading starts; if the load's differ
    when the file's turn comes, the terms are worked out again with the load's own."""
    files = _corpus(tmp_path / "corpus", files=2, per_file=60)
    with opened(tmp_path / "a.db") as db:
        load_paths(db, files[:2])  # the registry, and propositions to match against
        batch = read_inputs([files[2]], None, None, None)[3][0]
        known = existing_ids(db, "sources")
        # The aliases plan_load() will have: the database's and the file's new sources.
        aliases = alias_index(db, [e for e in batch.sources.values() if e.id not in known])
        other = AliasIndex()
        other.add(
            SourceInfo("x", "Someone Else", "person", None),
            ["officials", "Kursk", "Russia", "Pentagon", "South Korean intelligence"],
        )
        theirs = terms_ahead(batch.claims.values(), batch.documents, other)
        mine = terms_ahead(batch.claims.values(), batch.documents, aliases)
        assert theirs != mine  # other aliases give other terms, so the guard matters
        own = _matched(db, files[2])
        assert _matched(db, files[2], (aliases.signature(), mine)) == own
        assert _matched(db, files[2], (other.signature(), theirs)) == own  # not used
        # Under the load's signature they would be used, and change the matches.
        assert _matched(db, files[2], (aliases.signature(), theirs)) != own


@needs_a_worker
def test_without_temporary_space_files_read_ahead_are_handed_over_directly(tmp_path, monkeypatch):
    files = _corpus(tmp_path / "corpus", files=2, per_file=100)
    not_a_directory = tmp_path / "tmp-is-a-file"
    not_a_directory.write_text("", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_directory))
    counted = _counting_terms(monkeypatch)
    result = run_cli("load", tmp_path / "ahead.db", *files)
    assert result.exit_code == 0, result.output
    assert counted == []  # read ahead all the same, handed over without a file
    monkeypatch.undo()
    with opened(tmp_path / "in_turn.db") as db:
        load_paths(db, files, read_ahead_files=False)
    assert _dump(tmp_path / "ahead.db") == _dump(tmp_path / "in_turn.db")


@needs_a_worker
def test_a_worker_that_dies_leaves_the_files_to_be_read_in_turn(tmp_path, monkeypatch):
    files = _corpus(tmp_path / "corpus", files=3, per_file=100)

    def dies(*args):  # type: ignore[no-untyped-def]
        os._exit(1)  # as if killed (out of memory): the pool breaks

    monkeypatch.setattr(prefetch, "_read", dies)  # the forked worker has it too
    result = run_cli("load", tmp_path / "ahead.db", *files)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    monkeypatch.undo()
    with opened(tmp_path / "in_turn.db") as db:
        load_paths(db, files, read_ahead_files=False)
    assert _dump(tmp_path / "ahead.db") == _dump(tmp_path / "in_turn.db")
