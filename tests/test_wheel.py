"""The wheel `python -m build` makes works on its own: installed into a fresh virtualenv
(dependencies from the package index), it loads the seeds and serves the pages, with no
source tree on the path."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from importlib.metadata import version
from pathlib import Path
from urllib.request import urlopen

import pytest

from .utils import ROOT, SEEDS

PACKAGE = ROOT / "datasette_claims"


def package_files() -> set[str]:
    """Every file of the package that is not Python source: what package-data must carry."""
    return {
        path.relative_to(ROOT).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env() -> dict[str, str]:
    """The environment without anything that would put a source tree on the path."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


def run(command: list[str], cwd: Path, timeout: int = 300) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Built from a copy of the project, so the checkout gains no build/ or *.egg-info.
    source = tmp_path_factory.mktemp("source") / "datasette-claims"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv*", "__pycache__", "*.egg-info", "build", "dist", "test-artifacts"
        ),
    )
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(source)], source)
    (built,) = out.glob("datasette_claims-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_carries_every_file_of_the_package(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    needed = package_files()
    assert needed, "the package has templates and static files"
    assert {"datasette_claims/static/claims.css", "datasette_claims/py.typed"} <= needed
    assert needed - names == set()
    modules = {p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("*.py")}
    assert modules - names == set()


@pytest.mark.slow
def test_the_installed_wheel_loads_the_seeds_and_serves_the_pages(wheel, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    python, datasette = venv / "bin" / "python", venv / "bin" / "datasette"
    # The Datasette this test runs under (0.65.x or the 1.0 alpha), from the package index.
    run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            str(wheel),
            f"datasette=={version('datasette')}",
        ],
        tmp_path,
        timeout=600,
    )
    where = run(
        [str(python), "-c", "import datasette_claims; print(datasette_claims.__file__)"], tmp_path
    )
    assert Path(where.strip()).is_relative_to(venv), where
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    shutil.copy(ROOT / "metadata.yml", tmp_path / "metadata.yml")
    loaded = run([str(datasette), "claims", "load", "claims.db", "seeds"], tmp_path)
    assert "claims:       32 added" in loaded

    port = free_port()
    command = [str(datasette), "serve", "-i", "claims.db", "-m", "metadata.yml"]
    if not version("datasette").startswith("0."):
        command += ["-c", "metadata.yml"]  # 1.0a reads canned queries from its config
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urlopen(base + "/-/versions.json", timeout=2)
                break
            except OSError:
                assert time.time() < deadline, "datasette serve did not answer"
                assert server.poll() is None, "datasette serve stopped"
                time.sleep(0.3)
        page = urlopen(base + "/claims/-/claims/compare/nk-troops-in-russia").read().decode()
        assert "Corroborated" in page  # the template rendered from the installed package
        css = urlopen(base + "/-/static-plugins/datasette_claims/claims.css").read().decode()
        assert css == (PACKAGE / "static" / "claims.css").read_text(encoding="utf-8")
        plugins = urlopen(base + "/-/plugins.json").read().decode()
        assert "datasette-claims" in plugins
    finally:
        server.terminate()
        server.wait(timeout=10)
