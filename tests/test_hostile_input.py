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
    result = run_cli("load", database, path, tmp_path / "sources.yml")
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
