"""Read the plate grids a microplate counter exports (MicroBeta2, TopCount, Hidex, ...) from CSV/TSV/XLSX.

A plate grid is a row of column numbers ``1 ... 12`` (96 wells) or ``1 ... 24`` (384 wells), its first
cell blank or a label (``<>``, ``CPM``, ``Plate 2``), followed by one row per plate row, labelled ``A`` to
``H`` (or ``P``), with one count per column; an empty cell is a well without a count. Above each grid a
counter writes a block of run details, which is read for two things only:

- the plate id: a line ``Plate 2``, ``Plate: 2``, ``Plate number,2``, ``Plate ID: P2``, ``Plate 2 of 3``
  (the id must contain a digit; the grid's label cell and a sheet named ``Plate 2`` are read the same way);
- the signal unit: a cell that names ``CPM`` or ``CCPM`` (-> cpm) or ``DPM`` (-> dpm), e.g. ``CCPM1``,
  ``Counts: CPM``; the grid's label cell wins over the block above it.

A file (or sheet) may hold several grids, one per plate, in order, with blank lines and header blocks
between them; cells right of the grid are ignored when blank, when they repeat the row's label, or when the
column-number row also has cells there (another block beside the grid). Lines below the last grid are
ignored. Everything else is an error naming the file, the row and, where known, the plate and well.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.plates.wells import ROW_LETTERS, well_name
from assaykit.io.tables import read_raw_table
from assaykit.io.text_files import table_suffix
from assaykit.io.xlsx_read import sheet_names

NO_GRID = (
    "no plate grid found; expected a row of column numbers 1-12 or 1-24 and rows labelled A-H/A-P "
    "below it, one count per well"
)
_PLATE = re.compile(r"(?i)^plate\s*(?:number|no\.?|nr\.?|#|id|name)?\s*[:=]?\s*(?P<id>.*?)(?:\s+of\s+\d+)?$")
_PLATE_ID = re.compile(r"^[\w.-]*\d[\w.-]*$")
_UNIT = re.compile(r"(?i)(?<![a-z])(c?cpm|dpm)\d*(?![a-z])")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Grid:
    """One plate grid as read: its counts (NaN where a well has none) and where it stands in its file."""

    path: Path
    sheet: str | None
    plate: str | None  # the id the header gives, None when it gives none
    unit: str | None  # "cpm" or "dpm" when the header or label names one
    counts: np.ndarray  # float, shape (rows, columns); NaN: no count
    lines: np.ndarray  # int64: the source row of each grid row
    header_line: int  # the source row of the column numbers

    @property
    def shape(self) -> tuple[int, int]:
        """Rows and columns of the plate."""
        return self.counts.shape  # type: ignore[return-value]

    @property
    def where(self) -> str:
        """The grid's place for messages: ``sheet 'Plate 2', row 14`` or ``row 14``."""
        sheet = f"sheet '{self.sheet}', " if self.sheet is not None else ""
        return f"{sheet}row {self.header_line}"


def read_grids(path: str | Path, *, sheet: str | int | None = None) -> list[Grid]:
    """Read every plate grid of a counter's export, in order.

    Parameters
    ----------
    path
        A ``.csv``, ``.tsv``/``.txt`` or ``.xlsx`` file.
    sheet
        For ``.xlsx``: the sheet to read (name or 0-based position). When None, every sheet is read in
        order and sheets without a grid (a protocol or layout sheet) are skipped.

    Returns
    -------
    list of Grid
        One per grid, in file (and sheet) order.

    Raises
    ------
    AssayInputError
        When there is no grid at all, a grid is incomplete (a row label missing, too few column numbers),
        a count is not a non-negative number, or a row has values right of the grid.
    """
    path = Path(path)
    if table_suffix(path) == ".xlsx" and sheet is None:
        grids: list[Grid] = []
        for name in sheet_names(path):
            try:
                raw = read_raw_table(path, sheet=name, header=False)
            except AssayInputError as exc:
                if "is empty" in exc.reason:
                    continue
                raise
            grids += _grids_of(raw, path, name)
    else:
        raw = read_raw_table(path, sheet=sheet, header=False)
        grids = _grids_of(raw, path, raw.attrs.get("sheet"))
    if not grids:
        raise AssayInputError(NO_GRID, path=path)
    return grids


def _grids_of(raw: pd.DataFrame, path: Path, sheet: str | None) -> list[Grid]:
    rows = [[str(c).strip() for c in row] for row in raw.itertuples(index=False)]
    lines = raw.index.to_numpy(dtype=np.int64)
    decimal_comma = raw.attrs.get("delimiter") == ";"
    grids: list[Grid] = []
    start = i = 0
    while i < len(rows):
        found = _column_numbers(rows[i], path, int(lines[i]))
        if found is None:
            i += 1
            continue
        k, width = found
        header = rows[start:i]
        label = rows[i][k - 1]
        plate = _plate_id([[label]]) or _plate_id(header)
        unit = _units([[label]], path, int(lines[i])) or _units(header, path, int(lines[i]))
        height = {12: 8, 24: 16}[width]
        where = f"plate {plate}" if plate else None
        counts = np.full((height, width), np.nan)
        for r in range(height):
            j = i + 1 + r
            got = rows[j][k - 1] if j < len(rows) else None
            if got is None or got.upper() != ROW_LETTERS[r]:
                found_text = "the end of the sheet/file" if got is None else f"'{got}'" if got else "a blank"
                raise AssayInputError(
                    f"incomplete plate grid: expected row label '{ROW_LETTERS[r]}' (rows A-"
                    f"{ROW_LETTERS[height - 1]} under the column numbers 1-{width} of row {lines[i]}), "
                    f"found {found_text}",
                    path=path,
                    row=int(lines[j]) if j < len(rows) else None,
                    location=where,
                )
            cells = rows[j][k : k + width] + [""] * max(0, k + width - len(rows[j]))
            for c, text in enumerate(cells):
                counts[r, c] = _count(text, decimal_comma, path, int(lines[j]), where, well_name(r, c))
            _check_beyond(rows[j], rows[i], got, k + width, path, int(lines[j]), where)
        grids.append(Grid(path, sheet, plate, unit, counts, lines[i + 1 : i + 1 + height], int(lines[i])))
        i = start = i + 1 + height
    if len(grids) == 1 and grids[0].plate is None and sheet is not None and _plate_id([[sheet]]):
        grids[0] = Grid(**{**grids[0].__dict__, "plate": _plate_id([[sheet]])})
    return grids


def _number(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() and 0 < value < 100 else None


def _column_numbers(row: list[str], path: Path, line: int) -> tuple[int, int] | None:
    """Find a run of column numbers 1, 2, 3, ... in a row: (position of the 1, how many), or None."""
    for k in range(1, len(row) - 2):
        if _number(row[k]) != 1 or _number(row[k + 1]) != 2 or _number(row[k + 2]) != 3:
            continue
        width = 3
        while k + width < len(row) and _number(row[k + width]) == width + 1:
            width += 1
        if width in (12, 24):
            return k, width
        if width < 24 and width >= 6:
            raise AssayInputError(
                f"plate grid with column numbers 1-{width}; expected 1-12 (96 wells) or 1-24 (384 wells)",
                path=path,
                row=line,
            )
    return None


def _plate_id(rows: list[list[str]]) -> str | None:
    """Return the plate id a header block (or a label cell) names (its last ``Plate ...`` line), or None."""
    found = None
    for row in rows:
        cells = [c for c in row if c]
        if not cells:
            continue
        match = _PLATE.match(cells[0])
        if match is None:
            continue
        value = match.group("id") or (cells[1] if len(cells) > 1 else "")
        value = re.sub(r"(?i)\s+of\s+\d+$", "", value.strip())
        if _PLATE_ID.match(value):
            found = value
    return found


def _units(rows: list[list[str]], path: Path, line: int) -> str | None:
    """Return the signal unit a header block or label cell names, or None."""
    named = {
        ("dpm" if m.lower().startswith("d") else "cpm") for row in rows for c in row for m in _UNIT.findall(c)
    }
    if len(named) > 1:
        raise AssayInputError(
            "the header above the plate grid names both CPM and DPM; write the unit of the grid (CPM or DPM) "
            "in its top-left cell",
            path=path,
            row=line,
        )
    return next(iter(named), None)


def _count(text: str, decimal_comma: bool, path: Path, line: int, plate: str | None, well: str) -> float:
    """Parse a grid cell: NaN when empty, else a finite count >= 0; anything else is an error."""
    if not text:
        return math.nan
    if decimal_comma and _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    location = f"{plate}, well {well}" if plate else f"well {well}"
    try:
        value = float(text)
    except ValueError:
        raise AssayInputError(
            f"'{text}' is not a number; expected a count (or an empty cell for a well without one)",
            path=path,
            row=line,
            location=location,
        ) from None
    if not math.isfinite(value):
        raise AssayInputError(f"'{text}' is not a finite count", path=path, row=line, location=location)
    if value < 0:
        raise AssayInputError(
            f"negative count {text}; counts cannot be negative", path=path, row=line, location=location
        )
    return value


def _check_beyond(
    row: list[str], header: list[str], label: str, end: int, path: Path, line: int, plate: str | None
) -> None:
    """Raise when a grid row has values right of its last column that nothing explains."""
    for c in range(end, len(row)):
        text = row[c]
        beside = c < len(header) and header[c]
        if not text or beside or text.upper() == label.upper():
            continue
        raise AssayInputError(
            f"value '{text}' right of the plate grid's last column; a count written with a thousands "
            "separator in a comma-separated file? Write counts without separators",
            path=path,
            row=line,
            location=plate,
        )
