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

from assaykit.tracking.segments import concat_ranges, first_and_last, segment_of


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


@dataclass(frozen=True)
class Windows:
    """The session windows of many tracks held in one array (segments, see :mod:`.segments`).

    Attributes
    ----------
    first, stop
        Per track, its window's frames are ``first:stop`` of the track (local frame numbers).
    start_s, end_s
        Per track, the window asked for.
    covered_s
        Per track, seconds of the window the track covers.
    durations
        Per frame of every track, the seconds of its window the frame stands for (0 outside it).
    """

    first: np.ndarray
    stop: np.ndarray
    start_s: np.ndarray
    end_s: np.ndarray
    covered_s: list[float]
    durations: np.ndarray

    def window(self, k: int, offset: int) -> Window:
        """Return track ``k``'s :class:`Window`; ``offset`` is where the track starts in the array."""
        first, stop = int(self.first[k]), int(self.stop[k])
        durations = self.durations[offset + first : offset + stop] if stop > first else np.zeros(0)
        return Window(first, stop, durations, float(self.start_s[k]), float(self.end_s[k]), self.covered_s[k])


def nominal_interval(time_s: np.ndarray) -> float:
    """Median interval between frames (s); NaN for fewer than two frames."""
    if len(time_s) < 2:
        return float("nan")
    return float(np.median(np.diff(time_s)))


def nominal_intervals(time_s: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """:func:`nominal_interval` of every track in one array (segments of ``bounds``), value for value.

    Tracks of the same length are done together: ``numpy.median`` along an axis takes the same order
    statistics and the same mean of the middle two as it does for each track alone.
    """
    lengths = np.diff(bounds)
    intervals = np.full(len(lengths), np.nan)
    for length in np.unique(lengths[lengths >= 2]).tolist():
        tracks = np.flatnonzero(lengths == length)
        first = int(bounds[tracks[0]])
        if np.array_equal(bounds[tracks], first + length * np.arange(len(tracks))):  # back to back
            times = time_s[first : first + length * len(tracks)].reshape(len(tracks), length)
        else:
            times = time_s[bounds[tracks][:, None] + np.arange(length)]
        intervals[tracks] = np.median(np.diff(times, axis=1), axis=1, overwrite_input=True)
    return intervals


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
    bounds = np.array([0, len(time_s)], dtype=np.int64)
    return session_windows(time_s, bounds, start_s=start_s, duration_s=duration_s).window(0, 0)


def session_windows(
    time_s: np.ndarray, bounds: np.ndarray, *, start_s: float | None, duration_s: float | None
) -> Windows:
    """Select the session window of every track in one array (see :func:`session_window`).

    Parameters
    ----------
    time_s
        Frame times (s) of all tracks, each strictly increasing.
    bounds
        Track boundaries (segments).
    start_s, duration_s
        As in :func:`session_window`, for every track.

    Returns
    -------
    Windows
    """
    lo, hi = bounds[:-1], bounds[1:]
    dt = nominal_intervals(time_s, bounds)
    dt[~np.isfinite(dt)] = 0.0
    start = time_s[lo] if start_s is None else np.full(len(lo), float(start_s))
    frame_end = np.empty_like(time_s)  # each frame stands for [t_i, t_i+1); the last for one interval
    frame_end[:-1] = time_s[1:]
    frame_end[hi - 1] = time_s[hi - 1] + dt
    end = frame_end[hi - 1] if duration_s is None else start + float(duration_s)
    lengths = np.diff(bounds)
    durations = np.minimum(frame_end, np.repeat(end, lengths)) - np.maximum(time_s, np.repeat(start, lengths))
    durations = np.clip(durations, 0.0, None)
    first, last = first_and_last(durations > 0, bounds)
    has = first >= 0
    first, stop = np.where(has, first - lo, 0), np.where(has, last + 1 - lo, 0)
    covered = [
        float(durations[a + f : a + s].sum()) if s > f else 0.0
        for a, f, s in zip(lo.tolist(), first.tolist(), stop.tolist(), strict=True)
    ]
    return Windows(first, stop, start, end, covered, durations)


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
    bounds = np.array([0, len(x)], dtype=np.int64)
    x, y, _, filled = fill_track_gaps(np.asarray(time_s, dtype=float), x, y, bounds, max_gap)
    return x, y, filled


def fill_track_gaps(
    time_s: np.ndarray, x: np.ndarray, y: np.ndarray, bounds: np.ndarray, max_gap: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Fill short gaps in every track of one array (see :func:`fill_gaps`).

    Parameters
    ----------
    time_s, x, y
        All tracks (segments of ``bounds``); NaN in ``x`` or ``y`` marks a missing position.
    bounds
        Track boundaries.
    max_gap
        Longest run of missing frames to fill, within one track.

    Returns
    -------
    tuple
        Filled copies of ``x`` and ``y``, where positions were missing before filling, and the number of
        frames filled.

    Notes
    -----
    Each filled frame is ``numpy.interp`` between the known frames on either side of its gap, called once
    per track with those frames, which gives the values a call with all of the track's frames gives.
    """
    missing = np.isnan(x) | np.isnan(y)
    x, y = np.array(x, dtype=float), np.array(y, dtype=float)  # copies
    x[missing] = np.nan
    y[missing] = np.nan
    if max_gap <= 0 or not missing.any():
        return x, y, missing, 0
    run_start, run_stop = _missing_runs(missing, bounds)
    track = segment_of(bounds, run_start)
    fillable = (
        (run_stop - run_start <= max_gap) & (run_start > bounds[track]) & (run_stop < bounds[track + 1])
    )
    if not fillable.any():
        return x, y, missing, 0
    run_start, run_stop, track = run_start[fillable], run_stop[fillable], track[fillable]
    runs = np.split(np.arange(len(track)), np.flatnonzero(np.diff(track)) + 1)  # each track's gaps
    for run in runs:
        # the known frames around the gaps, in order (one frame may end a gap and start the next)
        sides = np.column_stack([run_start[run] - 1, run_stop[run]]).ravel()
        sides = sides[np.append(True, sides[1:] != sides[:-1])]
        frames = concat_ranges(run_start[run], run_stop[run])
        x[frames] = np.interp(time_s[frames], time_s[sides], x[sides])
        y[frames] = np.interp(time_s[frames], time_s[sides], y[sides])
    return x, y, missing, int((run_stop - run_start).sum())


def _missing_runs(missing: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop (exclusive) of each run of missing frames, runs split where a track ends."""
    first = np.zeros(len(missing), dtype=bool)
    first[bounds[:-1][bounds[:-1] < len(missing)]] = True
    before = np.empty_like(missing)
    before[0] = False
    before[1:] = missing[:-1]
    run_start = np.flatnonzero(missing & (first | ~before))
    after = np.empty_like(missing)
    after[-1] = False
    after[:-1] = missing[1:] & ~first[1:]
    run_stop = np.flatnonzero(missing & ~after) + 1
    return run_start, run_stop


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
    return track_step_lengths(x, y, np.array([0, len(x)], dtype=np.int64))


def track_step_lengths(
    x: np.ndarray, y: np.ndarray, bounds: np.ndarray, known: np.ndarray | None = None
) -> np.ndarray:
    """:func:`step_lengths` of every track in one array; no step joins two tracks.

    ``known`` is where ``x`` and ``y`` are both known, when the caller has it.
    """
    known = ~(np.isnan(x) | np.isnan(y)) if known is None else known
    steps = np.zeros(len(x))
    if known.all():
        steps[1:] = np.hypot(np.diff(x), np.diff(y))
    else:
        where = np.flatnonzero(known)
        if len(where) > 1:
            steps[where[1:]] = np.hypot(np.diff(x[where]), np.diff(y[where]))
    first, _ = first_and_last(known, bounds)
    steps[first[first >= 0]] = 0.0  # a track's first position ends no step
    return steps
