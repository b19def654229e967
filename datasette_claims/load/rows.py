"""Claim, proposition and document rows from curated claim files and from extraction."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ahocorasick

from datasette_claims.errors import LoadError
from datasette_claims.extract import extract_claims
from datasette_claims.extract.base import Extractor
from datasette_claims.extract.linking import AliasIndex
from datasette_claims.extract.provisional import DocumentSpeakers, Provisional
from datasette_claims.inputs.article import Article, parse_date
from datasette_claims.inputs.curated import ClaimEntry, CuratedFile, PropositionEntry
from datasette_claims.model import (
    EXTRACTED_QUOTE_KINDS,
    ClaimRow,
    DocumentRow,
    PropositionRow,
    claim_id,
    claim_row,
    document_row,
    proposition_row,
)


def suggested_source_row(provisional: Provisional) -> dict[str, Any]:
    return {
        "id": provisional.id,
        "name": provisional.name,
        "kind": provisional.kind,
        "role": provisional.role,
        "parent_id": provisional.parent_id,
        "origin": "suggested",
        "document_id": provisional.document_id,
    }


def extracted_rows(
    article: Article,
    meta: dict[str, Any],
    index: AliasIndex,
    extractors: list[Extractor],
    curated_spans: list[tuple[int, int]],
    claim_ids: dict[str, str],
    suggested: dict[str, dict[str, Any]] | None = None,
) -> list[ClaimRow]:
    """Extracted claims of one document; beside curated ones, only those that add a span.

    A speaker the registry does not know but the words name (a person, an organisation)
    becomes a provisional source in `suggested`, which the claim then points to.
    """
    published_at = meta.get("published_at") or article.published_at
    published = parse_date(published_at)
    publisher = meta.get("publisher")
    publisher_id = index.link(publisher) if publisher else None
    rows = []
    own_spans: set[str] = set()
    speakers = DocumentSpeakers(article.text, index, article.id)
    for claim in extract_claims(
        article.text,
        language=meta.get("language") or article.language,
        published=published,
        index=index,
        publisher_source_id=publisher_id,
        extractors=extractors,
    ):
        if any(claim.start < end and start < claim.end for start, end in curated_spans):
            continue
        row_id = claim_id(article.id, claim.start, claim.end)
        if row_id in own_spans:
            # One span, several speakers ("nach Angaben Frankreichs und Spaniens"): the
            # first keeps the span's id, each further one adds its source.
            row_id = claim_id(article.id, claim.start, claim.end, claim.source_id)
        if row_id in claim_ids:
            continue
        own_spans.add(claim_id(article.id, claim.start, claim.end))
        claim_ids[row_id] = article.path
        source_id = claim.source_id
        if source_id is None and suggested is not None:
            provisional = speakers.source(claim.speaker, claim.speaker_start)
            if provisional is not None:
                source_id = provisional.id
                suggested.setdefault(provisional.id, suggested_source_row(provisional))
        figure = next((f for f in claim.figures if f.value is not None), None) or next(
            iter(claim.figures), None
        )
        rows.append(
            claim_row(
                id=row_id,
                document_id=article.id,
                source_id=source_id,
                text=claim.text,
                start=claim.start,
                end=claim.end,
                speaker=claim.speaker,
                quote_kind=EXTRACTED_QUOTE_KINDS.get(claim.quote, "paraphrase"),
                stance=claim.stance,
                hedge=claim.hedge,
                figure_value=figure.value if figure else None,
                figure_unit=figure.unit if figure else None,
                figure_text=figure.text if figure else None,
                figure_as_of=figure.as_of if figure else None,
                figure_is_forecast=bool(figure and figure.forecast),
                claimed_at=published.isoformat() if published else None,
                origin="extracted",
                confidence=round(claim.confidence, 2),
                file=article.path,
                extra=json.dumps(claim.provenance, sort_keys=True) if claim.provenance else None,
            )
        )
    return rows


def entry_line(entry: ClaimEntry, key: str) -> int | None:
    return entry.fields.line(key) if entry.fields else entry.line


# Beyond this many texts to find, one Aho-Corasick pass over the document beats a scan
# per text (a 100k-claim file over one long article was quadratic).
AUTOMATON_TEXTS = 32


def occurrences(entries: list[ClaimEntry], text: str) -> dict[str, tuple[int, list[int]]]:
    """Where each entry's text occurs in the document: (how often, the first starts).

    Only as many starts are kept as an entry may ask for (`occurrence:`, and two to tell
    a unique text from a repeated one), so memory follows the claims, not the matches.
    """
    wanted: dict[str, int] = {}
    for entry in entries:
        if entry.start is None and entry.text:
            wanted[entry.text] = max(wanted.get(entry.text, 2), entry.occurrence or 0)
    found: dict[str, tuple[int, list[int]]] = {}
    if len(wanted) < AUTOMATON_TEXTS:
        for needle, keep in wanted.items():
            count, starts = 0, list[int]()
            at = text.find(needle)
            while at != -1:
                count += 1
                if len(starts) < keep:
                    starts.append(at)
                at = text.find(needle, at + 1)
            found[needle] = (count, starts)
        return found
    automaton = ahocorasick.Automaton()
    for needle in wanted:
        automaton.add_word(needle, needle)
    automaton.make_automaton()
    counts: dict[str, int] = dict.fromkeys(wanted, 0)
    firsts: dict[str, list[int]] = {needle: [] for needle in wanted}
    for end, needle in automaton.iter(text):
        counts[needle] += 1
        if len(firsts[needle]) < wanted[needle]:
            firsts[needle].append(end - len(needle) + 1)
    return {needle: (counts[needle], firsts[needle]) for needle in wanted}


def locate(
    entry: ClaimEntry,
    text: str,
    file: str,
    found: dict[str, tuple[int, list[int]]] | None = None,
) -> int:
    """Start offset of the claim's text in the document, or a LoadError saying why not.

    `found` is `occurrences()` of the claim file's entries, worked out once per file.
    """
    if entry.start is not None:
        if text[entry.start : entry.start + len(entry.text)] != entry.text:
            raise LoadError(
                f"the document text at offset {entry.start} is not the claim's text",
                file=file,
                line=entry_line(entry, "start"),
                field="start",
            )
        return entry.start
    if found is None or entry.text not in found:
        found = occurrences([entry], text)
    count, starts = found[entry.text]
    if not count:
        raise LoadError(
            f"the claim's text does not occur in the document: {_short(entry.text)!r}",
            file=file,
            line=entry_line(entry, "text"),
            field="text",
        )
    if entry.occurrence is not None:
        if entry.occurrence > count:
            raise LoadError(
                f"occurrence {entry.occurrence} requested but the text occurs {count} time(s)",
                file=file,
                line=entry_line(entry, "occurrence"),
                field="occurrence",
            )
        return starts[entry.occurrence - 1]
    if count > 1:
        raise LoadError(
            f"the claim's text occurs {count} times in the document; add "
            "'occurrence: N' or 'start: OFFSET' to say which",
            file=file,
            line=entry_line(entry, "text"),
            field="text",
        )
    return starts[0]


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def curated_claim_row(
    entry: ClaimEntry,
    cf: CuratedFile,
    article: Article,
    published: str | None,
    found: dict[str, tuple[int, list[int]]] | None = None,
) -> ClaimRow:
    """The row of a claim file's entry; `found` is occurrences() of the whole file."""
    start = locate(entry, article.text, cf.path, found)
    end = start + len(entry.text)
    return claim_row(
        id=entry.id or claim_id(article.id, start, end),
        document_id=article.id,
        source_id=entry.source_id,
        proposition_id=entry.proposition_id,
        text=entry.text,
        start=start,
        end=end,
        speaker=entry.speaker,
        quote_kind=entry.quote_kind,
        stance=entry.stance,
        hedge=entry.hedge,
        figure_value=entry.figure_value,
        figure_unit=entry.figure_unit,
        figure_text=entry.figure_text,
        figure_as_of=entry.figure_as_of,
        figure_is_forecast=entry.figure_is_forecast,
        event_date=entry.event_date,
        claimed_at=entry.claimed_at or published,
        origin="curated",
        note=entry.note,
        file=cf.path,
    )


def curated_proposition_row(prop: PropositionEntry) -> PropositionRow:
    return proposition_row(prop.id, prop.statement, prop.topic, origin="curated")


def article_document_row(article: Article, meta: dict[str, Any]) -> DocumentRow:
    return document_row(
        text=article.text,
        content_hash=article.content_hash,
        title=meta.get("title", article.title),
        kicker=meta.get("kicker", article.kicker),
        publisher=meta.get("publisher", article.publisher),
        url=meta.get("url", article.url),
        author=meta.get("author", article.author),
        fetched_at=article.fetched_at,
        raw_sha256=article.raw_sha256,
        encoding=article.encoding,
        replacements=article.replacements,
        fetched_url=article.fetched_url,
        published_at=meta.get("published_at", article.published_at),
        language=meta.get("language", article.language),
        path=Path(article.path).name if article.path else None,
        header=article.header,
    )
