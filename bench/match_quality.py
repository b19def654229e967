"""Proposition matching: clustering quality on the test corpus, and speed at scale.

    python bench/match_quality.py [--scale 10000 100000]

Quality: the corpus in tests/corpus (six German and English articles, gold proposition per
claim) is loaded with the project's loader, claims without propositions are matched, and
the clustering is scored against gold: pairwise precision/recall/F1 and B-cubed F1.
Speed: 10,000 new synthetic claims with realistic term counts are matched against an
index that already holds N claims; claims/s is printed for each N.
"""

from __future__ import annotations

import random
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from datasette_claims.db.connection import open_database
from datasette_claims.load.apply import apply_plan
from datasette_claims.load.planning import plan_load
from datasette_claims.propositions.matching import THRESHOLD, PropositionIndex, best_match
from datasette_claims.propositions.terms import Terms

CORPUS = ROOT / "tests" / "corpus"


def clustering_scores(gold: dict[str, str], found: dict[str, str]) -> dict[str, float]:
    """Pairwise P/R/F1 and B-cubed P/R/F1 of `found` clusters against `gold` ones."""
    ids = sorted(gold)
    same_gold = {(a, b) for a, b in combinations(ids, 2) if gold[a] == gold[b]}
    same_found = {(a, b) for a, b in combinations(ids, 2) if found[a] == found[b]}
    tp = len(same_gold & same_found)
    p = tp / len(same_found) if same_found else 1.0
    r = tp / len(same_gold) if same_gold else 1.0
    by_gold, by_found = defaultdict(set), defaultdict(set)
    for i in ids:
        by_gold[gold[i]].add(i)
        by_found[found[i]].add(i)
    bp = sum(
        len(by_gold[gold[i]] & by_found[found[i]]) / len(by_found[found[i]]) for i in ids
    ) / len(ids)
    br = sum(len(by_gold[gold[i]] & by_found[found[i]]) / len(by_gold[gold[i]]) for i in ids) / len(
        ids
    )
    return {
        "pairwise_p": p,
        "pairwise_r": r,
        "pairwise_f1": 2 * p * r / (p + r) if p + r else 0,
        "bcubed_p": bp,
        "bcubed_r": br,
        "bcubed_f1": 2 * bp * br / (bp + br) if bp + br else 0,
    }


def corpus_clusters() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    gold = yaml.safe_load((CORPUS / "gold.yml").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.db"
        db = open_database(path)
        apply_plan(db, plan_load(db, [CORPUS], extract=False))
        db.close()
        conn = sqlite3.connect(path)
        found = dict(conn.execute("select id, proposition_id from claims"))
        texts = dict(conn.execute("select id, text from claims"))
    return gold, {k: found[k] for k in gold}, texts


def speed(sizes: list[int], new: int = 10000) -> None:
    """Match `new` claims against an index that already holds `size` claims."""
    rng = random.Random(7)
    entities = [f"E:e{i}" for i in range(2000)]
    concepts = [f"C:c{i}" for i in range(40)]
    stems = [f"S:s{i}" for i in range(20000)]

    def claim(topic: tuple[list[str], list[str], list[str]], n: int) -> Terms:
        e, c, s = topic
        return Terms(frozenset(e + c[: 1 + n % 2] + rng.sample(s, 4) + rng.sample(stems, 2)))

    print(f"{'existing':>10}{'propositions':>14}{'new claims':>12}{'linked':>8}{'claims/s':>10}")
    for size in sizes:
        index = PropositionIndex()
        topics = [
            (rng.sample(entities, 2), rng.sample(concepts, 2), rng.sample(stems, 6))
            for _ in range(max(10, size // 8))
        ]
        for n in range(size):
            topic = rng.randrange(len(topics))
            index.add(f"t{topic}", claim(topics[topic], n).terms)
        fresh = [claim(topics[rng.randrange(len(topics))], n) for n in range(new)]
        started = time.perf_counter()
        linked = 0
        for n, terms in enumerate(fresh):
            pid, score = best_match(index, terms)
            if pid is None or score < THRESHOLD:
                pid = f"p{n}"
            else:
                linked += 1
            index.add(pid, terms.terms)
        elapsed = time.perf_counter() - started
        print(f"{size:10,}{len(index.terms):14,}{new:12,}{linked:8,}{new / elapsed:10,.0f}")


def main() -> None:
    gold, found, texts = corpus_clusters()
    scores = clustering_scores(gold, found)
    print(
        f"corpus: {len(gold)} claims, {len(set(gold.values()))} gold propositions, "
        f"{len(set(found.values()))} found (threshold {THRESHOLD})"
    )
    print("pairwise  P {pairwise_p:.3f}  R {pairwise_r:.3f}  F1 {pairwise_f1:.3f}".format(**scores))
    print("B-cubed   P {bcubed_p:.3f}  R {bcubed_r:.3f}  F1 {bcubed_f1:.3f}".format(**scores))
    clusters = defaultdict(list)
    for claim_id, proposition in found.items():
        clusters[proposition].append(claim_id)
    for proposition, members in sorted(clusters.items(), key=lambda kv: -len(kv[1])):
        labels = sorted({gold[m] for m in members})
        mark = "" if len(labels) == 1 else "   <- mixes " + ", ".join(labels)
        print(f"  {proposition}: {' '.join(sorted(members))}{mark}")
    sizes = (
        [int(a) for a in sys.argv[sys.argv.index("--scale") + 1 :]]
        if "--scale" in sys.argv
        else [10000, 100000, 1000000]
    )
    speed(sizes)


if __name__ == "__main__":
    main()
