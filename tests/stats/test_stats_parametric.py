"""Tests on means against independent computations: Dunnett (published example, table), Welch, ANOVA, trend.

Dunnett's test is checked three ways on the blood-count example of Dunnett (1955, J Am Stat Assoc
50:1096-1121, section 4): the t statistics against a direct numpy computation with the pooled SD; the
two-sided 95% critical value for 2 treatments and 12 df against Dunnett's published table (2.50); and the
adjusted p-values and simultaneous intervals against R's multcomp::glht (as recorded in scipy's test suite)
and against an independent numerical integration of the multivariate t written here. On more data sets,
against multcomp and the one-factor integral in R (tests/stats/reference/dunnett.R). Dunnett's T3 and
Welch's ANOVA against tests/stats/reference/t3_welch.R.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize, special, stats
from statsmodels.stats.oneway import anova_oneway

from assaykit.stats.parametric import (
    dose_steps,
    dunnett_t3_vs_control,
    dunnett_vs_control,
    linear_trend,
    one_way_anova,
    pooled_variance,
    welch_anova,
    welch_t,
)
from assaykit.stats.simultaneous import max_modulus_sf

REFERENCE = Path(__file__).parent / "reference"

# Dunnett (1955), blood counts (millions of cells per cubic mm) of three groups of animals.
CONTROL = np.array([7.40, 8.50, 7.20, 8.24, 9.84, 8.32])
DRUG_A = np.array([9.76, 8.80, 7.68, 9.36])
DRUG_B = np.array([12.80, 9.68, 12.16, 9.20, 10.55])

# R multcomp::glht(aov(...), linfct = mcp(group = "Dunnett")) on the same data, as recorded in scipy's
# test suite (scipy/stats/tests/test_multicomp.py)
R_STATISTIC = [0.85703, 3.69375]
R_P_TWO_SIDED = [0.6201020, 0.0058254]
R_CI_LOW = [-1.2564116462124, 0.8396273539789]
R_CI_HIGH = [2.5564116462124, 4.4163726460211]


def dunnett_cdf(c: float, n_groups: list[int], n_control: int, df: int) -> float:
    """P(max_i |T_i| <= c) for Dunnett's statistics, by direct two-dimensional quadrature.

    With Z_0 the standardised control mean and U = s / sigma ~ sqrt(chi2_df / df), the comparisons are
    independent given (Z_0, U): T_i = (sqrt(1 - l_i**2) Z_i - l_i Z_0) / U with l_i = sqrt(n_i / (n_i + n_0))
    (Dunnett 1955, section 2). Gauss-Hermite nodes over Z_0, Gauss-Legendre over U. Nothing here comes from
    scipy.stats.dunnett or multivariate_t.
    """
    lam = np.sqrt(np.asarray(n_groups, dtype=float) / (np.asarray(n_groups, dtype=float) + n_control))
    spread = np.sqrt(1.0 - lam**2)
    z, wz = np.polynomial.hermite_e.hermegauss(40)
    wz = wz / math.sqrt(2.0 * math.pi)
    top = 1.0 + 12.0 / math.sqrt(df)
    x, wx = np.polynomial.legendre.leggauss(120)
    u = (x + 1.0) * top / 2.0
    wu = wx * top / 2.0 * stats.chi.pdf(u, df, scale=1.0 / math.sqrt(df))
    inside = np.ones((u.size, z.size))
    for l_i, s_i in zip(lam, spread, strict=True):
        inside *= special.ndtr((c * u[:, None] + l_i * z) / s_i) - special.ndtr(
            (-c * u[:, None] + l_i * z) / s_i
        )
    return float(wu @ inside @ wz)


def dunnett_critical(n_groups: list[int], n_control: int, df: int, level: float = 0.95) -> float:
    return optimize.brentq(lambda c: dunnett_cdf(c, n_groups, n_control, df) - level, 1.0, 6.0, xtol=1e-9)


@pytest.fixture(scope="module")
def blood() -> object:
    return dunnett_vs_control([DRUG_A, DRUG_B], CONTROL)


def test_dunnett_statistics_are_pooled_t_by_numpy(blood: object) -> None:
    groups = [CONTROL, DRUG_A, DRUG_B]
    n_total = sum(g.size for g in groups)
    s2 = sum(((g - g.mean()) ** 2).sum() for g in groups) / (n_total - 3)
    expected = [
        (g.mean() - CONTROL.mean()) / math.sqrt(s2 * (1 / g.size + 1 / CONTROL.size)) for g in groups[1:]
    ]
    np.testing.assert_allclose(blood.statistic, expected, rtol=1e-12)
    np.testing.assert_allclose(blood.statistic, R_STATISTIC, atol=5e-6)
    assert blood.df == 12
    # unadjusted p: the same t on 12 df
    np.testing.assert_allclose(blood.p_value, 2 * stats.t.sf(np.abs(expected), 12), rtol=1e-12)


def test_dunnett_critical_value_matches_dunnetts_table() -> None:
    # Dunnett (1955) Table 2a: two-sided 95%, p = 2 treatments, 12 df: 2.50 (equal group sizes, rho = 0.5).
    # The quadrature above gives it, and so does the interval of the library (three groups of 5: 12 df).
    assert dunnett_critical([5, 5], 5, 12) == pytest.approx(2.50, abs=0.005)
    rng = np.random.default_rng(3)
    control, a, b = (rng.normal(10, 2, 5) for _ in range(3))
    family = dunnett_vs_control([a, b], control)
    se = math.sqrt(pooled_variance([control, a, b])[0] * (1 / 5 + 1 / 5))
    implied = (family.ci_high - family.ci_low) / (2 * se)
    np.testing.assert_allclose(implied, 2.50, atol=0.005)


def test_dunnett_blood_count_against_r_and_independent_integration(blood: object) -> None:
    # Unequal n (6, 4, 5): correlation sqrt(4*5/(10*11)) = 0.43, so the critical value is a little above 2.50.
    critical = dunnett_critical([4, 5], 6, 12)
    assert critical == pytest.approx(2.5135, abs=5e-4)
    exact_p = [1 - dunnett_cdf(abs(t), [4, 5], 6, 12) for t in blood.statistic]
    np.testing.assert_allclose(exact_p, R_P_TWO_SIDED, atol=2e-7)  # the quadrature reproduces R
    np.testing.assert_allclose(blood.p_adjusted, exact_p, atol=1e-9)
    np.testing.assert_allclose(blood.p_adjusted, R_P_TWO_SIDED, atol=1e-7)  # R's 7 printed digits
    assert blood.critical_value == pytest.approx(critical, abs=1e-7)
    # scipy's record of multcomp's confint with its default qmvt (GenzBretz abseps 1e-3, a stochastic root
    # search): its critical value is 1.5e-4 above the exact one, so its limits are 1.1e-4 wider
    np.testing.assert_allclose(blood.ci_low, R_CI_LOW, atol=2e-4)
    np.testing.assert_allclose(blood.ci_high, R_CI_HIGH, atol=2e-4)
    assert np.all(blood.ci_low > R_CI_LOW) and np.all(blood.ci_high < R_CI_HIGH)
    se = np.sqrt(pooled_variance([CONTROL, DRUG_A, DRUG_B])[0] * (1 / np.array([4, 5]) + 1 / 6))
    np.testing.assert_allclose((blood.ci_high - blood.ci_low) / (2 * se), blood.critical_value, rtol=1e-12)
    assert (blood.ci_type, blood.adjustment) == ("simultaneous", "dunnett")
    # Dunnett's conclusion: drug B differs from the control, drug A does not
    assert blood.p_adjusted[0] > 0.05 > blood.p_adjusted[1]


def test_dunnett_far_tail_stays_between_its_exact_bounds() -> None:
    # a huge effect (t = 74, p ~ 1e-18): the adjusted p lies within [raw p, Sidak bound], never 0
    far = dunnett_vs_control([CONTROL + 40, DRUG_A], CONTROL)
    raw, adjusted = far.p_value[0], far.p_adjusted[0]
    assert 0 < raw <= adjusted <= -math.expm1(2 * math.log1p(-raw))  # 1 - (1 - raw)**2 without rounding


def test_dunnett_seed_is_deprecated_and_ignored(blood: object) -> None:
    with pytest.warns(DeprecationWarning, match="ignored"):
        seeded = dunnett_vs_control([DRUG_A, DRUG_B], CONTROL, seed=1)
    np.testing.assert_array_equal(seeded.p_adjusted, blood.p_adjusted)


DUNNETT_SETS = ["blood", "equal_3", "unequal_5", "equal_6", "tiny_2", "large_effect"]


@pytest.mark.parametrize("name", DUNNETT_SETS)
def test_dunnett_against_r_multcomp_and_r_quadrature(name: str) -> None:
    # tests/stats/reference/dunnett.R: multcomp::glht(aov(y ~ g), mcp(g = "Dunnett")) (GenzBretz, abseps
    # 1e-10 for p; qmvt with abseps and ptol 1e-8 for confint) and the one-factor integral by integrate()
    ref = json.loads((REFERENCE / "dunnett.json").read_text())["sets"][name]
    groups = [np.asarray(g, dtype=float) for g in ref["groups"]]
    family = dunnett_vs_control(groups[1:], groups[0])
    assert family.df == ref["df"]
    np.testing.assert_allclose(family.statistic, ref["statistic"], rtol=1e-10)
    # multcomp's unadjusted p is 1 - pt(): its absolute error is about 1e-16
    np.testing.assert_allclose(family.p_value, ref["p_value"], rtol=1e-9, atol=1e-15)
    expected = np.asarray(ref["p_integrate"])
    np.testing.assert_allclose(family.p_adjusted, expected, atol=1e-8)
    small = expected < 1e-6
    np.testing.assert_allclose(family.p_adjusted[small], expected[small], rtol=1e-6)
    # multcomp's GenzBretz runs out of its 1e7 points before abseps 1e-10 for 3 or more comparisons and
    # reports its error bound (up to 4e-7): within 3 times that, and never looser than 1e-8
    np.testing.assert_allclose(
        family.p_adjusted, ref["p_multcomp"], atol=max(1e-8, 3 * ref["p_multcomp_error"])
    )
    assert family.critical_value == pytest.approx(ref["critical_integrate"], abs=1e-8)
    estimate, se = np.asarray(ref["estimate"]), np.asarray(ref["se"])
    np.testing.assert_allclose(family.ci_low, estimate - ref["critical_integrate"] * se, atol=1e-8)
    np.testing.assert_allclose(family.ci_high, estimate + ref["critical_integrate"] * se, atol=1e-8)
    # multcomp's confint: its critical value comes from qmvt's stochastic root search at abseps 1e-5 and
    # ptol 1e-4 (tighter settings did not finish; see the R script), good to a few 1e-5 in d
    assert family.critical_value == pytest.approx(ref["critical_multcomp"], abs=2e-4)
    np.testing.assert_allclose(family.ci_low, ref["ci_low_multcomp"], atol=2e-4 * se.max())
    np.testing.assert_allclose(family.ci_high, ref["ci_high_multcomp"], atol=2e-4 * se.max())


def test_dunnett_large_effect_reaches_a_tiny_p() -> None:
    # the large-effect set's smallest adjusted p is 4.1e-11 (the R quadrature), checked above to 1e-6 relative
    ref = json.loads((REFERENCE / "dunnett.json").read_text())["sets"]["large_effect"]
    assert 1e-12 < min(ref["p_integrate"]) < 1e-8


def test_welch_t_and_df_by_formula() -> None:
    x = np.array([31.2, 44.0, 38.5, 52.1, 40.3, 36.6])
    y = np.array([20.1, 25.3, 18.8, 30.2])
    vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    t = (x.mean() - y.mean()) / math.sqrt(vx + vy)
    df = (vx + vy) ** 2 / (vx**2 / (x.size - 1) + vy**2 / (y.size - 1))
    result = welch_t(x, y)
    assert result.statistic == pytest.approx(t, rel=1e-12)
    assert result.df == pytest.approx(df, rel=1e-12)
    assert result.p_value == pytest.approx(2 * stats.t.sf(abs(t), df), rel=1e-10)
    half = stats.t.ppf(0.975, df) * math.sqrt(vx + vy)
    assert (result.ci_low, result.ci_high) == pytest.approx(
        (x.mean() - y.mean() - half, x.mean() - y.mean() + half)
    )


def test_welch_t_with_one_constant_group_and_with_none_varying() -> None:
    result = welch_t(np.array([3.0, 5.0, 7.0]), np.array([19.05, 19.05]))
    assert result.df == pytest.approx(2.0)  # all the variance comes from the first group
    assert math.isnan(welch_t(np.array([1.0, 1.0]), np.array([2.0, 2.0])).statistic)


def test_one_way_anova_by_formula() -> None:
    groups = [CONTROL, DRUG_A, DRUG_B]
    values = np.concatenate(groups)
    between = sum(g.size * (g.mean() - values.mean()) ** 2 for g in groups) / 2
    within = sum(((g - g.mean()) ** 2).sum() for g in groups) / (values.size - 3)
    result = one_way_anova(groups)
    assert result.statistic == pytest.approx(between / within, rel=1e-12)
    assert (result.df, result.df_error) == (2, 12)
    assert result.p_value == pytest.approx(stats.f.sf(between / within, 2, 12), rel=1e-10)


def test_linear_trend_by_formula_and_two_groups_equal_pooled_t() -> None:
    rng = np.random.default_rng(11)
    groups = [rng.normal(mu, 3.0, n) for mu, n in ((10, 8), (12, 7), (15, 9), (19, 8))]
    doses = [0.0, 1.0, 3.0, 10.0]
    c = np.array([-1.5, -0.5, 0.5, 1.5])  # equally spaced steps, centred
    means = np.array([g.mean() for g in groups])
    sizes = np.array([g.size for g in groups])
    s2 = sum(((g - g.mean()) ** 2).sum() for g in groups) / (sizes.sum() - 4)
    t = (c @ means) / math.sqrt(s2 * (c**2 / sizes).sum())
    result = linear_trend(groups, doses)
    assert result.statistic == pytest.approx(t, rel=1e-12)
    assert result.df == sizes.sum() - 4
    assert result.estimate == pytest.approx(np.polyfit([0, 1, 2, 3], means, 1)[0], rel=1e-12)
    # two groups: the contrast is Student's pooled t-test
    two = linear_trend(groups[:2], [0.0, 5.0])
    student = stats.ttest_ind(groups[1], groups[0], equal_var=True)
    assert two.statistic == pytest.approx(student.statistic, rel=1e-12)
    assert two.p_value == pytest.approx(student.pvalue, rel=1e-10)


def test_dose_steps_are_dense_ranks() -> None:
    np.testing.assert_array_equal(dose_steps([0, 10, 1, 3, 10]), [0, 3, 1, 2, 3])


T3_SETS = ["spread_3", "unequal_4", "two", "large_effect"]


def _t3_reference(name: str) -> dict:
    return json.loads((REFERENCE / "t3_welch.json").read_text())["sets"][name]


@pytest.mark.parametrize("name", T3_SETS)
def test_welch_anova_against_r_oneway_test_and_statsmodels(name: str) -> None:
    # tests/stats/reference/t3_welch.R: oneway.test(y ~ g, var.equal = FALSE)
    ref = _t3_reference(name)
    groups = [np.asarray(g, dtype=float) for g in ref["groups"]]
    result = welch_anova(groups)
    assert result.statistic == pytest.approx(ref["welch_f"], rel=1e-12)
    assert result.df == ref["welch_df"]
    assert result.df_error == pytest.approx(ref["welch_df_error"], rel=1e-12)
    assert result.p_value == pytest.approx(ref["welch_p"], rel=1e-9, abs=1e-300)
    other = anova_oneway(groups, use_var="unequal", welch_correction=True)
    assert result.statistic == pytest.approx(other.statistic, rel=1e-12)
    assert result.df_error == pytest.approx(other.df_denom, rel=1e-12)


def test_welch_anova_with_a_constant_group_is_nan() -> None:
    result = welch_anova([np.array([1.0, 2.0, 3.0]), np.array([4.0, 4.0, 4.0])])
    assert math.isnan(result.statistic) and math.isnan(result.p_value) and result.df == 1
    with pytest.raises(ValueError, match="at least 2"):
        welch_anova([np.array([1.0, 2.0]), np.array([3.0])])


@pytest.mark.parametrize("name", T3_SETS)
def test_dunnett_t3_against_r(name: str) -> None:
    # Welch t and df by hand in R; SMM tail E_S[1 - (1 - 2 pnorm(-c S))^m] by integrate(); c by uniroot()
    ref = _t3_reference(name)
    groups = [np.asarray(g, dtype=float) for g in ref["groups"]]
    family = dunnett_t3_vs_control(groups[1:], groups[0])
    np.testing.assert_allclose(family.statistic, ref["statistic"], rtol=1e-12)
    np.testing.assert_allclose(family.df, ref["df"], rtol=1e-12)
    np.testing.assert_allclose(family.p_value, ref["p_value"], rtol=1e-10)
    np.testing.assert_allclose(family.p_adjusted, ref["p_adjusted"], atol=1e-8, rtol=1e-6)
    np.testing.assert_allclose(family.critical_value, ref["critical"], rtol=1e-8)
    np.testing.assert_allclose(family.ci_low, ref["ci_low"], rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(family.ci_high, ref["ci_high"], rtol=1e-8, atol=1e-8)
    assert (family.ci_type, family.adjustment) == ("simultaneous", "dunnett_t3")


@pytest.mark.parametrize("name", ["spread_3", "two", "large_effect"])
def test_studentized_maximum_modulus_against_tvpack(name: str) -> None:
    # the same tail at the rounded (integer) df by mvtnorm's TVPACK, for up to 3 statistics
    ref = _t3_reference(name)
    m = len(ref["groups"]) - 1
    for t, df, p in zip(ref["statistic"], ref["df_rounded"], ref["p_tvpack_rounded_df"], strict=True):
        assert max_modulus_sf(abs(t), np.zeros(m), df) == pytest.approx(p, abs=1e-10, rel=1e-6)
