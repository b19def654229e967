"""Property-based: whatever a file holds, a load either succeeds or is refused clearly.

For every importer and every kind of file the loader reads, hypothesis builds inputs that
are nearly right (the expected columns and keys, hostile values) and plainly wrong. The
property: the command exits 0 or 1 and never raises; a refusal names the file, says
"Nothing was written" and leaves the database file byte for byte as it was; a success can
be loaded again without a change.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
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
