"""What keeps large loads fast stays correct: kept counts, streamed imports, parallel extraction."""

from __future__ import annotations

import json

from .utils import SEED_ARTICLE, file_digest, rows, run_cli


def kept_matches_truth(path) -> None:
    kept = {(d, v): c for d, v, c in rows(path, "select * from claim_counts") if c}
    truth = {("all", ""): rows(path, "select count(*) from claims")[0][0]}
    for dimension, column in (
        ("status", "status"),
        ("source", "source_id"),
        ("proposition", "proposition_id"),
    ):
        for value, count in rows(
            path, f"select coalesce({column}, ''), count(*) from claims group by 1"
        ):
            truth[(dimension, value)] = count
    assert kept == truth


def test_kept_counts_follow_loads_reviews_and_links(seed_copy, tmp_path):
    kept_matches_truth(seed_copy)
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
    kept_matches_truth(seed_copy)
    assert run_cli("unlink", seed_copy, "nis-3000-in-russia", "--by", "anna").exit_code == 0
    kept_matches_truth(seed_copy)
    extra = tmp_path / "more.csv"
    extra.write_text("text,source,source_name\nAnother claim,someone,Some One\n", encoding="utf-8")
    assert run_cli("load", seed_copy, extra).exit_code == 0
    kept_matches_truth(seed_copy)


def test_a_bulk_load_keeps_search_counts_and_triggers(tmp_path):
    from datasette_claims.db.bulk import BULK_ROWS

    big = tmp_path / "big.csv"
    lines = ["id,text,source,proposition,proposition_statement"]
    for n in range(BULK_ROWS + 500):
        word = "zebra" if n % 7 == 0 else "okapi"
        lines.append(f"c{n},The {word} count is {n},src-{n % 13},p{n % 40},Statement {n % 40}")
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "bulk.db"
    triggers = "select name, sql from sqlite_master where type = 'trigger' order by name"
    assert run_cli("load", path, big).exit_code == 0
    # Derived statuses moved in bulk too (many independent sources per proposition).
    assert rows(path, "select count(*) from claims where status = 'corroborated'")[0][0] > BULK_ROWS
    kept_matches_truth(path)
    zebras = rows(path, "select count(*) from claims where text like '%zebra%'")[0][0]
    assert zebras == len(range(0, BULK_ROWS + 500, 7))
    assert rows(path, "select count(*) from claims_fts where claims_fts match 'zebra'") == [
        (zebras,)
    ]
    assert rows(path, "select count(*) from documents_fts where documents_fts match 'okapi'") == [
        (BULK_ROWS + 500 - zebras,)
    ]
    before = rows(path, triggers)
    assert {"claims_ai", "claim_counts_insert", "documents_ai", "claim_counts_update"} <= {
        name for name, _ in before
    }
    small = tmp_path / "small.csv"
    small.write_text("id,text,source\nlate-1,A zebra arrives late,src-1\n", encoding="utf-8")
    assert run_cli("load", path, small).exit_code == 0  # the per-row triggers work again
    kept_matches_truth(path)
    assert rows(path, "select count(*) from claims_fts where claims_fts match 'zebra'") == [
        (zebras + 1,)
    ]
    assert rows(path, triggers) == before


def test_imported_files_stream_but_fail_as_one_transaction(seed_copy, tmp_path):
    good = tmp_path / "a-good.csv"
    good.write_text("id,text,source\nok-1,A fine claim,x\n", encoding="utf-8")
    bad = tmp_path / "b-bad.csv"
    bad.write_text("id,text,source,stance\nok-2,Another,x,insinuates\n", encoding="utf-8")
    before = file_digest(seed_copy)
    result = run_cli("load", seed_copy, good, bad)
    assert result.exit_code == 1 and "b-bad.csv:2" in result.output
    assert file_digest(seed_copy) == before  # the good file before it was rolled back too
    assert rows(seed_copy, "select count(*) from claims where id = 'ok-1'") == [(0,)]


def test_parallel_extraction_gives_the_same_claims(tmp_path):
    copies = []
    for n in range(4):
        path = tmp_path / f"a{n}.txt"
        path.write_text(SEED_ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
        copies.append(path)
    one = run_cli("extract", *copies, "--format", "jsonl")
    two = run_cli("extract", *copies, "--format", "jsonl", "--jobs", "2")
    assert one.exit_code == two.exit_code == 0
    single = [json.loads(line) for line in one.output.splitlines() if line]
    assert single == [json.loads(line) for line in two.output.splitlines() if line]
    assert {c["document"] for c in single} == {str(p) for p in copies}


def test_extraction_map_on_a_local_dask_cluster(tmp_path):
    """extract-map on a LocalCluster (loopback) gives the claims the loader's own run gives."""
    import pytest

    pytest.importorskip("dask.distributed")
    from .utils import SEEDS

    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "sources.yml").write_text((SEEDS / "sources.yml").read_text(encoding="utf-8"))
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    files = []
    for n in range(3):
        path = articles / f"a{n}.txt"
        path.write_text(text + f"\n\nNachtrag {n}.", encoding="utf-8")
        files.append(path)
    shards = tmp_path / "shards"
    result = run_cli("extract-map", *files, "--out", shards, "--per-task", "1", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert len(list(shards.glob("*.extracted.jsonl"))) == 3
    mapped, direct = tmp_path / "mapped.db", tmp_path / "direct.db"
    assert run_cli("load", mapped, articles, shards, "--no-extract").exit_code == 0
    assert run_cli("load", direct, articles).exit_code == 0
    claims = 'select id, text, start, "end", source_id, stance, origin from claims order by id'
    assert rows(mapped, claims) == rows(direct, claims)
    assert len(rows(mapped, claims)) > 45
    # Loading the shards again, even elsewhere, changes nothing.
    again = run_cli("load", mapped, articles, shards, "--no-extract", "--force")
    assert "claims:       0 added, 0 updated" in again.output


def test_a_shard_must_point_into_a_loaded_document(tmp_path):
    shard = tmp_path / "x.extracted.jsonl"
    shard.write_text(
        json.dumps({"document_id": "d-nope", "start": 0, "end": 3, "text": "abc"}) + "\n",
        encoding="utf-8",
    )
    db = tmp_path / "x.db"
    result = run_cli("load", db, shard)
    assert result.exit_code == 1 and "is not loaded" in result.output
    assert not db.exists()


def test_a_map_task_whose_articles_hold_no_claims_writes_no_shard(tmp_path):
    from datasette_claims.corpus import extract_shard

    article = tmp_path / "quiet.txt"
    article.write_text("Nothing is claimed here. The weather was fine.\n", encoding="utf-8")
    path, claims = extract_shard(0, [str(article)], str(tmp_path), None, None, None)
    assert (path, claims) == ("", 0)
    assert list(tmp_path.glob("*.jsonl")) == []
