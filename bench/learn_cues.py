"""Learn the German cue lexicon from SpkAtt-2023's annotations (the study part only).

    python bench/learn_cues.py [--out datasette_claims/extract/data/de_cues.tsv]
    python bench/learn_cues.py --english    # PolNeAR train -> data/en_cues.tsv

For every word form (lower-cased) that is part of an annotated cue, how often it is a cue
and how often it occurs at all in the study articles; for the prepositional cue "nach"
the nouns that follow it in an attribution ("nach Angaben", "nach Ansicht"); and the
lower-case words mostly found in free indirect speech (Konjunktiv forms). Counts only:
no article text leaves the corpus. The untouched part (bench/spkatt.py) is never read.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import spkatt  # noqa: E402

SHARED = spkatt.SHARED
# Endings of adjectives, which also end in -e ("offene", "notwendige").
ADJECTIVE_ENDINGS = ("ige", "ische", "ene", "aue", "ale", "ive", "ste", "ere", "ne", "le")
OUT = ROOT / "datasette_claims" / "extract" / "data" / "de_cues.tsv"


def learn() -> tuple[Counter, Counter, Counter, Counter, int]:
    as_cue: Counter = Counter()
    in_free: Counter = Counter()  # words of free indirect speech (Konjunktiv without a cue)
    seen: Counter = Counter()
    after_nach: Counter = Counter()
    files = spkatt.articles("study")
    for path in files:
        gold = json.loads(path.read_text(encoding="utf-8"))
        sentences = [s["Tokens"] for s in gold["Sentences"]]
        for tokens in sentences:
            seen.update(t.lower() for t in tokens)
        cue_tokens: set[tuple[int, int]] = set()
        for annotation in gold["Annotations"]:
            for ref in annotation["Cue"]:
                s, t = map(int, ref.split(":"))
                cue_tokens.add((s, t))
                word = sentences[s][t]
                if word.lower() == "nach" and t + 1 < len(sentences[s]):
                    nxt = sentences[s][t + 1]
                    if nxt[:1].isupper() or nxt.lower() in ("eigenen", "offiziellen", "ersten"):
                        after_nach[nxt.lower()] += 1
            if annotation["Form"] in ("FreeIndirect", "IndirectFreeIndirect"):
                for ref in annotation["Message"]:
                    s, t = map(int, ref.split(":"))
                    in_free[sentences[s][t]] += 1
        for s, t in cue_tokens:
            as_cue[sentences[s][t].lower()] += 1
    return as_cue, seen, after_nach, in_free, len(files)


EN_OUT = ROOT / "datasette_claims" / "extract" / "data" / "en_cues.tsv"
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def learn_english() -> tuple[Counter, Counter, int]:
    """Cue word forms of PolNeAR's train compartment (never dev or test)."""
    folder = SHARED / "polnear" / "train"
    as_cue: Counter = Counter()
    seen: Counter = Counter()
    done: set[str] = set()
    for ann in sorted((folder / "attributions").glob("*.ann")):
        name = ann.stem.rsplit("_", 1)[0]
        if name in done:
            continue  # the first annotator's file of each article
        done.add(name)
        text = (folder / "text" / f"{name}.txt").read_text(encoding="utf-8")
        seen.update(w.lower() for w in WORD.findall(text))
        for line in ann.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if line.startswith("T") and len(parts) >= 3 and parts[1].startswith("Cue "):
                as_cue.update(w.lower() for w in WORD.findall(parts[2]))
    return as_cue, seen, len(done)


def write_english(out: Path) -> None:
    as_cue, seen, count = learn_english()
    lines = [
        f"# Cue word forms learned from PolNeAR train ({count} articles, first annotator):",
        "# kind, form, times (part of) an annotated cue, times seen in the train text.",
        "# Written by bench/learn_cues.py --english; counts only.",
        "kind\tform\tcue\tseen",
    ]
    for form, n in sorted(as_cue.items(), key=lambda kv: (-kv[1], kv[0])):
        if n >= 3:
            lines.append(f"cue\t{form}\t{n}\t{seen[form]}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(lines) - 4} entries from {count} PolNeAR train articles)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--english", action="store_true", help="learn the English lexicon from PolNeAR train"
    )
    args = parser.parse_args()
    if args.english:
        write_english(EN_OUT if args.out == OUT else args.out)
        return
    as_cue, seen, after_nach, in_free, count = learn()
    lines = [
        f"# Cue word forms learned from SpkAtt-2023 train, study part ({count} articles):",
        "# kind, form, times annotated as (part of) a cue, times seen in the study text.",
        "# Written by bench/learn_cues.py; counts only.",
        "kind\tform\tcue\tseen",
    ]
    for form, n in sorted(as_cue.items(), key=lambda kv: (-kv[1], kv[0])):
        if n >= 2 and any(ch.isalpha() for ch in form):
            lines.append(f"cue\t{form}\t{n}\t{seen[form]}")
    for form, n in sorted(after_nach.items(), key=lambda kv: (-kv[1], kv[0])):
        if n >= 1:
            lines.append(f"nach\t{form}\t{n}\t{seen[form]}")
    # Lower-case words of free indirect speech that are mostly found there: Konjunktiv
    # forms ("gehöre", "bedeute") that carry a speaker into the next sentences.
    for form, n in sorted(in_free.items(), key=lambda kv: (-kv[1], kv[0])):
        konjunktiv = form.endswith("e") and not form.endswith(ADJECTIVE_ENDINGS)
        if form.isalpha() and form.islower() and konjunktiv and n >= 2 and n >= 0.3 * seen[form]:
            lines.append(f"subjunctive\t{form}\t{n}\t{seen[form]}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(lines) - 4} entries from {count} study articles)")


if __name__ == "__main__":
    main()
