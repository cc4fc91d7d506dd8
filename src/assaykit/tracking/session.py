"""The session window, frame durations, gap filling and path length of one track.

Conventions (documented for users in the README):

* Frame ``i`` stands for the interval from its own time stamp to the next frame's, ``[t_i, t_{i+1})``; the
  last frame stands for one nominal frame interval (the median interval of the track). A frame's duration
  is that interval clipped to the session window, so the first and last frames of a window count only
  the part of their interval that falls inside it, and the durations of a complete session sum exactly
  to its length.
* Path length is the sum of straight-line steps between consecutive frames that both have a position
  (a step across a gap joins the last position before it to the first after it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Window:
    """The frames of a track inside a session window.

    Attributes
    ----------
    first, stop
        The window's frames are ``first:stop`` of the track.
    durations
        Seconds of the window each of those frames stands for.
    start_s, end_s
        The window asked for (``end_s`` is ``start_s`` + duration).
    covered_s
        Seconds of the window the track covers (the sum of ``durations``).
    """

    first: int
    stop: int
    durations: np.ndarray
    start_s: float
    end_s: float
    covered_s: float


def nominal_interval(time_s: np.ndarray) -> float:
    """Median interval between frames (s); NaN for fewer than two frames."""
    if len(time_s) < 2:
        return float("nan")
    return float(np.median(np.diff(time_s)))


def session_window(time_s: np.ndarray, *, start_s: float | None, duration_s: float | None) -> Window:
    """Select the frames of a session window and the time each stands for.

    Parameters
    ----------
    time_s
        Strictly increasing frame times (s).
    start_s
        Window start (s); the first frame's time when None.
    duration_s
        Window length (s); to the end of the track when None.

    Returns
    -------
    Window
        With ``first == stop`` when no frame falls in the window.
    """
    time_s = np.asarray(time_s, dtype=float)
    dt = nominal_interval(time_s)
    if not np.isfinite(dt):
        dt = 0.0
    start = float(time_s[0]) if start_s is None else float(start_s)
    frame_end = np.append(time_s[1:], time_s[-1] + dt)
    end = float(frame_end[-1]) if duration_s is None else start + float(duration_s)
    durations = np.clip(np.minimum(frame_end, end) - np.maximum(time_s, start), 0.0, None)
    inside = np.flatnonzero(durations > 0)
    if len(inside) == 0:
        return Window(0, 0, np.zeros(0), start, end, 0.0)
    first, stop = int(inside[0]), int(inside[-1]) + 1
    kept = durations[first:stop]
    return Window(first, stop, kept, start, end, float(kept.sum()))


def fill_gaps(
    time_s: np.ndarray, x: np.ndarray, y: np.ndarray, max_gap: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Linearly interpolate (in time) runs of up to ``max_gap`` missing positions between two known ones.

    Parameters
    ----------
    time_s, x, y
        The track; NaN in ``x`` or ``y`` marks a missing position.
    max_gap
        Longest run of missing frames to fill; 0 fills nothing. Runs at the start or end of the track, and
        longer runs, stay missing (as movement's ``interpolate_over_time(max_gap=...)``).

    Returns
    -------
    tuple
        Filled copies of ``x`` and ``y`` and the number of frames filled.
    """
    missing = np.isnan(x) | np.isnan(y)
    x, y = np.where(missing, np.nan, x), np.where(missing, np.nan, y)
    if max_gap <= 0 or not missing.any() or missing.all():
        return x, y, 0
    edges = np.diff(np.concatenate([[0], missing.view(np.int8), [0]]))
    run_start, run_stop = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    fillable = (run_stop - run_start <= max_gap) & (run_start > 0) & (run_stop < len(x))
    if not fillable.any():
        return x, y, 0
    lengths = run_stop[fillable] - run_start[fillable]
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    frames = np.repeat(run_start[fillable], lengths) + offsets
    known = ~missing
    x[frames] = np.interp(time_s[frames], time_s[known], x[known])
    y[frames] = np.interp(time_s[frames], time_s[known], y[known])
    return x, y, int(len(frames))


def step_lengths(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Length of the step ending at each frame: from the last earlier frame with a position (0 if none).

    Parameters
    ----------
    x, y
        Positions; NaN where missing.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` step lengths, 0 at frames without a position and at the first positioned frame. The sum is
        the path length ("sum of the distance between each point in the track", as ANY-maze defines total
        distance), with a gap bridged by a straight line.
    """
    known = np.flatnonzero(~(np.isnan(x) | np.isnan(y)))
    steps = np.zeros(len(x))
    if len(known) > 1:
        steps[known[1:]] = np.hypot(np.diff(x[known]), np.diff(y[known]))
    return steps
