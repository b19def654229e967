"""Claim extraction: extractors registered through the `register_claim_extractors` hook.

The built-in German and English extractors register through the same hook as any
plugin's, so `datasette claims load` and `datasette claims extract` treat them alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from datasette_claims.errors import ClaimsError
from datasette_claims.extract.base import DocumentContext, ExtractedClaim, Extractor
from datasette_claims.extract.english import EnglishExtractor
from datasette_claims.extract.figures import Figure
from datasette_claims.extract.german import GermanExtractor
from datasette_claims.extract.linking import AliasIndex, SourceInfo

__all__ = [
    "AliasIndex",
    "DocumentContext",
    "EnglishExtractor",
    "ExtractedClaim",
    "Extractor",
    "Figure",
    "GermanExtractor",
    "SourceInfo",
    "build_index",
    "extract_claims",
    "registered_extractors",
    "choose_extractors",
]


def builtin_extractors() -> list[Extractor]:
    return [GermanExtractor(), EnglishExtractor()]


def registered_extractors(datasette: Any = None) -> list[Extractor]:
    """Every extractor plugins register (the built-ins included), in registration order."""
    from datasette_claims.hookspecs import collect

    return collect("register_claim_extractors", datasette)


DEFAULT_EXTRACTOR = "rules"  # every extractor that is not opt-in: the built-in rules and
# whatever plugins add to every load


def choose_extractors(
    name: str | None, datasette: Any = None, *, model: str | None = None
) -> list[Extractor]:
    """The extractors `--extractor NAME [--model M]` asks for; without a name (or with
    `rules`), every registered extractor that runs by default.

    Raises ClaimsError for a name no plugin registers, a model-backed one without a model,
    or one whose `ready()` says it cannot run here.
    """
    known = registered_extractors(datasette)
    if name in (None, "", DEFAULT_EXTRACTOR):
        return [e for e in known if e.default]
    chosen = [e for e in known if e.name == name]
    if not chosen:
        names = sorted({DEFAULT_EXTRACTOR} | {e.name for e in known if not e.default})
        raise ClaimsError(f"no extractor named '{name}'; choose one of {', '.join(names)}")
    if not model and any(e.needs_model for e in chosen):
        raise ClaimsError(f"the {name} extractor needs a model: --model NAME")
    chosen = [e.with_model(model) for e in chosen]
    for extractor in chosen:
        extractor.ready()
    return chosen


def build_index(sources: Iterable[tuple[SourceInfo, list[str]]]) -> AliasIndex:
    index = AliasIndex()
    for info, aliases in sources:
        index.add(info, aliases)
    return index


def extract_claims(
    text: str,
    *,
    language: str | None,
    published: date | None = None,
    index: AliasIndex | None = None,
    publisher_source_id: str | None = None,
    extractors: list[Extractor] | None = None,
) -> list[ExtractedClaim]:
    """Run every extractor that handles the language; overlapping duplicates are merged."""
    document = DocumentContext(
        text=text,
        language=language,
        published=published,
        index=index or AliasIndex(),
        publisher_source_id=publisher_source_id,
    )
    chosen = extractors if extractors is not None else choose_extractors(None)
    claims: list[ExtractedClaim] = []
    for extractor in chosen:
        if extractor.handles(language):
            claims.extend(extractor.extract(document))
    return _merge(claims)


def _merge(claims: list[ExtractedClaim]) -> list[ExtractedClaim]:
    """Keep one claim per span and source (the most confident), in document order.

    Two named speakers of one span ("X and Y said") stay two claims; a claim with no
    speaker words on a span someone speaks goes."""
    spoken = {(c.start, c.end) for c in claims if c.speaker}
    best: dict[tuple[int, int, str | None], ExtractedClaim] = {}
    for claim in claims:
        if not claim.speaker and (claim.start, claim.end) in spoken:
            continue  # the outlet's voice, where the article names who speaks
        key = (
            claim.start,
            claim.end,
            (claim.source_id or claim.speaker) if claim.speaker else None,
        )
        if key not in best or claim.confidence > best[key].confidence:
            best[key] = claim
    return sorted(best.values(), key=lambda c: (c.start, c.end))
