"""The zone analysis of many tracks at once: every step runs on all frames of all tracks together.

The tracks are held in one array, track ``k`` being ``bounds[k]:bounds[k + 1]`` (see :mod:`.segments`).
Gap filling, the session window, zone location, the entry criterion, step lengths and the sums per zone
kind are computed for all frames in a few vectorised calls; what is left per track is a handful of
reductions over its own slice (medians, running sums, totals), taken exactly as for a track alone, so the
results equal those of analysing each track by itself, value for value.
"""

from __future__ import annotations

import numpy as np

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
    max_gap: int = 0,
    points: tuple[np.ndarray, np.ndarray] | None = None,
    imputed: np.ndarray | None = None,
    dropped: np.ndarray | None = None,
) -> list[TrackAnalysis]:
    """Analyse the positions of many animals in one arena.

    Parameters
    ----------
    time_s, x, y
        All tracks, one after another: times strictly increasing within each track (s), positions (cm, in
        the arena's coordinates; NaN where missing).
    bounds
        Track boundaries: track ``k`` is ``bounds[k]:bounds[k + 1]``.
    arena, kinds, criterion, start_s, duration_s, max_gap
        As in :func:`assaykit.tracking.analysis.analyze_track`, for every track.
    points
        ``(n, k)`` arrays of the chosen keypoints (cm), for a multi-point ``criterion.rule``
        (:mod:`assaykit.tracking.rules`); the position ``x``, ``y`` then only gives distances.
    imputed
        ``(n,)`` frames whose position the caller filled (cleaned pose data): counted as interpolated.
    dropped
        ``(n,)`` frames whose position the caller removed by a confidence cut: counted per window.

    Returns
    -------
    list of TrackAnalysis
        One per track, each equal to :func:`assaykit.tracking.analysis.analyze_track` of that track.
    """
    time_s = np.asarray(time_s, dtype=float)
    bounds = np.asarray(bounds, dtype=np.int64)
    x, y, was_missing, _ = fill_track_gaps(
        time_s, np.asarray(x, dtype=float), np.asarray(y, dtype=float), bounds, max_gap
    )
    if imputed is not None:
        was_missing = was_missing | imputed
    windows = session_windows(time_s, bounds, start_s=start_s, duration_s=duration_s)
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
    durations = _take(windows.durations, frames)
    episodes = confirm_tracks(raw, valid, near, durations, window_bounds, min_time=criterion.min_time_s)
    n_tracks = len(window_bounds) - 1
    ids = segment_ids(window_bounds)
    interpolated = np.bincount(ids[known & was_missing], minlength=n_tracks)
    cut = np.zeros(n_tracks, dtype=np.int64)
    if dropped is not None:
        cut = np.bincount(ids[_take(np.asarray(dropped, dtype=bool), frames)], minlength=n_tracks)
    return _summarize(
        episodes,
        arena_kinds=[z.kind for z in arena.zones],
        zone_names=tuple(z.name for z in arena.zones),
        kinds=kinds,
        t=t,
        windows=windows,
        bounds=bounds,
        window_bounds=window_bounds,
        durations=durations,
        steps=track_step_lengths(x, y, window_bounds, known),
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
    zone_kinds, zone_names, kinds, criterion, start_s, duration_s
        As in :func:`assaykit.tracking.analysis.analyze_labels`.

    Returns
    -------
    list of TrackAnalysis
        One per track; distances are NaN.
    """
    time_s = np.asarray(time_s, dtype=float)
    bounds = np.asarray(bounds, dtype=np.int64)
    windows = session_windows(time_s, bounds, start_s=start_s, duration_s=duration_s)
    frames, window_bounds = _window_frames(windows, bounds)
    raw = _take(np.asarray(labels, dtype=np.int64), frames)
    valid = raw != -2
    raw = np.where(valid, raw, -1)
    near = in_zone(raw, len(zone_names))
    durations = _take(windows.durations, frames)
    episodes = confirm_tracks(raw, valid, near, durations, window_bounds, min_time=criterion.min_time_s)
    return _summarize(
        episodes,
        arena_kinds=list(zone_kinds),
        zone_names=tuple(zone_names),
        kinds=kinds,
        t=_take(time_s, frames),
        windows=windows,
        bounds=bounds,
        window_bounds=window_bounds,
        durations=durations,
        steps=np.full(len(raw), np.nan),
        interpolated=[0] * (len(bounds) - 1),
        xy=None,
    )


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
    durations: np.ndarray,
    steps: np.ndarray,
    interpolated: list[int],
    xy: tuple[np.ndarray, np.ndarray] | None,
    split: np.ndarray | None = None,
    dropped: list[int] | None = None,
) -> list[TrackAnalysis]:
    """Sum each track's frames and episodes by kind, and build its :class:`TrackAnalysis`."""
    n_tracks, n_kinds = len(window_bounds) - 1, len(kinds)
    zone_kind = np.array([kinds.index(k) if k in kinds else -1 for k in arena_kinds], dtype=np.int64)
    frame_kind = np.append(zone_kind, -1)[episodes.frame_zone]  # -1: lost, or of a kind not reported
    size = n_tracks * n_kinds
    key = segment_ids(window_bounds) * n_kinds + frame_kind
    key[frame_kind < 0] = size  # summed apart, and dropped
    # bincount adds each bin's values in frame order, as each track's own bincount does
    time = np.bincount(key, weights=durations, minlength=size + 1)[:size].reshape(n_tracks, n_kinds).tolist()
    distance = np.bincount(key, weights=steps, minlength=size + 1)[:size].reshape(n_tracks, n_kinds).tolist()
    start_track = np.repeat(np.arange(n_tracks), np.diff(episodes.bounds))
    window_start = windows.start_s[start_track]  # each episode's start within its window:
    start_s = np.maximum(t[episodes.start], window_start) - window_start
    entries, latency = _episode_firsts(episodes, zone_kind, start_s, n_kinds)
    columns = _episode_columns(episodes, arena_kinds, zone_names, durations, window_bounds, start_s)
    totals = segment_sums(steps, window_bounds)
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
                missing_s=missing_s[k],
                off_arena_s=off_arena_s[k],
                session_s=windows.covered_s[k],
                window=window,
                frames=hi - lo,
                frames_interpolated=interpolated[k],
                frames_missing=int(np.count_nonzero(episodes.missing[lo:hi])),
                episode_columns=columns,
                episode_rows=slice(int(episodes.bounds[k]), int(episodes.bounds[k + 1])),
                x=empty if xy is None else xy[0][lo:hi],
                y=empty if xy is None else xy[1][lo:hi],
                durations=window.durations,
                occupancy=episodes.occupancy(k, lo, hi),
                unassigned_s=unassigned_s[k],
                frames_dropped=0 if dropped is None else dropped[k],
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
    durations: np.ndarray,
    window_bounds: np.ndarray,
    start_s: np.ndarray,
) -> EpisodeColumns:
    """Each episode's zone, kind, start and end (from the window start), length, time credited and entry."""
    track = np.repeat(np.arange(len(window_bounds) - 1), np.diff(episodes.bounds))
    stop = episode_stops(episodes.start, track, window_bounds)
    elapsed = running_sums(durations, window_bounds)  # per track, with a leading 0
    lost = episodes.frame_zone < 0
    credited = durations.copy()
    credited[lost] = 0.0
    with_lost = np.flatnonzero(first_and_last(lost, window_bounds)[0] >= 0)  # other tracks: as elapsed
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
