"""The steps of keypoint cleaning, each a function of arrays holding many tracks back to back.

Track ``k`` is rows ``bounds[k]:bounds[k + 1]`` (see :mod:`assaykit.tracking.segments`); no step mixes
frames of two tracks. The steps reproduce those of the ``movement`` package's ``movement/filtering.py``
(see :mod:`assaykit.tracking.cleaning` for the pipeline and the references):

* :func:`drop_low_confidence`, movement's ``filter_by_confidence``;
* :func:`interpolate_gaps`, movement's ``interpolate_over_time(method="linear", max_gap=N)``;
* :func:`rolling_median`, movement's ``rolling_filter(statistic="median")``;
* :func:`savgol_smooth`, movement's ``savgol_filter`` (Savitzky & Golay 1964).
"""

from __future__ import annotations

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
    if not is_int(max_gap) or max_gap < 0:
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
    check_window(window, "window")
    if min_periods is None:
        min_periods = window
    elif not is_int(min_periods) or not 1 <= min_periods <= window:
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
    check_window(window, "window")
    if not is_int(order) or order < 0 or order >= window:
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


def is_int(value: object) -> bool:
    """Return whether ``value`` is an integer (a Python or numpy one, not a bool)."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def check_window(window: object, name: str) -> None:
    """Raise ValueError unless the window ``name`` is an odd integer >= 1."""
    if not is_int(window) or window < 1 or window % 2 == 0:
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
