"""Hedges' g by formula, and the coverage of its confidence interval by simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

from assaykit.stats.effect_size import hedges_correction, hedges_g, noncentral_t_limits


def test_hedges_g_by_formula() -> None:
    group = np.array([38.0, 45.5, 29.9, 51.2, 40.0])
    control = np.array([20.3, 25.1, 14.8, 22.0, 30.6, 18.2])
    n1, n2 = group.size, control.size
    pooled = math.sqrt(((n1 - 1) * group.var(ddof=1) + (n2 - 1) * control.var(ddof=1)) / (n1 + n2 - 2))
    d = (group.mean() - control.mean()) / pooled
    j = 1 - 3 / (4 * (n1 + n2) - 9)
    effect = hedges_g(group, control)
    assert effect.d == pytest.approx(d, rel=1e-12)
    assert effect.correction == pytest.approx(j, rel=1e-15)
    assert effect.g == pytest.approx(j * d, rel=1e-12)
    assert hedges_g(control, group).g == pytest.approx(-effect.g, rel=1e-12)
    # the limits are where the observed t is the 97.5% and 2.5% point of the noncentral t
    scale = math.sqrt(1 / n1 + 1 / n2)
    t = d / scale
    assert stats.nct.cdf(t, n1 + n2 - 2, effect.ci_low / scale) == pytest.approx(0.975, abs=1e-6)
    assert stats.nct.cdf(t, n1 + n2 - 2, effect.ci_high / scale) == pytest.approx(0.025, abs=1e-6)
    assert effect.ci_low < effect.g < effect.ci_high


def test_hedges_correction_against_the_exact_gamma_factor() -> None:
    for n1, n2 in [(2, 2), (3, 4), (10, 10)]:
        m = n1 + n2 - 2
        exact = math.exp(special.gammaln(m / 2) - special.gammaln((m - 1) / 2)) / math.sqrt(m / 2)
        assert hedges_correction(n1, n2) == pytest.approx(exact, rel=0.013)  # 1.3% at m = 2, less beyond


def test_no_variation_gives_nan_and_too_few_values_raise() -> None:
    effect = hedges_g(np.array([1.0, 1.0]), np.array([2.0, 2.0]))
    assert math.isnan(effect.g) and math.isnan(effect.ci_low)
    with pytest.raises(ValueError, match="at least 2"):
        hedges_g(np.array([1.0]), np.array([1.0, 2.0]))


def simulate(n1: int, n2: int, delta: float, reps: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    x = rng.normal(delta, 1.0, (reps, n1))
    y = rng.normal(0.0, 1.0, (reps, n2))
    pooled = np.sqrt(((n1 - 1) * x.var(axis=1, ddof=1) + (n2 - 1) * y.var(axis=1, ddof=1)) / (n1 + n2 - 2))
    d = (x.mean(axis=1) - y.mean(axis=1)) / pooled
    scale = math.sqrt(1 / n1 + 1 / n2)
    low, high = noncentral_t_limits(d / scale, n1 + n2 - 2)
    return d, low * scale, high * scale


@pytest.mark.parametrize(("n1", "n2", "delta"), [(3, 3, 3.0), (4, 4, 1.0), (6, 8, 0.8), (10, 10, 0.0)])
def test_confidence_interval_covers_delta_95_percent(n1: int, n2: int, delta: float) -> None:
    reps = 20_000
    d, low, high = simulate(n1, n2, delta, reps, np.random.default_rng(20240611 + n1 + n2))
    coverage = np.mean((low <= delta) & (delta <= high))
    tolerance = 4 * math.sqrt(0.95 * 0.05 / reps)  # 4 binomial SE: 0.006
    assert coverage == pytest.approx(0.95, abs=tolerance)
    # and the correction makes g nearly unbiased where d is not
    g = hedges_correction(n1, n2) * d
    assert abs(g.mean() - delta) < abs(d.mean() - delta) or delta == 0


def test_the_rejected_alternatives_cover_less() -> None:
    # why the interval is the noncentral-t one, not Hedges & Olkin's normal approximation or J x the limits:
    # with 3 animals per group and a large effect (a positive control) both fall short of 95%
    n, delta, reps = 3, 3.0, 20_000
    d, low, high = simulate(n, n, delta, reps, np.random.default_rng(7))
    j = hedges_correction(n, n)
    g = j * d
    se = np.sqrt(2 * n / n**2 + g**2 / (4 * n))
    normal = np.mean((g - 1.96 * se <= delta) & (delta <= g + 1.96 * se))
    shrunk = np.mean((j * low <= delta) & (delta <= j * high))
    assert normal < 0.935 and shrunk < 0.90
