"""The one write route of the pages: POST a review of a claim.

Needs the claims-review permission, a mutable database, and Datasette's CSRF protection
(0.65 checks the form token, 1.0a the request's origin).
"""

from __future__ import annotations

from typing import Any

from datasette.utils import tilde_decode
from datasette.utils.asgi import Forbidden, NotFound, Response

from .permissions import can_review, can_view
from .reviews import ReviewError, review_claim


async def review_view(datasette: Any, request: Any) -> Response:
    if request.method != "POST":
        return Response.text(
            "Method not allowed: POST a review", status=405, headers={"Allow": "POST"}
        )
    database = tilde_decode(request.url_vars["database"])
    claim_id = tilde_decode(request.url_vars["claim"])
    try:
        db = datasette.get_database(database)
    except KeyError:
        raise NotFound(f"Database not found: {database}") from None
    if not db.is_mutable:
        raise Forbidden("This database is read-only (immutable): reviews cannot be recorded")
    if not await can_view(datasette, request.actor, database):
        raise Forbidden("You do not have permission to view claims in this database")
    if not await can_review(datasette, request.actor, database):
        raise Forbidden("You do not have permission to review claims (claims-review)")
    form = await request.post_vars()
    by = (request.actor or {}).get("id")
    evidence = [line for line in (form.get("evidence") or "").split() if line]
    credibility = form.get("credibility") or None
    claim_url = datasette.urls.database(database) + "/-/claims/" + request.url_vars["claim"]

    def write(conn: Any) -> Any:
        import sqlite_utils

        return review_claim(
            sqlite_utils.Database(conn),
            claim_id,
            form.get("status") or "",
            str(by or ""),
            (form.get("note") or "").strip() or None,
            evidence,
            int(credibility) if credibility and credibility.isdigit() else None,
        )

    try:
        result = await db.execute_write_fn(write, block=True)
    except ReviewError as exc:
        datasette.add_message(request, f"Review not recorded: {exc}", datasette.ERROR)
        return Response.redirect(claim_url)
    datasette.add_message(
        request,
        f"Review recorded: {result.old_status} → {result.new_status}"
        + (f"; proposition now {result.proposition_status}" if result.proposition_status else ""),
        datasette.INFO,
    )
    return Response.redirect(claim_url)
