"""The ``assaykit saturation`` job: read files, fit, and write tables and plots.

This module does file I/O; the computation it calls (:func:`analyze_saturation`) does none.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assaykit.binding.saturation import SaturationAnalysis, analyze_saturation
from assaykit.errors import AssayInputError
from assaykit.io.saturation import read_saturation_files
from assaykit.io.writers import write_table


@dataclass
class SaturationRun:
    """What one saturation job produced: the analysis, the files written and warnings to show."""

    analysis: SaturationAnalysis
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


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


def write_saturation_plots(analysis: SaturationAnalysis, directory: Path) -> list[Path]:
    """Write one PNG per data set (binding curves and Scatchard plot) into ``directory``."""
    from assaykit.binding.saturation_plots import plot_saturation

    directory.mkdir(parents=True, exist_ok=True)
    results, points = analysis.results, analysis.points
    unit = results.attrs.get("signal_unit", "cpm")
    label = unit or "signal"
    written = []
    for (_, row), name in zip(results.iterrows(), plot_names(list(results["dataset"])), strict=True):
        tubes = points[points["dataset"] == row["dataset"]]
        tubes = tubes.rename(columns={label: "signal", f"specific_{label}": "specific"})
        written.append(
            plot_saturation(
                tubes, row, directory / f"{name}.png", title=str(row["dataset"]), signal_unit=unit or "signal"
            )
        )
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
        Unit options, as in :func:`~assaykit.binding.saturation.analyze_saturation`.
    progress
        Called as ``progress(done, total)`` as data sets are finished.

    Returns
    -------
    SaturationRun
        The analysis, the files written and the warnings raised while reading and fitting.

    Raises
    ------
    AssayInputError
        For any input problem, and when no data set at all could be fitted (nothing is written then).
    """
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
    run.warnings = [" ".join(str(w.message).split()) for w in caught if issubclass(w.category, UserWarning)]

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
        output = Path(output)
        if output.suffix.lower() == ".xlsx":
            run.written.append(write_table({"results": results, "points": analysis.points}, output))
        else:
            run.written.append(write_table(results, output))
    if points_path is not None:
        run.written.append(write_table(analysis.points, points_path))
    if plot_dir is not None:
        run.written.extend(write_saturation_plots(analysis, Path(plot_dir)))
    return run
