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

__all__ = ["GROUP_ROWS", "distinct_values", "group_codes"]

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
        The code of each value (-1 for a missing one, as ``pandas.factorize``) and the distinct values, of
        the dtype of ``values``.
    """
    if len(values) <= rows:
        codes, uniques = pd.factorize(values)
        return codes, np.asarray(uniques, dtype=values.dtype)
    seen: dict = {}
    codes = np.empty(len(values), dtype=np.intp)
    for start in range(0, len(values), rows):
        part_codes, part_uniques = pd.factorize(values[start : start + rows])
        numbers = [seen.setdefault(value, len(seen)) for value in part_uniques.tolist()]
        codes[start : start + rows] = np.array([*numbers, -1], dtype=np.intp)[part_codes]
    uniques = np.empty(len(seen), dtype=values.dtype)
    uniques[:] = list(seen)
    return codes, uniques


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
