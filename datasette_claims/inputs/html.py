"""Saved web pages: the main text and its metadata, through trafilatura.

Navigation, cookie banners, related links and footers are left out; the stored text is
the article's main text with one blank line between paragraphs, and every offset refers to
it. Title, publication date (htmldate, which trafilatura uses), author, outlet (site
name), canonical URL and language come from the page's metadata.
"""

from __future__ import annotations

import re
from pathlib import Path

from datasette_claims.errors import LoadError
from datasette_claims.inputs.article import Article, guess_language
from datasette_claims.inputs.charset import decode_page
from datasette_claims.inputs.decoding import read_bytes

HTML_SUFFIXES = {".html", ".htm"}
MIN_TEXT = 40  # characters of main text below which a page has no article in it
_LANG = re.compile(r"<html[^>]*\blang=[\"']?([a-zA-Z]{2})", re.I)
_HTML = re.compile(r"<(?:!doctype html|html|head|body|p|div|article)\b", re.I)
# lxml refuses text that still declares its bytes' encoding: the page is decoded already.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse_html(
    raw: bytes, path: str, url: str | None = None, content_type: str | None = None
) -> Article:
    """The article in a web page, or a LoadError naming the page when it holds none.

    The bytes are decoded here, as a browser would (see charset.py), not by trafilatura:
    one invalid byte then costs one U+FFFD, and the count is kept on the article.
    """
    import trafilatura

    decoded = decode_page(raw, content_type)
    page = _XML_DECLARATION.sub("", decoded.text, count=1)
    if not _HTML.search(page[:65536]):
        raise LoadError("this is not an HTML page (no HTML tags at its start)", file=path)
    try:
        found = trafilatura.bare_extraction(
            page,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
        )
    except Exception as exc:  # trafilatura raises what lxml raises on broken markup
        raise LoadError(f"the HTML page could not be read: {exc}", file=path) from None
    if found is None:
        raise LoadError("no main text found in this HTML page", file=path)
    data = found.as_dict() if hasattr(found, "as_dict") else dict(found)
    text = "\n\n".join(
        line.strip() for line in (data.get("text") or "").splitlines() if line.strip()
    )
    if len(text) < MIN_TEXT:
        raise LoadError("no main text found in this HTML page", file=path)
    lang = _LANG.search(page[:65536])
    language = data.get("language") or (lang.group(1).lower() if lang else None)
    page_url = data.get("url") or url
    return Article(
        path=path,
        text=text + "\n",
        title=data.get("title") or None,
        published_at=data.get("date") or None,
        language=language if language in ("de", "en") else guess_language(text) or language,
        url=page_url if page_url and page_url.startswith(("http://", "https://")) else None,
        publisher=data.get("sitename") or None,
        author=data.get("author") or None,
        encoding=decoded.encoding,
        replacements=decoded.replacements,
        first_replacement=decoded.first_replacement,
    )


def read_html(path: Path) -> Article:
    return parse_html(read_bytes(path), str(path))
