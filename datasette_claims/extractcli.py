"""`datasette claims extract`: run the extractors on article files and print the claims."""

from __future__ import annotations

import json
import multiprocessing
from functools import lru_cache
from pathlib import Path

import yaml

from .article import read_article
from .extract import AliasIndex, SourceInfo, extract_claims, registered_extractors
from .loader import _date
from .registry import parse_registry
from .yamlfile import read_structured


def _index(registry: Path | None) -> AliasIndex:
    index = AliasIndex()
    if registry is None:
        return index
    for entry in parse_registry(read_structured(registry), str(registry)):
        index.add(
            SourceInfo(entry.id, entry.name, entry.kind, entry.role),
            [alias for alias, _ in entry.aliases],
        )
    return index


def extract_file(
    path: Path, registry: Path | None, publisher: str | None, language: str | None
) -> list[dict]:
    """The claims of one article file, as dicts (one unit of work for --jobs)."""
    article = read_article(path)
    source_file = registry
    if source_file is None and (path.parent / "sources.yml").exists():
        source_file = path.parent / "sources.yml"
    index = _cached_index(str(source_file) if source_file else None)
    return [
        {"document": str(path), **claim.as_dict()}
        for claim in extract_claims(
            article.text,
            language=language or article.language,
            published=_date(article.published_at),
            index=index,
            publisher_source_id=publisher,
            extractors=registered_extractors(),
        )
    ]


@lru_cache(maxsize=16)
def _cached_index(registry: str | None) -> AliasIndex:
    return _index(Path(registry) if registry else None)


def _work(arguments: tuple) -> list[dict]:
    return extract_file(*arguments)


def extract_files(
    files: tuple[Path, ...],
    output: str,
    registry: Path | None,
    publisher: str | None,
    language: str | None,
    jobs: int = 1,
) -> str:
    """Claims of every file as JSON, YAML or JSON Lines; `jobs` processes share the files."""
    work = [(path, registry, publisher, language) for path in files]
    if jobs > 1 and len(files) > 1:
        with multiprocessing.get_context("spawn").Pool(jobs) as pool:
            per_file = pool.map(_work, work, chunksize=max(1, len(work) // (jobs * 4)))
    else:
        per_file = [_work(item) for item in work]
    results = [claim for claims in per_file for claim in claims]
    if output == "yaml":
        return yaml.safe_dump(results, allow_unicode=True, sort_keys=False)
    if output == "jsonl":
        return "\n".join(json.dumps(r, ensure_ascii=False) for r in results)
    return json.dumps(results, ensure_ascii=False, indent=2)
