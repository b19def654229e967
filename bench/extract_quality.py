"""Extraction quality and speed: the seed (German) and PolNeAR train and dev (English).

    python bench/extract_quality.py

A gold claim counts as found when an extracted claim's span overlaps it and names the
same speaker (the same registry source on the seed; an overlapping Source span on
PolNeAR). Precision counts extracted claims that overlap some gold claim with that
speaker. Speaker accuracy: of the extracted claims that overlap a gold claim, the share
whose speaker is right. On PolNeAR, "content" counts an overlap with a gold content span
whoever speaks; "+source" also asks the speaker span to overlap the gold source span (or
both to be absent). The English rules are studied on train; dev is only reported.
German news with the SpkAtt-2023 scorer: bench/spkatt.py.
"""

from __future__ import annotations

import os
import re
import sys
import time
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from datasette_claims.extract import build_index, extract_claims
from datasette_claims.extract.english import EnglishExtractor
from datasette_claims.extract.german import GermanExtractor
from datasette_claims.extract.linking import SourceInfo
from datasette_claims.inputs.article import read_article

SHARED = Path(os.environ.get("CLAIMS_SHARED_DATA", ROOT.parent / "shared" / "data"))
POLNEAR = SHARED / "polnear"
STANCE_SAMPLE = ROOT / "bench" / "data" / "polnear_stance_en.tsv"


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(gold: list[dict], found: list[dict], same_speaker) -> dict[str, float]:
    return score_documents([(gold, found)], same_speaker)


def score_documents(documents, same_speaker) -> dict[str, float]:
    """Scores summed over (gold, found) pairs, one per document (claims of different
    documents never overlap, so each document is compared on its own)."""
    gold_n = found_n = recalled = correct = touching = speaker_ok = 0
    for gold, found in documents:
        gold_n += len(gold)
        found_n += len(found)
        recalled += sum(
            any(overlaps(g["span"], f["span"]) and same_speaker(g, f) for f in found) for g in gold
        )
        for f in found:
            near = [g for g in gold if overlaps(g["span"], f["span"])]
            right = any(same_speaker(g, f) for g in near)
            correct += right
            touching += bool(near)
            speaker_ok += bool(near) and right
    precision = correct / found_n if found_n else 0.0
    recall = recalled / gold_n if gold_n else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "gold": gold_n,
        "found": found_n,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "speaker_accuracy": speaker_ok / touching if touching else 0.0,
    }


def seed_index():
    registry = yaml.safe_load((ROOT / "seeds" / "sources.yml").read_text(encoding="utf-8"))
    return build_index(
        (
            SourceInfo(s["id"], s["name"], s["kind"], s.get("role")),
            [a for names in (s.get("aliases") or {}).values() for a in names],
        )
        for s in registry["sources"]
    )


def seed_eval(show_misses: bool = True) -> dict[str, float]:
    article = read_article(ROOT / "seeds" / "000_7cc3b5ee41316440.txt")
    curated = yaml.safe_load(
        (ROOT / "seeds" / "000_7cc3b5ee41316440.claims.yml").read_text(encoding="utf-8")
    )
    gold = []
    for claim in curated["claims"]:
        start = article.text.index(claim["text"])
        gold.append(
            {
                "span": (start, start + len(claim["text"])),
                "source": claim["source"],
                "id": claim["id"],
            }
        )
    found = [
        {"span": (c.start, c.end), "source": c.source_id, "text": c.text}
        for c in extract_claims(
            article.text,
            language="de",
            published=date(2024, 10, 24),
            index=seed_index(),
            publisher_source_id="tagesschau",
            extractors=[GermanExtractor()],
        )
    ]
    result = score(gold, found, lambda g, f: g["source"] == f["source"])
    if show_misses:
        for g in gold:
            if not any(
                overlaps(g["span"], f["span"]) and g["source"] == f["source"] for f in found
            ):
                print(f"  seed miss: {g['id']} ({g['source']})")
        for f in found:
            if not any(overlaps(g["span"], f["span"]) and g["source"] == f["source"] for g in gold):
                print(f"  seed false: {f['source']}: {f['text'][:60]}")
    return result


_SPAN = re.compile(r"(\d+) (\d+)")


def polnear_documents(split: str = "train"):
    """(name, text, gold attributions) per article of a PolNeAR compartment, using the
    first annotator's file."""
    seen = set()
    folder = POLNEAR / split
    for ann in sorted((folder / "attributions").glob("*.ann")):
        name = ann.stem.rsplit("_", 1)[0]
        text_path = folder / "text" / f"{name}.txt"
        if name in seen or not text_path.exists():
            continue
        seen.add(name)
        spans, links = {}, []
        for line in ann.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if line.startswith("T") and len(parts) >= 2:
                label, _, ranges = parts[1].partition(" ")
                numbers = [(int(a), int(b)) for a, b in _SPAN.findall(ranges)]
                if numbers:
                    spans[parts[0]] = (label, (numbers[0][0], numbers[-1][1]))
            elif line.startswith("E") and len(parts) >= 2:
                links.append(dict(p.split(":", 1) for p in parts[1].split() if ":" in p))
        gold = []
        for link in links:
            content = spans.get(link.get("Content", ""))
            source = spans.get(link.get("Source", ""))
            if content:
                gold.append({"span": content[1], "source_span": source[1] if source else None})
        yield name, text_path.read_text(encoding="utf-8"), gold


def polnear_eval(split: str = "train") -> tuple[dict[str, float], dict[str, float], float, int]:
    """Content-only and content+source scores on a PolNeAR compartment, seconds, bytes."""
    documents = []
    size = 0
    elapsed = 0.0
    for _, text, gold in polnear_documents(split):
        size += len(text.encode("utf-8"))
        started = time.perf_counter()
        claims = extract_claims(text, language="en", extractors=[EnglishExtractor()])
        elapsed += time.perf_counter() - started
        found = [
            {
                "span": (c.start, c.end),
                "speaker_span": (c.speaker_start, c.speaker_end)
                if c.speaker_start is not None
                else None,
            }
            for c in claims
        ]
        documents.append((gold, found))

    def same(g, f):
        if g["source_span"] is None:
            return f["speaker_span"] is None
        return f["speaker_span"] is not None and overlaps(g["source_span"], f["speaker_span"])

    content = score_documents(documents, lambda g, f: True)
    return content, score_documents(documents, same), elapsed, size


def polnear_stance() -> tuple[int, int, int, dict[str, tuple[int, int]]]:
    """Our stance against the hand-labelled PolNeAR train sample: rows, found, right, and
    per label (rows, right). The extracted claim overlapping the content most is compared."""
    rows: dict[str, list[tuple[int, int, str]]] = {}
    lines = STANCE_SAMPLE.read_text(encoding="utf-8").splitlines()[1:]
    for line in lines:
        name, start, end, label = line.split("\t")
        rows.setdefault(name, []).append((int(start), int(end), label))
    found = right = 0
    per_label: dict[str, list[int]] = {}
    for name, text, _ in polnear_documents("train"):
        if name not in rows:
            continue
        claims = extract_claims(text, language="en", extractors=[EnglishExtractor()])
        for a, b, label in rows[name]:
            counts = per_label.setdefault(label, [0, 0])
            counts[0] += 1
            best = max(claims, key=lambda c: min(b, c.end) - max(a, c.start), default=None)
            if best is None or min(b, best.end) <= max(a, best.start):
                continue
            found += 1
            if best.stance == label:
                right += 1
                counts[1] += 1
    return len(lines), found, right, {k: (v[0], v[1]) for k, v in per_label.items()}


def throughput() -> tuple[float, float]:
    """MB/s and documents/s of the German extractor on one core, over the seed text."""
    article = read_article(ROOT / "seeds" / "000_7cc3b5ee41316440.txt")
    index = seed_index()
    runs = 200
    started = time.perf_counter()
    for _ in range(runs):
        extract_claims(
            article.text,
            language="de",
            published=date(2024, 10, 24),
            index=index,
            publisher_source_id="tagesschau",
            extractors=[GermanExtractor()],
        )
    elapsed = time.perf_counter() - started
    return runs * len(article.text.encode()) / elapsed / 1e6, runs / elapsed


def main() -> None:
    rows = [("seed (de)", seed_eval())]
    sizes = []
    for split in ("train", "dev"):
        if (POLNEAR / split).exists():
            content, with_source, elapsed, size = polnear_eval(split)
            rows.append((f"PolNeAR {split} (en), content", content))
            rows.append((f"PolNeAR {split} (en), +source", with_source))
            sizes.append((split, size, elapsed))
        else:
            print(f"({POLNEAR / split} not found: skipped)")
    print(f"{'corpus':34}{'gold':>6}{'found':>7}{'P':>7}{'R':>7}{'F1':>7}{'speaker':>9}")
    for name, r in rows:
        print(
            f"{name:34}{r['gold']:6}{r['found']:7}{r['precision']:7.3f}{r['recall']:7.3f}"
            f"{r['f1']:7.3f}{r['speaker_accuracy']:9.3f}"
        )
    if STANCE_SAMPLE.exists() and (POLNEAR / "train").exists():
        total, found, right, per_label = polnear_stance()
        labels = ", ".join(f"{k} {r}/{n}" for k, (n, r) in sorted(per_label.items()))
        print(
            f"stance (hand-labelled PolNeAR train sample): {total} claims, {found} found, "
            f"{right / found if found else 0:.2f} right of those found ({labels})"
        )
    mbs, docs = throughput()
    print(f"throughput (de, seed x200, one core): {mbs:.2f} MB/s, {docs:.0f} documents/s")
    for split, size, elapsed in sizes:
        print(f"throughput (en, PolNeAR {split}, one core): {size / elapsed / 1e6:.2f} MB/s")


if __name__ == "__main__":
    main()
