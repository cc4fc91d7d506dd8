"""Standardised effect size of a group against its control: Hedges' g with an exact confidence interval."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special


@dataclass(frozen=True)
class EffectSize:
    """Hedges' g of one group against the control.

    Attributes
    ----------
    g
        Hedges' g = J x d.
    ci_low, ci_high
        Confidence interval of the population standardised difference delta (see :func:`hedges_g`).
    d
        Cohen's d with the pooled SD (the uncorrected estimate).
    correction
        Hedges' small-sample factor J.
    """

    g: float
    ci_low: float
    ci_high: float
    d: float
    correction: float


def hedges_correction(n1: int, n2: int) -> float:
    """Hedges' small-sample correction J = 1 - 3 / (4 (n1 + n2) - 9).

    The usual approximation (Hedges 1981, J Educ Stat 6:107-128; Hedges & Olkin 1985, Statistical Methods
    for Meta-Analysis, ch. 5) to the exact factor Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)) with
    m = n1 + n2 - 2. It is 1.3% above the exact factor at m = 2 (two animals per group), 0.3% at m = 4 and
    below 0.1% from m = 7 on.

    Parameters
    ----------
    n1, n2
        The two group sizes.

    Returns
    -------
    float
        J, below 1; d x J is (nearly) unbiased for the population delta.
    """
    return 1.0 - 3.0 / (4.0 * (n1 + n2) - 9.0)


def hedges_g(group: np.ndarray, control: np.ndarray, *, confidence: float = 0.95) -> EffectSize:
    """Hedges' g of ``group`` against ``control``, with a confidence interval from the noncentral t.

    ``d = (mean_group - mean_control) / s_pooled`` with ``s_pooled**2 = ((n1 - 1) s1**2 + (n2 - 1) s2**2) /
    (n1 + n2 - 2)`` (Cohen's d), and ``g = J d`` with ``J = 1 - 3 / (4 (n1 + n2) - 9)`` (Hedges 1981; Hedges &
    Olkin 1985, Statistical Methods for Meta-Analysis, ch. 5). A positive g means the group's mean is above
    the control's.

    The confidence interval is exact for the population delta under the t-test's assumptions (normal
    data, equal variances): ``t = d / sqrt(1/n1 + 1/n2)`` follows a noncentral t with ``n1 + n2 - 2`` df and
    noncentrality ``delta / sqrt(1/n1 + 1/n2)``, so the limits are the noncentralities at which the observed
    t is the upper and lower ``(1 - confidence) / 2`` quantile, times ``sqrt(1/n1 + 1/n2)`` (Steiger &
    Fouladi 1997, in Harlow et al., What If There Were No Significance Tests?, ch. 9; Cumming & Finch 2001,
    Educ Psychol Meas 61:532-574). The limits are not multiplied by J: they bound delta already, and
    shrinking them would lower their coverage (to 89% with 3 animals per group and delta = 3). The Hedges &
    Olkin normal approximation, ``g +/- z sqrt((n1 + n2)/(n1 n2) + g**2 / (2 (n1 + n2)))``, is not used:
    in small groups its coverage drifts from the nominal level (96% near delta = 0, 92% at delta = 3 with 3
    animals per group). The test suite checks the coverage of the interval used here by simulation.

    Parameters
    ----------
    group, control
        The values of each group (finite numbers), at least 2 each.
    confidence
        Confidence level of the interval.

    Returns
    -------
    EffectSize
        g, its interval, d and J. Everything is NaN when neither group varies (the pooled SD is 0).

    Raises
    ------
    ValueError
        When a group has fewer than 2 values.
    """
    x = np.asarray(group, dtype=float)
    y = np.asarray(control, dtype=float)
    n1, n2 = x.size, y.size
    if n1 < 2 or n2 < 2:
        raise ValueError(f"Hedges' g needs at least 2 values per group, got {n1} and {n2}")
    df = n1 + n2 - 2
    pooled = math.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / df)
    j = hedges_correction(n1, n2)
    if pooled == 0:
        return EffectSize(math.nan, math.nan, math.nan, math.nan, j)
    d = (x.mean() - y.mean()) / pooled
    scale = math.sqrt(1.0 / n1 + 1.0 / n2)
    low, high = noncentral_t_limits(d / scale, df, confidence)
    return EffectSize(j * d, low * scale, high * scale, d, j)


def noncentral_t_limits(t: float | np.ndarray, df: float, confidence: float = 0.95) -> tuple:
    """Confidence limits for the noncentrality of a t statistic (inverting the noncentral t CDF).

    The lower limit is the noncentrality lambda at which ``P(T <= t) = 1 - alpha/2``, the upper the one at
    which it is ``alpha/2`` (``scipy.special.nctdtrinc``), with ``alpha = 1 - confidence``.

    Parameters
    ----------
    t
        Observed t statistic(s).
    df
        Degrees of freedom.
    confidence
        Confidence level.

    Returns
    -------
    tuple
        ``(low, high)``, floats for a float ``t``, arrays for an array.
    """
    alpha = 1.0 - confidence
    t_arr = np.asarray(t, dtype=float)
    low = special.nctdtrinc(df, 1.0 - alpha / 2.0, t_arr)
    high = special.nctdtrinc(df, alpha / 2.0, t_arr)
    if np.ndim(t) == 0:
        return float(low), float(high)
    return low, high
