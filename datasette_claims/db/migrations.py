"""The claims schema as numbered migrations, each one function with its own DDL.

Every migration runs once, inside the caller's transaction, and is recorded in
`claims_migrations`; a database at migration N is upgraded by running N+1...
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from functools import cache
from typing import NamedTuple

import sqlite_utils

from datasette_claims.db.history import now
from datasette_claims.db.schema import COUNTED, check_compatible
from datasette_claims.db.statuses import update_derived_statuses
from datasette_claims.model import (
    LINK_STATUSES,
    ORIGINS,
    QUOTE_KINDS,
    RELIABILITY_GRADES,
    SOURCE_KINDS,
    SOURCE_ORIGINS,
    STANCES,
    STATUSES,
)


class Migration(NamedTuple):
    name: str
    apply: Callable[[sqlite_utils.Database], None]


# In the order they run; each function below adds itself with @migration.
MIGRATIONS: list[Migration] = []


def migration(name: str) -> Callable[[Callable[[sqlite_utils.Database], None]], Migration]:
    def register(apply: Callable[[sqlite_utils.Database], None]) -> Migration:
        found = Migration(name, apply)
        MIGRATIONS.append(found)
        return found

    return register


def _run(db: sqlite_utils.Database, statements: list[str]) -> None:
    for statement in statements:
        db.execute(statement)


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


@migration("0001_initial")
def initial(db: sqlite_utils.Database) -> None:
    ddl = [
        f"""
        create table sources (
            id text primary key,
            name text not null,
            kind text not null check (kind in {_in(SOURCE_KINDS)}),
            role text,
            country text,
            parent_id text references sources(id),
            independence_group text not null references sources(id) deferrable initially deferred,
            declared_group text references sources(id) deferrable initially deferred,
            url text,
            description text,
            aliases text not null default '[]'
        )""",
        """
        create table source_aliases (
            alias text not null,
            language text,
            source_id text not null references sources(id),
            primary key (alias, source_id)
        )""",
        """
        create table documents (
            id text primary key,
            title text,
            kicker text,
            publisher text,
            url text,
            published_at text,
            language text,
            content_hash text not null unique,
            path text,
            header text,
            text text not null,
            loaded_at text not null
        )""",
        """
        create table propositions (
            id text primary key,
            statement text not null,
            topic text,
            created_at text not null
        )""",
        f"""
        create table claims (
            id text primary key,
            document_id text not null references documents(id),
            source_id text references sources(id),
            proposition_id text references propositions(id),
            text text not null,
            start integer not null check (start >= 0),
            "end" integer not null check ("end" > start),
            speaker text,
            quote_kind text not null check (quote_kind in {_in(QUOTE_KINDS)}),
            stance text not null check (stance in {_in(STANCES)}),
            hedge text,
            figure_value numeric,
            figure_unit text,
            figure_text text,
            figure_as_of text,
            figure_is_forecast integer not null default 0,
            event_date text,
            claimed_at text,
            status text not null default 'unverified' check (status in {_in(STATUSES)}),
            origin text not null check (origin in {_in(ORIGINS)}),
            confidence real,
            note text,
            created_at text not null,
            updated_at text not null
        )""",
        """
        create table claim_history (
            id integer primary key,
            claim_id text not null references claims(id),
            changed_at text not null,
            changed_by text not null,
            action text not null check (action in ('created', 'updated', 'status', 'review')),
            field text,
            old_value text,
            new_value text,
            reason text,
            evidence_url text
        )""",
        # History is append-only: SQLite itself refuses edits and deletions.
        """
        create trigger claim_history_no_update before update on claim_history
        begin select raise(abort, 'claim_history is append-only'); end""",
        """
        create trigger claim_history_no_delete before delete on claim_history
        begin select raise(abort, 'claim_history is append-only'); end""",
        "create index idx_sources_parent on sources(parent_id)",
        "create index idx_sources_group on sources(independence_group)",
        "create index idx_source_aliases_source on source_aliases(source_id)",
        "create index idx_source_aliases_alias on source_aliases(alias collate nocase)",
        "create index idx_claims_status on claims(status)",
        "create index idx_claims_source on claims(source_id, status)",
        "create index idx_claims_proposition on claims(proposition_id, status)",
        "create index idx_claims_document on claims(document_id, start)",
        "create index idx_claim_history_claim on claim_history(claim_id, id)",
        "create index idx_claim_history_changed on claim_history(changed_at)",
        "create index idx_propositions_topic on propositions(topic)",
    ]
    _run(db, ddl)
    # FTS5 kept current by triggers, so Datasette's search box works on both tables.
    db.table("claims").enable_fts(["text", "speaker"], create_triggers=True, tokenize="unicode61")
    db.table("documents").enable_fts(["title", "text"], create_triggers=True, tokenize="unicode61")


@migration("0002_reviews_evidence_track_records")
def reviews_evidence_track_records(db: sqlite_utils.Database) -> None:
    ddl = [
        # Reviews: who decided a claim's status on what evidence. A reviewed claim's status is
        # a person's decision; derivation never overrides it.
        "alter table claims add column reviewed_at text",
        "alter table claims add column reviewed_by text",
        "alter table claims add column credibility integer check (credibility between 1 and 6)",
        "alter table sources add column reliability text "
        f"check (reliability in {_in(RELIABILITY_GRADES)})",
        f"""alter table propositions add column status text not null default 'unverified'
            check (status in {_in(STATUSES)})""",
        "alter table propositions add column status_updated_at text",
        """
        create table evidence (
            id integer primary key,
            claim_id text not null references claims(id),
            history_id integer references claim_history(id),
            url text not null,
            note text,
            added_by text not null,
            added_at text not null
        )""",
        "create index idx_evidence_claim on evidence(claim_id)",
        "create index idx_propositions_status on propositions(status)",
        "create index idx_claim_history_action on claim_history(action, changed_at)",
        # A source's track record: how its claims ended, always current.
        """
        create view source_track_records as
        select s.id as source_id, s.name, s.kind, s.reliability,
            count(c.id) as claims,
            sum(c.status = 'confirmed') as confirmed,
            sum(c.status = 'refuted') as refuted,
            sum(c.status = 'disputed') as disputed,
            sum(c.status = 'retracted') as retracted,
            sum(c.status in ('unverified', 'corroborated')) as unresolved
        from sources s left join claims c on c.source_id = s.id
        group by s.id""",
    ]
    _run(db, ddl)
    # Existing propositions get their derived status now, not at their next load.
    ids = [row[0] for row in db.execute("select id from propositions").fetchall()]
    update_derived_statuses(db, ids, now(), "migration 0002")


@migration("0003_imports")
def imports(db: sqlite_utils.Database) -> None:
    ddl = [
        # Imported data: fields we do not map are kept, not dropped.
        "alter table claims add column external_id text",
        "alter table claims add column extra text",
        "alter table sources add column extra text",
        # Fact-checkers' verdicts, verbatim, beside the status they map to.
        f"""
        create table claim_reviews (
            id integer primary key,
            claim_id text not null references claims(id),
            reviewer text not null,
            reviewer_url text,
            verdict text,
            rating_value text,
            best_rating text,
            worst_rating text,
            status text not null check (status in {_in(STATUSES)}),
            url text,
            reviewed_at text,
            imported_from text,
            unique (claim_id, reviewer, url, verdict)
        )""",
        "create index idx_claim_reviews_claim on claim_reviews(claim_id)",
        # Rating histories a dataset gives a source (LIAR's credit history counts).
        """
        create table source_ratings (
            source_id text not null references sources(id),
            scheme text not null,
            label text not null,
            count integer not null,
            primary key (source_id, scheme, label)
        )""",
        "create index idx_claims_external on claims(external_id)",
    ]
    _run(db, ddl)


@migration("0004_matching")
def matching(db: sqlite_utils.Database) -> None:
    ddl = [
        # How a claim came to its proposition: a claim file, the matcher, or a person.
        "alter table claims add column link_status text "
        f"check (link_status in {_in(LINK_STATUSES)})",
        "alter table claims add column link_score real",
        "update claims set link_status = 'curated' where proposition_id is not null",
        "alter table propositions add column origin text not null default 'curated'",
        "alter table propositions add column merged_into text references propositions(id)",
        # The matcher's index: each proposition's terms (entities, concepts, stems) and counts.
        """
        create table proposition_terms (
            proposition_id text not null references propositions(id),
            term text not null,
            count integer not null,
            primary key (proposition_id, term)
        )""",
        "create index idx_proposition_terms_term on proposition_terms(term)",
        # Pairs people rejected: never suggested again.
        """
        create table rejected_links (
            claim_id text not null references claims(id),
            proposition_id text not null references propositions(id),
            rejected_by text not null,
            rejected_at text not null,
            primary key (claim_id, proposition_id)
        )""",
    ]
    _run(db, ddl)


def _count_sql(sign: str, row: str) -> str:
    parts = [f"('all', '', {sign}1)"] + [
        f"('{dimension}', coalesce({row}.{column}, ''), {sign}1)" for dimension, column in COUNTED
    ]
    return (
        "insert into claim_counts (dimension, value, count) values "
        + ", ".join(parts)
        + " on conflict (dimension, value) do update set count = count + excluded.count;"
    )


@migration("0005_counts_loaded_files")
def counts_loaded_files(db: sqlite_utils.Database) -> None:
    ddl = [
        # Counts kept current by triggers, so the overview never scans a million claims.
        """
        create table claim_counts (
            dimension text not null,
            value text not null,
            count integer not null,
            primary key (dimension, value)
        )""",
        "create index idx_claim_counts_rank on claim_counts(dimension, count desc)",
        f"create trigger claim_counts_insert after insert on claims "
        f"begin {_count_sql('+', 'new')} end",
        f"create trigger claim_counts_delete after delete on claims "
        f"begin {_count_sql('-', 'old')} end",
        f"""create trigger claim_counts_update after update of status, source_id, proposition_id
            on claims begin {_count_sql("-", "old")} {_count_sql("+", "new")} end""",
        """insert into claim_counts (dimension, value, count)
            select 'all', '', count(*) from claims""",
        """insert into claim_counts (dimension, value, count)
            select 'status', status, count(*) from claims group by status""",
        """insert into claim_counts (dimension, value, count)
            select 'source', coalesce(source_id, ''), count(*) from claims group by 1""",
        """insert into claim_counts (dimension, value, count)
            select 'proposition', coalesce(proposition_id, ''), count(*) from claims group by 1""",
        # Files already loaded, by content hash: an unchanged file is skipped on the next load,
        # wherever it lies now.
        """
        create table loaded_files (
            sha256 text primary key,
            path text not null,
            size integer not null,
            loaded_at text not null
        )""",
    ]
    _run(db, ddl)


def _fts_update_trigger(table: str, columns: tuple[str, ...]) -> list[str]:
    names = ", ".join(f"[{c}]" for c in columns)
    old = ", ".join(f"old.[{c}]" for c in columns)
    new = ", ".join(f"new.[{c}]" for c in columns)
    return [
        f"drop trigger if exists [{table}_au]",
        f"""create trigger [{table}_au] after update of {names} on [{table}] begin
            insert into [{table}_fts] ([{table}_fts], rowid, {names})
                values ('delete', old.rowid, {old});
            insert into [{table}_fts] (rowid, {names}) values (new.rowid, {new});
        end""",
    ]


# Full-text rows are rewritten only when an indexed column changes, not on every status
# change (sqlite-utils' triggers fire on any update).


@migration("0006_fts_update_triggers")
def fts_update_triggers(db: sqlite_utils.Database) -> None:
    ddl = _fts_update_trigger("claims", ("text", "speaker")) + _fts_update_trigger(
        "documents", ("title", "text")
    )
    _run(db, ddl)


@migration("0007_history_no_replace_imported_verdicts_as_evidence")
def history_no_replace_imported_verdicts_as_evidence(db: sqlite_utils.Database) -> None:
    ddl = [
        # REPLACE deletes the old row without firing delete triggers: refuse any insert
        # that would land on an existing history row.
        """
        create trigger claim_history_no_replace before insert on claim_history
        when exists (select 1 from claim_history where id = new.id)
        begin select raise(abort, 'claim_history is append-only'); end""",
        # Earlier releases wrote imported verdicts into the review columns, as if a person
        # had decided: a review column that matches an imported verdict, with no
        # person's review recorded at that moment, is an import and is cleared.
        """
        update claims set reviewed_at = null, reviewed_by = null
        where reviewed_by is not null
          and exists (
            select 1 from claim_reviews r
            where r.claim_id = claims.id and r.reviewer = claims.reviewed_by)
          and not exists (
            select 1 from claim_history h
            where h.claim_id = claims.id and h.action = 'review'
              and h.changed_by = claims.reviewed_by and h.changed_at = claims.reviewed_at
              and coalesce(h.reason, '') not like 'verdict %imported from %')""",
    ]
    _run(db, ddl)
    # Statuses follow from the rules again: imported verdicts now rank below people.
    ids = [row[0] for row in db.execute("select id from propositions").fetchall()]
    update_derived_statuses(db, ids, now(), "migration 0007")


@migration("0008_suggested_sources")
def suggested_sources(db: sqlite_utils.Database) -> None:
    ddl = [
        # Where a source comes from: the curated registry, or a speaker the registry did
        # not know (suggested), which a person then confirmed or merged into another.
        "alter table sources add column origin text not null default 'registry' "
        f"check (origin in {_in(SOURCE_ORIGINS)})",
        "alter table sources add column merged_into text references sources(id)",
        "create index idx_sources_origin on sources(origin)",
        # Reviewed claims are few: finding them (already-checked propositions) must not
        # scan every claim, and unreviewed rows cost the index nothing.
        "create index idx_claims_reviewed on claims(proposition_id, reviewed_at) "
        "where reviewed_at is not null",
        # Who wrote an article, from a web page's metadata or a text file's front matter.
        "alter table documents add column author text",
        # A page fetched from the web: when, and the SHA-256 of the raw bytes received.
        "alter table documents add column fetched_at text",
        "alter table documents add column raw_sha256 text",
        """
        create table source_history (
            id integer primary key,
            source_id text not null,
            changed_at text not null,
            changed_by text not null,
            action text not null,
            field text,
            old_value text,
            new_value text,
            reason text
        )""",
        "create index idx_source_history_source on source_history(source_id)",
        """
        create trigger source_history_no_update before update on source_history
        begin select raise(abort, 'source_history is append-only'); end""",
        """
        create trigger source_history_no_delete before delete on source_history
        begin select raise(abort, 'source_history is append-only'); end""",
        """
        create trigger source_history_no_replace before insert on source_history
        when exists (select 1 from source_history where id = new.id)
        begin select raise(abort, 'source_history is append-only'); end""",
    ]
    _run(db, ddl)


@migration("0009_document_encoding")
def document_encoding(db: sqlite_utils.Database) -> None:
    ddl = [
        # HTML pages are decoded by us (BOM, HTTP header, <meta charset>, a detector):
        # the encoding used, and how many invalid byte sequences became U+FFFD.
        "alter table documents add column encoding text",
        "alter table documents add column replacements integer",
        # The URL a page was fetched from (after redirects), beside `url`, which a page's
        # rel=canonical may name.
        "alter table documents add column fetched_url text",
    ]
    _run(db, ddl)


@migration("0011_suggested_never_corroborate")
def suggested_never_corroborate(db: sqlite_utils.Database) -> None:
    ddl = [
        # A suggested source named only by a common noun ("die Polizei", "the campaign")
        # belongs to the one document that names it: two articles' police are not
        # known to be one institution, nor two.
        "alter table sources add column document_id text "
        "references documents(id) deferrable initially deferred",
        "create index idx_sources_document on sources(document_id) where document_id is not null",
    ]
    _run(db, ddl)
    # Suggested sources no longer corroborate: statuses follow from the rules again,
    # each change a `status` row in claim_history.
    ids = [row[0] for row in db.execute("select id from propositions").fetchall()]
    update_derived_statuses(db, ids, now(), "migration 0011")


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations in order; returns the names applied."""
    check_compatible(db)
    if not db["claims_migrations"].exists():
        db.execute(
            "create table claims_migrations (name text primary key, applied_at text not null)"
        )
    done = {row["name"] for row in db.query("select name from claims_migrations")}
    applied = []
    for name, apply in MIGRATIONS:
        if name in done:
            continue
        apply(db)
        db.execute(
            "insert into claims_migrations (name, applied_at) values (?, ?)",
            [name, datetime.now(timezone.utc).isoformat(timespec="seconds")],
        )
        applied.append(name)
    return applied


@cache
def our_tables() -> frozenset[str]:
    """Every table the migrations create, found by migrating an empty database once."""
    scratch = sqlite_utils.Database(memory=True)
    migrate(scratch)
    found = frozenset(scratch.table_names())
    scratch.close()
    return found


@migration("0013_document_origin_row")
def document_origin_row(db: sqlite_utils.Database) -> None:
    _run(
        db,
        [
            # A document made from a row of another table (the "Extract claims" enrichment):
            # which table and which row (its primary key as a JSON list), so running it
            # again on the same row finds the document, and an edited row supersedes it.
            "alter table documents add column origin_table text",
            "alter table documents add column origin_pk text",
            "create index idx_documents_origin on documents(origin_table, origin_pk) "
            "where origin_table is not null",
        ],
    )


@migration("0014_story_graph")
def story_graph(db: sqlite_utils.Database) -> None:
    """The story graph (db/stories.py), kept by loads and decisions, built here once."""
    from datasette_claims.db.stories import rebuild_story_graph

    ddl = [
        """
        create table proposition_documents (
            document_id text not null references documents(id),
            proposition_id text not null references propositions(id),
            primary key (document_id, proposition_id)
        ) without rowid""",
        "create index idx_proposition_documents_proposition "
        "on proposition_documents(proposition_id)",
        """
        create table story_links (
            proposition_a text not null references propositions(id),
            proposition_b text not null references propositions(id),
            documents integer not null,
            primary key (proposition_a, proposition_b)
        ) without rowid""",
        "create index idx_story_links_b on story_links(proposition_b)",
        """
        create table stories (
            id text primary key references propositions(id),
            propositions integer not null,
            documents integer not null
        )""",
        "create index idx_stories_size on stories(propositions desc, documents desc)",
        """
        create table story_propositions (
            proposition_id text primary key references propositions(id),
            story_id text not null references stories(id)
        )""",
        "create index idx_story_propositions_story on story_propositions(story_id)",
    ]
    _run(db, ddl)
    rebuild_story_graph(db)


def _recheck(proposition: str) -> list[str]:
    """Trigger statements that work out one proposition's first check again."""
    return [
        f"delete from proposition_checks where proposition_id = {proposition};",
        f"""insert into proposition_checks (proposition_id, first_checked)
            select {proposition}, min(t) from (
                select min(reviewed_at) as t from claims
                where proposition_id = {proposition} and reviewed_at is not null
                union all
                select min(r.reviewed_at) from claims c
                join claim_reviews r on r.claim_id = c.id
                where c.proposition_id = {proposition} and r.reviewed_at is not null
            ) where {proposition} is not null having min(t) is not null;""",
    ]


_EARLIER = (
    "on conflict (proposition_id) do update "
    "set first_checked = min(first_checked, excluded.first_checked)"
)


@migration("0015_proposition_checks")
def proposition_checks(db: sqlite_utils.Database) -> None:
    # When each proposition was first checked (a person's review of one of its claims, or
    # an imported fact-check), kept by triggers: the overview and the checked feed ask it
    # on every request, and working it out from every verdict took seconds at 1M claims.
    old, new = "old.proposition_id", "new.proposition_id"
    ddl = [
        """
        create table proposition_checks (
            proposition_id text primary key,
            first_checked text not null
        )""",
        f"""
        create trigger proposition_checks_claim_insert after insert on claims
        when new.reviewed_at is not null and new.proposition_id is not null
        begin
            insert into proposition_checks (proposition_id, first_checked)
            values (new.proposition_id, new.reviewed_at) {_EARLIER};
        end""",
        f"""
        create trigger proposition_checks_claim_update
        after update of reviewed_at, proposition_id on claims
        when old.reviewed_at is not new.reviewed_at
            or old.proposition_id is not new.proposition_id
        begin
            {" ".join(_recheck(old))}
            {" ".join(_recheck(new))}
        end""",
        f"""
        create trigger proposition_checks_claim_delete after delete on claims
        when old.proposition_id is not null
        begin {" ".join(_recheck(old))} end""",
        f"""
        create trigger proposition_checks_review_insert after insert on claim_reviews
        when new.reviewed_at is not null
        begin
            insert into proposition_checks (proposition_id, first_checked)
            select c.proposition_id, new.reviewed_at from claims c
            where c.id = new.claim_id and c.proposition_id is not null {_EARLIER};
        end""",
        f"""
        create trigger proposition_checks_review_change
        after update of reviewed_at, claim_id on claim_reviews
        begin
            {" ".join(_recheck("(select proposition_id from claims where id = old.claim_id)"))}
            {" ".join(_recheck("(select proposition_id from claims where id = new.claim_id)"))}
        end""",
        f"""
        create trigger proposition_checks_review_delete after delete on claim_reviews
        begin
            {" ".join(_recheck("(select proposition_id from claims where id = old.claim_id)"))}
        end""",
        """
        insert into proposition_checks (proposition_id, first_checked)
        select proposition_id, min(t) from (
            select proposition_id, reviewed_at as t from claims
            where reviewed_at is not null and proposition_id is not null
            union all
            select c.proposition_id, r.reviewed_at from claim_reviews r
            join claims c on c.id = r.claim_id
            where c.proposition_id is not null and r.reviewed_at is not null
        ) group by proposition_id""",
    ]
    _run(db, ddl)
