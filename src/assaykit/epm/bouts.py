"""Bouts of a posture: the maximal runs of its frames, cut at clock gaps, and those lasting long enough.

A head dip or a stretched-attend posture (:mod:`assaykit.epm.ethology`) is a run of consecutive frames that
meet its frame rule; a frame followed by a clock gap (frames the file skipped) ends a run, as a missing
point does, since what the animal did in the gap is unknown. A run counts when the durations of its frames
(:func:`assaykit.tracking.session.session_window`) sum to the posture's minimum.
"""

from __future__ import annotations

import numpy as np

#: Slack (s) on the minimum durations, for float rounding of frame intervals: three frames of 1/30 s make
#: 0.1 s.
_DURATION_SLACK_S = 1e-9


def runs(mask: np.ndarray, breaks: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return the first frame and the end (exclusive) of each maximal run of True in ``mask``.

    A run also ends after a frame in ``breaks`` (one followed by a clock gap), when given.
    """
    mask = np.asarray(mask, dtype=bool)
    edges = np.diff(np.concatenate([[0], mask.view(np.int8), [0]]))
    start, stop = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if breaks is not None and len(mask) > 1:
        cut = np.flatnonzero(np.asarray(breaks, dtype=bool)[:-1] & mask[:-1] & mask[1:]) + 1
        start, stop = np.sort(np.concatenate([start, cut])), np.sort(np.concatenate([stop, cut]))
    return start, stop


def counted_runs(
    mask: np.ndarray, durations: np.ndarray, min_s: float, breaks: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return the first frame of each maximal run of ``mask`` lasting ``min_s`` or more, and their frames.

    A run's length is the sum of its frames' ``durations`` (``numpy.add.reduceat`` over the durations
    zeroed outside ``mask``, so each sum holds only its run's frames); a run ends at a clock gap
    (``breaks``).
    """
    n = len(mask)
    if not mask.any():
        return np.zeros(0, dtype=np.int64), np.zeros(n, dtype=bool)
    if breaks is not None and not np.any(breaks):
        breaks = None
    start, stop = runs(mask, breaks)
    elapsed = np.concatenate([[0.0], np.cumsum(np.where(mask, durations, 0.0))])
    total = (
        elapsed[stop] - elapsed[start]
        if breaks is not None
        else np.add.reduceat(np.where(mask, durations, 0.0), start)
    )
    keep = total >= min_s - _DURATION_SLACK_S
    change = np.zeros(n + 1, dtype=np.int64)  # +1 where a kept run starts, -1 where it ends
    change[start[keep]] += 1
    change[stop[keep]] -= 1
    return start[keep], np.cumsum(change[:-1]) > 0
