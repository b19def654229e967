"""The write routes hold what the pages promise: nobody changes a table they may not view,
a long search or note cannot make a page fail, and pasting a stored article again keeps
what is stored about it."""

from __future__ import annotations

import re
import sqlite3

import pytest
from datasette.app import Datasette

from .utils import rows

pytestmark = pytest.mark.asyncio

CLAIM = "nis-3000-in-russia"
GRANTS = {"review_allow": {"id": "anna"}, "add_allow": {"id": "anna"}}
TEXT = (
    "Der Geheimdienst sagte am Freitag, dass 3000 Soldaten in Russland seien. "
    "Die Regierung erwartet, dass weitere Truppen bis Dezember eintreffen."
)


def _datasette(path, hidden: str | None = None) -> Datasette:
    metadata: dict = {"plugins": {"datasette-claims": GRANTS}}
    if hidden:
        metadata["databases"] = {"claims": {"tables": {hidden: {"allow": False}}}}
    return Datasette([str(path)], metadata=metadata)


async def _signed_in(ds: Datasette, page: str = f"/claims/-/claims/{CLAIM}"):
    """Anna's cookies and the form token of a page with her forms on it."""
    cookies = {"ds_actor": ds.sign({"a": {"id": "anna"}}, "actor")}
    response = await ds.client.get(page, cookies=cookies)
    assert response.status_code == 200, response.text
    token = re.search(r'name="csrftoken" value="([^"]*)"', response.text)
    if "ds_csrftoken" in response.cookies:
        cookies["ds_csrftoken"] = response.cookies["ds_csrftoken"]
    return cookies, token.group(1) if token else ""


def _dump(path) -> str:
    """Everything the database holds (the file alone would miss what is in its WAL)."""
    conn = sqlite3.connect(path)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def _suggest_a_source(path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "insert into sources (id, name, kind, independence_group, origin) "
            "values ('zq-speaker', 'A speaker', 'person', 'zq-speaker', 'suggested')"
        )
    conn.close()


OTHER = "nk-troops-prepared-for-combat"
WRITES = [
    ("sources", "sources/zq-speaker/merge", {"into": "nis-south-korea"}),
    ("sources", "sources/zq-speaker/confirm", {}),
    ("propositions", "compare/nk-troops-in-russia/split", {"claim": CLAIM, "statement": "S"}),
    ("propositions", f"{CLAIM}/link", {"proposition": OTHER}),
    ("propositions", "compare/nk-troops-in-russia/merge", {"source": OTHER}),
    ("claim_history", f"{CLAIM}/review", {"status": "disputed"}),
]  # fmt: skip


@pytest.mark.parametrize(("table", "route", "form"), WRITES)
async def test_writing_a_table_needs_permission_to_view_it(seed_copy, table, route, form):
    _suggest_a_source(seed_copy)
    for hidden in (table, None):  # refused while hidden; the same request, once allowed, works
        ds = _datasette(seed_copy, hidden)
        cookies, token = await _signed_in(ds)
        before = _dump(seed_copy)
        response = await ds.client.post(
            f"/claims/-/claims/{route}", data={"csrftoken": token, **form}, cookies=cookies
        )
        if hidden:
            assert response.status_code == 403, response.text
            assert f"You may not change {table}" in response.text
            assert _dump(seed_copy) == before
        else:
            assert response.status_code == 302, response.text
            assert _dump(seed_copy) != before


async def test_the_add_page_needs_permission_to_view_what_it_writes(seed_copy):
    ds = _datasette(seed_copy, "documents")
    cookies = {"ds_actor": ds.sign({"a": {"id": "anna"}}, "actor")}
    response = await ds.client.get("/claims/-/claims/add", cookies=cookies)
    assert response.status_code == 403 and "You may not change documents" in response.text


async def test_a_merge_search_of_a_thousand_words_is_cut_to_its_first_words(seed_copy):
    ds = _datasette(seed_copy)
    cookies, _ = await _signed_in(ds)
    words = " ".join(["Truppen"] + [f"wort{n}" for n in range(1000)])
    response = await ds.client.get(
        "/claims/-/claims/compare/nk-troops-prepared-for-combat",
        params={"merge_q": words},
        cookies=cookies,
    )
    assert response.status_code == 200, response.text[:500]
    assert "Only the first 20 words are searched" in response.text
    assert "wort18" in response.text and "wort19 " not in response.text


async def test_a_failed_write_with_a_huge_note_redirects_with_a_short_location(seed_copy):
    ds = _datasette(seed_copy)
    cookies, token = await _signed_in(ds)
    note = "n" * 200_000
    before = _dump(seed_copy)
    response = await ds.client.post(
        f"/claims/-/claims/{CLAIM}/review",  # confirmed needs evidence: refused
        data={"csrftoken": token, "status": "confirmed", "note": note, "evidence": "x" * 5000},
        cookies=cookies,
    )
    assert response.status_code == 302
    assert _dump(seed_copy) == before
    location = response.headers["location"]
    assert len(location) < 8000 and "%E2%80%A6" in location  # the note, cut with "…"
    assert sum(len(v) for k, v in response.headers.items() if k == "set-cookie") < 4000
    back = await ds.client.get(location, cookies={**cookies, **dict(response.cookies)})
    assert "Not recorded:" in back.text and "…" in back.text


async def test_pasting_a_stored_article_again_keeps_its_title_url_and_path(seed_copy):
    ds = _datasette(seed_copy)
    cookies, token = await _signed_in(ds, "/claims/-/claims/add")

    async def save(**fields: str) -> None:
        response = await ds.client.post(
            "/claims/-/claims/add",
            data={"csrftoken": token, "text": TEXT, "save": "1", **fields},
            cookies=cookies,
        )
        assert response.status_code == 302, response.text

    await save(title="Soldaten", url="https://example.org/a", publisher="Example")
    stored = rows(seed_copy, "select id, title, url, path, publisher from documents")
    await save()  # blank fields
    await save(title="Another title", url="https://example.org/b", publisher="Other")
    assert rows(seed_copy, "select id, title, url, path, publisher from documents") == stored
