"""The fast paths of a load give the database the slow ones gave.

New claims are inserted with the status the rules derive (worked out before they are
written) instead of inserted unverified and updated; these tests run both ways and compare
every claim, history row and count.
"""

from __future__ import annotations

import csv
import random
import sqlite3
import sys
from pathlib import Path

import pytest

from datasette_claims.db import statuses
from datasette_claims.db.connection import opened
from datasette_claims.db.verify import verify
from datasette_claims.extract.linking import AliasIndex, SourceInfo, _stem, normalise
from datasette_claims.load import apply

from .utils import rows, run_cli

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import generate  # noqa: E402

COLUMNS = ["id", "text", "source", "proposition", "proposition_statement", "stance", "date"]
REVIEW_COLUMNS = ["verdict", "reviewer", "review_url", "reviewed_at"]


def _write(path: Path, claims: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS + REVIEW_COLUMNS)
        writer.writeheader()
        writer.writerows(claims)
    return path


def _claims(rng: random.Random, start: int, count: int, props: int) -> list[dict]:
    sources = ["a", "b", "c", "d", "outlet"]
    found = []
    for n in range(start, start + count):
        p = rng.randrange(props)
        row = {
            "id": f"k{n}",
            "text": f"Claim {n} about topic {p}",
            "source": rng.choice(sources + [""]),
            "proposition": f"q{p}",
            "proposition_statement": f"Topic {p} holds",
            "stance": rng.choice(["asserts", "asserts", "denies", "expects", "uncertain"]),
            "date": "2025-01-02",
        }
        if rng.random() < 0.15:
            row.update(
                verdict=rng.choice(["True", "False", "Misleading"]),
                reviewer=rng.choice(["Checker", "Other"]),
                review_url=f"https://factcheck.example/{n}",
                reviewed_at=rng.choice(["2025-01-05", "2025-01-06", ""]),
            )
        found.append(row)
    return found


def _files(tmp_path: Path) -> list[list[Path]]:
    """Loads one after another: several files, then changed and new claims and verdicts."""
    rng = random.Random(7)
    first = [_write(tmp_path / f"part{i}.csv", _claims(rng, i * 2200, 2200, 300)) for i in range(3)]
    later = _claims(rng, 3000, 2200, 340)  # some stored ids again, others new
    for row in later[:500]:
        row["text"] += " (corrected)"
    second = [_write(tmp_path / "later.csv", later)]
    with open(first[0], encoding="utf-8", newline="") as handle:  # stored claims, unchanged
        verdicts = list(csv.DictReader(handle))[:1500]
    for row in verdicts:
        row.update(
            verdict="False",
            reviewer="Late Checker",
            review_url=f"https://late.example/{row['id']}",
            reviewed_at="2025-01-06",
        )
    third = [_write(tmp_path / "verdicts.csv", verdicts)]
    small = [_write(tmp_path / "small.csv", _claims(rng, 20000, 50, 30))]  # under BULK_ROWS
    return [first, second, third, small]


def _contents(path: Path) -> dict[str, list[tuple]]:
    return {
        "claims": rows(
            path,
            # Not updated_at: the old flow's update may land in a later second.
            "select rowid, id, status, proposition_id, link_status from claims order by rowid",
        ),
        "history": _history_by_claim(path),
        "propositions": rows(path, "select id, status from propositions order by id"),
        "counts": rows(
            path, "select dimension, value, count from claim_counts order by dimension, value"
        ),
        "reviews": rows(path, "select * from claim_reviews order by id"),
    }


def _history_by_claim(path: Path) -> list[tuple]:
    """Each claim's history rows in order, a derived status at creation told the old way.

    The load now says a status the rules derive as it creates a claim in the claim's
    `created` row ("loaded from a.csv; derived: proposition p is corroborated"); the old
    flow wrote a created row (unverified) and then a status row. Spelled out as those
    two rows, both flows must give every claim the same history.
    """
    by_claim: dict[str, list[tuple]] = {}
    for claim_id, by, action, field, old, new, reason, evidence in rows(
        path,
        "select claim_id, changed_by, action, field, old_value, new_value, reason, "
        "evidence_url from claim_history order by id",
    ):
        told = by_claim.setdefault(claim_id, [])
        if action == "created" and "; derived: " in (reason or ""):
            loaded, derived = reason.split("; ", 1)
            told.append((by, "created", field, None, "unverified", loaded, None))
            told.append((by, "status", field, "unverified", new, derived, None))
        else:
            told.append((by, action, field, old, new, reason, evidence))
    return sorted((claim_id, *row) for claim_id, told in by_claim.items() for row in told)


def _old_flow(monkeypatch: pytest.MonkeyPatch) -> None:
    """The load as it was: new claims inserted unverified, then re-derived and updated."""

    def derive(db, touched, fresh, reviews, stamp, actor):
        deferred = statuses.LoadStatuses()  # no new claim gets a status before its insert
        deferred.later = (touched, stamp, actor)  # type: ignore[attr-defined]
        return deferred

    def write(db, deferred):
        deferred.changes = statuses.update_derived_statuses(db, *deferred.later)

    monkeypatch.setattr(apply, "derive_load_statuses", derive)
    monkeypatch.setattr(apply, "write_load_statuses", write)


def _load_all(db: Path, loads: list[list[Path]]) -> list[str]:
    outputs = []
    for files in loads:
        result = run_cli("load", db, *files)
        assert result.exit_code == 0, result.output
        outputs.append(result.output.split("\n", 1)[1])  # without the database's path
    return outputs


def test_statuses_derived_before_the_insert_match_insert_then_update(tmp_path, monkeypatch):
    loads = _files(tmp_path)
    fast = tmp_path / "fast.db"
    fast_output = _load_all(fast, loads)
    with monkeypatch.context() as patched:
        _old_flow(patched)
        slow = tmp_path / "slow.db"
        slow_output = _load_all(slow, loads)
    assert fast_output == slow_output  # the same counts, status changes and verdicts
    got, expected = _contents(fast), _contents(slow)
    assert got["claims"] == expected["claims"]
    assert got["history"] == expected["history"]
    assert got["propositions"] == expected["propositions"]
    assert got["reviews"] == expected["reviews"]
    assert got["counts"] == expected["counts"]
    assert any(row[2] != "unverified" for row in got["claims"])
    assert any(row[2] == "status" for row in got["history"])
    with opened(fast) as db:
        assert list(verify(db)) == []


def test_a_bench_corpus_loads_the_same_both_ways(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    generate.main(2500, corpus, seed=3, article_count=0)
    files = [[corpus / "sources.yml", *sorted(corpus.glob("claims-*.csv"))]]
    fast = tmp_path / "fast.db"
    _load_all(fast, files)
    with monkeypatch.context() as patched:
        _old_flow(patched)
        slow = tmp_path / "slow.db"
        _load_all(slow, files)
    assert _contents(fast) == _contents(slow)


def test_numbers_stem_to_themselves():
    for token in ["0", "7", "42", "1500", "2025", "123456789012", "007"]:
        assert _stem(token) == token
    assert normalise("3.000 Soldaten (report 12345)") == ("3", "000", "soldat", "report", "12345")


def test_history_keeps_its_append_only_guard_after_a_bulk_load(tmp_path):
    rng = random.Random(5)
    db = tmp_path / "bulk.db"
    _load_all(db, [[_write(tmp_path / "many.csv", _claims(rng, 0, 2500, 200))]])
    assert rows(db, "select count(*) from claim_history where action = 'created'") == [(2500,)]
    assert rows(db, "select name from sqlite_master where name = 'claim_history_no_replace'")
    conn = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(
            "insert or replace into claim_history (id, claim_id, changed_at, changed_by, "
            "action) values (1, 'k0', 'now', 'x', 'created')"
        )
    conn.close()


def _mentions_by_scanning(index: AliasIndex, words: str) -> tuple[set[str], str | None]:
    """all_mentions() and link() as a plain scan of every token, for comparison."""
    tokens = normalise(words)
    found: set[str] = set()
    longest: tuple[int, str] | None = None
    i = 0
    while i < len(tokens):
        best: tuple[int, str] | None = None
        for alias, source_id in index._by_first.get(tokens[i], ()):
            if tokens[i : i + len(alias)] == alias and (best is None or len(alias) > best[0]):
                best = (len(alias), source_id)
        if best:
            found.add(best[1])
            i += best[0]
        else:
            i += 1
    for i in range(len(tokens)):
        for alias, source_id in index._by_first.get(tokens[i], ()):
            if tokens[i : i + len(alias)] == alias and (longest is None or len(alias) > longest[0]):
                longest = (len(alias), source_id)
    return found, longest[1] if longest else None


def test_mentions_look_only_at_tokens_that_start_an_alias():
    index = AliasIndex()
    rng = random.Random(11)
    for source in generate.sources(rng, 2):
        aliases = [a for names in source["aliases"].values() for a in names]
        index.add(SourceInfo(source["id"], source["name"], source["kind"]), aliases)
    index.add(SourceInfo("nested", "South Korea intelligence service chief", "person"), [])
    words = "Südkorea Geheimdienst South Korea intelligence service chief Spokesperson 1 of".split()
    words += ["Russland", "Russia", "the", "armed", "forces", "Outlet", "3", "said", "USA"]
    for _ in range(3000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 14)))
        assert (index.all_mentions(text), index.link(text)) == _mentions_by_scanning(index, text)


def test_a_claim_moved_by_a_later_load_re_derives_the_proposition_it_left(tmp_path):
    db = tmp_path / "claims.db"
    base = {"date": "2025-01-02", "proposition_statement": "Topic one holds"}
    first = [
        {**base, "id": "m1", "text": "It holds", "source": "a", "proposition": "q1",
         "stance": "asserts"},
        {**base, "id": "m2", "text": "It does not", "source": "b", "proposition": "q1",
         "stance": "denies"},
    ]  # fmt: skip
    _load_all(db, [[_write(tmp_path / "first.csv", first)]])
    assert rows(db, "select status from propositions where id = 'q1'") == [("disputed",)]
    # The second file holds only the moved claim: nothing else in it names q1.
    moved = [{**first[1], "proposition": "q2", "proposition_statement": "Topic two"}]
    _load_all(db, [[_write(tmp_path / "moved.csv", moved)]])
    # q1 keeps only the assertion: no longer disputed, and the database checks out.
    assert rows(db, "select status from propositions where id = 'q1'") == [("unverified",)]
    with opened(db) as conn:
        assert list(verify(conn)) == []
