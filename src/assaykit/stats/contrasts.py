"""Single-step many-to-one contrasts of a fitted linear model: every group against the control.

Given the estimates of the contrasts ``group_i - control`` of any linear model (a two-way ANOVA, a model
with a blocking factor or a covariate, a mixed model) and their covariance matrix, :func:`many_to_one`
returns each contrast's t (z when the df are infinite), its unadjusted p-value, the single-step adjusted
p-value ``P(max_j |T_j| >= |t_i|)`` and the simultaneous confidence intervals. This is the single-step
"Dunnett" adjustment of R's ``multcomp::glht(model, linfct = mcp(group = "Dunnett"))`` (Hothorn, Bretz &
Westfall 2008, Biometrical Journal 50:346-363), which applies to the contrasts of any linear model: the
statistics are jointly multivariate t with the correlations of the estimates.

When those correlations have the one-factor form ``R_ij = lambda_i lambda_j`` (every one-way layout, a
balanced two-way layout, the simple effects within one level of a factor) the probabilities are computed
by deterministic quadrature (:func:`~assaykit.stats.simultaneous.max_modulus_sf`, ``adjustment =
"dunnett"``); otherwise by randomised quasi-Monte Carlo integration with a fixed seed
(:func:`~assaykit.stats.simultaneous.max_modulus_sf_general`, ``adjustment = "dunnett-qmc"``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize
from scipy import stats as sps

from assaykit.stats.simultaneous import (
    max_modulus_quantile,
    max_modulus_sf_general,
    one_factor_loadings,
    simultaneous_p,
)

__all__ = ["ManyToOne", "estimable", "many_to_one"]


@dataclass(frozen=True)
class ManyToOne:
    """Contrasts of several groups with one control, one entry per contrast in the order given.

    Attributes
    ----------
    estimate, se
        The contrast estimates and their standard errors.
    statistic
        ``estimate / se``: t on ``df`` degrees of freedom, or z when ``df`` is infinite.
    p_value
        Two-sided unadjusted p-value of each contrast.
    p_adjusted
        Single-step adjusted p-value over the contrasts that could be tested.
    ci_low, ci_high
        Simultaneous confidence interval ``estimate +/- critical_value x se``.
    df
        Degrees of freedom of the t statistics (``math.inf`` for z).
    critical_value
        The two-sided simultaneous critical value at the requested confidence.
    adjustment
        ``"dunnett"`` (exact quadrature, one-factor correlations), ``"dunnett-qmc"`` (quasi-Monte Carlo),
        or ``"none"`` when nothing could be tested.
    """

    estimate: np.ndarray
    se: np.ndarray
    statistic: np.ndarray
    p_value: np.ndarray
    p_adjusted: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    df: float
    critical_value: float
    adjustment: str


def many_to_one(
    estimates: np.ndarray | list[float],
    covariance: np.ndarray,
    df: float,
    *,
    confidence: float = 0.95,
) -> ManyToOne:
    """Single-step simultaneous tests and intervals of contrasts with a control (Dunnett for any model).

    ``t_i = estimate_i / se_i`` with ``se_i = sqrt(covariance_ii)``; the unadjusted p is ``2 P(T_df >=
    |t_i|)`` (normal when ``df`` is infinite); the adjusted p is ``P(max_j |T_j| >= |t_i|)`` for T
    multivariate t on ``df`` with the correlation matrix of the estimates; the simultaneous interval is
    ``estimate_i +/- c se_i`` with ``P(max_j |T_j| >= c) = 1 - confidence``. These are the single-step
    p-values and ``confint`` intervals of ``multcomp::glht`` (Hothorn, Bretz & Westfall 2008).

    Parameters
    ----------
    estimates
        The contrast estimates (each group minus the control).
    covariance
        Their covariance matrix (``L V L^T`` for the contrast matrix L and the covariance V of the model's
        coefficients).
    df
        Residual degrees of freedom of the model; ``math.inf`` for z statistics.
    confidence
        Joint confidence level of the intervals.

    Returns
    -------
    ManyToOne
        Every array has one entry per contrast. Contrasts whose estimate or standard error is not a finite
        positive number (not estimable, no variation) are NaN and left out of the family; with ``df <= 0``
        or nothing testable, everything is NaN and ``adjustment`` is ``"none"``.
    """
    est = np.asarray(estimates, dtype=float).ravel()
    cov = np.atleast_2d(np.asarray(covariance, dtype=float))
    k = est.size
    if cov.shape != (k, k):
        raise ValueError(f"covariance must be {k} x {k}, got {cov.shape}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    nan = np.full(k, np.nan)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.diag(cov))
    ok = np.isfinite(est) & np.isfinite(se) & (se > 0)
    if not (df > 0) or not ok.any():
        blank = [nan.copy() for _ in range(5)]
        return ManyToOne(est, se, *blank, df=float(df), critical_value=math.nan, adjustment="none")
    t = np.where(ok, est / np.where(ok, se, 1.0), np.nan)
    tail = (lambda x: sps.t.sf(x, df)) if math.isfinite(df) else sps.norm.sf
    raw = np.where(ok, 2.0 * tail(np.abs(np.nan_to_num(t))), np.nan)
    sub = cov[np.ix_(ok, ok)]
    corr = sub / np.outer(se[ok], se[ok])
    np.fill_diagonal(corr, 1.0)
    adjusted = nan.copy()
    adjusted[ok], method = simultaneous_p(t[ok], corr, df)
    critical = simultaneous_critical_value(corr, df, 1.0 - confidence)
    return ManyToOne(
        estimate=np.where(ok, est, np.nan),
        se=np.where(ok, se, np.nan),
        statistic=t,
        p_value=raw,
        p_adjusted=adjusted,
        ci_low=np.where(ok, est - critical * se, np.nan),
        ci_high=np.where(ok, est + critical * se, np.nan),
        df=float(df),
        critical_value=critical,
        adjustment="dunnett" if method == "quadrature" else "dunnett-qmc",
    )


def simultaneous_critical_value(correlation: np.ndarray, df: float, alpha: float) -> float:
    """Return the c with ``P(max_i |T_i| >= c) = alpha`` for statistics with this correlation matrix.

    Parameters
    ----------
    correlation
        Correlation matrix of the statistics.
    df
        Degrees of freedom (``math.inf`` for the multivariate normal).
    alpha
        Upper tail probability (1 - the joint confidence level).

    Returns
    -------
    float
        By :func:`~assaykit.stats.simultaneous.max_modulus_quantile` when the correlations are one-factor,
        else by Brent's root-finding on the quasi-Monte Carlo
        :func:`~assaykit.stats.simultaneous.max_modulus_sf_general` (to about 1e-6), between the
        single-comparison and the Bonferroni critical values.
    """
    lam = one_factor_loadings(correlation)
    if lam is not None:
        return max_modulus_quantile(alpha, lam, df)
    k = correlation.shape[0]
    dist = sps.t(df) if math.isfinite(df) else sps.norm()
    low, high = dist.isf(alpha / 2), dist.isf(alpha / (2 * k))
    f = lambda c: max_modulus_sf_general(c, correlation, df) - alpha  # noqa: E731
    if f(low) <= 0:
        return float(low)
    if f(high) >= 0:
        return float(high)
    return float(optimize.brentq(f, low, high, xtol=1e-7))


def estimable(design: np.ndarray, contrasts: np.ndarray, *, tol: float = 1e-8) -> np.ndarray:
    """Whether each row of ``contrasts`` is an estimable function of a (possibly rank-deficient) design.

    ``L beta`` is estimable when L lies in the row space of X, i.e. ``L (I - X^+ X) = 0`` (Searle 1971,
    Linear Models, section 5.4); an empty cell of a two-way layout, or a group seen in one block only,
    makes some contrasts inestimable, and a pseudo-inverse fit would still print a number for them.

    Parameters
    ----------
    design
        The model matrix X (n x p).
    contrasts
        The contrast matrix L (m x p).
    tol
        Tolerance relative to the size of each row of L.

    Returns
    -------
    numpy.ndarray
        One boolean per row of L.
    """
    x = np.asarray(design, dtype=float)
    rows = np.atleast_2d(np.asarray(contrasts, dtype=float))
    projector = np.eye(x.shape[1]) - np.linalg.pinv(x) @ x
    residual = np.abs(rows @ projector).max(axis=1)
    scale = np.maximum(np.abs(rows).max(axis=1), 1.0)
    return residual <= tol * scale
