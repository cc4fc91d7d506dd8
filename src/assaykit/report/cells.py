"""Table cells of a report: each number's full value (as the ``-o`` table holds it) and its shown text.

A number is shown as the terminal shows it (:func:`assaykit.formatting.sig` to 3 significant figures, 4
for plateaus and endpoints, counts as integers, p-values to three decimals or ``<0.001``), and keeps its
full value in a ``data-value`` attribute: the ``repr`` of the float rounded to the 10 significant digits
the text outputs hold (:mod:`assaykit.io.significant`), so that a script, a test or a reader can take the
number from the page exactly as ``-o`` wrote it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assaykit.formatting import sig
from assaykit.io.significant import round_significant

__all__ = ["Cell", "table_cells"]

_COUNT = re.compile(r"(^n$|^n_|_entries$|transitions$|^df$|^df_|_count$|^rank$)")
_TWO_DECIMALS = re.compile(r"(hill_slope$|^hill$|^fraction_hi$|^z_prime$|hedges_g$|^g$|_g$|cohens_d$)")
_THREE_DECIMALS = re.compile(r"(^r_squared$|^r2$)")
_P_VALUE = re.compile(r"(^p$|^p_|_p$|^q_|_p_value$|^q$)")
_FOUR_FIGURES = re.compile(
    r"(^bmax|^top_|^bottom_|_mean_|^specific_window_|_pct$|_s$|_cm$|_cm_s$|_px$|^mean$|^median$)"
)


@dataclass(frozen=True)
class Cell:
    """One cell of a report table: the text shown, the full value (numbers only), and its alignment."""

    text: str
    value: str | None = None
    numeric: bool = False


def _shown(column: str, number: float) -> str:
    """Return the terminal's text of a number in ``column``."""
    if math.isnan(number):
        return ""
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    if _P_VALUE.search(column):
        return "<0.001" if number < 0.001 else f"{number:.3f}"
    if _COUNT.search(column):
        return f"{number:.0f}"
    if _TWO_DECIMALS.search(column):
        return f"{number:.2f}"
    if _THREE_DECIMALS.search(column):
        return f"{number:.3f}"
    return sig(number, 4 if _FOUR_FIGURES.search(column) else 3)


def _numeric(series: pd.Series) -> bool:
    dtype = series.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _column_cells(name: str, series: pd.Series) -> list[Cell]:
    if not _numeric(series):
        return [Cell("" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)) for v in series]
    if pd.api.types.is_integer_dtype(series.dtype) and not series.isna().any():
        return [Cell(f"{int(v)}", str(int(v)), True) for v in series]
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    rounded = round_significant(values).tolist()
    return [Cell(_shown(name, v), repr(v), True) for v in rounded]


def table_cells(frame: pd.DataFrame) -> list[list[Cell]]:
    """Return the cells of ``frame`` row by row.

    Parameters
    ----------
    frame
        The table; numeric columns (not booleans) give number cells, every other column text cells.

    Returns
    -------
    list of list of Cell
        One list per row, one cell per column.
    """
    columns = [_column_cells(str(name), frame.iloc[:, i]) for i, name in enumerate(frame.columns)]
    return [list(row) for row in zip(*columns, strict=True)] if columns else [[] for _ in range(len(frame))]
