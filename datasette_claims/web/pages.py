"""The claims pages. Every page only reads, and each has a `.json` twin."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlencode

from datasette.database import QueryInterrupted
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import BadRequest, Base400, Forbidden, NotFound, Response

from datasette_claims.formats.claimreview import claim_review, data_feed, json_ld_script
from datasette_claims.formats.plain import export_sql
from datasette_claims.model import SOURCE_KINDS, STANCES, STATUS_LABELS, STATUSES
from datasette_claims.propositions.comparison import compare, latest_figures
from datasette_claims.propositions.story import story_matrix
from datasette_claims.web import queries
from datasette_claims.web.guard import claims_database, has_claims_schema
from datasette_claims.web.names import date_in_text, readable_reasons
from datasette_claims.web.passage import passage_around
from datasette_claims.web.permissions import can_review, hidden_tables, redact, redact_history
from datasette_claims.web.statusbar import status_bar_svg
from datasette_claims.web.timeline import timeline_svg

PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
# The tables a claim row joins (queries.CLAIM_JOINS, the export's SQL).
JOINED = ("sources", "propositions", "documents")
RELATED_LIMIT = 20  # the comparison page has them all
MAX_ROWID = 2**63 - 1


class ClaimsPage:
    """What every claims route shares: database lookup, permission check, output format."""

    def __init__(self, datasette: Any, request: Any) -> None:
        self.datasette = datasette
        self.request = request
        self.json = bool(request.url_vars.get("format"))
        self.database = tilde_decode(request.url_vars["database"])

    async def open(self) -> Any:
        _, db = await claims_database(self.datasette, self.request)
        return db

    def url(self, *parts: str, format: str | None = None, query: dict | None = None) -> str:
        path = self.datasette.urls.database(self.database) + "/-/claims"
        for part in parts:
            path += "/" + tilde_encode(part)
        if format:
            path += "." + format
        if query:
            path += "?" + urlencode(query)
        return path

    async def respond(self, template: str, data: dict[str, Any], extra: dict[str, Any]) -> Response:
        if self.json:
            if self.request.args.get("_shape") == "array":
                return Response.json(data.get("rows", []), default=str)
            return Response.json({"ok": True, **data}, default=str)
        context = {
            **data,
            **extra,
            "database": self.database,
            "claims_url": self.url(),
            "json_url": self._json_url(),
            "status_labels": STATUS_LABELS,
            "statuses": STATUSES,
        }
        html = await self.datasette.render_template(template, context, request=self.request)
        return Response.html(html)

    def _json_url(self) -> str:
        path = self.request.path
        qs = self.request.query_string
        return path + ".json" + (("?" + qs) if qs else "")


def institution_anchor(group_id: str) -> str:
    """The comparison page's anchor for one institution's rows (the story page links it)."""
    return "institution-" + quote(group_id, safe="")


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def json_errors(view: Callable[..., Awaitable[Response]]) -> Callable[..., Awaitable[Response]]:
    """Read-only pages: GET only; `.json` requests get errors as {"ok": false, ...}."""

    async def wrapped(datasette: Any, request: Any) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response.text(
                "Method not allowed: claims pages are read-only",
                status=405,
                headers={"Allow": "GET, HEAD"},
            )
        try:
            try:
                return await view(datasette, request)
            except QueryInterrupted:
                raise BadRequest(
                    "This page took longer than the time limit (sql_time_limit_ms); "
                    "narrow the filters or try again"
                ) from None
        except NotFound as exc:
            if not request.url_vars.get("format"):
                return await not_found_page(datasette, request, str(exc))
            return Response.json({"ok": False, "error": str(exc), "status": 404}, status=404)
        except Base400 as exc:
            if not request.url_vars.get("format"):
                raise
            status = getattr(exc, "status", 400)
            return Response.json({"ok": False, "error": str(exc), "status": status}, status=status)

    return wrapped


async def not_found_page(datasette: Any, request: Any, message: str) -> Response:
    """A 404 that says what was not found and offers the ways back: the overview, a
    search of the claims, the story page, the database."""
    database = tilde_decode(request.url_vars.get("database") or "")
    known = database in datasette.databases and has_claims_schema(
        await datasette.get_database(database).table_names()
    )
    claims_url = datasette.urls.database(database) + "/-/claims" if known else None
    html = await datasette.render_template(
        "claims_not_found.html",
        {"message": message, "database": database if known else None, "claims_url": claims_url},
        request=request,
    )
    return Response.html(html, status=404)


_HISTORY_LABELS = {
    ("created", "status"): "created",
    ("status", "status"): "status derived",
    ("review", "status"): "reviewed",
    ("updated", "proposition_id"): "moved to another proposition",
    ("updated", "source_id"): "source changed",
}


def history_label(row: dict[str, Any]) -> str:
    """What a history row records, in words: "reviewed", not "review status"."""
    key = (row.get("action"), row.get("field"))
    if key == ("created", "status") and "; derived: " in str(row.get("reason") or ""):
        return "created, status derived"  # one row: the loader derived it as it created it
    if key in _HISTORY_LABELS:
        return _HISTORY_LABELS[key]
    field = str(row.get("field") or "").replace("_", " ")
    return f"{field} changed" if row.get("action") == "updated" and field else str(key[0])


@json_errors
async def overview(datasette: Any, request: Any) -> Response:
    page = ClaimsPage(datasette, request)
    db = await page.open()
    filters = {k: request.args.get(k) for k in (*queries.FILTERS, "q") if request.args.get(k)}
    for name, allowed in (("status", STATUSES), ("stance", STANCES)):
        if filters.get(name) and filters[name] not in allowed:
            raise BadRequest(f"Unknown {name} '{filters[name]}'; use one of {', '.join(allowed)}")
    size = _int_arg(request, "_size", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    after = _int_arg(request, "_next", None, 0, MAX_ROWID)
    counts = await queries.overview_counts(db, filters)
    known_total = counts.pop("_total", None)
    rows, next_token, total = await queries.claim_page_list(db, filters, size, after, known_total)
    hidden = await hidden_tables(datasette, request.actor, page.database, JOINED)
    rows = [redact(row, hidden) for row in rows]
    if "sources" in hidden:
        for entry in counts.get("source", []):
            entry["name"], entry["kind"] = entry["id"] or "(unattributed)", None
    if "propositions" in hidden:
        for entry in counts.get("proposition", []):
            entry["statement"] = entry["topic"] = entry["status"] = None
    for row in rows:
        row["url"] = page.url(row["id"])
    next_url = None
    if next_token is not None:
        next_url = page.url(
            format="json" if page.json else None,
            query={**filters, "_size": size, "_next": next_token},
        )
    awaiting = await queries.awaiting_people(
        db,
        await hidden_tables(
            datasette, request.actor, page.database, ("propositions", "sources", "claim_reviews")
        ),
    )
    data = {
        "database": page.database,
        "filters": filters,
        "awaiting": awaiting,
        "counts": counts,
        "total": total,
        "rows": [_clean(r) for r in rows],
        "next": str(next_token) if next_token is not None else None,
        "next_url": next_url,
    }
    extra = {"page": page, "status_bar": status_bar_svg(counts.get("status", {}), STATUS_LABELS)}
    return await page.respond("claims_overview.html", data, extra)


def _int_arg(request: Any, name: str, default: int | None, low: int, high: int | None) -> Any:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be a whole number") from None
    if value < low:
        raise BadRequest(f"'{name}' must be at least {low}")
    return min(value, high) if high is not None else value


@json_errors
async def claim_view(datasette: Any, request: Any) -> Response:
    page = ClaimsPage(datasette, request)
    db = await page.open()
    claim_id = tilde_decode(request.url_vars["claim"])
    claim = await queries.claim(db, claim_id)
    if claim is None:
        raise NotFound(f"Claim not found: {claim_id}")
    # Each section shows only what the actor may view in the table it reads.
    hidden = await hidden_tables(
        datasette,
        request.actor,
        page.database,
        (*JOINED, "claim_history", "evidence", "claim_reviews"),
    )
    document = await queries.document(db, claim["document_id"])
    if "documents" in hidden:
        document = None
    source = None
    if claim["source_id"] and "sources" not in hidden:
        source = await queries.source(db, claim["source_id"])
    related: list[dict[str, Any]] = []
    related_total = 0
    if claim["proposition_id"]:
        related, related_total = await queries.other_claims_on_proposition(
            db, claim["proposition_id"], claim_id, RELATED_LIMIT
        )
    history = [] if "claim_history" in hidden else await queries.history(db, claim_id)
    # History rows carry the first evidence URL of a review, and copy imported verdicts.
    history = redact_history(history, hidden)
    if "propositions" not in hidden:
        history = await readable_reasons(db, history)
    evidence = [] if "evidence" in hidden else await queries.evidence(db, claim_id)
    review_rows = []
    if "claim_reviews" not in hidden:
        review_rows = [
            redact(dict(row), hidden)
            for row in (await db.execute(export_sql(claim_id=True), {"claim_id": claim_id})).rows
            if row["reviewer"]
        ]
    claim_url = datasette.absolute_url(request, page.url(claim_id))
    json_ld = (
        json_ld_script([claim_review(row, claim_url) for row in review_rows])
        if review_rows
        else None
    )
    # A claim on a proposition someone checked already shows that verdict first.
    checked: list[dict[str, Any]] = []
    if claim["proposition_id"] and "claim_reviews" not in hidden:
        checked = [
            redact(row, hidden)
            for row in await queries.earlier_verdicts(db, claim["proposition_id"], claim_id)
        ]
        if "sources" in hidden:
            checked = [{**row, "source_name": None} for row in checked]
    may_review = db.is_mutable and await can_review(datasette, request.actor, page.database)
    link_search = (request.args.get("link_q") or "").strip() or None
    link_choices = []
    if may_review and "propositions" not in hidden:
        link_choices = await queries.link_candidates(db, claim, link_search)
    # The passage is document text: show it only to those who may read the documents table.
    passage = None
    if document:
        passage = passage_around(document["text"], claim["start"], claim["end"])
    # Where a claim has no date of its own, the document's says roughly when it was made.
    claimed_hint = None
    if not claim["claimed_at"] and document:
        if document.get("published_at"):
            claimed_hint = {"date": str(document["published_at"])[:10], "words": None}
        elif found_date := date_in_text(document["text"] or ""):
            claimed_hint = {"date": found_date[0], "words": found_date[1]}
    claim = redact(claim, hidden)
    data = {
        "claim": _clean(claim),
        "rows": [_clean(claim)],
        "source": source,
        "document": {k: v for k, v in (document or {}).items() if k != "text"},
        "passage": passage.as_dict() if passage else None,
        "history": [{**h, "what": history_label(h)} for h in history],
        "evidence": evidence,
        "related": [_clean(redact(c, hidden)) for c in related],
        "already_checked": checked,
        "related_total": related_total,
        "claimed_hint": claimed_hint,
        "hidden_tables": sorted(hidden),
    }
    return await page.respond(
        "claims_claim.html",
        data,
        {
            "page": page,
            "may_review": may_review,
            "review_url": page.url(claim_id, "review"),
            "link_url": page.url(claim_id, "link"),
            "unlink_url": page.url(claim_id, "unlink"),
            "link_search": link_search,
            "link_choices": link_choices,
            "json_ld": json_ld,
        },
    )


@json_errors
async def compare_view(datasette: Any, request: Any) -> Response:
    page = ClaimsPage(datasette, request)
    db = await page.open()
    proposition_id = tilde_decode(request.url_vars["proposition"])
    hidden = await hidden_tables(
        datasette, request.actor, page.database, JOINED, required="propositions"
    )
    proposition = await queries.proposition(db, proposition_id)
    if proposition is None:
        raise NotFound(f"Proposition not found: {proposition_id}")
    # Worked out from what the actor may view: with `sources` hidden, each claim's own
    # source_id stands for its institution, so no name or grouping from sources shows
    # (in the groups, the disagreement sentences or the figures).
    claims = [
        redact(_clean(c), hidden) for c in await queries.claims_for_proposition(db, proposition_id)
    ]
    comparison = compare([c for c in claims if c["status"] != "retracted"])
    summary = comparison.as_dict()
    # The stored status: every write re-derives it with all the evidence (reviews and
    # imported verdicts included), which these rows alone do not carry.
    summary["status"] = proposition["status"]
    summary["reviews"] = [
        {k: c[k] for k in ("id", "status", "reviewed_by", "reviewed_at", "source_name")}
        for c in sorted(claims, key=lambda c: c["reviewed_at"] or "")
        if c["reviewed_at"]
    ]
    summary["latest_figures"] = latest_figures(claims)
    if proposition["status"] in ("confirmed", "refuted"):
        summary["confirmations"] = []  # a review decides it: no source's confirmation would
    if "sources" in hidden:  # what a confirmation would change names sources
        summary["confirmations"] = []
        summary["suggested_asserting_institutions"] = []
    for group in summary["groups"]:
        group["anchor"] = institution_anchor(group["id"])
    data = {
        "proposition": proposition,
        "comparison": summary,
        "rows": claims,
        "hidden_tables": sorted(hidden),
    }
    may_review = db.is_mutable and await can_review(datasette, request.actor, page.database)
    # The first words only: each is a condition, and a thousand would exceed SQLite's limits.
    merge_words = (request.args.get("merge_q") or "").split()
    merge_search = " ".join(merge_words[: queries.MERGE_WORDS]) or None
    candidates = []
    if may_review:
        candidates = await queries.merge_candidates(
            db, proposition_id, proposition.get("topic"), merge_search
        )
    return await page.respond(
        "claims_compare.html",
        data,
        {
            "page": page,
            "groups": summary["groups"],
            "timeline": timeline_svg(claims),
            "may_review": may_review,
            "merge_url": page.url("compare", proposition_id, "merge"),
            "merge_search": merge_search,
            "merge_words_cut": len(merge_words) > queries.MERGE_WORDS,
            "merge_words_max": queries.MERGE_WORDS,
            "merge_candidates": candidates,
            "split_url": page.url("compare", proposition_id, "split"),
        },
    )


@json_errors
async def source_view(datasette: Any, request: Any) -> Response:
    page = ClaimsPage(datasette, request)
    db = await page.open()
    hidden = await hidden_tables(
        datasette,
        request.actor,
        page.database,
        (*JOINED, "source_aliases", "source_ratings", "source_history"),
        required="sources",
    )
    source_id = tilde_decode(request.url_vars["source"])
    source = await queries.source(db, source_id)
    if source is None:
        raise NotFound(f"Source not found: {source_id}")
    claims = [_clean(redact(c, hidden)) for c in await queries.claims_for_source(db, source_id)]
    members = await queries.source_members(db, source_id)
    # An institution's record is its members' too: the government counts its ministers.
    by_status = await queries.status_counts(db, source_id, members=bool(members))
    own = await queries.status_counts(db, source_id) if members else by_status
    data = {
        "source": source,
        "track_record": queries.track_record(by_status, source.get("reliability")),
        "parents": await queries.source_chain(db, source_id),
        "members": members,
        "own_claims": sum(own.values()),
        "aliases": []
        if "source_aliases" in hidden
        else await queries.source_aliases(db, source_id),
        "ratings": []
        if "source_ratings" in hidden
        else await queries.source_ratings(db, source_id),
        "status_counts": by_status,
        "history": []
        if "source_history" in hidden
        else await queries.source_history(db, source_id),
        "rows": claims,
    }
    provisional = source.get("origin") in ("suggested", "confirmed")
    may_review = (
        provisional and db.is_mutable and await can_review(datasette, request.actor, page.database)
    )
    into_search = (request.args.get("into_q") or "").strip() or None
    extra = {
        "page": page,
        "status_bar": status_bar_svg(by_status, STATUS_LABELS),
        "may_review": may_review,
        "decision_url": lambda action: page.url("sources", source_id, action),
        "source_kinds": SOURCE_KINDS,
        "into_search": into_search,
        "into_choices": await queries.source_candidates(db, source, into_search)
        if may_review
        else [],
    }
    return await page.respond("claims_source.html", data, extra)


@json_errors
async def story_view(datasette: Any, request: Any) -> Response:
    """Who says what: independent institutions as rows, a story's propositions as columns."""
    page = ClaimsPage(datasette, request)
    db = await page.open()
    hidden = await hidden_tables(
        datasette, request.actor, page.database, JOINED, required="propositions"
    )
    if "sources" in hidden:
        # Without sources there are no institutions to put in rows.
        raise Forbidden("You do not have permission to view sources in this database")
    topic = (request.args.get("topic") or "").strip() or None
    search = (request.args.get("q") or "").strip() or None
    ids = [i for i in request.args.getlist("proposition") if i]
    chosen = (request.args.get("story") or "").strip() or None
    stories = await queries.stories(db)
    # A topic, a search or named propositions choose the columns; else a story does.
    story = None if (topic or search or ids) else chosen
    known = {s["id"] for s in stories}
    if story and story not in known and not await queries.story_members(db, story):
        raise NotFound(f"Story not found: {story}")
    if not (story or topic or search or ids) and stories:
        story = stories[0]["id"]  # by default the largest story
    propositions = await queries.story_propositions(db, topic, search, ids, story)
    missing = sorted(set(ids) - {p["id"] for p in propositions})
    if missing and len(ids) <= queries.STORY_COLUMNS:
        raise NotFound(f"Proposition not found: {', '.join(missing)}")
    for entry in stories:
        entry["url"] = page.url("story", query={"story": entry["id"]})
    claims = await queries.claims_for_propositions(db, [p["id"] for p in propositions])
    matrix = story_matrix(propositions, claims)
    for column in matrix["columns"]:
        column["url"] = page.url("compare", column["id"])
    for row in matrix["rows"]:
        row["url"] = page.url("sources", row["id"])
        for column, cell in zip(matrix["columns"], row["cells"], strict=True):
            if cell is not None:
                cell["url"] = column["url"] + "#" + institution_anchor(row["id"])
    data = {
        "filters": {
            k: v
            for k, v in (("story", chosen), ("topic", topic), ("q", search), ("proposition", ids))
            if v
        },
        "story": story,
        "stories": stories,
        **matrix,
        "disputed": sum(1 for c in matrix["columns"] if c["disagreements"]),
    }
    extra = {
        "page": page,
        "topics": await queries.topics(db),
        "topic": topic,
        "q": search,
        "story_entry": next((s for s in stories if s["id"] == story), None),
    }
    return await page.respond("claims_story.html", data, extra)


@json_errors
async def claimreview_feed(datasette: Any, request: Any) -> Response:
    """Every reviewed claim as schema.org ClaimReview, in a DataFeed."""
    page = ClaimsPage(datasette, request)
    db = await page.open()
    hidden = await hidden_tables(
        datasette,
        request.actor,
        page.database,
        (*JOINED, "claim_reviews", "evidence"),
        required="claim_reviews",
    )
    rows = [redact(dict(row), hidden) for row in (await db.execute(export_sql())).rows]

    def claim_url(row: dict[str, Any]) -> str:
        return datasette.absolute_url(request, page.url(row["id"]))

    return Response.json(data_feed(rows, claim_url), default=str)
