"""Keypoint cleaning (confidence cut, gap interpolation, rolling median, Savitzky-Golay), track by track.

Expected values come from independent computations on the same arrays, never from assaykit.tracking.cleaning:
``numpy.where`` for the cut; ``pandas.Series.interpolate(method="index", limit_area="inside")`` on each track
alone, with runs longer than ``max_gap`` found by hand and put back to NaN (pandas' ``limit`` fills the start
of a long gap, which is not movement's ``max_gap``); a per-frame loop of ``numpy.nanmedian`` over the
reflect-padded window, and pandas' rolling median on each padded track alone; ``scipy.signal.savgol_filter``
on each track alone, and a per-frame dot product with ``scipy.signal.savgol_coeffs`` where NaNs are present.
When xarray is installed, movement's own recipes (``interpolate_na`` and pad-rolling-median) are compared too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import savgol_coeffs, savgol_filter

from assaykit.tracking.cleaning import (
    CleanedPoints,
    Cleaning,
    clean_points,
    drop_low_confidence,
    interpolate_gaps,
    rolling_median,
    savgol_smooth,
)
from assaykit.tracking.session import fill_track_gaps

NAN = float("nan")


# ---------------------------------------------------------------------------------------------------------
# test data and independent references


def bounds_of(lengths: list[int]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


def make_tracks(
    seed: int, lengths: list[int], k: int = 3, nan_start: float = 0.08, longest_run: int = 9
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random walks back to back, uneven frame times (restarting per track), random NaN runs.

    NaN runs may start near the end of one track and run into the next.
    """
    rng = np.random.default_rng(seed)
    bounds = bounds_of(lengths)
    n = int(bounds[-1])
    values = rng.normal(size=(n, k)).cumsum(axis=0) + 50.0
    time_s = np.concatenate(
        [rng.uniform(0, 3) + np.cumsum(rng.uniform(0.01, 0.09, size)) for size in lengths]
    )
    for j in range(k):
        for start in np.flatnonzero(rng.random(n) < nan_start):
            values[start : start + rng.integers(1, longest_run + 1), j] = NAN
    return values, time_s, bounds


def nan_runs(v: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of NaN in a 1-D array, by a plain loop."""
    runs, i = [], 0
    while i < len(v):
        if np.isnan(v[i]):
            stop = i
            while stop < len(v) and np.isnan(v[stop]):
                stop += 1
            runs.append((i, stop))
            i = stop
        else:
            i += 1
    return runs


def interpolation_reference(
    values: np.ndarray, time_s: np.ndarray, bounds: np.ndarray, max_gap: int
) -> np.ndarray:
    """pandas' linear interpolation on the time index, inside known values, each track and column alone."""
    out = values.copy()
    if max_gap == 0:
        return out
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        for j in range(values.shape[1]):
            track = values[a:b, j]
            if b - a == 0 or np.isnan(track).all():
                continue
            series = pd.Series(track, index=pd.Index(time_s[a:b]))
            filled = series.interpolate(method="index", limit_area="inside").to_numpy().copy()
            for start, stop in nan_runs(track):
                if stop - start > max_gap:
                    filled[start:stop] = NAN  # pandas fills any gap: movement's max_gap does not
            out[a:b, j] = filled
    return out


def median_reference(
    values: np.ndarray, bounds: np.ndarray, window: int, min_periods: int | None = None
) -> np.ndarray:
    """Per frame: ``numpy.nanmedian`` of the reflect-padded window, NaN with fewer than min_periods values."""
    least = window if min_periods is None else min_periods
    half = window // 2
    out = values.copy()
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if half == 0 or b - a < window:
            continue  # shorter than the window: unsmoothed
        padded = np.pad(values[a:b], ((half, half), (0, 0)), mode="reflect")
        for i in range(b - a):
            for j in range(values.shape[1]):
                w = padded[i : i + window, j]
                out[a + i, j] = np.nanmedian(w) if np.count_nonzero(~np.isnan(w)) >= least else NAN
    return out


def pandas_median_reference(
    values: np.ndarray, bounds: np.ndarray, window: int, min_periods: int | None = None
) -> np.ndarray:
    """movement's recipe with pandas for xarray: pad reflect, rolling centre median, strip the pads."""
    half = window // 2
    out = values.copy()
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if half == 0 or b - a < window:
            continue
        padded = pd.DataFrame(np.pad(values[a:b], ((half, half), (0, 0)), mode="reflect"))
        rolled = padded.rolling(window, center=True, min_periods=min_periods or window).median()
        out[a:b] = rolled.to_numpy()[half : half + b - a]
    return out


def savgol_reference(track: np.ndarray, window: int, order: int) -> np.ndarray:
    """Per frame, the least-squares polynomial of the window (or of the end window) evaluated at the frame."""
    length, half = len(track), window // 2
    middle = savgol_coeffs(window, order, use="dot")
    out = np.empty_like(track)
    for i in range(length):
        if i < half:
            out[i] = savgol_coeffs(window, order, pos=i, use="dot") @ track[:window]
        elif i >= length - half:
            out[i] = (
                savgol_coeffs(window, order, pos=i - (length - window), use="dot") @ track[length - window :]
            )
        else:
            out[i] = middle @ track[i - half : i + half + 1]
    return out


# ---------------------------------------------------------------------------------------------------------
# 1. the confidence cut


def test_confidence_cut_matches_numpy_where() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(200, 4)), rng.normal(size=(200, 4))
    score = rng.random((200, 4))
    score[rng.random((200, 4)) < 0.1] = NAN  # hand-labelled points: no score, kept
    x[rng.random((200, 4)) < 0.05] = NAN  # missing in x only: missing in both
    y[rng.random((200, 4)) < 0.05] = NAN
    x_in, y_in, score_in = x.copy(), y.copy(), score.copy()
    cx, cy, dropped = drop_low_confidence(x, y, score, 0.6)
    missing = np.isnan(x) | np.isnan(y)
    remove = missing | (score < 0.6)
    np.testing.assert_array_equal(cx, np.where(remove, NAN, x))
    np.testing.assert_array_equal(cy, np.where(remove, NAN, y))
    np.testing.assert_array_equal(dropped, ~missing & (score < 0.6))
    assert dropped.any() and (np.isnan(score) & ~missing).any()
    assert not np.isnan(cx[np.isnan(score) & ~missing]).any()
    for before, after in ((x, x_in), (y, y_in), (score, score_in)):  # inputs untouched
        np.testing.assert_array_equal(before, after)


def test_no_threshold_or_no_score_cuts_nothing_but_still_pairs_missing_coordinates() -> None:
    x = np.array([[1.0, NAN], [2.0, 3.0]])
    y = np.array([[NAN, 1.0], [2.0, 3.0]])
    score = np.zeros((2, 2))
    for threshold, scores in ((None, score), (0.5, None)):
        cx, cy, dropped = drop_low_confidence(x, y, scores, threshold)
        expected_x = np.array([[NAN, NAN], [2.0, 3.0]])
        np.testing.assert_array_equal(cx, expected_x)
        np.testing.assert_array_equal(cy, expected_x)
        assert not dropped.any()


def test_threshold_is_inclusive_like_movement() -> None:
    cx, _, dropped = drop_low_confidence(np.ones((1, 3)), np.ones((1, 3)), np.array([[0.59, 0.6, 0.61]]), 0.6)
    np.testing.assert_array_equal(np.isnan(cx), [[True, False, False]])
    np.testing.assert_array_equal(dropped, [[True, False, False]])


# ---------------------------------------------------------------------------------------------------------
# 2. gap interpolation


@pytest.mark.parametrize("max_gap", [0, 1, 3, 5, 8, 100])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_interpolation_matches_pandas_on_time_index_with_max_gap(seed: int, max_gap: int) -> None:
    values, time_s, bounds = make_tracks(seed, [150, 1, 0, 90, 2, 200, 60], k=3)
    filled, mask = interpolate_gaps(values, time_s, bounds, max_gap)
    expected = interpolation_reference(values, time_s, bounds, max_gap)
    np.testing.assert_array_equal(filled, expected)  # numpy.interp's arithmetic, as pandas uses it
    np.testing.assert_array_equal(mask, np.isnan(values) & ~np.isnan(expected))
    if max_gap >= 3:
        assert mask.any()


def test_interpolation_equals_numpy_interp_as_fill_track_gaps_does() -> None:
    values, time_s, bounds = make_tracks(4, [300, 200, 250], k=2)
    values[:, 1] = 0.5 * values[:, 0] - 3.0  # x and y with one NaN pattern
    x, y, _, count = fill_track_gaps(time_s, values[:, 0], values[:, 1], bounds, 6)
    filled, mask = interpolate_gaps(values, time_s, bounds, 6)
    np.testing.assert_array_equal(filled[:, 0], x)  # the same arithmetic, value for value
    np.testing.assert_array_equal(filled[:, 1], y)
    assert mask[:, 0].sum() == count > 0


def test_no_gap_is_filled_across_a_track_boundary() -> None:
    # as one track, frames 3-4 (end of track 0) and 5-6 (start of track 1) would be a fillable gap
    values = np.array([[0.0], [1.0], [2.0], [NAN], [NAN], [NAN], [NAN], [7.0], [8.0]])
    time_s = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 0.0, 1.0, 2.0, 3.0])
    bounds = np.array([0, 5, 9])
    filled, mask = interpolate_gaps(values, time_s, bounds, 10)
    np.testing.assert_array_equal(filled, values)
    assert not mask.any()
    one_track, _ = interpolate_gaps(values, np.arange(9.0), np.array([0, 9]), 10)
    np.testing.assert_array_equal(one_track[:, 0], np.arange(9.0))


def test_interpolation_is_in_time_not_in_frames() -> None:
    values = np.array([[0.0], [NAN], [NAN], [9.0]])
    time_s = np.array([0.0, 1.0, 1.5, 3.0])
    filled, _ = interpolate_gaps(values, time_s, np.array([0, 4]), 2)
    np.testing.assert_allclose(filled[:, 0], [0.0, 3.0, 4.5, 9.0])
    one_d, mask = interpolate_gaps(values[:, 0], time_s, np.array([0, 4]), 2)  # 1-D works too
    np.testing.assert_allclose(one_d, filled[:, 0])
    assert mask.shape == (4,)


@pytest.mark.parametrize("max_gap", [1, 3, 6])
def test_interpolation_matches_xarray_interpolate_na_like_movement(max_gap: int) -> None:
    xr = pytest.importorskip("xarray")
    values, _, bounds = make_tracks(7, [120, 80, 150], k=3)
    time_s = np.concatenate([np.arange(length) / 30.0 for length in np.diff(bounds)])  # evenly spaced
    filled, _ = interpolate_gaps(values, time_s, bounds, max_gap)
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        data = xr.DataArray(values[a:b], dims=("time", "keypoints"), coords={"time": time_s[a:b]})
        expected = data.interpolate_na(dim="time", method="linear", use_coordinate=False, max_gap=max_gap + 1)
        np.testing.assert_allclose(filled[a:b], expected.values, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------------------------------------
# 3. rolling median


@pytest.mark.parametrize(
    ("window", "min_periods"), [(1, None), (3, None), (3, 1), (5, 2), (9, None), (9, 3), (9, 9), (11, 1)]
)
def test_rolling_median_matches_a_per_frame_loop(window: int, min_periods: int | None) -> None:
    values, _, bounds = make_tracks(3, [80, 3, 5, 1, 0, 60, 6, 40], k=3, nan_start=0.05)
    result = rolling_median(values, bounds, window, min_periods)
    expected = median_reference(values, bounds, window, min_periods)
    np.testing.assert_array_equal(result, expected)  # medians are values or means of two: exact
    expected_pandas = pandas_median_reference(values, bounds, window, min_periods)
    np.testing.assert_array_equal(result, expected_pandas)


def test_rolling_median_without_nans_and_on_short_tracks() -> None:
    rng = np.random.default_rng(5)
    bounds = bounds_of([50, 4, 8, 9, 40])  # with window 9, the 4- and 8-frame tracks are shorter
    values = rng.normal(size=(int(bounds[-1]), 2))
    result = rolling_median(values, bounds, 9)
    np.testing.assert_array_equal(result, median_reference(values, bounds, 9))
    np.testing.assert_array_equal(result[50:62], values[50:62])  # left unsmoothed
    assert not np.array_equal(result[62:71], values[62:71])  # 9 frames: padded and smoothed


@pytest.mark.parametrize(("window", "min_periods"), [(5, None), (9, 3), (7, 1)])
def test_rolling_median_matches_movement_recipe_in_xarray(window: int, min_periods: int | None) -> None:
    xr = pytest.importorskip("xarray")
    values, _, bounds = make_tracks(8, [100, 70], k=2, nan_start=0.05)
    result = rolling_median(values, bounds, window, min_periods)
    half = window // 2
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        data = xr.DataArray(values[a:b], dims=("time", "keypoints"))
        rolled = (
            data.pad(time=half, mode="reflect")
            .rolling(time=window, center=True, min_periods=min_periods)
            .median(skipna=True)
            .isel(time=slice(half, -half))
        )
        np.testing.assert_allclose(result[a:b], rolled.values, rtol=1e-14, atol=0)


# ---------------------------------------------------------------------------------------------------------
# 4. Savitzky-Golay


@pytest.mark.parametrize(("window", "order"), [(5, 2), (7, 3), (11, 2), (3, 0), (9, 4)])
def test_savgol_matches_scipy_on_each_track(window: int, order: int) -> None:
    rng = np.random.default_rng(9)
    lengths = [40, 40, window - 1, 25, window, 40, 2]  # equal lengths grouped; short tracks unsmoothed
    bounds = bounds_of(lengths)
    values = rng.normal(size=(int(bounds[-1]), 3)).cumsum(axis=0)
    values[20, 1] = NAN  # inside the first track: SciPy propagates it through the convolution
    result = savgol_smooth(values, bounds, window, order)
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if b - a < window:
            np.testing.assert_array_equal(result[a:b], values[a:b])
            continue
        expected = savgol_filter(values[a:b], window, order, axis=0)
        np.testing.assert_allclose(result[a:b], expected, rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(np.isnan(result[a:b]), np.isnan(expected))
    assert np.isnan(result[20 - window // 2 : 20 + window // 2 + 1, 1]).all()


@pytest.mark.parametrize(("window", "order"), [(5, 2), (9, 3)])
def test_savgol_with_nans_at_the_ends_propagates_them_like_the_least_squares_fit(
    window: int, order: int
) -> None:
    values, _, bounds = make_tracks(11, [60, 45, 30], k=3, nan_start=0.04, longest_run=3)
    values[0, 0] = NAN  # in the first end window: SciPy 1.17 would raise here
    values[59, 2] = NAN
    result = savgol_smooth(values, bounds, window, order)
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        for j in range(3):
            expected = savgol_reference(values[a:b, j], window, order)
            np.testing.assert_array_equal(np.isnan(result[a:b, j]), np.isnan(expected))
            np.testing.assert_allclose(result[a:b, j], expected, rtol=1e-9, atol=1e-9)
    assert np.isnan(result[: window // 2, 0]).all() and np.isnan(result[60 - window // 2 : 60, 2]).all()


# ---------------------------------------------------------------------------------------------------------
# 5. options and the pipeline


@pytest.mark.parametrize(
    ("options", "name"),
    [
        ({"median_window": 5, "savgol_window": 5}, "savgol_window"),
        ({"median_window": 4}, "median_window"),
        ({"median_window": 0}, "median_window"),
        ({"median_window": -3}, "median_window"),
        ({"savgol_window": 6}, "savgol_window"),
        ({"savgol_window": 5, "savgol_order": 5}, "savgol_order"),
        ({"savgol_window": 5, "savgol_order": 7}, "savgol_order"),
        ({"savgol_order": -1}, "savgol_order"),
        ({"max_gap": -1}, "max_gap"),
        ({"median_window": 5, "min_periods": 0}, "min_periods"),
        ({"median_window": 5, "min_periods": 6}, "min_periods"),
        ({"min_periods": 2}, "min_periods"),
        ({"confidence": 1.5}, "confidence"),
        ({"confidence": -0.1}, "confidence"),
    ],
)
def test_cleaning_rejects_bad_options_naming_the_option(options: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        Cleaning(**options)


def test_cleaning_accepts_good_options() -> None:
    assert Cleaning().confidence == 0.9 and Cleaning().max_gap == 10
    Cleaning(confidence=None, max_gap=0, median_window=9, min_periods=3, smooth_first=True)
    Cleaning(savgol_window=5, savgol_order=4)
    Cleaning(median_window=1, min_periods=1)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda v, b: rolling_median(v, b, 4), "window"),
        (lambda v, b: rolling_median(v, b, 5, 6), "min_periods"),
        (lambda v, b: savgol_smooth(v, b, 6), "window"),
        (lambda v, b: savgol_smooth(v, b, 5, 5), "order"),
        (lambda v, b: interpolate_gaps(v, np.arange(10.0), b, -1), "max_gap"),
        (lambda v, b: rolling_median(v, np.array([0, 5]), 3), "bounds"),
    ],
)
def test_functions_reject_bad_arguments(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call(np.zeros((10, 2)), np.array([0, 10]))


def by_hand(time_s: np.ndarray, values: np.ndarray, bounds: np.ndarray, cleaning: Cleaning) -> np.ndarray:
    """The pipeline composed from the independent references."""

    def smooth(v: np.ndarray) -> np.ndarray:
        if cleaning.median_window is not None:
            return median_reference(v, bounds, cleaning.median_window, cleaning.min_periods)
        if cleaning.savgol_window is not None:
            out = v.copy()
            for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
                if b - a >= cleaning.savgol_window:
                    for j in range(v.shape[1]):
                        out[a:b, j] = savgol_reference(
                            v[a:b, j], cleaning.savgol_window, cleaning.savgol_order
                        )
            return out
        return v

    def fill(v: np.ndarray) -> np.ndarray:
        return interpolation_reference(v, time_s, bounds, cleaning.max_gap)

    return fill(smooth(values)) if cleaning.smooth_first else smooth(fill(values))


def test_smoothing_order_matters_and_each_order_is_the_composition_of_the_steps() -> None:
    time_s = np.arange(30) / 30.0
    x = np.linspace(0.0, 29.0, 30)[:, None] ** 1.2
    x[10:12] = NAN  # a 2-frame gap: filled first, or widened to 6 frames by the median first
    bounds = np.array([0, 30])
    results = {}
    for first in (False, True):
        cleaning = Cleaning(confidence=None, max_gap=3, median_window=5, smooth_first=first)
        cleaned = clean_points(time_s, x, x + 1.0, None, bounds, cleaning)
        expected = by_hand(time_s, x, bounds, cleaning)
        np.testing.assert_allclose(cleaned.x, expected, rtol=1e-13, atol=0)
        np.testing.assert_array_equal(np.isnan(cleaned.x), np.isnan(expected))
        results[first] = cleaned.x
    assert not np.isnan(results[False]).any()
    np.testing.assert_array_equal(np.flatnonzero(np.isnan(results[True][:, 0])), np.arange(8, 14))


@pytest.mark.parametrize(
    "cleaning",
    [
        Cleaning(),
        Cleaning(confidence=0.6, max_gap=5, median_window=9, min_periods=3, smooth_first=True),  # movement's
        Cleaning(confidence=0.6, max_gap=5, median_window=9, min_periods=3),
        Cleaning(confidence=0.8, max_gap=4, savgol_window=7, savgol_order=2),
        Cleaning(confidence=0.8, max_gap=4, savgol_window=7, savgol_order=2, smooth_first=True),
        Cleaning(confidence=None, max_gap=0, median_window=5),
    ],
)
def test_clean_points_is_the_composition_of_the_steps(cleaning: Cleaning) -> None:
    rng = np.random.default_rng(12)
    lengths = [120, 4, 90, 90, 0, 60]
    bounds = bounds_of(lengths)
    n = int(bounds[-1])
    time_s = np.concatenate([np.cumsum(rng.uniform(0.02, 0.05, size)) for size in lengths])
    x = rng.normal(size=(n, 3)).cumsum(axis=0)
    y = rng.normal(size=(n, 3)).cumsum(axis=0)
    score = rng.beta(5, 1, size=(n, 3))
    score[rng.random((n, 3)) < 0.03] = NAN
    x[rng.random((n, 3)) < 0.02] = NAN
    cleaned = clean_points(time_s, x, y, score, bounds, cleaning)
    assert isinstance(cleaned, CleanedPoints)
    cut = np.isnan(x) | np.isnan(y)
    if cleaning.confidence is not None:
        cut |= score < cleaning.confidence
    x_cut, y_cut = np.where(cut, NAN, x), np.where(cut, NAN, y)
    np.testing.assert_array_equal(cleaned.missing_after_cut, cut)
    np.testing.assert_array_equal(cleaned.dropped, cut & ~(np.isnan(x) | np.isnan(y)))
    for got, start in ((cleaned.x, x_cut), (cleaned.y, y_cut)):
        expected = by_hand(time_s, start, bounds, cleaning)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(np.isnan(cleaned.x), np.isnan(cleaned.y))


# ---------------------------------------------------------------------------------------------------------
# properties


@st.composite
def tracks(draw: st.DrawFn, k: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lengths = draw(st.lists(st.integers(0, 25), min_size=1, max_size=5))
    bounds = bounds_of(lengths)
    n = int(bounds[-1])
    finite = st.floats(-1e3, 1e3, allow_nan=False)
    values = np.array(draw(st.lists(finite, min_size=n * k, max_size=n * k)), dtype=float).reshape(n, k)
    missing = np.array(draw(st.lists(st.booleans(), min_size=n * k, max_size=n * k)), dtype=bool).reshape(
        n, k
    )
    values[missing] = NAN
    time_s = np.concatenate([np.arange(length, dtype=float) * 0.5 for length in lengths])
    return values, time_s, bounds


def each_track_alone(function, values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    parts = [
        function(values[a:b], np.array([0, b - a])) for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    return np.concatenate(parts) if parts else values.copy()


@settings(max_examples=150, deadline=None)
@given(data=tracks(), max_gap=st.integers(0, 6))
def test_interpolation_keeps_known_values_and_fills_exactly_the_short_inner_runs(data, max_gap: int) -> None:
    values, time_s, bounds = data
    filled, mask = interpolate_gaps(values, time_s, bounds, max_gap)
    known = ~np.isnan(values)
    np.testing.assert_array_equal(filled[known], values[known])
    np.testing.assert_array_equal(mask, ~known & ~np.isnan(filled))
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        for j in range(values.shape[1]):
            for start, stop in nan_runs(values[a:b, j]):
                fillable = start > 0 and stop < b - a and stop - start <= max_gap
                assert mask[a + start : a + stop, j].all() == fillable
                assert mask[a + start : a + stop, j].any() == fillable
                if fillable:  # on the segment between the two known values
                    low, high = sorted((values[a + start - 1, j], values[a + stop, j]))
                    inside = filled[a + start : a + stop, j]
                    assert ((inside >= low - 1e-9) & (inside <= high + 1e-9)).all()
    alone = each_track_alone(
        lambda v, bd: interpolate_gaps(v, np.arange(len(v)) * 0.5, bd, max_gap)[0], values, bounds
    )
    np.testing.assert_array_equal(filled, alone)


@settings(max_examples=150, deadline=None)
@given(
    data=tracks(),
    window=st.sampled_from([1, 3, 5, 7]),
    min_periods=st.one_of(st.none(), st.integers(1, 7)),
)
def test_rolling_median_properties(data, window: int, min_periods: int | None) -> None:
    values, _, bounds = data
    if min_periods is not None:
        min_periods = min(min_periods, window)
    result = rolling_median(values, bounds, window, min_periods)
    np.testing.assert_array_equal(result, median_reference(values, bounds, window, min_periods))
    np.testing.assert_array_equal(
        result, each_track_alone(lambda v, bd: rolling_median(v, bd, window, min_periods), values, bounds)
    )
    if min_periods is None and window > 1:  # any NaN in a window gives NaN: NaN never shrinks
        assert np.isnan(result[np.isnan(values)]).all()


@settings(max_examples=100, deadline=None)
@given(data=tracks(), window=st.sampled_from([3, 5, 7]), order=st.integers(0, 2))
def test_savgol_tracks_are_independent_and_nan_only_spreads(data, window: int, order: int) -> None:
    values, _, bounds = data
    result = savgol_smooth(values, bounds, window, order)
    np.testing.assert_array_equal(
        result, each_track_alone(lambda v, bd: savgol_smooth(v, bd, window, order), values, bounds)
    )
    assert np.isnan(result[np.isnan(values)]).all()
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if b - a >= window and not np.isnan(values[a:b]).any():
            np.testing.assert_allclose(
                result[a:b], savgol_filter(values[a:b], window, order, axis=0), rtol=1e-9, atol=1e-9
            )
