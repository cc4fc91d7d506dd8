"""The saturation results table: its columns, in order, and one row per data set built from a fit.

Every row has all of :data:`RESULT_COLUMNS` (documented in docs/user-guide/saturation.md and in
:func:`~assaykit.saturation.analysis.analyze_saturation`); those that do not apply to the row's model are
NaN. For two sites, ``bmax`` is BmaxHi + BmaxLo with the SE of the sum, and ``fraction_hi = BmaxHi /
(BmaxHi + BmaxLo)`` has its SE by the delta method. The conversions to fmol, fmol/mg and sites/cell are in
:mod:`assaykit.saturation.units`, the flags in :mod:`assaykit.saturation.flags`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from assaykit.fitting import CurveFit
from assaykit.fitting.distributions import t_quantile
from assaykit.saturation.flags import saturation_flags
from assaykit.saturation.units import Units, converted_bmax

#: Result columns, in order (documented in docs/user-guide/saturation.md and in
#: :func:`~assaykit.saturation.analysis.analyze_saturation`).
RESULT_COLUMNS = (
    "dataset",
    "model",
    "n_points",
    "kd_nM",
    "kd_se_nM",
    "kd_ci_low_nM",
    "kd_ci_high_nM",
    "bmax",
    "bmax_se",
    "bmax_ci_low",
    "bmax_ci_high",
    "bmax_unit",
    "ns_slope",
    "ns_slope_se",
    "background",
    "background_se",
    "hill",
    "hill_se",
    "kd_hi_nM",
    "kd_hi_se_nM",
    "kd_hi_ci_low_nM",
    "kd_hi_ci_high_nM",
    "kd_lo_nM",
    "kd_lo_se_nM",
    "kd_lo_ci_low_nM",
    "kd_lo_ci_high_nM",
    "bmax_hi",
    "bmax_hi_se",
    "bmax_lo",
    "bmax_lo_se",
    "fraction_hi",
    "fraction_hi_se",
    "bmax_fmol",
    "bmax_fmol_se",
    "bmax_fmol_per_mg",
    "bmax_fmol_per_mg_se",
    "sites_per_cell",
    "sites_per_cell_se",
    "r_squared",
    "sy_x",
    "df",
    "ci_method",
    "flags",
    "ss",
    "max_fraction_bound",
)


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


def empty_row(dataset: str, model: str, n_points: int, ci: str, unit: str, flag: str) -> dict[str, Any]:
    """Return the row of a data set that could not be fitted: its numbers NaN, ``flag`` saying why."""
    row: dict[str, Any] = dict.fromkeys(RESULT_COLUMNS, math.nan)
    row.update(dataset=dataset, model=model, n_points=n_points, bmax_unit=unit, ci_method=ci, flags=flag)
    return row


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
        The signal unit (``bmax_unit``).
    units
        The checked unit options, for the conversions of Bmax.
    x_range
        The lowest and highest concentration fitted, nM (for the flags).
    fraction_bound
        The largest fraction of the added radioligand found bound (NaN when not known).

    Returns
    -------
    dict
        One value per column of :data:`RESULT_COLUMNS`.
    """
    v, se = fit.values, fit.stderr
    row: dict[str, Any] = dict.fromkeys(RESULT_COLUMNS, math.nan)
    row.update(dataset=dataset, model=fit.model.name, n_points=fit.n_points, bmax_unit=unit)
    t_crit = float(t_quantile(fit.level, fit.df))
    if "kd_nM" in v:
        low, high = _kd_limits(fit, "kd_nM")
        row.update(kd_nM=v["kd_nM"], kd_se_nM=se["kd_nM"], kd_ci_low_nM=low, kd_ci_high_nM=high)
        row.update(bmax=v["bmax"], bmax_se=se["bmax"])
        row["bmax_ci_low"], row["bmax_ci_high"] = fit.ci["bmax"]
        row.update(hill=v.get("hill", 1.0), hill_se=se.get("hill", math.nan))
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
    return row
