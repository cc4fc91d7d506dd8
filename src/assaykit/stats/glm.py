"""Counts and proportions against the control: one-way Poisson, negative binomial and binomial GLMs.

Arm entries are counts and "% open entries" is a proportion of entries: their variance grows with the
mean, so they are modelled on their own scale (McCullagh & Nelder 1989, Generalized Linear Models, 2nd
ed., ch. 4 and 6; Agresti 2013, Categorical Data Analysis, 3rd ed., ch. 4-5 and 13).

* :func:`count_comparisons`: ``log E[y] = b0 + b_g`` with Poisson or negative binomial (NB2, ``Var y = mu
  + alpha mu**2``, alpha by maximum likelihood) errors; each group against the control as a rate ratio
  ``exp(b_g)`` (R ``glm(y ~ g, family = poisson)`` and ``MASS::glm.nb(y ~ g)``).
* :func:`proportion_comparisons`: ``logit P(open) = b0 + b_g`` for the successes out of the total of each
  animal; each group against the control as an odds ratio ``exp(b_g)`` (R ``glm(cbind(s, t - s) ~ g,
  family = binomial)``), and a quasi-binomial fit beside it when the data are overdispersed.

The contrasts are tested as a many-to-one family by Wald z statistics from the model's covariance, single
step, as ``multcomp::glht(model, mcp(g = "Dunnett"))`` does (:func:`~assaykit.stats.contrasts.
many_to_one`: exact, as their correlations are one-factor, all sharing the control's coefficient).
Both functions return rows with :data:`~assaykit.stats.columns.MODEL_COLUMNS`: ``estimate`` and its
interval on the ratio scale, ``se`` of the log ratio, ``statistic`` the Wald z (``df`` infinite) or, for
the quasi-binomial, a t on the residual df.
"""

from __future__ import annotations

import math
import warnings
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm

from assaykit.count_models import LR_LEVEL, OVERDISPERSION, one_way_count_fits
from assaykit.errors import AssayInputError
from assaykit.stats.contrasts import (
    animal_label,
    empty_ratio_rows,
    left_out_note,
    many_to_one,
    prepare_groups,
    ratio_rows,
    treatment_design,
)
from assaykit.stats.inputs import numeric_endpoint

__all__ = ["OVERDISPERSION", "count_comparisons", "proportion_comparisons"]


CountFamily = Literal["poisson", "negative_binomial", "auto"]


def count_comparisons(
    data: pd.DataFrame,
    endpoint: str,
    *,
    group: str = "group",
    control: str,
    family: CountFamily = "negative_binomial",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Compare the counts of each group with the control's as rate ratios from a one-way log-linear GLM.

    Parameters
    ----------
    data
        One row per animal: the ``group`` column and the count column ``endpoint`` (non-negative whole
        numbers, empty where an animal has no value); an ``animal`` column names animals in messages.
    endpoint
        The count column, e.g. ``open_entries``, ``total_entries``, ``transitions``.
    group, control
        The group column and the control group.
    family
        ``"negative_binomial"`` (NB2, alpha by maximum likelihood, as ``MASS::glm.nb``), ``"poisson"``, or
        ``"auto"``: the negative binomial when the Poisson fit is overdispersed (see Notes), else Poisson.
    confidence
        Joint confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per group other than the control, columns :data:`~assaykit.stats.columns.MODEL_COLUMNS`:
        ``analysis`` "poisson" or "negative_binomial", ``scale`` "rate_ratio", ``estimate`` = mean count of
        the group / mean count of the control (the maximum-likelihood estimate of a one-way model),
        ``ci_low``/``ci_high`` its Wald interval ``exp(b +/- c se)``, ``se`` of the log rate ratio,
        ``statistic`` the Wald z, ``df`` inf, single-step ``p_adjusted`` (``adjustment`` "dunnett") and a
        ``note`` with the dispersion (Pearson chi2/df, alpha) and anything notable.

    Raises
    ------
    AssayInputError
        When a column or the control is missing, or a count is not a non-negative whole number (the
        message names the column and the first such animal).

    Notes
    -----
    The Wald covariance is the inverse expected information of the GLM at the estimates, alpha held at
    its estimate for the negative binomial (as ``vcov(MASS::glm.nb(...))``). Rule of ``family="auto"``:
    the negative binomial is used when the Poisson fit's Pearson chi2 / residual df exceeds
    :data:`OVERDISPERSION` (1.5), or when the likelihood-ratio test of alpha = 0 has p < 0.05; as alpha =
    0 lies on the boundary of the parameter space, the LR statistic follows the 50:50 mixture of a point
    mass at 0 and chi2(1), so ``p = P(chi2_1 >= LR) / 2`` (Self & Liang 1987, J Am Stat Assoc
    82:605-610; Cameron & Trivedi 2013, Regression Analysis of Count Data, 2nd ed., sec. 3.4). A group
    whose counts are all 0 has a rate ratio of 0 without a Wald interval: its row is NaN with a note and
    it is left out of the model and the family (likewise all groups when the control's counts are all 0).
    """
    if family not in ("poisson", "negative_binomial", "auto"):
        raise ValueError(f"family must be 'poisson', 'negative_binomial' or 'auto', got {family!r}")
    table, order = prepare_groups(data, [endpoint], group=group, control=control)
    counts = _whole_numbers(table, endpoint)
    notes = left_out_note(int(counts.isna().sum()), f"without a value of {endpoint}")
    keep = counts.notna().to_numpy()
    y, labels = counts.to_numpy()[keep], table[group].to_numpy()[keep]
    sizes = {g: int((labels == g).sum()) for g in order}
    degenerate = {g: "all counts are 0: the rate ratio is 0, without a Wald interval" for g in order[1:]}
    degenerate = {g: why for g, why in degenerate.items() if sizes[g] > 0 and y[labels == g].sum() == 0}
    fitted = [g for g in order if sizes[g] > 0 and g not in degenerate]
    model_text = f"{endpoint} ~ group, log link"
    if sizes[control] == 0 or y[labels == control].sum() == 0:
        why = "no control animal with a value" if sizes[control] == 0 else "the control's counts are all 0"
        return empty_ratio_rows(endpoint, "poisson", model_text, order, sizes, "rate_ratio", why)
    inside = np.isin(labels, fitted)
    y, labels = y[inside], labels[inside]
    design = treatment_design(labels, fitted)
    fits = one_way_count_fits(y, design)
    pearson, alpha, lr_p = fits.pearson_chi2_df, fits.alpha, fits.lr_p
    chosen = family
    if family == "auto":
        chosen = "negative_binomial" if fits.overdispersed else "poisson"
        notes.append(
            f"family 'auto' chose the {chosen.replace('_', ' ')} model (negative binomial when Pearson "
            f"chi2/df > {OVERDISPERSION} or the LR test of alpha = 0 has p < {LR_LEVEL}; chi2/df = "
            f"{pearson:.3g}, LR p = {lr_p:.3g}, 50:50 chi-bar-square)"
        )
    else:
        notes.append(f"Poisson Pearson chi2/df = {pearson:.3g}; LR test of alpha = 0: p = {lr_p:.3g}")
    if chosen == "poisson":
        fit = fits.poisson
        if pearson > OVERDISPERSION:
            notes.append(
                "the counts are overdispersed: the Poisson SEs are too small; prefer the negative binomial"
            )
    else:
        notes.append(
            f"NB2 dispersion alpha = {alpha:.4g} (theta = {1 / alpha if alpha > 0 else math.inf:.4g})"
        )
        if alpha == 0:
            notes.append("alpha is estimated at 0 (no overdispersion): the negative binomial is the Poisson")
        fit = fits.negative_binomial
    contrasts = many_to_one(fit.params[1:], fit.cov_params()[1:, 1:], math.inf, confidence=confidence)
    return ratio_rows(
        endpoint, chosen, model_text, order, fitted, sizes, contrasts, "rate_ratio", notes, degenerate
    )


def proportion_comparisons(
    data: pd.DataFrame,
    successes: str = "open_entries",
    total: str = "total_entries",
    *,
    group: str = "group",
    control: str,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Compare each group's proportion of successes with the control's as odds ratios from a binomial GLM.

    Parameters
    ----------
    data
        One row per animal: the ``group`` column and whole-number ``successes`` and ``total`` columns
        (empty where an animal has no value); an ``animal`` column names animals in messages.
    successes, total
        The columns of successes (open-arm entries) and trials (all arm entries).
    group, control
        The group column and the control group.
    confidence
        Joint confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        Rows with :data:`~assaykit.stats.columns.MODEL_COLUMNS`, one per group other than the control with
        ``analysis`` "binomial" and, when the Pearson chi2 / residual df exceeds :data:`OVERDISPERSION`,
        another with ``analysis`` "quasibinomial": ``scale`` "odds_ratio", ``estimate`` the odds ratio with
        its Wald interval, ``se`` of the log odds ratio, ``statistic`` the Wald z (``df`` inf) or, for the
        quasi-binomial, t on the residual df; the ``note`` gives the dispersion.

    Raises
    ------
    AssayInputError
        When a column or the control is missing, a value is not a non-negative whole number, or an animal
        has more successes than its total.

    Notes
    -----
    The binomial model assumes every entry of every animal is an independent trial with the group's
    probability; animals differ more than that (overdispersion), and the binomial SEs are then too small.
    The quasi-binomial fit keeps the estimates and multiplies the covariance by the dispersion ``phi =
    Pearson chi2 / residual df``, as R's ``glm(..., family = quasibinomial)``, with t statistics on the
    residual df as ``summary.glm`` reports them (McCullagh & Nelder 1989, sec. 4.5; Wedderburn 1974,
    Biometrika 61:439-447); multiplicity as ``glht(model, mcp(g = "Dunnett"), df = df.residual)``.
    Animals with a total of 0 carry no information and are left out with a note. A group whose
    proportions are all 0 or all 1 has no finite odds ratio: its row is NaN with a note and it is left out
    of the model (all rows are NaN when the control's are).
    """
    table, order = prepare_groups(data, [successes, total], group=group, control=control)
    s_all, t_all = _whole_numbers(table, successes), _whole_numbers(table, total)
    over = (s_all > t_all).to_numpy()
    if over.any():
        at = int(np.flatnonzero(over)[0])
        raise AssayInputError(
            f"{animal_label(table, at)} has {s_all.iloc[at]:g} {successes} out of {t_all.iloc[at]:g} "
            f"{total}: successes cannot exceed the total",
            path=data.attrs.get("source"),
            column=successes,
        )
    absent = (s_all.isna() | t_all.isna()).to_numpy()
    empty = (~absent) & (t_all == 0).to_numpy()
    notes = left_out_note(int(absent.sum()), f"without a value of {successes} or {total}")
    notes += left_out_note(int(empty.sum()), f"with {total} = 0 (no trials)")
    keep = ~(absent | empty)
    s, t = s_all.to_numpy()[keep], t_all.to_numpy()[keep]
    labels = table[group].to_numpy()[keep]
    sizes = {g: int((labels == g).sum()) for g in order}
    degenerate: dict[str, str] = {}
    for g in order[1:]:
        if sizes[g] and s[labels == g].sum() in (0, t[labels == g].sum()):
            share = "0" if s[labels == g].sum() == 0 else "1"
            degenerate[g] = f"every proportion is {share}: the odds ratio is not finite, no Wald interval"
    model_text = f"{successes} / {total} ~ group, logit link"
    c_s, c_t = s[labels == control].sum(), t[labels == control].sum()
    if sizes[control] == 0 or c_s in (0, c_t):
        why = (
            "no control animal with trials"
            if sizes[control] == 0
            else "the control's proportions are all 0 or 1"
        )
        return empty_ratio_rows(successes, "binomial", model_text, order, sizes, "odds_ratio", why)
    fitted = [g for g in order if sizes[g] > 0 and g not in degenerate]
    inside = np.isin(labels, fitted)
    endog = np.column_stack([s[inside], t[inside] - s[inside]])
    design = treatment_design(labels[inside], fitted)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        binomial = sm.GLM(endog, design, family=sm.families.Binomial()).fit(tol=1e-12, maxiter=200)
    df_resid = float(binomial.df_resid)
    phi = binomial.pearson_chi2 / df_resid if df_resid > 0 else math.nan
    notes.append(f"binomial Pearson chi2/df = {phi:.3g}")
    contrasts = many_to_one(
        binomial.params[1:], binomial.cov_params()[1:, 1:], math.inf, confidence=confidence
    )
    base = list(notes)
    if phi > OVERDISPERSION:
        notes.append(
            f"overdispersed (chi2/df > {OVERDISPERSION}): the binomial SEs are too small; "
            "read the quasibinomial rows"
        )
    rows = ratio_rows(
        successes, "binomial", model_text, order, fitted, sizes, contrasts, "odds_ratio", notes, degenerate
    )
    if not phi > OVERDISPERSION:
        return rows
    quasi = many_to_one(
        binomial.params[1:], phi * binomial.cov_params()[1:, 1:], df_resid, confidence=confidence
    )
    base.append(
        f"quasi-binomial: the binomial covariance times the dispersion {phi:.4g}, t on {df_resid:g} df"
    )
    more = ratio_rows(
        successes,
        "quasibinomial",
        model_text,
        order,
        fitted,
        sizes,
        quasi,
        "odds_ratio",
        base,
        degenerate,
        df_resid,
    )
    return pd.concat([rows, more], ignore_index=True)


def _whole_numbers(table: pd.DataFrame, column: str) -> pd.Series:
    """Read a column of counts as float (NaN where empty); raise naming the first animal with a non-count."""
    values = numeric_endpoint(table, column, table.attrs.get("source"))
    finite = values.notna().to_numpy()
    bad = np.zeros(values.size, dtype=bool)
    v = values.to_numpy()
    bad[finite] = (v[finite] < 0) | (v[finite] != np.floor(v[finite]))
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        raise AssayInputError(
            f"{animal_label(table, at)} has {v[at]:g}, not a count (a non-negative whole number)",
            path=table.attrs.get("source"),
            column=column,
        )
    return values
