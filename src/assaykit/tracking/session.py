"""The session window, frame durations, gap filling and path length of one track.

Conventions (documented for users in docs/user-guide/epm.md):

* Frame ``i`` stands for the interval from its own time stamp to the next frame's, ``[t_i, t_{i+1})``,
  except before a clock gap (a step that skips more than ``max_gap`` frames, see
  :mod:`assaykit.tracking.clock`), where it stands for one frame interval and the rest of the step is
  lost; the last frame stands for one frame interval. A frame's duration is its interval clipped to the
  session window, so the first and last frames of a window count only the part of their interval that
  falls inside it, and the durations and the lost gaps of a complete session sum exactly to its length.
* The window is ``[start, start + duration)``, or, with an inclusive end ``E``, ``[start, E]`` where the
  last frame stamped at or before ``E`` stands for its whole interval (so a frame stamped exactly at ``E``
  counts one frame interval, as a frame-based tool counts it).
* A frame *counts* towards the frame counts of the window when its time stamp is in the window
  (``start <= t < start + duration``, or ``start <= t <= E``); a frame stamped before the start whose
  interval reaches into the window adds its seconds there but is not counted as one of its frames. Stamps
  within :data:`STAMP_TOLERANCE_S` of a bound count as on it (``frame / fps`` is not exact in floating point).
* Path length is the sum of straight-line steps between consecutive frames that both have a position
  (a step across a gap joins the last position before it to the first after it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assaykit.tracking.segments import concat_ranges, first_and_last, segment_of

#: Time stamps this close (s) to a window bound count as on it.
STAMP_TOLERANCE_S = 1e-6


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
        The window (``end_s`` is ``start_s`` + duration; with an inclusive end, the end of the interval of
        the last frame stamped at or before it).
    covered_s
        Seconds of the window the track covers (the sum of ``durations`` and ``lost``).
    lost
        Seconds of the window lost to a clock gap after each of those frames (0 for most).
    at_first_frame
        Whether the window starts at (or before) the track's first frame.
    """

    first: int
    stop: int
    durations: np.ndarray
    start_s: float
    end_s: float
    covered_s: float
    lost: np.ndarray | None = None
    at_first_frame: bool = True


@dataclass(frozen=True)
class Windows:
    """The session windows of many tracks held in one array (segments, see :mod:`.segments`).

    Attributes
    ----------
    first, stop
        Per track, its window's frames are ``first:stop`` of the track (local frame numbers).
    start_s, end_s
        Per track, the window (see :class:`Window`).
    covered_s
        Per track, seconds of the window the track covers.
    durations
        Per frame of every track, the seconds of its window the frame stands for (0 outside it).
    lost
        Per frame, the seconds of its window lost to a clock gap after it (0 for most frames).
    counted
        Per frame, whether it counts as one of its window's frames (its time stamp is in the window).
    skipped
        Per frame, the frames of its window that a clock gap after it skipped.
    at_first_frame
        Per track, whether the window starts at (or before) its first frame.
    """

    first: np.ndarray
    stop: np.ndarray
    start_s: np.ndarray
    end_s: np.ndarray
    covered_s: list[float]
    durations: np.ndarray
    lost: np.ndarray
    counted: np.ndarray
    skipped: np.ndarray
    at_first_frame: np.ndarray

    def window(self, k: int, offset: int) -> Window:
        """Return track ``k``'s :class:`Window`; ``offset`` is where the track starts in the array."""
        first, stop = int(self.first[k]), int(self.stop[k])
        frames = slice(offset + first, offset + stop) if stop > first else slice(0, 0)
        return Window(
            first,
            stop,
            self.durations[frames],
            float(self.start_s[k]),
            float(self.end_s[k]),
            self.covered_s[k],
            self.lost[frames],
            bool(self.at_first_frame[k]),
        )


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


def session_window(
    time_s: np.ndarray, *, start_s: float | None, duration_s: float | None, end_s: float | None = None
) -> Window:
    """Select the frames of a session window and the time each stands for.

    Parameters
    ----------
    time_s
        Strictly increasing frame times (s).
    start_s
        Window start (s); the first frame's time when None.
    duration_s
        Window length (s); to the end of the track when None (and no ``end_s``).
    end_s
        Inclusive window end (s), instead of ``duration_s``: the frame stamped at ``end_s`` counts in full.

    Returns
    -------
    Window
        With ``first == stop`` when no frame falls in the window.
    """
    time_s = np.asarray(time_s, dtype=float)
    bounds = np.array([0, len(time_s)], dtype=np.int64)
    windows = session_windows(time_s, bounds, start_s=start_s, duration_s=duration_s, end_s=end_s)
    return windows.window(0, 0)


def session_windows(
    time_s: np.ndarray,
    bounds: np.ndarray,
    *,
    start_s: float | None,
    duration_s: float | None,
    end_s: float | None = None,
    interval: np.ndarray | None = None,
    skipped: np.ndarray | None = None,
) -> Windows:
    """Select the session window of every track in one array (see :func:`session_window`).

    Parameters
    ----------
    time_s
        Frame times (s) of all tracks, each strictly increasing.
    bounds
        Track boundaries (segments).
    start_s, duration_s, end_s
        As in :func:`session_window`, for every track (``duration_s`` is ignored with ``end_s``).
    interval
        Per track, the frame interval (s) that the last frame, and a frame before a clock gap, stand for;
        the median step of each track when None.
    skipped
        Per frame, the frames a clock gap after it skipped (0: the next step is no clock gap); None: no
        clock gaps.

    Returns
    -------
    Windows
    """
    lo, hi = bounds[:-1], bounds[1:]
    lengths = np.diff(bounds)
    dt = nominal_intervals(time_s, bounds) if interval is None else np.array(interval, dtype=float)
    dt[~np.isfinite(dt)] = 0.0
    frame_dt = np.repeat(dt, lengths)
    start = time_s[lo] if start_s is None else np.full(len(lo), float(start_s))
    own_end = np.empty_like(time_s)  # each frame stands for [t_i, t_i+1); the last for one interval
    own_end[:-1] = time_s[1:]
    own_end[hi - 1] = time_s[hi - 1] + dt
    gap = np.zeros(len(time_s), dtype=bool) if skipped is None else np.asarray(skipped) > 0
    own_end[gap] = time_s[gap] + frame_dt[gap]  # before a clock gap: one frame interval
    if end_s is not None:  # inclusive: the last frame stamped at or before it counts in full
        _, last = first_and_last(time_s <= float(end_s) + STAMP_TOLERANCE_S, bounds)
        end = np.where(last >= 0, np.maximum(float(end_s), own_end[np.maximum(last, 0)]), float(end_s))
    elif duration_s is not None:
        end = start + float(duration_s)
    else:
        end = own_end[hi - 1]
    track_start, track_end = np.repeat(start, lengths), np.repeat(end, lengths)
    durations = np.clip(np.minimum(own_end, track_end) - np.maximum(time_s, track_start), 0.0, None)
    lost = np.zeros(len(time_s))
    at = np.flatnonzero(gap)
    lost[at] = np.clip(
        np.minimum(time_s[at + 1], track_end[at]) - np.maximum(own_end[at], track_start[at]), 0, None
    )
    inside = (durations > 0) | (lost > 0)
    first, last = first_and_last(inside, bounds)
    has = first >= 0
    first, stop = np.where(has, first - lo, 0), np.where(has, last + 1 - lo, 0)
    spans = durations + lost
    covered = [
        float(spans[a + f : a + s].sum()) if s > f else 0.0
        for a, f, s in zip(lo.tolist(), first.tolist(), stop.tolist(), strict=True)
    ]
    counted = inside & (time_s >= track_start - STAMP_TOLERANCE_S)
    if end_s is not None:
        counted &= time_s <= float(end_s) + STAMP_TOLERANCE_S
    elif duration_s is not None:
        counted &= time_s < track_end - STAMP_TOLERANCE_S
    in_window = np.zeros(len(time_s), dtype=np.int64)
    if len(at):
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.rint(lost[at] / frame_dt[at])
        in_window[at] = np.minimum(np.asarray(skipped)[at], np.nan_to_num(share)).astype(np.int64)
    at_first = start <= time_s[np.minimum(lo, max(len(time_s) - 1, 0))] + STAMP_TOLERANCE_S
    return Windows(first, stop, start, end, covered, durations, lost, counted, in_window, at_first)


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
