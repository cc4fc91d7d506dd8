"""The batch two-site fit against scipy's curve_fit of Prism's equation, typed here, from a sweep of starts.

The two-site SS has several local minima, so the reference is the least SS over a grid of starts, each
polished with tight tolerances; the batch fit (every grid start of every curve as rows of one batch) must
reach it, and its SEs must be those of the curve_fit covariance at that minimum.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from scipy import optimize

from assaykit.fitting import COMPETITION_MODELS, fit_curve
from assaykit.fitting.two_site import _grid_candidates
from assaykit.fitting.two_site_batch import fit_two_site_curves, grid_starts

TIGHT = {"ftol": 1e-15, "xtol": 1e-15, "gtol": 1e-15, "max_nfev": 20_000, "method": "trf", "jac": "3-point"}
X = np.repeat(np.arange(-12.0, -3.9, 0.5), 3)
# (top, bottom, log hi, log lo, fraction hi), noise SD: clearly two sites, a minor high-affinity site,
# sites 1.2 log units apart, a minor low-affinity site
CASES = [
    ((5000, 400, -9.5, -6.5, 0.4), 60),
    ((5000, 400, -8.8, -7.0, 0.3), 60),
    ((5000, 400, -8.6, -7.4, 0.5), 40),
    ((3000, 200, -9.8, -6.8, 0.8), 40),
]


def two_site(x, top, bottom, log_hi, log_lo, fraction):
    with np.errstate(over="ignore"):
        hi, lo = 1 / (1 + 10 ** (x - log_hi)), 1 / (1 + 10 ** (x - log_lo))
    return bottom + (top - bottom) * (fraction * hi + (1 - fraction) * lo)


def scipy_best(x, y, sigma=None, fixed=None):
    """Least SS over a sweep of starts: (SS, popt, pcov) with the free parameters of ``fixed``."""
    fixed = fixed or {}

    def f(x, *p):
        values = dict(zip([n for n in ("top", "bottom") if n not in fixed], p, strict=False))
        values.update(fixed)
        rest = p[len(p) - 3 :]
        return two_site(x, values["top"], values["bottom"], *rest)

    best = (math.inf, None, None)
    for hi in (-10.0, -9.0, -8.5):
        for lo in (-7.5, -7.0, -6.5):
            for fraction in (0.2, 0.5, 0.8):
                plateaus = zip(("top", "bottom"), (float(y.max()), float(y.min())), strict=True)
                p0 = [v for n, v in plateaus if n not in fixed] + [hi, lo, fraction]
                try:
                    popt, _ = optimize.curve_fit(f, x, y, p0=p0, sigma=sigma, maxfev=5000)
                    popt, pcov = optimize.curve_fit(f, x, y, p0=popt, sigma=sigma, **TIGHT)
                except (RuntimeError, ValueError):
                    continue
                r = (y - f(x, *popt)) / (1.0 if sigma is None else sigma)
                if r @ r < best[0]:
                    best = (float(r @ r), popt, pcov)
    return best


def curves(seed=0):
    rng = np.random.default_rng(seed)
    y = np.array([two_site(X, *truth) + rng.normal(0, sd, X.size) for truth, sd in CASES])
    return np.tile(X, (len(CASES), 1)), y


@pytest.mark.filterwarnings("ignore::scipy.optimize.OptimizeWarning")
def test_batch_two_site_reaches_the_least_ss_of_a_scipy_sweep():
    x, y = curves()
    fits = fit_two_site_curves(x, y)
    assert fits.converged.all() and not fits.ambiguous.any()
    names = list(COMPETITION_MODELS["two-site"].param_names)
    for i in range(len(CASES)):
        ss, popt, pcov = scipy_best(x[i], y[i])
        assert fits.ss[i] == pytest.approx(ss, rel=1e-9)
        assert fits.df[i] == X.size - 5
        got = fits.values[i]
        if (got[2] > got[3]) != (popt[2] > popt[3]):  # the same curve with the sites' labels exchanged
            got = got[[0, 1, 3, 2, 4]].copy()
            got[4] = 1 - got[4]
        np.testing.assert_allclose(got[2:4], popt[2:4], atol=1e-5)
        # curve_fit scales pcov by SS/DF, as Prism's SEs are
        se = fits.stderr[i, names.index("top")]
        assert se == pytest.approx(math.sqrt(pcov[0, 0]), rel=1e-3)


@pytest.mark.filterwarnings("ignore::scipy.optimize.OptimizeWarning")
def test_batch_two_site_with_fixed_plateaus_weights_and_padding():
    x, y = curves(seed=3)
    rng = np.random.default_rng(5)
    w = 1.0 / np.clip(y, 50, None)  # Poisson-like weights, fixed
    mask = np.ones(x.shape, bool)
    mask[1, -6:] = False  # the second curve has fewer points (padding)
    y_padded = np.where(mask, y, rng.normal(1e6, 1.0, y.shape))  # padding values must not matter
    fits = fit_two_site_curves(x, y_padded, mask, fixed={"bottom": np.full(len(CASES), 400.0)}, weights=w)
    for i in range(len(CASES)):
        keep = mask[i]
        ss, _, _ = scipy_best(x[i, keep], y[i, keep], sigma=1 / np.sqrt(w[i, keep]), fixed={"bottom": 400.0})
        assert fits.ss[i] == pytest.approx(ss, rel=1e-8)
        assert fits.n_points[i] == keep.sum() and fits.df[i] == keep.sum() - 4


def test_grid_starts_are_the_one_curve_candidates():
    x, y = curves(seed=1)
    starts, found = grid_starts(x, y, np.ones(x.shape, bool))
    for i in range(len(CASES)):
        one = np.array(_grid_candidates(x[i], y[i]))
        np.testing.assert_allclose(starts[i][found[i]], one, rtol=1e-9, atol=1e-9)


def test_curves_that_cannot_be_fitted_come_back_not_converged():
    x, y = curves()
    mask = np.ones(x.shape, bool)
    mask[0, 12:] = False  # four concentrations left: five free parameters cannot be determined
    fits = fit_two_site_curves(x, y, mask)
    assert not fits.converged[0] and fits.converged[1:].all()
    with pytest.raises(ValueError, match="no parameter"):
        fit_two_site_curves(x, y, fixed={"hill_slope": -1.0})


def test_curve_models_and_fits_survive_pickling():
    """Fits cross to worker processes and back: the model (with its read-only fixed values) must pickle."""
    model = COMPETITION_MODELS["one-site"]
    x = np.repeat(np.arange(-11.0, -5.9, 0.5), 3)
    y = 3000 / (1 + 10 ** (x + 8)) + np.random.default_rng(0).normal(0, 30, x.size)
    fit = fit_curve(model, x, y)
    again = pickle.loads(pickle.dumps(fit))
    assert again.model == model and again.model.fixed == {"hill_slope": -1.0}
    assert again.values == fit.values and again.ss == fit.ss
    with pytest.raises(TypeError):
        again.model.fixed["hill_slope"] = 0.0  # still read-only
