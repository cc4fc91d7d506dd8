"""Human-readable terminal table for saturation results (full precision stays in the written files)."""

from __future__ import annotations

import math

import pandas as pd

from assaykit.formatting import sig

#: Significant figures of Kd and of Bmax (in counts and converted) in the terminal table and the figures.
KD_DIGITS = 3
BMAX_DIGITS = 4


def _interval(low: object, high: object) -> str:
    lo, hi = sig(low), sig(high)
    return f"{lo} to {hi}" if lo or hi else ""


def _has(results: pd.DataFrame, name: str) -> bool:
    """Whether the table has the column ``name`` with at least one value."""
    return name in results and bool(results[name].notna().any())


def _converted(results: pd.DataFrame) -> tuple[str, str] | None:
    """Return the best available converted Bmax: (column, SE column)."""
    for column in ("bmax_fmol_per_mg", "sites_per_cell", "bmax_fmol"):
        if _has(results, column):
            return column, f"{column}_se"
    return None


def format_saturation(results: pd.DataFrame) -> str:
    """Render the saturation results for the terminal.

    Parameters
    ----------
    results
        The results table of :func:`assaykit.saturation.analyze_saturation`.

    Returns
    -------
    str
        An aligned text table headed with the words of the file columns, one line per data set: ``kd_nM``
        with its confidence limits as ``kd_ci_nM`` = ``kd_ci_low_nM to kd_ci_high_nM`` (``kd_hi_nM``,
        ``kd_hi_ci_nM``, ``kd_lo_nM``, ``kd_lo_ci_nM`` for two sites), ``bmax_<unit>`` and
        ``bmax_ci_<unit>``, the converted Bmax ± SE when the unit options allowed it (``bmax_fmol_per_mg``,
        ``sites_per_cell`` or ``bmax_fmol``), ``fraction_hi`` (two sites), ``hill`` (Hill model),
        ``r_squared`` and ``flags``.
    """
    unit = str(results.attrs.get("signal_unit", "cpm")) or "signal"
    columns: dict[str, object] = {"dataset": results["dataset"]}
    sites = ("kd_hi", "kd_lo") if "kd_hi_nM" in results else ("kd",)
    for prefix in sites:
        columns[f"{prefix}_nM"] = results[f"{prefix}_nM"].map(lambda v: sig(v, KD_DIGITS))
        columns[f"{prefix}_ci_nM"] = [
            _interval(a, b)
            for a, b in zip(results[f"{prefix}_ci_low_nM"], results[f"{prefix}_ci_high_nM"], strict=True)
        ]
    columns[f"bmax_{unit}"] = results[f"bmax_{unit}"].map(lambda v: sig(v, BMAX_DIGITS))
    columns[f"bmax_ci_{unit}"] = [
        _interval(a, b)
        for a, b in zip(results[f"bmax_ci_low_{unit}"], results[f"bmax_ci_high_{unit}"], strict=True)
    ]
    converted = _converted(results)
    if converted is not None:
        column, se_column = converted
        columns[column] = [
            f"{sig(v, BMAX_DIGITS)} ± {sig(s, 2)}" if math.isfinite(s) else sig(v, BMAX_DIGITS)
            for v, s in zip(results[column], results[se_column], strict=True)
        ]
    for name in ("fraction_hi", "hill"):
        if name in results:
            columns[name] = results[name].map(lambda v: f"{v:.2f}" if v == v else "")
    columns["r_squared"] = results["r_squared"].map(lambda v: f"{v:.3f}" if v == v else "")
    columns["flags"] = results["flags"].fillna("")
    return pd.DataFrame(columns).to_string(index=False)
