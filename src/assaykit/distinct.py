"""Distinct values of big columns, numbered as pandas numbers them, in bounded memory.

``pandas.factorize`` and ``pandas.unique`` size their hash table by the number of values, not of distinct
ones: about 64 bytes per value for objects, so 2 GB for a column of a million-curve screen (33 million tubes)
that holds 33,000 plates. :func:`group_codes` and :func:`distinct_values` give the same results block by
block, the distinct values numbered in a dictionary, so that the table never holds more than a block.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = [
    "GROUP_ROWS",
    "column_codes",
    "column_isin",
    "column_values",
    "distinct_values",
    "group_codes",
    "number_block",
]

#: Values hashed at a time (a hash table of about 4 MB for objects).
GROUP_ROWS = 1 << 16


def group_codes(values: np.ndarray, rows: int = GROUP_ROWS) -> tuple[np.ndarray, np.ndarray]:
    """Return ``pandas.factorize(values)`` (codes by order of first appearance), computed in bounded memory.

    Each block of ``rows`` values is factorized on its own and its distinct values are numbered in a
    dictionary (in the order the blocks first show them), which gives the codes and uniques of one
    ``pandas.factorize`` of the whole column.

    Parameters
    ----------
    values
        A 1-D numpy array (strings as an object array, or integers).
    rows
        Values hashed at a time.

    Returns
    -------
    tuple of numpy.ndarray
        The code of each value (-1 for a missing one, as ``pandas.factorize``; int32 for a column of
        more than ``rows`` and fewer than 2**31 values) and the distinct values, of the dtype of ``values``.
    """
    if len(values) <= rows:
        codes, uniques = pd.factorize(values)
        return codes, np.asarray(uniques, dtype=values.dtype)
    seen: dict = {}
    codes = np.empty(len(values), dtype=np.int32 if len(values) < 2**31 - 1 else np.intp)  # half of intp
    for start in range(0, len(values), rows):
        codes[start : start + rows] = number_block(values[start : start + rows], seen)
    uniques = np.empty(len(seen), dtype=values.dtype)
    uniques[:] = list(seen)
    return codes, uniques


def number_block(values: np.ndarray, seen: dict) -> np.ndarray:
    """Return the numbers of one block of a column among the distinct values of the blocks before it.

    Parameters
    ----------
    values
        The block (a 1-D numpy array).
    seen
        Each distinct value so far and its number, in order of first appearance; the block's new values
        are added to it.

    Returns
    -------
    numpy.ndarray
        The number of each value of the block (-1 for a missing one), int32 while there are fewer than
        2**31 distinct values.
    """
    codes, uniques = pd.factorize(values)
    numbers = [seen.setdefault(value, len(seen)) for value in uniques.tolist()]
    return np.array([*numbers, -1], dtype=np.int32 if len(seen) < 2**31 - 1 else np.intp)[codes]


def distinct_values(values: np.ndarray, rows: int = GROUP_ROWS) -> np.ndarray:
    """Return ``pandas.unique(values)`` (order of first appearance, missing values kept) in bounded memory.

    As :func:`group_codes`: block by block, so that the hash table holds ``rows`` values at most.
    """
    if len(values) <= rows:
        return np.asarray(pd.unique(values), dtype=values.dtype)
    seen: dict = {}
    for start in range(0, len(values), rows):
        for value in pd.unique(values[start : start + rows]).tolist():
            seen.setdefault(_Key(value), value)
    out = np.empty(len(seen), dtype=values.dtype)
    out[:] = list(seen.values())
    return out


def column_codes(column: pd.Series | pd.Categorical) -> tuple[np.ndarray, np.ndarray]:
    """Return :func:`group_codes` of a column's values; of a categorical's codes, without a string per cell.

    Parameters
    ----------
    column
        Any column, or a categorical; a categorical column (as the canonical counts frame's texts) is
        numbered by its codes.

    Returns
    -------
    tuple of numpy.ndarray
        The code of each value by order of first appearance (-1 for a missing one) and the distinct values
        (an object array), as ``pandas.factorize(column.to_numpy(object))`` gives them.
    """
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return group_codes(column.to_numpy(object))
    cells = column.array if isinstance(column, pd.Series) else column
    codes, found = group_codes(cells.codes)
    missing = np.flatnonzero(found == -1)
    if missing.size:  # a missing cell: code -1, and not among the distinct values
        k = int(missing[0])
        codes = np.where(codes == k, -1, codes - (codes > k))
        found = np.delete(found, k)
    return codes, np.asarray(cells.categories, dtype=object)[found]


def column_values(column: pd.Series) -> np.ndarray:
    """Return :func:`distinct_values` of a column (order of first appearance); categoricals by their codes."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return distinct_values(column.to_numpy(object))
    found = distinct_values(column.cat.codes.to_numpy())
    return np.append(np.asarray(column.cat.categories, dtype=object), np.nan)[found]


def column_isin(column: pd.Series, values: list[str]) -> np.ndarray:
    """Return ``column.isin(values)`` as a numpy bool array; a categorical by its codes and a lookup table.

    (``Categorical.isin`` calls ``numpy.isin`` on the codes with its default, sorting, algorithm: an int64
    sort of every cell, a gigabyte for a million-curve screen's tubes.)
    """
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return column.isin(values).to_numpy(bool)
    codes = column.cat.codes.to_numpy()
    wanted = column.cat.categories.get_indexer_for(values)
    table = np.zeros(len(column.cat.categories) + 1, dtype=bool)  # the last: code -1, missing
    table[wanted[wanted >= 0]] = True
    return table[codes]


class _Key:
    """A dictionary key under which every float NaN is one value, as ``pandas.unique`` keeps one NaN.

    (Python hashes each NaN object by its identity; other values compare as they do, ``1 == 1.0``, as in
    pandas' hash table.)
    """

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __hash__(self) -> int:
        return hash(math.nan.__class__) if _is_nan(self.value) else hash(self.value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Key):
            return NotImplemented
        if _is_nan(self.value) or _is_nan(other.value):
            return _is_nan(self.value) and _is_nan(other.value)
        return bool(self.value == other.value)


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)
