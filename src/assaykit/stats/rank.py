"""Rank tests: Mann-Whitney U, Kruskal-Wallis, Dunn's and Steel's tests of a control, Jonckheere-Terpstra.

Each function takes the values of each group as 1-D arrays of finite numbers (missing values already
dropped). Ties get mid-ranks and every variance is corrected for them. Data that are all equal give NaN
statistics rather than warnings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

from assaykit.multiplicity import holm
from assaykit.stats.results import ControlFamily, TestResult, TrendResult, constant_groups_allowed
from assaykit.stats.simultaneous import max_modulus_sf

#: Adjustments of Dunn's p-values offered by :func:`dunn_vs_control`.
DUNN_ADJUSTMENTS = ("holm", "bonferroni")


def mann_whitney(group: np.ndarray, control: np.ndarray) -> TestResult:
    """Mann-Whitney U test (Wilcoxon rank-sum) of ``group`` against ``control``, two-sided.

    ``U = #{(g, c): g > c} + #{(g, c): g = c} / 2`` over all pairs of a group value g and a control value c
    (Mann & Whitney 1947, Ann Math Stat 18:50-60), by ``scipy.stats.mannwhitneyu(group, control)`` with its
    ``method="auto"``: the exact distribution of U when the smaller group has at most 8 values and there are
    no ties, otherwise the normal approximation with the tie-corrected variance and a continuity correction.
    The exact test cannot go below p = 2 / C(n1 + n2, n1): 0.33 with 2 animals per group, 0.10 with 3, 0.029
    with 4.

    Parameters
    ----------
    group, control
        The values of the two groups (at least 1 each).

    Returns
    -------
    TestResult
        U of ``group`` and its two-sided p (``df`` NaN). NaN when every value is equal.
    """
    x = np.asarray(group, dtype=float)
    y = np.asarray(control, dtype=float)
    if np.ptp(np.concatenate([x, y])) == 0:
        return TestResult(math.nan, math.nan)
    with constant_groups_allowed():
        result = stats.mannwhitneyu(x, y, alternative="two-sided", method="auto")
    return TestResult(float(result.statistic), float(result.pvalue))


def kruskal_wallis(samples: Sequence[np.ndarray]) -> TestResult:
    """Kruskal-Wallis H test of equal distributions across groups, by ``scipy.stats.kruskal``.

    ``H = [12 / (N (N + 1)) sum_i n_i (Rbar_i - (N + 1)/2)**2] / C`` with ``Rbar_i`` the mean mid-rank of
    group i in the pooled sample and ``C = 1 - sum_t (t**3 - t) / (N**3 - N)`` the tie correction (Kruskal &
    Wallis 1952, J Am Stat Assoc 47:583-621); p from chi-square with k - 1 df.

    Parameters
    ----------
    samples
        The values of each group.

    Returns
    -------
    TestResult
        H, its p-value and ``df = k - 1``. NaN when every value is equal.
    """
    arrays = [np.asarray(s, dtype=float) for s in samples]
    df = len(arrays) - 1
    if np.ptp(np.concatenate(arrays)) == 0:
        return TestResult(math.nan, math.nan, df=df)
    with constant_groups_allowed():
        result = stats.kruskal(*arrays)
    return TestResult(float(result.statistic), float(result.pvalue), df=df)


def dunn_vs_control(
    samples: Sequence[np.ndarray], control: np.ndarray, *, adjust: str = "holm"
) -> ControlFamily:
    """Dunn's test of each group against the control on the Kruskal-Wallis ranks, Holm or Bonferroni adjusted.

    All values (control and groups) are ranked together, ties getting mid-ranks. For group i,
    ``z_i = (Rbar_i - Rbar_0) / sqrt((N (N + 1) / 12 - sum_t (t**3 - t) / (12 (N - 1))) (1/n_i + 1/n_0))``,
    where ``Rbar`` are mean ranks, N is the total number of values and t runs over the sizes of the groups
    of tied values (Dunn 1964, Technometrics 6:241-252, with her correction for ties). The two-sided p is
    ``2 (1 - Phi(|z_i|))``, and the k - 1 p-values of the comparisons with the control are adjusted by
    Holm's method (:func:`assaykit.multiplicity.holm`; R's ``dunn.test(..., method = "holm")`` and
    scikit-posthocs' ``posthoc_dunn(p_adjust="holm")`` restricted to the comparisons with the control) or,
    with ``adjust="bonferroni"``, multiplied by the number of comparisons and capped at 1, which is what
    GraphPad Prism reports for Dunn's test (GraphPad Prism Statistics Guide, "How the Dunn method for
    nonparametric comparisons works", step 3: the uncorrected p-value times the number of comparisons).

    Parameters
    ----------
    samples
        The values of each treated group.
    control
        The control group's values.
    adjust
        ``"holm"`` (default) or ``"bonferroni"`` (Prism's).

    Returns
    -------
    ControlFamily
        z, raw and adjusted p of each group (``df`` NaN, no confidence interval; ``adjustment`` names the
        method). NaN when every value is equal.
    """
    if adjust not in DUNN_ADJUSTMENTS:
        raise ValueError(f"adjust must be one of {', '.join(DUNN_ADJUSTMENTS)}, got {adjust!r}")
    arrays = [np.asarray(s, dtype=float) for s in samples]
    reference = np.asarray(control, dtype=float)
    pooled = np.concatenate([reference, *arrays])
    n_total = pooled.size
    nan = np.full(len(arrays), np.nan)
    if np.ptp(pooled) == 0:
        return ControlFamily(
            nan, nan, nan, notes=("all values equal: Dunn's test undefined",), adjustment=adjust
        )
    ranks = stats.rankdata(pooled)
    unit = n_total * (n_total + 1) / 12.0 - _tie_sum(pooled) / (12.0 * (n_total - 1))
    bounds = np.cumsum([reference.size, *(a.size for a in arrays)])
    mean_control = ranks[: bounds[0]].mean()
    z = np.array(
        [
            (ranks[start:end].mean() - mean_control)
            / math.sqrt(unit * (1.0 / (end - start) + 1.0 / reference.size))
            for start, end in zip(bounds[:-1], bounds[1:], strict=True)
        ]
    )
    raw = 2.0 * stats.norm.sf(np.abs(z))
    adjusted = holm(raw) if adjust == "holm" else np.minimum(raw * len(arrays), 1.0)
    return ControlFamily(z, raw, adjusted, adjustment=adjust)


def steel_vs_control(samples: Sequence[np.ndarray], control: np.ndarray) -> ControlFamily:
    """Steel's many-to-one rank test: each group's Wilcoxon rank sum against the control, single-step.

    Each group i is ranked jointly with the control only (mid-ranks for ties), and its rank sum W_i is
    standardised with the tie-corrected null moments of the Wilcoxon statistic, ``E = n_i (N_i + 1) / 2``
    and ``Var = n_i n_0 / 12 [(N_i + 1) - sum_t (t**3 - t) / (N_i (N_i - 1))]`` with ``N_i = n_i + n_0``
    and t the sizes of the tied runs of that joint sample: ``z_i = (W_i - E) / sqrt(Var)`` (no continuity
    correction). The statistics share the control, so under the null hypothesis they are asymptotically
    multivariate normal with correlations ``lambda_i lambda_j``, ``lambda_i = sqrt(n_i / (n_i + n_0 + 1))``
    (Steel 1959, Biometrics 15:560-572; Hochberg & Tamhane 1987, Multiple Comparison Procedures, ch. 9:
    ``Cov(U_i, U_j) = n_i n_j n_0 / 12`` for the Mann-Whitney counts sharing the control, ``Var(U_i) = n_i
    n_0 (N_i + 1) / 12``). The adjusted p-value is ``P(max_j |Z_j| >= |z_i|)`` by the quadrature of
    :func:`~assaykit.stats.simultaneous.max_modulus_sf`; the unadjusted one is ``2 (1 - Phi(|z_i|))``, the
    normal-approximation Wilcoxon test without continuity correction.

    Ties: the variances are tie-corrected, the correlations are not. The covariance ``n_i n_j n_0 / 12``
    holds for untied data; with ties both the covariance (its 1/12 becomes the variance of the control
    values' mid-distribution function) and the variances shrink, and the loadings above are those of the
    untied data. For the few ties of measured behaviour the difference is small (the test suite checks the
    permutation correlation by simulation, with and without heavy ties); with very coarse scores (many
    ties) the adjustment is approximate.

    Parameters
    ----------
    samples
        The values of each treated group (at least 1 value each).
    control
        The control group's values (at least 1).

    Returns
    -------
    ControlFamily
        z, raw and Steel-adjusted p of each group (``df`` NaN, no confidence interval,
        ``adjustment="steel"``). NaN for a group whose joint sample with the control is all equal, with a
        note; the others are then adjusted over the comparisons that have a statistic.
    """
    arrays = [np.asarray(s, dtype=float) for s in samples]
    reference = np.asarray(control, dtype=float)
    n0 = reference.size
    z = np.full(len(arrays), np.nan)
    notes = []
    for i, values in enumerate(arrays):
        joint = np.concatenate([values, reference])
        n = joint.size
        variance = values.size * n0 / 12.0 * ((n + 1) - _tie_sum(joint) / (n * (n - 1)))
        if not variance > 0:
            notes.append(f"group {i + 1}: all values equal to the control's: Steel's z undefined")
            continue
        rank_sum = float(stats.rankdata(joint)[: values.size].sum())
        z[i] = (rank_sum - values.size * (n + 1) / 2.0) / math.sqrt(variance)
    raw = 2.0 * stats.norm.sf(np.abs(z))
    adjusted = np.full(z.shape, np.nan)
    present = np.isfinite(z)
    if present.any():
        sizes = np.array([a.size for a in arrays], dtype=float)[present]
        loadings = np.sqrt(sizes / (sizes + n0 + 1.0))
        adjusted[present] = max_modulus_sf(np.abs(z[present]), loadings)
    return ControlFamily(z, raw, adjusted, notes=tuple(notes), adjustment="steel")


def _tie_sum(values: np.ndarray) -> float:
    """``sum_t (t**3 - t)`` over the runs of tied values, t their sizes."""
    _, counts = np.unique(values, return_counts=True)
    t = counts.astype(float)
    return float((t**3 - t).sum())


def jonckheere_terpstra(samples: Sequence[np.ndarray]) -> TrendResult:
    """Jonckheere-Terpstra test for an ordered trend across groups, normal approximation, two-sided.

    With the groups in increasing order of dose, ``J = sum over i < j of U_ij``, where U_ij counts the pairs
    (x from group i, y from group j) with y > x, ties counting one half (Terpstra 1952, Indag Math
    14:327-333; Jonckheere 1954, Biometrika 41:133-145). Under the null hypothesis of no difference, with N
    values, group sizes n_i and tied runs of sizes t (Hollander & Wolfe 1999, Nonparametric Statistical
    Methods, 2nd ed., section 6.2; Lehmann 1975, Nonparametrics, ch. 5):

    * ``E[J] = (N**2 - sum n_i**2) / 4``
    * ``Var[J] = [N(N-1)(2N+5) - sum n_i(n_i-1)(2n_i+5) - sum t(t-1)(2t+5)] / 72
      + [sum n_i(n_i-1)(n_i-2)] [sum t(t-1)(t-2)] / (36 N(N-1)(N-2))
      + [sum n_i(n_i-1)] [sum t(t-1)] / (8 N(N-1))``

    which is the exact permutation variance given the ties (it reduces to ``[N**2 (2N + 3) - sum n_i**2
    (2 n_i + 3)] / 72`` without them). ``z = (J - E[J]) / sqrt(Var[J])``, without continuity correction,
    and ``p = 2 (1 - Phi(|z|))``; z > 0 means values rise with dose. For a few animals per group the
    normal approximation is rough (an exact permutation p-value would be better); the test suite checks
    E[J] and Var[J] against a full enumeration of the permutations.

    Parameters
    ----------
    samples
        The values of each group, in increasing order of dose (at least 2 groups).

    Returns
    -------
    TrendResult
        J, its two-sided p, z, and E[J] and Var[J]. NaN z and p when every value is equal.
    """
    arrays = [np.asarray(s, dtype=float) for s in samples]
    if len(arrays) < 2:
        raise ValueError(f"Jonckheere-Terpstra needs at least 2 ordered groups, got {len(arrays)}")
    j = 0.0
    for i, lower in enumerate(arrays):
        for higher in arrays[i + 1 :]:
            diff = higher[None, :] - lower[:, None]
            j += float(np.count_nonzero(diff > 0)) + 0.5 * float(np.count_nonzero(diff == 0))
    sizes = np.array([a.size for a in arrays], dtype=float)
    pooled = np.concatenate(arrays)
    n = float(pooled.size)
    _, counts = np.unique(pooled, return_counts=True)
    t = counts.astype(float)
    mean = (n**2 - float((sizes**2).sum())) / 4.0
    variance = (
        n * (n - 1) * (2 * n + 5)
        - float((sizes * (sizes - 1) * (2 * sizes + 5)).sum())
        - float((t * (t - 1) * (2 * t + 5)).sum())
    ) / 72.0 + float((sizes * (sizes - 1)).sum()) * float((t * (t - 1)).sum()) / (8.0 * n * (n - 1))
    if n > 2:  # the term is 0 / 0 with 2 values (both sums vanish)
        variance += (
            float((sizes * (sizes - 1) * (sizes - 2)).sum())
            * float((t * (t - 1) * (t - 2)).sum())
            / (36.0 * n * (n - 1) * (n - 2))
        )
    if not variance > 0:
        return TrendResult(j, math.nan, mean=mean, variance=variance)
    z = (j - mean) / math.sqrt(variance)
    return TrendResult(j, float(2.0 * stats.norm.sf(abs(z))), z=z, mean=mean, variance=variance)
