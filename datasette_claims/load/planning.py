"""Read input paths into a validated load plan; nothing touches the database here.

Everything that can be wrong with the input is found before the first write, and the
store then applies the whole plan in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import sqlite_utils

from datasette_claims.db.schema import check_compatible
from datasette_claims.errors import LoadError
from datasette_claims.extract import Extractor, choose_extractors
from datasette_claims.extract.identity import identity_key
from datasette_claims.extract.linking import AliasIndex, SourceInfo
from datasette_claims.formats import registered_importers
from datasette_claims.formats.base import ImportBatch, Importer, choose_importer
from datasette_claims.inputs.article import Article, read_article
from datasette_claims.inputs.curated import CuratedFile, parse_curated
from datasette_claims.inputs.decoding import decode_head, read_bytes
from datasette_claims.inputs.html import HTML_SUFFIXES, read_html
from datasette_claims.inputs.limits import check_size
from datasette_claims.inputs.registry import SourceEntry, independence_groups, parse_registry
from datasette_claims.inputs.structured import read_structured
from datasette_claims.load.discovery import ARTICLE_SUFFIXES, STRUCTURED_SUFFIXES, discover
from datasette_claims.load.imports import existing_ids, merge_imports
from datasette_claims.load.matching import TermsAhead, match_claims
from datasette_claims.load.plan import LoadPlan, LoadSession
from datasette_claims.load.rows import (
    article_document_row,
    curated_claim_row,
    curated_proposition_row,
    entry_line,
    extracted_rows,
    occurrences,
)

# What files hold, read and checked: articles, registry entries, claim files, imports.
Inputs = tuple[list[Article], list[SourceEntry], list[CuratedFile], list[ImportBatch]]


def read_inputs(
    files: list[Path],
    progress: Callable[[Path], None] | None = None,
    forced_format: str | None = None,
    verdicts: dict[str, str] | None = None,
) -> Inputs:
    """Parse every file; raises LoadError naming the first bad file, line and field."""
    articles: list[Article] = []
    sources: list[SourceEntry] = []
    curated: list[CuratedFile] = []
    batches: list[ImportBatch] = []
    importers = registered_importers()
    for path in files:
        if progress:
            progress(path)
        suffix = path.suffix.lower()
        importer = importer_for(path, importers, forced_format)
        if importer is not None:
            batch = ImportBatch(str(path), verdicts=verdicts)
            importer.read(path, batch)
            if not batch.claims:
                raise LoadError(f"no claims found ({importer.description})", file=str(path))
            batches.append(batch)
        elif suffix in ARTICLE_SUFFIXES:
            articles.append(read_any_article(path))
        elif suffix in STRUCTURED_SUFFIXES:
            check_size(path, "file")  # before parsing: YAML takes ~70 bytes of memory a byte
            data = read_structured(path)
            if isinstance(data, dict) and "sources" in data:
                sources.extend(parse_registry(data, str(path)))
            elif isinstance(data, dict) and "claims" in data:
                curated.append(parse_curated(data, str(path)))
            else:
                raise LoadError(
                    "not a source registry or claim file: expected a top-level "
                    "'sources' or 'claims' key",
                    file=str(path),
                    line=1,
                )
        else:
            raise LoadError(
                f"cannot load '{suffix or path.name}' files; expected .txt, .md or .html articles, "
                ".yml/.yaml/.json claim files and source registries, or data an importer "
                f"reads ({', '.join(i.name for i in importers)}; see --format)",
                file=str(path),
            )
    return articles, sources, curated, batches


def read_any_article(path: Path) -> Article:
    """A text, Markdown or saved HTML article, by its file name, if within --max-bytes
    (checked before it is read: trafilatura and extraction are the slow part of a load)."""
    check_size(path, "article")
    if path.suffix.lower() in HTML_SUFFIXES:
        return read_html(path)
    return read_article(path)


def importer_for(path: Path, importers: list[Importer], forced: str | None) -> Importer | None:
    """The importer for a file: the forced one, or the first that recognises its head."""
    if forced:
        return choose_importer(path, "", importers, forced)
    raw = read_bytes(path, 65536)
    if not raw.strip():
        raise LoadError("the file is empty", file=str(path))
    return choose_importer(path, decode_head(raw), importers, None)


def plan_load(
    db: sqlite_utils.Database,
    paths: Iterable[str | Path],
    progress: Callable[[Path], None] | None = None,
    extract: bool = True,
    forced_format: str | None = None,
    verdicts: dict[str, str] | None = None,
    session: LoadSession | None = None,
    discovered: bool = False,
    fetched: list[Article] | None = None,
    inputs: Inputs | None = None,
    terms: tuple[str, TermsAhead] | None = None,
    extractors: list[Extractor] | None = None,
    named: set[Path] | None = None,
) -> LoadPlan:
    """Read and cross-check all inputs against each other and what the database holds.

    `fetched` are articles read from the web already (`datasette claims fetch`), `inputs`
    what read_inputs() gave for `paths` already (a file read ahead, see prefetch.py), and
    `terms` its claims' matching terms worked out there.
    `paths` may be files and directories; pass `discover(paths)` to know the count first,
    and `discovered=True` when `paths` are such files already (they are not walked again).
    With `extract`, the registered extractors (or `extractors`) find claims in every
    document; beside a
    curated claim file only extracted claims that cover text no curated claim covers stay.
    `named` are the files the user named themselves (resolved): the only articles outside
    its folder a claim file may name; by default the files among undiscovered `paths`.
    """
    check_compatible(db)
    if named is None:
        named = set() if discovered else {Path(p).resolve() for p in paths if Path(p).is_file()}
    files = [Path(p) for p in paths] if discovered else discover(paths)
    articles, sources, curated_files, batches = inputs or read_inputs(
        files, progress, forced_format, verdicts
    )
    articles.extend(fetched or [])  # pages fetched from the web, read already
    plan = LoadPlan(files=[str(f) for f in files])
    plan.warnings = [w for w in (a.decoding_warning() for a in articles) if w]

    # Imported sources fill gaps; a source the registry or database knows is kept as is.
    known_sources = {s.id for s in sources} | existing_ids(db, "sources")
    for batch in batches:
        for entry in batch.sources.values():
            if entry.id not in known_sources:
                sources.append(entry)
                known_sources.add(entry.id)
    plan.groups = _source_groups(db, sources)
    plan.sources = sources

    # Only claim files look articles up by path: no path resolving without them.
    by_path = {Path(a.path).resolve(): a for a in articles} if curated_files else {}
    documents: dict[str, tuple[Article, dict[str, Any]]] = {}
    for article in articles:
        documents.setdefault(article.id, (article, {}))

    known_props = existing_ids(db, "propositions")
    planned_props: dict[str, str] = {}
    claim_ids: dict[str, str] = {}
    curated_for: dict[str, str] = {}
    for cf in curated_files:
        article = _curated_document(db, cf, by_path, named)
        if article.id in curated_for:
            raise LoadError(
                f"a second claim file for the same document (the first is "
                f"{curated_for[article.id]}); merge them into one",
                file=cf.path,
                line=cf.line,
                field="document",
            )
        curated_for[article.id] = cf.path
        documents[article.id] = (article, cf.document_meta)
        for prop in cf.propositions:
            if prop.id in planned_props:
                raise LoadError(
                    f"proposition '{prop.id}' is also defined in {planned_props[prop.id]}",
                    file=cf.path,
                    line=prop.line,
                    field="id",
                )
            planned_props[prop.id] = cf.path
            plan.propositions.append(curated_proposition_row(prop))
        published = (cf.document_meta.get("published_at") or article.published_at or "")[:10]
        found = occurrences(cf.claims, article.text)  # one pass for the whole file
        for claim_entry in cf.claims:
            row = curated_claim_row(claim_entry, cf, article, published or None, found)
            if claim_entry.source_id and claim_entry.source_id not in known_sources:
                raise LoadError(
                    f"unknown source '{claim_entry.source_id}'; add it to the source registry",
                    file=cf.path,
                    line=entry_line(claim_entry, "source"),
                    field="source",
                )
            if claim_entry.proposition_id and not (
                claim_entry.proposition_id in planned_props
                or claim_entry.proposition_id in known_props
            ):
                raise LoadError(
                    f"unknown proposition '{claim_entry.proposition_id}'; define it under "
                    "'propositions:' in this file",
                    file=cf.path,
                    line=entry_line(claim_entry, "proposition"),
                    field="proposition",
                )
            if row["id"] in claim_ids:
                raise LoadError(
                    f"claim id '{row['id']}' is used twice (also in {claim_ids[row['id']]})",
                    file=cf.path,
                    line=entry_line(claim_entry, "id"),
                    field="id",
                )
            claim_ids[row["id"]] = cf.path
            plan.claims.append(row)

    # One index of every linkable source serves extraction and matching (extraction only
    # reads it).
    index = alias_index(db, sources)
    if extract:
        extractors = extractors if extractors is not None else choose_extractors(None)
        # Each document's curated spans, gathered in one pass (not one scan per document).
        # Only the curated rows count: extracted rows added below are another document's.
        spans_of: dict[str, list[tuple[int, int]]] = {}
        for row in plan.claims:
            spans_of.setdefault(row["document_id"], []).append((row["start"], row["end"]))
        for document_id, (article, meta) in documents.items():
            curated_spans = spans_of.get(document_id, [])
            plan.claims.extend(
                extracted_rows(
                    article,
                    meta,
                    index,
                    extractors,
                    curated_spans,
                    claim_ids,
                    plan.suggested_sources,
                )
            )
        for extractor in extractors:
            plan.extraction_notes.update(extractor.take_notes())
        _follow_source_decisions(db, plan)
    for article, meta in documents.values():
        plan.documents.append(article_document_row(article, meta))
    merge_imports(db, plan, batches, known_props | set(planned_props), claim_ids)
    match_claims(db, plan, index, {d["id"]: d for d in plan.documents}, session, terms)
    return plan


def _follow_source_decisions(db: sqlite_utils.Database, plan: LoadPlan) -> None:
    """Provisional sources a person merged into another stay merged: their claims go to
    the source the person chose, and the suggestion is not made again."""
    if not plan.suggested_sources:
        return
    _one_source_per_name(db, plan)
    merged = dict(
        db.execute(
            "select id, merged_into from sources "
            "where origin = 'merged' and merged_into is not null"
        ).fetchall()
    )
    for row in plan.claims:
        target = merged.get(row["source_id"] or "")
        if target:
            row["source_id"] = target
    for source_id in merged:
        plan.suggested_sources.pop(source_id, None)
    # A parent only where a registry source exists for it (this load's or the database's).
    known = {entry.id for entry in plan.sources}
    for suggestion in plan.suggested_sources.values():
        parent = suggestion["parent_id"]
        if (
            parent
            and parent not in known
            and db.execute("select 1 from sources where id = ?", [parent]).fetchone() is None
        ):
            suggestion["parent_id"] = None


def _one_source_per_name(db: sqlite_utils.Database, plan: LoadPlan) -> None:
    """One person under two spellings ("Selenskyj", "Zelensky") is one suggested source:
    the first the database (or else this load) gave that name's identity key."""
    suggested = plan.suggested_sources
    named = [s for s in suggested if not suggested[s].get("document_id")]
    if not named or not db["sources"].exists():
        return
    # A suggestion the database holds already kept its id when it was made: only new
    # ones are compared (a reload compares nothing).
    stored = {
        source_id
        for (source_id,) in db.execute(
            "select id from sources where id in (select value from json_each(?))",
            [json.dumps(named)],
        )
    }
    if stored >= set(named):
        return
    first: dict[str, str] = {}
    scoped = "and document_id is null" if "document_id" in db["sources"].columns_dict else ""
    for (source_id,) in db.execute(
        f"select id from sources where id like 'suggested-%' {scoped} order by rowid"
    ):
        first.setdefault(identity_key(source_id.removeprefix("suggested-")), source_id)
    moved: dict[str, str] = {}
    for source_id in named:
        chosen = first.setdefault(identity_key(source_id.removeprefix("suggested-")), source_id)
        if chosen != source_id:
            moved[source_id] = chosen
            del suggested[source_id]
    if moved:
        for row in plan.claims:
            row["source_id"] = moved.get(row["source_id"] or "", row["source_id"])


def alias_index(db: sqlite_utils.Database, sources: list[SourceEntry]) -> AliasIndex:
    """Every source the extractor can link to: the database's and this load's."""
    index = AliasIndex()
    known: dict[str, tuple[SourceInfo, list[str]]] = {}
    if db["sources"].exists():
        # Provisional sources are not linked to by name: the words that suggested them
        # suggest them again, so a first load and a reload give the same claims.
        linkable = (
            "where origin in ('registry', 'confirmed')"
            if "origin" in db["sources"].columns_dict
            else ""  # a database from before provisional sources, not migrated yet
        )
        for source_id, name, kind, role in db.execute(
            f"select id, name, kind, role from sources {linkable}"
        ).fetchall():
            known[source_id] = (SourceInfo(source_id, name, kind, role), [])
        for alias, source_id in db.execute(
            "select alias, source_id from source_aliases"
        ).fetchall():
            if source_id in known:
                known[source_id][1].append(alias)
    for entry in sources:
        known[entry.id] = (
            SourceInfo(entry.id, entry.name, entry.kind, entry.role),
            [alias for alias, _ in entry.aliases],
        )
    for info, aliases in known.values():
        index.add(info, aliases)
    return index


def _source_groups(db: sqlite_utils.Database, sources: list[SourceEntry]) -> dict[str, str]:
    """Every source's independent institution after this load (database and input).

    Parents and declared groups must name known sources, and parents form no cycle.
    """
    parents: dict[str, str | None] = {}
    explicit: dict[str, str | None] = {}
    if db["sources"].exists():
        for row in db.execute("select id, parent_id, declared_group from sources").fetchall():
            parents[row[0]] = row[1]
            explicit[row[0]] = row[2]
    for entry in sources:
        parents[entry.id] = entry.parent_id
        explicit[entry.id] = entry.independence_group
    for entry in sources:
        for field_name, target in (
            ("parent", entry.parent_id),
            ("independence_group", entry.independence_group),
        ):
            if target and target not in parents:
                raise LoadError(
                    f"unknown source '{target}'; it must be defined in a source registry",
                    file=entry.file,
                    line=entry.line,
                    field=field_name,
                )
    return independence_groups(parents, explicit, {e.id: (e.file, e.line) for e in sources})


def _curated_document(
    db: sqlite_utils.Database, cf: CuratedFile, by_path: dict[Path, Article], named: set[Path]
) -> Article:
    """The article a claim file is about: named by file (read if not given) or by id."""
    if cf.document_file:
        folder = Path(cf.path).parent.resolve()
        target = (Path(cf.path).parent / cf.document_file).resolve()
        # Only the claim file's own folder (after `..` and symlinks), or an article the
        # user named: a claim file must not pull in any file it names (`/etc/passwd`,
        # `../../x`, `notes.txt -> ~/.ssh/id_rsa`), even one a folder load reads.
        if not target.is_relative_to(folder) and target not in named:
            raise LoadError(
                f"the article '{cf.document_file}' lies outside the claim file's folder "
                f"(it resolves to {target}); put it beside the claim file or name it on "
                "the command line",
                file=cf.path,
                line=cf.file_line or cf.line,
                field="file",
            )
        if target in by_path:
            return by_path[target]
        if not target.exists():
            raise LoadError(
                f"the article '{cf.document_file}' does not exist next to the claim file",
                file=cf.path,
                line=cf.file_line or cf.line,
                field="file",
            )
        article = read_any_article(target)
        by_path[target] = article
        return article
    assert cf.document_id is not None
    row = None
    if db["documents"].exists():
        row = db.execute(
            "select id, text, title, kicker, published_at, path, header, language "
            "from documents where id = ?",
            [cf.document_id],
        ).fetchone()
    if row is None:
        raise LoadError(
            f"no document with id '{cf.document_id}' in the database; load its article first",
            file=cf.path,
            line=cf.line,
            field="id",
        )
    return Article(
        path=row[5] or "",
        text=row[1],
        title=row[2],
        kicker=row[3],
        published_at=row[4],
        header=row[6],
        language=row[7],
    )
