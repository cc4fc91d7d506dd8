"""Read saturation binding from the XY tables of a Prism ``.pzfx`` file into the canonical saturation frame.

Each XY table is one data set (one saturation experiment, titled by the table); X is the radioligand
concentration (linear, its unit in the X column title); the data sets (Y columns) are titled Total and
Nonspecific (also NSB, NS, Non-specific), or Specific for specific binding; each subcolumn is a replicate.
The tubes go through the checks of every saturation file
(:func:`assaykit.io.saturation.saturation_from_frame`).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.prism.model import XYTable
from assaykit.io.prism.tables import Cell, cells, check_titles, checked, signal_unit, warn_excluded, xy_tables
from assaykit.io.prism.xtitle import unit_problem, x_unit
from assaykit.io.saturation.table import saturation_from_frame
from assaykit.io.saturation_columns import KIND_NAMES


def data_set_kind(title: str) -> str | None:
    """Return the kind a data set title means: ``"total"``, ``"nsb"``, ``"specific"``; None for any other.

    >>> data_set_kind("Total binding"), data_set_kind("Non-specific"), data_set_kind("Specific")
    ('total', 'nsb', 'specific')
    """
    key = re.sub(r"[\s_]+", "", title.lower()).removesuffix("binding")
    if key == "specific":
        return "specific"
    return KIND_NAMES.get(key) or KIND_NAMES.get(key.replace("-", ""))


def _kinds(table: XYTable, path: Path, specific: bool | None) -> tuple[list[str | None], bool]:
    """Each data set's kind (None: not read) and whether the table holds specific binding."""
    kinds = [data_set_kind(d.title) for d in table.datasets]
    where = f"table '{table.title}'"
    unknown = [d.title for d, k in zip(table.datasets, kinds, strict=True) if k is None]
    if unknown:
        raise AssayInputError(
            f"data set '{unknown[0]}' is not Total, Nonspecific (NSB, NS, Non-specific) or Specific; title "
            "each data set by what it holds",
            path=path,
            location=where,
        )
    has_specific, has_kinds = "specific" in kinds, any(k in ("total", "nsb") for k in kinds)
    if specific is None:
        if has_specific and has_kinds:
            raise AssayInputError(
                "the table has both Total/Nonspecific and Specific data sets; choose one with "
                "--specific (specific=True) or without it (specific=False)",
                path=path,
                location=where,
            )
        specific = has_specific
    wanted = {"specific"} if specific else {"total", "nsb"}
    if not wanted & set(kinds):
        need = "a Specific data set" if specific else "Total and Nonspecific data sets"
        raise AssayInputError(f"no {need}", path=path, location=where)
    return [k if k in wanted else None for k in kinds], specific


def read_pzfx_saturation(
    path: str | Path, *, sheet: str | int | None = None, specific: bool | None = None
) -> pd.DataFrame:
    """Read saturation binding from a Prism ``.pzfx`` file into the canonical saturation frame.

    Parameters
    ----------
    path
        A ``.pzfx`` file. Each XY table of replicates is one data set (titled by the table); X is the
        radioligand concentration, with its unit in the X column title (``[3H]flunitrazepam, nM``,
        ``Conc (pM)``; there is no default unit: a wrong guess would scale Kd a thousandfold); data sets
        titled Total and Nonspecific (NSB, NS, Non-specific; "binding" may follow), or Specific; each
        subcolumn is a replicate. Values Prism marks excluded are left out (with a warning). The signal
        unit is read as for :func:`~assaykit.io.prism.read_pzfx_counts`.
    sheet
        A table title or 0-based position among the data tables, to read only that table.
    specific
        True to read the Specific data sets (specific binding), False to read Total and Nonspecific; None
        to read whichever the tables have (an error when a table has both).

    Returns
    -------
    pandas.DataFrame
        The canonical saturation frame (:data:`assaykit.io.saturation.SATURATION_COLUMNS`), ``dataset``
        the table title, ``replicate`` the subcolumn number, ``source_row`` the row in the table;
        ``attrs`` as :func:`~assaykit.io.saturation.read_saturation` gives them, ``source`` the path,
        ``dataset_column`` ``"table"`` and ``layout`` ``"prism"``.

    Raises
    ------
    AssayInputError
        As :func:`~assaykit.io.prism.read_pzfx_counts`, and when X is a log concentration (saturation
        binding is fitted against the concentration itself) or a value has no X.
    """
    path = Path(path)
    tables = xy_tables(path, sheet, "saturation binding")
    unit_name = signal_unit(tables, path)
    rows: list[tuple[str, str, str, float, float]] = []
    tubes: list[Cell] = []
    units, modes = set(), set()
    for table in tables:
        check_titles(table, path)
        kinds, is_specific = _kinds(table, path, specific)
        modes.add(is_specific)
        unit = x_unit(table.x_title)
        where = f"table '{table.title}'"
        if unit is None:
            raise AssayInputError(unit_problem(table.x_title), path=path, location=where)
        if unit.log:
            raise AssayInputError(
                f"the X column title '{table.x_title}' says log, but saturation binding is fitted "
                "against the radioligand concentration itself; give X as a concentration, e.g. "
                "'[radioligand], nM'",
                path=path,
                location=where,
            )
        units.add(unit.unit)
        for cell in cells(table):
            kind = kinds[cell.dataset]
            if kind is None:
                continue
            x = float(table.x[cell.row])
            if not math.isfinite(x):
                raise AssayInputError(
                    "a value without X (its radioligand concentration); fill in X",
                    path=path,
                    location=cell.location,
                )
            rows.append((table.title, kind, str(cell.replicate + 1), x, cell.value))
            tubes.append(cell)
    warn_excluded(tables, path)
    if len(units) > 1 or len(modes) > 1:
        what = "X in different units" if len(units) > 1 else "specific binding in some tables only"
        raise AssayInputError(f"the tables give {what}; give them all alike", path=path)
    is_specific = modes.pop()
    signal_column = f"specific_{unit_name}" if is_specific else unit_name
    conc_column = f"conc_{units.pop()}"
    long = pd.DataFrame(rows, columns=["dataset", "kind", "replicate", conc_column, signal_column])
    if is_specific:
        long = long.drop(columns="kind")
    out = checked(
        lambda t: saturation_from_frame(t, specific=is_specific, source=str(path)), long, tubes, path, first=2
    )
    out.attrs.update(
        conc_column=", ".join(dict.fromkeys(t.x_title for t in tables)),
        dataset_column="table",
        layout="prism",
    )
    return out
