"""The ``assaykit saturation`` job: read files, fit, and write tables and plots.

This module does file I/O; the computation it calls (:func:`analyze_saturation`) does none.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assaykit.errors import AssayInputError
from assaykit.io.outputs import OutputSet, run_outputs
from assaykit.io.saturation import read_saturation_files
from assaykit.saturation.analysis import SaturationAnalysis, analyze_saturation


@dataclass
class SaturationRun:
    """What one saturation job produced: the analysis, the files written and warnings to show."""

    analysis: SaturationAnalysis
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)  # the options the analysis ran with


def plot_names(datasets: Sequence[str]) -> list[str]:
    """Return one distinct, portable file stem per data set (``_2``, ``_3`` ... where stems collide)."""
    from assaykit.plotting import safe_filename

    names: list[str] = []
    for dataset in datasets:
        stem = base = safe_filename(str(dataset))
        n = 1
        while stem in names:
            n += 1
            stem = f"{base}_{n}"
        names.append(stem)
    return names


def write_saturation_plots(
    analysis: SaturationAnalysis, directory: str | Path, outputs: OutputSet | None = None
) -> list[Path]:
    """Write one PNG per data set (binding curves and Scatchard plot) into ``directory``.

    Parameters
    ----------
    analysis
        The analysis to draw.
    directory
        The folder; made if needed.
    outputs
        The run's outputs, to stage the plots in (written when it is committed); None to write them now,
        all or none.

    Returns
    -------
    list of Path
        The plot files.
    """
    from assaykit.saturation.plots import plot_saturation

    directory = Path(directory)
    results, points = analysis.results, analysis.points
    unit = results.attrs.get("signal_unit", "cpm")
    label = unit or "signal"
    written = []
    with run_outputs(outputs) as out:
        out.add_folder(directory, "--plot")
        for (_, row), name in zip(results.iterrows(), plot_names(list(results["dataset"])), strict=True):
            tubes = points[points["dataset"] == row["dataset"]]
            tubes = tubes.rename(columns={label: "signal", f"specific_{label}": "specific"})
            target = directory / f"{name}.png"
            with out.stage(target, into="--plot") as tmp:
                plot_saturation(tubes, row, tmp, title=str(row["dataset"]), signal_unit=unit or "signal")
            written.append(target)
    return written


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
    progress: Callable[[int, int], None] | None = None,
    outputs: OutputSet | None = None,
) -> SaturationRun:
    """Run a saturation-binding job from files to written results.

    Parameters
    ----------
    paths
        Saturation files (one row per tube; CSV, TSV or XLSX), see
        :func:`assaykit.io.saturation.read_saturation`.
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
    output
        Results table to write (.csv, .tsv, .json or .xlsx; .xlsx also gets the points sheet).
    plot_dir
        Folder for one PNG per data set.
    points_path
        Per-tube table to write (nonspecific, specific, fitted, residual).
    efficiency, specific_activity_Ci_mmol, protein_mg, cells, volume_ml
        Unit options, as in :func:`~assaykit.saturation.analysis.analyze_saturation`.
    progress
        Called as ``progress(done, total)`` as data sets are finished.
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
    with run_outputs(outputs, paths) as out:
        output = out.add_file(output, "-o")
        points_path = out.add_file(points_path, "--points")
        plot_dir = out.add_folder(plot_dir, "--plot")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            data = read_saturation_files(paths, specific=specific, sheet=sheet)
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
        if output is not None:
            if output.suffix.lower() == ".xlsx":
                out.table({"results": results, "points": analysis.points}, output)
            else:
                out.table(results, output)
        if points_path is not None:
            out.table(analysis.points, points_path)
        if plot_dir is not None:
            write_saturation_plots(analysis, plot_dir, out)
        run.written = out.staged
    return run
