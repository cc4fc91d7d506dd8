"""Read a long text table fast: pandas' C parser behind the checks of ``read_raw_table``.

:func:`read_text_table` gives the table ``read_raw_table`` gives (the same strings, ``source_row`` index and
``attrs``), with the number columns parsed by pandas, or None for a file it might split differently, which
``read_raw_table`` then reads with the ``csv`` module. It is pandas' own parser: a screening file of 10,000
curves reads about as fast as ``pandas.read_csv``.
"""

# Kept beside pandas.read_csv (which it calls): each cell's text and line, row/column messages.

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assaykit.distinct import number_block
from assaykit.heap import trim_heap
from assaykit.io.ascii_text import AsciiText
from assaykit.io.tables import SOURCE_ROW, blank_cells
from assaykit.io.text_files import is_blank, load_source, table_suffix

#: Rows parsed at a time by ``read_text_table`` (about 40 MB of a counts file's text).
BLOCK_ROWS = 1 << 20


# From pandas 3.1 read_csv parses numbers with fast_float, rounding as float() does; older "high" may not.
_EXACT_FLOATS = tuple(int(p) for p in pd.__version__.split(".")[:2] if p.isdigit()) >= (3, 1)


def read_text_table(
    path: str | Path,
    *,
    numbers: Callable[[list[str]], Collection[str] | None],
    categorical: bool = False,
) -> pd.DataFrame | None:
    """Read a CSV/TSV/TXT file as ``read_raw_table(path)`` does, with pandas' C parser: fast for big files.

    Parameters
    ----------
    path
        The file.
    numbers
        Called with the header row's names (stripped; ``""`` for an empty header cell); returns the names of
        the columns to read as numbers, or None to decline the file.
    categorical
        Return the text columns as ``pandas.Categorical`` (the distinct texts as categories, in order of
        first appearance) instead of object arrays: a screen of a million curves repeats each compound and
        plate name in 33 or more rows, and a code per cell takes a fraction of a pointer to a string.

    Returns
    -------
    pandas.DataFrame or None
        The table ``read_raw_table(path)`` returns (the same columns, rows, strings, ``source_row`` index
        and ``attrs``), but with float64 numbers (as ``float(cell)`` parses them, NaN where empty) in the
        ``numbers`` columns; strings there too when one of their cells is not a plain number (``1,5``,
        ``nan``) or pandas is older than 3.1 (which may round differently). None for a workbook, or a file
        that pandas might split differently from ``read_raw_table``: a quoted field spanning lines, a lone
        carriage return, a NUL or byte-order mark, a row longer than the header, a header naming a column
        twice, no data row. ``read_raw_table`` then gives the table or the error.

    Raises
    ------
    AssayInputError
        As ``read_raw_table``, when the file is missing, not a table file or not text.
    """
    path = Path(path)
    suffix = table_suffix(path)
    if suffix == ".xlsx":
        return None
    text, delimiter = load_source(path, suffix)
    try:
        return _read_source(path, text, delimiter, numbers, categorical)
    finally:
        if isinstance(text, AsciiText):
            text.close()


def _read_source(
    path: Path,
    text: str | AsciiText,
    delimiter: str,
    numbers: Callable[[list[str]], Collection[str] | None],
    categorical: bool,
) -> pd.DataFrame | None:
    """Do the work of :func:`read_text_table` once the file's text is at hand."""
    if "\x00" in text or "\ufeff" in text or ("\r" in text and text.count("\r") != text.count("\r\n")):
        return None
    ends: list[int] = []  # where each line read so far ends

    def lines() -> Iterator[str]:  # as io.StringIO(text, newline="") gives them, without copying the text
        while (start := ends[-1] if ends else 0) < len(text):
            ends.append(text.find("\n", start) + 1 or len(text))
            yield text[start : ends[-1]]

    reader = csv.reader(lines(), delimiter=delimiter)
    header_row = 1
    try:
        for cells in reader:
            if not is_blank(cells):
                break
            header_row = reader.line_num + 1
        else:
            return None
    except csv.Error:
        return None
    names = [c.strip() for c in cells]
    wanted = numbers(list(names))
    columns = [name or f"unnamed_{i + 1}" for i, name in enumerate(names)]
    if wanted is None or len(set(columns)) < len(columns):
        return None
    floats = [c for c in columns if c in wanted] if _EXACT_FLOATS else []
    start = ends[-1]  # the body starts after the header record's last line
    if isinstance(text, AsciiText) and reader.line_num == 1 and '"' not in text[:start]:
        body: tuple[bytes, int] | Path = path  # the rows start on line 2: pandas reads the file itself
    else:
        body = (text.encode("utf-8"), len(text[:start].encode("utf-8")))
    frame = _parse_body(body, delimiter, columns, floats, categorical)  # pandas refuses a row too long
    if frame is None:
        # one more column, as a row may have one more cell than the header (read_raw_table raises if that
        # cell holds a value): read as numbers, which are quick to find empty
        names, columns = [*names, ""], [*columns, f"unnamed_{len(columns) + 1}"]
        frame = _parse_body(body, delimiter, columns, [*floats, columns[-1]], categorical)
    # one row per line (only a quoted field could span lines): row i is on line (header's last) + 1 + i
    if frame is None or (
        text.find('"', start) >= 0 and len(frame) != text.count("\n", start) + (not text.endswith("\n"))
    ):
        return None
    first_line = reader.line_num + 1
    frame.index = pd.Index(
        np.arange(first_line, first_line + len(frame), dtype=np.int64), name=SOURCE_ROW, copy=False
    )
    attrs = {"source": str(path), "format": "text", "delimiter": delimiter, "header_row": header_row}
    return _finish_body(frame, names, attrs)


def _parse_body(
    body: tuple[bytes, int] | Path,
    delimiter: str,
    columns: list[str],
    floats: list[str],
    categorical: bool = False,
) -> pd.DataFrame | None:
    """Parse the rows with pandas; the ``floats`` as numbers if all are, else as text.

    ``body`` is the text (UTF-8) and the byte where the rows start, or a file whose rows start on line 2.
    The rows are parsed in blocks of ``BLOCK_ROWS`` and each block's columns kept as arrays (the text ones
    as codes when ``categorical``): pandas' parser holds all its tokens until it assembles one frame, which
    for a million-curve screen is more memory than the table itself.
    """
    options: dict[str, Any] = {"sep": delimiter, "header": None, "names": columns, "index_col": False}
    options.update(keep_default_na=False, skip_blank_lines=False, engine="c", encoding="utf-8")
    for numbers in [floats, []]:
        dtype = {c: "float64" if c in numbers else object for c in columns}
        if isinstance(body, Path):
            source: Any = str(body)
            options["skiprows"] = 1
        else:
            source = io.BytesIO(body[0])
            source.seek(body[1])
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # a first row too long for the columns
            try:
                blocks = pd.read_csv(
                    source,
                    dtype=dtype,
                    na_values=dict.fromkeys(numbers, [""]),
                    chunksize=BLOCK_ROWS,
                    **options,
                )
                with blocks:
                    return _assemble(blocks, columns, numbers, categorical)
            except pd.errors.ParserWarning:
                return None
            except ValueError:  # a cell that is not a number; a row too long for the columns; no row
                continue
    return None


def _assemble(
    blocks: Iterable[pd.DataFrame], columns: list[str], numbers: list[str], categorical: bool
) -> pd.DataFrame:
    """Join the blocks' columns into one frame; text columns as categoricals when ``categorical``."""
    parts: dict[str, list[np.ndarray]] = {c: [] for c in columns}
    seen: dict[str, dict[str, int]] = {c: {} for c in columns}  # each text column's categories so far
    for block in blocks:
        for c in columns:
            values = block[c].to_numpy(dtype=np.float64 if c in numbers else object)
            if categorical and c not in numbers:  # this block's codes, as positions among all categories
                values = number_block(values, seen[c])
            parts[c].append(values)
    if not parts[columns[0]]:
        raise ValueError("no row")
    trim_heap()  # the blocks' arrays, freed: their pages back before the columns are joined
    data: dict[str, Any] = {}
    for c in columns:
        joined = np.concatenate(parts.pop(c))
        if categorical and c not in numbers:
            categories = pd.Index(list(seen[c]), dtype=object)
            joined = pd.Categorical.from_codes(
                _small_codes(joined, len(categories)), dtype=pd.CategoricalDtype(categories)
            )
        data[c] = joined if joined.dtype != object else pd.Series(joined, dtype=object, copy=False)
    return pd.DataFrame(data, copy=False)


def _small_codes(codes: np.ndarray, n: int) -> np.ndarray:
    """Return ``codes`` in the smallest integer type that holds ``-1 .. n - 1``, as pandas stores them."""
    for kind in (np.int8, np.int16, np.int32):
        if n < np.iinfo(kind).max:
            return codes.astype(kind)
    return codes


def _column_cells(column: pd.Series) -> np.ndarray | pd.Categorical:
    """Return a column's cells: a categorical as it is (not a string per cell), anything else as numpy."""
    return column.array if isinstance(column.dtype, pd.CategoricalDtype) else column.to_numpy()


def _finish_body(frame: pd.DataFrame, names: list[str], attrs: dict[str, object]) -> pd.DataFrame | None:
    """Drop blank rows and empty unnamed columns as ``promote_header`` does; None where it would raise."""
    blank = None  # whether each row is blank in the columns seen so far
    for column in sorted(frame.columns, key=lambda c: frame[c].dtype.kind != "f"):  # numbers are quick
        values = _column_cells(frame[column])

        if blank is None:
            blank = blank_cells(values)
        else:
            rows = np.flatnonzero(blank)
            blank[rows] = blank_cells(values[rows])
    assert blank is not None
    last_named = max((i for i, name in enumerate(names) if name), default=-1)
    keep = [
        c
        for i, c in enumerate(frame.columns)
        if names[i] or not blank_cells(_column_cells(frame[c])[~blank]).all()
    ]
    if blank.all() or any(list(frame.columns).index(c) > last_named for c in keep):
        return None  # no data row, or a value beyond the header: read_raw_table raises
    frame = frame[keep] if len(keep) < len(frame.columns) else frame
    frame = frame[~blank] if blank.any() else frame
    frame.attrs = attrs
    return frame
