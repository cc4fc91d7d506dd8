"""ROUT (Motulsky & Brown 2006) against hand computations, independent fits and simulation.

- RSDR and the FDR thresholds by hand on fixed residuals;
- the robust fit checked by its defining property (a stationary point of the Lorentzian merit at the RSDR
  of its own residuals), with derivatives by central differences of the merit written here;
- the final fit against scipy's ``curve_fit`` of the points left;
- planted outliers found; the false-positive rate over many clean simulated curves measured and printed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats

from assaykit.fitting import COMPETITION_MODELS, fit_curve, fit_rout, rout_outliers, rsdr
from assaykit.fitting.outliers import robust_fit

FOUR_PL = COMPETITION_MODELS["4pl"]
X = np.repeat(np.arange(-11.0, -6.4, 0.5), 3)  # 10 concentrations in triplicate: N = 30
TRUTH = (5000.0, 400.0, -8.3, -1.0)
SD = 150.0


def prism_4pl(x, top, bottom, log_ic50, hill):
    return bottom + (top - bottom) / (1.0 + 10.0 ** ((log_ic50 - x) * hill))


def curve(seed: int) -> np.ndarray:
    return prism_4pl(X, *TRUTH) + np.random.default_rng(seed).normal(0, SD, X.size)


# --------------------------------------------------------------------------------------------------------
# RSDR and the outlier test on fixed residuals
# --------------------------------------------------------------------------------------------------------
def test_rsdr_by_hand():
    # |r| sorted 1..10; Hyndman-Fan type 7: h = (n - 1) p = 9 * 0.6827 = 6.1443, so P68 = x[6] + 0.1443 *
    # (x[7] - x[6]) = 7.1443 (0-based order statistics); RSDR = P68 * N / (N - K) = 7.1443 * 10 / 8.
    residuals = np.array([1, -2, 3, -4, 5, -6, 7, -8, 9, -10], dtype=float)
    assert rsdr(residuals, 2) == pytest.approx(7.1443 * 10 / 8, rel=1e-12)
    assert rsdr(residuals[::-1], 2) == pytest.approx(7.1443 * 10 / 8, rel=1e-12)  # order does not matter
    with pytest.raises(ValueError):
        rsdr(residuals[:3], 3)


def hand_rout(residuals: np.ndarray, k: int, q: float) -> set[int]:
    """The paper's rule, written out step by step for a test."""
    n = residuals.size
    order = sorted(range(n), key=lambda i: abs(residuals[i]))  # rank 1 = smallest |residual|
    scale = rsdr(residuals, k)
    first = None
    for rank in range(1, n + 1):
        if rank <= math.floor(0.7 * n):  # only the 30% largest residuals are tested
            continue
        i = order[rank - 1]
        p = 2 * stats.t.sf(abs(residuals[i]) / scale, n - k)
        if p < q * (n - (rank - 1)) / n:
            first = rank
            break
    return set() if first is None else {order[r - 1] for r in range(first, n + 1)}


def test_rout_rule_on_fixed_residuals():
    base = np.array([0.3, -1.1, 0.8, -0.2, 1.4, -0.7, 0.1, -1.6, 0.9, -0.4, 1.2, -0.9, 0.5, -1.3, 0.6, -0.05])
    assert not rout_outliers(base, 3, 1.0)[0].any()
    assert hand_rout(base, 3, 0.01) == set()
    planted = base.copy()
    planted[[4, 11]] = [9.0, -12.0]
    flagged, p = rout_outliers(planted, 3, 1.0)
    assert set(np.flatnonzero(flagged)) == {4, 11} == hand_rout(planted, 3, 0.01)
    scale = rsdr(planted, 3)
    np.testing.assert_allclose(p, 2 * stats.t.sf(np.abs(planted) / scale, planted.size - 3), rtol=1e-12)
    # a residual that passes at Q = 10% but not at 1%
    borderline = base.copy()
    borderline[0] = 5.5  # flagged at Q = 10% from 4.75 up, at 1% from 6.25 up (hand_rout)
    assert hand_rout(borderline, 3, 0.10) == {0} and hand_rout(borderline, 3, 0.01) == set()
    assert set(np.flatnonzero(rout_outliers(borderline, 3, 10.0)[0])) == {0}
    assert not rout_outliers(borderline, 3, 1.0)[0].any()


@pytest.mark.parametrize("seed", range(12))
def test_rout_rule_matches_the_hand_rule_on_random_residuals(seed):
    rng = np.random.default_rng(seed)
    r = rng.standard_t(3, size=25) * 2.0  # heavy tails: some seeds have outliers
    for q in (1.0, 5.0):
        assert set(np.flatnonzero(rout_outliers(r, 4, q)[0])) == hand_rout(r, 4, q / 100)


# --------------------------------------------------------------------------------------------------------
# The robust fit
# --------------------------------------------------------------------------------------------------------
def lorentzian_merit(p, scale, y):
    r = y - prism_4pl(X, *p)
    return float(np.sum(np.log1p((r / scale) ** 2)))


def test_robust_fit_is_a_stationary_point_of_the_lorentzian_merit_at_its_own_rsdr():
    y = curve(3)
    y[[2, 17]] += [2000.0, -1500.0]
    start = fit_curve(FOUR_PL, X, y)
    robust = robust_fit(FOUR_PL, X, y, start)
    assert robust.converged
    p = np.array([robust.values[n] for n in ("top", "bottom", "log_ic50", "hill_slope")])
    residuals = y - prism_4pl(X, *p)
    np.testing.assert_allclose(robust.residuals, residuals, rtol=1e-9, atol=1e-6)
    # the scale is the RSDR of its own residuals, computed here with numpy's type-7 percentile
    own = np.percentile(np.abs(residuals), 68.27) * X.size / (X.size - 4)
    assert robust.rsdr == pytest.approx(own, rel=1e-8)
    # gradient of the merit (at that fixed scale) vanishes: central differences written here
    for i in range(4):
        h = 1e-6 * max(1.0, abs(p[i]))
        up, down = p.copy(), p.copy()
        up[i] += h
        down[i] -= h
        grad = (lorentzian_merit(up, own, y) - lorentzian_merit(down, own, y)) / (2 * h)
        assert abs(grad * h) < 1e-6, i  # change of the merit over one step: nothing left to gain
    # and a Nelder-Mead search from there finds no lower merit
    found = optimize.minimize(
        lorentzian_merit, p, args=(own, y), method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12}
    )
    assert found.fun >= lorentzian_merit(p, own, y) - 1e-8
    # the gross outliers barely pull the robust curve, unlike least squares
    assert abs(robust.values["log_ic50"] - TRUTH[2]) < abs(start.values["log_ic50"] - TRUTH[2]) + 1e-3


# --------------------------------------------------------------------------------------------------------
# The whole method
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(10))
def test_two_planted_outliers_8_sd_off_are_found_and_the_refit_is_least_squares_without_them(seed):
    rng = np.random.default_rng(100 + seed)
    y = curve(100 + seed)
    planted = rng.choice(X.size, size=2, replace=False)
    y[planted] += 8 * SD * rng.choice([-1.0, 1.0], size=2)
    result = fit_rout(FOUR_PL, X, y)
    assert set(np.flatnonzero(result.outlier)) >= set(planted)
    assert result.n_outliers <= 3  # at most one Gaussian point swept along
    keep = ~result.outlier
    popt, pcov = optimize.curve_fit(
        prism_4pl, X[keep], y[keep], p0=TRUTH, method="trf", jac="3-point", ftol=1e-15, xtol=1e-15, gtol=1e-15
    )
    for i, name in enumerate(("top", "bottom", "log_ic50", "hill_slope")):
        assert result.fit.values[name] == pytest.approx(popt[i], rel=1e-5), name
        assert result.fit.stderr[name] == pytest.approx(math.sqrt(pcov[i, i]), rel=5e-3), name
    assert result.fit.n_points == keep.sum()


@pytest.mark.parametrize(("model", "n_curves"), [("4pl", 250)])
def test_false_positive_rate_on_clean_gaussian_curves(model, n_curves):
    """Prism: with Gaussian scatter and Q = 1%, one or more points are falsely flagged in about 2-3% of
    experiments (Motulsky & Brown 2006: 1-3%). Measured here on N = 30 point curves and printed."""
    hits = 0
    points = 0
    for seed in range(n_curves):
        y = prism_4pl(X, *TRUTH) + np.random.default_rng(10_000 + seed).normal(0, SD, X.size)
        start = fit_curve(COMPETITION_MODELS[model], X, y)
        robust = robust_fit(COMPETITION_MODELS[model], X, y, start)
        flagged = rout_outliers(robust.residuals, len(start.free), 1.0)[0]
        hits += bool(flagged.any())
        points += int(flagged.sum())
    rate = hits / n_curves
    print(f"\nROUT Q=1%, {model}, {n_curves} clean curves of {X.size} points: {hits} with >= 1 false outlier "
          f"({100 * rate:.1f}%), {points} points flagged")  # fmt: skip
    assert rate <= 0.06


def test_poisson_weighted_rout_finds_outliers_in_counts():
    rng = np.random.default_rng(5)
    mean = prism_4pl(X, *TRUTH)
    y = rng.poisson(mean).astype(float)
    y[7] = mean[7] + 8 * math.sqrt(mean[7])
    result = fit_rout(FOUR_PL, X, y, weights="poisson")
    assert set(np.flatnonzero(result.outlier)) == {7}
    assert result.fit.weights is not None and result.fit.n_points == X.size - 1
