"""Human-readable terminal tables for binding results (full precision stays in the written files)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from assaykit.formatting import sig


def _interval(low: object, high: object) -> str:
    lo, hi = sig(low), sig(high)
    return f"{lo} to {hi}" if lo or hi else ""


def _intervals(results: pd.DataFrame, low: str, high: str) -> list[str]:
    return [_interval(a, b) for a, b in zip(results[low], results[high], strict=True)]


def _fixed(digits: int) -> Callable[[float], str]:
    """Return a formatter with ``digits`` decimals, blank for NaN."""
    return lambda v: f"{v:.{digits}f}" if v == v else ""


def _head(table: pd.DataFrame, max_rows: int | None, what: str) -> tuple[pd.DataFrame, str]:
    """Return the first ``max_rows`` rows and a line saying how many more there are (empty if none)."""
    if max_rows is None or len(table) <= max_rows:
        return table, ""
    return table.head(max_rows), f"... and {len(table) - max_rows:,} more {what}"


def format_competition(results: pd.DataFrame, plates: pd.DataFrame, max_rows: int | None = None) -> str:
    """Render the results and plate tables for the terminal.

    Parameters
    ----------
    results
        The results table of :func:`assaykit.binding.analyze_competition`.
    plates
        Its plate summary.
    max_rows
        Show at most this many curves and plates (for a screen written to a file); None shows all.

    Returns
    -------
    str
        Two aligned text tables: one line per curve (IC50 and Ki with 95% CI in nM, Hill slope, R², flags;
        each site's IC50 and the high-affinity fraction for two-site fits; Kd and Bmax for homologous ones;
        Ki limits that include the Kd's SE when it was given; outliers removed by ROUT; ``> top`` as the
        IC50 and the activity call of curves called inactive), then one line per
        plate (mean total and NSB, window, Z').
    """
    many_plates = results["plate"].nunique() > 1
    results, more_curves = _head(results, max_rows, "curves (all in the output file)")
    plates, more_plates = _head(plates, max_rows, "plates (an .xlsx output has them all)")
    columns: dict[str, object] = {"compound": results["compound"]}
    if many_plates:
        columns["plate"] = results["plate"]
    above = results["ic50_above_nM"]
    if results["ic50_nM"].notna().any() or above.notna().any():
        # an inactive curve's IC50 is only known to lie above the highest tested concentration
        columns["IC50 nM"] = [
            f"> {sig(a)}" if v != v and a == a else sig(v)
            for v, a in zip(results["ic50_nM"], above, strict=True)
        ]
        columns["95% CI"] = _intervals(results, "ic50_ci_low_nM", "ic50_ci_high_nM")
    if results["ki_nM"].notna().any():
        columns["Ki nM"] = results["ki_nM"].map(sig)
        if results["log_ki_se_total"].notna().any():
            columns["Ki 95% CI (with Kd SE)"] = _intervals(
                results, "ki_ci_low_total_nM", "ki_ci_high_total_nM"
            )
        else:
            columns["Ki 95% CI"] = _intervals(results, "ki_ci_low_nM", "ki_ci_high_nM")
    if results["ic50_hi_nM"].notna().any():
        for site in ("hi", "lo"):
            columns[f"IC50 {site} nM"] = results[f"ic50_{site}_nM"].map(sig)
            columns[f"{site} 95% CI"] = _intervals(
                results, f"ic50_{site}_ci_low_nM", f"ic50_{site}_ci_high_nM"
            )
        if results["ki_hi_nM"].notna().any():
            columns["Ki hi nM"] = results["ki_hi_nM"].map(sig)
            columns["Ki lo nM"] = results["ki_lo_nM"].map(sig)
        columns["frac hi"] = results["fraction_hi"].map(_fixed(2))
    if results["kd_nM"].notna().any():
        columns["Kd nM"] = results["kd_nM"].map(sig)
        columns["Kd 95% CI"] = _intervals(results, "kd_ci_low_nM", "kd_ci_high_nM")
        columns["Bmax"] = results["bmax"].map(lambda v: sig(v, 4))
    if results["model"].isin(["4pl", "one-site", "fit-ki"]).any():
        columns["Hill"] = results["hill_slope"].map(_fixed(2))
    columns["R²"] = results["r_squared"].map(_fixed(3))
    if results["n_outliers"].notna().any():
        columns["outliers"] = results["n_outliers"].map(lambda v: f"{v:.0f}" if v == v else "")
    if (results["activity"] == "inactive").any():
        columns["activity"] = results["activity"].fillna("")
    columns["flags"] = results["flags"].fillna("")
    table = pd.DataFrame(columns)
    unit_cols = [c for c in plates.columns if c.startswith(("total_mean_", "nsb_mean_", "specific_window_"))]
    plate_table = pd.DataFrame({"plate": plates["plate"]})
    for column in unit_cols:
        label = column.replace("_mean_", " ").replace("specific_window_", "window ").replace("_", " ")
        plate_table[label] = plates[column].map(lambda v: sig(v, 4))
    plate_table["Z'"] = plates["z_prime"].map(_fixed(2))
    parts = [table.to_string(index=False), more_curves, "", plate_table.to_string(index=False), more_plates]
    return "\n".join(part for i, part in enumerate(parts) if part or i == 2)


def format_comparisons(comparisons: pd.DataFrame) -> str:
    """Render the model-comparison table for the terminal: one line per curve and comparison.

    Parameters
    ----------
    comparisons
        The ``comparisons`` table of :func:`assaykit.binding.analyze_competition`.

    Returns
    -------
    str
        An aligned table: compound, plate, the two models, F and its P value, delta AICc (complex minus
        simpler), the AICc probability that the complex model is correct, the preferred model and any note.
    """
    table = pd.DataFrame(
        {
            "compound": comparisons["compound"],
            "plate": comparisons["plate"],
            "comparison": comparisons["simpler"] + " vs " + comparisons["complex"],
            "F": comparisons["f"].map(lambda v: sig(v, 3)),
            "P": comparisons["p_value"].map(lambda v: sig(v, 2)),
            "dAICc": comparisons["delta_aicc"].map(_fixed(2)),
            "P(complex)": comparisons["prob_complex"].map(_fixed(3)),
            "preferred": comparisons["preferred"],
            "note": comparisons["note"].fillna(""),
        }
    )
    if comparisons["plate"].nunique() <= 1:
        table = table.drop(columns="plate")
    return table.to_string(index=False)


def format_potency(potency: pd.DataFrame) -> str:
    """Render the relative-potency table for the terminal.

    Parameters
    ----------
    potency
        The ``potency`` table of :func:`assaykit.binding.analyze_competition`.

    Returns
    -------
    str
        An aligned table: compound, reference, plate, IC50 ratio (compound / reference) and its 95% CI.
    """
    table = pd.DataFrame(
        {
            "compound": potency["compound"],
            "reference": potency["reference"],
            "plate": potency["plate"],
            "IC50 ratio": potency["ratio"].map(sig),
            "95% CI": _intervals(potency, "ratio_ci_low", "ratio_ci_high"),
        }
    )
    return table.to_string(index=False)
