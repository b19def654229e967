"""Articles as people have them: saved web pages and text with front matter."""

from __future__ import annotations

import pytest

from .utils import rows, run_cli

PAGE = """<!DOCTYPE html>
<html lang="de"><head><title>Soldaten in Russland | Beispiel-Zeitung</title>
<meta property="og:title" content="Soldaten in Russland">
<meta property="og:site_name" content="Beispiel-Zeitung">
<meta name="author" content="Anna Schreiber">
<link rel="canonical" href="https://example.org/politik/soldaten">
<meta property="article:published_time" content="2024-10-24T12:00:00+02:00">
</head><body>
<nav><a href="/">Startseite</a> | <a href="/politik">Politik</a> | <a href="/sport">Sport</a></nav>
<div class="cookie-banner">Wir verwenden Cookies. <button>Akzeptieren</button></div>
<article><h1>Soldaten in Russland</h1>
<p>Der Geheimdienst sagte am Freitag, dass 3000 Soldaten bereits in Russland seien.</p>
<p>Nach Angaben der Regierung sind weitere Einheiten unterwegs, die in den kommenden
Wochen eintreffen sollen.</p>
<p>Die Truppen sollen bis Dezember an der Front sein, sagte ein Sprecher.</p></article>
<aside class="related"><h3>Mehr zum Thema</h3><a href="/x">Andere Meldung</a></aside>
<footer>Impressum · Datenschutz · Kontakt</footer>
</body></html>
"""


def test_a_saved_page_loads_its_main_text_and_metadata(tmp_path):
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    db = tmp_path / "claims.db"
    result = run_cli("load", db, tmp_path / "page.html")
    assert result.exit_code == 0, result.output
    ((text, title, published, author, publisher, url, language),) = rows(
        db, "select text, title, published_at, author, publisher, url, language from documents"
    )
    assert "Der Geheimdienst sagte am Freitag" in text
    for boilerplate in ("Startseite", "Cookies", "Mehr zum Thema", "Impressum"):
        assert boilerplate not in text
    assert (title, published, author, publisher) == (
        "Soldaten in Russland",
        "2024-10-24",
        "Anna Schreiber",
        "Beispiel-Zeitung",
    )
    assert (url, language) == ("https://example.org/politik/soldaten", "de")
    claims = rows(db, 'select c.text, c.start, c."end", d.text from claims c join documents d')
    assert claims and all(body[a:b] == claim for claim, a, b, body in claims)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<html><body><nav>Home</nav><footer>Impressum</footer></body></html>", "no main text"),
        ("just some words in a file called .html\n", "not an HTML page"),
    ],
)
def test_a_page_without_an_article_is_a_clear_error_and_writes_nothing(tmp_path, content, message):
    page = tmp_path / "empty.html"
    page.write_text(content, encoding="utf-8")
    db = tmp_path / "claims.db"
    result = run_cli("load", db, page)
    assert result.exit_code != 0
    assert message in result.output and "empty.html" in result.output
    assert "Traceback" not in result.output
    assert not db.exists() or rows(db, "select count(*) from documents") == [(0,)]


FRONT = """---
title: Troops in Russia
date: 2024-10-24
url: https://example.org/troops
publisher: Example Wire
language: en
author: Jo Reporter
---

The agency said 3,000 North Korean troops were already in Russia.
"""


def test_front_matter_gives_the_metadata_and_the_body_keeps_its_offsets(tmp_path):
    article = tmp_path / "wire.md"
    article.write_text(FRONT, encoding="utf-8")
    db = tmp_path / "claims.db"
    assert run_cli("load", db, article).exit_code == 0
    (document,) = rows(
        db, "select title, published_at, url, publisher, language, author, text from documents"
    )
    assert document[:6] == (
        "Troops in Russia",
        "2024-10-24",
        "https://example.org/troops",
        "Example Wire",
        "en",
        "Jo Reporter",
    )
    assert document[6].startswith("The agency said")
    claims = rows(db, 'select c.text, c.start, c."end", d.text from claims c join documents d')
    assert claims and all(body[a:b] == claim for claim, a, b, body in claims)


@pytest.mark.parametrize(
    ("header", "where"),
    [
        ("---\ntitle: X\nsubtitle: Y\n---\n", ":3: field 'subtitle'"),
        ("---\ntitle: X\ndate: 2024-02-30\n---\n", ":3"),
        ("---\nurl: javascript:alert(1)\n---\n", ":2: field 'url'"),
        ("---\ntitle: X\n", ":1"),
        ("---\nlanguage: german\n---\n", ":2: field 'language'"),
    ],
)
def test_bad_front_matter_names_file_line_and_field(tmp_path, header, where):
    article = tmp_path / "bad.txt"
    article.write_text(header + "\nThe agency said the troops were there.\n", encoding="utf-8")
    result = run_cli("load", tmp_path / "claims.db", article)
    assert result.exit_code != 0
    assert f"bad.txt{where}" in result.output, result.output
    assert "Traceback" not in result.output
