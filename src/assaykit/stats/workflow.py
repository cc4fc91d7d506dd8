"""The ``assaykit compare`` job, and the comparison the ``epm``/``ldb`` jobs run after their endpoints.

This module reads and writes files; the statistics it calls (:mod:`assaykit.stats.compare`) do none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.outputs import OutputSet, run_outputs
from assaykit.stats.compare import GroupComparison, compare_groups
from assaykit.stats.design import (
    EXCLUSION_COLUMNS,
    apply_design,
    check_control,
    design_from_table,
    read_design,
)
from assaykit.stats.endpoint_table import read_endpoint_table
from assaykit.stats.group_figures import PLOT_PREFIX as PLOT_PREFIX  # the group plots' file-name prefix
from assaykit.stats.group_figures import check_plot_format
from assaykit.stats.group_figures import plot_jobs as plot_jobs  # the run's figures, as jobs
from assaykit.stats.group_figures import write_group_plots as write_group_plots
from assaykit.stats.plan import StatisticsPlan


@dataclass
class CompareRun:
    """What one comparison job produced."""

    comparison: GroupComparison
    data: pd.DataFrame
    exclusions: pd.DataFrame
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def load_design(path: str | Path, control: str, *, group: str = "group") -> pd.DataFrame:
    """Read a design file and check its control group, before any work is done with it.

    Parameters
    ----------
    path
        The design file.
    control
        The control group.
    group
        The group column's name.

    Returns
    -------
    pandas.DataFrame
        As :func:`assaykit.stats.design.read_design`.

    Raises
    ------
    AssayInputError
        For a bad design file or an unknown control group.
    """
    design = read_design(path, group=group)
    check_control(design, control)
    return design


def run_compare(
    path: str | Path,
    *,
    design: str | Path | None = None,
    control: str,
    endpoints: Sequence[str] | None = None,
    test: str | None = None,
    group: str = "group",
    output: str | Path | None = None,
    summary_path: str | Path | None = None,
    plot_dir: str | Path | None = None,
    outputs: OutputSet | None = None,
    plan: StatisticsPlan | None = None,
    plot_format: str = "png",
    progress: Callable[[int, int], None] | None = None,
) -> CompareRun:
    """Run ``assaykit compare``: read the endpoints and the design, compare, write the outputs.

    Parameters
    ----------
    path
        The endpoint table (:func:`read_endpoint_table`).
    design
        The design file; None to take the groups (and dose, exclusions) from the endpoint table's own
        columns.
    control
        The control group.
    endpoints
        The endpoint columns; the assay's main ones, or every numeric column, when None or empty.
    test
        The headline family (:data:`~assaykit.stats.plan.TESTS`); None for the plan's (parametric by
        default).
    group
        The name of the group column (in the design, or in the endpoint table without a design).
    output
        The comparisons table (.csv .tsv .json .xlsx); an ``.xlsx`` file also gets the sheets summary,
        assumptions, trend, models, anova, latency, anxiety_locomotion, exclusions and notes (see
        :func:`sheets`).
    summary_path
        The summary table (one row per endpoint x group).
    plot_dir
        Folder for the figures of each endpoint (``groups_<endpoint>.png``, ``estimation_<endpoint>.png``
        and, for a censored latency, ``latency_<endpoint>.png``; see :func:`write_group_plots`); created if
        needed.
    outputs
        The run's outputs (:class:`assaykit.io.outputs.OutputSet`) when the caller commits them; None to
        write them at the end of this job. Every output path is checked before any file is read, and the
        files are written all together or not at all.
    plan
        The study's plan (:class:`~assaykit.stats.plan.StatisticsPlan`): primary endpoint, factor, block,
        covariate, count models, ...; ``test`` and ``endpoints`` override its fields.
    plot_format
        The figures' file format: ``png`` (200 dpi), ``svg`` or ``pdf``.
    progress
        Called as ``progress(done, total)`` as the figures are drawn (a stage of its own,
        ``group figures``).

    Returns
    -------
    CompareRun

    Raises
    ------
    AssayInputError
        For unreadable files, a design that does not match the endpoints, an unknown control group or
        endpoint, and outputs that clash with an input or another output or cannot be written (nothing
        is written then).
    """
    plot_format = check_plot_format(plot_format)
    with run_outputs(outputs, [path, design]) as out:
        check_outputs(out, output, summary_path, plot_dir)
        run = _run_compare(
            path,
            design,
            control,
            endpoints,
            test,
            group,
            out,
            output,
            summary_path,
            plot_dir,
            plan,
            plot_format=plot_format,
            progress=progress,
        )
    return run


def check_outputs(
    outputs: OutputSet,
    output: str | Path | None,
    summary_path: str | Path | None,
    plot_dir: str | Path | None,
    *,
    output_option: str = "-o",
) -> None:
    """Add a comparison's outputs to a run's outputs (checking them) before any work is done."""
    outputs.add_file(output, output_option)
    outputs.add_file(summary_path, "--summary")
    outputs.add_folder(plot_dir, "--plot")


def _run_compare(
    path: str | Path,
    design: str | Path | None,
    control: str,
    endpoints: Sequence[str] | None,
    test: str,
    group: str,
    out: OutputSet,
    output: str | Path | None,
    summary_path: str | Path | None,
    plot_dir: str | Path | None,
    plan: StatisticsPlan | None,
    **figures: Any,
) -> CompareRun:
    table = read_endpoint_table(path)
    if design is not None:
        design_table = read_design(design, group=group)
    else:
        if group.lower() not in {str(c).strip().lower() for c in table.columns}:
            raise AssayInputError(
                f"no '{group}' column to take the groups from; give the design with --design design.csv, or "
                "name the endpoint table's group column with --group-column",
                path=path,
            )
        design_table = design_from_table(table, path=path, group=group)
    return compare_endpoint_table(
        table,
        design_table,
        control=control,
        endpoints=endpoints,
        test=test,
        output=output,
        summary_path=summary_path,
        plot_dir=plot_dir,
        outputs=out,
        plan=plan,
        **figures,
    )


def compare_endpoint_table(
    table: pd.DataFrame,
    design: pd.DataFrame,
    *,
    control: str,
    endpoints: Sequence[str] | None = None,
    test: str | None = None,
    output: str | Path | None = None,
    summary_path: str | Path | None = None,
    plot_dir: str | Path | None = None,
    outputs: OutputSet | None = None,
    plan: StatisticsPlan | None = None,
    plot_format: str = "png",
    progress: Callable[[int, int], None] | None = None,
) -> CompareRun:
    """Compare the groups of an endpoint table in memory (what ``epm``/``ldb --design`` run) and write.

    Parameters
    ----------
    table
        One row per animal with an ``animal`` column, e.g. ``TrackingRun.endpoints``; animals whose
        endpoints are blank (unusable tracks) are listed in the exclusions with their flags.
    design
        From :func:`load_design` or :func:`assaykit.stats.design.design_from_table`.
    control, endpoints, test, output, summary_path, plot_dir, outputs, plan, plot_format, progress
        As for :func:`run_compare`. With ``outputs``, the caller has added (and so checked) the output
        paths with :func:`check_outputs` before any work, and commits them.

    Returns
    -------
    CompareRun
    """
    plot_format = check_plot_format(plot_format)
    with run_outputs(outputs) as out:
        if outputs is None:
            check_outputs(out, output, summary_path, plot_dir)
        run = _compare(table, design, control, endpoints, test, plan)
        _write(run, out, output, summary_path, plot_dir, plot_format=plot_format, progress=progress)
        run.written = out.staged
    return run


def _compare(
    table: pd.DataFrame,
    design: pd.DataFrame,
    control: str,
    endpoints: Sequence[str] | None,
    test: str | None,
    plan: StatisticsPlan | None,
) -> CompareRun:
    data, excluded = apply_design(table, design, control)
    dose = design.attrs.get("dose_column")
    compound = "compound" if "compound" in design.columns else None
    result = compare_groups(
        data, endpoints, group="group", control=control, test=test, dose=dose, compound=compound, plan=plan
    )
    frames = [f for f in (excluded, result.missing) if not f.empty]
    exclusions = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(EXCLUSION_COLUMNS))
    )
    run = CompareRun(result, data, exclusions)
    run.warnings.extend(result.warnings)
    for row in excluded.itertuples(index=False):
        if not row.reason:
            run.warnings.append(
                f"{row.animal} ({row.group or 'no group'}) is excluded without a reason; give one in the "
                "design's reason column"
            )
    return run


def sheets(run: CompareRun) -> dict[str, pd.DataFrame]:
    """Return the tables of a comparison by sheet name, as an .xlsx output holds them.

    ``comparisons``, ``summary``, ``assumptions``, ``trend``, ``models`` (model-based comparisons),
    ``anova`` (factorial ANOVA tables), ``latency`` (Kaplan-Meier medians), ``anxiety_locomotion`` (the
    anxiety and locomotor differences of each group side by side), ``exclusions``, ``notes`` (the
    warnings as ``warning: ...``, the notes, then the plan's fields as ``plan: name = value``).
    """
    result = run.comparison
    return {
        "comparisons": result.comparisons,
        "summary": result.summary,
        "assumptions": result.assumptions,
        "trend": result.trend,
        "models": result.models,
        "anova": result.anova,
        "latency": result.latency,
        "anxiety_locomotion": result.locomotion,
        "exclusions": run.exclusions,
        "notes": pd.DataFrame(
            {"note": [*(f"warning: {w}" for w in run.warnings), *result.notes, *plan_lines(result.plan)]},
            dtype=object,
        ),
    }


def plan_lines(plan: StatisticsPlan) -> list[str]:
    """Return the plan's fields as lines ``plan: name = value``, for the record of what was pre-specified."""
    from dataclasses import fields

    return [f"plan: {f.name} = {getattr(plan, f.name)!r}" for f in fields(plan)]


def _write(
    run: CompareRun,
    out: OutputSet,
    output: str | Path | None,
    summary_path: str | Path | None,
    plot_dir: str | Path | None,
    *,
    plot_format: str = "png",
    progress: Callable[[int, int], None] | None = None,
) -> None:
    if output is not None:
        output = Path(output)
        tables = sheets(run) if output.suffix.lower() == ".xlsx" else run.comparison.comparisons
        out.table(tables, output)
    if summary_path is not None:
        out.table(run.comparison.summary, summary_path)
    if plot_dir is not None:
        write_group_plots(run, plot_dir, out, plot_format=plot_format, progress=progress)
