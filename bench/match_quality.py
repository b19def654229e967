"""Proposition matching: clustering quality on the test corpus, and speed at scale.

    python bench/match_quality.py [--scale 10000 100000]

Quality: the corpus in tests/corpus (six German and English articles, gold proposition per
claim) is loaded with the project's loader, claims without propositions are matched, and
the clustering is scored against gold: pairwise precision/recall/F1 and B-cubed F1.
Real news: the hand-labelled golds in bench/data (match_gold_polnear.tsv: PolNeAR train
content spans from 186 articles; match_gold_spkatt.tsv: SpkAtt train messages from 28
study-part articles), article name + offsets + proposition label, no text. Each claim's
words are read from the corpus under ../shared/data, its terms worked out as the loader
does (no registry: entity terms come only from sources a registry knows), and claims are
matched one by one in article order against the growing index, founding a proposition
when none scores THRESHOLD, exactly as a load matches extracted claims.
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
DATA = ROOT / "bench" / "data"
SHARED = Path(__import__("os").environ.get("CLAIMS_SHARED_DATA", ROOT.parent / "shared" / "data"))


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


def match_in_order(claims: list[tuple[str, str, str]]) -> dict[str, str]:
    """(id, text, language) in load order -> proposition per claim, as a load matches."""
    from datasette_claims.extract.linking import AliasIndex
    from datasette_claims.propositions.terms import claim_terms, in_article

    index = PropositionIndex()
    aliases = AliasIndex()
    found = {}
    lead: dict[str, Terms] = {}
    for n, (claim_id, text, language) in enumerate(claims):
        terms = claim_terms(text, language, aliases)
        # As the loader does: a claim pointing back is matched with its article's first.
        terms = in_article(terms, text, lead.setdefault(claim_id.split(":", 1)[0], terms))
        proposition, score = best_match(index, terms, at_least=THRESHOLD)
        if proposition is None or score < THRESHOLD:
            proposition = f"p{n}"
        index.add(proposition, terms.terms)
        found[claim_id] = proposition
    return found


def polnear_gold() -> list[tuple[str, str, str, str]]:
    """(claim id, text, language, gold label) of the PolNeAR matching gold, in article order."""
    rows = []
    lines = (DATA / "match_gold_polnear.tsv").read_text(encoding="utf-8").splitlines()[1:]
    texts: dict[str, str] = {}
    for line in lines:
        article, start, end, label = line.split("\t")
        if article not in texts:
            texts[article] = (SHARED / "polnear" / "train" / "text" / f"{article}.txt").read_text(
                encoding="utf-8"
            )
        a, b = int(start), int(end)
        rows.append((f"{article}:{a}", texts[article][a:b], "en", label))
    return sorted(rows, key=lambda r: (r[0].split(":")[0], int(r[0].split(":")[1])))


def spkatt_gold() -> list[tuple[str, str, str, str]]:
    import json

    rows = []
    lines = (DATA / "match_gold_spkatt.tsv").read_text(encoding="utf-8").splitlines()[1:]
    files = {
        f.name.split(" - ", 1)[0]: f for f in (SHARED / "spkatt-news" / "train").glob("*.json")
    }
    cache: dict[str, list[list[str]]] = {}
    for line in lines:
        article, first, last, label = line.split("\t")
        if article not in cache:
            gold = json.loads(files[article].read_text(encoding="utf-8"))
            cache[article] = [s["Tokens"] for s in gold["Sentences"]]
        sentences = cache[article]
        (s1, t1), (s2, t2) = (tuple(map(int, x.split(":"))) for x in (first, last))
        words = []
        for s_i in range(s1, s2 + 1):
            tokens = sentences[s_i]
            words.extend(tokens[(t1 if s_i == s1 else 0) : (t2 + 1 if s_i == s2 else len(tokens))])
        rows.append((f"{article}:{first}", " ".join(words), "de", label))
    return sorted(rows, key=lambda r: (int(r[0].split(":")[0]), r[0]))


def real_news() -> None:
    import zlib

    for name, load in (("PolNeAR (en)", polnear_gold), ("SpkAtt (de)", spkatt_gold)):
        try:
            claims = load()
        except FileNotFoundError as exc:
            print(f"{name}: skipped ({exc.filename} not found)")
            continue
        gold = {c[0]: c[3] for c in claims}
        started = time.perf_counter()
        found = match_in_order([(c[0], c[1], c[2]) for c in claims])
        elapsed = time.perf_counter() - started
        scores = clustering_scores(gold, found)
        # One article in five (by a checksum of its name) is reported apart as well.
        held = {k for k in gold if zlib.crc32(k.split(":")[0].encode()) % 5 == 0}
        print(
            f"{name}: {len(gold)} claims, {len(set(gold.values()))} gold propositions, "
            f"{len(set(found.values()))} found, {len(gold) / elapsed:,.0f} claims/s"
        )
        print(
            "  all       B-cubed P {bcubed_p:.3f} R {bcubed_r:.3f} F1 {bcubed_f1:.3f}   "
            "pairwise P {pairwise_p:.3f} R {pairwise_r:.3f} F1 {pairwise_f1:.3f}".format(**scores)
        )
        # Rules and thresholds are tuned on the other four articles in five only; the held
        # part's claims and errors are never printed.
        tune = sorted(set(gold) - held)
        tune_scores = clustering_scores({k: gold[k] for k in tune}, {k: found[k] for k in tune})
        print(
            f"  tune ({len(tune)} claims outside the held part)  "
            "B-cubed P {bcubed_p:.3f} R {bcubed_r:.3f} F1 {bcubed_f1:.3f}   "
            "pairwise F1 {pairwise_f1:.3f}".format(**tune_scores)
        )
        if "--errors" in sys.argv:
            texts = {c[0]: c[1] for c in claims}
            tuning_errors(gold, found, tune, texts)
        if not held:
            continue  # every article of this gold is from the tuning part
        held_scores = clustering_scores({k: gold[k] for k in held}, {k: found[k] for k in held})
        print(
            f"  held ({len(held)} claims of one article in five)  "
            "B-cubed P {bcubed_p:.3f} R {bcubed_r:.3f} F1 {bcubed_f1:.3f}   "
            "pairwise F1 {pairwise_f1:.3f}".format(**held_scores)
        )


def tuning_errors(
    gold: dict[str, str], found: dict[str, str], tune: list[str], texts: dict[str, str]
) -> None:
    """Found clusters that mix gold propositions, and gold ones split apart: tuning part only."""
    by_found: dict[str, list[str]] = defaultdict(list)
    by_gold: dict[str, list[str]] = defaultdict(list)
    for claim_id in tune:
        by_found[found[claim_id]].append(claim_id)
        by_gold[gold[claim_id]].append(claim_id)
    for title, groups, other in (
        ("mixed", by_found, gold),
        ("split", by_gold, found),
    ):
        for members in groups.values():
            if len({other[m] for m in members}) < 2:
                continue
            print(f"    {title}:")
            for m in sorted(members, key=lambda m: other[m]):
                print(f"      {other[m][:40]:40} {' '.join(texts[m].split())[:110]}")


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
            pid, score = best_match(index, terms, at_least=THRESHOLD)
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
    real_news()
    sizes = (
        [int(a) for a in sys.argv[sys.argv.index("--scale") + 1 :]]
        if "--scale" in sys.argv
        else [10000, 100000, 1000000]
    )
    speed(sizes)


if __name__ == "__main__":
    main()
