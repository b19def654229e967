"""German extraction against SpkAtt-2023 Task 2 (German Wikinews), with the official scorer.

    python bench/spkatt.py [--part study|untouched|both] [--show N]

The 700 training articles are split by article id into a part the German rules were
studied on and a part nobody looked at while writing them (one article in five, chosen by a
checksum of its id, so the split never changes). Each article's tokens are joined back into
text (no space before closing punctuation, none after opening quotes and brackets), the
built-in German extractor runs on it, and every extracted claim becomes an annotation in the
task's JSON: Message = the tokens its span overlaps (minus the source, the cue words and
closing punctuation), Source = the tokens its speaker span overlaps, Form from the quote
kind. Direct quotations get back the quotation marks our claim span leaves out, as the
task marks them. The official scorer (`score.py` from the task, copied to a temporary
folder because it writes a log file beside itself) then prints the
Simplified Messages / Source / Joint P, R and F1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from datasette_claims.extract import extract_claims
from datasette_claims.extract.german import GermanExtractor

SHARED = Path(os.environ.get("CLAIMS_SHARED_DATA", ROOT.parent / "shared" / "data"))
SPKATT = SHARED / "spkatt-news"

NO_SPACE_BEFORE = {",", ".", ":", ";", "!", "?", ")", "]", "“", "”", "%", "…", "«", "‹"}
NO_SPACE_AFTER = {"„", "(", "[", "»", "›", "‚"}


def article_id(path: Path) -> str:
    return path.name.split(" - ", 1)[0]


def part_of(path: Path) -> str:
    """'untouched' for one article in five (by a checksum of the id), else 'study'."""
    return "untouched" if zlib.crc32(article_id(path).encode()) % 5 == 0 else "study"


def articles(part: str) -> list[Path]:
    files = sorted((SPKATT / "train").glob("*.json"))
    return [f for f in files if part == "both" or part_of(f) == part]


def detokenize(sentences: list[list[str]]) -> tuple[str, list[tuple[int, int, int, int]]]:
    """Text from tokens, and (sentence, token, start, end) for every token."""
    pieces: list[str] = []
    offsets: list[tuple[int, int, int, int]] = []
    length = 0
    open_double = False
    glue = True
    for s, tokens in enumerate(sentences):
        for t, token in enumerate(tokens):
            if token == '"':
                # A plain double quote opens and closes in turn.
                closing = open_double
                open_double = not open_double
            else:
                closing = token in NO_SPACE_BEFORE
            if pieces and not glue and not closing:
                pieces.append(" ")
                length += 1
            pieces.append(token)
            offsets.append((s, t, length, length + len(token)))
            length += len(token)
            glue = token in NO_SPACE_AFTER or (token == '"' and open_double)
    return "".join(pieces), offsets


def token_ids(offsets, start: int | None, end: int | None) -> list[str]:
    if start is None or end is None:
        return []
    return [f"{s}:{t}" for s, t, a, b in offsets if a < end and start < b]


QUOTE_MARKS = {"„", "“", "”", '"', "»", "«", "‚", "‘", "›", "‹"}


def quote_marks(message: list[str], offsets, words: dict[str, str]) -> list[str]:
    order = [f"{s}:{t}" for s, t, _, _ in offsets]
    first, last = order.index(message[0]), order.index(message[-1])
    before = [order[first - 1]] if first > 0 and words[order[first - 1]] in QUOTE_MARKS else []
    after = (
        [order[last + 1]] if last + 1 < len(order) and words[order[last + 1]] in QUOTE_MARKS else []
    )
    return before + message + after


FORMS = {"direct": "Direct", "indirect": "Indirect", "none": "Reported"}


def extracted(path: Path):
    """The article's text, token offsets, token words and our extracted claims."""
    global EXTRACTING
    gold = json.loads(path.read_text(encoding="utf-8"))
    text, offsets = detokenize([s["Tokens"] for s in gold["Sentences"]])
    started = time.perf_counter()
    claims = extract_claims(text, language="de", extractors=[GermanExtractor()])
    EXTRACTING += time.perf_counter() - started
    return gold, text, offsets, claims


EXTRACTING = 0.0  # seconds spent in the extractor itself, for the throughput figure


STANCE_SAMPLE = ROOT / "bench" / "data" / "spkatt_stance_de.tsv"


def stance_accuracy() -> tuple[int, int, int, dict[str, tuple[int, int]]]:
    """Our stance against the hand-labelled sample (study part): rows, found, right, per label.

    A sample row is found when an extracted claim overlaps its message tokens; the claim
    overlapping most is compared.
    """
    by_article: dict[str, list[tuple[str, str, str]]] = {}
    lines = STANCE_SAMPLE.read_text(encoding="utf-8").splitlines()[1:]
    for line in lines:
        article, first, last, label = line.split("\t")
        by_article.setdefault(article, []).append((first, last, label))
    files = {article_id(f): f for f in articles("study")}
    found = right = 0
    per_label: dict[str, list[int]] = {}
    for article, rows in by_article.items():
        gold, text, offsets, claims = extracted(files[article])
        order = [(s, t) for s, t, _, _ in offsets]
        position = {f"{s}:{t}": k for k, (s, t) in enumerate(order)}
        for first, last, label in rows:
            a, b = offsets[position[first]][2], offsets[position[last]][3]
            best = max(claims, key=lambda c: min(b, c.end) - max(a, c.start), default=None)
            counts = per_label.setdefault(label, [0, 0])
            counts[0] += 1
            if best is None or min(b, best.end) <= max(a, best.start):
                continue
            found += 1
            if best.stance == label:
                right += 1
                counts[1] += 1
    return len(lines), found, right, {k: (v[0], v[1]) for k, v in per_label.items()}


def predict(path: Path) -> dict:
    """The task's JSON for one article, with our extractor's annotations."""
    gold, text, offsets, claims = extracted(path)
    words = {
        f"{s}:{t}": w
        for s, sentence in enumerate(gold["Sentences"])
        for t, w in enumerate(sentence["Tokens"])
    }
    annotations = []
    for claim in claims:
        # The task's roles do not overlap: the message is the claim's span without its
        # source, its cue words and the sentence's closing punctuation.
        source = token_ids(offsets, claim.speaker_start, claim.speaker_end)
        if source and claim.cue and claim.cue.startswith("nach "):
            # Our cue "nach Angaben" + speaker "der Polizei" is the task's cue "nach" +
            # source "Angaben der Polizei".
            order = [f"{s}:{t}" for s, t, _, _ in offsets]
            at = order.index(source[0])
            if at > 0 and words[order[at - 1]].lower() == claim.cue.split()[1]:
                source = [order[at - 1], *source]
        cue_words = set((claim.cue or "").lower().split())
        message = [
            ref
            for ref in token_ids(offsets, claim.start, claim.end)
            if ref not in source and words[ref].lower() not in cue_words
        ]
        while message and words[message[-1]] in (".", ":", ";", ","):
            message.pop()
        if message and claim.quote == "direct":
            # The task's direct messages include their quotation marks; our span is inside.
            message = quote_marks(message, offsets, words)
        if not message:
            continue
        annotations.append(
            {
                "Addr": [],
                "Cue": [],
                "Form": FORMS.get(claim.quote, "Indirect"),
                "Frame": [],
                "HasNested": False,
                "IsNested": False,
                "Message": message,
                "STWR": "Speech",
                "Source": source,
            }
        )
    return {
        "DocumentName": gold.get("DocumentName", path.stem),
        "Sentences": gold["Sentences"],
        "Annotations": annotations,
    }


_SCORE = re.compile(r"^Simplified(Messages|Source|Joint)\((F1|P|R)\):\s*([\d.]+)", re.M)


def official_scores(files: list[Path]) -> tuple[dict[str, float], float, int]:
    """Run the task's scorer on our predictions for `files`; scores, extraction seconds
    and bytes of text."""
    work = Path(tempfile.mkdtemp(prefix="spkatt-"))
    try:
        for name in ("score.py", "classes.py"):
            shutil.copy(SPKATT / "eval" / name, work / name)
        (work / "input" / "ref").mkdir(parents=True)
        (work / "input" / "res").mkdir()
        elapsed = 0.0
        size = 0
        for path in files:
            shutil.copy(path, work / "input" / "ref" / path.name)
            before = EXTRACTING
            predicted = predict(path)
            elapsed += EXTRACTING - before
            size += sum(len(" ".join(s["Tokens"]).encode()) for s in predicted["Sentences"])
            (work / "input" / "res" / path.name).write_text(
                json.dumps(predicted, ensure_ascii=False), encoding="utf-8"
            )
        done = subprocess.run(
            [sys.executable, "score.py", "input", "output"],
            cwd=work,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"the scorer failed:\n{done.stderr[-2000:]}")
        scores = {
            f"{kind.lower()}_{measure.lower()}": float(value)
            for kind, measure, value in _SCORE.findall(done.stdout)
        }
        return scores, elapsed, size
    finally:
        shutil.rmtree(work, ignore_errors=True)


def rows(parts: list[str]) -> Iterator[tuple[str, int, dict[str, float], float, int]]:
    for part in parts:
        files = articles(part)
        scores, elapsed, size = official_scores(files)
        yield part, len(files), scores, elapsed, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["study", "untouched", "both"], default="both")
    args = parser.parse_args()
    if not (SPKATT / "train").exists():
        raise SystemExit(f"{SPKATT / 'train'} not found")
    parts = ["study", "untouched"] if args.part == "both" else [args.part]
    print(
        f"{'SpkAtt-2023 train part':24}{'docs':>5}  {'Msg P/R/F1':>17}  {'Src P/R/F1':>17}  "
        f"{'Joint P/R/F1':>17}{'MB/s':>7}"
    )
    for part, count, s, elapsed, size in rows(parts):
        print(
            f"{part:24}{count:5}  "
            + "  ".join(
                f"{s.get(k + '_p', 0):5.2f} {s.get(k + '_r', 0):5.2f} {s.get(k + '_f1', 0):5.2f}"
                for k in ("messages", "source", "joint")
            )
            + f"{size / elapsed / 1e6 if elapsed else 0:7.2f}"
        )
    if STANCE_SAMPLE.exists():
        total, found, right, per_label = stance_accuracy()
        labels = ", ".join(f"{k} {r}/{n}" for k, (n, r) in sorted(per_label.items()))
        print(
            f"stance (hand-labelled sample, study part): {total} claims, {found} found, "
            f"{right / found if found else 0:.2f} right of those found ({labels})"
        )


if __name__ == "__main__":
    main()
