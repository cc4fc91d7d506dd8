"""Kaplan-Meier curves of latencies: the median with R's confidence interval and the restricted mean.

The curve and its Greenwood standard error come from statsmodels'
:class:`~statsmodels.duration.survfunc.SurvfuncRight`. The median and its interval follow R's ``survival``
package (``survival:::survmean``) rather than statsmodels' ``quantile_ci`` (which follows SAS and differs
where the curve or a confidence limit sits at 0.5), so that the numbers are those of ``print(survfit(...))``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["CURVE_COLUMNS", "KM_COLUMNS", "km_summary", "median_time", "restricted_mean"]

#: Columns of ``LatencyResult.km``.
KM_COLUMNS = (
    "endpoint",
    "group",
    "n",
    "n_events",
    "n_censored",
    "median",
    "median_ci_low",
    "median_ci_high",
    "rmst",
    "rmst_se",
    "rmst_tau",
    "note",
)
#: Columns of ``LatencyResult.curves``: the step function of each group, with pointwise 95% limits
#: (``conf.type = "log"``) and the number of animals censored at each time (the "+" marks of a plot).
CURVE_COLUMNS = (
    "endpoint",
    "group",
    "time",
    "n_risk",
    "n_events",
    "n_censored",
    "survival",
    "ci_low",
    "ci_high",
)

_TOLERANCE = math.sqrt(np.finfo(float).eps)  # R's .Machine$double.eps^0.5 in survmean


def median_time(times: np.ndarray, curve: np.ndarray) -> float:
    """Find the first time a decreasing curve is at or below 0.5, as ``survival:::survmean`` does.

    The first time at which the curve is below ``0.5 + sqrt(eps)``; when it equals 0.5 there (within that
    tolerance) and drops lower later, the midpoint between that time and the time it drops (the median of a
    curve flat at 0.5 is the middle of the flat stretch). NaN entries are skipped; NaN when the curve never
    gets there ("not reached"). Applied to the Kaplan-Meier curve it gives the median; to the lower and upper
    pointwise confidence limits, the lower and upper limits of the median's interval (Brookmeyer & Crowley
    1982, Biometrics 38:29-41, with the pointwise interval of R's ``conf.type``).

    Parameters
    ----------
    times
        Increasing times.
    curve
        The curve's value at each time (after the step there).

    Returns
    -------
    float
        The time, or NaN.
    """
    times = np.asarray(times, dtype=float)
    curve = np.asarray(curve, dtype=float)
    keep = ~np.isnan(curve) & (curve < 0.5 + _TOLERANCE)
    if not keep.any():
        return math.nan
    x, y = times[keep], curve[keep]
    lower = y < y[0]
    if abs(y[0] - 0.5) < _TOLERANCE and lower.any():
        return float((x[0] + x[np.argmax(lower)]) / 2)
    return float(x[0])


def restricted_mean(
    times: np.ndarray, surv: np.ndarray, n_risk: np.ndarray, n_events: np.ndarray, tau: float
) -> tuple[float, float]:
    """Compute the restricted mean latency up to ``tau`` (area under the Kaplan-Meier curve) and its SE.

    ``mu = integral from 0 to tau of S(t) dt``, with the curve held at its last value up to ``tau``; its
    variance ``sum over event times t_i <= tau of A_i^2 d_i / (n_i (n_i - d_i))``, ``A_i`` the area from
    ``t_i`` to ``tau`` (the Greenwood-type estimator; Klein & Moeschberger 2003, *Survival Analysis*, sec.
    4.5; terms with ``n_i = d_i`` count 0), as R's ``print(survfit(...), rmean = tau)``
    (``survival:::survmean``).

    Parameters
    ----------
    times, surv, n_risk, n_events
        The event times of the curve and, at each, the curve after it, the number at risk and of events.
    tau
        The horizon.

    Returns
    -------
    tuple of float
        The restricted mean and its standard error.
    """
    keep = np.asarray(times) <= tau
    t, s = np.asarray(times, dtype=float)[keep], np.asarray(surv, dtype=float)[keep]
    n, d = np.asarray(n_risk, dtype=float)[keep], np.asarray(n_events, dtype=float)[keep]
    rectangles = np.diff(np.r_[0.0, t, tau]) * np.r_[1.0, s]
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(n - d > 0, d / (n * (n - d)), 0.0)
    after = np.cumsum(rectangles[::-1])[::-1][1:]  # area from each event time to tau
    return float(rectangles.sum()), float(math.sqrt(np.sum(after**2 * hazard)))


def km_summary(
    endpoint: str, order: list[str], t: np.ndarray, e: np.ndarray, g: np.ndarray, tau: float
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Summarise each group's Kaplan-Meier curve: median, interval, restricted mean, and the curve.

    Parameters
    ----------
    endpoint
        The latency column (the first column of both tables).
    order
        The groups, in the order of the rows.
    t, e, g
        Each animal's time, whether it entered, and its group.
    tau
        The horizon of the restricted means.

    Returns
    -------
    km : pandas.DataFrame
        :data:`KM_COLUMNS`, one row per group: the median and its 95% interval from :func:`median_time`
        (on the curve and on its pointwise ``conf.type = "log"`` limits ``S exp(-/+ 1.96 se(log S))``, capped
        at 1, Greenwood's ``se``), NaN when not reached; the restricted mean from :func:`restricted_mean`.
    curves : pandas.DataFrame
        :data:`CURVE_COLUMNS`: a row at time 0, then one per distinct time (event or censoring) of each
        group.
    notes : list of str
        The groups whose median or its upper limit is not reached, and groups without animals.
    """
    km_rows, curve_rows, notes = [], [], []
    z = stats.norm.ppf(0.975)
    for name in order:
        mine = g == name
        times, events = t[mine], e[mine]
        n = int(mine.sum())
        row: dict[str, object] = dict.fromkeys(KM_COLUMNS, math.nan)
        row.update(
            endpoint=endpoint, group=name, n=n, n_events=int(events.sum()), n_censored=int(n - events.sum())
        )
        row.update(rmst_tau=tau, note="")
        if n == 0:
            row["note"] = "no animal with a latency"
            notes.append(f"{endpoint}: group {name} has no animal with a latency")
            km_rows.append(row)
            continue
        curve = _curve(times, events, z)
        step = curve[curve["n_events"] > 0]
        row["median"] = median_time(step["time"], step["survival"])
        row["median_ci_low"] = median_time(step["time"], step["ci_low"])
        row["median_ci_high"] = median_time(step["time"], step["ci_high"])
        row["rmst"], row["rmst_se"] = restricted_mean(
            step["time"], step["survival"], step["n_risk"], step["n_events"], tau
        )
        if math.isnan(row["median"]):
            row["note"] = "median not reached (the curve stays above 0.5)"
            notes.append(
                f"{endpoint}: median latency of {name} not reached ({row['n_censored']} of {n} censored)"
            )
        elif n == 1:
            row["note"] = "one animal: no interval"
        elif math.isnan(row["median_ci_high"]):
            row["note"] = "upper limit of the median not reached"
        km_rows.append(row)
        curve_rows.append(curve.assign(endpoint=endpoint, group=name))
    km = pd.DataFrame(km_rows, columns=list(KM_COLUMNS))
    curves = (
        pd.concat(curve_rows, ignore_index=True)[list(CURVE_COLUMNS)]
        if curve_rows
        else pd.DataFrame(columns=list(CURVE_COLUMNS))
    )
    return km, curves, notes


def _curve(times: np.ndarray, events: np.ndarray, z: float) -> pd.DataFrame:
    """Tabulate one group's Kaplan-Meier steps (statsmodels ``SurvfuncRight``) at 0 and each distinct time."""
    from statsmodels.duration.survfunc import SurvfuncRight

    grid = np.unique(times)
    censored = np.array([int(np.sum((times == x) & ~events)) for x in grid])
    n_risk = np.array([int(np.sum(times >= x)) for x in grid])
    n_events = np.array([int(np.sum((times == x) & events)) for x in grid])
    surv = np.ones(len(grid))
    low, high = np.ones(len(grid)), np.ones(len(grid))
    if events.any():
        fit = SurvfuncRight(times, events.astype(float))
        at = np.searchsorted(fit.surv_times, grid, side="right") - 1  # the last event time <= each time
        s = np.asarray(fit.surv_prob, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            se_log = np.where(s > 0, np.asarray(fit.surv_prob_se, dtype=float) / s, np.nan)
        lo = np.where(s > 0, s * np.exp(-z * se_log), np.nan)
        hi = np.where(s > 0, np.minimum(1.0, s * np.exp(z * se_log)), np.nan)
        started = at >= 0
        surv[started], low[started], high[started] = s[at[started]], lo[at[started]], hi[at[started]]
    return pd.DataFrame(
        {
            "time": np.r_[0.0, grid],
            "n_risk": np.r_[len(times), n_risk],
            "n_events": np.r_[0, n_events],
            "n_censored": np.r_[0, censored],
            "survival": np.r_[1.0, surv],
            "ci_low": np.r_[1.0, low],
            "ci_high": np.r_[1.0, high],
        }
    )
