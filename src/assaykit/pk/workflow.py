"""The ``assaykit pk`` job: read concentration-time files, run the NCA and compartment fits, write results.

This module does file I/O; the computations it calls (:func:`assaykit.pk.nca.nca_table`,
:func:`assaykit.pk.summary.summarize_groups`, :func:`assaykit.pk.compartmental.compartmental_table`) do none.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.figure_jobs import write_figures
from assaykit.io.outputs import OutputSet, run_outputs
from assaykit.io.pk import read_pk_files
from assaykit.pk.nca import NCAOptions, NCATables, nca_table
from assaykit.pk.options import PK_DEFAULTS, lambda_z_times, nca_options, resolve_options
from assaykit.pk.summary import summarize_groups

__all__ = ["PK_DEFAULTS", "PKRun", "pk_plot_jobs", "run_pk"]


@dataclass
class PKRun:
    """What one PK job produced.

    Attributes
    ----------
    nca
        The NCA tables (:class:`assaykit.pk.nca.NCATables`): ``results`` (one row per subject x analyte),
        ``points`` (one row per sample) and the units.
    groups
        The group summaries (:func:`assaykit.pk.summary.summarize_groups`).
    compartmental
        One row per subject x analyte x compartment model (empty when none was asked for), and the fits.
    options
        The options the analysis ran with (preset, command line and defaults merged).
    """

    nca: NCATables
    groups: pd.DataFrame
    compartmental: pd.DataFrame = field(default_factory=pd.DataFrame)
    fits: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    preset: str | None = None
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source: str = ""
    lloq: float | None = None  # --lloq, or the limit the file's "<x" cells state


def _fill(frame: pd.DataFrame, opts: Mapping[str, Any]) -> pd.DataFrame:
    """Return the frame with ``--dose``/``--route`` where the file gives none (a file's own value wins)."""
    out = frame.copy()
    out.attrs = dict(frame.attrs)
    dose = opts.get("dose")
    if dose is not None:
        unit = opts.get("dose_unit")
        if unit is None:
            raise AssayInputError("--dose needs --dose-unit (e.g. mg/kg, mg, nmol/kg)")
        known = out.attrs.get("dose_unit")
        given = (
            pd.to_numeric(out["dose"], errors="coerce") if "dose" in out else pd.Series(math.nan, out.index)
        )
        if known is not None and given.notna().any() and str(known) != str(unit):
            raise AssayInputError(
                f"--dose-unit {unit} differs from the file's dose column ({known}); give doses in one unit",
                path=out.attrs.get("source"),
            )
        out["dose"] = given.fillna(float(dose))
        out.attrs["dose_unit"] = known if known is not None and given.notna().any() else str(unit)
    route = out["route"].astype(str) if "route" in out else pd.Series("", index=out.index)
    out["route"] = route.where(route != "", str(opts["route"]))
    return out


def parent_profiles(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of the dosed compounds: a metabolite is no dosed compartment model.

    An analyte is the parent when it is named ``parent`` or equals the row's ``compound``; without a
    ``compound`` column every analyte is fitted (the file does not say which are metabolites).
    """
    if "compound" not in frame.columns:
        return frame
    analyte = frame["analyte"].astype(str)
    keep = (analyte == frame["compound"].astype(str)) | (analyte.str.lower() == "parent")
    out = frame[keep]
    out.attrs = dict(frame.attrs)
    return out


def _fitted_curves(fits: Mapping[tuple[str, str], Mapping[str, Any]], table: pd.DataFrame) -> dict:
    """Each profile's preferred compartment fit as a picklable curve (values on a fine grid, interpolated)."""
    curves = {}
    for key, by_model in fits.items():
        if not by_model:
            continue
        rows = table[(table["subject"].astype(str) == key[0]) & (table["analyte"].astype(str) == key[1])]
        preferred = rows["preferred"].dropna().astype(str) if "preferred" in rows else pd.Series(dtype=str)
        name = preferred.iloc[0] if len(preferred) and preferred.iloc[0] in by_model else next(iter(by_model))
        fit = by_model[name]
        grid = np.linspace(0.0, float(np.max(fit.time)) * 1.05, 400)
        curves[(str(key[0]), str(key[1]))] = partial(np.interp, xp=grid, fp=np.asarray(fit.predict(grid)))
    return curves


def pk_plot_jobs(run: PKRun) -> list[tuple[str, Any]]:
    """Return the run's figures, ``(file stem, FigureJob)``: a profile per subject x analyte, group means."""
    from assaykit.pk.plots import pk_figure_jobs

    nca = run.nca
    tag = nca.columns["cmax"].removeprefix("cmax_")
    points = nca.points.rename(columns={f"conc_{tag}": "conc_as_given", f"conc_used_{tag}": "conc"})
    return pk_figure_jobs(
        points,
        nca.results,
        conc_unit=nca.conc_unit,
        fitted=_fitted_curves(run.fits, run.compartmental),
        lloq=run.lloq,
    )


def run_pk(
    paths: Sequence[str | Path],
    *,
    protocol: str | Path | None = None,
    sheet: str | None = None,
    output: str | Path | None = None,
    points_path: str | Path | None = None,
    plot_dir: str | Path | None = None,
    plot_format: str = "png",
    progress: Callable[[int, int], None] | None = None,
    outputs: OutputSet | None = None,
    **options: Any,
) -> PKRun:
    """Run a PK job from concentration-time files to written results.

    Parameters
    ----------
    paths
        Concentration-time files (one row per sample), see :func:`assaykit.io.pk.read_pk`.
    protocol
        Preset name or TOML path (``[pk]`` table) supplying defaults for ``options``.
    sheet
        Sheet to read from xlsx files.
    output
        The per-subject results table (.csv, .tsv, .json or .xlsx). Beside a text table the group summary
        goes to ``<stem>_groups.<ext>`` and the compartment fits to ``<stem>_compartmental.<ext>``; an
        .xlsx file gets them as sheets, with the points.
    points_path
        Per-sample table to write (the concentration used after the BLQ rules, lambda_z points).
    plot_dir, plot_format
        Folder of the figures (a profile per subject x analyte on linear and semi-log axes, and the group
        means) and their format.
    progress
        Called as ``progress(done, total)`` as figures are finished.
    outputs
        The run's outputs when the caller commits them; None to write them at the end of this job.
    **options
        The keys of :data:`assaykit.pk.options.PK_DEFAULTS`; None = not given.

    Returns
    -------
    PKRun

    Raises
    ------
    AssayInputError
        For any input problem, an output that clashes with an input or another output, or when no
        profile at all could be analysed (nothing is written then).
    """
    opts, preset_name = resolve_options(protocol, **options)
    nca_opts: NCAOptions = nca_options(opts)
    manual = lambda_z_times(opts.get("lambda_z_points"))
    preset_file = protocol if protocol is not None and Path(protocol).is_file() else None
    with run_outputs(outputs, [*paths, preset_file]) as out:
        output = out.add_file(output, "-o")
        siblings = {}
        if output is not None and output.suffix.lower() != ".xlsx":
            siblings["groups"] = out.add_file(
                output.with_name(f"{output.stem}_groups{output.suffix}"), "-o (groups)"
            )
            if opts["compartmental"] != "none":
                name = output.with_name(f"{output.stem}_compartmental{output.suffix}")
                siblings["compartmental"] = out.add_file(name, "-o (compartmental)")
        points_path = out.add_file(points_path, "--points")
        plot_dir = out.add_folder(plot_dir, "--plot")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frame = _fill(read_pk_files(paths, sheet=sheet, lloq=opts.get("lloq")), opts)
            nca = nca_table(frame, nca_opts, lambda_z_times=manual, mw_g_mol=opts.get("mw_g_mol"))
            groups = summarize_groups(nca.results)
            table, fits = pd.DataFrame(), {}
            if opts["compartmental"] != "none":
                from assaykit.pk.compartmental import compartmental_table

                models = {"1": ("1cmt",), "2": ("2cmt",), "both": ("1cmt", "2cmt")}[opts["compartmental"]]
                table, fits = compartmental_table(
                    parent_profiles(frame),
                    route=None,
                    lag=bool(opts["lag"]),
                    weights=opts["cmt_weights"],
                    models=models,
                    level=float(opts["level"]),
                )
        run = PKRun(nca=nca, groups=groups, compartmental=table, fits=fits, options=opts, preset=preset_name)
        run.source = str(frame.attrs.get("source", ""))
        run.lloq = opts.get("lloq") or frame.attrs.get("lloq")
        run.warnings = [
            " ".join(str(w.message).split()) for w in caught if issubclass(w.category, UserWarning)
        ]
        results = nca.results
        if len(results) and results["flags"].astype(str).str.startswith("not_analysed").all():
            first = results.iloc[0]
            raise AssayInputError(
                f"no profile could be analysed; subject '{first['subject']}': "
                f"{str(first['flags']).removeprefix('not_analysed: ')}",
                path=frame.attrs.get("source"),
            )
        if output is not None:
            if output.suffix.lower() == ".xlsx":
                sheets = {"results": results, "groups": groups, "points": nca.points}
                if len(table):
                    sheets["compartmental"] = table
                out.table(sheets, output)
            else:
                out.table(results, output)
                out.table(groups, siblings["groups"])
                if "compartmental" in siblings:
                    out.table(table, siblings["compartmental"])
        if points_path is not None:
            out.table(nca.points, points_path)
        if plot_dir is not None:
            write_figures(pk_plot_jobs(run), plot_dir, out, plot_format=plot_format, progress=progress)
        run.written = out.staged
    return run
