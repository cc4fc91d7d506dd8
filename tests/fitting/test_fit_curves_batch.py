"""The batch engine (``fit_curves``) and its helpers against independent computations.

Every expected number comes from scipy (``curve_fit`` with tight tolerances and a Jacobian derived by hand in
this file, ``stats.t``, ``special.expit``), numpy linear algebra or pandas, applied to Prism's equations typed
here. Prism's statistics (GraphPad FAQ 1792): ``SE = sqrt(SS/DF * diag((J^T W J)^-1))``, asymptotic limits
``P +/- t(level, DF) SE``, ``R^2 = 1 - SS/SS_total`` about the (weighted) mean, ``Sy.x = sqrt(SS/DF)``,
dependency ``1 - 1/(Cov_ii (Cov^-1)_ii)``.

Run with ``-s`` to print the largest differences observed.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, special, stats

from assaykit.fitting import COMPETITION_MODELS, fit_curve
from assaykit.fitting.batch import fit_curves, fittable, pad_groups
from assaykit.fitting.distributions import expit, t_quantile
from assaykit.fitting.fitset import FitSet, covariance_and_dependency

LN10 = math.log(10.0)
FOUR = ("top", "bottom", "log_ic50", "hill_slope")
KI = {"radioligand_nM": 2.0, "kd_nM": 0.8}
TIGHT = {"ftol": 1e-15, "xtol": 1e-15, "gtol": 1e-15, "maxfev": 100_000}
#: Criterion 1: log IC50 within 1e-6 (absolute), SEs within 1e-4 (relative).
POTENCY_ABS = 1e-6
SE_REL = 1e-4
#: Other parameters: within this many of their own SE (scale-free; the optimum is only defined to ~SE).
PARAM_IN_SE = 1e-5

WORST: dict[str, float] = {}


def note(key: str, value: float) -> None:
    """Record the largest difference seen under ``key`` (printed at the end of the module)."""
    WORST[key] = max(WORST.get(key, 0.0), float(value))


@pytest.fixture(scope="module", autouse=True)
def _print_worst():
    yield
    print("\nbatch engine, largest differences:", {k: f"{v:.3g}" for k, v in sorted(WORST.items())})


# --------------------------------------------------------------------------------------------------------
# Prism's equations and their derivatives, typed here
# --------------------------------------------------------------------------------------------------------
def prism_4pl(x, top, bottom, log_ic50, hill_slope):
    """``Y = Bottom + (Top-Bottom)/(1+10^((LogIC50-X)*HillSlope))``."""
    with np.errstate(over="ignore"):
        return bottom + (top - bottom) / (1.0 + 10.0 ** ((log_ic50 - np.asarray(x, float)) * hill_slope))


def jac_4pl(x, top, bottom, log_ic50, hill_slope) -> np.ndarray:
    """Columns dY/dTop, dY/dBottom, dY/dLogIC50, dY/dHill, derived by hand.

    With ``s = 1/(1+10^u)``, ``u = (LogIC50 - X) h``: ``ds/du = -ln10 s (1-s)``.
    """
    x = np.asarray(x, float)
    with np.errstate(over="ignore"):
        s = 1.0 / (1.0 + 10.0 ** ((log_ic50 - x) * hill_slope))
    core = -(top - bottom) * LN10 * s * (1.0 - s)
    return np.column_stack([s, 1.0 - s, core * hill_slope, core * (log_ic50 - x)])


def shift(consts: dict) -> float:
    """Cheng-Prusoff: ``log IC50 = log Ki + log10(1 + L/Kd)``."""
    return math.log10(1.0 + consts["radioligand_nM"] / consts["kd_nM"])


@dataclass(frozen=True)
class Reference:
    """An independent fit: free values, their SEs, (weighted) SS, DF, R^2 and Sy.x."""

    popt: np.ndarray
    se: np.ndarray
    se_pcov: np.ndarray
    cov: np.ndarray
    dependency: np.ndarray
    ss: float
    df: int
    r_squared: float
    sy_x: float


def reference_fit(f, jac, x, y, p0, w=None) -> Reference:
    """curve_fit (``sigma = 1/sqrt(w)``) with tight tolerances; Prism's SE from the hand-derived Jacobian.

    Parameters
    ----------
    f, jac
        ``f(x, *p)`` and ``jac(x, *p) -> (n, k)``.
    x, y
        The points.
    p0
        Start (the simulation's true values, not assaykit's guess).
    w
        Weights, or None.
    """
    sigma = None if w is None else 1.0 / np.sqrt(w)
    popt, pcov = optimize.curve_fit(f, x, y, p0=p0, sigma=sigma, absolute_sigma=False, jac=jac, **TIGHT)
    ww = np.ones(x.size) if w is None else np.asarray(w, float)
    ss = float(np.sum(ww * (y - f(x, *popt)) ** 2))
    df = x.size - len(popt)
    j = jac(x, *popt)
    info = j.T @ (j * ww[:, None])
    inv = np.linalg.inv(info)
    cov = ss / df * inv
    y_bar = np.sum(ww * y) / np.sum(ww)
    return Reference(
        popt=popt,
        se=np.sqrt(np.diag(cov)),
        se_pcov=np.sqrt(np.diag(pcov)),
        cov=cov,
        dependency=1.0 - 1.0 / (np.diag(inv) * np.diag(info)),
        ss=ss,
        df=df,
        r_squared=1.0 - ss / float(np.sum(ww * (y - y_bar) ** 2)),
        sy_x=math.sqrt(ss / df),
    )


def check_row(
    fs: FitSet, i: int, ref: Reference, free: list[str], potency: str, tag: str, same_objective: bool = True
) -> None:
    """Compare row ``i`` of a FitSet with an independent reference fit (free parameters ``free``).

    With ``same_objective`` (fixed weights) the batch SS must also be no larger than scipy's minimum.
    """
    names = fs.model.param_names
    t = stats.t.ppf(0.5 + fs.level / 2.0, ref.df)
    assert fs.converged[i], (i, fs.message[i])
    assert fs.df[i] == ref.df and fs.n_points[i] == ref.df + len(free)
    np.testing.assert_allclose(ref.se_pcov, ref.se, rtol=1e-6)  # the reference agrees with itself
    for j, name in enumerate(free):
        col = names.index(name)
        got, want, se = fs.values[i, col], ref.popt[j], ref.se[j]
        if name == potency:
            assert abs(got - want) <= POTENCY_ABS, (tag, i, name, got, want)
            note(f"{tag}: {name} abs", abs(got - want))
        assert abs(got - want) <= PARAM_IN_SE * se, (tag, i, name, got, want, se)
        note(f"{tag}: param diff / SE", abs(got - want) / se)
        assert fs.stderr[i, col] == pytest.approx(se, rel=SE_REL), (tag, i, name)
        note(f"{tag}: SE rel", abs(fs.stderr[i, col] / se - 1.0))
        for got_ci, want_ci in ((fs.ci_low[i, col], want - t * se), (fs.ci_high[i, col], want + t * se)):
            assert abs(got_ci - want_ci) <= PARAM_IN_SE * se + SE_REL * t * se, (tag, i, name)
            note(f"{tag}: CI diff / SE", abs(got_ci - want_ci) / se)
    np.testing.assert_allclose(fs.covariance[i], ref.cov, rtol=SE_REL * 3, atol=0)
    np.testing.assert_allclose(fs.dependency[i], ref.dependency, atol=1e-6)
    note(f"{tag}: dependency abs", np.max(np.abs(fs.dependency[i] - ref.dependency)))
    assert fs.ss[i] == pytest.approx(ref.ss, rel=1e-9)
    if same_objective:
        assert fs.ss[i] <= ref.ss * (1.0 + 1e-12) + 1e-300  # no worse minimum than scipy's
    note(f"{tag}: SS rel", abs(fs.ss[i] / ref.ss - 1.0))
    assert fs.r_squared[i] == pytest.approx(ref.r_squared, rel=1e-9)
    assert fs.sy_x[i] == pytest.approx(ref.sy_x, rel=1e-9)
    note(f"{tag}: R2 rel", abs(fs.r_squared[i] / ref.r_squared - 1.0))
    for name in set(names) - set(free):
        col = names.index(name)
        assert np.isnan(fs.stderr[i, col]) and np.isnan(fs.ci_low[i, col]) and np.isnan(fs.ci_high[i, col])


# --------------------------------------------------------------------------------------------------------
# Simulated curves
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sim:
    """One simulated curve: points and the true parameters (Prism's 4PL)."""

    x: np.ndarray
    y: np.ndarray
    truth: dict


def simulate(rng: np.random.Generator, n_curves: int, *, hill: tuple[float, float] = (-1.6, -0.6)) -> list:
    """Random well-posed 4PL curves: log IC50 -10..-6 inside the tested range, 8-12 concentrations x 2-3
    replicates, noise 1-5% of the window; every third curve loses 1-4 points (so rows are padded)."""
    curves = []
    for i in range(n_curves):
        n, reps = int(rng.integers(8, 13)), int(rng.integers(2, 4))
        truth = {
            "top": rng.uniform(2000, 9000),
            "bottom": rng.uniform(50, 900),
            "log_ic50": rng.uniform(-10.0, -6.0),
            "hill_slope": rng.uniform(*hill),
        }
        lowest = truth["log_ic50"] - 0.25 * (n - 1) + rng.uniform(-0.75, 0.75)
        x = np.repeat(lowest + 0.5 * np.arange(n), reps)
        window = truth["top"] - truth["bottom"]
        y = prism_4pl(x, *(truth[k] for k in FOUR)) + rng.normal(
            0.0, rng.uniform(0.01, 0.05) * window, x.size
        )
        if i % 3 == 0:
            keep = np.ones(x.size, bool)
            keep[rng.choice(x.size, int(rng.integers(1, 5)), replace=False)] = False
            x, y = x[keep], y[keep]
        curves.append(Sim(x, y, truth))
    return curves


def padded(curves: list, x_pad: float = 99.0, y_pad: float = math.nan, extra: int = 0):
    """``(C, N)`` arrays with the points first in each row; the padding holds ``x_pad`` and ``y_pad``."""
    width = max(c.x.size for c in curves) + extra
    x = np.full((len(curves), width), x_pad)
    y = np.full((len(curves), width), y_pad)
    mask = np.zeros((len(curves), width), bool)
    for i, c in enumerate(curves):
        x[i, : c.x.size], y[i, : c.y.size], mask[i, : c.x.size] = c.x, c.y, True
    return x, y, mask


@pytest.fixture(scope="module")
def curves200() -> list:
    return simulate(np.random.default_rng(2024), 200)


@pytest.fixture(scope="module")
def batch200(curves200) -> FitSet:
    x, y, mask = padded(curves200)
    return fit_curves(COMPETITION_MODELS["4pl"], x, y, mask)


# --------------------------------------------------------------------------------------------------------
# The reference itself
# --------------------------------------------------------------------------------------------------------
def test_hand_derived_jacobian_matches_finite_differences(curves200):
    for c in curves200[:10]:
        p = np.array([c.truth[k] for k in FOUR])
        fd = optimize.approx_fprime(p, lambda q, c=c: prism_4pl(c.x, *q), 1e-7 * np.maximum(1.0, np.abs(p)))
        np.testing.assert_allclose(jac_4pl(c.x, *p), fd, rtol=1e-4, atol=1e-6 * abs(p[0] - p[1]))


# --------------------------------------------------------------------------------------------------------
# fit_curves against scipy
# --------------------------------------------------------------------------------------------------------
def test_4pl_batch_matches_curve_fit_on_200_random_curves(curves200, batch200):
    fs = batch200
    assert len(fs) == 200 and fs.free == FOUR
    assert (
        fs.values.shape == (200, 4) and fs.covariance.shape == (200, 4, 4) and fs.dependency.shape == (200, 4)
    )
    np.testing.assert_array_equal(fs.n_points, [c.x.size for c in curves200])
    assert len(set(fs.n_points.tolist())) > 5  # rows of many lengths: padding is exercised
    for i, c in enumerate(curves200):
        ref = reference_fit(prism_4pl, jac_4pl, c.x, c.y, [c.truth[k] for k in FOUR])
        check_row(fs, i, ref, list(FOUR), "log_ic50", "4pl vs scipy")
    assert set(fs.message) == {"converged (batch Levenberg-Marquardt)"}
    assert fs.weights is None and fs.ci_method == "asymptotic" and fs.level == 0.95


def test_rising_curves_match_curve_fit():
    curves = simulate(np.random.default_rng(19), 30, hill=(0.6, 1.6))
    fs = fit_curves(COMPETITION_MODELS["4pl"], *padded(curves))
    for i, c in enumerate(curves):
        ref = reference_fit(prism_4pl, jac_4pl, c.x, c.y, [c.truth[k] for k in FOUR])
        check_row(fs, i, ref, list(FOUR), "log_ic50", "rising 4pl vs scipy")


def scattered(curves: list, rng: np.random.Generator, extra: int = 3):
    """Like :func:`padded`, but each row's points and padding shuffled (the mask has holes)."""
    x, y, mask = padded(curves, extra=extra)
    for i in range(len(curves)):
        perm = rng.permutation(x.shape[1])
        x[i], y[i], mask[i] = x[i, perm], y[i, perm], mask[i, perm]
    return x, y, mask


def test_a_mask_with_holes_fits_like_packed_rows(curves200, batch200):
    x, y, mask = scattered(curves200[:20], np.random.default_rng(20))
    fs = fit_curves(COMPETITION_MODELS["4pl"], x, y, mask)
    assert fs.converged.all()
    np.testing.assert_array_equal(fs.n_points, batch200.n_points[:20])
    assert np.all(np.abs(fs.values - batch200.values[:20]) <= 1e-7 * batch200.stderr[:20])
    np.testing.assert_allclose(fs.stderr, batch200.stderr[:20], rtol=1e-7)


def test_poisson_weights_of_a_mask_with_holes_belong_to_the_curve(curves200):
    rng = np.random.default_rng(21)
    curves = [Sim(c.x, np.abs(c.y), c.truth) for c in curves200[:5]]
    x, y, mask = scattered(curves, rng)
    fs = fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, weights="poisson")
    for i in range(len(curves)):
        fit = fs.fit(i)
        want = 1.0 / prism_4pl(x[i][mask[i]], *fs.values[i])  # 1/Y of the fitted curve, point by point
        np.testing.assert_allclose(np.sort(fit.weights), np.sort(want), rtol=1e-6)


def test_level_gives_the_matching_t_quantile(curves200):
    sub = curves200[:15]
    x, y, mask = padded(sub)
    fs = fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, level=0.9)
    assert fs.level == 0.9
    t = stats.t.ppf(0.95, fs.df)
    for col in range(4):
        np.testing.assert_allclose(fs.ci_high[:, col] - fs.values[:, col], t * fs.stderr[:, col], rtol=1e-10)
        np.testing.assert_allclose(fs.values[:, col] - fs.ci_low[:, col], t * fs.stderr[:, col], rtol=1e-10)


def test_padding_content_and_width_do_not_change_the_fits(curves200, batch200):
    sub = curves200[:40]
    x, y, mask = padded(sub, x_pad=-3.0, y_pad=1e9, extra=7)
    other = fit_curves(COMPETITION_MODELS["4pl"], x, y, mask)
    for name in ("values", "stderr", "ss", "r_squared", "sy_x"):
        np.testing.assert_allclose(
            getattr(other, name), getattr(batch200, name)[:40], rtol=1e-9, err_msg=name
        )
    np.testing.assert_array_equal(other.df, batch200.df[:40])


def test_a_curve_is_fitted_the_same_alone_or_among_others(curves200, batch200):
    for i in (0, 1, 57, 199):
        c = curves200[i]
        alone = fit_curves(COMPETITION_MODELS["4pl"], c.x[None, :], c.y[None, :])
        assert alone.converged[0]
        se = batch200.stderr[i]
        assert np.all(np.abs(alone.values[0] - batch200.values[i]) <= 1e-7 * se)
        np.testing.assert_allclose(alone.stderr[0], se, rtol=1e-7)


@pytest.mark.parametrize("model", ["one-site", "fit-ki"])
def test_one_site_and_fit_ki_match_curve_fit(model):
    rng = np.random.default_rng(7 if model == "one-site" else 8)
    curves = simulate(rng, 40, hill=(-1.0, -1.0))
    x, y, mask = padded(curves)
    consts = KI if model == "fit-ki" else None
    fs = fit_curves(COMPETITION_MODELS[model], x, y, mask, constants=consts)
    d = shift(KI) if model == "fit-ki" else 0.0
    potency = "log_ki" if model == "fit-ki" else "log_ic50"

    def f(x, top, bottom, log_p):
        return prism_4pl(x, top, bottom, log_p + d, -1.0)

    def jac(x, top, bottom, log_p):
        return jac_4pl(x, top, bottom, log_p + d, -1.0)[:, :3]  # d logIC50 / d logKi = 1

    free = ["top", "bottom", potency]
    assert fs.free == tuple(free)
    for i, c in enumerate(curves):
        p0 = [c.truth["top"], c.truth["bottom"], c.truth["log_ic50"] - d]
        check_row(fs, i, reference_fit(f, jac, c.x, c.y, p0), free, potency, f"{model} vs scipy")
    if model == "one-site":
        assert (fs.value("hill_slope") == -1.0).all() and np.isnan(fs.se("hill_slope")).all()
    else:
        assert fs.constants == KI
        assert np.isnan(fs.value("log_ic50")).all() and np.isnan(fs.value("hill_slope")).all()
        # the same data fitted as one-site: log Ki = log IC50 - log10(1 + L/Kd), same SE (Cheng-Prusoff)
        one = fit_curves(COMPETITION_MODELS["one-site"], x, y, mask)
        np.testing.assert_allclose(fs.value("log_ki"), one.value("log_ic50") - d, rtol=0, atol=POTENCY_ABS)
        np.testing.assert_allclose(fs.se("log_ki"), one.se("log_ic50"), rtol=SE_REL)


def test_fixed_top_and_bottom_as_per_curve_arrays():
    rng = np.random.default_rng(9)
    curves = simulate(rng, 40)
    x, y, mask = padded(curves)
    top = np.array([c.truth["top"] for c in curves]) * rng.uniform(0.97, 1.03, len(curves))
    bottom = np.array([c.truth["bottom"] for c in curves]) + rng.normal(0, 30, len(curves))
    fs = fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, fixed={"top": top, "bottom": bottom})
    assert fs.free == ("log_ic50", "hill_slope")
    assert fs.covariance.shape == (40, 2, 2) and fs.dependency.shape == (40, 2)
    np.testing.assert_array_equal(fs.value("top"), top)
    np.testing.assert_array_equal(fs.value("bottom"), bottom)
    for i, c in enumerate(curves):

        def f(x, log_ic50, hill, i=i):
            return prism_4pl(x, top[i], bottom[i], log_ic50, hill)

        def jac(x, log_ic50, hill, i=i):
            return jac_4pl(x, top[i], bottom[i], log_ic50, hill)[:, 2:]

        ref = reference_fit(f, jac, c.x, c.y, [c.truth["log_ic50"], c.truth["hill_slope"]])
        check_row(fs, i, ref, ["log_ic50", "hill_slope"], "log_ic50", "fixed top/bottom vs scipy")


def test_fixed_scalar_bottom_on_fit_ki():
    rng = np.random.default_rng(10)
    curves = simulate(rng, 25, hill=(-1.0, -1.0))
    x, y, mask = padded(curves)
    fs = fit_curves(COMPETITION_MODELS["fit-ki"], x, y, mask, fixed={"bottom": 300.0}, constants=KI)
    assert fs.free == ("top", "log_ki") and (fs.value("bottom") == 300.0).all()
    d = shift(KI)
    for i, c in enumerate(curves):
        ref = reference_fit(
            lambda x, top, log_ki: prism_4pl(x, top, 300.0, log_ki + d, -1.0),
            lambda x, top, log_ki: jac_4pl(x, top, 300.0, log_ki + d, -1.0)[:, [0, 2]],
            c.x, c.y, [c.truth["top"], c.truth["log_ic50"] - d],
        )  # fmt: skip
        check_row(fs, i, ref, ["top", "log_ki"], "log_ki", "fit-ki fixed bottom vs scipy")


def test_weights_array_matches_curve_fit_sigma():
    rng = np.random.default_rng(11)
    curves = simulate(rng, 50)
    x, y, mask = padded(curves)
    w = np.where(mask, rng.uniform(0.2, 5.0, x.shape) / 1000.0, np.nan)  # padding weights are ignored
    fs = fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, weights=w)
    for i, c in enumerate(curves):
        wi = w[i, : c.x.size]
        ref = reference_fit(prism_4pl, jac_4pl, c.x, c.y, [c.truth[k] for k in FOUR], w=wi)
        check_row(fs, i, ref, list(FOUR), "log_ic50", "weighted vs scipy")
        np.testing.assert_array_equal(fs.weights[i, : c.x.size], wi)
    # the weights matter: unweighted fits differ by far more than the tolerance
    plain = fit_curves(COMPETITION_MODELS["4pl"], x, y, mask)
    assert np.median(np.abs(plain.value("log_ic50") - fs.value("log_ic50"))) > 100 * POTENCY_ABS


def poisson_reference(c: Sim, p0: list) -> tuple[Reference, np.ndarray]:
    """Prism's Poisson weighting done here: unweighted curve_fit, then ``sigma = sqrt(curve)`` of the last
    fit, refitted until the weighted SS changes by less than 1e-10 of itself; returns the fit and weights."""
    ref = reference_fit(prism_4pl, jac_4pl, c.x, c.y, p0)
    previous = math.inf
    for _ in range(200):
        w = 1.0 / prism_4pl(c.x, *ref.popt)
        ref = reference_fit(prism_4pl, jac_4pl, c.x, c.y, ref.popt, w=w)
        if abs(ref.ss - previous) < 1e-10 * ref.ss:
            return ref, w
        previous = ref.ss
    raise AssertionError("the reference Poisson iteration did not settle")


def test_poisson_weights_match_an_independent_iteration():
    rng = np.random.default_rng(12)
    curves = [
        Sim(c.x, rng.poisson(prism_4pl(c.x, *(c.truth[k] for k in FOUR))).astype(float), c.truth)
        for c in simulate(rng, 30)
    ]
    x, y, mask = padded(curves)
    fs = fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, weights="poisson")
    plain = fit_curves(COMPETITION_MODELS["4pl"], x, y, mask)
    for i, c in enumerate(curves):
        ref, w = poisson_reference(c, [c.truth[k] for k in FOUR])
        # the last weights differ slightly between the two iterations: the SS are not one objective
        check_row(fs, i, ref, list(FOUR), "log_ic50", "poisson vs scipy", same_objective=False)
        np.testing.assert_allclose(fs.weights[i, : c.x.size], w, rtol=1e-6)
        note("poisson vs scipy: weights rel", np.max(np.abs(fs.weights[i, : c.x.size] / w - 1)))
    assert np.median(np.abs(plain.value("log_ic50") - fs.value("log_ic50"))) > 100 * POTENCY_ABS


# --------------------------------------------------------------------------------------------------------
# Criterion 1: the batch engine and the lmfit path agree
# --------------------------------------------------------------------------------------------------------
def check_against_single(fs: FitSet, i: int, single, tag: str) -> None:
    """Batch row ``i`` against the lmfit path's fit of the same curve."""
    assert fs.converged[i] and single.converged
    potency = fs.model.potency
    for name in fs.free:
        col = fs.model.param_names.index(name)
        se = single.stderr[name]
        if name == potency:
            assert abs(fs.values[i, col] - single.values[name]) <= POTENCY_ABS, (tag, i)
            note(f"{tag}: {name} abs", abs(fs.values[i, col] - single.values[name]))
        assert abs(fs.values[i, col] - single.values[name]) <= PARAM_IN_SE * se, (tag, i, name)
        assert fs.stderr[i, col] == pytest.approx(se, rel=SE_REL), (tag, i, name)
        note(f"{tag}: SE rel", abs(fs.stderr[i, col] / se - 1))
        assert fs.ci_low[i, col] == pytest.approx(single.ci[name][0], abs=PARAM_IN_SE * se + SE_REL * 3 * se)
        assert fs.ci_high[i, col] == pytest.approx(single.ci[name][1], abs=PARAM_IN_SE * se + SE_REL * 3 * se)
        assert fs.dependency[i, fs.free.index(name)] == pytest.approx(single.dependency[name], abs=1e-6)
    assert (fs.df[i], fs.n_points[i]) == (single.df, single.n_points)
    assert fs.ss[i] == pytest.approx(single.ss, rel=1e-9)
    assert fs.r_squared[i] == pytest.approx(single.r_squared, rel=1e-9)
    assert fs.sy_x[i] == pytest.approx(single.sy_x, rel=1e-9)


def test_batch_agrees_with_fit_curve_on_200_curves(curves200, batch200):
    model = COMPETITION_MODELS["4pl"]
    for i, c in enumerate(curves200):
        check_against_single(batch200, i, fit_curve(model, c.x, c.y), "4pl batch vs lmfit")


def test_batch_agrees_with_fit_curve_fit_ki_fixed_top_poisson():
    rng = np.random.default_rng(13)
    curves = [
        Sim(c.x, rng.poisson(prism_4pl(c.x, *(c.truth[k] for k in FOUR))).astype(float), c.truth)
        for c in simulate(rng, 12, hill=(-1.0, -1.0))
    ]
    x, y, mask = padded(curves)
    top = np.array([c.truth["top"] for c in curves])
    model = COMPETITION_MODELS["fit-ki"]
    fs = fit_curves(model, x, y, mask, fixed={"top": top}, constants=KI, weights="poisson")
    for i, c in enumerate(curves):
        single = fit_curve(model, c.x, c.y, fixed={"top": top[i]}, constants=KI, weights="poisson")
        check_against_single(fs, i, single, "fit-ki poisson batch vs lmfit")
        np.testing.assert_allclose(fs.weights[i, : c.x.size], single.weights, rtol=1e-6)


# --------------------------------------------------------------------------------------------------------
# Curves the batch engine cannot fit, or does not converge on
# --------------------------------------------------------------------------------------------------------
def test_unfittable_rows_are_reported_and_do_not_disturb_the_others(curves200, batch200):
    good = curves200[:6]
    three_conc = Sim(
        np.repeat([-9.0, -8.0, -7.0], 3), np.array([5000, 5100, 4900, 2600, 2500, 2700, 300, 310, 280.0]), {}
    )
    no_df = Sim(np.array([-10.0, -9.0, -8.0, -7.0]), np.array([5000.0, 4000.0, 1500.0, 400.0]), {})
    with_nan = Sim(good[0].x, np.where(np.arange(good[0].x.size) == 3, np.nan, good[0].y), {})
    curves = [good[0], three_conc, good[1], no_df, good[2], with_nan, *good[3:]]
    x, y, mask = padded(curves)
    fs = fit_curves(COMPETITION_MODELS["4pl"], x, y, mask)
    bad = [1, 3, 5]
    assert len(fs) == len(curves)
    for i in bad:
        assert not fs.converged[i] and fs.message[i] == "not fittable by the batch engine"
        assert np.isnan(fs.stderr[i]).all() and np.isnan(fs.ss[i])
    rows = [i for i in range(len(curves)) if i not in bad]
    np.testing.assert_allclose(fs.values[rows], batch200.values[:6], rtol=1e-10)
    np.testing.assert_allclose(fs.stderr[rows], batch200.stderr[:6], rtol=1e-9)
    assert fs.converged[rows].all()
    # one-site has 3 free parameters: three concentrations are enough there
    one = fit_curves(COMPETITION_MODELS["one-site"], *padded([three_conc]))
    assert one.converged[0] and one.df[0] == 6


def test_fittable_counts_distinct_concentrations_and_degrees_of_freedom():
    rng = np.random.default_rng(14)
    x = rng.integers(0, 6, (300, 9)).astype(float)
    mask = rng.random((300, 9)) < 0.7
    for k in (1, 2, 3, 4):
        got = fittable(x, mask, k)
        want = [np.unique(x[i][mask[i]]).size >= k and mask[i].sum() - k >= 1 for i in range(300)]
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    "consts",
    [
        pytest.param(None, id="none"),
        pytest.param({"radioligand_nM": 1.0}, id="no-kd"),
        pytest.param(
            {"radioligand_nM": 1.0, "kd_nM": 0.0},
            id="kd-0",
        ),
        pytest.param(
            {"radioligand_nM": 1.0, "kd_nM": -1.0},
            id="kd-minus-L",
        ),
        pytest.param({"radioligand_nM": 1.0, "kd_nM": -2.0}, id="kd-negative"),
        pytest.param({"radioligand_nM": 1.0, "kd_nM": math.nan}, id="kd-nan"),
        pytest.param({"radioligand_nM": -1.0, "kd_nM": 2.0}, id="radioligand-negative"),
    ],
)
def test_fit_ki_without_valid_constants_fits_nothing(curves200, consts):
    x, y, mask = padded(curves200[:4])
    fs = fit_curves(COMPETITION_MODELS["fit-ki"], x, y, mask, constants=consts)
    assert not fs.converged.any() and set(fs.message) == {"not fittable by the batch engine"}


def test_non_positive_weight_makes_a_row_unfittable(curves200):
    x, y, mask = padded(curves200[:3])
    w = np.ones(x.shape)
    w[1, 2] = 0.0
    fs = fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, weights=w)
    assert fs.converged.tolist() == [True, False, True]


def test_too_few_iterations_is_not_converged(curves200):
    x, y, mask = padded(curves200[:20])
    fs = fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, max_iter=1)
    assert not fs.converged.any()
    assert set(fs.message) == {"batch Levenberg-Marquardt did not converge"}
    assert np.isfinite(fs.values).all()  # the last iterate is kept
    # and the iterate is not the minimum: its SS is above the converged one
    full = fit_curves(COMPETITION_MODELS["4pl"], x, y, mask)
    assert full.converged.all() and (fs.ss > full.ss * (1 + 1e-9)).all()


def test_invalid_calls_raise_value_error(curves200):
    x, y, mask = padded(curves200[:2])
    with pytest.raises(ValueError, match="batch guess"):
        fit_curves(COMPETITION_MODELS["two-site"], x, y, mask)
    with pytest.raises(ValueError, match="no parameter"):
        fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, fixed={"slope": 1.0})
    with pytest.raises(ValueError, match="one shape"):
        fit_curves(COMPETITION_MODELS["4pl"], x, y[:, :-1], mask)
    with pytest.raises(ValueError, match="weights"):
        fit_curves(COMPETITION_MODELS["4pl"], x, y, mask, weights="huber")


def test_ambiguous_and_singular_follow_prism_rule(curves200, batch200):
    # well-posed curves: Prism's rule on a Jacobian built here says not ambiguous, and so does the FitSet
    for i, c in enumerate(curves200[:50]):
        j = jac_4pl(c.x, *batch200.values[i])
        info = j.T @ j
        dep = 1.0 - 1.0 / (np.diag(np.linalg.inv(info)) * np.diag(info))
        assert batch200.ambiguous[i] == bool(dep.max() > 0.9999) and not batch200.singular[i]
    # the rule itself: singular covariance, or a dependency strictly above 0.9999
    fs = batch200.take(np.arange(5))
    dependency, covariance = fs.dependency.copy(), fs.covariance.copy()
    dependency[1, 2] = 0.99995
    dependency[2, 0] = 0.9999  # at the threshold: not above it
    covariance[3, 1, 1] = np.nan
    marked = dataclasses.replace(fs, dependency=dependency, covariance=covariance)
    assert marked.singular.tolist() == [False, False, False, True, False]
    assert marked.ambiguous.tolist() == [False, True, False, True, False]


# --------------------------------------------------------------------------------------------------------
# pad_groups against pandas
# --------------------------------------------------------------------------------------------------------
def check_pad_groups(codes: np.ndarray, n_groups: int, a: np.ndarray, b: np.ndarray) -> None:
    """pad_groups against a pandas groupby of the same rows."""
    p = pad_groups(codes, n_groups, a, b)
    frame = pd.DataFrame({"g": codes, "a": a, "b": b, "row": np.arange(codes.size)})
    groups = dict(tuple(frame.groupby("g", sort=True)))
    assert p.mask.shape[0] == n_groups and p.mask.shape[1] == max(len(g) for g in groups.values())
    np.testing.assert_array_equal(p.n_points, [len(groups[g]) for g in range(n_groups)])
    for g in range(n_groups):
        rows = groups[g]
        n = len(rows)
        assert p.mask[g, :n].all() and not p.mask[g, n:].any()
        np.testing.assert_array_equal(p.rows[g, :n], rows["row"].to_numpy())
        assert (p.rows[g, n:] == -1).all()
        np.testing.assert_array_equal(p.columns[0][g, :n], rows["a"].to_numpy())
        np.testing.assert_array_equal(p.columns[1][g, :n], rows["b"].to_numpy())
        # padding repeats the group's first value (finite wherever the data are)
        assert (p.columns[0][g, n:] == rows["a"].iat[0]).all()
    np.testing.assert_array_equal(p.scatter(p.columns[0], codes.size), a)
    np.testing.assert_array_equal(p.scatter(p.columns[1], codes.size), b)
    # scatter fills what the padded array lacks
    partial = np.where(p.mask, p.columns[0], 0.0)
    partial[0, 0] = np.nan
    out = p.scatter(partial, codes.size + 2, fill=-7.0)
    assert (out[-2:] == -7.0).all() and np.isnan(out[p.rows[0, 0]])


def test_pad_groups_matches_pandas_groupby():
    rng = np.random.default_rng(18)
    n_groups = 57
    codes = np.concatenate([np.arange(n_groups), rng.integers(0, n_groups, 900)])
    rng.shuffle(codes)
    check_pad_groups(
        codes, n_groups, rng.normal(size=codes.size), rng.integers(0, 9, codes.size).astype(float)
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=40), st.integers(0, 2**32 - 1))
def test_pad_groups_property(codes, seed):
    codes = np.asarray(codes)
    _, codes = np.unique(codes, return_inverse=True)  # every group non-empty
    rng = np.random.default_rng(seed)
    check_pad_groups(codes, int(codes.max()) + 1, rng.normal(size=codes.size), rng.normal(size=codes.size))


# --------------------------------------------------------------------------------------------------------
# t quantile and logistic against scipy
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("level", [0.5, 0.8, 0.9, 0.95, 0.975, 0.99, 0.999])
def test_t_quantile_matches_scipy(level):
    df = np.arange(1, 301)
    want = stats.t.ppf(0.5 + level / 2.0, df)
    got = t_quantile(level, df)
    np.testing.assert_allclose(got, want, rtol=1e-11)
    note("t quantile rel", np.max(np.abs(got / want - 1)))


def test_t_quantile_shapes_and_edges():
    assert t_quantile(0.95, 7.0).shape == ()
    assert float(t_quantile(0.95, 7)) == pytest.approx(stats.t.ppf(0.975, 7), rel=1e-12)
    grid = np.array([[3.0, 3.0], [np.nan, 0.0], [-2.0, 4.5], [2500.0, 10.0]])
    got = t_quantile(0.95, grid)
    assert got.shape == grid.shape
    assert np.isnan(got[1]).all() and np.isnan(got[2, 0])
    for idx in ((0, 0), (0, 1), (2, 1), (3, 0), (3, 1)):
        assert got[idx] == pytest.approx(stats.t.ppf(0.975, grid[idx]), rel=1e-11), idx


def test_expit_matches_scipy():
    z = np.concatenate(
        [np.linspace(-800, 800, 4001), np.geomspace(1e-12, 50, 200), -np.geomspace(1e-12, 50, 200)]
    )
    z = np.concatenate([z, [0.0, -0.0, np.inf, -np.inf, 709.8, -745.1, -760.0]])
    got, want = expit(z), special.expit(z)
    with np.errstate(over="ignore"):
        tiny = np.exp(z) < 1e-300  # far lower tail: expit(z) = exp(z) / (1 + exp(z)) rounds to exp(z)
    np.testing.assert_allclose(got[~tiny], want[~tiny], rtol=4e-16, atol=0)
    note("expit rel", np.max(np.abs(got[~tiny] / want[~tiny] - 1)))
    # scipy flushes to 0 below about -709; the exact value there is exp(z) (subnormal), or 0 below -745
    np.testing.assert_allclose(got[tiny], np.exp(z[tiny]), rtol=1e-15, atol=1e-323)
    np.testing.assert_allclose(got[tiny & (want > 0)], want[tiny & (want > 0)], rtol=4e-16, atol=0)
    assert np.isnan(expit(np.nan)) and expit(3.0).shape == ()


# --------------------------------------------------------------------------------------------------------
# covariance_and_dependency against numpy.linalg.inv
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_covariance_and_dependency_match_numpy_inverse(k):
    rng = np.random.default_rng(100 + k)
    c = 200
    a = rng.normal(size=(c, k + 3, k))
    scale = 10.0 ** rng.uniform(-6, 6, (c, 1, k))  # parameters in wildly different units
    info = np.einsum("cnk,cnl->ckl", a * scale, a * scale)
    cov, dep = covariance_and_dependency(info)
    assert cov.shape == (c, k, k) and dep.shape == (c, k)
    for i in range(c):
        inv = np.linalg.inv(info[i])
        np.testing.assert_allclose(
            cov[i], inv, rtol=1e-8, atol=1e-10 * np.sqrt(np.outer(np.diag(inv), np.diag(inv))).max()
        )
        want = 1.0 - 1.0 / (np.diag(inv) * np.diag(info[i]))
        np.testing.assert_allclose(dep[i], want, atol=1e-9)
        note("dependency vs numpy abs", np.max(np.abs(dep[i] - want)))
    one_cov, one_dep = covariance_and_dependency(info[0])
    assert one_cov.shape == (k, k) and one_dep.shape == (k,)
    np.testing.assert_allclose(one_cov, cov[0], rtol=1e-14)


def test_covariance_of_singular_or_non_finite_matrices_is_nan():
    good = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
    v = np.array([1.0, 2.0, -1.0])
    rank1 = np.outer(v, v)
    nearly = np.array([[1.0, 1.0 - 1e-15, 0.0], [1.0 - 1e-15, 1.0, 0.0], [0.0, 0.0, 1.0]])
    with_inf = good.copy()
    with_inf[0, 1] = with_inf[1, 0] = np.inf
    with_nan = good.copy()
    with_nan[2, 2] = np.nan
    zero_diag = good.copy()
    zero_diag[1, :] = zero_diag[:, 1] = 0.0
    # very different units but well conditioned once scaled: must be inverted, not called singular
    units = np.diag([1e-10, 1.0, 1e10]) @ good @ np.diag([1e-10, 1.0, 1e10])
    stack = np.array([good, rank1, nearly, with_inf, with_nan, zero_diag, units])
    cov, dep = covariance_and_dependency(stack)
    for i in range(1, 6):
        assert np.isnan(cov[i]).all() and np.isnan(dep[i]).all(), i
    np.testing.assert_allclose(cov[0], np.linalg.inv(good), rtol=1e-12)
    np.testing.assert_allclose(cov[6], np.linalg.inv(units), rtol=1e-10)
    assert np.isfinite(dep[6]).all()
    np.testing.assert_allclose(dep[6], dep[0], atol=1e-12)  # dependency does not depend on units


# --------------------------------------------------------------------------------------------------------
# FitSet round trips
# --------------------------------------------------------------------------------------------------------
def assert_same_fit(got, want) -> None:
    """Two CurveFits hold the same numbers (NaN equal to NaN)."""
    assert got.model.name == want.model.name and got.free == want.free
    for name in want.model.param_names:
        np.testing.assert_equal(got.values[name], want.values[name])
        np.testing.assert_equal(got.stderr[name], want.stderr[name])
    assert set(got.ci) == set(want.ci)
    for name in want.ci:
        np.testing.assert_equal(got.ci[name], want.ci[name])
    np.testing.assert_array_equal(got.covariance, want.covariance)
    assert got.dependency == pytest.approx(want.dependency, abs=0, nan_ok=True)
    for name in ("n_points", "df", "converged", "message", "ci_method", "level", "constants"):
        assert getattr(got, name) == getattr(want, name), name
    for name in ("ss", "r_squared", "sy_x"):
        np.testing.assert_equal(getattr(got, name), getattr(want, name))
    if want.weights is None:
        assert got.weights is None or (got.weights == 1.0).all()
    else:
        np.testing.assert_array_equal(got.weights, want.weights)


@pytest.fixture(scope="module")
def single_fits(curves200):
    model = COMPETITION_MODELS["4pl"]
    fits = [fit_curve(model, c.x, c.y) for c in curves200[:5]]
    c = curves200[5]
    fits.append(fit_curve(model, c.x, c.y, weights=1.0 / np.abs(c.y)))  # one weighted fit
    return fits


def test_fitset_from_fits_and_back(single_fits):
    fs = FitSet.from_fits(single_fits)
    assert len(fs) == len(single_fits)
    for i, f in enumerate(single_fits):
        for j, name in enumerate(FOUR):
            assert fs.values[i, j] == f.values[name] and fs.stderr[i, j] == f.stderr[name]
            assert (fs.ci_low[i, j], fs.ci_high[i, j]) == f.ci[name]
        assert fs.value("log_ic50")[i] == f.values["log_ic50"]
        assert fs.interval("hill_slope")[0][i] == f.ci["hill_slope"][0]
        assert_same_fit(fs.fit(i), f)
    assert np.isnan(fs.value("log_ki")).all() and np.isnan(fs.se("log_ki")).all()
    assert all(np.isnan(a).all() for a in fs.interval("log_ki"))
    # the unweighted fits get weights 1 in the stacked weights, the weighted one its own
    assert (fs.weights[0, : fs.n_points[0]] == 1.0).all()
    np.testing.assert_array_equal(fs.weights[5, : fs.n_points[5]], single_fits[5].weights)


def test_fitset_take_and_concat(single_fits):
    fs = FitSet.from_fits(single_fits)
    order = [4, 0, 2, 5]
    taken = fs.take(order)
    for row, i in enumerate(order):
        assert_same_fit(taken.fit(row), single_fits[i])
    joined = FitSet.concat([fs.take([0, 1]), fs.take([]), fs.take([2, 3, 4, 5])])
    assert len(joined) == 6
    for i, f in enumerate(single_fits):
        assert_same_fit(joined.fit(i), f)
    assert FitSet.concat([fs]) is fs
    empty = FitSet.from_fits([], model=COMPETITION_MODELS["4pl"])
    assert len(empty) == 0 and empty.free == FOUR
    with pytest.raises(ValueError):
        FitSet.from_fits([])


def test_fitset_concat_rejects_mixed_models(single_fits, curves200):
    c = curves200[0]
    one = FitSet.from_fits([fit_curve(COMPETITION_MODELS["one-site"], c.x, c.y)])
    with pytest.raises(ValueError):
        FitSet.concat([FitSet.from_fits(single_fits), one])
    with pytest.raises(ValueError):
        FitSet.from_fits([single_fits[0], one.fit(0)])


def test_batch_fitset_fit_and_concat_with_lmfit_fits(curves200, batch200, single_fits):
    for i in (0, 3, 199):
        f = batch200.fit(i)
        assert f.converged and f.n_points == batch200.n_points[i]
        for j, name in enumerate(FOUR):
            assert f.values[name] == batch200.values[i, j] and f.stderr[name] == batch200.stderr[i, j]
            assert f.ci[name] == (batch200.ci_low[i, j], batch200.ci_high[i, j])
        # the CurveFit predicts Prism's curve at its values
        np.testing.assert_allclose(
            f.predict(curves200[i].x), prism_4pl(curves200[i].x, *batch200.values[i]), rtol=1e-12
        )
    # a batch set joined with lmfit fits keeps every row
    joined = FitSet.concat([batch200.take([7, 8]), FitSet.from_fits(single_fits[:2])])
    assert_same_fit(joined.fit(0), batch200.fit(7))
    assert_same_fit(joined.fit(3), single_fits[1])
    # round trip: a FitSet rebuilt from its own fits is the same set
    again = FitSet.from_fits([batch200.fit(i) for i in range(10)])
    for name in (
        "values",
        "stderr",
        "ci_low",
        "ci_high",
        "covariance",
        "dependency",
        "ss",
        "r_squared",
        "sy_x",
    ):
        np.testing.assert_array_equal(getattr(again, name), getattr(batch200, name)[:10], err_msg=name)
