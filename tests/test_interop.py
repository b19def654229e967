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


# --- type-confused ClaimReview values -------------------------------------------------------
# schema.org lets almost any value be a list or an object: the first usable value is taken,
# and a value of a type that cannot mean anything is refused, naming the file and field.

STORED = (
    "select c.text, c.claimed_at, d.url, d.title, s.name, s.kind, r.reviewer, r.reviewer_url, "
    "r.verdict, r.rating_value, r.url, r.reviewed_at from claims c "
    "join documents d on d.id = c.document_id left join sources s on s.id = c.source_id "
    "left join claim_reviews r on r.claim_id = c.id"
)
COLUMNS = (
    "text claimed_at document_url title source source_kind reviewer reviewer_url verdict "
    "rating_value review_url reviewed_at"
).split()
ITEM = REVIEW["itemReviewed"]


@pytest.mark.parametrize(
    "variant, expected",
    [
        (
            {"url": ["https://checker.example/a", "https://b.example"]},
            {"review_url": "https://checker.example/a"},
        ),
        (
            {"url": {"@id": "https://checker.example/id"}},
            {"review_url": "https://checker.example/id"},
        ),
        (
            {"url": [None, "", "https://checker.example/c"]},
            {"review_url": "https://checker.example/c"},
        ),
        ({"author": [{"name": "First"}, {"name": "Second"}]}, {"reviewer": "First"}),
        ({"author": "Plain Name"}, {"reviewer": "Plain Name", "reviewer_url": None}),
        (
            {"author": {"name": ["One", "Two"], "url": ["https://one.example"]}},
            {"reviewer": "One", "reviewer_url": "https://one.example"},
        ),
        ({"author": {"name": {"@value": "Valued"}}}, {"reviewer": "Valued"}),
        (
            {"reviewRating": [{"alternateName": "False"}, {"alternateName": "True"}]},
            {"verdict": "False"},
        ),
        ({"reviewRating": ["Misleading"]}, {"verdict": "Misleading"}),
        ({"reviewRating": 2}, {"verdict": None, "rating_value": "2"}),
        (
            {"reviewRating": {"alternateName": {"@value": "False"}, "ratingValue": [1]}},
            {"verdict": "False", "rating_value": "1"},
        ),
        (
            {"claimReviewed": {"@value": "A claim in a value object"}},
            {"text": "A claim in a value object"},
        ),
        ({"claimReviewed": ["The first text", "The second"]}, {"text": "The first text"}),
        ({"claimReviewed": [{"@value": "Nested"}]}, {"text": "Nested"}),
        ({"datePublished": ["2024-01-01", "2024-01-02"]}, {"reviewed_at": "2024-01-01"}),
        (
            {"datePublished": {"@value": "2024-01-02T10:00:00Z"}},
            {"reviewed_at": "2024-01-02T10:00:00Z"},
        ),
        ({"datePublished": 2024}, {"reviewed_at": "2024"}),
        (
            {"itemReviewed": [dict(ITEM), {"@type": "Claim"}]},
            {"source": "South Korean intelligence"},
        ),
        ({"itemReviewed": ["a claim made on TV"]}, {"source": None}),
        ({"itemReviewed": 12}, {"source": None}),
        (
            {"itemReviewed": dict(ITEM, author="A Person")},
            {"source": "A Person", "source_kind": "other"},
        ),
        (
            {"itemReviewed": dict(ITEM, author=[{"name": ["Kim"], "@type": ["Thing", "Person"]}])},
            {"source": "Kim", "source_kind": "person"},
        ),
        (
            {"itemReviewed": dict(ITEM, author={"name": "Gov", "additionalType": ["government"]})},
            {"source_kind": "government"},
        ),
        ({"itemReviewed": dict(ITEM, author={"name": "X", "@id": 5})}, {"source": "X"}),
        (
            {"itemReviewed": dict(ITEM, appearance={"url": ["https://news.example/b"]})},
            {"document_url": "https://news.example/b"},
        ),
        (
            {"itemReviewed": dict(ITEM, appearance="https://news.example/c")},
            {"document_url": "https://news.example/c"},
        ),
        (
            {"itemReviewed": dict(ITEM, appearance=[{"@id": "_:b0"}])},
            {"document_url": "https://checker.example/fc/1"},
        ),
        ({"itemReviewed": dict(ITEM, datePublished=[2023])}, {"claimed_at": "2023"}),
        ({"name": ["Title one", "Title two"]}, {"title": "Title one"}),
        ({"headline": 2024}, {"title": "2024"}),
        ({"@type": ["ClaimReview", {"@id": "x"}, 3]}, {"verdict": "Mostly True"}),
    ],
)
def test_claimreview_type_confused_values_load_the_first_usable_one(tmp_path, variant, expected):
    path = tmp_path / "confused.json"
    path.write_text(json.dumps(dict(REVIEW, **variant)), encoding="utf-8")
    db = tmp_path / "confused.db"
    result = run_cli("load", db, path)
    assert result.exit_code == 0, result.output
    (stored,) = rows(db, STORED)
    got = dict(zip(COLUMNS, stored, strict=True))
    assert {k: got[k] for k in expected} == expected
    again = run_cli("load", db, path, "--force")
    assert again.exit_code == 0 and "0 added, 0 updated" in again.output, again.output


@pytest.mark.parametrize(
    "data",
    [
        {"@graph": [1, "x", None, [], True, REVIEW]},
        {"@context": "https://schema.org", "@graph": [{"@graph": [REVIEW]}, {"@type": "Thing"}]},
        {
            "@type": "DataFeed",
            "dataFeedElement": [5, {"@type": "DataFeedItem", "item": "x"}, REVIEW],
        },
    ],
)
def test_claimreview_wrappers_with_non_objects_skip_them(tmp_path, data):
    path = tmp_path / "wrapped.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    db = tmp_path / "wrapped.db"
    result = run_cli("load", db, path)
    assert result.exit_code == 0, result.output
    assert rows(db, "select count(*) from claims") == [(1,)]


def refused_review(seed_copy, tmp_path, data, *expected: str) -> str:
    path = tmp_path / "bad-review.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = file_digest(seed_copy)
    result = run_cli("load", seed_copy, path)
    assert result.exit_code != 0, result.output
    assert "bad-review.json" in result.output and "Nothing was written" in result.output
    for text in expected:
        assert text in result.output, result.output
    assert "Traceback" not in result.output
    assert file_digest(seed_copy) == before
    return result.output


@pytest.mark.parametrize(
    "variant, field",
    [
        ({"claimReviewed": 42}, "claimReviewed"),
        ({"claimReviewed": True}, "claimReviewed"),
        ({"claimReviewed": {"text": "no @value"}}, "claimReviewed"),
        ({"claimReviewed": [None, ""]}, "claimReviewed"),
        ({"datePublished": 20240101}, "datePublished"),
        ({"datePublished": "2024-02-30"}, "datePublished"),
        ({"datePublished": ["2024-13-01"]}, "datePublished"),
        ({"datePublished": {"year": 2024}}, "datePublished"),
        ({"datePublished": True}, "datePublished"),
        ({"datePublished": "yesterday"}, "datePublished"),
        ({"itemReviewed": dict(ITEM, datePublished="2023-02-29")}, "itemReviewed.datePublished"),
        ({"url": 5}, "url"),
        ({"author": 7}, "author"),
        ({"author": [7, "Name"]}, "author"),
        ({"author": {"name": {"first": "A"}}}, "author.name"),
        ({"author": {"name": "A", "sameAs": [5]}}, "author.sameAs"),
        ({"itemReviewed": dict(ITEM, author=5)}, "itemReviewed.author"),
        ({"itemReviewed": dict(ITEM, author={"name": [True, "X"]})}, "itemReviewed.author.name"),
        ({"reviewRating": True}, "reviewRating"),
        (
            {"reviewRating": {"alternateName": "x", "ratingValue": {"a": 1}}},
            "reviewRating.ratingValue",
        ),
        (
            {"reviewRating": {"alternateName": "x", "bestRating": {"x": 5}}},
            "reviewRating.bestRating",
        ),
        ({"name": {"a": 1}}, "name"),
        ({"headline": ["x", 1], "name": None}, None),  # a first usable value that is text: loads
    ],
)
def test_claimreview_type_confused_values_are_refused_by_field(seed_copy, tmp_path, variant, field):
    if field is None:
        path = tmp_path / "fine.json"
        path.write_text(json.dumps(dict(REVIEW, **variant)), encoding="utf-8")
        assert run_cli("load", seed_copy, path).exit_code == 0
        return
    refused_review(
        seed_copy, tmp_path, dict(REVIEW, **variant), f"field '{field}'", "ClaimReview #1"
    )


@pytest.mark.parametrize(
    "variant, field",
    [
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": ["JavaScript:alert(1)"]}, "url"),
        ({"url": "data:text/html,<script>alert(1)</script>"}, "url"),
        ({"url": "ftp://checker.example/fc"}, "url"),
        ({"url": "//checker.example/fc"}, "url"),
        ({"url": "http://[::1"}, "url"),
        ({"url": {"url": "vbscript:msgbox(1)"}}, "url"),
        ({"author": {"name": "Checker", "url": "javascript:alert(1)"}}, "author.url"),
        ({"author": {"name": "Checker", "sameAs": "javascript:alert(1)"}}, "author.sameAs"),
        (
            {"itemReviewed": dict(ITEM, appearance=[{"url": "javascript:alert(1)"}])},
            "itemReviewed.appearance",
        ),
        ({"itemReviewed": dict(ITEM, appearance="javascript:alert(1)")}, "itemReviewed.appearance"),
        (
            {
                "itemReviewed": dict(
                    ITEM, firstAppearance={"url": "file:///etc/passwd"}, appearance=None
                )
            },
            "itemReviewed.firstAppearance",
        ),
        (
            {"itemReviewed": dict(ITEM, author={"name": "X", "url": "javascript:alert(1)"})},
            "itemReviewed.author.url",
        ),
    ],
)
def test_claimreview_non_http_urls_are_refused(seed_copy, tmp_path, variant, field):
    refused_review(seed_copy, tmp_path, dict(REVIEW, **variant), f"field '{field}'", "http(s) URL")


@pytest.mark.parametrize(
    "data, field",
    [
        (dict(REVIEW, **{"@id": "#claim-y1\n"}), "@id"),
        (dict(REVIEW, **{"@id": "#claim- y1"}), "@id"),
        (dict(REVIEW, **{"@id": "#claim-y\x071"}), "@id"),
        (dict(REVIEW, **{"@id": "#claim-" + "y" * 201}), "@id"),
        (
            [dict(REVIEW, **{"@id": "#claim-y1"}), dict(REVIEW, **{"@id": "#claim-y1\n"})],
            "@id",
        ),
        (
            dict(REVIEW, itemReviewed=dict(ITEM, author={"name": "S", "@id": "#source-s\x1b1"})),
            "itemReviewed.author.@id",
        ),
        (
            dict(REVIEW, itemReviewed=dict(ITEM, author={"name": "Evil\x07Name"})),
            "itemReviewed.author.name",
        ),
    ],
)
def test_claimreview_hostile_own_ids_are_refused(seed_copy, tmp_path, data, field):
    refused_review(seed_copy, tmp_path, data, f"field '{field}'")


def test_claimreview_own_ids_that_are_fine_are_kept(tmp_path):
    path = tmp_path / "own.json"
    path.write_text(json.dumps(dict(REVIEW, **{"@id": "#claim-y1"})), encoding="utf-8")
    db = tmp_path / "own.db"
    assert run_cli("load", db, path).exit_code == 0
    assert rows(db, "select id from claims") == [("y1",)]


# --- CSV injection: formulas escaped on export, unescaped on load ---------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = [
    # text, speaker, figure_value, verdict, reviewer
    ('=HYPERLINK("http://evil","x")', "@SUM(A1)", "", "=FALSE()", "+Checker"),
    ("+1+1", "-Anna", "-3", "", ""),
    ("-2+3", "=cmd|' /C calc'!A0", "-1.5", "", ""),
    ("@SUM(A1) is the total", "Bob", "", "", ""),
    ("'Tis the season", "'Twas me", "", "", ""),
    ("'=already quoted", "''@twice", "", "", ""),
    ("A plain claim, with a comma", "Carol", "12", "", ""),
]


@pytest.fixture
def hostile_db(tmp_path):
    path = tmp_path / "hostile.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "source_name", "figure_value", "verdict", "reviewer"])
        # The loader reads ''=x as '=x (the export's escaping): a stored '=x is written so.
        writer.writerows(
            ["'" + v if re.match(r"'+[=+\-@]", v) else v for v in row] for row in HOSTILE
        )
    db = tmp_path / "hostile.db"
    result = run_cli("load", db, path)
    assert result.exit_code == 0, result.output
    return db


def exported_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(text.splitlines(keepends=True)))


def test_csv_export_escapes_formulas(hostile_db):
    exported = run_cli("export", hostile_db, "--format", "csv")
    assert exported.exit_code == 0, exported.output
    written = exported_rows(exported.output)
    assert len(written) == len(HOSTILE)
    for row in written:
        for column, cell in row.items():
            if column == "figure_value":  # plain numbers in a numeric column stay numbers
                assert cell == "" or re.fullmatch(r"-?\d+(\.\d+)?", cell), cell
            else:
                assert not cell.startswith(FORMULA_START), (column, cell)
    by_text = {r["text"]: r for r in written}
    hyperlink = by_text["'" + HOSTILE[0][0]]
    assert hyperlink["source_name"] == "'@SUM(A1)"
    assert hyperlink["verdict"] == "'=FALSE()" and hyperlink["reviewer"] == "'+Checker"
    assert by_text["'+1+1"]["source_name"] == "'-Anna"
    assert by_text["'+1+1"]["figure_value"] == "-3"
    assert by_text["'-2+3"]["figure_value"] == "-1.5"
    assert by_text["'-2+3"]["source_name"] == "'=cmd|' /C calc'!A0"
    # A genuine leading ' is kept as is, unless a formula follows it: then it gets one more.
    assert by_text["'Tis the season"]["source_name"] == "'Twas me"
    assert by_text["''=already quoted"]["source_name"] == "'''@twice"
    assert "A plain claim, with a comma" in by_text
    assert '"A plain claim, with a comma"' in exported.output  # still proper CSV quoting


def test_csv_export_raw_writes_values_as_stored(hostile_db):
    exported = run_cli("export", hostile_db, "--format", "csv", "--raw")
    assert exported.exit_code == 0, exported.output
    written = exported_rows(exported.output)
    stored = rows(
        hostile_db,
        "select c.text, s.name, coalesce(c.figure_value, '') from claims c "
        "join sources s on s.id = c.source_id",
    )
    assert sorted((r["text"], r["source_name"], r["figure_value"]) for r in written) == sorted(
        (text, name, str(figure)) for text, name, figure in stored
    )
    assert {(t, s) for t, s, *_ in HOSTILE} == {(t, s) for t, s, _ in stored}
    (review,) = [r for r in written if r["verdict"]]
    assert (review["verdict"], review["reviewer"]) == ("=FALSE()", "+Checker")


def test_csv_export_with_formulas_round_trips(hostile_db, tmp_path):
    claims = (
        "select c.id, c.text, s.id, s.name, c.figure_value, c.stance, c.quote_kind "
        "from claims c join sources s on s.id = c.source_id order by c.id"
    )
    reviews = "select claim_id, verdict, reviewer from claim_reviews order by claim_id"
    first = run_cli("export", hostile_db, "--format", "csv").output
    path = tmp_path / "export.csv"
    path.write_text(first, encoding="utf-8")
    fresh = tmp_path / "fresh.db"
    result = run_cli("load", fresh, path)
    assert result.exit_code == 0, result.output
    assert rows(fresh, claims) == rows(hostile_db, claims)
    assert rows(fresh, reviews) == rows(hostile_db, reviews)
    assert run_cli("export", fresh, "--format", "csv").output == first


def test_imported_documents_store_the_language_guessed_once(tmp_path, monkeypatch):
    """Decision: an imported claim's language is guessed once, for its document, and stored;
    matching reads it from the document instead of guessing again per claim."""
    import datasette_claims.inputs.article as article
    import datasette_claims.load.matching as matching

    sheet = tmp_path / "claims.csv"
    sheet.write_text(
        "id,text,speaker\n"
        "de-1,Die Regierung hat nach eigenen Angaben 300 Polizisten in die Stadt geschickt.,X\n"
        "en-1,The government says it has sent 300 police officers to the city.,Y\n",
        encoding="utf-8",
    )
    guesses: list[str] = []
    real = article.guess_language

    def counting(text: str) -> str | None:
        guesses.append(text)
        return real(text)

    monkeypatch.setattr(matching, "guess_language", counting)
    db = tmp_path / "claims.db"
    result = run_cli("load", db, sheet)
    assert result.exit_code == 0, result.output
    assert rows(db, "select c.id, d.language from claims c join documents d on d.id = "
                    "c.document_id order by c.id") == [("de-1", "de"), ("en-1", "en")]  # fmt: skip
    assert guesses == []  # matching never guessed: the documents said
