"""Matching a small load reads the index from the database (StoredIndex) and links every
claim as the whole index loaded into memory would."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from datasette_claims.db.connection import opened
from datasette_claims.decisions.links import merge
from datasette_claims.load import matching
from datasette_claims.load.planning import plan_load
from datasette_claims.load.run import load_paths

from .utils import KOREA_REGISTRY

REGISTRY = (
    KOREA_REGISTRY
    + """\
  - id: kremlin
    name: Kremlin
    kind: government
    aliases: [Kreml, Moscow]
"""
)

PLACES = ["Russia", "Kursk", "Ukraine", "Pyongyang", "Poland", "the border", "Donetsk"]
THINGS = ["soldiers", "troops", "missiles", "shells", "drones", "workers", "tanks"]
WHO = ["South Korean intelligence", "the Pentagon", "Moscow", "officials", "a witness"]
VERBS = ["are in", "arrived in", "were sent to", "fight in", "were seen in", "left"]


def _write(path: Path, rng: random.Random, start: int, count: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "text", "source", "stance"])
        for k in range(start, start + count):
            figure = f"{rng.randrange(1, 400) * 10:,}"
            text = (
                f"According to {rng.choice(WHO)}, {figure} North Korean "
                f"{rng.choice(THINGS)} {rng.choice(VERBS)} {rng.choice(PLACES)}"
            )
            if rng.random() < 0.25:  # only common words: candidates from the newest only
                text = f"{rng.choice(WHO)} says North Korean {rng.choice(THINGS)} are there"
            elif rng.random() < 0.3:
                text += f" since {rng.choice(['October', 'November', 'the summer'])}"
            source = rng.choice(["nis", "pentagon", "kremlin", ""])
            out.writerow([f"c{k}", text, source, rng.choice(["asserts", "denies", "expects"])])
    return path


def _links(db, path: Path, stored: bool, monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    with monkeypatch.context() as patched:
        patched.setattr(matching, "STORED_INDEX_CLAIMS", 10**9 if stored else 0)
        plan = plan_load(db, [path], discovered=True)
    assert plan.claims
    return sorted(
        (r["id"], r["proposition_id"], r["link_score"], r["link_status"]) for r in plan.claims
    )


@pytest.mark.slow  # over 5 s
def test_a_stored_index_links_as_the_loaded_one(tmp_path, monkeypatch):
    rng = random.Random(5)
    (tmp_path / "sources.yml").write_text(REGISTRY, encoding="utf-8")
    first = [_write(tmp_path / f"a{n}.csv", rng, n * 1000, 1000) for n in range(3)]
    with opened(tmp_path / "claims.db") as db:
        load_paths(db, [tmp_path / "sources.yml", *first])
        # A person merged two propositions: the merged-away one is no candidate any more.
        biggest = db.execute(
            "select proposition_id from claims group by proposition_id "
            "order by count(*) desc, proposition_id limit 2"
        ).fetchall()
        merge(db, biggest[0][0], biggest[1][0], "tester")
        later = _write(tmp_path / "later.csv", rng, 5000, 400)
        stored = _links(db, later, True, monkeypatch)
        loaded = _links(db, later, False, monkeypatch)
    assert stored == loaded
    # Something to compare: claims linked to stored propositions, and new ones founded.
    linked = {p for _, p, score, _ in stored if score is not None}
    assert len(linked) > 5
    assert any(score is None for _, _, score, _ in stored)
    assert biggest[1][0] not in {p for _, p, _, _ in stored}


def test_a_small_load_does_not_load_the_whole_index(tmp_path, monkeypatch):
    rng = random.Random(9)
    (tmp_path / "sources.yml").write_text(REGISTRY, encoding="utf-8")
    with opened(tmp_path / "claims.db") as db:
        load_paths(db, [tmp_path / "sources.yml", _write(tmp_path / "a.csv", rng, 0, 300)])

        def whole(db):  # noqa: ARG001
            raise AssertionError("the whole index was loaded for a small load")

        monkeypatch.setattr(matching, "_load_index", whole)
        summary = load_paths(db, [_write(tmp_path / "b.csv", rng, 1000, 20)])
    assert summary.claims.added == 20
