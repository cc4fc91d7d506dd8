"""Group summaries of NCA parameters, as pharmacokinetic reports give them.

For each group x analyte x parameter: n (finite values), arithmetic mean, SD (n - 1), CV% = 100 SD/mean,
geometric mean = exp(mean ln x) and geometric CV% = 100 sqrt(exp(s^2) - 1) with s the SD of ln x (Kirkwood
1979 Biometrics 35:908; PKNCA ``business.geocv``), median, min and max. Geometric statistics need every
value positive (else NaN). Tmax is a sampled time, not a continuous measure: it is summarised by its
median and range only, its means left NaN (FDA guidance "Bioequivalence studies with pharmacokinetic
endpoints", 2021; PKNCA's ``tmax`` summary "median and range").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["summarize_groups"]

#: Results columns that are identifiers or descriptors of the fit, not parameters to summarise.
_NOT_PARAMETERS = {"subject", "analyte", "group", "route", "flags", "lambda_z_intercept", "r2", "r2adj"}
#: Summarised by median and range only.
_MEDIAN_ONLY = ("tmax_h", "tlast_h", "lambda_z_first_h", "lambda_z_last_h", "n_lambda_z")

_STATS = ["n", "mean", "sd", "cv_pct", "geo_mean", "geo_cv_pct", "median", "min", "max"]


def _describe(values: np.ndarray, median_only: bool) -> dict[str, float]:
    x = values[np.isfinite(values)]
    n = len(x)
    out = dict.fromkeys(_STATS, np.nan) | {"n": n}
    if n == 0:
        return out
    out |= {"median": float(np.median(x)), "min": float(x.min()), "max": float(x.max())}
    if median_only:
        return out
    out["mean"] = float(x.mean())
    if n > 1:
        out["sd"] = float(x.std(ddof=1))
        out["cv_pct"] = 100.0 * out["sd"] / out["mean"] if out["mean"] != 0 else np.nan
    if (x > 0).all():
        logs = np.log(x)
        out["geo_mean"] = float(np.exp(logs.mean()))
        if n > 1:
            out["geo_cv_pct"] = 100.0 * float(np.sqrt(np.expm1(logs.var(ddof=1))))
    return out


def summarize_groups(results: pd.DataFrame, by: Sequence[str] = ("group", "analyte")) -> pd.DataFrame:
    """Summarise every numeric parameter of an NCA results table per group.

    Parameters
    ----------
    results
        :attr:`assaykit.pk.nca.NCATables.results` (one row per subject x analyte).
    by
        Columns to group by.

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per group x parameter with ``*by, parameter, n, mean, sd, cv_pct, geo_mean,
        geo_cv_pct, median, min, max`` (the module docstring says how). ``n`` counts the finite values;
        dose columns and the fit's R^2 and intercept are not summarised, Tmax and the lambda_z times by
        median and range only.
    """
    by = list(by)
    parameters = [
        column
        for column in results.columns
        if column not in _NOT_PARAMETERS
        and column not in by
        and not column.startswith("dose")
        and pd.api.types.is_numeric_dtype(results[column])
        and not pd.api.types.is_bool_dtype(results[column])
    ]
    rows = []
    for key, group in results.groupby(by, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        for parameter in parameters:
            values = pd.to_numeric(group[parameter], errors="coerce").to_numpy(float)
            stats = _describe(values, parameter in _MEDIAN_ONLY)
            rows.append(dict(zip(by, key, strict=True)) | {"parameter": parameter} | stats)
    return pd.DataFrame(rows, columns=[*by, "parameter", *_STATS])
