"""Treatment x sex designs: two-way ANOVA, then each group against the control, pooled or within each sex.

The rule (for the README): the two-way ANOVA ``endpoint ~ group * sex`` (plus the block, if any) is fitted
and its group x sex interaction tested (type II F). **If the interaction's p is below** ``interaction_alpha``
(0.05 by default), the effect of a treatment depends on sex, so each group is compared with the control
**within each sex**: the simple effects of the interaction model (differences of cell means, with the
residual variance and df of the whole model), Dunnett-adjusted within each sex. **Otherwise** the groups are
compared with the control **pooled over sex**: the additive model ``endpoint ~ group + sex`` (sex as a
covariate factor, which removes the variation between sexes from the error) and its Dunnett contrasts. The
choice is pre-specified by ``interaction_alpha``, reported in ``decision`` with the interaction's F and p,
and both type II and type III sums of squares are given. This two-stage rule is the usual practice for
sex-as-a-biological-variable designs (Clayton 2018, Nature 555:S2-S3 on NIH policy; Maxwell & Delaney 2004,
Designing Experiments and Analyzing Data, 2nd ed., ch. 7 on simple effects); an interaction test has
little power in small studies, so a non-significant interaction is not evidence that the sexes respond alike.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as sps
from statsmodels.tools.sm_exceptions import SingularMatrixWarning

from assaykit.errors import AssayInputError
from assaykit.stats.columns import MODEL_COLUMNS
from assaykit.stats.contrasts import estimable, many_to_one
from assaykit.stats.model_data import ModelFrame, design_matrix, model_frame

__all__ = ["ANOVA_COLUMNS", "FactorialResult", "factorial_comparisons"]

#: Columns of ``FactorialResult.anova``: one row per term and type of sums of squares.
ANOVA_COLUMNS = ("endpoint", "ss_type", "term", "sum_sq", "df", "F", "p_value")


@dataclass(frozen=True)
class FactorialResult:
    """The two-way analysis of one endpoint.

    Attributes
    ----------
    anova
        :data:`ANOVA_COLUMNS`: type II rows, then type III rows (absent when not estimable), each term
        then ``Residuals`` (F and p NaN). Terms are named by the user's columns (``group``, ``sex``,
        ``group:sex``, ``cohort``); the intercept is left out.
    comparisons
        :data:`~assaykit.stats.columns.MODEL_COLUMNS` rows, ``analysis = "factorial"``.
    rule
        ``"within"`` (each level of the factor), ``"pooled"`` or ``"none"`` (no factorial analysis).
    decision
        One sentence: which rule applied and why, with the interaction's F and p.
    interaction_F, interaction_p
        The type II F test of the interaction (NaN when it could not be computed).
    n_missing
        Animals without a value of the endpoint, left out.
    notes
        Everything else the reader should know (empty cells, cells of one animal, ...).
    """

    anova: pd.DataFrame
    comparisons: pd.DataFrame
    rule: str
    decision: str
    interaction_F: float = math.nan
    interaction_p: float = math.nan
    n_missing: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


def factorial_comparisons(
    data: pd.DataFrame,
    endpoint: str,
    *,
    group: str = "group",
    control: str,
    factor: str = "sex",
    interaction_alpha: float = 0.05,
    block: str | None = None,
    confidence: float = 0.95,
) -> FactorialResult:
    """Two-way ANOVA of ``endpoint ~ group * factor`` and every group against the control by the rule above.

    * Type II sums of squares (``car::Anova(fit, type = 2)``): each term adjusted for every term that does
      not contain it, from nested least-squares fits, each F on the residual mean square of the full model.
    * Type III (``car::Anova(lm(..., contrasts = list(g = contr.sum, s = contr.sum)), type = 3)``): each term
      adjusted for all others, sum-to-zero coding, as the Wald F of its coefficients. Not estimable when a
      cell is empty; then only type II is given.
    * Within each level (interaction p < ``interaction_alpha``): ``mean(g_i, level) - mean(control,
      level)`` from the interaction model, its residual variance and df; single-step Dunnett within each
      level (the correlations are one-factor, so the adjustment is exact), as ``emmeans(fit, trt.vs.ctrl ~
      group | sex, adjust = "mvt")``.
    * Pooled (otherwise): the group contrasts of ``endpoint ~ group + factor (+ block)`` with single-step
      Dunnett adjustment, as ``multcomp::glht(fit, mcp(group = "Dunnett"))``; exact when the correlations
      are one-factor (balanced designs), quasi-Monte Carlo otherwise (``adjustment = "dunnett-qmc"``).

    Models are fitted by statsmodels OLS on model matrices built from recoded labels, so group, sex and
    column names can be any text.

    Parameters
    ----------
    data
        One row per animal.
    endpoint
        The endpoint column (numbers; NaN or blank = missing, those animals are left out and counted).
    group, control
        The group column and the control group's label.
    factor
        The second factor (sex).
    interaction_alpha
        The interaction's type II p below which groups are compared within each level of ``factor``.
    block
        A blocking column (cohort) added to every model as a fixed effect, or None.
    confidence
        Joint confidence level of the simultaneous intervals.

    Returns
    -------
    FactorialResult
        The ANOVA table, the comparisons, the rule used and why.

    Raises
    ------
    AssayInputError
        When a column is missing, the endpoint is not numeric, the control is not a group, or
        ``interaction_alpha`` is not in (0, 1).
    """
    if not 0 < interaction_alpha < 1:
        raise AssayInputError(f"interaction_alpha must lie between 0 and 1, got {interaction_alpha}")
    coded = {"f": factor} | ({"b": block} if block is not None else {})
    mf = model_frame(data, endpoint, group=group, control=control, factors=coded)
    notes = list(mf.notes)
    names = {"g": group, "f": factor, "b": block or ""}
    extra = ["b"] if block is not None else []
    full_text = f"{endpoint} ~ {group} * {factor}" + (f" + {block}" if block else "")
    pooled_text = f"{endpoint} ~ {group} + {factor}" + (f" + {block}" if block else "")

    def result(anova: list[dict], rows: list[dict], rule: str, decision: str, f=math.nan, p=math.nan):
        return FactorialResult(
            anova=pd.DataFrame(anova, columns=list(ANOVA_COLUMNS)),
            comparisons=pd.DataFrame(rows, columns=list(MODEL_COLUMNS)),
            rule=rule,
            decision=decision,
            interaction_F=f,
            interaction_p=p,
            n_missing=mf.n_missing,
            notes=tuple(notes),
        )

    levels = {code: len(labels) for code, labels in mf.labels.items()}
    used_groups = [g for g in range(levels["g"]) if mf.count(g=f"g{g}") > 0]
    if levels["f"] < 2:
        only = mf.labels["f"][0] if mf.labels["f"] else "none"
        return result([], [], "none", f"'{factor}' has one level ({only}): no factorial analysis was done.")
    if 0 not in used_groups or len(used_groups) < 2:
        why = (
            f"the control '{control}' has no animal with a value"
            if 0 not in used_groups
            else "no other group"
        )
        return result([], [], "none", f"{endpoint}: {why}: no comparison with the control was made.")

    y = mf.frame["y"].to_numpy()
    empty = [
        (g, f) for g in range(levels["g"]) for f in range(levels["f"]) if mf.count(g=f"g{g}", f=f"f{f}") == 0
    ]
    singles = [
        (g, f) for g in range(levels["g"]) for f in range(levels["f"]) if mf.count(g=f"g{g}", f=f"f{f}") == 1
    ]
    for g, f in empty:
        notes.append(
            f"{endpoint}: no animal in {group}='{mf.labels['g'][g]}' x {factor}='{mf.labels['f'][f]}'"
        )
    for g, f in singles:
        notes.append(
            f"{endpoint}: one animal in {group}='{mf.labels['g'][g]}' x {factor}='{mf.labels['f'][f]}': "
            "its cell mean is a single value"
        )

    anova, inter_f, inter_p = _type2(mf, y, levels, names, extra, endpoint, notes)
    if empty:
        notes.append(
            f"{endpoint}: with an empty cell the type III sums of squares are not estimable: type II only"
        )
    else:
        anova += _type3(mf, y, levels, names, extra, endpoint)

    if empty:
        rule = "pooled"
        decision = (
            f"{endpoint}: {group} x {factor} has an empty cell, so the groups cannot be compared within each "
            f"{factor}: each group is compared with the control pooled over {factor} ({pooled_text}), "
            f"Dunnett-adjusted{_f_text(inter_f, inter_p, anova)}."
        )
    elif math.isnan(inter_p):
        rule = "pooled"
        decision = (
            f"{endpoint}: the {group} x {factor} interaction could not be tested (no residual df or no "
            f"variation), so each group is compared with the control pooled over {factor} ({pooled_text}); "
            "this assumes the groups differ alike in each level."
        )
    elif inter_p < interaction_alpha:
        rule = "within"
        decision = (
            f"{endpoint}: the {group} x {factor} interaction{_f_text(inter_f, inter_p, anova)} is below "
            f"{interaction_alpha:g}, so each group is compared with the control within each level of "
            f"{factor} (simple effects of {full_text}, Dunnett-adjusted within each level)."
        )
    else:
        rule = "pooled"
        decision = (
            f"{endpoint}: the {group} x {factor} interaction{_f_text(inter_f, inter_p, anova)} is not below "
            f"{interaction_alpha:g}, so each group is compared with the control pooled over {factor} "
            f"(additive model {pooled_text}, Dunnett-adjusted)."
        )

    if rule == "within":
        terms = ["g", "f", "g:f", *extra]
        rows = []
        for f in range(levels["f"]):
            rows += _comparisons(
                mf, y, terms, levels, {"f": f"f{f}"}, f"{factor}={mf.labels['f'][f]}",
                endpoint, full_text, confidence, notes,
            )  # fmt: skip
    else:
        terms = ["g", "f", *extra]
        rows = _comparisons(mf, y, terms, levels, {}, "", endpoint, pooled_text, confidence, notes)
    return result(anova, rows, rule, decision, inter_f, inter_p)


def _f_text(f: float, p: float, anova: list[dict]) -> str:
    row = next((r for r in anova if r["ss_type"] == 2 and ":" in r["term"]), None)
    if row is None or math.isnan(f):
        return ""
    residual = next(r for r in anova if r["ss_type"] == 2 and r["term"] == "Residuals")
    return f" (type II F({row['df']:g}, {residual['df']:g}) = {f:.3g}, p = {p:.3g})"


def _fit(y: np.ndarray, x: np.ndarray):
    with warnings.catch_warnings():  # nested fits with an empty cell are rank-deficient, as intended
        warnings.simplefilter("ignore", SingularMatrixWarning)
        return sm.OLS(y, x).fit()


def _type2(mf, y, levels, names, extra, endpoint, notes) -> tuple[list[dict], float, float]:
    """Type II sums of squares by nested fits: each term given every term not containing it."""
    full_terms = ["g", "f", "g:f", *extra]
    full = _fit(y, design_matrix(mf.frame, full_terms, levels)[0])
    df_res = float(full.df_resid)
    mse = full.ssr / df_res if df_res > 0 else math.nan
    if df_res > 0 and not mse > 1e-12 * max(float(np.var(y)), 1e-300):
        notes.append(f"{endpoint}: no residual variation in the two-way model: F tests are not defined")
        mse = math.nan
    elif df_res <= 0:
        notes.append(f"{endpoint}: the two-way model has no residual degrees of freedom: no F test")
    rows = []
    inter = (math.nan, math.nan)
    for term in full_terms:
        given = [t for t in full_terms if t != term and not set(term.split(":")) <= set(t.split(":"))]
        larger = _fit(y, design_matrix(mf.frame, [*given, term], levels)[0])
        smaller = _fit(y, design_matrix(mf.frame, given, levels)[0])
        ss = max(smaller.ssr - larger.ssr, 0.0)
        df = float(round(smaller.df_resid - larger.df_resid))
        f = ss / df / mse if df > 0 and mse > 0 else math.nan
        p = float(sps.f.sf(f, df, df_res)) if math.isfinite(f) else math.nan
        rows.append(_anova_row(endpoint, 2, _term_name(term, names), ss, df, f, p))
        if term == "g:f":
            inter = (f, p)
    rows.append(_anova_row(endpoint, 2, "Residuals", float(full.ssr), df_res, math.nan, math.nan))
    return rows, inter[0], inter[1]


def _type3(mf, y, levels, names, extra, endpoint) -> list[dict]:
    """Type III sums of squares: Wald F of each term's sum-to-zero coefficients in the full model."""
    terms = ["g", "f", "g:f", *extra]
    x, _, where = design_matrix(mf.frame, terms, levels, coding="sum")
    fit = _fit(y, x)
    df_res = float(fit.df_resid)
    if np.linalg.matrix_rank(x) < x.shape[1] or df_res <= 0:
        return []
    mse = fit.ssr / df_res
    rows = []
    for term in terms:
        cols = where[term]
        restriction = np.eye(x.shape[1])[cols]
        if mse > 1e-12 * max(float(np.var(y)), 1e-300):
            test = fit.f_test(restriction)
            f, p = float(np.squeeze(test.fvalue)), float(test.pvalue)
        else:
            f, p = math.nan, math.nan
        df = float(restriction.shape[0])
        ss = f * df * mse if math.isfinite(f) else math.nan
        rows.append(_anova_row(endpoint, 3, _term_name(term, names), ss, df, f, p))
    rows.append(_anova_row(endpoint, 3, "Residuals", float(fit.ssr), df_res, math.nan, math.nan))
    return rows


def _term_name(term: str, names: dict[str, str]) -> str:
    return ":".join(names[part] for part in term.split(":"))


def _anova_row(endpoint, ss_type, term, ss, df, f, p) -> dict:
    return {
        "endpoint": endpoint,
        "ss_type": ss_type,
        "term": term,
        "sum_sq": ss,
        "df": df,
        "F": f,
        "p_value": p,
    }


def _comparisons(
    mf: ModelFrame,
    y: np.ndarray,
    terms: list[str],
    levels: dict[str, int],
    at: dict[str, str],
    stratum: str,
    endpoint: str,
    model_text: str,
    confidence: float,
    notes: list[str],
) -> list[dict]:
    """Every group against the control at the codes ``at`` (other factors at their first level)."""
    x, _, _ = design_matrix(mf.frame, terms, levels)
    fit = _fit(y, x)
    groups = [g for g in range(1, levels["g"]) if mf.count(g=f"g{g}", **at) > 0]
    cells = pd.DataFrame(
        {code: [at.get(code, f"{code}0")] * (len(groups) + 1) for code in levels if code != "g"}
        | {"g": [f"g{g}" for g in [0, *groups]]}
    )
    rows_x = design_matrix(cells, terms, levels)[0]
    contrast = rows_x[1:] - rows_x[0]
    ok = estimable(x, contrast)
    estimates = np.where(ok, contrast @ fit.params, np.nan)
    covariance = contrast @ fit.cov_params() @ contrast.T
    family = many_to_one(estimates, covariance, float(fit.df_resid), confidence=confidence)
    n_control = mf.count(g="g0", **at)
    out = []
    for i, g in enumerate(groups):
        note = "" if ok[i] else "not estimable from this design (the group and the control share no level)"
        if ok[i] and not math.isfinite(family.statistic[i]):
            note = "no residual variation or degrees of freedom: not tested"
        if note:
            notes.append(f"{endpoint}: {mf.labels['g'][g]}{' (' + stratum + ')' if stratum else ''}: {note}")
        out.append(
            {
                "endpoint": endpoint,
                "analysis": "factorial",
                "model": model_text,
                "stratum": stratum,
                "group": mf.labels["g"][g],
                "control": mf.labels["g"][0],
                "n_group": mf.count(g=f"g{g}", **at),
                "n_control": n_control,
                "scale": "difference",
                **family.row_values(i),
                "note": note,
            }
        )
    return out
