"""Pure per-item work spread over processes, with exactly the results of the plain loop.

Two uses share this module:

* a folder of track or count files (``--jobs``): once the work on one file is a pure function (file in,
  tables out: :func:`assaykit.tracking.files.analyze_track_file`), :func:`map_files` runs it over the files;
* per-curve fits that cannot be vectorised (ROUT's robust fit, profile-likelihood intervals, models the
  batch engine does not cover): :func:`map_ordered` spreads them over every usable core when that pays
  (at least :data:`MIN_ITEMS` items, more than one core, not inside a daemonic process such as a Dask
  worker; ``ASSAYKIT_WORKERS`` sets the number of workers, ``1`` never starts a pool).

Both give back exactly what ``[func(item) for item in items]`` gives: results in item order, whatever order
the workers finish in; the exception the loop would raise (the first failing item in input order), with
the chunks after it cancelled; warnings raised in workers raised again here, in item order; progress that
never decreases. Processes, not threads: reading a CSV and fitting hold the GIL for much of their time.
Workers are forked on Linux when that is safe, and spawned otherwise (:func:`_start_method`); the function
and its items must be picklable (a module-level function, or a :func:`functools.partial` of one) and must
not depend on state set in the parent. Items go to the workers in chunks, a few per worker, so that the
cost of sending work and results stays small next to the work and a slow item does not leave a core idle.

The same per-file functions map onto a cluster with an existing engine (Dask's ``client.map``; see
``benchmarks/bench_scale_out.py``): nothing here is needed for that.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from typing import TypeVar

from assaykit.errors import AssayInputError
from assaykit.progress import TIMER_THREAD

__all__ = [
    "ENV_WORKERS",
    "MIN_ITEMS",
    "available_cores",
    "chunked",
    "map_files",
    "map_ordered",
    "resolve_jobs",
    "worker_count",
]

T = TypeVar("T")
R = TypeVar("R")

#: Chunks per worker: more balances uneven items better, fewer sends less.
CHUNKS_PER_WORKER = 4
#: The environment variable that sets the number of worker processes of :func:`map_ordered`.
ENV_WORKERS = "ASSAYKIT_WORKERS"
#: Fewest items worth a pool in :func:`map_ordered`: below this the work runs in this process.
MIN_ITEMS = 8


def available_cores() -> int:
    """Return the cores this process may run on (its CPU affinity, e.g. under ``taskset``; else all)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def resolve_jobs(jobs: int | str | None) -> int:
    """Return the number of worker processes that ``--jobs`` asks for.

    Parameters
    ----------
    jobs
        A positive number; ``0`` or ``"auto"`` for one per available core (:func:`available_cores`);
        None for 1.

    Returns
    -------
    int
        At least 1.

    Raises
    ------
    AssayInputError
        For anything else (a negative number, a word other than ``auto``).
    """
    if jobs is None:
        return 1
    text = str(jobs).strip().lower()
    if text == "auto":
        return available_cores()
    try:
        number = int(text)
    except ValueError:
        number = -1
    if number < 0 or (isinstance(jobs, float) and not jobs.is_integer()):
        raise AssayInputError(
            f"--jobs must be a whole number of processes (1 or more), or 0 or 'auto' for one per core; "
            f"got '{jobs}'"
        )
    return available_cores() if number == 0 else number


def _start_method() -> str:
    """Return ``"fork"`` where it is safe and available, else ``"spawn"``.

    A forked worker starts in milliseconds with the parent's modules already imported, where a spawned one
    imports numpy, pandas and assaykit again (about half a second of CPU each, a fixed cost that eats the
    gain on a folder of small files). Fork is used on Linux when this process runs no other Python thread
    (a thread holding a lock at the moment of the fork could leave the child stuck); otherwise spawn,
    which the per-file functions are written for (module-level, picklable, no global state). The progress
    bar's timer thread (:class:`assaykit.progress.ProgressBar`) does not count: it only ever holds its own
    lock, which a worker never takes.
    """
    import threading

    others = [t for t in threading.enumerate() if t is not threading.main_thread() and t.name != TIMER_THREAD]
    if sys.platform.startswith("linux") and not others:
        return "fork"
    return "spawn"


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
        n = available_cores()
    if multiprocessing.current_process().daemon:
        return 1
    return max(1, n)


def _run_chunk(func: Callable[[T], R], items: Sequence[T]) -> tuple[list[R], list[tuple[str, type]]]:
    """Apply ``func`` to each item of a chunk, in a worker; return the results and the warnings raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = [func(item) for item in items]
    return results, [(str(w.message), w.category) for w in caught]


def chunked(n_items: int, workers: int) -> list[range]:
    """Split ``range(n_items)`` into consecutive chunks, about :data:`CHUNKS_PER_WORKER` per worker."""
    if n_items == 0:
        return []
    size = max(1, -(-n_items // (workers * CHUNKS_PER_WORKER)))
    return [range(start, min(start + size, n_items)) for start in range(0, n_items, size)]


def _pool_map(
    func: Callable[[T], R],
    items: Sequence[T],
    workers: int,
    progress: Callable[[int], None],
    start_method: str | None = None,
) -> list[R]:
    """Run ``func`` over ``items`` in a pool of ``workers``; ``progress(done)`` as chunks finish."""
    chunks = chunked(len(items), workers)
    found: dict[int, tuple[list[R], list[tuple[str, type]]]] = {}
    context = multiprocessing.get_context(start_method or _start_method())
    with warnings.catch_warnings():
        # Python 3.12+ warns of fork() in a process with threads; numpy's idle BLAS threads are fork-safe.
        warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
        with ProcessPoolExecutor(min(workers, len(chunks)), mp_context=context) as pool:
            futures = {
                pool.submit(_run_chunk, func, [items[i] for i in chunk]): k for k, chunk in enumerate(chunks)
            }
            pending = set(futures)
            done = 0
            while pending:
                finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
                failed = [futures[f] for f in finished if f.exception() is not None]
                for future in finished:
                    if future.exception() is None:
                        found[futures[future]] = future.result()
                        for _ in chunks[futures[future]]:  # one call per item, as the loop makes them
                            done += 1
                            progress(done)
                if failed:
                    # Chunks start in order, so every chunk before a failed one has started: let those
                    # finish (one may fail, and the plain loop would have raised its error first); cancel
                    # the chunks after it that have not started.
                    for future in pending:
                        if futures[future] > min(failed):
                            future.cancel()
                    wait(pending)
                    errors = {
                        k: f.exception()
                        for f, k in futures.items()
                        if not f.cancelled() and f.exception() is not None
                    }
                    _raise(errors[min(errors)])
    results: list[R] = []
    for k in range(len(chunks)):
        chunk_results, caught = found[k]
        for message, category in caught:
            warnings.warn(message, category, stacklevel=3)
        results.extend(chunk_results)
    return results


def map_files(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    start_method: str | None = None,
) -> list[R]:
    """Return ``[func(item) for item in items]``, computed in ``jobs`` processes when more than one.

    Parameters
    ----------
    func
        A pure function of one item (no writing, no global state), picklable when ``jobs > 1``.
    items
        The items (file paths, or tuples of a path and its options), picklable when ``jobs > 1``.
    jobs
        Worker processes (see :func:`resolve_jobs`); 1 runs the loop in this process. Never more workers
        than chunks of items are started.
    progress
        Called as ``progress(done, total)`` with ``total = len(items)``: first ``(0, total)``, then as
        items are finished (in chunks with ``jobs > 1``), ``done`` never decreasing.
    start_method
        How workers start (:mod:`multiprocessing`): ``"fork"``, ``"forkserver"`` or ``"spawn"``; None for
        :func:`_start_method`'s choice.

    Returns
    -------
    list
        One result per item, in the order of ``items``.

    Raises
    ------
    Exception
        What ``func`` raised for the first item (in input order) it raised for; chunks not yet started
        are cancelled. A worker that died (killed, out of memory) gives a one-line ``ChildProcessError``.
    """
    total = len(items)
    report = progress or (lambda done, total: None)
    report(0, total)
    if jobs <= 1 or total <= 1:
        results = []
        for item in items:
            results.append(func(item))
            report(len(results), total)
        return results
    return _pool_map(func, items, jobs, lambda done: report(done, total), start_method)


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
        An exception it raises is raised here (the first one in item order; chunks after it cancelled).
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
    for module in preload:
        importlib.import_module(module)
    return _pool_map(func, items, min(n_workers, len(items)), progress or (lambda done: None))


def _raise(error: BaseException | None) -> None:
    """Re-raise a failed chunk's exception; a dead worker becomes one line that says what to do."""
    from concurrent.futures.process import BrokenProcessPool

    assert error is not None
    if isinstance(error, BrokenProcessPool):
        # ChildProcessError is an OSError: the command line prints it as one line, exit status 2.
        raise ChildProcessError(
            "a worker process stopped abruptly (killed, or out of memory?); run again with fewer --jobs"
        ) from None
    raise error
