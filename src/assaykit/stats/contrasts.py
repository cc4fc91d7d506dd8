"""Contrasts of a fitted model with the control, tested as a family; what the model-based comparisons share.

Given the estimates of the contrasts ``group_i - control`` of any model (a one-way GLM, an ANCOVA, a
two-way ANOVA, a model with a blocking factor, a mixed model) and their covariance matrix,
:func:`many_to_one` returns each contrast's t (z when the df are infinite), its unadjusted p-value, the
single-step adjusted p-value ``P(max_j |T_j| >= |t_i|)`` and the simultaneous confidence intervals. This
is the single-step "Dunnett" adjustment of R's ``multcomp::glht(model, linfct = mcp(group = "Dunnett"))``
(Hothorn, Bretz & Westfall 2008, Biometrical Journal 50:346-363), which applies to the contrasts of any
model whose estimates are jointly (asymptotically) normal.

When those correlations have the one-factor form ``R_ij = lambda_i lambda_j`` (every one-way layout, a
balanced two-way layout, the simple effects within one level of a factor) the probabilities are computed
by deterministic quadrature (:func:`~assaykit.stats.simultaneous.max_modulus_sf`, ``adjustment =
"dunnett"``); otherwise by randomised quasi-Monte Carlo integration with a fixed seed
(:func:`~assaykit.stats.simultaneous.max_modulus_sf_general`, ``adjustment = "dunnett-qmc"``). A family of
one contrast is its own test (``adjustment = "none"``).

The one-way GLMs (:mod:`assaykit.stats.glm`) and the ANCOVA (:mod:`assaykit.stats.ancova`) also take from
here their design in treatment coding with the control as reference (R's default ``contr.treatment``),
built from the group labels as they are so that arbitrary labels ("AK-101 10 mg/kg (i.p.)") never enter a
formula, and their rows of :data:`~assaykit.stats.columns.MODEL_COLUMNS`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from assaykit.errors import AssayInputError
from assaykit.stats.columns import MODEL_COLUMNS
from assaykit.stats.inputs import group_labels, group_order, not_found
from assaykit.stats.simultaneous import (
    max_modulus_quantile,
    max_modulus_sf,
    max_modulus_sf_general,
    one_factor_loadings,
    simultaneous_p,
)

__all__ = [
    "ManyToOne",
    "animal_label",
    "empty_ratio_rows",
    "estimable",
    "left_out_note",
    "many_to_one",
    "model_table",
    "prepare_groups",
    "ratio_rows",
    "simultaneous_critical_value",
    "treatment_design",
]


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
        or ``"none"`` when one contrast or nothing could be tested.
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

    @property
    def ci_type(self) -> str:
        """``"simultaneous"`` for a family adjusted single-step, ``"per_comparison"`` for one contrast."""
        return "per_comparison" if self.adjustment == "none" else "simultaneous"

    def row_values(self, i: int) -> dict[str, object]:
        """Return contrast ``i`` as the numeric columns of a ``MODEL_COLUMNS`` row.

        ``estimate, se, ci_low, ci_high, ci_type, statistic, df, p_value, p_adjusted, adjustment``, on the
        scale of the estimates (a model on the log scale turns its estimate and interval into ratios).
        """
        return {
            "estimate": self.estimate[i],
            "se": self.se[i],
            "ci_low": self.ci_low[i],
            "ci_high": self.ci_high[i],
            "ci_type": self.ci_type,
            "statistic": self.statistic[i],
            "df": self.df,
            "p_value": self.p_value[i],
            "p_adjusted": self.p_adjusted[i],
            "adjustment": self.adjustment,
        }


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
        adjustment="none" if ok.sum() == 1 else "dunnett" if method == "quadrature" else "dunnett-qmc",
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
        else by secant steps on the quasi-Monte Carlo
        :func:`~assaykit.stats.simultaneous.max_modulus_sf_general` (to about 1e-5), from the exact
        critical value of the one-factor family with the same mean correlation.
    """
    lam = one_factor_loadings(correlation)
    if lam is not None:
        return max_modulus_quantile(alpha, lam, df)
    k = correlation.shape[0]
    # Start from the one-factor family with the same mean correlation (exact and fast), then take secant
    # steps on the quasi-Monte Carlo tail: with its fixed seed that tail is a smooth function of c, and
    # two or three steps reach it to its own accuracy (Brent's method needed seven or more integrals).
    mean = float(np.clip(correlation[~np.eye(k, dtype=bool)].mean(), 0.0, 0.98))
    loadings = np.full(k, math.sqrt(mean))
    c = max_modulus_quantile(alpha, loadings, df)
    h = 1e-4
    slope = (max_modulus_sf(c + h, loadings, df) - max_modulus_sf(c - h, loadings, df)) / (2 * h)
    f = max_modulus_sf_general(c, correlation, df) - alpha
    for _ in range(6):
        step = -f / slope
        c_new = c + step
        f_new = max_modulus_sf_general(c_new, correlation, df) - alpha
        if abs(step) < 1e-7 or abs(f_new) < 1e-8:
            return float(c_new)
        if f_new != f:
            slope = (f_new - f) / (c_new - c)
        c, f = c_new, f_new
    return float(c)


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


def prepare_groups(
    data: pd.DataFrame, columns: list[str], *, group: str, control: str
) -> tuple[pd.DataFrame, list[str]]:
    """Check the group column, the control and the columns, and order the groups (the control first).

    Parameters
    ----------
    data
        One row per animal.
    columns
        The columns the model needs.
    group, control
        The group column and the control group.

    Returns
    -------
    table : pandas.DataFrame
        A copy of ``data`` with the group labels as stripped text and the rows without a group left out.
    order : list of str
        The groups, the control first, then in order of first appearance.

    Raises
    ------
    AssayInputError
        When the group column, the control group or one of ``columns`` is missing.
    """
    source = data.attrs.get("source")
    if group not in data.columns:
        raise AssayInputError(f"no '{group}' column to take the groups from", path=source)
    for column in columns:
        if column not in data.columns:
            names = [str(c) for c in data.columns]
            raise AssayInputError(not_found(f"no column '{column}'", column, names), path=source)
    labels = group_labels(data[group])
    table = data.assign(**{group: labels})
    table = table[table[group] != ""].copy()
    present = [str(g) for g in pd.unique(table[group])]
    if control not in present:
        head = f"no group named '{control}' (the control)"
        raise AssayInputError(not_found(head, control, present, "groups"), path=source, column=group)
    return table, group_order(table, control, group=group)


def animal_label(table: pd.DataFrame, position: int, animal: str = "animal") -> str:
    """Name the animal of row ``position``: its ``animal`` value, else its row label in the table."""
    if animal in table.columns:
        return f"animal '{table[animal].iloc[position]}'"
    return f"the animal in row {table.index[position]!r}"


def treatment_design(labels: np.ndarray, groups: list[str]) -> np.ndarray:
    """Design matrix of a one-way layout in treatment coding: an intercept, then one 0/1 column per group.

    Parameters
    ----------
    labels
        The group of each animal.
    groups
        The groups, the reference (control) first; its column is the intercept.

    Returns
    -------
    numpy.ndarray
        ``len(labels)`` x ``len(groups)``, as R's ``model.matrix(~ g)`` with ``contr.treatment``.
    """
    labels = np.asarray(labels, dtype=object)
    columns = [np.ones(labels.size)] + [(labels == g).astype(float) for g in groups[1:]]
    return np.column_stack(columns)


def model_table(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Return ``rows`` as a table with exactly :data:`~assaykit.stats.columns.MODEL_COLUMNS`, in order."""
    table = pd.DataFrame(rows, columns=list(MODEL_COLUMNS))
    for column in ("n_group", "n_control"):
        table[column] = table[column].astype("int64")
    numeric = ("estimate", "se", "ci_low", "ci_high", "statistic", "df", "p_value", "p_adjusted")
    for column in numeric:
        table[column] = table[column].astype(float)
    return table


def left_out_note(count: int, why: str) -> list[str]:
    """Say that ``count`` animals were left out and why (nothing when none were)."""
    if count == 0:
        return []
    return [f"{count} animal{'s' if count > 1 else ''} {why} left out"]


def empty_ratio_rows(
    endpoint: str, analysis: str, model: str, order: list[str], sizes: dict[str, int], scale: str, why: str
) -> pd.DataFrame:
    """Build rows of NaN for every group, with ``why`` nothing was tested."""
    contrasts = many_to_one(np.full(len(order) - 1, np.nan), np.full((len(order) - 1,) * 2, np.nan), math.inf)
    return ratio_rows(
        endpoint, analysis, model, order, [], sizes, contrasts, scale, [f"not tested: {why}"], {}
    )


def ratio_rows(
    endpoint: str,
    analysis: str,
    model: str,
    order: list[str],
    fitted: list[str],
    sizes: dict[str, int],
    contrasts: ManyToOne,
    scale: str,
    notes: list[str],
    degenerate: dict[str, str],
    df: float = math.inf,
) -> pd.DataFrame:
    """Build one row per group other than the control, ratios ``exp(b)``; groups outside the fit get NaN."""
    control = order[0]
    where = {g: i for i, g in enumerate(fitted[1:])}
    rows = []
    for g in order[1:]:
        row_notes = list(notes)
        i = where.get(g)
        if g in degenerate:
            row_notes.append(f"{g}: {degenerate[g]}; left out of the model")
        elif sizes[g] == 0:
            row_notes.append(f"{g}: no animal with a value")
        if i is None:
            values = dict.fromkeys(
                ("estimate", "se", "ci_low", "ci_high", "statistic", "p_value", "p_adjusted"), math.nan
            )
        else:
            values = {
                "estimate": math.exp(contrasts.estimate[i]),
                "se": contrasts.se[i],
                "ci_low": math.exp(contrasts.ci_low[i]),
                "ci_high": math.exp(contrasts.ci_high[i]),
                "statistic": contrasts.statistic[i],
                "p_value": contrasts.p_value[i],
                "p_adjusted": contrasts.p_adjusted[i],
            }
        rows.append(
            {
                "endpoint": endpoint,
                "analysis": analysis,
                "model": f"{model}, {analysis.replace('_', ' ')}",
                "stratum": "",
                "group": g,
                "control": control,
                "n_group": sizes[g],
                "n_control": sizes[control],
                "scale": scale,
                **values,
                "ci_type": contrasts.ci_type,
                "df": df,
                "adjustment": contrasts.adjustment,
                "note": "; ".join(row_notes),
            }
        )
    return model_table(rows)
