"""The counts readers' shared vocabulary and types: column names, roles, tubes, and problems gathered per row.

Every other module of :mod:`assaykit.io.counts` imports this one, and it imports none of them: the long and
wide layouts both turn their rows into :class:`Tubes`, which :mod:`assaykit.io.counts.build` checks and
assembles into the canonical frame, reporting bad cells through :class:`Problems`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.units import ConcentrationUnit, parse_conc_column

#: Columns of the canonical counts frame, in order.
COUNTS_COLUMNS = ("compound", "role", "plate", "replicate", "conc_M", "log_conc_M", "signal", "source_row")

#: Compound names (any case) that mark control tubes, and the role each one means.
CONTROL_NAMES = {"total": "total", "nsb": "nsb", "ns": "nsb", "nonspecific": "nsb"}

#: Values accepted in a ``role`` column (any case).
ROLE_NAMES = {**CONTROL_NAMES, "competitor": "competitor"}

#: Optional column (any case) with each tube's radioligand ("hot") concentration in nM, for homologous
#: competition; kept as ``hot_nM`` (NaN where empty) in the canonical frame when the file has it.
HOT_COLUMN = "hot_nM"

#: Optional column (any case) with each tube's well on its plate (``C07``), kept as ``well`` (text) when the
#: file has it; plate grids joined to a layout (:mod:`assaykit.io.plates`) always have it.
WELL_COLUMN = "well"

#: Accepted signal column names (any case); the name is the signal unit.
SIGNAL_COLUMNS = ("cpm", "dpm", "counts")

LONG_COLUMNS = {*SIGNAL_COLUMNS, "compound", "role", "plate", "replicate", WELL_COLUMN}
CONTROLS_TEXT = "TOTAL or NSB (also NS, nonspecific)"
Original = Callable[[int, str], str]  # the text of the cell at (source row, column), as written


def conc_unit(name: str) -> ConcentrationUnit | None:
    """``parse_conc_column`` with a case-insensitive ``conc_``/``log_conc_`` prefix (``Conc_nM``)."""
    stripped = str(name).strip()
    prefix = re.match(r"(?i)^(log_?)?conc_", stripped)
    if prefix:
        stripped = prefix.group(0).lower() + stripped[prefix.end() :]
    return parse_conc_column(stripped)


@dataclass(frozen=True)
class Tubes:
    """Tubes column by column, in file order: what ``build`` checks and turns into the canonical frame."""

    line: np.ndarray  # int64: the source row of each tube
    compound: np.ndarray | pd.Categorical  # str (object arrays or categoricals)
    role: np.ndarray | pd.Categorical
    competitor: np.ndarray  # bool: role == "competitor"
    plate: np.ndarray | pd.Categorical
    replicate: np.ndarray | pd.Categorical  # str, or None (missing) when the file has none
    conc: np.ndarray  # the concentration cells as read: float64 (NaN when empty) or any objects
    signal: np.ndarray  # the signal cells, likewise
    log: np.ndarray  # bool: the concentration column holds log10 molar values
    factor: np.ndarray  # float: the molar factor of the concentration column
    conc_column: np.ndarray | str  # the column names for messages, per tube or one for all
    signal_column: np.ndarray | str
    hot: np.ndarray | None = None  # the hot_nM cells, when the table has that column
    hot_column: str | None = None
    well: np.ndarray | pd.Categorical | None = None  # the well cells' text, when the table has that column


class Problems:
    """Gather the problems of a table so the error names the first one and counts the rest."""

    def __init__(self, path: str | Path, lines: np.ndarray) -> None:
        self.path, self.lines = path, lines
        self.found: list[tuple[np.ndarray, Callable[[int], tuple[str, str | None]]]] = []

    def add(
        self, where: np.ndarray, describe: Callable[[int], tuple[str, str | None]], order: int = 0
    ) -> None:
        """Note a problem in each row (tube) where ``where`` holds; ``describe(i)`` gives message and column.

        The first problem is the one of the first row; within a row, the one of lowest ``order``.
        """
        if (positions := np.flatnonzero(where)).size:
            self.found.append((positions * 2 + order, describe))

    def raise_first(self) -> None:
        """Raise the error about the first problem, counting the others; nothing when there is none."""
        if not self.found:
            return
        firsts = [int(keys[0]) for keys, _ in self.found]
        j = firsts.index(min(firsts))
        message, column = self.found[j][1](firsts[j] // 2)
        rows = np.concatenate([self.lines[keys // 2] for keys, _ in self.found])
        if (rest := np.delete(rows, sum(len(keys) for keys, _ in self.found[:j]))).size:
            shown = np.unique(rest).tolist()
            listed = ", ".join(map(str, shown[:10])) + (", ..." if len(shown) > 10 else "")
            message += f" ({len(rest)} more problem{'s' if len(rest) > 1 else ''}, in rows {listed})"
        raise AssayInputError(message, path=self.path, row=int(self.lines[firsts[j] // 2]), column=column)
