"""The ``assaykit binding`` job: read files, apply a preset, fit, and write tables and plots.

This module does file I/O; the computation it calls (:func:`analyze_competition`) does none.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from assaykit.binding.activity import ACTIVITY_DEFAULTS
from assaykit.binding.competition import CompetitionAnalysis, fit_prepared
from assaykit.binding.figures import Y_AXES, plot_jobs, write_plots
from assaykit.binding.inputs import counts_reader, read_kd_table
from assaykit.binding.prepare import prepare_competition
from assaykit.errors import AssayInputError
from assaykit.io.outputs import OutputSet, run_outputs
from assaykit.io.presets import load_preset
from assaykit.io.writers import TABLE_SUFFIXES
from assaykit.plausible import Kind, check_nM_value
from assaykit.progress import start_stage

__all__ = [
    "BINDING_DEFAULTS",
    "BindingRun",
    "plot_jobs",
    "read_kd_table",
    "resolve_options",
    "run_binding",
    "write_plots",
]

#: Options a binding preset may set, with their defaults when neither preset nor command line gives them.
BINDING_DEFAULTS: dict[str, Any] = {
    "kd_nM": None,
    "radioligand_nM": None,
    "model": "4pl",
    "top": "free",
    "bottom": "free",
    "ci": "asymptotic",
    "level": 0.95,
    "kd_lo_nM": None,
    "kd_se_nM": None,
    "weights": "none",
    "outliers": "none",
    "rout_q": 1.0,
    "compare": False,
    "potency_vs": None,
    "engine": "auto",
    "fdr": ACTIVITY_DEFAULTS["fdr"],
    "min_displacement_pct": ACTIVITY_DEFAULTS["min_displacement_pct"],
}
_DESCRIPTIVE_KEYS = {"radioligand", "receptor", "tissue", "notes"}


@dataclass
class BindingRun:
    """What one binding job produced: the analysis, the files written and warnings to show."""

    analysis: CompetitionAnalysis
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    preset: str | None = None
    options: dict[str, Any] = field(default_factory=dict)  # the options the analysis ran with
    inputs: dict[str, Any] = field(default_factory=dict)  # how the files were read: layout, exclude_wells


#: The concentrations (nM) a preset may give, and the kind of each (for the plausibility check).
_PRESET_CONCENTRATIONS: dict[str, Kind | None] = {
    "kd_nM": "kd",
    "radioligand_nM": "radioligand",
    "kd_lo_nM": "kd",
    "kd_se_nM": None,
}


def _check_preset_value(value: Any, key: str, kind: Kind | None, source: str) -> None:
    """Raise when a preset's concentration is not a number of nM that can be right (named by its key)."""
    zero_ok = kind is None  # the SE may be 0
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not (number and math.isfinite(value) and (value >= 0 if zero_ok else value > 0)):
        what = "a number >= 0" if zero_ok else "a positive number of nM"
        raise AssayInputError(f"{key} in [binding] must be {what}, not {value!r}", path=source)
    found = check_nM_value(float(value), key, kind=kind) if kind is not None else None
    if found is not None and found.error:  # warnings come from the analysis, which checks every value
        raise AssayInputError(found.message, path=source)


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
        For an unknown preset, an unknown key in its ``[binding]`` table, or a concentration in it
        (``kd_nM``, ``radioligand_nM``, ``kd_lo_nM``, ``kd_se_nM``) that is not a positive number or lies
        outside the plausible window (:func:`assaykit.plausible.check_nM_value`), named by its key.
    """
    options = dict(BINDING_DEFAULTS)
    name = None
    if protocol is not None:
        preset = load_preset(protocol, assay="binding")
        name = preset["preset"]["name"]
        table = preset.get("binding", {})
        source = preset["preset"]["path"]
        if not isinstance(table, dict):
            raise AssayInputError("'binding' must be a table: a [binding] section", path=source)
        unknown = sorted(set(table) - set(BINDING_DEFAULTS) - _DESCRIPTIVE_KEYS)
        if unknown:
            raise AssayInputError(
                f"unknown key(s) {', '.join(unknown)} in [binding]; expected {', '.join(BINDING_DEFAULTS)}",
                path=source,
            )
        for key, kind in _PRESET_CONCENTRATIONS.items():
            if key in table and given.get(key) is None:
                _check_preset_value(table[key], key, kind, source)
        options.update({k: v for k, v in table.items() if k in BINDING_DEFAULTS})
    options.update({k: v for k, v in given.items() if v is not None})
    if given.get("rout_q") is not None and options["outliers"] != "rout":
        raise AssayInputError("--rout-q is ROUT's Q: it needs --outliers rout")
    return options, name


def run_binding(
    paths: Sequence[str | Path],
    *,
    protocol: str | Path | None = None,
    sheet: str | None = None,
    compound: str | None = None,
    output: str | Path | None = None,
    plot_dir: str | Path | None = None,
    points_path: str | Path | None = None,
    compare_path: str | Path | None = None,
    kd_from: str | Path | None = None,
    kd_dataset: str | None = None,
    layout: str | Path | None = None,
    exclude_wells: str | Sequence[str] | None = None,
    plot_format: str = "png",
    plot_y: str = "bound",
    progress: Callable[[int, int], None] | None = None,
    outputs: OutputSet | None = None,
    keep_points: bool = False,
    **options: Any,
) -> BindingRun:
    """Run a competition-binding job from files to written results.

    Parameters
    ----------
    paths
        Count files (long or wide layout; CSV, TSV or XLSX; or Prism ``.pzfx`` XY tables), or with ``layout``
        counter plate grids.
    protocol
        Preset name or TOML path supplying defaults for ``options``.
    sheet, compound
        Passed to the reader (xlsx sheet; compound name of a single-block wide file).
    layout, exclude_wells
        The plate map of counter plate grids (wellmap TOML or a long CSV/TSV/XLSX layout) and the wells to
        leave out by pattern (``"A*,H*,*01,*12"`` or a list of patterns); see
        :func:`assaykit.io.plates.read_plate_counts`.
    output
        Results table to write (.csv, .tsv, .json or .xlsx; .xlsx also gets the plate and point sheets;
        .pzfx: a Prism file with one XY data table per plate and the results).
    plot_dir
        Folder for the figures (:func:`~assaykit.binding.figures.plot_jobs`): one per curve and one
        overlay of the compounds of each plate.
    points_path
        Per-tube table to write (specific binding, % specific, fitted, residual, outlier).
    compare_path
        Model-comparison table to write; implies ``compare=True``.
    kd_from, kd_dataset
        A table with ``kd_nM`` and ``kd_se_nM`` (e.g. a saturation analysis) to take Kd and its SE from, and
        the row to use (see :func:`read_kd_table`); not together with ``kd_nM`` or ``kd_se_nM``.
    plot_format
        File format of the figures: ``png``, ``svg`` or ``pdf``.
    plot_y
        Their y axis: ``bound`` (the signal as counted) or ``percent`` (% specific binding, 0% at the
        plate's NSB mean, 100% at its TOTAL mean).
    progress
        Called as ``progress(done, total)`` as curves, then figures, are finished (e.g. a
        :class:`assaykit.progress.ProgressBar`, which gets a stage per step).
    outputs
        The run's outputs (:class:`assaykit.io.outputs.OutputSet`), when the caller commits them with
        those of other jobs; None to write them at the end of this job. Either way every output path is
        checked before any file is read (not an input, no two the same, the folder there), and the files
        are written all together or not at all.
    keep_points
        Keep the per-tube table in ``analysis.points`` even when no output needs it (for figures drawn
        after the run, e.g. by a report).
    **options
        The keys of :data:`BINDING_DEFAULTS` (``kd_nM``, ``radioligand_nM``, ``model``, ``top``, ``bottom``,
        ``ci``, ``level``, ``kd_lo_nM``, ``kd_se_nM``, ``weights``, ``outliers``, ``rout_q``, ``compare``,
        ``potency_vs``, ``engine``, ``fdr``, ``min_displacement_pct``); None = not given.

    Returns
    -------
    BindingRun
        The analysis, the files written (or staged in ``outputs``) and the warnings raised while reading
        and fitting. ``analysis.points`` is there when the run writes it (``.xlsx``, ``points_path``,
        ``plot_dir``) or writes no ``output``; a run that writes only a results table keeps nothing of
        the tubes, so a screen's counts leave memory before its curves are fitted.

    Raises
    ------
    AssayInputError
        For any input problem, an output that clashes with an input or another output or cannot be
        written, and when no curve at all could be fitted. No output is written then.
    """
    if plot_y not in Y_AXES:
        raise AssayInputError(f"--plot-y must be one of {', '.join(Y_AXES)}, not '{plot_y}'")
    if kd_dataset is not None and kd_from is None:
        raise AssayInputError("--kd-dataset chooses a row of the --kd-from table; give --kd-from")
    if kd_from is not None and (options.get("kd_nM") is not None or options.get("kd_se_nM") is not None):
        raise AssayInputError("give either --kd (and --kd-se) or --kd-from, not both")
    if compare_path is not None:
        options["compare"] = True
    reader = counts_reader(sheet, compound, layout, exclude_wells)
    resolved, preset_name = resolve_options(protocol, **options)
    preset_file = protocol if protocol is not None and Path(protocol).is_file() else None
    with run_outputs(outputs, [*paths, kd_from, preset_file, layout]) as out:
        output = out.add_file(output, "-o", suffixes=(*TABLE_SUFFIXES, ".pzfx"))
        prism = output is not None and output.suffix.lower() == ".pzfx"
        sibling = None
        if output is not None and resolved["potency_vs"] is not None and output.suffix.lower() != ".xlsx":
            sibling = out.add_file(output.with_name(f"{output.stem}_potency{output.suffix}"), "-o (potency)")
        compare_path = out.add_file(compare_path, "--compare")
        points_path = out.add_file(points_path, "--points")
        plot_dir = out.add_folder(plot_dir, "--plot")
        # the per-tube table is built only when written (or for a caller who asks for no file at all):
        # without it the counts leave memory before the curves are fitted
        keep_points = keep_points or output is None or output.suffix.lower() in (".xlsx", ".pzfx")
        keep_points = keep_points or points_path or plot_dir
        run = _fit(paths, resolved, preset_name, kd_from, kd_dataset, reader, progress, keep_points)
        run.inputs = {"layout": layout, "exclude_wells": list(reader.keywords.get("exclude_wells", ()))}
        analysis, results = run.analysis, run.analysis.results
        extra = {"comparisons": analysis.comparisons} if resolved["compare"] else {}
        if resolved["potency_vs"] is not None:
            extra["potency"] = analysis.potency
        if prism:
            from assaykit.binding.prism import competition_tables
            from assaykit.io.prism import write_pzfx

            with out.stage(output) as tmp:
                write_pzfx(tmp, *competition_tables(analysis))
        elif output is not None:
            if output.suffix.lower() == ".xlsx":
                sheets = {"results": results, "plates": analysis.plates, "points": analysis.points, **extra}
                out.table(sheets, output)
            else:
                out.table(results, output)
                if sibling is not None:
                    out.table(analysis.potency, sibling)
        if compare_path is not None:
            out.table(analysis.comparisons, compare_path)
        if points_path is not None:
            out.table(analysis.points, points_path)
        if plot_dir is not None:
            write_plots(analysis, plot_dir, out, y_axis=plot_y, plot_format=plot_format, progress=progress)
        run.written = out.staged
    return run


def _fit(
    paths: Sequence[str | Path],
    resolved: dict[str, Any],
    preset_name: str | None,
    kd_from: str | Path | None,
    kd_dataset: str | None,
    reader: Callable[[Sequence[str | Path]], pd.DataFrame],
    progress: Callable[[int, int], None] | None,
    keep_points: bool = True,
) -> BindingRun:
    """Read the counts and fit them; raise when no curve at all could be fitted.

    The counts frame is handed to :func:`~assaykit.binding.prepare.prepare_competition` and not kept here:
    with ``keep_points`` False nothing holds it once the curves are built.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if kd_from is not None:
            resolved["kd_nM"], resolved["kd_se_nM"] = read_kd_table(kd_from, kd_dataset)
        start_stage(progress, "reading")
        prepared = prepare_competition(reader(paths), points=bool(keep_points), **resolved)
        analysis = fit_prepared(prepared, progress=progress)
        del prepared
    run = BindingRun(analysis=analysis, preset=preset_name, options=resolved)
    run.warnings = [" ".join(str(w.message).split()) for w in caught if issubclass(w.category, UserWarning)]
    results = analysis.results
    failed = results["flags"].str.startswith("not_fitted")
    if len(results) and failed.all():
        first = results.iloc[0]
        reason = str(first["flags"]).removeprefix("not_fitted: ")
        raise AssayInputError(
            f"no curve could be fitted; compound '{first['compound']}': {reason}",
            path=results.attrs.get("source"),
        )
    return run
