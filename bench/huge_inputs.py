"""Huge single inputs: a curated claim file with many claims over one long article, and one
very long article run through extraction.

    python bench/huge_inputs.py [--claims 100000] [--megabytes 50]
    python bench/huge_inputs.py --sizes 1 10 50

Each load runs in a fresh process that reports its own wall time and peak RSS. The
baseline, in the same run, is sqlite-utils insert_all of the same claim rows into one
table (no offsets looked up, no checks), also in a fresh process.

`--sizes` instead shows how time and memory grow with the input: a claim-dense article
and a curated claim file of each size in MB, loaded with --max-bytes and --max-claims
raised to fit, seconds and peak RSS per MB beside each; then how fast the default limits
refuse a 60 MB saved page and a 13 MB claim file (before trafilatura or the YAML parser).
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
from datasette.cli import cli  # start-up is not the load's time
started = time.perf_counter()
cpu_before = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
{body}
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"seconds": time.perf_counter() - started, "peak_mb": peak_mb(),
    "cpu": usage.ru_utime + usage.ru_stime - cpu_before}}))
"""

# Peak RSS of this process's own memory: VmHWM, which exec resets (ru_maxrss keeps the
# parent's peak across fork and exec, so it would count the bench's generated inputs).
PEAK = """
def peak_mb():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

LOAD = """
cli(["claims", "load", *sys.argv[1:], "--quiet"], standalone_mode=False)
"""

BASELINE = """
import sqlite_utils, yaml
data = yaml.load(open(sys.argv[2], encoding="utf-8"), Loader=yaml.CSafeLoader)
db = sqlite_utils.Database(sys.argv[1], recreate=True)
db["claims"].insert_all(data["claims"], batch_size=1000)
"""


def measured(body: str, *args: str) -> dict[str, float]:
    program = PEAK + MEASURE.format(body=body)
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


def curated_of_size(directory: Path, megabytes: int) -> Path:
    """A curated claim file of about MEGABYTES MB (its article about a third of that)."""
    sample = curated(directory, 1000).stat().st_size / 1000  # bytes per claim entry
    return curated(directory, max(1, int(megabytes * 1_000_000 / sample)))


UNBOUNDED = ["--max-bytes", str(10**12), "--max-claims", str(10**9)]


def growth(work: Path, sizes: list[int]) -> None:
    """Seconds and peak RSS per MB of input at each size: flat when both are linear."""
    # CPU seconds are the steadier figure on a shared machine (wall time waits for others).
    print("size MB   kind                   wall s  CPU s  CPU s/MB  peak MB  peak MB/MB")
    for kind in ("article", "claim file"):
        for megabytes in sizes:
            folder = work / f"{kind[0]}{megabytes}"
            folder.mkdir()
            if kind == "article":
                path = long_article(folder, megabytes)
                ours = measured(LOAD, str(work / f"{folder.name}.db"), str(path), *UNBOUNDED)
            else:
                path = curated_of_size(folder, megabytes)
                args = [str(work / f"{folder.name}.db"), str(folder), "--no-extract", *UNBOUNDED]
                ours = measured(LOAD, *args)
            size = sum(f.stat().st_size for f in folder.iterdir()) / 1e6  # with its article
            seconds, cpu, peak = ours["seconds"], ours["cpu"], ours["peak_mb"]
            print(
                f"{size:7.1f}   {kind + (' (extracted)' if kind == 'article' else ''):21}"
                f"{seconds:7.1f} {cpu:6.1f} {cpu / size:9.2f} {peak:8.0f} {peak / size:11.1f}",
                flush=True,
            )
    # Over the default limits: refused before the expensive work, in start-up time.
    page = work / "huge.html"
    page.write_text("<html><body>" + "<p>Ein Satz.</p>" * 3_750_000 + "</body></html>")
    folder = work / "yaml13"
    folder.mkdir()
    big_yaml = curated_of_size(folder, 13)
    for name, path in (("60 MB saved page", page), ("13 MB claim file", big_yaml)):
        refused = measured(REFUSED, str(work / "refused.db"), str(path))
        print(
            f"refused: {name} ({path.stat().st_size / 1e6:.0f} MB) in "
            f"{refused['seconds']:.2f} s, peak {refused['peak_mb']:.0f} MB: {refused['error']}"
        )


REFUSED = """
try:
    cli(["claims", "load", *sys.argv[1:], "--quiet"], standalone_mode=False)
    error = "loaded?"
except Exception as exc:
    error = str(exc).splitlines()[0][:120]
print(json.dumps({"seconds": time.perf_counter() - started, "error": error,
    "peak_mb": peak_mb()}))
raise SystemExit
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--sizes", type=int, nargs="+", help="input sizes in MB (growth only)")
    args = parser.parse_args()
    if args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            growth(Path(tmp), args.sizes)
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "c").mkdir()
        claims_file = curated(work / "c", args.claims)
        ours = measured(LOAD, str(work / "c.db"), str(work / "c"), "--no-extract", *UNBOUNDED)
        base = measured(BASELINE, str(work / "base.db"), str(claims_file))
        print(f"curated claim file, {args.claims:,} claims over one article")
        print(f"  datasette claims load     {ours['seconds']:8.1f} s  {ours['peak_mb']:7.0f} MB")
        print(f"  sqlite-utils insert_all   {base['seconds']:8.1f} s  {base['peak_mb']:7.0f} MB")
        print(f"  ratio (baseline / ours)   {base['seconds'] / ours['seconds']:8.2f}x")
        if args.megabytes:
            (work / "a").mkdir()
            article = long_article(work / "a", args.megabytes)
            ours = measured(LOAD, str(work / "a.db"), str(article), *UNBOUNDED)
            print(f"one {args.megabytes} MB article, extracted")
            seconds, peak = ours["seconds"], ours["peak_mb"]
            print(f"  datasette claims load     {seconds:8.1f} s  {peak:7.0f} MB")


if __name__ == "__main__":
    main()
