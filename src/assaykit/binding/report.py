"""Human-readable terminal tables for binding results (full precision stays in the written files)."""

from __future__ import annotations

import pandas as pd

from assaykit.formatting import sig


def _interval(low: object, high: object) -> str:
    lo, hi = sig(low), sig(high)
    return f"{lo} to {hi}" if lo or hi else ""


def format_competition(results: pd.DataFrame, plates: pd.DataFrame) -> str:
    """Render the results and plate tables for the terminal.

    Parameters
    ----------
    results
        The results table of :func:`assaykit.binding.analyze_competition`.
    plates
        Its plate summary.

    Returns
    -------
    str
        Two aligned text tables: one line per curve (IC50 and Ki with 95% CI in nM, Hill slope, R², flags),
        then one line per plate (mean total and NSB, window, Z').
    """
    many_plates = results["plate"].nunique() > 1
    table = pd.DataFrame(
        {
            "compound": results["compound"],
            **({"plate": results["plate"]} if many_plates else {}),
            "IC50 nM": results["ic50_nM"].map(sig),
            "95% CI": [
                _interval(a, b)
                for a, b in zip(results["ic50_ci_low_nM"], results["ic50_ci_high_nM"], strict=True)
            ],
            "Ki nM": results["ki_nM"].map(sig),
            "Ki 95% CI": [
                _interval(a, b)
                for a, b in zip(results["ki_ci_low_nM"], results["ki_ci_high_nM"], strict=True)
            ],
            "Hill": results["hill_slope"].map(lambda v: f"{v:.2f}" if v == v else ""),
            "R²": results["r_squared"].map(lambda v: f"{v:.3f}" if v == v else ""),
            "flags": results["flags"].fillna(""),
        }
    )
    if results["ki_nM"].isna().all():
        table = table.drop(columns=["Ki nM", "Ki 95% CI"])
    unit_cols = [c for c in plates.columns if c.startswith(("total_mean_", "nsb_mean_", "specific_window_"))]
    plate_table = pd.DataFrame({"plate": plates["plate"]})
    for column in unit_cols:
        label = column.replace("_mean_", " ").replace("specific_window_", "window ").replace("_", " ")
        plate_table[label] = plates[column].map(lambda v: sig(v, 4))
    plate_table["Z'"] = plates["z_prime"].map(lambda v: f"{v:.2f}" if v == v else "")
    return table.to_string(index=False) + "\n\n" + plate_table.to_string(index=False)
