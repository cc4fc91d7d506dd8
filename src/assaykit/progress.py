"""A progress bar on stderr for long batches, as the command line shows it.

The computational functions take a ``progress(done, total)`` callback and know nothing of terminals; this
is the callback the CLI gives them. It stays silent unless stderr is a terminal, the job has already taken
longer than a second, and the user did not ask for ``--quiet``, so piped output and logs stay clean.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

#: Seconds a job runs before its bar appears.
DELAY_S = 1.0
#: Shortest interval between redraws, seconds.
REDRAW_S = 0.1
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

    def __call__(self, done: int, total: int) -> None:
        """Record that ``done`` of ``total`` items are finished, redrawing if it is time to."""
        if not self.enabled or total <= 0:
            return
        now = self.clock()  # type: ignore[operator]
        elapsed = now - self.start
        finished = done >= total
        if elapsed < DELAY_S or (now - self.last_draw < REDRAW_S and not finished):
            return
        self.last_draw = now
        filled = int(_WIDTH * min(done, total) / total)
        remaining = elapsed * (total - done) / done if 0 < done < total else 0.0
        eta = f", ~{remaining:.0f} s left" if remaining else ""
        bar = "#" * filled + "." * (_WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}  {elapsed:.0f} s{eta}\x1b[K")
        self.stream.flush()
        self.drawn = True

    def stage(self, label: str) -> None:
        """Begin a new stage of the job (e.g. ``"comparisons"`` after ``"curves"``): a new line and clock.

        The previous stage's line is ended, and the new stage's bar appears once it has itself taken
        longer than :data:`DELAY_S`, with its own elapsed time and estimate.
        """
        self.close()
        self.label = label
        self.start = self.clock()  # type: ignore[operator]
        self.last_draw = -float("inf")

    def close(self) -> None:
        """End the bar's line (if one was drawn) so later messages start on a fresh line."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False

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
