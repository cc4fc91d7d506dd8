"""Human-readable terminal table for saturation results (full precision stays in the written files)."""

from __future__ import annotations

import math

import pandas as pd

from assaykit.formatting import sig


def _interval(low: object, high: object) -> str:
    lo, hi = sig(low), sig(high)
    return f"{lo} to {hi}" if lo or hi else ""


def _converted(results: pd.DataFrame) -> tuple[str, str, str] | None:
    """Return the best available converted Bmax: (column, SE column, label)."""
    for column, label in (
        ("bmax_fmol_per_mg", "Bmax fmol/mg"),
        ("sites_per_cell", "sites/cell"),
        ("bmax_fmol", "Bmax fmol"),
    ):
        if results[column].notna().any():
            return column, f"{column}_se", label
    return None


def format_saturation(results: pd.DataFrame, level: float = 0.95) -> str:
    """Render the saturation results for the terminal.

    Parameters
    ----------
    results
        The results table of :func:`assaykit.saturation.analyze_saturation`.
    level
        The confidence level of its intervals, for the column headings.

    Returns
    -------
    str
        An aligned text table, one line per data set: Kd with its CI (KdHi and KdLo for two sites), Bmax
        with its CI and unit, the converted Bmax ± SE when the unit options allowed it, R² and flags.
    """
    pct = f"{100 * level:g}% CI"
    unit = str(results["bmax_unit"].dropna().iloc[0]) if results["bmax_unit"].notna().any() else ""
    columns: dict[str, object] = {"data set": results["dataset"]}
    two_site = results["kd_nM"].isna().all() and results["kd_hi_nM"].notna().any()
    sites = (("kd_hi", "Kd hi"), ("kd_lo", "Kd lo")) if two_site else (("kd", "Kd"),)
    for prefix, label in sites:
        columns[f"{label} nM"] = results[f"{prefix}_nM"].map(sig)
        columns[f"{label} {pct}"] = [
            _interval(a, b)
            for a, b in zip(results[f"{prefix}_ci_low_nM"], results[f"{prefix}_ci_high_nM"], strict=True)
        ]
    columns[f"Bmax {unit}".strip()] = results["bmax"].map(lambda v: sig(v, 4))
    columns[f"Bmax {pct}"] = [
        _interval(a, b) for a, b in zip(results["bmax_ci_low"], results["bmax_ci_high"], strict=True)
    ]
    converted = _converted(results)
    if converted is not None:
        column, se_column, label = converted
        columns[label] = [
            f"{sig(v, 4)} ± {sig(s, 2)}" if math.isfinite(s) else sig(v, 4)
            for v, s in zip(results[column], results[se_column], strict=True)
        ]
    if two_site:
        columns["fraction hi"] = results["fraction_hi"].map(lambda v: f"{v:.2f}" if v == v else "")
    if results["hill_se"].notna().any():
        columns["Hill"] = results["hill"].map(lambda v: f"{v:.2f}" if v == v else "")
    columns["R²"] = results["r_squared"].map(lambda v: f"{v:.3f}" if v == v else "")
    columns["flags"] = results["flags"].fillna("")
    return pd.DataFrame(columns).to_string(index=False)
