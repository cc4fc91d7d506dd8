"""Two-site and homologous competition models against independent computations.

Every expected value comes from GraphPad Prism's equations typed in this file, central finite differences
of them, or scipy (``curve_fit`` with finite-difference Jacobians and tight tolerances) fitted to the same
points. Nothing is compared with assaykit's own output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pytest
from scipy import optimize

from assaykit.fitting import COMPETITION_MODELS, HOMOLOGOUS, TWO_SITE, TWO_SITE_KI, fit_curve
from assaykit.fitting.two_site import guess_two_site, order_sites, swap_sites

TIGHT = {"ftol": 1e-15, "xtol": 1e-15, "gtol": 1e-15, "max_nfev": 200_000}
WORST: dict[str, float] = {}


def note(key: str, value: float) -> None:
    WORST[key] = max(WORST.get(key, 0.0), float(value))


@pytest.fixture(scope="module", autouse=True)
def report_worst():
    yield
    print(
        "\nworst relative differences (two-site/homologous vs scipy):",
        {k: f"{v:.2g}" for k, v in WORST.items()},
    )


# --------------------------------------------------------------------------------------------------------
# Prism's equations, typed in here
# --------------------------------------------------------------------------------------------------------
def prism_two_site(x, top, bottom, log_ic50_hi, log_ic50_lo, fraction_hi):
    """Prism "Two sites - Fit logIC50": Span=Top-Bottom; Section1=Span*FractionHi/(1+10^((X-LogIC50HI)));
    Section2=Span*(1-FractionHi)/(1+10^((X-LogIC50Lo))); Y=Bottom + Section1 + Section2."""
    span = top - bottom
    section1 = span * fraction_hi / (1.0 + 10.0 ** (x - log_ic50_hi))
    section2 = span * (1.0 - fraction_hi) / (1.0 + 10.0 ** (x - log_ic50_lo))
    return bottom + section1 + section2


def prism_two_site_ki(x, top, bottom, log_ki_hi, log_ki_lo, fraction_hi, hot_nm, kd_hi_nm, kd_lo_nm):
    """Prism "Two sites - Fit Ki": logEC50Lo=log(10^logKiLo*(1+HotNM/HotKdNMLo)), the same for Hi."""
    log_ec50_lo = math.log10(10.0**log_ki_lo * (1.0 + hot_nm / kd_lo_nm))
    log_ec50_hi = math.log10(10.0**log_ki_hi * (1.0 + hot_nm / kd_hi_nm))
    return prism_two_site(x, top, bottom, log_ec50_hi, log_ec50_lo, fraction_hi)


def prism_homologous(x, log_kd, bmax, bottom, hot_nm):
    """Prism "One site - Homologous".

    ColdNM=10^(x+9); KdNM=10^(logKD+9); Y=(Bmax*HotnM)/(HotnM+ColdNM+KdNM) + Bottom
    """
    cold_nm = 10.0 ** (x + 9.0)
    kd_nm = 10.0 ** (log_kd + 9.0)
    return bmax * hot_nm / (hot_nm + cold_nm + kd_nm) + bottom


X = np.linspace(-13.0, -3.0, 61)


@pytest.mark.parametrize(
    "p",
    [
        (5000, 400, -9.5, -6.5, 0.4),
        (100, 0, -8.0, -7.0, 0.7),
        (1.0, -0.2, -10.0, -5.0, 0.05),
        (300, 800, -8, -6, 0.5),
    ],
)
def test_two_site_equals_prism_text(p):
    np.testing.assert_allclose(
        TWO_SITE.func(X, *p), prism_two_site(X, *p), rtol=1e-12, atol=1e-12 * abs(p[0])
    )


@pytest.mark.parametrize(("hot", "kd_hi", "kd_lo"), [(1.0, 1.5, 1.5), (0.5, 0.2, 4.0), (3.0, 10.0, 0.7)])
def test_two_site_ki_equals_prism_text(hot, kd_hi, kd_lo):
    p = (4200.0, 300.0, -9.3, -6.8, 0.35)
    consts = {"radioligand_nM": hot, "kd_nM": kd_hi, "kd_lo_nM": kd_lo}
    want = prism_two_site_ki(X, *p, hot, kd_hi, kd_lo)
    np.testing.assert_allclose(TWO_SITE_KI.func(X, *p, **consts), want, rtol=1e-12)


@pytest.mark.parametrize("hot", [0.1, 1.0, 25.0])
def test_homologous_equals_prism_text_and_midpoint(hot):
    got = HOMOLOGOUS.func(X, log_kd=-9.2, bmax=3000.0, bottom=150.0, hot_nM=np.full(X.shape, hot))
    np.testing.assert_allclose(got, prism_homologous(X, -9.2, 3000.0, 150.0, hot), rtol=1e-12)
    # half the specific binding at Cold = Kd + Hot (IC50 = Kd + Hot)
    ic50 = math.log10((10 ** (-9.2 + 9) + hot) * 1e-9)
    top = HOMOLOGOUS.func(np.array([-30.0]), -9.2, 3000.0, 150.0, np.array([hot]))[0]
    mid = HOMOLOGOUS.func(np.array([ic50]), -9.2, 3000.0, 150.0, np.array([hot]))[0]
    assert mid - 150.0 == pytest.approx((top - 150.0) / 2, rel=1e-12)


def test_homologous_does_not_overflow_far_from_the_data():
    x = np.array([-400.0, -12.0, 300.0])
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is harmless
        y = HOMOLOGOUS.func(x, log_kd=250.0, bmax=10.0, bottom=1.0, hot_nM=np.ones(3))
        jac = HOMOLOGOUS.jacobian(x, log_kd=-300.0, bmax=10.0, bottom=1.0, hot_nM=np.ones(3))
    assert np.all(np.isfinite(y)) and all(np.all(np.isfinite(v)) for v in jac.values())


def central(func, values: dict, name: str, x: np.ndarray) -> np.ndarray:
    h = 1e-6 * max(1.0, abs(values[name]))
    up, down = dict(values), dict(values)
    up[name] += h
    down[name] -= h
    return (func(x, **up) - func(x, **down)) / (2.0 * h)


@pytest.mark.parametrize("values", [
    {"top": 5000.0, "bottom": 400.0, "log_ic50_hi": -9.5, "log_ic50_lo": -6.5, "fraction_hi": 0.4},
    {"top": 80.0, "bottom": 5.0, "log_ic50_hi": -8.2, "log_ic50_lo": -7.9, "fraction_hi": 0.9},
])  # fmt: skip
def test_two_site_jacobian_matches_central_differences(values):
    jac = TWO_SITE.jacobian(X, **values)
    assert set(jac) == set(TWO_SITE.param_names)
    for name in values:
        numeric = central(prism_two_site, values, name, X)
        atol = 1e-7 * abs(values["top"] - values["bottom"])
        np.testing.assert_allclose(
            np.broadcast_to(jac[name], X.shape), numeric, rtol=1e-6, atol=atol, err_msg=name
        )


def test_two_site_ki_jacobian_matches_central_differences():
    values = {"top": 5000.0, "bottom": 400.0, "log_ki_hi": -9.7, "log_ki_lo": -6.9, "fraction_hi": 0.3}
    consts = {"radioligand_nM": 1.0, "kd_nM": 1.5, "kd_lo_nM": 0.4}

    def reference(x, **v):
        return prism_two_site_ki(
            x, v["top"], v["bottom"], v["log_ki_hi"], v["log_ki_lo"], v["fraction_hi"], 1.0, 1.5, 0.4
        )

    jac = TWO_SITE_KI.jacobian(X, **values, **consts)
    for name in values:
        numeric = central(reference, values, name, X)
        np.testing.assert_allclose(
            np.broadcast_to(jac[name], X.shape), numeric, rtol=1e-6, atol=1e-3, err_msg=name
        )


def test_homologous_jacobian_matches_central_differences():
    values = {"log_kd": -8.8, "bmax": 2500.0, "bottom": 120.0}
    hot = np.where(np.arange(X.size) % 2 == 0, 0.5, 4.0)
    jac = HOMOLOGOUS.jacobian(X, **values, hot_nM=hot)
    for name in values:
        numeric = central(
            lambda x, **v: prism_homologous(x, v["log_kd"], v["bmax"], v["bottom"], hot), values, name, X
        )
        np.testing.assert_allclose(
            np.broadcast_to(jac[name], X.shape), numeric, rtol=1e-6, atol=1e-6, err_msg=name
        )


# --------------------------------------------------------------------------------------------------------
# Fits against scipy
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    id: str
    model: str
    truth: dict
    noise: float
    lowest: float
    n_conc: int
    seed: int
    reps: int = 3
    step: float = 0.5
    fixed: dict = field(default_factory=dict)
    consts: dict = field(default_factory=dict)
    hot: tuple = ()  # homologous: the hot concentrations, each with the full series of cold

    def data(self):
        rng = np.random.default_rng(self.seed)
        x = np.repeat(self.lowest + self.step * np.arange(self.n_conc), self.reps)
        if self.model == "homologous":
            hot = np.repeat(np.array(self.hot, dtype=float), x.size)
            x = np.tile(x, len(self.hot))
            y = prism_homologous(x, self.truth["log_kd"], self.truth["bmax"], self.truth["bottom"], hot)
            return x, y + rng.normal(0, self.noise, x.size), {"hot_nM": hot}
        return x, self.reference()(x, *self.truth.values()) + rng.normal(0, self.noise, x.size), None

    def reference(self):
        if self.model == "two-site":
            return prism_two_site
        c = self.consts
        return lambda x, *p: prism_two_site_ki(x, *p, c["radioligand_nM"], c["kd_nM"], c["kd_lo_nM"])


KI_SAME = {"radioligand_nM": 1.0, "kd_nM": 1.5, "kd_lo_nM": 1.5}
KI_DIFF = {"radioligand_nM": 2.0, "kd_nM": 0.5, "kd_lo_nM": 3.0}
TS = {"top": 5000.0, "bottom": 400.0, "log_ic50_hi": -9.5, "log_ic50_lo": -6.5, "fraction_hi": 0.4}
TS_CLOSE = {**TS, "log_ic50_hi": -8.8, "log_ic50_lo": -7.0, "fraction_hi": 0.55}
TSK = {"top": 6000.0, "bottom": 500.0, "log_ki_hi": -9.9, "log_ki_lo": -7.1, "fraction_hi": 0.6}
TSK2 = {**TSK, "log_ki_hi": -9.0, "log_ki_lo": -7.5, "fraction_hi": 0.5}
HOM = {"log_kd": -9.0, "bmax": 4000.0, "bottom": 200.0}
HOM1 = {"log_kd": -8.5, "bmax": 3000.0, "bottom": 150.0}
HOM2 = {"log_kd": -9.3, "bmax": 5000.0, "bottom": 250.0}
# id, model, truth, noise SD, lowest log conc, concentrations, seed
CASES = [
    Case("two-site-wide", "two-site", TS, 60.0, -12.0, 17, 1),
    Case("two-site-close", "two-site", TS_CLOSE, 30.0, -11.0, 13, 2),
    Case("two-site-minor-hi", "two-site", {**TS, "fraction_hi": 0.2}, 50.0, -12.0, 17, 3),
    Case("two-site-bottom-fixed", "two-site", TS, 60.0, -12.0, 17, 4, fixed={"bottom": 400.0}),
    Case("two-site-ki", "two-site-ki", TSK, 70.0, -12.0, 16, 5, consts=KI_SAME),
    Case("two-site-ki-two-kd", "two-site-ki", TSK2, 50.0, -12.0, 16, 6, consts=KI_DIFF),
    Case("homologous-two-hot", "homologous", HOM, 40.0, -12.0, 13, 7, hot=(0.3, 3.0)),
    Case("homologous-one-hot", "homologous", HOM1, 30.0, -12.0, 13, 8, hot=(1.0,)),
    Case(
        "homologous-bottom-fixed",
        "homologous",
        HOM2,
        40.0,
        -12.0,
        13,
        9,
        hot=(0.2, 2.0),
        fixed={"bottom": 250.0},
    ),
]


def scipy_fit(case: Case):
    """curve_fit (trust-region, 3-point finite-difference Jacobian) of Prism's text, started at the truth."""
    x, y, data = case.data()
    names = [n for n in case.truth if n not in case.fixed]
    if case.model == "homologous":

        def base(x, log_kd, bmax, bottom):
            return prism_homologous(x, log_kd, bmax, bottom, data["hot_nM"])
    else:
        base = case.reference()

    def f(x, *p):
        v = {**case.truth, **case.fixed, **dict(zip(names, p, strict=True))}
        return base(x, *v.values())

    p0 = [case.truth[n] for n in names]
    popt, pcov = optimize.curve_fit(f, x, y, p0=p0, method="trf", jac="3-point", **TIGHT)
    ss = float(np.sum((y - f(x, *popt)) ** 2))
    return dict(zip(names, popt, strict=True)), dict(zip(names, np.sqrt(np.diag(pcov)), strict=True)), ss


def engine_fit(case: Case, **kwargs):
    x, y, data = case.data()
    fit = fit_curve(
        COMPETITION_MODELS[case.model], x, y, fixed=case.fixed, constants=case.consts, data=data, **kwargs
    )
    return order_sites(fit, x, y) if case.model != "homologous" else fit


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fit_matches_scipy_curve_fit(case: Case):
    fit = engine_fit(case)
    values, se, ss = scipy_fit(case)
    assert fit.converged, fit.message
    assert not fit.ambiguous
    assert fit.ss == pytest.approx(ss, rel=1e-9)
    for name, ref in values.items():
        assert fit.values[name] == pytest.approx(ref, rel=1e-5), name
        note("parameter", abs(fit.values[name] / ref - 1))
        assert fit.stderr[name] == pytest.approx(se[name], rel=5e-3), name
        note("standard error", abs(fit.stderr[name] / se[name] - 1))
    for name, value in case.fixed.items():
        assert fit.values[name] == value and math.isnan(fit.stderr[name])


def test_the_guess_finds_both_sites_on_a_grid_of_designs():
    """Sites 1 to 4 log units apart, high-affinity fraction 0.2 to 0.8: the fit lands on the global minimum
    (scipy started at the truth finds no lower SS) with the sites near the truth."""
    rng = np.random.default_rng(42)
    x = np.repeat(np.arange(-12.5, -3.9, 0.5), 2)
    for gap in (1.5, 2.0, 3.0, 4.0):
        for fraction in (0.2, 0.5, 0.8):
            truth = (5000.0, 400.0, -10.0, -10.0 + gap, fraction)
            y = prism_two_site(x, *truth) + rng.normal(0, 40, x.size)
            fit = order_sites(fit_curve(TWO_SITE, x, y), x, y)
            popt, _ = optimize.curve_fit(prism_two_site, x, y, p0=truth, method="trf", jac="3-point", **TIGHT)
            ss_ref = float(np.sum((y - prism_two_site(x, *popt)) ** 2))
            assert fit.converged
            assert fit.ss <= ss_ref * (1 + 1e-9), (gap, fraction)
            assert fit.values["log_ic50_hi"] == pytest.approx(-10.0, abs=0.25), (gap, fraction)
            assert fit.values["log_ic50_lo"] == pytest.approx(-10.0 + gap, abs=0.25), (gap, fraction)


def test_guess_of_noise_free_data_is_on_the_grid_truth():
    x = np.repeat(np.arange(-12.0, -4.0, 0.5), 2)
    y = prism_two_site(x, 5000.0, 400.0, -9.5, -6.5, 0.4)
    guess = guess_two_site(x, y)
    # the truth lies on the 0.25-log grid, so the linear solve recovers everything exactly
    assert guess["log_ic50_hi"] == pytest.approx(-9.5, abs=1e-9)
    assert guess["log_ic50_lo"] == pytest.approx(-6.5, abs=1e-9)
    assert guess["fraction_hi"] == pytest.approx(0.4, rel=1e-6)
    assert guess["top"] == pytest.approx(5000.0, rel=1e-6)
    assert guess["bottom"] == pytest.approx(400.0, rel=1e-6)


def test_order_sites_relabels_a_reversed_fit_exactly():
    """Start the engine from the swapped labelling (a model whose guess swaps the sites): it converges to
    the mirror-image minimum; order_sites must return the fit of the normal labelling."""
    case = CASES[0]
    x, y, _ = case.data()
    reversed_model = replace(TWO_SITE, guess=lambda x, y, c=None: swap_sites(guess_two_site(x, y, c)))
    for ci in ("asymptotic", "profile"):
        mirror = fit_curve(reversed_model, x, y, ci=ci)
        normal = fit_curve(TWO_SITE, x, y, ci=ci)
        assert (
            mirror.values["log_ic50_hi"] > mirror.values["log_ic50_lo"]
        )  # the start held the labels swapped
        fixed = order_sites(mirror, x, y)
        for name in TWO_SITE.param_names:
            assert fixed.values[name] == pytest.approx(normal.values[name], rel=1e-7, abs=1e-9), name
            assert fixed.stderr[name] == pytest.approx(normal.stderr[name], rel=1e-4), name
            for a, b in zip(fixed.ci[name], normal.ci[name], strict=True):
                assert a == pytest.approx(b, rel=1e-5, abs=1e-6), (ci, name)
        np.testing.assert_allclose(fixed.covariance, normal.covariance, rtol=1e-4, atol=1e-10)
        for name in TWO_SITE.param_names:
            assert fixed.dependency[name] == pytest.approx(normal.dependency[name], abs=1e-6)


def test_order_sites_keeps_labels_tied_to_different_kds():
    case = CASES[5]  # two-site-ki with kd_nM != kd_lo_nM: swapping would change the curve
    x, y, _ = case.data()
    fit = fit_curve(TWO_SITE_KI, x, y, constants=case.consts)
    values = dict(fit.values, log_ki_hi=-7.0, log_ki_lo=-9.0)
    assert order_sites(replace(fit, values=values), x, y).values == values


def test_homologous_one_hot_concentration_recovers_kd_from_ic50_minus_hot():
    """Noise-free: the fit returns the truth, and its midpoint is Kd + Hot."""
    x = np.repeat(np.arange(-12.0, -5.5, 0.5), 2)
    hot = np.full(x.size, 0.8)
    y = prism_homologous(x, -8.7, 2500.0, 100.0, 0.8)
    fit = fit_curve(HOMOLOGOUS, x, y, data={"hot_nM": hot})
    assert fit.values["log_kd"] == pytest.approx(-8.7, abs=1e-8)
    assert fit.values["bmax"] == pytest.approx(2500.0, rel=1e-8)
    assert fit.values["bottom"] == pytest.approx(100.0, rel=1e-8, abs=1e-6)
