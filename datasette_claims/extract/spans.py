"""Finding words a model returned in the article they came from.

A model copies spans imperfectly: another Unicode composition, a line break turned into a
space. Both sides are compared after NFC and whitespace normalisation, and every match is
mapped back to exact offsets of the original text, so `text[start:end]` is what is stored.
Nothing is matched loosely beyond that: words that are not in the text are not a claim.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class NormalText:
    """A text after NFC and whitespace normalisation, with where each character came from."""

    text: str
    starts: tuple[int, ...]  # where in the original text each normalised character begins
    ends: tuple[int, ...]  # and where it ends

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in the original text of the normalised span [start, end)."""
        return self.starts[start], self.ends[end - 1]


def normalise(text: str) -> NormalText:
    """NFC per character cluster, every run of whitespace one space, no edge whitespace."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    at = 0
    while at < len(text):
        if text[at].isspace():
            begin = at
            while at < len(text) and text[at].isspace():
                at += 1
            if out:  # inner runs only; leading whitespace goes
                out.append(" ")
                starts.append(begin)
                ends.append(at)
            continue
        # A base character with its combining marks composes as one unit.
        end = at + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        for char in unicodedata.normalize("NFC", text[at:end]):
            out.append(char)
            starts.append(at)
            ends.append(end)
        at = end
    if out and out[-1] == " ":
        out.pop()
        starts.pop()
        ends.pop()
    return NormalText("".join(out), tuple(starts), tuple(ends))


def occurrences(haystack: NormalText, needle: str) -> list[tuple[int, int]]:
    """Every place the normalised needle occurs, as normalised [start, end) offsets."""
    wanted = normalise(needle).text
    found: list[tuple[int, int]] = []
    if not wanted:
        return found
    at = haystack.text.find(wanted)
    while at != -1:
        found.append((at, at + len(wanted)))
        at = haystack.text.find(wanted, at + 1)
    return found


def nearest(
    candidates: list[tuple[int, int]], anchors: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """The candidate closest to any anchor (the first when there are no anchors)."""
    if not candidates:
        return None
    if not anchors:
        return candidates[0]

    def distance(span: tuple[int, int]) -> int:
        return min(max(a[0] - span[1], span[0] - a[1], 0) for a in anchors)

    return min(candidates, key=lambda span: (distance(span), span))
