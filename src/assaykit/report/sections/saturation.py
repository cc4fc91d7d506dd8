"""The report section of a saturation-binding run (``assaykit saturation --report``)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from assaykit.formatting import sig
from assaykit.report.document import ReportTable, Section
from assaykit.report.flags import flag_meanings, table_flags
from assaykit.report.sections.common import run_figures, run_notes
from assaykit.saturation.workflow import SaturationRun

__all__ = ["saturation_section"]

_NAN = float("nan")
#: The converted Bmax columns, the first one with a value reported, and their units.
_CONVERTED = (("bmax_fmol_per_mg", "fmol/mg"), ("sites_per_cell", "sites/cell"), ("bmax_fmol", "fmol"))


def _interval(low: float, high: float, digits: int = 3) -> str:
    return f" (95% CI {sig(low, digits)} to {sig(high, digits)})" if low == low and high == high else ""


def _dataset_line(row: pd.Series, unit: str) -> str:
    """One data set's Kd and Bmax, to the digits of the terminal table."""
    parts = []
    for prefix, words in (("kd", "Kd"), ("kd_hi", "Kd (high affinity)"), ("kd_lo", "Kd (low affinity)")):
        column = f"{prefix}_nM"
        if column in row and row[column] == row[column]:
            ci = _interval(row.get(f"{prefix}_ci_low_nM", _NAN), row.get(f"{prefix}_ci_high_nM", _NAN))
            parts.append(f"{words} {sig(row[column])} nM{ci}")
    bmax = f"bmax_{unit}"
    if bmax in row and row[bmax] == row[bmax]:
        ci = _interval(row.get(f"bmax_ci_low_{unit}", _NAN), row.get(f"bmax_ci_high_{unit}", _NAN), 4)
        parts.append(f"Bmax {sig(row[bmax], 4)} {unit}{ci}")
    for column, words in _CONVERTED:
        if column in row and row[column] == row[column]:
            se = row.get(f"{column}_se", float("nan"))
            spread = f" ± {sig(se, 2)} (SE)" if se == se else ""
            parts.append(f"Bmax {sig(row[column], 4)}{spread} {words}")
            break
    if not parts:
        return f"{row['dataset']}: not fitted ({row['flags']})."
    return f"{row['dataset']}: " + ", ".join(parts) + "."


def saturation_section(run: SaturationRun, *, progress: Callable[[int, int], None] | None = None) -> Section:
    """Build the report section of a saturation-binding run.

    Parameters
    ----------
    run
        The run (:func:`assaykit.saturation.workflow.run_saturation`).
    progress
        Called as ``progress(done, total)`` while the figures are drawn.

    Returns
    -------
    Section
        Summary (each data set's Kd and Bmax with their 95% CIs, as the terminal rounds them), the flags
        explained, the results table, a figure per data set (curves and Scatchard plot), the methods
        paragraph, and the run's warnings and notes.
    """
    from assaykit.saturation.methods import saturation_methods
    from assaykit.saturation.workflow import plot_jobs

    analysis = run.analysis
    results = analysis.results
    unit = str(results.attrs.get("signal_unit", "cpm")) or "signal"
    subjects = [str(d) for d in results["dataset"]]
    model = results["model"].iloc[0] if "model" in results and len(results) else "?"
    summary = [f"{len(results)} data set(s); model {model}."]
    summary += [_dataset_line(row, unit) for _, row in results.iterrows()]
    flagged = int((results["flags"].fillna("") != "").sum())
    summary.append(f"{flagged} data set(s) flagged.")
    thumbnails, figures = run_figures(plot_jobs(analysis), subjects, progress)
    return Section(
        kind="saturation",
        title="Saturation binding",
        summary=summary,
        flags=table_flags(results["flags"], subjects, flag_meanings("saturation")),
        tables=[ReportTable("saturation-results", "Results: one row per data set", results)],
        thumbnails=thumbnails,
        figures=figures,
        methods=saturation_methods(run),
        notes=run_notes(run.warnings, getattr(analysis, "notes", ())),
    )
