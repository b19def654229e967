"""How many extracted claims get a source, on real news loaded as a user loads it.

    python bench/source_coverage.py [--limit 200] [--speakers]

Articles of PolNeAR (English; train is the tuning part, dev is only scored) and SpkAtt
(German; the study part is tuned on, one article in five by a checksum of its id is the
untouched part) are written as text files and loaded with `datasette claims load` beside
the seed registry. Printed per part: extracted claims, and the share with a registry
source, with a suggested source named by the words (a person, an organisation), with one
named only by a common noun (one article's "police"), and with none. `--speakers` lists the most
frequent speaker words of claims without a source, for the tuning parts only.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import extract_quality  # noqa: E402
import spkatt  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from datasette.cli import cli  # noqa: E402

TUNING = {"PolNeAR train", "SpkAtt study"}


def polnear_texts(split: str, limit: int) -> list[tuple[str, str]]:
    return [(name, text) for name, text, _ in extract_quality.polnear_documents(split)][:limit]


def spkatt_texts(part: str, limit: int) -> list[tuple[str, str]]:
    found = []
    for path in spkatt.articles(part)[:limit]:
        gold = __import__("json").loads(path.read_text(encoding="utf-8"))
        text, _ = spkatt.detokenize([s["Tokens"] for s in gold["Sentences"]])
        found.append((spkatt.article_id(path), text))
    return found


def coverage(texts: list[tuple[str, str]], folder: Path) -> sqlite3.Connection:
    articles = folder / "articles"
    articles.mkdir(parents=True)
    for n, (name, text) in enumerate(texts):
        (articles / f"{n:04d}-{Path(name).name[:40]}.txt").write_text(text, encoding="utf-8")
    # The seed's registry comes along, as when new coverage joins the seed's story.
    registry = articles / "sources.yml"
    registry.write_text((ROOT / "seeds" / "sources.yml").read_text(encoding="utf-8"))
    db = folder / "claims.db"
    result = CliRunner().invoke(cli, ["claims", "load", str(db), str(articles)])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return sqlite3.connect(db)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=200, help="articles per part")
    parser.add_argument("--speakers", action="store_true", help="unsourced speaker words")
    args = parser.parse_args()
    parts = {
        "PolNeAR train": lambda: polnear_texts("train", args.limit),
        "PolNeAR dev": lambda: polnear_texts("dev", args.limit),
        "SpkAtt study": lambda: spkatt_texts("study", args.limit),
        "SpkAtt untouched": lambda: spkatt_texts("untouched", args.limit),
    }
    print(
        f"{'part':<18}{'articles':>9}{'claims':>8}{'registry':>10}{'named':>8}"
        f"{'common noun':>13}{'none':>8}"
    )
    for label, texts in parts.items():
        found = texts()
        with tempfile.TemporaryDirectory() as tmp:
            conn = coverage(found, Path(tmp))
            rows = conn.execute(
                """select case when c.source_id is null then 'none'
                          when s.document_id is not null then 'common noun'
                          when s.origin in ('suggested', 'confirmed') then 'named'
                          else 'registry' end, count(*)
                   from claims c left join sources s on s.id = c.source_id
                   where c.origin = 'extracted' group by 1"""
            ).fetchall()
            counts = Counter(dict(rows))
            total = sum(counts.values()) or 1
            print(
                f"{label:<18}{len(found):>9}{total:>8}"
                f"{counts['registry'] / total:>10.1%}"
                f"{counts['named'] / total:>8.1%}"
                f"{counts['common noun'] / total:>13.1%}"
                f"{counts['none'] / total:>8.1%}"
            )
            if args.speakers and label in TUNING:
                words = Counter(
                    (speaker or "(no speaker words)").lower()
                    for (speaker,) in conn.execute(
                        "select speaker from claims where origin = 'extracted' "
                        "and source_id is null"
                    )
                )
                for speaker, n in words.most_common(25):
                    print(f"    {n:4d}  {speaker}")
            conn.close()


if __name__ == "__main__":
    main()
