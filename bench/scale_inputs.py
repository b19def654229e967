"""How loads scale with the number of input files and the depth of the source registry.

    python bench/scale_inputs.py [--files 20000] [--chain 10000] [--keep DIR]

Builds, in a temporary directory, N small article files (four German or English sentences
each, three of them attributed, no claim files; places, bodies and topics vary as in real
reporting) and a source registry whose sources form one parent chain L levels deep
(source k has parent k-1). Each is loaded with the real CLI in a fresh interpreter
(`python -m datasette claims load DB PATH`; the directory twice, the second time skipped
as unchanged), and printed beside a plain baseline measured in the same run on the same
data: sqlite-utils insert_all of the same article texts into one table, and of the
registry's sources after a plain YAML parse, with no checks. The ratio is baseline seconds
over ours, as in bench/run.py.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlite_utils
import yaml

SYLLABLES = "ka lo mi ra ven tor sul bri na de go wen ha li mor test pla run sel dor".split()

# Each attributed sentence names at least three words drawn from pools that grow with N, as
# real reporting names places, bodies and topics: not the same four sentences N times.
GERMAN = [
    "Die Regierung in {place} will die {topic}-Hilfe für das {thing} in {town} ausweiten.",
    "Nach Angaben des Ministeriums sind {n} {crew}-Helfer in {town} und {place} im Einsatz.",
    "{person} sagte, die Lage um das {thing} in {place} und {town} sei angespannt.",
    "Beobachter erwarten, dass die Gespräche über {topic} mit {crew} in {town} {year} weitergehen.",
]
ENGLISH = [
    "The government in {place} said it would expand {topic} aid for the {thing} in {town}.",
    "According to the ministry, {n} {crew} workers are on the ground in {town} and {place}.",
    "{person} said the situation around the {thing} in {place} and {town} was tense.",
    "Observers expect the talks on {topic} with {crew} in {town} to resume in {year}.",
]


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def write_articles(folder: Path, count: int, seed: int = 1) -> list[str]:
    """`count` distinct small articles with varied names and topics; returns their texts."""
    rng = random.Random(seed)
    size = max(50, count // 5)
    pools = {
        "place": [_word(rng, 3) for _ in range(size)],
        "town": [_word(rng, 3) + "burg" for _ in range(size)],
        "thing": [_word(rng, 3) + "werk" for _ in range(size)],
        "topic": [_word(rng, 4) for _ in range(size)],
        "crew": [_word(rng, 2) + "ner" for _ in range(size)],
    }
    folder.mkdir(parents=True, exist_ok=True)
    texts = []
    for n in range(count):
        german = n % 2 == 0
        fill = {key: rng.choice(words) for key, words in pools.items()}
        fill["person"] = f"{_word(rng, 2)} {_word(rng, 3)}"
        fill["n"] = str(rng.randint(10, 5000))
        fill["year"] = str(rng.choice([2025, 2026, 2027]))
        body = "\n\n".join(s.format(**fill) for s in (GERMAN if german else ENGLISH))
        kicker = "Lage" if german else "Update"
        header = f" date 2024-10 {kicker} {fill['place']} Meldung {n} Stand: 24.10.2024 12:42 Uhr"
        text = f"{header}\n\n{body}\n"
        # Spread over subfolders, as a real archive is.
        path = folder / f"{n // 1000:03d}" / f"article-{n:06d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        texts.append(text)
    return texts


def write_chain(path: Path, levels: int) -> None:
    """A registry of `levels` sources, source k the parent of source k+1."""
    sources = []
    for k in range(levels):
        entry: dict = {"id": f"level-{k}", "name": f"Body at level {k}", "kind": "agency"}
        if k:
            entry["parent"] = f"level-{k - 1}"
        sources.append(entry)
    path.write_text(yaml.safe_dump({"sources": sources}, sort_keys=False), encoding="utf-8")


def timed_load(db: Path, *paths: Path) -> float:
    """Wall seconds of `datasette claims load DB PATH...` in a fresh interpreter."""
    command = [sys.executable, "-m", "datasette", "claims", "load", str(db), *map(str, paths)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"load failed ({' '.join(command)}):\n{done.stdout}{done.stderr}")
    return elapsed


def baseline_articles(texts: list[str], target: Path) -> float:
    """sqlite-utils insert_all of the same article texts into one table, no checks."""
    started = time.perf_counter()
    db = sqlite_utils.Database(target, recreate=True)
    db.table("documents").insert_all(
        ({"id": n, "text": text} for n, text in enumerate(texts)), pk="id", batch_size=1000
    )
    db.close()
    return time.perf_counter() - started


def baseline_chain(registry: Path, target: Path) -> float:
    """Parse the same registry and insert_all its sources into one table, no checks."""
    started = time.perf_counter()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    sources = yaml.load(registry.read_text(encoding="utf-8"), Loader=loader)["sources"]  # noqa: S506
    db = sqlite_utils.Database(target, recreate=True)
    db.table("sources").insert_all(
        ({"parent": None, **source} for source in sources), pk="id", batch_size=1000
    )
    db.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=20_000, help="article files (20,000)")
    parser.add_argument("--chain", type=int, default=10_000, help="registry chain depth (10,000)")
    parser.add_argument("--keep", type=Path, help="build and keep the inputs in this folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="claims-scale-"))
    inputs = args.keep or work / "inputs"
    try:
        texts = write_articles(inputs / "articles", args.files)
        registry = inputs / "chain" / "sources.yml"
        registry.parent.mkdir(parents=True, exist_ok=True)
        write_chain(registry, args.chain)

        plain_articles = baseline_articles(texts, work / "plain-articles.db")
        articles_s = timed_load(work / "articles.db", inputs / "articles")
        again_s = timed_load(work / "articles.db", inputs / "articles")  # skipped by hash
        plain_chain = baseline_chain(registry, work / "plain-chain.db")
        chain_s = timed_load(work / "chain.db", registry)

        with sqlite_utils.Database(work / "articles.db") as db:
            documents = db.execute("select count(*) from documents").fetchone()[0]
            claims = db.execute("select count(*) from claims").fetchone()[0]
        with sqlite_utils.Database(work / "chain.db") as db:
            sources, groups = db.execute(
                "select count(*), count(distinct independence_group) from sources"
            ).fetchone()

        print(
            f"{args.files:,} article files ({documents:,} documents, {claims:,} claims "
            f"extracted), {os.cpu_count()} cores"
        )
        print(f"{'load':38}{'seconds':>9}{'files/s':>11}{'ratio':>8}")
        n = args.files
        for label, seconds in (
            ("sqlite-utils insert_all (baseline)", plain_articles),
            ("claims load, article directory", articles_s),
            ("claims load, same directory again", again_s),
        ):
            print(f"{label:38}{seconds:9.2f}{n / seconds:11,.0f}{plain_articles / seconds:8.2f}")
        print(
            f"a {args.chain:,}-level source chain (source k the parent of k+1): "
            f"{sources:,} sources, {groups} independence group"
        )
        print(f"{'load':38}{'seconds':>9}{'sources/s':>11}{'ratio':>8}")
        n = args.chain
        for label, seconds in (
            ("parse + insert_all (baseline)", plain_chain),
            ("claims load, registry", chain_s),
        ):
            print(f"{label:38}{seconds:9.2f}{n / seconds:11,.0f}{plain_chain / seconds:8.2f}")
        print("claims load runs in a fresh interpreter (about 1 s of it is start-up and imports)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
