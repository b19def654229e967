"""What a claim is about, as terms the matcher compares: entities, concepts and stems.

Entities are registry sources the claim names, in any language ("Nordkorea" and "North
Korea" are one source); an English claim naming none has its names instead ('E:~clinton',
see signals.py). Concepts come from a small bilingual gazetteer ("Soldaten", "troops" and
the figure's unit are one concept) and from classes of events ("won", "victory", "Sieg").
Stems are the claim's content words, and its quantities ('S:=share=41').
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

import snowballstemmer

from datasette_claims.extract.linking import AliasIndex
from datasette_claims.propositions.signals import event_of, name_words, quantities

# Bilingual concepts: stems (German and English) that mean the same in news about conflicts.
CONCEPTS: dict[str, tuple[str, ...]] = {
    concept: tuple(stems.split())
    for concept, stems in {
        "troops": "soldat soldaten soldier troop trupp truppe truppen streitkraft kampf "
        "spezialeinheit militar military army armee",
        "weapons": "waff waffenliefer weapon arm munition ammunit rakete missil granat shell",
        "deployment": "verleg deploy einsatz geschickt schick sent send stationier eingetroff "
        "arriv moving front",
        "transport": "flugzeug militarflugzeug aircraft flown flog gebracht transport plane",
        "denial": "fake falschmeld zuruck zuruckgewies bestreit bestritt dement deni reject "
        "provoc provokation",
        "reports": "bericht report meldung",
        "escalation": "eskalation escal",
        "treaty": "vertrag treati abkomm partnerschaft partnership allianz allianc",
        "training": "ausbild ausgebildet train vorbereit prepar",
    }.items()
}


_CONCEPT_OF = {stem: concept for concept, stems in CONCEPTS.items() for stem in stems}


UNIT_CONCEPTS = {
    "soldiers": "troops",
    "troops": "troops",
    "fighters": "troops",
    "missiles": "weapons",
    "shells": "weapons",
    "tanks": "weapons",
}


_STOP = set(
    """
    der die das des dem den ein eine einer eines einem einen und oder aber auch als an am auf
    aus bei bis durch für gegen hat haben habe hatte hatten ist sind sei seien war waren wird
    werden würde würden im in ins mit nach nicht noch nun so sich sie er es wie wir von vor
    zu zum zur dass bereits demnach the a an and or but also as at on by for from has have
    had is are was were be been will would in into of to with not no that this these those it
    its they them their he she his her there what which who said says say told according
    again already now about many some more than over after before while during sollen soll
    """.split()
)


_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


# Words that point back to what the article reported before.
_ANAPHORA = set(
    "das dies diese berichte reports this it that these they ihnen them es sie there "
    "demnach dort".split()
)


# At most this many content words of its own for a claim to be read as pointing back.
POINTING_BACK_WORDS = 4


_STEMMERS = {"de": snowballstemmer.stemmer("german"), "en": snowballstemmer.stemmer("english")}


@lru_cache(maxsize=200_000)
def _stem(language: str, word: str) -> str:
    # News vocabulary repeats heavily; the pure-Python Snowball stemmer is the hot spot.
    return _fold(_STEMMERS.get(language, _STEMMERS["en"]).stemWord(word))


@lru_cache(maxsize=200_000)
def _concept(stem: str) -> str | None:
    """The concept of the longest gazetteer stem the word starts with: "waffenliefer" -> weapons."""
    for size in range(min(len(stem), 24), 3, -1):
        concept = _CONCEPT_OF.get(stem[:size])
        if concept:
            return concept
    return None


def _fold(word: str) -> str:
    return word.lower().replace("ä", "a").replace("ö", "o").replace("ü", "u").replace("ß", "ss")


@dataclass(frozen=True)
class Terms:
    """A claim's matching terms: 'E:north-korea', 'C:troops', 'S:soldat'."""

    terms: frozenset[str]

    @cached_property
    def _kinds(self) -> dict[str, frozenset[str]]:
        # One pass over the terms, each kind's set built in the terms' own order.
        found: dict[str, list[str]] = {"E": [], "C": [], "S": []}
        for term in self.terms:
            bucket = found.get(term[0])
            if bucket is not None:
                bucket.append(term)
        return {kind: frozenset(terms) for kind, terms in found.items()}

    def of(self, kind: str) -> frozenset[str]:
        kinds = self._kinds
        return kinds[kind] if kind in kinds else frozenset(t for t in self.terms if t[0] == kind)


def claim_terms(
    text: str,
    language: str | None,
    index: AliasIndex,
    exclude: Iterable[str] = (),
    figure_unit: str | None = None,
) -> Terms:
    """Entities, concepts and stems of a claim's text (minus its own source's names)."""
    return claim_terms_named(text, language, index, exclude, figure_unit)[0]


def claim_terms_named(
    text: str,
    language: str | None,
    index: AliasIndex,
    exclude: Iterable[str] = (),
    figure_unit: str | None = None,
) -> tuple[Terms, bool]:
    """claim_terms(), and whether the text names a registry source (then the entity
    terms are the sources named, else in English the claim's names)."""
    skip = set(exclude)
    mentioned = index.all_mentions(text)
    terms = {f"E:{source_id}" for source_id in mentioned if source_id not in skip}
    language = language if language in _STEMMERS else "en"
    if language == "en" and not mentioned:
        # No registry source named: the claim's names stand in for its entities.
        terms.update(f"E:~{_stem(language, w)}" for w in name_words(text, _STOP))
    for word in _WORD.findall(text):
        low = word.lower()
        if low in _STOP:
            continue
        stem = _stem(language, low)
        terms.add(f"S:{stem}")
        concept = _concept(stem) or event_of(stem)
        if concept:
            terms.add(f"C:{concept}")
    terms.update(f"S:={q}" for q in quantities(text, language))
    if figure_unit and figure_unit in UNIT_CONCEPTS:
        terms.add(f"C:{UNIT_CONCEPTS[figure_unit]}")
    return Terms(frozenset(terms)), bool(mentioned)


def in_article(terms: Terms, text: str, first: Terms) -> Terms:
    """The terms a claim is matched with, given its article's first claim's terms.

    A short claim that points back ("Russland weist das zurück") or a denial naming no
    entity is about what the article reports first: it is matched with those terms too.
    The loader and bench/match_quality.py both match claims through this.
    """
    if first is terms or len(terms.of("S")) > POINTING_BACK_WORDS:
        return terms  # a claim with words enough of its own is about what they say
    if is_anaphoric(text) or ("C:denial" in terms.terms and not terms.of("E")):
        return Terms(terms.terms | first.terms)
    return terms


def is_anaphoric(text: str) -> bool:
    """A short claim that points back ("Russland weist das zurück", "This is fake news")."""
    words = [w.lower() for w in re.findall(r"\w+", text)]
    return len(words) <= 12 and bool(set(words) & _ANAPHORA)
