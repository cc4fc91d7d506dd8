"""Human-readable terminal tables for binding results (full precision stays in the written files)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from assaykit.formatting import sig


def _interval(low: object, high: object) -> str:
    lo, hi = sig(low), sig(high)
    return f"{lo} to {hi}" if lo or hi else ""


def _intervals(results: pd.DataFrame, low: str, high: str) -> list[str]:
    return [_interval(a, b) for a, b in zip(results[low], results[high], strict=True)]


def _has(results: pd.DataFrame, name: str) -> bool:
    """Whether the table has the column ``name`` with at least one value."""
    return name in results and bool(results[name].notna().any())


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
        Two aligned text tables headed with the words of the file columns: one line per curve (``ic50_nM``
        and ``ki_nM`` with their confidence limits as ``ic50_ci_nM`` = ``ic50_ci_low_nM to
        ic50_ci_high_nM``, ``hill_slope``, ``r_squared``, ``flags``; each site's IC50 and ``fraction_hi``
        for two-site fits; ``kd_nM`` and ``bmax_<unit>`` for homologous ones; ``ki_ci_total_nM`` when the
        Kd's SE was given; ``n_outliers`` removed by ROUT; ``> top`` as the IC50 and the ``activity`` of
        curves called inactive), then one line per plate (``total_mean_<unit>``, ``nsb_mean_<unit>``,
        ``specific_window_<unit>``, ``z_prime``).
    """
    many_plates = results["plate"].nunique() > 1
    results, more_curves = _head(results, max_rows, "curves (all in the output file)")
    plates, more_plates = _head(plates, max_rows, "plates (an .xlsx output has them all)")
    columns: dict[str, object] = {"compound": results["compound"]}
    if many_plates:
        columns["plate"] = results["plate"]
    unit = str(results.attrs.get("signal_unit", "cpm"))
    above = results.get("ic50_above_nM", pd.Series(np.nan, index=results.index))
    if _has(results, "ic50_nM") or above.notna().any():
        # an inactive curve's IC50 is only known to lie above the highest tested concentration
        columns["ic50_nM"] = [
            f"> {sig(a)}" if v != v and a == a else sig(v)
            for v, a in zip(results["ic50_nM"], above, strict=True)
        ]
        columns["ic50_ci_nM"] = _intervals(results, "ic50_ci_low_nM", "ic50_ci_high_nM")
    if _has(results, "ki_nM"):
        columns["ki_nM"] = results["ki_nM"].map(sig)
        if _has(results, "log_ki_se_total"):
            columns["ki_ci_total_nM"] = _intervals(results, "ki_ci_low_total_nM", "ki_ci_high_total_nM")
        else:
            columns["ki_ci_nM"] = _intervals(results, "ki_ci_low_nM", "ki_ci_high_nM")
    if _has(results, "ic50_hi_nM"):
        for site in ("hi", "lo"):
            columns[f"ic50_{site}_nM"] = results[f"ic50_{site}_nM"].map(sig)
            columns[f"ic50_{site}_ci_nM"] = _intervals(
                results, f"ic50_{site}_ci_low_nM", f"ic50_{site}_ci_high_nM"
            )
        if _has(results, "ki_hi_nM"):
            columns["ki_hi_nM"] = results["ki_hi_nM"].map(sig)
            columns["ki_lo_nM"] = results["ki_lo_nM"].map(sig)
        columns["fraction_hi"] = results["fraction_hi"].map(_fixed(2))
    if _has(results, "kd_nM"):
        columns["kd_nM"] = results["kd_nM"].map(sig)
        columns["kd_ci_nM"] = _intervals(results, "kd_ci_low_nM", "kd_ci_high_nM")
        bmax = f"bmax_{unit or 'signal'}"
        columns[bmax] = results[bmax].map(lambda v: sig(v, 4))
    if "hill_slope" in results:
        columns["hill_slope"] = results["hill_slope"].map(_fixed(2))
    columns["r_squared"] = results["r_squared"].map(_fixed(3))
    if _has(results, "n_outliers"):
        columns["n_outliers"] = results["n_outliers"].map(lambda v: f"{v:.0f}" if v == v else "")
    if "activity" in results and (results["activity"] == "inactive").any():
        columns["activity"] = results["activity"].fillna("")
    columns["flags"] = results["flags"].fillna("")
    table = pd.DataFrame(columns)
    unit_cols = [c for c in plates.columns if c.startswith(("total_mean_", "nsb_mean_", "specific_window_"))]
    plate_table = pd.DataFrame({"plate": plates["plate"]})
    for column in unit_cols:
        plate_table[column] = plates[column].map(lambda v: sig(v, 4))
    plate_table["z_prime"] = plates["z_prime"].map(_fixed(2))
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
        An aligned table: ``compound``, ``reference``, ``plate``, the IC50 ``ratio`` (compound / reference)
        and its confidence limits (``ratio_ci``: ``ratio_ci_low to ratio_ci_high``).
    """
    table = pd.DataFrame(
        {
            "compound": potency["compound"],
            "reference": potency["reference"],
            "plate": potency["plate"],
            "ratio": potency["ratio"].map(sig),
            "ratio_ci": _intervals(potency, "ratio_ci_low", "ratio_ci_high"),
        }
    )
    return table.to_string(index=False)
