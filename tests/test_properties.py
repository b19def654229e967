"""Property-based: whatever a file holds, a load either succeeds or is refused clearly.

For every importer and every kind of file the loader reads, hypothesis builds inputs that
are nearly right (the expected columns and keys, hostile values) and plainly wrong. The
property: the command exits 0 or 1 and never raises; a refusal names the file, says
"Nothing was written" and leaves the database file byte for byte as it was; a success can
be loaded again without a change.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import shutil
import unicodedata
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .utils import file_digest, rows, run_cli

# Text with what breaks parsers and pages: quotes, separators, newlines, markup, control,
# zero-width and right-to-left characters, and SQL.
HOSTILE = st.sampled_from(
    [
        '"',
        "'",
        ",",
        "\t",
        "\n",
        "\r\n",
        "<script>alert(1)</script>",
        "javascript:alert(1)",
        "\x1b",
        "\u200b",
        "\u202e",
        "e\u0301",
        "'); drop table claims; --",
        "http://example.org/x",
        "2024-10-24",
        "3.000",
        "-1e309",
        "NaN",
    ]
)
CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
VALUE = st.one_of(
    st.text(CHARACTERS, max_size=40),
    st.lists(st.one_of(HOSTILE, st.text(CHARACTERS, max_size=8)), max_size=4).map("".join),
)
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run and machine
)

PLAIN = [
    "id",
    "text",
    "source",
    "source_name",
    "stance",
    "quote_kind",
    "hedge",
    "figure_value",
    "figure_unit",
    "date",
    "url",
    "proposition",
    "proposition_statement",
    "verdict",
    "reviewer",
    "review_url",
]
CLAIMSKG = [
    "rating_alternateName",
    "creativeWork_author_name",
    "creativeWork_datePublished",
    "claimReview_author_name",
    "claimReview_url",
    "claimReview_claimReviewed",
    "claimReview_datePublished",
    "extra_title",
]


def csv_text(header: list[str], body: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue()


@st.composite
def table(draw, columns: list[str], delimiter: str = ",") -> str:
    header = draw(st.lists(st.sampled_from(columns), min_size=1, unique=True))
    for required in ("text", "claimReview_claimReviewed"):
        if required in columns and required not in header:
            header.append(required)
    header += draw(st.lists(st.sampled_from(["extra", "=cmd", "é"]), unique=True, max_size=2))
    body = draw(st.lists(st.lists(VALUE, min_size=len(header), max_size=len(header)), max_size=5))
    text = csv_text(header, body, delimiter)
    if draw(st.booleans()):  # and sometimes the file is cut or spliced mid-record
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(['"', "\n", "", ',"x'])) + text[cut:]
    return text


def liar_line(values: list[str]) -> str:
    return "\t".join(" ".join(v.split()) for v in values)


LABELS = st.sampled_from(["true", "false", "half-true", "pants-fire", "barely-true", "maybe"])
LIAR = st.lists(
    st.one_of(
        st.tuples(LABELS, st.lists(VALUE, min_size=12, max_size=12)).map(
            lambda lv: [lv[0], *lv[1]]
        ),
        st.lists(VALUE, min_size=11, max_size=15),  # and rows of the wrong width
    ).map(lambda v: liar_line(["1.json", *v])),
    min_size=1,
    max_size=4,
).map(lambda lines: "\n".join(lines) + "\n")

JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), VALUE)
REVIEW = st.fixed_dictionaries(
    {"@type": st.sampled_from(["ClaimReview", "claimreview", "Review"])},
    optional={
        "claimReviewed": VALUE,
        "url": VALUE,
        "datePublished": VALUE,
        "author": st.one_of(VALUE, st.fixed_dictionaries({"name": VALUE})),
        "reviewRating": st.one_of(
            VALUE, st.fixed_dictionaries({"alternateName": VALUE}, optional={"ratingValue": VALUE})
        ),
        "itemReviewed": st.one_of(
            VALUE,
            st.fixed_dictionaries(
                {}, optional={"author": st.fixed_dictionaries({"name": VALUE}), "url": VALUE}
            ),
        ),
    },
)
VALID_REVIEW = st.fixed_dictionaries(
    {
        "@type": st.just("ClaimReview"),
        "claimReviewed": VALUE.filter(str.strip),
        "url": st.sampled_from(["https://factcheck.example/a", "https://factcheck.example/b"]),
        "reviewRating": st.fixed_dictionaries(
            {
                "alternateName": st.sampled_from(
                    ["False", "True", "Misleading", "Pants on Fire", "no idea"]
                )
            }
        ),
        "author": st.fixed_dictionaries({"name": st.sampled_from(["Checker", "Other"])}),
    },
    optional={
        "itemReviewed": st.fixed_dictionaries({"author": st.fixed_dictionaries({"name": VALUE})})
    },
)
CLAIMREVIEW = st.one_of(
    VALID_REVIEW,
    st.lists(VALID_REVIEW, max_size=3),
    REVIEW,
    st.lists(REVIEW, max_size=4),
    st.fixed_dictionaries({"@graph": st.lists(REVIEW, max_size=3)}),
    st.recursive(JSON_LEAF, lambda c: st.lists(c) | st.dictionaries(VALUE, c), max_leaves=10),
).map(json.dumps)

CLAIM_FILE = st.fixed_dictionaries(
    {
        "claims": st.lists(
            st.dictionaries(
                st.sampled_from(
                    ["id", "text", "source", "stance", "quote_kind", "proposition", "figure", "x"]
                ),
                st.one_of(VALUE, st.integers(), st.none()),
            ),
            max_size=3,
        )
    },
    optional={
        "document": st.dictionaries(st.sampled_from(["file", "title", "url"]), VALUE),
        "propositions": st.lists(
            st.dictionaries(st.sampled_from(["id", "statement", "topic"]), VALUE), max_size=2
        ),
    },
)
VALID_SOURCE = st.fixed_dictionaries(
    {
        "id": st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True),
        "name": VALUE.filter(str.strip),
        "kind": st.sampled_from(["person", "government", "agency", "outlet", "nonsense"]),
    },
    optional={"role": VALUE, "aliases": st.fixed_dictionaries({"de": st.lists(VALUE, max_size=2)})},
)
REGISTRY = st.fixed_dictionaries(
    {
        "sources": st.lists(VALID_SOURCE, max_size=3)
        | st.lists(
            st.dictionaries(
                st.sampled_from(["id", "name", "kind", "parent", "aliases", "role", "country"]),
                st.one_of(VALUE, st.lists(VALUE, max_size=2), st.none()),
            ),
            max_size=3,
        )
    }
)
EXTRACTED = st.lists(
    st.dictionaries(
        st.sampled_from(["document", "text", "start", "end", "source", "stance"]),
        st.one_of(VALUE, st.integers(-5, 10**6)),
    ),
    max_size=3,
).map(lambda items: "".join(json.dumps(item) + "\n" for item in items))


def check(database: Path, path: Path, *extra: str) -> None:
    """The property: loads, or is refused clearly with the database untouched."""
    before = file_digest(database)
    result = run_cli("load", database, path, *extra)  # raises (fails) on any traceback
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert result.output.startswith("Error: "), result.output
        assert "Nothing was written" in result.output
        assert file_digest(database) == before
        return
    counts = rows(database, "select (select count(*) from claims), (select count(*) from sources)")
    again = run_cli("load", database, path, "--force", *extra)
    assert again.exit_code == 0, again.output
    assert "0 added" in again.output
    assert rows(
        database, "select (select count(*) from claims), (select count(*) from sources)"
    ) == (counts)


def fresh(seed_db_path: Path, tmp_path: Path, name: str, content: str | bytes) -> tuple[Path, Path]:
    work = tmp_path / f"case-{abs(hash(content)) % 10**12}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    database = work / "claims.db"
    shutil.copy(seed_db_path, database)
    path = work / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return database, path


@SETTINGS
@given(content=table(PLAIN))
def test_plain_csv(seed_db_path, tmp_path, content):
    check(*fresh(seed_db_path, tmp_path, "claims.csv", content), "--format", "csv")


@SETTINGS
@given(
    content=st.lists(
        st.one_of(
            st.dictionaries(st.sampled_from(PLAIN), JSON_LEAF),
            # and nearly valid rows: text present, other fields hostile or absent
            st.fixed_dictionaries(
                {"text": VALUE.filter(str.strip)},
                optional={k: st.one_of(VALUE, st.none()) for k in PLAIN if k != "text"},
            ),
        ),
        max_size=4,
    )
)
def test_plain_json(seed_db_path, tmp_path, content):
    check(*fresh(seed_db_path, tmp_path, "claims.json", json.dumps(content)), "--format", "csv")


@SETTINGS
@given(content=table(CLAIMSKG))
def test_claimskg(seed_db_path, tmp_path, content):
    check(*fresh(seed_db_path, tmp_path, "kg.csv", content), "--format", "claimskg")


@SETTINGS
@given(content=LIAR)
def test_liar(seed_db_path, tmp_path, content):
    check(*fresh(seed_db_path, tmp_path, "train.tsv", content), "--format", "liar")


@SETTINGS
@given(content=CLAIMREVIEW)
def test_claimreview(seed_db_path, tmp_path, content):
    check(*fresh(seed_db_path, tmp_path, "reviews.json", content), "--format", "claimreview")


@SETTINGS
@given(content=EXTRACTED)
def test_extracted_shards(seed_db_path, tmp_path, content):
    check(*fresh(seed_db_path, tmp_path, "shard.jsonl", content), "--format", "extracted")


@SETTINGS
@given(content=CLAIM_FILE, as_json=st.booleans())
def test_curated_claim_files(seed_db_path, tmp_path, content, as_json):
    text = json.dumps(content) if as_json else yaml.safe_dump(content, allow_unicode=True)
    name = "x.claims.json" if as_json else "x.claims.yml"
    check(*fresh(seed_db_path, tmp_path, name, text))


@SETTINGS
@given(content=REGISTRY)
def test_source_registries(seed_db_path, tmp_path, content):
    check(*fresh(seed_db_path, tmp_path, "sources.yml", yaml.safe_dump(content)))


@SETTINGS
@given(content=st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_articles(seed_db_path, tmp_path, content):
    check(*fresh(seed_db_path, tmp_path, "article.txt", content))


# --- type-confused JSON-LD, hostile ids and dates ------------------------------------------

# Dates as they come: real ones, impossible ones (2023-02-29, 2024-04-31, 25:00), and other
# shapes of writing them.
VALID_DATE = st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}")
ANY_DAY = st.tuples(st.integers(1900, 2100), st.integers(0, 13), st.integers(0, 32)).map(
    lambda ymd: f"{ymd[0]:04d}-{ymd[1]:02d}-{ymd[2]:02d}"
)
DATE = st.one_of(
    VALID_DATE,
    ANY_DAY,
    st.tuples(VALID_DATE, st.integers(0, 25), st.integers(0, 61)).map(
        lambda dhm: f"{dhm[0]}T{dhm[1]:02d}:{dhm[2]:02d}"
    ),
    st.sampled_from(["2024", "2024-12", "2024-02-30", "20240101", "2024-1-1", "２０２４", " 2024"]),
)


def mostly(good, bad):
    """GOOD three times in four, so that examples get past the first field to the next."""
    return st.one_of(good, good, good, bad)


PLAIN_ID = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)
# Ids that must be refused (control characters, edge whitespace, over 200 characters) and
# ones that must not.
HOSTILE_ID = st.one_of(
    PLAIN_ID,
    st.tuples(
        st.from_regex(r"[a-z]{1,6}", fullmatch=True),
        st.sampled_from(
            ["\n", "\r", "\t", " ", "\x07", "\x1b", "\x00", "\u202e", "\u200b", "\x85"]
        ),
        st.sampled_from(["prefix", "suffix", "inside"]),
    ).map(
        lambda t: {"prefix": t[1] + t[0], "suffix": t[0] + t[1], "inside": t[0] + t[1] + t[0]}[t[2]]
    ),
    st.integers(195, 210).map(lambda n: "x" * n),
    VALUE,
)
GOOD_URL = st.sampled_from(["https://factcheck.example/a", "http://factcheck.example/b"])
URL = st.sampled_from(
    [
        "https://factcheck.example/a",
        "http://factcheck.example/b",
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<b>x</b>",
        "//factcheck.example/c",
        "http://[::1",
        "ftp://factcheck.example/d",
    ]
)
SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**16), 10**16), st.floats(), VALUE, DATE, URL
)
# A value as JSON-LD may write it: itself, in a list, or in a value or node object.
JSONLD = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.fixed_dictionaries({"@value": inner}),
        st.fixed_dictionaries({"@id": inner}),
        st.fixed_dictionaries({"name": inner}, optional={"url": inner, "@type": inner}),
        st.fixed_dictionaries({"url": inner}),
    ),
    max_leaves=4,
)
PERSON = mostly(
    st.fixed_dictionaries(
        {"name": mostly(VALUE.filter(str.strip), JSONLD)},
        optional={
            "@type": mostly(st.sampled_from(["Person", "Organization"]), JSONLD),
            "@id": mostly(PLAIN_ID, st.one_of(HOSTILE_ID, JSONLD)).map("#source-{}".format),
            "url": mostly(GOOD_URL, st.one_of(URL, JSONLD)),
            "sameAs": mostly(GOOD_URL, st.one_of(URL, JSONLD)),
            "additionalType": mostly(st.sampled_from(["person", "government"]), JSONLD),
        },
    ),
    JSONLD,
)
CONFUSED_REVIEW = st.fixed_dictionaries(
    {
        "@type": st.one_of(
            st.just("ClaimReview"),
            st.lists(st.just("ClaimReview") | JSONLD, min_size=1).map(
                lambda kinds: ["ClaimReview", *kinds]
            ),
        ),
        "claimReviewed": mostly(VALUE.filter(str.strip), JSONLD),
    },
    optional={
        "@id": mostly(PLAIN_ID.map("#claim-{}".format), st.one_of(HOSTILE_ID, JSONLD)),
        "url": mostly(GOOD_URL, st.one_of(URL, JSONLD)),
        "datePublished": mostly(VALID_DATE, st.one_of(DATE, JSONLD)),
        "name": mostly(VALUE, JSONLD),
        "author": PERSON,
        "reviewRating": mostly(
            st.fixed_dictionaries(
                {"alternateName": mostly(st.sampled_from(["False", "True"]), JSONLD)},
                optional={"ratingValue": JSONLD, "bestRating": JSONLD},
            ),
            JSONLD,
        ),
        "itemReviewed": mostly(
            st.fixed_dictionaries(
                {},
                optional={
                    "author": PERSON,
                    "datePublished": mostly(VALID_DATE, st.one_of(DATE, JSONLD)),
                    "appearance": mostly(GOOD_URL, st.one_of(URL, JSONLD)),
                },
            ),
            JSONLD,
        ),
    },
)
CONFUSED_CLAIMREVIEW = st.one_of(
    CONFUSED_REVIEW,
    st.lists(CONFUSED_REVIEW, min_size=1, max_size=3),
    st.fixed_dictionaries({"@graph": st.lists(st.one_of(CONFUSED_REVIEW, JSONLD), max_size=3)}),
).map(json.dumps)


# The new strategies have more ways to go wrong: more examples, still a second or two each.
MORE = settings(SETTINGS, max_examples=50)


def assert_clean(database: Path) -> None:
    """And whatever was stored: ids that are printable, trimmed and at most 200 characters,
    source names without control characters, and dates that are on the calendar."""
    for (stored,) in rows(database, "select id from claims union all select id from sources"):
        assert stored.isprintable() and stored == stored.strip() and len(stored) <= 200, stored
    for (name,) in rows(database, "select name from sources"):
        assert not any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in name), name
    dates = (
        "select claimed_at from claims union all select figure_as_of from claims "
        "union all select reviewed_at from claim_reviews"
    )
    for (stored,) in rows(database, dates):
        if isinstance(stored, str) and len(stored) >= 10:
            datetime.date.fromisoformat(stored[:10])  # raises (fails) on 2024-02-30


@MORE
@given(content=CONFUSED_CLAIMREVIEW)
def test_claimreview_type_confused_values(seed_db_path, tmp_path, content):
    database, path = fresh(seed_db_path, tmp_path, "reviews.json", content)
    check(database, path, "--format", "claimreview")
    assert_clean(database)


@st.composite
def dated_table(draw) -> str:
    header = ["id", "text", "source", "date", "figure_value", "figure_as_of", "reviewer"]
    header += ["verdict", "reviewed_at"]
    body = [
        [
            draw(mostly(PLAIN_ID, HOSTILE_ID)),
            draw(VALUE.filter(str.strip)),
            draw(mostly(st.one_of(PLAIN_ID, st.just("")), HOSTILE_ID)),
            draw(mostly(st.one_of(VALID_DATE, st.just("")), DATE)),
            draw(st.one_of(st.just(""), st.integers(-5, 10**6).map(str))),
            draw(mostly(st.one_of(VALID_DATE, st.just("")), DATE)),
            "Checker",
            "False",
            draw(mostly(st.one_of(VALID_DATE, st.just("")), DATE)),
        ]
        for _ in range(draw(st.integers(1, 3)))
    ]
    return csv_text(header, body)


@MORE
@given(content=dated_table())
def test_plain_csv_hostile_ids_and_dates(seed_db_path, tmp_path, content):
    database, path = fresh(seed_db_path, tmp_path, "claims.csv", content)
    check(database, path, "--format", "csv")
    assert_clean(database)


@MORE
@given(
    content=st.lists(
        st.fixed_dictionaries(
            {
                "id": mostly(PLAIN_ID, st.one_of(HOSTILE_ID, JSONLD)),
                "text": VALUE.filter(str.strip),
            },
            optional={"date": st.one_of(DATE, JSONLD), "source": mostly(PLAIN_ID, HOSTILE_ID)},
        ),
        min_size=1,
        max_size=3,
    ).map(json.dumps)
)
def test_plain_json_hostile_ids_and_dates(seed_db_path, tmp_path, content):
    database, path = fresh(seed_db_path, tmp_path, "claims.json", content)
    check(database, path, "--format", "csv")
    assert_clean(database)


FIGURE_NUMBER = st.one_of(
    st.none(),
    st.integers(-(10**16), 10**16),
    st.floats(),  # NaN and infinity too, which json.dumps writes as NaN and Infinity
    st.sampled_from([1e15, -1e15, 999_999_999_999_999, 10**400]),
    VALUE,
    st.booleans(),
)
SHARD_FIELDS = st.fixed_dictionaries(
    {"start": st.integers(0, 40), "length": st.integers(1, 30)},
    optional={
        "figures": st.one_of(
            st.lists(
                st.fixed_dictionaries(
                    {"value": mostly(st.integers(0, 10**6), FIGURE_NUMBER)},
                    optional={
                        "unit": mostly(VALUE, JSONLD),
                        "as_of": st.one_of(DATE, st.none()),
                        "forecast": st.booleans(),
                    },
                ),
                max_size=2,
            ),
            JSONLD,
        ),
        "confidence": mostly(
            st.floats(0, 1), st.one_of(st.floats(), st.integers(-2, 2), VALUE, st.none())
        ),
        "stance": st.sampled_from(["asserts", "denies", "expects", "shouts", ""]),
        "speaker": mostly(VALUE, JSONLD),
        "url": mostly(GOOD_URL, URL),
    },
)


@MORE
@given(records=st.lists(SHARD_FIELDS, min_size=1, max_size=3))
def test_extracted_shards_with_hostile_figures(seed_db_path, tmp_path, records):
    ((document, text),) = rows(seed_db_path, "select id, text from documents limit 1")
    lines = []
    for record in records:
        start, end = record["start"], record["start"] + record["length"]
        fields = {k: v for k, v in record.items() if k not in ("start", "length")}
        lines.append(dict(fields, document_id=document, start=start, end=end, text=text[start:end]))
    content = "".join(json.dumps(line) + "\n" for line in lines)
    database, path = fresh(seed_db_path, tmp_path, "claims-1.extracted.jsonl", content)
    check(database, path)
    assert_clean(database)


ARTICLE = "Titel\n\nDer Minister sagte, es gebe 3.000 Soldaten in der Stadt.\n"


@MORE
@given(
    claimed_at=DATE,
    as_of=DATE,
    merge=st.booleans(),
    claim_id=HOSTILE_ID.filter(lambda i: "'" not in i and "\\" not in i),
)
def test_curated_files_with_unquoted_dates(
    seed_db_path, tmp_path, claimed_at, as_of, merge, claim_id
):
    """Dates written bare, as people write them in YAML (YAML then reads 2024-02-30 as a date)."""
    text = (
        "document:\n  file: minister.txt\n"
        + ("  <<: {title: Merged}\n" if merge else "")
        + "claims:\n"
        + f"  - id: '{claim_id}'\n"
        + "    text: es gebe 3.000 Soldaten\n    stance: asserts\n    quote_kind: reported\n"
        + f"    claimed_at: {claimed_at}\n"
        + f"    figure: {{value: 3000, unit: soldiers, as_of: {as_of}}}\n"
    )
    database, path = fresh(seed_db_path, tmp_path, "minister.claims.yml", text)
    (path.parent / "minister.txt").write_text(ARTICLE, encoding="utf-8")
    check(database, path.parent)
    assert_clean(database)
