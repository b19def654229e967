"""Finding the files a load reads: directory walks, what is skipped, what is taken."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

from datasette_claims.errors import ClaimsWarning, LoadError

# Articles: plain text (optionally with front matter), Markdown, saved web pages.
ARTICLE_SUFFIXES = {".txt", ".md", ".html", ".htm"}


STRUCTURED_SUFFIXES = {".yml", ".yaml", ".json"}


IMPORT_SUFFIXES = {".csv", ".tsv", ".json", ".jsonld"}


# Folders a directory walk never enters: tooling and caches, not reporting.
SKIPPED_DIRS = {"__pycache__", "node_modules", "site-packages", "venv", "env", "build", "dist"}


# Text files that are project paperwork, not articles.
SKIPPED_FILES = re.compile(
    r"^(requirements.*|license.*|licence.*|copying.*|notice.*|readme.*|changelog.*|"
    r"contributing.*|changes.*|authors.*)\.(txt|md)$",
    re.I,
)


def discover(paths: Iterable[str | Path], warn: Callable[[str], None] | None = None) -> list[Path]:
    """Expand directories into the files we know how to load, in a stable order.

    A file named in PATHS is the user's choice and is taken wherever it points. In a
    directory, a file reached through a symlink that resolves outside the directory
    (`notes.txt -> ~/.ssh/id_rsa`) is skipped, with a warning naming it (WARN; Python's
    warnings if none is given).
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise LoadError("no such file or directory", file=str(path))
        if path.is_dir():
            matches = _walk(path, warn or _warn)
            if not matches:
                raise LoadError(
                    "directory holds no loadable files (articles *.txt, *.md, *.html, claim files "
                    "*.claims.yml/.json, source registries sources.yml)",
                    file=str(path),
                )
            found.extend(matches)
        else:
            found.append(path)
    # One set of the resolved paths kept so far, not one per file: linear, not quadratic.
    unique: list[Path] = []
    seen: set[Path] = set()
    for path in found:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(path)
    return unique


def _walk(folder: Path, warn: Callable[[str], None]) -> list[Path]:
    """The loadable files under FOLDER that stay inside it once symlinks are resolved."""
    inside = folder.resolve()
    matches = []
    for p in sorted(folder.rglob("*")):
        if not (p.is_file() and not _skipped(p.relative_to(folder)) and _loadable_name(p)):
            continue
        if not p.resolve().is_relative_to(inside):
            warn(
                f"{p}: skipped, a symlink to {p.resolve()} outside {folder} (name the file "
                "on the command line to load it)"
            )
            continue
        matches.append(p)
    return matches


def _warn(message: str) -> None:
    warnings.warn(message, ClaimsWarning, stacklevel=4)


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
