"""Latencies as censored times: Kaplan-Meier medians, restricted means, log-rank tests and Cox hazard ratios.

A latency equal to the session length means the animal never entered the zone: its latency is not known,
only that it exceeds the session (right-censored). Averaging such latencies treats "never" as "at the end of
the session" and understates the difference between groups; the analyses here are the standard ones for
censored times (Kleinbaum & Klein 2012, *Survival Analysis*, 3rd ed., Springer; Collett 2015, *Modelling
Survival Data in Medical Research*, 3rd ed., CRC). The estimators come from statsmodels
(:class:`~statsmodels.duration.survfunc.SurvfuncRight`, :func:`~statsmodels.duration.survfunc.survdiff`,
:class:`~statsmodels.duration.hazard_regression.PHReg`); the quantities reported are those of R's
``survival`` package, against which the tests check them.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from assaykit.errors import AssayInputError
from assaykit.multiplicity import holm
from assaykit.stats.censoring import (
    RELATIVE_TOLERANCE,
    entered_column,
    is_latency,
    latency_events,
    session_lengths,
)
from assaykit.stats.columns import MODEL_COLUMNS
from assaykit.stats.inputs import group_order
from assaykit.stats.survival_km import CURVE_COLUMNS, KM_COLUMNS, km_summary

__all__ = [
    "CURVE_COLUMNS",
    "KM_COLUMNS",
    "RELATIVE_TOLERANCE",
    "LatencyResult",
    "entered_column",
    "is_latency",
    "latency_comparisons",
    "latency_events",
]

#: A Cox coefficient beyond this (a hazard ratio above 2.2e4 or below 4.5e-5) is taken as diverging: the
#: partial likelihood has no maximum (monotone likelihood, Heinze & Schemper 2001, Biometrics 57:114-119).
_DIVERGING = 10.0


@dataclass(frozen=True)
class LatencyResult:
    """Censoring-aware analysis of one latency endpoint: every group against the control.

    Attributes
    ----------
    endpoint, control
        The latency column and the control group.
    groups
        The groups analysed, the control first.
    session
        The longest session of the animals analysed (the x limit of a plot), in the endpoint's unit.
    horizon
        The time up to which the restricted means are taken: the shortest session of the animals analysed
        (every animal was watched that long), in the endpoint's unit.
    km
        One row per group, :data:`~assaykit.stats.survival_km.KM_COLUMNS`: ``n, n_events, n_censored``, the
        Kaplan-Meier median latency with its 95% CI (NaN when not reached), and ``rmst``, ``rmst_se``: the
        restricted mean latency up to ``rmst_tau`` (= ``horizon``), the censoring-aware mean.
    curves
        The Kaplan-Meier curves of "not yet entered", :data:`~assaykit.stats.survival_km.CURVE_COLUMNS`: one
        row at time 0 and one per distinct time of each group, with the censored animals at that time.
    comparisons
        :data:`~assaykit.stats.columns.MODEL_COLUMNS` rows: per group a log-rank test and a Cox hazard ratio
        against the control, in the order of ``groups``.
    notes
        What the numbers cannot show: animals left out, curves not reaching 0.5, estimates not made.
    censored
        True for each animal analysed (index of ``data``) whose latency is censored, by
        :func:`~assaykit.stats.censoring.latency_events`.
    """

    endpoint: str
    control: str
    groups: tuple[str, ...]
    session: float
    horizon: float
    km: pd.DataFrame
    curves: pd.DataFrame
    comparisons: pd.DataFrame
    notes: tuple[str, ...]
    censored: pd.Series = field(default_factory=lambda: pd.Series(dtype=bool))


def latency_comparisons(
    data: pd.DataFrame,
    endpoint: str,
    *,
    group: str = "group",
    control: str,
    session: float | None = None,
) -> LatencyResult:
    """Compare a latency between each group and the control, with the never-entered animals censored.

    * ``km``: each group's Kaplan-Meier median latency and its 95% CI as R's ``survfit`` gives them (see
      :func:`~assaykit.stats.survival_km.km_summary`), and the restricted mean latency up to the shortest
      session (R's ``print(survfit(...), rmean = tau)``).
    * ``comparisons``, ``analysis="logrank"``: the log-rank test of the group against the control on those
      two groups alone (Mantel 1966, Cancer Chemother Rep 50:163-170; R's ``survdiff``), ``statistic`` the
      chi-square with ``df`` 1; it estimates nothing (``scale`` empty, ``estimate``, ``se`` and CI NaN).
    * ``analysis="cox"``: the hazard ratio of entering, group vs control, from one Cox proportional-hazards
      model of all groups with the control as reference (R's ``coxph(Surv(time, entered) ~ group,
      ties = "efron")``; Cox 1972, J R Stat Soc B 34:187-220; Efron 1977, JASA 72:557-565), with the Wald
      95% interval ``exp(b -/+ 1.96 se)``, ``statistic`` the Wald z (``df`` NaN) and ``se`` the standard
      error of the log hazard ratio. **A hazard ratio above 1 means the group enters sooner than the control
      (in an anxiety test: less anxious, or more active); below 1, later.** A group of which no animal
      entered has a hazard ratio of 0 (its coefficient runs to minus infinity): it is left out of the model,
      which is the limit of the fit that keeps it, and its ratio is NaN with a note. A fit whose coefficient
      diverges for another reason (monotone likelihood) gives NaN for every group, with a note.

    The p-values of each analysis are adjusted over the groups by Holm's method
    (:func:`assaykit.multiplicity.holm`); the intervals are per comparison (``ci_type``).

    Parameters
    ----------
    data
        One row per animal: ``group``, ``endpoint`` and the columns :func:`latency_events` reads.
    endpoint
        The latency column.
    group
        The group column.
    control
        The control group (usually the vehicle).
    session
        The session length in seconds for every animal; the ``session_s`` column when None.

    Returns
    -------
    LatencyResult
        The tables and notes.

    Raises
    ------
    AssayInputError
        As :func:`latency_events`; and when the group column or the control group is missing.
    """
    if group not in data.columns:
        raise AssayInputError(f"no group column '{group}'", column=group)
    labelled = data[data[group].notna()]
    time, event = latency_events(labelled, endpoint, session=session)
    labels = labelled.loc[time.index, group].astype(str)
    order = group_order(labelled.assign(**{group: labelled[group].astype(str)}), control, group=group)
    if str(control) not in set(labelled[group].astype(str)):
        raise AssayInputError(
            f"control group '{control}' is not among the groups ({', '.join(order[1:])})", column=group
        )
    notes: list[str] = []
    left_out = len(data) - len(time)
    if left_out:
        notes.append(f"{endpoint}: {left_out} animal(s) without a latency or a group left out")
    if len(time) == 0:
        raise AssayInputError(f"no animal has a value of '{endpoint}'", column=endpoint)
    lengths = session_lengths(labelled, endpoint, session)[time.index]
    horizon, longest = float(lengths.min()), float(lengths.max())
    t = time.to_numpy(dtype=float)
    e = event.to_numpy(dtype=bool)
    g = labels.to_numpy(dtype=object)
    km, curves, km_notes = km_summary(endpoint, order, t, e, g, horizon)
    notes += km_notes
    if not e.any():
        notes.append(f"{endpoint}: no animal entered; no test can be made")
    rows = [*_logrank_rows(endpoint, order, t, e, g), *_cox_rows(endpoint, order, t, e, g, notes)]
    table = pd.DataFrame(rows, columns=list(MODEL_COLUMNS))
    for analysis in ("logrank", "cox"):
        which = table["analysis"] == analysis
        table.loc[which, "p_adjusted"] = holm(table.loc[which, "p_value"].to_numpy(dtype=float))
    return LatencyResult(
        endpoint,
        str(control),
        tuple(order),
        longest,
        horizon,
        km,
        curves,
        table,
        tuple(notes),
        ~event.astype(bool),
    )


def _logrank_rows(endpoint: str, order: list[str], t: np.ndarray, e: np.ndarray, g: np.ndarray) -> list[dict]:
    """One log-rank row per group: the group and the control alone, by statsmodels' ``survdiff``."""
    from statsmodels.duration.survfunc import survdiff

    control = order[0]
    rows = []
    for name in order[1:]:
        pair = (g == control) | (g == name)
        row = _row(endpoint, "logrank", f"survdiff(Surv({endpoint}, entered) ~ group), {name} and {control}")
        row.update(
            group=name, control=control, n_group=int((g == name).sum()), n_control=int((g == control).sum())
        )
        row.update(df=1.0)
        if row["n_group"] == 0 or row["n_control"] == 0:
            row["note"] = "no animal with a latency in the group or the control"
        elif not e[pair].any():
            row["note"] = "no animal of the two groups entered: no test"
        else:
            try:
                chisq, p = survdiff(t[pair], e[pair].astype(float), (g[pair] == name).astype(int))
            except np.linalg.LinAlgError:
                chisq, p = math.nan, math.nan
            if math.isfinite(chisq):
                row.update(statistic=float(chisq), p_value=float(p))
            else:
                row["note"] = "no variance of the log-rank statistic: no test"
        if row["n_group"] == 1:
            row["note"] = _join(row["note"], "one animal in the group")
        rows.append(row)
    return rows


def _cox_rows(
    endpoint: str, order: list[str], t: np.ndarray, e: np.ndarray, g: np.ndarray, notes: list[str]
) -> list[dict]:
    """One Cox row per group: the hazard ratio against the control from one model of all groups."""
    control = order[0]
    model = f"coxph(Surv({endpoint}, entered) ~ group, ties = 'efron'), all groups, reference {control}"
    rows = {}
    for name in order[1:]:
        row = _row(endpoint, "cox", model)
        row.update(
            group=name, control=control, n_group=int((g == name).sum()), n_control=int((g == control).sum())
        )
        row.update(scale="hazard_ratio")
        if row["n_group"] == 0:
            row["note"] = "no animal with a latency in the group"
        elif not e[g == name].any():
            row["note"] = (
                "no animal of the group entered: hazard ratio 0, not estimable (left out of the model)"
            )
        rows[name] = row
    fitted = [n for n in order[1:] if rows[n]["note"] == ""]
    if not e[g == control].any():
        for name in fitted:
            rows[name]["note"] = "no control animal entered: hazard ratio not estimable"
        fitted = []
    if fitted:
        coef, se, problem = _fit_cox(t, e, g, control, fitted)
        if problem:
            notes.append(f"{endpoint}: Cox model not estimable ({problem})")
        z = stats.norm.ppf(0.975)
        for k, name in enumerate(fitted):
            if problem:
                rows[name]["note"] = f"hazard ratio not estimable: {problem}"
                continue
            rows[name].update(
                estimate=math.exp(coef[k]),
                se=se[k],
                ci_low=math.exp(coef[k] - z * se[k]),
                ci_high=math.exp(coef[k] + z * se[k]),
                statistic=coef[k] / se[k],
                p_value=float(2 * stats.norm.sf(abs(coef[k] / se[k]))),
            )
    for row in rows.values():
        if row["n_group"] == 1:
            row["note"] = _join(row["note"], "one animal in the group")
    return list(rows.values())


def _fit_cox(
    t: np.ndarray, e: np.ndarray, g: np.ndarray, control: str, fitted: list[str]
) -> tuple[np.ndarray, np.ndarray, str]:
    """Fit ``PHReg`` (Efron ties) on the control and ``fitted`` groups: coefficients, SEs, a problem."""
    from statsmodels.duration.hazard_regression import PHReg
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    keep = np.isin(g, [control, *fitted])
    exog = np.column_stack([(g[keep] == name).astype(float) for name in fitted])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        try:
            result = PHReg(t[keep], exog, status=e[keep].astype(float), ties="efron").fit()
        except np.linalg.LinAlgError:
            return np.array([]), np.array([]), "singular information matrix"
    coef = np.asarray(result.params, dtype=float)
    se = np.asarray(result.bse, dtype=float)
    diverging = [
        n for n, b, s in zip(fitted, coef, se, strict=True) if not (abs(b) < _DIVERGING and np.isfinite(s))
    ]
    if diverging:
        return coef, se, f"coefficient of {', '.join(diverging)} diverges (monotone likelihood)"
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        return coef, se, "the fit did not converge"
    return coef, se, ""


def _row(endpoint: str, analysis: str, model: str) -> dict:
    """Start a MODEL_COLUMNS row with nothing estimated yet."""
    row: dict[str, object] = dict.fromkeys(MODEL_COLUMNS, math.nan)
    row.update(endpoint=endpoint, analysis=analysis, model=model, stratum="", scale="")
    row.update(ci_type="per_comparison", adjustment="holm", note="")
    return row


def _join(note: object, more: str) -> str:
    """Append ``more`` to a note."""
    return f"{note}; {more}" if note else more
