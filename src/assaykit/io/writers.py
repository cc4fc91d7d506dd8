"""Write result tables whole or not at all (CSV, TSV, JSON, XLSX chosen by extension).

The text formats (CSV, TSV, JSON) hold each float rounded to 10 significant digits, written as the
shortest text of the rounded value (``1.8``, not ``1.8000000000000007``): far more digits than any reported
number is worth, and none of the arithmetic's noise (:mod:`assaykit.io.significant` says why ten). The
``.xlsx`` cells hold the doubles unrounded: Excel shows 15 digits of a number and reads the cell as the
value itself, so there is no text to clean.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.csv_fast import write_csv
from assaykit.io.significant import SIGNIFICANT_DIGITS, round_floats_in, round_significant, rounded_frame
from assaykit.io.xlsx_write import checked_sheets, write_xlsx

#: File extensions ``write_table`` understands.
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".xlsx")


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` and move it into place only if the block succeeds.

    The file appears whole or not at all: a crash or an exception while writing leaves any earlier file
    at ``path`` untouched and no partial file behind. An ``OSError`` while writing (a full disk) becomes an
    :class:`~assaykit.errors.AssayInputError` naming ``path``. For the several outputs of one run, use
    :class:`assaykit.io.outputs.OutputSet`, which commits them together.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise AssayInputError("output folder does not exist", path=path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise AssayInputError(f"could not write it ({exc.strerror or exc})", path=path) from exc
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        try:
            yield tmp_path
        except OSError as exc:
            raise AssayInputError(f"could not write it ({exc.strerror or exc})", path=path) from exc
        # mkstemp makes the file private (0600); give the result the permissions of a normal new file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_table(table: pd.DataFrame | Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write a tidy table (or several, as named sheets) atomically, in the format of the file extension.

    Parameters
    ----------
    table
        The table to write. A mapping of sheet name to table writes one sheet each to ``.xlsx``, and for
        the text formats writes only the first table.
    path
        Output file. ``.csv``, ``.tsv``/``.txt`` (tab-separated; the bytes of pandas'
        ``to_csv(index=False)`` of the table with its floats rounded to 10 significant digits, formatted
        faster by :func:`assaykit.io.csv_fast.write_csv`), ``.json`` (a list of records, floats rounded
        likewise, NaN as null: :func:`write_json`) or ``.xlsx``
        (:func:`assaykit.io.xlsx_write.write_xlsx`: numbers as numbers, unrounded, NaN as empty cells,
        strings as text, never formulas; the header row frozen).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    AssayInputError
        When the extension is not one of the supported ones or the folder does not exist, or (``.xlsx``)
        a table has more rows or columns than an Excel sheet holds
        (:func:`assaykit.io.xlsx_write.checked_sheets`).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise AssayInputError(
            f"unknown output format '{suffix or path.name}'; expected one of {', '.join(TABLE_SUFFIXES)}",
            path=path,
        )
    if suffix == ".xlsx":  # Excel's limits, before any file is made
        checked_sheets(table if isinstance(table, Mapping) else {"results": table}, path)
    with atomic_path(path) as tmp:
        write_table_to(table, tmp, suffix)
    return path


def write_table_to(table: pd.DataFrame | Mapping[str, pd.DataFrame], path: str | Path, suffix: str) -> None:
    """Write a table to ``path`` (not atomically) in the format of ``suffix``, whatever ``path`` is named.

    The step under :func:`write_table` and :meth:`assaykit.io.outputs.OutputSet.table`, which write to a
    temporary file and move it into place.

    Parameters
    ----------
    table, path
        As for :func:`write_table`.
    suffix
        One of :data:`TABLE_SUFFIXES` (lower case): the format.
    """
    sheets = dict(table) if isinstance(table, Mapping) else {"results": table}
    first = next(iter(sheets.values()))
    if suffix == ".csv":
        write_csv(first, path)
    elif suffix in {".tsv", ".txt"}:
        write_csv(first, path, sep="\t")
    elif suffix == ".json":
        write_json(first, path)
    else:
        write_xlsx(sheets, path)


def write_json(frame: pd.DataFrame, path: str | Path, digits: int | None = SIGNIFICANT_DIGITS) -> None:
    """Write ``frame`` as a JSON list of records (one object per row, keys in column order), UTF-8.

    Floats are rounded to ``digits`` significant digits (:func:`assaykit.io.significant.round_significant`)
    and written by orjson as the shortest text of the rounded double (``1.8``, ``3200.0``, ``1e-9``); NaN
    and infinities are ``null``, as pandas writes them. pandas' ``to_json`` cannot do this: it writes up to
    15 decimals (``12345.6789`` as ``12345.678900000000794``) and so keeps only six significant digits of a
    number below 1e-9 (``1.23456789e-10`` as ``0.000000000123457``). Float, integer, boolean and string
    columns are converted here (:func:`json_values`); every other column (categoricals, nullable integers,
    dates, object columns holding more than strings) is encoded by pandas as before (``to_json``, dates as
    epoch milliseconds, missing values as ``null``), its floats rounded first and after.

    Parameters
    ----------
    frame
        The table. Its column labels must be unique (pandas' rule for records), and become strings.
    path
        Output file.
    digits
        Significant digits kept (default 10); None writes every float unrounded.

    Raises
    ------
    ValueError
        When the column labels are not unique.
    """
    import orjson  # a dependency, imported when a JSON file is written (startup time)

    if not frame.columns.is_unique:
        raise ValueError(f"column labels must be unique for a JSON list of records: {list(frame.columns)}")
    columns: list[list[object] | None] = []
    others = []
    for position in range(frame.shape[1]):
        values = json_values(frame.iloc[:, position], digits)
        if values is None:
            others.append(position)
        columns.append(values)
    if others:
        subset = frame.iloc[:, others]
        if digits is not None:
            subset = rounded_frame(subset, digits)
        rows = json.loads(subset.to_json(orient="values", double_precision=15))
        for j, position in enumerate(others):
            decoded = [row[j] for row in rows]
            columns[position] = decoded if digits is None else round_floats_in(decoded, digits)
    names = [str(label) for label in frame.columns]
    if names:
        records = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    else:
        records = [{} for _ in range(len(frame))]
    text = orjson.dumps(records, option=orjson.OPT_INDENT_2)
    Path(path).write_bytes(text + b"\n")


def json_values(series: pd.Series, digits: int | None) -> list[object] | None:
    """Return a numeric or boolean column as Python values for orjson, or None to let pandas encode it.

    Parameters
    ----------
    series
        The column.
    digits
        Significant digits to keep of floats; None keeps them unrounded.

    Returns
    -------
    list or None
        Floats (rounded; NaN and infinities, which orjson writes as ``null``, kept), integers and booleans
        for numpy float, integer and boolean columns and nullable ``Float*`` columns; strings and None
        for string columns (:func:`text_values`); None otherwise.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype) or (isinstance(dtype, np.dtype) and dtype.kind == "O"):
        return text_values(series)
    if isinstance(dtype, pd.Float32Dtype | pd.Float64Dtype):
        values = series.to_numpy(dtype=dtype.numpy_dtype, na_value=np.nan)
    elif isinstance(dtype, np.dtype) and dtype.kind in "fiub":
        values = series.to_numpy()
    else:
        return None
    if values.dtype.kind != "f":
        return values.tolist()
    if values.dtype != np.float64:  # float32: the shortest text of the float32, as CSV writes it
        values = values.astype(str).astype(np.float64)
    if digits is not None:
        values = round_significant(values, digits)
    return values.tolist()


def text_values(series: pd.Series) -> list[object] | None:
    """Return a column of strings as strings and None (for any missing value), or None if it holds more.

    Parameters
    ----------
    series
        A ``str``/``string`` or object column.

    Returns
    -------
    list or None
        The values, missing ones (None, NaN, ``pd.NA``, NaT) as None; None when a present value is not a
        string (the column is then encoded by pandas).
    """
    values = series.to_numpy(dtype=object)
    missing = np.asarray(pd.isna(values), dtype=bool)
    texts = values.tolist()
    for i in np.flatnonzero(missing).tolist():
        texts[i] = None
    if not all(isinstance(text, str) for text, gone in zip(texts, missing.tolist(), strict=True) if not gone):
        return None
    return texts
