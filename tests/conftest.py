"""Shared fixtures: real claims databases built with the project's own loader."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from datasette.cli import cli

from .utils import SEEDS, file_digest, run_cli


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
