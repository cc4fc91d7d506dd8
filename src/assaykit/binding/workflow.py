"""The ``assaykit binding`` job: read files, apply a preset, fit, and write tables and plots.

This module does file I/O; the computation it calls (:func:`analyze_competition`) does none.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from assaykit.binding.competition import CompetitionAnalysis, analyze_competition, curve_parameters
from assaykit.errors import AssayInputError
from assaykit.io.counts import read_counts_files
from assaykit.io.presets import load_preset
from assaykit.io.writers import write_table

#: Options a binding preset may set, with their defaults when neither preset nor command line gives them.
BINDING_DEFAULTS: dict[str, Any] = {
    "kd_nM": None,
    "radioligand_nM": None,
    "model": "4pl",
    "top": "free",
    "bottom": "free",
    "ci": "asymptotic",
    "level": 0.95,
}
_DESCRIPTIVE_KEYS = {"radioligand", "receptor", "tissue", "notes"}


@dataclass
class BindingRun:
    """What one binding job produced: the analysis, the files written and warnings to show."""

    analysis: CompetitionAnalysis
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    preset: str | None = None


def resolve_options(protocol: str | Path | None, **given: Any) -> tuple[dict[str, Any], str | None]:
    """Merge command-line options over a preset's ``[binding]`` table over the defaults.

    Parameters
    ----------
    protocol
        A preset name or TOML path, or None.
    **given
        Options from the caller; None means "not given".

    Returns
    -------
    tuple
        The options for :func:`analyze_competition` and the preset's name (or None).

    Raises
    ------
    AssayInputError
        For an unknown preset or an unknown key in its ``[binding]`` table.
    """
    options = dict(BINDING_DEFAULTS)
    name = None
    if protocol is not None:
        preset = load_preset(protocol, assay="binding")
        name = preset["preset"]["name"]
        table = preset.get("binding", {})
        unknown = sorted(set(table) - set(BINDING_DEFAULTS) - _DESCRIPTIVE_KEYS)
        if unknown:
            raise AssayInputError(
                f"unknown key(s) {', '.join(unknown)} in [binding]; expected {', '.join(BINDING_DEFAULTS)}",
                path=preset["preset"]["path"],
            )
        options.update({k: v for k, v in table.items() if k in BINDING_DEFAULTS})
    options.update({k: v for k, v in given.items() if v is not None})
    return options, name


def _plot_names(results: pd.DataFrame) -> list[str]:
    from assaykit.plotting import safe_filename

    repeated = results["compound"].duplicated(keep=False)
    return [
        safe_filename(f"{c}_plate-{p}" if rep else str(c))
        for c, p, rep in zip(results["compound"], results["plate"], repeated, strict=True)
    ]


def write_plots(analysis: CompetitionAnalysis, directory: Path) -> list[Path]:
    """Write one PNG per curve (points, fitted curve, IC50, plate controls) into ``directory``."""
    from assaykit.binding.plots import plot_competition

    directory.mkdir(parents=True, exist_ok=True)
    results, points = analysis.results, analysis.points
    unit = results.attrs.get("signal_unit", "cpm")
    plates = analysis.plates.set_index("plate")
    written = []
    for (_, row), name in zip(results.iterrows(), _plot_names(results), strict=True):
        tubes = points[(points["compound"] == row["compound"]) & (points["plate"] == row["plate"])]
        tubes = tubes[tubes["role"] == "competitor"].rename(columns={unit: "signal"})
        fit: Mapping[str, Any] = {
            **curve_parameters(row),
            "ic50_nM": row["ic50_nM"],
            "ki_nM": row["ki_nM"],
            "model": row["model"],
        }
        written.append(
            plot_competition(
                tubes,
                fit,
                directory / f"{name}.png",
                title=str(row["compound"]),
                signal_unit=unit,
                total_mean=plates.at[row["plate"], f"total_mean_{unit}"],
                nsb_mean=plates.at[row["plate"], f"nsb_mean_{unit}"],
            )
        )
    return written


def run_binding(
    paths: Sequence[str | Path],
    *,
    protocol: str | Path | None = None,
    sheet: str | None = None,
    compound: str | None = None,
    output: str | Path | None = None,
    plot_dir: str | Path | None = None,
    points_path: str | Path | None = None,
    **options: Any,
) -> BindingRun:
    """Run a competition-binding job from files to written results.

    Parameters
    ----------
    paths
        Count files (long or wide layout; CSV, TSV or XLSX).
    protocol
        Preset name or TOML path supplying defaults for ``options``.
    sheet, compound
        Passed to the reader (xlsx sheet; compound name of a single-block wide file).
    output
        Results table to write (.csv, .tsv, .json or .xlsx; .xlsx also gets the plate and point sheets).
    plot_dir
        Folder for one PNG per curve.
    points_path
        Per-tube table to write (specific binding, % specific, fitted, residual).
    **options
        ``kd_nM``, ``radioligand_nM``, ``model``, ``top``, ``bottom``, ``ci``, ``level``; None = not given.

    Returns
    -------
    BindingRun
        The analysis, the files written and the warnings raised while reading and fitting.

    Raises
    ------
    AssayInputError
        For any input problem, and when no curve at all could be fitted.
    """
    resolved, preset_name = resolve_options(protocol, **options)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        counts = read_counts_files(paths, sheet=sheet, compound=compound)
        analysis = analyze_competition(counts, **resolved)
    run = BindingRun(analysis=analysis, preset=preset_name)
    run.warnings = [" ".join(str(w.message).split()) for w in caught if issubclass(w.category, UserWarning)]

    results = analysis.results
    failed = results["flags"].str.startswith("not_fitted")
    if len(results) and failed.all():
        first = results.iloc[0]
        reason = str(first["flags"]).removeprefix("not_fitted: ")
        raise AssayInputError(
            f"no curve could be fitted; compound '{first['compound']}': {reason}",
            path=counts.attrs.get("source"),
        )
    if output is not None:
        output = Path(output)
        if output.suffix.lower() == ".xlsx":
            sheets = {"results": results, "plates": analysis.plates, "points": analysis.points}
            run.written.append(write_table(sheets, output))
        else:
            run.written.append(write_table(results, output))
    if points_path is not None:
        run.written.append(write_table(analysis.points, points_path))
    if plot_dir is not None:
        run.written.extend(write_plots(analysis, Path(plot_dir)))
    return run
