"""Tests on means: Welch's t, one-way ANOVA, Dunnett's comparisons with a control, a linear dose trend.

Each function takes the values of each group as 1-D arrays of finite numbers (missing values already
dropped) and returns plain numbers: no tables, no files. Degenerate data (no variation within any group)
give NaN statistics rather than warnings; :func:`assaykit.stats.compare.compare_groups` says why in a note.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
from scipy import stats

from assaykit.stats.results import ControlFamily, TestResult, TrendResult, constant_groups_allowed

#: Seed of the randomised quasi-Monte Carlo integration behind Dunnett's p-values and critical values
#: (``scipy.stats.multivariate_t``), so that the same data always give the same numbers.
DUNNETT_SEED = 20240611


def pooled_variance(samples: Sequence[np.ndarray]) -> tuple[float, int]:
    """Pooled within-group variance of several groups: the one-way ANOVA's error mean square.

    ``s**2 = sum_i sum_j (y_ij - mean_i)**2 / (N - k)`` with N values in k groups.

    Parameters
    ----------
    samples
        The values of each group.

    Returns
    -------
    tuple of (float, int)
        The pooled variance and its degrees of freedom N - k (NaN variance when N - k is 0).
    """
    arrays = [np.asarray(s, dtype=float) for s in samples]
    df = sum(a.size for a in arrays) - len(arrays)
    if df <= 0:
        return math.nan, df
    ss = sum(float(((a - a.mean()) ** 2).sum()) for a in arrays)
    return ss / df, df


def welch_t(group: np.ndarray, control: np.ndarray, *, confidence: float = 0.95) -> TestResult:
    """Welch's unequal-variance t-test of ``group`` against ``control``, two-sided.

    ``t = (mean_g - mean_c) / sqrt(s_g**2/n_g + s_c**2/n_c)`` with the Welch-Satterthwaite degrees of freedom
    ``df = (s_g**2/n_g + s_c**2/n_c)**2 / ((s_g**2/n_g)**2/(n_g - 1) + (s_c**2/n_c)**2/(n_c - 1))`` (Welch
    1947, Biometrika 34:28-35), computed by ``scipy.stats.ttest_ind(group, control, equal_var=False)``. The
    confidence interval is ``difference +/- t(1 - alpha/2, df) x SE``.

    Parameters
    ----------
    group, control
        The values of the two groups, at least 2 each.
    confidence
        Confidence level of the interval of the difference ``mean_g - mean_c``.

    Returns
    -------
    TestResult
        t, its two-sided p, df and the confidence interval of the difference. NaN when neither group varies.
    """
    x = np.asarray(group, dtype=float)
    y = np.asarray(control, dtype=float)
    if x.size < 2 or y.size < 2:
        raise ValueError(f"Welch's t needs at least 2 values per group, got {x.size} and {y.size}")
    if np.ptp(x) == 0 and np.ptp(y) == 0:
        return TestResult(math.nan, math.nan)
    with constant_groups_allowed():
        result = stats.ttest_ind(x, y, equal_var=False)
        ci = result.confidence_interval(confidence_level=confidence)
    return TestResult(
        float(result.statistic),
        float(result.pvalue),
        df=float(result.df),
        ci_low=float(ci.low),
        ci_high=float(ci.high),
    )


def one_way_anova(samples: Sequence[np.ndarray]) -> TestResult:
    """One-way analysis of variance (Fisher's F test of equal means), by ``scipy.stats.f_oneway``.

    ``F = [sum_i n_i (mean_i - grand mean)**2 / (k - 1)] / s**2`` with s**2 the pooled within-group
    variance on N - k df (:func:`pooled_variance`).

    Parameters
    ----------
    samples
        The values of each group (at least 2 groups, at least 2 values each).

    Returns
    -------
    TestResult
        F, its p-value, ``df = k - 1`` and ``df_error = N - k``. NaN F and p when no group varies.
    """
    arrays = [np.asarray(s, dtype=float) for s in samples]
    variance, df_error = pooled_variance(arrays)
    df = len(arrays) - 1
    if not variance > 0:
        return TestResult(math.nan, math.nan, df=df, df_error=df_error)
    with constant_groups_allowed():
        result = stats.f_oneway(*arrays)
    return TestResult(float(result.statistic), float(result.pvalue), df=df, df_error=df_error)


def dunnett_vs_control(
    samples: Sequence[np.ndarray],
    control: np.ndarray,
    *,
    confidence: float = 0.95,
    seed: int = DUNNETT_SEED,
) -> ControlFamily:
    """Dunnett's many-to-one comparisons of group means with the control's, two-sided, single-step.

    For group i, ``t_i = (mean_i - mean_0) / (s sqrt(1/n_i + 1/n_0))`` with s**2 the pooled variance of all
    groups, control included, on ``N - k`` df (Dunnett 1955, J Am Stat Assoc 50:1096-1121). The adjusted
    p-value is ``P(max_j |T_j| >= |t_i|)`` under the multivariate t whose correlations are
    ``sqrt(n_i n_j / ((n_i + n_0)(n_j + n_0)))``, and the simultaneous interval is ``difference +/- c s
    sqrt(1/n_i + 1/n_0)`` with c its ``confidence`` quantile. Both come from ``scipy.stats.dunnett``, which
    integrates the multivariate t by randomised quasi-Monte Carlo; the seed is fixed, so results are
    reproducible, and they are accurate to about 1e-4 in p (scipy aims the interval's confidence level at
    1% of alpha). The unadjusted p-value ``p_i`` of each comparison is the same t on ``N - k`` df without the
    multiplicity adjustment. The adjusted p-value lies between ``p_i`` and Sidak's bound
    ``1 - (1 - p_i)**(k - 1)`` (Sidak 1967, J Am Stat Assoc 62:626-633; 1968, Ann Math Stat 39:1425-1434);
    where the integration error carries it outside, as it does for p below about 1e-4 (down to 0), it is
    clipped to them.

    Parameters
    ----------
    samples
        The values of each treated group (at least 2 values each).
    control
        The control group's values (at least 2).
    confidence
        Joint confidence level of the simultaneous intervals.
    seed
        Seed of the quasi-Monte Carlo integration.

    Returns
    -------
    ControlFamily
        One entry per group in ``samples``: t, unadjusted and Dunnett-adjusted p, df = N - k, and the
        simultaneous confidence interval of ``mean_i - mean_0``. NaN when no group varies.
    """
    arrays = [np.asarray(s, dtype=float) for s in samples]
    reference = np.asarray(control, dtype=float)
    variance, df = pooled_variance([reference, *arrays])
    nan = np.full(len(arrays), np.nan)
    if not variance > 0:
        return ControlFamily(nan, nan, nan, df=df, ci_low=nan, ci_high=nan)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", message="Precision loss occurred", category=RuntimeWarning)
        result = stats.dunnett(*arrays, control=reference, rng=seed)
        ci = result.confidence_interval(confidence_level=confidence)
    notes = tuple(" ".join(str(w.message).split()) for w in caught)
    statistic = np.asarray(result.statistic, dtype=float)
    raw = 2.0 * stats.t.sf(np.abs(statistic), df)
    # The integration error (~1e-4) can exceed a tiny p, down to 0: keep p within its exact bounds.
    with np.errstate(divide="ignore"):  # log1p(-1) = -inf gives the right bound, 1
        sidak = -np.expm1(len(arrays) * np.log1p(-raw))
    adjusted = np.clip(np.asarray(result.pvalue, dtype=float), raw, sidak)
    return ControlFamily(
        statistic,
        raw,
        adjusted,
        df=df,
        ci_low=np.asarray(ci.low, dtype=float),
        ci_high=np.asarray(ci.high, dtype=float),
        notes=notes,
    )


def dose_steps(doses: Sequence[float]) -> np.ndarray:
    """Rank the dose levels 0, 1, 2, ... (equal doses share a rank): the scores of the trend contrast.

    Parameters
    ----------
    doses
        The dose of each group.

    Returns
    -------
    numpy.ndarray
        The dense rank of each dose, starting at 0.
    """
    _, ranks = np.unique(np.asarray(doses, dtype=float), return_inverse=True)
    return ranks.astype(float)


def linear_trend(
    samples: Sequence[np.ndarray],
    doses: Sequence[float],
    *,
    variance: float | None = None,
    df_error: int | None = None,
) -> TrendResult:
    """Linear contrast for a dose trend in group means, on equally spaced dose steps.

    Each group gets the score of its dose level (0, 1, 2, ... in increasing dose, :func:`dose_steps`: the
    usual choice for log-spaced doses, and the only information Jonckheere-Terpstra uses too), centred over
    the groups: ``c_i = score_i - mean(score)``, so that ``sum c_i = 0``. The contrast ``L = sum c_i mean_i``
    has ``SE = s sqrt(sum c_i**2 / n_i)``, and ``t = L / SE`` on the error df of the ANOVA (Maxwell &
    Delaney 2004, Designing Experiments and Analyzing Data, 2nd ed., ch. 4-6; Kirk 2013, Experimental
    Design, ch. 6). The estimate reported, ``L / sum c_i**2``, is the least-squares slope of the group means
    on the dose steps: the mean change per dose step.

    Parameters
    ----------
    samples
        The values of each group of the series (the control with the doses of one compound).
    doses
        Each group's dose (the control's is usually 0).
    variance, df_error
        The pooled within-group variance and its df; those of ``samples`` when None. Pass the ANOVA's, over
        every group of the study, to test the contrast within that ANOVA.

    Returns
    -------
    TrendResult
        t, its two-sided p, df and the slope per dose step. NaN when there is no within-group variation or
        fewer than two dose levels.
    """
    arrays = [np.asarray(s, dtype=float) for s in samples]
    if variance is None or df_error is None:
        variance, df_error = pooled_variance(arrays)
    scores = dose_steps(doses)
    coefficients = scores - scores.mean()
    sum_sq = float((coefficients**2).sum())
    means = np.array([a.mean() for a in arrays])
    sizes = np.array([a.size for a in arrays], dtype=float)
    if not (variance > 0 and sum_sq > 0 and df_error > 0):
        return TrendResult(math.nan, math.nan, df=float(df_error))
    contrast = float(coefficients @ means)
    se = math.sqrt(variance * float((coefficients**2 / sizes).sum()))
    t = contrast / se
    return TrendResult(
        t, float(2.0 * stats.t.sf(abs(t), df_error)), df=float(df_error), estimate=contrast / sum_sq
    )
