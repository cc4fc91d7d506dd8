"""Clean pose-estimation keypoints: confidence cut, gap interpolation and smoothing, track by track.

Pose-estimation tools (DeepLabCut, SLEAP, LightningPose) give every keypoint of every frame a position and
a confidence score. Before positions become endpoints, the field cleans them in the steps of the
``movement`` package's ``movement/filtering.py`` (https://movement.neuroinformatics.dev), which this
module reproduces on many tracks held back to back in one array (track ``k`` is rows
``bounds[k]:bounds[k + 1]``, see :mod:`.segments`); no step mixes frames of two tracks.

All arrays are ``(n_frames_total, K)`` float64, one column per keypoint. The pipeline of
:func:`clean_points` is:

1. Confidence cut (:func:`drop_low_confidence`, movement's ``filter_by_confidence``): a point whose score is
   below the threshold becomes missing (NaN in both coordinates).
2. Gap interpolation (:func:`interpolate_gaps`, movement's ``interpolate_over_time(method="linear",
   max_gap=N)``): runs of at most ``max_gap`` missing frames with a known point on both sides are filled by
   linear interpolation in time.
3. Optional smoothing, either a centred rolling median (:func:`rolling_median`, movement's
   ``rolling_filter(statistic="median")``) or a Savitzky-Golay filter (:func:`savgol_smooth`, movement's
   ``savgol_filter``; Savitzky & Golay 1964).

By default the gaps are filled before smoothing. With ``Cleaning(smooth_first=True)`` the smoothing comes
before the interpolation, the order of movement's elevated-plus-maze region-occupancy example
(``examples/region_occupancy.py``: ``filter_by_confidence`` at 0.99, then ``rolling_filter`` with a median
over 9 frames and ``min_periods=3``, then ``interpolate_over_time`` with ``max_gap=5``); a median with
``min_periods`` below the window also fills short runs of missing frames itself.

Defaults of :class:`Cleaning`: a confidence cut at 0.9, gaps of up to 10 frames filled, no smoothing.
The cut of 0.9 is assaykit's own choice, stricter than the tools' defaults: DeepLabCut's ``pcutoff`` (the
likelihood below which its plots and labelled videos hide a point) is 0.6 in the ``config.yaml`` that
``deeplabcut.create_new_project`` writes, and movement's ``filter_by_confidence`` threshold defaults to 0.6.
Scores are not comparable between tools: DeepLabCut's likelihood is the peak of a score map in [0, 1]
(Mathis et al. 2018), SLEAP's instance and point scores can exceed 1; choose the cut for the tool.

References
----------
* movement, ``movement/filtering.py`` (``filter_by_confidence``, ``interpolate_over_time``,
  ``rolling_filter``, ``savgol_filter``), https://movement.neuroinformatics.dev and
  https://github.com/neuroinformatics-unit/movement.
* A. Savitzky and M. J. E. Golay (1964). Smoothing and differentiation of data by simplified least squares
  procedures. Analytical Chemistry 36(8):1627-1639.
* A. Mathis et al. (2018). DeepLabCut: markerless pose estimation of user-defined body parts with deep
  learning. Nature Neuroscience 21:1281-1289 (the per-point likelihood).
* DeepLabCut, project configuration (``config.yaml``: ``pcutoff``), https://deeplabcut.github.io/DeepLabCut
  and ``deeplabcut/create_project/new.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assaykit.tracking.segments import concat_ranges, segment_of
from assaykit.tracking.session import _missing_runs


def drop_low_confidence(
    x: np.ndarray, y: np.ndarray, score: np.ndarray | None, threshold: float | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Remove points whose confidence score is below a threshold.

    Parameters
    ----------
    x, y
        Coordinates, ``(n, K)`` (any shape, the same for both); NaN marks a missing point.
    score
        Confidence of each point, the shape of ``x``; None for no scores (nothing is cut).
    threshold
        Points with ``score < threshold`` are removed; None for no cut.

    Returns
    -------
    x, y : numpy.ndarray
        Copies (float64) with removed and missing points NaN in both coordinates: a point with NaN in
        ``x`` or ``y`` is missing in both.
    dropped : numpy.ndarray
        Bool, the shape of ``x``: True where a point was present (neither coordinate NaN) and the cut
        removed it.

    Notes
    -----
    A NaN score keeps the point: SLEAP gives hand-labelled (user) points no score. movement's
    ``filter_by_confidence`` keeps ``data.where(confidence >= threshold)`` and so drops such points.

    References
    ----------
    movement, ``movement.filtering.filter_by_confidence``, https://movement.neuroinformatics.dev.
    """
    x = np.array(x, dtype=float)  # copies
    y = np.array(y, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape, got {x.shape} and {y.shape}.")
    missing = np.isnan(x) | np.isnan(y)
    x[missing] = np.nan
    y[missing] = np.nan
    if threshold is None or score is None:
        return x, y, np.zeros(x.shape, dtype=bool)
    score = np.asarray(score, dtype=float)
    if score.shape != x.shape:
        raise ValueError(f"score must have the shape of x {x.shape}, got {score.shape}.")
    dropped = (score < threshold) & ~missing  # a NaN score compares False: kept
    x[dropped] = np.nan
    y[dropped] = np.nan
    return x, y, dropped


def interpolate_gaps(
    values: np.ndarray, time_s: np.ndarray, bounds: np.ndarray, max_gap: int
) -> tuple[np.ndarray, np.ndarray]:
    """Fill short runs of missing frames by linear interpolation in time, track by track.

    Parameters
    ----------
    values
        ``(n, K)`` (or ``(n,)``) values of all tracks; NaN marks a missing value.
    time_s
        ``(n,)`` frame times (s), strictly increasing within each track.
    bounds
        Track boundaries: track ``k`` is rows ``bounds[k]:bounds[k + 1]``, from 0 to ``n``.
    max_gap
        Longest run of consecutive missing frames to fill; 0 fills nothing.

    Returns
    -------
    filled_values : numpy.ndarray
        A copy of ``values`` (float64) with the gaps filled.
    filled_mask : numpy.ndarray
        Bool, True where a missing value was filled.

    Notes
    -----
    Column by column, a run of at most ``max_gap`` missing frames with a known value on both sides in the
    same track is filled on the straight line (in time) between those two values. Runs at the start or
    end of a track, and longer runs, stay missing; known values never change. Each filled value is
    computed as ``numpy.interp`` computes it (``slope * (t - t0) + v0``), so it equals ``numpy.interp``
    over the track's known frames, and the values of :func:`assaykit.tracking.session.fill_track_gaps`.

    This is movement's ``interpolate_over_time(method="linear", max_gap=N)``, i.e.
    ``xarray.DataArray.interpolate_na(dim="time", use_coordinate=False, max_gap=N + 1)``, which
    interpolates by frame number: for evenly spaced frames the two are the same; for uneven frames this
    function interpolates in time.

    References
    ----------
    movement, ``movement.filtering.interpolate_over_time``, https://movement.neuroinformatics.dev.
    """
    values, one_d = _as_2d(values)
    n, k = values.shape
    bounds = _check_bounds(bounds, n)
    time_s = np.asarray(time_s, dtype=float)
    if time_s.shape != (n,):
        raise ValueError(f"time_s must have shape ({n},), got {time_s.shape}.")
    if not _is_int(max_gap) or max_gap < 0:
        raise ValueError(f"max_gap must be an integer >= 0, got {max_gap!r}.")
    out = values.copy()
    filled = np.zeros((n, k), dtype=bool)
    missing = np.isnan(values)
    if max_gap == 0 or not missing.any():
        return _back(out, one_d), _back(filled, one_d)
    # the columns one after the other, as k * m tracks of one flat array
    flat_bounds = np.append((bounds[:-1][None, :] + n * np.arange(k)[:, None]).ravel(), k * n)
    run_start, run_stop = _missing_runs(missing.T.ravel(), flat_bounds)
    track = segment_of(flat_bounds, run_start)
    fillable = (
        (run_stop - run_start <= max_gap)
        & (run_start > flat_bounds[track])
        & (run_stop < flat_bounds[track + 1])
    )
    run_start, run_stop = run_start[fillable], run_stop[fillable]
    if not len(run_start):
        return _back(out, one_d), _back(filled, one_d)
    lengths = run_stop - run_start
    frames = concat_ranges(run_start, run_stop)
    before = np.repeat(run_start - 1, lengths)  # the known frames on either side
    after = np.repeat(run_stop, lengths)
    flat = values.T.ravel()
    t, t0, t1 = time_s[frames % n], time_s[before % n], time_s[after % n]
    v0, v1 = flat[before], flat[after]
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = (v1 - v0) / (t1 - t0)
        estimate = slope * (t - t0) + v0
        nan = np.isnan(estimate)  # as numpy.interp: try from the other side (infinite values only)
        if nan.any():
            estimate[nan] = slope[nan] * (t[nan] - t1[nan]) + v1[nan]
            same = np.isnan(estimate) & (v0 == v1)
            estimate[same] = v0[same]
    rows, cols = frames % n, frames // n
    out[rows, cols] = estimate
    filled[rows, cols] = True
    return _back(out, one_d), _back(filled, one_d)


def rolling_median(
    values: np.ndarray, bounds: np.ndarray, window: int, min_periods: int | None = None
) -> np.ndarray:
    """Centred rolling median of each track, ends reflect-padded, NaNs skipped.

    Parameters
    ----------
    values
        ``(n, K)`` (or ``(n,)``) values of all tracks; NaN marks a missing value.
    bounds
        Track boundaries: track ``k`` is rows ``bounds[k]:bounds[k + 1]``, from 0 to ``n``.
    window
        Frames in the window, an odd integer >= 1 (1 returns a copy).
    min_periods
        Fewest non-NaN values in a window for a median; NaN where fewer. None means ``window``: any NaN in
        the window gives NaN (as in movement and xarray).

    Returns
    -------
    numpy.ndarray
        The smoothed copy (float64).

    Notes
    -----
    This is movement's ``rolling_filter(data, window, statistic="median", min_periods=...)``: each track is
    padded at both ends by ``window // 2`` frames with ``numpy.pad(mode="reflect")`` (the edge frame not
    repeated), the median of the ``window`` frames centred on each frame is taken skipping NaNs, with NaN
    where fewer than ``min_periods`` values are present, and the pads are dropped. The median of an even
    number of values is the mean of the middle two (as ``numpy.nanmedian`` and pandas).

    A track of fewer than ``window`` frames is returned unsmoothed, as :func:`savgol_smooth` leaves it.

    The medians of windows without NaN come from ``scipy.ndimage.median_filter`` (one call over all tracks
    and columns, the pads keeping the tracks apart); windows with a NaN are sorted separately.

    References
    ----------
    movement, ``movement.filtering.rolling_filter``, https://movement.neuroinformatics.dev.
    """
    values, one_d = _as_2d(values)
    n, k = values.shape
    bounds = _check_bounds(bounds, n)
    _check_window(window, "window")
    if min_periods is None:
        min_periods = window
    elif not _is_int(min_periods) or not 1 <= min_periods <= window:
        raise ValueError(
            f"min_periods must be an integer from 1 to the window ({window}), got {min_periods!r}."
        )
    out = values.copy()
    half = window // 2
    lengths = np.diff(bounds)
    tracks = np.flatnonzero(lengths >= window)  # shorter tracks stay as they are (as for savgol)
    if half == 0 or not len(tracks) or k == 0:
        return _back(out, one_d)
    from scipy import ndimage

    length = lengths[tracks]
    padded_length = length + 2 * half
    position = concat_ranges(np.zeros_like(length), padded_length)  # within a padded track
    track_length = np.repeat(length, padded_length)
    local = np.abs(position - half)  # reflected at the start
    local = np.where(local >= track_length, 2 * (track_length - 1) - local, local)  # and at the end
    rows = np.repeat(bounds[:-1][tracks], padded_length) + local
    is_centre = (position >= half) & (position < half + track_length)  # the tracks' own frames
    padded = values.T[:, rows]  # (k, p), C order: each column's padded tracks one after the other
    nan = np.isnan(padded)
    p = padded.shape[1]
    has_nan = bool(nan.any())
    flat = np.where(nan, 0.0, padded) if has_nan else padded  # windows with a NaN are redone below
    medians = ndimage.median_filter(flat.ravel(), size=window, mode="nearest").reshape(k, p)
    if has_nan:
        nans = np.zeros((k, p + 1), dtype=np.int32)
        np.cumsum(nan, axis=1, out=nans[:, 1:])
        partial = np.zeros((k, p), dtype=bool)  # a frame whose window holds a NaN
        partial[:, half : p - half] = nans[:, window:] > nans[:, : p + 1 - window]
        partial &= is_centre
        col, frame = np.nonzero(partial)
        count = window - (nans[col, frame + half + 1] - nans[col, frame - half])  # values in the window
        enough = count >= min_periods
        medians[col[~enough], frame[~enough]] = np.nan
        col, frame, count = col[enough], frame[enough], count[enough]
        if len(col):
            start = col * p + frame - half
            windows = padded.ravel()[start[:, None] + np.arange(window)]
            windows.sort(axis=1)  # NaN last
            index = np.arange(len(count))
            low, high = windows[index, (count - 1) // 2], windows[index, count // 2]
            medians[col, frame] = np.where(count % 2 == 1, low, (low + high) / 2)
    centre = np.flatnonzero(is_centre)
    out.T[:, rows[centre]] = medians[:, centre]
    return _back(out, one_d)


def savgol_smooth(values: np.ndarray, bounds: np.ndarray, window: int, order: int = 2) -> np.ndarray:
    """Savitzky-Golay smoothing of each track (SciPy's filter, mode "interp").

    Parameters
    ----------
    values
        ``(n, K)`` (or ``(n,)``) values of all tracks; NaN marks a missing value.
    bounds
        Track boundaries: track ``k`` is rows ``bounds[k]:bounds[k + 1]``, from 0 to ``n``.
    window
        Frames in the window, an odd integer greater than ``order``.
    order
        Order of the polynomial fitted in each window, >= 0.

    Returns
    -------
    numpy.ndarray
        The smoothed copy (float64).

    Notes
    -----
    Each track is ``scipy.signal.savgol_filter(track, window, order, axis=0)`` (default mode "interp": the
    first and last ``window // 2`` frames take the values of a polynomial fitted to the first and last
    ``window`` frames), as movement's ``savgol_filter``. Tracks of one length are filtered in one call.

    A track with fewer than ``window`` frames is returned unsmoothed.

    NaN propagates as through the filter's convolution: a frame is NaN when its window holds a NaN, and each
    of the first (last) ``window // 2`` frames is NaN when any of the first (last) ``window`` frames is.
    SciPy itself (1.17) raises ``ValueError`` for a NaN in an end window, where the polynomial is fitted;
    here the tracks are filtered with NaNs replaced by 0 and those frames are then set to NaN, so every
    frame that does not depend on a NaN has the value SciPy gives. An infinite value counts as a NaN.

    References
    ----------
    A. Savitzky and M. J. E. Golay (1964). Analytical Chemistry 36(8):1627-1639.
    movement, ``movement.filtering.savgol_filter``, https://movement.neuroinformatics.dev.
    """
    values, one_d = _as_2d(values)
    n, k = values.shape
    bounds = _check_bounds(bounds, n)
    _check_window(window, "window")
    if not _is_int(order) or order < 0 or order >= window:
        raise ValueError(f"order must be an integer from 0 to window - 1 ({window - 1}), got {order!r}.")
    out = values.copy()
    lengths = np.diff(bounds)
    if k == 0 or not (lengths >= window).any():
        return _back(out, one_d)
    from scipy.signal import savgol_filter

    half = window // 2
    for length in np.unique(lengths[lengths >= window]).tolist():
        tracks = np.flatnonzero(lengths == length)
        rows = bounds[:-1][tracks][:, None] + np.arange(length)  # (tracks, frames)
        block = values[rows]  # (tracks, frames, k)
        nan = ~np.isfinite(block)
        if not nan.any():
            out[rows] = savgol_filter(block, window, order, axis=1)
            continue
        smoothed = savgol_filter(np.where(nan, 0.0, block), window, order, axis=1)
        counts = np.zeros((len(tracks), length + 1, k), dtype=np.int64)
        np.cumsum(nan, axis=1, out=counts[:, 1:])
        spoilt = np.zeros(nan.shape, dtype=bool)  # a NaN in the frame's window
        spoilt[:, half : length - half] = (counts[:, window:] - counts[:, : length - window + 1]) > 0
        spoilt[:, :half] = (counts[:, window] > 0)[:, None, :]
        spoilt[:, length - half :] = (counts[:, length] - counts[:, length - window] > 0)[:, None, :]
        smoothed[spoilt] = np.nan
        out[rows] = smoothed
    return _back(out, one_d)


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
        if not _is_int(self.max_gap) or self.max_gap < 0:
            raise ValueError(f"max_gap must be an integer >= 0, got {self.max_gap!r}.")
        if self.median_window is not None and self.savgol_window is not None:
            raise ValueError(
                "median_window and savgol_window cannot both be set: choose one smoothing filter."
            )
        for name in ("median_window", "savgol_window"):
            window = getattr(self, name)
            if window is not None:
                _check_window(window, name)
        if not _is_int(self.savgol_order) or self.savgol_order < 0:
            raise ValueError(f"savgol_order must be an integer >= 0, got {self.savgol_order!r}.")
        if self.savgol_window is not None and self.savgol_order >= self.savgol_window:
            raise ValueError(
                f"savgol_order must be less than savgol_window ({self.savgol_window}), "
                f"got {self.savgol_order}."
            )
        if self.min_periods is not None:
            if self.median_window is None:
                raise ValueError("min_periods applies to the rolling median only: set median_window too.")
            if not _is_int(self.min_periods) or not 1 <= self.min_periods <= self.median_window:
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


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _check_window(window: object, name: str) -> None:
    if not _is_int(window) or window < 1 or window % 2 == 0:
        raise ValueError(f"{name} must be an odd integer >= 1, got {window!r}.")


def _check_bounds(bounds: np.ndarray, n: int) -> np.ndarray:
    bounds = np.asarray(bounds, dtype=np.int64)
    if (
        bounds.ndim != 1
        or len(bounds) < 1
        or bounds[0] != 0
        or bounds[-1] != n
        or (np.diff(bounds) < 0).any()
    ):
        raise ValueError(f"bounds must increase from 0 to the number of frames ({n}).")
    return bounds


def _as_2d(values: np.ndarray) -> tuple[np.ndarray, bool]:
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        return values[:, None], True
    if values.ndim != 2:
        raise ValueError(f"values must be 2-D (frames, columns), got shape {values.shape}.")
    return values, False


def _back(values: np.ndarray, one_d: bool) -> np.ndarray:
    return values[:, 0] if one_d else values
