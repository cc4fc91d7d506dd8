"""The report section of a competition-binding run (``assaykit binding --report``)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from assaykit.binding.workflow import BindingRun
from assaykit.formatting import sig
from assaykit.report.document import ReportTable, Section
from assaykit.report.flags import flag_meanings, table_flags
from assaykit.report.sections.common import run_figures, run_notes

__all__ = ["binding_section", "curve_subjects"]

#: Curves named one by one in the summary; a screen's summary names its most potent ones.
_NAMED = 12


def curve_subjects(results: pd.DataFrame) -> list[str]:
    """Name each curve: its compound, with its plate when the run has more than one plate."""
    plates = results["plate"].nunique() > 1
    pairs = zip(results["compound"], results["plate"], strict=True)
    return [f"{c} (plate {p})" if plates else str(c) for c, p in pairs]


def _interval(low: float, high: float) -> str:
    return f" (95% CI {sig(low)} to {sig(high)})" if low == low and high == high else ""


def _potency(results: pd.DataFrame) -> tuple[str, str] | None:
    """Return the column the summary reports potency by (Ki, else IC50, else Kd), and its words."""
    for column, words in (("ki_nM", "Ki"), ("ic50_nM", "IC50"), ("kd_nM", "Kd")):
        if column in results and results[column].notna().any():
            return column, words
    return None


def _summary(run: BindingRun, subjects: list[str]) -> list[str]:
    analysis, options = run.analysis, run.options
    results = analysis.results
    n = len(results)
    inactive = int((results.get("activity", pd.Series("", index=results.index)) == "inactive").sum())
    failed = int(results["flags"].fillna("").str.startswith(("not_fitted", "not_converged")).sum())
    lines = [
        f"{n} curve{'s' if n != 1 else ''} of {results['compound'].nunique()} compound(s) on "
        f"{results['plate'].nunique()} plate(s); model {options.get('model', '4pl')}, weighting "
        f"{options.get('weights', 'none')}, {options.get('ci', 'asymptotic')} confidence intervals.",
        f"{n - inactive - failed} fitted, {inactive} called inactive (no significant displacement), "
        f"{failed} not fitted or not converged.",
    ]
    potency = _potency(results)
    if potency is not None:
        column, words = potency
        fitted = results[results[column].notna()].sort_values(column)
        named = fitted.head(_NAMED)
        if len(fitted) > _NAMED:
            lines.append(f"The {_NAMED} most potent of {len(fitted)} curves by {words}:")
        low, high = f"{column.removesuffix('_nM')}_ci_low_nM", f"{column.removesuffix('_nM')}_ci_high_nM"
        for index, row in named.iterrows():
            ci = _interval(row[low], row[high]) if low in row and high in row else ""
            slope = row.get("hill_slope")
            hill = f", Hill slope {slope:.2f}" if slope is not None and slope == slope else ""
            subject = subjects[results.index.get_loc(index)]
            lines.append(f"{subject}: {words} {sig(row[column])} nM{ci}{hill}.")
    z = analysis.plates["z_prime"] if "z_prime" in analysis.plates else pd.Series(dtype=float)
    if z.notna().any():
        lines.append(f"Plate Z' from {z.min():.2f} to {z.max():.2f}.")
    flagged = results["flags"].fillna("") != ""
    active_flagged = int((flagged & (results.get("activity", "") != "inactive")).sum())
    lines.append(
        f"{active_flagged} curve(s) flagged besides the inactive ones."
        if inactive
        else f"{active_flagged} curve(s) flagged."
    )
    return lines


def binding_section(
    run: BindingRun, *, progress: Callable[[int, int], None] | None = None, y_axis: str = "bound"
) -> Section:
    """Build the report section of a competition-binding run.

    Parameters
    ----------
    run
        The run (:func:`assaykit.binding.workflow.run_binding`); its ``analysis.points`` are needed for the
        figures (a run with ``keep_points``).
    progress
        Called as ``progress(done, total)`` while the figures are drawn.
    y_axis
        The figures' y axis: ``"bound"`` (the counts) or ``"percent"`` (% specific binding), as
        ``--plot-y``.

    Returns
    -------
    Section
        Summary (curves, fitted, inactive, the potency of each curve or of a screen's most potent), the
        flags of every curve explained (fitted curves first, then the inactive ones), the results and
        plates tables (and the model comparisons and potency ratios when the run has them), a thumbnail
        per curve, the plate figures, the methods paragraph, and the run's warnings and notes.
    """
    from assaykit.binding.methods import competition_methods
    from assaykit.binding.workflow import plot_jobs

    analysis = run.analysis
    results = analysis.results
    subjects = curve_subjects(results)
    order = results.get("activity", pd.Series("", index=results.index)).eq("inactive").to_numpy()
    flagged = [*(~order).nonzero()[0], *order.nonzero()[0]]  # fitted curves' flags first
    flags = table_flags(
        results["flags"].iloc[flagged], [subjects[i] for i in flagged], flag_meanings("binding")
    )
    tables = [
        ReportTable("binding-results", "Results: one row per curve", results),
        ReportTable("binding-plates", "Plates", analysis.plates),
    ]
    if run.options.get("compare") and analysis.comparisons is not None:
        tables.append(ReportTable("binding-comparisons", "Model comparisons", analysis.comparisons))
    if run.options.get("potency_vs") is not None and analysis.potency is not None:
        tables.append(
            ReportTable(
                "binding-potency", f"Potency relative to {run.options['potency_vs']}", analysis.potency
            )
        )
    # one figure per curve in the order of the results, then one overlay per plate
    thumbnails, figures = run_figures(plot_jobs(analysis, y_axis=y_axis), subjects, progress)
    return Section(
        kind="binding",
        title="Competition binding",
        summary=_summary(run, subjects),
        flags=flags,
        tables=tables,
        thumbnails=thumbnails,
        figures=figures,
        methods=competition_methods(run),
        notes=run_notes(run.warnings, analysis.notes),
    )
