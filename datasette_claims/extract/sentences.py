"""Sentences and quotations with character offsets into the original text.

Hand-written rather than a tokenizer library: we need exact offsets, German number and
date formats ("3.000", "24.10.2024") and abbreviations, and no downloaded models.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

# Tokens that end in a period without ending a sentence.
ABBREVIATIONS = {
    # German
    "z.b",
    "u.a",
    "d.h",
    "bzw",
    "ca",
    "dr",
    "prof",
    "nr",
    "st",
    "usw",
    "vgl",
    "etc",
    "bspw",
    "inkl",
    "evtl",
    "ggf",
    "mio",
    "mrd",
    "jan",
    "feb",
    "febr",
    "aug",
    "sept",
    "okt",
    "nov",
    "dez",
    "u.s",
    "u.n",
    "v.a",
    "o.ä",
    "sog",
    "gen",
    "abg",
    "bzgl",
    # English
    "mr",
    "mrs",
    "ms",
    "jr",
    "sr",
    "col",
    "lt",
    "sgt",
    "rep",
    "sen",
    "gov",
    "rev",
    "no",
    "vs",
    "inc",
    "corp",
    "ltd",
    "co",
    "u.k",
    "e.g",
    "i.e",
    "a.m",
    "p.m",
    "mt",
    "ft",
    "dec",
    "oct",
    "sep",
    "jun",
    "jul",
    "mar",
    "apr",
}

# Sentence end: . ! ? (optionally followed by closing quotes/brackets), then space(s).
_END = re.compile(r"[.!?…]+[\"'”“»«)\]]*(?=\s)")
_WORD_BEFORE = re.compile(r"([\w.]+)$")

OPEN_QUOTES = '„“"»«‚‘”'
QUOTE_PAIRS = {"„": '“"”', "“": '”"', '"': '"', "»": "«", "«": "»", "”": "”"}


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def text(self, document: str) -> str:
        return document[self.start : self.end]


@dataclass(frozen=True)
class Quote:
    """A quotation: `outer` includes the marks, `inner` is the quoted words."""

    outer: Span
    inner: Span


def paragraphs(text: str) -> list[Span]:
    spans = []
    for match in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text):
        if match.group().strip():
            spans.append(Span(match.start(), match.end()))
    return spans


def sentences(text: str, within: Span | None = None) -> list[Span]:
    """Split `text` (or the part `within`) into sentences; offsets are into `text`."""
    region = within or Span(0, len(text))
    result: list[Span] = []
    for para in paragraphs(text[region.start : region.end]):
        base = region.start + para.start
        chunk = text[base : region.start + para.end]
        start = 0
        # Do not split inside a quotation that closes within the paragraph; an opening
        # mark that never closes (multi-paragraph quotes) does not stop splitting.
        inside = [(q.outer.start, q.outer.end) for q in quotes(chunk)]  # in order, disjoint
        starts = [a for a, _ in inside]
        for match in _END.finditer(chunk):
            end = match.end()
            at = bisect_left(starts, end) - 1
            if at >= 0 and inside[at][0] < end < inside[at][1]:
                continue
            if _is_abbreviation(chunk, match.start()):
                continue
            if _next_starts_lowercase(chunk, end):
                continue
            _append(result, text, base + start, base + end)
            start = end
        _append(result, text, base + start, base + len(chunk))
    return result


MAX_SENTENCE = 2000  # longer runs are not prose; cut them so every rule stays linear


def _append(result: list[Span], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_SENTENCE:
        cut = text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
        cut = cut if cut > start else start + MAX_SENTENCE
        result.append(Span(start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        result.append(Span(start, end))


def _is_abbreviation(chunk: str, dot: int) -> bool:
    if chunk[dot] != ".":
        return False
    # A bounded window: searching the whole paragraph before each dot is quadratic.
    match = _WORD_BEFORE.search(chunk, max(0, dot - 80), dot)
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    if word in ABBREVIATIONS:
        return True
    # Initials ("J. Smith") and ordinals/dates ("24. Oktober", "3.").
    if len(word) == 1 and word.isalpha():
        return True
    return word.isdigit() and len(word) <= 2 and _next_is_month_or_digit(chunk, dot + 1)


_MONTH_START = re.compile(
    r"\s*(januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember|\d)",
    re.IGNORECASE,
)


def _next_is_month_or_digit(chunk: str, at: int) -> bool:
    return bool(_MONTH_START.match(chunk, at))


_NEXT_CHARACTER = re.compile(r"\s*(\S)")


def _next_starts_lowercase(chunk: str, at: int) -> bool:
    match = _NEXT_CHARACTER.match(chunk, at)
    return match is not None and match.group(1).islower()


_QUOTE_RE = re.compile(
    r"„([^„“\"\n]{1,3000})[“\"]"  # German low-high
    r"|»([^»«\n]{1,3000})«"  # guillemets
    r"|“([^“”\n]{1,3000})”"  # English curly
    r"|\"([^\"\n]{1,3000})\""  # straight
    r"|«([^«»\n]{1,3000})»"  # guillemets, French and Swiss order
    r"|‹([^‹›\n]{1,3000})›|›([^‹›\n]{1,3000})‹"  # single guillemets
    r"|''((?:[^'\n]|'(?!')){1,3000}?)''"  # two apostrophes, as some newspapers' archives
)


def quotes(text: str) -> list[Quote]:
    """Quotations with their marks; at most 3000 characters, never across paragraphs."""
    found = []
    for match in _QUOTE_RE.finditer(text):
        group = next(i for i in range(1, _QUOTE_RE.groups + 1) if match.group(i) is not None)
        found.append(
            Quote(Span(match.start(), match.end()), Span(match.start(group), match.end(group)))
        )
    return found
