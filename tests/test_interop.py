"""Importers (ClaimReview, ClaimsKG, LIAR, plain CSV/JSON) and exports, with round trips."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from datasette.app import Datasette

from datasette_claims.formats.base import ImportBatch, Importer

from .utils import SHARED_DATA, file_digest, rows, run_cli

CLAIMSKG = SHARED_DATA / "claimskg"
LIAR = SHARED_DATA / "liar" / "train.tsv"
needs_data = pytest.mark.skipif(
    not CLAIMSKG.exists() or not LIAR.exists(),
    reason=f"real datasets not found under {SHARED_DATA} (set CLAIMS_SHARED_DATA)",
)


# --- real data ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("real") / "real.db"
    result = run_cli("load", path, CLAIMSKG, LIAR)
    assert result.exit_code == 0, result.output
    return path


@needs_data
def test_claimskg_rows_load_and_duplicates_collapse(real_db):
    csv.field_size_limit(10**9)
    for name in ("fullfact", "africacheck", "afpfactcheck"):
        with open(CLAIMSKG / f"output_sample_{name}.csv", encoding="utf-8") as handle:
            sample = list(csv.DictReader(handle))
        keys = {
            (r["claimReview_url"], (r["claimReview_claimReviewed"] or r["extra_title"]).strip())
            for r in sample
        }
        urls = sorted({k[0] for k in keys})
        marks = ",".join("?" for _ in urls)
        stored = rows(real_db, f"select count(*) from claims where external_id in ({marks})", urls)
        assert stored == [(len(keys),)], name
    # fullfact rows 0 and 1 are identical: one claim, one verdict.
    first = sample_first = None
    with open(CLAIMSKG / "output_sample_fullfact.csv", encoding="utf-8") as handle:
        sample_first = list(csv.DictReader(handle))[:2]
    assert (
        sample_first[0]["claimReview_claimReviewed"] == sample_first[1]["claimReview_claimReviewed"]
    )
    first = sample_first[0]
    assert rows(
        real_db,
        "select count(*) from claims where text = ?",
        [first["claimReview_claimReviewed"].strip()],
    ) == [(1,)]
    (verdict,) = rows(
        real_db,
        "select r.verdict, r.status, r.reviewer from claim_reviews r "
        "join claims c on c.id = r.claim_id where c.text = ?",
        [first["claimReview_claimReviewed"].strip()],
    )
    assert verdict == (first["rating_alternateName"], "refuted", first["claimReview_author_name"])


@needs_data
def test_claimskg_keeps_unmapped_fields(real_db):
    extras = [
        json.loads(e)
        for (e,) in rows(
            real_db, "select extra from claims where id like 'i-%' and extra is not null"
        )
    ]
    assert extras and all("extra_body" in e or "claim_text_from" in e for e in extras)


@needs_data
def test_liar_one_source_per_speaker_with_credit_history(real_db):
    speakers: dict[str, list[int]] = {}
    statements = 0
    with open(LIAR, encoding="utf-8") as handle:
        for line in handle:
            cols = line.rstrip("\n").split("\t")
            statements += 1
            if cols[4].strip():
                counts = [int(float(c)) for c in cols[8:13]]
                best = speakers.setdefault(cols[4].strip().lower(), counts)
                speakers[cols[4].strip().lower()] = [
                    max(a, b) for a, b in zip(best, counts, strict=True)
                ]
    assert rows(real_db, "select count(*) from claims where id like 'liar-%'") == [(statements,)]
    stored = rows(
        real_db,
        "select count(distinct source_id) from source_ratings "
        "where scheme = 'politifact-credit-history'",
    )
    assert stored == [(len(speakers),)]
    obama = dict(
        rows(real_db, "select label, count from source_ratings where source_id = 'barack-obama'")
    )
    assert [
        obama[k] for k in ("barely-true", "false", "half-true", "mostly-true", "pants-fire")
    ] == speakers["barack-obama"]


@needs_data
@pytest.mark.asyncio
async def test_source_page_shows_credit_history(real_db):
    ds = Datasette([str(real_db)])
    data = (await ds.client.get("/real/-/claims/sources/barack-obama.json")).json()
    counts = {r["label"]: r["count"] for r in data["ratings"]}
    assert counts == dict(
        rows(real_db, "select label, count from source_ratings where source_id = 'barack-obama'")
    )
    page = (await ds.client.get("/real/-/claims/sources/barack-obama")).text
    assert "Ratings from datasets" in page and "pants-fire" in page
    assert data["source"]["role"] == "President"


@needs_data
def test_real_reload_is_idempotent(real_db, tmp_path):
    copy = tmp_path / "again.db"
    copy.write_bytes(real_db.read_bytes())
    before = (
        rows(copy, "select count(*) from claims"),
        rows(copy, "select count(*) from claim_reviews"),
    )
    result = run_cli("load", copy, CLAIMSKG, LIAR, "--force")
    assert "claims:       0 added, 0 updated" in result.output
    assert (
        rows(copy, "select count(*) from claims"),
        rows(copy, "select count(*) from claim_reviews"),
    ) == before


# --- ClaimReview JSON-LD fixtures -----------------------------------------------------------

REVIEW = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "url": "https://checker.example/fc/1",
    "claimReviewed": "3,000 North Korean soldiers are in Russia",
    "datePublished": "2024-10-25",
    "author": {"@type": "Organization", "name": "Checker", "url": "https://checker.example"},
    "itemReviewed": {
        "@type": "Claim",
        "author": {"@type": "Organization", "name": "South Korean intelligence"},
        "datePublished": "2024-10-23",
        "appearance": [{"@type": "CreativeWork", "url": "https://news.example/a"}],
    },
    "reviewRating": {
        "@type": "Rating",
        "ratingValue": 4,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Mostly True",
    },
    "keywords": "north korea",
}


@pytest.mark.parametrize("shape", ["object", "list", "graph", "datafeed"])
def test_claimreview_shapes(tmp_path, shape):
    other = dict(
        REVIEW,
        url="https://checker.example/fc/2",
        claimReviewed="Russia denies it",
        reviewRating={"@type": "Rating", "alternateName": "False"},
    )
    data = {
        "object": REVIEW,
        "list": [REVIEW, other],
        "graph": {"@context": "https://schema.org", "@graph": [REVIEW, other]},
        "datafeed": {
            "@type": "DataFeed",
            "dataFeedElement": [
                {"@type": "DataFeedItem", "item": [REVIEW]},
                {"@type": "DataFeedItem", "item": [other]},
            ],
        },
    }[shape]
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    db = tmp_path / "c.db"
    result = run_cli("load", db, path)
    assert result.exit_code == 0, result.output
    expected = 1 if shape == "object" else 2
    assert rows(db, "select count(*) from claims") == [(expected,)]
    (claim,) = rows(
        db,
        "select c.text, s.name, c.claimed_at, c.status, d.url, c.extra from claims c "
        "join sources s on s.id = c.source_id join documents d on d.id = c.document_id "
        "where c.text like '3,000%'",
    )
    assert claim[:5] == (
        "3,000 North Korean soldiers are in Russia",
        "South Korean intelligence",
        "2024-10-23",
        "confirmed",
        "https://news.example/a",
    )
    assert json.loads(claim[5]) == {"keywords": "north korea"}
    (review,) = rows(
        db,
        "select r.reviewer, r.reviewer_url, r.verdict, r.rating_value, r.best_rating, r.status, "
        "r.url, r.reviewed_at from claim_reviews r join claims c on c.id = r.claim_id "
        "where c.text like '3,000%'",
    )
    assert review == (
        "Checker",
        "https://checker.example",
        "Mostly True",
        "4",
        "5",
        "confirmed",
        "https://checker.example/fc/1",
        "2024-10-25",
    )
    # The claimant is a source; the fact-checker is not.
    assert rows(db, "select count(*) from sources where name = 'Checker'") == [(0,)]


def test_verdict_map_and_forced_format(tmp_path):
    path = tmp_path / "reviews.data"
    path.write_text(
        json.dumps(dict(REVIEW, reviewRating={"alternateName": "Schwindel"})), encoding="utf-8"
    )
    mapping = tmp_path / "verdicts.yml"
    mapping.write_text("Schwindel: refuted\n", encoding="utf-8")
    db = tmp_path / "c.db"
    refused = run_cli("load", db, path)
    assert refused.exit_code == 1 and "cannot load '.data' files" in refused.output
    result = run_cli("load", db, path, "--format", "claimreview", "--verdict-map", mapping)
    assert result.exit_code == 0, result.output
    assert rows(db, "select verdict, status from claim_reviews") == [("Schwindel", "refuted")]
    bad_map = tmp_path / "bad.yml"
    bad_map.write_text("Schwindel: bogus\n", encoding="utf-8")
    out = run_cli(
        "load", tmp_path / "d.db", path, "--format", "claimreview", "--verdict-map", bad_map
    )
    assert out.exit_code == 1 and "bad.yml:1" in out.output and "field 'Schwindel'" in out.output


# --- malformed input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, expected",
    [
        (
            "broken.csv",
            'id,text,source\n1,"unclosed quote,x\n2,fine,y\n',
            ["broken.csv:", "malformed CSV"],
        ),
        ("short.csv", "id,text,source\n1,only two\n", ["short.csv:2", "2 fields"]),
        (
            "stance.csv",
            "text,source,stance\nA claim,x,insinuates\n",
            ["stance.csv:2", "field 'stance'"],
        ),
        ("empty.csv", "text,source\n ,x\n", ["empty.csv:2", "field 'text'"]),
        (
            "kinds.csv",
            "text,source,source_kind\nA claim,x,alien\n",
            ["kinds.csv:2", "field 'source_kind'"],
        ),
        (
            "bad.tsv",
            "1.json\tfalse\tSays x\tsubj\tspeaker\tjob\tstate\tparty\t0\t1\t0\t0\t0\tctx\n"
            "2.json\tfalse\tSays y\tsubj\tspeaker\tjob\tstate\tparty\t0\t1\n",
            ["bad.tsv:2", "14 columns"],
        ),
        (
            "label.tsv",
            "1.json\tsorta\tSays x\tsubj\tspeaker\tjob\tstate\tparty\t0\t1\t0\t0\t0\tctx\n",
            ["label.tsv:1", "field 'label'"],
        ),
        (
            "noclaim.json",
            json.dumps({"@type": "ClaimReview", "claimReviewed": ""}),
            ["noclaim.json", "field 'claimReviewed'"],
        ),
        (
            "broken.json",
            '[{"@type": "ClaimReview", "claimReviewed": "x"',
            ["broken.json:1", "malformed JSON"],
        ),
        (
            "inf.csv",
            "text,source,figure_value\nA claim,x,inf\n",
            ["inf.csv:2", "field 'figure_value'"],
        ),
        ("date.csv", "text,source,date\nA claim,x,yesterday<b>\n", ["date.csv:2", "field 'date'"]),
        (
            "url.csv",
            "text,source,url\nA claim,x,javascript:alert(1)\n",
            ["url.csv:2", "field 'url'"],
        ),
        ("twice.csv", "id,text,source\nk1,One text,x\nk1,Other,x\n", ["twice.csv:3", "field 'id'"]),
    ],
)
def test_malformed_rows_are_refused_and_nothing_is_written(
    seed_copy, tmp_path, name, content, expected
):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    before = file_digest(seed_copy)
    result = run_cli("load", seed_copy, path)
    assert result.exit_code == 1, result.output
    for fragment in expected:
        assert fragment in result.output, (fragment, result.output)
    assert file_digest(seed_copy) == before


# --- exports and round trips ----------------------------------------------------------------


def snapshot(path: Path) -> dict[str, set]:
    return {
        "claims": set(
            rows(
                path,
                "select id, text, source_id, stance, quote_kind, hedge, "
                "figure_value, figure_unit, figure_as_of, proposition_id from claims",
            )
        ),
        "sources": set(
            rows(
                path,
                "select id, name, kind from sources where id in (select source_id from claims)",
            )
        ),
        "reviews": set(
            rows(
                path,
                "select claim_id, reviewer, verdict from claim_reviews "
                "union select id, reviewed_by, status from claims "
                "where reviewed_by is not null and id not in "
                "(select claim_id from claim_reviews)",
            )
        ),
    }


@pytest.fixture
def reviewed_seed(seed_copy, tmp_path):
    fixture = tmp_path / "fc.json"
    fixture.write_text(json.dumps([REVIEW]), encoding="utf-8")
    assert run_cli("load", seed_copy, fixture).exit_code == 0
    assert (
        run_cli(
            "review",
            seed_copy,
            "us-accuses-munitions",
            "--status",
            "refuted",
            "--evidence",
            "https://example.org/r",
            "--by",
            "anna",
        ).exit_code
        == 0
    )
    return seed_copy


def test_csv_round_trip(reviewed_seed, tmp_path):
    exported = run_cli("export", reviewed_seed, "--format", "csv")
    assert exported.exit_code == 0
    path = tmp_path / "export.csv"
    path.write_text(exported.output, encoding="utf-8")
    fresh = tmp_path / "fresh.db"
    result = run_cli("load", fresh, path)
    assert result.exit_code == 0, result.output
    assert snapshot(fresh) == snapshot(reviewed_seed)


def test_claimreview_round_trip(reviewed_seed, tmp_path):
    exported = run_cli("export", reviewed_seed, "--format", "claimreview")
    feed = json.loads(exported.output)
    assert feed["@type"] == "DataFeed"
    path = tmp_path / "export.json"
    path.write_text(exported.output, encoding="utf-8")
    fresh = tmp_path / "fresh.db"
    assert run_cli("load", fresh, path).exit_code == 0
    original, again = snapshot(reviewed_seed), snapshot(fresh)
    assert again["reviews"] == original["reviews"]
    reviewed = {r[0] for r in original["reviews"]}
    assert {c[:3] for c in again["claims"]} == {
        c[:3] for c in original["claims"] if c[0] in reviewed
    }
    assert again["sources"] <= original["sources"]


@pytest.mark.asyncio
async def test_claim_page_json_ld_cannot_be_broken_out_of(tmp_path):
    hostile = 'He said "</script><script>alert(1)</script>" & <!-- more'
    path = tmp_path / "h.json"
    path.write_text(json.dumps(dict(REVIEW, claimReviewed=hostile)), encoding="utf-8")
    db = tmp_path / "h.db"
    assert run_cli("load", db, path).exit_code == 0
    (claim_id,) = rows(db, "select id from claims")[0]
    ds = Datasette([str(db)])
    page = (await ds.client.get(f"/h/-/claims/{claim_id}")).text
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1
    assert "<" not in scripts[0] and "alert(1)</script>" not in scripts[0]
    assert json.loads(scripts[0])["claimReviewed"] == hostile
    assert page.count("<script>alert(1)") == 0
    feed = (await ds.client.get("/h/-/claims.claimreview.json")).json()
    (item,) = feed["dataFeedElement"]
    assert item["item"][0]["claimReviewed"] == hostile
    assert item["item"][0]["url"] == "https://checker.example/fc/1"


@pytest.mark.asyncio
async def test_unreviewed_claims_have_no_json_ld(ds):
    page = (await ds.client.get("/claims/-/claims/nis-3000-in-russia")).text
    assert "application/ld+json" not in page


class ToyImporter(Importer):
    name = "toy"
    description = "lines of 'speaker: claim'"

    def detect(self, path, head):
        return path.suffix == ".toy"

    def read(self, path, batch: ImportBatch):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            speaker, _, text = line.partition(": ")
            batch.claim(
                text=text,
                key=f"toy:{number}",
                line=number,
                source_id=batch.source(speaker, kind="person", line=number),
            )


def test_a_plugin_importer(tmp_path):
    from datasette import hookimpl
    from datasette.plugins import pm

    class Plugin:
        __name__ = "toy-importer"

        @hookimpl
        def register_claim_importers(self, datasette):
            return [ToyImporter()]

    path = tmp_path / "a.toy"
    path.write_text("Anna: The bridge is closed\n", encoding="utf-8")
    db = tmp_path / "t.db"
    pm.register(Plugin(), name="toy-importer")
    try:
        result = run_cli("load", db, path)
    finally:
        pm.unregister(name="toy-importer")
    assert result.exit_code == 0, result.output
    assert rows(db, "select c.text, s.name from claims c join sources s on s.id = c.source_id") == [
        ("The bridge is closed", "Anna")
    ]


def test_reloading_our_own_export_changes_no_curated_claim(reviewed_seed, tmp_path):
    before = rows(reviewed_seed, "select * from claims where origin = 'curated' order by id")
    reviews = rows(reviewed_seed, "select count(*) from claim_reviews")
    for fmt, suffix in (("claimreview", "json"), ("csv", "csv")):
        path = tmp_path / f"export.{suffix}"
        path.write_text(run_cli("export", reviewed_seed, "--format", fmt).output, encoding="utf-8")
        assert run_cli("load", reviewed_seed, path).exit_code == 0
    assert (
        rows(reviewed_seed, "select * from claims where origin = 'curated' order by id") == before
    )
    assert rows(reviewed_seed, "select count(*) from claim_reviews") == reviews


def test_csv_round_trip_keeps_independence_and_statuses(seed_db_path, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(run_cli("export", seed_db_path, "--format", "csv").output, encoding="utf-8")
    fresh = tmp_path / "fresh.db"
    assert run_cli("load", fresh, path).exit_code == 0
    statuses = "select id, status from propositions order by id"
    assert rows(fresh, statuses) == rows(seed_db_path, statuses)
    groups = "select id, independence_group from sources where id in (select source_id from claims)"
    assert set(rows(fresh, groups)) == set(rows(seed_db_path, groups))


@pytest.mark.parametrize(
    "variant, verdict, kept",
    [
        (
            {"reviewRating": {"alternateName": ["False", "Pants on fire"]}},
            "False; Pants on fire",
            None,
        ),
        ({"reviewRating": "False"}, "False", None),
        ({"itemReviewed": "a claim made on TV"}, "Mostly True", "a claim made on TV"),
    ],
)
def test_claimreview_odd_shapes_lose_nothing(tmp_path, variant, verdict, kept):
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(dict(REVIEW, **variant)), encoding="utf-8")
    db = tmp_path / "odd.db"
    result = run_cli("load", db, path)
    assert result.exit_code == 0, result.output
    assert rows(db, "select verdict from claim_reviews") == [(verdict,)]
    if kept:
        (extra,) = rows(db, "select extra from claims")[0]
        assert json.loads(extra)["itemReviewed"] == kept
