"""Names where the stored rows keep ids: history reasons say which proposition by its id
(the rows are append-only), the pages and feeds say it by its statement."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from datasette_claims.model import STATUSES

# "derived: proposition nk-troops-in-russia is corroborated" (db/statuses.py writes it)
_DERIVED = re.compile(r"\bproposition (?P<id>\S+) is (?P<status>" + "|".join(STATUSES) + r")\b")


async def statements(db: Any, ids: set[str]) -> dict[str, str]:
    """The statements of these propositions, by id (the ones that have one)."""
    if not ids:
        return {}
    ordered = sorted(ids)
    marks = ", ".join(f":id{n}" for n in range(len(ordered)))
    found = await db.execute(
        f"select id, statement from propositions where id in ({marks})",
        {f"id{n}": i for n, i in enumerate(ordered)},
    )
    return {row[0]: row[1] for row in found.rows if row[1]}


async def readable_reasons(db: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with each `reason` naming propositions by their statement, in quotes."""
    ids = {m["id"] for row in rows for m in _DERIVED.finditer(str(row.get("reason") or ""))}
    titles = await statements(db, ids)
    if not titles:
        return rows

    def name(match: re.Match[str]) -> str:
        title = titles.get(match["id"])
        shown = f"“{title}”" if title else match["id"]
        return f"proposition {shown} is {match['status']}"

    return [
        {**row, "reason": _DERIVED.sub(name, row["reason"])} if row.get("reason") else row
        for row in rows
    ]


_MONTHS = {
    name: n
    for n, names in enumerate(
        (
            ("january", "januar", "jan"),
            ("february", "februar", "feb"),
            ("march", "märz", "mar"),
            ("april", "apr"),
            ("may", "mai"),
            ("june", "juni", "jun"),
            ("july", "juli", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oktober", "oct", "okt"),
            ("november", "nov"),
            ("december", "dezember", "dec", "dez"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATES = [
    (re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b"), None),
    (re.compile(r"\b(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>(?:19|20)\d\d)\b"), None),
    (
        re.compile(rf"\b(?P<d>\d{{1,2}})\.? (?P<m>{_MONTH})\.? (?P<y>(?:19|20)\d\d)\b", re.I),
        _MONTHS,
    ),
    (re.compile(rf"\b(?P<m>{_MONTH})\.? (?P<d>\d{{1,2}}),? (?P<y>(?:19|20)\d\d)\b", re.I), _MONTHS),
]
DATE_LOOKAHEAD = 5000  # datelines sit near the top; a 10 MB text is not searched whole


def date_in_text(text: str) -> tuple[str, str] | None:
    """The first date written in the text's opening (ISO, 24.10.2024, 24 October 2024,
    October 24, 2024, 24. Oktober 2024), as (ISO date, the words), or None."""
    opening = text[:DATE_LOOKAHEAD]
    found: list[tuple[int, str, str]] = []
    for pattern, months in _DATES:
        for match in pattern.finditer(opening):
            month = months[match["m"].lower()] if months else int(match["m"])
            try:
                day = date(int(match["y"]), month, int(match["d"]))
            except ValueError:
                continue
            found.append((match.start(), day.isoformat(), match.group(0)))
            break
    return min(found)[1:] if found else None
