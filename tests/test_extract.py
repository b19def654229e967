"""Claim extraction: the CLI contract, German and English cues, linking, and robustness."""

from __future__ import annotations

import json
import signal
import sqlite3
from datetime import date

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datasette_claims.extract import build_index, extract_claims
from datasette_claims.extract.base import ExtractedClaim, Extractor
from datasette_claims.extract.english import EnglishExtractor
from datasette_claims.extract.figures import resolve_dates
from datasette_claims.extract.german import GermanExtractor
from datasette_claims.extract.linking import SourceInfo
from datasette_claims.inputs.article import read_article

from .utils import SEED_ARTICLE, SEEDS, SHARED_DATA, run_cli

PUBLISHED = date(2024, 10, 24)


def seed_index():
    registry = yaml.safe_load((SEEDS / "sources.yml").read_text(encoding="utf-8"))["sources"]
    return build_index(
        (
            SourceInfo(s["id"], s["name"], s["kind"], s.get("role")),
            [a for names in (s.get("aliases") or {}).values() for a in names],
        )
        for s in registry
    )


@pytest.fixture(scope="module")
def seed_claims() -> list[ExtractedClaim]:
    article = read_article(SEED_ARTICLE)
    return extract_claims(
        article.text,
        language="de",
        published=PUBLISHED,
        index=seed_index(),
        publisher_source_id="tagesschau",
        extractors=[GermanExtractor()],
    )


def claim_with(claims: list[ExtractedClaim], words: str) -> ExtractedClaim:
    matches = [c for c in claims if words in c.text]
    assert matches, f"no claim contains {words!r}"
    return matches[0]


def test_cli_extract_json_contract():
    result = run_cli("extract", SEED_ARTICLE, "--publisher", "tagesschau")
    assert result.exit_code == 0, result.output
    claims = json.loads(result.output)
    body = read_article(SEED_ARTICLE).text
    assert len(claims) >= 15
    for claim in claims:
        assert {
            "text",
            "start",
            "end",
            "speaker",
            "source_id",
            "quote",
            "stance",
            "hedge",
            "figures",
            "confidence",
        } <= set(claim)
        assert body[claim["start"] : claim["end"]] == claim["text"]
        assert claim["quote"] in ("direct", "indirect", "none")
        assert claim["stance"] in ("asserts", "denies", "expects", "uncertain")
        assert 0 < claim["confidence"] < 1


def test_cli_extract_yaml():
    result = run_cli("extract", SEED_ARTICLE, "--format", "yaml")
    assert result.exit_code == 0
    claims = yaml.safe_load(result.output)
    assert any(c["source_id"] == "nis-south-korea" for c in claims)  # sources.yml beside it


def test_according_to_an_agency_with_figure(seed_claims):
    claim = claim_with(seed_claims, "3.000 nordkoreanische Soldaten")
    assert claim.source_id == "nis-south-korea"
    assert claim.speaker == "des südkoreanischen Geheimdienstes"
    assert claim.quote == "indirect"
    (figure,) = claim.figures
    assert (figure.value, figure.unit, figure.as_of, figure.forecast) == (
        3000,
        "soldiers",
        "2024-10-24",
        False,
    )


def test_demnach_continues_the_speaker_with_a_forecast(seed_claims):
    claim = claim_with(seed_claims, "Bis Dezember sollen es demnach 10.000 sein.")
    assert claim.source_id == "nis-south-korea"
    assert claim.stance == "expects"
    (figure,) = claim.figures
    assert (figure.value, figure.unit, figure.as_of, figure.forecast) == (
        10000,
        "soldiers",
        "2024-12",
        True,
    )


def test_konjunktiv_continues_the_speaker_and_hedge(seed_claims):
    claim = claim_with(seed_claims, "Die Truppen befänden sich")
    assert claim.source_id == "nis-south-korea"
    assert claim.hedge == "mutmaßlich"


def test_direct_quote_with_pronoun(seed_claims):
    claim = claim_with(seed_claims, "Nordkoreas Truppenstationierung")
    assert claim.quote == "direct"
    assert claim.speaker == "er"
    assert claim.source_id == "yoon-suk-yeol"
    assert not claim.text.startswith('"')  # the quoted words, not the marks


def test_reported_speech_with_trailing_cue_and_vague_figure(seed_claims):
    claim = claim_with(seed_claims, "Die Regierung in Seoul werde nicht untätig herumsitzen")
    assert claim.source_id == "yoon-suk-yeol"
    assert "sagte" not in claim.text
    (figure,) = claim.figures
    assert figure.vague and figure.text == "Tausende" and figure.unit == "soldiers"


def test_role_noun_resolves_to_the_minister(seed_claims):
    claim = claim_with(seed_claims, "alle Optionen lägen auf dem Tisch")
    assert claim.speaker == "der Spitzendiplomat"
    assert claim.source_id == "cho-tae-yul"


def test_so_x_and_uncertainty(seed_claims):
    claim = claim_with(seed_claims, "Was sie dort täten, bleibe abzuwarten")
    assert claim.source_id == "lloyd-austin"
    assert claim.stance == "uncertain"


def test_denial_is_split_from_the_next_statement(seed_claims):
    denial = claim_with(seed_claims, "Russland weist das zurück")
    assert denial.text == "Russland weist das zurück"
    assert (denial.source_id, denial.stance) == ("russia", "denies")
    other = claim_with(seed_claims, "gegen niemanden gerichtet")
    assert other.source_id == "russia" and other.start > denial.end


def test_outlet_voice_and_hedge(seed_claims):
    claim = claim_with(seed_claims, "Waffenlieferungen an die Ukraine im Gespräch")
    assert claim.source_id == "tagesschau"
    assert claim.hedge == "offenbar"
    assert claim.quote == "none"


def test_headings_are_not_claims(seed_claims):
    assert not any(c.text.startswith("Sorge vor militärischer Stärkung") for c in seed_claims)
    assert not any(c.text == "Nicht tatenlos zusehen" for c in seed_claims)


def test_relative_dates():
    assert resolve_dates("bis Dezember", PUBLISHED) == [(0, "2024-12", True)]
    assert resolve_dates("im Juni", PUBLISHED) == [(0, "2024-06", False)]
    assert resolve_dates("bis März", PUBLISHED) == [(0, "2025-03", True)]
    assert resolve_dates("am 3. Oktober 2023", PUBLISHED) == [(3, "2023-10-03", False)]
    assert resolve_dates("by December", PUBLISHED) == [(0, "2024-12", True)]


ENGLISH = (
    "According to South Korean intelligence, 3,000 North Korean soldiers are already in Russia. "
    '"We will not stand idly by," said Foreign Minister Cho Tae-yul. '
    "The US defence secretary says the troops are in Russia. "
    "Russia denied the reports. "
    "He said that the soldiers were reportedly being trained near Vladivostok."
)


@pytest.fixture(scope="module")
def english_claims() -> list[ExtractedClaim]:
    return extract_claims(
        ENGLISH,
        language="en",
        published=PUBLISHED,
        index=seed_index(),
        extractors=[EnglishExtractor()],
    )


def test_english_according_to(english_claims):
    claim = claim_with(english_claims, "3,000 North Korean soldiers")
    assert claim.source_id == "nis-south-korea"
    assert claim.figures[0].value == 3000 and claim.figures[0].unit == "soldiers"


def test_english_quote_said_x(english_claims):
    claim = claim_with(english_claims, "We will not stand idly by")
    assert claim.quote == "direct"
    assert claim.source_id == "cho-tae-yul"


def test_english_subject_says(english_claims):
    claim = claim_with(english_claims, "the troops are in Russia")
    assert claim.source_id == "lloyd-austin"
    assert claim.speaker == "The US defence secretary"


def test_english_denial_and_pronoun(english_claims):
    denial = [c for c in english_claims if c.source_id == "russia"]
    assert denial and denial[0].stance == "denies"
    claim = claim_with(english_claims, "reportedly being trained")
    assert claim.speaker == "He"
    assert claim.hedge == "reportedly"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400),
    st.sampled_from(["de", "en"]),
)
def test_any_text_gives_valid_offsets(text, language):
    claims = extract_claims(
        text,
        language=language,
        published=PUBLISHED,
        index=seed_index(),
        publisher_source_id="tagesschau",
    )
    for claim in claims:
        assert 0 <= claim.start < claim.end <= len(text)
        assert text[claim.start : claim.end] == claim.text
        if claim.speaker_start is not None:
            assert text[claim.speaker_start : claim.speaker_end] == claim.speaker


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Laut ",
                "sagte ",
                "er ",
                "„",
                "“",
                '"',
                ", ",
                ". ",
                "Die USA ",
                "weist das zurück",
                "3.000 Soldaten ",
                "bis Dezember ",
                "mutmaßlich ",
                "\n\n",
                "said ",
                "according to ",
                "Russia ",
                "denied ",
                "»",
                "«",
                "?",
                "…",
                "U.S. ",
                "Mr. ",
                "z.B. ",
            ]
        ),
        max_size=60,
    ),
    st.sampled_from(["de", "en"]),
)
def test_cue_soup_gives_valid_offsets(parts, language):
    text = "".join(parts)
    for claim in extract_claims(text, language=language, index=seed_index()):
        assert text[claim.start : claim.end] == claim.text


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


@pytest.mark.parametrize("language", ["de", "en"])
def test_one_megabyte_single_line_finishes(language):
    """Guards against catastrophic backtracking; the limit is generous, not a benchmark."""
    line = ('Laut Angaben „sagte er, " 3.000 Soldaten bis Dezember, so X ' * 20000)[:1_000_000]
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(120)
    try:
        claims = extract_claims(line, language=language, index=seed_index())
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    for claim in claims[:100]:
        assert line[claim.start : claim.end] == claim.text


# --- through the loader ---------------------------------------------------------------------


def test_article_without_claim_file_is_extracted(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "sources.yml").write_text((SEEDS / "sources.yml").read_text(encoding="utf-8"))
    (folder / "a.txt").write_text(SEED_ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    db = tmp_path / "x.db"
    result = run_cli("load", db, folder)
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    (text,) = conn.execute("select text from documents").fetchone()
    rows = conn.execute(
        'select text, start, "end", origin, source_id, confidence from claims'
    ).fetchall()
    assert len(rows) >= 15
    assert {r[3] for r in rows} == {"extracted"}
    for quote, start, end, *_ in rows:
        assert text[start:end] == quote
    sources = {r[4] for r in rows}
    assert {"nis-south-korea", "yoon-suk-yeol", "russia"} <= sources
    assert all(0 < r[5] < 1 for r in rows)
    # Idempotent: loading again changes nothing.
    again = run_cli("load", db, folder, "--force")
    assert f"0 added, 0 updated, {len(rows)} unchanged" in again.output
    # --no-extract loads the document alone.
    bare = tmp_path / "bare.db"
    assert run_cli("load", bare, folder, "--no-extract").exit_code == 0
    conn = sqlite3.connect(bare)
    assert conn.execute("select count(*) from documents").fetchone() == (1,)
    assert conn.execute("select count(*) from claims").fetchone() == (0,)


def test_curated_claims_win_and_extraction_only_adds(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "sources.yml").write_text((SEEDS / "sources.yml").read_text(encoding="utf-8"))
    (folder / "a.txt").write_text(SEED_ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "a.claims.yml").write_text(
        "document: {file: a.txt, publisher: tagesschau}\nclaims:\n"
        "  - id: only-one\n"
        "    text: Bis Dezember sollen es demnach 10.000 sein.\n"
        "    source: nis-south-korea\n    quote_kind: reported\n    stance: expects\n",
        encoding="utf-8",
    )
    db = tmp_path / "x.db"
    assert run_cli("load", db, folder).exit_code == 0
    conn = sqlite3.connect(db)
    curated = conn.execute(
        "select id, start, \"end\" from claims where origin = 'curated'"
    ).fetchall()
    assert [c[0] for c in curated] == ["only-one"]
    _, cstart, cend = curated[0]
    extracted = conn.execute(
        "select start, \"end\" from claims where origin = 'extracted'"
    ).fetchall()
    assert len(extracted) >= 10
    assert all(end <= cstart or start >= cend for start, end in extracted)


class ToyExtractor(Extractor):
    name = "toy"
    languages = ("de",)

    def extract(self, document):
        start = document.text.index("Kremlchef")
        return [
            ExtractedClaim(
                text="Kremlchef",
                start=start,
                end=start + 9,
                speaker=None,
                source_id="vladimir-putin",
                quote="none",
                stance="asserts",
                confidence=0.99,
                extractor=self.name,
            )
        ]


class ToyPlugin:
    __name__ = "toy-claims-plugin"

    @staticmethod
    def register_claim_extractors(datasette):
        return [ToyExtractor()]


def test_a_plugin_extractor_is_used_by_the_loader(tmp_path):
    from datasette import hookimpl
    from datasette.plugins import pm

    plugin = ToyPlugin()
    plugin.register_claim_extractors = hookimpl(ToyPlugin.register_claim_extractors)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "sources.yml").write_text((SEEDS / "sources.yml").read_text(encoding="utf-8"))
    (folder / "a.txt").write_text(SEED_ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    db = tmp_path / "x.db"
    pm.register(plugin, name="toy-claims-plugin")
    try:
        assert run_cli("load", db, folder).exit_code == 0
    finally:
        pm.unregister(name="toy-claims-plugin")
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "select text, source_id, confidence from claims where text = 'Kremlchef'"
    ).fetchall()
    assert rows == [("Kremlchef", "vladimir-putin", 0.99)]
    # Once unregistered, a fresh load no longer sees it.
    db2 = tmp_path / "y.db"
    assert run_cli("load", db2, folder).exit_code == 0
    assert sqlite3.connect(db2).execute(
        "select count(*) from claims where text = 'Kremlchef'"
    ).fetchone() == (0,)


POLNEAR = SHARED_DATA / "polnear-train"


@pytest.mark.skipif(not POLNEAR.exists(), reason="../shared/data/polnear-train is not here")
def test_polnear_articles_give_valid_offsets_and_find_said_attributions():
    import re

    found_said = total_said = 0
    for ann in sorted((POLNEAR / "attributions").glob("*.ann"))[:15]:
        text_path = POLNEAR / "text" / (ann.stem.rsplit("_", 1)[0] + ".txt")
        if not text_path.exists():
            continue
        text = text_path.read_text(encoding="utf-8")
        claims = extract_claims(text, language="en", extractors=[EnglishExtractor()])
        for claim in claims:
            assert text[claim.start : claim.end] == claim.text
        spans = {}
        for line in ann.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if line.startswith("T") and parts[1].startswith("Cue "):
                numbers = re.findall(r"(\d+) (\d+)", parts[1])
                spans[parts[0]] = (int(numbers[0][0]), int(numbers[-1][1]))
        for start, end in spans.values():
            if text[start:end].strip().lower() == "said":
                total_said += 1
                found_said += any(
                    c.start - 300 < start < c.end + 300 and c.cue == "said" for c in claims
                )
    assert total_said > 20
    assert found_said / total_said >= 0.6
