"""`/<db>/-/claims/changes.atom`: status changes as an Atom feed reporters can follow."""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree as ET

from datasette.utils import tilde_encode
from datasette.utils.asgi import Response

from datasette_claims.web.guard import claims_database
from datasette_claims.web.names import readable_reasons
from datasette_claims.web.permissions import hidden_tables, redact_history

ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot carry at all; claim text from the web may contain them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


FEED_SIZE = 100


def _feed(base: str, database: str, name: str, title: str, updated: str | None) -> ET.Element:
    """An Atom feed element with its title, tag-URI id, self and page links, updated time."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"tag:datasette-claims,2024:{database}/{name}"
    ET.SubElement(feed, f"{{{ATOM}}}link", href=f"{base}/{name}.atom", rel="self")
    ET.SubElement(feed, f"{{{ATOM}}}link", href=base, rel="alternate")
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _clean(updated or "1970-01-01T00:00:00+00:00")
    return feed


def _atom(feed: ET.Element) -> Response:
    body = ET.tostring(feed, encoding="unicode", xml_declaration=False)
    return Response(
        '<?xml version="1.0" encoding="utf-8"?>\n' + body,
        content_type="application/atom+xml; charset=utf-8",
    )


async def changes_feed(datasette: Any, request: Any) -> Response:
    database, db = await claims_database(datasette, request)
    hidden = await hidden_tables(
        datasette,
        request.actor,
        database,
        ("claim_history", "sources", "evidence", "propositions", "claim_reviews"),
        required="claim_history",
    )
    found = (
        await db.execute(
            """select h.id, h.claim_id, h.changed_at, h.changed_by, h.action, h.old_value,
                   h.new_value, h.reason, h.evidence_url, c.text, s.name as source_name,
                   c.proposition_id
               from claim_history h join claims c on c.id = h.claim_id
               left join sources s on s.id = c.source_id
               where h.action in ('status', 'review')
                  -- a status the loader derived as it created the claim
                  or (h.action = 'created' and h.new_value != 'unverified')
               order by h.id desc limit :limit""",
            {"limit": FEED_SIZE},
        )
    ).rows
    rows = redact_history([dict(row) for row in found], hidden)
    if "propositions" not in hidden:  # the reason names the proposition by its statement
        rows = await readable_reasons(db, rows)
    base = datasette.absolute_url(request, datasette.urls.database(database) + "/-/claims")
    feed = _feed(
        base,
        database,
        "changes",
        f"Claim status changes in {database}",
        rows[0]["changed_at"] if rows else None,
    )
    for row in rows:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        # Encoded as the pages encode ids: "/", ".", "#" and spaces stay in the id.
        claim_url = f"{base}/{tilde_encode(row['claim_id'])}"
        source_name = None if "sources" in hidden else row["source_name"]
        kind = "Review" if row["action"] == "review" else "Derived"
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _clean(
            f"{kind}: {source_name or 'unattributed'} claim "
            f"{row['old_value'] or 'new'} → {row['new_value']}"
        )
        # Entry ids must not change with the host a reader used: a tag URI of the change.
        ET.SubElement(
            entry, f"{{{ATOM}}}id"
        ).text = f"tag:datasette-claims,2024:{database}/change/{row['id']}"
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _clean(row["changed_at"])
        ET.SubElement(entry, f"{{{ATOM}}}link", href=claim_url, rel="alternate")
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = _clean(row["changed_by"])
        summary = [f"“{row['text']}”"]
        if row["reason"]:
            summary.append(f"Why: {row['reason']}")
        if row["evidence_url"]:
            summary.append(f"Evidence: {row['evidence_url']}")
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = _clean("\n".join(summary))
    return _atom(feed)


async def checked_feed(datasette: Any, request: Any) -> Response:
    """`/<db>/-/claims/checked.atom`: new claims on propositions someone checked already."""
    from datasette_claims.web import queries

    database, db = await claims_database(datasette, request)
    hidden = await hidden_tables(
        datasette, request.actor, database, ("sources", "propositions", "claim_reviews")
    )
    rows = [] if "claim_reviews" in hidden else await queries.new_claims_on_checked(db, FEED_SIZE)
    base = datasette.absolute_url(request, datasette.urls.database(database) + "/-/claims")
    feed = _feed(
        base,
        database,
        "checked",
        f"New claims on already-checked propositions in {database}",
        rows[0]["created_at"] if rows else None,
    )
    for row in rows:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        source = None if "sources" in hidden else row["source_name"]
        statement = None if "propositions" in hidden else row["statement"]
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _clean(
            f"{source or 'unattributed'}: {row['text'][:120]}"
        )
        ET.SubElement(
            entry, f"{{{ATOM}}}id"
        ).text = f"tag:datasette-claims,2024:{database}/checked/{_clean(row['id'])}"
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _clean(row["created_at"])
        ET.SubElement(
            entry, f"{{{ATOM}}}link", href=f"{base}/{tilde_encode(row['id'])}", rel="alternate"
        )
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = _clean(source or "unattributed")
        lines = [f"“{row['text']}”"]
        if statement:
            lines.append(
                f"On “{statement}”, checked since {row['first_checked']} "
                f"(now {row['proposition_status']})"
            )
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = _clean("\n".join(lines))
    return _atom(feed)
