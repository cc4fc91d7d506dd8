"""The fitting engine against independent computations.

Every expected number here comes from scipy (``curve_fit``, ``least_squares``, ``stats``) applied to
equations typed in this file from GraphPad Prism's text, or from numpy linear algebra on a Jacobian written
here. Nothing is compared with assaykit's own output.

Prism's definitions (GraphPad FAQ 1792 and the Curve Fitting Guide):

- ``SE(P_i) = sqrt(SS/DF * Cov_ii)``, ``Cov = (J^T W J)^-1``, ``DF = n - free``;
- asymptotic CI ``P_i +/- t(0.975, DF) * SE``;
- profile CI: where the constrained best SS reaches ``SS * (1 + F(0.95; 1, DF)/DF)``;
- dependency ``1 - 1/(Cov_ii * (Cov^-1)_ii)``, ambiguous above 0.9999.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from assaykit.fitting import COMPETITION_MODELS, CurveFitError, fit_curve

LN10 = math.log(10.0)
PARAMS = {
    "4pl": ("top", "bottom", "log_ic50", "hill_slope"),
    "one-site": ("top", "bottom", "log_ic50"),
    "fit-ki": ("top", "bottom", "log_ki"),
}
POTENCY = {"4pl": "log_ic50", "one-site": "log_ic50", "fit-ki": "log_ki"}
TIGHT = {"ftol": 1e-14, "xtol": 1e-14, "gtol": 1e-14}


# --------------------------------------------------------------------------------------------------------
# Prism's equations, typed in here (independent of assaykit.fitting.models)
# --------------------------------------------------------------------------------------------------------
def prism_4pl(x, top, bottom, log_ic50, hill_slope):
    """``Y=Bottom + (Top-Bottom)/(1+10^((LogIC50-X)*HillSlope))``."""
    return bottom + (top - bottom) / (1.0 + 10.0 ** ((log_ic50 - x) * hill_slope))


def shift(consts: dict) -> float:
    """Cheng-Prusoff: log IC50 - log Ki = log10(1 + L/Kd)."""
    return math.log10(1.0 + consts["radioligand_nM"] / consts["kd_nM"])


def full_curve(model: str, values: dict, consts: dict | None = None):
    """The model's curve as a function of x given every parameter value."""
    if model == "4pl":
        return lambda x: prism_4pl(
            x, values["top"], values["bottom"], values["log_ic50"], values["hill_slope"]
        )
    if model == "one-site":  # Prism "One site - Fit logIC50": Y=Bottom + (Top-Bottom)/(1+10^(X-LogIC50))
        return lambda x: (
            values["bottom"] + (values["top"] - values["bottom"]) / (1.0 + 10.0 ** (x - values["log_ic50"]))
        )
    # Prism "One site - Fit Ki": logEC50=log(10^logKi*(1+RadioligandNM/HotKdNM))
    log_ec50 = math.log10(10.0 ** values["log_ki"] * (1.0 + consts["radioligand_nM"] / consts["kd_nM"]))
    return lambda x: values["bottom"] + (values["top"] - values["bottom"]) / (1.0 + 10.0 ** (x - log_ec50))


def free_names(model: str, fixed: dict) -> list[str]:
    return [p for p in PARAMS[model] if p not in fixed]


def reference_function(model: str, fixed: dict, consts: dict | None = None):
    """``f(x, *free)`` for scipy, the fixed parameters held at their values."""
    names = free_names(model, fixed)

    def f(x, *p):
        values = {**fixed, **dict(zip(names, p, strict=True))}
        with np.errstate(over="ignore"):
            return full_curve(model, values, consts)(x)

    return f


def analytic_jacobian(model: str, values: dict, x: np.ndarray, names: list[str], consts=None) -> np.ndarray:
    """Partial derivatives of Prism's logistic, derived by hand here.

    With ``u = (LogIC50 - X) * h`` and ``s = 1/(1+10^u)``: dY/dTop = s, dY/dBottom = 1 - s,
    dY/dLogIC50 = -(Top-Bottom) ln10 h s(1-s), dY/dh = -(Top-Bottom) ln10 (LogIC50 - X) s(1-s).
    """
    top, bottom = values["top"], values["bottom"]
    if model == "fit-ki":
        log_ic50, hill = values["log_ki"] + shift(consts), -1.0
    else:
        log_ic50, hill = values["log_ic50"], values.get("hill_slope", -1.0)
    u = (log_ic50 - x) * hill
    with np.errstate(over="ignore"):
        s = 1.0 / (1.0 + 10.0**u)
    core = -(top - bottom) * LN10 * s * (1.0 - s)
    cols = {
        "top": s,
        "bottom": 1.0 - s,
        "log_ic50": core * hill,
        "log_ki": core * hill,  # d logIC50 / d logKi = 1
        "hill_slope": core * (log_ic50 - x),
    }
    return np.column_stack([cols[n] for n in names])


def independent_dependency(jac: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    info = jac.T @ jac if w is None else jac.T @ (jac * w[:, None])
    cov = np.linalg.inv(info)
    return 1.0 - 1.0 / (np.diag(cov) * np.diag(info))


# --------------------------------------------------------------------------------------------------------
# Simulated data sets
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scenario:
    id: str
    model: str
    top: float
    bottom: float
    log_ic50: float
    hill: float
    noise: float  # SD as a fraction of Top
    n_conc: int
    lowest: float
    seed: int
    reps: int = 3
    step: float = 0.5
    fixed: dict = field(default_factory=dict)
    consts: dict = field(default_factory=dict)

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        x = np.repeat(self.lowest + self.step * np.arange(self.n_conc), self.reps)
        y = prism_4pl(x, self.top, self.bottom, self.log_ic50, self.hill)
        return x, y + rng.normal(0.0, self.noise * self.top, x.size)

    def truth(self) -> dict:
        values = {"top": self.top, "bottom": self.bottom, "log_ic50": self.log_ic50, "hill_slope": self.hill}
        if self.model == "fit-ki":
            values["log_ki"] = self.log_ic50 - shift(self.consts)
        return values

    def p0(self) -> list[float]:
        truth = self.truth()
        return [truth[n] for n in free_names(self.model, self.fixed)]


KI = {"radioligand_nM": 1.0, "kd_nM": 1.5}
KI2 = {"radioligand_nM": 2.5, "kd_nM": 0.7}
KI3 = {"radioligand_nM": 0.5, "kd_nM": 4.0}
FIX_TB = {"top": 5050.0, "bottom": 380.0}
FIX_TB2 = {"top": 4100.0, "bottom": 260.0}
FIX_TB3 = {"top": 6000.0, "bottom": 500.0}
FIX_B = {"bottom": 480.0}
# columns: id, model, top, bottom, log IC50, Hill, noise (SD / Top), concentrations, lowest log conc, seed
SCENARIOS = [
    Scenario("4pl-mid-h1", "4pl", 5000, 400, -8.3, -1.0, 0.03, 10, -11.0, 1),
    Scenario("4pl-shallow", "4pl", 12000, 1500, -9.6, -0.6, 0.02, 12, -12.0, 2),
    Scenario("4pl-ic50-above-range", "4pl", 2500, 300, -6.3, -1.5, 0.015, 8, -10.0, 3),
    Scenario("4pl-steep-low-end", "4pl", 800, 100, -10.3, -2.0, 0.02, 10, -10.5, 4, step=0.4),
    Scenario("4pl-noisy", "4pl", 20000, 2000, -7.4, -0.8, 0.08, 12, -10.0, 5, step=0.4),
    Scenario("4pl-top-bottom-fixed", "4pl", 5000, 400, -8.0, -1.3, 0.04, 9, -10.0, 6, fixed=FIX_TB),
    Scenario("4pl-bottom-fixed", "4pl", 3000, 420, -7.7, -0.8, 0.03, 11, -11.0, 7, fixed={"bottom": 400.0}),
    Scenario("one-site-free", "one-site", 4000, 250, -8.9, -1.0, 0.03, 10, -11.5, 8),
    Scenario("one-site-ic50-below-range", "one-site", 4000, 250, -10.2, -1.0, 0.02, 8, -10.0, 9),
    Scenario("one-site-fixed", "one-site", 4000, 250, -7.2, -1.0, 0.05, 8, -10.0, 10, fixed=FIX_TB2),
    Scenario("fit-ki-free", "fit-ki", 6000, 500, -8.0, -1.0, 0.03, 10, -11.0, 11, consts=KI),
    Scenario(
        "fit-ki-bottom-fixed", "fit-ki", 6000, 500, -7.1, -1.0, 0.06, 12, -11.0, 12, fixed=FIX_B, consts=KI2
    ),
    Scenario("fit-ki-fixed", "fit-ki", 6000, 500, -9.0, -1.0, 0.02, 9, -11.0, 13, fixed=FIX_TB3, consts=KI3),
]


def scipy_reference(sc: Scenario, weights: np.ndarray | None = None):
    """curve_fit with tight tolerances from the true parameters; SS (weighted) at its optimum."""
    x, y = sc.data()
    f = reference_function(sc.model, sc.fixed, sc.consts)
    sigma = None if weights is None else 1.0 / np.sqrt(weights)
    names = free_names(sc.model, sc.fixed)

    def jac(x, *p):  # the Jacobian derived in this file, so that MINPACK converges fully
        values = {**sc.fixed, **dict(zip(names, p, strict=True))}
        return analytic_jacobian(sc.model, values, x, names, sc.consts)

    popt, pcov = optimize.curve_fit(
        f, x, y, p0=sc.p0(), sigma=sigma, absolute_sigma=False, jac=jac, maxfev=200_000, **TIGHT
    )
    resid = y - f(x, *popt)
    ss = float(np.sum(resid**2 * (1.0 if weights is None else weights)))
    return popt, pcov, ss


def fit_scenario(sc: Scenario, **kwargs):
    x, y = sc.data()
    return fit_curve(COMPETITION_MODELS[sc.model], x, y, fixed=sc.fixed, constants=sc.consts, **kwargs)


@pytest.fixture(scope="module")
def max_diff() -> dict:
    """Largest differences observed across the module (printed at the end with -s)."""
    record: dict[str, float] = {}
    yield record
    print("\nmax observed differences:", {k: f"{v:.3g}" for k, v in record.items()})


def note(record: dict, key: str, value: float) -> None:
    record[key] = max(record.get(key, 0.0), float(value))


# --------------------------------------------------------------------------------------------------------
# Best-fit values, SEs, CIs, goodness of fit
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sc", SCENARIOS, ids=lambda s: s.id)
def test_best_fit_matches_scipy_curve_fit(sc: Scenario, max_diff):
    fit = fit_scenario(sc)
    popt, _, ss_ref = scipy_reference(sc)
    names = free_names(sc.model, sc.fixed)
    assert fit.converged, fit.message
    assert fit.free == tuple(names)
    for name, ref in zip(names, popt, strict=True):
        got = fit.values[name]
        if name == POTENCY[sc.model]:
            assert got == pytest.approx(ref, abs=1e-6), name
            note(max_diff, "potency_abs", abs(got - ref))
        assert got == pytest.approx(ref, rel=1e-5), name
        note(max_diff, "param_rel", abs(got - ref) / abs(ref))
    for name, value in sc.fixed.items():
        assert fit.values[name] == value
    if sc.model == "one-site":
        assert fit.values["hill_slope"] == -1.0
    # the engine's SS is the minimum: no larger than scipy's
    assert fit.ss == pytest.approx(ss_ref, rel=1e-9)
    assert fit.ss <= ss_ref * (1 + 1e-12)


@pytest.mark.parametrize("sc", SCENARIOS, ids=lambda s: s.id)
def test_standard_errors_match_curve_fit_pcov_and_lm_jacobian(sc: Scenario, max_diff):
    fit = fit_scenario(sc)
    popt, pcov, ss_ref = scipy_reference(sc)
    names = free_names(sc.model, sc.fixed)
    se_pcov = np.sqrt(np.diag(pcov))

    x, y = sc.data()
    f = reference_function(sc.model, sc.fixed, sc.consts)
    res = optimize.least_squares(lambda p: f(x, *p) - y, sc.p0(), method="lm", **TIGHT, max_nfev=200_000)
    df = x.size - len(names)
    ss_lm = float(res.fun @ res.fun)
    se_lm = np.sqrt(np.diag(np.linalg.inv(res.jac.T @ res.jac)) * ss_lm / df)

    for i, name in enumerate(names):
        assert fit.stderr[name] == pytest.approx(se_pcov[i], rel=5e-3), name
        assert fit.stderr[name] == pytest.approx(se_lm[i], rel=5e-3), name
        note(max_diff, "se_rel_pcov", abs(fit.stderr[name] / se_pcov[i] - 1))
        note(max_diff, "se_rel_lm", abs(fit.stderr[name] / se_lm[i] - 1))
    for name in set(PARAMS[sc.model]) - set(names):
        assert math.isnan(fit.stderr[name])
    # the scaled covariance matrix itself
    np.testing.assert_allclose(fit.covariance, pcov, rtol=1e-2, atol=1e-2 * np.outer(se_pcov, se_pcov).max())


@pytest.mark.parametrize("sc", SCENARIOS, ids=lambda s: s.id)
def test_asymptotic_ci_df_syx_r2(sc: Scenario, max_diff):
    fit = fit_scenario(sc, ci="asymptotic")
    popt, pcov, _ = scipy_reference(sc)
    x, y = sc.data()
    names = free_names(sc.model, sc.fixed)
    n = x.size
    df = n - len(names)
    assert fit.n_points == n
    assert fit.df == df
    # SS, Sy.x and R^2 from the engine's own best-fit values, recomputed here
    fitted = full_curve(sc.model, fit.values, sc.consts)(x)
    ss = float(np.sum((y - fitted) ** 2))
    assert fit.ss == pytest.approx(ss, rel=1e-10)
    assert fit.sy_x == pytest.approx(math.sqrt(ss / df), rel=1e-10)
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    assert fit.r_squared == pytest.approx(1.0 - ss / ss_tot, rel=1e-10)
    np.testing.assert_allclose(fit.predict(x), fitted, rtol=1e-12)

    t = stats.t.ppf(0.975, df)
    se_ref = np.sqrt(np.diag(pcov))
    for i, name in enumerate(names):
        low, high = fit.ci[name]
        # exactly Prism's formula on the engine's value and SE ...
        assert low == pytest.approx(fit.values[name] - t * fit.stderr[name], rel=1e-12, abs=1e-12)
        assert high == pytest.approx(fit.values[name] + t * fit.stderr[name], rel=1e-12, abs=1e-12)
        # ... and the fully independent interval (curve_fit value and SE) to 0.5% of its half-width
        half = t * se_ref[i]
        assert low == pytest.approx(popt[i] - half, abs=5e-3 * half), name
        assert high == pytest.approx(popt[i] + half, abs=5e-3 * half), name
        note(max_diff, "ci_rel_halfwidth", max(abs(low - popt[i] + half), abs(high - popt[i] - half)) / half)
    assert fit.ci_method == "asymptotic"
    assert fit.level == 0.95


def test_level_changes_t_quantile():
    sc = SCENARIOS[0]
    fit = fit_scenario(sc, level=0.90)
    t = stats.t.ppf(0.95, fit.df)
    low, high = fit.ci["log_ic50"]
    assert high - low == pytest.approx(2 * t * fit.stderr["log_ic50"], rel=1e-12)


# --------------------------------------------------------------------------------------------------------
# Profile-likelihood intervals
# --------------------------------------------------------------------------------------------------------
def constrained_ss(sc: Scenario, name: str, value: float, start: dict) -> float:
    """Best SS with ``name`` held at ``value``, the other free parameters refitted by scipy."""
    x, y = sc.data()
    fixed = {**sc.fixed, name: value}
    others = free_names(sc.model, fixed)
    f = reference_function(sc.model, fixed, sc.consts)
    best = math.inf
    truth = sc.truth()
    for p0 in ([start[n] for n in others], [truth[n] for n in others]):
        res = optimize.least_squares(lambda p: f(x, *p) - y, p0, method="lm", **TIGHT, max_nfev=200_000)
        best = min(best, float(res.fun @ res.fun))
    return best


PROFILE_IDS = {"4pl-mid-h1", "4pl-shallow", "4pl-noisy", "4pl-bottom-fixed", "one-site-free"}
PROFILE_IDS |= {"one-site-fixed", "fit-ki-free", "fit-ki-bottom-fixed"}
PROFILE_SCENARIOS = [s for s in SCENARIOS if s.id in PROFILE_IDS]


@pytest.mark.parametrize("sc", PROFILE_SCENARIOS, ids=lambda s: s.id)
def test_profile_limits_reach_the_f_threshold(sc: Scenario, max_diff):
    fit = fit_scenario(sc, ci="profile")
    assert fit.ci_method == "profile"
    potency = POTENCY[sc.model]
    _, _, ss_min = scipy_reference(sc)
    x, _ = sc.data()
    df = x.size - len(free_names(sc.model, sc.fixed))
    threshold = ss_min * (1.0 + stats.f.ppf(0.95, 1, df) / df)
    low, high = fit.ci[potency]
    assert math.isfinite(low) and math.isfinite(high)
    assert low < fit.values[potency] < high
    for limit in (low, high):
        ss_limit = constrained_ss(sc, potency, limit, fit.values)
        assert ss_limit == pytest.approx(threshold, rel=1e-6)
        note(max_diff, "profile_ss_rel", abs(ss_limit / threshold - 1))
    # the other parameters keep their asymptotic intervals
    t = stats.t.ppf(0.975, df)
    for name in free_names(sc.model, sc.fixed):
        if name != potency:
            assert fit.ci[name][1] - fit.ci[name][0] == pytest.approx(2 * t * fit.stderr[name], rel=1e-12)


def test_profile_close_to_asymptotic_on_a_nearly_linear_problem():
    # many points, 0.5% noise, one-site: the SS surface is nearly quadratic in log IC50
    sc = Scenario("linear", "one-site", 5000, 500, -8.0, -1.0, 0.005, 12, -11.0, 21, reps=4)
    prof = fit_scenario(sc, ci="profile").ci["log_ic50"]
    asym = fit_scenario(sc, ci="asymptotic").ci["log_ic50"]
    half = (asym[1] - asym[0]) / 2
    assert prof[0] == pytest.approx(asym[0], abs=0.02 * half)
    assert prof[1] == pytest.approx(asym[1], abs=0.02 * half)


OPEN_SCENARIOS = [
    # only the start of the displacement is seen (IC50 1.5 log above the top concentration): open above
    Scenario("ic50-above-range", "4pl", 5000, 400, -5.0, -1.0, 0.03, 8, -10.0, 22),
    # a very shallow curve with the Hill slope fixed: the limits lie several log units out
    Scenario(
        "shallow-fixed-hill", "4pl", 5000, 400, -8.0, -0.1, 0.05, 12, -11.0, 0, fixed={"hill_slope": -0.1}
    ),
]


@pytest.mark.parametrize("sc", OPEN_SCENARIOS, ids=lambda s: s.id)
def test_profile_side_is_infinite_only_if_not_reached_within_12_log_units(sc: Scenario):
    # assaykit documents an infinite limit as "not reached within 12 log units" of the best fit
    fit = fit_scenario(sc, ci="profile")
    x, _ = sc.data()
    df = x.size - len(free_names(sc.model, sc.fixed))
    threshold = fit.ss * (1.0 + stats.f.ppf(0.95, 1, df) / df)
    best = fit.values["log_ic50"]
    limits = fit.ci["log_ic50"]
    assert any(math.isinf(v) for v in limits)  # the case under test
    for sign, limit in zip((-1.0, 1.0), limits, strict=True):
        if math.isinf(limit):
            assert limit == sign * math.inf
            # independently: the constrained SS 12 log units out is still below the threshold
            assert constrained_ss(sc, "log_ic50", best + sign * 12.0, fit.values) < threshold, sign
        else:
            assert constrained_ss(sc, "log_ic50", limit, fit.values) == pytest.approx(threshold, rel=1e-6)


def test_profile_interval_on_a_well_defined_steep_curve():
    # Integer cpm, 9 half-log concentrations in triplicate; a steep competitor whose IC50 lies inside the
    # range. The 4PL with all plateaus free is well defined (SE(log IC50) ~0.03, dependencies ~0.5), so
    # its profile interval exists; it must be returned, not raise.
    x = np.repeat(-8.45 + 0.5 * np.arange(9), 3)
    y = np.array(
        [[2502, 2507, 2390], [2624, 2405, 2638], [2240, 2356, 2632],
         [2478, 2408, 2549], [2356, 2507, 2198], [2417, 2391, 2551],
         [2432, 2200, 2531], [1375, 1178, 1135], [699, 480, 404]],
        dtype=float,
    ).ravel()  # fmt: skip
    popt, _ = optimize.curve_fit(prism_4pl, x, y, p0=[2450, 500, -5.0, -3.0], maxfev=200_000, **TIGHT)
    ss_min = float(np.sum((y - prism_4pl(x, *popt)) ** 2))
    df = x.size - 4
    threshold = ss_min * (1 + stats.f.ppf(0.95, 1, df) / df)

    def ss_at(log_ic50: float) -> float:  # best SS with log IC50 held, by scipy, over a grid of starts
        def f(x, top, bottom, hill):
            return prism_4pl(x, top, bottom, log_ic50, hill)

        best = np.inf
        for hill0 in (popt[3], -0.5, -1.0, -2.0, -5.0, -20.0, -200.0):
            for bottom0 in (popt[1], 0.0, 1000.0):
                try:
                    with np.errstate(over="ignore"):
                        p, _ = optimize.curve_fit(f, x, y, p0=[popt[0], bottom0, hill0], maxfev=20_000)
                except RuntimeError:
                    continue
                best = min(best, float(np.sum((y - f(x, *p)) ** 2)))
        return best

    assert fit_curve(COMPETITION_MODELS["4pl"], x, y).stderr["log_ic50"] < 0.05
    fit = fit_curve(COMPETITION_MODELS["4pl"], x, y, ci="profile")
    assert fit.converged and not fit.ambiguous
    assert fit.values["log_ic50"] == pytest.approx(popt[2], abs=1e-6)
    low, high = fit.ci["log_ic50"]
    assert low < fit.values["log_ic50"] < high
    # A profile limit is the edge of the set {v: SS(v) <= threshold}. With a steep free slope the profile can
    # jump where the step crosses a tested concentration, so test the edge itself: inside at or below the
    # threshold, outside at or above it (for a continuous profile this is SS(limit) == threshold).
    for limit, outward in ((low, -1.0), (high, 1.0)):
        assert ss_at(limit - outward * 1e-6) <= threshold * (1 + 1e-6)
        assert ss_at(limit + outward * 1e-6) >= threshold * (1 - 1e-6)


def test_profile_interval_does_not_raise_on_an_ambiguous_fit():
    # A compound that barely displaces (IC50 ~0.5 log above the top concentration, 2% noise), all plateaus
    # free: the 4PL fit is ambiguous (Bottom runs off to about -3e8). fit_curve documents ValueError only for
    # programming errors; an ill-defined curve must come back as a (flagged) CurveFit.
    sc = Scenario("weak", "4pl", 5000, 400, -6.0, -1.0, 0.02, 10, -11.0, 2)
    assert fit_scenario(sc).ambiguous
    fit = fit_scenario(sc, ci="profile")
    assert fit.ambiguous
    low, high = fit.ci["log_ic50"]
    assert not (low > fit.values["log_ic50"] or high < fit.values["log_ic50"])


# --------------------------------------------------------------------------------------------------------
# Dependency and ambiguous fits
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sc",
    [s for s in SCENARIOS if s.id in {"4pl-mid-h1", "4pl-shallow", "one-site-free", "fit-ki-free"}],
    ids=lambda s: s.id,
)
def test_dependency_matches_numpy_from_jacobian(sc: Scenario, max_diff):
    fit = fit_scenario(sc)
    popt, _, _ = scipy_reference(sc)
    x, _ = sc.data()
    names = free_names(sc.model, sc.fixed)
    values = {**sc.fixed, **dict(zip(names, popt, strict=True))}
    dep = independent_dependency(analytic_jacobian(sc.model, values, x, names, sc.consts))
    # cross-check the hand-written Jacobian with scipy's finite differences at the same point
    f = reference_function(sc.model, sc.fixed, sc.consts)
    fd = optimize.approx_fprime(popt, lambda p: f(x, *p), 1e-7 * np.maximum(1.0, np.abs(popt)))
    np.testing.assert_allclose(
        analytic_jacobian(sc.model, values, x, names, sc.consts), fd, rtol=1e-5, atol=1e-6
    )
    for i, name in enumerate(names):
        assert 0.0 <= fit.dependency[name] <= 1.0
        assert fit.dependency[name] == pytest.approx(dep[i], abs=1e-7), name
        note(max_diff, "dependency_abs", abs(fit.dependency[name] - dep[i]))
    assert max(dep) < 0.9999
    assert not fit.ambiguous


def test_flat_curve_is_ambiguous():
    x = np.repeat(np.linspace(-11.0, -5.0, 10), 3)
    y = np.full(x.size, 3000.0)  # no displacement at all
    for model in ("4pl", "one-site"):
        fit = fit_curve(COMPETITION_MODELS[model], x, y)
        assert fit.ambiguous, model


@pytest.mark.parametrize("rounded", [False, True], ids=["exact", "integer-cpm"])
@pytest.mark.parametrize("model", ["4pl", "one-site"])
def test_top_plateau_only_is_ambiguous(model, rounded):
    # IC50 three log units above the top concentration: every point sits on the upper plateau
    x = np.repeat(np.linspace(-11.0, -6.0, 10), 3)
    y = prism_4pl(x, 5000.0, 400.0, -3.0, -1.0)
    if rounded:
        y = np.round(y)
    fit = fit_curve(COMPETITION_MODELS[model], x, y)
    assert fit.ambiguous
    names = free_names(model, {})
    if not fit.singular:
        # the engine's verdict is Prism's rule applied to a Jacobian built here
        dep = independent_dependency(analytic_jacobian(model, fit.values, x, names))
        assert max(dep) > 0.9999


@pytest.mark.parametrize("seed", range(8))
def test_ambiguous_verdict_follows_prism_rule_on_noisy_inactive_compounds(seed):
    # a compound that does not displace: noise only. Whatever the fit finds, "ambiguous" must be
    # exactly Prism's rule (some dependency > 0.9999, or a singular information matrix) at that fit.
    x = np.repeat(np.linspace(-11.0, -5.0, 10), 3)
    y = 3000.0 + np.random.default_rng(seed).normal(0.0, 90.0, x.size)
    fit = fit_curve(COMPETITION_MODELS["4pl"], x, y)
    if not fit.converged:
        assert fit.ambiguous  # a non-converged fit carries NaN covariance
        return
    jac = analytic_jacobian("4pl", fit.values, x, list(PARAMS["4pl"]))
    info = jac.T @ jac
    d = np.sqrt(np.diag(info))
    if np.any(d == 0) or np.linalg.cond(info / np.outer(d, d)) > 1e13:
        assert fit.ambiguous
        return
    dep = independent_dependency(jac)
    assert fit.ambiguous == bool(max(dep) > 0.9999)


# --------------------------------------------------------------------------------------------------------
# Weights
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sc", [SCENARIOS[0], SCENARIOS[1], SCENARIOS[7], SCENARIOS[10]], ids=lambda s: s.id)
def test_poisson_weights_match_curve_fit_sigma(sc: Scenario, max_diff):
    x, y = sc.data()
    w = 1.0 / y
    fit = fit_curve(COMPETITION_MODELS[sc.model], x, y, fixed=sc.fixed, constants=sc.consts, weights=w)
    popt, pcov, ss_w = scipy_reference(sc, weights=w)
    names = free_names(sc.model, sc.fixed)
    for i, name in enumerate(names):
        assert fit.values[name] == pytest.approx(popt[i], rel=1e-5), name
        if name == POTENCY[sc.model]:
            assert fit.values[name] == pytest.approx(popt[i], abs=1e-6)
        assert fit.stderr[name] == pytest.approx(math.sqrt(pcov[i, i]), rel=5e-3), name
        note(max_diff, "weighted_se_rel", abs(fit.stderr[name] / math.sqrt(pcov[i, i]) - 1))
    assert fit.ss == pytest.approx(ss_w, rel=1e-9)
    df = x.size - len(names)
    assert fit.sy_x == pytest.approx(math.sqrt(ss_w / df), rel=1e-9)
    y_bar = np.sum(w * y) / np.sum(w)
    assert fit.r_squared == pytest.approx(1.0 - ss_w / np.sum(w * (y - y_bar) ** 2), rel=1e-8)
    # the weights matter: the unweighted fit is a different one
    unweighted = fit_scenario(sc)
    assert unweighted.values[POTENCY[sc.model]] != pytest.approx(fit.values[POTENCY[sc.model]], abs=1e-6)


# --------------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------------
def test_error_fewer_distinct_concentrations_than_free_parameters():
    x = np.repeat([-9.0, -8.0, -7.0], 4)  # 12 points but 3 concentrations
    y = prism_4pl(x, 5000, 400, -8, -1)
    with pytest.raises(CurveFitError, match="distinct"):
        fit_curve(COMPETITION_MODELS["4pl"], x, y)
    # three concentrations are enough for one-site (3 free parameters)
    assert fit_curve(COMPETITION_MODELS["one-site"], x, y).converged
    with pytest.raises(CurveFitError):
        fit_curve(COMPETITION_MODELS["one-site"], x[::4][:2].repeat(3), y[::4][:2].repeat(3))


def test_error_no_degrees_of_freedom():
    x = np.array([-10.0, -9.0, -8.0, -7.0])
    y = prism_4pl(x, 5000, 400, -8.5, -1)
    with pytest.raises(CurveFitError, match="degrees of freedom"):
        fit_curve(COMPETITION_MODELS["4pl"], x, y)
    with pytest.raises(CurveFitError):
        fit_curve(COMPETITION_MODELS["one-site"], x[:3], y[:3])
    with pytest.raises(CurveFitError):
        fit_curve(COMPETITION_MODELS["one-site"], x[:1], y[:1], fixed={"top": 5000.0, "bottom": 400.0})
    # one more point gives DF = 1 and a fit
    assert fit_curve(COMPETITION_MODELS["one-site"], x, y).df == 1


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("where", ["x", "y"])
def test_error_non_finite_data(bad, where):
    x = np.repeat(np.linspace(-11, -6, 8), 2)
    y = prism_4pl(x, 5000, 400, -8.5, -1)
    (x if where == "x" else y)[5] = bad
    with pytest.raises(CurveFitError):
        fit_curve(COMPETITION_MODELS["4pl"], x, y)


@pytest.mark.parametrize(
    "consts",
    [
        None,
        {},
        {"radioligand_nM": 1.0},
        {"kd_nM": 1.5},
        {"radioligand_nM": 1.0, "kd_nM": 0.0},
        {"radioligand_nM": 1.0, "kd_nM": -1.5},
        {"radioligand_nM": math.nan, "kd_nM": 1.5},
    ],
)
def test_error_fit_ki_constants(consts):
    x = np.repeat(np.linspace(-11, -6, 8), 2)
    y = prism_4pl(x, 5000, 400, -8.5, -1)
    with pytest.raises(CurveFitError):
        fit_curve(COMPETITION_MODELS["fit-ki"], x, y, constants=consts)


# --------------------------------------------------------------------------------------------------------
# Property: the default fit agrees with an independent Levenberg-Marquardt fit on any valid data set
# --------------------------------------------------------------------------------------------------------
def independent_start(x: np.ndarray, y: np.ndarray) -> list[float]:
    """Starting point built here: plateaus from the end concentrations, IC50 where the means cross half."""
    levels = np.unique(x)
    means = np.array([y[x == v].mean() for v in levels])
    top, bottom = means[0], means[-1]
    mid = levels[np.argmin(np.abs(means - (top + bottom) / 2))]
    return [top, bottom, float(mid), -1.0]


def independent_lm(x, y, p0):
    """scipy's MINPACK LM on Prism's 4PL; SE and dependency from the Jacobian derived in this file."""

    def resid(p):
        with np.errstate(over="ignore"):
            return prism_4pl(x, *p) - y

    res = optimize.least_squares(resid, p0, method="lm", **TIGHT, max_nfev=4000)
    ss = float(res.fun @ res.fun)
    jac = analytic_jacobian("4pl", dict(zip(PARAMS["4pl"], res.x, strict=True)), x, list(PARAMS["4pl"]))
    se = dep = np.full(4, np.nan)
    if np.all(np.isfinite(jac)):
        try:
            with np.errstate(invalid="ignore", divide="ignore"):
                se = np.sqrt(np.diag(np.linalg.inv(jac.T @ jac)) * ss / (x.size - 4))
                dep = independent_dependency(jac)
        except np.linalg.LinAlgError:
            pass
    # "well defined": converged to finite values with every dependency at most Prism's 0.9999
    well_defined = bool(res.success and np.all(np.isfinite(res.x)) and np.all(dep <= 0.9999))
    return res, ss, se, well_defined


@st.composite
def competition_data(draw):
    n_conc = draw(st.integers(6, 12))
    reps = draw(st.integers(1, 4))
    top = draw(st.floats(500.0, 20000.0))
    bottom = top * draw(st.floats(0.0, 0.3))
    lowest = draw(st.floats(-12.0, -8.0))
    step = draw(st.sampled_from([0.5, 0.4, 0.6]))
    levels = lowest + step * np.arange(n_conc)
    log_ic50 = draw(st.floats(float(levels[0]), float(levels[-1])))
    hill = draw(st.floats(-2.0, -0.5))
    noise = draw(st.floats(0.01, 0.08))
    seed = draw(st.integers(0, 2**32 - 1))
    x = np.repeat(levels, reps)
    rng = np.random.default_rng(seed)
    y = prism_4pl(x, top, bottom, log_ic50, hill) + rng.normal(0.0, noise * top, x.size)
    return x, y


def test_property_default_fit_matches_independent_lm():
    tally = {"examples": 0, "compared": 0, "engine ambiguous": 0, "engine not converged": 0, "other": 0}
    worst = {"log_ic50": 0.0, "se": 0.0}

    @settings(
        max_examples=50,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(competition_data())
    def check(data):
        x, y = data
        tally["examples"] += 1
        fit = fit_curve(COMPETITION_MODELS["4pl"], x, y)
        res, ss, se, well_defined = independent_lm(x, y, independent_start(x, y))
        if not fit.converged:
            # only acceptable when the data have no well-defined least-squares curve
            assert not well_defined, f"engine did not converge ({fit.message}); scipy found {res.x}"
            tally["engine not converged"] += 1
        elif fit.ambiguous:
            tally["engine ambiguous"] += 1
            if res.success and abs(ss - fit.ss) <= 1e-8 * ss:
                # the same minimum: Prism's rule on a Jacobian built here must call it ambiguous as well
                assert not well_defined
        elif res.success and np.isfinite(ss):
            # wherever scipy's LM ends, the engine must not have stopped at a worse point
            assert fit.ss <= ss * (1 + 1e-8)
        same_minimum = res.success and abs(ss - fit.ss) <= 1e-8 * ss
        if fit.converged and not fit.ambiguous and not same_minimum:
            tally["other"] += 1
        # skip: engine ambiguous or not converged (no curve to compare), or scipy failed / stopped elsewhere
        assume(fit.converged and not fit.ambiguous and same_minimum)
        event("compared")
        tally["compared"] += 1
        worst["log_ic50"] = max(worst["log_ic50"], abs(fit.values["log_ic50"] - res.x[2]))
        worst["se"] = max(worst["se"], abs(fit.stderr["log_ic50"] / se[2] - 1))
        assert fit.values["log_ic50"] == pytest.approx(res.x[2], abs=1e-4)
        assert fit.stderr["log_ic50"] == pytest.approx(se[2], rel=5e-3)

    check()
    print(f"\nproperty: {tally}, worst {worst}")
    # most generated data sets must actually be compared, not skipped
    assert tally["compared"] >= 0.6 * tally["examples"], tally
