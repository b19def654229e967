"""Latency of the claims pages against Datasette's own table pages over the same rows.

python bench/pages.py [COPIES] [REQUESTS]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import percentiles, scaled_corpus  # noqa: E402
from datasette.app import Datasette  # noqa: E402

from datasette_claims.loader import plan_load  # noqa: E402
from datasette_claims.store import apply_plan, open_database  # noqa: E402

PAIRS = [
    ("overview", "/claims/-/claims", "/claims/claims?_facet=status&_facet=source_id"),
    (
        "overview .json",
        "/claims/-/claims.json",
        "/claims/claims.json?_facet=status&_facet=source_id",
    ),
    (
        "claim",
        "/claims/-/claims/a00000-nis-3000-in-russia",
        "/claims/claims/a00000-nis-3000-in-russia",
    ),
    (
        "compare",
        "/claims/-/claims/compare/nk-troops-in-russia",
        "/claims/claims?proposition_id=nk-troops-in-russia",
    ),
    (
        "compare .json",
        "/claims/-/claims/compare/nk-troops-in-russia.json",
        "/claims/claims.json?proposition_id=nk-troops-in-russia",
    ),
    ("source", "/claims/-/claims/sources/cho-tae-yul", "/claims/claims?source_id=cho-tae-yul"),
]


async def measure(ds: Datasette, path: str, requests: int) -> tuple[float, float]:
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        response = await ds.client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return percentiles(samples)


async def main(copies: int, requests: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = scaled_corpus(Path(tmp) / "corpus", copies)
        path = Path(tmp) / "claims.db"
        db = open_database(path)
        apply_plan(db, plan_load(db, [corpus]))
        n = db.execute("select count(*) from claims").fetchone()[0]
        db.close()
        ds = Datasette([str(path)])
        print(f"{n} claims; {requests} sequential requests each; milliseconds")
        print(f"{'page':16}{'ours p50':>10}{'p95':>8}{'datasette p50':>15}{'p95':>8}{'ratio':>8}")
        for name, ours, theirs in PAIRS:
            await measure(ds, ours, 3)
            await measure(ds, theirs, 3)
            o50, o95 = await measure(ds, ours, requests)
            t50, t95 = await measure(ds, theirs, requests)
            print(f"{name:16}{o50:10.1f}{o95:8.1f}{t50:15.1f}{t95:8.1f}{o50 / t50:8.2f}")
        print("ratio = our p50 / Datasette's p50 for the same rows (<= 1 means at least as fast)")


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(main(int(args[0]) if args else 100, int(args[1]) if len(args) > 1 else 50))
