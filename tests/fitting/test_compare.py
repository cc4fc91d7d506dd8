"""Model comparison (extra-sum-of-squares F test, AICc) against hand computation from independent fits.

The sums of squares come from scipy's ``curve_fit`` of Prism's equations typed here; F, its P value (from
``scipy.stats.f``), AIC, AICc and the AICc probability are then computed by hand with Prism's formulas:
``F = ((SS1 - SS2)/(DF1 - DF2)) / (SS2/DF2)``, ``AIC = N ln(SS/N) + 2K``, ``AICc = AIC + 2K(K+1)/(N-K-1)``,
``K`` = fitted parameters + 1, ``P(complex) = exp(-0.5 d)/(1 + exp(-0.5 d))`` with ``d = AICc2 - AICc1``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats

from assaykit.fitting import COMPETITION_MODELS, aicc, compare_fits, f_test, fit_curve

TIGHT = {"ftol": 1e-15, "xtol": 1e-15, "gtol": 1e-15, "max_nfev": 20_000, "method": "trf", "jac": "3-point"}


def one_site(x, top, bottom, log_ic50):
    return bottom + (top - bottom) / (1.0 + 10.0 ** (x - log_ic50))


def four_pl(x, top, bottom, log_ic50, hill):
    return bottom + (top - bottom) / (1.0 + 10.0 ** ((log_ic50 - x) * hill))


def two_site(x, top, bottom, log_hi, log_lo, fraction):
    span = top - bottom
    with np.errstate(over="ignore"):  # far-off starts of the sweep: 1/(1 + inf) = 0 is right
        hi, lo = 1 / (1 + 10 ** (x - log_hi)), 1 / (1 + 10 ** (x - log_lo))
    return bottom + span * fraction * hi + span * (1 - fraction) * lo


def scipy_ss(f, x, y, p0) -> float:
    popt, _ = optimize.curve_fit(f, x, y, p0=p0, **TIGHT)
    return float(np.sum((y - f(x, *popt)) ** 2))


def hand_aicc(ss: float, n: int, params: int) -> float:
    k = params + 1
    aic = n * math.log(ss / n) + 2 * k
    return aic + 2 * k * (k + 1) / (n - k - 1)


def two_site_ss(x, y) -> float:
    """The least two-site SS over a sweep of starts (the SS surface has several local minima)."""
    best = math.inf
    for hi in (-10.0, -9.0, -8.5, -8.0):
        for lo in (-7.5, -7.0, -6.5, -6.0):
            for fraction in (0.2, 0.5, 0.8):
                try:
                    popt, _ = optimize.curve_fit(
                        two_site, x, y, p0=[5000, 400, hi, lo, fraction], maxfev=3000
                    )
                except RuntimeError:
                    continue
                best = min(best, scipy_ss(two_site, x, y, popt))  # polished with the tight settings
    return best


@pytest.mark.filterwarnings("ignore::scipy.optimize.OptimizeWarning")  # from degenerate starts of the sweep
@pytest.mark.parametrize(
    ("truth", "noise", "seed"),
    [
        ((5000, 400, -9.5, -6.5, 0.4), 60, 1),
        ((5000, 400, -8.8, -7.0, 0.3), 60, 2),
        ((5000, 400, -8.6, -7.4, 0.5), 60, 3),
        ((5000, 400, -8.4, -7.6, 0.5), 150, 3),  # two sites too close for these data: F not significant
        ((5000, 400, -8.4, -7.6, 0.5), 150, 2),  # two local minima of the two-site SS
    ],
    ids=["two-sites", "minor-high-site", "close-sites", "not-significant", "two-minima"],
)
def test_one_vs_two_sites_f_and_aicc_by_hand(truth, noise, seed):
    rng = np.random.default_rng(seed)
    x = np.repeat(np.arange(-12.0, -3.9, 0.5), 3)
    y = two_site(x, *truth) + rng.normal(0, noise, x.size)
    n = x.size
    ss1 = scipy_ss(one_site, x, y, [5000, 400, -8.0])
    ss2 = two_site_ss(x, y)
    df1, df2 = n - 3, n - 5
    f_hand = ((ss1 - ss2) / (df1 - df2)) / (ss2 / df2)
    p_hand = stats.f.sf(f_hand, df1 - df2, df2)
    a1, a2 = hand_aicc(ss1, n, 3), hand_aicc(ss2, n, 5)
    d = a2 - a1
    prob = math.exp(-0.5 * d) / (1 + math.exp(-0.5 * d))

    simple = fit_curve(COMPETITION_MODELS["one-site"], x, y)
    complex_ = fit_curve(COMPETITION_MODELS["two-site"], x, y)
    result = compare_fits(simple, complex_)
    assert (result.simpler, result.complex) == ("one-site", "two-site")
    assert result.ss_simple == pytest.approx(ss1, rel=1e-9)
    assert result.ss_complex == pytest.approx(ss2, rel=1e-9)
    assert (result.df_simple, result.df_complex) == (df1, df2)
    assert result.aicc_simple == pytest.approx(a1, rel=1e-9, abs=1e-9)
    assert result.aicc_complex == pytest.approx(a2, rel=1e-9, abs=1e-9)
    assert result.delta_aicc == pytest.approx(d, abs=1e-7)
    assert result.prob_complex == pytest.approx(prob, rel=1e-7, abs=1e-12)
    if complex_.ambiguous:  # Prism: an ambiguous fit is never preferred, and no test is run
        assert result.preferred == "one-site" and "ambiguous" in result.note and math.isnan(result.f)
    else:
        assert result.f == pytest.approx(f_hand, rel=1e-6)
        assert result.p_value == pytest.approx(p_hand, rel=1e-5, abs=1e-300)
        assert result.preferred == ("two-site" if p_hand < 0.05 else "one-site")
    if seed == 1:
        assert result.preferred == "two-site" and result.p_value < 1e-10 and result.prob_complex > 0.999
    if noise == 150 and seed == 3:
        assert result.preferred == "one-site" and result.p_value > 0.05


def test_fixed_vs_variable_hill_slope_by_hand():
    rng = np.random.default_rng(7)
    x = np.repeat(np.arange(-11.0, -5.9, 0.5), 3)
    y = four_pl(x, 3000, 200, -8.2, -0.7) + rng.normal(0, 40, x.size)
    n = x.size
    ss1 = scipy_ss(one_site, x, y, [3000, 200, -8.0])
    ss2 = scipy_ss(four_pl, x, y, [3000, 200, -8.0, -1.0])
    f_hand = (ss1 - ss2) / (ss2 / (n - 4))
    result = compare_fits(
        fit_curve(COMPETITION_MODELS["one-site"], x, y), fit_curve(COMPETITION_MODELS["4pl"], x, y)
    )
    assert result.f == pytest.approx(f_hand, rel=1e-6)
    assert result.p_value == pytest.approx(stats.f.sf(f_hand, 1, n - 4), rel=1e-5)
    assert result.delta_aicc == pytest.approx(hand_aicc(ss2, n, 4) - hand_aicc(ss1, n, 3), abs=1e-7)
    assert result.preferred == "4pl"  # a slope of -0.7 with this little noise is detected


def test_functions_by_hand_values():
    # N = 20, SS = 20 (ln 1 = 0), 3 parameters: K = 4, AIC = 8, AICc = 8 + 2*4*5/(20-4-1) = 8 + 40/15
    assert aicc(20.0, 20, 3) == pytest.approx(8.0 + 40.0 / 15.0, rel=1e-14)
    assert math.isnan(aicc(1.0, 5, 3))  # N - K - 1 = 0
    # SS 10 -> 6 with DF 12 -> 10: F = (4/2)/(6/10) = 10/3
    f, p = f_test(10.0, 12, 6.0, 10)
    assert f == pytest.approx(10.0 / 3.0, rel=1e-14)
    assert p == pytest.approx(stats.f.sf(10.0 / 3.0, 2, 10), rel=1e-12)
    f, p = f_test(6.0, 12, 10.0, 10)  # the complex model fits worse
    assert f < 0 and p == 1.0
    with pytest.raises(ValueError, match="DF"):
        f_test(10.0, 10, 6.0, 10)


def test_ambiguous_or_failed_fit_loses_without_a_test():
    x = np.repeat(np.arange(-11.0, -5.9, 0.5), 3)
    rng = np.random.default_rng(3)
    y = 3000.0 + rng.normal(0, 30, x.size)  # flat: nothing is displaced
    simple = fit_curve(COMPETITION_MODELS["one-site"], x, y)
    complex_ = fit_curve(COMPETITION_MODELS["two-site"], x, y)
    assert complex_.ambiguous and simple.ambiguous
    both = compare_fits(simple, complex_)
    assert both.preferred == "" and "no model preferred" in both.note
    # one ambiguous fit: the other model wins, no F test
    x2 = np.repeat(np.arange(-12.0, -3.9, 0.5), 3)
    y2 = one_site(x2, 5000, 400, -8.0) + rng.normal(0, 50, x2.size)
    good = fit_curve(COMPETITION_MODELS["one-site"], x2, y2)
    ambiguous = fit_curve(COMPETITION_MODELS["two-site"], x2, y2)
    if ambiguous.ambiguous:
        result = compare_fits(good, ambiguous)
        assert result.preferred == "one-site" and math.isnan(result.p_value)
        assert "two-site fit is ambiguous" in result.note
    failed = compare_fits(good, None, names=("one-site", "two-site"))
    assert failed.preferred == "one-site" and "could not be fitted" in failed.note
    assert math.isnan(failed.ss_complex) and math.isnan(failed.df_complex)


def test_same_df_and_different_points_are_errors():
    x = np.repeat(np.arange(-11.0, -5.9, 0.5), 3)
    y = one_site(x, 3000, 200, -8.0) + np.random.default_rng(1).normal(0, 30, x.size)
    fit = fit_curve(COMPETITION_MODELS["one-site"], x, y)
    with pytest.raises(ValueError, match="same DF"):
        compare_fits(fit, fit)
    other = fit_curve(COMPETITION_MODELS["4pl"], x[:-3], y[:-3])
    with pytest.raises(ValueError, match="different points"):
        compare_fits(fit, other)
