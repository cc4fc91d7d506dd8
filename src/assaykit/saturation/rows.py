"""The saturation results table: one row per data set, built from a fit.

A row has the columns of its model, :func:`~assaykit.saturation.columns.result_columns` (documented in
docs/user-guide/saturation.md), named with the signal unit. For two sites, ``bmax_<u>`` is BmaxHi + BmaxLo
with the SE of the sum, and ``fraction_hi = BmaxHi / (BmaxHi + BmaxLo)`` has its SE by the delta method.
The conversions to fmol, fmol/mg and sites/cell are in :mod:`assaykit.saturation.units`, the flags
in :mod:`assaykit.saturation.flags`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from assaykit.fitting import CurveFit
from assaykit.fitting.distributions import t_quantile
from assaykit.saturation.columns import MODEL_COLUMNS, column_name, internal_name
from assaykit.saturation.flags import saturation_flags
from assaykit.saturation.units import Units, converted_bmax


def _se_of_sum(fit: CurveFit, weights: Mapping[str, float]) -> float:
    """Delta-method SE of a linear combination of free parameters, from the fit's covariance."""
    g = np.array([weights.get(name, 0.0) for name in fit.free])
    with np.errstate(invalid="ignore"):
        variance = float(g @ fit.covariance @ g)
    return math.sqrt(variance) if variance >= 0 else math.nan


def _kd_limits(fit: CurveFit, name: str) -> tuple[float, float]:
    """Confidence limits of a Kd; an open lower profile limit is 0 nM (a Kd is positive)."""
    low, high = fit.ci.get(name, (math.nan, math.nan))
    if fit.ci_method == "profile" and low == -math.inf:
        low = 0.0
    return low, high


def _named(values: Mapping[str, Any], model: str, unit: str) -> dict[str, Any]:
    """Return the model's columns, named with the unit, from values under their unit-free names."""
    return {column_name(t, unit): values.get(internal_name(t), math.nan) for t in MODEL_COLUMNS[model]}


def empty_row(dataset: str, model: str, n_points: int, ci: str, unit: str, flag: str) -> dict[str, Any]:
    """Return the row of a data set that could not be fitted: its numbers NaN, ``flag`` saying why."""
    values = dict(dataset=dataset, model=model, n_points=n_points, ci_method=ci, flags=flag)
    return _named(values, model, unit)


def result_row(
    fit: CurveFit, dataset: str, unit: str, units: Units, x_range: tuple[float, float], fraction_bound: float
) -> dict[str, Any]:
    """Turn one fit into one result row.

    Parameters
    ----------
    fit
        The data set's fit.
    dataset
        The data set's name.
    unit
        The signal unit, for the column names.
    units
        The checked unit options, for the conversions of Bmax.
    x_range
        The lowest and highest concentration fitted, nM (for the flags).
    fraction_bound
        The largest fraction of the added radioligand found bound (NaN when not known).

    Returns
    -------
    dict
        One value per column of the model's
        :func:`~assaykit.saturation.columns.result_columns`.
    """
    v, se = fit.values, fit.stderr
    row: dict[str, Any] = dict(dataset=dataset, model=fit.model.name, n_points=fit.n_points)
    t_crit = float(t_quantile(fit.level, fit.df))
    if "kd_nM" in v:
        low, high = _kd_limits(fit, "kd_nM")
        row.update(kd_nM=v["kd_nM"], kd_se_nM=se["kd_nM"], kd_ci_low_nM=low, kd_ci_high_nM=high)
        row.update(bmax=v["bmax"], bmax_se=se["bmax"])
        row["bmax_ci_low"], row["bmax_ci_high"] = fit.ci["bmax"]
        row.update(hill=v.get("hill", math.nan), hill_se=se.get("hill", math.nan))
    else:
        bmax = v["bmax_hi"] + v["bmax_lo"]
        bmax_se = _se_of_sum(fit, {"bmax_hi": 1.0, "bmax_lo": 1.0})
        row.update(bmax=bmax, bmax_se=bmax_se, bmax_ci_low=bmax - t_crit * bmax_se)
        row["bmax_ci_high"] = bmax + t_crit * bmax_se
        for site in ("hi", "lo"):
            low, high = _kd_limits(fit, f"kd_{site}_nM")
            row[f"kd_{site}_nM"], row[f"kd_{site}_se_nM"] = v[f"kd_{site}_nM"], se[f"kd_{site}_nM"]
            row[f"kd_{site}_ci_low_nM"], row[f"kd_{site}_ci_high_nM"] = low, high
            row[f"bmax_{site}"], row[f"bmax_{site}_se"] = v[f"bmax_{site}"], se[f"bmax_{site}"]
        with np.errstate(divide="ignore", invalid="ignore"):
            fraction = v["bmax_hi"] / bmax
            # d f / d BmaxHi = BmaxLo / B^2, d f / d BmaxLo = -BmaxHi / B^2
            gradient = {"bmax_hi": v["bmax_lo"] / bmax**2, "bmax_lo": -v["bmax_hi"] / bmax**2}
        row.update(fraction_hi=fraction, fraction_hi_se=_se_of_sum(fit, gradient))
    if "ns_slope" in v:
        row.update(ns_slope=v["ns_slope"], ns_slope_se=se["ns_slope"])
        row.update(background=v["background"], background_se=se["background"])
    row.update(converted_bmax(row["bmax"], row["bmax_se"], units))
    row.update(r_squared=fit.r_squared, sy_x=fit.sy_x, df=fit.df, ss=fit.ss, ci_method=fit.ci_method)
    row["flags"] = ";".join(saturation_flags(fit, x_range, fraction_bound))
    row["max_fraction_bound"] = fraction_bound
    return _named(row, fit.model.name, unit)
