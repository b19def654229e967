"""Reading the next imported file while the current one is matched and written.

A load of many data files spends its time in two halves that do not wait for each other:
parsing and checking a file's rows (pure Python, no database), and planning and writing
them (SQLite). On a machine with a second core one forked process reads ahead, at most
AHEAD files, so memory stays bounded by a few files; the rows come back in input order.
An error in a file read ahead is raised when that file's turn comes, exactly as if it had
been read then, so the load stops at the same file with the same message.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Generator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from datasette_claims.load.planning import Inputs, read_inputs

AHEAD = 2  # files read ahead of the one being written


def _read(path: str, forced_format: str | None, verdicts: dict[str, str] | None) -> Inputs:
    return read_inputs([Path(path)], None, forced_format, verdicts)


def can_read_ahead(files: int) -> bool:
    """Worth a second process: two files or more, a spare core, and fork to share plugins.

    Fork, because the worker must know the same importers (pluggy plugins registered in
    this process); where there is no fork, files are read in turn.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return files >= 2 and (cores or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods()


def read_ahead(
    files: list[Path],
    forced_format: str | None = None,
    verdicts: dict[str, str] | None = None,
    progress: Callable[[Path], None] | None = None,
) -> Generator[tuple[Path, Inputs], None, None]:
    """Each file with what read_inputs() gives for it, in order, read in a second process."""
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        pending: list[tuple[Path, Future[Inputs]]] = []
        queue = iter(files)

        def submit() -> None:
            path = next(queue, None)
            if path is not None:
                pending.append((path, pool.submit(_read, str(path), forced_format, verdicts)))

        for _ in range(AHEAD + 1):
            submit()
        try:
            while pending:
                path, future = pending.pop(0)
                if progress:
                    progress(path)
                inputs = future.result()  # a LoadError from the worker is raised here
                submit()
                yield path, inputs
        finally:
            for _, future in pending:
                future.cancel()
