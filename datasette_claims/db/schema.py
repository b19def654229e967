"""What makes a database a claims database, and the counts its triggers keep."""

from __future__ import annotations

import sqlite_utils

from datasette_claims.errors import LoadError

# The dimensions claim_counts keeps, and the claims column each counts.
COUNTED = (("status", "status"), ("source", "source_id"), ("proposition", "proposition_id"))


OWN_TABLES = ("sources", "source_aliases", "documents", "propositions", "claims", "claim_history")


def check_compatible(db: sqlite_utils.Database) -> None:
    """Refuse a database whose tables of these names were made by something else."""
    if db["claims_migrations"].exists():
        return
    clashing = [t for t in OWN_TABLES if db[t].exists()]
    if clashing:
        raise LoadError(
            f"this database already has tables named {', '.join(clashing)} that "
            "datasette-claims did not create; load into a new database file"
        )


def has_claims_schema(table_names: list[str]) -> bool:
    return {"claims", "sources", "documents", "propositions", "claim_history"} <= set(table_names)
