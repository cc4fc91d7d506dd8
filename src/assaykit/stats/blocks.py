"""Cohorts and test days: every group against the control with the block as a fixed or a random effect.

Animals tested in cohorts (or on different days) share the cohort's conditions, so the cohort is a block.
With few cohorts it enters the model as a **fixed** factor, ``endpoint ~ group + cohort`` (ordinary least
squares; R's ``lm(y ~ g + block)`` with ``multcomp::glht(fit, mcp(g = "Dunnett"))``). With enough cohorts
(``min_random_levels``, 5 by default) it is a **random intercept**, ``endpoint ~ group`` with
``groups = cohort`` fitted by REML (statsmodels ``MixedLM``; R's ``nlme::lme(y ~ g, random = ~ 1 | block,
method = "REML")``), which treats the cohorts as a sample of possible cohorts and recovers between-cohort
information when groups are unevenly spread over cohorts. A variance estimated from 3 or 4 levels is very
imprecise (its REML estimate has about as many df as there are levels minus one, and is often 0), so
``model="auto"`` uses the random intercept only from ``min_random_levels`` levels on (Gelman & Hill 2007,
Data Analysis Using Regression and Multilevel/Hierarchical Models, section 11.4; Bolker et al. 2009, Trends
Ecol Evol 24:127-135, box 3). A mixed model that does not converge or puts the cohort variance at 0 falls
back to the fixed block, with a note.

The mixed model's t statistics use the denominator df that ``nlme::lme`` gives a fixed effect varying
within blocks (Pinheiro & Bates 2000, Mixed-Effects Models in S and S-PLUS, section 2.4.2): ``N - M - (p -
1)`` for N animals, M blocks and p fixed-effect coefficients (intercept included); when every block holds a
single group, the group effects are between blocks and get ``M - p``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm

from assaykit.errors import AssayInputError
from assaykit.stats.columns import MODEL_COLUMNS
from assaykit.stats.contrasts import estimable, many_to_one
from assaykit.stats.model_data import ModelFrame, design_matrix, model_frame

__all__ = ["BlockedResult", "blocked_comparisons"]


@dataclass(frozen=True)
class BlockedResult:
    """Every group against the control in a blocked design, for one endpoint.

    Attributes
    ----------
    comparisons
        :data:`~assaykit.stats.columns.MODEL_COLUMNS` rows, ``analysis = "blocked"``; the ``model`` column
        says which model was fitted.
    model
        ``"fixed"`` (block as a fixed factor, OLS), ``"random"`` (random intercept per block, REML) or
        ``"none"`` (nothing to compare).
    decision
        One sentence: which model and why.
    n_blocks
        Blocks with at least one animal used.
    block_variance, residual_variance
        The REML variance components of the mixed model; for the fixed model the block variance is NaN and
        the residual variance is the residual mean square.
    n_missing
        Animals without a value of the endpoint, left out.
    notes
        Anything else the reader should know (a fallback, a single block, too few blocks for a variance).
    """

    comparisons: pd.DataFrame
    model: str
    decision: str
    n_blocks: int = 0
    block_variance: float = math.nan
    residual_variance: float = math.nan
    n_missing: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


def blocked_comparisons(
    data: pd.DataFrame,
    endpoint: str,
    *,
    group: str = "group",
    control: str,
    block: str = "cohort",
    model: str = "auto",
    min_random_levels: int = 5,
    confidence: float = 0.95,
) -> BlockedResult:
    """Compare every group with the control, the block (cohort, test day) in the model.

    Parameters
    ----------
    data
        One row per animal.
    endpoint
        The endpoint column (numbers; NaN or blank = missing, those animals are left out and counted).
    group, control
        The group column and the control group's label.
    block
        The block column.
    model
        ``"fixed"``, ``"random"``, or ``"auto"``: random when the block has at least ``min_random_levels``
        levels, else fixed.
    min_random_levels
        Fewest blocks for which ``"auto"`` fits the random intercept.
    confidence
        Joint confidence level of the simultaneous intervals.

    Returns
    -------
    BlockedResult
        The comparisons (single-step Dunnett-adjusted over the groups, simultaneous intervals; see
        :func:`~assaykit.stats.contrasts.many_to_one`), the model used and why, and the variance components.

    Raises
    ------
    AssayInputError
        When a column is missing, the endpoint is not numeric, the control is not a group, ``model`` is not
        one of the three, or ``min_random_levels`` is below 2.
    """
    if model not in ("auto", "fixed", "random"):
        raise AssayInputError(f"the block model must be 'auto', 'fixed' or 'random', got '{model}'")
    if min_random_levels < 2:
        raise AssayInputError(f"min_random_levels must be at least 2, got {min_random_levels}")
    mf = model_frame(data, endpoint, group=group, control=control, factors={"b": block})
    notes = list(mf.notes)
    levels = {code: len(labels) for code, labels in mf.labels.items()}
    n_blocks = levels["b"]
    groups = [g for g in range(1, levels["g"]) if mf.count(g=f"g{g}") > 0]
    if mf.count(g="g0") == 0 or not groups:
        why = (
            f"the control '{control}' has no animal with a value"
            if groups
            else "no group besides the control"
        )
        return BlockedResult(
            pd.DataFrame(columns=list(MODEL_COLUMNS)), "none", f"{endpoint}: {why}: nothing was compared.",
            n_blocks, n_missing=mf.n_missing, notes=tuple(notes),
        )  # fmt: skip

    random = model == "random" or (model == "auto" and n_blocks >= min_random_levels)
    if model == "auto":
        reason = (
            f"{block} has {n_blocks} levels (at least {min_random_levels}), enough to estimate its variance"
            if random
            else f"{block} has {n_blocks} level(s), fewer than the {min_random_levels} a variance component "
            "needs to be estimated reliably"
        )
    else:
        reason = f"the {'random' if random else 'fixed'} block model was asked for"
    if random and n_blocks < min_random_levels:
        notes.append(
            f"{endpoint}: a variance estimated from {n_blocks} {block} level(s) is unreliable "
            f"(fewer than {min_random_levels})"
        )
    if random and n_blocks < 2:
        notes.append(f"{endpoint}: a random {block} effect needs at least 2 levels: fitted as fixed")
        random = False

    y = mf.frame["y"].to_numpy()
    if random:
        mixed = _mixed(mf, y, levels, confidence)
        if isinstance(mixed, str):
            notes.append(f"{endpoint}: {mixed}; the {block} was fitted as a fixed factor instead")
        else:
            family, block_var, resid_var, df_note = mixed
            if df_note:
                notes.append(f"{endpoint}: {df_note}")
            text = f"{endpoint} ~ {group}, random intercept per {block} (MixedLM, REML)"
            decision = (
                f"{endpoint}: {block} is a random intercept ({reason}): {text}; t on the df nlme::lme gives "
                f"({family.df:g}), {block} variance {block_var:.4g}, residual variance {resid_var:.4g}."
            )
            rows = _rows(mf, groups, family, endpoint, text, notes)
            return BlockedResult(
                pd.DataFrame(rows, columns=list(MODEL_COLUMNS)), "random", decision, n_blocks,
                block_var, resid_var, mf.n_missing, tuple(notes),
            )  # fmt: skip
        reason += ", but the mixed model could not be used"

    if n_blocks == 1:
        notes.append(f"{endpoint}: all animals are in one {block}: the model is the one-way model")
    x, _, _ = design_matrix(mf.frame, ["g", "b"], levels)
    fit = sm.OLS(y, x).fit()
    contrast = np.eye(x.shape[1])[1 : levels["g"]][[g - 1 for g in groups]]
    ok = estimable(x, contrast)
    estimates = np.where(ok, contrast @ fit.params, np.nan)
    family = many_to_one(
        estimates, contrast @ fit.cov_params() @ contrast.T, float(fit.df_resid), confidence=confidence
    )
    text = f"{endpoint} ~ {group} + {block} (OLS, {block} fixed)"
    decision = f"{endpoint}: {block} is a fixed blocking factor ({reason}): {text}."
    resid_var = fit.ssr / fit.df_resid if fit.df_resid > 0 else math.nan
    rows = _rows(mf, groups, family, endpoint, text, notes, ok)
    return BlockedResult(
        pd.DataFrame(rows, columns=list(MODEL_COLUMNS)), "fixed", decision, n_blocks,
        math.nan, float(resid_var), mf.n_missing, tuple(notes),
    )  # fmt: skip


def _mixed(mf: ModelFrame, y: np.ndarray, levels: dict[str, int], confidence: float):
    """Fit the random-intercept model; return (family, block var, residual var, df note) or why it failed."""
    x, _, _ = design_matrix(mf.frame, ["g"], levels)
    groups = mf.frame["b"].to_numpy()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = sm.MixedLM(y, x, groups=groups).fit(reml=True)
        except (np.linalg.LinAlgError, ValueError) as exc:
            return f"the mixed model failed ({' '.join(str(exc).split())})"
    block_var = float(np.asarray(fit.cov_re)[0, 0])
    resid_var = float(fit.scale)
    if not fit.converged:
        said = "; ".join(sorted({" ".join(str(w.message).split()) for w in caught}))
        return "the mixed model did not converge" + (f" ({said})" if said else "")
    boundary = any("boundary of the parameter space" in str(w.message) for w in caught)
    if (
        not (math.isfinite(block_var) and math.isfinite(resid_var))
        or block_var <= 1e-6 * resid_var
        or boundary
    ):
        return f"the mixed model put the block variance at (or next to) 0 ({block_var:.3g})"
    p = x.shape[1]
    n, m = len(y), levels["b"]
    inner = mf.frame.groupby("b")["g"].nunique().max() > 1
    df = n - m - (p - 1) if inner else m - p
    note = "" if inner else "every block holds one group: the group effects are between blocks, on M - p df"
    if df <= 0:
        return f"the mixed model leaves {df} denominator df"
    k = levels["g"]
    cov = _gls_covariance(x, groups, block_var, resid_var)[1:k, 1:k]
    family = many_to_one(np.asarray(fit.fe_params)[1:k], cov, float(df), confidence=confidence)
    return family, block_var, resid_var, note


def _gls_covariance(x: np.ndarray, groups: np.ndarray, block_var: float, resid_var: float) -> np.ndarray:
    """``(X' V^-1 X)^-1`` for ``V = resid_var I + block_var Z Z'``: the covariance ``vcov(lme)`` reports.

    Per block of n animals, ``V_b^-1 = (I - block_var / (resid_var + n block_var) 1 1') / resid_var``
    (Pinheiro & Bates 2000, section 2.2). statsmodels' ``cov_params`` inverts the Hessian of the whole
    likelihood instead, which differs slightly from nlme's in finite samples.
    """
    info = np.zeros((x.shape[1], x.shape[1]))
    for level in pd.unique(groups):
        xb = x[groups == level]
        total = xb.sum(axis=0)
        shrink = block_var / (resid_var + xb.shape[0] * block_var)
        info += (xb.T @ xb - shrink * np.outer(total, total)) / resid_var
    return np.linalg.inv(info)


def _rows(mf, groups, family, endpoint, text, notes, ok=None) -> list[dict]:
    rows = []
    for i, g in enumerate(groups):
        note = ""
        if ok is not None and not ok[i]:
            note = "not estimable: the group shares no block with the control"
        elif not math.isfinite(family.statistic[i]):
            note = "no residual variation or degrees of freedom: not tested"
        if note:
            notes.append(f"{endpoint}: {mf.labels['g'][g]}: {note}")
        rows.append(
            {
                "endpoint": endpoint,
                "analysis": "blocked",
                "model": text,
                "stratum": "",
                "group": mf.labels["g"][g],
                "control": mf.labels["g"][0],
                "n_group": mf.count(g=f"g{g}"),
                "n_control": mf.count(g="g0"),
                "scale": "difference",
                **family.row_values(i),
                "note": note,
            }
        )
    return rows
