"""Many tracks in one array: each track is a *segment*, given by the boundaries between them.

``bounds`` is an increasing int array of ``m + 1`` positions: segment ``k`` is ``bounds[k]:bounds[k + 1]``.
The helpers here reduce per segment without mixing segments, and without a Python loop per element.
Running sums are taken segment by segment, so each segment's sums are exactly those of its own array.
"""

from __future__ import annotations

import numpy as np


def segment_ids(bounds: np.ndarray) -> np.ndarray:
    """Return the segment of each element, ``(bounds[-1] - bounds[0],)`` int64."""
    return np.repeat(np.arange(len(bounds) - 1, dtype=np.int64), np.diff(bounds))


def segment_of(bounds: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Return the segment of each element position in ``index``."""
    return np.searchsorted(bounds, index, side="right") - 1


def first_and_last(mask: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per segment, the first and last position where ``mask`` is true.

    Parameters
    ----------
    mask
        ``(n,)`` bool over all segments.
    bounds
        Segment boundaries.

    Returns
    -------
    tuple of numpy.ndarray
        ``first`` and ``last`` (global positions, int64), -1 for a segment where ``mask`` is nowhere true.
    """
    mask = np.asarray(mask, dtype=bool)
    starts = np.zeros(len(mask) + 1, dtype=bool)
    starts[bounds] = True  # where a segment starts, and the end
    previous = np.zeros(len(mask), dtype=bool)
    previous[1:] = mask[:-1]
    rising = np.flatnonzero(mask & (~previous | starts[:-1]))  # true, and the first or after a false
    following = np.zeros(len(mask), dtype=bool)
    following[:-1] = mask[1:]
    falling = np.flatnonzero(mask & (~following | starts[1:]))  # true, and the last or before a false
    lo = np.searchsorted(rising, bounds[:-1], side="left")
    hi = np.searchsorted(falling, bounds[1:], side="left") - 1
    first = np.full(len(bounds) - 1, -1, dtype=np.int64)
    last = np.full(len(bounds) - 1, -1, dtype=np.int64)
    has = (lo < len(rising)) & (hi >= 0)
    has[has] = rising[lo[has]] < bounds[1:][has]
    first[has] = rising[lo[has]]
    last[has] = falling[hi[has]]
    return first, last


def running_sums(
    values: np.ndarray, bounds: np.ndarray, *, out: np.ndarray | None = None, only: np.ndarray | None = None
) -> np.ndarray:
    """Per segment, the running sum of ``values`` preceded by 0 (one loop step per segment, none per element).

    Parameters
    ----------
    values
        ``(n,)`` float.
    bounds
        Segment boundaries.
    out
        Where to write (``(n + m,)``); a new array of zeros when None.
    only
        The segments to sum (their positions); all when None. The others are left as they are in ``out``.

    Returns
    -------
    numpy.ndarray
        ``(n + m,)``: segment ``k``'s sums are ``out[bounds[k] + k : bounds[k + 1] + k + 1]``, starting
        with 0, so the sum of its first ``i`` values is at ``bounds[k] + k + i``. Each is
        ``np.concatenate([[0.0], np.cumsum(values[bounds[k]:bounds[k + 1]])])``, value for value.
    """
    out = np.zeros(len(values) + len(bounds) - 1) if out is None else out
    segments = np.arange(len(bounds) - 1) if only is None else np.asarray(only, dtype=np.int64)
    for group in _back_to_back(segments, bounds):  # several at once: cumsum along rows sums each in order
        k, lo, length = int(group[0]), int(bounds[group[0]]), int(bounds[group[0] + 1] - bounds[group[0]])
        rows = values[lo : lo + length * len(group)].reshape(len(group), length)
        sums = out[lo + k : lo + k + (length + 1) * len(group)].reshape(len(group), length + 1)
        np.cumsum(rows, axis=1, out=sums[:, 1:])
    return out


def _back_to_back(segments: np.ndarray, bounds: np.ndarray) -> list[np.ndarray]:
    """Split ``segments`` (increasing) into groups of consecutive segments of one length."""
    if not len(segments):
        return []
    lengths = bounds[segments + 1] - bounds[segments]
    cut = np.flatnonzero((np.diff(segments) != 1) | (np.diff(lengths) != 0)) + 1
    return np.split(segments, cut)


def segment_sums(values: np.ndarray, bounds: np.ndarray, mask: np.ndarray | None = None) -> list[float]:
    """Per segment, ``float(values[lo:hi][mask[lo:hi]].sum())``: ``numpy.sum`` of each segment's own array.

    With a mask, segments where it is nowhere true are 0.0 without a sum.
    """
    sums = [0.0] * (len(bounds) - 1)
    if mask is None:
        segments = range(len(bounds) - 1)
    else:
        segments = np.flatnonzero(np.bincount(segment_ids(bounds)[mask], minlength=len(bounds) - 1)).tolist()
    for k in segments:
        lo, hi = int(bounds[k]), int(bounds[k + 1])
        sums[k] = float((values[lo:hi] if mask is None else values[lo:hi][mask[lo:hi]]).sum())
    return sums


def concat_ranges(start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Return ``np.concatenate([np.arange(a, b) for a, b in zip(start, stop)])`` without a loop."""
    lengths = np.asarray(stop, dtype=np.int64) - np.asarray(start, dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(np.asarray(start, dtype=np.int64), lengths) + offsets
