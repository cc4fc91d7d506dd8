"""The zone analysis of many tracks at once: every step runs on all frames of all tracks together.

The tracks are held in one array, track ``k`` being ``bounds[k]:bounds[k + 1]`` (see :mod:`.segments`).
Gap filling, the session window, zone location, the entry criterion, step lengths and the sums per zone
kind are computed for all frames in a few vectorised calls; what is left per track is a handful of
reductions over its own slice (medians, running sums, totals), taken exactly as for a track alone, so the
results equal those of analysing each track by itself, value for value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assaykit.tracking.clock import Clocks, track_clocks
from assaykit.tracking.episodes import TrackEpisodes, confirm_tracks, episode_stops, in_zone
from assaykit.tracking.geometry import Arena
from assaykit.tracking.results import DEFAULT_CRITERION, EntryCriterion, EpisodeColumns, TrackAnalysis
from assaykit.tracking.rules import locate_points
from assaykit.tracking.segments import concat_ranges, first_and_last, running_sums, segment_ids, segment_sums
from assaykit.tracking.session import Windows, fill_track_gaps, session_windows, track_step_lengths


def analyze_tracks(
    time_s: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    bounds: np.ndarray,
    arena: Arena,
    *,
    kinds: tuple[str, ...],
    criterion: EntryCriterion = DEFAULT_CRITERION,
    start_s: float | None = None,
    duration_s: float | None = 300.0,
    end_s: float | None = None,
    max_gap: int = 0,
    points: tuple[np.ndarray, np.ndarray] | None = None,
    imputed: np.ndarray | None = None,
    dropped: np.ndarray | None = None,
    clocks: Clocks | None = None,
    distances: bool = True,
) -> list[TrackAnalysis]:
    """Analyse the positions of many animals in one arena.

    Parameters
    ----------
    time_s, x, y
        All tracks, one after another: times strictly increasing within each track (s), positions (cm, in
        the arena's coordinates; NaN where missing).
    bounds
        Track boundaries: track ``k`` is ``bounds[k]:bounds[k + 1]``.
    arena, kinds, criterion, start_s, duration_s, end_s, max_gap
        As in :func:`assaykit.tracking.analysis.analyze_track`, for every track.
    points
        ``(n, k)`` arrays of the chosen keypoints (cm), for a multi-point ``criterion.rule``
        (:mod:`assaykit.tracking.rules`); the position ``x``, ``y`` then only gives distances.
    imputed
        ``(n,)`` frames whose position the caller filled (cleaned pose data): counted as interpolated.
    dropped
        ``(n,)`` frames whose position the caller removed by a confidence cut: counted per window.
    clocks
        The tracks' frame intervals and clock gaps (:func:`assaykit.tracking.clock.track_clocks`); found
        here, with ``max_gap``, when None. A clock gap is lost time, and no gap filling reaches across it.
    distances
        False when the positions are not in cm (no scale): the distances are then NaN.

    Returns
    -------
    list of TrackAnalysis
        One per track, each equal to :func:`assaykit.tracking.analysis.analyze_track` of that track.
    """
    time_s = np.asarray(time_s, dtype=float)
    bounds = np.asarray(bounds, dtype=np.int64)
    if clocks is None:
        clocks = track_clocks(time_s, bounds, max_gap=max_gap)
    x, y, was_missing, _ = fill_track_gaps(
        time_s, np.asarray(x, dtype=float), np.asarray(y, dtype=float), clocks.pieces(bounds), max_gap
    )
    if imputed is not None:
        was_missing = was_missing | imputed
    windows = session_windows(
        time_s,
        bounds,
        start_s=start_s,
        duration_s=duration_s,
        end_s=end_s,
        interval=clocks.interval,
        skipped=clocks.skipped,
    )
    frames, window_bounds = _window_frames(windows, bounds)
    t, x, y, was_missing = (_take(a, frames) for a in (time_s, x, y, was_missing))
    known = ~(np.isnan(x) | np.isnan(y))
    split = None
    if points is not None and criterion.rule.kind != "point":
        px, py = (_take(np.asarray(p, dtype=float), frames) for p in points)
        located = locate_points(arena, px, py, criterion.hysteresis_cm, criterion.rule.needed(px.shape[1]))
        raw, near, valid, split = located.raw, located.near, located.valid, located.split
    else:
        valid = known
        raw, near = arena.locate(x, y, criterion.hysteresis_cm)
        if criterion.hysteresis_cm == 0.0:  # the plain test: a point on a border is in the zone listed first
            near = in_zone(raw, len(arena.zones))
    framing = _Framing.of(windows, frames)
    episodes = confirm_tracks(raw, valid, near, framing.spans, window_bounds, min_time=criterion.min_time_s)
    n_tracks = len(window_bounds) - 1
    ids = segment_ids(window_bounds)
    interpolated = np.bincount(ids[known & was_missing & framing.counted], minlength=n_tracks)
    cut = np.zeros(n_tracks, dtype=np.int64)
    if dropped is not None:
        taken = _take(np.asarray(dropped, dtype=bool), frames) & framing.counted
        cut = np.bincount(ids[taken], minlength=n_tracks)
    steps = track_step_lengths(x, y, window_bounds, known)
    return _summarize(
        episodes,
        arena_kinds=[z.kind for z in arena.zones],
        zone_names=tuple(z.name for z in arena.zones),
        kinds=kinds,
        t=t,
        windows=windows,
        bounds=bounds,
        window_bounds=window_bounds,
        framing=framing,
        steps=steps if distances else np.full(len(steps), np.nan),
        interpolated=interpolated.tolist(),
        xy=(x, y),
        split=split,
        dropped=cut.tolist(),
    )


def analyze_track_labels(
    time_s: np.ndarray,
    labels: np.ndarray,
    bounds: np.ndarray,
    zone_kinds: np.ndarray | list[str],
    zone_names: list[str] | tuple[str, ...],
    *,
    kinds: tuple[str, ...],
    criterion: EntryCriterion = DEFAULT_CRITERION,
    start_s: float | None = None,
    duration_s: float | None = 300.0,
    end_s: float | None = None,
    clocks: Clocks | None = None,
) -> list[TrackAnalysis]:
    """Analyse many animals from per-frame zone labels.

    Parameters
    ----------
    time_s
        All tracks' frame times, strictly increasing within each track (s).
    labels
        Per frame, the index of its zone into ``zone_kinds``/``zone_names``; -1 off the apparatus, -2 no
        position.
    bounds
        Track boundaries.
    zone_kinds, zone_names, kinds, criterion, start_s, duration_s, end_s
        As in :func:`assaykit.tracking.analysis.analyze_labels`.
    clocks
        As in :func:`analyze_tracks` (None: no clock gaps, each label lasting until the next).

    Returns
    -------
    list of TrackAnalysis
        One per track; distances are NaN.
    """
    time_s = np.asarray(time_s, dtype=float)
    bounds = np.asarray(bounds, dtype=np.int64)
    windows = session_windows(
        time_s,
        bounds,
        start_s=start_s,
        duration_s=duration_s,
        end_s=end_s,
        interval=None if clocks is None else clocks.interval,
        skipped=None if clocks is None else clocks.skipped,
    )
    frames, window_bounds = _window_frames(windows, bounds)
    raw = _take(np.asarray(labels, dtype=np.int64), frames)
    valid = raw != -2
    raw = np.where(valid, raw, -1)
    near = in_zone(raw, len(zone_names))
    framing = _Framing.of(windows, frames)
    episodes = confirm_tracks(raw, valid, near, framing.spans, window_bounds, min_time=criterion.min_time_s)
    return _summarize(
        episodes,
        arena_kinds=list(zone_kinds),
        zone_names=tuple(zone_names),
        kinds=kinds,
        t=_take(time_s, frames),
        windows=windows,
        bounds=bounds,
        window_bounds=window_bounds,
        framing=framing,
        steps=np.full(len(raw), np.nan),
        interpolated=[0] * (len(bounds) - 1),
        xy=None,
    )


@dataclass(frozen=True)
class _Framing:
    """Per frame of every track's window: the seconds it stands for, and how it counts.

    ``durations`` (its own interval inside the window), ``lost`` (a clock gap after it, inside the
    window), ``spans`` (their sum: the clock time from this frame to the next), ``counted`` (its stamp is
    in the window) and ``skipped`` (the frames of the window a clock gap after it skipped).
    """

    durations: np.ndarray
    lost: np.ndarray
    spans: np.ndarray
    counted: np.ndarray
    skipped: np.ndarray

    @classmethod
    def of(cls, windows: Windows, frames: np.ndarray | None) -> _Framing:
        durations, lost = _take(windows.durations, frames), _take(windows.lost, frames)
        counted, skipped = _take(windows.counted, frames), _take(windows.skipped, frames)
        return cls(durations, lost, durations + lost if lost.any() else durations, counted, skipped)


def _window_frames(windows: Windows, bounds: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """Return the frames of every track's window (None: all frames) and the boundaries between them."""
    first, stop = bounds[:-1] + windows.first, bounds[:-1] + windows.stop
    window_bounds = np.concatenate([[0], np.cumsum(stop - first)]).astype(np.int64)
    if window_bounds[-1] == bounds[-1] - bounds[0] and np.array_equal(first, bounds[:-1]):
        return None, window_bounds
    return concat_ranges(first, stop), window_bounds


def _take(values: np.ndarray, frames: np.ndarray | None) -> np.ndarray:
    return values if frames is None else values[frames]


def _summarize(
    episodes: TrackEpisodes,
    *,
    arena_kinds: list[str],
    zone_names: tuple[str, ...],
    kinds: tuple[str, ...],
    t: np.ndarray,
    windows: Windows,
    bounds: np.ndarray,
    window_bounds: np.ndarray,
    framing: _Framing,
    steps: np.ndarray,
    interpolated: list[int],
    xy: tuple[np.ndarray, np.ndarray] | None,
    split: np.ndarray | None = None,
    dropped: list[int] | None = None,
) -> list[TrackAnalysis]:
    """Sum each track's frames and episodes by kind, and build its :class:`TrackAnalysis`.

    Seconds are sums of the frames' durations; a clock gap's lost seconds are missing time. Frame counts
    take the frames whose stamp is in the window, and the frames a clock gap there skipped are missing
    (and lost) frames, so the frames of each kind and the lost frames add up to ``frames``.
    """
    durations, counted = framing.durations, framing.counted
    n_tracks, n_kinds = len(window_bounds) - 1, len(kinds)
    zone_kind = np.array([kinds.index(k) if k in kinds else -1 for k in arena_kinds], dtype=np.int64)
    frame_kind = np.append(zone_kind, -1)[episodes.frame_zone]  # -1: lost, or of a kind not reported
    size = n_tracks * n_kinds
    ids = segment_ids(window_bounds)
    key = ids * n_kinds + frame_kind
    key[frame_kind < 0] = size  # summed apart, and dropped
    # bincount adds each bin's values in frame order, as each track's own bincount does
    time = np.bincount(key, weights=durations, minlength=size + 1)[:size].reshape(n_tracks, n_kinds).tolist()
    distance = np.bincount(key, weights=steps, minlength=size + 1)[:size].reshape(n_tracks, n_kinds).tolist()
    kind_frames = np.bincount(key[counted], minlength=size + 1)[:size].reshape(n_tracks, n_kinds).tolist()
    skipped = np.bincount(ids, weights=framing.skipped, minlength=n_tracks).astype(np.int64)
    frames = np.bincount(ids[counted], minlength=n_tracks) + skipped
    lost_frames = np.bincount(ids[counted & (episodes.frame_zone < 0)], minlength=n_tracks) + skipped
    missing_frames = np.bincount(ids[counted & episodes.missing], minlength=n_tracks) + skipped
    start_track = np.repeat(np.arange(n_tracks), np.diff(episodes.bounds))
    window_start = windows.start_s[start_track]  # each episode's start within its window:
    start_s = np.maximum(t[episodes.start], window_start) - window_start
    entries, latency = _episode_firsts(episodes, zone_kind, start_s, n_kinds)
    columns = _episode_columns(episodes, arena_kinds, zone_names, framing, window_bounds, start_s)
    totals = segment_sums(steps, window_bounds)
    gap_s = segment_sums(framing.lost, window_bounds, framing.lost > 0)
    missing_s = segment_sums(durations, window_bounds, episodes.missing)
    off_arena = episodes.off_arena
    unassigned_s = [0.0] * n_tracks
    if split is not None:  # lost frames on the arena between zones are not off it
        unassigned_s = segment_sums(durations, window_bounds, off_arena & split)
        off_arena = off_arena & ~split
    off_arena_s = segment_sums(durations, window_bounds, off_arena)
    empty = np.zeros(0)
    results = []
    for k in range(n_tracks):
        lo, hi = int(window_bounds[k]), int(window_bounds[k + 1])
        window = windows.window(k, int(bounds[k]))
        results.append(
            TrackAnalysis(
                kinds=kinds,
                time_s=dict(zip(kinds, time[k], strict=True)),
                entries=dict(zip(kinds, entries[k], strict=True)),
                latency_s=dict(zip(kinds, latency[k], strict=True)),
                distance_cm=dict(zip(kinds, distance[k], strict=True)),
                total_distance_cm=totals[k],
                missing_s=missing_s[k] + gap_s[k],
                off_arena_s=off_arena_s[k],
                session_s=windows.covered_s[k],
                window=window,
                frames=int(frames[k]),
                frames_interpolated=interpolated[k],
                frames_missing=int(missing_frames[k]),
                episode_columns=columns,
                episode_rows=slice(int(episodes.bounds[k]), int(episodes.bounds[k + 1])),
                x=empty if xy is None else xy[0][lo:hi],
                y=empty if xy is None else xy[1][lo:hi],
                durations=window.durations,
                occupancy=episodes.occupancy(k, lo, hi),
                unassigned_s=unassigned_s[k],
                frames_dropped=0 if dropped is None else dropped[k],
                kind_frames=dict(zip(kinds, kind_frames[k], strict=True)),
                lost_frames=int(lost_frames[k]),
                gap_s=gap_s[k],
                frames_skipped=int(skipped[k]),
            )
        )
    return results


def _episode_firsts(
    episodes: TrackEpisodes, zone_kind: np.ndarray, start_s: np.ndarray, n_kinds: int
) -> tuple[list[list[int]], list[list[float]]]:
    """Per track and kind, the entries, and the latency: the start of the first episode there (NaN: none)."""
    n_tracks = len(episodes.bounds) - 1
    kind = zone_kind[episodes.zone]
    key = np.repeat(np.arange(n_tracks), np.diff(episodes.bounds)) * n_kinds + kind
    reported = np.flatnonzero(kind >= 0)
    entered = reported[episodes.entry[reported]]
    entries = np.bincount(key[entered], minlength=n_tracks * n_kinds).reshape(n_tracks, n_kinds)
    latency = np.full(n_tracks * n_kinds, np.nan)
    keys, first = np.unique(key[reported], return_index=True)  # the first episode of each
    latency[keys] = start_s[reported[first]]
    return entries.tolist(), latency.reshape(n_tracks, n_kinds).tolist()


def _episode_columns(
    episodes: TrackEpisodes,
    arena_kinds: list[str],
    zone_names: tuple[str, ...],
    framing: _Framing,
    window_bounds: np.ndarray,
    start_s: np.ndarray,
) -> EpisodeColumns:
    """Each episode's zone, kind, start and end (from the window start), length, time credited and entry.

    An episode's length is clock time (a clock gap inside it included); the time credited leaves out its
    lost frames and clock gaps.
    """
    track = np.repeat(np.arange(len(window_bounds) - 1), np.diff(episodes.bounds))
    stop = episode_stops(episodes.start, track, window_bounds)
    elapsed = running_sums(framing.spans, window_bounds)  # per track, with a leading 0
    lost = episodes.frame_zone < 0
    credited = framing.durations.copy()
    credited[lost] = 0.0
    some = lost | (framing.lost > 0)
    with_lost = np.flatnonzero(first_and_last(some, window_bounds)[0] >= 0)  # other tracks: as elapsed
    credited = running_sums(credited, window_bounds, out=elapsed.copy(), only=with_lost)
    begin, end = episodes.start + track, stop + track  # positions in the running sums
    duration_s = elapsed[end] - elapsed[begin]
    return EpisodeColumns(
        zone_names=zone_names,
        zone=episodes.zone,
        kind=np.asarray(arena_kinds, dtype=object)[episodes.zone].astype(str),
        start_s=start_s,
        end_s=start_s + duration_s,
        duration_s=duration_s,
        time_s=credited[end] - credited[begin],
        entry=episodes.entry,
    )
