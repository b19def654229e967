"""Read-only queries behind the pages; each takes a Datasette Database and returns dicts."""

from __future__ import annotations

from typing import Any

from datasette.database import QueryInterrupted

from datasette_claims.model import STATUSES

CLAIM_COLUMNS = """
    c.rowid as _rowid, c.id, c.document_id, c.source_id, c.proposition_id, c.text,
    c.start, c."end", c.speaker, c.quote_kind, c.stance, c.hedge, c.figure_value,
    c.figure_unit, c.figure_text, c.figure_as_of, c.figure_is_forecast, c.event_date,
    c.claimed_at, c.status, c.origin, c.confidence, c.note, c.created_at, c.updated_at,
    c.reviewed_at, c.reviewed_by, c.credibility, c.link_status, c.link_score,
    s.name as source_name, s.kind as source_kind, s.role as source_role,
    {source_origin} as source_origin, {source_document} as source_document_id,
    s.country as source_country, s.independence_group, g.name as group_name,
    p.statement as proposition_statement, p.status as proposition_status,
    d.title as document_title, d.path as document_path,
    d.publisher as document_publisher, d.published_at as document_published_at
"""


async def claim_columns(db: Any) -> str:
    """The claim columns, for databases from before provisional sources too (a published
    file of an earlier release is read as it is, never migrated)."""
    columns = await _source_columns(db)
    return CLAIM_COLUMNS.format(
        source_origin="s.origin" if "origin" in columns else "null",
        source_document="s.document_id" if "document_id" in columns else "null",
    )


async def _source_columns(db: Any) -> set[str]:
    return {row[1] for row in (await db.execute("pragma table_info(sources)")).rows}


async def _has_source_origin(db: Any) -> bool:
    """Whether the sources table has provisional sources' `origin` (migration 0008)."""
    return "origin" in await _source_columns(db)


CLAIM_JOINS = """
    from claims c
    left join sources s on s.id = c.source_id
    left join sources g on g.id = s.independence_group
    left join propositions p on p.id = c.proposition_id
    left join documents d on d.id = c.document_id
"""

FILTERS = {
    "status": "c.status = :status",
    "source": "c.source_id = :source",
    "proposition": "c.proposition_id = :proposition",
    "document": "c.document_id = :document",
    "stance": "c.stance = :stance",
}


def _rows(results: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in results.rows]


def where_clause(filters: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """SQL conditions for the overview's filters (all parameters, never interpolated)."""
    conditions, params = [], {}
    for key, condition in FILTERS.items():
        if filters.get(key):
            conditions.append(condition)
            params[key] = filters[key]
    search = fts_query(filters.get("q") or "")
    if search:
        conditions.append("c.rowid in (select rowid from claims_fts where claims_fts match :q)")
        params["q"] = search
    return (" where " + " and ".join(conditions)) if conditions else "", params


def fts_query(text: str) -> str:
    """Words of the search box as quoted FTS5 prefix terms ("Soldat" finds "Soldaten").

    Quoting means user input is searched for, never parsed as FTS syntax; control
    characters and quotes are dropped. Empty when nothing searchable is left.
    """
    cleaned = "".join(ch if ch.isprintable() and ch != '"' else " " for ch in text[:500])
    return " ".join(f'"{word}"*' for word in cleaned.split()[:20])


async def kept_counts(db: Any) -> dict[str, Any]:
    """The overview's counts from claim_counts, which triggers keep current: no scan.

    The total and the counts by status come from one statement, so they agree even while
    a load commits between this page's queries.
    """
    by_status = {s: 0 for s in STATUSES}
    total = 0
    for dimension, value, count in (
        await db.execute(
            "select dimension, value, count from claim_counts where dimension in ('status', 'all')"
        )
    ).rows:
        if dimension == "all":
            total = count
        else:
            by_status[value] = count
    by_source = _rows(
        await db.execute(
            """select nullif(k.value, '') as id, coalesce(s.name, '(unattributed)') as name,
                s.kind as kind, k.count as claims
               from claim_counts k left join sources s on s.id = k.value
               where k.dimension = 'source' and k.count > 0
               order by k.count desc, name limit 100"""
        )
    )
    by_proposition = _rows(
        await db.execute(
            """select nullif(k.value, '') as id, p.statement as statement, p.topic as topic,
                p.status as status, k.count as claims
               from claim_counts k left join propositions p on p.id = k.value
               where k.dimension = 'proposition' and k.count > 0
               order by k.count desc, statement limit 100"""
        )
    )
    await _add_institutions(db, by_proposition)
    return {
        "status": by_status,
        "source": by_source,
        "proposition": by_proposition,
        "_total": total,
    }


async def _add_institutions(
    db: Any,
    by_proposition: list[dict[str, Any]],
    where: str = "",
    params: dict[str, Any] | None = None,
) -> None:
    """How many independent institutions speak on each listed proposition (among the
    claims the filters select)."""
    ids = [p["id"] for p in by_proposition if p["id"]]
    institutions: dict[str, int] = {}
    if ids:
        marks = ", ".join(f":id{n}" for n in range(len(ids)))
        condition = f"c.proposition_id in ({marks})"
        where = f"{where} and {condition}" if where else f" where {condition}"
        institutions = dict(
            (
                await db.execute(
                    f"""select c.proposition_id, count(distinct s.independence_group)
                        from claims c join sources s on s.id = c.source_id{where}
                        group by c.proposition_id""",
                    {**(params or {}), **{f"id{n}": i for n, i in enumerate(ids)}},
                )
            ).rows
        )
    for p in by_proposition:
        p["institutions"] = institutions.get(p["id"], 0)


async def overview_counts(db: Any, filters: dict[str, str]) -> dict[str, Any]:
    """Counts by status, source and proposition of the claims the filters select.

    Without filters they come from the kept counts. With filters they are counted from
    `claims` alone (its indexes), and only the 100 largest groups are joined for names.
    A count that exceeds Datasette's time limit leaves the counts out, marked incomplete,
    rather than failing the page.
    """
    if not filters and await db.table_exists("claim_counts"):
        return await kept_counts(db)
    where, params = where_clause(filters)
    by_status = {s: 0 for s in STATUSES}
    try:
        for row in (
            await db.execute(
                f"select c.status, count(*) from claims c{where} group by c.status", params
            )
        ).rows:
            by_status[row[0]] = row[1]
        by_source = _rows(
            await db.execute(
                f"""select k.id, coalesce(s.name, '(unattributed)') as name, s.kind as kind,
                    k.claims from (select c.source_id as id, count(*) as claims
                        from claims c{where} group by c.source_id
                        order by claims desc, id limit 100) k
                    left join sources s on s.id = k.id order by k.claims desc, name""",
                params,
            )
        )
        by_proposition = _rows(
            await db.execute(
                f"""select k.id, p.statement as statement, p.topic as topic,
                    p.status as status, k.claims
                    from (select c.proposition_id as id, count(*) as claims
                        from claims c{where} group by c.proposition_id
                        order by claims desc, id limit 100) k
                    left join propositions p on p.id = k.id order by k.claims desc, statement""",
                params,
            )
        )
        await _add_institutions(db, by_proposition, where, params)
    except QueryInterrupted:
        return {"status": {}, "source": [], "proposition": [], "incomplete": True}
    return {"status": by_status, "source": by_source, "proposition": by_proposition}


async def claim_page_list(
    db: Any, filters: dict[str, str], size: int, after: int | None, total: int | None = None
) -> tuple[list[dict[str, Any]], int | None, int]:
    """One page of claims in load order, keyset-paged on rowid; returns rows, next, total.

    A `total` the caller already read (with the counts) is kept as it is.
    """
    where, params = where_clause(filters)
    if total is not None:
        pass
    elif not filters and await db.table_exists("claim_counts"):
        found = (await db.execute("select count from claim_counts where dimension = 'all'")).rows
        total = found[0][0] if found else 0
    else:
        total = (await db.execute(f"select count(*) from claims c{where}", params)).rows[0][0]
    if after is not None:
        where += (" and " if where else " where ") + "c.rowid > :after"
        params["after"] = after
    rows = _rows(
        await db.execute(
            f"select {await claim_columns(db)} {CLAIM_JOINS}{where} order by c.rowid limit :limit",
            {**params, "limit": size + 1},
        )
    )
    next_token = rows[size - 1]["_rowid"] if len(rows) > size else None
    return rows[:size], next_token, total


async def claim(db: Any, claim_id: str) -> dict[str, Any] | None:
    rows = _rows(
        await db.execute(
            f"select {await claim_columns(db)} {CLAIM_JOINS} where c.id = ?", [claim_id]
        )
    )
    return rows[0] if rows else None


async def claims_for_proposition(db: Any, proposition_id: str) -> list[dict[str, Any]]:
    return _rows(
        await db.execute(
            f"""select {await claim_columns(db)} {CLAIM_JOINS} where c.proposition_id = ?
                order by d.published_at, c.claimed_at, c.document_id, c.start""",
            [proposition_id],
        )
    )


async def other_claims_on_proposition(
    db: Any, proposition_id: str, claim_id: str, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Up to `limit` other claims on the proposition, newest documents first, and the count."""
    rows = _rows(
        await db.execute(
            f"""select {await claim_columns(db)} {CLAIM_JOINS}
                where c.proposition_id = :p and c.id != :c
                order by d.published_at desc, c.document_id, c.start limit :limit""",
            {"p": proposition_id, "c": claim_id, "limit": limit},
        )
    )
    total = (
        await db.execute(
            "select count(*) from claims where proposition_id = ? and id != ?",
            [proposition_id, claim_id],
        )
    ).rows[0][0]
    return rows, total


# A source and everything under it (its members, their members ...); the loader refuses
# parent cycles, and the limit bounds the walk whatever the data holds.
_TREE = """with recursive tree(id, depth) as (
    select :source, 0
    union all
    select s.id, t.depth + 1 from sources s join tree t on s.parent_id = t.id
    where t.depth < 50
    limit 100000
)"""


async def claims_for_source(db: Any, source_id: str, limit: int = 200) -> list[dict[str, Any]]:
    """The latest claims of the source and its members (the overview pages through more)."""
    return _rows(
        await db.execute(
            f"""{_TREE} select {await claim_columns(db)} {CLAIM_JOINS}
                where c.source_id in (select id from tree)
                order by c.rowid desc limit :limit""",
            {"source": source_id, "limit": limit},
        )
    )


async def source_members(db: Any, source_id: str) -> list[dict[str, Any]]:
    """Every source under this one, at every level, with how deep and under whom."""
    return _rows(
        await db.execute(
            f"""{_TREE} select s.id, s.name, s.kind, s.role, t.depth, p.name as parent_name
                from tree t join sources s on s.id = t.id
                left join sources p on p.id = s.parent_id
                where t.depth > 0 order by t.depth, s.name""",
            {"source": source_id},
        )
    )


async def history(db: Any, claim_id: str) -> list[dict[str, Any]]:
    return _rows(
        await db.execute("select * from claim_history where claim_id = ? order by id", [claim_id])
    )


async def document(db: Any, document_id: str) -> dict[str, Any] | None:
    rows = _rows(await db.execute("select * from documents where id = ?", [document_id]))
    return rows[0] if rows else None


async def proposition(db: Any, proposition_id: str) -> dict[str, Any] | None:
    rows = _rows(await db.execute("select * from propositions where id = ?", [proposition_id]))
    return rows[0] if rows else None


async def source(db: Any, source_id: str) -> dict[str, Any] | None:
    rows = _rows(
        await db.execute(
            """select s.*, p.name as parent_name, g.name as group_name
               from sources s left join sources p on p.id = s.parent_id
               left join sources g on g.id = s.independence_group where s.id = ?""",
            [source_id],
        )
    )
    return rows[0] if rows else None


async def source_history(db: Any, source_id: str) -> list[dict[str, Any]]:
    """What people and loads decided about a source, oldest first."""
    if not await db.table_exists("source_history"):
        return []
    return _rows(
        await db.execute(
            "select changed_at, changed_by, action, field, old_value, new_value, reason "
            "from source_history where source_id = ? order by id",
            [source_id],
        )
    )


async def source_chain(db: Any, source_id: str) -> list[dict[str, Any]]:
    """The source's parents, nearest first, up to its independent institution."""
    return _rows(
        await db.execute(
            """with recursive chain(id, depth) as (
                   select parent_id, 1 from sources where id = :id and parent_id is not null
                   union all
                   select s.parent_id, depth + 1 from sources s join chain on s.id = chain.id
                   where s.parent_id is not null and depth < 20
               )
               select s.id, s.name, s.kind, s.role from chain join sources s on s.id = chain.id
               order by depth""",
            {"id": source_id},
        )
    )


async def source_aliases(db: Any, source_id: str) -> list[dict[str, Any]]:
    return _rows(
        await db.execute(
            "select alias, language from source_aliases where source_id = ? "
            "order by language, alias",
            [source_id],
        )
    )


async def evidence(db: Any, claim_id: str) -> list[dict[str, Any]]:
    return _rows(
        await db.execute("select * from evidence where claim_id = ? order by id", [claim_id])
    )


async def status_counts(db: Any, source_id: str, members: bool = False) -> dict[str, int]:
    """The source's claims by status (with `members`, its members' too), through the
    (source_id, status) index."""
    counts = {s: 0 for s in STATUSES}
    where = "source_id in (select id from tree)" if members else "source_id = :source"
    for status, count in (
        await db.execute(
            f"{_TREE if members else ''} select status, count(*) from claims "
            f"where {where} group by status",
            {"source": source_id},
        )
    ).rows:
        counts[status] = count
    return counts


def track_record(counts: dict[str, int], reliability: str | None) -> dict[str, Any]:
    """How the source's claims ended (the same as the source_track_records view)."""
    return {
        "claims": sum(counts.values()),
        "confirmed": counts["confirmed"],
        "refuted": counts["refuted"],
        "disputed": counts["disputed"],
        "retracted": counts["retracted"],
        "unresolved": counts["unverified"] + counts["corroborated"],
        "reliability": reliability,
    }


async def source_ratings(db: Any, source_id: str) -> list[dict[str, Any]]:
    """Ratings datasets give the source, such as LIAR's PolitiFact credit history."""
    return _rows(
        await db.execute(
            "select scheme, label, count from source_ratings where source_id = ? "
            "order by scheme, label",
            [source_id],
        )
    )


async def earlier_verdicts(db: Any, proposition_id: str, claim_id: str) -> list[dict[str, Any]]:
    """People's reviews and imported fact-checks of the proposition's other claims: what
    a new claim on an already-checked proposition should show first, newest first."""
    reviews = _rows(
        await db.execute(
            """select c.id as claim_id, c.status, c.reviewed_by as reviewer, c.reviewed_at,
                   null as url, 'review' as kind, s.name as source_name
               from claims c left join sources s on s.id = c.source_id
               where c.proposition_id = :p and c.id != :c and c.reviewed_at is not null""",
            {"p": proposition_id, "c": claim_id},
        )
    )
    # The proposition's claims drive the lookup (by index), not every imported review.
    imported = _rows(
        await db.execute(
            """select r.claim_id, r.status, r.reviewer, r.reviewed_at, r.url,
                   'fact-check' as kind, s.name as source_name
               from claims c cross join claim_reviews r on r.claim_id = c.id
               left join sources s on s.id = c.source_id
               where c.proposition_id = :p and c.id != :c""",
            {"p": proposition_id, "c": claim_id},
        )
    )
    return sorted(reviews + imported, key=lambda r: r["reviewed_at"] or "", reverse=True)


# The claims on a checked proposition that came after its first check (kept in
# `proposition_checks` by triggers), no person's review yet.
# The feed walks claims newest first by rowid and looks each one's proposition up; the
# count walks the (few) checked propositions and their claims by index.
_AFTER_CHECK = """from claims c
    cross join proposition_checks f on f.proposition_id = c.proposition_id
    {joins} where c.reviewed_at is null and c.created_at > f.first_checked"""
_COUNT_AFTER_CHECK = """from proposition_checks f
    cross join claims c on c.proposition_id = f.proposition_id
    where c.reviewed_at is null and c.created_at > f.first_checked"""
# The overview counts at most this many (it shows "1,000+"), within a short time limit.
CHECKED_COUNT_CAP = 1000
CHECKED_COUNT_MS = 50


_FEED_JOINS = """join propositions p on p.id = c.proposition_id
    left join sources s on s.id = c.source_id"""


async def new_claims_on_checked(db: Any, limit: int) -> list[dict[str, Any]]:
    """Claims that arrived on a proposition after someone checked it (a review or an
    imported fact-check of another of its claims), newest first."""
    if not await db.table_exists("proposition_checks"):
        return []
    return _rows(
        await db.execute(
            f"""select c.id, c.text, c.created_at, c.proposition_id, c.reviewed_at,
                   p.statement, p.status as proposition_status, s.name as source_name,
                   f.first_checked
               {_AFTER_CHECK.format(joins=_FEED_JOINS)}
               order by c.rowid desc limit :limit""",
            {"limit": limit},
        )
    )


async def awaiting_people(db: Any, hidden: frozenset[str]) -> dict[str, int]:
    """What needs a person: disputed propositions, suggested sources awaiting a decision,
    new claims on propositions someone checked already (tables the actor may not view are
    left out). Each count reads an index or a small table, never every claim."""
    found: dict[str, int] = {}
    if "propositions" not in hidden:
        found["disputed"] = (
            await db.execute("select count(*) from propositions where status = 'disputed'")
        ).rows[0][0]
    columns = await _source_columns(db) if "sources" not in hidden else set()
    if "origin" in columns:
        # Speakers named only by a common noun belong to one article each: counted apart
        # (per article), so they do not flood the named ones.
        scoped = "document_id is null" if "document_id" in columns else "1"
        found["suggested_sources"] = (
            await db.execute(
                f"select count(*) from sources where origin = 'suggested' and {scoped}"
            )
        ).rows[0][0]
        if "document_id" in columns:
            found["common_noun_sources"], found["common_noun_documents"] = (
                await db.execute(
                    "select count(*), count(distinct document_id) from sources "
                    "where origin = 'suggested' and document_id is not null"
                )
            ).rows[0]
    # Databases from before migration 0015 (served as they are, -i) have no kept checks.
    if "claim_reviews" not in hidden and await db.table_exists("proposition_checks"):
        try:
            found["new_on_checked"] = (
                await db.execute(
                    f"""select count(*) from (select 1
                        {_COUNT_AFTER_CHECK} limit :cap)""",
                    {"cap": CHECKED_COUNT_CAP + 1},
                    custom_time_limit=CHECKED_COUNT_MS,
                )
            ).rows[0][0]
        except QueryInterrupted:
            found["new_on_checked"] = -1  # too many to count quickly: the link says "some"
    return found


STORY_COLUMNS = 20  # propositions side by side; more is no longer "at one glance"


async def topics(db: Any) -> list[dict[str, Any]]:
    """The propositions' topics, largest first, for the story page's picker."""
    return _rows(
        await db.execute(
            """select topic, count(*) as propositions from propositions
               where topic is not null and topic != ''
               group by topic order by propositions desc, topic limit 200"""
        )
    )


async def story_propositions(
    db: Any, topic: str | None, search: str | None, ids: list[str], story: str | None = None
) -> list[dict[str, Any]]:
    """The propositions a story page puts side by side, most institutions first.

    Named ones (`ids`) in their order; else those of a story (db/stories.py), of a
    topic, or of the claims a search finds; else the propositions on which the most
    independent institutions speak.
    """
    columns = "p.id, p.statement, p.topic, p.status"
    if ids:
        rows = []
        for proposition_id in ids[:STORY_COLUMNS]:
            found = await db.execute(
                f"select {columns} from propositions p where p.id = ?", [proposition_id]
            )
            rows.extend(_rows(found))
        return rows
    if story:
        candidates = await story_members(db, story)
    elif topic:
        candidates = _rows(
            await db.execute(
                f"""select {columns} from propositions p where p.topic = :topic
                    order by p.statement limit 200""",
                {"topic": topic},
            )
        )
    else:
        counted = (await overview_counts(db, {"q": search} if search else {}))["proposition"]
        candidates = [p for p in counted if p["id"]]
    await _add_institutions(db, candidates)
    candidates.sort(key=lambda p: (-p["institutions"], p["statement"] or ""))
    return [
        {k: p[k] for k in ("id", "statement", "topic", "status")}
        for p in candidates[:STORY_COLUMNS]
    ]


async def claims_for_propositions(db: Any, ids: list[str]) -> list[dict[str, Any]]:
    """Every claim on these propositions, in the order a comparison page lists them."""
    if not ids:
        return []
    marks = ", ".join(f":id{n}" for n in range(len(ids)))
    return _rows(
        await db.execute(
            f"""select {await claim_columns(db)} {CLAIM_JOINS}
                where c.proposition_id in ({marks})
                order by d.published_at, c.claimed_at, c.document_id, c.start""",
            {f"id{n}": i for n, i in enumerate(ids)},
        )
    )


MERGE_WORDS = 20  # words of a merge search that count


async def merge_candidates(
    db: Any, proposition_id: str, topic: str | None, search: str | None, limit: int = 10
) -> list[dict[str, Any]]:
    """Propositions a reviewer may merge into this one: those whose statement or claims
    the search words find, or without a search those of the same topic."""
    columns = "p.id, p.statement, p.topic, p.status"
    if search:
        words = search.split()[:MERGE_WORDS]
        search = " ".join(words)
        like = " and ".join(f"p.statement like :w{n} escape '\\'" for n in range(len(words)))
        params: dict[str, Any] = {
            f"w{n}": "%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            for n, w in enumerate(words)
        }
        found = _rows(
            await db.execute(
                f"select {columns} from propositions p where {like or '0'} "
                "order by p.statement limit :limit",
                {**params, "limit": limit + 1},
            )
        )
        seen = {p["id"] for p in found}
        for p in (await overview_counts(db, {"q": search}))["proposition"]:
            if p["id"] and p["id"] not in seen:
                found.append({k: p[k] for k in ("id", "statement", "topic", "status")})
                seen.add(p["id"])
    elif topic:
        found = _rows(
            await db.execute(
                f"select {columns} from propositions p where p.topic = :topic "
                "order by p.statement limit :limit",
                {"topic": topic, "limit": limit + 1},
            )
        )
    else:
        return []
    return [p for p in found if p["id"] != proposition_id][:limit]


def _like_words(column: str, words: list[str]) -> tuple[str, dict[str, Any]]:
    """`column like %word%` for every word (all must match), with LIKE's wildcards escaped."""
    like = " and ".join(f"{column} like :w{n} escape '\\'" for n in range(len(words)))
    params = {
        f"w{n}": "%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        for n, w in enumerate(words)
    }
    return like or "0", params


async def link_candidates(
    db: Any, claim: dict[str, Any], search: str | None, limit: int = 10
) -> list[dict[str, Any]]:
    """Propositions a reviewer may link a claim to, by title: its own, those of the other
    claims of its document, and those the search words find."""
    columns = "p.id, p.statement, p.topic, p.status"
    found = _rows(
        await db.execute(
            f"""select {columns} from propositions p where p.id in (
                    select proposition_id from claims where document_id = :document
                    and proposition_id is not null limit 200)
                order by p.id = :own desc, p.statement limit :limit""",
            {"document": claim["document_id"], "own": claim["proposition_id"], "limit": limit},
        )
    )
    if search:
        seen = {p["id"] for p in found}
        others = await merge_candidates(db, "", None, search, limit)
        found = [p for p in others if p["id"] not in seen] + found
    return found[: limit * 2]


async def source_candidates(
    db: Any, source: dict[str, Any], search: str | None, limit: int = 10
) -> list[dict[str, Any]]:
    """Sources a provisional source may be merged into, by name: those whose name has the
    search words, or without a search those sharing a longer word of its name."""
    words = (search or "").split()[:8]
    if words:
        like, params = _like_words("s.name", words)
    else:  # any longer word of its name ("Berg" of "Anna Berg") finds the registry's entry
        words = [w for w in str(source.get("name") or "").split() if len(w) >= 4][:4]
        if not words:
            return []
        params = _like_words("s.name", words)[1]
        like = " or ".join(f"s.name like :w{n} escape '\\'" for n in range(len(words)))
    origin = "and s.origin != 'merged'" if await _has_source_origin(db) else ""
    return _rows(
        await db.execute(
            f"""select s.id, s.name, s.kind, s.role, p.name as parent_name from sources s
                left join sources p on p.id = s.parent_id
                where ({like}) and s.id != :own {origin}
                order by s.name limit :limit""",
            {**params, "own": source["id"], "limit": limit},
        )
    )


STORY_LIST = 30  # other stories the story page links


async def stories(db: Any, limit: int = STORY_LIST) -> list[dict[str, Any]]:
    """The largest stories (db/stories.py), each named by its most-claimed proposition.

    Empty for a database from before the story graph (migration 0014)."""
    if not await db.table_exists("stories"):
        return []
    found = _rows(
        await db.execute(
            "select id, propositions, documents from stories "
            "order by propositions desc, documents desc, id limit :limit",
            {"limit": limit},
        )
    )
    if not found:
        return []
    marks = ", ".join(f":s{n}" for n in range(len(found)))
    names = (
        await db.execute(
            f"""select story_id, statement from (
                    select sp.story_id, p.statement, row_number() over (
                        partition by sp.story_id order by coalesce(k.count, 0) desc, p.id
                    ) as n
                    from story_propositions sp join propositions p on p.id = sp.proposition_id
                    left join claim_counts k
                      on k.dimension = 'proposition' and k.value = sp.proposition_id
                    where sp.story_id in ({marks}))
                where n = 1""",
            {f"s{n}": story["id"] for n, story in enumerate(found)},
        )
    ).rows
    statement = {row[0]: row[1] for row in names}
    for story in found:
        story["statement"] = statement.get(story["id"])
    return found


async def story_members(db: Any, story_id: str) -> list[dict[str, Any]]:
    """A story's propositions, the ones with most claims first (up to 100 of them)."""
    if not await db.table_exists("story_propositions"):
        return []
    return _rows(
        await db.execute(
            """select p.id, p.statement, p.topic, p.status, coalesce(k.count, 0) as claims
               from story_propositions sp join propositions p on p.id = sp.proposition_id
               left join claim_counts k
                 on k.dimension = 'proposition' and k.value = sp.proposition_id
               where sp.story_id = :story
               order by claims desc, p.statement limit 100""",
            {"story": story_id},
        )
    )
