"""The story graph: which propositions belong to one story, kept by every write.

Two propositions are linked when claims on both appear in the same documents; a link
counts for a story when they share at least STORY_MIN_DOCUMENTS documents (one article
that mentions everything joins nothing). A story is a connected group of such links.

Kept in four tables (migration 0014): `proposition_documents` (which documents each
proposition has claims in), `story_links` (pairs and how many documents they share),
`story_propositions` (each proposition's story) and `stories` (each story's size), so
the story page reads a few rows by index whatever the size of the database.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from itertools import combinations

import sqlite_utils

STORY_MIN_DOCUMENTS = 2
# A document with claims on more propositions than this (a digest, a dataset's shared
# page) links none of them: it would join unrelated stories, and cost its square in pairs.
MAX_PROPOSITIONS_PER_DOCUMENT = 100
# Past this many touched documents the whole graph is rebuilt in SQL, in one pass.
REBUILD_AT = 20_000
CHUNK = 500


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for at in range(0, len(values), CHUNK):
        yield values[at : at + CHUNK]


def _marks(values: list[str]) -> str:
    return ", ".join("?" for _ in values)


def _pairs(propositions: set[str]) -> Iterator[tuple[str, str]]:
    if 2 <= len(propositions) <= MAX_PROPOSITIONS_PER_DOCUMENT:
        yield from combinations(sorted(propositions), 2)


def has_story_graph(db: sqlite_utils.Database) -> bool:
    return db["story_links"].exists()


def update_story_graph(db: sqlite_utils.Database, proposition_ids: Iterable[str]) -> None:
    """Bring the graph up to date after the claims of these propositions changed (were
    added, moved between propositions or unlinked). Runs in the caller's transaction."""
    if not has_story_graph(db):
        return
    ids = sorted({p for p in proposition_ids if p})
    documents: set[str] = set()
    for chunk in _chunks(ids):
        for sql in (
            f"select distinct document_id from claims where proposition_id in ({_marks(chunk)})",
            "select distinct document_id from proposition_documents "
            f"where proposition_id in ({_marks(chunk)})",
        ):
            documents.update(row[0] for row in db.execute(sql, chunk).fetchall())
    if len(documents) > REBUILD_AT:
        rebuild_story_graph(db)
        return
    old: dict[str, set[str]] = defaultdict(set)
    new: dict[str, set[str]] = defaultdict(set)
    ordered = sorted(documents)
    for chunk in _chunks(ordered):
        marks = _marks(chunk)
        for document_id, proposition_id in db.execute(
            f"select document_id, proposition_id from proposition_documents "
            f"where document_id in ({marks})",
            chunk,
        ).fetchall():
            old[document_id].add(proposition_id)
        for document_id, proposition_id in db.execute(
            f"select distinct document_id, proposition_id from claims "
            f"where document_id in ({marks}) and proposition_id is not null",
            chunk,
        ).fetchall():
            new[document_id].add(proposition_id)
    delta: Counter[tuple[str, str]] = Counter()
    for document_id in ordered:
        before, after = old.get(document_id, set()), new.get(document_id, set())
        if before == after:
            continue
        delta.subtract(_pairs(before))
        delta.update(_pairs(after))
        db.execute("delete from proposition_documents where document_id = ?", [document_id])
        db.conn.executemany(
            "insert into proposition_documents (document_id, proposition_id) values (?, ?)",
            ((document_id, p) for p in sorted(after)),
        )
    changed = _apply_link_delta(db, {pair: n for pair, n in delta.items() if n})
    if changed:
        _relabel(db, changed)
    # A story that kept its propositions may still have gained or lost documents.
    moved = sorted({p for d in ordered for p in old.get(d, set()) ^ new.get(d, set())})
    _recount(db, moved)


def _recount(db: sqlite_utils.Database, proposition_ids: list[str]) -> None:
    """Count again the documents of the stories these propositions belong to."""
    story_ids: set[str] = set()
    for chunk in _chunks(proposition_ids):
        story_ids.update(
            row[0]
            for row in db.execute(
                "select story_id from story_propositions "
                f"where proposition_id in ({_marks(chunk)})",
                chunk,
            ).fetchall()
        )
    for story_id in sorted(story_ids):
        db.execute(
            """update stories set documents = (
                   select count(distinct d.document_id) from story_propositions sp
                   join proposition_documents d on d.proposition_id = sp.proposition_id
                   where sp.story_id = :story)
               where id = :story""",
            {"story": story_id},
        )


def _apply_link_delta(db: sqlite_utils.Database, delta: dict[tuple[str, str], int]) -> set[str]:
    """Add the changes to the pairs' shared-document counts; returns the propositions of
    links that became, or stopped being, strong enough for a story."""
    counts: dict[tuple[str, str], int] = {}
    by_first: dict[str, list[str]] = defaultdict(list)
    for a, b in delta:
        by_first[a].append(b)
    firsts = sorted(by_first)
    for chunk in _chunks(firsts):
        for a, b, n in db.execute(
            "select proposition_a, proposition_b, documents from story_links "
            f"where proposition_a in ({_marks(chunk)})",
            chunk,
        ).fetchall():
            if (a, b) in delta:
                counts[(a, b)] = n
    endpoints: set[str] = set()
    for pair, change in sorted(delta.items()):
        before = counts.get(pair, 0)
        after = max(before + change, 0)
        if (before >= STORY_MIN_DOCUMENTS) != (after >= STORY_MIN_DOCUMENTS):
            endpoints.update(pair)
        if after:
            db.execute(
                "insert into story_links (proposition_a, proposition_b, documents) "
                "values (?, ?, ?) on conflict (proposition_a, proposition_b) "
                "do update set documents = excluded.documents",
                [pair[0], pair[1], after],
            )
        elif before:
            db.execute(
                "delete from story_links where proposition_a = ? and proposition_b = ?",
                list(pair),
            )
    return endpoints


def _neighbours(db: sqlite_utils.Database, frontier: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(frontier):
        marks = _marks(chunk)
        for sql in (
            "select proposition_b from story_links "
            f"where proposition_a in ({marks}) and documents >= {STORY_MIN_DOCUMENTS}",
            "select proposition_a from story_links "
            f"where proposition_b in ({marks}) and documents >= {STORY_MIN_DOCUMENTS}",
        ):
            found.update(row[0] for row in db.execute(sql, chunk).fetchall())
    return found


def _relabel(db: sqlite_utils.Database, seeds: set[str]) -> None:
    """Work out again the stories of these propositions, whose strong links changed.

    Every proposition of a story that changed stays connected to one of the seeds (the
    ends of the links that changed), so walking from the seeds finds every new story;
    stories no seed belongs to are untouched.
    """
    groups: list[set[str]] = []
    seen: set[str] = set()
    for seed in sorted(seeds):
        if seed in seen:
            continue
        group, frontier = {seed}, [seed]
        while frontier:
            frontier = sorted(_neighbours(db, frontier) - group)
            group.update(frontier)
        seen |= group
        groups.append(group)
    _replace_stories(db, groups)


def _replace_stories(db: sqlite_utils.Database, groups: list[set[str]]) -> None:
    """Store these groups as stories in place of the stories their members were in."""
    members = sorted(set().union(*groups)) if groups else []
    old_stories: set[str] = set()
    for chunk in _chunks(members):
        old_stories.update(
            row[0]
            for row in db.execute(
                "select distinct story_id from story_propositions "
                f"where proposition_id in ({_marks(chunk)})",
                chunk,
            ).fetchall()
        )
    for chunk in _chunks(sorted(old_stories)):
        db.execute(f"delete from story_propositions where story_id in ({_marks(chunk)})", chunk)
    for chunk in _chunks(sorted(old_stories)):
        db.execute(f"delete from stories where id in ({_marks(chunk)})", chunk)
    for group in groups:
        if len(group) < 2:
            continue  # a proposition on its own is no story
        story_id = min(group)
        documents: set[str] = set()
        for chunk in _chunks(sorted(group)):
            documents.update(
                row[0]
                for row in db.execute(
                    "select document_id from proposition_documents "
                    f"where proposition_id in ({_marks(chunk)})",
                    chunk,
                ).fetchall()
            )
        db.execute(
            "insert into stories (id, propositions, documents) values (?, ?, ?)",
            [story_id, len(group), len(documents)],
        )
        db.conn.executemany(
            "insert into story_propositions (proposition_id, story_id) values (?, ?)",
            ((p, story_id) for p in sorted(group)),
        )


def rebuild_story_graph(db: sqlite_utils.Database) -> None:
    """The whole graph from the claims, in a few passes of SQL (migration, big loads)."""
    for table in ("story_propositions", "stories", "story_links", "proposition_documents"):
        db.execute(f"delete from {table}")
    db.execute(
        """insert into proposition_documents (document_id, proposition_id)
           select distinct document_id, proposition_id from claims
           where proposition_id is not null"""
    )
    db.execute(
        f"""insert into story_links (proposition_a, proposition_b, documents)
            select a.proposition_id, b.proposition_id, count(*)
            from proposition_documents a
            join proposition_documents b
              on b.document_id = a.document_id and b.proposition_id > a.proposition_id
            where a.document_id in (
                select document_id from proposition_documents group by document_id
                having count(*) between 2 and {MAX_PROPOSITIONS_PER_DOCUMENT})
            group by a.proposition_id, b.proposition_id"""
    )
    # Connected groups over the strong links, by union-find.
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in db.execute(
        "select proposition_a, proposition_b from story_links where documents >= ?",
        [STORY_MIN_DOCUMENTS],
    ).fetchall():
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, set[str]] = defaultdict(set)
    for node in list(parent):
        groups[root(node)].add(node)
    _replace_stories(db, list(groups.values()))
