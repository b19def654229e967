"""Reviews: the CLI and web paths, permissions and CSRF, derived statuses, feed and timeline."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from xml.etree import ElementTree as ET

import pytest
import sqlite_utils
from datasette.app import Datasette

from datasette_claims.db.migrations import MIGRATIONS
from datasette_claims.propositions.status import derive_statuses

from .utils import SEEDS, file_digest, rows, run_cli

EVIDENCE = "https://example.org/satellite-report"


def claim(id, group, stance="asserts", status="unverified", reviewed_at=None):
    return {
        "id": id,
        "stance": stance,
        "status": status,
        "reviewed_at": reviewed_at,
        "source_kind": "government",
        "independence_group": group,
        "group_name": group,
    }


# --- derivation rules -----------------------------------------------------------------------


def test_a_review_decides_over_the_evidence():
    claims = [
        claim("us", "us", status="refuted", reviewed_at="2024-11-01"),
        claim("ru", "ru", stance="denies", status="disputed"),
    ]
    status, derived = derive_statuses(claims)
    assert status == "refuted"
    assert derived == {"ru": "confirmed"}  # the reviewed claim keeps its decision


def test_confirming_a_denial_refutes_the_proposition():
    claims = [
        claim("us", "us"),
        claim("ru", "ru", stance="denies", status="confirmed", reviewed_at="2024-11-01"),
    ]
    status, derived = derive_statuses(claims)
    assert status == "refuted" and derived == {"us": "refuted"}


def test_latest_review_wins():
    claims = [
        claim("a", "kr", status="confirmed", reviewed_at="2024-11-01"),
        claim("b", "us", status="refuted", reviewed_at="2024-12-01"),
    ]
    assert derive_statuses(claims)[0] == "refuted"


def test_retracted_claims_no_longer_count():
    claims = [claim("a", "kr"), claim("b", "us", status="retracted", reviewed_at="2024-11-01")]
    status, derived = derive_statuses(claims)
    assert status == "unverified" and derived == {"a": "unverified"}


def test_one_institution_twice_is_not_corroboration():
    assert derive_statuses([claim("a", "kr"), claim("b", "kr")])[0] == "unverified"
    assert derive_statuses([claim("a", "kr"), claim("b", "us")])[0] == "corroborated"


# --- the CLI --------------------------------------------------------------------------------


def test_cli_review_moves_claim_proposition_and_track_record(seed_copy):
    before = dict(rows(seed_copy, "select source_id, refuted from source_track_records"))
    result = run_cli(
        "review",
        seed_copy,
        "us-accuses-munitions",
        "--status",
        "refuted",
        "--evidence",
        EVIDENCE,
        "--note",
        "No transfers seen",
        "--by",
        "anna",
        "--credibility",
        "2",
    )
    assert result.exit_code == 0, result.output
    assert "disputed -> refuted" in result.output
    assert rows(
        seed_copy,
        "select status, reviewed_by, credibility from claims where id = 'us-accuses-munitions'",
    ) == [("refuted", "anna", 2)]
    assert rows(
        seed_copy, "select status from propositions where id = 'nk-supplies-russia-with-munitions'"
    ) == [("refuted",)]
    # Russia's denial of a refuted accusation is now confirmed, by derivation.
    assert rows(
        seed_copy, "select status, reviewed_by from claims where id = 'russia-denies-munitions'"
    ) == [("confirmed", None)]
    after = dict(rows(seed_copy, "select source_id, refuted from source_track_records"))
    assert after["united-states"] == before["united-states"] + 1
    review = rows(
        seed_copy,
        "select changed_by, action, old_value, new_value, reason, evidence_url "
        "from claim_history where claim_id = 'us-accuses-munitions' order by id desc limit 1",
    )
    assert review == [("anna", "review", "disputed", "refuted", "No transfers seen", EVIDENCE)]
    assert rows(seed_copy, "select claim_id, url, added_by from evidence") == [
        ("us-accuses-munitions", EVIDENCE, "anna")
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["no-such-claim", "--status", "refuted", "--evidence", EVIDENCE, "--by", "anna"],
            "no claim with id 'no-such-claim'",
        ),
        (["us-accuses-munitions", "--status", "debunked", "--by", "anna"], "unknown status"),
        (["us-accuses-munitions", "--status", "retracted", "--by", "  "], "reviewer's name"),
        (["us-accuses-munitions", "--status", "refuted", "--by", "anna"], "needs at least one"),
        (
            [
                "us-accuses-munitions",
                "--status",
                "refuted",
                "--by",
                "anna",
                "--evidence",
                "javascript:alert(1)",
            ],
            "not an http(s) URL",
        ),
        (
            [
                "us-accuses-munitions",
                "--status",
                "confirmed",
                "--by",
                "anna",
                "--evidence",
                EVIDENCE,
                "--credibility",
                "9",
            ],
            "credibility",
        ),
    ],
)
def test_cli_review_refuses_bad_input_and_writes_nothing(seed_copy, args, message):
    before = file_digest(seed_copy)
    result = run_cli("review", seed_copy, *args)
    assert result.exit_code == 1
    assert message in result.output and "Nothing was written" in result.output
    assert file_digest(seed_copy) == before


def test_history_rows_are_never_rewritten(seed_copy):
    first = rows(seed_copy, "select * from claim_history order by id")
    run_cli(
        "review",
        seed_copy,
        "nis-3000-in-russia",
        "--status",
        "confirmed",
        "--evidence",
        EVIDENCE,
        "--by",
        "anna",
    )
    run_cli("review", seed_copy, "nis-3000-in-russia", "--status", "unverified", "--by", "ben")
    after = rows(seed_copy, "select * from claim_history order by id")
    assert after[: len(first)] == first
    actions = [r[4] for r in after[len(first) :] if r[1] == "nis-3000-in-russia"]
    assert actions.count("review") == 2
    # Reopened: the decision is withdrawn and the evidence decides again.
    assert rows(
        seed_copy, "select status, reviewed_at from claims where id = 'nis-3000-in-russia'"
    ) == [("corroborated", None)]


def test_migrating_a_first_version_database(tmp_path):
    """A database made by migration 0001 alone gets 0002 and its statuses on the next load."""
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    db.execute("create table claims_migrations (name text primary key, applied_at text not null)")
    name, first = MIGRATIONS[0]
    first(db)
    db.execute("insert into claims_migrations values (?, '2024-01-01')", [name])
    db.close()
    assert run_cli("load", path, SEEDS).exit_code == 0
    assert [r[0] for r in rows(path, "select name from claims_migrations order by name")] == [
        m[0] for m in MIGRATIONS
    ]
    assert rows(path, "select status from propositions where id = 'nk-troops-in-russia'") == [
        ("corroborated",)
    ]


# --- pages after a review -------------------------------------------------------------------


@pytest.mark.asyncio
async def test_pages_and_json_show_the_review(seed_copy):
    run_cli(
        "review",
        seed_copy,
        "us-accuses-munitions",
        "--status",
        "refuted",
        "--evidence",
        EVIDENCE,
        "--note",
        "No transfers seen",
        "--by",
        "anna",
    )
    ds = Datasette([str(seed_copy)])
    compare = (
        await ds.client.get("/claims/-/claims/compare/nk-supplies-russia-with-munitions.json")
    ).json()
    assert compare["comparison"]["status"] == "refuted"
    assert [r["reviewed_by"] for r in compare["comparison"]["reviews"]] == ["anna"]
    page = (await ds.client.get("/claims/-/claims/compare/nk-supplies-russia-with-munitions")).text
    assert "claims-status-refuted" in page and "marked refuted by anna" in page
    source = (await ds.client.get("/claims/-/claims/sources/united-states.json")).json()
    assert source["track_record"]["refuted"] == 1
    source_page = (await ds.client.get("/claims/-/claims/sources/united-states")).text
    record = source["track_record"]  # the institution's, with its members' claims
    assert (
        f'<td data-label="Claims">{record["claims"]}</td><td data-label="Confirmed">0</td>'
        '<td data-label="Refuted">1</td>'
    ) in source_page
    claim_page = (await ds.client.get("/claims/-/claims/us-accuses-munitions")).text
    assert "reviewed by anna" in claim_page
    assert f'<a href="{EVIDENCE}" rel="noopener noreferrer nofollow">{EVIDENCE}</a>' in claim_page
    assert "No transfers seen" in claim_page


# --- the web review path --------------------------------------------------------------------

GRANT = {"plugins": {"datasette-claims": {"review_allow": {"id": "anna"}}}}


def cookie(ds, actor_id):
    return {"ds_actor": ds.sign({"a": {"id": actor_id}}, "actor")}


async def review_form(ds, actor_id):
    """GET the claim page as an actor: (page, csrftoken field, cookies to send back)."""
    cookies = cookie(ds, actor_id)
    response = await ds.client.get("/claims/-/claims/us-accuses-munitions", cookies=cookies)
    token = re.search(r'name="csrftoken" value="([^"]*)"', response.text)
    if "ds_csrftoken" in response.cookies:
        cookies["ds_csrftoken"] = response.cookies["ds_csrftoken"]
    return response.text, token.group(1) if token else None, cookies


@pytest.mark.asyncio
async def test_reviewer_sees_the_form_and_records_a_review(seed_copy):
    ds = Datasette([str(seed_copy)], metadata=GRANT)
    page, token, cookies = await review_form(ds, "anna")
    assert '<form class="core claims-review"' in page and token is not None
    response = await ds.client.post(
        "/claims/-/claims/us-accuses-munitions/review",
        data={
            "csrftoken": token,
            "status": "refuted",
            "evidence": EVIDENCE,
            "note": "Checked",
            "credibility": "2",
        },
        cookies=cookies,
    )
    assert response.status_code == 302
    assert response.headers["location"].endswith("/claims/-/claims/us-accuses-munitions")
    assert rows(
        seed_copy,
        "select status, reviewed_by, credibility from claims where id = 'us-accuses-munitions'",
    ) == [("refuted", "anna", 2)]
    assert rows(
        seed_copy, "select status from propositions where id = 'nk-supplies-russia-with-munitions'"
    ) == [("refuted",)]


@pytest.mark.asyncio
async def test_a_bad_web_review_writes_nothing(seed_copy):
    ds = Datasette([str(seed_copy)], metadata=GRANT)
    _, token, cookies = await review_form(ds, "anna")
    before = file_digest(seed_copy)
    response = await ds.client.post(
        "/claims/-/claims/us-accuses-munitions/review",
        data={
            "csrftoken": token,
            "status": "refuted",
            "evidence": "",
            "note": "Checked the imagery",
        },
        cookies=cookies,
    )
    assert response.status_code == 302
    assert file_digest(seed_copy) == before
    # Back on the form, what was typed is still there.
    again = await ds.client.get(response.headers["location"], cookies=cookies)
    assert ">Checked the imagery</textarea>" in again.text
    assert '<option value="refuted" selected>' in again.text


@pytest.mark.asyncio
@pytest.mark.parametrize("actor_id", ["ben", None])
async def test_without_permission_no_form_and_403(seed_copy, actor_id):
    ds = Datasette([str(seed_copy)], metadata=GRANT)
    cookies = cookie(ds, actor_id) if actor_id else {}
    page = (await ds.client.get("/claims/-/claims/us-accuses-munitions", cookies=cookies)).text
    assert "claims-review" not in page.split("<h2>History</h2>")[0].split("<h1>Claim</h1>")[1]
    assert "Review this claim" not in page
    before = file_digest(seed_copy)
    _, token, form_cookies = await review_form(ds, actor_id or "nobody")
    response = await ds.client.post(
        "/claims/-/claims/us-accuses-munitions/review",
        data={"csrftoken": token or "", "status": "refuted", "evidence": EVIDENCE},
        cookies={**form_cookies, **cookies}
        if actor_id
        else {k: v for k, v in form_cookies.items() if k != "ds_actor"},
    )
    assert response.status_code == 403
    assert file_digest(seed_copy) == before


@pytest.mark.asyncio
async def test_cross_site_post_is_refused(seed_copy):
    ds = Datasette([str(seed_copy)], metadata=GRANT)
    before = file_digest(seed_copy)
    response = await ds.client.post(
        "/claims/-/claims/us-accuses-munitions/review",
        data={"status": "refuted", "evidence": EVIDENCE},
        cookies=cookie(ds, "anna"),
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert file_digest(seed_copy) == before


@pytest.mark.asyncio
async def test_immutable_database_has_no_form_and_refuses_everyone(seed_copy):
    ds = Datasette([], immutables=[str(seed_copy)], metadata=GRANT)
    page, token, cookies = await review_form(ds, "anna")
    assert "Review this claim" not in page
    before = file_digest(seed_copy)
    response = await ds.client.post(
        "/claims/-/claims/us-accuses-munitions/review",
        data={"csrftoken": token or "", "status": "refuted", "evidence": EVIDENCE},
        cookies=cookies,
    )
    assert response.status_code == 403
    assert file_digest(seed_copy) == before


# --- feed and timeline ----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_atom_feed_lists_status_changes(seed_copy):
    run_cli(
        "review",
        seed_copy,
        "us-accuses-munitions",
        "--status",
        "refuted",
        "--evidence",
        EVIDENCE,
        "--note",
        "No \x01transfers",
        "--by",
        "anna",
    )
    ds = Datasette([str(seed_copy)])
    response = await ds.client.get("/claims/-/claims/changes.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.text)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    expected = rows(
        seed_copy,
        "select count(*) from claim_history where action in ('status', 'review') "
        "or (action = 'created' and new_value != 'unverified')",
    )
    assert len(entries) == expected[0][0]
    titles = [e.find("a:title", ns).text for e in entries]
    assert any(t.startswith("Derived: ") and "new → corroborated" in t for t in titles)
    newest_review = next(e for e in entries if e.find("a:title", ns).text.startswith("Review"))
    assert "disputed → refuted" in newest_review.find("a:title", ns).text
    assert newest_review.find("a:author/a:name", ns).text == "anna"
    summary = newest_review.find("a:summary", ns).text
    assert EVIDENCE in summary and "No transfers" in summary
    assert (
        newest_review.find("a:link", ns)
        .attrib["href"]
        .endswith("/claims/-/claims/us-accuses-munitions")
    )


@pytest.mark.asyncio
async def test_timeline_is_inline_svg(ds):
    page = (await ds.client.get("/claims/-/claims/compare/nk-troops-in-russia")).text
    svg = re.search(r"<svg class=\"claims-timeline\".*?</svg>", page, re.S).group(0)
    tree = ET.fromstring(svg)
    circles = tree.findall(".//{http://www.w3.org/2000/svg}circle")
    assert len(circles) == 2
    classes = sorted(c.attrib["class"] for c in circles)
    assert classes == ["claims-tl-figure", "claims-tl-figure claims-tl-forecast"]
    assert "<script" not in svg
    data = (await ds.client.get("/claims/-/claims/compare/nk-troops-in-russia.json")).json()
    (now, december) = data["comparison"]["figure_ranges"]
    assert (now["as_of"], now["min"], now["max"], now["spread"]) == ("2024-10-24", 3000, 3000, 0)
    assert (december["as_of"], december["forecast"]) == ("2024-12", True)


@pytest.mark.asyncio
async def test_feed_ids_do_not_depend_on_the_host(seed_copy):
    ds = Datasette([str(seed_copy)])
    ns = {"a": "http://www.w3.org/2005/Atom"}
    ids = []
    for host in ("localhost", "claims.example.org"):
        text = (await ds.client.get("/claims/-/claims/changes.atom", headers={"host": host})).text
        ids.append([e.text for e in ET.fromstring(text).findall("a:entry/a:id", ns)])
    assert ids[0] == ids[1] and ids[0][0].startswith("tag:datasette-claims,2024:claims/change/")


# --- imported verdicts are evidence, never a person's decision -------------------------------


def _verdict_csv(tmp_path, claim_id, verdict, reviewed_at, reviewer="SomeChecker"):
    path = tmp_path / f"verdict-{reviewed_at}.csv"
    text = (
        f"id,text,verdict,reviewer,reviewed_at\n{claim_id},x,{verdict},{reviewer},{reviewed_at}\n"
    )
    path.write_text(text, encoding="utf-8")
    return path, text


def test_an_imported_verdict_never_overrides_a_persons_review(seed_copy, tmp_path):
    claim = "nis-3000-in-russia"
    result = run_cli(
        "review", seed_copy, claim, "--status", "confirmed", "--evidence", EVIDENCE, "--by", "anna"
    )
    assert result.exit_code == 0, result.output
    decided = rows(
        seed_copy, f"select status, reviewed_by, reviewed_at from claims where id = '{claim}'"
    )
    # Dated after the review (today), so only rank, not date, keeps the person's decision.
    path, _ = _verdict_csv(tmp_path, claim, "False", datetime.now(timezone.utc).date().isoformat())
    result = run_cli("load", seed_copy, path)
    assert result.exit_code == 0, result.output
    assert (
        rows(seed_copy, f"select status, reviewed_by, reviewed_at from claims where id = '{claim}'")
        == decided
    )
    # The verdict is kept as evidence about the claim.
    assert rows(
        seed_copy, f"select reviewer, verdict, status from claim_reviews where claim_id = '{claim}'"
    ) == [("SomeChecker", "False", "refuted")]
    assert rows(seed_copy, "select status from propositions where id = 'nk-troops-in-russia'") == [
        ("confirmed",)
    ]


def test_an_imported_verdict_judges_an_unreviewed_claim_and_rederives(seed_copy, tmp_path):
    claim = "nis-3000-in-russia"
    path, _ = _verdict_csv(tmp_path, claim, "False", "2024-11-01")
    result = run_cli("load", seed_copy, path)
    assert result.exit_code == 0, result.output
    assert rows(seed_copy, f"select status, reviewed_by from claims where id = '{claim}'") == [
        ("refuted", None)
    ]
    # Its proposition follows the verdict at once, not at the next load.
    assert rows(seed_copy, "select status from propositions where id = 'nk-troops-in-russia'") == [
        ("refuted",)
    ]
    (row,) = rows(
        seed_copy,
        "select changed_by, reason from claim_history where claim_id = ? order by id desc limit 1",
        [claim],
    )
    assert row[0] == "SomeChecker" and "imported from" in row[1]
    # A person's later review decides, whatever the verdict's date.
    result = run_cli(
        "review", seed_copy, claim, "--status", "confirmed", "--evidence", EVIDENCE, "--by", "anna"
    )
    assert result.exit_code == 0, result.output
    assert rows(seed_copy, "select status from propositions where id = 'nk-troops-in-russia'") == [
        ("confirmed",)
    ]


def test_a_verdict_dated_in_the_future_is_refused(seed_copy, tmp_path):
    before = file_digest(seed_copy)
    path, _ = _verdict_csv(tmp_path, "nis-3000-in-russia", "False", "9999-12-31")
    result = run_cli("load", seed_copy, path)
    assert result.exit_code != 0
    assert "reviewed_at" in result.output and "future" in result.output
    assert "Traceback" not in result.output
    assert file_digest(seed_copy) == before


@pytest.mark.parametrize("verb", ["replace", "insert or replace"])
def test_history_cannot_be_rewritten_by_replace(seed_copy, verb):
    first = rows(seed_copy, "select * from claim_history order by id limit 1")[0]
    db = sqlite_utils.Database(seed_copy)
    with pytest.raises(Exception, match="append-only"):
        db.execute(
            f"{verb} into claim_history (id, claim_id, changed_at, changed_by, action) "
            "values (?, ?, '2024-01-01', 'mallory', 'created')",
            [first[0], first[1]],
        )
    db.close()
    assert rows(seed_copy, "select * from claim_history order by id limit 1")[0] == first


@pytest.mark.asyncio
async def test_feed_links_resolve_for_awkward_ids_and_stay_well_formed(seed_copy, tmp_path):
    awkward = "fc/2024.11 #7 a"
    data = tmp_path / "awkward.csv"
    data.write_text(
        f"id,text,verdict,reviewer,reviewed_at\n{awkward},A claim,False,Checker,2024-11-01\n",
        encoding="utf-8",
    )
    assert run_cli("load", seed_copy, data).exit_code == 0
    # Whatever a row holds, the feed stays XML: control characters written straight in.
    db = sqlite_utils.Database(seed_copy)
    db.execute(
        "insert into claim_history (claim_id, changed_at, changed_by, action, reason) "
        "values (?, '2024-11-02\x02', 'bad\x01name\x0b', 'status', 'why\x07')",
        [awkward],
    )
    db.execute("update claims set text = 'A \x1bclaim' where id = ?", [awkward])
    db.conn.commit()
    db.close()
    ds = Datasette([str(seed_copy)])
    response = await ds.client.get("/claims/-/claims/changes.atom")
    assert response.status_code == 200
    feed = ET.fromstring(response.text)  # raises on ill-formed XML
    ns = {"a": "http://www.w3.org/2005/Atom"}
    hrefs = [e.find("a:link", ns).attrib["href"] for e in feed.findall("a:entry", ns)]
    (link,) = {h for h in hrefs if "fc" in h and "2024" in h}
    page = await ds.client.get(link.removeprefix("http://localhost") + ".json")
    assert page.status_code == 200, link
    assert page.json()["claim"]["id"] == awkward


@pytest.mark.asyncio
async def test_a_web_review_waits_for_another_writer_then_says_busy(seed_copy, monkeypatch):
    import sqlite3

    monkeypatch.setenv("CLAIMS_WAIT_SECONDS", "1")
    ds = Datasette([str(seed_copy)], metadata=GRANT)
    _, token, cookies = await review_form(ds, "anna")
    form = {"csrftoken": token, "status": "refuted", "evidence": EVIDENCE}
    before = rows(
        seed_copy, "select status, reviewed_by from claims where id = 'us-accuses-munitions'"
    )
    other = sqlite3.connect(seed_copy, isolation_level=None)
    other.execute("pragma journal_mode = wal")
    other.execute("begin immediate")  # another process writing, e.g. a load
    try:
        response = await ds.client.post(
            "/claims/-/claims/us-accuses-munitions/review", data=form, cookies=cookies
        )
    finally:
        other.execute("rollback")
        other.close()
    assert response.status_code == 503
    assert "busy" in response.text and "Traceback" not in response.text
    assert (
        rows(seed_copy, "select status, reviewed_by from claims where id = 'us-accuses-munitions'")
        == before
    )
    # Once the other writer is done, the same form records the review.
    response = await ds.client.post(
        "/claims/-/claims/us-accuses-munitions/review", data=form, cookies=cookies
    )
    assert response.status_code == 302
    assert rows(seed_copy, "select reviewed_by from claims where id = 'us-accuses-munitions'") == [
        ("anna",)
    ]


@pytest.mark.asyncio
async def test_the_comparison_page_shows_the_status_an_imported_verdict_gives(seed_copy, tmp_path):
    path, _ = _verdict_csv(tmp_path, "nis-3000-in-russia", "False", "2024-11-01")
    assert run_cli("load", seed_copy, path).exit_code == 0
    ds = Datasette([str(seed_copy)])
    data = (await ds.client.get("/claims/-/claims/compare/nk-troops-in-russia.json")).json()
    stored = rows(seed_copy, "select status from propositions where id = 'nk-troops-in-russia'")
    assert [(data["comparison"]["status"],)] == stored == [("refuted",)]


@pytest.mark.asyncio
async def test_claimreview_feed_says_a_person_reviewed_and_where(seed_copy):
    run_cli(
        "review", seed_copy, "us-accuses-munitions", "--status", "refuted",
        "--evidence", EVIDENCE, "--by", "anna",
    )  # fmt: skip
    ds = Datasette([str(seed_copy)])
    feed = (await ds.client.get("/claims/-/claims.claimreview.json")).json()
    (review,) = [
        item["item"][0]
        for item in feed["dataFeedElement"]
        if item["item"][0]["author"]["name"] == "anna"
    ]
    assert review["author"]["@type"] == "Person"
    assert review["url"].endswith("/claims/-/claims/us-accuses-munitions")  # the review itself
    assert review["citation"]["url"] == EVIDENCE  # the evidence, cited
    assert review["@id"].startswith("http") and review["@id"].endswith(
        "#claim-us-accuses-munitions"
    )
