"""Many input files and deep source registries load with the same results as small ones.

Not timed (the suite must not depend on the machine's speed): these pin down that the
linear paths of discovery, skipping, planning and the parent chain give what the simple
ones gave.
"""

from __future__ import annotations

import os
import shutil

import pytest
import yaml

from .utils import rows, run_cli


def write_article(path, n: int, german: bool = True) -> str:
    """A small article whose body is unique to `n`; returns the sentence claim files quote."""
    if german:
        quote = f"Nach Angaben des Ministeriums sind {n + 10} Helfer in Ortschaft {n} im Einsatz."
        body = f"Die Regierung will die Hilfe ausweiten.\n\n{quote}\n\nDie Lage sei angespannt."
    else:
        quote = f"According to the ministry, {n + 10} aid workers are on the ground in Town {n}."
        body = f"The government said it would expand aid.\n\n{quote}\n\nThe situation was tense."
    header = f" date 2024-10 Lage Meldung Nummer {n} Stand: 24.10.2024 12:42 Uhr"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{header}\n\n{body}\n", encoding="utf-8")
    return quote


def write_chain(
    path, levels: int, first: int = 0, changed_parents: dict[str, str] | None = None
) -> None:
    """Sources level-<first> .. level-<first+levels-1>, each the parent of the next."""
    changed_parents = changed_parents or {}
    sources = []
    for k in range(first, first + levels):
        entry = {"id": f"level-{k}", "name": f"Body at level {k}", "kind": "agency"}
        if k:
            entry["parent"] = f"level-{k - 1}"
        if entry["id"] in changed_parents:
            entry["parent"] = changed_parents[entry["id"]]
        sources.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"sources": sources}, sort_keys=False), encoding="utf-8")


# --- (a) the same file reached twice -------------------------------------------------


def test_a_file_reached_several_ways_is_loaded_once_in_a_stable_order(tmp_path):
    folder = tmp_path / "articles"
    for n in range(5):
        write_article(folder / f"a{n}.txt", n)
    (folder / "zz-link.txt").symlink_to(folder / "a1.txt")  # a second name, found by the walk
    outside = tmp_path / "elsewhere-link.txt"
    outside.symlink_to(folder / "a3.txt")  # a third way to a3, named on the command line
    db = tmp_path / "c.db"
    # a2 first as a file; then the folder (a2 again, the symlink to a1); then a4 and a3 again.
    result = run_cli("load", db, folder / "a2.txt", folder, folder / "a4.txt", outside)
    assert result.exit_code == 0, result.output
    assert "documents:    5 added" in result.output
    paths = [os.path.basename(p) for (p,) in rows(db, "select path from documents order by rowid")]
    # First occurrence wins, in command-line then sorted-walk order.
    assert paths == ["a2.txt", "a0.txt", "a1.txt", "a3.txt", "a4.txt"]
    assert rows(db, "select count(*) from loaded_files") == [(5,)]

    # The same again: all five are recognised as unchanged and skipped.
    again = run_cli("load", db, folder, folder / "a2.txt", outside)
    assert again.exit_code == 0, again.output
    assert "skipped:      5 files unchanged" in again.output
    assert rows(db, "select count(*) from documents") == [(5,)]


def test_a_directory_named_twice_is_walked_once(tmp_path):
    folder = tmp_path / "articles"
    for n in range(30):
        write_article(folder / f"{n % 3}" / f"a{n:02d}.txt", n, german=n % 2 == 0)
    db = tmp_path / "c.db"
    result = run_cli("load", db, folder, folder / "1", folder)
    assert result.exit_code == 0, result.output
    assert rows(db, "select count(*) from documents") == [(30,)]
    paths = [os.path.basename(p) for (p,) in rows(db, "select path from documents order by rowid")]
    # The walk's sorted order (folder 0, 1, 2), nothing moved by the repeats.
    assert paths == [f"a{n:02d}.txt" for n in sorted(range(30), key=lambda n: (n % 3, n))]


# --- (b) deep source registries ---------------------------------------------------------


def test_a_deep_chain_loads_into_one_institution(tmp_path):
    registry = tmp_path / "sources.yml"
    write_chain(registry, 2000)
    db = tmp_path / "c.db"
    result = run_cli("load", db, registry)
    assert result.exit_code == 0, result.output
    assert "sources:      2000 added" in result.output
    assert rows(db, "select distinct independence_group from sources") == [("level-0",)]
    # Parents are written before their children.
    ids = [i for (i,) in rows(db, "select id from sources order by rowid")]
    assert ids == [f"level-{k}" for k in range(2000)]


def test_a_chain_continued_in_a_later_load_joins_the_stored_one(tmp_path):
    db = tmp_path / "c.db"
    write_chain(tmp_path / "one" / "sources.yml", 1000)
    write_chain(tmp_path / "two" / "sources.yml", 1000, first=1000)
    assert run_cli("load", db, tmp_path / "one" / "sources.yml").exit_code == 0
    result = run_cli("load", db, tmp_path / "two" / "sources.yml")
    assert result.exit_code == 0, result.output
    assert rows(db, "select distinct independence_group from sources") == [("level-0",)]
    # Cutting the chain in its middle makes the sources below the cut a new institution.
    second = tmp_path / "two" / "sources.yml"
    registry = yaml.safe_load(second.read_text(encoding="utf-8"))
    del registry["sources"][500]["parent"]  # level-1500
    second.write_text(yaml.safe_dump(registry, sort_keys=False), encoding="utf-8")
    result = run_cli("load", db, second)
    assert result.exit_code == 0, result.output
    groups = dict(rows(db, "select id, independence_group from sources"))
    assert {groups[f"level-{k}"] for k in range(1500)} == {"level-0"}
    assert {groups[f"level-{k}"] for k in range(1500, 2000)} == {"level-1500"}


def test_a_cycle_deep_in_a_long_chain_is_refused_as_before(tmp_path):
    registry = tmp_path / "sources.yml"
    write_chain(registry, 2000, changed_parents={"level-1000": "level-1500"})
    db = tmp_path / "c.db"
    result = run_cli("load", db, registry)
    assert result.exit_code != 0
    # The walk from the first source on the cycle, through it, back to where it started.
    cycle = ["level-1000", *(f"level-{k}" for k in range(1500, 1000, -1)), "level-1000"]
    line = registry.read_text(encoding="utf-8").splitlines().index("- id: level-1001") + 1
    assert (
        f"{registry}:{line}: field 'parent': sources form a parent cycle: " + " -> ".join(cycle)
    ) in result.output
    assert not db.exists()


def test_a_whole_chain_closed_into_a_ring_is_refused(tmp_path):
    registry = tmp_path / "sources.yml"
    write_chain(registry, 2000, changed_parents={"level-0": "level-1999"})
    result = run_cli("load", tmp_path / "c.db", registry)
    assert result.exit_code != 0
    cycle = ["level-0", *(f"level-{k}" for k in range(1999, 0, -1)), "level-0"]
    assert "sources form a parent cycle: " + " -> ".join(cycle) in result.output


def test_an_unknown_parent_deep_in_a_chain_is_refused(tmp_path):
    registry = tmp_path / "sources.yml"
    write_chain(registry, 2000, changed_parents={"level-1200": "nowhere"})
    result = run_cli("load", tmp_path / "c.db", registry)
    assert result.exit_code != 0
    assert (
        "field 'parent': unknown source 'nowhere'; it must be defined in a source registry"
        in result.output
    )


# --- (c) many articles with claim files ---------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """150 articles, each with a claim file: 300 files."""
    folder = tmp_path_factory.mktemp("corpus")
    pairs = []
    for n in range(150):
        article = folder / f"{n // 50}" / f"story-{n:03d}.txt"
        quote = write_article(article, n, german=n % 3 != 0)
        claims = article.with_name(f"story-{n:03d}.claims.yml")
        claim_file = {
            "document": {"file": article.name, "publisher": "example"},
            "propositions": [{"id": f"helpers-{n}", "statement": f"{n + 10} helpers are there."}],
            "claims": [
                {
                    "id": f"helpers-claim-{n}",
                    "text": quote,
                    "stance": "asserts",
                    "quote_kind": "reported",
                    "proposition": f"helpers-{n}",
                }
            ],
        }
        claims.write_text(yaml.safe_dump(claim_file, allow_unicode=True), encoding="utf-8")
        pairs.append((article, claims))
    return folder, pairs


COUNTS = {
    "documents": "select count(*) from documents",
    "claims": "select count(*) from claims",
    "curated claims": "select count(*) from claims where origin = 'curated'",
    "extracted claims": "select count(*) from claims where origin = 'extracted'",
    "propositions": "select count(*) from propositions",
    "loaded files": "select count(*) from loaded_files",
}


def counts(db) -> dict[str, int]:
    return {name: rows(db, sql)[0][0] for name, sql in COUNTS.items()}


def test_many_claim_files_load_as_they_do_one_by_one(corpus, tmp_path):
    folder, pairs = corpus
    together = tmp_path / "together.db"
    result = run_cli("load", together, folder)
    assert result.exit_code == 0, result.output
    apart = tmp_path / "apart.db"
    for article, claims in pairs:
        one = run_cli("load", apart, article, claims, "-q")
        assert one.exit_code == 0, one.output
    assert counts(together) == counts(apart)
    assert counts(together)["documents"] == 150
    assert counts(together)["curated claims"] == 150
    assert counts(together)["loaded files"] == 300
    claims = 'select id, document_id, start, "end" from claims order by id'
    assert rows(together, claims) == rows(apart, claims)
    # Every curated claim sits in its own document, and no extracted claim overlaps it.
    overlaps = rows(
        together,
        "select count(*) from claims c join claims e on e.document_id = c.document_id "
        "and e.origin = 'extracted' and c.origin = 'curated' "
        'and e.start < c."end" and c.start < e."end"',
    )
    assert overlaps == [(0,)]


def test_one_changed_claim_file_rereads_its_pair_only(corpus, tmp_path):
    folder, pairs = corpus
    db = tmp_path / "c.db"
    assert run_cli("load", db, folder, "-q").exit_code == 0
    article, claims = pairs[77]
    data = yaml.safe_load(claims.read_text(encoding="utf-8"))
    data["claims"][0]["stance"] = "expects"
    changed = tmp_path / "changed"
    shutil.copytree(folder, changed)
    (changed / claims.relative_to(folder)).write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )
    result = run_cli("load", db, changed)
    assert result.exit_code == 0, result.output
    assert "skipped:      298 files unchanged" in result.output  # all but the changed pair
    assert rows(db, "select stance from claims where id = 'helpers-claim-77'") == [("expects",)]
