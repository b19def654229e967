"""Huge single inputs: a curated claim file with many claims over one long article, and one
very long article run through extraction.

    python bench/huge_inputs.py [--claims 100000] [--megabytes 50]

Each load runs in a fresh process that reports its own wall time and peak RSS. The
baseline, in the same run, is sqlite-utils insert_all of the same claim rows into one
table (no offsets looked up, no checks), also in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

MEASURE = """
import json, resource, sys, time
started = time.perf_counter()
{body}
print(json.dumps({{"seconds": time.perf_counter() - started,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

LOAD = """
from datasette.cli import cli
cli(["claims", "load", *sys.argv[1:], "--quiet"], standalone_mode=False)
"""

BASELINE = """
import sqlite_utils, yaml
data = yaml.load(open(sys.argv[2], encoding="utf-8"), Loader=yaml.CSafeLoader)
db = sqlite_utils.Database(sys.argv[1], recreate=True)
db["claims"].insert_all(data["claims"], batch_size=1000)
"""


def measured(body: str, *args: str) -> dict[str, float]:
    program = MEASURE.format(body=body)
    done = subprocess.run(
        [sys.executable, "-c", program, *args], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def curated(directory: Path, claims: int) -> Path:
    sentences = [
        f"Sprecher {i} sagte am Montag, es seien bereits {i * 7 + 3} Soldaten im Land."
        for i in range(claims)
    ]
    (directory / "long.txt").write_text("Viele Angaben\n\n" + " ".join(sentences) + "\n")
    entries = [
        {"id": f"c{i}", "text": s, "stance": "asserts", "quote_kind": "reported"}
        for i, s in enumerate(sentences)
    ]
    path = directory / "long.claims.yml"
    path.write_text(
        yaml.safe_dump({"document": {"file": "long.txt"}, "claims": entries}, allow_unicode=True)
    )
    return path


def long_article(directory: Path, megabytes: int) -> Path:
    paragraph = (
        "Nach Angaben des Geheimdienstes sind bereits 3.000 Soldaten in Russland. "
        "Der Minister sagte, dass weitere Truppen folgen würden. "
        "According to officials, 10,000 troops are expected by December. "
    )
    repeats = megabytes * 1_000_000 // len(paragraph.encode())
    path = directory / "huge.txt"
    path.write_text("Eine lange Seite\n\n" + "\n\n".join([paragraph] * repeats) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--megabytes", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "c").mkdir()
        claims_file = curated(work / "c", args.claims)
        ours = measured(LOAD, str(work / "c.db"), str(work / "c"), "--no-extract")
        base = measured(BASELINE, str(work / "base.db"), str(claims_file))
        print(f"curated claim file, {args.claims:,} claims over one article")
        print(f"  datasette claims load     {ours['seconds']:8.1f} s  {ours['peak_mb']:7.0f} MB")
        print(f"  sqlite-utils insert_all   {base['seconds']:8.1f} s  {base['peak_mb']:7.0f} MB")
        print(f"  ratio (baseline / ours)   {base['seconds'] / ours['seconds']:8.2f}x")
        if args.megabytes:
            (work / "a").mkdir()
            article = long_article(work / "a", args.megabytes)
            ours = measured(LOAD, str(work / "a.db"), str(article))
            print(f"one {args.megabytes} MB article, extracted")
            seconds, peak = ours["seconds"], ours["peak_mb"]
            print(f"  datasette claims load     {seconds:8.1f} s  {peak:7.0f} MB")


if __name__ == "__main__":
    main()
