"""many_to_one against mvtnorm (tests/stats/reference/contrasts.R) and against closed forms."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from assaykit.stats.contrasts import estimable, many_to_one

EXPECTED = json.loads((Path(__file__).parent / "reference" / "contrasts.json").read_text())


@pytest.mark.parametrize(
    ("name", "adjustment", "p_tol", "c_tol"),
    [
        # GenzBretz at abseps 1e-6 for t, Miwa for z; the one-factor cases are exact on our side
        ("one_factor_t", "dunnett", 3e-6, 1e-5),
        ("one_factor_z", "dunnett", 1e-7, 1e-6),
        ("general_t", "dunnett-qmc", 1e-5, 1e-4),
        ("general_z", "dunnett-qmc", 1e-6, 1e-5),
    ],
)
def test_many_to_one_matches_mvtnorm(name: str, adjustment: str, p_tol: float, c_tol: float) -> None:
    ref = EXPECTED[name]
    df = math.inf if ref["df"] == "inf" else ref["df"]
    result = many_to_one(ref["estimates"], np.array(ref["covariance"]), df)
    assert result.adjustment == adjustment
    np.testing.assert_allclose(result.statistic, ref["statistic"], rtol=1e-12)
    np.testing.assert_allclose(result.p_value, ref["p_value"], rtol=1e-10)
    np.testing.assert_allclose(result.p_adjusted, ref["p_adjusted"], atol=p_tol)
    assert result.critical_value == pytest.approx(ref["critical_value"], abs=c_tol)
    np.testing.assert_allclose(
        result.ci_low, ref["ci_low"], atol=c_tol * max(np.sqrt(np.diag(ref["covariance"])))
    )


def test_one_contrast_is_the_plain_t_test() -> None:
    result = many_to_one([1.5], np.array([[0.25]]), 12)
    t = 1.5 / 0.5
    assert result.p_adjusted[0] == pytest.approx(2 * stats.t.sf(t, 12), rel=1e-9)
    assert result.critical_value == pytest.approx(stats.t.isf(0.025, 12), rel=1e-9)


def test_independent_contrasts_give_sidak() -> None:
    # z statistics with no correlation: P(max |Z| >= c) = 1 - (1 - 2 Phi(-c))^k exactly
    z = np.array([1.0, 2.0, 2.5])
    result = many_to_one(z, np.eye(3), math.inf)
    raw = 2 * stats.norm.sf(z)
    np.testing.assert_allclose(result.p_adjusted, 1 - (1 - raw) ** 3, rtol=1e-9)


def test_untestable_contrasts_are_nan_and_left_out_of_the_family() -> None:
    cov = np.diag([1.0, 0.0, 1.0])
    result = many_to_one([1.0, 2.0, np.nan], cov, 10)
    assert np.isnan(result.p_adjusted[1]) and np.isnan(result.p_adjusted[2])
    assert result.p_adjusted[0] == pytest.approx(2 * stats.t.sf(1.0, 10), rel=1e-9)  # a family of one
    none = many_to_one([1.0], np.array([[1.0]]), 0)
    assert none.adjustment == "none" and np.isnan(none.p_adjusted[0]) and math.isnan(none.critical_value)


def test_estimable_finds_the_contrasts_an_empty_cell_loses() -> None:
    # cell means model of 2 groups x 2 levels with the (g1, f1) cell empty, treatment coding with interaction
    x = np.array([[1, 0, 0, 0], [1, 0, 1, 0], [1, 1, 0, 0]], dtype=float)
    contrasts = np.array([[0, 1, 0, 0], [0, 1, 0, 1]], dtype=float)  # g1 - g0 at f0; at f1
    assert estimable(x, contrasts).tolist() == [True, False]
