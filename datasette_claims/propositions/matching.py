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
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import islice
from math import sqrt

from datasette_claims.propositions.terms import Terms

THRESHOLD = 0.5
MISSING_ENTITY = 0.2
MIN_TOPIC = 0.12  # concepts and wording must agree this much, whatever the entities
MAX_CANDIDATES = 20
MAX_POSTING = 100
ALWAYS_LOOKED_UP = 3  # the claim's rarest terms generate candidates however common
WEIGHTS = {"E": 0.45, "C": 0.35, "S": 0.20}
# Terms in more than this share of propositions do not generate candidates (but score).
COMMON_SHARE = 0.5


@dataclass
class PropositionIndex:
    """Term counts per proposition and an inverted index from term to propositions."""

    terms: dict[str, Counter] = field(default_factory=dict)
    # Term -> propositions, as dicts (insertion-ordered sets): counting candidates then
    # never depends on the hash seed, so a load links the same way on every run.
    postings: dict[str, dict[str, None]] = field(default_factory=lambda: defaultdict(dict))
    claims: Counter = field(default_factory=Counter)  # claims per proposition
    _cores: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    def add(self, proposition_id: str, terms: Iterable[str], claims: int = 1) -> None:
        counter = self.terms.setdefault(proposition_id, Counter())
        for term in terms:
            counter[term] += 1
            self.postings[term][proposition_id] = None
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

        Terms held by many propositions do not generate candidates, and at most
        MAX_CANDIDATES are scored, so the cost per claim does not grow with the index.
        """
        return {p for _, p in self.ranked(claim)}

    def ranked(
        self, claim: Terms, rejected: AbstractSet[str] = frozenset()
    ) -> list[tuple[float, str]]:
        """The candidates with an upper bound of their score, highest first.

        The bound counts, per kind, the claim's terms the proposition holds, with every
        core share taken as 1. Only the rarer terms generate candidates; all count.
        """
        limit = min(max(3, int(COMMON_SHARE * len(self.terms))), MAX_POSTING)
        hits: Counter = Counter()
        postings: dict[str, list[dict[str, None]]] = {"E": [], "C": [], "S": []}
        looked_up = 0
        # Rarest first; a term held by very many propositions ("Russia", "troops") says
        # little about which one and would make each lookup grow with the index.
        for size, term in sorted((len(self.postings.get(t, ())), t) for t in claim.terms):
            if not size or term[0] not in postings:
                continue
            posting = self.postings[term]
            postings[term[0]].append(posting)
            if size <= limit:
                looked_up += 1
                hits.update(posting.keys())
            elif looked_up < ALWAYS_LOOKED_UP:
                # Common but among the claim's rarest: its newest propositions only, so the
                # lookup costs the same however many propositions hold the term.
                looked_up += 1
                hits.update(islice(reversed(posting), MAX_POSTING))
        # w * sqrt(held / size) == sqrt(held * w² / size), with the factors worked out once.
        size_e, size_c, size_s = (len(claim.of(kind)) for kind in "ECS")
        k_e = WEIGHTS["E"] ** 2 / size_e if size_e else 0.0
        k_c = WEIGHTS["C"] ** 2 / size_c if size_c else 0.0
        k_s = WEIGHTS["S"] ** 2 / size_s if size_s else 0.0
        below = THRESHOLD - 0.01
        ranked = []
        for proposition_id, _ in hits.most_common(MAX_CANDIDATES):
            if proposition_id in rejected:
                continue
            e = sum([proposition_id in posting for posting in postings["E"]])
            c = sum([proposition_id in posting for posting in postings["C"]])
            s = sum([proposition_id in posting for posting in postings["S"]])
            total = sqrt(e * k_e) + sqrt(c * k_c) + sqrt(s * k_s)
            bound = total - MISSING_ENTITY * (size_e - e)
            ranked.append((-(bound if bound > below else min(total, below)), proposition_id))
        ranked.sort()
        return [(-negative, proposition_id) for negative, proposition_id in ranked]

    def score(self, claim: Terms, proposition_id: str) -> float:
        """How well the claim and the proposition cover each other, per kind of term.

        For each kind: the share of the claim's terms the proposition holds, times the share
        of the proposition's core terms (held by at least half its claims) the claim has;
        the geometric mean of the two, weighted over kinds. An entity the claim names that
        the proposition never mentions costs MISSING_ENTITY, so "North Korean troops in
        Kursk" does not fold into "North Korean troops in Russia".
        """
        held = self.terms[proposition_id].keys()
        cores = self.core(proposition_id)
        total = topic = 0.0
        for kind, w in WEIGHTS.items():
            mine = claim.of(kind)
            if not mine:
                continue
            core = cores[kind]
            claim_share = len(mine & held) / len(mine)
            core_share = len(core & mine) / len(core) if core else 0.0
            part = w * (claim_share * core_share) ** 0.5
            total += part
            topic += part if kind != "E" else 0.0
        if topic < MIN_TOPIC:
            return min(total, THRESHOLD - 0.01)
        # Kinds the claim lacks count as no agreement: naming the same country alone,
        # without a shared concept or wording, is not the same proposition.
        return total - MISSING_ENTITY * len(claim.of("E") - held)


def best_match(
    index: PropositionIndex,
    claim: Terms,
    rejected: AbstractSet[str] = frozenset(),
) -> tuple[str | None, float]:
    """The best-scoring candidate (ties to the smaller id) and its score.

    Candidates are scored in order of their upper bound, and scoring stops at the first
    whose bound is below the best score found: the result is that of scoring them all.
    """
    best: tuple[str | None, float] = (None, 0.0)
    for bound, proposition_id in index.ranked(claim, rejected):
        # The bound is worked out differently from score(): allow for rounding.
        if bound < best[1] - 1e-9 or bound <= 0.0:
            break
        score = index.score(claim, proposition_id)
        if score > best[1] or (
            score == best[1] and score > 0 and best[0] is not None and proposition_id < best[0]
        ):
            best = (proposition_id, score)
    return best


_ATTRIBUTION = re.compile(
    r"^(?:(?:nach|laut|gemäß)\s+(?:\w+\s+){0,2}?(?:angaben|informationen|ansicht|meinung)?\s*"
    r"|according to\s+)",
    re.I,
)
_LEADING_CLAUSE = re.compile(r"^(?:dass|that|ob|whether)\s+", re.I)
_QUOTES = '„“”"»«‚‘’›‹'


def generated_statement(
    claim_text: str, claim: Terms, names: dict[str, str], speaker: str | None = None
) -> str:
    """A title for a proposition the matcher founds: what its first claim states.

    The claim's own words without who says it ("nach Angaben der Polizei", "according to
    the ministry", the speaker's name), without a leading "dass"/"that" and quotation
    marks, capitalised and cut at a word boundary; entities only when no words are left.
    """
    text = " ".join(claim_text.split()).strip(_QUOTES + " ,.;:")
    if speaker and len(speaker) > 2:
        text = re.sub(
            rf"(?:,\s*)?(?:(?:nach\s+(?:\w+\s+)?angaben|laut|gemäß|according\s+to|so|sagte|said|"
            rf"says)\s+)?{re.escape(speaker)}(?:\s+zufolge)?\s*,?",
            " ",
            text,
            flags=re.I,
        )
    text = _ATTRIBUTION.sub("", text.strip())
    text = _LEADING_CLAUSE.sub("", text.strip(_QUOTES + " ,"))
    text = " ".join(text.split()).strip(_QUOTES + " ,.;:")
    if len(text.split()) < 3:
        entities = sorted(names.get(t[2:], t[2:]) for t in claim.of("E"))
        concepts = sorted(t[2:] for t in claim.of("C") if t not in ("C:reports", "C:denial"))
        text = " ".join([", ".join(entities), ", ".join(concepts), text]).strip() or claim_text
    if len(text) > 120:
        text = text[:120].rsplit(" ", 1)[0].rstrip(" ,;:") + " …"
    return text[:1].upper() + text[1:]
