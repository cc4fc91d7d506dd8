"""The saturation binding models against independent computations.

Every expected number here comes from scipy (``curve_fit``, ``brentq``, ``stats``) applied to GraphPad
Prism's saturation equations typed in this file, from derivatives worked out by hand here, or from published
output (R's ``nls`` on the Puromycin data). Nothing is compared with assaykit's own output.

Prism's equations (Curve Fitting Guide, "Saturation binding" equations):

- One site -- Specific binding: ``Y = Bmax*X/(Kd + X)``
- Specific binding with Hill slope: ``Y = Bmax*X^h/(Kd^h + X^h)``
- Two sites -- Specific binding: ``Y = BmaxHi*X/(KdHi + X) + BmaxLo*X/(KdLo + X)``
- One site -- Total and nonspecific binding (global): ``<A> Y = specific + nonspecific``,
  ``<B> Y = nonspecific``, ``nonspecific = NS*X + Background``, NS and Background shared
- Two sites -- Total and nonspecific binding: the same with the two-site specific binding.

Standard errors as Prism, R's nls and ``curve_fit(absolute_sigma=False)`` define them:
``SE = sqrt(SS/DF * diag((J'J)^-1))``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from assaykit.fitting import fit_curve
from assaykit.fitting.saturation_models import SATURATION_MODELS, kd_profile_span

DATA = Path(__file__).resolve().parents[1] / "data"
TIGHT = {"ftol": 1e-15, "xtol": 1e-15, "gtol": 1e-15}


# --------------------------------------------------------------------------------------------------------
# Prism's equations and their derivatives, typed in here (independent of assaykit.fitting)
# --------------------------------------------------------------------------------------------------------
def one_site(x, bmax, kd):
    return bmax * x / (kd + x)


def hill(x, bmax, kd, h):
    return bmax * x**h / (kd**h + x**h)


def two_site(x, bmax_hi, kd_hi, bmax_lo, kd_lo):
    return bmax_hi * x / (kd_hi + x) + bmax_lo * x / (kd_lo + x)


def global_model(specific):
    """Prism's <A>/<B> global form over stacked tubes: ``xt = (X, is_total)``."""

    def f(xt, *p):
        x, is_total = xt
        *site, ns, background = p
        nonspecific = ns * x + background
        return np.where(is_total == 1, specific(x, *site) + nonspecific, nonspecific)

    return f


def d_one_site(x, bmax, kd):
    """dY/dBmax = X/(Kd+X); dY/dKd = -Bmax X/(Kd+X)^2."""
    return [x / (kd + x), -bmax * x / (kd + x) ** 2]


def d_hill(x, bmax, kd, h):
    """With D = Kd^h + X^h: dY/dBmax = X^h/D; dY/dKd = -Bmax h Kd^(h-1) X^h / D^2;
    dY/dh = Bmax X^h Kd^h (ln X - ln Kd) / D^2 (0 at X = 0)."""
    xh, kh = x**h, kd**h
    d = kh + xh
    with np.errstate(divide="ignore", invalid="ignore"):
        dh = np.where(x > 0, bmax * xh * kh * (np.log(x) - np.log(kd)) / d**2, 0.0)
    return [xh / d, -bmax * h * kd ** (h - 1) * xh / d**2, dh]


def d_two_site(x, bmax_hi, kd_hi, bmax_lo, kd_lo):
    return [*d_one_site(x, bmax_hi, kd_hi), *d_one_site(x, bmax_lo, kd_lo)]


def d_global(d_specific):
    def jac(xt, *p):
        x, is_total = xt
        *site, _, _ = p
        return np.column_stack([*(is_total * d for d in d_specific(x, *site)), x, np.ones_like(x)])

    return jac


def specific_jac(d_specific):
    return lambda x, *p: np.column_stack(d_specific(x, *p))


# name: (Prism formula for scipy, its Jacobian, parameter names in assaykit's order, global?)
REFERENCE = {
    "one-site": (one_site, specific_jac(d_one_site), ("bmax", "kd_nM"), False),
    "hill": (hill, specific_jac(d_hill), ("bmax", "kd_nM", "hill"), False),
    "two-site": (two_site, specific_jac(d_two_site), ("bmax_hi", "kd_hi_nM", "bmax_lo", "kd_lo_nM"), False),
    "one-site-total": (
        global_model(one_site),
        d_global(d_one_site),
        ("bmax", "kd_nM", "ns_slope", "background"),
        True,
    ),
    "two-site-total": (
        global_model(two_site),
        d_global(d_two_site),
        ("bmax_hi", "kd_hi_nM", "bmax_lo", "kd_lo_nM", "ns_slope", "background"),
        True,
    ),
}


# --------------------------------------------------------------------------------------------------------
# Simulated experiments
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scenario:
    id: str
    model: str
    truth: tuple[float, ...]  # in the order of REFERENCE[model][2]
    conc: tuple[float, ...]  # nM
    cv: float  # proportional noise
    seed: int
    reps: int = 3

    def data(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """x, y and (global models) is_total: total tubes first, then NSB tubes at the same concentrations."""
        f, _, _, is_global = REFERENCE[self.model]
        rng = np.random.default_rng(self.seed)
        x = np.repeat(np.asarray(self.conc, dtype=float), self.reps)
        if is_global:
            x = np.concatenate([x, x])
            is_total = np.repeat([1.0, 0.0], x.size // 2)
            y = f(np.vstack([x, is_total]), *self.truth)
        else:
            is_total = None
            y = f(x, *self.truth)
        return x, y * (1.0 + self.cv * rng.standard_normal(x.size)), is_total

    def fit(self, **kwargs):
        x, y, is_total = self.data()
        data = None if is_total is None else {"is_total": is_total}
        return fit_curve(SATURATION_MODELS[self.model], x, y, data=data, **kwargs)

    def reference(self):
        """curve_fit from the true values with tight tolerances and the Jacobian derived here."""
        f, jac, _, is_global = REFERENCE[self.model]
        x, y, is_total = self.data()
        xdata = np.vstack([x, is_total]) if is_global else x
        popt, pcov = optimize.curve_fit(
            f, xdata, y, p0=list(self.truth), jac=jac, absolute_sigma=False, maxfev=100_000, **TIGHT
        )
        resid = y - f(xdata, *popt)
        return popt, pcov, float(resid @ resid)


HALF_LOG = tuple(float(f"{v:.3g}") for v in 0.1 * 10 ** (np.arange(9) * 0.3))  # 0.1 ... 25 nM
WIDE = tuple(float(f"{v:.3g}") for v in 0.03 * 10 ** (np.arange(13) * 0.3))  # 0.03 ... 190 nM
SCENARIOS = [
    Scenario("one-site", "one-site", (5000.0, 1.5), HALF_LOG, 0.05, 1),
    Scenario("one-site-kd-above-range", "one-site", (800.0, 12.0), HALF_LOG[:6], 0.03, 2),
    Scenario(
        "one-site-pM-ligand", "one-site", (150.0, 0.04), (0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.4), 0.04, 3
    ),
    Scenario("hill-shallow", "hill", (5200.0, 2.0, 0.8), HALF_LOG, 0.03, 4),
    Scenario("hill-steep", "hill", (3000.0, 1.0, 1.6), HALF_LOG, 0.03, 5),
    Scenario("two-site", "two-site", (2000.0, 0.2, 4000.0, 15.0), WIDE, 0.02, 6),
    Scenario("one-site-total", "one-site-total", (10000.0, 1.5, 150.0, 30.0), HALF_LOG, 0.04, 7),
    Scenario("one-site-total-noisy", "one-site-total", (3000.0, 0.8, 400.0, 100.0), HALF_LOG, 0.08, 8),
    Scenario("two-site-total", "two-site-total", (2000.0, 0.2, 4000.0, 15.0, 50.0, 20.0), WIDE, 0.02, 9),
]


@pytest.mark.parametrize("sc", SCENARIOS, ids=lambda s: s.id)
def test_fit_matches_scipy_curve_fit(sc: Scenario) -> None:
    fit = sc.fit()
    popt, pcov, ss = sc.reference()
    names = REFERENCE[sc.model][2]
    assert fit.converged and not fit.ambiguous
    assert fit.free == names
    se = np.sqrt(np.diag(pcov))
    for i, name in enumerate(names):
        assert fit.values[name] == pytest.approx(popt[i], rel=1e-5, abs=1e-9 * abs(popt).max()), name
        assert fit.stderr[name] == pytest.approx(se[i], rel=5e-3), name
    assert fit.ss == pytest.approx(ss, rel=1e-9)
    x, y, _ = sc.data()
    assert fit.df == x.size - len(names)
    assert fit.sy_x == pytest.approx(math.sqrt(ss / fit.df), rel=1e-9)
    assert fit.r_squared == pytest.approx(1 - ss / float(np.sum((y - y.mean()) ** 2)), rel=1e-9)
    t = stats.t.ppf(0.975, fit.df)
    for i, name in enumerate(names):
        low, high = fit.ci[name]
        assert low == pytest.approx(popt[i] - t * se[i], rel=1e-4)
        assert high == pytest.approx(popt[i] + t * se[i], rel=1e-4)


def worst_differences() -> tuple[float, float]:
    """The worst relative differences from scipy over the scenarios (parameters, SEs), for the report."""
    worst_p = worst_se = 0.0
    for sc in SCENARIOS:
        fit = sc.fit()
        popt, pcov, _ = sc.reference()
        for i, name in enumerate(REFERENCE[sc.model][2]):
            worst_p = max(worst_p, abs(fit.values[name] / popt[i] - 1))
            worst_se = max(worst_se, abs(fit.stderr[name] / math.sqrt(pcov[i, i]) - 1))
    return worst_p, worst_se


# --------------------------------------------------------------------------------------------------------
# Jacobians
# --------------------------------------------------------------------------------------------------------
JACOBIAN_POINTS = {
    "one-site": (4000.0, 1.3),
    "hill": (4000.0, 1.3, 0.7),
    "two-site": (1500.0, 0.25, 3000.0, 9.0),
    "one-site-total": (4000.0, 1.3, 120.0, 25.0),
    "two-site-total": (1500.0, 0.25, 3000.0, 9.0, 120.0, 25.0),
}


@pytest.mark.parametrize("name", list(SATURATION_MODELS))
def test_analytic_jacobian_matches_finite_differences_and_hand_derivatives(name: str) -> None:
    model = SATURATION_MODELS[name]
    f, jac, names, is_global = REFERENCE[name]
    p = np.array(JACOBIAN_POINTS[name])
    x = np.array([0.0, 0.05, 0.3, 1.0, 2.5, 7.0, 30.0, 200.0])
    extra = {"is_total": np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0])} if is_global else {}
    values = dict(zip(names, p, strict=True))
    analytic = model.jacobian(x, **values, **extra)
    got = np.column_stack([np.broadcast_to(analytic[n], x.shape) for n in names])
    # central differences of the model's own formula
    fd = np.empty_like(got)
    for j in range(p.size):
        h = 1e-6 * max(abs(p[j]), 1.0)
        up, down = dict(values), dict(values)
        up[names[j]] += h
        down[names[j]] -= h
        fd[:, j] = (model.func(x, **up, **extra) - model.func(x, **down, **extra)) / (2 * h)
    np.testing.assert_allclose(got, fd, rtol=1e-6, atol=1e-6)
    # the derivatives worked out by hand in this file
    xdata = np.vstack([x, extra["is_total"]]) if is_global else x
    np.testing.assert_allclose(got, jac(xdata, *p), rtol=1e-12, atol=1e-12)
    # and the formula is Prism's
    np.testing.assert_allclose(model.func(x, **values, **extra), f(xdata, *p), rtol=1e-13, atol=1e-10)


def test_hill_model_is_finite_at_zero_concentration() -> None:
    model = SATURATION_MODELS["hill"]
    x = np.array([0.0, 1.0])
    assert model.func(x, bmax=100.0, kd_nM=1.0, hill=0.8).tolist() == [0.0, 50.0]
    jac = model.jacobian(x, bmax=100.0, kd_nM=1.0, hill=0.8)
    assert all(np.isfinite(v).all() for v in jac.values())


# --------------------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------------------
def test_registry_is_read_only_and_names_prism_equations() -> None:
    assert list(SATURATION_MODELS) == ["one-site-total", "one-site", "hill", "two-site", "two-site-total"]
    with pytest.raises(TypeError):
        SATURATION_MODELS["x"] = SATURATION_MODELS["hill"]  # type: ignore[index]
    prism = {name: model.prism_name for name, model in SATURATION_MODELS.items()}
    assert prism == {
        "one-site-total": "One site -- Total and nonspecific binding",
        "one-site": "One site -- Specific binding",
        "hill": "Specific binding with Hill slope",
        "two-site": "Two sites -- Specific binding",
        "two-site-total": "Two sites -- Total and nonspecific binding",
    }
    for name, model in SATURATION_MODELS.items():
        assert model.data_columns == (("is_total",) if name.endswith("-total") else ())
        assert model.potency == ("kd_hi_nM" if name.startswith("two-site") else "kd_nM")
        assert model.starts is not None and model.profile_span is not None
        assert "https://" in (model.func.__doc__ or "") or "http://" in (model.func.__doc__ or "")


def test_kd_profile_span_is_positive_and_scales_with_kd() -> None:
    assert kd_profile_span(2.0) == (2e-4, 2e4)
    assert kd_profile_span(0.003) == pytest.approx((3e-7, 30.0))
    low, high = kd_profile_span(-1.0)
    assert low == high == -1.0  # nothing to search


# --------------------------------------------------------------------------------------------------------
# Profile likelihood for a linear Kd
# --------------------------------------------------------------------------------------------------------
def independent_profile(sc: Scenario) -> tuple[float, float, float]:
    """The profile-likelihood limits of Kd, from curve_fit refits with Kd held and brentq on the threshold."""
    f, _, names, is_global = REFERENCE[sc.model]
    x, y, is_total = sc.data()
    xdata = np.vstack([x, is_total]) if is_global else x
    popt, _, ss = sc.reference()
    k = names.index("kd_nM")
    df = x.size - len(names)
    threshold = ss * (1 + stats.f.ppf(0.95, 1, df) / df)

    def ss_at(kd: float) -> float:
        def g(xd, *others):
            p = list(others)
            p.insert(k, kd)
            return f(xd, *p)

        p0 = [v for i, v in enumerate(popt) if i != k]
        p, _ = optimize.curve_fit(g, xdata, y, p0=p0, maxfev=100_000, **TIGHT)
        r = y - g(xdata, *p)
        return float(r @ r)

    kd = popt[k]
    low = optimize.brentq(lambda v: ss_at(v) - threshold, kd / 10, kd, xtol=1e-12)
    high = optimize.brentq(lambda v: ss_at(v) - threshold, kd, kd * 10, xtol=1e-12)
    return low, kd, high


@pytest.mark.parametrize(
    "sc",
    [s for s in SCENARIOS if s.id in {"one-site", "one-site-kd-above-range", "one-site-total"}],
    ids=lambda s: s.id,
)
def test_profile_limits_of_kd_match_an_independent_profile(sc: Scenario) -> None:
    fit = sc.fit(ci="profile")
    low, kd, high = independent_profile(sc)
    assert fit.ci_method == "profile"
    got_low, got_high = fit.ci["kd_nM"]
    assert got_low < fit.values["kd_nM"] < got_high
    assert got_low == pytest.approx(low, rel=1e-5)
    assert got_high == pytest.approx(high, rel=1e-5)
    assert fit.values["kd_nM"] == pytest.approx(kd, rel=1e-5)


def test_profile_of_a_kd_far_above_12_nM_is_not_cut_off() -> None:
    # Before the span mechanism the search stopped 12 units from the estimate: for a Kd of 300 nM the upper
    # limit would have been reported as open.
    sc = Scenario(
        "high-kd", "one-site", (800.0, 300.0), (10, 30, 60, 100, 200, 400, 800, 1500, 3000), 0.03, 11
    )
    fit = sc.fit(ci="profile")
    low, kd, high = independent_profile(sc)
    assert high - kd > 12
    assert fit.ci["kd_nM"] == pytest.approx((low, high), rel=1e-5)


def test_competition_models_keep_the_default_profile_span() -> None:
    from assaykit.fitting import COMPETITION_MODELS

    assert all(model.profile_span is None for model in COMPETITION_MODELS.values())


# --------------------------------------------------------------------------------------------------------
# A published data set: Puromycin (Treloar 1974; Bates & Watts 1988; R datasets::Puromycin)
# --------------------------------------------------------------------------------------------------------
def puromycin(state: str) -> tuple[np.ndarray, np.ndarray]:
    table = pd.read_csv(DATA / "puromycin.csv", comment="#")
    rows = table[table["state"] == state]
    return rows["conc"].to_numpy(float), rows["rate"].to_numpy(float)


def four_figures(value: float) -> float:
    return float(f"{value:.4g}")


def test_puromycin_treated_matches_r_nls() -> None:
    # R: nls(rate ~ Vm * conc/(K + conc), data = Puromycin, subset = state == "treated") prints
    # Vm 2.127e+02 (SE 6.947e+00), K 6.412e-02 (SE 8.281e-03), residual standard error 10.93 on 10 df.
    x, y = puromycin("treated")
    fit = fit_curve(SATURATION_MODELS["one-site"], x, y)
    assert x.size == 12
    assert four_figures(fit.values["bmax"]) == 212.7
    assert four_figures(fit.stderr["bmax"]) == 6.947
    assert four_figures(fit.values["kd_nM"]) == 0.06412
    assert four_figures(fit.stderr["kd_nM"]) == 0.008281
    assert four_figures(fit.sy_x) == 10.93 and fit.df == 10


def test_puromycin_untreated_matches_scipy_and_r_nls() -> None:
    # The same model on the 11 untreated rates. Vm 160.3 and K 0.04771 are R's nls estimates; the SEs 6.480
    # and 0.007782 are checked against scipy here (and agree with R's summary() as recorded elsewhere).
    x, y = puromycin("untreated")
    fit = fit_curve(SATURATION_MODELS["one-site"], x, y)
    popt, pcov = optimize.curve_fit(one_site, x, y, p0=[160, 0.05], **TIGHT)
    se = np.sqrt(np.diag(pcov))
    assert x.size == 11
    assert (four_figures(fit.values["bmax"]), four_figures(fit.values["kd_nM"])) == (160.3, 0.04771)
    assert (four_figures(fit.stderr["bmax"]), four_figures(fit.stderr["kd_nM"])) == (6.480, 0.007782)
    assert [fit.values["bmax"], fit.values["kd_nM"]] == pytest.approx(popt, rel=1e-6)
    assert [fit.stderr["bmax"], fit.stderr["kd_nM"]] == pytest.approx(se, rel=1e-5)
    assert four_figures(fit.sy_x) == 9.773 and fit.df == 9


def test_puromycin_profile_interval_of_k() -> None:
    # Independent: brentq on the constrained SS from scipy refits (Vm free) at the F threshold. R's
    # confint() on the same nls fit (profile t statistic, the same criterion) gives 0.04693 to 0.08616 for the
    # treated K; its spline interpolation is good to about 1e-4, so it is checked to 1e-3 only.
    x, y = puromycin("treated")
    fit = fit_curve(SATURATION_MODELS["one-site"], x, y, ci="profile")
    popt, _ = optimize.curve_fit(one_site, x, y, p0=[200, 0.05], **TIGHT)
    ss = float(np.sum((y - one_site(x, *popt)) ** 2))
    threshold = ss * (1 + stats.f.ppf(0.95, 1, 10) / 10)

    def ss_at(k: float) -> float:
        # Vm is linear: its best value for a given K in closed form
        g = x / (k + x)
        vm = float(g @ y / (g @ g))
        return float(np.sum((y - vm * g) ** 2))

    low = optimize.brentq(lambda k: ss_at(k) - threshold, 0.01, popt[1], xtol=1e-14)
    high = optimize.brentq(lambda k: ss_at(k) - threshold, popt[1], 1.0, xtol=1e-14)
    assert fit.ci["kd_nM"] == pytest.approx((low, high), rel=1e-6)
    assert fit.ci["kd_nM"] == pytest.approx((0.04693, 0.08616), rel=1e-3)
