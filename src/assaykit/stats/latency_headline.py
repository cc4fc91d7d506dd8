"""The headline of a censored latency: the log-rank test, not the mean.

An animal that never enters the open arm (or the light) within the session has a latency "longer than
the session": a right-censored value. The mean of such latencies understates the true mean, and tests on
means treat the session length as a measured value. For a latency endpoint whose session length is known,
the comparison rows therefore carry the log-rank test against the control as the headline (the
comparisons from :func:`assaykit.stats.survival.latency_comparisons`, Holm-adjusted over the groups) and a
k-sample log-rank test over the control and the groups tested as the omnibus test (Peto & Peto 1972, J R
Stat Soc A 135:185-207; statsmodels ``survdiff``, R ``survival::survdiff``). The tests the plan names move
to the ``alternative_*`` columns; Hedges' g is not reported where an animal of the pair is censored, and
the rows are flagged ``censored``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

#: The headline columns that move to ``alternative_*`` when the log-rank test takes their place.
_MOVED = (
    "test",
    "statistic",
    "df",
    "p_value",
    "p_adjusted",
    "omnibus_test",
    "omnibus_statistic",
    "omnibus_df",
    "omnibus_df_error",
    "omnibus_p",
)

#: Flag of a comparison with censored latencies.
CENSORED = "censored"


def censored_headline(
    comparisons: pd.DataFrame,
    endpoint: str,
    models: pd.DataFrame,
    censored: pd.Series,
    table: pd.DataFrame,
    group: str,
    control: str,
    notes: list[str],
) -> None:
    """Make the log-rank test the headline of a latency endpoint's comparison rows (in place).

    Parameters
    ----------
    comparisons
        The comparison rows of every endpoint (:data:`~assaykit.stats.columns.COMPARISON_COLUMNS`).
    endpoint
        The latency endpoint.
    models
        The model rows, with the ``logrank`` rows of this endpoint.
    censored
        Per animal (aligned with ``table``): True when its latency is censored at the session length.
    table
        One row per animal: the group column and the endpoint.
    group, control
        The group column and the control group.
    notes
        Sentences for the reader; one is appended when animals are censored.
    """
    logrank = models[(models["endpoint"] == endpoint) & (models["analysis"] == "logrank")]
    logrank = logrank.set_index("group")
    labels = table[group].astype(str)
    values = table[endpoint].to_numpy(dtype=float)
    present = ~np.isnan(values)
    is_censored = censored.reindex(table.index).fillna(False).to_numpy(dtype=bool) & present
    counts = pd.Series(is_censored, index=table.index).groupby(labels).sum()
    rows = comparisons.index[(comparisons["endpoint"] == endpoint) & (comparisons["test"] != "")]
    tested = [control, *[str(comparisons.at[i, "group"]) for i in rows]]
    omnibus = _k_sample_logrank(values, ~is_censored, labels.to_numpy(), tested, present)
    for i in rows:
        name = str(comparisons.at[i, "group"])
        if name not in logrank.index:
            continue
        for column in _MOVED:
            comparisons.at[i, f"alternative_{column}"] = comparisons.at[i, column]
        row = logrank.loc[name]
        comparisons.at[i, "test"] = "logrank"
        comparisons.at[i, "statistic"] = row["statistic"]
        comparisons.at[i, "df"] = row["df"]
        comparisons.at[i, "p_value"] = row["p_value"]
        comparisons.at[i, "p_adjusted"] = row["p_adjusted"]
        comparisons.at[i, "omnibus_test"] = "logrank" if len(tested) > 2 else ""
        comparisons.at[i, "omnibus_statistic"] = omnibus[0] if len(tested) > 2 else math.nan
        comparisons.at[i, "omnibus_df"] = len(tested) - 1 if len(tested) > 2 else math.nan
        comparisons.at[i, "omnibus_df_error"] = math.nan
        comparisons.at[i, "omnibus_p"] = omnibus[1] if len(tested) > 2 else math.nan
        comparisons.at[i, "test_choice"] = "latency: log-rank (censored at the session length)"
        n = int(counts.get(name, 0)) + int(counts.get(control, 0))
        if n:
            flags = [f for f in str(comparisons.at[i, "flags"]).split(";") if f]
            comparisons.at[i, "flags"] = ";".join(dict.fromkeys([*flags, CENSORED]))
            comparisons.at[i, "hedges_g"] = math.nan
            comparisons.at[i, "hedges_g_ci_low"] = math.nan
            comparisons.at[i, "hedges_g_ci_high"] = math.nan
            comparisons.at[i, "hedges_g_ci_type"] = ""
    total = int(counts.sum())
    if total:
        notes.append(
            f"{endpoint}: {total} animal(s) never entered within the session (censored at its length); the "
            "headline is the log-rank test, the medians are Kaplan-Meier's (latency table), and the means "
            "and Hedges' g of censored comparisons are not reported as results"
        )


def _k_sample_logrank(
    times: np.ndarray, events: np.ndarray, labels: np.ndarray, groups: list[str], present: np.ndarray
) -> tuple[float, float]:
    """Return the log-rank chi-square over several groups and its p (statsmodels ``survdiff``)."""
    if len(groups) < 3:
        return math.nan, math.nan
    from statsmodels.duration.survfunc import survdiff

    keep = present & np.isin(labels, groups)
    if not events[keep].any():
        return math.nan, math.nan
    chi2, p = survdiff(times[keep], events[keep].astype(float), labels[keep])
    return float(chi2), float(p)
