"""Cells of a counts table as text and numbers, each distinct value parsed once.

A screen of a million curves names each compound in 33 tubes or more and repeats a few concentrations
throughout: :class:`Cells` groups a column's cells so that what is derived from them (text, role, number)
is computed once per distinct value, and :func:`canonical_text` makes the canonical frame's text columns
(categoricals, sorted as strings sort).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from assaykit.distinct import group_codes

_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$")
NUMBER, EMPTY, NOT_A_NUMBER = 0, 1, 2  # what a number cell holds


class Cells:
    """A column's cells, grouped so that what is derived from them is computed once per distinct value."""

    def __init__(
        self, cells: np.ndarray | pd.Categorical | None, size: int, default: str | None = ""
    ) -> None:
        self.cells, self.size, self.default = cells, size, default  # no column: every cell is ``default``

    @cached_property
    def groups(self) -> tuple[np.ndarray, list[Any]]:
        """Return each cell's code and the distinct values; code -1 (a missing cell) picks the last, None."""
        cells = self.cells
        if cells is None:
            return np.zeros(self.size, dtype=np.intp), [self.default]
        if isinstance(cells, pd.Categorical):  # grouped as read
            return cells.codes, [*cells.categories.tolist(), None]  # small integers: no intp copy
        try:
            codes, uniques = group_codes(cells)  # None and NaN are missing
        except TypeError:  # an unhashable cell
            return np.arange(len(cells)), [*cells, None]
        missing = cells[codes < 0] if cells.dtype == object and (codes < 0).any() else ()
        # numbers, or text and None/NaN; not other objects: 1 == 1.0 == True are one value, but not as text
        if cells.dtype.kind in "biuf" or (
            pd.api.types.infer_dtype(uniques, skipna=False) in {"string", "empty"}
            and all(v is None or isinstance(v, float) for v in missing)
        ):
            return codes, [*uniques, None]
        return np.arange(len(cells)), [*cells, None]

    @cached_property
    def texts(self) -> list[str]:
        """The text of each distinct value."""
        return [v.strip() if type(v) is str else cell_text(v) for v in self.groups[1]]

    @cached_property
    def clean(self) -> bool:
        """Tell whether every cell is a string with text and nothing to strip (grouping them if need be)."""
        coded = isinstance(self.cells, pd.Categorical)
        if self.cells is None or (self.cells.dtype != object and not coded):
            return False
        if "groups" in self.__dict__ or isinstance(
            self.cells, pd.Categorical
        ):  # grouped already: check the distinct values
            codes, values = self.groups
            return (codes >= 0).all() and all(type(v) is str and v and v.strip() is v for v in values[:-1])
        try:
            return all(type(v) is str and v and v.strip() is v for v in set(self.cells))
        except TypeError:  # an unhashable cell
            return False

    def map(self, func: Callable[[str], Any], dtype: Any = object) -> np.ndarray:
        """Apply ``func`` to the text of every cell."""
        out = np.empty(len(self.texts), dtype=dtype)
        out[:] = [func(t) for t in self.texts]
        return out[self.groups[0]]

    def text(self, empty: str | None = "") -> pd.Categorical:
        """Return the text of every cell, ``empty`` where there is none (None: missing), as codes of texts."""
        if self.clean and isinstance(self.cells, pd.Categorical):
            return self.cells
        codes, values = self.groups
        return categorical(codes, values if self.clean else [t or empty for t in self.texts])

    def empty(self) -> np.ndarray:
        """Tell which cells have no text."""
        return np.zeros(self.size, dtype=bool) if self.clean else self.map(lambda t: not t, bool)


def column_cells(column: pd.Series) -> np.ndarray | pd.Categorical:
    """Return a column's cells: numpy numbers and categoricals as they are, anything else as objects."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.array
    numeric = isinstance(column.dtype, np.dtype) and column.dtype.kind in "biuf"
    return column.to_numpy() if numeric else column.to_numpy(dtype=object)


def categorical(codes: np.ndarray, values: Sequence[Any]) -> pd.Categorical:
    """Return the categorical whose cell ``i`` is ``values[codes[i]]``; equal values (and None) merged.

    ``values`` may repeat values (``"A"`` and ``"A "`` both stripped to ``"A"``); code -1 is the last value
    (as ``Cells.groups`` gives them); None is missing.
    """
    known: dict[Any, int] = {}
    position = [-1 if v is None else known.setdefault(v, len(known)) for v in values]
    cells = np.array(position, dtype=np.int64)[codes] if len(codes) else np.empty(0, np.int64)
    return pd.Categorical.from_codes(cells, dtype=pd.CategoricalDtype(pd.Index(list(known), dtype=object)))


def canonical_text(values: np.ndarray | pd.Categorical) -> pd.Categorical:
    """Make a text column of the canonical frame: codes of the distinct texts, sorted as strings sort.

    Categories no cell uses are dropped. (Done here with one pass over the codes: pandas'
    ``remove_unused_categories`` sorts them, seconds and a gigabyte for a million-curve screen.)
    """
    cells = values if isinstance(values, pd.Categorical) else pd.Categorical(np.asarray(values, dtype=object))
    codes, names = cells.codes, np.asarray(cells.categories, dtype=object)
    seen = np.zeros(len(names) + 1, dtype=bool)  # the last: code -1, missing
    seen[codes] = True  # (np.bincount would copy a million-curve column's codes to intp first)
    used = np.flatnonzero(seen[:-1])
    order = used[np.argsort(names[used].astype(str), kind="stable")]  # the used categories, sorted
    ordered = pd.Index(names[order], dtype="str")  # str, also when empty: files join their codes
    if len(order) == len(names) and (order == np.arange(len(names))).all():
        return (
            cells
            if cells.categories.dtype == ordered.dtype
            else pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(ordered))
        )
    position = np.full(
        len(names) + 1, -1, dtype=np.int32 if len(names) < 2**31 - 1 else np.int64
    )  # -1 stays -1
    position[order] = np.arange(len(order))
    return pd.Categorical.from_codes(position[codes], dtype=pd.CategoricalDtype(ordered))


def cell_text(value: object) -> str:
    """One cell as stripped text: empty for None/NaN, ``2`` for the float 2.0."""
    if type(value) is str:
        return value.strip()
    if value is None or value is pd.NA or (isinstance(value, float | np.floating) and math.isnan(value)):
        return ""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: object, decimal_comma: bool) -> float | None:
    """Parse one cell: None when empty; ValueError when not a number."""
    if isinstance(value, bool | np.bool_):
        raise ValueError(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return None if math.isnan(value) else float(value)
    text = cell_text(value)
    if not text:
        return None
    if decimal_comma and _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    return float(text)


def cell_numbers(cells: np.ndarray, decimal_comma: bool) -> tuple[np.ndarray, np.ndarray]:
    """Parse cells as ``_number`` does: the values (NaN unless a number) and kinds (NUMBER, EMPTY, ...)."""
    if cells.dtype.kind in "iuf":
        values = np.asarray(cells, dtype=np.float64)
        return values, np.isnan(values).astype(np.int8) * EMPTY
    codes, values = Cells(cells, len(cells)).groups
    parsed = []
    for value in values:
        try:
            number = _number(value, decimal_comma)
        except ValueError:
            parsed.append((math.nan, NOT_A_NUMBER))
        else:
            parsed.append((math.nan, EMPTY) if number is None else (number, NUMBER))
    numbers, kinds = (np.array(c) for c in zip(*parsed, strict=True))
    return numbers.astype(float)[codes], kinds.astype(np.int8)[codes]
