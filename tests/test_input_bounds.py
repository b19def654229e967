"""What a load accepts: ids the pages can show, inputs of bounded size, imported rows
that cannot silently lose a curated claim, and registries and corpora that move sources."""

from __future__ import annotations

import csv
import re

import pytest

from datasette_claims.inputs.fields import ID_LIMIT, RESERVED_IDS
from datasette_claims.web.routes import ROUTES

from .utils import ROOT, SEEDS, file_digest, rows, run_cli

ARTICLE = "Die Polizei sagte, die Brücke sei gesperrt. Der Minister sagte, sie sei offen.\n"


def refused(db, path, *expected: str, extra: tuple[str, ...] = ()) -> str:
    """A load of PATH that fails with EXPECTED in its message and writes nothing."""
    before = file_digest(db)
    result = run_cli("load", db, path, *extra)
    assert result.exit_code == 1, result.output
    for text in expected:
        assert text in result.output, result.output
    assert "Nothing was written" in result.output and "Traceback" not in result.output
    assert file_digest(db) == before
    return result.output


def claim_file(folder, claim_id: str = "c1", proposition_id: str = "p1", source="police"):
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "sources.yml").write_text(
        f"sources:\n  - id: {source}\n    name: Polizei\n    kind: agency\n", encoding="utf-8"
    )
    path = folder / "a.claims.yml"
    path.write_text(
        "document:\n  file: a.txt\n"
        f"propositions:\n  - id: {proposition_id}\n    statement: The bridge is closed.\n"
        f"claims:\n  - id: {claim_id}\n    text: die Brücke sei gesperrt\n"
        f"    source: {source}\n    stance: asserts\n    quote_kind: reported\n"
        f"    proposition: {proposition_id}\n",
        encoding="utf-8",
    )
    return path


# --- ids the pages can show ------------------------------------------------------------


def route_words() -> set[str]:
    """Every literal path segment after /-/claims/ in our routes."""
    words = set()
    for pattern, _ in ROUTES:
        tail = pattern.split("/-/claims", 1)[1].removesuffix("$")
        tail = tail.replace(r"(?P<format>\.json)?", "")
        for segment in tail.strip("/").split("/"):
            choice = re.fullmatch(r"\(\?P<\w+>([a-z|]+)\)", segment)
            if choice:
                words.update(choice.group(1).split("|"))
            elif re.fullmatch(r"[a-z]+(\\\.[a-z]+)?", segment):
                words.add(segment.replace("\\", ""))
    return words


def test_every_route_word_is_reserved():
    words = route_words()
    assert {"add", "story", "compare", "sources", "changes.atom"} <= words  # the parse works
    assert words <= RESERVED_IDS, words - RESERVED_IDS


@pytest.mark.parametrize("word", ["add", "story", "changes.atom", "x.json"])
def test_a_claim_id_the_pages_cannot_show_is_refused_with_its_line(tmp_path, word):
    path = claim_file(tmp_path, claim_id=word)
    output = refused(tmp_path / "claims.db", path, f"{path}:7: field 'id':", "is reserved")
    assert word in output


def test_reserved_proposition_and_source_ids_are_refused(tmp_path):
    path = claim_file(tmp_path, proposition_id="story")
    refused(tmp_path / "claims.db", path, f"{path}:4: field 'id':", "'story' is reserved")
    claim_file(tmp_path, source="sources")
    registry = tmp_path / "sources.yml"
    refused(tmp_path / "claims.db", registry, f"{registry}:2: field 'id':", "is reserved")


def test_ids_of_200_characters_load_and_201_are_refused(tmp_path):
    path = claim_file(tmp_path, claim_id="c" * (ID_LIMIT + 1))
    refused(tmp_path / "claims.db", path, f"{path}:7: field 'id':", "at most 200 characters")
    claim_file(tmp_path, claim_id="c" * ID_LIMIT)
    result = run_cli("load", tmp_path / "claims.db", tmp_path)
    assert result.exit_code == 0, result.output
    assert rows(tmp_path / "claims.db", "select length(id) from claims where origin = 'curated'")
    assert rows(tmp_path / "claims.db", "select max(length(id)) from claims") == [(ID_LIMIT,)]


def test_a_csv_claim_id_or_proposition_the_pages_cannot_show_is_refused(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("id,text,source_name\nfine,A claim,Anna\nadd,Another,Anna\n", encoding="utf-8")
    refused(tmp_path / "claims.db", path, f"{path}:3: field 'id':", "is reserved")
    path.write_text(
        "id,text,source_name,proposition,proposition_statement\nx1,A claim,Anna,story,S\n",
        encoding="utf-8",
    )
    refused(tmp_path / "claims.db", path, f"{path}:2: field 'proposition':", "is reserved")


def test_an_imported_source_named_like_a_route_gets_an_id_its_page_can_show(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("text,source_name\nA claim,Story\n", encoding="utf-8")
    result = run_cli("load", tmp_path / "claims.db", path)
    assert result.exit_code == 0, result.output
    assert rows(tmp_path / "claims.db", "select id from sources") == [("story-source",)]


# --- an imported row naming a curated claim ------------------------------------------


def test_a_csv_row_with_a_curated_claims_id_and_other_words_is_refused(seed_copy, tmp_path):
    path = tmp_path / "rows.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "text", "source_name", "status"])
        out.writerow(["other", "A claim of our own", "Anna", ""])
        out.writerow(["nis-3000-in-russia", "Something else entirely", "Anna", "refuted"])
    refused(
        seed_copy,
        path,
        f"{path}:3: field 'id':",
        "claim id 'nis-3000-in-russia' is a curated claim in the database, with another text",
    )


COUNTS = "select (select count(*) from documents), (select count(*) from sources)"


def test_a_verdict_for_a_curated_claim_is_kept_and_leaves_no_orphan(seed_copy, tmp_path):
    path = tmp_path / "verdict.csv"
    path.write_text(
        "id,text,source_name,verdict,reviewer\nnis-3000-in-russia,x,Some Outlet,False,Checker\n",
        encoding="utf-8",
    )
    before = rows(seed_copy, COUNTS)
    result = run_cli("load", seed_copy, path)
    assert result.exit_code == 0, result.output
    assert rows(seed_copy, "select reviewer, verdict from claim_reviews") == [("Checker", "False")]
    assert rows(seed_copy, COUNTS) == before  # landed code: a document and a source more


def test_reloading_our_own_export_adds_no_document_or_source(seed_copy, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(run_cli("export", seed_copy, "--format", "csv").output, encoding="utf-8")
    before = rows(seed_copy, COUNTS)
    result = run_cli("load", seed_copy, path)
    assert result.exit_code == 0, result.output
    assert rows(seed_copy, COUNTS) == before  # landed code: one orphan document per row


# --- limits on one file ----------------------------------------------------------------


def test_an_article_over_max_bytes_is_refused_before_it_is_read(tmp_path):
    page = tmp_path / "huge.html"
    page.write_text("<html><body>" + "<p>Ein Satz.</p>" * 400 + "</body></html>")
    db = tmp_path / "claims.db"
    refused(
        db,
        page,
        f"{page}: the article has {page.stat().st_size:,} bytes, over the limit of 1,000 bytes",
        "--max-bytes",
        extra=("--max-bytes", "1000"),
    )
    assert not db.exists()
    result = run_cli("load", db, page, "--max-bytes", str(page.stat().st_size))
    assert result.exit_code == 0, result.output


def test_a_claim_file_over_max_bytes_is_refused_before_it_is_parsed(tmp_path):
    path = claim_file(tmp_path)
    size = path.stat().st_size
    refused(
        tmp_path / "claims.db",
        tmp_path,
        f"{path}: the file has {size:,} bytes",
        extra=("--max-bytes", str(size - 1)),
    )


def test_a_claim_file_with_too_many_claims_is_refused(tmp_path):
    path = claim_file(tmp_path)
    with open(path, "a", encoding="utf-8") as more:
        more.write("  - text: Der Minister sagte\n    stance: asserts\n    quote_kind: reported\n")
    refused(
        tmp_path / "claims.db",
        tmp_path,
        f"{path}:6: field 'claims': more than 1 claims in one file",
        extra=("--max-claims", "1"),
    )
    assert run_cli("load", tmp_path / "claims.db", tmp_path, "--max-claims", "2").exit_code == 0


def test_an_imported_file_with_too_many_claims_is_refused_at_the_row(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("text,source_name\nOne,Anna\nTwo,Anna\nThree,Anna\n", encoding="utf-8")
    refused(
        tmp_path / "claims.db",
        path,
        f"{path}:4: more than 2 claims in one file",
        extra=("--max-claims", "2"),
    )
    result = run_cli("load", tmp_path / "claims.db", path, "--max-claims", "3")
    assert result.exit_code == 0, result.output


def test_the_limits_of_one_load_do_not_stay_for_the_next(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("text,source_name\nOne,Anna\nTwo,Anna\n", encoding="utf-8")
    assert run_cli("load", tmp_path / "a.db", path, "--max-claims", "1").exit_code == 1
    assert run_cli("load", tmp_path / "b.db", path).exit_code == 0


# --- sources that move under new ones ------------------------------------------------


def test_the_test_corpus_loads_on_top_of_the_seeds(seed_copy):
    result = run_cli("load", seed_copy, ROOT / "tests" / "corpus")
    assert result.exit_code == 0, result.output  # landed code: FOREIGN KEY constraint failed
    assert rows(seed_copy, "select parent_id from sources where id = 'lloyd-austin'") == [
        ("pentagon",)
    ]
    assert run_cli("verify", seed_copy).exit_code == 0


def test_a_registry_may_add_a_source_and_move_a_stored_one_under_it(tmp_path):
    db = tmp_path / "claims.db"
    registry = tmp_path / "sources.yml"
    registry.write_text(
        "sources:\n  - id: anna\n    name: Anna Berg\n    kind: person\n", encoding="utf-8"
    )
    assert run_cli("load", db, registry).exit_code == 0
    registry.write_text(
        "sources:\n"
        "  - id: anna\n    name: Anna Berg\n    kind: person\n    parent: ministry\n"
        "  - id: ministry\n    name: Finance Ministry\n    kind: ministry\n    parent: state\n"
        "  - id: state\n    name: The State\n    kind: government\n",
        encoding="utf-8",
    )
    result = run_cli("load", db, registry)
    assert result.exit_code == 0, result.output
    assert rows(db, "select id, parent_id, independence_group from sources order by id") == [
        ("anna", "ministry", "state"),
        ("ministry", "state", "state"),
        ("state", None, "state"),
    ]


def test_the_seeds_still_load_with_the_default_limits(tmp_path):
    assert run_cli("load", tmp_path / "claims.db", SEEDS).exit_code == 0
