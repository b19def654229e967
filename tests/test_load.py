"""Loading seeds/: offsets, idempotency, corrections and refusal of bad input."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import yaml

from datasette_claims.model import generated_proposition_id

from .utils import SEED_ARTICLE, SEED_CLAIMS, file_digest, rows, run_cli


def seed_claims() -> list[dict]:
    return yaml.safe_load(SEED_CLAIMS.read_text(encoding="utf-8"))["claims"]


def test_seed_loads_every_curated_claim(seed_db_path):
    curated = seed_claims()
    assert len(curated) >= 15
    stored = rows(seed_db_path, 'select id, text, start, "end", origin from claims')
    assert {r[0] for r in stored} == {c["id"] for c in curated}
    assert {r[4] for r in stored} == {"curated"}


def test_offsets_point_at_the_quote(seed_db_path):
    (text,) = rows(seed_db_path, "select text from documents")[0]
    for claim_id, quote, start, end in rows(
        seed_db_path, 'select id, text, start, "end" from claims'
    ):
        assert text[start:end] == quote, claim_id
    # SQLite's substr counts characters too, so SQL users get the same answer.
    mismatches = rows(
        seed_db_path,
        "select count(*) from claims c join documents d on d.id = c.document_id "
        'where substr(d.text, c.start + 1, c."end" - c.start) != c.text',
    )
    assert mismatches == [(0,)]


def test_document_row(seed_db_path):
    (row,) = rows(
        seed_db_path,
        "select title, kicker, publisher, published_at, language, content_hash, text "
        "from documents",
    )
    title, kicker, publisher, published_at, language, content_hash, text = row
    assert (title, kicker, publisher, language) == (
        "Südkorea erwägt Waffenlieferungen an die Ukraine",
        "Russisch-nordkoreanische Kooperation",
        "tagesschau",
        "de",
    )
    assert published_at == "2024-10-24T12:42:00+02:00"
    assert SEED_ARTICLE.read_text(encoding="utf-8").endswith(text)
    import hashlib

    assert content_hash == hashlib.sha256(text.encode()).hexdigest()


def test_sources_have_institutions(seed_db_path):
    groups = dict(rows(seed_db_path, "select id, independence_group from sources"))
    assert (
        groups["nis-south-korea"]
        == groups["yoon-suk-yeol"]
        == groups["cho-tae-yul"]
        == "south-korea"
    )
    assert groups["lloyd-austin"] == "united-states"
    assert groups["leonid-slutsky"] == "russia"
    aliases = rows(
        seed_db_path,
        "select source_id from source_aliases where alias = ? collate nocase",
        ["südkoreanischen Geheimdienstes"],
    )
    assert aliases == [("nis-south-korea",)]


def test_each_claim_has_created_history(seed_db_path):
    created = rows(
        seed_db_path, "select claim_id, new_value from claim_history where action = 'created'"
    )
    assert sorted(c for c, _ in created) == sorted(c["id"] for c in seed_claims())
    # A status the rules derive as the claim is created is said in its created row, why
    # included; any later change (or a fact-checker's verdict) is a status row of its own.
    status = dict(rows(seed_db_path, "select id, status from claims"))
    latest = dict(
        rows(
            seed_db_path,
            "select claim_id, new_value from claim_history where field = 'status' order by id",
        )
    )
    assert latest == status
    derived_at_creation = rows(
        seed_db_path,
        "select claim_id, reason from claim_history where action = 'created' "
        "and new_value != 'unverified'",
    )
    assert derived_at_creation, "the seed has corroborated claims"
    for claim_id, reason in derived_at_creation:
        assert reason.startswith("loaded from ") and "; derived: proposition " in reason
        assert status[claim_id] != "unverified"


def test_statuses_are_derived_from_independent_sources(seed_db_path):
    status = dict(rows(seed_db_path, "select id, status from claims"))
    # Two independent institutions (South Korea, the US) assert the troops are in Russia.
    assert status["nis-3000-in-russia"] == status["us-troops-in-russia"] == "corroborated"
    # A forecast takes no side.
    assert status["nis-10000-by-december"] == "unverified"
    # The US asserts and Russia denies: both claims are disputed.
    assert status["us-accuses-munitions"] == status["russia-denies-munitions"] == "disputed"
    # Three South Korean officials are one institution: no corroboration.
    assert status["yoon-seoul-not-idle"] == status["cho-not-stand-by"] == "unverified"


def test_history_is_append_only(seed_copy):
    conn = sqlite3.connect(seed_copy)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("update claim_history set changed_by = 'mallory'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("delete from claim_history")


def table_dump(path: Path) -> dict[str, list]:
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
    dump = {
        t: sorted(map(repr, conn.execute(f"select * from [{t}]").fetchall()))
        for t in tables
        if not t.startswith("claims_fts_") and not t.startswith("documents_fts_")
    }
    conn.close()
    return dump


def test_reload_is_idempotent(seed_copy):
    before = table_dump(seed_copy)
    # Unchanged files are recognised by their content hash and skipped...
    result = run_cli("load", seed_copy, SEED_ARTICLE.parent)
    assert result.exit_code == 0, result.output
    assert "skipped:      3 files unchanged" in result.output
    assert table_dump(seed_copy) == before
    # ...and reading them again anyway changes nothing either.
    result = run_cli("load", seed_copy, SEED_ARTICLE.parent, "--force")
    assert f"claims:       0 added, 0 updated, {len(seed_claims())} unchanged" in result.output
    assert "0 derived status changes" in result.output
    after = table_dump(seed_copy)
    assert {k: v for k, v in after.items() if k != "loaded_files"} == {
        k: v for k, v in before.items() if k != "loaded_files"
    }


def test_a_changed_claim_file_reloads_its_article_too(seed_copy, seed_dir):
    path = seed_dir / SEED_CLAIMS.name
    path.write_text(path.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    result = run_cli("load", seed_copy, seed_dir)
    assert result.exit_code == 0, result.output
    assert "skipped:      1 files unchanged" in result.output  # only sources.yml


def test_corrected_claim_file_updates_and_records_history(seed_copy, seed_dir):
    claims_file = seed_dir / SEED_CLAIMS.name
    text = claims_file.read_text(encoding="utf-8")
    # Correct one stance and one figure.
    text = text.replace(
        "  - id: austin-remains-to-be-seen\n    text: Was sie dort täten, bleibe abzuwarten\n"
        "    source: lloyd-austin\n    speaker: US-Verteidigungsminister Lloyd Austin\n"
        "    quote_kind: reported\n    stance: uncertain",
        "  - id: austin-remains-to-be-seen\n    text: Was sie dort täten, bleibe abzuwarten\n"
        "    source: lloyd-austin\n    speaker: US-Verteidigungsminister Lloyd Austin\n"
        "    quote_kind: reported\n    stance: expects",
    )
    text = text.replace('{value: 10000, text: "10.000"', '{value: 12000, text: "10.000"')
    claims_file.write_text(text, encoding="utf-8")
    result = run_cli("load", seed_copy, seed_dir, "--by", "editor-anna")
    assert result.exit_code == 0, result.output
    assert f"claims:       0 added, 2 updated, {len(seed_claims()) - 2} unchanged" in result.output
    assert rows(seed_copy, "select stance from claims where id = 'austin-remains-to-be-seen'") == [
        ("expects",)
    ]
    changes = rows(
        seed_copy,
        "select claim_id, field, old_value, new_value, changed_by from claim_history "
        "where action = 'updated' order by claim_id",
    )
    assert changes == [
        ("austin-remains-to-be-seen", "stance", "uncertain", "expects", "editor-anna"),
        ("nis-10000-by-december", "figure_value", "10000", "12000", "editor-anna"),
    ]


# --- bad input: a clear error naming file, line and field, and nothing written -------------


def _write_claims(seed_dir: Path, mutate) -> Path:
    path = seed_dir / SEED_CLAIMS.name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    mutate(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def assert_refused(db: Path, inputs: Path, *expected: str, dump_tables: bool = True) -> str:
    before = file_digest(db)
    dump = table_dump(db) if db.exists() and dump_tables else None
    result = run_cli("load", db, inputs)
    assert result.exit_code == 1, result.output
    for fragment in expected:
        assert fragment in result.output, (fragment, result.output)
    assert "Nothing was written" in result.output
    assert file_digest(db) == before
    if dump is not None:
        assert table_dump(db) == dump
    return result.output


def test_malformed_yaml(seed_copy, seed_dir):
    path = seed_dir / SEED_CLAIMS.name
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[40] = lines[40] + "\n  bad: [unclosed"
    path.write_text("\n".join(lines), encoding="utf-8")
    out = assert_refused(seed_copy, seed_dir, f"{path}:", "malformed YAML")
    assert f"{path}:4" in out  # names a line in the 40s


def test_quote_not_in_document(seed_copy, seed_dir):
    def mutate(data):
        data["claims"][5]["text"] = "Nordkorea hat 50.000 Soldaten geschickt."

    path = _write_claims(seed_dir, mutate)
    line = _line_of(path, "Nordkorea hat 50.000 Soldaten geschickt.")
    assert_refused(
        seed_copy, seed_dir, f"{path}:{line}", "field 'text'", "does not occur in the document"
    )


def test_unknown_source(seed_copy, seed_dir):
    def mutate(data):
        data["claims"][2]["source"] = "unknown-agency"

    path = _write_claims(seed_dir, mutate)
    line = _line_of(path, "source: unknown-agency")
    assert_refused(
        seed_copy, seed_dir, f"{path}:{line}", "field 'source'", "unknown source 'unknown-agency'"
    )


def test_unknown_stance(seed_copy, seed_dir):
    def mutate(data):
        data["claims"][3]["stance"] = "insinuates"

    path = _write_claims(seed_dir, mutate)
    line = _line_of(path, "stance: insinuates")
    assert_refused(
        seed_copy, seed_dir, f"{path}:{line}", "field 'stance'", "'insinuates' is not one of"
    )


def test_unknown_field(seed_copy, seed_dir):
    def mutate(data):
        data["claims"][0]["confidense"] = 0.5

    path = _write_claims(seed_dir, mutate)
    line = _line_of(path, "confidense")
    assert_refused(seed_copy, seed_dir, f"{path}:{line}", "field 'confidense'", "unknown field")


def test_article_not_utf8(seed_copy, seed_dir):
    article = seed_dir / SEED_ARTICLE.name
    article.write_bytes(article.read_text(encoding="utf-8").encode("latin-1"))
    assert_refused(
        seed_copy, seed_dir, str(article), "not valid utf-8", "convert the file to UTF-8"
    )


def test_directory_without_loadable_files(seed_copy, tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "notes.odt").write_text("hello")  # .md is an article format now
    assert_refused(seed_copy, empty, str(empty), "no loadable files")


def test_failed_first_load_creates_no_file(tmp_path, seed_dir):
    (seed_dir / "sources.yml").write_text("sources:\n  - id: x\n    kind: person\n")
    db = tmp_path / "new.db"
    assert_refused(db, seed_dir, "sources.yml:2", "field 'name'")
    assert not db.exists()


def test_parent_cycle(seed_copy, seed_dir):
    path = seed_dir / "sources.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for source in data["sources"]:
        if source["id"] == "south-korea":
            source["parent"] = "cho-tae-yul"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = assert_refused(seed_copy, seed_dir, "parent cycle", "field 'parent'")
    assert f"{path}:" in out


def test_duplicate_claim_id(seed_copy, seed_dir):
    def mutate(data):
        data["claims"][1]["id"] = data["claims"][0]["id"]

    _write_claims(seed_dir, mutate)
    assert_refused(seed_copy, seed_dir, "is used twice", "field 'id'")


def test_yaml_alias_refused(seed_copy, seed_dir):
    path = seed_dir / SEED_CLAIMS.name
    text = path.read_text(encoding="utf-8").replace(
        "  publisher: tagesschau", "  publisher: &p tagesschau\n  url: *p"
    )
    path.write_text(text, encoding="utf-8")
    assert_refused(seed_copy, seed_dir, "aliases", f"{path}:")


def test_json_claim_file_errors_name_the_line(seed_copy, seed_dir):
    yml = seed_dir / SEED_CLAIMS.name
    data = yaml.safe_load(yml.read_text(encoding="utf-8"))
    data["claims"][4]["stance"] = "bogus"
    yml.unlink()
    path = seed_dir / "000_7cc3b5ee41316440.claims.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    line = _line_of(path, '"stance": "bogus"')
    assert_refused(seed_copy, seed_dir, f"{path}:{line}", "field 'stance'")


def test_json_claim_file_loads_like_yaml(tmp_path, seed_dir):
    yml = seed_dir / SEED_CLAIMS.name
    data = yaml.safe_load(yml.read_text(encoding="utf-8"))
    yml.unlink()
    (seed_dir / "000_7cc3b5ee41316440.claims.json").write_text(
        json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8"
    )
    db = tmp_path / "j.db"
    result = run_cli("load", db, seed_dir)
    assert result.exit_code == 0, result.output
    assert rows(db, "select count(*) from claims") == [(len(data["claims"]),)]


def test_quote_occurring_twice_needs_occurrence(tmp_path):
    (tmp_path / "a.txt").write_text("Russia denies it. Later: Russia denies it.", encoding="utf-8")
    (tmp_path / "sources.yml").write_text(
        "sources:\n  - {id: russia, name: Russia, kind: government}\n", encoding="utf-8"
    )
    claims = tmp_path / "a.claims.yml"
    body = (
        "document: {file: a.txt}\nclaims:\n"
        "  - {text: Russia denies it., source: russia, quote_kind: paraphrase, stance: denies}\n"
    )
    claims.write_text(body, encoding="utf-8")
    db = tmp_path / "a.db"
    assert_refused(db, tmp_path, "occurs 2 times", "occurrence")
    claims.write_text(
        body.replace("stance: denies}", "stance: denies, occurrence: 2}"), encoding="utf-8"
    )
    assert run_cli("load", db, tmp_path).exit_code == 0
    assert rows(db, 'select start, "end" from claims') == [(25, 42)]


def test_hostile_text_is_stored_verbatim(tmp_path):
    hostile = 'He said "<script>alert(1)</script>" and \'; drop table claims; --'
    (tmp_path / "h.txt").write_text(hostile, encoding="utf-8")
    (tmp_path / "sources.yml").write_text(
        'sources:\n  - {id: x, name: "<img src=x onerror=alert(1)>", kind: person}\n',
        encoding="utf-8",
    )
    (tmp_path / "h.claims.yml").write_text(
        "document: {file: h.txt}\nclaims:\n"
        '  - text: "<script>alert(1)</script>"\n'
        "    source: x\n    quote_kind: direct\n    stance: asserts\n"
        '  - text: "\'; drop table claims; --"\n'
        "    source: x\n    quote_kind: direct\n    stance: asserts\n",
        encoding="utf-8",
    )
    db = tmp_path / "h.db"
    result = run_cli("load", db, tmp_path)
    assert result.exit_code == 0, result.output
    assert sorted(r[0] for r in rows(db, "select text from claims")) == [
        "'; drop table claims; --",
        "<script>alert(1)</script>",
    ]


def test_correction_that_removes_corroboration_reverts_status(seed_copy, seed_dir):
    def mutate(data):
        for claim in data["claims"]:
            if claim["id"] == "us-troops-in-russia":
                claim["stance"] = "uncertain"

    _write_claims(seed_dir, mutate)
    assert run_cli("load", seed_copy, seed_dir, "--by", "desk").exit_code == 0
    assert rows(seed_copy, "select status from claims where id = 'nis-3000-in-russia'") == [
        ("unverified",)
    ]
    (last,) = rows(
        seed_copy,
        "select old_value, new_value, changed_by from claim_history "
        "where claim_id = 'nis-3000-in-russia' and action = 'status' order by id desc limit 1",
    )
    assert last == ("corroborated", "unverified", "desk")


def test_claims_dropped_from_the_file_are_reported_not_deleted(seed_copy, seed_dir):
    def mutate(data):
        data["claims"] = [c for c in data["claims"] if c["id"] != "russia-denies-munitions"]

    _write_claims(seed_dir, mutate)
    result = run_cli("load", seed_copy, seed_dir)
    assert result.exit_code == 0
    assert "1 curated claims no longer in their claim file" in result.output
    assert "russia-denies-munitions" in result.output
    assert rows(seed_copy, "select count(*) from claims where id = 'russia-denies-munitions'") == [
        (1,)
    ]


def test_unknown_independence_group(seed_copy, seed_dir):
    path = seed_dir / "sources.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["sources"][0]["independence_group"] = "no-such-group"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert_refused(seed_copy, seed_dir, "unknown source 'no-such-group'", "independence_group")


@pytest.mark.parametrize("value", ["99999999999999999999999", ".inf", ".nan"])
def test_unusable_figures_leave_no_file(tmp_path, seed_dir, value):
    path = seed_dir / SEED_CLAIMS.name
    text = path.read_text(encoding="utf-8").replace("{value: 3000,", f"{{value: {value},")
    path.write_text(text, encoding="utf-8")
    db = tmp_path / "new.db"
    assert_refused(db, seed_dir, "not a usable figure", "field 'value'")
    assert not db.exists()


def test_javascript_urls_are_refused(seed_copy, seed_dir):
    def mutate(data):
        data["document"]["url"] = "javascript:alert(document.domain)"

    _write_claims(seed_dir, mutate)
    assert_refused(seed_copy, seed_dir, "is not an http(s) URL", "field 'url'")


def test_duplicate_yaml_key(seed_copy, seed_dir):
    path = seed_dir / SEED_CLAIMS.name
    text = path.read_text(encoding="utf-8").replace(
        "    stance: denies\n", "    stance: denies\n    stance: asserts\n", 1
    )
    path.write_text(text, encoding="utf-8")
    assert_refused(seed_copy, seed_dir, "key 'stance' appears twice")


def test_foreign_tables_are_not_touched(tmp_path, seed_dir):
    db = tmp_path / "theirs.db"
    conn = sqlite3.connect(db)
    conn.execute("create table claims (id integer primary key, what text)")
    conn.commit()
    conn.close()
    assert_refused(db, seed_dir, "did not create", "claims")


def test_not_a_database(tmp_path, seed_dir):
    db = tmp_path / "notes.db"
    db.write_text("this is not SQLite " * 100)
    assert_refused(db, seed_dir, "file is not a database", dump_tables=False)


def test_json_numbers_in_exponent_form(tmp_path, seed_dir):
    yml = seed_dir / SEED_CLAIMS.name
    data = yaml.safe_load(yml.read_text(encoding="utf-8"))
    yml.unlink()
    text = json.dumps(data, ensure_ascii=False, default=str).replace(
        '"value": 3000', '"value": 3e3'
    )
    (seed_dir / "a.claims.json").write_text(text, encoding="utf-8")
    db = tmp_path / "j.db"
    result = run_cli("load", db, seed_dir)
    assert result.exit_code == 0, result.output
    assert rows(db, "select figure_value from claims where id = 'nis-3000-in-russia'") == [(3000,)]


def test_directory_walk_skips_project_files(tmp_path, seed_dir):
    (seed_dir / "requirements.txt").write_text("datasette\n")
    (seed_dir / "pkg.egg-info").mkdir()
    (seed_dir / "pkg.egg-info" / "top_level.txt").write_text("pkg\n")
    db = tmp_path / "w.db"
    result = run_cli("load", db, seed_dir)
    assert result.exit_code == 0, result.output
    assert rows(db, "select count(*) from documents") == [(1,)]


def test_a_mixed_load_keeps_each_rows_own_columns(seed_dir, tmp_path):
    """Curated claims and a new article's extracted ones in one load: the extracted claims
    keep their link scores and the matcher's propositions are marked generated (the bulk
    write once took every row's columns from the first, curated, row)."""
    (seed_dir / "zz_new_article.txt").write_text(
        "North Korean troops in Russia\n\n"
        "According to South Korean intelligence, 3,000 North Korean soldiers are already "
        "in Russia. The US defence secretary said North Korean troops are in Russia. "
        "Russia denies this.\n",
        encoding="utf-8",
    )
    path = tmp_path / "mixed.db"
    result = run_cli("load", path, seed_dir)
    assert result.exit_code == 0, result.output
    extracted = rows(
        path,
        "select id, proposition_id, link_status, link_score from claims "
        "where origin = 'extracted' order by start",
    )
    assert extracted and all(status == "suggested" for _, _, status, _ in extracted)
    # A claim either founds its proposition (no score) or joined one with its score.
    for claim, proposition, _, score in extracted:
        if proposition != generated_proposition_id(claim):
            assert score is not None and score >= 0.5, (claim, proposition)
    assert any(score is not None for *_, score in extracted)
    founded = {p for _, p, _, _ in extracted}
    origins = dict(rows(path, "select id, origin from propositions"))
    assert all(origins[p] == "generated" for p in founded if p.startswith("p-"))
    assert {origins[p] for p in origins if not p.startswith("p-")} == {"curated"}


def _many_claims_article(tmp_path, n: int, repeated: str) -> tuple[Path, list[str]]:
    sentences = [f"Sprecher {i} sagte, es seien {i * 7} Soldaten im Land." for i in range(n)]
    body = " ".join(sentences[: n // 2] + [repeated] + sentences[n // 2 :] + [repeated])
    article = tmp_path / "many.txt"
    article.write_text(f"Viele Angaben\n\n{body}\n", encoding="utf-8")
    return article, sentences


def test_a_claim_file_with_many_claims_finds_every_span(tmp_path):
    """Past the automaton threshold, offsets are the ones a plain search gives."""
    repeated = "Das wurde nicht bestätigt."
    article, sentences = _many_claims_article(tmp_path, 80, repeated)
    entries = [{"text": s, "stance": "asserts", "quote_kind": "reported"} for s in sentences]
    entries.append(
        {"text": repeated, "occurrence": 2, "stance": "uncertain", "quote_kind": "paraphrase"}
    )
    (tmp_path / "many.claims.yml").write_text(
        yaml.safe_dump({"document": {"file": "many.txt"}, "claims": entries}, allow_unicode=True),
        encoding="utf-8",
    )
    db = tmp_path / "c.db"
    result = run_cli("load", db, tmp_path, "--no-extract")
    assert result.exit_code == 0, result.output
    (text,) = rows(db, "select text from documents")[0]
    found = dict(rows(db, "select text, start from claims"))
    for sentence in sentences:
        assert found[sentence] == text.index(sentence)
    assert found[repeated] == text.index(repeated, text.index(repeated) + 1)


def test_a_repeated_text_without_occurrence_is_refused_in_a_long_claim_file(tmp_path):
    repeated = "Das wurde nicht bestätigt."
    _, sentences = _many_claims_article(tmp_path, 80, repeated)
    entries = [{"text": s, "stance": "asserts", "quote_kind": "reported"} for s in sentences]
    entries.append({"text": repeated, "stance": "uncertain", "quote_kind": "paraphrase"})
    (tmp_path / "many.claims.yml").write_text(
        yaml.safe_dump({"document": {"file": "many.txt"}, "claims": entries}, allow_unicode=True),
        encoding="utf-8",
    )
    result = run_cli("load", tmp_path / "c.db", tmp_path, "--no-extract")
    assert result.exit_code != 0
    assert "occurs 2 times" in result.output and "field 'text'" in result.output
