"""datasette-claims: attributed claims from news reporting, their status and comparison.

This module only wires hooks; the work happens in the modules it imports.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from markupsafe import Markup, escape

from .status import STATUS_LABELS


@hookimpl
def register_routes(datasette):  # type: ignore[no-untyped-def]
    from .views import ROUTES

    return ROUTES


@hookimpl
def register_actions(datasette):  # type: ignore[no-untyped-def]
    # Datasette 1.0a: declare the review action (denied unless granted).
    from datasette.permissions import Action
    from datasette.resources import DatabaseResource

    from .permissions import REVIEW_ACTION

    return [
        Action(
            name=REVIEW_ACTION,
            abbr=None,
            description="Record reviews of claims (status, evidence) with datasette-claims",
            resource_class=DatabaseResource,
        )
    ]


@hookimpl
def permission_allowed(datasette, actor, action, resource):  # type: ignore[no-untyped-def]
    # Datasette 0.65: answer for the review action from the plugin's review_allow setting.
    from .permissions import REVIEW_ACTION, review_grant

    if action != REVIEW_ACTION:
        return None
    return review_grant(datasette, actor, resource if isinstance(resource, str) else None)


@hookimpl
def permission_resources_sql(datasette, actor, action):  # type: ignore[no-untyped-def]
    # Datasette 1.0a: the same grant, as a permission rule.
    from datasette.permissions import PermissionSQL

    from .permissions import REVIEW_ACTION, review_grant

    if action != REVIEW_ACTION or not review_grant(datasette, actor):
        return None
    return PermissionSQL.allow(reason="datasette-claims review_allow")


@hookimpl
def register_commands(cli):  # type: ignore[no-untyped-def]
    from .cli import register

    register(cli)


@hookimpl
def register_claim_extractors(datasette):  # type: ignore[no-untyped-def]
    from .extract import builtin_extractors

    return builtin_extractors()


@hookimpl
def register_claim_importers(datasette):  # type: ignore[no-untyped-def]
    from .importers import builtin_importers

    return builtin_importers()


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


def _attach_to_datasette() -> None:
    """Add our hook specs to Datasette's plugin manager and make sure our hooks count.

    Importing datasette.plugins loads every entry point, this package included; when that
    import starts here, Datasette registers this module before the hooks above exist.
    Registering again once they do keeps the built-in extractors reachable either way.
    """
    import sys

    from datasette.plugins import pm

    from . import hookspecs

    pm.add_hookspecs(hookspecs)
    module = sys.modules[__name__]
    name = pm.get_name(module) if pm.is_registered(module) else None
    if name is not None and not pm.get_hookcallers(module):
        pm.unregister(module)
        pm.register(module, name=name)


_attach_to_datasette()
