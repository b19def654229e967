"""A person adds an article from the browser: its text, metadata and the claims they keep.

The same load as `datasette claims load` (one transaction, the matcher, statuses, history),
but only the extracted claims the person kept are written, and history names them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from datasette_claims.errors import ReviewError
from datasette_claims.extract import ExtractedClaim, extract_claims
from datasette_claims.inputs.article import Article, guess_language, headline_title, parse_date
from datasette_claims.inputs.fields import date_problem, url_problem
from datasette_claims.load.apply import LoadSummary, apply_plan
from datasette_claims.load.planning import alias_index, plan_load

MAX_TEXT = 2_000_000  # characters a pasted article may have


@dataclass
class NewArticle:
    text: str
    title: str | None = None
    url: str | None = None
    published_at: str | None = None
    publisher: str | None = None
    language: str | None = None

    def article(self) -> Article:
        return Article(
            path="(added in the browser)",
            text=self.text,
            title=self.title or headline_title(self.text),
            published_at=self.published_at,
            language=self.language or guess_language(self.text),
            url=self.url,
            publisher=self.publisher,
        )


def check_article(new: NewArticle) -> NewArticle:
    """The article as given, or a ReviewError that says which field is wrong."""
    text = (new.text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ReviewError("paste the article's text")
    if len(text) > MAX_TEXT:
        raise ReviewError(f"the text is longer than {MAX_TEXT:,} characters")
    url = (new.url or "").strip() or None
    if url and url_problem(url):
        raise ReviewError(f"url: {url_problem(url)}")
    date = (new.published_at or "").strip() or None
    if date and date_problem(date):
        raise ReviewError(f"date: {date_problem(date)}")
    language = (new.language or "").strip() or None
    if language and language not in ("de", "en"):
        raise ReviewError("language: de or en")
    title = " ".join((new.title or "").split()) or None
    publisher = " ".join((new.publisher or "").split()) or None
    return NewArticle(text + "\n", title, url, date, publisher, language)


def preview(db: sqlite_utils.Database, new: NewArticle) -> list[ExtractedClaim]:
    """What the extractors find in the article, linked to the database's sources."""
    article = new.article()
    return extract_claims(
        article.text,
        language=article.language,
        published=parse_date(article.published_at),
        index=alias_index(db, []),
    )


def add_article(
    db: sqlite_utils.Database, new: NewArticle, keep: set[tuple[int, int]], by: str
) -> LoadSummary:
    """Load the article with the extracted claims whose spans are in `keep`."""
    if not by:
        raise ReviewError("adding an article needs a signed-in actor")
    plan = plan_load(db, [], discovered=True, fetched=[new.article()])
    # The same text is the same document: its stored title, URL, path and the rest stay
    # as they are (changing them would need history they do not have); the claims are new.
    ids = [row["id"] for row in plan.documents]
    marks = ", ".join("?" for _ in ids)
    stored = {i for (i,) in db.execute(f"select id from documents where id in ({marks})", ids)}
    plan.documents = [row for row in plan.documents if row["id"] not in stored]
    plan.claims = [row for row in plan.claims if (row["start"], row["end"]) in keep]
    used = {row["proposition_id"] for row in plan.claims}
    plan.propositions = [
        p for p in plan.propositions if p["id"] in used or p.get("origin") != "generated"
    ]
    plan.proposition_terms = {k: v for k, v in plan.proposition_terms.items() if k in used}
    sources = {row["source_id"] for row in plan.claims}
    plan.suggested_sources = {k: v for k, v in plan.suggested_sources.items() if k in sources}
    summary = apply_plan(db, plan, actor=by)
    summary.documents.unchanged += len(stored)
    return summary
