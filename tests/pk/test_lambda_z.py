"""lambda_z point selection: PKNCA's pk.calc.half.life rule, checked on profiles built to have one answer."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from assaykit.pk.lambda_z import fit_lambda_z, fit_log_linear


def _r2adj(t, c):
    fit = stats.linregress(t, np.log(c))
    n = len(t)
    return 1 - (1 - fit.rvalue**2) * (n - 1) / (n - 2)


def test_half_life_of_halving_concentrations() -> None:
    # PKNCA's own test (conc 1, 0.5, 0.25 -> half-life 1), with a Cmax point before it since Tmax is excluded
    t = np.array([0.0, 1.0, 2.0, 3.0])
    c = np.array([2.0, 1.0, 0.5, 0.25])
    fit = fit_lambda_z(t, c, tmax=0.0)
    assert fit.half_life == pytest.approx(1.0, rel=1e-12)
    assert list(fit.used) == [False, True, True, True]


def test_fit_matches_scipy_linregress() -> None:
    rng = np.random.default_rng(3)
    t = np.array([2.0, 4, 6, 8, 12, 24])
    c = 10 * np.exp(-0.15 * t) * np.exp(rng.normal(0, 0.05, t.size))
    lz, a, r2, r2adj = fit_log_linear(t, c)
    ref = stats.linregress(t, np.log(c))
    assert lz == pytest.approx(-ref.slope, rel=1e-12)
    assert a == pytest.approx(ref.intercept, rel=1e-12)
    assert r2 == pytest.approx(ref.rvalue**2, rel=1e-12)
    assert r2adj == pytest.approx(_r2adj(t, c), rel=1e-12)


def test_an_early_point_off_the_line_is_left_out() -> None:
    t = np.array([0.0, 1, 2, 4, 6, 8, 10])
    c = 5 * np.exp(-0.3 * t)
    c[0], c[2] = 1.0, c[2] * 1.5  # absorption start, then a distribution-phase point above the line
    fit = fit_lambda_z(t, c, tmax=t[int(np.argmax(c))])
    assert list(t[fit.used]) == [4, 6, 8, 10]
    assert fit.lambda_z == pytest.approx(0.3, rel=1e-12)


def _tail_with_bend(bend: float):
    """Last 3 points exactly exponential; the 4th from last raised by ``bend`` (relative)."""
    t = np.array([0.0, 1, 2, 3, 4, 5])
    c = 8 * np.exp(-0.4 * t)
    c[2] *= 1 + bend
    return t, c


@pytest.mark.parametrize("bend", [0.0005, 0.05])
def test_tolerance_decides_between_more_points_and_better_fit(bend: float) -> None:
    t, c = _tail_with_bend(bend)
    gap = 1.0 - _r2adj(t[2:], c[2:])  # the 3-point fit has adjusted R^2 1 exactly
    fit = fit_lambda_z(t, c, tmax=0.0)
    # with 1e-4 tolerance, 4+ points win only when they lose less than 1e-4 of adjusted R^2
    if gap < 1e-4:
        assert fit.n_points >= 4
    else:
        assert fit.n_points == 3 and list(t[fit.used]) == [3, 4, 5]
    assert (gap < 1e-4) == (bend == 0.0005)  # the two cases really are on either side


def test_too_few_points_and_not_declining() -> None:
    t = np.array([0.0, 1, 2, 3])
    assert fit_lambda_z(t, np.array([1.0, 5, 4, 3]), tmax=1.0).reason == "too_few_points"
    rising = fit_lambda_z(np.arange(6.0), np.array([9.0, 1, 2, 3, 4, 5]), tmax=0.0)
    assert rising.reason == "not_declining" and math.isnan(rising.lambda_z)


def test_zero_and_excluded_points_are_never_fitted() -> None:
    t = np.arange(7.0)
    c = 10 * np.exp(-0.5 * t)
    c[6] = 0.0
    exclude = np.zeros(7, bool)
    exclude[3] = True
    fit = fit_lambda_z(t, c, tmax=0.0, exclude=exclude)
    assert list(t[fit.used]) == [1, 2, 4, 5]


def test_manual_points_are_fitted_as_given() -> None:
    t = np.arange(6.0)
    c = np.array([1.0, 8, 6, 5, 2, 1])
    manual = np.array([False, False, True, False, True, True])
    fit = fit_lambda_z(t, c, tmax=1.0, manual=manual)
    ref = stats.linregress(t[manual], np.log(c[manual]))
    assert list(fit.used) == list(manual)
    assert fit.lambda_z == pytest.approx(-ref.slope, rel=1e-12)
