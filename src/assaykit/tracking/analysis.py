"""One track through one arena: time, entries, latency and distance per zone kind.

This is the assay-independent core that the elevated plus maze and the light-dark box both call; each
assay only names its zone kinds and maps the sums onto its endpoint columns. :func:`analyze_track` and
:func:`analyze_labels` analyse one animal; :mod:`assaykit.tracking.engine` does the same for many animals at
once (and these two call it with one).
"""

from __future__ import annotations

import numpy as np

from assaykit.tracking.clock import track_clocks
from assaykit.tracking.engine import analyze_track_labels, analyze_tracks
from assaykit.tracking.geometry import Arena
from assaykit.tracking.results import DEFAULT_CRITERION, EntryCriterion, TrackAnalysis

__all__ = ["DEFAULT_CRITERION", "EntryCriterion", "TrackAnalysis", "analyze_labels", "analyze_track"]


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
        Fill runs of up to this many missing frames by linear interpolation before anything else; a step in
        the time stamps that skips more frames is a clock gap, lost time (:mod:`assaykit.tracking.clock`).

    Returns
    -------
    TrackAnalysis
    """
    time_s = np.asarray(time_s, dtype=float)
    bounds = np.array([0, len(time_s)], dtype=np.int64)
    (analysis,) = analyze_tracks(
        time_s,
        x,
        y,
        bounds,
        arena,
        kinds=kinds,
        criterion=criterion,
        start_s=start_s,
        duration_s=duration_s,
        max_gap=max_gap,
    )
    return analysis


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
    max_gap: int | None = None,
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
    max_gap
        With a number, a step skipping more than that many frames is a clock gap, lost time (see
        :mod:`assaykit.tracking.clock`); None (the default) looks for none, each label lasting until the next.

    Returns
    -------
    TrackAnalysis
        Distances are NaN.
    """
    time_s = np.asarray(time_s, dtype=float)
    bounds = np.array([0, len(time_s)], dtype=np.int64)
    (analysis,) = analyze_track_labels(
        time_s,
        labels,
        bounds,
        list(zone_kinds),
        list(zone_names),
        kinds=kinds,
        criterion=criterion,
        start_s=start_s,
        duration_s=duration_s,
        clocks=None if max_gap is None else track_clocks(time_s, bounds, max_gap=max_gap),
    )
    return analysis
