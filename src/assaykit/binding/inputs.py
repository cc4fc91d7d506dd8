"""What a binding run reads besides its options: the reader of its counts files, and a table of Kd."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.counts import read_counts_files
from assaykit.io.plates import exclusion_patterns, read_plate_counts, read_tubes
from assaykit.io.tables import find_column, read_raw_table
from assaykit.plausible import check_nM_value

__all__ = ["counts_reader", "read_kd_table"]


def counts_reader(
    sheet: str | None = None,
    compound: str | None = None,
    layout: str | Path | None = None,
    exclude_wells: str | Sequence[str] | None = None,
) -> Callable[[Sequence[str | Path]], pd.DataFrame]:
    """Return the reader of a run's counts files: long/wide/Prism files, or plate grids with a layout.

    The options are checked here, before any output is staged or file read. A counter's plate grid given
    without a layout gets an error that says what it is (:func:`assaykit.io.plates.grid_hint`).
    """
    patterns = exclusion_patterns(exclude_wells, layout)
    if layout is None:
        return partial(read_tubes, read_counts_files, sheet=sheet, compound=compound)
    if compound is not None:
        raise AssayInputError("--compound is for wide files; with --layout the compounds are the layout's")
    return partial(read_plate_counts, layout=layout, sheet=sheet, exclude_wells=patterns)


def read_kd_table(path: str | Path, dataset: str | None = None) -> tuple[float, float]:
    """Read the radioligand's Kd and its SE (nM) from a results table, e.g. a saturation analysis.

    Parameters
    ----------
    path
        A CSV, TSV or XLSX table with the columns ``kd_nM`` and ``kd_se_nM`` (as ``assaykit saturation``
        writes them, and as the ``homologous`` model's results have them).
    dataset
        The row to use, by its ``dataset`` column (or, without one, its ``compound`` column); may be None
        when the table has a single row.

    Returns
    -------
    tuple of float
        ``(kd_nM, kd_se_nM)``.

    Raises
    ------
    AssayInputError
        When a column is missing, the row cannot be chosen, a value is not a positive number (SE >= 0), or
        the Kd lies outside the plausible window (:func:`assaykit.plausible.check_nM_value`).

    Warns
    -----
    UserWarning
        When the chosen row has quality flags (a ``flags`` column that is not empty).
    """
    table = read_raw_table(path)
    kd_col, se_col = (find_column(table, name, path=path, required=False) for name in ("kd_nM", "kd_se_nM"))
    if kd_col is None or se_col is None:
        listing = ", ".join(map(str, table.columns))
        raise AssayInputError(
            f"--kd-from needs the columns kd_nM and kd_se_nM (as 'assaykit saturation' writes them); "
            f"the columns are {listing}",
            path=path,
        )
    key = find_column(table, "dataset", path=path, required=False)
    key = key or find_column(table, "compound", path=path, required=False)
    if dataset is None:
        if len(table) != 1:
            names = "" if key is None else f" (its {key} column: {', '.join(table[key].str.strip())})"
            raise AssayInputError(
                f"the table has {len(table)} rows; choose one with --kd-dataset{names}", path=path
            )
        row = table.iloc[0]
    else:
        if key is None:
            raise AssayInputError("--kd-dataset needs a dataset (or compound) column in the table", path=path)
        chosen = table[table[key].str.strip() == dataset.strip()]
        if len(chosen) != 1:
            problem = "no row" if chosen.empty else f"{len(chosen)} rows"
            names = ", ".join(dict.fromkeys(table[key].str.strip()))
            raise AssayInputError(f"{problem} with {key} '{dataset}'; the table has {names}", path=path)
        row = chosen.iloc[0]
    flags = find_column(table, "flags", path=path, required=False)
    not_fitted = flags is not None and str(row[flags]).strip().startswith("not_fitted")
    values = []
    for column, allow_zero in ((kd_col, False), (se_col, True)):
        text = str(row[column]).strip()
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and (value >= 0 if allow_zero else value > 0)):
            what = f"'{text}' is not a valid {column}" if text else f"empty {column}"
            expected = ">= 0" if allow_zero else "a positive number"
            why = f"; the row was not fitted ({str(row[flags]).strip()})" if not_fitted else ""
            raise AssayInputError(f"{what} ({expected}){why}", path=path, row=int(row.name), column=column)
        values.append(value)
    found = check_nM_value(values[0], kd_col, kind="kd")
    if found is not None and found.error:  # warnings come from the analysis, which checks --kd
        raise AssayInputError(found.message, path=path, row=int(row.name), column=kd_col)
    if flags is not None and str(row[flags]).strip():
        warnings.warn(f"{path}: the Kd row is flagged ({row[flags]}); check it before using it", stacklevel=2)
    return values[0], values[1]
