import pytest

from datasette_claims.errors import LoadError
from datasette_claims.inputs.article import guess_language, parse_article, split_headline

from .utils import SEED_ARTICLE


def test_seed_header_is_parsed():
    raw = SEED_ARTICLE.read_text(encoding="utf-8")
    article = parse_article(raw, str(SEED_ARTICLE))
    assert article.kicker == "Russisch-nordkoreanische Kooperation"
    assert article.title == "Südkorea erwägt Waffenlieferungen an die Ukraine"
    # 24 October 2024 is still summer time in Berlin.
    assert article.published_at == "2024-10-24T12:42:00+02:00"
    assert article.language == "de"


def test_body_is_stored_verbatim():
    raw = SEED_ARTICLE.read_text(encoding="utf-8")
    article = parse_article(raw, str(SEED_ARTICLE))
    assert article.text.startswith("Nordkorea und Russland bauen")
    assert raw.endswith(article.text)
    assert "Stand:" not in article.text


def test_winter_time_and_missing_time():
    article = parse_article(
        " date 2024-12 Liveblog Etwas passiert Stand: 03.12.2024 09:05 Uhr\n\nText hier."
    )
    assert article.published_at == "2024-12-03T09:05:00+01:00"
    assert article.kicker == "Liveblog"
    assert article.title == "Etwas passiert"


def test_file_without_header_is_all_body():
    text = "The defence secretary said troops were there.\nMore text."
    article = parse_article(text, "x.txt")
    assert article.text == text and article.title is None
    assert article.language == "en"


def test_empty_article_is_refused():
    try:
        parse_article("  \n", "empty.txt")
    except LoadError as exc:
        assert "empty" in str(exc) and "empty.txt" in str(exc)
    else:
        raise AssertionError("empty article accepted")


def test_split_headline_single_word_kicker():
    assert split_headline("Nahost-Krieg Israel greift an") == ("Nahost-Krieg", "Israel greift an")


def test_guess_language_unclear():
    assert guess_language("12345") is None


def test_a_date_header_without_stand_gives_title_and_date():
    from datasette_claims.inputs.article import parse_date

    month = parse_article(
        "date 2024-10 Soldaten in Russland\n\nDer Dienst sagte, sie seien dort.\n"
    )
    assert (month.title, month.published_at) == ("Soldaten in Russland", "2024-10")
    assert month.text.startswith("Der Dienst")
    assert parse_date(month.published_at).isoformat() == "2024-10-01"
    day = parse_article("date 2024-10-24 Troops in Russia\n\nThe agency said they were there.\n")
    assert (day.title, day.published_at) == ("Troops in Russia", "2024-10-24")


def test_an_impossible_short_header_date_names_the_line():
    with pytest.raises(LoadError) as raised:
        parse_article("date 2024-13 Title words\n\nBody text here.\n", "a.txt")
    assert "a.txt:1" in str(raised.value) and "2024-13" in str(raised.value)
