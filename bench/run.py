"""The performance benchmark: loading, the daily case, extraction, pages, concurrent reads.

    python bench/run.py N [--keep DIR] [--daily 1000] [--index-line 2000,10000,50000]
                          [--seconds 10] [--clients 16] [--only load]
    python bench/run.py --pages DB   # pages and concurrency on a database built before

Generates N synthetic claims (bench/generate.py), builds the database with the project's
own loader in a subprocess, and prints each figure beside a plain baseline measured in the
same run on the same data, with its target. Loading is compared with the shared baseline
`../shared/bench/baseline_load.py --schema EMPTY.db` (the project's exact tables, indexes,
triggers and full-text search filled by hand with sqlite-utils; the ratio is to it) and,
for information, the same script with five page indexes only. The daily case loads one
seed-sized article, warm and cold, then K articles at once, into the loaded database.
`--index-line` loads N claims into it with the stored and with the whole matching index.
Pages are compared with Datasette's own table pages for the same rows.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import multiprocessing
import os
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


def timed_subprocess(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and this child's own peak RSS in MB.

    CPU seconds are the steadier figure on a shared machine: other processes' load
    stretches wall time, not the work a load does.
    """
    started = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, args)
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


SHARED_BASELINE = ROOT.parent / "shared" / "bench" / "baseline_load.py"
SEED_ARTICLE = next((ROOT / "seeds").glob("*.txt"))


def shared_baseline(
    script: Path, corpus: Path, work: Path
) -> dict[str, tuple[float, float, float]]:
    """The project's load baseline, `baseline_load.py` (what a competent sqlite-utils user
    writes by hand for a bulk load), in both its modes, each in a child process.

    `--schema EMPTY.db` builds the project's exact tables, indexes, triggers and full-text
    search, with foreign keys on, the way a bulk load is built by hand: the ratio is to it.
    Without it, five page indexes only, for information.
    """
    empty = work / "EMPTY.db"
    subprocess.run(
        [DATASETTE, "claims", "load", str(empty), str(corpus / "sources.yml"), "-q"], check=True
    )
    python = [sys.executable, str(script), str(corpus)]
    return {
        "schema": timed_subprocess([*python, str(work / "schema.db"), "--schema", str(empty)]),
        "five indexes": timed_subprocess([*python, str(work / "five.db")]),
    }


def daily_case(db: Path, work: Path, articles: int) -> list[tuple[str, float, float, float]]:
    """One seed-sized article into the loaded database, warm and cold, and `articles`
    articles at once: `datasette claims load DB FILE` wall time, process start included.

    Warm: the database was read once before. Cold: caches dropped (as root), or else a
    fresh copy of the file (its pages are not in the page cache yet... mostly: a copy
    just written may still be cached, so say which was used).
    """
    results = []
    source = SEED_ARTICLE.read_text(encoding="utf-8")
    for label, cold in (("one article, warm", False), ("one article, cold", True)):
        copy = work / f"daily-{label.split()[-1]}.db"
        shutil.copy(db, copy)
        article = work / f"daily-{label.split()[-1]}.txt"
        # Same length and shape as the seed, new text: numbers changed so nothing is skipped.
        article.write_text(source.replace("000", "001"), encoding="utf-8")
        how = ""
        if cold:
            try:
                Path("/proc/sys/vm/drop_caches").write_text("3\n")
                how = " (caches dropped)"
            except OSError:
                how = " (fresh copy; caches could not be dropped)"
        else:
            sqlite_utils.Database(copy).execute("select count(*) from claims").fetchone()
            subprocess.run(["cat", str(copy)], stdout=subprocess.DEVNULL, check=True)
        wall, cpu, rss = timed_subprocess([DATASETTE, "claims", "load", str(copy), str(article)])
        results.append((label + how, wall, cpu, rss))
        copy.unlink()
    many = work / "daily-many"
    many.mkdir(exist_ok=True)
    for n in range(articles):
        (many / f"a{n:05d}.txt").write_text(
            source.replace("000", f"{n % 1000:03d}").replace("Soldaten", f"Soldaten ({n})"),
            encoding="utf-8",
        )
    copy = work / "daily-many.db"
    shutil.copy(db, copy)
    wall, cpu, rss = timed_subprocess([DATASETTE, "claims", "load", str(copy), str(many)])
    results.append((f"{articles:,} articles at once", wall, cpu, rss))
    copy.unlink()
    return results


def index_line(
    db: Path, corpus: Path, work: Path, sizes: list[int]
) -> list[tuple[int, float, float]]:
    """Where loading the whole matching index pays off: claims from the corpus's shards
    loaded into a copy of the database, once reading the stored index term by term and
    once loading it whole (wall seconds each), by the size of the load."""
    results = []
    rows = []
    for shard in sorted(corpus.glob("claims-*.csv")):
        with open(shard, encoding="utf-8", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    for size in sizes:
        # New ids and propositions left to the matcher, so each claim is matched.
        part = work / f"line-{size}.csv"
        with open(part, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            for n, row in enumerate(rows[-size:]):
                writer.writerow(
                    {
                        **row,
                        "id": f"line-{size}-{n}",
                        "proposition": "",
                        "proposition_statement": "",
                    }
                )
        walls = []
        for threshold in (size + 1, 0):  # stored index below the threshold, whole at 0
            copy = work / "line.db"
            shutil.copy(db, copy)
            code = (
                "import sys; import datasette_claims.load.matching as m; "
                f"m.STORED_INDEX_CLAIMS = {threshold}; "
                "from datasette_claims.cli import claims; "
                "claims.main(sys.argv[1:], standalone_mode=True)"
            )
            walls.append(
                timed_subprocess([sys.executable, "-c", code, "load", str(copy), str(part), "-q"])[
                    0
                ]
            )
            copy.unlink()
        results.append((size, walls[0], walls[1]))
    return results


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
        "order by rowid limit 1 offset min(100, (select count(*) / 2 from claims))"
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
    # The story page against Datasette's table page of the same propositions' claims.
    story = (await ds.client.get(f"/{name}/-/claims/story.json")).json()
    shown = ",".join(c["id"] for c in story["columns"])
    pairs += [
        ("story", f"/{name}/-/claims/story", f"/{name}/claims?proposition_id__in={shown}"),
        (
            "story .json",
            f"/{name}/-/claims/story.json",
            f"/{name}/claims.json?proposition_id__in={shown}",
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


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load, extraction, page and concurrency benchmark at N claims, each "
        "figure beside a plain baseline measured in the same run on the same data."
    )
    parser.add_argument("size", type=int, metavar="N", nargs="?", help="how many synthetic claims")
    parser.add_argument(
        "--pages",
        type=Path,
        metavar="DB",
        help="only the page and concurrency figures, on a database built before",
    )
    parser.add_argument(
        "--keep", type=Path, help="generate the corpus here (or reuse one already there)"
    )
    parser.add_argument("--seconds", type=float, default=10, help="concurrent reads, seconds")
    parser.add_argument("--clients", type=int, default=16, help="concurrent readers")
    parser.add_argument(
        "--only",
        choices=["load", "all"],
        default="all",
        help="'load': stop after the load figures (skips extraction, pages, concurrency)",
    )
    parser.add_argument(
        "--no-reload", action="store_true", help="skip loading the unchanged input again"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=SHARED_BASELINE,
        help="the shared load baseline script (default: ../shared/bench/baseline_load.py)",
    )
    parser.add_argument(
        "--daily",
        type=int,
        default=1000,
        metavar="K",
        help="the daily case: one article, then K articles into the loaded database (0: skip)",
    )
    parser.add_argument(
        "--index-line",
        type=lambda v: [int(x) for x in v.split(",")],
        default=[],
        metavar="N,N,...",
        help="loads of N claims into the database with the stored and the whole index",
    )
    args = parser.parse_args(argv)
    if args.size is None and args.pages is None:
        parser.error("N is required (or --pages DB)")
    return args


def print_pages(db: Path, seconds: float, clients: int) -> None:
    pages = asyncio.run(page_latency(db, 30))
    rps, done, errors = asyncio.run(concurrent_load(db, seconds, clients))
    print(f"{'page (ms)':16}{'ours p50':>9}{'p95':>7}{'datasette p50':>15}{'p95':>7}{'ratio':>7}")
    for label, o50, o95, t50, t95 in pages:
        print(f"{label:16}{o50:9.1f}{o95:7.1f}{t50:15.1f}{t95:7.1f}{o50 / t50:7.2f}")
    print(
        f"concurrent: {clients} clients for {seconds:.0f} s against datasette serve -i: "
        f"{rps:,.0f} requests/s, {done:,} requests, {errors} errors"
    )


def _row(label: str, measured: tuple[float, float, float], size: int, base: float, target: str):
    wall, cpu, memory = measured
    print(
        f"{label:44}{wall:8.1f}{size / wall:10,.0f}{base / wall:7.2f}{cpu:8.1f}"
        f"{memory:>7,.0f} MB  {target}"
    )


def main() -> None:
    args = arguments()
    size, seconds, clients, keep = args.size, args.seconds, args.clients, args.keep
    if args.pages is not None:
        claims = sqlite_utils.Database(args.pages).execute("select count(*) from claims")
        print(f"{args.pages}: {claims.fetchone()[0]:,} claims, {os.cpu_count()} cores")
        print_pages(args.pages, seconds, clients)
        return
    if not args.baseline.exists():
        sys.exit(f"error: the shared load baseline is not at {args.baseline} (--baseline PATH)")
    work = Path(tempfile.mkdtemp(prefix="claims-bench-"))
    corpus = keep or work / "corpus"
    if not (corpus / "sources.yml").exists():
        generate.main(size, corpus, seed=1, article_count=100)
    db = work / "bench.db"
    shards = map(str, sorted(corpus.glob("claims-*.csv")))
    command = [DATASETTE, "claims", "load", str(db), str(corpus / "sources.yml"), *shards, "-q"]
    # The baseline and our load each in a child process, on the same files, one run.
    baselines = shared_baseline(args.baseline, corpus, work)
    load = timed_subprocess(command)
    schema = baselines["schema"][0]
    print(
        f"N = {size:,} claims, {os.cpu_count()} cores, database {db.stat().st_size / 1e6:,.0f} MB, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    print(f"{'load':44}{'wall s':>8}{'claims/s':>10}{'ratio':>7}{'CPU s':>8}{'peak RSS':>10}")
    _row("baseline_load.py --schema (the baseline)", baselines["schema"], size, schema, "")
    _row(
        "baseline_load.py, five indexes (information)", baselines["five indexes"], size, schema, ""
    )
    _row("claims load", load, size, schema, "target: ratio >= 1.0, peak RSS < 500 MB")
    if not args.no_reload:  # the same input again: skipped by content hash
        again = timed_subprocess(command)
        _row("claims load, unchanged again", again, size, schema, "")
        print(f"reload of the unchanged input: {load[0] / again[0]:.1f}x faster (target >= 5x)")
    print(f"ratio = baseline_load.py --schema wall seconds / ours: {schema / load[0]:.2f}x")
    if args.daily:
        print("the daily case (datasette claims load DB FILE, process start included):")
        for label, wall, cpu, memory in daily_case(db, work, args.daily):
            print(f"  {label:54}{wall:7.2f} s wall{cpu:7.2f} s CPU{memory:>7,.0f} MB")
        print("  targets: one article <= 1.0 s warm, <= 2.5 s cold, <= 300 MB; "
              f"{args.daily:,} articles <= 60 s")  # fmt: skip
    if args.index_line:
        print("claims loaded into the database: stored index vs whole index (wall s)")
        for n, stored, whole in index_line(db, corpus, work, args.index_line):
            print(f"  {n:>7,} claims{stored:9.1f} stored{whole:9.1f} whole")
    if args.only == "load":
        shutil.rmtree(work, ignore_errors=True)  # the databases; a --keep corpus is elsewhere
        return
    mb, one, every = extraction(corpus)
    cores = os.cpu_count()
    print(
        f"extraction: {mb:.1f} MB of articles, {one:.2f} MB/s on one core, "
        f"{every:.2f} MB/s on {cores}"
    )
    print_pages(db, seconds, clients)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
