"""The claims pages and their JSON twins, against a real Datasette over the seed database."""

from __future__ import annotations

import html
import re
import sqlite3

import pytest
from datasette.app import Datasette

from .utils import rows

pytestmark = pytest.mark.asyncio(loop_scope="function")


def db_name(path) -> str:
    return path.stem


async def get_json(ds: Datasette, path: str) -> dict:
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


async def get_html(ds: Datasette, path: str) -> str:
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    return response.text


def seed_count(path, sql: str, params=()) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


async def test_overview_counts_match_the_database(ds, seed_db_path):
    data = await get_json(ds, "/claims/-/claims.json")
    assert data["ok"] is True
    total = seed_count(seed_db_path, "select count(*) from claims")
    assert data["total"] == total
    assert sum(data["counts"]["status"].values()) == total
    assert set(data["counts"]["status"]) == {
        "unverified",
        "corroborated",
        "disputed",
        "confirmed",
        "refuted",
        "retracted",
    }
    by_source = {s["id"]: s["claims"] for s in data["counts"]["source"]}
    assert by_source["nis-south-korea"] == seed_count(
        seed_db_path, "select count(*) from claims where source_id = 'nis-south-korea'"
    )
    by_prop = {p["id"]: p for p in data["counts"]["proposition"]}
    assert by_prop["nk-troops-in-russia"]["claims"] == seed_count(
        seed_db_path, "select count(*) from claims where proposition_id = 'nk-troops-in-russia'"
    )
    assert by_prop["nk-troops-in-russia"]["institutions"] == 2
    for status, n in data["counts"]["status"].items():
        assert n == seed_count(
            seed_db_path, "select count(*) from claims where status = ?", [status]
        )
    assert data["counts"]["status"]["corroborated"] > 0 and data["counts"]["status"]["disputed"] > 0


async def test_overview_html_lists_claims_and_counts(ds):
    page = await get_html(ds, "/claims/-/claims")
    assert "<h1>Claims</h1>" in page
    assert "halten sich bereits 3.000 nordkoreanische Soldaten in Russland auf" in page
    assert 'href="/claims/-/claims/compare/nk-supplies-russia-with-munitions"' in page
    assert 'href="/claims/-/claims/sources/nis-south-korea"' in page
    assert 'class="claims-badge claims-status-corroborated"' in page
    assert 'class="claims-badge claims-status-disputed"' in page
    assert "/-/static-plugins/datasette_claims/claims.css" in page


@pytest.mark.parametrize(
    "query, column, value",
    [
        ("source=nis-south-korea", "source_id", "nis-south-korea"),
        ("proposition=nk-troops-in-russia", "proposition_id", "nk-troops-in-russia"),
        ("status=unverified", "status", "unverified"),
        ("stance=denies", "stance", "denies"),
    ],
)
async def test_overview_filters(ds, seed_db_path, query, column, value):
    data = await get_json(ds, f"/claims/-/claims.json?{query}")
    expected = seed_count(seed_db_path, f"select count(*) from claims where {column} = ?", [value])
    assert expected > 0
    assert data["total"] == expected == len(data["rows"])
    assert {row[column] for row in data["rows"]} == {value}


async def test_overview_filter_by_document_and_search(ds, seed_db_path):
    conn = sqlite3.connect(seed_db_path)
    (doc_id,) = conn.execute("select id from documents").fetchone()
    data = await get_json(ds, f"/claims/-/claims.json?document={doc_id}&_size=1000")
    total = seed_count(seed_db_path, "select count(*) from claims")
    assert data["total"] == len(data["rows"]) == total
    found = await get_json(ds, "/claims/-/claims.json?q=Munition")
    assert [r["id"] for r in found["rows"]] == ["us-accuses-munitions"]
    # Words match as prefixes, which suits German inflection: Geheimdienst -> Geheimdienstes.
    found = await get_json(ds, "/claims/-/claims.json?q=Geheimdienst")
    conn = sqlite3.connect(seed_db_path)
    mentions = conn.execute(
        "select id from claims where text like '%Geheimdienst%' or speaker like '%Geheimdienst%'"
    ).fetchall()
    assert {r["id"] for r in found["rows"]} == {m[0] for m in mentions}
    assert "nis-3000-in-russia" in {m[0] for m in mentions}
    # FTS syntax in the search box is searched for, not parsed.
    odd = await get_json(ds, '/claims/-/claims.json?q=" OR * NEAR(')
    assert odd["rows"] == []
    for junk in ("%22", "%22%22", "%00", "%20"):
        unfiltered = await get_json(ds, f"/claims/-/claims.json?q={junk}")
        assert unfiltered["total"] == total


async def test_overview_paging_walks_every_claim_once(ds, seed_db_path):
    seen = []
    url = "/claims/-/claims.json?_size=7"
    pages = 0
    while url:
        data = await get_json(ds, url)
        assert len(data["rows"]) <= 7
        seen.extend(r["id"] for r in data["rows"])
        url = data["next_url"]
        pages += 1
    assert len(seen) == len(set(seen)) == seed_count(seed_db_path, "select count(*) from claims")
    assert pages == -(-len(seen) // 7)


async def test_shape_array(ds):
    response = await ds.client.get("/claims/-/claims.json?_shape=array&source=russia")
    rows = response.json()
    assert isinstance(rows, list)
    assert {r["id"] for r in rows} == {"russia-denies-munitions", "russia-not-against-anyone"}


async def test_bad_parameters_are_400_not_500(ds):
    for query in ("status=bogus", "stance=bogus", "_size=abc", "_next=-3"):
        response = await ds.client.get(f"/claims/-/claims.json?{query}")
        assert response.status_code == 400, query
        body = response.json()
        assert body["ok"] is False and body["status"] == 400
    response = await ds.client.get("/claims/-/claims?status=bogus")
    assert response.status_code == 400
    assert "Unknown status" in response.text
    beyond = await get_json(ds, "/claims/-/claims.json?_next=99999999999999999999")
    assert beyond["rows"] == [] and beyond["next"] is None


async def test_claim_page_shows_source_span_history_and_related(ds, seed_db_path):
    page = await get_html(ds, "/claims/-/claims/nis-3000-in-russia")
    quote = (
        "Nach Angaben des südkoreanischen Geheimdienstes halten sich bereits "
        "3.000 nordkoreanische Soldaten in Russland auf."
    )
    assert f"<mark>{html.escape(quote)}</mark>" in page
    # The passage around the span is the surrounding paragraph.
    assert "Bis Dezember sollen es demnach 10.000 sein." in page
    assert "National Intelligence Service (South Korea)" in page
    assert "Foreign intelligence service" in page
    assert "Government of South Korea" in page  # its institution
    assert "3,000" in page and "soldiers" in page and "as of 2024-10-24" in page
    # History: created, with the corroboration the loader derived as it created it.
    assert re.search(
        r"<td data-label=\"Who\">loader</td><td data-label=\"What\">created, status derived"
        r"</td>\s*<td data-label=\"From\"></td><td data-label=\"To\">corroborated</td>",
        page,
    )  # in words, not "created status"
    # The stored reason names the proposition by id; the page by its statement.
    assert "derived: proposition “North Korean soldiers are in Russia.” is corroborated" in page
    # Related claims on the same proposition: the 10,000 forecast and the US government.
    assert 'href="/claims/-/claims/nis-10000-by-december"' in page
    assert 'href="/claims/-/claims/us-troops-in-russia"' in page
    assert 'href="/claims/-/claims/compare/nk-troops-in-russia"' in page


async def test_claim_json(ds, seed_db_path):
    data = await get_json(ds, "/claims/-/claims/nis-10000-by-december.json")
    claim = data["claim"]
    assert claim["stance"] == "expects"
    assert claim["figure_value"] == 10000 and claim["figure_as_of"] == "2024-12"
    assert claim["figure_is_forecast"] == 1
    assert data["source"]["independence_group"] == "south-korea"
    passage = data["passage"]
    assert passage["claim"] == claim["text"]
    conn = sqlite3.connect(seed_db_path)
    (text,) = conn.execute("select text from documents").fetchone()
    assert (
        text[passage["start"] : passage["end"]]
        == passage["before"] + passage["claim"] + passage["after"]
    )
    assert [h["action"] for h in data["history"]] == ["created"]
    assert {r["id"] for r in data["related"]} == {
        "nis-3000-in-russia",
        "nis-troops-in-facilities",
        "us-troops-in-russia",
    }
    array = (await ds.client.get("/claims/-/claims/nis-10000-by-december.json?_shape=array")).json()
    assert [r["id"] for r in array] == ["nis-10000-by-december"]


async def test_troops_comparison_two_independent_institutions(ds):
    data = await get_json(ds, "/claims/-/claims/compare/nk-troops-in-russia.json")
    comparison = data["comparison"]
    groups = {g["id"]: g for g in comparison["groups"]}
    assert set(groups) == {"south-korea", "united-states"}
    # One row per source within each institution.
    (nis_row,) = groups["south-korea"]["sources"]
    assert nis_row["id"] == "nis-south-korea"
    nis = {c["id"]: c for c in nis_row["claims"]}
    assert nis["nis-3000-in-russia"]["figure_value"] == 3000
    assert nis["nis-10000-by-december"]["figure_value"] == 10000
    assert nis["nis-10000-by-december"]["figure_is_forecast"] == 1
    assert nis_row["stances"] == ["asserts", "expects"]
    (us_row,) = groups["united-states"]["sources"]
    assert [c["id"] for c in us_row["claims"]] == ["us-troops-in-russia"]
    assert comparison["status"] == "corroborated"
    assert comparison["independent_institutions"] == 2
    # 3,000 now and 10,000 by December are a timeline, not a conflict.
    assert comparison["disagreements"] == []
    assert [(f["figure_as_of"], f["figure_value"]) for f in comparison["figures"]] == [
        ("2024-10-24", 3000),
        ("2024-12", 10000),
    ]


async def test_troops_comparison_html(ds):
    page = await get_html(ds, "/claims/-/claims/compare/nk-troops-in-russia")
    assert "<h1>North Korean soldiers are in Russia.</h1>" in page
    assert "claims-status-corroborated" in page
    assert "2 independent institutions" in page
    assert "3,000" in page and "10,000" in page
    assert "forecast" in page
    # Both institutions head a row group; one row per source.
    groups = re.findall(r'<th scope="rowgroup"[^>]*><a href="[^"]+">([^<]+)</a></th>', page)
    assert sorted(groups) == ["Government of South Korea", "Government of the United States"]
    assert page.count('<tr class="claims-source-row">') == 2
    assert "Disagreement" not in page


async def test_munitions_comparison_is_disputed(ds):
    data = await get_json(ds, "/claims/-/claims/compare/nk-supplies-russia-with-munitions.json")
    comparison = data["comparison"]
    assert comparison["status"] == "disputed"
    stances = {g["id"]: g["stances"] for g in comparison["groups"]}
    assert stances == {"united-states": ["asserts"], "russia": ["denies"]}
    (flag,) = comparison["disagreements"]
    assert flag["kind"] == "stance"
    assert set(flag["claim_ids"]) == {"us-accuses-munitions", "russia-denies-munitions"}
    page = await get_html(ds, "/claims/-/claims/compare/nk-supplies-russia-with-munitions")
    assert "Government of Russia denies what Government of the United States asserts" in page
    assert "claims-status-disputed" in page


async def test_two_officials_of_one_government_are_one_institution(ds):
    data = await get_json(ds, "/claims/-/claims/compare/south-korea-will-respond.json")
    comparison = data["comparison"]
    assert comparison["independent_institutions"] == 1
    sources = {s["id"] for g in comparison["groups"] for s in g["sources"]}
    assert {"yoon-suk-yeol", "cho-tae-yul", "south-korea"} <= sources
    assert comparison["status"] == "unverified"


async def test_source_page(ds, seed_db_path):
    data = await get_json(ds, "/claims/-/claims/sources/cho-tae-yul.json")
    assert data["source"]["role"] == "Foreign Minister of South Korea"
    assert [p["id"] for p in data["parents"]] == ["mofa-south-korea", "south-korea"]
    assert {r["id"] for r in data["rows"]} == {
        "cho-not-stand-by",
        "cho-all-options-on-table",
        "cho-depends-on-rewards",
    }
    assert data["status_counts"]["unverified"] == 3
    page = await get_html(ds, "/claims/-/claims/sources/south-korea")
    for member in ("Yoon Suk Yeol", "National Intelligence Service (South Korea)"):
        assert member in page
    assert "Südkorea" in page  # German alias
    # An institution's page lists its members' claims too, each with who said it.
    assert "Ich glaube nicht" in page and "Cho Tae Yul" in page


async def test_not_found_pages(ds):
    for path in (
        "/claims/-/claims/no-such-claim",
        "/claims/-/claims/compare/no-such-proposition",
        "/claims/-/claims/sources/no-such-source",
        "/nodb/-/claims",
    ):
        response = await ds.client.get(path)
        assert response.status_code == 404, path
        response = await ds.client.get(path + ".json")
        assert response.status_code == 404
        assert response.json()["ok"] is False


async def test_database_without_claims_tables_is_404(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (id integer)").connection.commit()
    ds = Datasette([str(other)])
    response = await ds.client.get("/other/-/claims.json")
    assert response.status_code == 404
    assert "holds no claims" in response.json()["error"]


async def test_status_column_renders_as_badge_in_table_view(ds, seed_db_path):
    page = await get_html(ds, "/claims/claims?_size=100")
    for status, label in (("unverified", "Unverified"), ("corroborated", "Corroborated")):
        expected = seed_count(
            seed_db_path, "select count(*) from claims where status = ?", [status]
        )
        badge = f'<span class="claims-badge claims-status-{status}">{label}</span>'
        assert page.count(badge) == expected > 0


async def test_claim_row_page_links_to_the_claim_page_beside_the_id(ds):
    # Both versions: render_cell adds the link to the id cell of the row page (0.65 has no
    # row actions), and the table page keeps Datasette's own link to each row.
    page = await get_html(ds, "/claims/claims/nis-3000-in-russia")
    link = '<a class="claims-row-link" href="/claims/-/claims/nis-3000-in-russia">'
    assert re.search(r"nis-3000-in-russia\s*" + re.escape(link), page)
    claim = await ds.client.get("/claims/-/claims/nis-3000-in-russia")
    assert claim.status_code == 200
    table = await get_html(ds, "/claims/claims?_size=100")
    assert '<a href="/claims/claims/nis-3000-in-russia">nis-3000-in-russia</a>' in table
    assert "claims-row-link" not in table  # the table's id column stays Datasette's link


async def test_a_claims_table_that_is_not_ours_keeps_its_plain_ids(tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("create table claims (id text primary key, status text)")
    conn.execute("insert into claims values ('c1', 'open')")
    conn.commit()
    conn.close()
    ds = Datasette([str(other)])
    page = await get_html(ds, "/other/claims/c1")
    assert "claims-row-link" not in page
    assert "c1" in page


async def test_database_page_links_to_overview(ds):
    page = await get_html(ds, "/claims")
    assert 'href="/claims/-/claims"' in page
    assert "Claims overview" in page


async def test_private_database_stays_private(seed_db_path):
    ds = Datasette(
        [str(seed_db_path)],
        metadata={"databases": {"claims": {"allow": {"id": "editor"}}}},
    )
    for path in ("/claims/-/claims", "/claims/-/claims/nis-3000-in-russia.json"):
        response = await ds.client.get(path)
        assert response.status_code == 403, path
    cookies = {"ds_actor": ds.sign({"a": {"id": "editor"}}, "actor")}
    response = await ds.client.get("/claims/-/claims.json", cookies=cookies)
    assert response.status_code == 200
    assert response.json()["total"] == seed_count(seed_db_path, "select count(*) from claims")


async def test_passage_needs_permission_to_read_documents(seed_db_path):
    ds = Datasette(
        [str(seed_db_path)],
        metadata={"databases": {"claims": {"tables": {"documents": {"allow": False}}}}},
    )
    assert (await ds.client.get("/claims/documents.json")).status_code == 403
    data = (await ds.client.get("/claims/-/claims/nis-3000-in-russia.json")).json()
    assert data["claim"]["id"] == "nis-3000-in-russia"
    assert data["passage"] is None
    page = (await ds.client.get("/claims/-/claims/nis-3000-in-russia")).text
    assert "<mark>" not in page


@pytest.mark.asyncio
async def test_an_institution_page_adds_up_its_members_at_every_level(ds, seed_db_path):
    data = (await ds.client.get("/claims/-/claims/sources/south-korea.json")).json()
    members = rows(
        seed_db_path,
        "select id from sources where independence_group = 'south-korea' and id != 'south-korea'",
    )
    assert sorted(m["id"] for m in data["members"]) == sorted(i for (i,) in members)
    assert any(m["depth"] > 1 for m in data["members"])  # not only the direct children
    (total,) = rows(
        seed_db_path,
        "select count(*) from claims c join sources s on s.id = c.source_id "
        "where s.independence_group = 'south-korea'",
    )[0]
    (own,) = rows(seed_db_path, "select count(*) from claims where source_id = 'south-korea'")[0]
    assert data["track_record"]["claims"] == total > own == data["own_claims"]
    page = (await ds.client.get("/claims/-/claims/sources/south-korea")).text
    assert f"{own} of these claims are its own" in page


async def test_the_overview_opens_with_what_needs_a_person(ds, seed_db_path):
    data = (await ds.client.get("/claims/-/claims.json")).json()
    (disputed,) = rows(seed_db_path, "select count(*) from propositions where status = 'disputed'")[
        0
    ]
    assert data["awaiting"]["disputed"] == disputed > 0
    assert data["awaiting"]["new_on_checked"] == 0  # nobody has checked anything yet
    page = (await ds.client.get("/claims/-/claims")).text
    assert "Needs a person" in page
    assert f"{disputed} disputed proposition" in page
