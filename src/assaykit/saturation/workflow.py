"""The ``assaykit saturation`` job: read files, fit, and write tables and plots.

This module does file I/O; the computation it calls (:func:`analyze_saturation`) does none.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.figure_jobs import FigureJob, write_figures
from assaykit.io.outputs import OutputSet, run_outputs
from assaykit.io.plates import exclusion_patterns, read_plate_saturation, read_tubes
from assaykit.io.saturation import read_saturation_files
from assaykit.io.writers import TABLE_SUFFIXES
from assaykit.saturation.analysis import SaturationAnalysis, analyze_saturation


@dataclass
class SaturationRun:
    """What one saturation job produced: the analysis, the files written and warnings to show."""

    analysis: SaturationAnalysis
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)  # the options the analysis ran with
    inputs: dict[str, Any] = field(default_factory=dict)  # how the files were read: layout, exclude_wells


def plot_names(datasets: Sequence[str]) -> list[str]:
    """Return one distinct, portable file stem per data set (:func:`assaykit.plotting.unique_stems`)."""
    from assaykit.plotting import unique_stems

    return unique_stems(datasets)


def plot_jobs(analysis: SaturationAnalysis) -> list[tuple[str, FigureJob]]:
    """Return the figures of ``analysis``: one per data set (binding curves and Scatchard plot).

    Parameters
    ----------
    analysis
        The analysis to draw.

    Returns
    -------
    list of (str, FigureJob)
        A distinct, portable file stem per data set (:func:`plot_names`, no extension) and the job
        drawing it with :func:`~assaykit.saturation.plots.plot_saturation`, in the order of the results.
    """
    from assaykit.saturation.plots import plot_saturation

    results, points = analysis.results, analysis.points
    unit = results.attrs.get("signal_unit", "cpm")
    label = unit or "signal"
    by_dataset = dict(tuple(points.groupby("dataset", sort=False)))
    columns = ["kind", "conc_nM", label, f"specific_{label}"]
    jobs = []
    for (_, row), name in zip(results.iterrows(), plot_names(list(results["dataset"])), strict=True):
        tubes = by_dataset.get(row["dataset"], points.iloc[:0])
        tubes = tubes[columns].rename(columns={label: "signal", f"specific_{label}": "specific"})
        fit = row.to_dict()
        job = FigureJob(
            plot_saturation,
            (tubes.reset_index(drop=True), fit),
            {"title": str(row["dataset"]), "signal_unit": label},
        )
        jobs.append((name, job))
    return jobs


def write_saturation_plots(
    analysis: SaturationAnalysis,
    directory: str | Path,
    outputs: OutputSet | None = None,
    *,
    plot_format: str = "png",
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write one figure per data set (binding curves and Scatchard plot) into ``directory``.

    The figures are drawn over every usable core (:func:`assaykit.figure_jobs.stage_figures`).

    Parameters
    ----------
    analysis
        The analysis to draw.
    directory
        The folder; made if needed.
    outputs
        The run's outputs, to stage the plots in (written when it is committed); None to write them now,
        all or none.
    plot_format
        ``png``, ``svg`` or ``pdf``: the files' format and extension.
    progress
        Called as ``progress(done, total)`` as figures are finished, in a stage labelled ``figures``.

    Returns
    -------
    list of Path
        The plot files.
    """
    return write_figures(plot_jobs(analysis), directory, outputs, plot_format=plot_format, progress=progress)


def saturation_reader(
    specific: bool = False,
    sheet: str | None = None,
    layout: str | Path | None = None,
    exclude_wells: str | Sequence[str] | None = None,
) -> Callable[[Sequence[str | Path]], pd.DataFrame]:
    """Return the reader of a run's files: tables of tubes (or Prism files), or plate grids with a layout.

    The options are checked here, before any output is staged or file read. A counter's plate grid given
    without a layout gets an error that says what it is (:func:`assaykit.io.plates.grid_hint`).
    """
    patterns = exclusion_patterns(exclude_wells, layout)
    if layout is None:
        return partial(read_tubes, read_saturation_files, specific=specific, sheet=sheet)
    if specific:
        raise AssayInputError(
            "--specific is for tables of specific binding; a plate layout gives total and nsb"
        )
    return partial(read_plate_saturation, layout=layout, sheet=sheet, exclude_wells=patterns)


def run_saturation(
    paths: Sequence[str | Path],
    *,
    model: str | None = None,
    ci: str | None = None,
    level: float = 0.95,
    specific: bool = False,
    sheet: str | None = None,
    output: str | Path | None = None,
    plot_dir: str | Path | None = None,
    points_path: str | Path | None = None,
    efficiency: float | None = None,
    specific_activity_Ci_mmol: float | None = None,  # noqa: N803 - the unit is part of the name
    protein_mg: float | None = None,
    cells: float | None = None,
    volume_ml: float | None = None,
    layout: str | Path | None = None,
    exclude_wells: str | Sequence[str] | None = None,
    plot_format: str = "png",
    progress: Callable[[int, int], None] | None = None,
    outputs: OutputSet | None = None,
) -> SaturationRun:
    """Run a saturation-binding job from files to written results.

    Parameters
    ----------
    paths
        Saturation files (one row per tube; CSV, TSV or XLSX; or Prism ``.pzfx`` XY tables), see
        :func:`assaykit.io.saturation.read_saturation`; or with ``layout`` counter plate grids.
    model
        A name in :data:`~assaykit.fitting.saturation_models.SATURATION_MODELS`; None: ``one-site-total``,
        or ``one-site`` for specific-binding data.
    ci
        ``"asymptotic"`` (None means this) or ``"profile"``.
    level
        Confidence level.
    specific
        The files hold specific binding (a ``specific`` column) instead of total and nsb tubes.
    sheet
        Sheet to read from xlsx files.
    layout, exclude_wells
        The plate map of counter plate grids (wellmap TOML or a long CSV/TSV/XLSX layout with ``kind``
        and the radioligand concentration) and the wells to leave out by pattern; see
        :func:`assaykit.io.plates.read_plate_saturation`.
    output
        Results table to write (.csv, .tsv, .json or .xlsx; .xlsx also gets the points sheet; .pzfx: a
        Prism file with one XY data table per data set and the results).
    plot_dir
        Folder for one figure per data set.
    points_path
        Per-tube table to write (nonspecific, specific, fitted, residual).
    efficiency, specific_activity_Ci_mmol, protein_mg, cells, volume_ml
        Unit options, as in :func:`~assaykit.saturation.analysis.analyze_saturation`.
    plot_format
        File format of the figures: ``png``, ``svg`` or ``pdf``.
    progress
        Called as ``progress(done, total)`` as data sets, then figures, are finished.
    outputs
        The run's outputs (:class:`assaykit.io.outputs.OutputSet`) when the caller commits them; None to
        write them at the end of this job. Every output path is checked before any file is read, and the
        files are written all together or not at all.

    Returns
    -------
    SaturationRun
        The analysis, the files written (or staged in ``outputs``) and the warnings raised while reading
        and fitting.

    Raises
    ------
    AssayInputError
        For any input problem, an output that clashes with an input or another output or cannot be
        written, and when no data set at all could be fitted (nothing is written then).
    """
    read = saturation_reader(specific, sheet, layout, exclude_wells)
    with run_outputs(outputs, [*paths, layout]) as out:
        output = out.add_file(output, "-o", suffixes=(*TABLE_SUFFIXES, ".pzfx"))
        points_path = out.add_file(points_path, "--points")
        plot_dir = out.add_folder(plot_dir, "--plot")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            data = read(paths)
            analysis = analyze_saturation(
                data,
                model=model,  # type: ignore[arg-type]
                ci=ci or "asymptotic",  # type: ignore[arg-type]
                level=level,
                efficiency=efficiency,
                specific_activity_Ci_mmol=specific_activity_Ci_mmol,
                protein_mg=protein_mg,
                cells=cells,
                volume_ml=volume_ml,
                progress=progress,
            )
        run = SaturationRun(analysis=analysis)
        run.inputs = {"layout": layout, "exclude_wells": list(read.keywords.get("exclude_wells", ()))}
        run.options = {
            "model": analysis.results["model"].iloc[0] if len(analysis.results) else model,
            "ci": ci or "asymptotic",
            "level": level,
            "specific": specific,
            "efficiency": efficiency,
            "specific_activity_Ci_mmol": specific_activity_Ci_mmol,
            "protein_mg": protein_mg,
            "cells": cells,
            "volume_ml": volume_ml,
        }
        run.warnings = [
            " ".join(str(w.message).split()) for w in caught if issubclass(w.category, UserWarning)
        ]
        results = analysis.results
        failed = results["flags"].str.startswith("not_fitted")
        if len(results) and failed.all():
            first = results.iloc[0]
            reason = str(first["flags"]).removeprefix("not_fitted: ")
            raise AssayInputError(
                f"no data set could be fitted; data set '{first['dataset']}': {reason}",
                path=data.attrs.get("source"),
            )
        if output is not None and output.suffix.lower() == ".pzfx":
            from assaykit.io.prism import write_pzfx
            from assaykit.saturation.prism import saturation_tables

            with out.stage(output) as tmp:
                write_pzfx(tmp, *saturation_tables(analysis))
        elif output is not None:
            if output.suffix.lower() == ".xlsx":
                out.table({"results": results, "points": analysis.points}, output)
            else:
                out.table(results, output)
        if points_path is not None:
            out.table(analysis.points, points_path)
        if plot_dir is not None:
            write_saturation_plots(analysis, plot_dir, out, plot_format=plot_format, progress=progress)
        run.written = out.staged
    return run
