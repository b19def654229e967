"""Link the words that name a speaker to a source in the registry.

Matching works on stemmed tokens, so inflected German forms meet their alias
("des südkoreanischen Geheimdienstes" ~ "südkoreanischer Geheimdienst"), and on the
longest alias contained in the words ("der südkoreanische Präsident Yoon Suk Yeol").
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

from datasette_claims.extract.lexicon import (
    ENGLISH_DETERMINERS,
    GERMAN_DETERMINERS,
    PRONOUNS,
    ROLE_NOUNS,
)

_STEMMERS = {
    "de": snowballstemmer.stemmer("german"),
    "en": snowballstemmer.stemmer("english"),
}
_TOKEN = re.compile(r"[\w]+", re.UNICODE)
_DROP = GERMAN_DETERMINERS | ENGLISH_DETERMINERS
# The combining-mark blocks accents decompose into (NFKD): removed to fold "é" to "e".
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


@lru_cache(maxsize=65536)
def _stem(token: str) -> str:
    # German stemming also folds English plurals well enough for names and bodies.
    stem = _STEMMERS["de"].stemWord(token)
    return _STEMMERS["en"].stemWord(stem) if stem == token else stem


@lru_cache(maxsize=8192)  # names repeat; whole claim texts rarely do
def normalise(text: str) -> tuple[str, ...]:
    """Lower-case, accent-folded, stemmed tokens without determiners."""
    folded = text.lower()
    if not folded.isascii():
        folded = _COMBINING.sub("", unicodedata.normalize("NFKD", folded.replace("ß", "ss")))
    # A number stems to itself: claims' figures and report numbers are mostly unique, so
    # they would miss the stem cache and cost a Snowball run each.
    return tuple(
        t if t.isdigit() and t.isascii() else _stem(t)
        for t in _TOKEN.findall(folded)
        if t not in _DROP
    )


@dataclass
class SourceInfo:
    id: str
    name: str
    kind: str
    role: str | None = None


@dataclass
class AliasIndex:
    """Registry aliases by their stemmed token sequence, for containment lookups."""

    sources: dict[str, SourceInfo] = field(default_factory=dict)
    _by_first: dict[str, list[tuple[tuple[str, ...], str]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def add(self, source: SourceInfo, aliases: list[str]) -> None:
        self.sources[source.id] = source
        for alias in {source.name, *aliases}:
            tokens = normalise(alias)
            if tokens:
                self._by_first[tokens[0]].append((tokens, source.id))

    def signature(self) -> str:
        """A digest of what all_mentions() finds with: equal digests, equal mentions."""
        digest = hashlib.sha256()
        for first in sorted(self._by_first):
            digest.update(repr((first, self._by_first[first])).encode("utf-8"))
        return digest.hexdigest()

    def link(self, words: str) -> str | None:
        """The source whose longest alias occurs in `words`, or None."""
        tokens = normalise(words)
        by_first = self._by_first
        best: tuple[int, str] | None = None
        # Only tokens that start some alias are looked at (most tokens start none).
        for i in [i for i, token in enumerate(tokens) if token in by_first]:
            for alias, source_id in by_first[tokens[i]]:
                if tokens[i : i + len(alias)] == alias and (best is None or len(alias) > best[0]):
                    best = (len(alias), source_id)
        return best[1] if best else None

    def mentions(self, words: str) -> bool:
        return self.link(words) is not None

    def all_mentions(self, words: str) -> set[str]:
        """Every source named in the words (longest alias first, no overlaps)."""
        tokens = normalise(words)
        by_first = self._by_first
        found: set[str] = set()
        end = 0  # tokens before this belong to a mention found already
        for i in [i for i, token in enumerate(tokens) if token in by_first]:
            if i < end:
                continue
            best: tuple[int, str] | None = None
            for alias, source_id in by_first[tokens[i]]:
                if tokens[i : i + len(alias)] == alias and (best is None or len(alias) > best[0]):
                    best = (len(alias), source_id)
            if best:
                found.add(best[1])
                end = i + best[0]
        return found


@dataclass
class Speaker:
    words: str
    start: int
    end: int
    source_id: str | None


class Coreference:
    """Resolves "er", "sie", "der Spitzendiplomat" to the last fitting named speaker."""

    def __init__(self, index: AliasIndex) -> None:
        self.index = index
        self.people: list[Speaker] = []
        self.last: Speaker | None = None

    def resolve(self, speaker: Speaker) -> Speaker:
        """Returns the speaker with a source id filled in where one can be found."""
        words = speaker.words.lower().split()
        head = words[-1] if words else ""
        if (
            speaker.source_id is None
            and words
            and (speaker.words.lower() in PRONOUNS or (len(words) <= 2 and head in PRONOUNS))
        ):
            target = self.people[-1] if self.people else self.last
            if target is not None:
                speaker = Speaker(speaker.words, speaker.start, speaker.end, target.source_id)
        elif speaker.source_id is None and head in ROLE_NOUNS:
            target = self._by_role(ROLE_NOUNS[head])
            if target is not None:
                speaker = Speaker(speaker.words, speaker.start, speaker.end, target.source_id)
        self.remember(speaker)
        return speaker

    def remember(self, speaker: Speaker) -> None:
        self.last = speaker
        source = self.index.sources.get(speaker.source_id or "")
        if source is not None and source.kind == "person":
            self.people.append(speaker)

    def _by_role(self, hints: tuple[str, ...]) -> Speaker | None:
        for candidate in reversed(self.people):
            source = self.index.sources.get(candidate.source_id or "")
            role = (source.role or "").lower() if source else ""
            if any(hint in role for hint in hints):
                return candidate
        return self.people[-1] if self.people else None
