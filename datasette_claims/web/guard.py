"""The one check every claims route starts with: which database, may this actor, is it ours."""

from __future__ import annotations

from typing import Any

from datasette.utils import tilde_decode
from datasette.utils.asgi import Forbidden, NotFound

from datasette_claims.db.schema import has_claims_schema
from datasette_claims.web.permissions import ADD_ACTION, REVIEW_ACTION, can_review, can_view

_DOING = {REVIEW_ACTION: "review claims", ADD_ACTION: "add articles"}


async def claims_database(
    datasette: Any,
    request: Any,
    *,
    writing: bool = False,
    needs_claims: bool = True,
    action: str = REVIEW_ACTION,
    writes: tuple[str, ...] = (),
) -> tuple[str, Any]:
    """The route's database name and Datasette database, or the 403/404 to answer.

    Reading needs view permission on the claims table; writing also needs a mutable
    database, the `action` permission (claims-review unless told), and view permission on
    every table the write changes (`writes`): nobody changes what they may not see.
    """
    name = tilde_decode(request.url_vars["database"])
    try:
        db = datasette.get_database(name)
    except KeyError:
        raise NotFound(f"Database not found: {name}") from None
    if writing and not db.is_mutable:
        raise Forbidden("This database is read-only (immutable): nothing can be recorded")
    if not await can_view(datasette, request.actor, name):
        raise Forbidden("You do not have permission to view claims in this database")
    if writing and not await can_review(datasette, request.actor, name, action):
        raise Forbidden(f"You do not have permission to {_DOING[action]} ({action})")
    for table in writes:
        if not await can_view(datasette, request.actor, name, table):
            raise Forbidden(
                f"You may not change {table} here: you do not have permission to view it"
            )
    if needs_claims and not has_claims_schema(await db.table_names()):
        raise NotFound(f"Database '{name}' holds no claims (load one with `datasette claims load`)")
    return name, db
