"""Attribution in English news text: quotes, "X said", "said X", "according to X"."""

from __future__ import annotations

import re

from datasette_claims.extract.base import DocumentContext
from datasette_claims.extract.lexicon import (
    ENGLISH_CUE_VERBS,
    ENGLISH_DENY,
    ENGLISH_DETERMINERS,
    PRONOUNS,
)
from datasette_claims.extract.rules import Attribution, RuleExtractor, Token, stance_of, tokenize
from datasette_claims.extract.sentences import Span, quotes

_AUXILIARIES = {
    "has",
    "have",
    "had",
    "was",
    "were",
    "is",
    "are",
    "will",
    "would",
    "also",
    "repeatedly",
    "previously",
    "later",
    "again",
    "long",
    "often",
    "never",
    "already",
    "recently",
    "publicly",
    "privately",
    "flatly",
    "then",
    "not",
    "did",
    "does",
    "do",
    "could",
    "may",
    "might",
    "should",
    "can",
    "been",
}
_LEADING = {
    "but",
    "and",
    "however",
    "meanwhile",
    "still",
    "yet",
    "so",
    "now",
    "instead",
    "moreover",
    "indeed",
    "then",
    "also",
    "later",
    "earlier",
    "today",
    "yesterday",
}
_NP_STOP = {
    "on",
    "in",
    "at",
    "during",
    "after",
    "before",
    "while",
    "when",
    "who",
    "which",
    "that",
    "because",
    "as",
    "to",
    "from",
    "last",
    "this",
    "since",
    "via",
    "told",
    "and",
    "but",
    "said",
    "says",
    "adding",
    "noting",
}
_TELL = {
    "told",
    "tells",
    "tell",
    "warned",
    "warns",
    "urged",
    "urges",
    "asked",
    "asks",
    "accused",
    "accuses",
    "reminded",
    "assured",
    "informed",
    "called",
    "calls",
    "charged",
    "charges",
    "blamed",
    "blames",
    "criticized",
    "criticised",
    "praised",
}
_CLAUSE = {"that"}
# Words that may follow a speaker named after the verb ("…, said Kerry on Tuesday").
_AFTER_SPEAKER = {
    "on",
    "in",
    "at",
    "during",
    "after",
    "before",
    "late",
    "earlier",
    "last",
    "this",
    "yesterday",
    "today",
    "told",
    "adding",
    "noting",
    "according",
    "who",
}
_SUBORDINATORS = {
    "after",
    "when",
    "because",
    "since",
    "as",
    "if",
    "while",
    "though",
    "although",
    "whereas",
    "before",
    "until",
    "once",
    "unless",
}
_CLAUSE_JOINERS = {"and", "but"} | _SUBORDINATORS
_PARENTHETICAL = {"by", "in", "for", "of", "however", "though", "too", "meanwhile", "instead"}


def after_noun_phrase(tokens: list[Token], i: int) -> tuple[int, int]:
    """A speaker named after the verb: "said Secretary of State John Kerry"."""
    j = i
    while j < len(tokens):
        tok = tokens[j]
        if tok.lower in PRONOUNS and j == i:
            return i, j + 1
        if tok.lower in ENGLISH_DETERMINERS or (tok.capitalised and tok.text[0].isalpha()):
            j += 1
            continue
        if tok.lower == "of" and j + 1 < len(tokens) and tokens[j + 1].capitalised:
            j += 1
            continue
        if tok.text in "’'" and j + 1 < len(tokens) and tokens[j + 1].lower == "s":
            j += 2
            continue
        if (
            tok.text[0].isalpha()
            and tok.lower not in _NP_STOP
            and tok.lower not in ENGLISH_CUE_VERBS
            and tok.lower not in _AUXILIARIES
            and j > i
            and tok.text[0].islower()
        ):
            # lower-case nouns of a role: "said a senior official" - allow up to 3
            if j - i < 5 and not tok.lower.endswith("ly"):
                j += 1
                continue
        break
    while j > i and tokens[j - 1].lower in ENGLISH_DETERMINERS | {"of"}:
        j -= 1
    return i, j


def _span(tokens: list[Token], i: int, j: int) -> Span | None:
    return Span(tokens[i].start, tokens[j - 1].end) if j > i else None


# Cues whose verb says how the speaker stands: a promise, plan or forecast is about what is
# to come; a question or speculation leaves it open; a rejection denies it.
_EXPECT_CUES = set(
    """
    expect expected expects expecting forecast forecasts plan planned plans predict predicted
    predicting predicts pledge pledged pledges pledging promise promised promises promising
    vow vowed vowing vows hope hoped hopes hoping want wanted wants urge urged urges urging
    threaten threatened threatening threatens proposed proposes propose projected
    """.split()
)
_UNCERTAIN_CUES = set(
    """
    asked asks asking wonder wondered wonders questioned questioning speculated speculate
    doubt doubted doubts
    """.split()
)
_DENY_CUES = set(
    """
    deny denied denies denying reject rejected rejects rejecting dismiss dismissed dismisses
    dismissing dispute disputed disputes refute refuted refutes rebutted
    """.split()
)
_DENY_EN = re.compile(
    r" (?:is|was|are|were|that's|it's) (?:simply |just |absolutely |completely )?"
    r"(?:not true|untrue|false|fake news|a lie|baseless|nonsense) "
)
_UNCERTAIN_EN = re.compile(
    r" (may|might|possibly|perhaps|unclear|unknown|whether|if it|not known|"
    r"not clear|remains unclear|not confirm|not confirmed|could not verify|"
    r"cannot verify|can't verify|unconfirmed|not immediately clear) "
)
_EXPECT_EN = re.compile(
    r" (will|won't|shall|could|going to|is expected to|are expected to|is set to|are set to|"
    r"plans to|plan to|intends to|by the end of|next (?:week|month|year)|"
    r"by (?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|\d{4})|in the coming) "
)


_NEGATIONS = {"not", "n't", "never", "no", "declined", "refused", "cannot", "can't", "won't"}
_BELIEVE = {"believe", "believes", "believed", "think", "thinks", "thought", "expect", "expects"}


def _negated(found: Attribution, tokens: list[Token]) -> Attribution:
    """A negated cue: "did not confirm" leaves it open, "does not believe" denies it."""
    if found.stance or not found.cue or found.speaker is None:
        return found
    low, high = sorted((found.speaker.end, found.content.start))
    between = {t.lower for t in tokens if low <= t.start and t.end <= high}
    between |= {
        "n't" for t in tokens if low <= t.start and t.end <= high and t.lower.endswith("n't")
    }
    if not between & _NEGATIONS:
        return found
    verb = found.cue.split()[0]
    if verb in _BELIEVE:
        found.stance = "denies"
    else:
        found.stance = "uncertain"  # did not confirm, would not say, declined to comment
    return found


_WORD = re.compile(r"\w+")
# Every word some rule below starts from: a cue verb, or "according (to)".
_EN_WORDS = frozenset(ENGLISH_CUE_VERBS | {"according"})


class EnglishExtractor(RuleExtractor):
    name = "builtin-en"
    languages = ("en",)
    max_gap = 1

    def stance(self, content: str, figures: list, cue: str | None) -> str:
        found = stance_of(content, figures)
        if found != "asserts":
            return found
        verb = (cue or "").split()[0] if cue else ""
        lowered = " " + " ".join(re.findall(r"[\w']+", content.lower())) + " "
        if verb in _DENY_CUES or _DENY_EN.search(lowered):
            return "denies"
        if verb in _UNCERTAIN_CUES or _UNCERTAIN_EN.search(lowered):
            return "uncertain"
        if verb in _EXPECT_CUES or _EXPECT_EN.search(lowered):
            return "expects"
        return "asserts"

    def continues_speech(self, sentence_text: str) -> bool:
        opening = sentence_text.lstrip().startswith(("“", '"', "''"))
        return opening and not re.search(r"(”|\"|'')\s*$", sentence_text)

    def introduces_quote(self, document: DocumentContext, sentence: Span) -> Span | None:
        tokens = tokenize(document.text[sentence.start : sentence.end], sentence.start)
        verbs = [n for n, t in enumerate(tokens) if t.lower in ENGLISH_CUE_VERBS]
        if verbs and len(tokens) - verbs[-1] <= 3:
            i, j = self._subject(tokens, verbs[-1])
            return _span(tokens, i, j)
        return None

    def attribute(self, document: DocumentContext, sentence: Span) -> list[Attribution]:
        raw = document.text[sentence.start : sentence.end]
        if _EN_WORDS.isdisjoint(_WORD.findall(raw.lower())):
            return []  # no cue word any rule starts from: most sentences of a report
        tokens = tokenize(raw, sentence.start)
        if len(tokens) < 3:
            return []
        for rule in (
            self._quote_then_cue,
            self._according,
            self._cue_then_quote,
            self._trailing_cue,
            self._subject_verb,
        ):
            found = rule(document, sentence, tokens)
            if found:
                return [_negated(a, tokens) for a in found]
        return []

    def _quote_then_cue(self, document, sentence, tokens):
        raw = document.text[sentence.start : sentence.end]
        for quote in quotes(raw):
            after = [t for t in tokens if t.start >= sentence.start + quote.outer.end]
            if quote.outer.start > 2 or len(after) < 2:
                continue
            k = 1 if after[0].text == "," else 0
            if k + 1 >= len(after):
                continue
            inner = Span(sentence.start + quote.inner.start, sentence.start + quote.inner.end)
            if after[k].lower in ENGLISH_CUE_VERBS:  # "…," said Kerry.
                i, j = after_noun_phrase(after, k + 1)
                if j > i:
                    return [self._make(inner, "direct", after, i, j, after[k].lower, 0.9)]
            i, j = after_noun_phrase(after, k)  # "…," Kerry said.
            v = j
            if v < len(after) and after[v].text == ",":  # "…," X, founder of Y, tells Z.
                close = next(
                    (m for m in range(v + 1, min(len(after), v + 12)) if after[m].text == ","),
                    None,
                )
                if close is not None:
                    v = close + 1
            while v < len(after) and (
                after[v].lower in _AUXILIARIES or after[v].lower.endswith("ly")
            ):
                v += 1
            if j > i and v < len(after) and after[v].lower in ENGLISH_CUE_VERBS:
                return [self._make(inner, "direct", after, i, j, after[v].lower, 0.9)]
        return []

    def _cue_then_quote(self, document, sentence, tokens):
        raw = document.text[sentence.start : sentence.end]
        for quote in quotes(raw):
            before = [t for t in tokens if t.end <= sentence.start + quote.outer.start]
            verbs = [n for n, t in enumerate(before) if t.lower in ENGLISH_CUE_VERBS]
            if not verbs or len(before) - verbs[-1] > 4:
                continue
            v = verbs[-1]
            i, j = self._subject(before, v)
            if j > i:
                inner = Span(sentence.start + quote.inner.start, sentence.start + quote.inner.end)
                return [self._make(inner, "direct", before, i, j, before[v].lower, 0.85)]
        return []

    def _according(self, document, sentence, tokens):
        lows = [t.lower for t in tokens]
        for n in range(len(tokens) - 2):
            if lows[n] == "according" and lows[n + 1] == "to":
                i, j = after_noun_phrase(tokens, n + 2)
                if j <= i:
                    continue
                if n <= 1:  # According to X, content.
                    start = (
                        tokens[j + 1].start
                        if j < len(tokens) and tokens[j].text == ","
                        else tokens[j].start
                        if j < len(tokens)
                        else sentence.end
                    )
                    content = Span(start, sentence.end)
                else:  # content, according to X.
                    content = Span(
                        sentence.start,
                        tokens[n - 1].end if tokens[n - 1].text != "," else tokens[n - 1].start,
                    )
                return [self._make(content, "indirect", tokens, i, j, "according to", 0.85)]
        return []

    def _trailing_cue(self, document, sentence, tokens):
        for n in range(len(tokens) - 2, 1, -1):
            if tokens[n].text != ",":
                continue
            rest = tokens[n + 1 :]
            if rest and rest[0].lower in ENGLISH_CUE_VERBS:  # …, said Kerry.
                i, j = after_noun_phrase(rest, 1)
                # The speaker closes the sentence ("…, said Kerry on Tuesday."); a clause
                # after the verb means the words before were its subject ("Ingram, a JNF
                # official, said the plans were unchanged").
                ends = j >= len(rest) or rest[j].text in ".,;!—" or rest[j].lower in _AFTER_SPEAKER
                if j > i and len(rest) - j <= 5 and ends:
                    return [
                        self._make(
                            Span(sentence.start, tokens[n].start),
                            "indirect",
                            rest,
                            i,
                            j,
                            rest[0].lower,
                            0.8,
                        )
                    ]
            i, j = after_noun_phrase(rest, 0)  # …, Kerry said (on Tuesday).
            if j <= i:
                # "…, officials said.", "…, two people familiar with the matter said."
                j = next(
                    (m for m in range(min(len(rest), 8)) if rest[m].lower in ENGLISH_CUE_VERBS), 0
                )
                if j and any(rest[m].lower in _NP_STOP - {"with", "of"} for m in range(j)):
                    j = 0
            v = j
            while v < len(rest) and rest[v].lower in _AUXILIARIES:
                v += 1
            if (
                j > i
                and v < len(rest)
                and rest[v].lower in ENGLISH_CUE_VERBS
                and len(rest) - v <= 6
            ):
                return [
                    self._make(
                        Span(sentence.start, tokens[n].start),
                        "indirect",
                        rest,
                        i,
                        j,
                        rest[v].lower,
                        0.8,
                    )
                ]
        return []

    def _subject_verb(self, document, sentence, tokens):
        """Every "subject verb content" in the sentence; content runs to the next subject."""
        pairs: list[tuple[int, int, int]] = []
        for v, tok in enumerate(tokens):
            if tok.lower not in ENGLISH_CUE_VERBS or v == 0:
                continue
            i, j = self._subject(tokens, v)
            back = v - 1
            while back > 0 and tokens[back].lower in ("then", "also", "later", "again"):
                back -= 1
            if (tokens[v - 1].text == "," and tok.lower.endswith("ing")) or (
                tokens[back].lower == "and" and j <= i
            ):
                # "Sanders has denounced …, saying …", "… rubbed his chin, and then said …":
                # the sentence's subject speaks.
                i, j = self._sentence_subject(tokens)
            if j <= i:
                continue
            # A later speaker must start a new clause, or the "verb" is inside the content
            # ("says it will shift staff to the early states").
            if not pairs or (
                i > pairs[-1][0] + 1
                and (tokens[i - 1].text in ",;" or tokens[i - 1].lower in _CLAUSE_JOINERS)
            ):
                pairs.append((v, i, j))
        found = []
        for n, (v, i, j) in enumerate(pairs):
            limit = pairs[n + 1][1] if n + 1 < len(pairs) else len(tokens)
            claim = self._content_after(tokens, v, i, j, limit, sentence)
            if claim:
                found.append(claim)
        return found

    def _content_after(self, tokens, v, i, j, limit, sentence):
        """The content after verb v, up to token `limit` (the next speaker)."""
        verb = tokens[v].lower
        c = v + 1
        if verb in _TELL:  # told reporters (that) / accused X of
            k = c
            while (
                k < len(tokens) and k - c < 6 and tokens[k].lower not in ("that", "of", ",", "to")
            ):
                k += 1
            if k < len(tokens) and tokens[k].lower in ("that", "of", "to", ","):
                c = k + 1
        if c < len(tokens) and tokens[c].lower in _CLAUSE | {",", ":"}:
            c += 1
        if c >= min(limit, len(tokens)) - 1:
            return None
        end = tokens[limit - 1].end if limit < len(tokens) else sentence.end
        return self._make(Span(tokens[c].start, end), "indirect", tokens, i, j, verb, 0.75)

    def _sentence_subject(self, tokens: list[Token]) -> tuple[int, int]:
        """The run of name words that opens the sentence ("Vermont Sen. Bernie Sanders")."""
        i = 0
        while i < len(tokens) and tokens[i].lower in _LEADING:
            i += 1
        if i < len(tokens) and tokens[i].lower in PRONOUNS:
            return i, i + 1
        j = i
        while (
            j < len(tokens)
            and (tokens[j].capitalised or tokens[j].lower in ENGLISH_DETERMINERS)
            and tokens[j].text[0].isalpha()
        ):
            j += 1
        return (i, j) if j > i else (i, i)

    def _subject(self, tokens: list[Token], verb_at: int) -> tuple[int, int]:
        """Words before the verb (and its auxiliaries) from the clause start: the speaker."""
        end = verb_at
        while end > 0 and (
            tokens[end - 1].lower in _AUXILIARIES or tokens[end - 1].lower.endswith("ly")
        ):
            end -= 1
        comma_before_verb = end > 1 and tokens[end - 1].text == ","
        if comma_before_verb:  # "X, a junior from Las Vegas, said"
            end -= 1
        start = end
        while start > 0 and tokens[start - 1].text not in ',;:—–-(“"' and end - start < 16:
            start -= 1
        # "Ted Cruz, by contrast, wrote": step over a short parenthetical to the subject.
        if (
            0 < end - start <= 3
            and start >= 2
            and tokens[start - 1].text == ","
            and tokens[start].text[0].islower()
            and (tokens[start].lower in _PARENTHETICAL or tokens[start].lower.endswith("ly"))
        ):
            end = start - 1
            start = end
            while start > 0 and tokens[start - 1].text not in ',;:—–-(“"' and end - start < 16:
                start -= 1
        while start < end and (
            tokens[start].lower in _LEADING
            or tokens[start].lower in _SUBORDINATORS
            or tokens[start].text in '“"'
        ):
            start += 1
        # "Christopher Knittel, an expert on energy economics at MIT, said": the words
        # between the commas describe the name before them, which is the speaker.
        if (
            comma_before_verb
            and start < end
            and start >= 2
            and tokens[start - 1].text == ","
            and (tokens[start].lower in ("a", "an", "the") or tokens[start].text[0].islower())
            and tokens[start].lower not in PRONOUNS
        ):
            name_end = start - 1
            name_start = name_end
            while (
                name_start > 0
                and tokens[name_start - 1].text not in ',;:—–(“"'
                and name_end - name_start < 8
            ):
                name_start -= 1
            while name_start < name_end and tokens[name_start].lower in _LEADING | _SUBORDINATORS:
                name_start += 1
            if name_start < name_end and tokens[name_start].capitalised:
                return name_start, name_end
        if start >= end:
            return start, start
        # "Chris Cox, who runs the NRA's lobbying arm, says": the subject is before the clause.
        if tokens[start].lower in ("who", "which") and start >= 2 and tokens[start - 1].text == ",":
            inner_end = start - 1
            start = inner_end
            while start > 0 and tokens[start - 1].text not in ',;:—–(“"' and inner_end - start < 10:
                start -= 1
            end = inner_end
            if start >= end:
                return start, start
        first = tokens[start]
        # Short lower-case subjects: "voters", "three-quarters", "most party insiders".
        if (
            end - start <= 7
            and first.text[0].isalpha()
            and all(
                t.text[0].isalnum() and t.lower not in _NP_STOP and t.lower not in ENGLISH_CUE_VERBS
                for t in tokens[start:end]
            )
        ):
            return start, end
        if not (
            first.capitalised
            or first.lower in PRONOUNS
            or first.lower in ENGLISH_DETERMINERS
            or first.text[0].isdigit()
        ):
            return start, start
        return start, end

    def _make(self, content, quote, tokens, i, j, verb, confidence):
        stance = "denies" if verb in ENGLISH_DENY else None
        return Attribution(content, quote, _span(tokens, i, j), verb, confidence, stance)
