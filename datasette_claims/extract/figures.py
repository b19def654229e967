"""Figures (numbers with units) and dates in claim text, German and English formats.

Dates are resolved against the publication date: "bis Dezember" in an article of October
2024 is 2024-12; "im Juni" is the June before it. Hand-written rather than dateparser:
choosing the past or the coming month depends on the cue ("bis", "im"), which a general
date parser does not know, and this runs on every sentence of every article.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date

from datasette_claims.extract.lexicon import MONTHS, SCALE_WORDS, UNITS, VAGUE_NUMBERS

_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_FULL_DE = re.compile(rf"\b(\d{{1,2}})\.\s*({_MONTH_NAMES})\s+(\d{{4}})\b", re.I)
_DATE_FULL_EN = re.compile(rf"\b({_MONTH_NAMES})\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I)
_DATE_NUMERIC = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_MONTH_YEAR = re.compile(rf"\b({_MONTH_NAMES})\s+(\d{{4}})\b", re.I)
_MONTH_CUE = re.compile(
    rf"\b(bis\s+(?:ende\s+|anfang\s+|mitte\s+)?|by\s+(?:the\s+end\s+of\s+)?|until\s+|"
    rf"im\s+|in\s+|seit\s+|since\s+|ab\s+|from\s+)?({_MONTH_NAMES})\b",
    re.I,
)
_FUTURE_CUES = ("bis", "by", "until", "ab", "from")

_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[.,]\d{3})+|\d+(?:[.,]\d+)?)"
    r"(?:\s+(millionen|million|milliarden|milliarde|mio\.?|mrd\.?|tausend|thousand|billion))?"
    r"(?![\w])",
    re.I,
)
_VAGUE = re.compile(r"\b(" + "|".join(sorted(VAGUE_NUMBERS, key=len, reverse=True)) + r")\b", re.I)
_WORD = re.compile(r"[\w%]+", re.UNICODE)


@dataclass
class Figure:
    value: float | None
    unit: str | None
    text: str
    as_of: str | None
    forecast: bool = False
    vague: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def parse_number(raw: str, language: str | None) -> float | None:
    """'3.000' (de) and '3,000' (en) are three thousand; '1,5' (de) is one and a half."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw):
        return float(raw.replace(".", "")) if language != "en" else _english(raw)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", raw):
        return float(raw.replace(",", "")) if language != "de" else float(raw.replace(",", "."))
    try:
        if language == "de":
            return float(raw.replace(",", "."))
        return float(raw.replace(",", ""))
    except ValueError:
        return None


def _english(raw: str) -> float | None:
    # "3.000" in English text is three with a needless decimal, unless more dots follow.
    return float(raw) if raw.count(".") == 1 else float(raw.replace(".", ""))


_ANY_MONTH = re.compile(rf"(?i)\b(?:{_MONTH_NAMES})\b")


def resolve_dates(text: str, published: date | None) -> list[tuple[int, str, bool]]:
    """Dates mentioned in `text`: (offset, ISO date at stated precision, looks ahead)."""
    found: list[tuple[int, str, bool]] = []
    if not _ANY_MONTH.search(text) and not _DATE_NUMERIC.search(text):
        return found
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for match in _DATE_FULL_DE.finditer(text):
        month = MONTHS[match.group(2).lower()]
        found.append((match.start(), _iso(int(match.group(3)), month, int(match.group(1))), False))
        taken.append(match.span())
    for match in _DATE_FULL_EN.finditer(text):
        if free(*match.span()):
            named = MONTHS.get(match.group(1).lower())
            if named:
                found.append(
                    (match.start(), _iso(int(match.group(3)), named, int(match.group(2))), False)
                )
                taken.append(match.span())
    for match in _DATE_NUMERIC.finditer(text):
        if free(*match.span()):
            day, month, year = (int(g) for g in match.groups())
            if 1 <= month <= 12 and 1 <= day <= 31:
                found.append((match.start(), _iso(year, month, day), False))
                taken.append(match.span())
    for match in _MONTH_YEAR.finditer(text):
        if free(*match.span()):
            found.append(
                (
                    match.start(),
                    f"{int(match.group(2)):04d}-{MONTHS[match.group(1).lower()]:02d}",
                    False,
                )
            )
            taken.append(match.span())
    for match in _MONTH_CUE.finditer(text):
        if not free(*match.span()):
            continue
        name = match.group(2).lower()
        # "may"/"march" are also ordinary English words; only take them with a cue.
        cue = (match.group(1) or "").strip().lower().split(" ")[0]
        if name in ("may", "march", "mai") and not cue:
            continue
        month = MONTHS[name]
        ahead = cue in _FUTURE_CUES
        if published is None:
            continue
        year = published.year
        if ahead and month < published.month:
            year += 1
        elif not ahead and month > published.month:
            year -= 1
        found.append((match.start(), f"{year:04d}-{month:02d}", ahead))
        taken.append(match.span())
    return sorted(found)


def _iso(year: int, month: int, day: int) -> str:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return f"{year:04d}-{month:02d}"


def find_figures(
    text: str,
    language: str | None,
    published: date | None,
    default_unit: str | None = None,
) -> list[Figure]:
    """Numbers with their unit and as-of date; years, dates and ordinals are skipped."""
    if not _DIGIT.search(text) and not _VAGUE.search(text):
        return []
    dates = resolve_dates(text, published)
    date_spans = [(m.start(), m.end()) for m in _DATE_NUMERIC.finditer(text)]
    date_spans += [(m.start(), m.end()) for m in _DATE_FULL_DE.finditer(text)]
    date_spans += [(m.start(), m.end()) for m in _DATE_FULL_EN.finditer(text)]
    date_spans += [(m.start(), m.end()) for m in _MONTH_YEAR.finditer(text)]
    as_of, ahead = (dates[0][1], dates[0][2]) if dates else (None, False)
    if as_of is None and published is not None:
        as_of = published.isoformat()
    figures: list[Figure] = []
    for match in _NUMBER.finditer(text):
        if any(a <= match.start() < b for a, b in date_spans):
            continue
        raw = match.group(1)
        if re.fullmatch(r"(19|20)\d\d", raw) and not match.group(2):
            continue  # a year
        if text[match.end() : match.end() + 1] == "." and re.fullmatch(r"\d{1,2}", raw):
            continue  # an ordinal ("3. Oktober")
        value = parse_number(raw, language)
        if value is None:
            continue
        if match.group(2):
            value *= SCALE_WORDS.get(match.group(2).lower().rstrip("."), 1)
        unit = _unit_after(text, match.end()) or default_unit
        figures.append(
            Figure(
                value=int(value) if value.is_integer() else value,
                unit=unit,
                text=match.group(0),
                as_of=as_of,
                forecast=ahead,
            )
        )
    for match in _VAGUE.finditer(text):
        unit = _unit_after(text, match.end()) or default_unit
        figures.append(Figure(None, unit, match.group(0), as_of, ahead, vague=True))
    return figures


def _unit_after(text: str, at: int) -> str | None:
    """The counted noun within the next three words ("3.000 nordkoreanische Soldaten")."""
    for word in _WORD.findall(text[at : at + 60])[:3]:
        unit = UNITS.get(word.lower())
        if unit:
            return unit
    return None
