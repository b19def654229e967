"""The extractor interface: what an extractor is given and what it returns."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from datasette_claims.extract.figures import Figure
from datasette_claims.extract.linking import AliasIndex
from datasette_claims.extract.sentences import Span


@dataclass
class ExtractedClaim:
    """One attributed claim found in a document; offsets index the document text."""

    text: str
    start: int
    end: int
    speaker: str | None
    source_id: str | None
    quote: str  # direct | indirect | none
    stance: str  # asserts | denies | expects | uncertain
    hedge: str | None = None
    figures: list[Figure] = field(default_factory=list)
    confidence: float = 0.5
    speaker_start: int | None = None
    speaker_end: int | None = None
    cue: str | None = None
    extractor: str = ""
    # What made it, where that is more than the extractor's name (a model and its prompt
    # version); stored as the claim's `extra`.
    provenance: dict[str, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "speaker": self.speaker,
            "speaker_start": self.speaker_start,
            "speaker_end": self.speaker_end,
            "source_id": self.source_id,
            "quote": self.quote,
            "stance": self.stance,
            "hedge": self.hedge,
            "figures": [f.as_dict() for f in self.figures],
            "confidence": round(self.confidence, 2),
            "cue": self.cue,
            "extractor": self.extractor,
        }


@dataclass
class DocumentContext:
    """A document as extractors see it."""

    text: str
    language: str | None = None
    published: date | None = None
    index: AliasIndex = field(default_factory=AliasIndex)
    publisher_source_id: str | None = None
    # The sentence before the one being attributed, so "Das teilte X mit." can point back.
    previous_sentence: Span | None = None


class Extractor(ABC):
    """Base class for claim extractors; register instances via `register_claim_extractors`."""

    name: str = "extractor"
    languages: tuple[str, ...] = ()
    # Run when no extractor is chosen; an opt-in one (a model that bills per article) says
    # False and runs only when chosen by name (`--extractor NAME`, the enrichment's choice).
    default: bool = True
    needs_model: bool = False  # chosen only with a model name (`--model`)

    def ready(self) -> None:
        """Called when a person chooses this extractor: raise ClaimsError, saying what to
        install or configure, if it cannot run."""
        return None

    def with_model(self, model: str | None) -> Extractor:
        """This extractor using `model`; extractors without models ignore it."""
        return self

    def take_notes(self) -> dict[str, int]:
        """What to tell the user since the last call (counts by what happened), e.g.
        returned spans that were not in the text; the load's summary prints them."""
        return {}

    def handles(self, language: str | None) -> bool:
        return not self.languages or language in self.languages

    @abstractmethod
    def extract(self, document: DocumentContext) -> list[ExtractedClaim]:
        """All claims in the document, in document order."""
