"""Reading the next imported file while the current one is matched and written.

A load of many data files spends its time in two halves that do not wait for each other:
parsing and checking a file's rows (pure Python, no database), and planning and writing
them (SQLite). On a machine with a second core one forked process reads ahead (AHEAD
files beyond the next) and hands each file's rows over in a temporary file, read when its
turn comes: the loader holds only the file it writes. The rows come back in input order.
An error in a file read ahead is raised when that file's turn comes, exactly as if it had
been read then, so the load stops at the same file with the same message.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import pickle
import signal
import tempfile
from collections.abc import Callable, Generator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from datasette_claims.errors import ClaimsError
from datasette_claims.extract.linking import AliasIndex, SourceInfo
from datasette_claims.load.matching import TermsAhead, terms_ahead
from datasette_claims.load.planning import Inputs, read_inputs

AHEAD = 1  # files read ahead of the one being written

# A file's rows, and its claims' terms with the signature of the aliases they were worked
# out with (None where they were not).
Read = tuple[Inputs, tuple[str, TermsAhead] | None]
# What the worker gives back: the path of the file its result is in, or the result itself.
Handover = str | Read


_aliases: AliasIndex | None = None  # the worker's copy of the load's aliases
_known: set[str] = set()  # the sources the load knows so far (any origin)


def _keep_aliases(aliases: AliasIndex | None, known: set[str]) -> None:
    global _aliases, _known
    _aliases, _known = aliases, known
    _die_with_the_loader()


def _die_with_the_loader() -> None:
    """On Linux, the worker is killed when the loader dies, even by SIGKILL (which runs
    no clean-up): it would otherwise wait for work for ever."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _terms(inputs: Inputs) -> tuple[str, TermsAhead] | None:
    """The file's claims' terms, with the aliases plan_load() will have at its turn.

    Sources a file brings that the load does not know yet become linkable when it is
    written (plan_load() adds them to the aliases in this order); the worker adds them
    too, so later files' terms are worked out with them.
    """
    if _aliases is None:
        return None
    for batch in inputs[3]:
        for entry in batch.sources.values():
            if entry.id not in _known:
                _known.add(entry.id)
                info = SourceInfo(entry.id, entry.name, entry.kind, entry.role)
                _aliases.add(info, [alias for alias, _ in entry.aliases])
    terms: TermsAhead = {}
    for batch in inputs[3]:
        terms.update(terms_ahead(batch.claims.values(), batch.documents, _aliases))
    return _aliases.signature(), terms


def _read(
    path: str, forced_format: str | None, verdicts: dict[str, str] | None, out: str
) -> Handover:
    inputs = read_inputs([Path(path)], None, forced_format, verdicts)
    try:
        terms = _terms(inputs)
    except Exception:  # an optimisation only: the loader works them out itself
        terms = None
    # Handed over in a file, read when the file's turn comes: a result sent back directly
    # would sit in the loader's memory beside the file being written (about 110 MB more
    # at 100,000 claims). Where the file cannot be written (temporary space full, a size
    # limit), it is sent back directly: more memory, the same load.
    if not out:
        return inputs, terms
    try:
        with open(out, "wb") as handle:
            pickle.dump((inputs, terms), handle, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(out)
        return inputs, terms
    return out


def _take(out: Handover) -> Read:
    if not isinstance(out, str):
        return out
    try:
        with open(out, "rb") as handle:
            found: Read = pickle.load(handle)
        return found
    finally:
        with contextlib.suppress(OSError):
            os.unlink(out)


def can_read_ahead(files: int) -> bool:
    """Worth a second process: two files or more, a spare core, and fork to share plugins.

    Fork, because the worker must know the same importers (pluggy plugins registered in
    this process); where there is no fork, files are read in turn.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return files >= 2 and (cores or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods()


@contextlib.contextmanager
def _handover_directory() -> Generator[str | None, None, None]:
    """A temporary directory for the worker's results, or None where none can be made."""
    try:
        directory = tempfile.TemporaryDirectory(prefix="claims-load-")
    except OSError:
        yield None
        return
    with directory as path:
        yield path


def read_ahead(
    files: list[Path],
    forced_format: str | None = None,
    verdicts: dict[str, str] | None = None,
    progress: Callable[[Path], None] | None = None,
    aliases: AliasIndex | None = None,
    known: set[str] | None = None,
) -> Generator[tuple[Path, Inputs, tuple[str, TermsAhead] | None], None, None]:
    """Each file with what read_inputs() gives for it, in order, read in a second process.

    With `aliases` (the load's, and `known`, the ids of every source it knows), the
    worker also works out its claims' matching terms (terms_ahead()), given with the
    aliases' signature: match_claims() uses them only if its aliases have the same one.
    Should the worker fail for any other reason than bad input (killed, out of memory,
    a handover file gone), the file is read here in turn, as without a worker.
    """
    context = multiprocessing.get_context("fork")
    with (
        _handover_directory() as handover,
        ProcessPoolExecutor(
            max_workers=1,
            mp_context=context,
            initializer=_keep_aliases,
            initargs=(aliases, set(known or ())),
        ) as pool,
    ):
        pending: list[tuple[Path, Future[Handover] | None]] = []
        queue = enumerate(files)

        def submit() -> None:
            number, path = next(queue, (0, None))
            if path is None:
                return
            out = os.path.join(handover, f"{number}.pickle") if handover else ""
            try:
                pending.append((path, pool.submit(_read, str(path), forced_format, verdicts, out)))
            except RuntimeError:  # a broken pool takes no more work: read in turn
                pending.append((path, None))

        for _ in range(AHEAD + 1):
            submit()
        try:
            while pending:
                path, future = pending.pop(0)
                if progress:
                    progress(path)
                try:
                    if future is None:
                        raise RuntimeError("not read ahead")
                    inputs, terms = _take(future.result())
                except ClaimsError:
                    raise  # bad input, located: the error the load stops with
                except Exception:
                    inputs, terms = read_inputs([path], None, forced_format, verdicts), None
                submit()
                yield path, inputs, terms
        finally:
            for _, waiting in pending:
                if waiting is not None:
                    waiting.cancel()
