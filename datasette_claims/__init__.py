"""datasette-claims: attributed claims from news reporting, their status and comparison.

This module only wires hooks; the work happens in the modules it imports.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.plugins import pm
from markupsafe import Markup, escape

from . import hookspecs
from .status import STATUS_LABELS

pm.add_hookspecs(hookspecs)


@hookimpl
def register_routes(datasette):  # type: ignore[no-untyped-def]
    from .views import ROUTES

    return ROUTES


@hookimpl
def register_commands(cli):  # type: ignore[no-untyped-def]
    from .cli import register

    register(cli)


@hookimpl
def extra_css_urls(datasette):  # type: ignore[no-untyped-def]
    return [datasette.urls.static_plugins("datasette_claims", "claims.css")]


@hookimpl
def render_cell(row, value, column, table, database, datasette):  # type: ignore[no-untyped-def]
    """The status column of `claims` renders as a coloured badge, as on the claims pages."""
    if table == "claims" and column == "status" and value in STATUS_LABELS:
        return Markup(
            f'<span class="claims-badge claims-status-{escape(value)}">'
            f"{escape(STATUS_LABELS[value])}</span>"
        )
    return None


async def _claims_link(datasette: Any, database: str) -> list[dict[str, str]]:
    from .schema import has_claims_schema

    db = datasette.get_database(database)
    if not has_claims_schema(await db.table_names()):
        return []
    return [
        {
            "href": datasette.urls.database(database) + "/-/claims",
            "label": "Claims overview: status, sources and comparisons",
        }
    ]


@hookimpl
def database_actions(datasette, actor, database, request):  # type: ignore[no-untyped-def]
    async def inner() -> list[dict[str, str]]:
        return await _claims_link(datasette, database)

    return inner


@hookimpl
def table_actions(datasette, actor, database, table, request):  # type: ignore[no-untyped-def]
    async def inner() -> list[dict[str, str]]:
        if table not in ("claims", "sources", "propositions", "documents"):
            return []
        return await _claims_link(datasette, database)

    return inner
