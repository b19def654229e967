"""The "Extract claims" enrichment: a table of articles, run through datasette-enrichments
on a real Datasette, into the claims tables of the same database."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from datasette import hookimpl
from datasette.app import Datasette
from datasette.plugins import pm

from datasette_claims.decisions.reviews import review_claim
from datasette_claims.errors import LoadError
from datasette_claims.load.table_rows import TableRow, load_table_row

from .utils import rows

pytest.importorskip("datasette_enrichments")
pytestmark = pytest.mark.asyncio(loop_scope="function")

SLUG = "datasette-claims-extract"
# Five short made-up articles, each with an attributed sentence the English rules find.
ARTICLES = [
    (
        1,
        "Bridge to reopen",
        "The mayor of Springfield, Jane Doe, said the bridge would reopen in March.\n\n"
        "Engineers warned that the repairs could take longer.",
        "2025-01-10",
        "https://example.org/bridge",
        "Springfield Courier",
    ),
    (
        2,
        "Budget row",
        "The finance minister said the budget deficit fell to 2 percent last year.\n\n"
        "The opposition denied that the figures were correct.",
        "2025-02-01",
        None,
        "Springfield Courier",
    ),
    (
        3,
        "Rail strike",
        "Union leaders said the strike would continue until Friday.",
        None,
        None,
        None,
    ),
    (
        4,
        "Harbour",
        "The port authority said 300 ships used the harbour in May.",
        "2025-06-01",
        None,
        None,
    ),
    (
        5,
        "Schools",
        "The head teacher said that classes were too large.",
        "2025-09-01",
        None,
        None,
    ),
]
CONFIG = {
    "text_column": "body",
    "title_column": "headline",
    "date_column": "published",
    "url_column": "link",
    "outlet_column": "outlet",
    "language": "",
    "extractor": "rules",
    "model": "",
}


def make_articles(path: Path, articles=ARTICLES) -> Path:
    conn = sqlite3.connect(path)
    conn.execute(
        "create table articles (id integer primary key, headline text, body text, "
        "published text, link text, outlet text)"
    )
    conn.executemany("insert into articles values (?, ?, ?, ?, ?, ?)", articles)
    conn.commit()
    conn.close()
    return path


def datasette_for(path: Path, add_allow=None) -> Datasette:
    ds = Datasette(
        [str(path)],
        metadata={"plugins": {"datasette-claims": {"add_allow": add_allow or {"id": "root"}}}},
    )
    ds.root_enabled = True  # 1.0a: root holds the enrichments permission (0.65: the plugin)
    return ds


async def run_job(ds: Datasette, database: str, config=CONFIG, actor="root") -> dict:
    from datasette_enrichments import get_enrichments

    enrichment = (await get_enrichments(ds))[SLUG]
    db = ds.get_database(database)
    job_id = await enrichment.enqueue(ds, db, "articles", "", config, actor)
    for _ in range(300):  # a cancelled job never completes: poll the status instead
        job = (await db.execute("select * from _enrichment_jobs where id = ?", [job_id])).first()
        if job["status"] in ("finished", "cancelled", "paused"):
            return dict(job)
        await asyncio.sleep(0.05)
    raise AssertionError("the job did not end")


def snapshot(path: Path) -> dict[str, list[tuple]]:
    return {
        table: rows(path, f"select * from {table} order by 1")
        for table in ("documents", "claims", "claim_history", "propositions", "sources")
    }


@pytest.fixture
def articles_db(tmp_path) -> Path:
    return make_articles(tmp_path / "news.db")


async def test_five_articles_become_documents_with_claims_and_history(articles_db):
    ds = datasette_for(articles_db)
    job = await run_job(ds, "news")
    assert (job["status"], job["done_count"], job["error_count"]) == ("finished", 5, 0)
    documents = rows(
        articles_db, "select origin_table, origin_pk, title, published_at, url from documents"
    )
    assert sorted(d[1] for d in documents) == ["[1]", "[2]", "[3]", "[4]", "[5]"]
    assert {d[0] for d in documents} == {"articles"}
    assert ("articles", "[1]", "Bridge to reopen", "2025-01-10", "https://example.org/bridge") in (
        documents
    )
    claims = rows(articles_db, "select id, speaker, origin, status from claims")
    assert {c[1] for c in claims} >= {"Jane Doe", "Union leaders", "The port authority"}
    assert {c[2] for c in claims} == {"extracted"}
    created = rows(articles_db, "select claim_id, changed_by from claim_history")
    assert sorted(c[0] for c in created) == sorted(c[0] for c in claims)
    assert {c[1] for c in created} == {"root"}
    page = await ds.client.get("/news/-/claims.json")
    assert page.json()["total"] == len(claims)


async def test_running_again_on_the_same_rows_changes_nothing(articles_db):
    ds = datasette_for(articles_db)
    await run_job(ds, "news")
    before = snapshot(articles_db)
    job = await run_job(ds, "news")
    assert (job["done_count"], job["error_count"]) == (5, 0)
    assert snapshot(articles_db) == before


async def test_an_edited_row_supersedes_its_machine_claims_but_not_reviewed_ones(articles_db):
    ds = datasette_for(articles_db)
    await run_job(ds, "news")
    (reviewed,) = rows(
        articles_db,
        "select c.id from claims c join documents d on d.id = c.document_id "
        "where d.origin_pk = '[2]' and c.speaker = 'The finance minister'",
    )[0]
    import sqlite_utils

    review_claim(
        sqlite_utils.Database(articles_db),
        reviewed,
        "refuted",
        "anna",
        evidence=["https://x.org/r"],
    )
    old = {
        claim_id: status
        for claim_id, status in rows(
            articles_db,
            "select c.id, c.status from claims c join documents d on d.id = c.document_id "
            "where d.origin_pk in ('[1]', '[2]')",
        )
    }
    conn = sqlite3.connect(articles_db)
    conn.execute("update articles set body = body || ' A spokesman said no more.' where id <= 2")
    conn.commit()
    conn.close()
    job = await run_job(ds, "news")
    assert job["error_count"] == 0
    after = dict(rows(articles_db, "select id, status from claims"))
    assert set(old) <= set(after)  # nothing deleted
    for claim_id in old:
        expected = old[claim_id] if claim_id == reviewed else "retracted"
        assert after[claim_id] == expected, claim_id
    history = rows(
        articles_db,
        "select claim_id, reason from claim_history where action = 'status' "
        "and new_value = 'retracted'",
    )
    assert {h[0] for h in history} == set(old) - {reviewed}
    assert all("superseded: articles row" in h[1] and "was edited" in h[1] for h in history)
    # The edited rows' new texts are documents of the same rows, with their own claims.
    assert rows(articles_db, "select count(*) from documents where origin_pk = '[1]'") == [(2,)]


async def test_a_bad_row_is_reported_the_others_go_on_and_it_leaves_nothing(tmp_path):
    articles = [
        *ARTICLES[:2],
        (6, "Empty", "   ", None, None, None),
        (7, "Bad date", "The mayor said the park opens soon.", "yesterday", None, None),
        (8, "Bad link", "The mayor said taxes will rise.", None, "javascript:alert(1)", None),
    ]
    path = make_articles(tmp_path / "news.db", articles)
    ds = datasette_for(path)
    job = await run_job(ds, "news")
    assert (job["status"], job["error_count"], job["done_count"]) == ("finished", 3, 5)
    errors = dict(rows(path, "select row_pks, error from _enrichment_errors"))
    assert "articles row 6: field 'text': the text column is empty" in errors["[6]"]
    assert "field 'date'" in errors["[7]"] and "'yesterday'" in errors["[7]"]
    assert "field 'url'" in errors["[8]"]
    assert sorted(r[0] for r in rows(path, "select origin_pk from documents")) == ["[1]", "[2]"]
    texts = " ".join(r[0] for r in rows(path, "select text from claims"))
    assert "park" not in texts and "taxes" not in texts


async def test_a_database_with_tables_of_our_names_is_refused_naming_them(tmp_path):
    path = make_articles(tmp_path / "news.db")
    conn = sqlite3.connect(path)
    conn.execute("create table sources (name text)")
    conn.execute("create table evidence (note text)")
    conn.commit()
    conn.close()
    ds = datasette_for(path)
    cookies = {"ds_actor": ds.sign({"a": {"id": "root"}}, "actor")}
    form = await ds.client.get(f"/-/enrich/news/articles/{SLUG}", cookies=cookies)
    assert form.status_code == 200
    post = {**CONFIG}
    if "csrftoken" in form.text:
        post["csrftoken"] = form.text.split('name="csrftoken" value="')[1].split('"')[0]
        cookies["ds_csrftoken"] = form.cookies.get("ds_csrftoken") or ""
    answer = await ds.client.post(f"/-/enrich/news/articles/{SLUG}", data=post, cookies=cookies)
    assert answer.status_code == 200  # the form again, with the error
    assert "already has tables named evidence, sources" in answer.text
    assert rows(path, "select name from sqlite_master where name = 'claims'") == []
    with pytest.raises(LoadError, match="evidence, sources"):
        import sqlite_utils

        load_table_row(sqlite_utils.Database(path), TableRow("articles", [1], "x said y."), "a")


class GrantEnrichmentsToBob:
    """Datasette 0.65: bob may run enrichments (1.0a grants it through the config)."""

    @hookimpl
    def permission_allowed(self, actor, action):
        if action == "enrichments" and (actor or {}).get("id") == "bob":
            return True
        return None


async def test_without_the_claims_add_permission_the_job_stops_and_writes_nothing(articles_db):
    import datasette

    one_alpha = not datasette.__version__.startswith("0.")
    ds = Datasette(
        [str(articles_db)],
        metadata={"plugins": {"datasette-claims": {"add_allow": {"id": "anna"}}}},
        **({"config": {"permissions": {"enrichments": {"id": "bob"}}}} if one_alpha else {}),
    )
    pm.register(GrantEnrichmentsToBob(), name="grant-enrichments-to-bob")
    try:
        cookies = {"ds_actor": ds.sign({"a": {"id": "bob"}}, "actor")}
        form = await ds.client.get(f"/-/enrich/news/articles/{SLUG}", cookies=cookies)
        assert form.status_code == 200  # bob may run enrichments ...
        job = await run_job(ds, "news", actor="bob")
    finally:
        pm.unregister(name="grant-enrichments-to-bob")
    assert job["status"] == "cancelled"  # ... but not add claims
    assert "bob may not add claims to this database" in job["cancel_reason"]
    assert "claims-add" in job["cancel_reason"]
    assert rows(articles_db, "select name from sqlite_master where name = 'claims'") == []


async def test_the_enrichments_permission_guards_the_form(articles_db):
    ds = datasette_for(articles_db)
    anonymous = await ds.client.get(f"/-/enrich/news/articles/{SLUG}")
    assert anonymous.status_code == 403
    cookies = {"ds_actor": ds.sign({"a": {"id": "root"}}, "actor")}
    form = await ds.client.get(f"/-/enrich/news/articles/{SLUG}", cookies=cookies)
    assert form.status_code == 200
    assert "Extract claims" in form.text and 'name="text_column"' in form.text


async def test_the_form_runs_the_job_as_the_signed_in_actor(articles_db):
    from datasette_enrichments.utils import wait_for_job

    ds = datasette_for(articles_db)
    cookies = {"ds_actor": ds.sign({"a": {"id": "root"}}, "actor")}
    form = await ds.client.get(f"/-/enrich/news/articles/{SLUG}", cookies=cookies)
    post = {**CONFIG}
    if "csrftoken" in form.text:  # 0.65 checks the form token; 1.0a the request's origin
        post["csrftoken"] = form.text.split('name="csrftoken" value="')[1].split('"')[0]
        cookies["ds_csrftoken"] = form.cookies.get("ds_csrftoken") or ""
    answer = await ds.client.post(f"/-/enrich/news/articles/{SLUG}", data=post, cookies=cookies)
    assert answer.status_code == 302, answer.text[:500]
    (job_id,) = rows(articles_db, "select id from _enrichment_jobs")[0]
    await wait_for_job(ds, job_id, "news", timeout=30)
    assert rows(articles_db, "select count(*) from documents") == [(5,)]
    assert {r[0] for r in rows(articles_db, "select changed_by from claim_history")} == {"root"}


async def test_a_row_that_fails_while_being_written_leaves_nothing_of_itself(articles_db):
    ds = datasette_for(articles_db)
    await run_job(ds, "news")  # the claims tables exist now
    before = snapshot(articles_db)
    conn = sqlite3.connect(articles_db)
    # A real failure halfway through the row's writes: its document and propositions are
    # inserted, then SQLite refuses one of its claims.
    conn.execute(
        "create trigger refuse_claim before insert on claims when new.text like "
        "'%museum closes%' begin select raise(abort, 'refused by a trigger'); end"
    )
    conn.execute(
        "insert into articles values (6, 'Refused', 'The mayor said the museum closes "
        "for good. A curator, Ann Lee, said the collection moves.', null, null, null)"
    )
    conn.execute(
        "insert into articles values (7, 'Fine', 'The minister said the museum stays.', "
        "null, null, null)"
    )
    conn.commit()
    conn.close()
    job = await run_job(ds, "news")
    assert (job["done_count"], job["error_count"]) == (7, 1)
    (error,) = rows(articles_db, "select row_pks, error from _enrichment_errors")
    assert error[0] == "[6]" and "refused by a trigger" in error[1]
    after = snapshot(articles_db)
    assert not any("museum closes" in str(row) for table in after.values() for row in table)
    new = {t: set(after[t]) - set(before[t]) for t in after}
    (document,) = new["documents"]  # row 7's only
    assert "museum stays" in str(document)
    assert new["claims"] and all("museum stays" in str(c) for c in new["claims"])
    assert len(new["propositions"]) == len(new["claims"])  # none left by row 6
