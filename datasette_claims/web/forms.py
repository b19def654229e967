"""The write routes of the pages: reviews and link decisions, by POST only.

Each needs the claims-review permission, a mutable database, and Datasette's CSRF
protection (0.65 checks the form token, 1.0a the request's origin).
"""

from __future__ import annotations

import html
import sqlite3
from collections.abc import Callable
from inspect import signature
from typing import Any
from urllib.parse import parse_qsl, urlencode

import sqlite_utils
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import Forbidden, Response

from datasette_claims.db.connection import locked, wait_seconds
from datasette_claims.decisions.links import link, merge, split, unlink
from datasette_claims.decisions.reviews import review_claim
from datasette_claims.decisions.sources import confirm_source, merge_source, rename_source
from datasette_claims.errors import ReviewError, WriterBusy
from datasette_claims.web.guard import claims_database
from datasette_claims.web.permissions import ADD_ACTION, GRANT_SETTINGS

# The tables each write route changes: writing one needs permission to view it.
_CLAIM_WRITE = ("claims", "claim_history", "propositions")
WRITES: dict[str, tuple[str, ...]] = {
    "review": (*_CLAIM_WRITE, "evidence"),
    "link": (*_CLAIM_WRITE, "rejected_links"),
    "merge": (*_CLAIM_WRITE, "rejected_links", "proposition_terms"),
    "split": _CLAIM_WRITE,
    "source": ("sources", "source_history", "claims", "claim_history"),
    "add": (*_CLAIM_WRITE, "documents", "sources", "source_history", "proposition_terms"),
}
# A failed write goes back to its form through a redirect: what it carries (the message in
# a cookie, the typed fields in the URL) stays well under what servers and browsers accept.
MAX_MESSAGE = 500
MAX_KEPT = 2000


def shorten(text: str, limit: int) -> str:
    """The text, or its first `limit` characters and a clear "…" when it is longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def _decision(
    datasette: Any,
    request: Any,
    back: str,
    write: Callable[[sqlite_utils.Database, dict[str, str], str], str],
    writes: tuple[str, ...],
) -> Response:
    """Check who may write, run `write` in one transaction, and go back with a message."""
    if request.method != "POST":
        return Response.text("Method not allowed: POST only", status=405, headers={"Allow": "POST"})
    database, db = await claims_database(
        datasette, request, writing=True, needs_claims=False, writes=writes
    )
    # Repeated fields ("claim" when splitting) keep every value, joined by spaces.
    form: dict[str, str] = {}
    body = (await request.post_body()).decode("utf-8", errors="replace")
    for key, value in parse_qsl(body, keep_blank_values=True):
        form[key] = f"{form[key]} {value}" if key in form and key == "claim" else value
    by = str((request.actor or {}).get("id") or "")
    url = datasette.urls.database(database) + "/-/claims/" + back
    try:
        message = await db.execute_write_fn(
            lambda conn: _locked(conn, write, form, by), block=True, **_own_transaction(db)
        )
    except ReviewError as exc:
        datasette.add_message(
            request, shorten(f"Not recorded: {exc}", MAX_MESSAGE), datasette.ERROR
        )
        # Back to the form with what was typed, so nothing has to be entered again (a
        # very long field is cut, and says so).
        kept = {k: shorten(v, MAX_KEPT) for k, v in form.items() if k in _KEPT_FIELDS and v}
        return Response.redirect(url + ("?" + urlencode(kept) if kept else ""))
    except WriterBusy:
        return Response.html(
            "<!DOCTYPE html><title>Busy</title><h1>The database is busy</h1>"
            f"<p>Another process (a load, a review or a link) has been writing to it for "
            f"{_wait_seconds()} s, so nothing was recorded. Try again in a moment: "
            f'<a href="{html.escape(url)}">back</a>.</p>',
            status=503,
            headers={"Retry-After": "5"},
        )
    datasette.add_message(request, shorten(message, MAX_MESSAGE), datasette.INFO)
    return Response.redirect(url)


_KEPT_FIELDS = ("status", "evidence", "note", "credibility", "proposition", "statement")


def _own_transaction(db: Any) -> dict[str, bool]:
    """Datasette 1.0a would open a deferred transaction around a write function: ours
    holds the write lock from the start instead (0.65 opens none)."""
    return (
        {"transaction": False} if "transaction" in signature(db.execute_write_fn).parameters else {}
    )


def _wait_seconds() -> int:
    # The web waits less than the CLI: Datasette has one write thread for every request.
    return min(wait_seconds(), 10)


def _locked(
    conn: sqlite3.Connection,
    write: Callable[[sqlite_utils.Database, dict[str, str], str], str],
    form: dict[str, str],
    by: str,
) -> str:
    """Run a decision in a transaction that holds the write lock from its start.

    Like the CLI, it waits (bounded) for another writer instead of failing at once; a
    deferred transaction would fail on its first write whenever another one committed.
    """
    db = sqlite_utils.Database(conn)
    with locked(db, _wait_seconds()):
        return write(db, form, by)


def _statement(db: sqlite_utils.Database, proposition_id: str) -> str:
    """A proposition's statement for a message (its id when it has none)."""
    found = db.execute(
        "select statement from propositions where id = ?", [proposition_id]
    ).fetchone()
    return str(found[0]) if found and found[0] else proposition_id


async def review_view(datasette: Any, request: Any) -> Response:
    claim_id = tilde_decode(request.url_vars["claim"])

    def write(db: sqlite_utils.Database, form: dict[str, str], by: str) -> str:
        credibility = (form.get("credibility") or "").strip()
        if credibility and credibility not in ("1", "2", "3", "4", "5", "6"):
            raise ReviewError("credibility is a grade from 1 (confirmed) to 6 (cannot be judged)")
        result = review_claim(
            db,
            claim_id,
            form.get("status") or "",
            by,
            (form.get("note") or "").strip() or None,
            (form.get("evidence") or "").split(),
            int(credibility) if credibility else None,
        )
        after = (
            f"; proposition now {result.proposition_status}" if result.proposition_status else ""
        )
        return f"Review recorded: {result.old_status} → {result.new_status}{after}"

    return await _decision(datasette, request, request.url_vars["claim"], write, WRITES["review"])


async def link_view(datasette: Any, request: Any) -> Response:
    claim_id = tilde_decode(request.url_vars["claim"])
    action = request.url_vars["action"]

    def write(db: sqlite_utils.Database, form: dict[str, str], by: str) -> str:
        if action == "unlink":
            if form.get("confirm") != "yes":
                raise ReviewError("unlinking is for good: tick the box to confirm it")
            old = unlink(db, claim_id, by)
            return f"Unlinked from “{_statement(db, old)}”; this pair will not be suggested again"
        target = (form.get("proposition") or "").strip()
        link(db, claim_id, target, by)
        return f"Linked to “{_statement(db, target)}”"

    return await _decision(datasette, request, request.url_vars["claim"], write, WRITES["link"])


async def merge_view(datasette: Any, request: Any) -> Response:
    target = tilde_decode(request.url_vars["proposition"])

    def write(db: sqlite_utils.Database, form: dict[str, str], by: str) -> str:
        source = (form.get("source") or "").strip()
        moved = merge(db, target, source, by)
        return f"Merged “{_statement(db, source)}” into this proposition ({moved} claims moved)"

    back = "compare/" + request.url_vars["proposition"]
    return await _decision(datasette, request, back, write, WRITES["merge"])


async def split_view(datasette: Any, request: Any) -> Response:
    proposition = tilde_decode(request.url_vars["proposition"])

    def write(db: sqlite_utils.Database, form: dict[str, str], by: str) -> str:
        claims = (form.get("claim") or "").split()
        new_id = split(db, proposition, claims, form.get("statement") or "", by)
        return f"{len(claims)} claims moved to the new proposition {new_id}"

    back = "compare/" + request.url_vars["proposition"]
    return await _decision(datasette, request, back, write, WRITES["split"])


async def source_decision_view(datasette: Any, request: Any) -> Response:
    """Confirm, rename or merge a provisional source, from its source page."""
    source_id = tilde_decode(request.url_vars["source"])
    action = request.url_vars["action"]

    def write(db: sqlite_utils.Database, form: dict[str, str], by: str) -> str:
        if action == "confirm":
            confirm_source(db, source_id, by)
            return "Source confirmed"
        if action == "rename":
            name = (form.get("name") or "").strip()
            role = (form.get("role") or "").strip() or None
            kind = (form.get("kind") or "").strip() or None
            rename_source(db, source_id, name, by, role, kind=kind)
            return f"Source renamed to {name} and confirmed"
        into = (form.get("into") or "").strip()
        moved = merge_source(db, source_id, into, by)
        found = db.execute("select name from sources where id = ?", [into]).fetchone()
        return f"Merged into {found[0] if found else into} ({moved} claims moved)"

    back = "sources/" + request.url_vars["source"]
    return await _decision(datasette, request, back, write, WRITES["source"])


_ARTICLE_FIELDS = ("text", "title", "url", "published_at", "publisher", "language")


async def add_view(datasette: Any, request: Any) -> Response:
    """Add an article from the browser: paste, preview the claims, untick, save.

    GET shows the form; POST with `preview` extracts without writing; POST with `save`
    loads the article with the ticked claims. Needs claims-add on a mutable database.
    """
    from datasette_claims.decisions.adding import (
        NewArticle,
        add_article,
        check_article,
        preview,
    )

    try:
        database, db = await claims_database(
            datasette,
            request,
            writing=True,
            needs_claims=False,
            action=ADD_ACTION,
            writes=WRITES["add"],
        )
    except Forbidden as exc:
        return await _add_forbidden(datasette, request, str(exc))
    form: dict[str, str] = {}
    keep: set[tuple[int, int]] = set()
    if request.method == "POST":
        body = (await request.post_body()).decode("utf-8", errors="replace")
        for key, value in parse_qsl(body, keep_blank_values=True):
            if key == "keep":
                start, _, end = value.partition("-")
                if start.isdigit() and end.isdigit():
                    keep.add((int(start), int(end)))
            else:
                form[key] = value
    elif request.method != "GET":
        return Response.text("Method not allowed", status=405, headers={"Allow": "GET, POST"})
    error = None
    claims: list[Any] = []
    new = NewArticle(**{k: form.get(k) or "" for k in _ARTICLE_FIELDS})
    overview = datasette.urls.database(database) + "/-/claims"
    if request.method == "POST":
        try:
            new = check_article(new)
            if "save" in form:
                by = str((request.actor or {}).get("id") or "")
                summary = await db.execute_write_fn(
                    lambda conn: _add_locked(conn, add_article, new, keep, by),
                    block=True,
                    **_own_transaction(db),
                )
                kept = ""
                if summary.documents.unchanged:
                    kept = "; it was stored already, so its title, URL and path stay as they were"
                datasette.add_message(
                    request,
                    f"Article added with {summary.claims.added} claims (by {by}){kept}",
                    datasette.INFO,
                )
                # Back to the form, which links the article and its claims.
                query = urlencode({"added": new.article().id})
                return Response.redirect(f"{overview}/add?{query}")
            claims = await db.execute_fn(lambda conn: preview(sqlite_utils.Database(conn), new))
        except ReviewError as exc:
            error = str(exc)
        except WriterBusy:
            error = f"the database is busy (another write for {_wait_seconds()} s); try again"
    source_names = await db.execute_fn(
        lambda conn: _source_names(conn, {c.source_id for c in claims if c.source_id})
    )
    added: dict[str, Any] | None = None
    if request.method == "GET" and request.args.get("added"):
        added = await _added_document(datasette, db, database, request.args["added"])
    html_page = await datasette.render_template(
        "claims_add.html",
        {
            "database": database,
            "claims_url": overview,
            "form": {k: getattr(new, k) or "" for k in _ARTICLE_FIELDS},
            "claims": claims,
            "source_names": source_names,
            "added": added,
            "error": error,
            "action_url": overview + "/add",
        },
        request=request,
    )
    return Response.html(html_page, status=400 if error else 200)


def _source_names(conn: sqlite3.Connection, ids: set[str]) -> dict[str, str]:
    """The names of the sources a preview links, by id, so the page shows names."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    found = conn.execute(f"select id, name from sources where id in ({marks})", sorted(ids))
    return {row[0]: row[1] for row in found.fetchall()}


async def _added_document(
    datasette: Any, db: Any, database: str, document_id: str
) -> dict[str, Any] | None:
    """The article just saved, with links to its row and its claims (None if unknown)."""
    found = (
        await db.execute(
            "select d.id, d.title, d.path, (select count(*) from claims c "
            "where c.document_id = d.id) as claims from documents d where d.id = ?",
            [document_id],
        )
    ).rows
    if not found:
        return None
    row = dict(found[0])
    claims_url = datasette.urls.database(database) + "/-/claims"
    row["claims_url"] = claims_url + "?" + urlencode({"document": row["id"]})
    row["document_url"] = datasette.urls.row(database, "documents", tilde_encode(row["id"]))
    return row


async def _add_forbidden(datasette: Any, request: Any, reason: str) -> Response:
    """A 403 that says what the Add page needs and how to get it, with a way back."""
    database = tilde_decode(request.url_vars["database"])
    known = database in datasette.databases
    html_page = await datasette.render_template(
        "claims_forbidden.html",
        {
            "reason": reason,
            "database": database if known else None,
            "claims_url": datasette.urls.database(database) + "/-/claims" if known else None,
            "read_only": known and not datasette.get_database(database).is_mutable,
            "actor_id": (request.actor or {}).get("id"),
            "action": ADD_ACTION,
            "setting": GRANT_SETTINGS[ADD_ACTION],
        },
        request=request,
    )
    return Response.html(html_page, status=403)


def _add_locked(conn: sqlite3.Connection, add: Callable[..., Any], new: Any, keep: set, by: str):
    """The load under the write lock, waiting (bounded) for another writer like a review."""
    from datasette_claims.db.migrations import migrate

    db = sqlite_utils.Database(conn)
    with locked(db, _wait_seconds()):
        migrate(db)
        return add(db, new, keep, by)
