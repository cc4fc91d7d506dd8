"""map_ordered: results in item order, serial below the threshold, warnings and errors carried back."""

from __future__ import annotations

import warnings

import pytest

import assaykit.parallel as parallel
from assaykit.errors import AssayInputError
from assaykit.parallel import map_ordered, worker_count


def square_and_warn(n: int) -> int:
    if n % 5 == 0:
        warnings.warn(f"item {n} is a multiple of five", UserWarning, stacklevel=1)
    return n * n


def fail_on_seven(n: int) -> int:
    if n == 7:
        raise ValueError("seven is bad")
    return n


def test_a_pool_returns_results_in_item_order_with_the_warnings_and_progress():
    done: list[int] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = map_ordered(square_and_warn, range(40), workers=2, progress=done.append)
    assert got == [n * n for n in range(40)]
    assert [str(w.message) for w in caught] == [f"item {n} is a multiple of five" for n in range(0, 40, 5)]
    assert done == list(range(1, 41))


def test_an_error_in_a_worker_is_raised_here():
    with pytest.raises(ValueError, match="seven is bad"):
        map_ordered(fail_on_seven, range(20), workers=2)


@pytest.mark.filterwarnings("ignore:item .* is a multiple of five:UserWarning")
def test_small_jobs_never_start_a_pool(monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_pool)
    assert map_ordered(square_and_warn, [3], workers=2) == [9]  # one curve
    assert map_ordered(square_and_warn, range(parallel.MIN_ITEMS - 1), workers=2) == [
        n * n for n in range(parallel.MIN_ITEMS - 1)
    ]
    monkeypatch.setenv("ASSAYKIT_WORKERS", "1")
    assert map_ordered(square_and_warn, range(50)) == [n * n for n in range(50)]


def test_worker_count_from_the_environment_and_in_daemonic_processes(monkeypatch):
    monkeypatch.setenv("ASSAYKIT_WORKERS", "3")
    assert worker_count() == 3
    for bad in ("0", "-2", "2.5", "many"):
        monkeypatch.setenv("ASSAYKIT_WORKERS", bad)
        with pytest.raises(
            AssayInputError, match=f"ASSAYKIT_WORKERS must be a whole number of at least 1, not '{bad}'"
        ):
            worker_count()
    monkeypatch.delenv("ASSAYKIT_WORKERS")

    class Daemon:
        daemon = True

    monkeypatch.setattr(parallel.multiprocessing, "current_process", lambda: Daemon())
    assert worker_count() == 1  # a daemonic process (e.g. a Dask worker) may not start children
