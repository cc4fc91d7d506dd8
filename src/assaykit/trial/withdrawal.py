"""Withdrawal during the washout: incidence of a withdrawal syndrome and symptom counts, per arm.

After the last dose the withdrawal checklist (the PWC-20 or a user's, :mod:`assaykit.trial.checklist`)
is rated at the end-of-treatment visit and at each washout visit.

* Withdrawal syndrome: a rise of the checklist total of at least ``threshold`` points over the
  end-of-treatment total at any washout visit. Its incidence per arm is compared, each drug against
  placebo and each drug against each other, as 2 x 2 tables (:mod:`assaykit.trial.rates`: Fisher's exact
  test, the conditional-MLE odds ratio, Newcombe's risk difference).
* Symptom count: the number of checklist items scored higher at some washout visit than at the end of
  treatment (each item counted once however many visits it is raised at: the number of new or worsened
  symptoms). The counts are modelled by a log-linear GLM on the arm, ``log E[count] = b0 + b_arm``, as
  a Poisson model and as a negative binomial (NB2, ``Var = mu + alpha mu^2``, alpha by maximum
  likelihood as ``MASS::glm.nb``); the arms are compared as rate ratios ``exp(b_a - b_b)`` with Wald
  intervals from the model's covariance (expected information, alpha held at its estimate, as
  ``vcov(glm.nb(...))``).

The dispersion check: the Poisson model assumes the variance equals the mean. Its Pearson chi2 / residual df
is reported; above 1.5, or when the likelihood-ratio test of alpha = 0 has p < 0.05 (50:50 chi-bar-square,
since alpha = 0 lies on the boundary: Self SG, Liang KY (1987) J Am Stat Assoc 82:605-610), the counts are
overdispersed and the negative binomial rows are the ``preferred`` ones; otherwise the Poisson rows are. Both
are always given (Cameron AC, Trivedi PK (2013) Regression Analysis of Count Data, 2nd ed., ch. 3). The fits
and the check are :func:`assaykit.count_models.one_way_count_fits`, shared with the group statistics. An arm
whose counts are all 0 has no finite log rate ratio: it is left out of the models and its comparisons are NaN
with a note.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as sps

from assaykit.count_models import OVERDISPERSION, one_way_count_fits
from assaykit.errors import AssayInputError
from assaykit.trial.checklist import PWC20, ChecklistSpec, score_checklist
from assaykit.trial.rates import pairwise_rates, rate_table

__all__ = [
    "DEFAULT_THRESHOLD",
    "OVERDISPERSION",
    "WithdrawalResult",
    "count_comparisons",
    "withdrawal_analysis",
]

#: Default rise of the checklist total (points over the end-of-treatment visit) that makes a withdrawal
#: syndrome. assaykit's convention, not a published criterion: studies with the PWC (Rickels et al. 2008)
#: define the syndrome in their own protocols, and no one definition shared by the literature could be
#: verified. Set ``threshold`` to the trial protocol's definition; the workflow notes when it takes this one.
DEFAULT_THRESHOLD = 3.0


@dataclass
class WithdrawalResult:
    """The withdrawal analyses of a trial's washout.

    Attributes
    ----------
    per_patient
        One row per patient: ``patient``, ``arm``, ``end_of_treatment`` (checklist total), ``peak``
        (highest washout total), ``peak_visit``, ``max_rise`` (``peak - end_of_treatment``), ``syndrome``
        (``max_rise >= threshold``; missing without an end-of-treatment or any washout total),
        ``symptom_count`` (missing when the item scores are not given).
    incidence
        :func:`~assaykit.trial.rates.rate_table` of ``syndrome``: rates per arm and each arm against
        the control.
    incidence_comparisons
        Every pair of arms (each drug against the control, then each drug against each other drug):
        :func:`~assaykit.trial.rates.pairwise_rates` columns (Fisher's exact test).
    counts
        :func:`count_comparisons` of ``symptom_count`` (empty when there are no item scores).
    dispersion
        The dispersion check: ``pearson_chi2_df``, ``alpha``, ``theta``, ``lr_p``, ``preferred``.
    threshold
        The rise that makes a syndrome.
    notes
        Anything notable (arms left out of the count models).
    """

    per_patient: pd.DataFrame
    incidence: pd.DataFrame
    incidence_comparisons: pd.DataFrame
    counts: pd.DataFrame
    dispersion: dict[str, float | str]
    threshold: float
    notes: list[str] = field(default_factory=list)


def _arm_pairs(arms: Sequence[str], control: str) -> list[tuple[str, str]]:
    drugs = [a for a in arms if a != control]
    return [(d, control) for d in drugs] + list(itertools.combinations(drugs, 2))


def count_comparisons(
    counts: pd.DataFrame,
    *,
    arm: str = "arm",
    count: str = "symptom_count",
    control: str = "placebo",
    level: float = 0.95,
) -> tuple[pd.DataFrame, dict[str, float | str], list[str]]:
    """Symptom counts per patient compared between arms by Poisson and negative binomial GLMs.

    Parameters
    ----------
    counts
        One row per patient with the arm and a non-negative whole count (missing counts are left out).
    arm, count
        Column names.
    control
        The reference arm.
    level
        Confidence level of the rate-ratio intervals.

    Returns
    -------
    tuple
        The comparison rows (``model`` "poisson" / "negative_binomial", ``comparison``, ``arm``,
        ``reference``, ``rate_ratio``, ``rr_low``, ``rr_high``, ``log_rate_ratio``, ``se``, ``z``,
        ``p_value``, ``preferred``), the dispersion check, and notes.
    """
    values = pd.to_numeric(counts[count], errors="coerce")
    known = values.notna()
    bad = known & ((values < 0) | (values != np.round(values)))
    if bad.any() or (counts[count].notna() & ~known).any():
        raise AssayInputError("counts must be non-negative whole numbers", column=count)
    y_all, labels_all = values[known].to_numpy(float), counts.loc[known, arm].astype(str).to_numpy()
    arms = (
        list(dict.fromkeys([control, *labels_all]))
        if control in labels_all
        else list(dict.fromkeys(labels_all))
    )
    notes = []
    zero = [a for a in arms if y_all[labels_all == a].sum() == 0]
    fitted = [a for a in arms if a not in zero]
    for a in zero:
        notes.append(f"{a}: all symptom counts are 0; its rate ratios are not estimable and it is left out")
    pairs = _arm_pairs(arms, control)
    empty = {"pearson_chi2_df": math.nan, "alpha": math.nan, "theta": math.nan, "lr_p": math.nan}
    if len(fitted) < 2:
        rows = [
            _row(m, a, b, math.nan, math.nan, level, False)
            for m in ("poisson", "negative_binomial")
            for a, b in pairs
        ]
        return pd.DataFrame(rows), empty | {"preferred": "poisson"}, notes
    keep = np.isin(labels_all, fitted)
    y, labels = y_all[keep], labels_all[keep]
    design = np.column_stack([np.ones(y.size)] + [(labels == a).astype(float) for a in fitted[1:]])
    fits = one_way_count_fits(y, design)
    poisson, nb, alpha = fits.poisson, fits.negative_binomial, fits.alpha
    preferred = "negative_binomial" if fits.overdispersed else "poisson"
    if alpha == 0:
        notes.append("alpha is estimated at 0: the negative binomial model is the Poisson model")
    rows = []
    for model, fit, a_model in (("poisson", poisson, 0.0), ("negative_binomial", nb, alpha)):
        # The inverse expected information at the fitted means, X' diag(mu / (1 + alpha mu)) X: the same
        # as fit.cov_params() but at the final means rather than the last IRLS step's weights.
        mu = np.asarray(fit.mu)
        beta = np.asarray(fit.params)
        cov = np.linalg.inv(design.T @ (design * (mu / (1 + a_model * mu))[:, None]))
        for a, b in pairs:
            if a in zero or b in zero:
                rows.append(_row(model, a, b, math.nan, math.nan, level, model == preferred))
                continue
            c = np.zeros(len(fitted))
            for name, sign in ((a, 1.0), (b, -1.0)):
                if fitted.index(name) > 0:
                    c[fitted.index(name)] = sign
            rows.append(
                _row(model, a, b, float(c @ beta), float(math.sqrt(c @ cov @ c)), level, model == preferred)
            )
    dispersion = {
        "pearson_chi2_df": fits.pearson_chi2_df,
        "alpha": alpha,
        "theta": 1 / alpha if alpha > 0 else math.inf,
        "lr_p": fits.lr_p,
        "preferred": preferred,
    }
    return pd.DataFrame(rows), dispersion, notes


def _row(model: str, a: str, b: str, estimate: float, se: float, level: float, preferred: bool) -> dict:
    z_crit = float(sps.norm.ppf(1 - (1 - level) / 2))
    z = estimate / se if se > 0 else math.nan
    return {
        "model": model,
        "comparison": f"{a} vs {b}",
        "arm": a,
        "reference": b,
        "rate_ratio": math.exp(estimate),
        "rr_low": math.exp(estimate - z_crit * se),
        "rr_high": math.exp(estimate + z_crit * se),
        "log_rate_ratio": estimate,
        "se": se,
        "z": z,
        "p_value": 2 * float(sps.norm.sf(abs(z))) if math.isfinite(z) else math.nan,
        "preferred": preferred,
    }


def _per_patient(
    scores: pd.DataFrame, spec: ChecklistSpec, eot: object, washout: list, threshold: float, max_missing: int
) -> pd.DataFrame:
    for column in ("patient", "arm", "visit"):
        if column not in scores.columns:
            raise AssayInputError(f"no column '{column}' in the withdrawal table", column=column)
    have_items = all(name in scores.columns for name in spec.item_names)
    if not have_items and spec.total_column not in scores.columns:
        raise AssayInputError(
            f"the withdrawal table needs the {spec.title} item columns or '{spec.total_column}'",
            column=spec.total_column,
        )
    visits = set(scores["visit"])
    for visit in [eot, *washout]:
        if visit not in visits:
            raise AssayInputError(f"no visit {visit!r} in the withdrawal table", column="visit")
    if eot in washout:
        raise AssayInputError(f"the end-of-treatment visit {eot!r} is also listed as a washout visit")
    used = scores[scores["visit"].isin([eot, *washout])].reset_index(drop=True)
    if have_items:
        totals = score_checklist(used, spec, max_missing=max_missing)[spec.total_column]
        items = used[list(spec.item_names)].apply(pd.to_numeric, errors="coerce")
    else:
        totals = pd.to_numeric(used[spec.total_column], errors="coerce")
        items = None
    frame = used[["patient", "arm", "visit"]].assign(total=totals.to_numpy())
    rows = []
    for patient, group in frame.groupby("patient", sort=False):
        arms = group["arm"].unique()
        if len(arms) > 1:
            raise AssayInputError(
                f"patient {patient}: in two arms ({', '.join(map(str, arms))})", column="arm"
            )
        at_eot = group[group["visit"] == eot]
        later = group[group["visit"].isin(washout)].dropna(subset=["total"])
        base = float(at_eot["total"].iloc[0]) if len(at_eot) else math.nan
        row = {"patient": patient, "arm": str(arms[0]), "end_of_treatment": base, "peak": math.nan}
        row |= {"peak_visit": None, "max_rise": math.nan, "syndrome": pd.NA, "symptom_count": math.nan}
        if len(later):
            peak = later.loc[later["total"].idxmax()]
            row |= {"peak": float(peak["total"]), "peak_visit": peak["visit"]}
            if math.isfinite(base):
                row["max_rise"] = row["peak"] - base
                row["syndrome"] = bool(row["max_rise"] >= threshold)
        if items is not None and len(at_eot):
            first = items.loc[at_eot.index[0]]
            washout_items = items.loc[group.index[group["visit"].isin(washout)]]
            if len(washout_items):
                rose = (washout_items > first).any(axis=0)
                row["symptom_count"] = float(rose.sum())
        rows.append(row)
    out = pd.DataFrame(rows)
    out["syndrome"] = out["syndrome"].astype("boolean")
    return out


def withdrawal_analysis(
    scores: pd.DataFrame,
    *,
    end_of_treatment_visit: object,
    washout_visits: Sequence[object],
    threshold: float = DEFAULT_THRESHOLD,
    control: str = "placebo",
    checklist: ChecklistSpec = PWC20,
    max_missing: int = 0,
    level: float = 0.95,
) -> WithdrawalResult:
    """Incidence of a withdrawal syndrome and symptom counts during the washout, compared between arms.

    Parameters
    ----------
    scores
        Long table: ``patient``, ``arm``, ``visit`` and either the checklist's item columns (scored here;
        needed for the symptom counts) or its total column (``pwc_total``).
    end_of_treatment_visit
        The last visit on treatment, the reference of every rise.
    washout_visits
        The visits of the washout.
    threshold
        The rise of the total (points) that makes a withdrawal syndrome (default
        :data:`DEFAULT_THRESHOLD`).
    control
        The placebo arm.
    checklist
        The checklist (:data:`~assaykit.trial.checklist.PWC20` or one from
        :func:`~assaykit.trial.checklist.load_checklist`).
    max_missing
        Items that may be missing for a visit's total to be prorated (default 0).
    level
        Confidence level of every interval.

    Returns
    -------
    WithdrawalResult
        Per-patient rises, syndrome incidence and its comparisons, symptom-count models and the
        dispersion check.

    Raises
    ------
    AssayInputError
        A column or visit is missing, a score is out of range (naming patient, visit and item), the
        threshold is not positive, or the control arm is absent.
    """
    washout = list(washout_visits)
    if not washout:
        raise AssayInputError("no washout visits given")
    if not (threshold > 0 and math.isfinite(threshold)):
        raise AssayInputError(
            f"the withdrawal threshold must be a positive number of points, not {threshold}"
        )
    per_patient = _per_patient(scores, checklist, end_of_treatment_visit, washout, threshold, max_missing)
    incidence = rate_table(per_patient, outcome="syndrome", control=control, level=level)
    pairs = _arm_pairs(list(incidence["arm"]), control)
    comparisons = pairwise_rates(per_patient, pairs, outcome="syndrome", level=level)
    notes: list[str] = []
    if per_patient["symptom_count"].notna().any():
        counts, dispersion, notes = count_comparisons(per_patient, control=control, level=level)
    else:
        counts, dispersion = pd.DataFrame(), {}
        notes.append("no item scores: symptom counts not analysed")
    return WithdrawalResult(
        per_patient=per_patient,
        incidence=incidence,
        incidence_comparisons=comparisons,
        counts=counts,
        dispersion=dispersion,
        threshold=float(threshold),
        notes=notes,
    )
