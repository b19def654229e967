"""`datasette claims ...` commands, registered through Datasette's register_commands hook."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlite_utils

from .errors import LoadError
from .loader import discover, plan_load
from .store import apply_plan, open_database


def register(cli: click.Group) -> None:
    cli.add_command(claims)


@click.group(name="claims")
def claims() -> None:
    """Build and maintain a claims database (datasette-claims)."""


@claims.command(name="load")
@click.argument("database", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--by", "actor", default="loader", show_default=True, help="Name recorded in claim history"
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors")
def load(database: Path, paths: tuple[Path, ...], actor: str, quiet: bool) -> None:
    """Load articles, curated claim files and source registries into DATABASE.

    PATHS are files or directories. The whole run is one transaction: on any error
    nothing is written. Loading the same input again changes nothing.
    """
    existed = database.exists()
    # Plan against the real database when there is one; otherwise against an empty
    # in-memory one, so a failed first load leaves no file behind.
    reader = open_database(database) if existed else sqlite_utils.Database(memory=True)
    show = not quiet and sys.stderr.isatty()
    try:
        files = discover(paths)
        with click.progressbar(
            length=len(files), label="reading", file=sys.stderr, hidden=not show
        ) as bar:
            plan = plan_load(reader, files, progress=lambda _: bar.update(1))
        if not existed:
            reader.close()
        db = reader if existed else open_database(database)
        if not quiet:
            click.echo(
                f"writing {len(plan.claims)} claims from {len(plan.files)} files ...", err=True
            )
        summary = apply_plan(db, plan, actor=actor)
    except LoadError as exc:
        if not existed and database.exists() and database.stat().st_size == 0:
            database.unlink()
        raise click.ClickException(f"{exc}\nNothing was written to {database}.") from None
    if not quiet:
        click.echo(f"loaded {database}:")
        for line in summary.lines():
            click.echo("  " + line)
