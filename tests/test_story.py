"""Who says what (the story page), the status bar, the 404 page's ways back, and finding a
proposition to merge — against a real Datasette over the seed database."""

from __future__ import annotations

import re
import sqlite3
from html import unescape

import pytest
from datasette.app import Datasette

from datasette_claims.propositions.story import story_matrix

from .utils import rows

pytestmark = pytest.mark.asyncio(loop_scope="function")

GRANT = {"plugins": {"datasette-claims": {"review_allow": {"id": "anna"}}}}
MUNITIONS = "nk-supplies-russia-with-munitions"


async def story_json(ds: Datasette, query: str = "") -> dict:
    response = await ds.client.get("/claims/-/claims/story.json" + query)
    assert response.status_code == 200, response.text[:300]
    return response.json()


async def test_story_cells_agree_with_each_propositions_comparison(seed_db_path):
    ds = Datasette([str(seed_db_path)], immutables=[])
    story = await story_json(ds)
    assert story["columns"] and story["rows"]
    for n, column in enumerate(story["columns"]):
        compare = (await ds.client.get(f"/claims/-/claims/compare/{column['id']}.json")).json()
        groups = {g["id"]: g for g in compare["comparison"]["groups"]}
        # Every institution of the comparison has a cell in this column, and only those.
        speaking = {r["id"] for r in story["rows"] if r["cells"][n] is not None}
        assert speaking == set(groups), column["id"]
        assert column["disagreements"] == [
            d["message"] for d in compare["comparison"]["disagreements"]
        ]
    # Rows are the institutions that speak on most of these propositions first.
    counts = [r["propositions"] for r in story["rows"]]
    assert counts == sorted(counts, reverse=True)


async def test_disputed_proposition_marks_both_sides_cells(seed_db_path):
    ds = Datasette([str(seed_db_path)])
    story = await story_json(ds, f"?proposition={MUNITIONS}")
    assert [c["id"] for c in story["columns"]] == [MUNITIONS]
    cells = {r["name"]: r["cells"][0] for r in story["rows"]}
    assert cells["Government of Russia"]["stances"] == ["denies"]
    assert cells["Government of Russia"]["stance_conflict"]
    assert "asserts" in cells["Government of the United States"]["stances"]
    assert cells["Government of the United States"]["stance_conflict"]
    assert story["disputed"] == 1
    page = (await ds.client.get(f"/claims/-/claims/story?proposition={MUNITIONS}")).text
    assert page.count('class="claims-story-conflict"') == 2
    # Each cell links to the institution's rows on the comparison page, which exist.
    link = re.search(r'href="([^"]*compare/[^"#]*#institution-russia)"', page)
    assert link, "no cell links to Russia's rows"
    compare = (await ds.client.get(unescape(link.group(1)).split("#")[0])).text
    assert 'id="institution-russia"' in compare


async def test_story_by_topic_and_by_search(seed_db_path):
    ds = Datasette([str(seed_db_path)])
    topic = rows(seed_db_path, "select topic from propositions where id = ?", [MUNITIONS])[0][0]
    by_topic = await story_json(ds, "?topic=" + topic.replace(" ", "+"))
    expected = {
        r[0] for r in rows(seed_db_path, "select id from propositions where topic = ?", [topic])
    }
    assert {c["id"] for c in by_topic["columns"]} == expected
    assert all(c["topic"] == topic for c in by_topic["columns"])
    by_search = await story_json(ds, "?q=Munition")
    found = {c["id"] for c in by_search["columns"]}
    assert MUNITIONS in found
    assert "nk-troops-in-russia" not in found or len(found) > 1
    # The page offers the topics to choose from.
    page = (await ds.client.get("/claims/-/claims/story")).text
    assert f'<option value="{topic}"' in unescape(page)


async def test_story_names_a_missing_proposition(seed_db_path):
    ds = Datasette([str(seed_db_path)])
    response = await ds.client.get("/claims/-/claims/story.json?proposition=no-such-thing")
    assert response.status_code == 404
    assert "no-such-thing" in response.json()["error"]


async def test_story_needs_the_sources_table(seed_db_path):
    config = {"databases": {"claims": {"tables": {"sources": {"allow": False}}}}}
    ds = Datasette([str(seed_db_path)], metadata=config)
    response = await ds.client.get("/claims/-/claims/story.json")
    assert response.status_code == 403


async def test_story_matrix_counts_outlets_only_as_reported():
    propositions = [{"id": "p1", "statement": "S", "status": "unverified"}]
    claim = {
        "proposition_id": "p1",
        "status": "unverified",
        "figure_value": None,
        "figure_text": None,
    }
    claims = [
        {
            **claim,
            "id": "a",
            "stance": "asserts",
            "source_id": "dpa",
            "source_kind": "outlet",
            "independence_group": "dpa",
            "group_name": "dpa",
        },
        {
            **claim,
            "id": "b",
            "stance": "denies",
            "source_id": "kremlin",
            "source_kind": "government",
            "independence_group": "russia",
            "group_name": "Russia",
        },
        {**claim, "id": "c", "stance": "asserts", "source_id": None, "speaker": "a man"},
        {
            **claim,
            "id": "d",
            "stance": "asserts",
            "source_id": "x",
            "source_kind": "government",
            "independence_group": "x",
            "group_name": "X",
            "status": "retracted",
        },
    ]
    matrix = story_matrix(propositions, claims)
    cells = {r["id"]: r["cells"][0] for r in matrix["rows"]}
    assert set(cells) == {"dpa", "russia"}  # unattributed and retracted never make a row
    assert cells["dpa"]["reported_only"] and not cells["russia"]["reported_only"]
    # An outlet's narration is no assertion to disagree with.
    assert not cells["russia"]["stance_conflict"]
    assert matrix["columns"][0]["unattributed"] == 1


async def test_status_bar_segments_follow_the_counts(seed_db_path):
    ds = Datasette([str(seed_db_path)])
    page = (await ds.client.get("/claims/-/claims")).text
    bar = re.search(r'<svg class="claims-status-bar".*?</svg>', page, re.S)
    assert bar, "no status bar"
    counts = dict(rows(seed_db_path, "select status, count(*) from claims group by status"))
    widths = {
        m.group(1): float(m.group(2))
        for m in re.finditer(
            r'class="claims-bar-(\w+)" x="[\d.]+" y="0" width="([\d.]+)"', bar.group(0)
        )
    }
    assert set(widths) == set(counts)
    total = sum(counts.values())
    for status, n in counts.items():
        assert abs(widths[status] - 300 * n / total) < 0.01
    assert 'aria-label="Claims by status:' in bar.group(0)
    # The source page draws its own record.
    source = (await ds.client.get("/claims/-/claims/sources/south-korea")).text
    assert 'class="claims-status-bar"' in source


async def test_not_found_pages_offer_the_way_back(seed_db_path):
    ds = Datasette([str(seed_db_path)])
    for path in (
        "/claims/-/claims/nope",
        "/claims/-/claims/compare/nope",
        "/claims/-/claims/sources/nope",
    ):
        response = await ds.client.get(path)
        assert response.status_code == 404
        assert "not found: nope" in response.text
        assert 'href="/claims/-/claims"' in response.text
        assert 'href="/claims/-/claims/story"' in response.text
        assert 'name="q"' in response.text
    # JSON twins keep their JSON errors.
    response = await ds.client.get("/claims/-/claims/nope.json")
    assert response.status_code == 404 and response.json()["ok"] is False
    # An unknown database: only the start page to go back to.
    response = await ds.client.get("/nodb/-/claims")
    assert response.status_code == 404 and 'href="/"' in response.text
    assert "/nodb/-/claims/story" not in response.text


async def test_merge_offers_propositions_found_by_words(seed_copy):
    ds = Datasette([str(seed_copy)], metadata=GRANT)
    cookies = {"ds_actor": ds.sign({"a": {"id": "anna"}}, "actor")}
    base = "/claims/-/claims/compare/nk-troops-in-russia"
    page = (await ds.client.get(base, cookies=cookies)).text
    # Without words: the other propositions of the same topic, never the page's own.
    same_topic = {
        r[0]
        for r in rows(
            seed_copy,
            "select id from propositions where topic = (select topic from propositions "
            "where id = 'nk-troops-in-russia') and id != 'nk-troops-in-russia'",
        )
    }
    offered = set(re.findall(r'type="radio" name="source" value="([^"]+)"', page))
    assert offered == same_topic
    response = await ds.client.get(base + "?merge_q=Munition", cookies=cookies)
    if "ds_csrftoken" in response.cookies:
        cookies["ds_csrftoken"] = response.cookies["ds_csrftoken"]
    page = response.text
    offered = set(re.findall(r'type="radio" name="source" value="([^"]+)"', page))
    assert MUNITIONS in offered and "nk-troops-in-russia" not in offered
    # Choosing one and merging moves its claims here.
    token = re.search(r'name="csrftoken" value="([^"]*)"', page).group(1)
    moving = rows(seed_copy, "select count(*) from claims where proposition_id = ?", [MUNITIONS])[
        0
    ][0]
    response = await ds.client.post(
        base + "/merge", data={"csrftoken": token, "source": MUNITIONS}, cookies=cookies
    )
    assert response.status_code in (302, 303), response.text[:300]
    conn = sqlite3.connect(seed_copy)
    try:
        here = conn.execute(
            "select count(*) from claims where proposition_id = 'nk-troops-in-russia'"
        ).fetchone()[0]
    finally:
        conn.close()
    assert moving > 0 and here >= moving
    # Nobody without the permission sees the merge search.
    anonymous = (await ds.client.get(base + "?merge_q=Munition")).text
    assert 'name="merge_q"' not in anonymous
