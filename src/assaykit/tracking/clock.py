"""The clock of a track: its frame interval, its clock gaps, and whether its times can be seconds.

The rules (docs/user-guide/epm.md says them to users, under "How time, entries and distance are counted"):

Frame interval
    A track sampled at a frame rate has a *frame interval*: ``1 / fps`` for a file that counts frames
    (DeepLabCut, SLEAP, LightningPose, a ``frame`` column with ``--fps``), else the median step between its
    time stamps (the median is not moved by dropped frames or by a few long steps).
Sampled tracks and event logs
    A file that counts frames is sampled. ANY-maze's test data, which has a row for each thing that
    occurred (a new position, a zone entry) rather than one per frame, is an *event log*. Any other track
    is sampled when at least half of its steps lie within 25% of its median step (video time stamps, even
    with jitter or dropped frames), and read as an event log otherwise (rows written only when something
    changes, as some beam-break boxes log zones), with a warning.
Clock gaps
    In a sampled track a step skips ``round(step / interval) - 1`` frames. A step that skips more than
    ``max_gap`` frames is a *clock gap*: the frame before it stands for one frame interval and the rest of
    the step is lost time, exactly as if the skipped frames were rows without a position (which
    ``max_gap`` would not fill either). A shorter step lasts until the next time stamp. An event log has no
    clock gaps: each row lasts until the next one, however long.
Times that cannot be seconds
    Video runs at 1 to 1000 frames per second (:data:`MIN_FPS`, :data:`MAX_FPS`) and a plus-maze or
    light-dark session lasts minutes. Read as seconds,

    * a track spanning more than a day (:data:`MAX_SPAN_S`) is an error (milliseconds in a seconds column:
      a 90 s session spans a day);
    * a sampled track faster than 1000 frames per second is an error when its column does not say seconds
      (seconds in a ``time_ms`` column: 30,000 per second; minutes in ``time``), and a warning when it does
      (``time_s``, ``seconds``, a vendor's export: a clock faster than video, a beam system's, is possible);
    * a sampled track slower than one frame per second is an error when its column states no unit
      (``time``, ``t``: milliseconds of 25-30 fps video step by 33-40), and a warning when it does;
    * whole numbers counting up by exactly 1 in a column without a unit look like frame numbers: an error
      when they span more than twice the session window and more than :data:`FRAME_NUMBERS_SPAN_S` (only a
      fraction of the recording would be analysed), else a warning.

Each error names the file and the column and says which column name or option would read the file right
(``time_ms``, ``frame`` with ``--fps``, ``time_s``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assaykit.errors import AssayInputError
from assaykit.io.tracks import TrackTable
from assaykit.tracking.animals import AnimalRows
from assaykit.tracking.segments import segment_of
from assaykit.tracking.session import nominal_intervals

#: Video frame rates (frames per second) that times read as seconds may imply.
MIN_FPS, MAX_FPS = 1.0, 1000.0

#: The longest span (s) of a track whose times can be seconds: no session lasts a day.
MAX_SPAN_S = 86400.0

#: Whole numbers counting up by 1 that span more than this (and twice the window) are taken for frame
#: numbers: 40 s of 30 fps video; a scorer's sheet of one row per second rarely covers 20 minutes.
FRAME_NUMBERS_SPAN_S = 1200.0

#: A track is sampled at a frame rate when at least this share of its steps lies within
#: :data:`STEP_TOLERANCE` (relative) of its median step.
REGULAR_SHARE, STEP_TOLERANCE = 0.5, 0.25

_SECONDS_NAMES = ("time_s", "t_s", "seconds", "sec")
_FRAME_FORMATS = ("dlc", "lightningpose", "sleap")


@dataclass(frozen=True)
class Clocks:
    """The clocks of many tracks held in one array (track ``k`` is ``bounds[k]:bounds[k + 1]``).

    Attributes
    ----------
    interval
        Per track, the frame interval (s); NaN for a track of one frame.
    sampled
        Per track, whether it is sampled at a frame rate (and so may have clock gaps).
    skipped
        Per frame, the frames a clock gap after it skipped; 0 where the next step is no clock gap.
    """

    interval: np.ndarray
    sampled: np.ndarray
    skipped: np.ndarray

    def pieces(self, bounds: np.ndarray) -> np.ndarray:
        """Return ``bounds`` with a boundary after each clock gap: the stretches no gap interrupts.

        Gap filling and smoothing work within these stretches, so a run of missing positions that touches
        a clock gap (part of a longer run of missing frames) is never filled.
        """
        after = np.flatnonzero(self.skipped) + 1
        return np.union1d(np.asarray(bounds, dtype=np.int64), after).astype(np.int64)


def track_clocks(
    time_s: np.ndarray,
    bounds: np.ndarray,
    *,
    frame_rate: float | None = None,
    event_log: bool = False,
    max_gap: int = 0,
) -> Clocks:
    """Find every track's frame interval and clock gaps (see the module docstring).

    Parameters
    ----------
    time_s
        Frame times (s) of all tracks, one after another.
    bounds
        Track boundaries.
    frame_rate
        Frames per second when the times count frames (the interval is then ``1 / frame_rate``).
    event_log
        Whether the file writes rows only when something changes (no track is then sampled).
    max_gap
        The most frames a step may skip and still last until the next time stamp.

    Returns
    -------
    Clocks
    """
    time_s = np.asarray(time_s, dtype=float)
    bounds = np.asarray(bounds, dtype=np.int64)
    n_tracks = len(bounds) - 1
    median = nominal_intervals(time_s, bounds)
    interval = np.full(n_tracks, 1.0 / frame_rate) if frame_rate else median
    skipped = np.zeros(len(time_s), dtype=np.int64)
    if len(time_s) < 2:
        return Clocks(interval, np.full(n_tracks, frame_rate is not None), skipped)
    steps = np.diff(time_s)
    lengths = np.diff(bounds)
    # the track each step belongs to; the step from a track's last frame to the next track's first is no step
    track = np.repeat(np.arange(n_tracks), lengths)[:-1]
    inside = np.ones(len(steps), dtype=bool)
    inside[bounds[1:-1][(bounds[1:-1] > 0) & (bounds[1:-1] < len(time_s))] - 1] = False
    if frame_rate is not None:
        sampled = np.ones(n_tracks, dtype=bool)
    elif event_log:
        sampled = np.zeros(n_tracks, dtype=bool)
    else:
        tolerance = median[track]  # each step's track median, then (in place) the tolerance around it
        off = steps - tolerance
        np.abs(off, out=off)
        tolerance *= STEP_TOLERANCE
        near = off <= tolerance
        # track k's steps are bounds[k] .. bounds[k + 1] - 2 (the step after them crosses to the next track)
        counted = np.maximum(lengths - 1, 0)
        starts = bounds[:-1][counted > 0]
        near_count = np.zeros(n_tracks, dtype=np.int64)
        if len(starts):
            near[~inside] = False
            near_count[counted > 0] = np.add.reduceat(near, starts, dtype=np.int64)
        sampled = near_count / np.maximum(counted, 1) >= REGULAR_SHARE
    usable = sampled & (interval > 0)
    if not usable.any():
        return Clocks(interval, sampled, skipped)
    # a step skips round(step / interval) - 1 frames, more than max_gap only when step >= (max_gap + 1.5)
    # intervals: look closely at those steps alone
    shortest = float(np.min(interval[usable]))
    candidates = np.flatnonzero(inside & (steps >= (max_gap + 1.5) * shortest * (1 - 1e-12)))
    candidates = candidates[usable[track[candidates]]]
    owner = track[candidates]
    with np.errstate(over="ignore", invalid="ignore"):
        frames = np.rint(np.minimum(steps[candidates] / interval[owner], 1e15)) - 1
    gap = frames > max_gap
    skipped[candidates[gap]] = frames[gap].astype(np.int64)
    return Clocks(interval, sampled, skipped)


def gap_warnings(
    time_s: np.ndarray,
    rows: AnimalRows,
    clocks: Clocks,
    max_gap: int,
    window: tuple[float | None, float | None, float | None] = (None, None, None),
    skip: set[int] | frozenset[int] = frozenset(),
) -> list[str]:
    """Return one line per animal whose session window has clock gaps: how many, the longest, and where.

    A clock gap is implausible input (a recording paused, rows cut out, frames dropped in a block), so it
    is reported even though its time is counted, as lost time. Gaps outside the window ``(start_s,
    duration_s, end_s)`` change nothing and are not reported, nor are animals in ``skip`` (in error).
    """
    gaps = np.flatnonzero(clocks.skipped)
    if not len(gaps):
        return []
    animal = segment_of(rows.bounds, gaps)
    start_s, duration_s, end_s = window
    lines = []
    for k in np.unique(animal).tolist():
        if k in skip:
            continue
        mine = gaps[animal == k]
        start = float(time_s[rows.bounds[k]]) if start_s is None else start_s
        end = start + duration_s if duration_s is not None else np.inf if end_s is None else end_s
        mine = mine[(time_s[mine] < end) & (time_s[mine + 1] > start)]
        if not len(mine):
            continue
        longest = int(mine[np.argmax(time_s[mine + 1] - time_s[mine])])
        rate = 1.0 / float(clocks.interval[k])
        row, following = rows.line(longest), rows.line(longest + 1)
        where = f" (between rows {row} and {following})" if row is not None else ""
        count = f"{len(mine)} clock gaps" if len(mine) > 1 else "a clock gap"
        which = "the longest" if len(mine) > 1 else "it"
        lines.append(
            f"{rows.names[k]}: {count} in the time stamps (a step skipping more than --max-gap {max_gap} "
            f"frames at {rate:.4g} frames per second); {which} runs from {time_s[longest]:g} to "
            f"{time_s[longest + 1]:g} s{where}, {int(clocks.skipped[longest])} frames missing: counted as "
            "lost time, not as time in the zone before it"
        )
    return lines


def irregular_warning(table: TrackTable, rows: AnimalRows, clocks: Clocks, skip: set[int]) -> str | None:
    """Return a line naming the animals of a file read as event logs, unless the file said it is one."""
    if table.event_log or table.frame_rate is not None:
        return None
    lengths = np.diff(rows.bounds)
    animals = [
        rows.names[k] for k in np.flatnonzero(~clocks.sampled & (lengths > 2)).tolist() if k not in skip
    ]
    if not animals:
        return None
    listed = ", ".join(f"'{a}'" for a in animals[:5]) + (
        f" and {len(animals) - 5} more" if len(animals) > 5 else ""
    )
    whose = "animal" if len(animals) == 1 else "animals"
    return (
        f"{table.source}: the time steps of {whose} {listed} are irregular (fewer than half within 25% of "
        "the median step): read as an event log, each row lasting until the next one, and no clock gaps "
        "are looked for (if the file has one row per video frame, give 'frame' numbers and --fps)"
    )


def time_unit_problems(
    time_s: np.ndarray,
    rows: AnimalRows,
    clocks: Clocks,
    table: TrackTable,
    window: tuple[float | None, float | None, float | None] = (None, None, None),
    skip: set[int] | frozenset[int] = frozenset(),
) -> tuple[dict[int, AssayInputError], list[str]]:
    """Check that every animal's times can be seconds (see the module docstring).

    Parameters
    ----------
    time_s
        Frame times (s), in animal order.
    rows
        The animals' rows.
    clocks
        Their clocks (:func:`track_clocks`).
    table
        The file (its time column, frame rate and format name the unit the times were read in).
    window
        The session window asked for: ``(start_s, duration_s, end_s)`` (None: not given).
    skip
        Animals already in error.

    Returns
    -------
    tuple
        The error of each animal whose times cannot be seconds, and one warning line per animal whose
        times are merely suspicious.
    """
    kind = _unit_kind(table)
    column = table.time_column
    what = "the times"  # an error's prefix names the file and the column
    said = f"the times in '{column}'" if column else what  # a warning names the column itself
    errors: dict[int, AssayInputError] = {}
    warned: list[str] = []
    for k, name in enumerate(rows.names):
        lo, hi = int(rows.bounds[k]), int(rows.bounds[k + 1])
        if k in skip or hi - lo < 2:
            continue
        t = time_s[lo:hi]
        window_s = _window_length(window, float(t[0]))
        span, dt, sampled = float(t[-1] - t[0]), float(clocks.interval[k]), bool(clocks.sampled[k])
        rate = 1.0 / dt if dt > 0 else np.inf
        step = _in_unit(dt, kind)
        if span > MAX_SPAN_S:
            reason = (
                f"{hi - lo:,} frames at --fps {table.frame_rate:g} span {span / 3600:,.3g} hours"
                if kind == "frames"
                else f"{what} span {_in_unit(span, kind)} ({span / 3600:,.3g} hours as {_UNIT[kind]})"
            )
            errors[k] = _error(f"{reason}; a session lasts minutes: {_advice(kind, 'slow')}", table, column)
        elif sampled and rate > MAX_FPS:
            text = (
                f"{what} step by {step} (median), {rate:,.0f} frames per second as {_UNIT[kind]}; video "
                f"runs at {MIN_FPS:g} to {MAX_FPS:g}"
            )
            if kind in ("unitless", "ms"):
                errors[k] = _error(f"{text}: {_advice(kind, 'fast')}", table, column)
            else:  # the file says seconds: a fast clock (not video) is possible
                warned.append(f"{name}: {text.replace(what, said, 1)}; are the times in seconds?")
        elif sampled and kind == "unitless" and dt == 1.0 and np.all(t == np.round(t)):
            text = (
                f"{what} are whole numbers counting up by 1 ({t[0]:g} to {t[-1]:g}): they look like frame "
                "numbers; if so, name the column frame and give --fps"
            )
            if span > max(2 * (window_s or 0.0), FRAME_NUMBERS_SPAN_S):
                errors[k] = _error(f"{text} (if they are seconds, name it time_s)", table, column)
            else:
                warned.append(
                    f"{name}: {text.replace(what, said, 1)}; if they are whole seconds, name it time_s"
                )
        elif sampled and rate < MIN_FPS and kind != "frames":  # --fps itself is checked (1 to 1000)
            text = (
                f"{what} step by {step} (median): as {_UNIT[kind]} that is one frame every {dt:.3g} s, "
                f"slower than video runs ({MIN_FPS:g} to {MAX_FPS:g} frames per second)"
            )
            if kind == "unitless":
                advice = f"{_advice(kind, 'slow')}; if they are seconds, name it time_s"
                errors[k] = _error(f"{text}: {advice}", table, column)
            else:
                coarse = "zone times and entries are only as fine as the steps"
                warned.append(f"{name}: {text.replace(what, said, 1)}; {coarse}")
    return errors, warned


def _window_length(window: tuple[float | None, float | None, float | None], first_s: float) -> float | None:
    """Return the length of a window ``(start_s, duration_s, end_s)`` for a track starting at ``first_s``."""
    start_s, duration_s, end_s = window
    if end_s is not None:
        return end_s - (first_s if start_s is None else start_s)
    return duration_s


def coverage_hint(table: TrackTable, n_frames: int, first_s: float, last_s: float) -> str:
    """Say what to check when a track covers much less of the session window than it should."""
    if table.frame_rate is not None:
        return f"{n_frames:,} frames at --fps {table.frame_rate:g}: is that the video's frame rate?"
    column = f" in '{table.time_column}'" if table.time_column else ""
    return f"{n_frames:,} rows from {first_s:g} to {last_s:g} s{column}: are the times in seconds?"


_UNIT = {
    "unitless": "seconds",
    "seconds": "seconds",
    "ms": "milliseconds",
    "frames": "frames at --fps",
    "vendor": "seconds",
}


def _unit_kind(table: TrackTable) -> str:
    """Tell how the file gave its times: ``frames``, ``ms``, ``seconds``, ``vendor`` or ``unitless``."""
    name = (table.time_column or "").strip().lower()
    if table.frame_rate is not None:
        return "frames"
    if table.format in ("ethovision", "anymaze", *_FRAME_FORMATS):
        return "vendor"
    if name == "time_ms":
        return "ms"
    return "seconds" if name in _SECONDS_NAMES else "unitless"


def _in_unit(seconds: float, kind: str) -> str:
    """Write a duration as the column does (ms for ``time_ms``, a bare number for a column without a unit)."""
    if kind == "ms":
        return f"{seconds * 1e3:,.6g} ms"
    return f"{seconds:,.6g}" if kind == "unitless" else f"{seconds:,.6g} s"


def _advice(kind: str, direction: str) -> str:
    """Which column name or option reads the file right, when its values are too large or too small."""
    if kind == "frames":
        return "check --fps"
    if kind == "vendor":
        return "check the export's time unit"
    if direction == "slow":
        if kind == "ms":
            return "give milliseconds in time_ms, or seconds in time"
        return (
            "if they are milliseconds, name the column time_ms; if frame numbers, name it frame, give --fps"
        )
    if kind == "ms":
        return "they look like seconds: name the column time (or time_s)"
    return "if they are minutes, give seconds (if they are seconds, name the column time_s)"


def _error(message: str, table: TrackTable, column: str | None) -> AssayInputError:
    return AssayInputError(message, path=table.source, column=column)
