"""The cleaning of pose keypoints as a whole: its options (:class:`Cleaning`) and :func:`clean_points`.

:func:`clean_points` runs the steps of :mod:`assaykit.tracking.cleaning.filters` in the order the options
say, on all tracks and keypoints at once (see :mod:`assaykit.tracking.cleaning` for the pipeline).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assaykit.tracking.cleaning.filters import (
    check_window,
    interpolate_gaps,
    is_int,
    rolling_median,
    savgol_smooth,
)


@dataclass(frozen=True)
class Cleaning:
    """How to clean keypoints (see the module docstring for the pipeline).

    Attributes
    ----------
    confidence
        Points scored below this are removed; None for no cut. In [0, 1].
    max_gap
        Longest run of missing frames filled by interpolation; 0 fills nothing.
    median_window
        Frames in the rolling median's window (odd); None for no median.
    min_periods
        Fewest values in a median window for a value (1 to ``median_window``); None means the window.
    savgol_window
        Frames in the Savitzky-Golay window (odd, > ``savgol_order``); None for no Savitzky-Golay filter.
        At most one of ``median_window`` and ``savgol_window`` may be set.
    savgol_order
        Order of the Savitzky-Golay polynomial.
    smooth_first
        Smooth before filling gaps (movement's region-occupancy example) instead of after.
    """

    confidence: float | None = 0.9
    max_gap: int = 10
    median_window: int | None = None
    min_periods: int | None = None
    savgol_window: int | None = None
    savgol_order: int = 2
    smooth_first: bool = False

    def __post_init__(self) -> None:
        """Check the options."""
        if self.confidence is not None and not 0.0 <= self.confidence <= 1.0:
            raise ValueError(
                f"confidence must be between 0 and 1 (or None for no cut), got {self.confidence!r}."
            )
        if not is_int(self.max_gap) or self.max_gap < 0:
            raise ValueError(f"max_gap must be an integer >= 0, got {self.max_gap!r}.")
        if self.median_window is not None and self.savgol_window is not None:
            raise ValueError(
                "median_window and savgol_window cannot both be set: choose one smoothing filter."
            )
        for name in ("median_window", "savgol_window"):
            window = getattr(self, name)
            if window is not None:
                check_window(window, name)
        if not is_int(self.savgol_order) or self.savgol_order < 0:
            raise ValueError(f"savgol_order must be an integer >= 0, got {self.savgol_order!r}.")
        if self.savgol_window is not None and self.savgol_order >= self.savgol_window:
            raise ValueError(
                f"savgol_order must be less than savgol_window ({self.savgol_window}), "
                f"got {self.savgol_order}."
            )
        if self.min_periods is not None:
            if self.median_window is None:
                raise ValueError("min_periods applies to the rolling median only: set median_window too.")
            if not is_int(self.min_periods) or not 1 <= self.min_periods <= self.median_window:
                raise ValueError(
                    f"min_periods must be an integer from 1 to median_window ({self.median_window}), "
                    f"got {self.min_periods!r}."
                )


@dataclass(frozen=True)
class CleanedPoints:
    """Keypoints after :func:`clean_points`.

    Attributes
    ----------
    x, y
        Cleaned coordinates, ``(n, K)``; NaN where still missing (the same frames in both). Both are views
        of one ``(n, 2K)`` array.
    dropped
        ``(n, K)`` bool: present points removed by the confidence cut.
    missing_after_cut
        ``(n, K)`` bool: points missing after the confidence cut, before interpolation and smoothing.
    """

    x: np.ndarray
    y: np.ndarray
    dropped: np.ndarray
    missing_after_cut: np.ndarray


def clean_points(
    time_s: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    score: np.ndarray | None,
    bounds: np.ndarray,
    cleaning: Cleaning,
) -> CleanedPoints:
    """Clean the keypoints of all tracks: confidence cut, gap interpolation and smoothing.

    Parameters
    ----------
    time_s
        ``(n,)`` frame times (s), strictly increasing within each track.
    x, y
        ``(n, K)`` coordinates of K keypoints; NaN marks a missing point.
    score
        ``(n, K)`` confidence scores, or None (no cut).
    bounds
        Track boundaries: track ``k`` is rows ``bounds[k]:bounds[k + 1]``, from 0 to ``n``.
    cleaning
        The options.

    Returns
    -------
    CleanedPoints

    Notes
    -----
    The steps are :func:`drop_low_confidence`, then :func:`interpolate_gaps` and the smoothing
    (:func:`rolling_median` or :func:`savgol_smooth`), in that order, or smoothing then interpolation when
    ``cleaning.smooth_first``. ``x`` and ``y`` go through the same operations column by column; after the
    cut a point is missing in both or in neither, and each step keeps it so.

    References
    ----------
    movement, ``movement/filtering.py``, https://movement.neuroinformatics.dev (see the module docstring).
    """
    time_s = np.asarray(time_s, dtype=float)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape, got {x.shape} and {y.shape}.")
    if x.ndim != 2:
        raise ValueError(f"x and y must be 2-D (frames, keypoints), got shape {x.shape}.")
    n, k = x.shape
    values = np.empty((n, 2 * k))  # x then y: the one array cleaned, in place, and returned
    values[:, :k] = x
    values[:, k:] = y
    del x, y
    # the confidence cut, as drop_low_confidence makes it
    missing = np.isnan(values[:, :k]) | np.isnan(values[:, k:])
    dropped = np.zeros((n, k), dtype=bool)
    if cleaning.confidence is not None and score is not None:
        score = np.asarray(score, dtype=float)
        if score.shape != (n, k):
            raise ValueError(f"score must have the shape of x {(n, k)}, got {score.shape}.")
        dropped = (score < cleaning.confidence) & ~missing  # a NaN score compares False: kept
        missing |= dropped
    values[:, :k][missing] = np.nan
    values[:, k:][missing] = np.nan

    def smooth(v: np.ndarray) -> np.ndarray:
        if cleaning.median_window is not None:
            return rolling_median(v, bounds, cleaning.median_window, cleaning.min_periods)
        if cleaning.savgol_window is not None:
            return savgol_smooth(v, bounds, cleaning.savgol_window, cleaning.savgol_order)
        return v

    def fill(v: np.ndarray) -> np.ndarray:
        return interpolate_gaps(v, time_s, bounds, cleaning.max_gap)[0]

    for first in range(0, 2 * k, _COLUMNS_AT_ONCE):  # a few columns at a time: bounded temporaries
        block = values[:, first : first + _COLUMNS_AT_ONCE]
        block[...] = fill(smooth(block)) if cleaning.smooth_first else smooth(fill(block))
    return CleanedPoints(values[:, :k], values[:, k:], dropped, missing)  # views of one array


#: Columns cleaned together by :func:`clean_points`: each step's temporaries are a few times this many
#: columns, so the memory a large file needs stays close to that of its keypoints.
_COLUMNS_AT_ONCE = 4
