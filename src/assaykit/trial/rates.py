"""Responder and remission rates per arm, and each arm against the control as a 2 x 2 table.

* Responder: a reduction of at least 50% in the HAM-A total from baseline; remission: a HAM-A total of
  7 or less at the endpoint visit. A patient without an endpoint score has a missing outcome (no last
  observation carried forward); :func:`rate_table` leaves them out by default, or counts them as
  failures (non-responder imputation) with ``missing="failure"``.
* Rate of an arm: events / patients with an outcome, with the exact Clopper-Pearson interval
  (Clopper CJ, Pearson ES (1934) Biometrika 26:404-413; R ``binom.test``).
* Risk difference against the control: Newcombe's hybrid score interval, his method 10, built from the
  two Wilson score intervals without continuity correction (Newcombe RG (1998) Interval estimation for
  the difference between independent proportions: comparison of eleven methods. Stat Med 17:873-890).
* Odds ratio against the control: the conditional maximum likelihood estimate with its exact conditional
  interval, as R ``fisher.test`` gives them (finite even with a zero cell: 0 or infinity then, with one
  finite bound), and the two-sided Fisher exact test p-value (the sum of the probabilities of the tables
  no more likely than the one observed, relative tolerance 1e-7 as in R).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats as sps
from scipy.stats.contingency import odds_ratio

from assaykit.errors import AssayInputError

__all__ = [
    "clopper_pearson",
    "compare_two_rates",
    "efficacy_outcomes",
    "newcombe_difference",
    "pairwise_rates",
    "rate_table",
    "wilson",
]

#: HAM-A total at or below which a patient is in remission.
REMISSION_MAX = 7.0
#: Fraction of the baseline HAM-A total by which a responder's total has fallen (at least).
RESPONSE_REDUCTION = 0.5


def clopper_pearson(events: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) confidence interval of a binomial proportion, as R ``binom.test``.

    Parameters
    ----------
    events, n
        Successes and trials (``n`` 0 gives NaN bounds).
    level
        Confidence level.

    Returns
    -------
    tuple of float
        Lower and upper bound: the ``alpha/2`` quantile of Beta(x, n - x + 1) (0 when x = 0) and the
        ``1 - alpha/2`` quantile of Beta(x + 1, n - x) (1 when x = n).
    """
    if n == 0:
        return math.nan, math.nan
    alpha = 1.0 - level
    low = 0.0 if events == 0 else float(sps.beta.ppf(alpha / 2, events, n - events + 1))
    high = 1.0 if events == n else float(sps.beta.ppf(1 - alpha / 2, events + 1, n - events))
    return low, high


def wilson(events: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion, without continuity correction.

    ``(x + z^2/2 +- z sqrt(x (n - x) / n + z^2 / 4)) / (n + z^2)``, z the ``1 - alpha/2`` normal quantile
    (Wilson EB (1927) J Am Stat Assoc 22:209-212; R ``prop.test(x, n, correct = FALSE)$conf.int``).
    """
    if n == 0:
        return math.nan, math.nan
    z = float(sps.norm.ppf(1 - (1 - level) / 2))
    centre = events + z * z / 2
    half = z * math.sqrt(events * (n - events) / n + z * z / 4)
    return (centre - half) / (n + z * z), (centre + half) / (n + z * z)


def newcombe_difference(
    x1: int, n1: int, x2: int, n2: int, level: float = 0.95
) -> tuple[float, float, float]:
    """Difference of two independent proportions ``x1/n1 - x2/n2`` with Newcombe's hybrid score interval.

    Newcombe (1998) method 10: with the Wilson intervals ``(l1, u1)``, ``(l2, u2)`` of the two proportions,
    ``L = D - sqrt((p1 - l1)^2 + (u2 - p2)^2)`` and ``U = D + sqrt((u1 - p1)^2 + (p2 - l2)^2)``.

    Returns
    -------
    tuple of float
        The difference and its lower and upper bound (NaN when either group is empty).
    """
    if n1 == 0 or n2 == 0:
        return math.nan, math.nan, math.nan
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, level)
    l2, u2 = wilson(x2, n2, level)
    d = p1 - p2
    return d, d - math.hypot(p1 - l1, u2 - p2), d + math.hypot(u1 - p1, p2 - l2)


def compare_two_rates(x1: int, n1: int, x2: int, n2: int, level: float = 0.95) -> dict[str, float]:
    """Group 1 (``x1`` events of ``n1``) against group 2 as a 2 x 2 table.

    Returns
    -------
    dict
        ``risk_difference``, ``rd_low``, ``rd_high`` (Newcombe hybrid score), ``odds_ratio``, ``or_low``,
        ``or_high`` (conditional MLE and exact interval, R ``fisher.test``), ``p_fisher`` (two-sided).
    """
    d, d_low, d_high = newcombe_difference(x1, n1, x2, n2, level)
    out = {"risk_difference": d, "rd_low": d_low, "rd_high": d_high}
    if n1 == 0 or n2 == 0 or x1 + x2 == 0 or x1 + x2 == n1 + n2:
        # No events (or only events): the table carries no information on the odds ratio.
        p = 1.0 if n1 and n2 else math.nan
        return out | {"odds_ratio": math.nan, "or_low": math.nan, "or_high": math.nan, "p_fisher": p}
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]])
    result = odds_ratio(table, kind="conditional")
    ci = result.confidence_interval(confidence_level=level, alternative="two-sided")
    p = float(sps.fisher_exact(table, alternative="two-sided").pvalue)
    return out | {
        "odds_ratio": float(result.statistic),
        "or_low": float(ci.low),
        "or_high": float(ci.high),
        "p_fisher": min(p, 1.0),
    }


def _counts(
    outcomes: pd.DataFrame, arm: str, outcome: str, missing: Literal["exclude", "failure"]
) -> pd.DataFrame:
    for column in (arm, outcome):
        if column not in outcomes.columns:
            raise AssayInputError(f"no column '{column}' in the outcomes table", column=column)
    if missing not in ("exclude", "failure"):
        raise AssayInputError(f"missing must be 'exclude' or 'failure', not {missing!r}")
    values = outcomes[outcome]
    known = values.notna()
    strange = known & ~values.isin([True, False, 0, 1])
    if strange.any():
        first = outcomes.index[np.flatnonzero(strange.to_numpy())[0]]
        who = f"patient {outcomes.at[first, 'patient']}: " if "patient" in outcomes.columns else ""
        raise AssayInputError(f"{who}{values.at[first]!r} is not a yes/no outcome", column=outcome)
    if outcomes[arm].isna().any():
        raise AssayInputError("a patient has no arm", column=arm)
    event = values.where(known, False).astype(bool)
    frame = pd.DataFrame({"arm": outcomes[arm].astype(str), "event": event, "known": known})
    if missing == "failure":
        frame["known"] = True
    rows = []
    for name, group in frame.groupby("arm", sort=False):
        rows.append(
            {
                "arm": name,
                "n": int(group["known"].sum()),
                "events": int((group["event"] & group["known"]).sum()),
                "n_missing": int((~known.loc[group.index]).sum()),
            }
        )
    return pd.DataFrame(rows)


def rate_table(
    outcomes: pd.DataFrame,
    *,
    arm: str = "arm",
    outcome: str = "responder",
    control: str = "placebo",
    level: float = 0.95,
    missing: Literal["exclude", "failure"] = "exclude",
) -> pd.DataFrame:
    """Rate of a yes/no outcome per arm, and each arm against the control.

    Parameters
    ----------
    outcomes
        One row per patient: the arm and the outcome (True/False or 1/0; missing when not known), e.g.
        from :func:`efficacy_outcomes`.
    arm, outcome
        Column names.
    control
        The reference arm.
    level
        Confidence level of every interval.
    missing
        ``"exclude"``: patients with a missing outcome are left out of both numerator and denominator;
        ``"failure"``: they count as patients without the event (non-responder imputation).

    Returns
    -------
    pandas.DataFrame
        One row per arm, the control first then the others in their order of appearance: ``outcome``,
        ``arm``, ``n`` (patients counted), ``events``, ``n_missing``, ``rate``, ``rate_low``,
        ``rate_high`` (Clopper-Pearson), and against the control (NaN on its own row): ``comparison``
        (``"<arm> vs <control>"``), ``risk_difference``, ``rd_low``, ``rd_high`` (Newcombe hybrid score),
        ``odds_ratio``, ``or_low``, ``or_high`` (conditional MLE, exact), ``p_fisher``.

    Raises
    ------
    AssayInputError
        A column is missing, an outcome is not yes/no, or the control arm is not in the table.
    """
    counts = _counts(outcomes, arm, outcome, missing)
    if control not in set(counts["arm"]):
        raise AssayInputError(
            f"the control arm {control!r} is not among the arms ({', '.join(counts['arm'])})", column=arm
        )
    counts = pd.concat(
        [counts[counts["arm"] == control], counts[counts["arm"] != control]], ignore_index=True
    )
    ref = counts.iloc[0]
    rows = []
    for _, row in counts.iterrows():
        low, high = clopper_pearson(row["events"], row["n"], level)
        out = {
            "outcome": outcome,
            **row.to_dict(),
            "rate": row["events"] / row["n"] if row["n"] else math.nan,
            "rate_low": low,
            "rate_high": high,
            "comparison": None,
        }
        if row["arm"] != control:
            out["comparison"] = f"{row['arm']} vs {control}"
            out |= compare_two_rates(row["events"], row["n"], ref["events"], ref["n"], level)
        rows.append(out)
    table = pd.DataFrame(rows)
    table.attrs.update({"level": level, "control": control, "missing": missing})
    return table


def pairwise_rates(
    outcomes: pd.DataFrame,
    pairs: Sequence[tuple[str, str]],
    *,
    arm: str = "arm",
    outcome: str = "event",
    level: float = 0.95,
) -> pd.DataFrame:
    """Given pairs of arms compared as 2 x 2 tables (first arm against second), e.g. drug against drug.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``comparison``, ``arm``, ``reference``, ``events``, ``n``, ``reference_events``,
        ``reference_n`` and the columns of :func:`compare_two_rates`. Missing outcomes are left out.
    """
    counts = _counts(outcomes, arm, outcome, "exclude").set_index("arm")
    rows = []
    for first, second in pairs:
        for name in (first, second):
            if name not in counts.index:
                raise AssayInputError(f"no arm {name!r} (arms: {', '.join(counts.index)})", column=arm)
        a, b = counts.loc[first], counts.loc[second]
        rows.append(
            {
                "comparison": f"{first} vs {second}",
                "arm": first,
                "reference": second,
                "events": int(a["events"]),
                "n": int(a["n"]),
                "reference_events": int(b["events"]),
                "reference_n": int(b["n"]),
                **compare_two_rates(int(a["events"]), int(a["n"]), int(b["events"]), int(b["n"]), level),
            }
        )
    return pd.DataFrame(rows)


def efficacy_outcomes(
    scores: pd.DataFrame,
    *,
    endpoint_visit: object,
    baseline_visit: object = "baseline",
    total: str = "hama_total",
) -> pd.DataFrame:
    """Responder (>= 50% reduction from baseline) and remission (total <= 7) of each patient at one visit.

    Parameters
    ----------
    scores
        Long table: ``patient``, ``arm``, ``visit`` and the total score column.
    endpoint_visit, baseline_visit
        The visits compared.
    total
        The score column.

    Returns
    -------
    pandas.DataFrame
        One row per patient: ``patient``, ``arm``, ``baseline``, ``endpoint``, ``change`` (endpoint -
        baseline), ``percent_change``, ``responder`` and ``remission`` (nullable booleans, missing when
        the endpoint score is; ``responder`` also when the baseline is 0 or missing).
    """
    for column in ("patient", "arm", "visit", total):
        if column not in scores.columns:
            raise AssayInputError(f"no column '{column}' in the scores table", column=column)
    visits = set(scores["visit"])
    for visit in (baseline_visit, endpoint_visit):
        if visit not in visits:
            raise AssayInputError(f"no visit {visit!r} in the scores table", column="visit")
    patients = scores.drop_duplicates("patient")[["patient", "arm"]].set_index("patient")
    by_visit = scores.set_index(["patient", "visit"])[total].astype(float)
    out = patients.copy()
    out["baseline"] = by_visit.xs(baseline_visit, level="visit").reindex(out.index)
    out["endpoint"] = by_visit.xs(endpoint_visit, level="visit").reindex(out.index)
    out["change"] = out["endpoint"] - out["baseline"]
    base_ok = out["baseline"] > 0
    out["percent_change"] = (100 * out["change"] / out["baseline"]).where(base_ok)
    known = out["endpoint"].notna()
    # endpoint <= (1 - 0.5) * baseline, written without a division so that exactly 50% counts.
    responder = out["endpoint"] <= (1 - RESPONSE_REDUCTION) * out["baseline"]
    out["responder"] = responder.astype("boolean").where(known & base_ok, pd.NA)
    out["remission"] = (out["endpoint"] <= REMISSION_MAX).astype("boolean").where(known, pd.NA)
    return out.reset_index()
