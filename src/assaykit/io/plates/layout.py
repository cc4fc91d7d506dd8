"""Read plate layouts: wellmap TOML files and long CSV/TSV/XLSX tables, one row per well.

Both give the same :class:`Layout`: a table with one row per well of the layout and the fields it gives each
well, under the names the long counts and saturation tables use:

=============== ===================================================================================
``well``        the well, ``C07`` (``C7`` is read as the same well)
``plate``       the plate the row is for; absent when the layout applies to every plate
``compound``    the compound (``TOTAL``/``NSB`` also mark controls, as in the long counts table)
``role``        ``total``, ``nsb`` or ``competitor`` (a control well is then named TOTAL or NSB, whatever
                compound its row names); ``empty`` or ``blank`` for a well that takes no part
``conc_<unit>`` the concentration, its unit in its name (``conc_nM``, ``log_conc_M``, ...)
``replicate``   optional; ``hot_nM`` (homologous competition), ``kind`` and ``dataset`` (saturation) too
=============== ===================================================================================

wellmap (https://wellmap.readthedocs.io) fills these fields from ``[row]``, ``[col]``, ``[block]``,
``[well]`` and ``[plate.NAME]`` sections (e.g. ``[row] A.compound = "diazepam"``, ``[col] 1.conc_nM =
10000``, ``[well.A01] role = "total"``), with its own precedence (a well's own field wins over its block's,
row's and column's) and ``[meta] include``. Names of other columns or fields are kept as given.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.plates.wells import parse_well, well_name
from assaykit.io.tables import find_column, read_raw_table

#: Fields read by name (any case in a table's header) and renamed to these spellings.
KNOWN_FIELDS = ("compound", "role", "replicate", "hot_nM", "kind", "dataset")

#: Roles (or compounds, or kinds) of a well that takes no part (any case).
EMPTY_ROLES = frozenset({"empty", "blank"})

_POSITION = ("well", "plate", "row_i", "col_j", "line")


@dataclass(frozen=True)
class Layout:
    """A plate layout: one row per (plate,) well, the fields in ``table``, where it was read from."""

    path: Path
    table: pd.DataFrame  # columns well, plate (when per plate), row_i, col_j, line (0: none), the fields
    per_plate: bool

    @property
    def fields(self) -> list[str]:
        """The names of the layout's fields (columns other than the well's position)."""
        return [c for c in self.table.columns if c not in _POSITION]

    def where(self, i: int) -> tuple[str, int | None]:
        """Return the location (``plate 1, well C07`` or ``well C07``) and file row of layout row ``i``."""
        row = self.table.iloc[i]
        location = f"plate {row['plate']}, well {row['well']}" if self.per_plate else f"well {row['well']}"
        return location, (int(row["line"]) or None)


def read_layout(path: str | Path) -> Layout:
    """Read a plate layout: a wellmap ``.toml`` file, or a ``.csv``/``.tsv``/``.txt``/``.xlsx`` table.

    Parameters
    ----------
    path
        The layout. A table has a ``well`` column (``C07`` or ``C7``), an optional ``plate`` column (every
        row then names its plate) and one column per field (see the module docstring); an ``.xlsx`` layout
        is read from its first sheet.

    Returns
    -------
    Layout
        The layout, its wells in the order given.

    Raises
    ------
    AssayInputError
        When the file cannot be read (wellmap's own errors are given as one line naming the file), a well
        id is not one of a 384-well plate's (``Q13``, ``A25``), a table's row has no plate while others
        have, or a table names a well twice (two compounds for one well, or the same twice).
    """
    path = Path(path)
    if path.suffix.lower() == ".toml":
        return _read_wellmap(path)
    return _read_table(path)


def _read_wellmap(path: Path) -> Layout:
    import wellmap  # imported here: only layouts need it (and it imports its own dependencies)

    if not path.is_file():
        raise AssayInputError("no such layout file", path=path)
    try:
        loaded = wellmap.load(path)
    except (wellmap.LayoutError, wellmap.UsageError, ValueError, OSError, KeyError, TypeError) as exc:
        text = " ".join(str(exc).split()) or type(exc).__name__
        raise AssayInputError(f"cannot read the plate layout (wellmap): {text}", path=path) from None
    if not isinstance(loaded, pd.DataFrame):  # pragma: no cover - wellmap returns a frame without options
        raise AssayInputError("cannot read the plate layout (wellmap)", path=path)
    per_plate = "plate" in loaded.columns
    fields = [
        c for c in loaded.columns if c not in {"well", "well0", "row", "col", "row_i", "col_j", "plate"}
    ]
    table = pd.DataFrame(
        {
            "well": [well_name(r, c) if r < 16 and c < 24 else w for r, c, w in _ijw(loaded)],
            **({"plate": loaded["plate"].astype(str).to_numpy()} if per_plate else {}),
            "row_i": loaded["row_i"].to_numpy(dtype=np.int64),
            "col_j": loaded["col_j"].to_numpy(dtype=np.int64),
            "line": np.zeros(len(loaded), dtype=np.int64),
        }
    )
    for field in fields:
        table[_canonical(field)] = loaded[field].to_numpy(dtype=object)
    bad = (table["row_i"] >= 16) | (table["col_j"] >= 24)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        layout = Layout(path, table, per_plate)
        raise AssayInputError(_BAD_WELL.format(table["well"].iloc[i]), path=path, location=layout.where(i)[0])
    return Layout(path, table.reset_index(drop=True), per_plate)


def _ijw(loaded: pd.DataFrame) -> list[tuple[int, int, str]]:
    return list(zip(loaded["row_i"].tolist(), loaded["col_j"].tolist(), loaded["well"].tolist(), strict=True))


def _canonical(name: str) -> str:
    for known in KNOWN_FIELDS:
        if str(name).strip().lower() == known.lower():
            return known
    return str(name).strip()


_BAD_WELL = "'{}' is not a well; expected a row letter A-P and a column 1-24, e.g. C07"


def _read_table(path: Path) -> Layout:
    raw = read_raw_table(path)
    columns = [str(c) for c in raw.columns]
    well_column = find_column(columns, "well", path=path)
    plate_column = find_column(columns, "plate", path=path, required=False)
    lines = raw.index.to_numpy(dtype=np.int64)
    positions = []
    for line, text in zip(lines, raw[well_column].tolist(), strict=True):
        position = parse_well(text)
        if position is None:
            message = _BAD_WELL.format(text) if text else "empty well; give the well of every row, e.g. C07"
            raise AssayInputError(message, path=path, row=int(line), column=well_column)
        positions.append(position)
    table = pd.DataFrame(
        {
            "well": [well_name(*p) for p in positions],
            "row_i": np.array([p[0] for p in positions], dtype=np.int64),
            "col_j": np.array([p[1] for p in positions], dtype=np.int64),
            "line": lines,
        }
    )
    if plate_column is not None:
        plates = raw[plate_column].astype(str).str.strip().to_numpy()
        if (empty := plates == "").any():
            line = int(lines[np.flatnonzero(empty)[0]])
            raise AssayInputError(
                "empty plate; give the plate of every row, or leave out the plate column for a layout of "
                "every plate",
                path=path,
                row=line,
                column=plate_column,
            )
        table.insert(1, "plate", plates)
    for column in columns:
        if column not in (well_column, plate_column):
            table[_canonical(column)] = raw[column].to_numpy(dtype=object)
    layout = Layout(path, table, plate_column is not None)
    _check_twice(layout)
    return layout


def _check_twice(layout: Layout) -> None:
    """Raise when a table names a (plate's) well twice: two compounds or roles for it, or the same twice."""
    table = layout.table
    keys = ["plate", "well"] if layout.per_plate else ["well"]
    twice = table.duplicated(keys, keep=False).to_numpy()
    if not twice.any():
        return
    first = int(np.flatnonzero(twice)[0])
    same = np.flatnonzero((table[keys] == table[keys].iloc[first]).all(axis=1).to_numpy())
    other = int(same[1])
    rows = f"rows {int(table['line'].iloc[first])} and {int(table['line'].iloc[other])}"
    message = f"the well is in the layout twice ({rows}); keep one row per well"
    for field in ("compound", "role", "kind"):
        if field in table.columns:
            a, b = (str(table[field].iloc[i]).strip() for i in (first, other))
            if a.lower() != b.lower():
                message = f"the layout gives this well two {field}s, '{a}' and '{b}' ({rows}); keep one"
                break
    raise AssayInputError(message, path=layout.path, location=layout.where(first)[0])
