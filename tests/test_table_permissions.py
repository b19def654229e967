"""Datasette's table permissions hold on every section of the claims pages and feeds.

With `allow: false` on a table, Datasette's own table page answers 403; the claims pages
must then show nothing they read from that table.
"""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from datasette.app import Datasette

from .utils import rows, run_cli

pytestmark = pytest.mark.asyncio

CLAIM = "nis-3000-in-russia"
EVIDENCE = "https://example.org/evidence-footage"
NOTE = "Satellite footage of the camps"
CREATED = "loaded from 000_7cc3b5ee41316440.claims.yml"  # the claim's first history reason


def _mentions(text: str, value: str) -> bool:
    """Whether a page holds the value, as HTML/XML text or as a JSON string."""
    return value in text or json.dumps(value)[1:-1] in text


@pytest.fixture
def reviewed(seed_copy):
    result = run_cli(
        "review", seed_copy, CLAIM, "--status", "confirmed", "--evidence", EVIDENCE,
        "--note", NOTE, "--by", "anna",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return seed_copy


def _hiding(path, table: str) -> Datasette:
    return Datasette(
        [str(path)], metadata={"databases": {"claims": {"tables": {table: {"allow": False}}}}}
    )


async def _texts(ds: Datasette) -> dict[str, str]:
    found = {}
    for name, url in (
        ("claim", f"/claims/-/claims/{CLAIM}"),
        ("claim.json", f"/claims/-/claims/{CLAIM}.json"),
        ("feed", "/claims/-/claims/changes.atom"),
        ("claimreview", "/claims/-/claims.claimreview.json"),
        ("compare.json", "/claims/-/claims/compare/nk-troops-in-russia.json"),
        ("overview.json", "/claims/-/claims.json?_size=1000"),
        ("story", "/claims/-/claims/story"),
        ("story.json", "/claims/-/claims/story.json"),
    ):
        response = await ds.client.get(url)
        found[name] = response.text if response.status_code == 200 else f"<{response.status_code}>"
    return found


async def test_every_section_shows_its_table_when_allowed(reviewed):
    """The control: with no table hidden, each value below is on the pages."""
    texts = await _texts(Datasette([str(reviewed)]))
    assert EVIDENCE in texts["claim"] and EVIDENCE in texts["feed"]
    assert NOTE in texts["claim"] and NOTE in texts["feed"]
    assert "National Intelligence Service (South Korea)" in texts["claim.json"]
    assert _mentions(texts["claim.json"], "Südkorea erwägt")
    assert CREATED in texts["claim"]
    assert "Government of South Korea" in texts["story.json"]


async def test_hidden_evidence(reviewed):
    ds = _hiding(reviewed, "evidence")
    assert (await ds.client.get("/claims/evidence.json")).status_code == 403
    texts = await _texts(ds)
    data = json.loads(texts["claim.json"])
    assert data["evidence"] == [] and "evidence" in data["hidden_tables"]
    for name, text in texts.items():
        assert EVIDENCE not in text, name


async def test_hidden_history(reviewed):
    ds = _hiding(reviewed, "claim_history")
    assert (await ds.client.get("/claims/claim_history.json")).status_code == 403
    texts = await _texts(ds)
    assert json.loads(texts["claim.json"])["history"] == []
    assert texts["feed"] == "<403>"
    for name, text in texts.items():
        assert CREATED not in text, name


async def test_hidden_sources(reviewed):
    ds = _hiding(reviewed, "sources")
    assert (await ds.client.get("/claims/sources.json")).status_code == 403
    assert (await ds.client.get("/claims/-/claims/sources/nis-south-korea")).status_code == 403
    texts = await _texts(ds)
    data = json.loads(texts["claim.json"])
    assert data["source"] is None and data["claim"]["source_name"] is None
    # The comparison says it groups by the claims' own source ids, not by institution.
    compared = json.loads(texts["compare.json"])
    assert "sources" in compared["hidden_tables"]
    assert {g["id"] for g in compared["comparison"]["groups"]} <= set(
        i for (i,) in rows(reviewed, "select source_id from claims")
    )
    names = [
        name
        for (name,) in rows(
            reviewed,
            "select name from sources where name not in "
            "(select publisher from documents where publisher is not null)",
        )
    ]
    for page, text in texts.items():
        for source_name in names:
            assert f'"{source_name}"' not in text, (page, source_name)  # no JSON value
            assert f"{source_name} claim" not in text, (page, source_name)  # no feed title


async def test_hidden_documents(reviewed):
    ds = _hiding(reviewed, "documents")
    texts = await _texts(ds)
    data = json.loads(texts["claim.json"])
    assert data["document"] == {} and data["passage"] is None
    (title,) = rows(reviewed, "select title from documents")[0]
    for name, text in texts.items():
        assert not _mentions(text, title), name


# Every column of a hidden table holds a marker; no page or JSON twin may show one.
MARK = "zqmark"
ARTICLE = (
    "Die Regierung werde nicht untätig bleiben, sagte der südkoreanische Präsident Yoon Suk Yeol. "
    "Nach Angaben des südkoreanischen Geheimdienstes sind 3.000 Soldaten in Russland."
)
VERDICT_CLAIM = "zq-verdict-claim"


def _plant_sources(path) -> None:
    """A marker in every text column of every source, and sources named by markers behind
    every reference between sources (parent, institution, declared group, merged into).

    The ids claims point at stay: `claims.source_id` is the claims table's own column.
    """
    conn = sqlite3.connect(path)
    with conn:
        ids = [i for (i,) in conn.execute("select id from sources")]
        for source_id in ids:
            conn.execute(
                "insert into sources (id, name, kind, independence_group, origin, merged_into) "
                "select ?, ?, kind, ?, origin, ? from sources where id = ?",
                [f"{MARK}-id-{source_id}", f"{MARK}-name", f"{MARK}-id-{source_id}",
                 f"{MARK}-id-{source_id}", source_id],
            )  # fmt: skip
        conn.execute(
            "update sources set name = ?, role = ?, country = ?, url = ?, description = ?, "
            "aliases = ? where id not like ?",
            [f"{MARK}-name", f"{MARK}-role", f"{MARK}-country", f"https://{MARK}.example/",
             f"{MARK}-description", json.dumps([f"{MARK}-alias"]), f"{MARK}%"],
        )  # fmt: skip
        conn.execute(
            "update sources set independence_group = ? || '-id-' || independence_group, "
            "declared_group = ? || '-id-' || independence_group, "
            "parent_id = case when parent_id is null then null else ? || '-id-' || parent_id end "
            "where id not like ?",
            [MARK, MARK, MARK, f"{MARK}%"],
        )
    conn.close()


def _plant_claim_reviews(path, tmp_path) -> None:
    """An imported verdict on a claim of its own (so its status is copied into
    claim_history), then a marker in every other column of claim_reviews."""
    # The file's name is also the claim's and its document's (theirs to show): the
    # verdict's copy of it (`imported_from`) gets its marker after the load.
    csv = tmp_path / "verdicts.csv"
    csv.write_text(
        "id,text,proposition,verdict,status,reviewer,review_url,reviewed_at\n"
        f"{VERDICT_CLAIM},Die Truppen sind nicht in Russland.,nk-troops-in-russia,"
        f"{MARK}-verdict,refuted,{MARK}-reviewer,https://{MARK}.example/review,2024-11-02\n",
        encoding="utf-8",
    )
    result = run_cli("load", path, csv)
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "update claim_reviews set reviewer_url = ?, rating_value = ?, best_rating = ?, "
            "worst_rating = ?, imported_from = ?",
            [f"https://{MARK}.example/reviewer", f"{MARK}-1", f"{MARK}-5", f"{MARK}-0",
             f"{MARK}-file"],
        )  # fmt: skip
    conn.close()


async def _every_page(ds: Datasette, path) -> dict[str, str]:
    """Every claims page and its JSON twin, the feeds and the add form's preview."""
    claims = [i for (i,) in rows(path, "select id from claims")]
    propositions = [i for (i,) in rows(path, "select id from propositions")]
    sources = [i for (i,) in rows(path, "select distinct source_id from claims") if i]
    urls = ["/claims/-/claims", "/claims/-/claims/story", "/claims/-/claims/add"]
    urls += [f"/claims/-/claims/{c}" for c in claims]
    urls += [f"/claims/-/claims/compare/{p}" for p in propositions]
    urls += [f"/claims/-/claims/sources/{s}" for s in sources]
    found = {}
    for url in urls:
        for twin in (url, url + ".json"):
            response = await ds.client.get(twin, cookies=_anna(ds))
            found[twin] = response.text
    for url in ("changes.atom", "checked.atom", ".claimreview.json"):
        url = "/claims/-/claims" + ("" if url.startswith(".") else "/") + url
        found[url] = (await ds.client.get(url)).text
    found["add preview"] = await _preview(ds, status=None)
    return found


def _anna(ds: Datasette) -> dict[str, str]:
    return {"ds_actor": ds.sign({"a": {"id": "anna"}}, "actor")}


async def _preview(ds: Datasette, status: int | None = 200) -> str:
    """The add page's preview of ARTICLE (refused where a table it writes is hidden)."""
    cookies = _anna(ds)
    page = await ds.client.get("/claims/-/claims/add", cookies=cookies)
    token = re.search(r'name="csrftoken" value="([^"]*)"', page.text)
    if "ds_csrftoken" in page.cookies:
        cookies["ds_csrftoken"] = page.cookies["ds_csrftoken"]
    response = await ds.client.post(
        "/claims/-/claims/add",
        data={"csrftoken": token.group(1) if token else "", "text": ARTICLE, "preview": "1"},
        cookies=cookies,
    )
    assert status is None or response.status_code == status, response.text
    return response.text


def _datasette(path, hidden: str | None) -> Datasette:
    metadata: dict = {"plugins": {"datasette-claims": {"add_allow": {"id": "anna"}}}}
    if hidden:
        metadata["databases"] = {"claims": {"tables": {hidden: {"allow": False}}}}
    return Datasette([str(path)], metadata=metadata)


@pytest.mark.parametrize("table", ["sources", "claim_reviews"])
async def test_no_page_shows_a_marker_from_a_hidden_table(seed_copy, tmp_path, table):
    if table == "sources":
        _plant_sources(seed_copy)
    else:
        _plant_claim_reviews(seed_copy, tmp_path)
    shown = await _every_page(_datasette(seed_copy, None), seed_copy)
    assert any(MARK in text for text in shown.values()), "the control: markers reach the pages"
    hidden = await _every_page(_datasette(seed_copy, table), seed_copy)
    leaks = sorted(url for url, text in hidden.items() if MARK in text)
    assert leaks == [], leaks


async def test_the_add_preview_names_no_registry_source_when_sources_are_hidden(seed_copy):
    # The preview names linked speakers' sources by name (not by registry id).
    names = [n for (n,) in rows(seed_copy, "select name from sources") if len(n) > 3]

    def named(text: str) -> list[str]:
        return [n for n in names if f"({n})" in text or f">{n}<" in text]

    assert named(await _preview(_datasette(seed_copy, None))) != []
    # Adding writes sources (suggested ones): the page needs permission to view them.
    refused = await _preview(_datasette(seed_copy, "sources"), status=403)
    assert named(refused) == [] and "You may not change sources" in refused
