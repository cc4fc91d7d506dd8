"""``fit_curves`` in chunks: the same fits, number for number, as one batch of all curves.

Each curve's iteration depends on its own row alone, so fitting 10,000 curves at a time (to keep memory and
page faults down at a million curves) must not change a single bit of any result. The reference is the same
engine run with ``chunk=None`` (all curves in one batch), which the rest of the batch tests check against
scipy; the curves mix padded rows, unfittable rows, per-curve fixed plateaus, weights and experimental
constants, so that every per-curve input is split along with the curves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assaykit.fitting import COMPETITION_MODELS
from assaykit.fitting.batch import CHUNK_CURVES, fit_curves
from assaykit.fitting.fitset import FitSet

ROW_ARRAYS = (
    "values", "stderr", "ci_low", "ci_high", "covariance", "dependency", "n_points", "df", "ss", "r_squared",
    "sy_x", "converged",
)  # fmt: skip


def curves(seed: int, n: int, hill: tuple[float, float] = (-1.5, -0.7)) -> tuple[np.ndarray, ...]:
    """``n`` noisy 4PL curves of 6-11 concentrations in duplicate, padded to one width; some unfittable."""
    rng = np.random.default_rng(seed)
    width = 22
    x = np.full((n, width), 5.0)
    y = np.full((n, width), np.nan)
    mask = np.zeros((n, width), bool)
    for i in range(n):
        k = int(rng.integers(6, 12))
        xi = np.repeat(-10.5 + 0.5 * np.arange(k), 2) + rng.uniform(-0.3, 0.3)
        top, bottom = rng.uniform(2000, 6000), rng.uniform(100, 600)
        log_ic50, hill_slope = rng.uniform(-9.5, -7.5), rng.uniform(*hill)
        yi = bottom + (top - bottom) / (1 + 10 ** ((log_ic50 - xi) * hill_slope))
        yi = yi + rng.normal(0, 0.03 * (top - bottom), xi.size)
        if i % 17 == 5:  # two concentrations only: not fittable
            xi, yi = np.repeat([-9.0, -8.0], 2), yi[:4]
        if i % 23 == 7:  # a missing count: not fittable by the batch engine
            yi[3] = np.nan
        x[i, : xi.size], y[i, : yi.size], mask[i, : xi.size] = xi, yi, True
    return x, y, mask


def assert_identical(got: FitSet, want: FitSet) -> None:
    """Every number of two fit sets is the same (NaN equal to NaN), and so are the messages."""
    assert got.free == want.free and got.model.name == want.model.name
    for name in ROW_ARRAYS:
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)
    assert got.message == want.message
    for name in ("weights",):
        if getattr(want, name) is None:
            assert getattr(got, name) is None
        else:
            np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)
    assert (got.data is None) == (want.data is None)
    for key in want.data or {}:
        np.testing.assert_array_equal(got.data[key], want.data[key])


@pytest.mark.parametrize("chunk", [1, 7, 64, 150])
def test_chunks_give_the_fits_of_one_batch(chunk):
    x, y, mask = curves(1, 150)
    whole = fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, chunk=None)
    assert (~whole.converged).sum() >= 10 and whole.converged.sum() >= 100  # both kinds are in the test
    assert_identical(fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, chunk=chunk), whole)


def test_per_curve_fixed_values_weights_and_constants_are_split_with_the_curves():
    x, y, mask = curves(2, 90, hill=(-1.0, -1.0))
    rng = np.random.default_rng(3)
    top = np.nanmax(np.where(mask, y, np.nan), axis=1) * rng.uniform(0.98, 1.02, len(x))
    options = {
        "fixed": {"top": top, "bottom": 250.0},
        "constants": {"radioligand_nM": 2.0, "kd_nM": 0.8},
        "weights": np.where(mask, rng.uniform(0.5, 2.0, x.shape), np.nan),
    }
    model = COMPETITION_MODELS["fit-ki"]
    whole = fit_curves(model, x, y, mask, chunk=None, **options)
    np.testing.assert_array_equal(whole.value("top")[whole.converged], top[whole.converged])
    assert_identical(fit_curves(model, x, y, mask, chunk=13, **options), whole)


def test_poisson_weights_in_chunks():
    x, y, mask = curves(4, 60)
    whole = fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, weights="poisson", chunk=None)
    assert whole.weights is not None and whole.converged.sum() >= 40
    assert_identical(fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, weights="poisson", chunk=11), whole)


def test_the_default_chunk_is_used_and_fewer_curves_are_one_batch(monkeypatch):
    import assaykit.fitting.batch as batch

    sizes: list[int] = []
    original = batch._fit_batch

    def spy(model, x, *args):
        sizes.append(len(x))
        return original(model, x, *args)

    monkeypatch.setattr(batch, "_fit_batch", spy)
    x, y, mask = curves(5, 25)
    fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, chunk=10)
    assert sizes == [10, 10, 5]
    sizes.clear()
    fit_curves(COMPETITION_MODELS["4pl"], x, y, mask)
    assert sizes == [25] and CHUNK_CURVES > 25  # fewer curves than the default chunk: one batch


def test_a_chunk_below_one_curve_is_refused():
    x, y, mask = curves(6, 3)
    with pytest.raises(ValueError, match="chunk must be at least 1"):
        fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, chunk=0)


@pytest.mark.parametrize("grouped", [True, False])
def test_pad_groups_of_grouped_and_shuffled_rows_match_pandas(grouped):
    from assaykit.fitting.padded import pad_groups

    rng = np.random.default_rng(12)
    codes = np.repeat(np.arange(40), rng.integers(1, 9, 40))  # a file written curve by curve
    if not grouped:
        rng.shuffle(codes)
    values = rng.normal(size=codes.size)
    padded = pad_groups(codes, 40, values)
    for group, rows in pd.Series(np.arange(codes.size)).groupby(codes):
        n = len(rows)
        np.testing.assert_array_equal(padded.rows[group, :n], rows.to_numpy())
        np.testing.assert_array_equal(padded.columns[0][group, :n], values[rows.to_numpy()])
        assert padded.mask[group, :n].all() and not padded.mask[group, n:].any()
        assert (padded.rows[group, n:] == -1).all()


def test_limits_per_curve_are_split_with_the_curves():
    x, y, mask = curves(7, 80)
    rng = np.random.default_rng(8)
    low = rng.uniform(-12.0, -8.6, len(x))  # some curves' log IC50 lie beyond: those are stopped
    limits = {"log_ic50": (low, -4.0)}
    whole = fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, limits=limits, chunk=None)
    assert any(m.startswith("stopped") for m in whole.message) and whole.converged.sum() >= 20
    assert_identical(fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, limits=limits, chunk=9), whole)


def test_progress_is_reported_after_each_chunk():
    x, y, mask = curves(2, 95)
    done: list[int] = []
    chunked = fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, chunk=20, progress=done.append)
    assert done == [20, 40, 60, 80, 95]  # curves fitted so far, after each of the five chunks
    assert_identical(chunked, fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, chunk=None))
