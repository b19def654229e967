"""`datasette claims extract`: run the extractors on article files and print the claims."""

from __future__ import annotations

import json
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


def extract_files(
    files: tuple[Path, ...],
    output: str,
    registry: Path | None,
    publisher: str | None,
    language: str | None,
) -> str:
    """Claims of every file as JSON or YAML text: a list, one object per claim."""
    extractors = registered_extractors()
    indexes: dict[Path | None, AliasIndex] = {}
    results = []
    for path in files:
        article = read_article(path)
        source_file = registry
        if source_file is None and (path.parent / "sources.yml").exists():
            source_file = path.parent / "sources.yml"
        if source_file not in indexes:
            indexes[source_file] = _index(source_file)
        for claim in extract_claims(
            article.text,
            language=language or article.language,
            published=_date(article.published_at),
            index=indexes[source_file],
            publisher_source_id=publisher,
            extractors=extractors,
        ):
            results.append({"document": str(path), **claim.as_dict()})
    if output == "yaml":
        return yaml.safe_dump(results, allow_unicode=True, sort_keys=False)
    return json.dumps(results, ensure_ascii=False, indent=2)
