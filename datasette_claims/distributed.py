"""Extraction over corpora too big for one machine: a map over documents on Dask.

Each task reads a group of article files, runs the registered extractors and writes one
JSON Lines shard of extracted claims. `datasette claims load DB ARTICLES... SHARDS...
--no-extract` then stores the articles and merges the shards; claim ids come from the
document's content and the claim's span, so re-running the map or loading a shard twice
changes nothing. Dask is an optional extra: `pip install 'datasette-claims[distributed]'`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SHARD_SUFFIX = ".extracted.jsonl"


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
    from .article import read_article
    from .extractcli import extract_file

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
