"""A synthetic but realistic claims corpus, reproducible from a seed.

    python bench/generate.py N OUTDIR [--seed 1] [--articles 200]

Writes OUTDIR/sources.yml (governments, agencies, ministries, people and outlets with
parents and German/English aliases), OUTDIR/claims-NNN.csv (N claims in shards of 20,000,
the plain CSV the `csv` importer reads: German and English attributed sentences, figures
with units and as-of dates, stances, hedges, propositions with several sources each, and
fact-check verdicts on about one claim in twenty), and OUTDIR/articles/*.txt (German and
English articles with attributed sentences, for extraction throughput).
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

import yaml

COUNTRIES = [
    ("south-korea", "Südkorea", "South Korea", "südkoreanische", "South Korean"),
    ("united-states", "USA", "United States", "US-", "US"),
    ("russia", "Russland", "Russia", "russische", "Russian"),
    ("ukraine", "Ukraine", "Ukraine", "ukrainische", "Ukrainian"),
    ("north-korea", "Nordkorea", "North Korea", "nordkoreanische", "North Korean"),
    ("germany", "Deutschland", "Germany", "deutsche", "German"),
    ("france", "Frankreich", "France", "französische", "French"),
    ("china", "China", "China", "chinesische", "Chinese"),
    ("japan", "Japan", "Japan", "japanische", "Japanese"),
    ("poland", "Polen", "Poland", "polnische", "Polish"),
]
BODIES = [
    ("intelligence", "Geheimdienst", "intelligence service", "agency"),
    ("defence", "Verteidigungsministerium", "defence ministry", "ministry"),
    ("foreign", "Außenministerium", "foreign ministry", "ministry"),
    ("army", "Armee", "armed forces", "military"),
]
UNITS = [
    ("Soldaten", "soldiers", "soldiers"),
    ("Raketen", "missiles", "missiles"),
    ("Panzer", "tanks", "tanks"),
    ("Flüchtlinge", "refugees", "refugees"),
]
HEDGES_DE = ["", "", "", "mutmaßlich ", "offenbar "]
HEDGES_EN = ["", "", "", "reportedly ", "allegedly "]
VERDICTS = ["True", "False", "Mostly False", "Half True", "Misleading", "Mostly True"]
MONTHS = ["2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02"]


def sources(rng: random.Random, people_per_body: int) -> list[dict]:
    found = []
    for cid, de, en, _, _ in COUNTRIES:
        found.append(
            {
                "id": cid,
                "name": f"Government of {en}",
                "kind": "government",
                "aliases": {"de": [de], "en": [en]},
            }
        )
        for bid, bde, ben, kind in BODIES:
            body = f"{cid}-{bid}"
            found.append(
                {
                    "id": body,
                    "name": f"{en} {ben}",
                    "kind": kind,
                    "parent": cid,
                    "aliases": {"de": [f"{de} {bde}"], "en": [f"{en} {ben}"]},
                }
            )
            for n in range(people_per_body):
                found.append(
                    {
                        "id": f"{body}-p{n}",
                        "name": f"Official {n} of the {en} {ben}",
                        "kind": "person",
                        "role": f"Official of the {en} {ben}",
                        "parent": body,
                        "aliases": {"de": [f"Sprecher {n} {de}"], "en": [f"Spokesperson {n} {en}"]},
                    }
                )
    for n in range(20):
        found.append(
            {
                "id": f"outlet-{n}",
                "name": f"Outlet {n}",
                "kind": "outlet",
                "aliases": {"en": [f"Outlet {n}"]},
            }
        )
    return found


def claim_rows(rng: random.Random, count: int, source_ids: list[str]):
    propositions = max(1, count // 10)
    for n in range(count):
        p = rng.randrange(propositions)
        subject = COUNTRIES[p % len(COUNTRIES)]
        place = COUNTRIES[(p // len(COUNTRIES)) % len(COUNTRIES)]
        unit = UNITS[p % len(UNITS)]
        value = (p % 17 + 1) * 500 + rng.choice([0, 0, 500, 1000])
        as_of = rng.choice(MONTHS)
        forecast = rng.random() < 0.15
        german = rng.random() < 0.5
        stance = "denies" if rng.random() < 0.08 else "expects" if forecast else "asserts"
        if german:
            hedge = rng.choice(HEDGES_DE)
            text = (
                f"{hedge}{value:,} {subject[3]} {unit[0]} sollen in {place[1]} sein".replace(
                    ",", "."
                )
                if forecast
                else f"Es sind {hedge}{value:,} {subject[3]} {unit[0]} in {place[1]}".replace(
                    ",", "."
                )
            )
        else:
            hedge = rng.choice(HEDGES_EN)
            text = (
                f"{value:,} {subject[4]} {unit[1]} will {hedge}be in {place[2]}"
                if forecast
                else f"There are {hedge}{value:,} {subject[4]} {unit[1]} in {place[2]}"
            )
        row = {
            "id": f"g{n}",
            "text": f"{text} (report {n})",
            "source": rng.choice(source_ids),
            "proposition": f"gp{p}",
            "proposition_statement": f"{subject[2]} {unit[2]} are in {place[2]} (topic {p})",
            "stance": stance,
            "quote_kind": rng.choice(["direct", "reported", "paraphrase"]),
            "hedge": hedge.strip() or "",
            "figure_value": value,
            "figure_unit": unit[2],
            "figure_as_of": as_of,
            "date": f"{as_of}-{rng.randint(1, 28):02d}",
        }
        if rng.random() < 0.05:
            row.update(
                verdict=rng.choice(VERDICTS),
                reviewer="Synthetic Fact Check",
                review_url=f"https://factcheck.example/{n}",
                reviewed_at=row["date"],
            )
        yield row


ARTICLE_DE = (
    "{n}. Nach Angaben des {agency} halten sich bereits {value} {adj} Soldaten in {place} auf. "
    'Bis Dezember sollen es demnach {more} sein. "Wir werden nicht tatenlos zusehen", '
    "sagte der Sprecher. {place} weist das zurück.\n\n"
)
ARTICLE_EN = (
    "{n}. According to {agency}, {value} {adj} soldiers are already in {place}. "
    '"We will not stand by," the spokesperson said. {place} denied the reports.\n\n'
)


def articles(rng: random.Random, out: Path, count: int) -> None:
    folder = out / "articles"
    folder.mkdir(exist_ok=True)
    for n in range(count):
        german = n % 2 == 0
        parts = []
        for k in range(40):
            c, p = rng.choice(COUNTRIES), rng.choice(COUNTRIES)
            template = ARTICLE_DE if german else ARTICLE_EN
            parts.append(
                template.format(
                    n=k,
                    agency=f"{c[1]} Geheimdienstes" if german else f"{c[2]} intelligence",
                    value=f"{rng.randint(1, 30) * 500:,}".replace(",", "." if german else ","),
                    more=f"{rng.randint(31, 60) * 500:,}".replace(",", "."),
                    adj=c[3] if german else c[4],
                    place=p[1] if german else p[2],
                )
            )
        (folder / f"a{n:05d}.txt").write_text("".join(parts), encoding="utf-8")


def main(count: int, out: Path, seed: int = 1, article_count: int = 200) -> None:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    people = max(1, count // 4000)
    registry = sources(rng, people)
    (out / "sources.yml").write_text(
        yaml.safe_dump({"sources": registry}, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    ids = [s["id"] for s in registry]
    columns = [
        "id",
        "text",
        "source",
        "proposition",
        "proposition_statement",
        "stance",
        "quote_kind",
        "hedge",
        "figure_value",
        "figure_unit",
        "figure_as_of",
        "date",
        "verdict",
        "reviewer",
        "review_url",
        "reviewed_at",
    ]
    shard, handle, writer = -1, None, None
    for n, row in enumerate(claim_rows(rng, count, ids)):
        if n % 20000 == 0:
            if handle:
                handle.close()
            shard += 1
            handle = open(out / f"claims-{shard:03d}.csv", "w", encoding="utf-8", newline="")
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
        writer.writerow(row)
    if handle:
        handle.close()
    articles(rng, out, article_count)
    shards = shard + 1
    print(f"{count} claims in {shards} shards, {len(registry)} sources, {article_count} articles")


if __name__ == "__main__":
    args = sys.argv[1:]
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 1
    article_count = int(args[args.index("--articles") + 1]) if "--articles" in args else 200
    main(int(args[0]), Path(args[1]), seed, article_count)
