"""Attribution in German news text: quotes, "sagte X", "laut X", "X zufolge", Konjunktiv."""

from __future__ import annotations

import re

from datasette_claims.extract.base import DocumentContext
from datasette_claims.extract.lexicon import (
    GERMAN_ACCORDING_PREFIX,
    GERMAN_CONTINUATION,
    GERMAN_DENY,
    GERMAN_DETERMINERS,
    GERMAN_POSITION,
    GERMAN_POSITION_PHRASES,
    GERMAN_SAY,
    GERMAN_SUBJUNCTIVE,
    PREPOSITIONS,
    PRONOUNS,
)
from datasette_claims.extract.rules import Attribution, RuleExtractor, Token, tokenize
from datasette_claims.extract.sentences import Span, quotes

_ADJECTIVE_END = re.compile(r"(e|en|er|es|em|isch|ische|ischen|ischer)$")
_LEADING_ADVERBS = {
    "auch",
    "nun",
    "indes",
    "zudem",
    "dagegen",
    "jedoch",
    "aber",
    "und",
    "doch",
    "inzwischen",
    "bereits",
    "außerdem",
    "so",
    "damit",
}
_STOP_WORDS = {
    "während",
    "bei",
    "am",
    "im",
    "in",
    "auf",
    "nach",
    "vor",
    "gegenüber",
    "dem",
    "zufolge",
    "laut",
    "zu",
    "zum",
    "zur",
    "mit",
    "und",
    "sowie",
    "als",
}
# Lower-case words with adjective endings that are verbs, pronouns or determiners.
_NOT_ADJECTIVES = (
    _STOP_WORDS
    | GERMAN_DETERMINERS
    | GERMAN_SAY
    | GERMAN_POSITION
    | GERMAN_SUBJUNCTIVE
    | {"sie", "wir", "ihr", "sich", "diese", "dieser", "dieses", "jene", "welche", "keine"}
)


def noun_phrase(tokens: list[Token], i: int, allow_apposition: bool = True) -> tuple[int, int]:
    """Token range [i, j) of a German noun phrase starting at token i (may be empty).

    Determiners, adjectives and capitalised words, genitive attributes ("der Chef des
    Auswärtigen Ausschusses der Duma") and a closing apposition (", Leonid Sluzki").
    """
    j = i
    n = len(tokens)
    while j < n:
        tok = tokens[j]
        low = tok.lower
        if low in PRONOUNS and j == i:
            return i, j + 1
        if low in GERMAN_DETERMINERS:
            j += 1
            continue
        if tok.capitalised and tok.text[0].isalpha() and low not in _STOP_WORDS:
            j += 1
            continue
        if (
            tok.text[0].islower()
            and _ADJECTIVE_END.search(low)
            and j + 1 < n
            and low not in _NOT_ADJECTIVES
            and (
                tokens[j + 1].capitalised
                or (
                    _ADJECTIVE_END.search(tokens[j + 1].lower)
                    and tokens[j + 1].lower not in _NOT_ADJECTIVES
                )
            )
        ):
            j += 1
            continue
        break
    # An apposition at the end of the sentence names the person: ", Leonid Sluzki."
    if allow_apposition and j < n and tokens[j].text == "," and j + 1 < n:
        k = j + 1
        while k < n and tokens[k].capitalised and tokens[k].text[0].isalpha():
            k += 1
        if k > j + 1 and (k == n or tokens[k].text in ".!"):
            j = k
    # Drop trailing determiners (a phrase cannot end on "der").
    while j > i and tokens[j - 1].lower in GERMAN_DETERMINERS:
        j -= 1
    return i, j


def _span(tokens: list[Token], i: int, j: int) -> Span | None:
    return Span(tokens[i].start, tokens[j - 1].end) if j > i else None


class GermanExtractor(RuleExtractor):
    name = "builtin-de"
    languages = ("de",)

    def continues_speech(self, sentence_text: str) -> bool:
        words = set(re.findall(r"\w+", sentence_text.lower()))
        return bool(words & GERMAN_SUBJUNCTIVE or words & GERMAN_CONTINUATION)

    def introduces_quote(self, document: DocumentContext, sentence: Span) -> Span | None:
        tokens = tokenize(document.text[sentence.start : sentence.end], sentence.start)
        verbs = [n for n, t in enumerate(tokens) if t.lower in GERMAN_SAY]
        if verbs and len(tokens) - verbs[-1] <= 4:
            i, j = self._subject(tokens, verbs[-1])
            if j <= i:
                i, j = noun_phrase(tokens, verbs[-1] + 1, allow_apposition=False)
            return _span(tokens, i, j)
        return None

    def attribute(self, document: DocumentContext, sentence: Span) -> list[Attribution]:
        text = document.text
        raw = text[sentence.start : sentence.end]
        tokens = tokenize(raw, sentence.start)
        if not tokens:
            return []
        for rule in (
            self._quote_then_cue,
            self._cue_then_quote,
            self._according,
            self._zufolge,
            self._trailing_cue,
            self._cue_then_content,
            self._concern,
            self._position,
        ):
            found = rule(document, sentence, tokens)
            if found:
                return found
        return []

    # „…“, sagte X. / „…“, machte er deutlich. / „…“, so X.
    def _quote_then_cue(self, document, sentence, tokens):
        text = document.text
        for quote in quotes(text[sentence.start : sentence.end]):
            if quote.outer.start > 2:
                continue
            after = [t for t in tokens if t.start >= sentence.start + quote.outer.end]
            if len(after) < 2:
                continue
            k = 1 if after[0].text == "," else 0
            if k >= len(after):
                continue
            verb = after[k].lower
            if verb == "so" or verb in GERMAN_SAY:
                i, j = noun_phrase(after, k + 1)
                if j > i:
                    inner = Span(
                        sentence.start + quote.inner.start, sentence.start + quote.inner.end
                    )
                    stance = "denies" if verb in GERMAN_DENY else None
                    return [Attribution(inner, "direct", _span(after, i, j), verb, 0.9, stance)]
        return []

    # X sagte: „…“
    def _cue_then_quote(self, document, sentence, tokens):
        text = document.text
        for quote in quotes(text[sentence.start : sentence.end]):
            before = [t for t in tokens if t.end <= sentence.start + quote.outer.start]
            if len(before) < 2 or before[-1].text not in (":", ","):
                continue
            verbs = [n for n, t in enumerate(before) if t.lower in GERMAN_SAY]
            if not verbs:
                continue
            v = verbs[0]
            i, j = self._subject(before, v)
            if j <= i:
                i, j = noun_phrase(before, v + 1, allow_apposition=False)
            if j > i:
                inner = Span(sentence.start + quote.inner.start, sentence.start + quote.inner.end)
                return [Attribution(inner, "direct", _span(before, i, j), before[v].lower, 0.9)]
        return []

    # Nach Angaben des Geheimdienstes ... / Laut X ...
    def _according(self, document, sentence, tokens):
        low = " ".join(t.lower for t in tokens[:4])
        for prefix in GERMAN_ACCORDING_PREFIX:
            words = prefix.split()
            if low.startswith(prefix) or (
                tokens[0].lower in _LEADING_ADVERBS and low.split(" ", 1)[-1].startswith(prefix)
            ):
                skip = len(words) + (
                    1 if tokens[0].lower in _LEADING_ADVERBS and not low.startswith(prefix) else 0
                )
                i, j = noun_phrase(tokens, skip, allow_apposition=False)
                if j > i:
                    return [Attribution(sentence, "indirect", _span(tokens, i, j), prefix, 0.85)]
        return []

    # Dem Geheimdienst zufolge ...
    def _zufolge(self, document, sentence, tokens):
        for n, tok in enumerate(tokens[:12]):
            if tok.lower == "zufolge" and n > 0:
                i = n
                while (
                    i > 0
                    and (
                        tokens[i - 1].capitalised
                        or tokens[i - 1].lower in GERMAN_DETERMINERS
                        or _ADJECTIVE_END.search(tokens[i - 1].lower)
                    )
                    and tokens[i - 1].text.isalpha()
                ):
                    i -= 1
                if i < n:
                    return [Attribution(sentence, "indirect", _span(tokens, i, n), "zufolge", 0.85)]
        return []

    # …, sagte der Präsident X. / …, so US-Verteidigungsminister Lloyd Austin.
    def _trailing_cue(self, document, sentence, tokens):
        for n in range(len(tokens) - 2, 0, -1):
            if tokens[n].text != ",":
                continue
            verb = tokens[n + 1].lower
            if verb != "so" and verb not in GERMAN_SAY:
                continue
            i, j = noun_phrase(tokens, n + 2)
            rest = tokens[j:]
            # The phrase must run (nearly) to the end: "..., sagte X während einer Anhörung."
            if j > i and (not rest or rest[0].text in ".!" or rest[0].lower in _STOP_WORDS):
                content = Span(sentence.start, tokens[n].start)
                stance = "denies" if verb in GERMAN_DENY else None
                quote = "direct" if document.text[sentence.start] in '„"»“' else "indirect"
                if quote == "direct":
                    return []  # handled by the quote rules
                return [Attribution(content, quote, _span(tokens, i, j), verb, 0.85, stance)]
        return []

    # …, entgegnete der Spitzendiplomat, alle Optionen lägen auf dem Tisch.
    # Der Minister sagte, dass … / Der Minister sagte, …
    def _cue_then_content(self, document, sentence, tokens):
        for n, tok in enumerate(tokens[:-2]):
            if tok.lower not in GERMAN_SAY:
                continue
            i, j = noun_phrase(tokens, n + 1, allow_apposition=False)
            if j > i and j < len(tokens) and tokens[j].text == ",":
                content = Span(tokens[j + 1].start, sentence.end)
                return [Attribution(content, "indirect", _span(tokens, i, j), tok.lower, 0.8)]
            # Subject before the verb: "Der Minister sagte, dass ..."
            if n + 1 < len(tokens) and tokens[n + 1].text == ",":
                si, sj = self._subject(tokens, n)
                if sj > si:
                    content = Span(tokens[n + 2].start, sentence.end)
                    return [Attribution(content, "indirect", _span(tokens, si, sj), tok.lower, 0.8)]
        return []

    # In Südkorea ist die Sorge groß, dass … / Dies löst in Südkorea Sorgen aus …
    def _concern(self, document, sentence, tokens):
        lowered = [t.lower for t in tokens]
        if not any(w.startswith(("sorge", "befürcht", "angst")) for w in lowered):
            return []
        for n, tok in enumerate(tokens[:-1]):
            if tok.lower == "in" and tokens[n + 1].capitalised:
                words = document.text[tok.start : tokens[n + 1].end]
                if document.index.link(words) or document.index.link(tokens[n + 1].text):
                    return [
                        Attribution(
                            sentence,
                            "none",
                            Span(tok.start, tokens[n + 1].end),
                            "sorge",
                            0.6,
                            "expects",
                        )
                    ]
        return []

    # Südkorea will … / Die USA halten … für gefährlich und werfen … vor
    def _position(self, document, sentence, tokens):
        lowered_sentence = document.text[sentence.start : sentence.end].lower()
        for n, tok in enumerate(tokens[:8]):
            if tok.lower not in GERMAN_POSITION:
                continue
            if tok.lower in ("hat", "haben") and not any(
                p in lowered_sentence for p in GERMAN_POSITION_PHRASES
            ):
                continue
            i, j = self._subject(tokens, n)
            speaker = _span(tokens, i, j)
            if speaker is None or not document.index.link(
                document.text[speaker.start : speaker.end]
            ):
                i, j = noun_phrase(tokens, n + 1, allow_apposition=False)
                speaker = _span(tokens, i, j)
                if speaker is None or not document.index.link(
                    document.text[speaker.start : speaker.end]
                ):
                    return []
            return self._split_coordinated(document, sentence, tokens, n, speaker, tok.lower)
        return []

    def _split_coordinated(self, document, sentence, tokens, verb_at, speaker, verb):
        """ "Russland weist das zurück und betont, dass …" is two claims by one speaker."""
        parts = []
        start = sentence.start
        for m in range(verb_at + 1, len(tokens) - 1):
            if tokens[m].lower == "und" and (
                tokens[m + 1].lower in GERMAN_POSITION or tokens[m + 1].lower in GERMAN_SAY
            ):
                parts.append(Span(start, tokens[m].start))
                start = tokens[m + 1].start
        parts.append(Span(start, sentence.end))
        result = []
        for part in parts:
            part_text = document.text[part.start : part.end].lower()
            stance = (
                "denies"
                if re.search(r"\b(weist|weisen|wies|wiesen)\b.*\bzurück\b", part_text)
                or any(w in part_text.split() for w in ("dementiert", "bestreitet", "bestritt"))
                else None
            )
            result.append(Attribution(part, "none", speaker, verb, 0.7, stance))
        return result

    def _subject(self, tokens: list[Token], verb_at: int) -> tuple[int, int]:
        """The noun phrase before the verb, skipping leading adverbs ("Auch die US-Regierung")."""
        i = 0
        while i < verb_at and tokens[i].lower in _LEADING_ADVERBS:
            i += 1
        if i < verb_at and tokens[i].lower in PREPOSITIONS:
            return i, i  # "Als Reaktion", "In Südkorea": not a subject
        i2, j = noun_phrase(tokens, i, allow_apposition=False)
        return (i2, j) if j == verb_at else (i2, i2)
