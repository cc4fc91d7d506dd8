"""The maximum modulus of one-factor correlated t / normal statistics against R and published tables.

Reference values: ``tests/stats/reference/simultaneous.R`` (mvtnorm's TVPACK for 2-3 t statistics at integer
df, Miwa for 2-3 normal ones, and the one-factor double integral coded independently with nested
``integrate()`` for 2-9 statistics), over loadings, df (2, 5, 12, 40, inf) and c from 0.3 to p ~ 1e-9.
Dunnett's two-sided 5% critical values for equal n are those of Dunnett (1964, Biometrics 20:482-491,
Table II), to their printed 2 decimals.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from assaykit.stats.simultaneous import (
    max_modulus_quantile,
    max_modulus_sf,
    max_modulus_sf_general,
    one_factor_loadings,
    simultaneous_p,
)

REFERENCE = json.loads((Path(__file__).parent / "reference" / "simultaneous.json").read_text())
CASES = REFERENCE["cases"]


def _df(value: object) -> float:
    return math.inf if value == "inf" else float(value)


def _close(got: float, expected: float, *, atol: float, rtol_small: float) -> bool:
    """Within ``atol``, and within ``rtol_small`` relative when the expected p is below 1e-6."""
    if abs(got - expected) > atol:
        return False
    return expected >= 1e-6 or abs(got - expected) <= rtol_small * expected


def test_reference_grid_is_what_the_brief_asks_for() -> None:
    ks = {c["k"] for c in CASES}
    assert ks == set(range(2, 10))
    assert {str(c["df"]) for c in CASES} == {"2", "5", "12", "40", "inf"}
    assert min(c["p_integrate"] for c in CASES) < 2e-9  # down to p ~ 1e-9
    assert sum(c["p_mvtnorm"] is not None for c in CASES) >= 300


def test_against_r_integrate_all_cases() -> None:
    bad = []
    for case in CASES:
        p = max_modulus_sf(case["c"], case["loadings"], _df(case["df"]))
        if not _close(p, case["p_integrate"], atol=1e-8, rtol_small=1e-6):
            bad.append((case["k"], case["set"], case["df"], case["c"], p, case["p_integrate"]))
    assert not bad, bad[:10]


def test_against_mvtnorm_tvpack_and_miwa() -> None:
    # Inclusion-exclusion over sign orthants, so the tail is not 1 - (1 - p). TVPACK (abseps 1e-14 per
    # orthant) agrees to 1e-12 absolute and 1e-6 relative. Miwa's 4096 grid steps carry an absolute error
    # of up to 3e-10 with loadings near 0.95 (the integrate() reference agrees with the quadrature to 2e-11
    # on the same cases), so against Miwa the check is absolute, 1e-9.
    bad = []
    for case in CASES:
        if case["p_mvtnorm"] is None:
            continue
        p = max_modulus_sf(case["c"], case["loadings"], _df(case["df"]))
        expected = case["p_mvtnorm"]
        tvpack = "TVPACK" in case["mvtnorm"]
        limit = 1e-12 + 1e-6 * expected if tvpack else 1e-9
        if abs(p - expected) > limit:
            bad.append((case["k"], case["set"], case["df"], case["c"], p, expected))
    assert not bad, bad[:10]


# Dunnett (1964), Table II: two-sided 95% critical values for p = 1..9 treatments with equal n (rho = 1/2).
DUNNETT_1964_5PCT = {
    5: [2.57, 3.03, 3.29, 3.48, 3.62, 3.73, 3.82, 3.90, 3.97],
    10: [2.23, 2.57, 2.76, 2.89, 2.99, 3.07, 3.14, 3.19, 3.24],
    20: [2.09, 2.38, 2.54, 2.65, 2.73, 2.80, 2.86, 2.90, 2.95],
    60: [2.00, 2.27, 2.41, 2.51, 2.58, 2.64, 2.69, 2.73, 2.77],
    math.inf: [1.96, 2.21, 2.35, 2.44, 2.51, 2.57, 2.61, 2.65, 2.69],
}


@pytest.mark.parametrize("df", list(DUNNETT_1964_5PCT))
def test_dunnett_1964_two_sided_5pct_table(df: float) -> None:
    got = [max_modulus_quantile(0.05, np.full(p, math.sqrt(0.5)), df) for p in range(1, 10)]
    np.testing.assert_allclose(got, DUNNETT_1964_5PCT[df], atol=0.005 + 1e-9)


def test_equal_n_critical_values_at_5_and_1_pct_against_r_uniroot() -> None:
    # simultaneous.R: uniroot() on the integrate() tail, tol 1e-10, for the cells of Dunnett's 1964 tables
    for cell in REFERENCE["dunnett_equal_n_critical"]:
        loadings = np.full(cell["p"], math.sqrt(0.5))
        got = max_modulus_quantile(cell["alpha"], loadings, _df(cell["df"]))
        assert got == pytest.approx(cell["c"], abs=1e-8), cell


def test_closed_forms() -> None:
    c = np.array([0.5, 2.0, 4.0])
    # one statistic: the two-sided t (or normal) tail
    np.testing.assert_allclose(max_modulus_sf(c, [0.0], 7), 2 * stats.t.sf(c, 7), rtol=1e-11)
    np.testing.assert_allclose(max_modulus_sf(c, [0.0]), 2 * stats.norm.sf(c), rtol=1e-11)
    # independent normal statistics: 1 - (1 - 2 Phi(-c))**k
    np.testing.assert_allclose(
        max_modulus_sf(c, np.zeros(4)), 1 - (1 - 2 * stats.norm.sf(c)) ** 4, rtol=1e-11
    )
    assert max_modulus_sf(0.0, [0.5, 0.5], 5) == 1.0
    assert max_modulus_sf(math.inf, [0.5, 0.5], 5) == 0.0
    assert math.isnan(max_modulus_sf(math.nan, [0.5, 0.5], 5))
    # far tails keep relative precision: between the single-statistic p and Bonferroni's bound
    for df in (2.0, 12.0, math.inf):
        single = 2 * (stats.t.sf(30.0, df) if math.isfinite(df) else stats.norm.sf(30.0))  # 1e-197 for z
        p = max_modulus_sf(30.0, [0.7, 0.7, 0.7], df)
        assert single < p < 3 * single


def test_quantile_inverts_the_tail() -> None:
    for loadings, df in (([0.3, 0.6, 0.9], 5.5), ([0.0, 0.0], 3.0), (np.full(6, 0.7), math.inf)):
        for prob in (0.1, 0.05, 0.01, 1e-4):
            c = max_modulus_quantile(prob, loadings, df)
            assert max_modulus_sf(c, loadings, df) == pytest.approx(prob, rel=1e-10)


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="loadings"):
        max_modulus_sf(2.0, [0.5, 1.0])
    with pytest.raises(ValueError, match="df"):
        max_modulus_sf(2.0, [0.5], 0.0)
    with pytest.raises(ValueError, match="at least one"):
        max_modulus_sf(2.0, [])
    with pytest.raises(ValueError, match="probability"):
        max_modulus_quantile(1.0, [0.5])


def test_one_factor_loadings() -> None:
    sizes, n0 = np.array([4.0, 5.0, 9.0, 7.0]), 6.0
    lam = np.sqrt(sizes / (sizes + n0))
    corr = np.outer(lam, lam)
    np.fill_diagonal(corr, 1.0)
    np.testing.assert_allclose(one_factor_loadings(corr), lam, rtol=1e-12)
    np.testing.assert_array_equal(one_factor_loadings(np.eye(3)), np.zeros(3))
    np.testing.assert_array_equal(one_factor_loadings(np.eye(1)), np.zeros(1))
    two = one_factor_loadings(np.array([[1.0, 0.36], [0.36, 1.0]]))
    np.testing.assert_allclose(two, [0.6, 0.6])
    # not one-factor: a negative correlation; a loading that would reach 1; an entry off the model
    assert one_factor_loadings(np.array([[1.0, -0.3], [-0.3, 1.0]])) is None
    assert one_factor_loadings(np.array([[1, 0.5, 0.5], [0.5, 1, 0.1], [0.5, 0.1, 1]])) is None
    off = corr.copy()
    off[0, 3] = off[3, 0] = corr[0, 3] + 1e-3
    assert one_factor_loadings(off) is None


def test_simultaneous_p_takes_the_quadrature_or_qmc_branch() -> None:
    lam = np.array([0.5, 0.6, 0.7])
    corr = np.outer(lam, lam)
    np.fill_diagonal(corr, 1.0)
    t = np.array([0.8, -2.4, np.nan])
    p, method = simultaneous_p(t, corr, 15)
    assert method == "quadrature"
    np.testing.assert_allclose(p[:2], max_modulus_sf(np.abs(t[:2]), lam, 15), rtol=1e-14)
    assert math.isnan(p[2])
    # a negative correlation is not one-factor: QMC. Flipping the sign of one statistic leaves max |T|
    # unchanged, so P(max |T| >= c) with correlation -0.5 is the quadrature's with loadings sqrt(0.5).
    flipped = np.array([[1.0, -0.5], [-0.5, 1.0]])
    for df in (8.0, math.inf):
        p, method = simultaneous_p(np.array([1.1, 2.7]), flipped, df)
        assert method == "qmc"
        exact = max_modulus_sf(np.array([1.1, 2.7]), np.full(2, math.sqrt(0.5)), df)
        np.testing.assert_allclose(p, exact, atol=1e-5)
    assert max_modulus_sf_general(2.0, np.eye(1), 4) == pytest.approx(2 * stats.t.sf(2.0, 4), rel=1e-12)
