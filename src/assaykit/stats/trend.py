"""The dose-response trend of one endpoint: Jonckheere-Terpstra and a linear contrast per compound.

Each compound's series is the control (dose 0 when its dose is empty) and that compound's dosed groups;
it is tested when it spans 3 or more dose levels. Both tests are reported, ``headline`` marking the one
of the endpoint's headline family. Rows have the columns :data:`~assaykit.stats.columns.TREND_COLUMNS`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from assaykit.stats.comparison_rows import EndpointAnalysis
from assaykit.stats.parametric import linear_trend
from assaykit.stats.rank import jonckheere_terpstra


def trend_rows(
    endpoint: str,
    samples: dict[str, np.ndarray],
    analysis: EndpointAnalysis,
    control: str,
    doses: pd.Series,
    compounds: pd.Series | None,
    notes: list[str],
) -> list[dict[str, object]]:
    """Test the dose-response trend of one endpoint: per compound, over the control and its doses.

    Parameters
    ----------
    endpoint
        The endpoint, for the rows.
    samples
        The values of each group, NaN removed.
    analysis
        The endpoint's comparison (:func:`~assaykit.stats.comparison_rows.analyse_endpoint`): the groups
        tested, the headline family and the pooled variance.
    control
        The control group.
    doses
        The dose of each group (NaN: not part of a series).
    compounds
        The compound of each group, or None for one series of every dosed group.
    notes
        Sentences for the reader; the series not tested are appended to it.

    Returns
    -------
    list of dict
        Two rows per series tested, one per test.
    """
    dosed = [g for g in analysis.usable[1:] if not math.isnan(float(doses[g]))]
    if compounds is None:
        series = {"": dosed}
    else:
        series = {}
        for name in dosed:
            series.setdefault(str(compounds[name]), []).append(name)
    control_dose = float(doses[control]) if not math.isnan(float(doses[control])) else 0.0
    rows = []
    for compound, members in series.items():
        level = {control: control_dose} | {g: float(doses[g]) for g in members}
        groups = sorted(level, key=lambda g: level[g])
        distinct = sorted(set(level.values()))
        label = f"'{compound}'" if compound else "the dosed groups"
        if len(distinct) < 3:
            notes.append(
                f"dose-response trend for {label} not tested: {len(distinct)} dose level(s) with the "
                "control; it needs 3"
            )
            continue
        by_level = [np.concatenate([samples[g] for g in groups if level[g] == d]) for d in distinct]
        jt = jonckheere_terpstra(by_level)
        contrast = linear_trend(
            [samples[g] for g in groups],
            [level[g] for g in groups],
            variance=analysis.variance,
            df_error=analysis.df_error,
        )
        common = {
            "endpoint": endpoint,
            "compound": compound,
            "groups": "; ".join(groups),
            "doses": "; ".join(f"{level[g]:g}" for g in groups),
            "n": int(sum(samples[g].size for g in groups)),
        }
        for name, result, family in (
            ("jonckheere_terpstra", jt, "nonparametric"),
            ("linear_contrast", contrast, "parametric"),
        ):
            sign = result.z if name == "jonckheere_terpstra" else result.statistic
            rows.append(
                common
                | {
                    "test": name,
                    "headline": analysis.headline == family,
                    "statistic": result.statistic,
                    "z": result.z,
                    "df": result.df,
                    "estimate": result.estimate,
                    "p_value": result.p_value,
                    "direction": ""
                    if math.isnan(sign) or sign == 0
                    else "increasing"
                    if sign > 0
                    else "decreasing",
                }
            )
    return rows
