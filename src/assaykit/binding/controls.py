"""Plate controls: total and nonspecific binding, the specific window, and specific binding per tube."""

from __future__ import annotations

import numpy as np
import pandas as pd


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

    Notes
    -----
    ``specific_window = total_mean - nsb_mean`` and ``specific_window_pct`` is that window as a percentage
    of total binding. ``z_prime = 1 - 3 (SD_total + SD_nsb) / |mean_total - mean_nsb|`` is the Z' factor of
    Zhang, Chung & Oldenburg (1999) J Biomol Screen 4:67-73 (above 0.5: an excellent assay window).
    """
    unit = counts.attrs.get("signal_unit", "cpm")
    rows = []
    for plate, tubes in counts.groupby("plate", sort=False):
        total = tubes.loc[tubes["role"] == "total", "signal"].to_numpy(float)
        nsb = tubes.loc[tubes["role"] == "nsb", "signal"].to_numpy(float)
        t_mean = total.mean() if total.size else np.nan
        n_mean = nsb.mean() if nsb.size else np.nan
        t_sd = total.std(ddof=1) if total.size > 1 else np.nan
        n_sd = nsb.std(ddof=1) if nsb.size > 1 else np.nan
        window = t_mean - n_mean
        rows.append(
            {
                "plate": plate,
                "n_total": total.size,
                f"total_mean_{unit}": t_mean,
                f"total_sd_{unit}": t_sd,
                "n_nsb": nsb.size,
                f"nsb_mean_{unit}": n_mean,
                f"nsb_sd_{unit}": n_sd,
                f"specific_window_{unit}": window,
                "specific_window_pct": 100.0 * window / t_mean if t_mean else np.nan,
                "z_prime": 1.0 - 3.0 * (t_sd + n_sd) / abs(window) if window else np.nan,
            }
        )
    return pd.DataFrame(rows)


def control_means(counts: pd.DataFrame) -> pd.DataFrame:
    """Mean total and NSB signal per plate, indexed by plate (columns ``total``, ``nsb``; NaN if absent)."""
    controls = counts[counts["role"].isin(["total", "nsb"])]
    means = controls.groupby(["plate", "role"], sort=False)["signal"].mean().unstack("role")
    means = means.reindex(index=pd.unique(counts["plate"]), columns=["total", "nsb"])
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
        the control), the signal column renamed to its unit (``cpm``, ``dpm`` or ``counts``).
    """
    unit = counts.attrs.get("signal_unit", "cpm")
    means = control_means(counts)
    nsb = counts["plate"].map(means["nsb"]).to_numpy(float)
    total = counts["plate"].map(means["total"]).to_numpy(float)
    signal = counts["signal"].to_numpy(float)
    points = counts.rename(columns={"signal": unit}).copy()
    points[f"specific_{unit}"] = signal - nsb
    with np.errstate(divide="ignore", invalid="ignore"):
        points["specific_pct"] = 100.0 * (signal - nsb) / (total - nsb)
    return points
