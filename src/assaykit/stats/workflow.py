"""The ``assaykit compare`` job, and the comparison the ``epm``/``ldb`` jobs run after their endpoints.

This module reads and writes files; the statistics it calls (:mod:`assaykit.stats.compare`) do none.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.outputs import OutputSet, run_outputs
from assaykit.io.tables import find_column, read_raw_table
from assaykit.io.tracks import MISSING_TOKENS
from assaykit.stats.compare import DESIGN_INFO, GroupComparison, compare_groups
from assaykit.stats.design import (
    EXCLUSION_COLUMNS,
    apply_design,
    check_control,
    design_from_table,
    read_design,
)

#: A number written with a decimal comma (``1,5``; ``-0,25``; ``2,5e-3``).
_DECIMAL_COMMA = r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?"

#: File-name prefix of the group plots (they may share a folder with the trajectory plots).
PLOT_PREFIX = "groups_"


@dataclass
class CompareRun:
    """What one comparison job produced."""

    comparison: GroupComparison
    data: pd.DataFrame
    exclusions: pd.DataFrame
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_endpoint_table(path: str | Path) -> pd.DataFrame:
    """Read a table of endpoints, one row per animal: CSV, TSV, XLSX (first sheet) or JSON records.

    Parameters
    ----------
    path
        The file: one written by ``assaykit epm``/``ldb`` or any tidy table with an ``animal`` column
        (matched ignoring case). JSON must be a list of records, as ``-o file.json`` writes.

    Returns
    -------
    pandas.DataFrame
        ``animal`` (text) and the other columns: float64 where every cell is a number or empty (``NA``,
        ``-`` and the like count as empty), text otherwise; in a semicolon-separated file a decimal comma
        (``1,5``) is a decimal point, as in the count readers. Design columns (group, sex, cohort, ...)
        stay text. ``attrs["source"]`` is the path.

    Raises
    ------
    AssayInputError
        For a file that cannot be read (see :func:`assaykit.io.tables.read_raw_table`), JSON that is not a
        list of records, or no animal column.
    """
    path = Path(path)
    if path.suffix.lower() == ".json":
        table = _read_json(path)
    else:
        table = read_raw_table(path).reset_index(drop=True)
    animal = find_column(table, ("animal",), path=path, what="animal")
    decimal_comma = table.attrs.get("delimiter") == ";"  # a European spreadsheet's CSV: 1,5 is 1.5
    table = table.rename(columns={animal: "animal"})
    keep_text = {*DESIGN_INFO, "flags", "source"}
    for column in table.columns:
        if column in keep_text or str(column).lower() in keep_text:
            table[column] = table[column].map(_cell)
            continue
        table[column] = _maybe_numeric(table[column], decimal_comma=decimal_comma)
    table.attrs = {"source": str(path)}
    return table


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
    test: str = "auto",
    group: str = "group",
    output: str | Path | None = None,
    summary_path: str | Path | None = None,
    plot_dir: str | Path | None = None,
    outputs: OutputSet | None = None,
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
        ``"auto"``, ``"parametric"`` or ``"nonparametric"``: the headline family.
    group
        The name of the group column (in the design, or in the endpoint table without a design).
    output
        The comparisons table (.csv .tsv .json .xlsx); an ``.xlsx`` file also gets the sheets summary,
        assumptions, trend, exclusions and notes.
    summary_path
        The summary table (one row per endpoint x group).
    plot_dir
        Folder for one PNG per endpoint (``groups_<endpoint>.png``); created if needed.
    outputs
        The run's outputs (:class:`assaykit.io.outputs.OutputSet`) when the caller commits them; None to
        write them at the end of this job. Every output path is checked before any file is read, and the
        files are written all together or not at all.

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
    with run_outputs(outputs, [path, design]) as out:
        check_outputs(out, output, summary_path, plot_dir)
        run = _run_compare(path, design, control, endpoints, test, group, out, output, summary_path, plot_dir)
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
    )


def compare_endpoint_table(
    table: pd.DataFrame,
    design: pd.DataFrame,
    *,
    control: str,
    endpoints: Sequence[str] | None = None,
    test: str = "auto",
    output: str | Path | None = None,
    summary_path: str | Path | None = None,
    plot_dir: str | Path | None = None,
    outputs: OutputSet | None = None,
) -> CompareRun:
    """Compare the groups of an endpoint table in memory (what ``epm``/``ldb --design`` run) and write.

    Parameters
    ----------
    table
        One row per animal with an ``animal`` column, e.g. ``TrackingRun.endpoints``; animals whose
        endpoints are blank (unusable tracks) are listed in the exclusions with their flags.
    design
        From :func:`load_design` or :func:`assaykit.stats.design.design_from_table`.
    control, endpoints, test, output, summary_path, plot_dir, outputs
        As for :func:`run_compare`. With ``outputs``, the caller has added (and so checked) the output
        paths with :func:`check_outputs` before any work, and commits them.

    Returns
    -------
    CompareRun
    """
    with run_outputs(outputs) as out:
        if outputs is None:
            check_outputs(out, output, summary_path, plot_dir)
        run = _compare(table, design, control, endpoints, test)
        _write(run, out, output, summary_path, plot_dir)
        run.written = out.staged
    return run


def _compare(
    table: pd.DataFrame, design: pd.DataFrame, control: str, endpoints: Sequence[str] | None, test: str
) -> CompareRun:
    data, excluded = apply_design(table, design, control)
    dose = design.attrs.get("dose_column")
    compound = "compound" if "compound" in design.columns else None
    result = compare_groups(
        data, endpoints, group="group", control=control, test=test, dose=dose, compound=compound
    )
    frames = [f for f in (excluded, result.missing) if not f.empty]
    exclusions = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(EXCLUSION_COLUMNS))
    )
    run = CompareRun(result, data, exclusions)
    for row in excluded.itertuples(index=False):
        if not row.reason:
            run.warnings.append(
                f"{row.animal} ({row.group or 'no group'}) is excluded without a reason; give one in the "
                "design's reason column"
            )
    return run


def sheets(run: CompareRun) -> dict[str, pd.DataFrame]:
    """Return the tables of a comparison by sheet name, as an .xlsx output holds them."""
    result = run.comparison
    return {
        "comparisons": result.comparisons,
        "summary": result.summary,
        "assumptions": result.assumptions,
        "trend": result.trend,
        "exclusions": run.exclusions,
        "notes": pd.DataFrame({"note": result.notes}, dtype=object),
    }


def write_group_plots(run: CompareRun, directory: str | Path, outputs: OutputSet | None = None) -> list[Path]:
    """Write one dot plot per endpoint (``groups_<endpoint>.png``) into ``directory`` (made if needed).

    Parameters
    ----------
    run
        The comparison to draw.
    directory
        The folder.
    outputs
        The run's outputs, to stage the plots in (written when it is committed); None to write them now,
        all or none.

    Returns
    -------
    list of Path
        The plot files.
    """
    from assaykit.plotting import safe_filename
    from assaykit.stats.plots import plot_group_dots

    directory = Path(directory)
    result = run.comparison
    written = []
    with run_outputs(outputs) as out:
        out.add_folder(directory, "--plot")
        for endpoint in result.endpoints:
            target = directory / f"{PLOT_PREFIX}{safe_filename(endpoint)}.png"
            with out.stage(target, into="--plot") as tmp:
                plot_group_dots(
                    run.data,
                    endpoint,
                    tmp,
                    groups=result.groups,
                    control=result.control,
                    comparisons=result.comparisons,
                )
            written.append(target)
    return written


def _write(
    run: CompareRun,
    out: OutputSet,
    output: str | Path | None,
    summary_path: str | Path | None,
    plot_dir: str | Path | None,
) -> None:
    if output is not None:
        output = Path(output)
        tables = sheets(run) if output.suffix.lower() == ".xlsx" else run.comparison.comparisons
        out.table(tables, output)
    if summary_path is not None:
        out.table(run.comparison.summary, summary_path)
    if plot_dir is not None:
        write_group_plots(run, plot_dir, out)


def _read_json(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise AssayInputError("file not found", path=path)
    try:
        records = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AssayInputError(f"cannot read it as JSON ({exc})", path=path) from exc
    if not isinstance(records, list) or not records or not all(isinstance(r, dict) for r in records):
        raise AssayInputError(
            'expected a JSON list of records, one per animal: [{"animal": ..., ...}, ...]', path=path
        )
    return pd.DataFrame.from_records(records)


def _cell(value: object) -> str:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _maybe_numeric(column: pd.Series, *, decimal_comma: bool = False) -> pd.Series:
    """Return the column as float64 when every non-empty cell is a number (not booleans), else as text.

    With ``decimal_comma``, a cell such as ``1,5`` or ``-0,25`` is read as 1.5 or -0.25.
    """
    if column.dtype.kind in "iuf":
        return column.astype(float)
    cells = column.map(_cell)
    blank = cells.str.lower().isin(MISSING_TOKENS)
    if column.map(lambda v: isinstance(v, bool | np.bool_)).any():
        return cells
    numeric = cells.mask(blank)
    if decimal_comma:
        comma = numeric.str.fullmatch(_DECIMAL_COMMA, na=False)
        numeric = numeric.where(~comma, numeric.str.replace(",", ".", regex=False))
    numbers = pd.to_numeric(numeric, errors="coerce").astype(float)
    if (numbers.isna() & ~blank).any() or blank.all():
        return cells
    return numbers
