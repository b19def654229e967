"""The matcher's signals beyond words: names, quantities, events, rarity of terms.

Every sentence here is written for these tests: each would fail if its signal broke.
"""

from __future__ import annotations

import random

import pytest

from datasette_claims.extract.linking import AliasIndex, SourceInfo
from datasette_claims.propositions.matching import THRESHOLD, PropositionIndex, best_match
from datasette_claims.propositions.signals import event_of, name_words, quantities
from datasette_claims.propositions.terms import Terms, claim_terms, in_article

NO_REGISTRY = AliasIndex()


def terms(text: str, language: str = "en", index: AliasIndex = NO_REGISTRY) -> Terms:
    return claim_terms(text, language, index)


def match_all(texts: list[str], language: str = "en") -> list[str]:
    """Match texts in order as a load does; the proposition of each."""
    index = PropositionIndex()
    found = []
    for n, text in enumerate(texts):
        claim = terms(text, language)
        proposition, score = best_match(index, claim)
        if proposition is None or score < THRESHOLD:
            proposition = f"p{n}"
        index.add(proposition, claim.terms)
        found.append(proposition)
    return found


@pytest.mark.parametrize(
    "text, names",
    [
        (
            "the mayor said Governor Anna Petrova would veto the bill",
            ["governor", "anna", "petrova"],
        ),
        ("Mr. Okafor's plan for the harbour", ["okafor"]),
        ("Though the council of Eastbridge voted late", ["eastbridge"]),
        ("exports to the U.S. and to the United States rose", ["usa", "usa"]),
        ("a deal with the European Union. Then Lisbon said no", ["eu", "lisbon"]),
        ("nothing capitalised in here", []),
    ],
)
def test_names_are_the_capitalised_words_of_english_claims(text, names):
    assert name_words(text, set()) == names


def test_names_stand_in_for_entities_only_without_a_registry_source():
    assert "E:~petrova" in terms("Governor Petrova vetoed the harbour bill").terms
    # German capitalises every noun: no names from German claims.
    assert not terms("Die Gouverneurin Petrova stoppte das Gesetz", "de").of("E")
    registry = AliasIndex()
    registry.add(SourceInfo("petrova", "Anna Petrova", "person"), ["Petrova"])
    registered = terms("Governor Petrova vetoed the harbour bill", index=registry)
    assert registered.of("E") == {"E:petrova"}


@pytest.mark.parametrize(
    "text, language, found",
    [
        ("the party raised $12 million in March", "en", {"money=1.2e+07"}),
        ("it raised 12,000,000 dollars", "en", {"money=1.2e+07"}),
        ("support fell to 41 percent", "en", {"share=41"}),
        ("die Zustimmung fiel auf 41 Prozent", "de", {"share=41"}),
        ("1,500 workers and 1.500 Arbeiter", "en", {"count=1500", "count=1.5"}),
        ("1.500 Arbeiter", "de", {"count=1500"}),
        ("in 2019 the plant closed", "en", set()),
    ],
)
def test_quantities_have_one_dimension_and_value_whatever_the_notation(text, language, found):
    assert quantities(text, language) == found


def test_events_are_classes_of_predicates_in_both_languages():
    assert event_of("victori") == event_of("won") == event_of("sieg") == "win"
    assert event_of("poll") == event_of("umfrag") == "poll"
    assert event_of("resign") == event_of("rucktritt") == "resign"
    assert event_of("harbour") is None
    assert "C:win" in terms("the mayor's victory in the northern district").terms
    assert "C:win" in terms("Der Sieg des Bürgermeisters im Norden", "de").terms


def test_same_event_in_other_words_links_across_articles():
    texts = [
        "Die Opposition hat die Wahl in Hafenstadt am Sonntag klar gewonnen",
        "Der Rat beschloss einen neuen Haushalt für die Schulen",
        "Die Opposition siegte am Sonntag klar bei der Wahl in Hafenstadt",
    ]
    found = match_all(texts, "de")
    assert found[2] == found[0] != found[1]
    # Without the event ("gewonnen", "siegte": one), the wording alone would not do.
    index = PropositionIndex()
    index.add("won", terms(texts[0], "de").terms)
    claim = terms(texts[2], "de")
    assert "C:win" in claim.terms
    assert index.score(Terms(claim.terms - {"C:win"}), "won") < THRESHOLD


def test_one_figure_in_two_notations_is_one_term():
    dollars = terms("the city spent $3 million on the harbour")
    spelled = terms("3,000,000 dollars went to the harbour")
    assert "S:=money=3e+06" in dollars.terms & spelled.terms


def test_a_different_name_keeps_the_same_event_apart():
    found = match_all(
        [
            "Lindqvist won the election in Eastbridge",
            "Moreau won the election in Eastbridge",
        ]
    )
    assert found[0] != found[1]


def test_a_shared_rare_word_outweighs_shared_common_words():
    index = PropositionIndex()
    for n in range(30):  # "council" and "plan" are everywhere, "desalination" is not
        index.add(f"common{n}", terms(f"the council plan number{'x' * n}").terms)
    index.add("rare", terms("desalination costs rose sharply").terms)
    index.add("plain", terms("the council plan").terms)
    claim = terms("the council plan for desalination")
    assert index.weight("S:desalin") > index.weight("S:council")
    # Counted alike, "plain" shares two of three words; weighted, "rare" shares the one
    # that tells.
    assert index.score(claim, "rare") > index.score(claim, "plain")


def test_pruned_search_equals_scoring_every_candidate():
    rng = random.Random(3)
    vocabulary = [f"S:w{i}" for i in range(60)] + [f"E:~n{i}" for i in range(12)]
    vocabulary += [f"E:s{i}" for i in range(4)] + [f"C:c{i}" for i in range(6)]
    index = PropositionIndex()
    for n in range(200):
        index.add(f"p{n % 50:02d}", rng.sample(vocabulary, 6))
    for _ in range(200):
        claim = Terms(frozenset(rng.sample(vocabulary, rng.randint(2, 9))))
        scores = {p: index.score(claim, p) for p in index.candidates(claim)}
        best = max(scores.values(), default=0.0)
        proposition, score = best_match(index, claim)
        assert score == pytest.approx(max(best, 0.0))
        if best > 0:
            assert proposition == min(p for p, s in scores.items() if s == pytest.approx(best))


def test_only_a_claim_with_few_words_of_its_own_points_back():
    first = terms("the port authority closed the northern harbour for repairs")
    short = "They deny this"
    long = "that the new ferry line will double the traffic through the eastern canal"
    assert in_article(terms(short), short, first).terms >= first.terms
    assert in_article(terms(long), long, first) == terms(long)
    assert in_article(first, "the port authority closed", first) is first


def test_a_floor_scores_fewer_candidates_and_links_the_same():
    rng = random.Random(5)
    vocabulary = [f"S:w{i}" for i in range(40)] + [f"E:~n{i}" for i in range(8)]
    vocabulary += [f"C:c{i}" for i in range(5)]
    index = PropositionIndex()
    for n in range(120):
        index.add(f"p{n % 30:02d}", rng.sample(vocabulary, 7))
    for _ in range(200):
        claim = Terms(frozenset(rng.sample(vocabulary, rng.randint(3, 9))))
        proposition, score = best_match(index, claim)
        floored = best_match(index, claim, at_least=THRESHOLD)
        assert floored == ((proposition, score) if score >= THRESHOLD else (None, 0.0))
