"""Numbers of result tables rounded to 10 significant digits before they are written as text.

A fit's arithmetic leaves noise in the last bits of a double: ``1.8000000000000007`` where the value is
1.8, ``0.30000000000000004`` for 0.1 + 0.2. Written with the shortest text that reads back the same double
(Python's ``repr``, what pandas writes), that noise reaches the CSV, TSV and JSON files. The writers
therefore round every float64 to :data:`SIGNIFICANT_DIGITS` (10) significant digits, the value
``float(f"{v:.10g}")``, and write the shortest text of the rounded double: ``1.8``, ``0.3``, ``3200.0``,
``1e-09``. Ten digits are far more than any number assaykit reports is worth (a fitted IC50, a Ki or a
Bmax has a standard error of a few percent or more; times come from frames at most 1000 per second; a
p-value needs two or three digits), yet they keep the text a faithful record: the value read back differs
from the computed one by at most half a unit in the tenth digit (a relative 5e-10), while the noise removed
sits near the sixteenth. NaN and infinities are left as they are (the writers spell them), and so are
zeros, including -0.0, and the few doubles next to the largest one (1.797693135e308 would be infinite).

The rounding is vectorised: each value is scaled by a power of ten (exact up to 10**22) so that its ten
digits are the integer part, rounded with :func:`numpy.rint`, and scaled back by one correctly rounded
division or multiplication, which gives the double nearest the decimal, as ``float()`` does. Where that
cannot be trusted (the scaled value within two units in the last place of a tie, the decimal exponent from
``log10`` possibly off by one, exponents beyond the exact powers of ten) the value is rounded by the
standard library's correctly rounded ``'%.10g'`` and ``float()`` instead; the result equals
``float(f"{v:.10g}")`` for every double.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Significant digits kept in the text outputs (CSV, TSV, JSON); see the module docstring for why ten.
SIGNIFICANT_DIGITS = 10

#: The largest power of ten a double holds exactly (10**22 < 2**53 * 2**22).
EXACT_POWER = 22


def round_significant(values: np.ndarray, digits: int = SIGNIFICANT_DIGITS) -> np.ndarray:
    """Return float64 ``values`` rounded to ``digits`` significant digits, each ``float(f"{v:.{digits}g}")``.

    Parameters
    ----------
    values
        Any array convertible to float64 (a copy is returned; the input is not changed).
    digits
        Significant digits to keep, 1 to 15 (a double holds 15 decimal digits exactly).

    Returns
    -------
    numpy.ndarray
        The rounded values, float64, of the shape of ``values``; NaN, infinities and zeros unchanged, and
        a finite value that would round to infinity (above 1.797693134e308) kept unrounded.

    Examples
    --------
    >>> round_significant(np.array([1.8000000000000007, 0.1 + 0.2, 3200.0, 1e-9, np.nan])).tolist()
    [1.8, 0.3, 3200.0, 1e-09, nan]
    """
    if not 1 <= digits <= 15:
        raise ValueError(f"digits must be 1 to 15, not {digits}")
    x = np.array(values, dtype=np.float64)
    flat = x.reshape(-1)
    magnitude = np.abs(flat)
    usable = np.isfinite(magnitude) & (magnitude != 0)
    index = np.flatnonzero(usable)
    v = flat[index]
    with np.errstate(all="ignore"):
        exponent = np.floor(np.log10(np.abs(v)))
        places = (digits - 1) - exponent  # decimal places that leave `digits` digits before the point
        exact = np.abs(places) <= EXACT_POWER
        places = np.where(exact, places, 0.0)
        power = 10.0 ** np.abs(places)
        up = places >= 0
        scaled = np.where(up, v * power, v / power)
        whole = np.rint(scaled)
        rounded = np.where(up, whole / power, whole * power)
        # Doubtful: the scaling's own rounding may have moved the value across a tie, or the exponent
        # from log10 is off by one (the integer has fewer or more than `digits` digits).
        tie_distance = np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5)
        size = np.abs(whole)
        doubtful = (
            ~exact
            | (tie_distance <= 2 * np.spacing(np.abs(scaled)))
            | (size <= 10.0 ** (digits - 1))
            | (size > 10.0**digits)
        )
    if doubtful.any():
        rounded[doubtful] = [float(f"{value:.{digits}g}") for value in v[doubtful].tolist()]
        overflow = np.isinf(rounded)  # within 5e-10 of the largest double: rounding up would give inf
        rounded[overflow] = v[overflow]
    flat[index] = rounded
    return x


def round_floats_in(values: list[object], digits: int = SIGNIFICANT_DIGITS) -> list[object]:
    """Return a list of mixed values with its floats rounded; other values (strings, integers, None) kept.

    Parameters
    ----------
    values
        The values of an object column, or of a column decoded from JSON (not changed).
    digits
        Significant digits to keep.

    Returns
    -------
    list
        A copy in which every Python or numpy float is replaced by its rounded value (a Python float).
    """
    out = list(values)
    positions = [i for i, value in enumerate(out) if isinstance(value, float | np.floating)]
    if positions:
        rounded = round_significant(np.array([out[i] for i in positions], dtype=np.float64), digits)
        for i, value in zip(positions, rounded.tolist(), strict=True):
            out[i] = value
    return out


def rounded_frame(frame: pd.DataFrame, digits: int = SIGNIFICANT_DIGITS) -> pd.DataFrame:
    """Return ``frame`` with its float64 values rounded to ``digits`` significant digits.

    Rounded: float64 columns, nullable ``Float64`` columns (their missing values kept) and the floats of
    object columns. Left as they are: ``float32`` columns (their shortest text has at most 9 significant
    digits), and columns of other types (integers, strings, categoricals, dates, complex numbers).

    Parameters
    ----------
    frame
        The table (not changed).
    digits
        Significant digits to keep.

    Returns
    -------
    pandas.DataFrame
        A shallow copy with the rounded columns replaced; the same labels, order and dtypes.
    """
    out = frame.copy(deep=False)
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        dtype = series.dtype
        numpy_kind = dtype.kind if isinstance(dtype, np.dtype) else ""
        if numpy_kind == "f" and dtype == np.float64:
            values = round_significant(series.to_numpy(), digits)
        elif isinstance(dtype, pd.Float64Dtype):
            missing = series.isna().to_numpy()
            data = round_significant(series.to_numpy(dtype=np.float64, na_value=np.nan), digits)
            values = pd.arrays.FloatingArray(np.where(missing, 0.0, data), missing)
        elif numpy_kind == "O":
            values = round_floats_in(series.to_numpy().tolist(), digits)
        else:
            continue
        out.isetitem(position, pd.Series(values, index=frame.index, dtype=dtype))
    return out
