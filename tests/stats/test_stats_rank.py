"""Rank tests against direct computations: U by counting pairs, exact enumerations, Dunn and JT by hand;
Steel's many-to-one test against R (tests/stats/reference/steel.R) and a permutation simulation."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from assaykit.multiplicity import holm
from assaykit.stats.rank import (
    dunn_vs_control,
    jonckheere_terpstra,
    kruskal_wallis,
    mann_whitney,
    steel_vs_control,
)

TIED = [
    np.array([3.0, 5.0, 5.0, 8.0, 2.0]),  # control
    np.array([6.0, 7.0, 5.0, 9.0]),
    np.array([8.0, 10.0, 12.0, 8.0, 11.0, 9.0]),
    np.array([4.0, 3.0, 6.0]),
]


def pairs_above(x: np.ndarray, y: np.ndarray) -> float:
    """#{(x_i, y_j): x_i > y_j} + #{x_i = y_j} / 2, by explicit loops."""
    return sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in x for b in y)


def test_mann_whitney_u_counts_pairs_and_exact_p_enumerates_splits() -> None:
    group = np.array([12.1, 15.3, 9.8, 17.2, 14.0])
    control = np.array([8.2, 10.5, 7.7, 11.9])
    result = mann_whitney(group, control)
    assert result.statistic == pairs_above(group, control)
    # no ties and n <= 8: scipy's exact p; enumerate all C(9, 5) ways to split the ranks
    pooled = np.concatenate([group, control])
    u_all = [
        pairs_above(pooled[list(idx)], np.delete(pooled, list(idx)))
        for idx in itertools.combinations(range(pooled.size), group.size)
    ]
    centre = group.size * control.size / 2
    extreme = sum(abs(u - centre) >= abs(result.statistic - centre) for u in u_all)
    assert result.p_value == pytest.approx(extreme / len(u_all), rel=1e-12)


def test_mann_whitney_with_ties_uses_the_normal_approximation() -> None:
    group, control = TIED[1], TIED[0]
    n1, n2 = group.size, control.size
    u = pairs_above(group, control)
    _, t = np.unique(np.concatenate([group, control]), return_counts=True)
    n = n1 + n2
    sd = math.sqrt(n1 * n2 / 12 * ((n + 1) - (t**3 - t).sum() / (n * (n - 1))))
    z = (abs(u - n1 * n2 / 2) - 0.5) / sd  # continuity correction
    result = mann_whitney(group, control)
    assert result.statistic == u
    assert result.p_value == pytest.approx(2 * stats.norm.sf(z), rel=1e-10)
    assert math.isnan(mann_whitney(np.array([1.0, 1.0]), np.array([1.0, 1.0])).p_value)


def midranks(values: np.ndarray) -> np.ndarray:
    """Mid-ranks by counting: rank = #smaller + (#equal + 1) / 2."""
    return np.array([(values < v).sum() + ((values == v).sum() + 1) / 2 for v in values])


def test_kruskal_wallis_by_formula() -> None:
    pooled = np.concatenate(TIED)
    ranks = midranks(pooled)
    n = pooled.size
    edges = np.cumsum([0, *(g.size for g in TIED)])
    h = 12 / (n * (n + 1)) * sum((ranks[a:b].sum() ** 2) / (b - a) for a, b in itertools.pairwise(edges))
    h -= 3 * (n + 1)
    _, t = np.unique(pooled, return_counts=True)
    h /= 1 - (t**3 - t).sum() / (n**3 - n)
    result = kruskal_wallis(TIED)
    assert result.statistic == pytest.approx(h, rel=1e-12)
    assert result.df == 3
    assert result.p_value == pytest.approx(stats.chi2.sf(h, 3), rel=1e-10)


def test_dunn_against_a_direct_implementation() -> None:
    pooled = np.concatenate(TIED)
    ranks = midranks(pooled)
    n = pooled.size
    _, t = np.unique(pooled, return_counts=True)
    sigma2 = n * (n + 1) / 12 - (t**3 - t).sum() / (12 * (n - 1))
    edges = np.cumsum([0, *(g.size for g in TIED)])
    means = [ranks[a:b].mean() for a, b in itertools.pairwise(edges)]
    sizes = [g.size for g in TIED]
    z = [(means[i] - means[0]) / math.sqrt(sigma2 * (1 / sizes[i] + 1 / sizes[0])) for i in (1, 2, 3)]
    p = [2 * (1 - stats.norm.cdf(abs(v))) for v in z]
    # Holm by hand: sort, multiply by 3, 2, 1, running maximum, back in order
    order = np.argsort(p)
    stepped = np.maximum.accumulate([min(1.0, (3 - k) * p[i]) for k, i in enumerate(order)])
    expected_adjusted = np.empty(3)
    expected_adjusted[order] = stepped
    family = dunn_vs_control(TIED[1:], TIED[0])
    np.testing.assert_allclose(family.statistic, z, rtol=1e-12)
    np.testing.assert_allclose(family.p_value, p, rtol=1e-10)
    np.testing.assert_allclose(family.p_adjusted, expected_adjusted, rtol=1e-10)


def test_dunn_z_squared_is_kruskal_wallis_for_two_groups() -> None:
    # with two groups Dunn's tie-corrected z**2 equals the tie-corrected H
    family = dunn_vs_control([TIED[2]], TIED[0])
    assert family.statistic[0] ** 2 == pytest.approx(stats.kruskal(TIED[0], TIED[2]).statistic, rel=1e-12)
    assert family.p_adjusted[0] == pytest.approx(stats.kruskal(TIED[0], TIED[2]).pvalue, rel=1e-10)


def test_holm_worked_example() -> None:
    # p = 0.01, 0.04, 0.03, 0.005: sorted 0.005, 0.01, 0.03, 0.04 -> x4, x3, x2, x1 = 0.02, 0.03, 0.06, 0.04
    # running maximum: 0.02, 0.03, 0.06, 0.06
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02])
    np.testing.assert_allclose(holm([0.5, np.nan, 0.01]), [0.5, np.nan, 0.02])
    np.testing.assert_allclose(holm([0.6, 0.7]), [1.0, 1.0])
    assert holm([]).size == 0


def exact_jt(samples: list[np.ndarray]) -> tuple[float, float, float, float]:
    """J, and the mean, variance and two-sided p of J over every assignment of the values to the groups."""

    def statistic(groups: list[np.ndarray]) -> float:
        return sum(
            pairs_above(groups[j], groups[i]) for i in range(len(groups)) for j in range(i + 1, len(groups))
        )

    pooled = np.concatenate(samples)
    sizes = [s.size for s in samples]
    observed = statistic(samples)
    values = []
    for labels in set(itertools.permutations(np.repeat(np.arange(len(sizes)), sizes))):
        labels = np.array(labels)
        values.append(statistic([pooled[labels == k] for k in range(len(sizes))]))
    values = np.array(values)
    mean = values.mean()
    p = np.mean(np.abs(values - mean) >= abs(observed - mean) - 1e-12)
    return observed, mean, values.var(), p


@pytest.mark.parametrize(
    "samples",
    [
        [np.array([1.2, 3.4, 2.2]), np.array([2.9, 4.1, 3.8]), np.array([5.0, 3.9, 6.3])],  # no ties
        [np.array([1.0, 2.0, 2.0]), np.array([2.0, 3.0, 3.0]), np.array([3.0, 5.0, 4.0])],  # ties
        [np.array([5.0, 5.0]), np.array([5.0, 6.0, 7.0]), np.array([6.0, 7.0]), np.array([7.0, 9.0])],  # ties
    ],
    ids=["no-ties", "ties", "four-groups-ties"],
)
def test_jonckheere_terpstra_moments_equal_the_exact_permutation_distribution(
    samples: list[np.ndarray],
) -> None:
    observed, mean, variance, exact_p = exact_jt(samples)
    result = jonckheere_terpstra(samples)
    assert result.statistic == observed
    assert result.mean == pytest.approx(mean, rel=1e-12)
    assert result.variance == pytest.approx(variance, rel=1e-12)  # the tie-corrected variance is exact
    assert result.z == pytest.approx((observed - mean) / math.sqrt(variance), rel=1e-12)
    # the normal approximation is an approximation: close to the exact p, not equal
    assert result.p_value == pytest.approx(exact_p, abs=0.05)


def test_jonckheere_terpstra_direction_and_degenerate() -> None:
    rising = jonckheere_terpstra(
        [np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0]), np.array([7.0, 8.0, 9.0])]
    )
    assert rising.z > 0 and rising.p_value < 0.01
    falling = jonckheere_terpstra(
        [np.array([7.0, 8.0, 9.0]), np.array([4.0, 5.0, 6.0]), np.array([1.0, 2.0, 3.0])]
    )
    assert falling.z == pytest.approx(-rising.z)
    flat = jonckheere_terpstra([np.array([2.0, 2.0]), np.array([2.0, 2.0]), np.array([2.0, 2.0])])
    assert math.isnan(flat.p_value)


REFERENCE = Path(__file__).parent / "reference"


def test_dunn_with_prisms_bonferroni_correction() -> None:
    # GraphPad Prism multiplies each uncorrected Dunn p-value by the number of comparisons, capped at 1
    holm_family = dunn_vs_control(TIED[1:], TIED[0])
    family = dunn_vs_control(TIED[1:], TIED[0], adjust="bonferroni")
    np.testing.assert_array_equal(family.statistic, holm_family.statistic)
    np.testing.assert_allclose(family.p_adjusted, np.minimum(3 * holm_family.p_value, 1.0), rtol=1e-15)
    assert family.p_adjusted[2] == 1.0  # z = -0.2: 3 p > 1, capped
    assert (family.adjustment, holm_family.adjustment) == ("bonferroni", "holm")
    with pytest.raises(ValueError, match="adjust must be one of"):
        dunn_vs_control(TIED[1:], TIED[0], adjust="sidak")


@pytest.mark.parametrize("name", ["untied_3", "unequal_4", "ties_2", "ties_5", "large_effect"])
def test_steel_against_r(name: str) -> None:
    # tests/stats/reference/steel.R: rank sums by rank(), tie-corrected z, p by pmvnorm (Miwa) and integrate()
    ref = json.loads((REFERENCE / "steel.json").read_text())["sets"][name]
    groups = [np.asarray(g, dtype=float) for g in ref["groups"]]
    family = steel_vs_control(groups[1:], groups[0])
    np.testing.assert_allclose(family.statistic, ref["statistic"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(family.p_value, ref["p_value"], rtol=1e-10)
    np.testing.assert_allclose(family.p_adjusted, ref["p_integrate"], atol=1e-8, rtol=1e-6)
    np.testing.assert_allclose(family.p_adjusted, ref["p_miwa"], atol=1e-8)
    assert family.adjustment == "steel" and family.ci_low is None
    # the rank sums agree with wilcox.test's W (= U) through U = W - n (n + 1) / 2, checked in the R script
    np.testing.assert_array_equal(ref["u"], ref["u_wilcox_test"])


def _null_correlation(groups: list[np.ndarray], draws: int, seed: int) -> float:
    """Correlation of Steel's z_1 and z_2 over random relabellings of the pooled values (the null)."""
    rng = np.random.default_rng(seed)
    pooled = np.concatenate(groups)
    cuts = np.cumsum([g.size for g in groups])[:-1]
    z = np.empty((draws, 2))
    for d in range(draws):
        control, first, second = np.split(rng.permutation(pooled), cuts)
        z[d] = steel_vs_control([first, second], control).statistic
    return float(np.corrcoef(z.T)[0, 1])


def test_steel_null_correlation_is_the_one_factor_correlation_by_permutation() -> None:
    # Under the null, corr(z_1, z_2) = sqrt(n_1 n_2 / ((n_1 + n_0 + 1)(n_2 + n_0 + 1))) (Steel 1959).
    # 3000 relabellings: the correlation's Monte Carlo SE is about (1 - rho**2) / sqrt(3000) = 0.015.
    rng = np.random.default_rng(5)
    sizes = (6, 8, 5)
    expected = math.sqrt(8 * 5 / ((8 + 6 + 1) * (5 + 6 + 1)))  # 0.471
    untied = [rng.normal(size=n) for n in sizes]
    assert _null_correlation(untied, 3000, 1) == pytest.approx(expected, abs=0.05)
    # heavy ties (scores 0-3): the variances are tie-corrected, the loadings are not; the correlation
    # stays close (the covariance and the variances shrink together), within the same tolerance
    tied = [rng.integers(0, 4, size=n).astype(float) for n in sizes]
    assert _null_correlation(tied, 3000, 2) == pytest.approx(expected, abs=0.05)


def test_steel_degenerate_comparison_is_nan_with_a_note() -> None:
    control = np.array([1.0, 1.0, 1.0])
    family = steel_vs_control([np.array([1.0, 1.0]), np.array([1.0, 2.0, 3.0])], control)
    assert math.isnan(family.statistic[0]) and math.isnan(family.p_adjusted[0])
    assert np.isfinite(family.p_adjusted[1]) and "group 1" in family.notes[0]
    # one comparison left: its adjusted p is its own
    assert family.p_adjusted[1] == pytest.approx(family.p_value[1], rel=1e-10)
