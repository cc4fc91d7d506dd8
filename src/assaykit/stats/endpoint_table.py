"""Reading a table of endpoints, one row per animal: what ``assaykit compare`` takes.

CSV, TSV, XLSX (first sheet) or JSON records; numbers where every cell is a number (a decimal comma in a
semicolon-separated file), text otherwise; design columns stay text.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.tables import find_column, read_raw_table
from assaykit.io.tracks import MISSING_TOKENS
from assaykit.stats.inputs import DESIGN_INFO

#: A number written with a decimal comma (``1,5``; ``-0,25``; ``2,5e-3``).
_DECIMAL_COMMA = r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?"


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
