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
