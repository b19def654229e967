"""Helpers shared by the benchmarks: a scaled copy of the seed corpus and timing."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ARTICLE = SEEDS / "000_7cc3b5ee41316440.txt"
CLAIMS = SEEDS / "000_7cc3b5ee41316440.claims.yml"


def scaled_corpus(target: Path, copies: int) -> Path:
    """`copies` variants of the seed article (distinct text, same claims) plus the registry."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "sources.yml").write_text((SEEDS / "sources.yml").read_text(encoding="utf-8"))
    article = ARTICLE.read_text(encoding="utf-8")
    curated = yaml.safe_load(CLAIMS.read_text(encoding="utf-8"))
    for n in range(copies):
        name = f"a{n:05d}"
        (target / f"{name}.txt").write_text(f"{article}\n\n(Kopie {n})", encoding="utf-8")
        copy = {
            "document": {**curated["document"], "file": f"{name}.txt"},
            "propositions": curated["propositions"] if n == 0 else [],
            "claims": [{**c, "id": f"{name}-{c['id']}"} for c in curated["claims"]],
        }
        (target / f"{name}.claims.yml").write_text(
            yaml.safe_dump(copy, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return target


def timed(fn, repeat: int = 1) -> float:
    """Best wall time of `repeat` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95
