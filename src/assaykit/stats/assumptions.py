"""Checks of the assumptions of the tests on means: normality within each group, equal variances."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

from assaykit.stats.results import TestResult, constant_groups_allowed


def shapiro_wilk(values: np.ndarray) -> TestResult:
    """Shapiro-Wilk test of normality of one group, by ``scipy.stats.shapiro``.

    ``W = (sum a_i x_(i))**2 / sum (x_i - mean)**2`` with the coefficients a_i of the expected normal order
    statistics (Shapiro & Wilk 1965, Biometrika 52:591-611); scipy uses Royston's algorithm (AS R94, 1995)
    for the p-value. It needs at least 3 values, and with few it rarely rejects: a p above 0.05 in a group
    of 5 says little about normality.

    Parameters
    ----------
    values
        One group's values.

    Returns
    -------
    TestResult
        W and its p-value. NaN with fewer than 3 values or when all values are equal (W is undefined).
    """
    x = np.asarray(values, dtype=float)
    if x.size < 3 or np.ptp(x) == 0:
        return TestResult(math.nan, math.nan)
    with constant_groups_allowed():
        result = stats.shapiro(x)
    return TestResult(float(result.statistic), float(result.pvalue))


def brown_forsythe(samples: Sequence[np.ndarray]) -> TestResult:
    """Levene's test of equal variances centred on the medians: the Brown-Forsythe test.

    A one-way ANOVA on ``|y_ij - median_i|`` (Levene 1960, in Contributions to Probability and Statistics,
    278-292; Brown & Forsythe 1974, J Am Stat Assoc 69:364-367), by ``scipy.stats.levene(...,
    center="median")``. Centring on the median keeps the test's size right for skewed data, where the
    original mean-centred test rejects too often.

    Parameters
    ----------
    samples
        The values of each group (at least 2 groups of at least 2 values).

    Returns
    -------
    TestResult
        The statistic W (an F), its p-value, ``df = k - 1`` and ``df_error = N - k``. NaN when no group
        varies.
    """
    arrays = [np.asarray(s, dtype=float) for s in samples]
    df = len(arrays) - 1
    df_error = sum(a.size for a in arrays) - len(arrays)
    deviations = [np.abs(a - np.median(a)) for a in arrays]
    if len(arrays) < 2 or all(np.ptp(d) == 0 for d in deviations):
        return TestResult(math.nan, math.nan, df=df, df_error=df_error)
    with constant_groups_allowed():
        result = stats.levene(*arrays, center="median")
    return TestResult(float(result.statistic), float(result.pvalue), df=df, df_error=df_error)
