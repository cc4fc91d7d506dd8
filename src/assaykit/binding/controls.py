"""Plate controls: total and nonspecific binding, the specific window, and specific binding per tube."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from assaykit.binding.curves import Curves, fitted_values
from assaykit.distinct import column_codes, column_isin, column_values
from assaykit.fitting.fitset import FitSet


def summarize_plates(counts: pd.DataFrame) -> pd.DataFrame:
    """Summarise each plate's control tubes.

    Parameters
    ----------
    counts
        The canonical counts frame (:func:`assaykit.io.counts.read_counts`).

    Returns
    -------
    pandas.DataFrame
        One row per plate: ``plate, n_total, total_mean_<u>, total_sd_<u>, n_nsb, nsb_mean_<u>,
        nsb_sd_<u>, specific_window_<u>, specific_window_pct, z_prime``, where ``<u>`` is the signal unit
        (``cpm``, ``dpm`` or ``counts``). Means and SDs are NaN where a plate has no such tubes.
        ``specific_window_pct`` and ``z_prime`` are NaN where the window is not positive (TOTAL mean not
        above NSB mean): there is no assay window to rate, and ``|window|`` would rate swapped TOTAL and NSB
        labels as an excellent assay. Such a plate's curves are not fitted
        (:func:`~assaykit.binding.checks.unfittable_curves`).

    Notes
    -----
    ``specific_window = total_mean - nsb_mean`` and ``specific_window_pct`` is that window as a percentage
    of total binding. ``z_prime = 1 - 3 (SD_total + SD_nsb) / |mean_total - mean_nsb|`` is the Z' factor of
    Zhang, Chung & Oldenburg (1999) J Biomol Screen 4:67-73 (above 0.5: an excellent assay window), given
    only for a positive window: the absolute value makes Z' blind to which control is which.
    """
    unit = counts.attrs.get("signal_unit", "cpm")
    plates = plate_order(counts)
    controls = control_tubes(counts)
    stats = controls.groupby(["plate", "role"], sort=False)["signal"].agg(["count", "mean", "std"])
    stats = stats.unstack("role").reindex(index=plates)

    def column(stat: str, role: str) -> np.ndarray:
        if (stat, role) not in stats.columns:
            return np.zeros(len(plates)) if stat == "count" else np.full(len(plates), np.nan)
        values = stats[(stat, role)].to_numpy(float)
        return np.nan_to_num(values, nan=0.0) if stat == "count" else values

    t_mean, n_mean = column("mean", "total"), column("mean", "nsb")
    t_sd, n_sd = column("std", "total"), column("std", "nsb")  # ddof=1; NaN for a single tube
    window = t_mean - n_mean
    with np.errstate(divide="ignore", invalid="ignore"):
        window_pct = np.where(window > 0, 100.0 * window / t_mean, np.nan)
        z_prime = np.where(window > 0, 1.0 - 3.0 * (t_sd + n_sd) / window, np.nan)
    return pd.DataFrame(
        {
            "plate": plates,
            "n_total": column("count", "total").astype(int),
            f"total_mean_{unit}": t_mean,
            f"total_sd_{unit}": t_sd,
            "n_nsb": column("count", "nsb").astype(int),
            f"nsb_mean_{unit}": n_mean,
            f"nsb_sd_{unit}": n_sd,
            f"specific_window_{unit}": window,
            "specific_window_pct": window_pct,
            "z_prime": z_prime,
        }
    )


def plate_order(counts: pd.DataFrame) -> np.ndarray:
    """Return the plates in order of first appearance (``pd.unique``, in bounded memory)."""
    return column_values(counts["plate"])


def control_tubes(counts: pd.DataFrame) -> pd.DataFrame:
    """Return the TOTAL and NSB tubes' ``plate``, ``role`` and ``signal``.

    Only these columns: a screen's control tubes are few, but a mask over a million-curve table that takes
    every column copies each one.
    """
    is_control = column_isin(counts["role"], ["total", "nsb"])
    return counts.loc[is_control, ["plate", "role", "signal"]]


def control_means(counts: pd.DataFrame) -> pd.DataFrame:
    """Mean total and NSB signal per plate, indexed by plate.

    Columns ``total`` and ``nsb`` (NaN if absent), ``nsb_n`` (NSB tubes) and ``nsb_se``, the standard error of
    the NSB mean
    (SD / sqrt(n); NaN with fewer than two NSB tubes).
    """
    controls = control_tubes(counts)
    stats = controls.groupby(["plate", "role"], sort=False)["signal"].agg(["mean", "std", "count"])
    means = stats["mean"].unstack("role")
    means = means.reindex(index=plate_order(counts), columns=["total", "nsb"])
    nsb = stats.xs("nsb", level="role") if "nsb" in stats.index.get_level_values("role") else None
    if nsb is None:
        means["nsb_se"] = np.nan
        means["nsb_n"] = 0.0
    else:
        means["nsb_n"] = nsb["count"].reindex(means.index).fillna(0).to_numpy(float)
        means["nsb_se"] = (nsb["std"] / np.sqrt(nsb["count"])).reindex(means.index).to_numpy(float)
    return means


def specific_binding_points(counts: pd.DataFrame) -> pd.DataFrame:
    """Specific binding and percent specific binding of every tube.

    Parameters
    ----------
    counts
        The canonical counts frame.

    Returns
    -------
    pandas.DataFrame
        The counts frame with ``specific_<u> = signal - NSB mean of the plate`` and
        ``specific_pct = 100 * specific / (total mean - NSB mean)`` of the plate (NaN where the plate lacks
        a control or its window ``total mean - NSB mean`` is not positive), the signal column renamed to its
        unit (``cpm``, ``dpm`` or ``counts``).
    """
    unit = counts.attrs.get("signal_unit", "cpm")
    codes, plates = column_codes(counts["plate"])
    means = control_means(counts).reindex(plates)
    nsb = means["nsb"].to_numpy(float)[codes]
    total = means["total"].to_numpy(float)[codes]
    signal = counts["signal"].to_numpy(float)
    points = counts.rename(columns={"signal": unit})  # a new frame: the counts are not changed
    points[f"specific_{unit}"] = signal - nsb
    with np.errstate(divide="ignore", invalid="ignore"):
        window = total - nsb
        points["specific_pct"] = np.where(window > 0, 100.0 * (signal - nsb) / window, np.nan)
    return points


def points_table(
    counts: pd.DataFrame,
    is_competitor: np.ndarray,
    curves: Curves,
    fits: FitSet,
    fitted: np.ndarray,
    outliers: Mapping[int, np.ndarray],
) -> pd.DataFrame:
    """Every tube with its specific binding and, for competitor tubes, the fitted value and residual.

    Parameters
    ----------
    counts
        The canonical counts frame.
    is_competitor
        Which of its rows are competitor tubes (the rows of ``curves``, in order).
    curves
        The curves built from those tubes.
    fits, fitted
        The fits, fit ``i`` being curve ``fitted[i]``.
    outliers
        ROUT's outlier mask of each curve it ran on, by curve.

    Returns
    -------
    pandas.DataFrame
        :func:`specific_binding_points` with ``fitted_<u>``, ``residual_<u>`` (signal minus fitted) and
        ``outlier`` columns; NaN and False for control tubes and curves not fitted.
    """
    unit = counts.attrs.get("signal_unit", "cpm")
    n_competitors = int(is_competitor.sum())
    fitted_column = np.full(len(counts), np.nan)
    fitted_column[is_competitor] = fitted_values(curves, fits, fitted, n_competitors)
    outlier_column = np.zeros(len(counts), bool)
    if outliers:
        flagged = np.zeros(n_competitors, bool)
        for i, outlier in outliers.items():
            flagged[curves.padded.rows[i, : outlier.size]] = outlier
        outlier_column[is_competitor] = flagged
    points = specific_binding_points(counts)
    points[f"fitted_{unit}"] = fitted_column
    points[f"residual_{unit}"] = points[unit] - points[f"fitted_{unit}"]
    points["outlier"] = outlier_column
    return points
