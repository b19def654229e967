"""Match claims to propositions: one proposition, many articles, sources and languages.

A claim is described by terms of three kinds: entities (registry sources it names, in any
language: "Nordkorea" and "North Korea" are one source), concepts (a small bilingual
gazetteer: "Soldaten", "troops" and the figure's unit are one concept) and stems of its
content words. Candidate propositions come from an inverted index over those terms, never
from comparing all pairs. The score weighs how much of the claim's entities, concepts
and stems a proposition already holds; at or above THRESHOLD the claim is linked as a
suggestion, below it founds a proposition of its own.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

from .extract.linking import AliasIndex

THRESHOLD = 0.5
MISSING_ENTITY = 0.2
MIN_TOPIC = 0.12  # concepts and wording must agree this much, whatever the entities
MAX_CANDIDATES = 50
MAX_POSTING = 500
WEIGHTS = {"E": 0.45, "C": 0.35, "S": 0.20}
# Terms in more than this share of propositions do not generate candidates (but score).
COMMON_SHARE = 0.5

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
_STEMMERS = {"de": snowballstemmer.stemmer("german"), "en": snowballstemmer.stemmer("english")}


@lru_cache(maxsize=200_000)
def _stem(language: str, word: str) -> str:
    # News vocabulary repeats heavily; the pure-Python Snowball stemmer is the hot spot.
    return _fold(_STEMMERS.get(language, _STEMMERS["en"]).stemWord(word))


def _fold(word: str) -> str:
    return word.lower().replace("ä", "a").replace("ö", "o").replace("ü", "u").replace("ß", "ss")


@dataclass(frozen=True)
class Terms:
    """A claim's matching terms: 'E:north-korea', 'C:troops', 'S:soldat'."""

    terms: frozenset[str]

    def of(self, kind: str) -> set[str]:
        return {t for t in self.terms if t[0] == kind}


def claim_terms(
    text: str,
    language: str | None,
    index: AliasIndex,
    exclude: Iterable[str] = (),
    figure_unit: str | None = None,
) -> Terms:
    """Entities, concepts and stems of a claim's text (minus its own source's names)."""
    skip = set(exclude)
    terms = {f"E:{source_id}" for source_id in index.all_mentions(text) if source_id not in skip}
    language = language if language in _STEMMERS else "en"
    for word in _WORD.findall(text):
        low = word.lower()
        if low in _STOP:
            continue
        stem = _stem(language, low)
        terms.add(f"S:{stem}")
        for size in range(min(len(stem), 24), 3, -1):  # "waffenlieferungen" -> "waff"
            concept = _CONCEPT_OF.get(stem[:size])
            if concept:
                terms.add(f"C:{concept}")
                break
    if figure_unit and figure_unit in UNIT_CONCEPTS:
        terms.add(f"C:{UNIT_CONCEPTS[figure_unit]}")
    return Terms(frozenset(terms))


def is_anaphoric(text: str) -> bool:
    """A short claim that points back ("Russland weist das zurück", "This is fake news")."""
    words = [w.lower() for w in re.findall(r"\w+", text)]
    return len(words) <= 12 and bool(set(words) & _ANAPHORA)


@dataclass
class PropositionIndex:
    """Term counts per proposition and an inverted index from term to propositions."""

    terms: dict[str, Counter] = field(default_factory=dict)
    postings: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    claims: Counter = field(default_factory=Counter)  # claims per proposition
    _cores: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    def add(self, proposition_id: str, terms: Iterable[str], claims: int = 1) -> None:
        counter = self.terms.setdefault(proposition_id, Counter())
        for term in terms:
            counter[term] += 1
            self.postings[term].add(proposition_id)
        self.claims[proposition_id] += claims
        self._cores.pop(proposition_id, None)

    def core(self, proposition_id: str) -> dict[str, set[str]]:
        """Terms held by at least half of the proposition's claims, by kind (cached)."""
        cached = self._cores.get(proposition_id)
        if cached is None:
            size = max(1, self.claims[proposition_id])
            cached = {kind: set() for kind in WEIGHTS}
            for term, count in self.terms[proposition_id].items():
                if count * 2 >= size and term[0] in cached:
                    cached[term[0]].add(term)
            self._cores[proposition_id] = cached
        return cached

    def candidates(self, claim: Terms) -> set[str]:
        """The propositions sharing most terms with the claim, through the postings.

        Stems held by many propositions do not generate candidates, and at most
        MAX_CANDIDATES are scored, so the cost per claim does not grow with the index.
        """
        limit = max(3, int(COMMON_SHARE * len(self.terms)))
        hits: Counter = Counter()
        for term in claim.terms:
            posting = self.postings.get(term)
            if not posting or (term[0] == "S" and len(posting) > min(limit, MAX_POSTING)):
                continue
            hits.update(posting)
        return {p for p, _ in hits.most_common(MAX_CANDIDATES)}

    def score(self, claim: Terms, proposition_id: str) -> float:
        """How well the claim and the proposition cover each other, per kind of term.

        For each kind: the share of the claim's terms the proposition holds, times the share
        of the proposition's core terms (held by at least half its claims) the claim has;
        the geometric mean of the two, weighted over kinds. An entity the claim names that
        the proposition never mentions costs MISSING_ENTITY, so "North Korean troops in
        Kursk" does not fold into "North Korean troops in Russia".
        """
        held = self.terms[proposition_id]
        cores = self.core(proposition_id)
        total = topic = 0.0
        for kind, w in WEIGHTS.items():
            mine = claim.of(kind)
            if not mine:
                continue
            core = cores[kind]
            claim_share = len([t for t in mine if t in held]) / len(mine)
            core_share = len(core & mine) / len(core) if core else 0.0
            part = w * (claim_share * core_share) ** 0.5
            total += part
            topic += part if kind != "E" else 0.0
        if topic < MIN_TOPIC:
            return min(total, THRESHOLD - 0.01)
        missing = [t for t in claim.of("E") if t not in held]
        # Kinds the claim lacks count as no agreement: naming the same country alone,
        # without a shared concept or wording, is not the same proposition.
        return total - MISSING_ENTITY * len(missing)


def best_match(
    index: PropositionIndex,
    claim: Terms,
    rejected: set[str] = frozenset(),  # type: ignore[assignment]
) -> tuple[str | None, float]:
    best: tuple[str | None, float] = (None, 0.0)
    for proposition_id in sorted(index.candidates(claim) - rejected):
        score = index.score(claim, proposition_id)
        if score > best[1]:
            best = (proposition_id, score)
    return best


def generated_statement(claim_text: str, claim: Terms, names: dict[str, str]) -> str:
    """An English label for a proposition the matcher founds: entities, concepts, the claim."""
    entities = sorted(names.get(t[2:], t[2:]) for t in claim.of("E"))
    concepts = sorted(t[2:] for t in claim.of("C") if t not in ("C:reports", "C:denial"))
    head = ", ".join(entities) or "Unnamed subject"
    topic = f" — {', '.join(concepts)}" if concepts else ""
    quote = claim_text if len(claim_text) <= 80 else claim_text[:77] + "…"
    return f"{head}{topic}: “{quote}”"
