"""Who says what across a story: independent institutions against propositions.

Each cell is one institution's stance on one proposition and its latest figure, worked
out with the same comparison as a proposition's own page, so the two never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from datasette_claims.propositions.comparison import compare, latest_figures


def story_matrix(
    propositions: list[dict[str, Any]], claims: list[dict[str, Any]]
) -> dict[str, Any]:
    """Columns (propositions), rows (institutions) and a cell per pair where one speaks.

    `claims` are the propositions' claims with the comparison's columns. A cell is
    marked `conflict` when one of its claims takes part in a disagreement of its
    column (a denial of what another asserts, or a different figure for the same date).
    """
    by_proposition: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for claim in claims:
        if claim.get("status") != "retracted":
            by_proposition[claim["proposition_id"]].append(claim)
    columns = []
    rows: dict[str, dict[str, Any]] = {}
    for proposition in propositions:
        comparison = compare(by_proposition[proposition["id"]])
        in_conflict = {
            kind: {i for d in comparison.disagreements if d.kind == kind for i in d.claim_ids}
            for kind in ("stance", "figure")
        }
        columns.append(
            {
                "id": proposition["id"],
                "statement": proposition["statement"],
                "topic": proposition.get("topic"),
                "status": proposition.get("status"),
                "institutions": len(comparison.groups),
                "unattributed": len(comparison.unattributed),
                "disagreements": [d.message for d in comparison.disagreements],
            }
        )
        for group in comparison.groups:
            ids = {c["id"] for c in group.claims}
            figures = latest_figures(group.claims)
            # The reported figure first; a forecast only where nothing was reported.
            figures.sort(key=lambda f: f["forecast"])
            row = rows.setdefault(group.id, {"id": group.id, "name": group.name, "cells": {}})
            row["cells"][proposition["id"]] = {
                "stances": group.counted_stances or group.stances,
                # An outlet's own narration is shown, but counts for nothing.
                "reported_only": not group.counted_stances,
                "claims": len(group.claims),
                "figure": figures[0] if figures else None,
                "stance_conflict": bool(ids & in_conflict["stance"]),
                "figure_conflict": bool(ids & in_conflict["figure"]),
            }
    ordered = sorted(rows.values(), key=lambda r: (-len(r["cells"]), r["name"]))
    return {
        "columns": columns,
        "rows": [
            {
                "id": row["id"],
                "name": row["name"],
                "propositions": len(row["cells"]),
                "cells": [row["cells"].get(column["id"]) for column in columns],
            }
            for row in ordered
        ],
    }
