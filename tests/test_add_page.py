"""The Add-article page: paste, preview, untick, save; claims-add, CSRF, read-only."""

from __future__ import annotations

import re

import pytest
from datasette.app import Datasette

from .utils import rows

GRANT = {"plugins": {"datasette-claims": {"add_allow": {"id": "anna"}}}}
TEXT = (
    "Der Geheimdienst sagte am Freitag, dass 3000 Soldaten in Russland seien. "
    "Die Regierung erwartet, dass weitere Truppen bis Dezember eintreffen."
)


def cookies_for(ds, actor_id):
    return {"ds_actor": ds.sign({"a": {"id": actor_id}}, "actor")}


async def form(ds, actor_id="anna"):
    cookies = cookies_for(ds, actor_id)
    page = await ds.client.get("/claims/-/claims/add", cookies=cookies)
    token = re.search(r'name="csrftoken" value="([^"]*)"', page.text)
    if "ds_csrftoken" in page.cookies:
        cookies["ds_csrftoken"] = page.cookies["ds_csrftoken"]
    return page, token.group(1) if token else "", cookies


@pytest.mark.asyncio
async def test_preview_writes_nothing_and_save_keeps_only_the_ticked_claims(seed_copy):
    ds = Datasette([str(seed_copy)], metadata=GRANT)
    page, token, cookies = await form(ds)
    assert page.status_code == 200 and 'name="text"' in page.text
    documents = rows(seed_copy, "select count(*) from documents")
    shown = await ds.client.post(
        "/claims/-/claims/add",
        data={"csrftoken": token, "text": TEXT, "title": "Soldaten", "preview": "1"},
        cookies=cookies,
    )
    assert shown.status_code == 200
    spans = re.findall(r'name="keep" value="(\d+-\d+)" checked', shown.text)
    assert len(spans) == 2 and "Der Geheimdienst" in shown.text
    assert rows(seed_copy, "select count(*) from documents") == documents  # nothing written
    saved = await ds.client.post(
        "/claims/-/claims/add",
        data={"csrftoken": token, "text": TEXT, "title": "Soldaten", "save": "1", "keep": spans[0]},
        cookies=cookies,
    )
    assert saved.status_code == 302
    (document,) = rows(seed_copy, "select id from documents where title = 'Soldaten'")
    kept = rows(seed_copy, 'select start, "end" from claims where document_id = ?', document)
    assert [f"{a}-{b}" for a, b in kept] == [spans[0]]
    assert rows(
        seed_copy,
        "select distinct changed_by from claim_history h join claims c on c.id = h.claim_id "
        "where c.document_id = ?",
        document,
    ) == [("anna",)]


@pytest.mark.asyncio
async def test_bad_input_says_what_and_writes_nothing(seed_copy):
    ds = Datasette([str(seed_copy)], metadata=GRANT)
    _, token, cookies = await form(ds)
    before = rows(seed_copy, "select count(*) from documents")
    for data, message in (
        ({"text": "  "}, "paste the article"),
        ({"text": TEXT, "published_at": "2024-02-30"}, "date:"),
        ({"text": TEXT, "url": "javascript:alert(1)"}, "url:"),
    ):
        response = await ds.client.post(
            "/claims/-/claims/add", data={"csrftoken": token, "save": "1", **data}, cookies=cookies
        )
        assert response.status_code == 400 and message in response.text
    assert rows(seed_copy, "select count(*) from documents") == before


@pytest.mark.asyncio
async def test_without_claims_add_or_on_a_read_only_database_it_is_refused(seed_copy):
    ds = Datasette([str(seed_copy)], metadata=GRANT)
    page, _, _ = await form(ds, "ben")
    assert page.status_code == 403
    assert (await ds.client.get("/claims/-/claims/add")).status_code == 403
    readonly = Datasette([], immutables=[str(seed_copy)], metadata=GRANT)
    page, _, _ = await form(readonly)
    assert page.status_code == 403


@pytest.mark.asyncio
async def test_a_post_without_the_csrf_token_is_refused(seed_copy):
    ds = Datasette([str(seed_copy)], metadata=GRANT)
    before = rows(seed_copy, "select count(*) from documents")
    response = await ds.client.post(
        "/claims/-/claims/add",
        data={"text": TEXT, "save": "1"},
        cookies=cookies_for(ds, "anna"),
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert rows(seed_copy, "select count(*) from documents") == before


@pytest.mark.asyncio
async def test_the_database_action_menu_offers_the_page_to_who_may_add(seed_copy):
    ds = Datasette([str(seed_copy)], metadata=GRANT)
    mine = await ds.client.get("/claims", cookies=cookies_for(ds, "anna"))
    theirs = await ds.client.get("/claims", cookies=cookies_for(ds, "ben"))
    assert "/claims/-/claims/add" in mine.text
    assert "/claims/-/claims/add" not in theirs.text
