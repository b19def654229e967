"""`datasette claims ...` commands, registered through Datasette's register_commands hook."""

from __future__ import annotations

import codecs
import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import click
import sqlite_utils

from datasette_claims.db.connection import opened, write_transaction
from datasette_claims.db.migrations import migrate
from datasette_claims.db.schema import check_compatible
from datasette_claims.decisions.reviews import review_claim
from datasette_claims.errors import CheckpointError, ClaimsError, ReviewError
from datasette_claims.extract import DEFAULT_EXTRACTOR, Extractor, choose_extractors
from datasette_claims.formats.verdicts import load_verdict_map
from datasette_claims.inputs.decoding import INPUT_ENCODING
from datasette_claims.inputs.limits import DEFAULT_LIMITS, LIMITS, Limits
from datasette_claims.load.apply import LoadSummary
from datasette_claims.load.discovery import discover
from datasette_claims.load.run import load_paths
from datasette_claims.model import SOURCE_KINDS, STATUSES

F = TypeVar("F", bound=Callable[..., Any])


def database_argument(*, exists: bool = True) -> Callable[[F], F]:
    """The DATABASE every command names first; only `load` may create it."""
    return click.argument(
        "database", type=click.Path(exists=exists, dir_okay=False, path_type=Path)
    )


# Whoever makes a decision is named in its history rows.
decided_by = click.option("--by", "by", required=True, help="Who decides (recorded in history)")
quiet_option = click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors")


def extractor_options(command: F) -> F:
    """`--extractor NAME` and `--model NAME`, for the commands that extract claims."""
    command = click.option(
        "--model", help="The model a model-backed extractor uses (llm: any `llm models` name)"
    )(command)
    return click.option(
        "--extractor",
        default=DEFAULT_EXTRACTOR,
        show_default=True,
        help="Which extractor finds claims: rules (the built-ins and plugins' defaults), "
        "llm (a language model, the [llm] extra), or another registered one by name",
    )(command)


def warn(message: str) -> None:
    """A warning on stderr: something the user should know that stopped nothing."""
    click.echo(f"warning: {message}", err=True)


def _committed(exc: CheckpointError) -> click.ClickException:
    """A checkpoint that failed after the commit: the message says what is safe where."""
    return click.ClickException(str(exc))


def register(cli: click.Group) -> None:
    cli.add_command(claims)


@click.group(name="claims")
def claims() -> None:
    """Build and maintain a claims database (datasette-claims)."""


@claims.command(name="load")
@database_argument(exists=False)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--by", "actor", default="loader", show_default=True, help="Name recorded in claim history"
)
@quiet_option
@click.option("--no-extract", is_flag=True, help="Load curated claims only; skip extraction")
@click.option(
    "--format",
    "forced_format",
    help="Read every PATH with this importer: claimreview, claimskg, liar, csv",
)
@click.option("--force", is_flag=True, help="Read every file, even those loaded unchanged before")
@click.option(
    "--encoding",
    default="utf-8",
    show_default=True,
    help="Encoding of input files without a byte-order mark (e.g. latin-1, cp1252, utf-16-le)",
)
@click.option(
    "--verdict-map",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML/JSON mapping of fact-check verdicts to statuses, over the defaults",
)
@extractor_options
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_LIMITS.max_bytes,
    show_default=True,
    help="Largest article, claim file or registry, in bytes (imported data files stream)",
)
@click.option(
    "--max-claims",
    type=click.IntRange(min=1),
    default=DEFAULT_LIMITS.max_claims,
    show_default=True,
    help="Most claims in one claim file or imported file",
)
def load(
    database: Path,
    paths: tuple[Path, ...],
    actor: str,
    quiet: bool,
    no_extract: bool,
    forced_format: str | None,
    verdict_map: Path | None,
    force: bool,
    encoding: str,
    extractor: str,
    model: str | None,
    max_bytes: int,
    max_claims: int,
) -> None:
    """Load articles, curated claim files and source registries into DATABASE.

    PATHS are files or directories. The whole run is one transaction: on any error
    nothing is written. Loading the same input again changes nothing.
    """
    existed = database.exists()
    _use_encoding(encoding)
    limits = LIMITS.set(Limits(max_bytes=max_bytes, max_claims=max_claims))
    try:
        verdicts = load_verdict_map(verdict_map) if verdict_map else None
        # Another extractor than the default reads every file again (as --format does).
        chosen = extractor not in ("", DEFAULT_EXTRACTOR)
        extractors = choose_extractors(extractor, model=model) if chosen else None
        summary = _load(
            database,
            existed,
            paths,
            actor,
            quiet,
            not no_extract,
            forced_format,
            verdicts,
            force,
            extractors,
        )
    except CheckpointError as exc:
        raise _committed(exc) from None
    except (ClaimsError, sqlite3.DatabaseError) as exc:
        if not existed:
            _remove_new_database(database)
        problem = exc if isinstance(exc, ClaimsError) else f"{database}: {_explain(exc)}"
        raise click.ClickException(f"{problem}\nNothing was written to {database}.") from None
    except BaseException:
        if not existed:
            _remove_new_database(database)
        raise
    finally:
        LIMITS.reset(limits)  # this command's limits, not the next one's in this process
    _warn(summary)
    if not quiet:
        click.echo(f"loaded {database}:")
        for line in summary.lines():
            click.echo("  " + line)


@claims.command(name="fetch")
@database_argument(exists=False)
@click.argument("urls", nargs=-1)
@click.option(
    "--from-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file of URLs, one per line (# starts a comment)",
)
@click.option(
    "--archive", type=click.Path(file_okay=False, path_type=Path), help="Keep the raw HTML here"
)
@click.option(
    "--timeout", default=20.0, show_default=True, help="Seconds each page may take, in all"
)
@click.option("--max-bytes", default=10 * 1024 * 1024, show_default=True, help="Largest page")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Also fetch from loopback, link-local and private addresses (refused by default)",
)
@click.option("--by", "actor", default="loader", show_default=True, help="Name recorded in history")
@quiet_option
def fetch_command(
    database: Path,
    urls: tuple[str, ...],
    from_file: Path | None,
    archive: Path | None,
    timeout: float,
    max_bytes: int,
    allow_private: bool,
    actor: str,
    quiet: bool,
) -> None:
    """Download web pages and load them into DATABASE like saved pages.

    Every page is fetched before anything is written: one that fails (404, not HTML, too
    big, too slow, too many redirects, a private address, no main text) stops the run
    with its URL, and the database is left as it was.
    """
    from datasette_claims.inputs.fetch import any_address, fetch_page, is_public
    from datasette_claims.inputs.html import parse_html

    wanted = list(urls)
    if from_file:
        lines = from_file.read_text(encoding="utf-8").splitlines()
        wanted += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    if not wanted:
        raise click.UsageError("give at least one URL, or --from-file")
    existed = database.exists()
    try:
        articles = []
        for url in dict.fromkeys(wanted):
            page = fetch_page(
                url,
                timeout=timeout,
                max_bytes=max_bytes,
                allowed=any_address if allow_private else is_public,
            )
            article = parse_html(page.raw, url, url=page.final_url, content_type=page.content_type)
            article.fetched_at, article.raw_sha256 = page.fetched_at, page.sha256
            # The page's own rel=canonical may name another URL: both are kept.
            article.fetched_url = page.final_url
            article.url = article.url or page.final_url
            articles.append(article)
            if archive:
                archive.mkdir(parents=True, exist_ok=True)
                (archive / f"{page.sha256}.html").write_bytes(page.raw)
            if not quiet:
                click.echo(f"fetched {url} ({len(page.raw):,} bytes)", err=True)
        with opened(database, warn) as db:
            summary = load_paths(db, [], files=[], actor=actor, fetched=articles)
    except CheckpointError as exc:
        raise _committed(exc) from None
    except (ClaimsError, sqlite3.DatabaseError) as exc:
        if not existed:
            _remove_new_database(database)
        raise click.ClickException(f"{exc}\nNothing was written to {database}.") from None
    _warn(summary)
    if not quiet:
        click.echo(f"loaded {database}:")
        for line in summary.lines():
            click.echo("  " + line)


def _warn(summary: LoadSummary) -> None:
    """What the load did that the user must know, even with --quiet (to stderr)."""
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)


def _explain(exc: Exception) -> str:
    """SQLite's message, with what the user can do about the common faults."""
    message = str(exc)
    if "readonly" in message:
        return f"{message} (the file or its folder is read-only for this user)"
    if "disk is full" in message or "disk I/O error" in message:
        return f"{message} (is the disk full, or the file size limited?)"
    return message


def _use_encoding(encoding: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise click.BadParameter(
            f"unknown encoding '{encoding}'", param_hint="--encoding"
        ) from None
    INPUT_ENCODING.set(encoding)


def _load(
    database: Path,
    existed: bool,
    paths: tuple[Path, ...],
    actor: str,
    quiet: bool,
    extract: bool = True,
    forced_format: str | None = None,
    verdicts: dict[str, str] | None = None,
    force: bool = False,
    extractors: list[Extractor] | None = None,
) -> LoadSummary:
    files = discover(paths, warn)  # before the database file exists: a bad path writes nothing
    show = not quiet and sys.stderr.isatty()
    with (
        opened(database, warn) as db,
        click.progressbar(
            length=len(files), label="loading", file=sys.stderr, hidden=not show
        ) as bar,
    ):
        return load_paths(
            db,
            paths,
            files=files,
            actor=actor,
            extract=extract,
            forced_format=forced_format,
            verdicts=verdicts,
            force=force,
            progress=lambda _: bar.update(1),
            read_ahead_files=True,
            extractors=extractors,
        )


def _remove_new_database(database: Path) -> None:
    """A first load that failed leaves nothing behind, not even an empty file.

    Only a file that holds nothing committed and that no other process is writing: a
    second loader started on the same new path must never remove the first one's work.
    """
    if not database.exists():
        return
    try:
        conn = sqlite3.connect(database, timeout=0)
        try:
            conn.execute("begin immediate")  # fails while another process writes
            empty = conn.execute("select count(*) from sqlite_master").fetchone()[0] == 0
            conn.rollback()
        finally:
            conn.close()
    except sqlite3.Error:
        return
    if empty:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)


@claims.command(name="extract")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["json", "yaml", "jsonl"]),
    default="json",
    show_default=True,
)
@click.option("--jobs", "-j", type=int, default=1, show_default=True, help="Processes to use")
@click.option(
    "--sources",
    "registry",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Source registry for linking speakers (default: sources.yml beside each file)",
)
@click.option("--publisher", help="Registry id of the outlet, to record its own reporting")
@click.option("--language", type=click.Choice(["de", "en"]), help="Override language detection")
@extractor_options
def extract(
    files: tuple[Path, ...],
    output: str,
    registry: Path | None,
    publisher: str | None,
    language: str | None,
    jobs: int,
    extractor: str,
    model: str | None,
) -> None:
    """Print the claims the extractors find in article FILES, without a database.

    Offsets index the body text the loader stores (after the header line).
    """
    from datasette_claims.corpus import extract_files

    try:
        choose_extractors(extractor, model=model)  # a wrong name or model says so first
        text = extract_files(
            files, output, registry, publisher, language, max(1, jobs), extractor, model
        )
    except ClaimsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(text)


@claims.command(name="review")
@database_argument()
@click.argument("claim_id")
@click.option("--status", required=True, help="New status: " + ", ".join(STATUSES))
@click.option("--evidence", multiple=True, help="URL of the evidence (repeatable)")
@click.option("--note", help="Why: what the evidence shows")
@decided_by
@click.option("--credibility", type=int, help="Admiralty information credibility, 1-6")
def review(
    database: Path,
    claim_id: str,
    status: str,
    evidence: tuple[str, ...],
    note: str | None,
    by: str,
    credibility: int | None,
) -> None:
    """Record a review of CLAIM_ID: its new status, the evidence and who decided.

    Appends to the claim's history and evidence; the proposition's derived status and
    the source's track record follow. `--status unverified` reopens a reviewed claim.
    """
    result = _decide(
        database,
        lambda db: review_claim(db, claim_id, status, by, note, list(evidence), credibility),
    )
    click.echo(f"{result.claim_id}: {result.old_status} -> {result.new_status}")
    if result.proposition_id:
        click.echo(
            f"proposition {result.proposition_id}: {result.proposition_status}"
            f" ({result.derived_changes} other "
            f"{'claim status' if result.derived_changes == 1 else 'claim statuses'} changed)"
        )


@claims.command(name="export")
@database_argument()
@click.option(
    "--format",
    "output",
    type=click.Choice(["claimreview", "csv"]),
    default="csv",
    show_default=True,
)
@click.option("-o", "--output-file", type=click.File("w", encoding="utf-8"), default="-")
@click.option(
    "--raw",
    is_flag=True,
    help="CSV: write values exactly as stored, without the ' that stops a spreadsheet "
    "running a cell starting with = + - @ tab or CR as a formula (for pipelines).",
)
def export(database: Path, output: str, output_file: Any, raw: bool) -> None:
    """Write DATABASE's claims as CSV (the default) or ClaimReview JSON-LD (reviewed claims).

    Both read back with `datasette claims load` (the claimreview and csv importers).
    CSV cells that would be spreadsheet formulas get a leading ' unless --raw; the csv
    importer takes it off again.
    """
    from datasette_claims.formats.claimreview import data_feed
    from datasette_claims.formats.plain import csv_text, export_sql

    # Read-only: exporting never changes the file (nor its journal mode).
    db = sqlite_utils.Database(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True))
    if not db["claims"].exists():
        raise click.ClickException(f"{database} holds no claims")
    cursor = db.execute(export_sql())
    columns = [d[0] for d in cursor.description]
    rows = (dict(zip(columns, values, strict=True)) for values in cursor)
    if output == "csv":
        for chunk in csv_text(rows, raw=raw):
            output_file.write(chunk)
    else:
        json.dump(data_feed(rows), output_file, ensure_ascii=False, indent=2)
        output_file.write("\n")


def _decide(database: Path, action: Any) -> Any:
    """Run one decision (review, link, ...) under the write lock; errors become a clear
    message with nothing written."""
    try:
        with opened(database, warn) as db:
            check_compatible(db)
            if not db["claims_migrations"].exists():
                raise ReviewError(f"{database} holds no claims; load some first")
            with write_transaction(db):  # waits for a running load, like a second load
                migrate(db)
                return action(db)
    except CheckpointError as exc:
        raise _committed(exc) from None
    except (ClaimsError, sqlite3.DatabaseError) as exc:
        raise click.ClickException(f"{exc}\nNothing was written to {database}.") from None


@claims.command(name="link")
@database_argument()
@click.argument("claim_id")
@click.argument("proposition_id")
@decided_by
def link_command(database: Path, claim_id: str, proposition_id: str, by: str) -> None:
    """Confirm that CLAIM_ID is about PROPOSITION_ID (a later matching run never moves it)."""
    from datasette_claims.decisions.links import link

    _decide(database, lambda db: link(db, claim_id, proposition_id, by))
    click.echo(f"{claim_id} -> {proposition_id} (confirmed)")


@claims.command(name="unlink")
@database_argument()
@click.argument("claim_id")
@decided_by
def unlink_command(database: Path, claim_id: str, by: str) -> None:
    """Take CLAIM_ID off its proposition; the pair is never suggested again."""
    from datasette_claims.decisions.links import unlink

    old = _decide(database, lambda db: unlink(db, claim_id, by))
    click.echo(f"{claim_id} no longer on {old}")


@claims.command(name="merge")
@database_argument()
@click.argument("into_proposition")
@click.argument("from_proposition")
@decided_by
def merge_command(database: Path, into_proposition: str, from_proposition: str, by: str) -> None:
    """Move every claim of FROM_PROPOSITION to INTO_PROPOSITION (both proposition ids).

    Sources are merged with `datasette claims source merge`.
    """
    from datasette_claims.decisions.links import merge

    moved = _decide(database, lambda db: merge(db, into_proposition, from_proposition, by))
    click.echo(f"{moved} claims moved from {from_proposition} to {into_proposition}")


@claims.command(name="split")
@database_argument()
@click.argument("proposition_id")
@click.argument("claim_ids", nargs=-1, required=True)
@click.option("--statement", required=True, help="The new proposition, in English")
@decided_by
def split_command(
    database: Path, proposition_id: str, claim_ids: tuple[str, ...], statement: str, by: str
) -> None:
    """Move CLAIM_IDS of PROPOSITION_ID to a new proposition with this statement."""
    from datasette_claims.decisions.links import split

    new_id = _decide(database, lambda db: split(db, proposition_id, list(claim_ids), statement, by))
    click.echo(f"{len(claim_ids)} claims moved to new proposition {new_id}")


@claims.group(name="source")
def source_group() -> None:
    """Decide on provisional sources the extractor suggested for unknown speakers."""


@source_group.command(name="list")
@database_argument()
@click.option("--all", "everything", is_flag=True, help="Also confirmed and merged ones")
def source_list_command(database: Path, everything: bool) -> None:
    """The provisional sources, with how many claims each has.

    Speakers named only by a common noun ("die Polizei") come last, one line per article:
    each stands for that article's speaker only.
    """
    # Read-only: listing never changes the file.
    uri = f"{database.resolve().as_uri()}?mode=ro"
    with closing(sqlite_utils.Database(sqlite3.connect(uri, uri=True))) as db:
        if not db["sources"].exists() or "origin" not in db["sources"].columns_dict:
            raise click.ClickException(f"{database} holds no provisional sources")
        origins = ("suggested", "confirmed", "merged") if everything else ("suggested",)
        scoped = "s.document_id" if "document_id" in db["sources"].columns_dict else "null"
        rows = db.execute(
            "select s.id, s.name, s.role, s.origin, s.merged_into, count(c.id), "
            f"{scoped}, d.title, d.path from sources s "
            "left join claims c on c.source_id = s.id "
            f"left join documents d on d.id = {scoped} "
            f"where s.origin in ({', '.join('?' for _ in origins)}) "
            "group by s.id order by count(c.id) desc, s.id",
            list(origins),
        ).fetchall()
    by_document: dict[str, list[tuple]] = {}
    for source_id, name, role, origin, merged_into, count, document, *titled in rows:
        if document:
            by_document.setdefault(document, []).append((source_id, name, count, *titled))
            continue
        extra = f" -> {merged_into}" if merged_into else ""
        described = f"{name}, {role}" if role else name
        click.echo(f"{source_id}\t{origin}{extra}\t{count} claims\t{described}")
    if by_document:
        click.echo(
            f"Named only by a common noun, in {len(by_document)} "
            f"{'article' if len(by_document) == 1 else 'articles'} (which one? rename or "
            "merge each into the source it is):"
        )
    for document, found in sorted(by_document.items(), key=lambda item: -len(item[1])):
        title = found[0][3] or found[0][4] or document
        speakers = "; ".join(
            f"{name} ({source_id}, {count} {'claim' if count == 1 else 'claims'})"
            for source_id, name, count, *_ in found
        )
        click.echo(f"{document}\t{title}\t{speakers}")


@source_group.command(name="confirm")
@database_argument()
@click.argument("source_id")
@decided_by
def source_confirm_command(database: Path, source_id: str, by: str) -> None:
    """Keep provisional source SOURCE_ID as a source of record."""
    from datasette_claims.decisions.sources import confirm_source

    _decide(database, lambda db: confirm_source(db, source_id, by))
    click.echo(f"{source_id} confirmed")


@source_group.command(name="rename")
@database_argument()
@click.argument("source_id")
@click.argument("name")
@click.option("--role", help="The source's role, e.g. 'Finance Ministry spokeswoman'")
@click.option("--kind", type=click.Choice(SOURCE_KINDS), help="What the source is")
@decided_by
def source_rename_command(
    database: Path, source_id: str, name: str, role: str | None, kind: str | None, by: str
) -> None:
    """Correct the NAME (and --role, --kind) of provisional source SOURCE_ID, confirming it."""
    from datasette_claims.decisions.sources import rename_source

    _decide(database, lambda db: rename_source(db, source_id, name, by, role, kind=kind))
    click.echo(f"{source_id} is now {name!r} (confirmed)")


@source_group.command(name="merge")
@database_argument()
@click.argument("source_id")
@click.argument("into")
@decided_by
def source_merge_command(database: Path, source_id: str, into: str, by: str) -> None:
    """Fold provisional source SOURCE_ID into source INTO (a registry source, usually)."""
    from datasette_claims.decisions.sources import merge_source

    moved = _decide(database, lambda db: merge_source(db, source_id, into, by))
    click.echo(f"{moved} claims moved from {source_id} to {into}")


@claims.command(name="extract-map")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--scheduler", help="Address of a Dask scheduler (default: a local cluster)")
@click.option("--workers", type=int, default=2, show_default=True, help="Local cluster workers")
@click.option("--per-task", type=int, default=50, show_default=True, help="Articles per task")
@click.option(
    "--sources",
    "registry",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Source registry for linking speakers (default: sources.yml beside each file)",
)
@click.option("--publisher", help="Registry id of the outlet")
@click.option("--language", type=click.Choice(["de", "en"]))
def extract_map_command(
    files: tuple[Path, ...],
    out_dir: Path,
    scheduler: str | None,
    workers: int,
    per_task: int,
    registry: Path | None,
    publisher: str | None,
    language: str | None,
) -> None:
    """Extract claims from FILES as a Dask map, writing JSON Lines shards to --out.

    Load them with the articles: datasette claims load DB ARTICLES... OUT/ --no-extract
    """
    from datasette_claims.corpus import extract_map

    try:
        shards = extract_map(
            list(files),
            out_dir,
            scheduler=scheduler,
            workers=workers,
            per_task=per_task,
            registry=registry,
            publisher=publisher,
            language=language,
        )
    except (RuntimeError, ClaimsError) as exc:
        raise click.ClickException(str(exc)) from None
    written = [n for path, n in shards if path]  # a task whose articles had no claims writes none
    click.echo(f"{sum(written)} claims in {len(written)} shards in {out_dir}")


@claims.command(name="verify")
@database_argument()
@quiet_option
def verify_command(database: Path, quiet: bool) -> None:
    """Re-check what DATABASE promises; exit 1 and list each violation if any fails.

    Every claim's span against its document, the history (append-only, and its last
    values equal to the claims' current ones), derived statuses against the rules, the
    kept counts against the rows, foreign keys, and SQLite's integrity check; then the
    file alone, as `datasette -i` and publish read it: no commits left in the write-ahead
    log, and the integrity check without the log.
    """
    from datasette_claims.db.verify import CHECKS, FILE_CHECKS, Violation

    # Read-only: verifying never changes the file (nor its journal mode).
    db = sqlite_utils.Database(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True))
    try:
        if not db["claims_migrations"].exists():
            raise click.ClickException(f"{database} holds no claims")
        found = 0
        checks: list[tuple[str, Callable[[], Iterator[Violation]]]] = [
            *((name, partial(check, db)) for name, check in CHECKS),
            *((name, partial(check, database)) for name, check in FILE_CHECKS),
        ]
        for name, run in checks:
            violations = list(run())
            found += len(violations)
            for violation in violations:
                click.echo(str(violation))
            if not quiet:
                click.echo(f"{name}: {'ok' if not violations else f'{len(violations)} violations'}")
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"{database}: {_explain(exc)}") from None
    finally:
        db.close()
    if found:
        raise click.ClickException(f"{found} violations in {database}")


@claims.command(name="checkpoint")
@database_argument()
def checkpoint_command(database: Path) -> None:
    """Move what the write-ahead log holds into DATABASE, so the file alone is complete.

    Every write command does this when it ends; run it when one could not (a full disk, a
    reader holding an old snapshot), before serving the file with -i or publishing it.
    """
    from datasette_claims.db.connection import checkpoint, open_database

    db = open_database(database)
    try:
        check_compatible(db)
        if not db["claims_migrations"].exists():
            raise click.ClickException(f"{database} holds no claims")
        if not checkpoint(db, database, lambda _: None):
            raise click.ClickException(
                f"{database}: another connection is reading an older snapshot (or writing), so the "
                "write-ahead log could not all be moved into the file; try again when it has "
                "finished"
            )
    except ClaimsError as exc:
        raise click.ClickException(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"{database}: {_explain(exc)}") from None
    finally:
        db.close()
    click.echo(f"{database}: checkpointed; the file alone is complete")
