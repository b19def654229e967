"""Datasette's table permissions hold on every section of the claims pages and feeds.

With `allow: false` on a table, Datasette's own table page answers 403; the claims pages
must then show nothing they read from that table.
"""

from __future__ import annotations

import json

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
