"""One track through one arena: time, entries, latency and distance per zone kind.

This is the assay-independent core that the elevated plus maze and the light-dark box both call; each
assay only names its zone kinds and maps the sums onto its endpoint columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from assaykit.tracking.episodes import Occupancy, confirm_zones
from assaykit.tracking.geometry import Arena
from assaykit.tracking.session import Window, fill_gaps, session_window, step_lengths


@dataclass(frozen=True)
class EntryCriterion:
    """How a move into another zone is confirmed (see :mod:`assaykit.tracking.episodes`).

    Attributes
    ----------
    hysteresis_cm
        The point must be farther than this from the zone it is in before it counts as elsewhere
        (EthoVision's zone exit threshold). Ignored for zone labels.
    min_time_s
        Episodes shorter than this are not entries.
    """

    hysteresis_cm: float = 1.0
    min_time_s: float = 0.0


#: The default entry criterion: 1 cm hysteresis, no minimum time.
DEFAULT_CRITERION = EntryCriterion()


@dataclass(frozen=True)
class TrackAnalysis:
    """What one animal did in the session window.

    Attributes
    ----------
    kinds
        The zone kinds summed over, e.g. ``("open", "closed", "center")``.
    time_s, entries, latency_s, distance_cm
        Per kind: seconds credited, entries, seconds from the window start to the first time in the kind
        (0 when the session starts there, NaN when never), path length of the steps ending there (NaN for
        zone labels).
    total_distance_cm
        Path length over the window (NaN for zone labels).
    missing_s, off_arena_s
        Seconds with no position, and off the arena beyond the hysteresis; their sum is the lost time.
    session_s
        Seconds of the window the track covers.
    window
        The window asked for.
    frames
        Frames in the window.
    frames_interpolated, frames_missing
        Frames in the window whose position was interpolated, or is still missing.
    episodes
        One row per zone episode: ``zone, kind, start_s, end_s, duration_s, time_s`` (time credited, lost
        frames excluded) and ``entry``; times from the window start.
    x, y, durations
        The window's positions (cm, after gap filling; empty for zone labels) and frame durations, for plots.
    occupancy
        The per-frame zone credit.
    """

    kinds: tuple[str, ...]
    time_s: dict[str, float]
    entries: dict[str, int]
    latency_s: dict[str, float]
    distance_cm: dict[str, float]
    total_distance_cm: float
    missing_s: float
    off_arena_s: float
    session_s: float
    window: Window
    frames: int
    frames_interpolated: int
    frames_missing: int
    episodes: pd.DataFrame
    x: np.ndarray
    y: np.ndarray
    durations: np.ndarray
    occupancy: Occupancy

    @property
    def lost_s(self) -> float:
        """Seconds credited to no zone: no position, or off the arena."""
        return self.missing_s + self.off_arena_s


def analyze_track(
    time_s: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    arena: Arena,
    *,
    kinds: tuple[str, ...],
    criterion: EntryCriterion = DEFAULT_CRITERION,
    start_s: float | None = None,
    duration_s: float | None = 300.0,
    max_gap: int = 0,
) -> TrackAnalysis:
    """Analyse one animal's positions in an arena.

    Parameters
    ----------
    time_s
        Strictly increasing frame times (s).
    x, y
        Positions (cm, in the arena's coordinates); NaN where missing.
    arena
        The zones.
    kinds
        The zone kinds to report, in order.
    criterion
        The entry criterion.
    start_s, duration_s
        The session window (see :func:`assaykit.tracking.session.session_window`).
    max_gap
        Fill runs of up to this many missing frames by linear interpolation before anything else.

    Returns
    -------
    TrackAnalysis
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    was_missing = np.isnan(x) | np.isnan(y)
    x, y, _ = fill_gaps(time_s, x, y, max_gap)
    window = session_window(time_s, start_s=start_s, duration_s=duration_s)
    part = slice(window.first, window.stop)
    t, x, y = np.asarray(time_s[part], dtype=float), x[part], y[part]
    valid = ~(np.isnan(x) | np.isnan(y))
    distance = np.vstack([arena.distance(k, x, y) for k in range(len(arena.zones))])
    inside = distance == 0.0
    raw = np.where(inside.any(axis=0), np.argmax(inside, axis=0), -1)
    near = distance <= criterion.hysteresis_cm  # NaN compares False
    occupancy = confirm_zones(raw, valid, near, window.durations, min_time=criterion.min_time_s)
    steps = step_lengths(x, y)
    filled = int(np.count_nonzero(valid & was_missing[part]))
    return _summarize(
        occupancy,
        arena_kinds=arena.kinds,
        zone_names=[z.name for z in arena.zones],
        kinds=kinds,
        t=t,
        window=window,
        steps=steps,
        frames_interpolated=filled,
        x=x,
        y=y,
    )


def analyze_labels(
    time_s: np.ndarray,
    labels: np.ndarray,
    zone_kinds: np.ndarray,
    zone_names: list[str],
    *,
    kinds: tuple[str, ...],
    criterion: EntryCriterion = DEFAULT_CRITERION,
    start_s: float | None = None,
    duration_s: float | None = 300.0,
) -> TrackAnalysis:
    """Analyse one animal from per-frame zone labels (systems that export zones, not positions).

    Parameters
    ----------
    time_s
        Strictly increasing frame times (s).
    labels
        Per frame, the index of the zone into ``zone_kinds``/``zone_names``; -1 for "off the apparatus"
        (a position the tracker had but outside every zone), -2 for no position.
    zone_kinds, zone_names
        The kind and name of each zone label.
    kinds, criterion, start_s, duration_s
        As in :func:`analyze_track`; only ``criterion.min_time_s`` applies.

    Returns
    -------
    TrackAnalysis
        Distances are NaN.
    """
    window = session_window(time_s, start_s=start_s, duration_s=duration_s)
    part = slice(window.first, window.stop)
    raw = np.asarray(labels[part], dtype=np.int64)
    valid = raw != -2
    raw = np.where(valid, raw, -1)
    near = raw[None, :] == np.arange(len(zone_names))[:, None]
    occupancy = confirm_zones(raw, valid, near, window.durations, min_time=criterion.min_time_s)
    steps = np.full(len(raw), np.nan)
    empty = np.zeros(0)
    return _summarize(
        occupancy,
        arena_kinds=np.asarray(zone_kinds, dtype=object),
        zone_names=list(zone_names),
        kinds=kinds,
        t=np.asarray(time_s[part], dtype=float),
        window=window,
        steps=steps,
        frames_interpolated=0,
        x=empty,
        y=empty,
    )


def _summarize(
    occupancy: Occupancy,
    *,
    arena_kinds: np.ndarray,
    zone_names: list[str],
    kinds: tuple[str, ...],
    t: np.ndarray,
    window: Window,
    steps: np.ndarray,
    frames_interpolated: int,
    x: np.ndarray,
    y: np.ndarray,
) -> TrackAnalysis:
    durations = window.durations
    n = len(durations)
    frame_zone = occupancy.frame_zone
    credited = frame_zone >= 0
    # kinds as small integers: -1 for a zone of a kind not reported
    zone_kind = np.array([kinds.index(k) if k in kinds else -1 for k in arena_kinds], dtype=np.int64)
    frame_kind = np.where(credited, zone_kind[np.maximum(frame_zone, 0)], -1)
    counted = frame_kind >= 0
    per_kind_time = np.bincount(frame_kind[counted], weights=durations[counted], minlength=len(kinds))
    per_kind_distance = np.bincount(frame_kind[counted], weights=steps[counted], minlength=len(kinds))
    frame_start = np.maximum(t, window.start_s) - window.start_s  # each frame's start within the window
    episode_kind = zone_kind[occupancy.zone]

    time, entries, latency, distance = {}, {}, {}, {}
    for index, kind in enumerate(kinds):
        time[kind] = float(per_kind_time[index])
        distance[kind] = float(per_kind_distance[index])
        of_kind = episode_kind == index
        entries[kind] = int(np.count_nonzero(of_kind & occupancy.entry))
        first = np.flatnonzero(of_kind)
        latency[kind] = float(frame_start[occupancy.start[first[0]]]) if len(first) else float("nan")

    stop = occupancy.stop(n)
    elapsed = np.concatenate([[0.0], np.cumsum(durations)])
    credited_time = np.concatenate([[0.0], np.cumsum(np.where(credited, durations, 0.0))])
    starts_s = frame_start[occupancy.start] if n else np.zeros(0)
    episodes = pd.DataFrame(
        {
            "zone": [zone_names[z] for z in occupancy.zone],
            "kind": np.asarray(arena_kinds, dtype=object)[occupancy.zone].astype(str),
            "start_s": starts_s,
            "end_s": starts_s + (elapsed[stop] - elapsed[occupancy.start]),
            "duration_s": elapsed[stop] - elapsed[occupancy.start],
            "time_s": credited_time[stop] - credited_time[occupancy.start],
            "entry": occupancy.entry,
        }
    )
    return TrackAnalysis(
        kinds=kinds,
        time_s=time,
        entries=entries,
        latency_s=latency,
        distance_cm=distance,
        total_distance_cm=float(steps.sum()),
        missing_s=float(durations[occupancy.missing].sum()),
        off_arena_s=float(durations[occupancy.off_arena].sum()),
        session_s=window.covered_s,
        window=window,
        frames=n,
        frames_interpolated=frames_interpolated,
        frames_missing=int(np.count_nonzero(occupancy.missing)),
        episodes=episodes,
        x=x,
        y=y,
        durations=durations,
        occupancy=occupancy,
    )
