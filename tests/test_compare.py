"""The comparison rules on their own, without a database."""

from datasette_claims.propositions.comparison import compare
from datasette_claims.propositions.status import derive_proposition_status


def claim(
    id, group, stance="asserts", value=None, as_of=None, unit="soldiers", kind="agency", forecast=0
):
    return {
        "id": id,
        "stance": stance,
        "source_kind": kind,
        "independence_group": group,
        "group_name": group.title(),
        "figure_value": value,
        "figure_unit": unit if value is not None else None,
        "figure_as_of": as_of,
        "figure_is_forecast": forecast,
    }


def test_figures_at_the_same_date_conflict():
    result = compare(
        [
            claim("a", "kr", value=3000, as_of="2024-10-24"),
            claim("b", "us", value=12000, as_of="2024-10-24"),
        ]
    )
    (flag,) = result.disagreements
    assert flag.kind == "figure" and set(flag.claim_ids) == {"a", "b"}
    assert "3,000, 12,000" in flag.message


def test_figures_at_different_dates_are_a_timeline():
    result = compare(
        [
            claim("a", "kr", value=3000, as_of="2024-10-24"),
            claim("b", "kr", stance="expects", value=10000, as_of="2024-12", forecast=1),
        ]
    )
    assert result.disagreements == []
    assert [c["id"] for c in result.figures] == ["a", "b"]


def test_units_are_compared_separately():
    result = compare(
        [
            claim("a", "kr", value=3000, as_of="2024-10"),
            claim("b", "us", value=5, as_of="2024-10", unit="brigades"),
        ]
    )
    assert result.disagreements == []


def test_same_institution_is_not_corroboration():
    result = compare([claim("a", "kr"), claim("b", "kr")])
    assert result.status == "unverified"
    assert len(result.groups) == 1


def test_two_institutions_corroborate_and_a_denial_disputes():
    assert compare([claim("a", "kr"), claim("b", "us")]).status == "corroborated"
    disputed = compare([claim("a", "kr"), claim("b", "us"), claim("c", "ru", stance="denies")])
    assert disputed.status == "disputed"
    assert len([d for d in disputed.disagreements if d.kind == "stance"]) == 2


def test_outlet_narration_does_not_corroborate():
    result = compare([claim("a", "kr"), claim("b", "ard", kind="outlet")])
    assert result.status == "unverified"
    assert result.independent_asserting == ["Kr"]


def test_uncertain_and_expects_take_no_side():
    assert derive_proposition_status({"kr": ["expects"], "us": ["uncertain"]}) == "unverified"
    assert derive_proposition_status({"kr": ["asserts", "denies"]}) == "unverified"


def unattributed(id, stance="asserts", speaker="a lawmaker", value=None, as_of=None):
    row = claim(id, "x", stance=stance, value=value, as_of=as_of)
    row.update(independence_group=None, group_name=None, source_id=None, speaker=speaker)
    return row


def test_claims_without_a_source_are_no_institution():
    result = compare([claim("a", "kr"), unattributed("b"), unattributed("c", speaker="a mayor")])
    assert [g.id for g in result.groups] == ["kr"]
    assert result.as_dict()["independent_institutions"] == 1
    assert result.status == "unverified"  # one institution and two unnamed voices
    assert [c["speaker"] for c in result.as_dict()["unattributed"]] == ["a lawmaker", "a mayor"]


def test_claims_without_a_source_neither_dispute_nor_conflict():
    result = compare(
        [
            claim("a", "kr", value=3000, as_of="2024-10"),
            unattributed("b", stance="denies"),
            unattributed("c", value=12000, as_of="2024-10"),
        ]
    )
    assert result.status == "unverified"
    assert result.disagreements == []
    assert derive_proposition_status({"kr": {"asserts"}}) == "unverified"


def test_one_quantity_across_unit_words():
    from datasette_claims.propositions.comparison import figure_ranges

    result = compare(
        [
            claim("a", "kr", value=3000, as_of="2024-10", unit="soldiers"),
            claim("b", "us", value=12000, as_of="2024-10", unit="troops"),
            claim("c", "ua", value=11000, as_of="2024-10", unit="Forces"),
        ]
    )
    (flag,) = result.disagreements  # one quantity, three values: one conflict
    assert set(flag.claim_ids) == {"a", "b", "c"}
    (row,) = figure_ranges(result.figures)
    assert (row["unit"], row["count"], row["min"], row["max"]) == ("soldiers", 3, 3000, 12000)
