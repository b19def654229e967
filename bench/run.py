"""The performance benchmark: loading, extraction, pages and concurrent reads at size N.

    python bench/run.py N [--keep DIR] [--seconds 10] [--clients 16]

Generates N synthetic claims (bench/generate.py), builds the database with the project's
own loader in a subprocess, and prints each figure beside a plain baseline measured in the
same run on the same data: sqlite-utils insert_all of the same rows, and Datasette's own
table pages for the same rows.
"""

from __future__ import annotations

import asyncio
import csv
import multiprocessing
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlite_utils

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import generate  # noqa: E402

DATASETTE = str(Path(sys.executable).with_name("datasette"))


def timed_subprocess(args: list[str]) -> tuple[float, float]:
    """Wall seconds and the child's peak RSS in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def baseline_insert(corpus: Path, target: Path) -> float:
    """sqlite-utils insert_all of the same claim rows (and their sources), no checks."""
    started = time.perf_counter()
    db = sqlite_utils.Database(target, recreate=True)
    for shard in sorted(corpus.glob("claims-*.csv")):
        with open(shard, encoding="utf-8", newline="") as handle:
            db["claims"].insert_all(csv.DictReader(handle), pk="id", batch_size=1000)
    db.close()
    return time.perf_counter() - started


def _extract_file(path: str) -> int:
    from datasette_claims.extract import extract_claims
    from datasette_claims.inputs.article import read_article

    article = read_article(Path(path))
    return len(extract_claims(article.text, language=article.language))


def extraction(corpus: Path) -> tuple[float, float, float]:
    """MB of articles, MB/s on one core, MB/s with every core."""
    files = sorted(str(p) for p in (corpus / "articles").glob("*.txt"))
    size = sum(os.path.getsize(f) for f in files) / 1e6
    started = time.perf_counter()
    for f in files:
        _extract_file(f)
    one = size / (time.perf_counter() - started)
    started = time.perf_counter()
    with multiprocessing.Pool(os.cpu_count()) as pool:
        pool.map(_extract_file, files, chunksize=4)
    every = size / (time.perf_counter() - started)
    return size, one, every


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


async def page_latency(path: Path, requests: int) -> list[tuple[str, float, float, float, float]]:
    from datasette.app import Datasette

    ds = Datasette([], immutables=[str(path)])
    name = path.stem
    conn = sqlite_utils.Database(path)
    claim_id, proposition, source = conn.execute(
        "select id, proposition_id, source_id from claims where proposition_id is not null "
        "order by rowid limit 1 offset 100"
    ).fetchone()
    conn.close()
    pairs = [
        ("overview", f"/{name}/-/claims", f"/{name}/claims?_facet=status"),
        ("overview .json", f"/{name}/-/claims.json", f"/{name}/claims.json?_facet=status"),
        ("claim", f"/{name}/-/claims/{claim_id}", f"/{name}/claims/{claim_id}"),
        ("claim .json", f"/{name}/-/claims/{claim_id}.json", f"/{name}/claims/{claim_id}.json"),
        (
            "compare",
            f"/{name}/-/claims/compare/{proposition}",
            f"/{name}/claims?proposition_id={proposition}",
        ),
        (
            "compare .json",
            f"/{name}/-/claims/compare/{proposition}.json",
            f"/{name}/claims.json?proposition_id={proposition}",
        ),
        ("source", f"/{name}/-/claims/sources/{source}", f"/{name}/claims?source_id={source}"),
        (
            "source .json",
            f"/{name}/-/claims/sources/{source}.json",
            f"/{name}/claims.json?source_id={source}",
        ),
    ]
    results = []
    for label, ours, theirs in pairs:
        measured = []
        for path_ in (ours, theirs):
            for _ in range(3):
                await ds.client.get(path_)
            samples: list[float] = []
            budget = time.perf_counter() + 20  # slow baselines get at least 5 samples
            while len(samples) < requests and (len(samples) < 5 or time.perf_counter() < budget):
                started = time.perf_counter()
                response = await ds.client.get(path_)
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path_, response.status_code)
            measured.extend(percentiles(samples))
        results.append((label, *measured))
    return results


async def concurrent_load(path: Path, seconds: float, clients: int) -> tuple[float, int, int]:
    """Requests/s and errors from `clients` concurrent readers against `datasette serve -i`."""
    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [DATASETTE, "serve", "-i", str(path), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/{path.stem}"
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            for _ in range(100):
                try:
                    await client.get(base)
                    break
                except httpx.HTTPError:
                    await asyncio.sleep(0.2)
            paths = ["/-/claims", "/-/claims.json", "/-/claims?status=disputed"]
            conn = sqlite_utils.Database(path)
            for claim_id, proposition, source in conn.execute(
                "select id, proposition_id, source_id from claims order by rowid limit 20"
            ).fetchall():
                paths += [
                    f"/-/claims/{claim_id}",
                    f"/-/claims/compare/{proposition}",
                    f"/-/claims/sources/{source}.json",
                ]
            conn.close()
            done = errors = 0
            deadline = time.perf_counter() + seconds

            async def worker(n: int) -> None:
                nonlocal done, errors
                i = n
                while time.perf_counter() < deadline:
                    try:
                        response = await client.get(base + paths[i % len(paths)])
                        errors += response.status_code != 200
                    except httpx.HTTPError:
                        errors += 1
                    done += 1
                    i += clients

            started = time.perf_counter()
            await asyncio.gather(*(worker(n) for n in range(clients)))
            return done / (time.perf_counter() - started), done, errors
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    args = sys.argv[1:]
    size = int(args[0])
    seconds = float(args[args.index("--seconds") + 1]) if "--seconds" in args else 10
    clients = int(args[args.index("--clients") + 1]) if "--clients" in args else 16
    keep = Path(args[args.index("--keep") + 1]) if "--keep" in args else None
    work = Path(tempfile.mkdtemp(prefix="claims-bench-"))
    corpus = keep or work / "corpus"
    if not (corpus / "sources.yml").exists():
        generate.main(size, corpus, seed=1, article_count=100)
    db = work / "bench.db"
    shards = map(str, sorted(corpus.glob("claims-*.csv")))
    command = [DATASETTE, "claims", "load", str(db), str(corpus / "sources.yml"), *shards, "-q"]
    load_s, rss = timed_subprocess(command)
    reload_s, _ = timed_subprocess(command)  # the same input again: skipped by content hash
    plain_s = baseline_insert(corpus, work / "plain.db")
    mb, one, every = extraction(corpus)
    pages = asyncio.run(page_latency(db, 30))
    rps, done, errors = asyncio.run(concurrent_load(db, seconds, clients))
    print(
        f"N = {size:,} claims, {os.cpu_count()} cores, database {db.stat().st_size / 1e6:,.0f} MB"
    )
    print(f"{'load':34}{'seconds':>9}{'claims/s':>11}{'ratio':>8}")
    print(f"{'sqlite-utils insert_all (baseline)':34}{plain_s:9.1f}{size / plain_s:11,.0f}{1:8.2f}")
    print(f"{'claims load':34}{load_s:9.1f}{size / load_s:11,.0f}{plain_s / load_s:8.2f}")
    label = "claims load, unchanged again"
    print(f"{label:34}{reload_s:9.1f}{size / reload_s:11,.0f}{plain_s / reload_s:8.2f}")
    speedup = load_s / reload_s
    print(f"peak RSS of the load: {rss:,.0f} MB; reload {speedup:.1f}x faster than the first load")
    cores = os.cpu_count()
    print(
        f"extraction: {mb:.1f} MB of articles, {one:.2f} MB/s on one core, "
        f"{every:.2f} MB/s on {cores}"
    )
    print(f"{'page (ms)':16}{'ours p50':>9}{'p95':>7}{'datasette p50':>15}{'p95':>7}{'ratio':>7}")
    for label, o50, o95, t50, t95 in pages:
        print(f"{label:16}{o50:9.1f}{o95:7.1f}{t50:15.1f}{t95:7.1f}{o50 / t50:7.2f}")
    print(
        f"concurrent: {clients} clients for {seconds:.0f} s against datasette serve -i: "
        f"{rps:,.0f} requests/s, {done:,} requests, {errors} errors"
    )
    if keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
