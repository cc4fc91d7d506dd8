"""Checks of the counts frame's numbers beyond each cell: plausibility, thousands separators, hot_nM.

Called by :func:`assaykit.io.counts.build.build` for both layouts, once every cell is a number: each
concentration column is judged by :func:`assaykit.plausible.check_concentrations` (an error or a warning
that names the file and column and suggests the unit), a signal column that reads like counts written with
a thousands separator is an error (:func:`assaykit.io.number_cells.thousands_position`), and the optional
``hot_nM`` column is parsed and judged as radioligand concentrations.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.counts.cells import NOT_A_NUMBER, NUMBER, cell_numbers, cell_text
from assaykit.io.counts.tubes import HOT_COLUMN, Original, Problems, Tubes, conc_unit
from assaykit.io.number_cells import thousands_problem
from assaykit.plausible import check_concentrations, report_range
from assaykit.units import ConcentrationUnit

_NM = ConcentrationUnit(column=HOT_COLUMN, log=False, factor=1e-9)


def check_thousands(
    tubes: Tubes, signal: np.ndarray, i: int, path: str | Path, original: Original | None
) -> None:
    """Raise when the signal column reads like counts written with thousands separators (suspect ``i``).

    See :func:`assaykit.io.number_cells.thousands_problem`; ``original`` looks up the text of a cell pandas
    parsed.
    """

    def written(j: int) -> str:
        cell = tubes.signal[j]
        name = tubes.signal_column if isinstance(tubes.signal_column, str) else str(tubes.signal_column[j])
        parsed = original is not None and not isinstance(cell, str)  # pandas parsed it: look it up
        return cell_text(original(int(tubes.line[j]), name) if parsed else cell)  # type: ignore[misc]

    message = thousands_problem(signal, written)
    if message is not None:
        column = tubes.signal_column if isinstance(tubes.signal_column, str) else str(tubes.signal_column[i])
        raise AssayInputError(message, path=path, row=int(tubes.line[i]), column=column)


def check_range(tubes: Tubes, conc: np.ndarray, path: str | Path, *, stacklevel: int = 2) -> None:
    """Check each concentration column's competitor values for plausibility (:mod:`assaykit.plausible`)."""
    competitor = tubes.competitor
    if isinstance(tubes.conc_column, str):
        groups = [(tubes.conc_column, competitor)]
    else:  # wide files: a unit per block
        names = np.asarray(tubes.conc_column, dtype=object)
        groups = [(str(n), competitor & (names == n)) for n in dict.fromkeys(names[competitor])]
    for name, here in groups:
        unit = conc_unit(name)
        # whether there is anything to say depends on the distinct values only (check_concentrations
        # counts distinct values and takes the extremes): ask of them first, of every tube only to word it
        if (
            unit is not None
            and check_concentrations(_distinct(conc, here), unit, kind="competitor") is not None
        ):
            found = check_concentrations(
                conc[here], unit, kind="competitor", rows=tubes.line[here], labels=tubes.compound[here]
            )
            report_range(found, path=path, column=name, stacklevel=stacklevel)


def _distinct(values: np.ndarray, where: np.ndarray, block: int = 1 << 20) -> np.ndarray:
    """Return the distinct ``values[where]``, a block at a time (a screen has few concentrations)."""
    parts = [pd.unique(values[i : i + block][where[i : i + block]]) for i in range(0, len(values), block)]
    return pd.unique(np.concatenate(parts)) if parts else np.empty(0)


def hot_concentrations(
    tubes: Tubes, path: str | Path, decimal_comma: bool, *, stacklevel: int = 2
) -> np.ndarray:
    """Parse the optional ``hot_nM`` column: positive nM, or empty (NaN); anything else is an error."""
    cells = np.asarray(tubes.hot)
    hot, kind = cell_numbers(cells, decimal_comma)
    problems = Problems(path, tubes.line)
    column = str(tubes.hot_column)
    not_number = "'{}' is not a number; expected the hot ligand concentration in nM"
    problems.add(kind == NOT_A_NUMBER, lambda i: (not_number.format(cell_text(cells[i])), column))
    bad = (kind == NUMBER) & ~(np.isfinite(hot) & (hot > 0))
    positive = "hot ligand concentration {:g} must be a positive number of nM"
    problems.add(bad, lambda i: (positive.format(hot[i]), column))
    problems.raise_first()
    found = check_concentrations(hot, _NM, kind="radioligand", rows=tubes.line, renamable=False)
    report_range(found, path=path, column=column, stacklevel=stacklevel)
    return hot
