"""Run a pure per-file function over many files, in this process or in several (``--jobs``).

A folder of track or count files is embarrassingly parallel once the work on one file is a pure function
(file in, tables out: :func:`assaykit.tracking.files.analyze_track_file`). :func:`map_files` runs such a
function over the files with :class:`concurrent.futures.ProcessPoolExecutor` and gives back exactly what
the plain loop ``[func(f) for f in files]`` gives:

* results in the order of the files, whatever order the workers finish in;
* the exception the loop would raise (the one of the first failing file in input order), re-raised in the
  parent, with the files after it not waited for;
* progress counted in files, across workers, never decreasing.

Processes, not threads: reading a CSV and the per-animal analysis hold the GIL for much of their time.
Workers are forked on Linux when that is safe, and spawned (a fresh interpreter, as on macOS and Windows)
otherwise (:func:`_start_method`); the function and its arguments must be picklable (a module-level
function, or a :func:`functools.partial` of one) and must not depend on state set in the parent. Files
go to the workers in chunks, a few per worker, so that the cost of sending work and results stays small
next to the work, and a slow file does not leave a core idle for long.

The same function maps onto a cluster with an existing engine (Dask's ``client.map``; see
``benchmarks/bench_scale_out.py``): nothing here is needed for that.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from typing import TypeVar

from assaykit.errors import AssayInputError

T = TypeVar("T")
R = TypeVar("R")

#: Chunks per worker: more balances uneven files better, fewer sends less.
CHUNKS_PER_WORKER = 4


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
    which the per-file functions are written for (module-level, picklable, no global state).
    """
    import threading

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


def _run_chunk(func: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """Apply ``func`` to each item of a chunk, in a worker."""
    return [func(item) for item in items]


def chunked(n_items: int, workers: int) -> list[range]:
    """Split ``range(n_items)`` into consecutive chunks, about :data:`CHUNKS_PER_WORKER` per worker."""
    if n_items == 0:
        return []
    size = max(1, -(-n_items // (workers * CHUNKS_PER_WORKER)))
    return [range(start, min(start + size, n_items)) for start in range(0, n_items, size)]


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
    chunks = chunked(total, jobs)
    found: dict[int, list[R]] = {}
    context = multiprocessing.get_context(start_method or _start_method())
    with warnings.catch_warnings(), ProcessPoolExecutor(min(jobs, len(chunks)), mp_context=context) as pool:
        # Python 3.12+ warns of fork() in a process with threads; numpy's idle BLAS threads are fork-safe.
        warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
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
                    done += len(chunks[futures[future]])
                    report(done, total)
            if failed:
                # Chunks start in order, so every chunk before a failed one has started: let those finish
                # (one of them may fail, and the plain loop would have raised its error first); cancel the
                # chunks after it that have not started.
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
    return [result for k in range(len(chunks)) for result in found[k]]


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
