"""Per-item work that cannot be vectorised, spread over the machine's cores; results in input order.

Some fits are made one curve at a time (ROUT's robust fit, profile-likelihood intervals, the models the
batch engine does not cover). :func:`map_ordered` runs such work in a process pool over every core the
process may use, in chunks, and returns the results in the order of the items, so a parallel run gives the
same table as a serial one (each item's work is deterministic and does not depend on the others).

A pool costs the start-up of its workers and the pickling of items and results, so small jobs run in this
process: fewer than :data:`MIN_ITEMS` items, one usable core, or a process that may not have children
(a daemonic worker, as in a ``multiprocessing`` pool or a Dask worker). The environment variable
``ASSAYKIT_WORKERS`` sets the number of worker processes (``1``: never start a pool), e.g. when several
jobs already run side by side.
"""

from __future__ import annotations

import importlib
import math
import multiprocessing
import os
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, TypeVar

from assaykit.errors import AssayInputError

__all__ = ["ENV_WORKERS", "MIN_ITEMS", "map_ordered", "worker_count"]

T = TypeVar("T")
R = TypeVar("R")

#: The environment variable that sets the number of worker processes.
ENV_WORKERS = "ASSAYKIT_WORKERS"
#: Fewest items worth a pool: below this the work runs in this process.
MIN_ITEMS = 8
#: Chunks per worker: several, so that progress moves and uneven items balance out.
CHUNKS_PER_WORKER = 4


def worker_count() -> int:
    """Return the number of worker processes to use: ``ASSAYKIT_WORKERS``, else the usable cores.

    Returns
    -------
    int
        At least 1; 1 in a daemonic process, which may not start children.

    Raises
    ------
    AssayInputError
        When ``ASSAYKIT_WORKERS`` is set but is not a whole number of at least 1.
    """
    given = os.environ.get(ENV_WORKERS, "").strip()
    if given:
        try:
            n = int(given)
        except ValueError:
            n = 0
        if n < 1:
            raise AssayInputError(f"{ENV_WORKERS} must be a whole number of at least 1, not '{given}'")
    else:
        try:
            n = len(os.sched_getaffinity(0))  # the cores this process may run on (Linux)
        except AttributeError:  # pragma: no cover - macOS, Windows
            n = os.cpu_count() or 1
    if multiprocessing.current_process().daemon:
        return 1
    return max(1, n)


def _run_chunk(func: Callable[[T], R], chunk: Sequence[T]) -> tuple[list[R], list[tuple[str, type]]]:
    """Run ``func`` on each item of a chunk (in a worker); return the results and the warnings raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = [func(item) for item in chunk]
    return results, [(str(w.message), w.category) for w in caught]


def map_ordered(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    min_items: int = MIN_ITEMS,
    preload: Sequence[str] = (),
) -> list[R]:
    """Return ``[func(item) for item in items]``, computed in a process pool when that pays.

    Parameters
    ----------
    func
        A module-level function (workers receive it by name); it and the items and results must pickle.
        An exception it raises is raised here (the first one in item order, after the pool is shut down).
    items
        The work, one item each.
    progress
        Called with the number of items finished so far (1, 2, ... ``len(items)``); with a pool, the calls
        for a chunk's items come when the chunk finishes.
    workers
        Worker processes; default :func:`worker_count`.
    min_items
        Fewest items for which a pool is started.
    preload
        Modules to import here before a pool starts (e.g. ``lmfit``): workers forked from this process
        then share them instead of each importing them again (about 0.4 s of CPU each for lmfit and scipy).

    Returns
    -------
    list
        The results, in the order of ``items``, the same as a serial run gives.

    Warns
    -----
    Warnings that ``func`` raises in a worker are raised again here, chunk by chunk in item order.
    """
    items = list(items)
    n_workers = worker_count() if workers is None else max(1, int(workers))
    if n_workers == 1 or len(items) < max(min_items, 2):
        results = []
        for done, item in enumerate(items, start=1):
            results.append(func(item))
            if progress is not None:
                progress(done)
        return results
    n_workers = min(n_workers, len(items))
    for module in preload:
        importlib.import_module(module)
    size = max(1, math.ceil(len(items) / (n_workers * CHUNKS_PER_WORKER)))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    outcomes: list[tuple[list[R], list[tuple[str, type]]] | None] = [None] * len(chunks)
    done = 0
    with ProcessPoolExecutor(max_workers=n_workers) as pool:
        pending: dict[Any, int] = {pool.submit(_run_chunk, func, chunk): k for k, chunk in enumerate(chunks)}
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                k = pending.pop(future)
                if future.exception() is not None:
                    for other in pending:
                        other.cancel()
                    raise future.exception()  # type: ignore[misc]
                outcomes[k] = future.result()
                for _ in chunks[k]:  # one call per item, as the serial loop makes them
                    done += 1
                    if progress is not None:
                        progress(done)
    results: list[R] = []
    for outcome in outcomes:
        assert outcome is not None
        chunk_results, caught = outcome
        for message, category in caught:
            warnings.warn(message, category, stacklevel=2)
        results.extend(chunk_results)
    return results
