"""Shared fixtures: real claims databases built with the project's own loader."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from datasette.app import Datasette
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


@pytest.fixture(scope="session")
def seed_db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "claims.db"
    result = run_cli("load", path, SEEDS)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def seed_copy(seed_db_path, tmp_path) -> Path:
    """A private copy of the seed database for tests that write."""
    path = tmp_path / "claims.db"
    shutil.copy(seed_db_path, path)
    return path


@pytest.fixture
def seed_dir(tmp_path) -> Path:
    """A private copy of seeds/ that a test may edit."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture(scope="session", params=["serve", "published"])
def ds(request, seed_db_path, tmp_path_factory):
    """The seed database as `datasette serve` has it, and as published: `-i` with an
    inspect file (what `datasette publish` runs). No request may change the file."""
    if request.param == "serve":
        yield Datasette([str(seed_db_path)])
        return
    inspect_file = tmp_path_factory.mktemp("inspect") / "inspect.json"
    result = CliRunner().invoke(
        cli, ["inspect", str(seed_db_path), "--inspect-file", str(inspect_file)]
    )
    assert result.exit_code == 0, result.output
    before = file_digest(seed_db_path)
    yield Datasette(
        immutables=[str(seed_db_path)],
        inspect_data=json.loads(inspect_file.read_text(encoding="utf-8")),
    )
    assert file_digest(seed_db_path) == before, "a request wrote to a published database"
