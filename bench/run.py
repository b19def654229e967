"""The performance benchmark: loading, extraction, pages and concurrent reads at size N.

    python bench/run.py N [--keep DIR] [--seconds 10] [--clients 16] [--only load]
    python bench/run.py --pages DB   # pages and concurrency on a database built before

Generates N synthetic claims (bench/generate.py), builds the database with the project's
own loader in a subprocess, and prints each figure beside a plain baseline measured in the
same run on the same data. For loading there are two: the like-for-like one (what a
competent sqlite-utils user would write by hand for the same rows, tables, indexes and
full-text search, in one transaction, without validation, matching or derived statuses),
which the ratio is to, and a bare insert_all of the claim rows alone. For pages: Datasette's
own table pages for the same rows. `--only load` stops after the load figures.
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


def baseline_insert(corpus: Path, target: Path) -> float:
    """sqlite-utils insert_all of the same claim rows (and their sources), no checks."""
    started = time.perf_counter()
    db = sqlite_utils.Database(target, recreate=True)
    for shard in sorted(corpus.glob("claims-*.csv")):
        with open(shard, encoding="utf-8", newline="") as handle:
            db["claims"].insert_all(csv.DictReader(handle), pk="id", batch_size=1000)
    db.close()
    return time.perf_counter() - started


def schema_ddl() -> list[str]:
    """Our schema's tables and indexes as plain CREATE statements (no triggers, no views).

    The like-for-like baseline writes into tables with the same names, columns, foreign
    keys, checks and page indexes as a claims database; taken from the migrations so the
    two can never drift apart. Full-text search is added the way a sqlite-utils user
    would: enable_fts once the rows are in.
    """
    from datasette_claims.db.migrations import migrate

    db = sqlite_utils.Database(memory=True)
    migrate(db)
    fts = {t for t in db.table_names() if "_fts" in t}
    statements = []
    for kind in ("table", "index"):
        for name, table, sql in db.execute(
            "select name, tbl_name, sql from sqlite_master where type = ? and sql is not null "
            "order by rowid",
            [kind],
        ).fetchall():
            if name in fts or table in fts or table == "claims_migrations":
                continue
            statements.append(sql)
    db.close()
    return statements


def like_for_like(corpus: Path, target: Path) -> None:
    """What a competent sqlite-utils user would write by hand for the same input.

    The same rows into the same tables: sources (with their aliases and institution),
    propositions, one document per claim, claims with their foreign keys, one `created`
    history row per claim, the imported verdicts; the same indexes; full-text search on
    claims and documents; one transaction. No validation, no matching, no derived statuses.
    """
    import hashlib

    import yaml

    stamp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    if target.exists():
        target.unlink()
    db = sqlite_utils.Database(target)
    with db.atomic():
        for statement in schema_ddl():
            db.execute(statement)
        registry = yaml.safe_load((corpus / "sources.yml").read_text(encoding="utf-8"))
        parents = {s["id"]: s.get("parent") for s in registry["sources"]}

        def root(source_id: str) -> str:
            while parents.get(source_id):
                source_id = parents[source_id]  # type: ignore[assignment]
            return source_id

        db["sources"].insert_all(
            (
                {
                    "id": s["id"],
                    "name": s["name"],
                    "kind": s["kind"],
                    "role": s.get("role"),
                    "parent_id": s.get("parent"),
                    "independence_group": root(s["id"]),
                    "aliases": yaml.safe_dump(s.get("aliases", {})),
                }
                for s in registry["sources"]
            ),
            batch_size=1000,
        )
        db["source_aliases"].insert_all(
            (
                {"alias": alias, "language": language, "source_id": s["id"]}
                for s in registry["sources"]
                for language, names in s.get("aliases", {}).items()
                for alias in names
            ),
            batch_size=1000,
            ignore=True,
        )
        seen: set[str] = set()
        for shard in sorted(corpus.glob("claims-*.csv")):
            with open(shard, encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle))
            propositions, documents, claims, history, reviews = [], [], [], [], []
            for row in rows:
                if row["proposition"] not in seen:
                    seen.add(row["proposition"])
                    propositions.append(
                        {
                            "id": row["proposition"],
                            "statement": row["proposition_statement"],
                            "created_at": stamp,
                        }
                    )
                digest = hashlib.sha256(row["text"].encode("utf-8")).hexdigest()
                documents.append(
                    {
                        "id": "d-" + digest[:16],
                        "content_hash": digest,
                        "path": shard.name,
                        "text": row["text"],
                        "loaded_at": stamp,
                    }
                )
                claims.append(
                    {
                        "id": row["id"],
                        "document_id": "d-" + digest[:16],
                        "source_id": row["source"],
                        "proposition_id": row["proposition"],
                        "text": row["text"],
                        "start": 0,
                        "end": len(row["text"]),
                        "quote_kind": row["quote_kind"],
                        "stance": row["stance"],
                        "hedge": row["hedge"] or None,
                        "figure_value": float(row["figure_value"]),
                        "figure_unit": row["figure_unit"],
                        "figure_as_of": row["figure_as_of"],
                        "claimed_at": row["date"],
                        "origin": "imported",
                        "created_at": stamp,
                        "updated_at": stamp,
                    }
                )
                history.append(
                    {
                        "claim_id": row["id"],
                        "changed_at": stamp,
                        "changed_by": "loader",
                        "action": "created",
                        "field": "status",
                        "new_value": "unverified",
                        "reason": f"loaded from {shard.name}",
                    }
                )
                if row["verdict"]:
                    reviews.append(
                        {
                            "claim_id": row["id"],
                            "reviewer": row["reviewer"],
                            "verdict": row["verdict"],
                            "status": "refuted" if "False" in row["verdict"] else "confirmed",
                            "url": row["review_url"],
                            "reviewed_at": row["reviewed_at"],
                            "imported_from": shard.name,
                        }
                    )
            db["propositions"].insert_all(propositions, batch_size=1000)
            db["documents"].insert_all(documents, batch_size=1000, ignore=True)
            db["claims"].insert_all(claims, batch_size=1000)
            db["claim_history"].insert_all(history, batch_size=1000)
            db["claim_reviews"].insert_all(reviews, batch_size=1000)
        db["claims"].enable_fts(["text", "speaker"], create_triggers=True, tokenize="unicode61")
        db["documents"].enable_fts(["title", "text"], create_triggers=True, tokenize="unicode61")
    db.close()


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
    # Internal: the like-for-like baseline, run in a child process like our own load.
    parser.add_argument("--baseline-into", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bare-into", type=Path, help=argparse.SUPPRESS)
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


def main() -> None:
    args = arguments()
    size, seconds, clients, keep = args.size, args.seconds, args.clients, args.keep
    if args.pages is not None:
        claims = sqlite_utils.Database(args.pages).execute("select count(*) from claims")
        print(f"{args.pages}: {claims.fetchone()[0]:,} claims, {os.cpu_count()} cores")
        print_pages(args.pages, seconds, clients)
        return
    if args.baseline_into or args.bare_into:
        assert keep is not None
        if args.baseline_into:
            like_for_like(keep, args.baseline_into)
        else:
            baseline_insert(keep, args.bare_into)
        return
    work = Path(tempfile.mkdtemp(prefix="claims-bench-"))
    corpus = keep or work / "corpus"
    if not (corpus / "sources.yml").exists():
        generate.main(size, corpus, seed=1, article_count=100)
    db = work / "bench.db"
    shards = map(str, sorted(corpus.glob("claims-*.csv")))
    command = [DATASETTE, "claims", "load", str(db), str(corpus / "sources.yml"), *shards, "-q"]
    # Both baselines and our load run in a child process each, on the same files.
    baseline = [sys.executable, __file__, str(size), "--keep", str(corpus)]
    like = timed_subprocess([*baseline, "--baseline-into", str(work / "like.db")])
    plain = timed_subprocess([*baseline, "--bare-into", str(work / "plain.db")])
    load = timed_subprocess(command)
    measured = [
        ("like-for-like sqlite-utils (baseline)", like),
        ("bare insert_all of the claim rows", plain),
        ("claims load", load),
    ]
    if not args.no_reload:  # the same input again: skipped by content hash
        measured.append(("claims load, unchanged again", timed_subprocess(command)))
    print(
        f"N = {size:,} claims, {os.cpu_count()} cores, database {db.stat().st_size / 1e6:,.0f} MB"
    )
    print(
        f"{'load':40}{'wall s':>8}{'claims/s':>10}{'ratio':>7}"
        f"{'CPU s':>8}{'claims/s':>10}{'ratio':>7}{'peak RSS':>10}"
    )
    for label, (wall, cpu, memory) in measured:
        print(
            f"{label:40}{wall:8.1f}{size / wall:10,.0f}{like[0] / wall:7.2f}"
            f"{cpu:8.1f}{size / cpu:10,.0f}{like[1] / cpu:7.2f}{memory:>7,.0f} MB"
        )
    print(
        f"ratio = like-for-like baseline seconds / seconds: claims load is "
        f"{like[0] / load[0]:.2f}x the baseline in wall time, {like[1] / load[1]:.2f}x in CPU time "
        f"({plain[0] / load[0]:.2f}x and {plain[1] / load[1]:.2f}x the bare insert_all)"
    )
    if not args.no_reload:
        again = measured[-1][1]
        print(
            f"reload of the unchanged input: {load[0] / again[0]:.1f}x faster than the first "
            f"load (wall), {load[1] / again[1]:.1f}x (CPU)"
        )
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
