"""Permission checks that work on Datasette 0.65 and 1.0a (whose APIs differ)."""

from __future__ import annotations

from typing import Any


async def can_view(
    datasette: Any, actor: dict | None, database: str, table: str = "claims"
) -> bool:
    """May this actor see the claims table of this database? Our pages show nothing more."""
    if hasattr(datasette, "allowed"):  # Datasette 1.0a
        from datasette.resources import DatabaseResource, TableResource

        return (
            await datasette.allowed(action="view-instance", actor=actor)
            and await datasette.allowed(
                action="view-database", resource=DatabaseResource(database=database), actor=actor
            )
            and await datasette.allowed(
                action="view-table",
                resource=TableResource(database=database, table=table),
                actor=actor,
            )
        )
    from datasette.utils.asgi import Forbidden

    try:  # Datasette 0.65: the most specific explicit answer wins, as in its table view
        await datasette.ensure_permissions(
            actor, [("view-table", (database, table)), ("view-database", database), "view-instance"]
        )
    except Forbidden:
        return False
    return True


REVIEW_ACTION = "claims-review"
ADD_ACTION = "claims-add"
# Each action's allow block in the plugin's settings.
GRANT_SETTINGS = {REVIEW_ACTION: "review_allow", ADD_ACTION: "add_allow"}


def review_grant(
    datasette: Any, actor: dict | None, database: str | None = None, action: str = REVIEW_ACTION
) -> bool | None:
    """Our own answer for claims-review: the plugin setting `review_allow` (an allow block).

    Works the same on 0.65 and 1.0a, from metadata or config:
    `plugins: datasette-claims: review_allow: {id: [anna, ben]}`. None means no answer.
    """
    from datasette.utils import actor_matches_allow

    config = datasette.plugin_config("datasette-claims", database=database) or {}
    allow = config.get(GRANT_SETTINGS[action])
    if allow is None:
        return None
    return bool(actor_matches_allow(actor, allow))


async def can_add(datasette: Any, actor: dict | None, database: str) -> bool:
    """May this actor add articles from the browser? Denied unless granted (add_allow)."""
    return await can_review(datasette, actor, database, ADD_ACTION)


async def can_review(
    datasette: Any, actor: dict | None, database: str, action: str = REVIEW_ACTION
) -> bool:
    """May this actor record reviews in this database? Denied unless granted."""
    if actor is None:
        return False
    if hasattr(datasette, "allowed"):  # Datasette 1.0a
        from datasette.resources import DatabaseResource

        return bool(
            await datasette.allowed(
                action=action, resource=DatabaseResource(database=database), actor=actor
            )
        )
    return bool(await datasette.permission_allowed(actor, action, resource=database, default=False))


# The tables besides `claims` that the pages read, and the columns each lends a claim row
# (the pages' joins and the export's). A table the actor may not view lends nothing.
LENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "sources": (
        "source_name",
        "source_kind",
        "source_role",
        "source_origin",
        "source_document_id",
        "source_country",
        "independence_group",
        "group_name",
        "source_institution",
        "source_institution_name",
    ),
    "propositions": ("proposition_statement", "proposition_topic", "proposition_status"),
    "documents": (
        "document_title",
        "document_path",
        "document_publisher",
        "document_published_at",
        "url",
        "title",
        "publisher",
    ),
    "claim_reviews": (
        "verdict",
        "reviewer_url",
        "rating_value",
        "best_rating",
        "worst_rating",
        "review_status",
    ),
    "evidence": ("review_url",),
    "claim_history": (),
    "source_aliases": (),
    "source_ratings": (),
}


async def hidden_tables(
    datasette: Any,
    actor: dict | None,
    database: str,
    tables: tuple[str, ...],
    required: str | None = None,
) -> frozenset[str]:
    """Which of the tables a page reads this actor may not view (`view-table`).

    A page about the `required` table answers 403 when that one is hidden.
    """
    hidden = set()
    for table in tables:
        if not await can_view(datasette, actor, database, table):
            hidden.add(table)
    if required is not None and required in hidden:
        from datasette.utils.asgi import Forbidden

        raise Forbidden(f"You do not have permission to view {required} in this database")
    return frozenset(hidden)


def redact(row: dict[str, Any], hidden: frozenset[str]) -> dict[str, Any]:
    """The row without the columns hidden tables lend it (set to None, keys kept)."""
    if not hidden:
        return row
    gone = {column for table in hidden for column in LENT_COLUMNS[table]}
    return {k: (None if k in gone else v) for k, v in row.items()}


def is_imported_verdict(row: dict[str, Any]) -> bool:
    """A history row that copies a fact-checker's verdict from claim_reviews (its reviewer,
    verdict, file and URL), as db.statuses writes it."""
    reason = str(row.get("reason") or "")
    return (
        row.get("action") == "status"
        and reason.startswith("verdict '")
        and " imported from " in reason
    )


HIDDEN_VERDICT = "a fact-checker's verdict (claim_reviews is hidden)"


def redact_history(rows: list[dict[str, Any]], hidden: frozenset[str]) -> list[dict[str, Any]]:
    """History rows without what hidden tables lent them: an imported verdict's reviewer,
    words, file and URL come from claim_reviews; a review's evidence URL from evidence."""
    if not hidden & {"claim_reviews", "evidence"}:
        return rows
    shown = []
    for row in rows:
        if "claim_reviews" in hidden and is_imported_verdict(row):
            row = {**row, "changed_by": "fact-checker", "reason": HIDDEN_VERDICT}
            row["evidence_url"] = None
        if "evidence" in hidden:
            row = {**row, "evidence_url": None}
        shown.append(row)
    return shown
