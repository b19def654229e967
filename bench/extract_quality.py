"""Extraction quality and speed: the seed (German) and PolNeAR (English, if present).

    python bench/extract_quality.py

A gold claim counts as found when an extracted claim's span overlaps it and names the
same speaker (the same registry source on the seed; an overlapping Source span on
PolNeAR). Precision counts extracted claims that overlap some gold claim with that
speaker. Speaker accuracy: of the extracted claims that overlap a gold claim, the share
whose speaker is right.
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

POLNEAR = (
    Path(os.environ.get("CLAIMS_SHARED_DATA", ROOT.parent / "shared" / "data")) / "polnear-train"
)


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(gold: list[dict], found: list[dict], same_speaker) -> dict[str, float]:
    recalled = sum(
        1 for g in gold if any(overlaps(g["span"], f["span"]) and same_speaker(g, f) for f in found)
    )
    correct = sum(
        1 for f in found if any(overlaps(g["span"], f["span"]) and same_speaker(g, f) for g in gold)
    )
    touching = [f for f in found if any(overlaps(g["span"], f["span"]) for g in gold)]
    speaker_ok = sum(
        1
        for f in touching
        if any(overlaps(g["span"], f["span"]) and same_speaker(g, f) for g in gold)
    )
    precision = correct / len(found) if found else 0.0
    recall = recalled / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "gold": len(gold),
        "found": len(found),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "speaker_accuracy": speaker_ok / len(touching) if touching else 0.0,
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


def polnear_documents():
    """(text, gold attributions) per article, using the first annotator's file."""
    seen = set()
    for ann in sorted((POLNEAR / "attributions").glob("*.ann")):
        name = ann.stem.rsplit("_", 1)[0]
        text_path = POLNEAR / "text" / f"{name}.txt"
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
        yield text_path.read_text(encoding="utf-8"), gold


def polnear_eval() -> tuple[dict[str, float], float, int]:
    gold_all, found_all = [], []
    size = 0
    offset = 0
    started = time.perf_counter()
    for text, gold in polnear_documents():
        size += len(text.encode("utf-8"))
        claims = extract_claims(text, language="en", extractors=[EnglishExtractor()])
        for g in gold:
            g = dict(g)
            g["span"] = (g["span"][0] + offset, g["span"][1] + offset)
            if g["source_span"]:
                g["source_span"] = (g["source_span"][0] + offset, g["source_span"][1] + offset)
            gold_all.append(g)
        for c in claims:
            speaker = (
                (c.speaker_start + offset, c.speaker_end + offset)
                if c.speaker_start is not None
                else None
            )
            found_all.append({"span": (c.start + offset, c.end + offset), "speaker_span": speaker})
        offset += len(text) + 1
    elapsed = time.perf_counter() - started

    def same(g, f):
        if g["source_span"] is None:
            return f["speaker_span"] is None
        return f["speaker_span"] is not None and overlaps(g["source_span"], f["speaker_span"])

    return score(gold_all, found_all, same), elapsed, size


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
    if POLNEAR.exists():
        result, elapsed, size = polnear_eval()
        rows.append(("PolNeAR train (en)", result))
    else:
        print(f"({POLNEAR} not found: PolNeAR skipped)")
        elapsed = size = 0
    print(f"{'corpus':20}{'gold':>6}{'found':>7}{'P':>7}{'R':>7}{'F1':>7}{'speaker':>9}")
    for name, r in rows:
        print(
            f"{name:20}{r['gold']:6}{r['found']:7}{r['precision']:7.3f}{r['recall']:7.3f}"
            f"{r['f1']:7.3f}{r['speaker_accuracy']:9.3f}"
        )
    mbs, docs = throughput()
    print(f"throughput (de, seed x200, one core): {mbs:.2f} MB/s, {docs:.0f} documents/s")
    if size:
        print(f"throughput (en, PolNeAR): {size / elapsed / 1e6:.2f} MB/s")


if __name__ == "__main__":
    main()
