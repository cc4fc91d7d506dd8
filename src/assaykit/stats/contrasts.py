"""What the model-based comparisons with a control share: groups, treatment coding, contrasts, rows.

The one-way GLMs (:mod:`assaykit.stats.glm`) and the ANCOVA (:mod:`assaykit.stats.ancova`) fit a model
whose design has an intercept (the control), one 0/1 column per other group (treatment coding with the
control as reference: R's default ``contr.treatment``) and, for the ANCOVA, the covariate. Building the
design matrix here, from the group labels as they are, keeps arbitrary labels ("AK-101 10 mg/kg (i.p.)")
out of formulas altogether. The coefficient of each group's column is its contrast with the control (a log
rate ratio, log odds ratio or covariate-adjusted difference), and the family of those contrasts is tested
single-step, as ``multcomp::glht(model, mcp(g = "Dunnett"))`` does (Hothorn, Bretz & Westfall 2008, Biom J
50:346-363), with :mod:`assaykit.stats.simultaneous`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize
from scipy import stats as sps

from assaykit.errors import AssayInputError
from assaykit.io.tables import closest_name
from assaykit.stats.columns import MODEL_COLUMNS
from assaykit.stats.inputs import group_order
from assaykit.stats.simultaneous import (
    max_modulus_quantile,
    max_modulus_sf_general,
    one_factor_loadings,
    simultaneous_p,
)

__all__ = [
    "ControlContrasts",
    "animal_label",
    "control_contrasts",
    "empty_ratio_rows",
    "left_out_note",
    "model_table",
    "prepare_groups",
    "ratio_rows",
    "treatment_design",
]


@dataclass(frozen=True)
class ControlContrasts:
    """Each group's contrast with the control from one fitted model, tested as a family.

    Attributes
    ----------
    estimate, se, statistic, p_value, p_adjusted, ci_low, ci_high
        One entry per contrast (NaN where it could not be estimated): the estimate, its standard error,
        ``estimate / se``, the unadjusted two-sided p, the single-step adjusted p and the interval (on the
        scale of ``estimate``; simultaneous when ``ci_type`` is ``"simultaneous"``).
    critical
        The critical value c of the intervals ``estimate +/- c se``.
    adjustment
        ``"dunnett"`` (one-factor correlations, exact quadrature), ``"dunnett-qmc"`` (other correlations,
        quasi-Monte Carlo) or ``"none"`` (a single contrast).
    ci_type
        ``"simultaneous"`` or ``"per_comparison"``.
    """

    estimate: np.ndarray
    se: np.ndarray
    statistic: np.ndarray
    p_value: np.ndarray
    p_adjusted: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    critical: float
    adjustment: str
    ci_type: str


def control_contrasts(
    estimates: np.ndarray, covariance: np.ndarray, df: float = math.inf, *, confidence: float = 0.95
) -> ControlContrasts:
    """Test a family of contrasts with the control single-step, from their estimates and covariance.

    ``z_i = b_i / se_i`` (a t statistic on ``df`` when ``df`` is finite); the adjusted p is
    ``P(max_j |T_j| >= |z_i|)`` under the multivariate normal (or t) with the correlations of the
    estimates, and the simultaneous interval is ``b_i +/- c se_i`` with ``P(max_j |T_j| >= c) = 1 -
    confidence`` (Hothorn, Bretz & Westfall 2008, Biom J 50:346-363; R ``summary(glht(...))`` with the
    single-step method and ``confint(glht(...))``). One-factor correlations, as every one-way layout
    gives, are integrated exactly (:func:`~assaykit.stats.simultaneous.max_modulus_sf`); other ones by
    quasi-Monte Carlo (:func:`~assaykit.stats.simultaneous.max_modulus_sf_general`, ~1e-6).

    Parameters
    ----------
    estimates
        The contrasts (model coefficients), NaN for those that could not be estimated.
    covariance
        Their covariance matrix (rows and columns of NaN estimates are ignored).
    df
        Degrees of freedom of the t statistics; ``math.inf`` for Wald z statistics.
    confidence
        Joint confidence level of the intervals.

    Returns
    -------
    ControlContrasts
        The family's statistics, p-values and intervals.
    """
    b = np.asarray(estimates, dtype=float)
    cov = np.asarray(covariance, dtype=float).reshape(b.size, b.size)
    k = b.size
    se = np.full(k, np.nan)
    with np.errstate(invalid="ignore"):
        diagonal = np.diag(cov).copy()
    ok = np.isfinite(b) & np.isfinite(diagonal) & (diagonal > 0)
    se[ok] = np.sqrt(diagonal[ok])
    statistic = np.full(k, np.nan)
    statistic[ok] = b[ok] / se[ok]
    p_value = np.full(k, np.nan)
    reference = sps.norm if math.isinf(df) else sps.t(df)
    p_value[ok] = 2.0 * reference.sf(np.abs(statistic[ok]))
    alpha = 1.0 - confidence
    used = int(ok.sum())
    p_adjusted = np.full(k, np.nan)
    if used <= 1:
        critical, adjustment, ci_type = float(reference.isf(alpha / 2)), "none", "per_comparison"
        p_adjusted[ok] = p_value[ok]
    else:
        sub = cov[np.ix_(ok, ok)]
        correlation = sub / np.outer(se[ok], se[ok])
        p_adjusted[ok], method = simultaneous_p(statistic[ok], correlation, df)
        ci_type = "simultaneous"
        loadings = one_factor_loadings(correlation) if method == "quadrature" else None
        if loadings is not None:
            critical, adjustment = max_modulus_quantile(alpha, loadings, df), "dunnett"
        else:
            critical, adjustment = _general_quantile(alpha, correlation, df), "dunnett-qmc"
    ci_low = np.where(ok, b - critical * se, np.nan)
    ci_high = np.where(ok, b + critical * se, np.nan)
    return ControlContrasts(
        b.copy(), se, statistic, p_value, p_adjusted, ci_low, ci_high, critical, adjustment, ci_type
    )


def _general_quantile(probability: float, correlation: np.ndarray, df: float) -> float:
    """Critical value c with ``P(max |T_i| >= c) = probability`` for any correlations (QMC, to ~1e-6)."""
    k = correlation.shape[0]
    reference = sps.norm if math.isinf(df) else sps.t(df)
    low = float(reference.isf(probability / 2))
    high = float(reference.isf(probability / (2 * k)))
    f = lambda c: max_modulus_sf_general(c, correlation, df) - probability  # noqa: E731
    return float(optimize.brentq(f, low * (1 - 1e-9), high * (1 + 1e-9), xtol=1e-9))


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
            message = f"no column '{column}'; the columns are {', '.join(names)}"
            suggestion = closest_name(names, [column])
            if suggestion is not None:
                message += f"; did you mean '{suggestion[0]}'?"
            raise AssayInputError(message, path=source)
    labels = data[group].map(lambda v: "" if pd.api.types.is_scalar(v) and pd.isna(v) else str(v).strip())
    table = data.assign(**{group: labels})
    table = table[table[group] != ""].copy()
    present = [str(g) for g in pd.unique(table[group])]
    if control not in present:
        message = f"no group named '{control}' (the control); the groups are {', '.join(present)}"
        suggestion = closest_name(present, [control])
        if suggestion is not None:
            message += f"; did you mean '{suggestion[0]}'?"
        raise AssayInputError(message, path=source, column=group)
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
    contrasts = control_contrasts(np.full(len(order) - 1, np.nan), np.full((len(order) - 1,) * 2, np.nan))
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
    contrasts: ControlContrasts,
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
