"""Speakers the registry doesn't know: provisional sources, and people's decisions on them."""

from __future__ import annotations

import re
import shutil
import sqlite3

import pytest
from datasette.app import Datasette

from datasette_claims.extract import build_index
from datasette_claims.extract.linking import SourceInfo
from datasette_claims.extract.provisional import provisional_source

from .utils import SEEDS, rows, run_cli

INDEX = build_index(
    [(SourceInfo("de-finance", "Finanzministerium", "ministry", None), ["Finance Ministry"])]
)


@pytest.mark.parametrize(
    ("words", "name", "kind", "role"),
    [
        (
            "Finance Ministry spokeswoman Anna Berg",
            "Anna Berg",
            "person",
            "Finance Ministry spokeswoman",
        ),
        (
            "Die Sprecherin des Ministeriums, Anna Berg",
            "Anna Berg",
            "person",
            "Sprecherin des Ministeriums",
        ),
        ("White House spokesman Josh Earnest", "Josh Earnest", "person", "White House spokesman"),
        ("the White House", "White House", "organisation", None),
        (
            "Das Bundesamt für Verfassungsschutz (BfV)",
            "Bundesamt für Verfassungsschutz (BfV)",
            "organisation",
            None,
        ),
        ("JANE DOE", "Jane Doe", "person", None),
    ],
)
def test_names_and_roles_from_the_words(words, name, kind, role):
    found = provisional_source(words, INDEX)
    assert (found.name, found.kind, found.role) == (name, kind, role)
    assert found.id == "suggested-" + re.sub(r"[^a-z0-9]+", "-", found.id[10:])


@pytest.mark.parametrize(
    "words",
    [
        "officials",
        "two people familiar with the matter",
        "der Sender",
        "Der Geheimdienst",
        "er",
        "Der Bürgermeister von New Orleans",
        "Frankreichs und Spaniens",
        None,
    ],
)
def test_no_one_in_particular_gets_no_source(words):
    assert provisional_source(words, INDEX) is None


def test_the_parent_only_where_a_registry_alias_names_it():
    assert (
        provisional_source("Finance Ministry spokeswoman Anna Berg", INDEX).parent_id
        == "de-finance"
    )
    assert provisional_source("Energy Ministry spokesman Max Roe", INDEX).parent_id is None


ARTICLE_A = (
    "date 2024-10-25 Zahlungen\n\n"
    "Die Sprecherin des Finanzministeriums, Anna Berg, sagte, die Zahlungen seien gestoppt.\n"
)
ARTICLE_B = (
    "date 2024-10-26 Payments\n\n"
    "Finance Ministry spokeswoman Anna Berg said the payments had been stopped.\n\n"
    "The White House said it was watching closely.\n"
)


@pytest.fixture
def loaded(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEEDS / "sources.yml", folder / "sources.yml")
    (folder / "a.txt").write_text(ARTICLE_A, encoding="utf-8")
    (folder / "b.txt").write_text(ARTICLE_B, encoding="utf-8")
    db = tmp_path / "claims.db"
    result = run_cli("load", db, folder)
    assert result.exit_code == 0, result.output
    assert "suggested:    2 provisional sources" in result.output
    return db, folder


def test_unknown_speakers_become_one_suggested_source_across_documents(loaded):
    db, _ = loaded
    assert rows(
        db, "select id, name, kind, origin from sources where origin != 'registry' order by id"
    ) == [
        ("suggested-anna-berg", "Anna Berg", "person", "suggested"),
        ("suggested-white-house", "White House", "organisation", "suggested"),
    ]
    assert rows(db, "select count(*) from claims where source_id = 'suggested-anna-berg'") == [(2,)]
    assert rows(db, "select action, changed_by from source_history order by id") == [
        ("created", "loader"),
        ("created", "loader"),
    ]


def test_a_reload_changes_nothing_and_never_touches_the_registry(loaded):
    db, folder = loaded
    before = rows(db, "select * from claims order by id")
    registry = rows(db, "select * from sources where origin = 'registry' order by id")
    result = run_cli("load", db, folder, "--force")
    assert "0 added, 0 updated" in result.output.split("claims:")[1]
    assert rows(db, "select * from claims order by id") == before
    assert rows(db, "select * from sources where origin = 'registry' order by id") == registry


def test_people_confirm_rename_and_merge_with_history(loaded):
    db, folder = loaded
    assert (
        run_cli(
            "source", "rename", db, "suggested-white-house", "The White House", "--by", "anna"
        ).exit_code
        == 0
    )
    moved = run_cli("source", "merge", db, "suggested-anna-berg", "south-korea", "--by", "anna")
    assert moved.exit_code == 0 and "2 claims moved" in moved.output
    assert rows(db, "select origin, name from sources where id = 'suggested-white-house'") == [
        ("confirmed", "The White House")
    ]
    assert rows(db, "select origin, merged_into from sources where id = 'suggested-anna-berg'") == [
        ("merged", "south-korea")
    ]
    assert rows(
        db, "select count(*) from claim_history where field = 'source_id' and changed_by = 'anna'"
    ) == [(2,)]
    assert [a for (a,) in rows(db, "select action from source_history order by id")][-2:] == [
        "renamed",
        "merged",
    ]
    # A later load suggests Anna Berg again: her claims go where the person merged her.
    run_cli("load", db, folder, "--force")
    assert rows(db, "select count(*) from claims where source_id = 'suggested-anna-berg'") == [(0,)]
    assert rows(db, "select count(*) from claims where source_id = 'south-korea'") >= [(2,)]


def test_registry_sources_are_not_provisional(loaded):
    db, _ = loaded
    result = run_cli("source", "rename", db, "south-korea", "Anything", "--by", "anna")
    assert result.exit_code != 0 and "registry" in result.output
    result = run_cli(
        "source", "merge", db, "suggested-anna-berg", "suggested-anna-berg", "--by", "anna"
    )
    assert result.exit_code != 0 and "itself" in result.output
    assert rows(db, "select name from sources where id = 'south-korea'") != [("Anything",)]


def test_source_history_is_append_only(loaded):
    db, _ = loaded
    for statement in ("update source_history set changed_by = 'x'", "delete from source_history"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            with sqlite3.connect(db) as conn:
                conn.execute(statement)


GRANT = {"plugins": {"datasette-claims": {"review_allow": {"id": "anna"}}}}


@pytest.mark.asyncio
async def test_pages_mark_suggested_sources_and_reviewers_decide_there(loaded):
    db, _ = loaded
    ds = Datasette([str(db)], metadata=GRANT)
    cookies = {"ds_actor": ds.sign({"a": {"id": "anna"}}, "actor")}
    page = await ds.client.get("/claims/-/claims/sources/suggested-anna-berg", cookies=cookies)
    assert page.status_code == 200
    assert "Suggested source." in page.text and "Decide on this source" in page.text
    token = re.search(r'name="csrftoken" value="([^"]*)"', page.text).group(1)
    if "ds_csrftoken" in page.cookies:
        cookies["ds_csrftoken"] = page.cookies["ds_csrftoken"]
    response = await ds.client.post(
        "/claims/-/claims/sources/suggested-anna-berg/confirm",
        data={"csrftoken": token},
        cookies=cookies,
    )
    assert response.status_code == 302
    assert rows(db, "select origin from sources where id = 'suggested-anna-berg'") == [
        ("confirmed",)
    ]
    again = await ds.client.get("/claims/-/claims/sources/suggested-anna-berg")
    assert "Suggested source." not in again.text and "confirmed by a person" in again.text
    assert "Decide on this source" not in again.text  # no permission without the actor
    claim = rows(db, "select id from claims where source_id = 'suggested-white-house'")[0][0]
    claim_page = await ds.client.get(f"/claims/-/claims/{claim}")
    assert "suggested source, not yet confirmed" in claim_page.text


def test_a_surname_and_a_pronoun_are_the_person_the_document_named():
    from datasette_claims.extract.provisional import DocumentSpeakers

    text = "Senator Donald Roe said the plan failed. Roe said it would cost more. He said so."
    speakers = DocumentSpeakers(text, INDEX)
    first = speakers.source("Senator Donald Roe")
    assert first.id == "suggested-donald-roe"
    assert speakers.source("Roe") == first
    assert speakers.source("He") == first
    assert DocumentSpeakers("No one is named here.", INDEX).source("he") is None


@pytest.mark.parametrize(
    ("words", "name", "kind", "role"),
    [
        ("the DNC", "DNC", "organisation", None),
        ("Die IAEA", "IAEA", "organisation", None),
        ("an NBC reporter", "NBC", "organisation", None),
        ("N24", "N24", "organisation", None),
        ("Billionaire Jane Roe", "Jane Roe", "person", "Billionaire"),
        ("House Speaker Paul Royce", "Paul Royce", "person", "House Speaker"),
        ("John Q. Public", "John Q. Public", "person", None),
    ],
)
def test_acronyms_and_the_name_inside_a_longer_run(words, name, kind, role):
    found = provisional_source(words, INDEX)
    assert found is not None, words
    assert (found.name, found.kind, found.role) == (name, kind, role)


@pytest.mark.parametrize(
    "words",
    ["the State Department Inspector General", "Center’s Bozell Smith", "NBC and CNN"],
)
def test_titles_and_possessives_are_no_persons_name(words):
    found = provisional_source(words, INDEX)
    assert (
        found is None
        or found.kind != "person"
        or found.name
        not in (
            "Inspector General",
            "Center’s Bozell",
        )
    )
    if " and " in words:
        assert found is None


def test_the_document_gives_a_surnames_full_name():
    from datasette_claims.extract.provisional import DocumentSpeakers

    text = (
        "House Speaker Paul Royce said the vote would wait. ROYCE: We will vote. "
        "Royce campaigned in Iowa and said the plan would pass."
    )
    speakers = DocumentSpeakers(text, INDEX)
    for words in ("Royce", "ROYCE", "Royce campaigned in Iowa and"):
        found = speakers.source(words)
        assert found is not None and found.name == "Paul Royce", words
    # Words that only start like a name give no one unless the document names them.
    assert DocumentSpeakers("Nobody else.", INDEX).source("Smith went to Ohio and") is None
    assert speakers.source("For the record") is None
