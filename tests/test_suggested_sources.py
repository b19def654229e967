"""Suggested sources never corroborate; speakers named by a common noun are one document's
suggested source; one person under two spellings is one suggested source."""

from __future__ import annotations

import shutil

import pytest
from datasette.app import Datasette

from datasette_claims.extract import build_index
from datasette_claims.extract.common_nouns import common_noun_source
from datasette_claims.extract.identity import identity_key
from datasette_claims.extract.linking import SourceInfo
from datasette_claims.extract.provisional import DocumentSpeakers, provisional_source
from datasette_claims.propositions.status import derive_statuses

from .utils import SEEDS, rows, run_cli

# A story of the tests' own: the port of Kessenbruck is closed.
GERMAN = (
    "date 2025-03-04 Hafen\n\n"
    "Hafenmeisterin Eva Kranz sagte, der Hafen von Kessenbruck sei seit Montag geschlossen.\n\n"
    "Die Polizei teilte mit, der Hafen von Kessenbruck sei seit Montag gesperrt.\n"
)
ENGLISH = (
    "date 2025-03-05 Port\n\n"
    "Harbour master John Mills said the port of Kessenbruck had been closed since Monday.\n\n"
    "The police said the port of Kessenbruck had been closed since Monday.\n"
)


@pytest.fixture
def loaded(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEEDS / "sources.yml", folder / "sources.yml")
    (folder / "de.txt").write_text(GERMAN, encoding="utf-8")
    (folder / "en.txt").write_text(ENGLISH, encoding="utf-8")
    db = tmp_path / "claims.db"
    result = run_cli("load", db, folder)
    assert result.exit_code == 0, result.output
    return db


def _claim(db, speaker: str) -> tuple[str, str]:
    """(claim id, source id) of the claim whose speaker words are `speaker`."""
    found = rows(db, "select id, source_id from claims where speaker = ?", [speaker])
    assert len(found) == 1, (speaker, found)
    return found[0]


def _on_one_proposition(db, claim_ids: list[str]) -> str:
    """A person links the claims to the first one's proposition; returns its id."""
    (proposition,) = rows(db, "select proposition_id from claims where id = ?", [claim_ids[0]])[0]
    assert proposition
    for claim_id in claim_ids[1:]:
        result = run_cli("link", db, claim_id, proposition, "--by", "anna")
        assert result.exit_code == 0, result.output
    return proposition


def _status(db, proposition: str) -> str:
    return rows(db, "select status from propositions where id = ?", [proposition])[0][0]


def test_common_noun_speakers_are_a_suggested_source_of_their_document_only(loaded):
    db = loaded
    german_claim, german_police = _claim(db, "Die Polizei")
    english_claim, english_police = _claim(db, "The police")
    # Each article's police is its own source, shown with the article's words.
    assert german_police != english_police
    assert rows(
        db,
        "select s.name, s.origin, s.document_id = c.document_id from sources s "
        "join claims c on c.source_id = s.id where c.id in (?, ?) order by s.name",
        [german_claim, english_claim],
    ) == [("die Polizei", "suggested", 1), ("the police", "suggested", 1)]
    # They count as a source: no claim of the story is without one.
    assert rows(db, "select count(*) from claims where source_id is null") == [(0,)]
    # Two articles' police asserting the same thing corroborate nothing.
    proposition = _on_one_proposition(db, [german_claim, english_claim])
    assert _status(db, proposition) == "unverified"
    assert rows(
        db, "select distinct status from claims where proposition_id = ?", [proposition]
    ) == [("unverified",)]


def test_the_suggested_sources_list_groups_common_nouns_per_document(loaded):
    result = run_cli("source", "list", loaded)
    assert result.exit_code == 0, result.output
    named, _, scoped = result.output.partition("Named only by a common noun, in 2 articles")
    assert "suggested-eva-kranz" in named and "suggested-john-mills" in named
    assert "olice" not in named  # neither police floods the list of named sources
    lines = [line for line in scoped.splitlines() if line.startswith("d-")]
    assert len(lines) == 2
    assert sorted(line.split("\t")[2].split(" (")[0] for line in lines) == [
        "die Polizei",
        "the police",
    ]


@pytest.mark.asyncio
async def test_pages_ask_which_one_for_a_common_noun_source(loaded):
    db = loaded
    claim, source = _claim(db, "Die Polizei")
    ds = Datasette([str(db)])
    page = await ds.client.get(f"/claims/-/claims/sources/{source}")
    assert page.status_code == 200
    assert "Which one?" in page.text and "“die Polizei”" in page.text
    claim_page = await ds.client.get(f"/claims/-/claims/{claim}")
    assert "which one?" in claim_page.text
    overview = (await ds.client.get("/claims/-/claims")).text
    assert "2 speakers named only by a common noun, in 2 articles" in overview
    assert "2 suggested sources to confirm or merge" in overview  # Eva Kranz, John Mills


@pytest.mark.asyncio
async def test_suggested_sources_never_corroborate_until_a_person_confirms_them(loaded):
    db = loaded
    kranz, _ = _claim(db, "Hafenmeisterin Eva Kranz")
    mills, _ = _claim(db, "Harbour master John Mills")
    police_de, _ = _claim(db, "Die Polizei")
    police_en, _ = _claim(db, "The police")
    proposition = _on_one_proposition(db, [kranz, mills, police_de, police_en])
    # Four independent suggested sources assert it: still unverified.
    assert _status(db, proposition) == "unverified"
    ds = Datasette([str(db)])
    compare = (await ds.client.get(f"/claims/-/claims/compare/{proposition}.json")).json()
    comparison = compare["comparison"]
    assert comparison["asserting_institutions"] == []
    assert len(comparison["suggested_asserting_institutions"]) == 4
    # No single confirmation would do; two together would.
    (together,) = comparison["confirmations"]
    assert together["status"] == "corroborated" and len(together["sources"]) == 2
    html = (await ds.client.get(f"/claims/-/claims/compare/{proposition}")).text
    assert "What a confirmation would change" in html and "would make this" in html

    assert run_cli("source", "confirm", db, "suggested-eva-kranz", "--by", "anna").exit_code == 0
    assert _status(db, proposition) == "unverified"  # one confirmed institution is not two
    comparison = (await ds.client.get(f"/claims/-/claims/compare/{proposition}.json")).json()[
        "comparison"
    ]
    messages = [c["message"] for c in comparison["confirmations"]]
    assert "confirming John Mills would make this corroborated" in messages
    assert len(messages) == 3  # any one of the other three sources would do it

    assert run_cli("source", "confirm", db, "suggested-john-mills", "--by", "anna").exit_code == 0
    assert _status(db, proposition) == "corroborated"
    assert rows(
        db,
        "select count(*) from claim_history where action = 'status' and changed_by = 'anna' "
        "and new_value = 'corroborated' and reason = ?",
        [f"derived: proposition {proposition} is corroborated"],
    ) == [(4,)]
    assert run_cli("verify", db).exit_code == 0
    comparison = (await ds.client.get(f"/claims/-/claims/compare/{proposition}.json")).json()[
        "comparison"
    ]
    assert comparison["confirmations"] == []


def _claim_row(claim_id: str, group: str, origin: str, stance: str = "asserts") -> dict:
    return {
        "id": claim_id,
        "stance": stance,
        "status": "unverified",
        "source_id": group,
        "independence_group": group,
        "source_kind": "person",
        "source_origin": origin,
    }


@pytest.mark.parametrize(
    ("origins", "status"),
    [
        (("suggested", "suggested"), "unverified"),
        (("registry", "suggested"), "unverified"),  # a spokesperson beside the government
        (("registry", "confirmed"), "corroborated"),
        (("registry", "registry"), "corroborated"),
    ],
)
def test_only_registry_and_confirmed_sources_corroborate(origins, status):
    claims = [_claim_row(f"c{n}", f"g{n}", origin) for n, origin in enumerate(origins)]
    assert derive_statuses(claims)[0] == status


def test_a_suggested_source_that_denies_still_shows_a_dispute():
    claims = [
        _claim_row("c1", "g1", "registry"),
        _claim_row("c2", "g2", "suggested", stance="denies"),
    ]
    assert derive_statuses(claims)[0] == "disputed"


@pytest.mark.parametrize(
    "spellings",
    [
        ("Wolodymyr Selenskyj", "Volodymyr Zelensky", "Volodymyr Zelenskyy", "Volodymyr Zelenskiy"),
        ("Wladimir Putin", "Vladimir Poutine"),
        ("Sergej Lawrow", "Sergei Lavrov", "Sergey Lavrov"),
        ("Alexej Nawalny", "Alexei Navalny"),
        ("Sergej Schoigu", "Sergei Shoigu"),
        ("Recep Tayyip Erdoğan", "Recep Tayyip Erdogan"),
        ("Thomas Müller", "Thomas Mueller"),
    ],
)
def test_spellings_of_one_name_share_an_identity_key(spellings):
    assert len({identity_key(name) for name in spellings}) == 1


@pytest.mark.parametrize(
    ("one", "other"), [("Anna Berg", "Anna Berk"), ("Olaf Scholz", "Olaf Schulz")]
)
def test_different_names_keep_different_keys(one, other):
    assert identity_key(one) != identity_key(other)


def test_one_person_under_two_spellings_is_one_suggested_source(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEEDS / "sources.yml", folder / "sources.yml")
    (folder / "a.txt").write_text(
        "date 2025-03-06 Hafen\n\nDer Hafenkommandant Dmitrij Jaschin sagte, "
        "der Hafen von Kessenbruck werde bald wieder geöffnet.\n",
        encoding="utf-8",
    )
    (folder / "b.txt").write_text(
        "date 2025-03-07 Port\n\nPort commander Dmitry Yashin said the port of "
        "Kessenbruck would reopen soon.\n",
        encoding="utf-8",
    )
    db = tmp_path / "claims.db"
    assert run_cli("load", db, folder).exit_code == 0
    sources = rows(db, "select distinct source_id from claims where origin = 'extracted'")
    assert len(sources) == 1 and sources[0][0].startswith("suggested-dmitr")
    assert rows(db, "select count(*) from sources where origin = 'suggested'") == [(1,)]
    # A later article with a third spelling, and a reload, keep the one source.
    (folder / "c.txt").write_text(
        "date 2025-03-08 Port\n\nPort commander Dmitri Jashin said the port of "
        "Kessenbruck had reopened.\n",
        encoding="utf-8",
    )
    assert run_cli("load", db, folder, "--force").exit_code == 0
    assert rows(db, "select distinct source_id from claims where origin = 'extracted'") == sources
    assert rows(db, "select count(*) from sources where origin = 'suggested'") == [(1,)]


INDEX = build_index([(SourceInfo("de-finance", "Finanzministerium", "ministry", None), [])])


@pytest.mark.parametrize(
    ("words", "name", "kind"),
    [
        ("Charles Barkley went off script to", "Charles Barkley", "person"),
        ("UN-Generalsekretär Kofi Annan ein Ende der Rekrutierung", "Kofi Annan", "person"),
        (
            "der Staatsanwaltschaft Innsbruck fahrlässige Tötung",
            "Staatsanwaltschaft Innsbruck",
            "organisation",
        ),
        ("the senator was being", "the senator", "person"),
        ("The Vatican", "Vatican", "organisation"),
    ],
)
def test_speaker_words_that_run_on_give_the_name_they_start_with(words, name, kind):
    found = DocumentSpeakers("", INDEX, "d-0123456789abcdef").source(words)
    assert found is not None and (found.name, found.kind) == (name, kind)


def test_an_institution_noun_with_its_acronym_is_that_organisation():
    found = provisional_source("des ukrainischen Militärgeheimdienstes HUR", INDEX)
    assert (found.id, found.name, found.kind) == ("suggested-hur", "HUR", "organisation")
    assert found.role == "ukrainischen Militärgeheimdienstes"
    # A person's name stays a person's.
    assert provisional_source("Hafenmeisterin Eva Kranz", INDEX).kind == "person"


def test_a_registry_organisation_in_the_phrase_is_that_organisation(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "sources.yml").write_text(
        "sources:\n"
        "  - id: ua-military-intelligence\n"
        "    name: Military Intelligence of Ukraine\n"
        "    kind: agency\n"
        "    aliases:\n"
        "      de: [ukrainischer Militärgeheimdienst]\n",
        encoding="utf-8",
    )
    (folder / "a.txt").write_text(
        "date 2025-03-06 Hafen\n\nNach Angaben des ukrainischen Militärgeheimdienstes HUR "
        "sei der Hafen von Kessenbruck vermint.\n",
        encoding="utf-8",
    )
    db = tmp_path / "claims.db"
    assert run_cli("load", db, folder).exit_code == 0
    assert rows(db, "select source_id from claims") == [("ua-military-intelligence",)]
    assert rows(db, "select count(*) from sources where name like '%Militärgeheimdienst%Hur'") == [
        (0,)
    ]


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("die Polizei", "organisation"),
        ("ein Regierungssprecher in Berlin", "person"),
        ("the campaign", "organisation"),
        ("officials", "group"),
        ("the ministry", "organisation"),
        ("Die Umweltschutzorganisation", "organisation"),
        ("two people familiar with the matter", "group"),
    ],
)
def test_common_nouns_name_a_source_of_one_document(words, kind):
    found = common_noun_source(words, "d-0123456789abcdef")
    assert found is not None and (found.kind, found.document_id) == (kind, "d-0123456789abcdef")
    assert found.name.lower() == words.lower()
    other = common_noun_source(words, "d-fedcba9876543210")
    assert other.id != found.id  # another article's police is another source


@pytest.mark.parametrize("words", ["ersten Angaben", "Ansicht", "the", "er", "Besorgt"])
def test_words_that_name_no_one_get_no_source(words):
    assert DocumentSpeakers("", INDEX, "d-0123456789abcdef").source(words) is None


def test_a_pronoun_is_the_last_person_named_before_it():
    text = "Die Hafenmeisterin Eva Kranz war am Montag im Hafen. Er sei geschlossen, sagte sie."
    speakers = DocumentSpeakers(text, INDEX, "d-0123456789abcdef")
    assert speakers.source("sie", text.index("sie")).name == "Eva Kranz"
    assert DocumentSpeakers("Niemand ist genannt. Er sagte es.", INDEX).source("Er", 21) is None
    text = "Sen. Jane Roe (I-Vt.) said the plan failed."
    label = DocumentSpeakers(text, INDEX).source("I-Vt.)", text.index("I-Vt."))
    assert label is not None and label.name == "Jane Roe"
