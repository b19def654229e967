"""A claim on a proposition someone checked already: the verdict shown first, and a feed."""

from __future__ import annotations

import time
from xml.etree import ElementTree as ET

import pytest
from datasette.app import Datasette

from .utils import rows, run_cli

EVIDENCE = "https://example.org/imagery"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def checked(seed_copy):
    result = run_cli(
        "review", seed_copy, "nis-3000-in-russia", "--status", "confirmed",
        "--evidence", EVIDENCE, "--by", "anna",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return seed_copy


@pytest.mark.asyncio
async def test_another_claim_on_a_checked_proposition_shows_the_verdict(checked):
    ds = Datasette([str(checked)])
    page = (await ds.client.get("/claims/-/claims/us-troops-in-russia")).text
    assert "Already checked." in page and "anna marked a claim" in page
    assert 'href="/claims/-/claims/nis-3000-in-russia"' in page.split("Already checked.")[1]
    data = (await ds.client.get("/claims/-/claims/us-troops-in-russia.json")).json()
    (verdict,) = data["already_checked"]
    assert (verdict["reviewer"], verdict["status"], verdict["kind"]) == (
        "anna",
        "confirmed",
        "review",
    )
    overview = (await ds.client.get("/claims/-/claims?proposition=nk-troops-in-russia")).text
    assert "already checked: Confirmed" in overview
    # The reviewed claim itself shows no "already checked" note about itself.
    own = (await ds.client.get("/claims/-/claims/nis-3000-in-russia")).text
    assert "Already checked." not in own


@pytest.mark.asyncio
async def test_new_claims_on_checked_propositions_are_a_feed(checked, tmp_path):
    time.sleep(1.1)  # the new claim is created a second after the review
    article = tmp_path / "later.txt"
    article.write_text("Pjöngjang hat inzwischen 12.000 Soldaten entsandt.\n", encoding="utf-8")
    (tmp_path / "later.claims.yml").write_text(
        "document: {file: later.txt, language: de}\n"
        "claims:\n"
        "  - id: later-12000\n"
        "    text: Pjöngjang hat inzwischen 12.000 Soldaten entsandt.\n"
        "    source: north-korea\n"
        "    quote_kind: paraphrase\n"
        "    stance: asserts\n"
        "    proposition: nk-troops-in-russia\n",
        encoding="utf-8",
    )
    assert run_cli("load", checked, tmp_path, "--no-extract").exit_code == 0
    ds = Datasette([str(checked)])
    response = await ds.client.get("/claims/-/claims/checked.atom")
    assert response.status_code == 200
    feed = ET.fromstring(response.text)
    links = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]
    assert [link.rsplit("/", 1)[1] for link in links] == ["later-12000"]
    assert rows(checked, "select reviewed_at from claims where id = 'later-12000'") == [(None,)]
