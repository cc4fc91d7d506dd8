"""A progress bar on stderr for long batches, as the command line shows it.

The computational functions take a ``progress(done, total)`` callback and know nothing of terminals; this
is the callback the CLI gives them. It stays silent unless stderr is a terminal, the job has already taken
longer than a second, and the user did not ask for ``--quiet``, so piped output and logs stay clean.

A job announces its stages (``reading``, ``testing``, ``curves``, ``comparisons``, ``writing``: see
:func:`start_stage`). A stage that reports counts gets a bar; one that cannot count (pandas reading a file,
the outputs being written) shows its label and the seconds it has taken, redrawn by a timer, so that no
stage longer than a second passes without a sign of life.
"""

# Kept over click.progressbar (benchmarks/review_copies.md): stages, a ticker, no bar when piped.

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

#: Seconds a job runs before its bar appears.
DELAY_S = 1.0
#: The time left is shown once the rate rests on this many seconds and this share of the items.
MIN_RATE_S = 0.5
MIN_RATE_SHARE = 0.02
#: Shortest interval between redraws, seconds.
REDRAW_S = 0.1
#: Interval of the timer that redraws a stage without counts, seconds.
TICK_S = 0.5
#: The name of that timer's thread.
TIMER_THREAD = "assaykit-progress-timer"
_WIDTH = 30


class ProgressBar:
    """Draw ``label [#####.....] done/total  elapsed, ~remaining`` on one line of a terminal.

    Parameters
    ----------
    label
        What is being counted, e.g. ``"curves"`` or ``"animals"``.
    enabled
        False (e.g. ``--quiet``) draws nothing.
    stream
        Where to draw; the default is ``sys.stderr``. Nothing is drawn unless it is a terminal.
    clock
        A monotonic clock in seconds (for tests).

    Examples
    --------
    >>> bar = ProgressBar("curves")
    >>> bar(5, 10)  # a callback for analyze_competition(..., progress=bar)
    >>> bar.close()
    """

    def __init__(
        self,
        label: str,
        *,
        enabled: bool = True,
        stream: TextIO | None = None,
        clock: object = time.monotonic,
    ) -> None:
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.clock = clock
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = enabled and callable(isatty) and bool(isatty())
        self.start = clock()  # type: ignore[operator]
        self.last_draw = -float("inf")
        self.drawn = False
        self.first: tuple[float, int] | None = None  # (time, done) of the first report: the rate's origin
        self.counting = False  # whether this stage has reported counts (then the timer stays quiet)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None

    def __call__(self, done: int, total: int) -> None:
        """Record that ``done`` of ``total`` items are finished, redrawing if it is time to."""
        if not self.enabled or total <= 0:
            return
        with self._lock:
            self.counting = True
            self._draw_counts(done, total)

    def _draw_counts(self, done: int, total: int) -> None:
        now = self.clock()  # type: ignore[operator]
        if self.first is None or done < self.first[1]:
            self.first = (now, done)
        elapsed = now - self.start
        finished = done >= total
        if elapsed < DELAY_S or (now - self.last_draw < REDRAW_S and not finished):
            return
        self.last_draw = now
        filled = int(_WIDTH * min(done, total) / total)
        remaining = self._remaining(now, done, total)
        eta = f", ~{remaining:.0f} s left" if remaining else ""
        bar = "#" * filled + "." * (_WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}  {elapsed:.0f} s{eta}\x1b[K")
        self.stream.flush()
        self.drawn = True

    def _remaining(self, now: float, done: int, total: int) -> float:
        """Seconds left at the rate since the first report, once that rate rests on something; else 0.

        The rate is measured from the first report, not from the bar's creation, so the time spent reading
        the input before the first item does not inflate it; and it is given only after
        :data:`MIN_RATE_S` seconds and :data:`MIN_RATE_SHARE` of the items since that report, so a first
        item that took its start-up with it does not produce a wild guess.
        """
        assert self.first is not None
        since, base = now - self.first[0], done - self.first[1]
        if not 0 < done < total or base <= 0 or since < MIN_RATE_S or base < MIN_RATE_SHARE * total:
            return 0.0
        return since * (total - done) / base

    def stage(self, label: str) -> None:
        """Begin a new stage of the job (e.g. ``"comparisons"`` after ``"curves"``): a new line and clock.

        The previous stage's line is ended, and the new stage's bar appears once it has itself taken
        longer than :data:`DELAY_S`, with its own elapsed time and estimate. Until the stage reports counts,
        a timer shows ``label ... 3 s`` (its elapsed time) every :data:`TICK_S` seconds after the delay.
        """
        with self._lock:
            self._end_line()
            self.label = label
            self.start = self.clock()  # type: ignore[operator]
            self.last_draw = -float("inf")
            self.first = None
            self.counting = False
        if self.enabled and self._timer is None:
            self._timer = threading.Thread(target=self._tick, name=TIMER_THREAD, daemon=True)
            self._timer.start()

    def _tick(self) -> None:
        """Redraw a stage that reports no counts with its elapsed time, until the bar is closed."""
        while not self._stop.wait(TICK_S):
            with self._lock:
                elapsed = self.clock() - self.start  # type: ignore[operator]
                if self.counting or elapsed < DELAY_S:
                    continue
                self.stream.write(f"\r{self.label} ...  {elapsed:.0f} s\x1b[K")
                self.stream.flush()
                self.drawn = True

    def _end_line(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False

    def close(self) -> None:
        """Stop the timer and end the bar's line (if one was drawn) so later messages start afresh."""
        self._stop.set()
        if self._timer is not None:
            self._timer.join()
            self._timer = None
        with self._lock:
            self._end_line()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_stage(progress: Callable[[int, int], None] | None, label: str) -> None:
    """Tell a progress callback that a new stage begins, if it can be told (``progress.stage(label)``).

    Computational functions take a plain ``progress(done, total)`` callable; a :class:`ProgressBar` also has
    a ``stage`` method, so that each stage of a job (fitting, model comparison, ...) gets its own labelled
    bar. Callables without one are left alone: they keep receiving ``(done, total)`` of every stage.
    """
    stage = getattr(progress, "stage", None)
    if callable(stage):
        stage(label)
