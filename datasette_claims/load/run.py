"""A whole `datasette claims load`: files → plans → store, in one transaction.

Articles, registries and claim files are planned together; each imported data file is then
planned and written on its own, so memory stays bounded by the largest file, not the
corpus. All of it is one transaction: an error in the last file leaves the database as it
was before the run. Files whose content was loaded before are skipped unless forced.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path

import sqlite_utils

from datasette_claims.db.connection import write_transaction
from datasette_claims.db.history import now
from datasette_claims.db.migrations import migrate
from datasette_claims.db.stories import update_story_graph
from datasette_claims.extract import Extractor
from datasette_claims.formats import registered_importers
from datasette_claims.inputs.article import Article
from datasette_claims.inputs.decoding import unreadable
from datasette_claims.load.apply import LoadSummary, apply_plan
from datasette_claims.load.discovery import discover
from datasette_claims.load.imports import existing_ids
from datasette_claims.load.plan import LoadSession
from datasette_claims.load.planning import alias_index, importer_for, plan_load
from datasette_claims.load.prefetch import can_read_ahead, read_ahead


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise unreadable(path, exc) from None


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise unreadable(path, exc) from None
    return digest.hexdigest()


def _unchanged(
    db: sqlite_utils.Database,
    files: list[Path],
    digest: Callable[[Path], str] = file_digest,
) -> set[Path]:
    """Files loaded before with the same content; an article and its claim file go together."""
    if not db["loaded_files"].exists():
        return set()
    known = {row[0] for row in db.execute("select sha256 from loaded_files").fetchall()}
    same = {f for f in files if digest(f) in known}
    # Look-ups instead of a scan of all files per unchanged file (that was quadratic).
    present = set(files)
    # (folder, stem) -> the files named `<stem>.claims.*` there, for every such stem.
    claim_files: dict[tuple[Path, str], list[Path]] = {}
    for p in files:
        at = p.name.find(".claims.")
        while at != -1:
            claim_files.setdefault((p.parent, p.name[:at]), []).append(p)
            at = p.name.find(".claims.", at + 1)
    for path in list(same):
        name = path.name
        partner = path.with_name(name.split(".claims.")[0] + ".txt") if ".claims." in name else None
        siblings = claim_files.get((path.parent, path.stem), [])
        for other in ([partner] if partner else []) + siblings:
            if other in present and other not in same:
                same.discard(path)
    return same


# SQLite's page cache during a load, in KiB. The default 2 MB is far smaller than the
# indexes a load inserts into (ids are hashes, so inserts land on random pages): each
# insert then reads pages back from the OS. 128 MB holds them at 100k claims and most of
# them at a million, and is given back when the load ends.
LOAD_CACHE_KIB = 128 * 1024


@contextmanager
def _page_cache(db: sqlite_utils.Database) -> Iterator[None]:
    (before,) = db.execute("pragma cache_size").fetchone()
    db.execute(f"pragma cache_size = -{LOAD_CACHE_KIB}")
    try:
        yield
    finally:
        db.execute(f"pragma cache_size = {before}")


def load_paths(
    db: sqlite_utils.Database,
    paths: list[Path] | tuple[Path, ...],
    *,
    actor: str = "loader",
    extract: bool = True,
    forced_format: str | None = None,
    verdicts: dict[str, str] | None = None,
    force: bool = False,
    progress: Callable[[Path], None] | None = None,
    files: list[Path] | None = None,
    fetched: list[Article] | None = None,
    read_ahead_files: bool = False,
    extractors: list[Extractor] | None = None,
) -> LoadSummary:
    """Load files and directories into `db`; returns what was added, updated, skipped.

    `read_ahead_files` reads imported files in a second process ahead of their turn
    (prefetch.py): for the command line, not for a server's threads, which fork would copy.
    """
    files = files if files is not None else discover(paths)
    # Files the user named (not found in a folder): a claim file may name these anywhere.
    named = {Path(p).resolve() for p in paths if Path(p).is_file()}
    summary = LoadSummary()
    with ExitStack() as stack, _page_cache(db), write_transaction(db):
        migrate(db)
        # A new verdict map or importer choice reads the same files differently.
        reread = (
            force or verdicts is not None or forced_format is not None or extractors is not None
        )
        digests: dict[Path, str] = {}  # each file hashed once, for the check and the record

        def digest(path: Path) -> str:
            if path not in digests:
                digests[path] = file_digest(path)
            return digests[path]

        skipped = set() if reread else _unchanged(db, files, digest)
        todo = [f for f in files if f not in skipped]
        importers = registered_importers()
        imports = [f for f in todo if importer_for(f, importers, forced_format)]
        base = [f for f in todo if f not in imports]
        session = LoadSession()
        # Articles, registries and claim files together, then each imported file alone.
        groups = ([(base, False)] if base or fetched else []) + [([f], True) for f in imports]
        ahead = None
        for number, (group, imported) in enumerate(groups):
            inputs = terms = None
            if imported and read_ahead_files and can_read_ahead(len(imports)):
                if ahead is None:  # after the registry is in: the worker needs its aliases
                    reader = read_ahead(
                        imports,
                        forced_format,
                        verdicts,
                        progress,
                        alias_index(db, []),
                        existing_ids(db, "sources"),
                    )
                    ahead = stack.enter_context(closing(reader))
                path, inputs, terms = next(ahead)
                assert [path] == group  # read ahead in the order they are written
            plan = plan_load(
                db,
                group,
                progress=progress,
                extract=extract,
                forced_format=forced_format,
                verdicts=verdicts,
                session=session,
                discovered=True,  # `files` came from discover(): not walked again
                fetched=fetched if number == 0 else None,
                inputs=inputs,
                terms=terms,
                extractors=extractors,
                named=named,
            )
            summary.add(apply_plan(db, plan, actor=actor, stories=False))
        update_story_graph(db, summary.touched)  # once, not once per imported file
        stamp = now()
        db.table("loaded_files").upsert_all(
            (
                {
                    "path": str(f.resolve()),
                    "sha256": digest(f),
                    "size": _size(f),
                    "loaded_at": stamp,
                }
                for f in todo
            ),
            pk="sha256",
        )
        summary.skipped_files = len(skipped)
        if progress:
            for path in skipped:
                progress(path)
    return summary
