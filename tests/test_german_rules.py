"""German attribution patterns found in real news (sentences written for these tests)."""

from __future__ import annotations

import pytest

from datasette_claims.extract import build_index, extract_claims
from datasette_claims.extract.german import GermanExtractor
from datasette_claims.extract.lexicon import GERMAN_CUE_VERBS, GERMAN_NACH_NOUNS
from datasette_claims.extract.linking import SourceInfo


def claims(text: str, index=None):
    return extract_claims(text, language="de", index=index, extractors=[GermanExtractor()])


def speaker_words(text: str, claim) -> str | None:
    if claim.speaker_start is None:
        return claim.speaker
    return text[claim.speaker_start : claim.speaker_end]


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        # A cue inside the sentence, not only at its start.
        (
            "Die Stadt soll nach Angaben der Polizei 300 Beamte eingesetzt haben.",
            "der Polizei",
            "300 Beamte eingesetzt",
        ),
        (
            "Die ersten Gruppen sollen laut dem Ministerium (BMI) bereits unterwegs sein.",
            "dem Ministerium (BMI)",
            "bereits unterwegs",
        ),
        # Something between the verb and its clause.
        (
            "Der Geheimdienst sagte am Freitag, dass die Truppen abgezogen seien.",
            "Der Geheimdienst",
            "dass die Truppen abgezogen seien",
        ),
        # Inverted order and a trailing apposition.
        (
            "„Wir sind bereit“, sagte auch der Chef der Behörde, Karl Beispiel.",
            "der Chef der Behörde, Karl Beispiel",
            "Wir sind bereit",
        ),
        ("Die Grenze sei geschlossen, meldete der Sender.", "der Sender", "Die Grenze sei"),
        # Cues the hand-written list lacked: particle verbs, perfect tenses, "wie X mitteilte".
        (
            "Die Sprecherin des Finanzministeriums, Anna Berg, teilte mit, dass die Zahlungen "
            "gestoppt wurden.",
            "Die Sprecherin des Finanzministeriums, Anna Berg",
            "dass die Zahlungen gestoppt wurden",
        ),
        (
            "Die Polizei hat am Montag mitgeteilt, dass drei Menschen verletzt wurden.",
            "Die Polizei",
            "drei Menschen verletzt",
        ),
        (
            "Wie die Polizei mitteilte, wurden 20 Menschen verletzt.",
            "die Polizei",
            "wurden 20 Menschen verletzt",
        ),
        (
            "Der Kreml beeilte sich zu erklären, die Truppen seien nur zur Übung dort.",
            "Der Kreml",
            "die Truppen seien nur zur Übung dort",
        ),
        (
            "Das Bundesamt für Verfassungsschutz (BfV) warnte, die Gefahr sei hoch.",
            "Das Bundesamt für Verfassungsschutz (BfV)",
            "die Gefahr sei hoch",
        ),
        # Subject, attached phrase and adverb before the verb.
        (
            "Ein Regierungssprecher in Berlin sagte, die Lieferung sei angekommen.",
            "Ein Regierungssprecher in Berlin",
            "die Lieferung sei angekommen",
        ),
        (
            "Die Kanadier hingegen sagen, der Pilot trage die Verantwortung.",
            "Die Kanadier",
            "der Pilot trage die Verantwortung",
        ),
        # Guillemets.
        ("«Wir sind bereit», sagte der Minister.", "der Minister", "Wir sind bereit"),
    ],
)
def test_speaker_and_content(text, speaker, content):
    found = claims(text)
    assert found, f"no claim in: {text}"
    claim = found[0]
    assert speaker_words(text, claim) == speaker
    assert content in claim.text
    assert text[claim.start : claim.end] == claim.text


def test_a_report_pointed_back_to_is_the_previous_sentence():
    text = "Die Truppen seien abgezogen. Das teilte das Ministerium am Abend mit."
    (claim,) = claims(text)
    assert claim.text == "Die Truppen seien abgezogen."
    assert speaker_words(text, claim) == "das Ministerium"


def test_hiess_es_continues_the_previous_speaker_not_es():
    text = "Der Minister erklärte, die Truppen seien bereit. Die Lage sei ernst, hieß es weiter."
    first, second = claims(text)
    assert second.text.startswith("Die Lage sei ernst")
    assert second.speaker == first.speaker == "Der Minister"


def test_a_standalone_quotation_continues_a_quoted_speaker():
    text = "Der Minister sagte: „Wir sind bereit.“ „Alles andere ist Unsinn.“"
    first, second = claims(text)
    assert second.quote == "direct"
    assert second.speaker == "Der Minister"


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("Der Minister sagte, die Lage sei ernst. Unklar sei aber, ob sie bleiben.", "uncertain"),
        (
            "Der Minister sagte, die Lage sei ernst. Es bleibe abzuwarten, wie es weitergeht.",
            "uncertain",
        ),
        ("Weder die Regierung noch das Militär bestätigen, dass sie im Einsatz sind.", "uncertain"),
        (
            "Das Ministerium bestätigte nicht, dass die Soldaten bereits im Einsatz sind.",
            "uncertain",
        ),
        ("Die Soldaten sollen bis Dezember an der Front sein, sagte der Minister.", "expects"),
        ("Die Regierung erwartet, dass die Soldaten bald abziehen.", "expects"),
        ("Die Zahl dürfte noch steigen, sagte ein Sprecher.", "expects"),
        ("Der Minister geht davon aus, dass die Truppen abziehen werden.", "expects"),
        ("Das Ministerium bestreitet, dass Soldaten entsandt wurden.", "denies"),
        ("Der Minister glaubt nicht, dass die Truppen abziehen.", "denies"),
        ("Russland weist die Vorwürfe zurück.", "denies"),
        ("Die Polizei teilte mit, dass drei Menschen verletzt wurden.", "asserts"),
    ],
)
def test_stance(text, stance):
    assert claims(text)[-1].stance == stance


def test_joint_speakers_become_one_claim_per_registry_source():
    index = build_index(
        [
            (SourceInfo("france", "Frankreich", "country", None), ["Frankreich", "Frankreichs"]),
            (SourceInfo("spain", "Spanien", "country", None), ["Spanien", "Spaniens"]),
        ]
    )
    text = "Nach Angaben Frankreichs und Spaniens sind 200 Soldaten im Einsatz."
    found = claims(text, index)
    assert [c.source_id for c in found] == ["france", "spain"]
    assert [speaker_words(text, c) for c in found] == ["Frankreichs", "Spaniens"]
    assert found[0].start == found[1].start and found[0].end == found[1].end


def test_a_joint_speaker_the_registry_does_not_know_stays_one_phrase():
    text = "Nach Angaben Frankreichs und Spaniens sind 200 Soldaten im Einsatz."
    (claim,) = claims(text)
    assert speaker_words(text, claim) == "Frankreichs und Spaniens"


def test_the_learned_lexicon_is_data_and_holds_what_the_rules_need():
    # Learned from annotations (bench/learn_cues.py): counts, no text.
    assert {"teilte", "mitteilte", "bekräftigte"} <= GERMAN_CUE_VERBS
    assert "angaben" in GERMAN_NACH_NOUNS
    assert not {"mit", "hatte", "es", "die"} & GERMAN_CUE_VERBS


def test_sentences_without_a_cue_give_no_claim():
    text = "Die Stadt liegt am Fluss. Im Sommer kommen viele Gäste. Der Zug fährt um acht."
    assert claims(text) == []
