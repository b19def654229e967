"""datasette-claims: attributed claims from news reporting, their status and comparison.

This module only wires Datasette's hooks; the work happens in the layers below. Plugin
authors add extractors and importers with the names in `__all__`.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from markupsafe import Markup, escape

from datasette_claims.extract.base import ExtractedClaim, Extractor
from datasette_claims.formats.base import ImportBatch, Importer
from datasette_claims.model import STATUS_LABELS

__all__ = ["ExtractedClaim", "Extractor", "ImportBatch", "Importer"]


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    from datasette_claims.web.routes import ROUTES

    return ROUTES


@hookimpl
def register_actions(datasette: Any) -> list[Any]:
    # Datasette 1.0a: declare the review action (denied unless granted).
    from datasette.permissions import Action
    from datasette.resources import DatabaseResource

    from datasette_claims.web.permissions import ADD_ACTION, REVIEW_ACTION

    return [
        Action(
            name=REVIEW_ACTION,
            abbr=None,
            description="Record reviews of claims (status, evidence) with datasette-claims",
            resource_class=DatabaseResource,
        ),
        Action(
            name=ADD_ACTION,
            abbr=None,
            description="Add articles and their claims from the browser with datasette-claims",
            resource_class=DatabaseResource,
        ),
    ]


@hookimpl
def permission_allowed(datasette: Any, actor: Any, action: str, resource: Any) -> bool | None:
    # Datasette 0.65: answer for the review action from the plugin's review_allow setting.
    from datasette_claims.web.permissions import GRANT_SETTINGS, review_grant

    if action not in GRANT_SETTINGS:
        return None
    return review_grant(datasette, actor, resource if isinstance(resource, str) else None, action)


@hookimpl
def permission_resources_sql(datasette: Any, actor: Any, action: str) -> Any:
    # Datasette 1.0a: the same grant, as a permission rule.
    from datasette.permissions import PermissionSQL

    from datasette_claims.web.permissions import GRANT_SETTINGS, review_grant

    if action not in GRANT_SETTINGS or not review_grant(datasette, actor, None, action):
        return None
    return PermissionSQL.allow(reason=f"datasette-claims {GRANT_SETTINGS[action]}")


@hookimpl
def register_commands(cli: Any) -> None:
    from datasette_claims.cli import register

    register(cli)


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.static_plugins("datasette_claims", "claims.css")]


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Any:
    """The status column of `claims` renders as a coloured badge, as on the claims pages;
    a claim's id on its row page gains a link to its claim page."""
    if table == "claims" and column == "status" and value in STATUS_LABELS:
        return Markup(
            f'<span class="claims-badge claims-status-{escape(value)}">'
            f"{escape(STATUS_LABELS[value])}</span>"
        )
    if table == "claims" and column == "id" and isinstance(value, str):
        # Only the row page asks for the id cell: the table page shows it as Datasette's
        # own row link. Datasette 0.65 has no row_actions, so the link goes beside the id.
        return _claim_page_cell(datasette, database, value)
    return None


async def _claim_page_cell(datasette: Any, database: str, claim_id: str) -> Markup | None:
    from datasette.utils import tilde_encode

    from datasette_claims.db.schema import has_claims_schema

    if not has_claims_schema(await datasette.get_database(database).table_names()):
        return None  # someone else's table called claims: leave its cells alone
    href = datasette.urls.database(database) + "/-/claims/" + tilde_encode(claim_id)
    return Markup(
        f'{escape(claim_id)} <a class="claims-row-link" href="{escape(href)}">'
        "claim page: source, status, evidence and history</a>"
    )


async def _claims_link(datasette: Any, database: str) -> list[dict[str, str]]:
    from datasette_claims.db.schema import has_claims_schema

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
def database_actions(datasette: Any, actor: Any, database: str, request: Any) -> Any:
    async def inner() -> list[dict[str, str]]:
        from datasette_claims.web.permissions import can_add

        links = await _claims_link(datasette, database)
        if datasette.get_database(database).is_mutable and await can_add(
            datasette, actor, database
        ):
            links.append(
                {
                    "href": datasette.urls.database(database) + "/-/claims/add",
                    "label": "Add an article: paste it, check its claims, save",
                }
            )
        return links

    return inner


@hookimpl
def row_actions(
    datasette: Any, actor: Any, request: Any, database: str, table: str, row: Any
) -> list[dict[str, str]] | None:
    # Datasette 1.0a's row page: a way from the raw row to the claim's own page.
    if table != "claims" or row is None:
        return None
    from datasette.utils import tilde_encode

    claim_id = row["id"]
    return [
        {
            "href": datasette.urls.database(database) + "/-/claims/" + tilde_encode(claim_id),
            "label": "Claim page: source, status, evidence and history",
        }
    ]


@hookimpl
def table_actions(datasette: Any, actor: Any, database: str, table: str, request: Any) -> Any:
    async def inner() -> list[dict[str, str]]:
        if table not in ("claims", "sources", "propositions", "documents"):
            return []
        return await _claims_link(datasette, database)

    return inner


@hookimpl
def register_enrichments(datasette: Any) -> list[Any]:
    # datasette-enrichments (the [enrichments] extra): "Extract claims" from a table's rows.
    try:
        from datasette_claims.web.enrichment import ExtractClaims
    except ImportError:  # the extra is not installed
        return []
    return [ExtractClaims()]


def _register_builtins() -> None:
    """Our hook specs, and the built-in extractors and importers as plugins.

    Runs once every hook above exists, so Datasette, whose plugin manager loads this
    package as an entry point, never finds a half-defined module.
    """
    from datasette.plugins import pm

    from . import hookspecs
    from .extract import builtin as builtin_extractors
    from .formats import builtin as builtin_importers

    caller = getattr(pm.hook, "register_claim_extractors", None)
    if caller is None or caller.spec is None:
        pm.add_hookspecs(hookspecs)
    for module in (builtin_extractors, builtin_importers):
        if not pm.is_registered(module):
            pm.register(module, name=module.__name__)


_register_builtins()
