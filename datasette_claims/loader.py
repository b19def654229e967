"""Read input paths into a validated load plan; nothing touches the database here.

Everything that can be wrong with the input is found before the first write, and the
store then applies the whole plan in one transaction.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from .article import Article, read_article
from .curated import ClaimEntry, CuratedFile, PropositionEntry, parse_curated
from .errors import LoadError
from .extract import AliasIndex, Extractor, SourceInfo, extract_claims, registered_extractors
from .importers import ImportBatch, Importer, choose_importer, registered_importers
from .matching import match_claims
from .registry import SourceEntry, independence_groups, parse_registry
from .schema import check_compatible
from .yamlfile import decode_head, read_structured

ARTICLE_SUFFIXES = {".txt"}
STRUCTURED_SUFFIXES = {".yml", ".yaml", ".json"}
IMPORT_SUFFIXES = {".csv", ".tsv", ".json", ".jsonld"}
# Folders a directory walk never enters: tooling and caches, not reporting.
SKIPPED_DIRS = {"__pycache__", "node_modules", "site-packages", "venv", "env", "build", "dist"}
# Text files that are project paperwork, not articles.
SKIPPED_FILES = re.compile(r"^(requirements.*|license.*|licence.*|copying.*|notice.*)\.txt$", re.I)


@dataclass
class LoadSession:
    """What consecutive plans of one load share: the matcher's index, kept in memory."""

    match_index: Any = None


@dataclass
class LoadPlan:
    """Rows to write, already validated against each other and the database."""

    sources: list[SourceEntry] = field(default_factory=list)
    groups: dict[str, str] = field(default_factory=dict)  # source id -> institution
    documents: list[dict[str, Any]] = field(default_factory=list)
    propositions: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)  # imported verdicts
    proposition_terms: dict[str, Counter] = field(default_factory=dict)  # matcher index delta
    ratings: list[dict[str, Any]] = field(default_factory=list)  # imported source ratings
    files: list[str] = field(default_factory=list)


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Expand directories into the files we know how to load, in a stable order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise LoadError("no such file or directory", file=str(path))
        if path.is_dir():
            matches = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and not _skipped(p.relative_to(path)) and _loadable_name(p)
            )
            if not matches:
                raise LoadError(
                    "directory holds no loadable files (articles *.txt, claim files "
                    "*.claims.yml/.json, source registries sources.yml)",
                    file=str(path),
                )
            found.extend(matches)
        else:
            found.append(path)
    unique: list[Path] = []
    for path in found:
        if path.resolve() not in {p.resolve() for p in unique}:
            unique.append(path)
    return unique


def _skipped(relative: Path) -> bool:
    folders = relative.parts[:-1]
    return (
        any(p.startswith(".") or p in SKIPPED_DIRS or p.endswith(".egg-info") for p in folders)
        or relative.name.startswith(".")
        or bool(SKIPPED_FILES.match(relative.name))
    )


def _loadable_name(path: Path) -> bool:
    name = path.name.lower()
    if path.suffix.lower() in ARTICLE_SUFFIXES | {".csv", ".tsv", ".jsonld"}:
        return True
    if name.endswith(".extracted.jsonl"):
        return True
    if path.suffix.lower() in STRUCTURED_SUFFIXES:
        stem = name.rsplit(".", 1)[0]
        return stem in ("sources", "claims") or stem.endswith((".sources", ".claims"))
    return False


def read_inputs(
    files: list[Path],
    progress: Callable[[Path], None] | None = None,
    forced_format: str | None = None,
    verdicts: dict[str, str] | None = None,
) -> tuple[list[Article], list[SourceEntry], list[CuratedFile], list[ImportBatch]]:
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
        importer = _importer_for(path, importers, forced_format)
        if importer is not None:
            batch = ImportBatch(str(path), verdicts=verdicts)
            importer.read(path, batch)
            if not batch.claims:
                raise LoadError(f"no claims found ({importer.description})", file=str(path))
            batches.append(batch)
        elif suffix in ARTICLE_SUFFIXES:
            articles.append(read_article(path))
        elif suffix in STRUCTURED_SUFFIXES:
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
                f"cannot load '{suffix or path.name}' files; expected .txt articles, "
                ".yml/.yaml/.json claim files and source registries, or data an importer "
                f"reads ({', '.join(i.name for i in importers)}; see --format)",
                file=str(path),
            )
    return articles, sources, curated, batches


def _importer_for(path: Path, importers: list[Importer], forced: str | None) -> Importer | None:
    """The importer for a file: the forced one, or the first that recognises its head."""
    if forced:
        return choose_importer(path, "", importers, forced)
    with open(path, "rb") as handle:
        raw = handle.read(65536)
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
) -> LoadPlan:
    """Read and cross-check all inputs against each other and what the database holds.

    `paths` may be files and directories; pass `discover(paths)` to know the count first.
    With `extract`, the registered extractors find claims in every document; beside a
    curated claim file only extracted claims that cover text no curated claim covers stay.
    """
    check_compatible(db)
    files = discover(paths)
    articles, sources, curated_files, batches = read_inputs(
        files, progress, forced_format, verdicts
    )
    plan = LoadPlan(files=[str(f) for f in files])

    # Imported sources fill gaps; a source the registry or database knows is kept as is.
    known_sources = {s.id for s in sources} | _ids(db, "sources")
    for batch in batches:
        for entry in batch.sources.values():
            if entry.id not in known_sources:
                sources.append(entry)
                known_sources.add(entry.id)
    plan.groups = _source_groups(db, sources)
    plan.sources = sources

    by_path = {Path(a.path).resolve(): a for a in articles}
    documents: dict[str, tuple[Article, dict[str, Any]]] = {}
    for article in articles:
        documents.setdefault(article.id, (article, {}))

    known_props = _ids(db, "propositions")
    planned_props: dict[str, str] = {}
    claim_ids: dict[str, str] = {}
    curated_for: dict[str, str] = {}
    for cf in curated_files:
        article = _curated_document(db, cf, by_path)
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
            plan.propositions.append(_proposition_row(prop))
        published = (cf.document_meta.get("published_at") or article.published_at or "")[:10]
        for entry in cf.claims:
            row = _claim_row(entry, cf, article, published or None)
            if entry.source_id and entry.source_id not in known_sources:
                raise LoadError(
                    f"unknown source '{entry.source_id}'; add it to the source registry",
                    file=cf.path,
                    line=_line(entry, "source"),
                    field="source",
                )
            if entry.proposition_id and not (
                entry.proposition_id in planned_props or entry.proposition_id in known_props
            ):
                raise LoadError(
                    f"unknown proposition '{entry.proposition_id}'; define it under "
                    "'propositions:' in this file",
                    file=cf.path,
                    line=_line(entry, "proposition"),
                    field="proposition",
                )
            if row["id"] in claim_ids:
                raise LoadError(
                    f"claim id '{row['id']}' is used twice (also in {claim_ids[row['id']]})",
                    file=cf.path,
                    line=_line(entry, "id"),
                    field="id",
                )
            claim_ids[row["id"]] = cf.path
            plan.claims.append(row)

    if extract:
        index = _alias_index(db, sources)
        extractors = registered_extractors()
        for document_id, (article, meta) in documents.items():
            curated_spans = [
                (row["start"], row["end"])
                for row in plan.claims
                if row["document_id"] == document_id
            ]
            plan.claims.extend(
                _extracted_rows(article, meta, index, extractors, curated_spans, claim_ids)
            )
    for article, meta in documents.values():
        plan.documents.append(_document_row(article, meta))
    _merge_imports(db, plan, batches, known_props | set(planned_props), claim_ids)
    match_claims(db, plan, _alias_index(db, sources), {d["id"]: d for d in plan.documents}, session)
    return plan


def _kept_claims(db: sqlite_utils.Database, ids: list[str]) -> dict[str, str | None]:
    """Claims that exist and were not imported (id -> who reviewed them): never overwritten."""
    if not ids or not db["claims"].exists() or "reviewed_by" not in db["claims"].columns_dict:
        return {}
    kept: dict[str, str | None] = {}
    for at in range(0, len(ids), 500):
        chunk = ids[at : at + 500]
        marks = ", ".join("?" for _ in chunk)
        for claim_id, reviewer in db.execute(
            f"select id, reviewed_by from claims where origin != 'imported' and id in ({marks})",
            chunk,
        ).fetchall():
            kept[claim_id] = reviewer
    return kept


def _check_extracted(
    db: sqlite_utils.Database,
    path: str,
    row: dict[str, Any],
    texts: dict[str, str],
    known_sources: set[str],
) -> None:
    """A shard's claim must point into a loaded document, at exactly its text."""
    document_id = row["document_id"]
    if document_id not in texts and db["documents"].exists():
        found = db.execute("select text from documents where id = ?", [document_id]).fetchone()
        if found:
            texts[document_id] = found[0]
    if document_id not in texts:
        raise LoadError(
            f"document {document_id} is not loaded; load its article together with the shard",
            file=path,
            field="document_id",
        )
    if texts[document_id][row["start"] : row["end"]] != row["text"]:
        raise LoadError(
            f"claim {row['id']}: the text at {row['start']}..{row['end']} of its document differs",
            file=path,
            field="text",
        )
    if row["source_id"] and row["source_id"] not in known_sources:
        row["source_id"] = None  # the registry loaded here does not know it; keep the words


def _merge_imports(
    db: sqlite_utils.Database,
    plan: LoadPlan,
    batches: list[ImportBatch],
    propositions: set[str],
    claim_ids: dict[str, str],
) -> None:
    """Add imported rows to the plan; duplicates within and across files become one.

    An imported row never overwrites a curated or extracted claim of the same id (re-loading
    our own export into the database it came from changes nothing); verdicts from other
    reviewers are still added to such claims.
    """
    documents = {row["id"] for row in plan.documents}
    claims: dict[str, dict[str, Any]] = {}
    kept = _kept_claims(db, [cid for batch in batches for cid in batch.claims])
    texts = {row["id"]: row["text"] for row in plan.documents}
    known_sources = {s.id for s in plan.sources} | _ids(db, "sources")
    for batch in batches:
        for prop in batch.propositions.values():
            if prop["id"] not in propositions:
                plan.propositions.append(prop)
                propositions.add(prop["id"])
        for row in batch.documents.values():
            if row["id"] not in documents:
                plan.documents.append(row)
                documents.add(row["id"])
        for claim_id, row in batch.claims.items():
            if claim_id in claim_ids:
                raise LoadError(
                    f"claim id '{claim_id}' is also used in {claim_ids[claim_id]}",
                    file=batch.path,
                    field="id",
                )
            if row["proposition_id"] and row["proposition_id"] not in propositions:
                raise LoadError(
                    f"unknown proposition '{row['proposition_id']}'; give its statement in a "
                    "proposition_statement column",
                    file=batch.path,
                    field="proposition",
                )
            if row["origin"] == "extracted":
                _check_extracted(db, batch.path, row, texts, known_sources)
            if claim_id not in kept:
                claims[claim_id] = row
        plan.reviews.extend(
            r
            for r in batch.reviews
            if r["claim_id"] not in kept or r["reviewer"] != kept[r["claim_id"]]
        )
        plan.ratings.extend(
            {"source_id": s, "scheme": scheme, "label": label, "count": count}
            for (s, scheme, label), count in batch.ratings.items()
        )
    plan.claims.extend(claims.values())


def _alias_index(db: sqlite_utils.Database, sources: list[SourceEntry]) -> AliasIndex:
    """Every source the extractor can link to: the database's and this load's."""
    index = AliasIndex()
    known: dict[str, tuple[SourceInfo, list[str]]] = {}
    if db["sources"].exists():
        for source_id, name, kind, role in db.execute(
            "select id, name, kind, role from sources"
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


QUOTE_KINDS = {"direct": "direct", "indirect": "reported", "none": "paraphrase"}


def _extracted_rows(
    article: Article,
    meta: dict[str, Any],
    index: AliasIndex,
    extractors: list[Extractor],
    curated_spans: list[tuple[int, int]],
    claim_ids: dict[str, str],
) -> list[dict[str, Any]]:
    """Extracted claims of one document; beside curated ones, only those that add a span."""
    published_at = meta.get("published_at") or article.published_at
    published = _date(published_at)
    publisher = meta.get("publisher")
    publisher_id = index.link(publisher) if publisher else None
    rows = []
    for claim in extract_claims(
        article.text,
        language=meta.get("language") or article.language,
        published=published,
        index=index,
        publisher_source_id=publisher_id,
        extractors=extractors,
    ):
        if any(claim.start < end and start < claim.end for start, end in curated_spans):
            continue
        row_id = claim_id(article.id, claim.start, claim.end)
        if row_id in claim_ids:
            continue
        claim_ids[row_id] = article.path
        figure = next((f for f in claim.figures if f.value is not None), None) or next(
            iter(claim.figures), None
        )
        rows.append(
            {
                "id": row_id,
                "document_id": article.id,
                "source_id": claim.source_id,
                "proposition_id": None,
                "text": claim.text,
                "start": claim.start,
                "end": claim.end,
                "speaker": claim.speaker,
                "quote_kind": QUOTE_KINDS.get(claim.quote, "paraphrase"),
                "stance": claim.stance,
                "hedge": claim.hedge,
                "figure_value": figure.value if figure else None,
                "figure_unit": figure.unit if figure else None,
                "figure_text": figure.text if figure else None,
                "figure_as_of": figure.as_of if figure else None,
                "figure_is_forecast": int(bool(figure and figure.forecast)),
                "event_date": None,
                "claimed_at": published.isoformat() if published else None,
                "origin": "extracted",
                "confidence": round(claim.confidence, 2),
                "note": None,
                "_file": article.path,
            }
        )
    return rows


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None


def _ids(db: sqlite_utils.Database, table: str) -> set[str]:
    if not db[table].exists():
        return set()
    return {row[0] for row in db.execute(f"select id from [{table}]").fetchall()}


def _line(entry: ClaimEntry, key: str) -> int | None:
    return entry.fields.line(key) if entry.fields else entry.line


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
    db: sqlite_utils.Database, cf: CuratedFile, by_path: dict[Path, Article]
) -> Article:
    """The article a claim file is about: named by file (read if not given) or by id."""
    if cf.document_file:
        target = (Path(cf.path).parent / cf.document_file).resolve()
        if target in by_path:
            return by_path[target]
        if not target.exists():
            raise LoadError(
                f"the article '{cf.document_file}' does not exist next to the claim file",
                file=cf.path,
                line=cf.line,
                field="file",
            )
        article = read_article(target)
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


def locate(entry: ClaimEntry, text: str, file: str) -> int:
    """Start offset of the claim's text in the document, or a LoadError saying why not."""
    if entry.start is not None:
        if text[entry.start : entry.start + len(entry.text)] != entry.text:
            raise LoadError(
                f"the document text at offset {entry.start} is not the claim's text",
                file=file,
                line=_line(entry, "start"),
                field="start",
            )
        return entry.start
    starts = []
    at = text.find(entry.text)
    while at != -1:
        starts.append(at)
        at = text.find(entry.text, at + 1)
    if not starts:
        raise LoadError(
            f"the claim's text does not occur in the document: {_short(entry.text)!r}",
            file=file,
            line=_line(entry, "text"),
            field="text",
        )
    if entry.occurrence is not None:
        if entry.occurrence > len(starts):
            raise LoadError(
                f"occurrence {entry.occurrence} requested but the text occurs "
                f"{len(starts)} time(s)",
                file=file,
                line=_line(entry, "occurrence"),
                field="occurrence",
            )
        return starts[entry.occurrence - 1]
    if len(starts) > 1:
        raise LoadError(
            f"the claim's text occurs {len(starts)} times in the document; add "
            "'occurrence: N' or 'start: OFFSET' to say which",
            file=file,
            line=_line(entry, "text"),
            field="text",
        )
    return starts[0]


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def claim_id(document_id: str, start: int, end: int) -> str:
    """Stable id for a claim without an explicit one: its document and span."""
    digest = hashlib.sha256(f"{document_id}:{start}:{end}".encode()).hexdigest()
    return "c-" + digest[:16]


def _claim_row(
    entry: ClaimEntry, cf: CuratedFile, article: Article, published: str | None
) -> dict[str, Any]:
    start = locate(entry, article.text, cf.path)
    end = start + len(entry.text)
    return {
        "id": entry.id or claim_id(article.id, start, end),
        "document_id": article.id,
        "source_id": entry.source_id,
        "proposition_id": entry.proposition_id,
        "text": entry.text,
        "start": start,
        "end": end,
        "speaker": entry.speaker,
        "quote_kind": entry.quote_kind,
        "stance": entry.stance,
        "hedge": entry.hedge,
        "figure_value": entry.figure_value,
        "figure_unit": entry.figure_unit,
        "figure_text": entry.figure_text,
        "figure_as_of": entry.figure_as_of,
        "figure_is_forecast": int(entry.figure_is_forecast),
        "event_date": entry.event_date,
        "claimed_at": entry.claimed_at or published,
        "origin": "curated",
        "confidence": None,
        "note": entry.note,
        "_file": cf.path,
    }


def _proposition_row(prop: PropositionEntry) -> dict[str, Any]:
    return {"id": prop.id, "statement": prop.statement, "topic": prop.topic}


def _document_row(article: Article, meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": meta.get("title", article.title),
        "kicker": meta.get("kicker", article.kicker),
        "publisher": meta.get("publisher"),
        "url": meta.get("url"),
        "published_at": meta.get("published_at", article.published_at),
        "language": meta.get("language", article.language),
        "content_hash": article.content_hash,
        "path": Path(article.path).name if article.path else None,
        "header": article.header,
        "text": article.text,
    }
