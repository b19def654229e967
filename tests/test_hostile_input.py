"""Hostile and broken input: refused clearly with nothing written, or stored exactly."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3

import pytest
import yaml
from datasette.app import Datasette

from .utils import SEEDS, file_digest, rows, run_cli


def refused(database, path, *expected: str, extra: tuple[str, ...] = ()) -> str:
    """Load `path`, expect a refusal naming the file and saying why; the file is unchanged."""
    before = file_digest(database)
    result = run_cli("load", database, path, *extra)
    assert result.exit_code == 1, result.output
    assert path.name in result.output
    for text in expected:
        assert text in result.output, result.output
    assert "Nothing was written" in result.output
    assert "Traceback" not in result.output
    assert file_digest(database) == before
    return result.output


# -- encodings, empty and binary files ----------------------------------------------------

ARTICLE = "Intro.\n\nDer Minister sagte, in Köln seien 300 Soldaten. Straße frei.\n"


def test_latin1_is_refused_then_loads_with_encoding(seed_copy, tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes(ARTICLE.encode("latin-1"))
    output = refused(seed_copy, path, "not valid utf-8", "--encoding")
    assert "latin.txt:3" in output  # the line of the first bad byte
    assert run_cli("load", seed_copy, path, "--encoding", "latin-1").exit_code == 0
    stored = rows(seed_copy, "select text from documents where path = 'latin.txt'")
    assert stored == [(ARTICLE,)]  # a file without the header line is all body


def test_utf16_with_a_byte_order_mark_loads_and_without_one_is_refused(seed_copy, tmp_path):
    marked = tmp_path / "marked.txt"
    marked.write_bytes(ARTICLE.encode("utf-16"))
    assert run_cli("load", seed_copy, marked).exit_code == 0
    assert rows(seed_copy, "select count(*) from documents where path = 'marked.txt'") == [(1,)]
    bare = tmp_path / "bare.txt"
    bare.write_bytes(ARTICLE.replace("300", "400").encode("utf-16-le"))
    refused(seed_copy, bare, "UTF-16", "--encoding utf-16-le")
    assert run_cli("load", seed_copy, bare, "--encoding", "utf-16-le").exit_code == 0


def test_unknown_encoding_is_a_usage_error(seed_copy, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    before = file_digest(seed_copy)
    result = run_cli("load", seed_copy, path, "--encoding", "klingon")
    assert result.exit_code == 2 and "unknown encoding 'klingon'" in result.output
    assert file_digest(seed_copy) == before


@pytest.mark.parametrize("name", ["empty.txt", "empty.csv", "empty.yml", "empty.json"])
def test_empty_files_are_refused(seed_copy, tmp_path, name):
    path = tmp_path / name
    path.write_text(" \n", encoding="utf-8")
    refused(seed_copy, path, "the file is empty")


@pytest.mark.parametrize("name", ["blob.txt", "blob.csv", "blob.json"])
def test_binary_files_are_refused(seed_copy, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(bytes(range(256)) * 64)
    refused(seed_copy, path)


def test_a_failed_first_load_leaves_no_file(tmp_path):
    path = tmp_path / "blob.txt"
    path.write_bytes(b"\x00\x01binary")
    database = tmp_path / "new.db"
    assert run_cli("load", database, path).exit_code == 1
    assert list(tmp_path.glob("new.db*")) == []


# -- structure bombs and broken syntax ----------------------------------------------------


@pytest.mark.parametrize(
    "name, content",
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000),
        ("deep.claims.json", '{"claims": ' + "[" * 50_000 + "]" * 50_000 + "}"),
        ("deep-review.json", '{"@type": "ClaimReview", "x": ' + "{" * 30_000),
    ],
)
def test_deeply_nested_json_is_refused(seed_copy, tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    refused(seed_copy, path)


def test_yaml_bomb_is_refused_before_it_expands(seed_copy, tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[n]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    lines.append("sources: *i")
    path = tmp_path / "sources.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused(seed_copy, path, "alias")


def test_csv_with_broken_quoting_names_the_line(seed_copy, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text('id,text,source\nb1,fine,x\nb2,"never closed,y\nb3,late,z\n', "utf-8")
    refused(seed_copy, path, "broken.csv:3", "CSV")


def test_unknown_csv_column_values_are_kept_not_executed(seed_copy, tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text("id,text,source,=cmd\ne1,Some claim,x,=1+1\n", encoding="utf-8")
    assert run_cli("load", seed_copy, path).exit_code == 0
    assert json.loads(rows(seed_copy, "select extra from claims where id = 'e1'")[0][0]) == {
        "=cmd": "=1+1"
    }


# -- text that must be stored exactly, with offsets that still point at it ----------------

AWKWARD = [
    "zero\u200bwidth and joiner\u200d here",
    "right-to-left \u202eevil\u202c and \u200fmark",
    "combining cafe\u0301 and Zu\u0308rich",
    "control \x07 bell and \x1b escape",
    "emoji 👩‍👩‍👧 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
]


@pytest.mark.parametrize("awkward", AWKWARD)
def test_offsets_survive_awkward_characters(tmp_path, awkward):
    quote = f"Es gebe {awkward} 3.000 Soldaten"
    body = f"{awkward}. Vorher {awkward}.\n\nDer Minister sagte: „{quote}“. Danach {awkward}.\n"
    (tmp_path / "odd.txt").write_text("Titel\n\n" + body, encoding="utf-8")
    (tmp_path / "sources.yml").write_text(
        yaml.safe_dump({"sources": [{"id": "minister", "name": "Minister", "kind": "person"}]}),
        encoding="utf-8",
    )
    (tmp_path / "odd.claims.yml").write_text(
        yaml.safe_dump(
            {
                "document": {"file": "odd.txt"},
                "claims": [
                    {
                        "id": "odd-1",
                        "text": quote,
                        "source": "minister",
                        "quote_kind": "direct",
                        "stance": "asserts",
                    }
                ],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    database = tmp_path / "odd.db"
    result = run_cli("load", database, tmp_path, "--no-extract")
    assert result.exit_code == 0, result.output
    ((text, start, end, document),) = rows(
        database,
        "select c.text, c.start, c.end, d.text from claims c join documents d "
        "on d.id = c.document_id",
    )
    assert text == quote
    assert document[start:end] == quote
    # SQLite counts characters the same way, so SQL users get the same span.
    assert rows(
        database,
        "select substr(d.text, c.start + 1, c.end - c.start) from claims c "
        "join documents d on d.id = c.document_id",
    ) == [(quote,)]


@pytest.mark.slow  # over 5 s
def test_ten_megabyte_single_line_article_loads(tmp_path):
    sentence = (
        "Nach Angaben des südkoreanischen Geheimdienstes halten sich bereits 3.000 "
        "nordkoreanische Soldaten in Russland auf. Lorem ipsum dolor sit amet. "
    )
    path = tmp_path / "huge.txt"
    path.write_text(sentence * (10_000_000 // len(sentence)), encoding="utf-8")
    shutil.copy(SEEDS / "sources.yml", tmp_path / "sources.yml")
    database = tmp_path / "huge.db"
    result = run_cli("load", database, path, tmp_path / "sources.yml", "--max-bytes", "20000000")
    assert result.exit_code == 0, result.output
    ((document,),) = rows(database, "select text from documents")
    spans = rows(database, "select start, end, text from claims")
    assert len(spans) == 10_000_000 // len(sentence)
    assert all(document[start:end] == text for start, end, text in spans)


# -- SQL-looking strings everywhere -------------------------------------------------------

SQLISH = "x'); drop table claims; -- \" or 1=1 /*"


def test_sql_looking_strings_in_every_csv_field_are_data(seed_copy, tmp_path):
    path = tmp_path / "sqlish.csv"
    columns = [
        "id",
        "text",
        "source",
        "source_name",
        "source_role",
        "proposition",
        "proposition_statement",
        "hedge",
        "figure_unit",
        "title",
        "publisher",
        "reviewer",
        "verdict",
    ]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([columns, [SQLISH] * len(columns)])
    tables = rows(seed_copy, "select name from sqlite_master where type = 'table' order by 1")
    assert run_cli("load", seed_copy, path).exit_code == 0
    assert rows(seed_copy, "select name from sqlite_master where type = 'table' order by 1") == (
        tables
    )
    (row,) = rows(
        seed_copy,
        "select c.id, c.text, c.source_id, s.name, c.proposition_id, c.hedge from claims c "
        "join sources s on s.id = c.source_id where c.id = ?",
        [SQLISH],
    )
    assert row == (SQLISH,) * 6


SQLISH_URLS = [
    "/claims/-/claims?status=" + "unverified' or '1'='1",
    "/claims/-/claims?source=x%27%3B%20drop%20table%20claims%3B--",
    "/claims/-/claims?proposition=%22%20or%201%3D1%20--&q=%22%20OR%20*",
    "/claims/-/claims?q=NEAR(%22a%22%20AND&page=1",
    "/claims/-/claims?page=1%20union%20select%201",
    "/claims/-/claims/x%27%3B%20drop%20table%20claims%3B--",
    "/claims/-/claims/compare/%27%20or%201%3D1--",
    "/claims/-/claims/sources/%22%3B%20delete%20from%20sources%3B--",
]


@pytest.mark.asyncio(loop_scope="function")
async def test_sql_looking_url_parameters_are_answered_not_run(seed_copy):
    before = file_digest(seed_copy)
    counts = rows(seed_copy, "select (select count(*) from claims), (select count(*) from sources)")
    ds = Datasette([str(seed_copy)])
    for url in SQLISH_URLS:
        for variant in (url, url.replace("?", ".json?") if "?" in url else url + ".json"):
            response = await ds.client.get(variant)
            if response.status_code == 302:  # Datasette's own canonical (tilde) encoding
                response = await ds.client.get(response.headers["location"])
            assert response.status_code in (200, 400, 404), (variant, response.status_code)
            if response.status_code == 200 and ".json" in variant:
                data = response.json()
                # A filter that matches nothing shows nothing: never every claim.
                if "status=" in variant or "source=" in variant or "proposition=" in variant:
                    assert data["rows"] == [] and data["total"] == 0, variant
    ds = None
    assert file_digest(seed_copy) == before
    assert (
        rows(seed_copy, "select (select count(*) from claims), (select count(*) from sources)")
        == counts
    )


def test_a_database_file_that_is_not_sqlite(tmp_path):
    database = tmp_path / "notes.db"
    database.write_text("just some notes\n" * 100, encoding="utf-8")
    before = file_digest(database)
    result = run_cli("load", database, SEEDS)
    assert result.exit_code == 1 and "not a database" in result.output
    assert file_digest(database) == before


def test_sqlite_is_really_untouched_by_a_refusal(seed_copy, tmp_path):
    """The refusal happens inside the load's transaction: nothing, not even WAL frames."""
    path = tmp_path / "bad.csv"
    path.write_text("id,text,source,stance\nz1,Fine,x,asserts\nz2,Bad,x,shouts\n", "utf-8")
    refused(seed_copy, path, "bad.csv:3", "stance")
    conn = sqlite3.connect(seed_copy)
    assert conn.execute("select count(*) from claims where id in ('z1', 'z2')").fetchone() == (0,)
    conn.close()


def test_utf32_with_a_byte_order_mark_loads_and_a_lone_mark_is_empty(seed_copy, tmp_path):
    wide = tmp_path / "wide.txt"
    wide.write_bytes(ARTICLE.replace("300", "500").encode("utf-32"))
    assert run_cli("load", seed_copy, wide).exit_code == 0
    stored = rows(seed_copy, "select text from documents where path = 'wide.txt'")
    assert stored == [(ARTICLE.replace("300", "500"),)]
    lone = tmp_path / "lone.txt"
    lone.write_bytes("\ufeff".encode("utf-8"))
    refused(seed_copy, lone, "the file is empty")


@pytest.mark.parametrize("where", ["absolute", "parent", "symlink"])
def test_a_claim_file_cannot_pull_in_a_file_outside_its_folder(tmp_path, where):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    folder = tmp_path / "claims"
    folder.mkdir()
    named = {"absolute": str(secret), "parent": "../secret.txt", "symlink": "link.txt"}[where]
    if where == "symlink":
        (folder / "link.txt").symlink_to(secret)
    (folder / "x.claims.yml").write_text(
        f"document:\n  file: {named}\nclaims:\n  - text: 'root:x:0:0'\n"
        "    stance: asserts\n    quote_kind: paraphrase\n",
        encoding="utf-8",
    )
    db = tmp_path / "claims.db"
    result = run_cli("load", db, folder / "x.claims.yml")
    assert result.exit_code != 0
    assert "outside the claim file's folder" in result.output
    assert "Traceback" not in result.output
    assert not db.exists()


def test_an_article_named_on_the_command_line_may_lie_elsewhere(tmp_path, seed_dir):
    """The rule still lets a claim file name an article the load reads anyway."""
    article = next(seed_dir.glob("*.txt"))
    claims = next(seed_dir.glob("*.claims.yml"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    moved = elsewhere / claims.name
    moved.write_text(
        claims.read_text(encoding="utf-8").replace(
            f"file: {article.name}", f"file: ../seeds/{article.name}"
        ),
        encoding="utf-8",
    )
    if moved.read_text(encoding="utf-8") == claims.read_text(encoding="utf-8"):
        pytest.skip("the seed claim file names its article differently")
    result = run_cli("load", tmp_path / "c.db", seed_dir / "sources.yml", article, moved)
    assert result.exit_code == 0, result.output


# -- dates YAML cannot construct, and merge keys ------------------------------------------

SEED_CLAIMS_FILE = "000_7cc3b5ee41316440.claims.yml"


def _line_with(path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


@pytest.mark.parametrize(
    "old, new, field",
    [
        (
            "    figure: {value: 3000,",
            "    claimed_at: 2024-02-30\n    figure: {value: 3000,",
            "claimed_at",
        ),
        ("    event_date: 2024-06", "    event_date: 2023-02-29", "event_date"),
        ("as_of: 2024-10-24}", "as_of: 2024-02-30}", "as_of"),  # in a flow mapping
    ],
)
def test_an_unquoted_impossible_yaml_date_names_its_line(seed_copy, seed_dir, old, new, field):
    path = seed_dir / SEED_CLAIMS_FILE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = _line_with(path, new.strip().splitlines()[0])
    refused(seed_copy, seed_dir, f"{path.name}:{line}", f"field '{field}'", "not a calendar date")


def test_an_unquoted_valid_yaml_date_still_loads(seed_copy, seed_dir):
    path = seed_dir / SEED_CLAIMS_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "    figure: {value: 3000,", "    claimed_at: 2024-02-29\n    figure: {value: 3000,"
        ),
        encoding="utf-8",
    )
    result = run_cli("load", seed_copy, seed_dir)
    assert result.exit_code == 0, result.output
    assert rows(seed_copy, "select count(*) from claims where claimed_at = '2024-02-29'") == [(1,)]


@pytest.mark.parametrize(
    "old, new",
    [
        ("document:\n", "document:\n  <<: {title: Another title}\n"),
        ("document:\n", "defaults: &d {title: Another title}\ndocument:\n  <<: *d\n"),
        ("document:\n", "document:\n  <<: [{title: A}, {kicker: B}]\n"),
    ],
)
def test_yaml_merge_keys_are_refused(seed_copy, seed_dir, old, new):
    path = seed_dir / SEED_CLAIMS_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = _line_with(path, "<<:")
    refused(seed_copy, seed_dir, f"{path.name}:{line}", "merge keys")


def test_a_quoted_merge_key_is_an_ordinary_unknown_field(seed_copy, seed_dir):
    path = seed_dir / SEED_CLAIMS_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("document:\n", "document:\n  '<<': x\n", 1), encoding="utf-8")
    refused(seed_copy, seed_dir, "unknown field", "field '<<'")


@pytest.mark.parametrize(
    "name, content",
    [
        (
            "huge.claims.yml",
            "document: {file: a.txt}\nclaims:\n  - figure: {value: " + "9" * 5000 + "}\n",
        ),
        ("huge.claims.json", '{"document": {"file": "a.txt"}, "claims": [' + "9" * 5000 + "]}"),
        ("huge.json", '{"@type": "ClaimReview", "claimReviewed": "x", "n": ' + "9" * 5000 + "}"),
        ("huge.extracted.jsonl", '{"document_id": "d", "start": ' + "9" * 5000 + "}\n"),
    ],
)
def test_numbers_too_long_to_read_are_refused(seed_copy, tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    refused(seed_copy, path, "4300 digits")


# -- CSV headers and dates ----------------------------------------------------------------


@pytest.mark.parametrize(
    "header, field",
    [
        ("id,text,text", "text"),
        ("id,text,source,id", "id"),
        ("id,text, source ,source", "source"),
    ],
)
def test_csv_header_naming_a_column_twice_is_refused(seed_copy, tmp_path, header, field):
    path = tmp_path / "twice.csv"
    width = header.count(",") + 1
    path.write_text(header + "\n" + ",".join(["t1", "One claim", "x", "y"][:width]) + "\n", "utf-8")
    refused(seed_copy, path, "twice.csv:1", f"field '{field}'", "twice")


def test_claimskg_header_naming_a_column_twice_is_refused(seed_copy, tmp_path):
    path = tmp_path / "kg.csv"
    path.write_text(
        "claimReview_claimReviewed,rating_alternateName,rating_alternateName\nA claim,False,True\n",
        encoding="utf-8",
    )
    refused(seed_copy, path, "kg.csv:1", "field 'rating_alternateName'")


@pytest.mark.parametrize("column", ["date", "figure_as_of", "reviewed_at"])
@pytest.mark.parametrize(
    "value, problem",
    [
        ("2024-02-31", "is not a calendar date"),
        ("2023-02-29", "is not a calendar date"),
        ("2024-04-31T10:00", "is not a calendar date"),
        ("2024-01-01T25:00", "is not a time of day"),
        ("2024-01-01T10:00+24:00", "is not a time of day"),
        ("２０２４", "is not an ISO 8601 date"),  # fullwidth digits are digits to \d
    ],
)
def test_csv_impossible_dates_are_refused(seed_copy, tmp_path, column, value, problem):
    path = tmp_path / "dates.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "figure_value", "verdict", "reviewer", column])
        writer.writerow(["d1", "A fine claim", "3", "False", "Checker", "2024-02-29"])
        writer.writerow(["d2", "Another claim", "3", "False", "Checker", value])
    refused(seed_copy, path, "dates.csv:3", f"field '{column}'", problem)


# -- ids and source names on import -------------------------------------------------------


@pytest.mark.parametrize(
    "claim_id, problem",
    [
        ("y1\n", "whitespace"),
        (" y1", "whitespace"),
        ("y1\t", "whitespace"),
        ("y\x071", "control"),
        ("y\x1b[31m1", "control"),
        ("y\u202e1", "control"),
        ("y" * 201, "at most 200 characters"),
    ],
)
@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_hostile_claim_ids_are_refused(seed_copy, tmp_path, claim_id, problem, suffix):
    path = tmp_path / f"ids{suffix}"
    records = [{"id": "y1", "text": "A claim"}, {"id": claim_id, "text": "A claim, again"}]
    if suffix == ".csv":
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["id", "text"])
            writer.writeheader()
            writer.writerows(records)
        expected = ["ids.csv:3"]
    else:
        path.write_text(json.dumps(records), encoding="utf-8")
        expected = ["ids.json:2"]  # a JSON list names the record
    refused(seed_copy, path, *expected, "field 'id'", problem)


def test_an_id_of_200_printable_characters_loads(seed_copy, tmp_path):
    claim_id = "é'; -- " + "x" * 193
    path = tmp_path / "long.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["id", "text"], [claim_id, "A long-named claim"]])
    assert run_cli("load", seed_copy, path).exit_code == 0
    assert rows(seed_copy, "select text from claims where id = ?", [claim_id]) == [
        ("A long-named claim",)
    ]


@pytest.mark.parametrize(
    "column, value",
    [
        ("source", "bad\x07id"),
        ("source", "x" * 201),
        ("source_name", "Evil\x1b[2J Name"),
        ("source_name", "Two\nLines"),
        ("source_institution", "inst\x1fitution"),
    ],
)
def test_source_ids_and_names_with_control_characters_are_refused(
    seed_copy, tmp_path, column, value
):
    path = tmp_path / "sources.csv"
    row = {"id": "s1", "text": "A claim", "source": "fine", column: value}
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    refused(seed_copy, path, "sources.csv:2", f"field '{column}'")


def test_liar_speaker_with_control_characters_is_refused(seed_copy, tmp_path):
    path = tmp_path / "train.tsv"
    values = ["1.json", "false", "A statement", "x", "evil\x07speaker", "", "", "", "0", "0", "0"]
    path.write_text("\t".join([*values, "0", "0", "TV"]) + "\n", encoding="utf-8")
    refused(
        seed_copy, path, "train.tsv:1", "field 'speaker'", "control", extra=("--format", "liar")
    )


def test_claimskg_claimant_with_control_characters_is_refused(seed_copy, tmp_path):
    path = tmp_path / "kg.csv"
    path.write_text(
        "claimReview_claimReviewed,creativeWork_author_name,rating_alternateName\n"
        "A claim,Some\x1bone,False\n",
        encoding="utf-8",
    )
    refused(seed_copy, path, "kg.csv:2", "field 'creativeWork_author_name'", "control")


# -- extraction shards: figures, confidence, URLs and types -------------------------------


def _shard(seed_copy, tmp_path, **changes):
    ((document, text),) = rows(seed_copy, "select id, text from documents limit 1")
    record = {
        "document_id": document,
        "start": 0,
        "end": 9,
        "text": text[:9],
        "stance": "asserts",
        "figures": [{"value": 3000, "unit": "soldiers", "text": "3.000", "as_of": "2024-10-24"}],
        "confidence": 0.5,
    }
    first = json.dumps(dict(record, start=1, end=9, text=text[1:9], figures=[]))  # fine
    record.update(changes)
    path = tmp_path / "claims-00001.extracted.jsonl"
    path.write_text(first + "\n" + json.dumps(record) + "\n", encoding="utf-8")
    return path


def test_a_valid_shard_loads(seed_copy, tmp_path):
    path = _shard(seed_copy, tmp_path)
    result = run_cli("load", seed_copy, path)
    assert result.exit_code == 0, result.output
    assert rows(
        seed_copy,
        "select figure_value, figure_as_of, confidence from claims "
        "where origin = 'extracted' and start = 0",
    ) == [(3000, "2024-10-24", 0.5)]


@pytest.mark.parametrize(
    "figure, problem",
    [
        ({"value": "3000"}, "expected a number"),
        ({"value": True}, "expected a number"),
        ({"value": 1e15}, "not a usable figure"),
        ({"value": -2e15}, "not a usable figure"),
        ({"value": 10**20}, "not a usable figure"),
        ({"value": 3, "as_of": "2024-02-30"}, "is not a calendar date"),
        ({"value": 3, "unit": ["soldiers"]}, "expected text"),
    ],
)
def test_shard_figures_must_be_finite_numbers_below_10_15(seed_copy, tmp_path, figure, problem):
    path = _shard(seed_copy, tmp_path, figures=[figure])
    field = next(
        k for k in ("as_of", "unit", "value") if k in figure and (k != "value" or len(figure) == 1)
    )
    refused(seed_copy, path, f"{path.name}:2", f"field 'figures[0].{field}'", problem)


@pytest.mark.parametrize("literal", ["1e999", "-1e999", "NaN", "Infinity"])
def test_shard_figures_that_json_reads_as_infinite_or_nan_are_refused(seed_copy, tmp_path, literal):
    path = _shard(seed_copy, tmp_path)
    text = path.read_text(encoding="utf-8").replace('"value": 3000', f'"value": {literal}')
    path.write_text(text, encoding="utf-8")
    refused(seed_copy, path, f"{path.name}:2", "field 'figures[0].value'", "not a usable figure")


@pytest.mark.parametrize("confidence", ["high", "0.5", 1.5, -0.1, True, [0.5]])
def test_shard_confidence_must_be_a_number_from_0_to_1(seed_copy, tmp_path, confidence):
    path = _shard(seed_copy, tmp_path, confidence=confidence)
    refused(seed_copy, path, f"{path.name}:2", "field 'confidence'", "from 0 to 1")


def test_shard_confidence_nan_is_refused(seed_copy, tmp_path):
    path = _shard(seed_copy, tmp_path)
    first, second = path.read_text(encoding="utf-8").splitlines()
    second = second.replace('"confidence": 0.5', '"confidence": NaN')
    path.write_text(f"{first}\n{second}\n", encoding="utf-8")
    refused(seed_copy, path, f"{path.name}:2", "field 'confidence'")


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"figures": {"value": 3}}, "figures"),
        ({"figures": ["3000"]}, "figures[0]"),
        ({"speaker": {"name": "X"}}, "speaker"),
        ({"hedge": ["maybe"]}, "hedge"),
        ({"quote": ["direct"]}, "quote"),
        ({"stance": "shouts"}, "stance"),
        ({"start": 1.5}, "start"),
        ({"start": None}, "start"),
        ({"text": 42}, "text"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "data:text/html,<script>alert(1)</script>"}, "url"),
    ],
)
def test_shard_values_of_the_wrong_kind_are_refused(seed_copy, tmp_path, changes, field):
    path = _shard(seed_copy, tmp_path, **changes)
    refused(seed_copy, path, f"{path.name}:2", f"field '{field}'")


def test_a_file_that_goes_away_during_a_load_is_a_clear_error(seed_copy, tmp_path):
    """Discovered, then deleted before it is read: the load stops naming it, nothing written."""
    from datasette_claims.db.connection import opened
    from datasette_claims.errors import LoadError
    from datasette_claims.load.discovery import discover
    from datasette_claims.load.run import load_paths

    article = tmp_path / "gone.txt"
    article.write_text("Der Minister sagte, dass 300 Soldaten eingesetzt wurden.\n")
    files = discover([article])
    article.unlink()
    before = file_digest(seed_copy)
    with opened(seed_copy) as db, pytest.raises(LoadError) as raised:
        load_paths(db, [article], files=files)
    assert "gone.txt" in str(raised.value) and "cannot read the file" in str(raised.value)
    assert file_digest(seed_copy) == before
