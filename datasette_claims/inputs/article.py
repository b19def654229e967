"""Article text files: the header line (kicker, title, time) and the verbatim body."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from datasette_claims.errors import LoadError
from datasette_claims.inputs.decoding import read_text
from datasette_claims.inputs.fields import Fields
from datasette_claims.inputs.structured import parse_yaml
from datasette_claims.model import document_id

# ` date 2024-10 <kicker> <title> Stand: 24.10.2024 12:42 Uhr` - the export format of the seed.
HEADER_RE = re.compile(
    r"^\s*date\s+(?P<month>\d{4}-\d{2})\s+(?P<headline>.+?)\s+"
    r"Stand:\s*(?P<day>\d{1,2})\.(?P<mon>\d{1,2})\.(?P<year>\d{4})"
    r"(?:,?\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*Uhr)?\s*$"
)
# `date 2024-10 <title>` or `date 2024-10-24 <title>`: the same line without the export's
# "Stand:" time; the date is the publication date (to the month or the day).
SHORT_HEADER_RE = re.compile(r"^\s*date\s+(?P<date>\d{4}-\d{2}(?:-\d{2})?)\s+(?P<title>\S.*?)\s*$")
BERLIN = ZoneInfo("Europe/Berlin")

# Adjective endings that mark a two-word kicker such as "Russisch-nordkoreanische Kooperation".
_ADJECTIVE = re.compile(r"(?:isch|ische|ischer|isches|ischen|ige|iger|liche|licher|e|er|es|en)$")

_GERMAN_WORDS = {
    "der",
    "die",
    "das",
    "und",
    "nicht",
    "ist",
    "mit",
    "sich",
    "auf",
    "für",
    "dass",
    "eine",
    "den",
    "von",
    "zu",
    "im",
    "hat",
    "werden",
    "auch",
    "nach",
}
_ENGLISH_WORDS = {
    "the",
    "and",
    "is",
    "of",
    "to",
    "in",
    "that",
    "it",
    "for",
    "was",
    "on",
    "are",
    "with",
    "as",
    "by",
    "said",
    "has",
    "have",
    "from",
    "be",
}


@dataclass
class Article:
    """One source document as read from disk."""

    path: str
    text: str
    title: str | None = None
    kicker: str | None = None
    published_at: str | None = None
    header: str | None = None
    language: str | None = None
    url: str | None = None
    publisher: str | None = None
    author: str | None = None
    fetched_at: str | None = None  # pages fetched from the web: when
    raw_sha256: str | None = None  # and the hash of the bytes received
    fetched_url: str | None = None  # and where from (after redirects), beside `url`
    encoding: str | None = None  # HTML pages: the encoding they were decoded with
    replacements: int | None = None  # and how many invalid sequences became U+FFFD
    first_replacement: int | None = None  # the byte offset of the first one

    def decoding_warning(self) -> str | None:
        """What the user is told when invalid bytes were replaced (None when none were)."""
        if not self.replacements:
            return None
        return (
            f"{self.fetched_url or self.path}: {self.replacements} invalid byte sequence"
            f"{'s' if self.replacements != 1 else ''} in {self.encoding} replaced with U+FFFD "
            f"(the first at byte offset {self.first_replacement})"
        )

    @cached_property  # asked for once per claim: rehashing a 10 MB body each time is slow
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def id(self) -> str:
        """Stable id: the same body text always gives the same document id."""
        return document_id(self.content_hash)


def split_headline(headline: str) -> tuple[str | None, str]:
    """Split `<kicker> <title>`; the header has no separator, so this is a heuristic.

    A kicker is a short noun phrase: an adjective with its noun ("Russisch-nordkoreanische
    Kooperation") or a single word ("Liveblog", "Nahost-Krieg"). Curated files can override.
    """
    words = headline.split()
    if len(words) < 3:
        return None, headline
    first = words[0]
    if _ADJECTIVE.search(first.split("-")[-1].lower()) and words[1][:1].isupper():
        return " ".join(words[:2]), " ".join(words[2:])
    return first, " ".join(words[1:])


def headline_title(text: str) -> str | None:
    """The first line as the title when it reads as a headline: short, on a line of its
    own before the body, and not a sentence that ends in a full stop or colon.

    The text stays as it is (ids and offsets refer to it); only the title is taken.
    """
    first, _, rest = text.lstrip("\ufeff").partition("\n")
    line = first.strip()
    words = line.split()
    if not rest.strip() or not 2 <= len(words) <= 20 or len(line) > 140:
        return None
    if line[-1] in ".,;:" or not (line[0].isupper() or line[0].isdigit() or line[0] in "„“\"»'"):
        return None
    return line


def guess_language(text: str) -> str | None:
    """'de' or 'en' by counting common function words; None when unclear."""
    tokens = re.findall(r"[a-zäöüß]+", text.lower()[:20000])
    german = sum(1 for t in tokens if t in _GERMAN_WORDS)
    english = sum(1 for t in tokens if t in _ENGLISH_WORDS)
    if german == english:
        return None
    return "de" if german > english else "en"


def parse_article(text: str, path: str = "<text>") -> Article:
    """Split an article file into header fields and body text (stored verbatim)."""
    if not text.strip():
        raise LoadError("article file is empty", file=path)
    if text.startswith(("---\n", "---\r\n")):
        return _front_matter(text, path)
    first_line, _, rest = text.partition("\n")
    match = HEADER_RE.match(first_line)
    if not match:
        short = SHORT_HEADER_RE.match(first_line)
        if short:
            return _short_header(short, first_line, rest, path)
        return Article(
            path=path, text=text, title=headline_title(text), language=guess_language(text)
        )
    # The body starts after the header and the blank line(s) that follow it.
    body = rest.lstrip("\r\n")
    if not body.strip():
        raise LoadError("article has a header but no body text", file=path, line=2)
    kicker, title = split_headline(match["headline"])
    published_at = None
    try:
        stamp = datetime(
            int(match["year"]),
            int(match["mon"]),
            int(match["day"]),
            int(match["hour"] or 0),
            int(match["minute"] or 0),
            tzinfo=BERLIN,
        )
        published_at = stamp.isoformat() if match["hour"] else stamp.date().isoformat()
    except ValueError:
        raise LoadError(
            f"header date 'Stand: {match['day']}.{match['mon']}.{match['year']}' is not a date",
            file=path,
            line=1,
            field="Stand",
        ) from None
    return Article(
        path=path,
        text=body,
        title=title,
        kicker=kicker,
        published_at=published_at,
        header=first_line.strip(),
        language=guess_language(body),
    )


FRONT_MATTER_FIELDS = {"title", "date", "url", "publisher", "language", "author"}


def _front_matter(text: str, path: str) -> Article:
    """`---` YAML front matter `---` (title, date, url, publisher, language, author), then
    the body, stored verbatim from the line after the closing `---`."""
    lines = text.splitlines(keepends=True)
    close = next((n for n in range(1, len(lines)) if lines[n].rstrip("\r\n") == "---"), None)
    if close is None:
        raise LoadError("front matter opened with --- on line 1 is never closed", file=path, line=1)
    block = "".join(lines[1:close])
    # One leading newline for the opening ---: the parser's lines are the file's lines.
    data = parse_yaml("\n" + block, path, "front matter") if block.strip() else {}
    if not isinstance(data, dict):
        raise LoadError("front matter must be a mapping of fields", file=path, line=2)
    fields = Fields(data, path, "front matter", line=1)
    fields.only(FRONT_MATTER_FIELDS)
    body = "".join(lines[close + 1 :]).lstrip("\r\n")
    if not body.strip():
        raise LoadError("article has front matter but no body text", file=path, line=close + 2)
    language = fields.text("language")
    if language is not None and not re.fullmatch(r"[a-z]{2}", language):
        raise fields.error(f"'{language}' is not a two-letter language code", "language")
    return Article(
        path=path,
        text=body,
        title=fields.text("title"),
        published_at=fields.date("date"),
        header=None,
        language=language or guess_language(body),
        url=fields.url("url"),
        publisher=fields.text("publisher"),
        author=fields.text("author"),
    )


def _short_header(match: re.Match[str], first_line: str, rest: str, path: str) -> Article:
    body = rest.lstrip("\r\n")
    if not body.strip():
        raise LoadError("article has a header but no body text", file=path, line=2)
    value = match["date"]
    try:
        date.fromisoformat(value if len(value) == 10 else value + "-01")
    except ValueError:
        raise LoadError(
            f"header date '{value}' is not a date", file=path, line=1, field="date"
        ) from None
    return Article(
        path=path,
        text=body,
        title=match["title"],
        published_at=value,
        header=first_line.strip(),
        language=guess_language(body),
    )


def read_article(path: Path) -> Article:
    return parse_article(read_text(path), str(path))


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    if re.fullmatch(r"\d{4}-\d{2}", value):  # a month: its first day for relative dates
        try:
            return date.fromisoformat(value + "-01")
        except ValueError:
            return None
    return None
