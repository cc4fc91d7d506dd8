"""Number cells as people write them: thousands separators and units in the cell, for the binding readers.

Excel saves a CSV as the cells are displayed, so counts formatted with a thousands separator arrive as
``"3,185"`` (English) or ``"3.185"`` (German, in a semicolon file). Read as numbers, the second is 3.185
and, in a semicolon file whose decimal separator is the comma, so is the first: a count 1000 times too
small, silently. :func:`thousands_position` finds a column of counts that reads that way;
:func:`cell_hint` explains a cell that is not a number at all (``"3,185"`` in a comma-separated file,
``"10 nM"``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

#: A whole number written with a thousands separator (comma, point, space, narrow space or apostrophe).
THOUSANDS = re.compile(r"[1-9]\d{0,2}([,. '\u202f\u00a0])\d{3}(?:\1\d{3})*")

_NUMBER = r"[+-]?(?:\d+[.,]?\d*|[.,]\d+)(?:[eE][+-]?\d+)?"
_UNIT_IN_CELL = re.compile(rf"{_NUMBER}\s*(?P<unit>[mµμunpf]?M)")
_COUNT_UNIT = re.compile(rf"{_NUMBER}\s*(?P<unit>(?i:cpm|dpm|counts))")
_BLOCK = 1 << 20  # values looked at together by thousands_position


def cell_hint(text: str, *, concentration: bool) -> str:
    """Return a hint (``"; ..."``) for a cell that is not a number, or ``""``.

    Parameters
    ----------
    text
        The cell as written, stripped.
    concentration
        Whether the cell is in a concentration column (else a count).

    Returns
    -------
    str
        For ``"3,185"``: remove the thousands separators; for ``"10 nM"`` or ``"3185 cpm"``: write the
        number alone, the unit belongs in the column name.

    Examples
    --------
    >>> cell_hint("3,185", concentration=False)
    '; remove the thousands separators (3185)'
    >>> cell_hint("10 nM", concentration=True)
    '; write the number alone: the unit belongs in the column name (conc_nM)'
    """
    if THOUSANDS.fullmatch(text):
        digits = re.sub(r"\D", "", text)
        return f"; remove the thousands separators ({digits})"
    if concentration and (found := _UNIT_IN_CELL.fullmatch(text)) is not None:
        name = "conc_" + found["unit"].replace("µ", "u").replace("μ", "u")
    elif not concentration and (found := _COUNT_UNIT.fullmatch(text)) is not None:
        name = found["unit"].lower().removesuffix("s") + (
            "s" if found["unit"].lower().startswith("count") else ""
        )
    else:
        return ""
    return f"; write the number alone: the unit belongs in the column name ({name})"


def thousands_position(values: np.ndarray) -> int | None:
    """Find a column of counts whose numbers read as counts written with a thousands separator.

    Parameters
    ----------
    values
        The column's numbers as read (NaN where there is none).

    Returns
    -------
    int or None
        The position of the first suspect value, when every non-whole value lies in 1 to 1000 with exactly
        three decimals (``3.185``) and the whole values are all below 1000 (at least one): what counts of
        which the larger ones were written ``3.185`` (or ``3,185`` read with a decimal comma) look like.
        Real decimals (averaged counts) have other numbers of decimals or values above 1000 written
        without a separator. None otherwise. The caller confirms with the cell's text (:data:`THOUSANDS`).
    """
    values = np.asarray(values, dtype=float)
    first, any_whole = None, False
    for start in range(0, len(values), _BLOCK):  # a block at a time: a screen's column is 33 million counts
        block = values[start : start + _BLOCK]
        finite = np.isfinite(block)
        v = block[finite]
        whole = v == np.round(v)
        scaled = v * 1000.0
        three = ~whole & (v >= 1.0) & (v < 1000.0) & (np.abs(scaled - np.round(scaled)) < 1e-6 * scaled)
        if not ((whole | three).all() and (v[whole] < 1000.0).all()):
            return None  # a value that is neither: the column is not such counts (most often at once)
        any_whole = any_whole or bool(whole.any())
        if first is None and three.any():
            first = start + int(np.flatnonzero(finite)[np.argmax(three)])
    return first if any_whole else None


def thousands_problem(values: np.ndarray, text_of: Callable[[int], str]) -> str | None:
    """Return the error message when a column of counts was written with thousands separators, else None.

    Parameters
    ----------
    values
        The column's numbers as read.
    text_of
        The text of cell ``j`` as written.

    Returns
    -------
    str or None
        A message about the first suspect cell (:func:`thousands_position`), when its text is a whole number
        with a separator (``3.185``) and a whole-valued cell is written without decimals (``250``, not
        ``250.000``: a file that writes every count with three decimals holds decimals). The caller names
        the row (the suspect's, :func:`thousands_position`) and the column.
    """
    values = np.asarray(values, dtype=float)
    i = thousands_position(values)
    if i is None:
        return None
    whole = int(np.flatnonzero(np.isfinite(values) & (values == np.round(values)))[0])
    suspect = text_of(i)
    if not THOUSANDS.fullmatch(suspect) or re.search(r"[.,]", text_of(whole)):
        return None
    return (
        f"'{suspect}' reads as {values[i]:g}, but every decimal in this column has exactly three digits and "
        "every whole number is below 1000: these look like counts written with a thousands separator; "
        f"write them without one ({re.sub(r'[^0-9]', '', suspect)})"
    )
