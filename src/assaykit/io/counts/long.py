"""The long layout of radioligand counts files: one row per tube, its columns found by name.

A long-layout table has a ``compound`` column (TOTAL/NSB rows are controls) or a ``role`` column, one
concentration column whose name carries its unit, one ``cpm``/``dpm``/``counts`` column and optional
``plate``, ``replicate`` and ``hot_nM`` columns (:func:`counts_from_table`).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.counts.build import build
from assaykit.io.counts.cells import EMPTY, Cells, cell_numbers, cell_text, column_cells
from assaykit.io.counts.tubes import (
    CONTROL_NAMES,
    CONTROLS_TEXT,
    HOT_COLUMN,
    LONG_COLUMNS,
    ROLE_NAMES,
    SIGNAL_COLUMNS,
    WELL_COLUMN,
    Original,
    Problems,
    Tubes,
    conc_unit,
)
from assaykit.io.counts.wide import is_wide
from assaykit.io.fast_table import read_text_table
from assaykit.io.input_files import with_hint
from assaykit.io.tables import (
    closest_name,
    find_column,
    read_raw_table,
)
from assaykit.units import ACCEPTED_CONC_COLUMNS, ConcentrationUnit

_ROLES = ("", "total", "nsb", "competitor", "?")  # none, the roles, an unknown role


def _conc_column(columns: list[str], path: str | Path) -> tuple[str, ConcentrationUnit]:
    found: list[tuple[str, ConcentrationUnit]] = []
    for column in columns:
        try:
            unit = conc_unit(column)
        except ValueError as exc:
            raise AssayInputError(str(exc), path=path, column=column) from None
        if unit is not None:
            found.append((column, unit))
    if len(found) > 1:
        names = ", ".join(f"'{c}'" for c, _ in found)
        raise AssayInputError(f"{len(found)} concentration columns ({names}); keep exactly one", path=path)
    if not found:
        message = f"no concentration column; name it {ACCEPTED_CONC_COLUMNS} (the unit is part of the name)"
        accepted = ["conc_M", "conc_mM", "conc_uM", "conc_nM", "conc_pM", "log_conc_M"]
        near = closest_name([c for c in columns if c.strip().lower() not in LONG_COLUMNS], accepted)
        listing = ", ".join(f"'{c}'" for c in columns)
        message += f"; the columns are {listing}"
        if near is not None:
            message += f"; did you mean '{near[1]}' for '{near[0]}'?"
        raise AssayInputError(message, path=path)
    return found[0]


class _LongColumns(NamedTuple):
    role: str | None
    compound: str | None
    signal: str
    conc: str
    unit: ConcentrationUnit
    plate: str | None
    replicate: str | None
    hot: str | None = None
    well: str | None = None


def _long_columns(columns: list[str], path: str | Path) -> _LongColumns:
    """Find the columns of a long-layout table."""
    try:
        role = find_column(columns, "role", path=path, required=False)
        compound = find_column(columns, "compound", path=path, required=role is None)
        signal = find_column(columns, SIGNAL_COLUMNS, path=path, what="signal")
        conc, unit = _conc_column(columns, path)
    except AssayInputError as exc:  # another assay's file? say which command reads it
        raise with_hint(exc, columns, "competition") from None
    plate, replicate, hot, well = (
        find_column(columns, name, path=path, required=False)
        for name in ("plate", "replicate", HOT_COLUMN, WELL_COLUMN)
    )
    return _LongColumns(role, compound, signal, conc, unit, plate, replicate, hot, well)


def number_columns(names: list[str], path: Path) -> list[str] | None:
    """For ``read_text_table``: the number columns of a long-layout header; None for any other."""
    cells = names[: max((i + 1 for i, name in enumerate(names) if name), default=0)]
    if not cells or is_wide(cells):
        return None
    try:
        found = _long_columns([name for name in names if name], path)
    except AssayInputError:
        return None  # read_raw_table and promote_header come first, then the same error
    return [found.conc, found.signal] + ([found.hot] if found.hot else [])


def as_written(path: Path, line: int, column: str) -> str:
    """Return a cell of a long-layout text file as written: for messages about numbers pandas parsed."""
    table = read_text_table(path, numbers=lambda names: [])
    return cell_text((read_raw_table(path) if table is None else table).at[line, column])


def counts_from_table(
    table: pd.DataFrame, path: str | Path, *, stacklevel: int, original: Original | None = None
) -> pd.DataFrame:
    """Check a long-layout table (cells as read, index ``source_row``) and return the canonical counts frame.

    ``original`` gives the text of a cell as written when pandas parsed the numbers (for messages);
    ``stacklevel`` makes the dropped-rows warning point at the user's call.
    """
    columns = _long_columns([str(c) for c in table.columns], path)
    size, lines = len(table), table.index.to_numpy(dtype=np.int64)

    def cells(column: str | None, default: str | None = "") -> Cells:
        return Cells(None if column is None else column_cells(table[column]), size, default)

    compound, role_cells, plate = cells(columns.compound), cells(columns.role), cells(columns.plate, "all")
    # the role of each row, as a position in _ROLES: from the role column where it has one, else the compound
    named = compound.map(
        lambda t: _ROLES.index(CONTROL_NAMES.get(t.lower(), "competitor")) if t else 0, np.int8
    )
    kind, has_role, unknown = named, np.zeros(size, dtype=bool), np.zeros(size, dtype=bool)
    if columns.role:
        given = role_cells.map(lambda t: _ROLES.index(ROLE_NAMES.get(t.lower(), "?")) if t else 0, np.int8)
        has_role, unknown = given > 0, given == _ROLES.index("?")
        kind = np.where(has_role, given, named)
    nameless, competitor, role = (
        named == 0,
        kind == _ROLES.index("competitor"),
        pd.Categorical.from_codes(kind, dtype=pd.CategoricalDtype(pd.Index(_ROLES, dtype=object))),
    )
    problems = Problems(path, lines)
    unknown_role = "unknown role '{}'; expected total, nsb or competitor"
    problems.add(unknown, lambda i: (unknown_role.format(role_cells.text()[i]), columns.role))
    no_compound = ~has_role & nameless
    also = " (or a role)" if columns.role else ""
    empty_compound = f"empty compound{also}; expected a compound name or {CONTROLS_TEXT}"
    problems.add(no_compound, lambda i: (empty_compound, columns.compound))
    unnamed = competitor & nameless & has_role
    problems.add(
        unnamed, lambda i: ("a competitor row needs a compound name", columns.compound or "compound")
    )
    unplated = plate.empty() & ~(unknown | no_compound | unnamed)
    problems.add(unplated, lambda i: ("empty plate; fill in the plate id of every row", columns.plate))
    problems.raise_first()

    decimal_comma = table.attrs.get("delimiter") == ";"
    signal = column_cells(table[columns.signal])
    if (empty := cell_numbers(signal, decimal_comma)[1] == EMPTY).any():
        rows = lines[empty].tolist()
        shown = ", ".join(map(str, rows[:20])) + (", ..." if len(rows) > 20 else "")
        warnings.warn(
            f"{path}: dropped {len(rows)} row{'s' if len(rows) > 1 else ''} with an empty "
            f"'{columns.signal}' cell (rows {shown})",
            UserWarning,
            stacklevel=stacklevel,
        )
    names = compound.text()
    if nameless.any():  # controls named by their role only
        labels = np.array([r.upper() for r in _ROLES], dtype=object)[kind]
        names = pd.Categorical(np.where(nameless, labels, np.asarray(names, dtype=object)))
    keep = np.flatnonzero(~empty) if empty.any() else slice(None)
    tubes = Tubes(
        line=lines[keep],
        compound=names[keep],
        role=role[keep],
        competitor=competitor[keep],
        plate=plate.text()[keep],
        replicate=cells(columns.replicate, None).text(None)[keep],
        conc=column_cells(table[columns.conc])[keep],
        signal=signal[keep],
        log=np.broadcast_to(columns.unit.log, size)[keep],
        factor=np.broadcast_to(columns.unit.factor, size)[keep],
        conc_column=columns.conc,
        signal_column=columns.signal,
        hot=None if columns.hot is None else column_cells(table[columns.hot])[keep],
        hot_column=columns.hot,
        well=None if columns.well is None else cells(columns.well, None).text(None)[keep],
    )
    attrs = {"source": str(path), "signal_unit": columns.signal.strip().lower(), "conc_column": columns.conc}
    text = table.attrs.get("format") == "text"
    return build(
        tubes, path, decimal_comma, {**attrs, "layout": "long"}, original, text=text, stacklevel=stacklevel
    )
