"""The matching step of a load: give every claim without a proposition one.

Runs after the loader has planned all claims and before anything is written, so the
matcher sees the database's propositions and every new claim of this load.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import sqlite_utils

from datasette_claims.extract.linking import AliasIndex
from datasette_claims.inputs.article import guess_language
from datasette_claims.load.plan import LoadPlan
from datasette_claims.model import DocumentRow, generated_proposition_id, proposition_row
from datasette_claims.propositions.matching import (
    THRESHOLD,
    PropositionIndex,
    best_match,
    generated_statement,
)
from datasette_claims.propositions.terms import Terms, claim_terms, claim_terms_named, in_article

# Terms worked out ahead, by (claim text, its document's language, figure unit): all the
# claim's terms, its own source's entities included, and whether it names a source.
TermsAhead = dict[tuple[str, str | None, str | None], tuple[frozenset[str], bool]]


def terms_ahead(
    claims: Iterable[Mapping[str, Any]],
    documents: Mapping[str, Mapping[str, Any]],
    aliases: AliasIndex,
) -> TermsAhead:
    """Every claim's terms as match_claims() would work them out with these aliases.

    For a second process (prefetch.py) while this one writes: the costliest pure part of
    matching. A claim's own source is taken out when it is matched: where the claim names
    registry sources its entity terms are those, and leaving one out afterwards is what
    excluding it here would do; where it names none, excluding changes nothing.
    """
    found: TermsAhead = {}
    for row in claims:
        document = documents.get(row["document_id"])
        hint = (document.get("language") if document else None) or None
        key = (row["text"], hint, row.get("figure_unit"))
        if key not in found:
            language = hint or guess_language(row["text"])
            terms, named = claim_terms_named(row["text"], language, aliases, (), key[2])
            found[key] = (terms.terms, named)
    return found


def _terms(
    row: Mapping[str, Any],
    document: Mapping[str, Any] | None,
    aliases: AliasIndex,
    own: set[str],
    ahead: TermsAhead | None,
) -> Terms:
    hint = (document and document["language"]) or None
    found = ahead.get((row["text"], hint, row.get("figure_unit"))) if ahead else None
    if found is not None:
        terms, named = found
        return Terms(terms - {f"E:{source_id}" for source_id in own} if own and named else terms)
    language = hint or guess_language(row["text"])
    return claim_terms(row["text"], language, aliases, own, row.get("figure_unit"))


def _existing_links(db: sqlite_utils.Database, ids: list[str]) -> dict[str, tuple]:
    if not db["claims"].exists() or "link_status" not in db["claims"].columns_dict:
        return {}
    found: dict[str, tuple] = {}
    for at in range(0, len(ids), 500):
        chunk = ids[at : at + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in db.execute(
            f"select id, proposition_id, link_status, link_score from claims where id in ({marks})",
            chunk,
        ).fetchall():
            found[row[0]] = row[1:]
    return found


def _load_index(db: sqlite_utils.Database) -> PropositionIndex:
    index = PropositionIndex()
    if db["proposition_terms"].exists():
        # In rowid order: the order StoredIndex reads postings in too.
        for proposition_id, term, count in db.execute(
            "select t.proposition_id, t.term, t.count from proposition_terms t "
            "join propositions p on p.id = t.proposition_id where p.merged_into is null "
            "order by t.rowid"
        ).fetchall():
            index.add(proposition_id, [term] * count, claims=0)
        for proposition_id, claims in db.execute(
            "select proposition_id, count(*) from claims where proposition_id is not null "
            "group by proposition_id"
        ).fetchall():
            if proposition_id in index.terms:
                index.claims[proposition_id] = claims
    return index


# Below this many claims to match, the index is read from proposition_terms as matching
# needs it (StoredIndex) instead of loaded whole: one article into a million claims reads
# a few thousand rows, not millions.
STORED_INDEX_CLAIMS = 2000


class StoredIndex(PropositionIndex):
    """The index _load_index() would build, read from the database term by term.

    Gives PropositionIndex's answers for the stored propositions (not merged away) and
    the claims this load adds (held in memory, as add() would), so matching links the
    same way; for small loads into big databases. Each answer is kept for the load.
    """

    def __init__(self, db: sqlite_utils.Database) -> None:
        super().__init__()
        self.db = db
        self._merged = bool(
            db.execute("select 1 from propositions where merged_into is not null").fetchone()
        )
        live = "join propositions p on p.id = t.proposition_id and p.merged_into is null"
        self._join = live if self._merged else ""
        self._count = db.execute(
            f"select count(distinct t.proposition_id) from proposition_terms t {self._join}"
        ).fetchone()[0]
        self._sizes: dict[str, int] = {}
        self._stored_postings: dict[str, list[str]] = {}
        self._held: dict[str, Counter] = {}
        self._claims: dict[str, int] = {}
        self._stored_ids: dict[str, bool] = {}  # read from the database: has stored terms
        self._added: dict[str, dict[str, None]] = {}  # term -> propositions new to it

    def _stored_held(self, proposition_id: str) -> Counter:
        found = self._held.get(proposition_id)
        if found is None:
            found = Counter()
            rows = self.db.execute(
                "select term, count from proposition_terms where proposition_id = ? order by rowid",
                [proposition_id],
            ).fetchall()
            if rows and self._merged:
                merged = self.db.execute(
                    "select 1 from propositions where id = ? and merged_into is not null",
                    [proposition_id],
                ).fetchone()
                rows = [] if merged else rows
            for term, count in rows:
                found[term] = count  # counts only grow: never 0, as in _load_index()
            self._held[proposition_id] = found
            self._stored_ids[proposition_id] = bool(rows)
            claims = 0
            if rows:
                claims = self.db.execute(
                    "select count(*) from claims where proposition_id = ?", [proposition_id]
                ).fetchone()[0]
            self._claims[proposition_id] = claims
        return found

    def add(self, proposition_id: str, terms: Iterable[str], claims: int = 1) -> None:
        counter = self._stored_held(proposition_id)
        if not self._stored_ids[proposition_id] and proposition_id not in self.terms:
            self._count += 1  # a proposition new to the index
        self.terms[proposition_id] = counter
        for term in terms:
            if not counter[term]:
                self._added.setdefault(term, {})[proposition_id] = None
            counter[term] += 1
        self._claims[proposition_id] += claims
        self._cores.pop(proposition_id, None)

    def proposition_count(self) -> int:
        return int(self._count)

    def _stored_size(self, term: str) -> int:
        size = self._sizes.get(term)
        if size is None:
            size = self._sizes[term] = self.db.execute(
                f"select count(*) from proposition_terms t {self._join} where t.term = ?",
                [term],
            ).fetchone()[0]
        return size

    def posting_size(self, term: str) -> int:
        return self._stored_size(term) + len(self._added.get(term, ()))

    def _stored_posting(self, term: str, newest: int | None = None) -> list[str]:
        if newest is None and term in self._stored_postings:
            return self._stored_postings[term]
        order = "t.rowid" if newest is None else f"t.rowid desc limit {int(newest)}"
        found = [
            row[0]
            for row in self.db.execute(
                f"select t.proposition_id from proposition_terms t {self._join} "
                f"where t.term = ? order by {order}",
                [term],
            ).fetchall()
        ]
        if newest is None:
            self._stored_postings[term] = found
        return found

    def posting(self, term: str) -> Iterable[str]:
        return [*self._stored_posting(term), *self._added.get(term, ())]

    def newest(self, term: str, count: int) -> Iterable[str]:
        added = list(reversed(self._added.get(term, {})))[:count]
        if len(added) < count:
            added += self._stored_posting(term, count - len(added))
        return added

    def held(self, proposition_id: str) -> Counter:
        return self._stored_held(proposition_id)

    def claim_count(self, proposition_id: str) -> int:
        self._stored_held(proposition_id)
        return self._claims[proposition_id]


def _merged(db: sqlite_utils.Database) -> dict[str, str]:
    """Merged-away propositions and where their claims went (following chains)."""
    if "merged_into" not in db["propositions"].columns_dict:
        return {}
    pairs = dict(
        db.execute("select id, merged_into from propositions where merged_into is not null")
    )
    final = {}
    for start in pairs:
        target, seen = pairs[start], {start}
        while target in pairs and target not in seen:
            seen.add(target)
            target = pairs[target]
        final[start] = target
    return final


def _rejected(db: sqlite_utils.Database) -> dict[str, set[str]]:
    rejected: dict[str, set[str]] = {}
    if db["rejected_links"].exists():
        for claim_id, proposition_id in db.execute(
            "select claim_id, proposition_id from rejected_links"
        ).fetchall():
            rejected.setdefault(claim_id, set()).add(proposition_id)
    return rejected


def _english_names(db: sqlite_utils.Database, plan: LoadPlan) -> dict[str, str]:
    """Short English names for labels: a source's first English alias, else its name."""
    names: dict[str, str] = {}
    if db["sources"].exists():
        names.update(dict(db.execute("select id, name from sources").fetchall()))
        for source_id, alias in db.execute(
            "select source_id, alias from source_aliases where language = 'en' order by rowid desc"
        ).fetchall():
            names[source_id] = alias
    for entry in plan.sources:
        english = [alias for alias, language in entry.aliases if language == "en"]
        names[entry.id] = english[0] if english else entry.name
    return names


def match_claims(
    db: sqlite_utils.Database,
    plan: LoadPlan,
    aliases: AliasIndex,
    documents: Mapping[str, DocumentRow],
    session: Any = None,
    ahead: tuple[str, TermsAhead] | None = None,
) -> None:
    """Fill in proposition, link status and score of the plan's claims; extend the index.

    The in-memory index of every proposition's terms is loaded only when a claim needs
    matching, so loading claims that come with their propositions stays small and fast;
    their terms still go to proposition_terms for later matching. `ahead` are terms
    worked out before (terms_ahead()) with aliases of the given signature(): used only
    when this load's aliases have the same one.
    """
    precomputed = ahead[1] if ahead is not None and ahead[0] == aliases.signature() else None
    existing = _existing_links(db, [row["id"] for row in plan.claims])
    merged = _merged(db)
    index: PropositionIndex | None = session.match_index if session is not None else None

    pending: list[tuple[str, frozenset[str]]] = []  # this plan's claims, not yet in the DB

    # Claims the matcher may have to place (no proposition given, none linked before).
    to_match = sum(
        1
        for row in plan.claims
        if not row["proposition_id"] and not (existing.get(row["id"]) or (None,))[0]
    )

    def loaded() -> PropositionIndex:
        nonlocal index
        if index is None:
            if to_match < STORED_INDEX_CLAIMS and db["proposition_terms"].exists():
                # Read as needed; not kept for the load's next file, whose claims will be
                # stored by then (it reads them again from the database).
                index = StoredIndex(db)
            else:
                index = _load_index(db)
                if session is not None:
                    session.match_index = index
            for proposition_id, claim_terms_ in pending:
                index.add(proposition_id, claim_terms_)
        return index

    rejected = _rejected(db)
    groups = plan.groups
    names = _english_names(db, plan)
    known_props = {p["id"] for p in plan.propositions}
    lead: dict[str, Terms] = {}
    ordered = sorted(plan.claims, key=lambda r: (r["document_id"], r["start"], r["end"]))
    for row in ordered:
        own = {s for s in (row["source_id"], groups.get(row["source_id"] or "")) if s}
        terms = _terms(row, documents.get(row["document_id"]), aliases, own, precomputed)
        terms = in_article(terms, row["text"], lead.setdefault(row["document_id"], terms))
        before = existing.get(row["id"])
        if before and before[1] == "confirmed":
            # A person's decision (link, merge, split) outlives any file and any run.
            row["proposition_id"], row["link_status"], row["link_score"] = before
            continue
        if row["proposition_id"] in rejected.get(row["id"], set()):
            # A person unlinked this pair: the claim file's proposition no longer applies.
            row["proposition_id"], row["link_status"], row["link_score"] = None, None, None
            continue
        if row["proposition_id"]:
            row["proposition_id"] = merged.get(row["proposition_id"], row["proposition_id"])
            row["link_status"] = row["link_status"] or "curated"
        elif before and before[0]:
            # Already linked (by the matcher or a person): a later run never moves it.
            row["proposition_id"], row["link_status"], row["link_score"] = before
            continue
        else:
            candidate, score = best_match(
                loaded(), terms, rejected.get(row["id"], set()), at_least=THRESHOLD
            )
            if candidate is not None and score >= THRESHOLD:
                row["proposition_id"], row["link_score"] = candidate, round(score, 3)
            else:
                new_id = generated_proposition_id(row["id"])
                if new_id not in known_props:
                    statement = generated_statement(row["text"], terms, names, row.get("speaker"))
                    plan.propositions.append(proposition_row(new_id, statement, origin="generated"))
                    known_props.add(new_id)
                row["proposition_id"], row["link_score"] = new_id, None
            row["link_status"] = "suggested"
        linked = row["proposition_id"]
        assert linked is not None  # every branch above that gets here links the claim
        if before is None:  # new claims add their terms to the index
            if index is not None:
                index.add(linked, terms.terms)
            else:
                pending.append((linked, terms.terms))
            plan.proposition_terms.setdefault(linked, Counter()).update(terms.terms)
