"""The plain CSV importer's fast paths (cached checks, escaping shortcut) change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from datasette_claims.errors import LoadError
from datasette_claims.formats.base import ImportBatch
from datasette_claims.formats.plain import PlainImporter, csv_values
from datasette_claims.inputs.fields import name_problem

HEADER = "id,text,source,date,figure_as_of,reviewed_at,url,review_url,verdict,reviewer\n"


def read(tmp_path: Path, body: str, name: str = "claims.csv") -> ImportBatch:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    batch = ImportBatch(path=str(path))
    PlainImporter().read(path, batch)
    return batch


def refusal(tmp_path: Path, body: str, name: str = "claims.csv") -> LoadError:
    with pytest.raises(LoadError) as caught:
        read(tmp_path, body, name)
    return caught.value


def test_a_bad_date_is_refused_on_its_own_line_each_time(tmp_path):
    first = refusal(tmp_path, "a,One,s,2024-02-30,,,,,,\n", "first.csv")
    later = refusal(
        tmp_path, "a,One,s,2024-02-01,,,,,,\nb,Two,s,2024-02-01,,,,,,\nc,Three,s,2024-02-30,,,,,,\n"
    )
    assert (first.line, first.field) == (2, "date")
    assert (later.line, later.field) == (4, "date")
    assert str(first).split(": ")[-1] == str(later).split(": ")[-1]
    assert "'2024-02-30' is not a calendar date" in str(later)


def test_a_bad_value_cached_in_one_column_is_still_refused_in_another(tmp_path):
    error = refusal(tmp_path, "a,One,s,,2024-13,,,,,\n", "as-of.csv")
    assert (error.line, error.field) == (2, "figure_as_of")
    error = refusal(tmp_path, "a,One,s,,,,,,,\nb,Two,s,,,2024-13,,,Wrong,R\n")
    assert (error.line, error.field) == (3, "reviewed_at")


def test_a_valid_date_is_not_taken_as_a_valid_url_nor_a_url_as_a_date(tmp_path):
    error = refusal(tmp_path, "a,One,s,2024-01-01,,,,,,\nb,Two,s,,,,2024-01-01,,,\n", "u.csv")
    assert (error.line, error.field) == (3, "url")
    assert "is not an http(s) URL" in str(error)
    url = "https://example.org/a"
    error = refusal(tmp_path, f"a,One,s,,,,{url},,,\nb,Two,s,{url},,,,,,\n")
    assert (error.line, error.field) == (3, "date")


def test_good_values_repeated_load_every_row(tmp_path):
    rows = "".join(
        f"c{n},Claim {n},s,2024-01-01,2024-01,2024-01-02,https://example.org/{n % 2},"
        f"https://check.example/{n},False,Checker\n"
        for n in range(5)
    )
    batch = read(tmp_path, rows)
    assert sorted(batch.claims) == [f"c{n}" for n in range(5)]
    assert {c["claimed_at"] for c in batch.claims.values()} == {"2024-01-01"}
    assert len(batch.reviews) == 5


def test_a_fresh_read_does_not_reuse_another_files_answers(tmp_path):
    read(tmp_path, "a,One,s,2024-01-01,,,,,,\n", "good.csv")
    error = refusal(tmp_path, "a,One,s,2024-01-01x,,,,,,\n")
    assert (error.line, error.field) == (2, "date")


def test_only_escaped_cells_lose_their_quote():
    row = {"a": "'=1+1", "b": "''-x", "c": "'plain", "d": "", "e": "=raw", "f": "'"}
    assert csv_values(row) == {
        "a": "=1+1",
        "b": "'-x",
        "c": "'plain",
        "d": "",
        "e": "=raw",
        "f": "'",
    }


def test_a_blank_row_is_skipped_and_a_row_with_one_value_is_not(tmp_path):
    batch = read(tmp_path, " , ,\t, , , , , , ,\na,One,s,,,,,,,\n")
    assert list(batch.claims) == ["a"]
    error = refusal(tmp_path, " , ,\t, , , , , , ,\n , , , , , , , , ,Solo\n")
    assert (error.line, error.field) == (3, "text")  # read, though only its last cell is set


@pytest.mark.parametrize(
    "name, refused",
    [
        ("Ministry of Truth", False),
        ("Ministère\u00a0de la Vérité", False),  # not printable, but no control character
        ("Zero\u200bwidth", False),  # a format character (Cf) is allowed as before
        ("Tab\tname", True),
        ("Line\u2028break", True),
        ("Para\u2029break", True),
        ("Bell\x07", True),
    ],
)
def test_name_problem_refuses_exactly_the_control_characters(name, refused):
    assert (name_problem(name) is not None) is refused


def test_a_source_name_with_a_line_break_names_its_line(tmp_path):
    path = tmp_path / "named.csv"
    path.write_text('id,text,source,source_name\na,One,s,Fine\nb,Two,t,"Bad\nname"\n')
    with pytest.raises(LoadError) as caught:
        PlainImporter().read(path, ImportBatch(path=str(path)))
    assert (caught.value.line, caught.value.field) == (3, "source_name")
