"""The vocabulary of a claims database, its ids, and the rows every layer passes on.

The bottom layer: nothing here reads files or touches a database. The loader, the
importers and the bulk write path all build their rows with the functions below, so a
row always carries every column (one definition, not one per caller).
"""

from __future__ import annotations

import hashlib
from typing import Any, TypedDict

STATUSES = ("unverified", "corroborated", "disputed", "confirmed", "refuted", "retracted")
STANCES = ("asserts", "denies", "expects", "uncertain")
QUOTE_KINDS = ("direct", "reported", "paraphrase")
ORIGINS = ("curated", "extracted", "imported")
LINK_STATUSES = ("curated", "suggested", "confirmed")
# registry: from a curated sources file; suggested: a speaker the registry did not know,
# proposed by the extractor; confirmed: such a source a person kept; merged: one a
# person folded into another source (merged_into).
SOURCE_ORIGINS = ("registry", "suggested", "confirmed", "merged")
RELIABILITY_GRADES = ("A", "B", "C", "D", "E", "F")
SOURCE_KINDS = (
    "person",
    "government",
    "agency",
    "ministry",
    "parliament",
    "military",
    "organisation",
    "outlet",
    "country",
    "group",
    "other",
)

STATUS_LABELS = {
    "unverified": "Unverified",
    "corroborated": "Corroborated",
    "disputed": "Disputed",
    "confirmed": "Confirmed",
    "refuted": "Refuted",
    "retracted": "Retracted",
}

# Stances that count for and against a proposition. "expects" is a forecast and
# "uncertain" takes no side, so neither corroborates nor disputes.
SUPPORTING = {"asserts"}
OPPOSING = {"denies"}

# An extractor's quote kind (direct, indirect, none) as the claims table stores it.
EXTRACTED_QUOTE_KINDS = {"direct": "direct", "indirect": "reported", "none": "paraphrase"}


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_id(content_hash: str) -> str:
    """A document's id from the SHA-256 of its text: the same text, the same document."""
    return "d-" + content_hash[:16]


def text_document_id(text: str) -> str:
    return document_id(_sha256(text))


def claim_id(document: str, start: int, end: int, source: str | None = None) -> str:
    """Stable id for a claim without an explicit one: its document and span (and, for a
    second speaker of the same span, that speaker's source)."""
    key = f"{document}:{start}:{end}" + (f":{source}" if source else "")
    return "c-" + _sha256(key)[:16]


def imported_claim_id(key: str) -> str:
    """Id of an imported claim that brings none of its own, from what identifies it."""
    return "i-" + _sha256(key)[:16]


def generated_proposition_id(founding_claim_id: str) -> str:
    """Id of the proposition the matcher opens for a claim that matches none."""
    return "p-" + _sha256(founding_claim_id)[:12]


class ClaimRow(TypedDict):
    """A claim as a load plans it: every column it writes, plus the file it came from.

    The store adds status and timestamps; `_file` names the input in history reasons.
    """

    id: str
    document_id: str
    source_id: str | None
    proposition_id: str | None
    text: str
    start: int
    end: int
    speaker: str | None
    quote_kind: str
    stance: str
    hedge: str | None
    figure_value: float | None
    figure_unit: str | None
    figure_text: str | None
    figure_as_of: str | None
    figure_is_forecast: int
    event_date: str | None
    claimed_at: str | None
    origin: str
    confidence: float | None
    note: str | None
    external_id: str | None
    extra: str | None
    link_status: str | None
    link_score: float | None
    _file: str


def claim_row(
    *,
    id: str,
    document_id: str,
    text: str,
    start: int,
    end: int,
    origin: str,
    file: str,
    source_id: str | None = None,
    proposition_id: str | None = None,
    speaker: str | None = None,
    quote_kind: str = "paraphrase",
    stance: str = "asserts",
    hedge: str | None = None,
    figure_value: float | None = None,
    figure_unit: str | None = None,
    figure_text: str | None = None,
    figure_as_of: str | None = None,
    figure_is_forecast: bool | int = False,
    event_date: str | None = None,
    claimed_at: str | None = None,
    confidence: float | None = None,
    note: str | None = None,
    external_id: str | None = None,
    extra: str | None = None,
    link_status: str | None = None,
    link_score: float | None = None,
) -> ClaimRow:
    """A claim row with every column set, whichever input it came from."""
    return ClaimRow(
        id=id,
        document_id=document_id,
        source_id=source_id,
        proposition_id=proposition_id,
        text=text,
        start=start,
        end=end,
        speaker=speaker,
        quote_kind=quote_kind,
        stance=stance,
        hedge=hedge,
        figure_value=figure_value,
        figure_unit=figure_unit,
        figure_text=figure_text,
        figure_as_of=figure_as_of,
        figure_is_forecast=int(bool(figure_is_forecast)),
        event_date=event_date,
        claimed_at=claimed_at,
        origin=origin,
        confidence=confidence,
        note=note,
        external_id=external_id,
        extra=extra,
        link_status=link_status,
        link_score=link_score,
        _file=file,
    )


class PropositionRow(TypedDict):
    id: str
    statement: str
    topic: str | None
    origin: str  # curated (a claim file or an import) or generated (the matcher)


def proposition_row(
    id: str, statement: str, topic: str | None = None, origin: str = "curated"
) -> PropositionRow:
    return PropositionRow(id=id, statement=statement, topic=topic, origin=origin)


class DocumentRow(TypedDict):
    id: str
    title: str | None
    kicker: str | None
    publisher: str | None
    url: str | None
    published_at: str | None
    language: str | None
    content_hash: str
    path: str | None
    header: str | None
    author: str | None
    fetched_at: str | None
    raw_sha256: str | None
    encoding: str | None
    replacements: int | None
    fetched_url: str | None
    text: str


def document_row(
    *,
    text: str,
    content_hash: str | None = None,
    title: str | None = None,
    kicker: str | None = None,
    publisher: str | None = None,
    url: str | None = None,
    published_at: str | None = None,
    language: str | None = None,
    path: str | None = None,
    header: str | None = None,
    author: str | None = None,
    fetched_at: str | None = None,
    raw_sha256: str | None = None,
    encoding: str | None = None,
    replacements: int | None = None,
    fetched_url: str | None = None,
) -> DocumentRow:
    digest = content_hash or _sha256(text)
    return DocumentRow(
        id=document_id(digest),
        title=title,
        kicker=kicker,
        publisher=publisher,
        url=url,
        published_at=published_at,
        language=language,
        content_hash=digest,
        path=path,
        header=header,
        author=author,
        fetched_at=fetched_at,
        raw_sha256=raw_sha256,
        encoding=encoding,
        replacements=replacements,
        fetched_url=fetched_url,
        text=text,
    )


def same_columns(rows: list[dict[str, Any]]) -> list[str]:
    """The rows' shared columns; rows that disagree are a bug in the code that built them.

    One executemany writes every row with the first row's columns: a row with other keys
    would silently lose values (or gain NULLs) there.
    """
    columns = list(rows[0])
    keys = rows[0].keys()
    for row in rows:
        if row.keys() != keys:
            odd = sorted(set(row) ^ set(keys))
            raise ValueError(f"rows differ in their columns ({', '.join(odd)})")
    return columns


# Unit words that count the same dimension: "3,000 troops" and "3.000 Soldaten" are one
# quantity on the comparison page, whichever word a claim file or an article used.
UNIT_DIMENSIONS = {
    "troops": "soldiers",
    "troop": "soldiers",
    "soldier": "soldiers",
    "forces": "soldiers",
    "personnel": "soldiers",
    "fighters": "soldiers",
}


def canonical_unit(unit: str | None) -> str | None:
    """The dimension a unit word counts ("troops" -> "soldiers"), lower-cased."""
    if not unit:
        return unit
    low = unit.strip().lower()
    return UNIT_DIMENSIONS.get(low, low)
