"""The shared machinery of the rule-based extractors: sentences in, attributed claims out.

A language module supplies `attribute(sentence)`, which finds cue, speaker and content
in one sentence; this module walks the document, carries the speaker across reported
speech, resolves pronouns, and fills in stance, hedge and figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from datasette_claims.extract.base import DocumentContext, ExtractedClaim, Extractor
from datasette_claims.extract.figures import find_figures
from datasette_claims.extract.lexicon import (
    DENIAL_PHRASES,
    ENGLISH_DETERMINERS,
    GERMAN_DETERMINERS,
    HEDGES,
    UNCERTAINTY,
    WEAK_HEDGES,
)
from datasette_claims.extract.linking import Coreference, Speaker
from datasette_claims.extract.sentences import Span, paragraphs, sentences

_TOKEN = re.compile(r"\w+(?:[-’'.]\w+)*\.?|[^\w\s]", re.UNICODE)
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


class Token:
    """A word or punctuation mark with its document offsets."""

    __slots__ = ("text", "start", "end", "lower", "capitalised")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.lower = text.lower().rstrip(".")
        self.capitalised = text[:1].isupper()


def tokenize(text: str, base: int = 0) -> list[Token]:
    # About a quarter of extraction's time goes into tokens; filling the slots directly
    # skips a call per token (about a fifth faster than calling Token() on real news).
    tokens: list[Token] = []
    append = tokens.append
    make = Token.__new__
    for match in _TOKEN.finditer(text):
        word = match.group()
        start, end = match.span()
        token = make(Token)
        token.text = word
        token.start = base + start
        token.end = base + end
        token.lower = word.lower().rstrip(".")
        token.capitalised = word[:1].isupper()
        append(token)
    return tokens


# A speaker of only an article or determiner is a misread sentence, not a speaker.
_ARTICLES = ENGLISH_DETERMINERS | GERMAN_DETERMINERS


@dataclass
class Attribution:
    """What a language's rules found in one sentence (offsets into the document)."""

    content: Span
    quote: str  # direct | indirect | none
    speaker: Span | None = None
    cue: str | None = None
    confidence: float = 0.7
    stance: str | None = None  # when the rule itself knows ("weist zurück")
    continues: bool = False  # reported speech that keeps the previous speaker


class RuleExtractor(Extractor):
    """Walks sentences; subclasses implement `attribute` for their language."""

    max_gap = 2  # sentences a speaker carries over through reported speech

    def attribute(
        self, document: DocumentContext, sentence: Span
    ) -> list[Attribution]:  # pragma: no cover - abstract
        raise NotImplementedError

    def extract(self, document: DocumentContext) -> list[ExtractedClaim]:
        text = document.text
        coref = Coreference(document.index)
        claims: list[ExtractedClaim] = []
        previous: ExtractedClaim | None = None
        gap = 0
        last_unit: str | None = None
        introduced: Span | None = None  # speaker of "X said:" awaiting its quotation
        spans = paragraphs(text)
        # A transcript: paragraphs opening with a speaker label ("JANE DOE, HOST:"), at
        # least two of them, so a lone dateline ("WASHINGTON:") is not read as one.
        labels = [_LABEL.match(text, para.start, para.end) for para in spans]
        transcript = sum(1 for label in labels if label) >= 2
        turn: ExtractedClaim | None = None  # the speaker whose turn goes on
        for para, label in zip(spans, labels, strict=True):
            document.previous_sentence = None
            if transcript and label:
                turn = self._turn(document, label, coref)
                if turn is not None:
                    claims.extend(
                        self._turn_claims(document, turn, label.end(), para.end, last_unit)
                    )
                    previous, gap = claims[-1] if claims else None, 0
                continue
            if transcript and turn is not None and not _is_heading(text, para):
                # A speaker's turn runs on over paragraphs until the next label.
                claims.extend(self._turn_claims(document, turn, para.start, para.end, last_unit))
                continue
            if _is_heading(text, para):
                previous = None
                continue
            for sentence in sentences(text, para):
                before: Span | None = document.previous_sentence
                document.previous_sentence = sentence
                raw = text[sentence.start : sentence.end]
                if raw.rstrip().endswith("?") or not _LETTERS.search(raw):
                    continue
                if raw.rstrip().endswith(":"):
                    introduced = self.introduces_quote(document, sentence)
                    if introduced is not None:
                        continue
                if introduced is not None and raw[:1] in "„“\"»«‹›‘'":
                    found = [Attribution(sentence, "direct", introduced, ":", 0.8)]
                    introduced = None
                else:
                    introduced = None
                    document.previous_sentence = before
                    found = self.attribute(document, sentence)
                    document.previous_sentence = sentence
                if not found:
                    gap += 1
                    continue_from = previous if previous and gap <= self.max_gap else None
                    fallback = self.unattributed(document, sentence, continue_from)
                    found = [fallback] if fallback else []
                for attribution in found:
                    claim = self._claim(document, attribution, coref, previous, last_unit)
                    if claim is None:
                        continue
                    claims.extend(joint_speakers(document, claim))
                    if claim.figures and claim.figures[-1].unit:
                        last_unit = claim.figures[-1].unit
                    if claim.quote != "none" or attribution.continues:
                        previous, gap = claim, 0
                    elif claim.source_id and claim.source_id != document.publisher_source_id:
                        previous, gap = claim, 0
        return claims

    def _turn(self, document: DocumentContext, label: re.Match, coref: Coreference):
        """The speaker of a transcript label, as a claim template (no content yet)."""
        start, end = label.span("name")
        words = document.text[start:end]
        name = " ".join(part.capitalize() for part in words.split())
        speaker = coref.resolve(Speaker(words, start, end, document.index.link(name)))
        return ExtractedClaim(
            text="",
            start=start,
            end=end,
            speaker=speaker.words,
            source_id=speaker.source_id,
            quote="direct",
            stance="asserts",
            speaker_start=speaker.start,
            speaker_end=speaker.end,
            cue="transcript",
            extractor=self.name,
        )

    def _turn_claims(
        self, document: DocumentContext, turn: ExtractedClaim, start: int, end: int, unit
    ) -> list[ExtractedClaim]:
        """Each sentence of a speaker's turn is that speaker's direct claim."""
        found = []
        for sentence in sentences(document.text, Span(start, end)):
            a, b = _trim(document.text, sentence.start, sentence.end)
            content = document.text[a:b]
            if b <= a or content.rstrip().endswith("?") or len(content.split()) < 4:
                continue  # questions and pleasantries ("Thank you.") state nothing
            figures = find_figures(content, document.language, document.published, unit)
            found.append(
                replace(
                    turn,
                    text=content,
                    start=a,
                    end=b,
                    stance=self.stance(content, figures, None),
                    hedge=hedge_of(content),
                    figures=figures,
                    confidence=0.8 if turn.source_id else 0.65,
                )
            )
        return found

    def unattributed(
        self, document: DocumentContext, sentence: Span, previous: ExtractedClaim | None
    ) -> Attribution | None:
        """A sentence without its own cue: continued reported speech, or the outlet's voice."""
        raw = document.text[sentence.start : sentence.end]
        if previous is not None and previous.quote == "direct" and _is_quotation(raw):
            # „…“ on its own after a quoted speaker: the speaker goes on.
            return Attribution(sentence, "direct", None, "continuation", 0.6, continues=True)
        if previous is not None and self.continues_speech(raw):
            return Attribution(sentence, "indirect", None, "continuation", 0.6, continues=True)
        if document.publisher_source_id:
            return Attribution(sentence, "none", None, None, 0.5)
        return None

    def continues_speech(self, sentence_text: str) -> bool:
        return False

    def stance(self, content: str, figures: list, cue: str | None) -> str:
        """How the speaker stands to the content; languages add their own signals."""
        return stance_of(content, figures)

    def introduces_quote(self, document: DocumentContext, sentence: Span) -> Span | None:
        """The speaker of a sentence like "Reporter X says:" that a quotation follows."""
        return None

    def _claim(
        self,
        document: DocumentContext,
        found: Attribution,
        coref: Coreference,
        previous: ExtractedClaim | None,
        last_unit: str | None,
    ) -> ExtractedClaim | None:
        text = document.text
        start, end = _trim(text, found.content.start, found.content.end)
        if end <= start:
            return None
        if found.speaker is not None:
            words = text[found.speaker.start : found.speaker.end]
            if words.strip().lower() in _ARTICLES:
                return None  # "The questions asked ...": a lone article names no one
            speaker = coref.resolve(
                Speaker(words, found.speaker.start, found.speaker.end, document.index.link(words))
            )
        elif found.continues and previous is not None:
            speaker = Speaker(
                previous.speaker or "",
                previous.speaker_start or 0,
                previous.speaker_end or 0,
                previous.source_id,
            )
        else:
            speaker = None
        content = text[start:end]
        figures = find_figures(content, document.language, document.published, last_unit)
        stance = found.stance or self.stance(content, figures, found.cue)
        source_id = speaker.source_id if speaker else document.publisher_source_id
        confidence = found.confidence - (0.15 if speaker and not speaker.source_id else 0)
        return ExtractedClaim(
            text=content,
            start=start,
            end=end,
            speaker=speaker.words if speaker and speaker.words else None,
            source_id=source_id,
            quote=found.quote,
            stance=stance,
            hedge=hedge_of(content),
            figures=figures,
            confidence=max(0.05, min(0.99, confidence)),
            speaker_start=speaker.start if speaker and speaker.words else None,
            speaker_end=speaker.end if speaker and speaker.words else None,
            cue=found.cue,
            extractor=self.name,
        )


# "JANE DOE, HOST:", "JOHN ROE:", "SEN. MARY MAJOR (D-CA):": upper-case name, optional role.
_LABEL = re.compile(
    r"(?P<name>[A-Z][A-Z.'’\-]+(?: [A-Z][A-Z.'’\-]+){0,4})"
    r"(?:, (?P<role>[A-Z][A-Z.'’\- ]{1,40}))?(?: \([^)\n]{1,30}\))?:\s+"
)

_JOINT = re.compile(r"\s+(?:und|sowie|noch|oder|and|or|nor)\s+|,\s+(?=\S)")
_LEADING_JOINT = re.compile(r"^(?:weder|neither|both|sowohl)\s+", re.I)


def joint_speakers(document: DocumentContext, claim: ExtractedClaim) -> list[ExtractedClaim]:
    """One claim per registry source when the speaker names several ("Frankreich und
    Spanien", "the US and Britain"); otherwise the claim as it is."""
    if not claim.speaker or claim.speaker_start is None or claim.speaker_end is None:
        return [claim]
    text = document.text[claim.speaker_start : claim.speaker_end]
    pieces: list[tuple[int, int]] = []
    at = 0
    for match in _JOINT.finditer(text):
        pieces.append((at, match.start()))
        at = match.end()
    pieces.append((at, len(text)))
    if len(pieces) < 2:
        return [claim]
    found: list[tuple[str, int, int, str]] = []
    for a, b in pieces:
        lead = _LEADING_JOINT.match(text[a:b])
        a += lead.end() if lead else 0
        words = text[a:b].strip()
        source_id = document.index.link(words) if words else None
        if source_id is None:
            return [claim]  # a part the registry doesn't know: keep the phrase whole
        found.append(
            (words, claim.speaker_start + a, claim.speaker_start + a + len(words), source_id)
        )
    if len({source for *_, source in found}) < 2:
        return [claim]
    return [
        replace(claim, speaker=words, speaker_start=start, speaker_end=end, source_id=source)
        for words, start, end, source in found
    ]


_QUOTATION = re.compile(r"^\s*[„“\"»«‚‘›][^„“\"»«]{3,}[“”\"«»‘’‹][.!?…]?\s*$")


def _is_quotation(sentence_text: str) -> bool:
    """The sentence is one quotation and nothing else."""
    return bool(_QUOTATION.match(sentence_text))


def _is_heading(text: str, para: Span) -> bool:
    """A one-line paragraph without closing punctuation is a (sub)heading."""
    chunk = text[para.start : para.end].strip()
    return "\n" not in chunk and len(chunk) < 120 and not re.search(r"[.!?:…]['\"”“»«]?$", chunk)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop surrounding spaces and a dangling comma from a content span."""
    while start < end and (text[start].isspace() or text[start] in ",;:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return start, end


def hedge_of(text: str) -> str | None:
    """The strongest hedge word in the text: a real hedge beats a modal verb."""
    weak = None
    for word in re.findall(r"\w+", text.lower()):
        if word in HEDGES:
            if word not in WEAK_HEDGES:
                return _hedge_lemma(word)
            weak = weak or word
    return weak


def _hedge_lemma(word: str) -> str:
    for stem in ("mutmaßlich", "angeblich"):
        if word.startswith(stem):
            return stem
    return word


def _phrases(phrases: tuple[str, ...]) -> re.Pattern[str]:
    # Whole-word phrases over the space-joined words: one regex instead of a loop per phrase.
    return re.compile(" (?:" + "|".join(re.escape(p) for p in phrases) + ") ")


_DENIAL = _phrases(DENIAL_PHRASES)
_UNCERTAIN = _phrases(UNCERTAINTY)


def stance_of(text: str, figures: list) -> str:
    lowered = " " + " ".join(re.findall(r"\w+", text.lower())) + " "
    if _DENIAL.search(lowered):
        return "denies"
    if _UNCERTAIN.search(lowered):
        return "uncertain"
    if any(f.forecast for f in figures) or re.search(
        r" (erwartet|erwarten|expects?|expected|befürchte\w*|fürchte\w*|"
        r"will likely|is set to|are set to) ",
        lowered,
    ):
        return "expects"
    return "asserts"
