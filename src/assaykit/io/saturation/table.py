"""Check a table of saturation tubes (cells as read, one row per tube) and build the canonical frame.

:func:`saturation_from_frame` is the public entry for tables in memory; the readers of
:mod:`assaykit.io.saturation`, of plate grids (:mod:`assaykit.io.plates`) and of Prism files
(:mod:`assaykit.io.prism`) hand their tables to :func:`from_table`, so that every route gives the same
frame and the same messages.
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.input_files import with_hint
from assaykit.io.number_cells import thousands_position, thousands_problem
from assaykit.io.row_problems import RowProblems
from assaykit.io.saturation_columns import (
    DATASET_COLUMNS,
    KIND_NAMES,
    KIND_TEXT,
    SATURATION_COLUMNS,
    SIGNAL_COLUMNS,
    SPECIFIC,
    specific_column,
)
from assaykit.io.saturation_columns import conc_column as find_conc_column
from assaykit.io.tables import SOURCE_ROW, find_column
from assaykit.plausible import check_concentrations, looks_like_log_molar, report_range


def saturation_from_frame(
    df: pd.DataFrame, *, specific: bool = False, source: str = "<data>"
) -> pd.DataFrame:
    """Check an in-memory table of tubes and return the canonical saturation frame.

    Parameters
    ----------
    df
        One row per tube, with the columns described in :func:`read_saturation`. Cells may be strings or
        numbers; NaN and None count as empty. It is not modified.
    specific
        As in :func:`read_saturation`.
    source
        What to call the data in messages and in ``attrs["source"]``; the data set when there is no dataset
        column.

    Returns
    -------
    pandas.DataFrame
        The canonical saturation frame; ``source_row`` is the line the row would have in a CSV written with
        ``df.to_csv(index=False)`` (position + 2).

    Raises
    ------
    AssayInputError
        As :func:`read_saturation`.

    Examples
    --------
    >>> frame = pd.DataFrame({"kind": ["total", "nsb"], "conc_nM": [1.0, 1.0], "cpm": [3000, 200]})
    >>> saturation_from_frame(frame)[["dataset", "kind", "conc_nM", "signal"]]
      dataset   kind  conc_nM  signal
    0  <data>  total      1.0  3000.0
    1  <data>    nsb      1.0   200.0
    """
    table = df.copy()
    table.columns = pd.Index([str(c).strip() for c in table.columns])
    table.index = pd.Index(np.arange(len(table)) + 2, name=SOURCE_ROW)
    return from_table(table, source, specific=specific, stem=source, stacklevel=3)


# --------------------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------------------
def _text(value: Any) -> str:
    """Return one cell as text: strings stripped, numbers as written, missing values empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float | np.floating) and math.isnan(value):
        return ""
    if value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float | np.floating) and float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _number(text: str, decimal_comma: bool) -> float:
    """Parse a number cell; ValueError when it is not one."""
    if decimal_comma and re.fullmatch(r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?", text):
        text = text.replace(",", ".")
    return float(text)


def from_table(
    table: pd.DataFrame, path: str | Path, *, specific: bool, stem: str, stacklevel: int
) -> pd.DataFrame:
    """Check every tube of a table (one row per tube, ``source_row`` index) and build the canonical frame."""
    columns = [str(c) for c in table.columns]
    try:
        return _from_columns(table, columns, path, specific=specific, stem=stem, stacklevel=stacklevel + 1)
    except AssayInputError as exc:
        if exc.row is not None:  # a cell, not a column: the file is a saturation file
            raise
        raise with_hint(exc, columns, "saturation") from None


def _from_columns(
    table: pd.DataFrame, columns: list[str], path: str | Path, *, specific: bool, stem: str, stacklevel: int
) -> pd.DataFrame:
    conc_column, unit = find_conc_column(columns, path)
    if specific:
        signal_column, signal_unit = specific_column(columns, path)
        kind_column = None
    else:
        kind_column = find_column(columns, "kind", path=path, required=False)
        if kind_column is None:
            hint = ""
            if any(SPECIFIC.match(c.strip()) for c in columns):
                hint = "; for a file of specific binding use --specific (specific=True)"
            listing = ", ".join(f"'{c}'" for c in columns)
            raise AssayInputError(
                f"no kind column; expected a column 'kind' saying {KIND_TEXT} for every tube; "
                f"the columns are {listing}{hint}",
                path=path,
            )
        signal_column = find_column(columns, SIGNAL_COLUMNS, path=path, what="signal")
        signal_unit = signal_column.strip().lower()
    dataset_column = find_column(columns, DATASET_COLUMNS, path=path, required=False, what="dataset")
    replicate_column = find_column(columns, "replicate", path=path, required=False)
    well_column = find_column(columns, "well", path=path, required=False)  # a plate's well: kept as text

    decimal_comma = table.attrs.get("delimiter") == ";"
    problems = RowProblems(path)
    rows: list[tuple[str, str, float, float, str | None, int]] = []
    dropped: list[int] = []
    written: list[float] = []  # each tube's concentration as written, in the column's unit
    signal_texts: list[str] = []
    for line, record in zip(table.index, table.to_dict("records"), strict=True):
        line = int(line)
        signal_text = _text(record[signal_column])
        if not signal_text:
            dropped.append(line)
            continue
        if dataset_column is not None:
            dataset = _text(record[dataset_column])
            if not dataset:
                problems.add(line, "empty data set; fill in the data set of every row", dataset_column)
                continue
        else:
            dataset = stem
        if kind_column is not None:
            kind_text = _text(record[kind_column])
            kind = KIND_NAMES.get(kind_text.lower())
            if kind is None:
                what = f"unknown kind '{kind_text}'" if kind_text else "empty kind"
                problems.add(line, f"{what}; expected {KIND_TEXT}", kind_column)
                continue
        else:
            kind = "specific"
        conc_text = _text(record[conc_column])
        try:
            value = _number(conc_text, decimal_comma)
            conc = value * unit.factor / 1e-9
        except ValueError:
            message = (
                "empty concentration; every tube needs its radioligand concentration"
                if not conc_text
                else f"'{conc_text}' is not a number; expected a radioligand concentration"
            )
            problems.add(line, message, conc_column)
            continue
        if not math.isfinite(conc):
            problems.add(line, f"'{conc_text}' is not a finite concentration", conc_column)
            continue
        if not conc > 0:
            message = (
                f"concentration {conc_text} is not > 0; a tube without radioligand is no point of the curve"
            )
            if looks_like_log_molar([value]):
                message += (
                    "; it looks like a log10 molar value, but saturation binding is fitted against the "
                    "concentration itself: give 10^value in conc_M (or 10^(value + 9) in conc_nM)"
                )
            problems.add(line, message, conc_column)
            continue
        try:
            signal = _number(signal_text, decimal_comma)
        except ValueError:
            problems.add(line, f"'{signal_text}' is not a number; expected a count", signal_column)
            continue
        if not math.isfinite(signal):
            problems.add(line, f"'{signal_text}' is not a finite count", signal_column)
            continue
        if signal < 0 and not specific:
            problems.add(line, f"negative signal {signal_text}; counts cannot be negative", signal_column)
            continue
        replicate = _text(record[replicate_column]) if replicate_column is not None else ""
        rows.append((dataset, kind, conc, signal, replicate or None, line))
        written.append(value)
        signal_texts.append(signal_text)
    problems.raise_first()
    signals = np.array([row[3] for row in rows], dtype=float)
    text = table.attrs.get("format") == "text" and not specific  # workbooks hold numbers, not their display
    if text and (message := thousands_problem(signals, signal_texts.__getitem__)) is not None:
        line = rows[thousands_position(signals)][5]  # type: ignore[index]
        raise AssayInputError(message, path=path, row=line, column=signal_column)
    if rows:
        found = check_concentrations(written, unit, kind="radioligand", rows=[row[5] for row in rows])
        report_range(found, path=path, column=conc_column, stacklevel=stacklevel)
    if dropped:
        shown = ", ".join(map(str, dropped[:20])) + (", ..." if len(dropped) > 20 else "")
        warnings.warn(
            f"{path}: dropped {len(dropped)} row{'s' if len(dropped) > 1 else ''} with an empty "
            f"'{signal_column}' cell (rows {shown})",
            UserWarning,
            stacklevel=stacklevel,
        )
    if not rows:
        raise AssayInputError(f"no tube has a '{signal_column}' value", path=path)
    out = pd.DataFrame(rows, columns=list(SATURATION_COLUMNS))
    out = out.astype({"dataset": str, "kind": str, "conc_nM": float, "signal": float, "source_row": "int64"})
    if well_column is not None:
        out["well"] = table[well_column].map(_text).reindex(out["source_row"]).to_numpy(dtype=object)
    out.attrs = {
        "source": str(path),
        "signal_unit": signal_unit,
        "conc_column": conc_column,
        "specific": specific,
        "dataset_column": dataset_column,
    }
    return out
