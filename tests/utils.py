"""Helpers the tests share: paths to the seeds and data, the CLI as a user runs it, and
plain-sqlite3 reads of a database file."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

from click.testing import CliRunner
from datasette.cli import cli

ROOT = Path(__file__).resolve().parent.parent
# Real datasets live outside the repository (their licences forbid copying them in).
SHARED_DATA = Path(os.environ.get("CLAIMS_SHARED_DATA", ROOT.parent / "shared" / "data"))
SEEDS = ROOT / "seeds"
SEED_ARTICLE = SEEDS / "000_7cc3b5ee41316440.txt"
SEED_CLAIMS = SEEDS / "000_7cc3b5ee41316440.claims.yml"


def run_cli(*args: str):
    """Invoke `datasette claims ...` exactly as a user would from the shell."""
    return CliRunner().invoke(cli, ["claims", *map(str, args)], catch_exceptions=False)


def rows(path, sql: str, params=()) -> list[tuple]:
    """Rows of a query against a database file, read with plain sqlite3."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def file_digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


# A small source registry for synthetic claims about North Korean troops.
KOREA_REGISTRY = """\
sources:
  - id: nis
    name: National Intelligence Service
    kind: agency
    aliases: [NIS, South Korean intelligence]
  - id: pentagon
    name: US Department of Defense
    kind: ministry
    aliases: [Pentagon]
"""
