"""Match claims to propositions: one proposition, many articles, sources and languages.

A claim is described by terms of three kinds: entities (registry sources it names, in any
language: "Nordkorea" and "North Korea" are one source; without one, the names of an
English claim), concepts (a small bilingual gazetteer: "Soldaten", "troops" and the
figure's unit are one concept; classes of events: "won", "victory", "Sieg") and stems of
its content words and its quantities. Candidate propositions come from an inverted index
over those terms, never from comparing all pairs. The score weighs how much of the
claim's entities, concepts and stems a proposition already holds, each term by how few
propositions hold it; at or above THRESHOLD the claim is linked as a suggestion, below it
founds a proposition of its own.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import chain, islice
from math import log, sqrt
from operator import itemgetter

from datasette_claims.propositions.terms import Terms

THRESHOLD = 0.5
MISSING_ENTITY = 0.2
MISSING_NAME = 0.15  # a name (no registry source) the proposition never mentions
MIN_TOPIC = 0.12  # concepts and wording must agree this much, whatever the entities
MAX_CANDIDATES = 10
MAX_POSTING = 100
ALWAYS_LOOKED_UP = 3  # the claim's rarest terms generate candidates however common
WEIGHTS = {"E": 0.45, "C": 0.35, "S": 0.20}
_KIND = {kind: n for n, kind in enumerate(WEIGHTS)}
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

    # What ranking and scoring read of the index. A subclass may answer them from storage
    # instead of memory (load/matching.py's StoredIndex), with the same answers.
    def proposition_count(self) -> int:
        """How many propositions the index holds."""
        return len(self.terms)

    def posting_size(self, term: str) -> int:
        """How many propositions hold the term."""
        return len(self.postings.get(term, ()))

    def posting(self, term: str) -> Iterable[str]:
        """The propositions holding the term, in the order they came to hold it."""
        return self.postings[term].keys()

    def newest(self, term: str, count: int) -> Iterable[str]:
        """The last `count` propositions that came to hold the term, newest first."""
        return islice(reversed(self.postings[term]), count)

    def held(self, proposition_id: str) -> Counter:
        """The proposition's terms, each with how many of its claims have it."""
        return self.terms[proposition_id]

    def claim_count(self, proposition_id: str) -> int:
        return int(self.claims[proposition_id])

    def core(self, proposition_id: str) -> dict[str, set[str]]:
        """Terms held by at least half of the proposition's claims, by kind (cached)."""
        cached = self._cores.get(proposition_id)
        if cached is None:
            size = max(1, self.claim_count(proposition_id))
            cached = {kind: set() for kind in WEIGHTS}
            for term, count in self.held(proposition_id).items():
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
        self,
        claim: Terms,
        rejected: AbstractSet[str] = frozenset(),
        weights: dict[str, float] | None = None,
    ) -> list[tuple[float, str]]:
        """The candidates with an upper bound of their score, highest first.

        The bound weighs, per kind, the claim's terms the proposition holds, with every
        core share taken as 1. Only the rarer terms generate candidates; all count.
        """
        weights = self.claim_weights(claim) if weights is None else weights
        limit = min(max(3, int(COMMON_SHARE * self.proposition_count())), MAX_POSTING)
        looked: list[Iterable[str]] = []  # postings to count, counted in one pass below
        # (term, kind, weight, is a registry source) of each of the claim's terms in the index.
        held: list[tuple[str, int, float, bool]] = []
        registry = 0  # registry sources among them
        looked_up = 0
        size_of, posting, newest = self.posting_size, self.posting, self.newest
        # Rarest first; a term held by very many propositions ("Russia", "troops") says
        # little about which one and would make each lookup grow with the index.
        for size, term in sorted([(size_of(t), t) for t in claim.terms]):
            kind = _KIND.get(term[0])
            if not size or kind is None:
                continue
            source = kind == 0 and term[2] != "~"
            registry += source
            held.append((term, kind, weights[term], source))
            if size <= limit:
                looked_up += 1
                looked.append(posting(term))
            elif looked_up < ALWAYS_LOOKED_UP:
                # Common but among the claim's rarest: its newest propositions only, so the
                # lookup costs the same however many propositions hold the term.
                looked_up += 1
                looked.append(newest(term, MAX_POSTING))
        hits = Counter(chain.from_iterable(looked))
        # w * sqrt(held / size) == sqrt(held * w² / size), with the factors worked out once.
        factors = []
        for letter, w in WEIGHTS.items():
            mass = sum([weights[t] for t in claim.of(letter)])
            factors.append(w * w / mass if mass else 0.0)
        below = THRESHOLD - 0.01
        # hits.most_common(), without heapq's Python loop: a stable sort keeps its ties.
        top = sorted(hits.items(), key=itemgetter(1), reverse=True)[:MAX_CANDIDATES]
        shares = {p: [0.0, 0.0, 0.0, registry] for p, _ in top if p not in rejected}
        # Each candidate's sums add up in the claim's order of terms.
        held_by = self.held
        for proposition_id, share in shares.items():
            its = held_by(proposition_id)
            for term, kind, w, source in held:
                if term in its:
                    share[kind] += w
                    if source:
                        share[3] -= 1
        ranked = []
        for proposition_id, (e, c, s, missing) in shares.items():
            total = sqrt(e * factors[0]) + sqrt(c * factors[1]) + sqrt(s * factors[2])
            # Names the proposition lacks may cost less than a registry source: the lower.
            bound = total - MISSING_ENTITY * missing
            ranked.append((-(bound if bound > below else min(total, below)), proposition_id))
        ranked.sort()
        return [(-negative, proposition_id) for negative, proposition_id in ranked]

    def claim_weights(self, claim: Terms) -> dict[str, float]:
        """The weight of each of the claim's terms in this index."""
        return self.weights(claim.terms)

    def weights(self, terms: Iterable[str]) -> dict[str, float]:
        """weight() of each term, worked out at once."""
        top = log(self.proposition_count() + 2)
        size = self.posting_size
        return {t: top - log(size(t) + 1) for t in terms}  # log(1) == 0: a new term, top

    def weight(self, term: str) -> float:
        """How much a shared term says: log of propositions per proposition holding it."""
        return self.weights((term,))[term]

    def score(
        self, claim: Terms, proposition_id: str, weights: dict[str, float] | None = None
    ) -> float:
        """How well the claim and the proposition cover each other, per kind of term.

        For each kind: the share of the claim's terms the proposition holds, times the share
        of the proposition's core terms (held by at least half its claims) the claim has,
        each term weighted by how few propositions hold it; the geometric mean of the two,
        weighted over kinds. An entity the claim names that the proposition never mentions
        costs MISSING_ENTITY, so "North Korean troops in Kursk" does not fold into "North
        Korean troops in Russia".
        """
        held = self.held(proposition_id).keys()
        cores = self.core(proposition_id)
        mine_w = self.claim_weights(claim) if weights is None else weights
        weigh = self.weights
        total = topic = 0.0
        for kind, w in WEIGHTS.items():
            mine = claim.of(kind)
            core = cores[kind]
            if not mine or not core:
                continue
            size = sum([mine_w[t] for t in mine])
            shared = sum([mine_w[t] for t in core & mine])
            claim_share = sum([mine_w[t] for t in mine & held]) / size
            core_share = shared / sum(weigh(core).values())
            part = w * (claim_share * core_share) ** 0.5
            total += part
            topic += part if kind != "E" else 0.0
        if topic < MIN_TOPIC:
            return min(total, THRESHOLD - 0.01)
        # Kinds the claim lacks count as no agreement: naming the same country alone,
        # without a shared concept or wording, is not the same proposition.
        missing = [t[2] == "~" for t in claim.of("E") - held]
        return total - MISSING_ENTITY * missing.count(False) - MISSING_NAME * missing.count(True)


def best_match(
    index: PropositionIndex,
    claim: Terms,
    rejected: AbstractSet[str] = frozenset(),
    at_least: float = 0.0,
) -> tuple[str | None, float]:
    """The best-scoring candidate (ties to the smaller id) and its score.

    Candidates are scored in order of their upper bound, and scoring stops at the first
    whose bound is below the best score found, or below `at_least` (a caller that links
    only at THRESHOLD passes it and has fewer candidates scored): the result is that of
    scoring them all, or (None, 0.0) when none scores `at_least`.
    """
    best: tuple[str | None, float] = (None, 0.0)
    weights = index.claim_weights(claim)
    for bound, proposition_id in index.ranked(claim, rejected, weights):
        # The bound is worked out differently from score(): allow for rounding.
        if bound < max(best[1], at_least) - 1e-9 or bound <= 0.0:
            break
        score = index.score(claim, proposition_id, weights)
        if score < at_least:
            continue
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
