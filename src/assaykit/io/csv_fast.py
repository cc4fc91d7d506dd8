"""Delimited text for result tables, byte for byte what ``DataFrame.to_csv(index=False)`` writes, faster.

:func:`write_csv` first rounds the table's floats to 10 significant digits
(:func:`assaykit.io.significant.rounded_frame`, which says why), then writes exactly what pandas writes
of the rounded table: ``1.8000000000000007`` becomes ``1.8``.

pandas hands every cell to the standard library's ``csv.writer`` one by one, about 3 us a cell. Here each
column becomes a list of strings at once (``repr`` of the Python floats for ``float64``, which is the
shortest round-trip text that pandas' ``astype(str)`` writes too, and nothing at all for an all-NaN
column), only the columns holding a separator, a quote or a line break are quoted, and the rows are
joined with ``str.join``.

Only column types whose text is known exactly are formatted here: numpy floats, integers and booleans,
strings (``str``/``string`` dtypes and object columns holding nothing but strings and missing values),
the nullable ``Int*``/``UInt*``/``boolean`` types and categoricals of strings, integers or booleans. A
table with any other column (datetimes, timedeltas, periods, intervals, complex, ``Float*``, sparse,
object columns mixing other objects, categoricals of floats or dates), with a column label that is not a
string, or without columns is written by pandas itself, so the file is always the one pandas would write.
"""

# Kept over DataFrame.to_csv (benchmarks/review_copies.md): 2.7x faster, 13 s of a 1M-curve run.

from __future__ import annotations

import csv
import functools
import io
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.io.significant import SIGNIFICANT_DIGITS, rounded_frame

#: Cells formatted and joined at a time (rows per chunk = this / number of columns), to bound memory.
CHUNK_CELLS = 1_000_000

#: What a missing value (NaN, None, ``pd.NA``) becomes, as pandas' default ``na_rep``.
MISSING = ""

#: The quote character and the quoted single empty field of ``csv.writer`` (``QUOTE_MINIMAL``).
QUOTE = '"'
EMPTY_RECORD = '""'

#: Every character the text of a number or boolean can hold ('-1.5e+20', 'inf', 'nan', 'True', 'False').
NUMERIC_CHARACTERS = frozenset("0123456789+-.eEinfaTrueFls")


@dataclass(frozen=True)
class TextColumn:
    """One column ready to turn into strings, a slice of rows at a time.

    Attributes
    ----------
    values
        The column's values, in a form ``to_text`` understands.
    to_text
        Turns a slice of ``values`` into one string per value.
    missing
        True where the value is missing and is written as an empty field; None when nothing is missing.
    textual
        True when the values are arbitrary strings; False for numbers and booleans, whose text needs
        quotes only with a separator such as '.' or '-'.
    """

    values: np.ndarray
    to_text: Callable[[np.ndarray], list[str]]
    missing: np.ndarray | None = None
    textual: bool = False

    def strings(self, start: int, stop: int) -> list[str]:
        """Return the (unquoted) text of rows ``start:stop``.

        Parameters
        ----------
        start, stop
            The row slice.

        Returns
        -------
        list of str
            One string per row, missing values as empty strings.
        """
        texts = self.to_text(self.values[start:stop])
        if self.missing is not None:
            for i in np.flatnonzero(self.missing[start:stop]).tolist():
                texts[i] = MISSING
        return texts


def float_reprs(values: np.ndarray) -> list[str]:
    """Return ``repr`` of each ``float64`` value: '0.1', '3.0', '1e-05', '1e+20', 'inf', '-0.0'."""
    return list(map(repr, values.tolist()))


def numpy_strings(values: np.ndarray) -> list[str]:
    """Return numpy's ``astype(str)`` of each value (shortest text of a float32 as a float32)."""
    return values.astype(str).tolist()


def python_strings(values: np.ndarray) -> list[str]:
    """Return ``str`` of each value as a Python object: '12', '-3', 'True'."""
    return list(map(str, values.tolist()))


def as_is(values: np.ndarray) -> list[str]:
    """Return the values of an object array already holding strings (missing ones replaced later)."""
    return values.tolist()


def empty_strings(values: np.ndarray) -> list[str]:
    """Return one empty field per value, for a column with nothing in it."""
    return [MISSING] * len(values)


def numpy_column(values: np.ndarray) -> TextColumn | None:
    """Plan a column held in a plain numpy array, or None when its dtype is not handled here.

    Parameters
    ----------
    values
        The column's values.

    Returns
    -------
    TextColumn or None
        How to write the column; None for datetimes, timedeltas, complex numbers and objects other
        than strings.
    """
    kind = values.dtype.kind
    if kind == "f":
        missing = np.isnan(values)
        if missing.all():
            return TextColumn(values, empty_strings)
        to_text = float_reprs if values.dtype == np.float64 else numpy_strings
        return TextColumn(values, to_text, missing if missing.any() else None)
    if kind in "iub":
        return TextColumn(values, python_strings)
    if kind == "O":
        return object_column(values, np.asarray(pd.isna(values), dtype=bool))
    return None


def object_column(values: np.ndarray, missing: np.ndarray) -> TextColumn | None:
    """Plan an object column whose every value is a string or missing; None if it holds anything else.

    Parameters
    ----------
    values
        An object array.
    missing
        True where pandas counts the value as missing (``pd.isna``).

    Returns
    -------
    TextColumn or None
        How to write the column; None when a present value is not a string.
    """
    present = values[~missing].tolist()
    if not all(isinstance(value, str) for value in present):
        return None
    return TextColumn(values, as_is, missing if missing.any() else None, textual=True)


def category_column(series: pd.Series) -> TextColumn | None:
    """Plan a categorical column: the text of each category, looked up by code (missing as empty).

    Parameters
    ----------
    series
        A column of ``category`` dtype.

    Returns
    -------
    TextColumn or None
        How to write the column; None when the categories are not strings, integers or booleans (a
        categorical without categories is all missing, whatever the dtype of its empty categories).
    """
    categories = series.cat.categories
    codes = series.cat.codes.to_numpy()
    if len(categories) == 0:
        return TextColumn(codes, empty_strings)
    if categories.dtype.kind not in "iubO":
        return None
    planned = column_plan(pd.Series(categories))
    if planned is None:
        return None
    texts = np.array([*planned.strings(0, len(categories)), MISSING], dtype=object)
    return TextColumn(texts[codes], as_is, textual=True)


def column_plan(series: pd.Series) -> TextColumn | None:
    """Plan how to write one column exactly as pandas would, or None to leave the table to pandas.

    Parameters
    ----------
    series
        The column.

    Returns
    -------
    TextColumn or None
        How to write the column, or None for a dtype not handled here.
    """
    dtype = series.dtype
    array = series.array
    if isinstance(dtype, np.dtype):
        return numpy_column(series.to_numpy())
    if isinstance(dtype, pd.CategoricalDtype):
        return category_column(series)
    if isinstance(dtype, pd.StringDtype):
        return object_column(np.asarray(array.to_numpy(dtype=object)), np.asarray(array.isna()))
    if isinstance(array, pd.arrays.IntegerArray | pd.arrays.BooleanArray):
        missing = np.asarray(array.isna())
        values = array.to_numpy(dtype=dtype.numpy_dtype, na_value=0)
        return TextColumn(values, python_strings, missing if missing.any() else None)
    return None


def table_plan(frame: pd.DataFrame) -> list[TextColumn] | None:
    """Plan every column of ``frame``, or return None if any one of them (or the header) needs pandas.

    Parameters
    ----------
    frame
        The table.

    Returns
    -------
    list of TextColumn or None
        One plan per column, in order; None when pandas should write the table.
    """
    if not isinstance(frame, pd.DataFrame) or frame.shape[1] == 0:
        return None
    if not all(isinstance(label, str) for label in frame.columns):
        return None
    plans = []
    for position in range(frame.shape[1]):
        plan = column_plan(frame.iloc[:, position])
        if plan is None:
            return None
        plans.append(plan)
    return plans


@functools.lru_cache(maxsize=8)
def quoted_characters(sep: str, lineterminator: str) -> str:
    """Return the characters that make ``csv.writer`` (``QUOTE_MINIMAL``) quote a field.

    Asked of the csv module itself, since Python versions differ on line breaks that are not part of
    the line terminator.

    Parameters
    ----------
    sep
        The one-character field separator.
    lineterminator
        The end of each line.

    Returns
    -------
    str
        The characters, each at most once.
    """
    candidates = dict.fromkeys([sep, QUOTE, "\n", "\r", *lineterminator])
    found = []
    for char in candidates:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=sep, lineterminator=lineterminator).writerow([f"a{char}b"])
        if buffer.getvalue().startswith(QUOTE):
            found.append(char)
    return "".join(found)


class Quoter:
    """Quote fields as ``csv.writer`` with ``QUOTE_MINIMAL`` and ``doublequote=True`` does.

    Parameters
    ----------
    sep
        The one-character field separator.
    lineterminator
        The end of each line.
    """

    def __init__(self, sep: str, lineterminator: str) -> None:
        special = quoted_characters(sep, lineterminator)
        self._special = re.compile(f"[{re.escape(special)}]")
        self._numbers_plain = NUMERIC_CHARACTERS.isdisjoint(special)

    def field(self, text: str) -> str:
        """Return ``text`` quoted (inner quotes doubled) if it holds a special character, else as is."""
        if self._special.search(text) is None:
            return text
        return QUOTE + text.replace(QUOTE, QUOTE + QUOTE) + QUOTE

    def column(self, texts: list[str], textual: bool = True) -> list[str]:
        """Return the fields of a column, quoted where needed (one scan, or none for numbers, if none is)."""
        if not textual and self._numbers_plain:
            return texts
        if self._special.search("".join(texts)) is None:
            return texts
        return [self.field(text) for text in texts]


def join_rows(columns: list[list[str]], sep: str) -> Iterable[str]:
    """Return the lines (without terminator) of quoted column texts.

    Parameters
    ----------
    columns
        The quoted text of each column, all of the same length.
    sep
        The field separator.

    Returns
    -------
    iterable of str
        One line per row. A row that is a single empty field is written ``""``, as ``csv.writer`` does.
    """
    if len(columns) == 1:
        return [text or EMPTY_RECORD for text in columns[0]]
    return map(sep.join, zip(*columns, strict=True))


def write_csv(
    frame: pd.DataFrame, path: str | Path, sep: str = ",", digits: int | None = SIGNIFICANT_DIGITS
) -> None:
    """Write ``frame``, its floats rounded to ``digits`` significant digits, byte for byte as pandas does.

    The file holds the bytes of ``rounded_frame(frame, digits).to_csv(path, index=False, sep=sep)``
    (:func:`assaykit.io.significant.rounded_frame`): each float64 as the shortest text of its value
    rounded to ``digits`` significant digits (``1.8``, ``3200.0``, ``1e-09``), NaN as an empty field.

    Parameters
    ----------
    frame
        The table. Tables with a column type not handled here are written by pandas (rounded too).
    path
        Output file (UTF-8, lines ended by ``os.linesep`` as pandas does).
    sep
        One-character field separator.
    digits
        Significant digits kept (default :data:`~assaykit.io.significant.SIGNIFICANT_DIGITS`, 10); None
        writes every float unrounded, with the shortest text that reads back the same double.
    """
    if digits is not None and isinstance(frame, pd.DataFrame):
        frame = rounded_frame(frame, digits)
    plans = table_plan(frame)
    if plans is None:
        frame.to_csv(path, index=False, sep=sep)
        return
    lineterminator = os.linesep
    quoter = Quoter(sep, lineterminator)
    header = [quoter.field(label) for label in frame.columns]
    n_rows = len(frame)
    step = max(1, CHUNK_CELLS // len(plans))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        [header_line] = join_rows([[label] for label in header], sep)
        handle.write(header_line + lineterminator)
        for start in range(0, n_rows, step):
            stop = min(start + step, n_rows)
            columns = [quoter.column(plan.strings(start, stop), plan.textual) for plan in plans]
            handle.write(lineterminator.join(join_rows(columns, sep)) + lineterminator)
