"""Tests on means: Welch's t, one-way ANOVA, Dunnett's comparisons with a control (and T3), a dose trend.

Fisher's and Welch's one-way ANOVA; Dunnett's test for equal variances and Dunnett's T3 for unequal ones.

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
from assaykit.stats.simultaneous import max_modulus_quantile, max_modulus_sf


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
    seed: int | None = None,
) -> ControlFamily:
    """Dunnett's many-to-one comparisons of group means with the control's, two-sided, single-step.

    For group i, ``t_i = (mean_i - mean_0) / (s sqrt(1/n_i + 1/n_0))`` with s**2 the pooled variance of all
    groups, control included, on ``N - k`` df (Dunnett 1955, J Am Stat Assoc 50:1096-1121). Under the null
    hypothesis the t_i are multivariate t with correlations ``lambda_i lambda_j``, ``lambda_i = sqrt(n_i /
    (n_i + n_0))``. The adjusted p-value is ``P(max_j |T_j| >= |t_i|)`` and the simultaneous interval is
    ``difference +/- d s sqrt(1/n_i + 1/n_0)`` with d the critical value ``P(max_j |T_j| >= d) = 1 -
    confidence``, both by the deterministic quadrature of :mod:`assaykit.stats.simultaneous` (exact to about
    1e-12 in p; small p keep their relative precision). This is R's ``summary(glht(aov(y ~ g), linfct =
    mcp(g = "Dunnett")))`` with ``confint()``, without its Monte Carlo error. The unadjusted p-value of each
    comparison is the same t on ``N - k`` df.

    Parameters
    ----------
    samples
        The values of each treated group (at least 1 value each; the pooled variance needs N > k).
    control
        The control group's values.
    confidence
        Joint confidence level of the simultaneous intervals.
    seed
        Ignored (deprecated): the p-values were once integrated by quasi-Monte Carlo with this seed.

    Returns
    -------
    ControlFamily
        One entry per group in ``samples``: t, unadjusted and Dunnett-adjusted p, ``df = N - k``, the
        simultaneous interval of ``mean_i - mean_0`` (``ci_type="simultaneous"``) and its critical value d.
        NaN numbers and a note when no group varies.
    """
    if seed is not None:
        warnings.warn(
            "dunnett_vs_control(seed=...) is ignored: the p-values are exact",
            DeprecationWarning,
            stacklevel=2,
        )
    arrays = [np.asarray(s, dtype=float) for s in samples]
    reference = np.asarray(control, dtype=float)
    variance, df = pooled_variance([reference, *arrays])
    nan = np.full(len(arrays), np.nan)
    if not variance > 0:
        note = "no variation within any group: Dunnett's test undefined"
        return ControlFamily(
            nan, nan, nan, df=df, ci_low=nan, ci_high=nan, notes=(note,), ci_type="simultaneous",
            adjustment="dunnett",
        )  # fmt: skip
    sizes = np.array([a.size for a in arrays], dtype=float)
    difference = np.array([a.mean() for a in arrays]) - reference.mean()
    se = np.sqrt(variance * (1.0 / sizes + 1.0 / reference.size))
    statistic = difference / se
    loadings = np.sqrt(sizes / (sizes + reference.size))
    critical = max_modulus_quantile(1.0 - confidence, loadings, df)
    return ControlFamily(
        statistic,
        2.0 * stats.t.sf(np.abs(statistic), df),
        np.asarray(max_modulus_sf(np.abs(statistic), loadings, df), dtype=float),
        df=df,
        ci_low=difference - critical * se,
        ci_high=difference + critical * se,
        critical_value=critical,
        ci_type="simultaneous",
        adjustment="dunnett",
    )


def welch_anova(samples: Sequence[np.ndarray]) -> TestResult:
    """Welch's heteroscedastic one-way ANOVA: a test of equal means without assuming equal variances.

    With weights ``w_i = n_i / s_i**2``, ``W = sum w_i`` and the weighted mean ``m = sum w_i mean_i / W``,
    ``Lambda = sum (1 - w_i / W)**2 / (n_i - 1)`` and

    ``F = [sum w_i (mean_i - m)**2 / (k - 1)] / [1 + 2 (k - 2) Lambda / (k**2 - 1)]``

    on ``k - 1`` and ``(k**2 - 1) / (3 Lambda)`` df (Welch 1951, Biometrika 38:330-336). This is R's
    ``oneway.test(y ~ g, var.equal = FALSE)`` and statsmodels' ``anova_oneway(use_var="unequal")``; it is the
    omnibus test of the family of :func:`dunnett_t3_vs_control`.

    Parameters
    ----------
    samples
        The values of each group (at least 2 groups, at least 2 values each).

    Returns
    -------
    TestResult
        F, its p-value, ``df = k - 1`` and the non-integer ``df_error``. NaN F, p and ``df_error`` when a
        group has no variation (its weight is infinite).
    """
    arrays = [np.asarray(s, dtype=float) for s in samples]
    k = len(arrays)
    if k < 2 or any(a.size < 2 for a in arrays):
        raise ValueError("Welch's ANOVA needs at least 2 groups of at least 2 values")
    sizes = np.array([a.size for a in arrays], dtype=float)
    variances = np.array([a.var(ddof=1) for a in arrays])
    if not np.all(variances > 0):
        return TestResult(math.nan, math.nan, df=k - 1)
    weights = sizes / variances
    means = np.array([a.mean() for a in arrays])
    centre = float(weights @ means) / float(weights.sum())
    spread = float((1.0 - weights / weights.sum()) ** 2 @ (1.0 / (sizes - 1.0)))
    f = float(weights @ (means - centre) ** 2) / (k - 1) / (1.0 + 2.0 * (k - 2) * spread / (k**2 - 1))
    df_error = (k**2 - 1) / (3.0 * spread)
    return TestResult(f, float(stats.f.sf(f, k - 1, df_error)), df=k - 1, df_error=df_error)


def dunnett_t3_vs_control(
    samples: Sequence[np.ndarray], control: np.ndarray, *, confidence: float = 0.95
) -> ControlFamily:
    """Dunnett's T3 many-to-one comparisons for unequal variances, two-sided, single-step.

    Each group is compared with the control by Welch's t, ``t_i = (mean_i - mean_0) / SE_i`` with ``SE_i =
    sqrt(s_i**2/n_i + s_0**2/n_0)`` and its own Welch-Satterthwaite df ``nu_i`` (:func:`welch_t`). With m =
    k - 1 comparisons, the adjusted p-value is ``P(M(m, nu_i) >= |t_i|)`` and the simultaneous interval
    ``difference +/- |M|(1 - confidence; m, nu_i) SE_i``, M being the studentized maximum modulus of m
    independent t statistics sharing nu_i df (:func:`~assaykit.stats.simultaneous.max_modulus_sf` with zero
    loadings): Dunnett 1980, J Am Stat Assoc 75:796-800 (procedure T3, restricted to the comparisons with the
    control); Hochberg & Tamhane 1987, Multiple Comparison Procedures, ch. 7. Ignoring the correlation the
    shared control induces makes the test conservative by Sidak's inequality (Sidak 1967, J Am Stat Assoc
    62:626-633). The unadjusted p-value is Welch's.

    Parameters
    ----------
    samples
        The values of each treated group (at least 2 values each).
    control
        The control group's values (at least 2).
    confidence
        Joint confidence level of the simultaneous intervals.

    Returns
    -------
    ControlFamily
        Welch's t, unadjusted and T3-adjusted p, ``df`` an array of the Welch df, the simultaneous intervals
        (``ci_type="simultaneous"``) and ``critical_value`` an array (one per comparison). NaN for a
        comparison where neither group varies, with a note.
    """
    arrays = [np.asarray(s, dtype=float) for s in samples]
    reference = np.asarray(control, dtype=float)
    m = len(arrays)
    statistic, raw, adjusted, df, low, high, critical = (np.full(m, np.nan) for _ in range(7))
    notes = []
    for i, values in enumerate(arrays):
        welch = welch_t(values, reference)
        if math.isnan(welch.statistic):
            notes.append(f"group {i + 1}: no variation in the group or the control: Welch's t undefined")
            continue
        se = math.sqrt(values.var(ddof=1) / values.size + reference.var(ddof=1) / reference.size)
        difference = float(values.mean() - reference.mean())
        statistic[i], raw[i], df[i] = welch.statistic, welch.p_value, welch.df
        adjusted[i] = max_modulus_sf(abs(welch.statistic), np.zeros(m), welch.df)
        critical[i] = max_modulus_quantile(1.0 - confidence, np.zeros(m), welch.df)
        low[i], high[i] = difference - critical[i] * se, difference + critical[i] * se
    return ControlFamily(
        statistic, raw, adjusted, df=df, ci_low=low, ci_high=high, notes=tuple(notes),
        critical_value=critical, ci_type="simultaneous", adjustment="dunnett_t3",
    )  # fmt: skip


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
