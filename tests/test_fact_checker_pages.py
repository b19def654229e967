"""Issue 28's pages without a browser: stories as propositions sharing documents, kept by
every write; names where rows keep ids; the Add page's 403 and links; a source's kind;
the CLI's names. Real databases built with the loader, a real Datasette client."""

from __future__ import annotations

import gzip
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from datasette.app import Datasette

from datasette_claims.db.migrations import migrate
from datasette_claims.db.stories import rebuild_story_graph
from datasette_claims.inputs.article import headline_title, parse_article

from .utils import ROOT, SEEDS, rows, run_cli

RELEASE_020 = ROOT / "tests" / "data" / "release-0.2.0-seeds.db.gz"
REVIEWER = {"plugins": {"datasette-claims": {"review_allow": {"id": "anna"}}}}
ADDER = {"plugins": {"datasette-claims": {"add_allow": {"id": "anna"}}}}
STORY_TABLES = ("proposition_documents", "story_links", "stories", "story_propositions")

REGISTRY = """\
sources:
  - id: alpha
    name: Alpha Ministry
    kind: ministry
    aliases: [Alpha Ministry]
  - id: beta
    name: Beta Agency
    kind: agency
    aliases: [Beta Agency]
"""
PROPOSITIONS = {
    "harbour-closed": "The harbour was closed.",
    "ferries-stopped": "Ferries stopped running.",
    "bridge-damaged": "The bridge was damaged.",
    "school-open": "Schools stayed open.",
}
SENTENCES = {
    "harbour-closed": "The harbour was closed",
    "ferries-stopped": "Ferries stopped running",
    "bridge-damaged": "The bridge was damaged",
    "school-open": "Schools stayed open",
}


def write_article(folder: Path, name: str, propositions: list[str], define: bool) -> None:
    """An article whose curated claims are on these propositions, one claim each."""
    text = f"Storm report {name}\n\n" + " ".join(f"{SENTENCES[p]} in {name}." for p in propositions)
    (folder / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    lines = [f"document:\n  file: {name}.txt\n  language: en\n"]
    if define:
        lines.append("propositions:\n")
        lines += [f"  - id: {p}\n    statement: {s}\n" for p, s in PROPOSITIONS.items()]
    lines.append("claims:\n")
    for n, p in enumerate(propositions):
        lines.append(
            f"  - id: {name}-{n}\n    text: {SENTENCES[p]} in {name}\n"
            f"    source: {'alpha' if n % 2 == 0 else 'beta'}\n    proposition: {p}\n"
            "    quote_kind: paraphrase\n    stance: asserts\n"
        )
    (folder / f"{name}.claims.yml").write_text("".join(lines), encoding="utf-8")


def story_tables(path: Path) -> dict[str, list[tuple]]:
    return {t: rows(path, f"select * from {t} order by 1, 2") for t in STORY_TABLES}


def rebuilt(path: Path, tmp_path: Path) -> dict[str, list[tuple]]:
    """The story tables as a rebuild from the claims gives them, on a copy."""
    copy = tmp_path / f"rebuilt-{path.name}"
    copy.unlink(missing_ok=True)
    # SQLite's backup, not a file copy: what a write left in the WAL file is copied too.
    source, target = sqlite3.connect(path), sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    db = sqlite_utils.Database(copy)
    with db.conn:
        rebuild_story_graph(db)
    db.close()
    return story_tables(copy)


def stories(path: Path) -> list[set[str]]:
    found: dict[str, set[str]] = {}
    for proposition, story in rows(path, "select proposition_id, story_id from story_propositions"):
        found.setdefault(story, set()).add(proposition)
    return sorted(found.values(), key=lambda s: (-len(s), sorted(s)))


@pytest.fixture
def storm(tmp_path) -> Path:
    """Two articles on the harbour and the ferries (a story); one on the harbour and the
    bridge, one on the bridge and the schools: one shared document each, no story."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "sources.yml").write_text(REGISTRY, encoding="utf-8")
    write_article(folder, "a", ["harbour-closed", "ferries-stopped"], define=True)
    write_article(folder, "b", ["harbour-closed", "ferries-stopped"], define=False)
    write_article(folder, "c", ["harbour-closed", "bridge-damaged"], define=False)
    write_article(folder, "d", ["bridge-damaged", "school-open"], define=False)
    db = tmp_path / "storm.db"
    result = run_cli("load", db, folder)
    assert result.exit_code == 0, result.output
    return db


def test_a_story_is_propositions_whose_claims_share_two_documents(storm, tmp_path):
    assert stories(storm) == [{"harbour-closed", "ferries-stopped"}]
    # Its documents: every one either proposition has claims in (a, b, and c's harbour).
    assert rows(storm, "select propositions, documents from stories") == [(2, 3)]
    # One shared document links, but is no story.
    assert rows(
        storm,
        "select documents from story_links where proposition_a = 'bridge-damaged' "
        "and proposition_b = 'harbour-closed'",
    ) == [(1,)]
    assert story_tables(storm) == rebuilt(storm, tmp_path)


def test_a_later_load_grows_the_story_as_it_loads(storm, tmp_path):
    more = tmp_path / "more"
    more.mkdir()
    (more / "sources.yml").write_text(REGISTRY, encoding="utf-8")
    write_article(more, "e", ["harbour-closed", "bridge-damaged"], define=False)
    result = run_cli("load", storm, more)
    assert result.exit_code == 0, result.output
    # The harbour and the bridge now share two documents (c and e): one story of three.
    assert stories(storm) == [{"harbour-closed", "ferries-stopped", "bridge-damaged"}]
    assert story_tables(storm) == rebuilt(storm, tmp_path)


def test_decisions_keep_the_story_graph_as_a_rebuild_would(storm, tmp_path):
    steps = [
        ["unlink", storm, "b-1", "--by", "anna"],  # ferries now share only document a
        ["link", storm, "b-1", "ferries-stopped", "--by", "anna"],
        ["split", storm, "harbour-closed", "c-0", "--statement", "The port shut.", "--by", "a"],
        ["merge", storm, "harbour-closed", "bridge-damaged", "--by", "anna"],
    ]
    seen = []
    for step in steps:
        result = run_cli(*step)
        assert result.exit_code == 0, result.output
        assert story_tables(storm) == rebuilt(storm, tmp_path), step[0]
        seen.append(stories(storm))
    assert seen[0] == []  # unlinked: the pair shares one document, no story
    assert seen[1] == [{"harbour-closed", "ferries-stopped"}]
    # Merged, the bridge's claims are the harbour's; the harbour and the ferries still
    # share documents a and b.
    assert {"harbour-closed", "ferries-stopped"} in seen[3]


def test_any_sequence_of_moves_keeps_the_graph_a_rebuild_gives(storm, tmp_path):
    """Claims moved at random between propositions: after each move the kept graph is
    the one a rebuild from the claims gives (links, stories, their document counts)."""
    import random

    from datasette_claims.decisions.links import link

    rng = random.Random(28)
    claims = [c for (c,) in rows(storm, "select id from claims order by id")]
    propositions = sorted(PROPOSITIONS)
    db = sqlite_utils.Database(storm)
    for _ in range(25):
        link(db, rng.choice(claims), rng.choice(propositions), "tester")
        kept = story_tables(storm)
        assert kept == rebuilt(storm, tmp_path)
    db.close()


@pytest.mark.asyncio
async def test_story_page_opens_with_the_largest_story_and_lists_the_others(storm, tmp_path):
    # A second, smaller story: the bridge and the schools in two more documents.
    more = tmp_path / "more"
    more.mkdir()
    (more / "sources.yml").write_text(REGISTRY, encoding="utf-8")
    write_article(more, "f", ["bridge-damaged", "school-open"], define=False)
    write_article(more, "g", ["harbour-closed", "ferries-stopped"], define=False)
    assert run_cli("load", storm, more).exit_code == 0
    assert len(stories(storm)) == 2
    ds = Datasette([str(storm)])
    story = (await ds.client.get("/storm/-/claims/story.json")).json()
    assert story["story"] == "ferries-stopped"  # the story's id: its first proposition
    assert {c["id"] for c in story["columns"]} == {"harbour-closed", "ferries-stopped"}
    assert [(s["id"], s["propositions"], s["documents"]) for s in story["stories"]] == [
        ("ferries-stopped", 2, 4),  # a, b, g and c's harbour claim
        ("bridge-damaged", 2, 3),  # c, d, f
    ]
    other = (await ds.client.get("/storm/-/claims/story.json?story=bridge-damaged")).json()
    assert {c["id"] for c in other["columns"]} == {"bridge-damaged", "school-open"}
    page = (await ds.client.get("/storm/-/claims/story")).text
    assert 'href="/storm/-/claims/story?story=bridge-damaged"' in page
    assert "(the largest story)" in page
    missing = await ds.client.get("/storm/-/claims/story.json?story=nothing-here")
    assert missing.status_code == 404


@pytest.mark.asyncio
async def test_without_a_story_the_page_says_so_and_shows_the_most_discussed(seed_db_path):
    ds = Datasette([str(seed_db_path)])
    story = (await ds.client.get("/claims/-/claims/story.json")).json()
    assert story["stories"] == [] and story["story"] is None  # one article: no story
    assert len(story["columns"]) > 1
    page = (await ds.client.get("/claims/-/claims/story")).text
    assert "No two propositions share two documents yet" in page


def test_the_release_database_migrates_forward_with_its_story_graph(tmp_path):
    path = tmp_path / "release.db"
    with gzip.open(RELEASE_020) as packed, open(path, "wb") as out:
        shutil.copyfileobj(packed, out)
    claims_before = rows(path, "select * from claims order by id")
    db = sqlite_utils.Database(path)
    with db.conn:
        applied = migrate(db)
    db.close()
    assert "0014_story_graph" in applied
    assert rows(path, "select * from claims order by id") == claims_before
    pairs = rows(
        path,
        "select distinct document_id, proposition_id from claims "
        "where proposition_id is not null order by 1, 2",
    )
    assert rows(path, "select * from proposition_documents order by 1, 2") == pairs
    assert story_tables(path) == rebuilt(path, tmp_path)
    # Reloading the seed into it changes no claim and keeps the graph as it is.
    assert run_cli("load", path, SEEDS, "--force").exit_code == 0
    assert rows(path, "select * from claims order by id") == claims_before
    assert story_tables(path) == rebuilt(path, tmp_path)


# --- names instead of ids -----------------------------------------------------------


@pytest.mark.asyncio
async def test_the_atom_feed_names_the_proposition_by_its_statement(seed_db_path):
    ds = Datasette([str(seed_db_path)])
    feed = (await ds.client.get("/claims/-/claims/changes.atom")).text
    assert "derived: proposition “North Korean soldiers are in Russia.” is corroborated" in feed
    assert "proposition nk-troops-in-russia is" not in feed
    # The stored rows keep the id (they are append-only).
    assert rows(
        seed_db_path,
        "select count(*) from claim_history where reason like "
        "'%derived: proposition nk-troops-in-russia is corroborated%'",
    )[0][0]


def cookies_for(ds: Datasette, actor: str) -> dict[str, str]:
    return {"ds_actor": ds.sign({"a": {"id": actor}}, "actor")}


async def token_and_cookies(ds: Datasette, path: str, actor: str) -> tuple[str, dict]:
    cookies = cookies_for(ds, actor)
    page = await ds.client.get(path, cookies=cookies)
    assert page.status_code == 200, page.text[:300]
    token = re.search(r'name="csrftoken" value="([^"]*)"', page.text)
    if "ds_csrftoken" in page.cookies:
        cookies["ds_csrftoken"] = page.cookies["ds_csrftoken"]
    return (token.group(1) if token else ""), cookies


@pytest.mark.asyncio
async def test_id_boxes_are_pickers_that_show_names(seed_copy):
    ds = Datasette([str(seed_copy)], metadata=REVIEWER)
    cookies = cookies_for(ds, "anna")
    claim = (await ds.client.get("/claims/-/claims/us-accuses-munitions", cookies=cookies)).text
    assert "(id)" not in claim
    # The claim's own proposition and the others of its article, by statement.
    own = re.search(r'<input type="radio" name="proposition" value="([^"]+)" checked', claim)
    assert own and own.group(1) == "nk-supplies-russia-with-munitions"
    assert "North Korea supplies Russia with munitions and weapons" in claim
    found = (
        await ds.client.get(
            "/claims/-/claims/us-accuses-munitions?link_q=Vertrag+ratifiziert", cookies=cookies
        )
    ).text
    assert re.search(r'name="proposition" value="[^"]*treaty[^"]*"', found)
    compare = (
        await ds.client.get(
            "/claims/-/claims/compare/nk-troops-in-russia?merge_q=Munition", cookies=cookies
        )
    ).text
    listed = re.search(r"<fieldset><legend>Propositions found.*?</fieldset>", compare, re.S)
    assert listed and "North Korea supplies Russia" in listed.group(0)
    assert "nk-supplies-russia-with-munitions" not in re.sub(r'value="[^"]*"', "", listed.group(0))


@pytest.mark.asyncio
async def test_a_link_by_picker_says_what_was_linked_by_name(seed_copy):
    ds = Datasette([str(seed_copy)], metadata=REVIEWER)
    path = "/claims/-/claims/us-accuses-munitions"
    token, cookies = await token_and_cookies(ds, path, "anna")
    done = await ds.client.post(
        path + "/link",
        data={"csrftoken": token, "proposition": "nk-russia-expand-military-cooperation"},
        cookies=cookies,
    )
    assert done.status_code == 302
    back = await ds.client.get(path, cookies={**cookies, **done.cookies})
    assert "Linked to “North Korea and Russia are expanding their military cooperation.”" in (
        back.text
    )


def test_a_headline_first_line_is_the_title_and_the_text_stays(tmp_path):
    text = "Harbour closed after the storm\n\nThe harbour was closed on Monday.\n"
    article = parse_article(text, "storm.txt")
    assert article.title == "Harbour closed after the storm"
    assert article.text == text  # ids and offsets refer to the text as it was
    assert headline_title("The ministry said 500 soldiers had arrived.\n\nMore.\n") is None
    assert headline_title("Only one line") is None
    assert headline_title("a lower-case start of a sentence\n\nx\n") is None


@pytest.mark.asyncio
async def test_claimed_unknown_shows_the_date_in_the_documents_text(tmp_path):
    folder = tmp_path / "dated"
    folder.mkdir()
    (folder / "note.txt").write_text(
        "Berlin, 3. November 2024. Die Polizei sagte, 300 Beamte seien im Einsatz.\n",
        encoding="utf-8",
    )
    db = tmp_path / "dated.db"
    assert run_cli("load", db, folder).exit_code == 0
    (claim_id, claimed), *_ = rows(db, "select id, claimed_at from claims")
    assert claimed is None
    page = (await Datasette([str(db)]).client.get(f"/dated/-/claims/{claim_id}")).text
    assert "by 2024-11-03" in page and "“3. November 2024” in the document" in page


# --- the Add page ------------------------------------------------------------------


@pytest.mark.asyncio
async def test_add_preview_names_sources_marks_forecasts_and_links_the_saved_article(seed_copy):
    ds = Datasette([str(seed_copy)], metadata=ADDER)
    token, cookies = await token_and_cookies(ds, "/claims/-/claims/add", "anna")
    text = (
        "Russland bestreitet, dass Nordkorea Munition liefert. "
        "Der südkoreanische Geheimdienst erwartet, dass bis Dezember 10.000 Soldaten "
        "in Russland sein werden.\n"
    )
    shown = await ds.client.post(
        "/claims/-/claims/add",
        data={"csrftoken": token, "text": text, "published_at": "2024-10-24", "preview": "1"},
        cookies=cookies,
    )
    assert shown.status_code == 200
    assert "(Government of Russia)" in shown.text and "(russia)" not in shown.text
    assert '<span class="claims-forecast">forecast</span>' in shown.text
    spans = re.findall(r'name="keep" value="(\d+-\d+)" checked', shown.text)
    saved = await ds.client.post(
        "/claims/-/claims/add",
        data={
            "csrftoken": token,
            "text": text,
            "published_at": "2024-10-24",
            "title": "Forecast",
            "save": "1",
            "keep": spans,
        },
        cookies=cookies,
    )
    assert saved.status_code == 302
    (document,) = rows(seed_copy, "select id from documents where title = 'Forecast'")[0]
    assert saved.headers["location"].endswith(f"/claims/-/claims/add?added={document}")
    after = (await ds.client.get(saved.headers["location"], cookies=cookies)).text
    assert f'href="/claims/-/claims?document={document}"' in after
    assert f'href="/claims/documents/{document}"' in after
    assert f"its {len(spans)} claims" in after


@pytest.mark.asyncio
@pytest.mark.parametrize("actor", [None, "ben"])
async def test_add_without_permission_is_a_403_page_that_helps(seed_copy, actor):
    ds = Datasette([str(seed_copy)], metadata=ADDER)
    cookies = cookies_for(ds, actor) if actor else {}
    page = await ds.client.get("/claims/-/claims/add", cookies=cookies)
    assert page.status_code == 403
    assert "claims-add" in page.text and "add_allow:" in page.text
    assert 'href="/claims/-/claims"' in page.text  # the way back
    if actor:
        assert "signed in as <strong>ben</strong>" in page.text
    else:
        assert "not signed in" in page.text and "--root" in page.text


# --- a source's kind, the CLI's names ------------------------------------------------


def suggested_source(db: Path) -> str:
    folder = db.parent / "suggest"
    folder.mkdir()
    (folder / "berg.txt").write_text(
        "Die Sprecherin des Finanzministeriums, Anna Berg, sagte, die Kosten stiegen.\n",
        encoding="utf-8",
    )
    assert run_cli("load", db, folder).exit_code == 0
    return rows(db, "select id from sources where origin = 'suggested' limit 1")[0][0]


@pytest.mark.asyncio
async def test_the_rename_form_changes_a_suggested_sources_kind(seed_copy):
    source_id = suggested_source(seed_copy)
    ds = Datasette([str(seed_copy)], metadata=REVIEWER)
    path = f"/claims/-/claims/sources/{source_id}"
    token, cookies = await token_and_cookies(ds, path, "anna")
    page = (await ds.client.get(path, cookies=cookies)).text
    assert '<select id="source-kind" name="kind">' in page
    ((before,),) = rows(seed_copy, "select kind from sources where id = ?", [source_id])
    after = "organisation" if before == "person" else "person"
    assert f'<option value="{before}" selected>' in page
    done = await ds.client.post(
        path + "/rename",
        data={"csrftoken": token, "name": "Anna Berg", "kind": after},
        cookies=cookies,
    )
    assert done.status_code == 302
    assert rows(seed_copy, "select kind, origin from sources where id = ?", [source_id]) == [
        (after, "confirmed")
    ]
    assert rows(
        seed_copy,
        "select old_value, new_value, changed_by from source_history "
        "where source_id = ? and field = 'kind'",
        [source_id],
    ) == [(before, after, "anna")]


def test_the_cli_renames_a_kind_and_refuses_an_unknown_one(seed_copy):
    source_id = suggested_source(seed_copy)
    bad = run_cli("source", "rename", seed_copy, source_id, "Anna Berg", "--kind", "wizard")
    assert bad.exit_code != 0 and "wizard" in bad.output
    good = run_cli(
        "source", "rename", seed_copy, source_id, "Anna Berg", "--kind", "organisation", "--by", "x"
    )
    assert good.exit_code == 0, good.output
    assert rows(seed_copy, "select kind from sources where id = ?", [source_id]) == [
        ("organisation",)
    ]


def test_cli_merge_names_propositions_and_extract_map_explains_sources():
    merge = run_cli("merge", "--help")
    assert "INTO_PROPOSITION FROM_PROPOSITION" in merge.output
    assert "TARGET" not in merge.output
    extract_map = run_cli("extract-map", "--help")
    assert re.search(r"--sources FILE\s+Source registry", extract_map.output), extract_map.output


def test_the_readme_says_which_permissions_open_the_forms_on_065():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Adding an article in the browser") :]
    blocks = re.findall(r"```yaml\n(plugins:\n  datasette-claims:\n.*?)```", section, re.S)
    both = [b for b in blocks if "review_allow" in b and "add_allow" in b]
    assert both, blocks
    # The block is valid YAML that grants both to root.
    import yaml

    granted = yaml.safe_load(both[0])["plugins"]["datasette-claims"]
    assert "root" in str(granted["review_allow"]) and "root" in str(granted["add_allow"])


def test_the_story_tables_are_read_by_index(storm):
    conn = sqlite3.connect(storm)
    plans = [
        " ".join(str(r[3]) for r in conn.execute(f"explain query plan {sql}").fetchall())
        for sql in (
            "select id from stories order by propositions desc, documents desc limit 30",
            "select proposition_id from story_propositions where story_id = 'x'",
        )
    ]
    conn.close()
    # A search, or a walk along an index in its order: never a scan of the table itself.
    assert all(re.search(r"USING (COVERING )?INDEX", p) for p in plans), plans
