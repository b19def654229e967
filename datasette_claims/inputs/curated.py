"""Curated claim files: hand-checked claims for one document, which win over extraction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from datasette_claims.inputs.fields import Fields
from datasette_claims.inputs.limits import check_claims
from datasette_claims.model import QUOTE_KINDS, STANCES, canonical_unit

DOCUMENT_FIELDS = {"file", "id", "title", "kicker", "publisher", "url", "published_at", "language"}
PROPOSITION_FIELDS = {"id", "statement", "topic"}
CLAIM_FIELDS = {
    "id",
    "text",
    "occurrence",
    "start",
    "source",
    "speaker",
    "quote_kind",
    "stance",
    "hedge",
    "proposition",
    "figure",
    "event_date",
    "claimed_at",
    "note",
}
FIGURE_FIELDS = {"value", "unit", "text", "as_of", "forecast", "vague"}


@dataclass
class PropositionEntry:
    id: str
    statement: str
    topic: str | None
    line: int | None


@dataclass
class ClaimEntry:
    text: str
    source_id: str | None
    quote_kind: str
    stance: str
    line: int | None
    id: str | None = None
    occurrence: int | None = None
    start: int | None = None
    speaker: str | None = None
    hedge: str | None = None
    proposition_id: str | None = None
    figure_value: float | int | None = None
    figure_unit: str | None = None
    figure_text: str | None = None
    figure_as_of: str | None = None
    figure_is_forecast: bool = False
    event_date: str | None = None
    claimed_at: str | None = None
    note: str | None = None
    fields: Fields | None = None


@dataclass
class CuratedFile:
    path: str
    document_file: str | None
    document_id: str | None
    document_meta: dict[str, Any]
    propositions: list[PropositionEntry] = field(default_factory=list)
    claims: list[ClaimEntry] = field(default_factory=list)
    line: int | None = None
    file_line: int | None = None  # the line of `document: file:`


def parse_curated(data: Any, path: str) -> CuratedFile:
    """Validate a parsed curated claim file (a mapping with `document` and `claims`)."""
    top = Fields(data, path, "claim file")
    top.only({"document", "propositions", "claims"})
    doc = top.sub("document", "document")
    if doc is None:
        raise top.error("a claim file needs a 'document' block naming its article", "document")
    doc.only(DOCUMENT_FIELDS)
    document_file, document_id = doc.text("file"), doc.text("id")
    if not document_file and not document_id:
        raise doc.error("the document block needs 'file' (the article) or 'id'", "file")
    meta = {key: doc.text(key) for key in ("title", "kicker", "publisher", "language")}
    meta["url"] = doc.url("url")
    meta["published_at"] = doc.timestamp("published_at")
    curated = CuratedFile(
        path=path,
        document_file=document_file,
        document_id=document_id,
        document_meta={k: v for k, v in meta.items() if v is not None},
        line=doc.line(),
        file_line=doc.line("file") if document_file else None,
    )
    seen_props: dict[str, int | None] = {}
    for item in top.items_of("propositions"):
        p = Fields(item, path, "proposition", top.line("propositions"))
        p.only(PROPOSITION_FIELDS)
        prop_id = p.slug("id", required=True, defines=True) or ""
        if prop_id in seen_props:
            raise p.error(
                f"proposition '{prop_id}' is defined twice (first on line {seen_props[prop_id]})",
                "id",
            )
        seen_props[prop_id] = p.line()
        curated.propositions.append(
            PropositionEntry(
                prop_id, p.text("statement", required=True) or "", p.text("topic"), p.line()
            )
        )
    claims = top.items_of("claims")
    if not claims:
        raise top.error("the claim file lists no claims", "claims")
    check_claims(len(claims), path, top.line("claims"), "claims")
    for item in claims:
        curated.claims.append(_claim(Fields(item, path, "claim", top.line("claims"))))
    return curated


def _claim(c: Fields) -> ClaimEntry:
    c.only(CLAIM_FIELDS)
    text = c.mapping.get("text")
    if not isinstance(text, str) or not text.strip():
        raise c.error("a claim needs 'text': the exact words from the document", "text")
    entry = ClaimEntry(
        text=text,
        source_id=c.slug("source"),
        quote_kind=c.choice("quote_kind", QUOTE_KINDS),
        stance=c.choice("stance", STANCES),
        line=c.line(),
        id=c.slug("id", defines=True),
        occurrence=c.integer("occurrence", minimum=1),
        start=c.integer("start", minimum=0),
        speaker=c.text("speaker"),
        hedge=c.text("hedge"),
        proposition_id=c.slug("proposition"),
        event_date=c.date("event_date"),
        claimed_at=c.date("claimed_at"),
        note=c.text("note"),
        fields=c,
    )
    figure = c.sub("figure", "figure")
    if figure is not None:
        figure.only(FIGURE_FIELDS)
        entry.figure_value = figure.number("value")
        entry.figure_unit = canonical_unit(figure.text("unit"))
        entry.figure_text = figure.text("text")
        entry.figure_as_of = figure.date("as_of")
        entry.figure_is_forecast = figure.boolean("forecast")
        vague = figure.boolean("vague")
        if entry.figure_value is None and not (vague and entry.figure_text):
            raise figure.error(
                "a figure needs a numeric 'value' (or 'text' with vague: true)", "value"
            )
    return entry
