"""Read competition binding counts from the XY tables of a Prism ``.pzfx`` file: the canonical counts frame.

Each XY table is one plate (its title is the plate id); X is the competitor concentration, log or linear,
its unit in the X column title; each data set (Y column) is one compound, its title the compound, and each
subcolumn a replicate. Data sets titled TOTAL or NSB (also Total binding, NS, Nonspecific, Non-specific
binding) are the plate's controls, whatever their X. The tubes go through the same checks as a long-layout
counts file (:func:`assaykit.io.counts.long.counts_from_table`), so the frame and the messages are the ones
every counts file gives; a message names the tube's table, data set, row and replicate.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.counts.long import counts_from_table
from assaykit.io.counts.tubes import CONTROL_NAMES
from assaykit.io.prism.model import XYTable
from assaykit.io.prism.tables import Cell, cells, check_titles, checked, signal_unit, warn_excluded, xy_tables
from assaykit.io.prism.xtitle import XUnit, unit_problem, x_unit
from assaykit.io.tables import SOURCE_ROW
from assaykit.units import MOLAR_FACTORS


def control_role(title: str) -> str | None:
    """Return the control role a data set title means (``"total"``, ``"nsb"``), or None for a compound.

    >>> control_role("Non-specific binding"), control_role("TOTAL"), control_role("diazepam")
    ('nsb', 'total', None)
    """
    key = re.sub(r"[\s_-]+", "", title.lower())
    return CONTROL_NAMES.get(key.removesuffix("binding") or key)


def _unit(table: XYTable, path: Path) -> XUnit:
    unit = x_unit(table.x_title)
    if unit is None:
        raise AssayInputError(unit_problem(table.x_title), path=path, location=f"table '{table.title}'")
    return unit


def read_pzfx_counts(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read competition binding counts from a Prism ``.pzfx`` file into the canonical counts frame.

    Parameters
    ----------
    path
        A ``.pzfx`` file. Each XY table of replicates is a plate, titled by its id; X is the competitor
        concentration with its unit in the X column title (``log[competitor], M``, ``[competitor], nM``,
        ``Conc (uM)``; log of any molar unit); each data set is a compound titled by its name, or a control
        (TOTAL, NSB, NS, Nonspecific, Total binding, Non-specific binding; any case), whose X is not read;
        each subcolumn is a replicate. Values Prism marks excluded are left out (with a warning). The
        signal unit is the word cpm, dpm or counts in the Y title assaykit writes to the project info,
        else in the table title; "counts" when neither names one.
    sheet
        A table title (exact, else in any case) or 0-based position among the file's data tables to read
        only that table; every XY table of replicates when None (others are skipped, mean-and-error XY
        tables with a warning).

    Returns
    -------
    pandas.DataFrame
        The canonical counts frame (:data:`assaykit.io.counts.COUNTS_COLUMNS`): ``plate`` the table title,
        ``replicate`` the subcolumn number ("1", "2", ...), ``source_row`` the row in the table.
        ``attrs``: ``source`` (the path), ``signal_unit``, ``conc_column`` (the X titles, joined by ", ")
        and ``layout`` ``"prism"``.

    Raises
    ------
    AssayInputError
        When the file is not a Prism project, has no such table, an X title names no unit, a cell is not a
        number, a compound's value has no X, or a check of the counts readers fails; the one-line message
        names the file and ``table 'T', data set 'D', row N, replicate R``.

    Examples
    --------
    >>> counts = read_pzfx_counts("binding.pzfx")  # doctest: +SKIP
    >>> counts.groupby(["plate", "compound"], observed=True).signal.mean()  # doctest: +SKIP
    """
    path = Path(path)
    tables = xy_tables(path, sheet, "competition binding")
    unit_name = signal_unit(tables, path)
    columns: dict[str, list[object]] = {"compound": [], "role": [], "plate": [], "replicate": [], "conc": []}
    signals: list[float] = []
    tubes: list[Cell] = []
    units: set[XUnit] = set()
    for table in tables:
        check_titles(table, path)
        roles = [control_role(d.title) for d in table.datasets]
        unit = _unit(table, path) if any(r is None for r in roles) else None
        for cell in cells(table):
            role = roles[cell.dataset] or "competitor"
            x = math.nan
            if role == "competitor":
                assert unit is not None
                x = float(table.x[cell.row])
                if not math.isfinite(x):
                    raise AssayInputError(
                        "a value of a compound without X (its concentration); fill in X, or title the data "
                        "set TOTAL or NSB if it is a control",
                        path=path,
                        location=cell.location,
                    )
                units.add(unit)
            columns["compound"].append(table.datasets[cell.dataset].title)
            columns["role"].append(role)
            columns["plate"].append(table.title)
            columns["replicate"].append(str(cell.replicate + 1))
            columns["conc"].append(x)
            signals.append(cell.value)
            tubes.append(cell)
    warn_excluded(tables, path)
    if len({u.log for u in units}) > 1 or len({u.unit for u in units if not u.log}) > 1:
        shown = ", ".join(f"'{t.x_title}' in '{t.title}'" for t in tables)
        raise AssayInputError(
            f"the tables give X in different units ({shown}); give them one unit", path=path
        )
    conc = np.array(columns.pop("conc"), dtype=float)
    conc_column = "log_conc_M"
    if units and (unit := next(iter(units))).log:
        conc = conc + math.log10(MOLAR_FACTORS[unit.unit])  # log10 of nM values -> log10 molar
    elif units:
        conc_column = f"conc_{unit.unit}"
    long = pd.DataFrame({**columns, conc_column: conc, unit_name: signals})
    long.index = pd.Index(np.arange(1, len(long) + 1), name=SOURCE_ROW)
    out = checked(lambda t: counts_from_table(t, path, stacklevel=6), long, tubes, path)
    out.attrs.update(
        source=str(path), layout="prism", conc_column=", ".join(dict.fromkeys(t.x_title for t in tables))
    )
    return out
