"""Extraction over many files without a database: `extract` and `extract-map`.

`datasette claims extract` runs the registered extractors on article files in `--jobs`
processes and prints the claims. `extract-map` is a map over documents on Dask for
corpora too big for one machine: each task reads a group of article files and writes one
JSON Lines shard of extracted claims. `datasette claims load DB ARTICLES... SHARDS...
--no-extract` then stores the articles and merges the shards; claim ids come from the
document's content and the claim's span, so re-running the map or loading a shard twice
changes nothing. Dask is an optional extra: `pip install 'datasette-claims[distributed]'`.
"""

from __future__ import annotations

import json
import multiprocessing
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from datasette_claims.extract import choose_extractors, extract_claims
from datasette_claims.extract.linking import AliasIndex, SourceInfo
from datasette_claims.formats.shards import SHARD_SUFFIX
from datasette_claims.inputs.article import parse_date, read_article
from datasette_claims.inputs.registry import parse_registry
from datasette_claims.inputs.structured import read_structured


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
    path: Path,
    registry: Path | None,
    publisher: str | None,
    language: str | None,
    extractor: str | None = None,
    model: str | None = None,
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
            published=parse_date(article.published_at),
            index=index,
            publisher_source_id=publisher,
            extractors=choose_extractors(extractor, model=model),
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
    extractor: str | None = None,
    model: str | None = None,
) -> str:
    """Claims of every file as JSON, YAML or JSON Lines; `jobs` processes share the files."""
    work = [(path, registry, publisher, language, extractor, model) for path in files]
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


def extract_shard(
    number: int,
    files: list[str],
    out_dir: str,
    registry: str | None,
    publisher: str | None,
    language: str | None,
) -> tuple[str, int]:
    """One map task: extract `files` and write shard `number`; returns (path, claims).

    Articles without claims give no shard: the path is then "".
    """
    path = Path(out_dir) / f"claims-{number:05d}{SHARD_SUFFIX}"
    count = 0
    with open(path, "w", encoding="utf-8") as shard:
        for name in files:
            article = read_article(Path(name))
            for claim in extract_file(
                Path(name), Path(registry) if registry else None, publisher, language
            ):
                record = {"document_id": article.id, "document_file": name, **claim}
                shard.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
    if not count:
        path.unlink()  # articles without claims: no shard (the loader refuses empty files)
        return "", 0
    return str(path), count


def extract_map(
    files: list[Path],
    out_dir: Path,
    *,
    scheduler: str | None = None,
    workers: int = 2,
    per_task: int = 50,
    registry: Path | None = None,
    publisher: str | None = None,
    language: str | None = None,
) -> list[tuple[str, int]]:
    """Run extraction as a Dask map; `scheduler` is a cluster address, else a local cluster."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise RuntimeError(
            "Dask is not installed: pip install 'datasette-claims[distributed]'"
        ) from exc
    out_dir.mkdir(parents=True, exist_ok=True)
    groups = [
        [str(f.resolve()) for f in files[at : at + per_task]]
        for at in range(0, len(files), per_task)
    ]
    cluster: Any = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            processes=True,
        )
        client = Client(cluster)
    try:
        futures = client.map(
            extract_shard,
            range(len(groups)),
            groups,
            out_dir=str(out_dir.resolve()),
            registry=str(registry.resolve()) if registry else None,
            publisher=publisher,
            language=language,
            pure=False,
        )
        return client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
