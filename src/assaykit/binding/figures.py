"""The figures of a competition-binding analysis as plot jobs: one per curve and one overlay per plate.

:func:`plot_jobs` turns an analysis into ``(file stem, FigureJob)`` pairs that any writer can draw (the
``--plot`` folder through :func:`write_plots`, a report's thumbnails); each job holds only picklable data
and a module-level plot function, so the jobs are drawn over every core
(:func:`assaykit.figure_jobs.draw_figures`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from assaykit.binding.competition import CompetitionAnalysis
from assaykit.errors import AssayInputError
from assaykit.figure_jobs import FigureJob, write_figures
from assaykit.formatting import sig
from assaykit.io.outputs import OutputSet
from assaykit.plotting import unique_stems

#: The y axes a competition figure can have: the bound signal as counted, or % specific binding.
Y_AXES = ("bound", "percent")

#: Columns of the tubes a figure job carries (the others stay behind: the jobs are pickled to workers).
_TUBE_COLUMNS = ("log_conc_M", "signal", "outlier", "hot_nM")


def _curve_names(results: pd.DataFrame) -> list[str]:
    """Return each curve's name: the compound, or ``compound_plate-P`` for one on several plates."""
    repeated = results["compound"].duplicated(keep=False)
    return [
        f"{c}_plate-{p}" if rep else str(c)
        for c, p, rep in zip(results["compound"], results["plate"], repeated, strict=True)
    ]


def unfitted_reason(row: pd.Series) -> str:
    """Return what the plot of a curve without a fit says: inactive (with its IC50 bound), or why not."""
    if row.get("activity") == "inactive":
        return f"inactive: IC50 > {sig(row['ic50_above_nM'])} nM"
    if str(row["flags"]).startswith("not_converged"):
        return "not converged"
    return "fit failed"


def plot_jobs(analysis: CompetitionAnalysis, *, y_axis: str = "bound") -> list[tuple[str, FigureJob]]:
    """Return the figures of ``analysis``: one per curve, then one overlay per plate.

    Parameters
    ----------
    analysis
        A competition analysis with its per-tube table (``analysis.points``).
    y_axis
        ``"bound"``: the signal as counted (cpm, dpm); ``"percent"``: % specific binding, 0% at the
        plate's NSB mean and 100% at its TOTAL mean (the points table's ``specific_pct``).

    Returns
    -------
    list of (str, FigureJob)
        A distinct, portable file stem (no extension; :func:`~assaykit.plotting.unique_stems`) and the job
        drawing it:
        :func:`~assaykit.binding.plots.plot_competition` per curve (stem: the compound, or
        ``compound_plate-P`` when it is on several plates), in the order of ``analysis.results``, then
        :func:`~assaykit.binding.overlay_plot.plot_overlay` per plate (stem ``plate-P_overlay``).

    Raises
    ------
    ValueError
        For an unknown ``y_axis``, or an analysis without its points table.
    AssayInputError
        For ``y_axis="percent"`` when a plate lacks TOTAL or NSB tubes, or its TOTAL mean is not above its
        NSB mean (the % scale is then undefined).
    """
    from assaykit.binding.overlay_plot import legend_label, plot_overlay
    from assaykit.binding.plots import plot_competition, plot_fit

    if y_axis not in Y_AXES:
        raise ValueError(f"y_axis must be one of {', '.join(Y_AXES)}, not {y_axis!r}")
    results, points = analysis.results, analysis.points
    if points is None:
        raise ValueError("the analysis kept no points table; analyse with points=True to plot it")
    unit = results.attrs.get("signal_unit", "cpm")
    controls = _controls(analysis.plates, unit, y_axis, results.attrs.get("source"))
    competitors = points[points["role"] == "competitor"].rename(columns={unit: "signal"})
    by_curve = {key: tubes for key, tubes in competitors.groupby(["compound", "plate"], sort=False)}
    empty = competitors.iloc[:0]

    curves: list[tuple[str, FigureJob]] = []
    overlays: dict[Any, dict[str, Any]] = {}
    for (_, row), name in zip(results.iterrows(), _curve_names(results), strict=True):
        key = (row["compound"], row["plate"])
        tubes = by_curve.get(key, empty)
        tubes = tubes[[c for c in _TUBE_COLUMNS if c in tubes.columns]].reset_index(drop=True)
        fit = plot_fit(row, analysis.fits.get(key), unit)
        fitted = bool(fit.get("curves")) or all(_finite(fit.get(k)) for k in ("top", "bottom", "log_ic50"))
        unfitted = unfitted_reason(row)
        total, nsb = controls[row["plate"]]
        options = {"signal_unit": unit, "total_mean": total, "nsb_mean": nsb, "y_axis": y_axis}
        job = FigureJob(
            plot_competition, (tubes, fit), {"title": str(row["compound"]), "unfitted": unfitted, **options}
        )
        curves.append((name, job))
        plate = overlays.setdefault(row["plate"], {"compounds": [], "options": options})
        label = legend_label(row, None if fitted else unfitted)
        plate["compounds"].append((label, tubes, fit, fitted))
    jobs = [
        (
            f"plate-{plate}_overlay",
            FigureJob(plot_overlay, (drawn["compounds"],), {"title": f"plate {plate}", **drawn["options"]}),
        )
        for plate, drawn in overlays.items()
    ]
    everything = curves + jobs
    stems = unique_stems([name for name, _ in everything])
    return [(stem, job) for stem, (_, job) in zip(stems, everything, strict=True)]


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _controls(plates: pd.DataFrame, unit: str, y_axis: str, source: Any) -> dict[Any, tuple[float, float]]:
    """Each plate's (TOTAL mean, NSB mean); for a % axis, raise when a plate has no usable window."""
    out = {}
    for _, plate in plates.iterrows():
        total, nsb = float(plate[f"total_mean_{unit}"]), float(plate[f"nsb_mean_{unit}"])
        if y_axis == "percent" and not (math.isfinite(total) and math.isfinite(nsb) and total > nsb):
            why = (
                "has no TOTAL or no NSB tubes"
                if not (_finite(total) and _finite(nsb))
                else (f"has its TOTAL mean ({sig(total)}) not above its NSB mean ({sig(nsb)})")
            )
            raise AssayInputError(
                f"--plot-y percent scales each plate from its NSB mean (0%) to its TOTAL mean (100%), "
                f"but plate {plate['plate']} {why}; plot it with --plot-y bound",
                path=source,
            )
        out[plate["plate"]] = (total, nsb)
    return out


def write_plots(
    analysis: CompetitionAnalysis,
    directory: str | Path,
    outputs: OutputSet | None = None,
    *,
    y_axis: str = "bound",
    plot_format: str = "png",
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write the figures of :func:`plot_jobs` into ``directory``, drawn over every usable core.

    Parameters
    ----------
    analysis
        The analysis to draw.
    directory
        The folder; made if needed.
    outputs
        The run's outputs, to stage the figures in (they are written when it is committed); None to write
        them now, all or none.
    y_axis
        As for :func:`plot_jobs`.
    plot_format
        ``png``, ``svg`` or ``pdf``: the files' format and extension.
    progress
        Called as ``progress(done, total)`` as figures are finished, in a stage labelled ``figures``
        (:func:`assaykit.progress.start_stage`).

    Returns
    -------
    list of Path
        The figure files: one per curve, then one overlay per plate.
    """
    return write_figures(
        plot_jobs(analysis, y_axis=y_axis), directory, outputs, plot_format=plot_format, progress=progress
    )
