"""Anxiolysis or sedation: each group against the control adjusted for a locomotor covariate (ANCOVA).

Benzodiazepines sedate, and a sedated animal explores less; whether open-arm time rose "at equal
locomotion" is the question of an analysis of covariance: ``y = b0 + b_g + beta x + e`` by ordinary least
squares, ``b_g`` the difference of group g from the control at any common value of the covariate x
(distance travelled, total arm entries), under the assumption that the slope beta is the same in every
group (Maxwell & Delaney 2004, Designing Experiments and Analyzing Data, 2nd ed., ch. 9; Huitema 2011, The
Analysis of Covariance and Alternatives, 2nd ed., ch. 6-9). The assumption is tested by the group x
covariate interaction F (R ``anova(lm(y ~ g * x))``); the differences are tested as a many-to-one family
(R ``multcomp::glht(lm(y ~ g + x), mcp(g = "Dunnett"))``).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as sps

from assaykit.stats.contrasts import (
    ManyToOne,
    left_out_note,
    many_to_one,
    model_table,
    prepare_groups,
    treatment_design,
)
from assaykit.stats.inputs import numeric_endpoint

__all__ = ["CovariateComparison", "covariate_comparisons"]

#: Level below which the parallel-slopes (interaction) test and the covariate's group difference get a note.
NOTE_LEVEL = 0.05


@dataclass(frozen=True)
class CovariateComparison:
    """What :func:`covariate_comparisons` found.

    Attributes
    ----------
    rows
        One row per group other than the control, :data:`~assaykit.stats.columns.MODEL_COLUMNS`.
    covariate
        The covariate column.
    slope, slope_se, slope_ci_low, slope_ci_high, slope_p
        The common slope of the endpoint on the covariate (endpoint units per covariate unit), its SE, 95%
        (``confidence``) interval and two-sided t-test p (R ``summary(lm(y ~ g + x))``).
    parallel_f, parallel_df, parallel_df_error, parallel_p
        The F test of the group x covariate interaction (equal slopes): the ``g:x`` row of R's
        ``anova(lm(y ~ g * x))``.
    covariate_f, covariate_df, covariate_df_error, covariate_p
        One-way ANOVA of the covariate on the groups: whether the treatment moved the covariate.
    notes
        Sentences worth reading before the numbers (also in each row's ``note``).
    """

    rows: pd.DataFrame
    covariate: str
    slope: float = math.nan
    slope_se: float = math.nan
    slope_ci_low: float = math.nan
    slope_ci_high: float = math.nan
    slope_p: float = math.nan
    parallel_f: float = math.nan
    parallel_df: float = math.nan
    parallel_df_error: float = math.nan
    parallel_p: float = math.nan
    covariate_f: float = math.nan
    covariate_df: float = math.nan
    covariate_df_error: float = math.nan
    covariate_p: float = math.nan
    notes: list[str] = field(default_factory=list)


def covariate_comparisons(
    data: pd.DataFrame,
    endpoint: str,
    *,
    covariate: str = "distance_cm",
    group: str = "group",
    control: str,
    confidence: float = 0.95,
) -> CovariateComparison:
    """Compare each group with the control on ``endpoint`` adjusted for ``covariate`` (one-way ANCOVA).

    Parameters
    ----------
    data
        One row per animal: the group column, the endpoint and the covariate (numbers, empty where an
        animal has no value).
    endpoint
        The endpoint column, e.g. ``open_time_pct``.
    covariate
        The covariate column, e.g. ``distance_cm`` or ``total_entries``.
    group, control
        The group column and the control group.
    confidence
        Joint confidence level of the simultaneous intervals (and of the slope's interval).

    Returns
    -------
    CovariateComparison
        ``rows``: :data:`~assaykit.stats.columns.MODEL_COLUMNS` with ``analysis`` "ancova", ``scale``
        "difference" (the covariate-adjusted difference from the control, endpoint units), ``se``, t
        ``statistic`` on the residual ``df``, unadjusted ``p_value``, single-step ``p_adjusted`` with
        simultaneous intervals (``adjustment`` "dunnett" when the contrasts' correlations are one-factor,
        "dunnett-qmc" otherwise, "none" for a single group); and the slope, the parallel-slopes test and
        the covariate's own group test as attributes.

    Raises
    ------
    AssayInputError
        When a column or the control is missing, or a value is not a number.

    Notes
    -----
    Animals without a value of either column are left out (with a note). A note is added when the slopes
    differ (interaction p < 0.05): the difference between groups then depends on the covariate value, and
    the common-slope differences are an average over that dependence. A note is added, too, when the
    groups differ in the covariate (one-way ANOVA p < 0.05): when the treatment itself moves the covariate
    (a sedative lowers distance), adjusting for it removes the part of the treatment effect that runs
    through locomotion and compares groups at a covariate value some of them rarely reach (Miller &
    Chapman 2001, J Abnorm Psychol 110:40-48); read the ANCOVA beside the unadjusted comparison and the
    locomotor endpoints themselves. Rank-deficient designs (a constant covariate) or no residual df give
    NaN numbers and a note.
    """
    table, order = prepare_groups(data, [endpoint, covariate], group=group, control=control)
    source = data.attrs.get("source")
    y_all = numeric_endpoint(table, endpoint, source).to_numpy()
    x_all = numeric_endpoint(table, covariate, source).to_numpy()
    keep = np.isfinite(y_all) & np.isfinite(x_all)
    notes: list[str] = []
    notes += left_out_note(int((~keep).sum()), f"without {endpoint} or {covariate}")
    y, x, labels = y_all[keep], x_all[keep], table[group].to_numpy()[keep]
    sizes = {g: int((labels == g).sum()) for g in order}
    fitted = [g for g in order if sizes[g] > 0]
    model_text = f"{endpoint} ~ group + {covariate} (OLS)"
    result: dict[str, float] = {}
    contrasts = None
    df_resid = math.nan
    if sizes[control] == 0:
        notes.append("not tested: no control animal with both values")
    else:
        design = np.column_stack([treatment_design(labels, fitted), x])
        df_resid = float(y.size - design.shape[1])
        if np.linalg.matrix_rank(design) < design.shape[1] or df_resid < 1:
            why = "no residual df" if df_resid < 1 else f"{covariate} is constant or tied to the groups"
            notes.append(f"not tested: the ANCOVA cannot be estimated ({why})")
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = sm.OLS(y, design).fit()
            if not fit.scale > 0:
                notes.append("not tested: the model fits every animal exactly (no residual variation)")
            else:
                k = len(fitted)
                cov = fit.cov_params()
                contrasts = many_to_one(fit.params[1:k], cov[1:k, 1:k], fit.df_resid, confidence=confidence)
                result |= _slope(fit, confidence)
                result |= _parallel(y, x, labels, fitted, fit)
                result |= _covariate_groups(x, labels, fitted)
                notes += _notes(result, covariate)
    if contrasts is None:
        df_resid = math.nan
    rows = _rows(endpoint, model_text, order, fitted, sizes, contrasts, notes, df_resid)
    return CovariateComparison(rows=rows, covariate=covariate, notes=notes, **result)


def _slope(fit, confidence: float) -> dict[str, float]:
    low, high = fit.conf_int(alpha=1 - confidence)[-1]
    return {
        "slope": float(fit.params[-1]),
        "slope_se": float(fit.bse[-1]),
        "slope_ci_low": float(low),
        "slope_ci_high": float(high),
        "slope_p": float(fit.pvalues[-1]),
    }


def _parallel(
    y: np.ndarray, x: np.ndarray, labels: np.ndarray, fitted: list[str], reduced
) -> dict[str, float]:
    """F test of the group x covariate interaction: the additive model against separate slopes."""
    groups = treatment_design(labels, fitted)
    full_design = np.column_stack([groups, x, groups[:, 1:] * x[:, None]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = sm.OLS(y, full_design).fit()
    df = float(reduced.df_resid - full.df_resid)  # statsmodels counts the rank, as R drops aliased terms
    if df < 1 or full.df_resid < 1 or not full.ssr > 0:
        return {"parallel_df": df, "parallel_df_error": float(full.df_resid)}
    f = ((reduced.ssr - full.ssr) / df) / (full.ssr / full.df_resid)
    return {
        "parallel_f": float(f),
        "parallel_df": df,
        "parallel_df_error": float(full.df_resid),
        "parallel_p": float(sps.f.sf(f, df, full.df_resid)),
    }


def _covariate_groups(x: np.ndarray, labels: np.ndarray, fitted: list[str]) -> dict[str, float]:
    """One-way ANOVA of the covariate on the groups (the overall F of ``x ~ group``)."""
    design = treatment_design(labels, fitted)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.OLS(x, design).fit()
    if len(fitted) < 2 or fit.df_resid < 1 or not fit.ssr > 0:
        return {}
    return {
        "covariate_f": float(fit.fvalue),
        "covariate_df": float(fit.df_model),
        "covariate_df_error": float(fit.df_resid),
        "covariate_p": float(fit.f_pvalue),
    }


def _notes(result: dict[str, float], covariate: str) -> list[str]:
    notes = [f"{covariate} slope {result['slope']:.4g} per unit (p = {result['slope_p']:.3g})"]
    if result.get("parallel_p", math.nan) < NOTE_LEVEL:
        notes.append(
            f"the slopes differ between groups (group x {covariate} F({result['parallel_df']:g}, "
            f"{result['parallel_df_error']:g}) = {result['parallel_f']:.3g}, "
            f"p = {result['parallel_p']:.3g}): "
            f"the adjusted differences depend on the value of {covariate}"
        )
    if result.get("covariate_p", math.nan) < NOTE_LEVEL:
        notes.append(
            f"the groups differ in {covariate} (F({result['covariate_df']:g}, "
            f"{result['covariate_df_error']:g}) = {result['covariate_f']:.3g}, "
            f"p = {result['covariate_p']:.3g}): the treatment moves the covariate, so the adjusted "
            "differences compare groups at equal locomotion; read them beside the unadjusted ones"
        )
    return notes


def _rows(
    endpoint: str,
    model: str,
    order: list[str],
    fitted: list[str],
    sizes: dict[str, int],
    contrasts: ManyToOne | None,
    notes: list[str],
    df: float,
) -> pd.DataFrame:
    """Build one row per group other than the control (NaN for groups outside the fit, or all unfitted)."""
    where = {g: i for i, g in enumerate(fitted[1:])}
    rows = []
    for g in order[1:]:
        i = where.get(g) if contrasts is not None else None
        row_notes = list(notes) + ([] if sizes[g] else [f"{g}: no animal with both values"])
        keys = ("estimate", "se", "ci_low", "ci_high", "statistic", "p_value", "p_adjusted")
        if i is None:
            values = dict.fromkeys(keys, math.nan)
        else:
            values = {key: float(getattr(contrasts, key)[i]) for key in keys}
        rows.append(
            {
                "endpoint": endpoint,
                "analysis": "ancova",
                "model": model,
                "stratum": "",
                "group": g,
                "control": order[0],
                "n_group": sizes[g],
                "n_control": sizes[order[0]],
                "scale": "difference",
                **values,
                "ci_type": "per_comparison" if contrasts is None else contrasts.ci_type,
                "df": df,
                "adjustment": "none" if contrasts is None else contrasts.adjustment,
                "note": "; ".join(row_notes),
            }
        )
    return model_table(rows)
