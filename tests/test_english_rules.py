"""English attribution patterns of wires, transcripts and papers (sentences written here)."""

from __future__ import annotations

import pytest

from datasette_claims.extract import build_index, extract_claims
from datasette_claims.extract.english import EnglishExtractor
from datasette_claims.extract.lexicon import ENGLISH_CUE_VERBS
from datasette_claims.extract.linking import SourceInfo


def claims(text: str, index=None):
    return extract_claims(text, language="en", index=index, extractors=[EnglishExtractor()])


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        # Two apostrophes as quotation marks, as some newspaper archives print them.
        (
            "''We will not back down,'' said Corey Lewandowski, the former campaign manager.",
            "Corey Lewandowski",
            "We will not back down",
        ),
        # A clause after "said": the words before the comma were its subject.
        (
            "A longtime official, Howard Ingram, said the group's plans were unchanged.",
            "Howard Ingram",
            "the group's plans were unchanged",
        ),
        (
            "Christopher Knittel, an expert on energy economics at the Massachusetts "
            "Institute of Technology, said a carbon price could replace the rules.",
            "Christopher Knittel",
            "a carbon price could replace the rules",
        ),
        # The speaker after the content, with a time phrase.
        ("The plan failed, said Kerry on Tuesday.", "Kerry", "The plan failed"),
        # Groups and anonymous sources keep their words.
        (
            "The troops are there, two people familiar with the matter said.",
            "two people familiar with the matter",
            "The troops are there",
        ),
        # A cue learned from the annotated training articles.
        (
            "Senator Jane Roe lambasted the plan as a giveaway to donors.",
            "Senator Jane Roe",
            "the plan as a giveaway",
        ),
    ],
)
def test_speaker_and_content(text, speaker, content):
    found = claims(text)
    assert found, f"no claim in: {text}"
    claim = found[0]
    assert claim.speaker == speaker
    assert content in claim.text
    assert text[claim.start : claim.end] == claim.text


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("The ministry did not confirm that troops had crossed the border.", "uncertain"),
        ("It remains unclear whether the troops are there, officials said.", "uncertain"),
        ("He does not believe that the troops will leave.", "denies"),
        ("Russia denied that its troops were there.", "denies"),
        ("The official said the troops could arrive by December.", "expects"),
        ("The governor vowed to rebuild the bridge.", "expects"),
        ("Kerry said the plan failed.", "asserts"),
    ],
)
def test_stance(text, stance):
    assert claims(text)[-1].stance == stance


def test_a_transcript_gives_each_turn_to_its_speaker():
    text = (
        "Talk of the Day\n\n"
        "JANE DOE, HOST: Welcome back. The troops arrived in the region on Monday.\n\n"
        "JOHN ROE: That is simply not true. They will arrive there by December.\n\n"
        "Nobody knows how many soldiers there are.\n\n"
        "JANE DOE, HOST: Thank you."
    )
    found = claims(text)
    assert [(c.speaker, c.quote) for c in found] == [
        ("JANE DOE", "direct"),
        ("JOHN ROE", "direct"),
        ("JOHN ROE", "direct"),
        ("JOHN ROE", "direct"),  # the turn runs on into the next paragraph
    ]
    assert [c.stance for c in found[1:3]] == ["denies", "expects"]
    # The labels themselves are never claims.
    assert not any("HOST" in c.text or "JOHN ROE" in c.text for c in found)


def test_a_lone_dateline_is_not_a_speaker():
    (claim,) = claims("WASHINGTON: The president said the troops would leave.")
    assert claim.speaker == "The president"


def test_joint_speakers_become_one_claim_per_registry_source():
    index = build_index(
        [
            (SourceInfo("south-korea", "South Korea", "country", None), ["South Korea"]),
            (SourceInfo("united-states", "United States", "country", None), ["the US"]),
        ]
    )
    found = claims("South Korea and the US said the troops were in Russia.", index)
    assert [c.source_id for c in found] == ["south-korea", "united-states"]


def test_the_learned_lexicon_holds_cues_and_no_function_words():
    assert {"lambasted", "tweeted", "said"} <= ENGLISH_CUE_VERBS
    assert not {"also", "according", "statement", "the"} & ENGLISH_CUE_VERBS
