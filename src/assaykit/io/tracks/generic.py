"""Read tracking logs in the generic layout: one row per frame, columns found by name.

The columns are a time (``time``, ``time_s``, ``time_ms``, ... or ``frame`` with a frame rate), a position
(``x`` and ``y``, the unit optionally in the name) or a zone label per frame, and optionally the animal;
run details written above the column names (EthoVision 3) are skipped with a warning.
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.fast_table import read_text_table
from assaykit.io.tables import find_column, promote_header, read_raw_table
from assaykit.io.tracks.runs import AnimalRuns, animal_runs
from assaykit.io.tracks.table import MISSING_TOKENS, TrackTable

_TIME_NAMES = {"time": 1.0, "time_s": 1.0, "t": 1.0, "t_s": 1.0, "seconds": 1.0, "sec": 1.0, "time_ms": 1e-3}


_FRAME_NAMES = ("frame", "frames", "frame_index", "frame_number", "frame_no")


_ANIMAL_NAMES = ("animal", "animal_id", "subject", "subject_id", "individual", "mouse", "rat", "id")


_ZONE_NAMES = ("zone", "zone_label", "location", "roi")


_COORD_PREFIX = {
    "x": ("x", "pos_x", "x_pos", "position_x", "centroid_x", "center_x", "centre_x"),
    "y": ("y", "pos_y", "y_pos", "position_y", "centroid_y", "center_y", "centre_y"),
}


_DECIMAL_COMMA = re.compile(r"^([+-]?\d*),(\d+(?:[eE][+-]?\d+)?)$")  # 12,5 in a ;-separated file


_UNIT_SUFFIX = re.compile(r"^(?P<base>.+?)(?:[ _]?\(?(?P<unit>cm|mm|m|px|pixels?)\)?)?$")


def read_generic(path: str | Path, *, fps: float | None = None, sheet: str | int | None = None) -> TrackTable:
    """Read a tracking log in the generic layout: one row per frame.

    Parameters
    ----------
    path
        CSV, TSV/TXT or XLSX with these columns (names ignore case):

        * time: ``time``, ``time_s``, ``t`` or ``seconds`` (s), or ``time_ms`` (ms); or ``frame`` with
          ``fps``;
        * position: ``x`` and ``y``, optionally with the unit in the name (``x_cm``, ``x_mm``, ``x_px``);
          empty, ``-``, ``NA`` or ``NaN`` cells are frames without a position;
        * or, instead of a position, ``zone``: a zone label per frame (e.g. ``open``, ``closed``,
          ``center``; ``light``, ``dark``);
        * optionally ``animal`` (or ``subject``, ``id``): several animals in one file.
    fps
        Frame rate, when the file has ``frame`` but no time column.
    sheet
        For ``.xlsx``: the sheet; the first when None.

    Returns
    -------
    TrackTable
        ``format`` is ``"generic"`` or ``"zones"``; ``data`` is indexed by each row's line in the file.
        The animal is the ``animal`` column, or the file name without extension.

    Raises
    ------
    AssayInputError
        For a missing time, frame or position column (with the closest name found), x and y in different
        units, ``frame`` without ``fps``, a cell that is not a number, an empty time or animal cell.
    """
    path = Path(path)
    table = read_text_table(path, numbers=_numeric_names) if sheet is None else None
    if table is None or not _is_track_header([str(c) for c in table.columns]):
        table = _table_below_details(path, sheet)
    names = [str(c) for c in table.columns]
    time_s, time_column = _read_time(table, names, path, fps)
    runs = _read_animal(table, names, path)
    animal = pd.array(runs.names, dtype="str").take(runs.per_row())  # as pandas infers it, but quicker
    x_found = _coordinate_column(names, "x", path, required=False)
    y_found = _coordinate_column(names, "y", path, required=False)
    zone_column = find_column(names, _ZONE_NAMES, path=path, required=False, what="zone")
    if x_found is None and y_found is None and zone_column is not None:
        labels = table[zone_column].astype(str).str.strip().to_numpy(dtype=object)
        data = pd.DataFrame({"animal": animal, "time_s": time_s, "zone": labels}, index=table.index)
        zones = TrackTable(data, path, "zones", time_column=time_column, frame_rate=_rate(time_column, fps))
        return _with_runs(zones, runs)
    if x_found is None or y_found is None:
        missing = "x" if x_found is None else "y"
        _coordinate_column(names, missing, path, required=True)  # raises with the columns listed
    (x_column, x_unit), (y_column, y_unit) = x_found, y_found  # type: ignore[misc]
    if x_unit != y_unit:
        raise AssayInputError(
            f"mixed units: '{x_column}' is in {x_unit or 'unstated units'} but '{y_column}' in "
            f"{y_unit or 'unstated units'}; give x and y in the same unit",
            path=path,
        )
    x = _number_series(table, x_column, path, missing_ok=True)
    y = _number_series(table, y_column, path, missing_ok=True)
    columns = {"animal": animal, "time_s": time_s, "x": x, "y": y}
    data = pd.DataFrame(columns, index=table.index, copy=False)  # shared as pandas shares (copy on write)
    generic = TrackTable(
        data, path, "generic", space_unit=x_unit, time_column=time_column, frame_rate=_rate(time_column, fps)
    )
    return _with_runs(generic, runs)


def _rate(time_column: str, fps: float | None) -> float | None:
    """Return the frame rate of a generic file: ``fps`` when its times come from a frame column, else None."""
    return float(fps) if fps is not None and time_column.strip().lower() in _FRAME_NAMES else None


def _with_runs(table: TrackTable, runs: AnimalRuns) -> TrackTable:
    table.set_animal_runs(runs)
    return table


def _numeric_names(names: list[str]) -> set[str]:
    wanted = set()
    for name in names:
        lower = name.strip().lower()
        match = _UNIT_SUFFIX.match(lower)
        base = match["base"] if match else lower
        if lower in _TIME_NAMES or lower in _FRAME_NAMES or base in _COORD_PREFIX["x"] + _COORD_PREFIX["y"]:
            wanted.add(name)
    return wanted


def _read_time(table: pd.DataFrame, names: list[str], path: Path, fps: float | None) -> tuple[pd.Series, str]:
    """Return the times in seconds and the column they come from."""
    time_column = find_column(names, tuple(_TIME_NAMES), path=path, required=False, what="time")
    if time_column is not None:
        seconds = _TIME_NAMES[time_column.strip().lower()]
        values = _number_series(table, time_column, path, missing_ok=False)
        return (values if seconds == 1.0 else values * seconds), time_column  # (x * 1.0 is x)
    frame_column = find_column(names, _FRAME_NAMES, path=path, required=False, what="frame")
    if frame_column is None:
        find_column(names, ("time", "time_s", "time_ms", "frame"), path=path, what="time (or frame)")
    if fps is None:
        raise AssayInputError(
            f"times are given as frames ('{frame_column}'); give the frame rate with --fps", path=path
        )
    if not (math.isfinite(fps) and fps > 0):
        raise AssayInputError(f"the frame rate (--fps) must be positive, not {fps:g}", path=path)
    assert frame_column is not None
    return _number_series(table, frame_column, path, missing_ok=False) / float(fps), frame_column


def _read_animal(table: pd.DataFrame, names: list[str], path: Path) -> AnimalRuns:
    """Each row's animal (its id, stripped), as runs; without an animal column, one: the file's name."""
    column = find_column(names, _ANIMAL_NAMES, path=path, required=False, what="animal")
    if column is None:
        one = np.zeros(min(len(table), 1), dtype=np.int64)
        return AnimalRuns(one, one, np.array([path.stem], dtype=object), len(table))
    runs = animal_runs(table[column].to_numpy(dtype=object), text=True)
    empty = np.flatnonzero(runs.names == "")
    if len(empty):
        at = int(runs.starts[np.argmax(runs.codes == empty[0])])
        raise AssayInputError(
            "the animal is empty; give every row an animal id",
            path=path,
            row=int(table.index[at]),
            column=column,
        )
    return runs


#: Lines of run details (``key,value``) that may stand above a track table's column names, at most.
_MAX_DETAIL_LINES = 200


def _is_track_header(names: list[str]) -> bool:
    """Whether a row of cells names a track table's columns: a time (or frame) and x and y, or a zone."""
    lower = {n.strip().lower() for n in names}
    timed = bool(lower & ({*_TIME_NAMES, *_FRAME_NAMES}))
    placed = bool(lower & set(_ZONE_NAMES)) or all(
        any((m := _UNIT_SUFFIX.match(n)) and m["base"] in _COORD_PREFIX[axis] for n in lower) for axis in "xy"
    )
    return timed and placed


def _table_below_details(path: Path, sheet: str | int | None) -> pd.DataFrame:
    """Read the table, from the first row that names a track table's columns when lines of details precede it.

    Some exports write the run's details (``Track file,...``, ``Trial duration,...``) as lines above the
    column names: EthoVision 3's raw-data export puts 23 of them above ``Sample no.,Time,X,Y,...``. Those
    lines are skipped, with a warning that says how many; any other file is read as
    :func:`assaykit.io.tables.read_raw_table` reads it (and its errors are that function's).
    """
    raw = read_raw_table(path, sheet=sheet, header=False)
    head = raw.iloc[:_MAX_DETAIL_LINES].astype(str)
    rows = [
        (line, [c for c in row if c.strip()])
        for line, row in zip(head.index, head.itertuples(index=False), strict=True)
    ]
    rows = [(line, row) for line, row in rows if row]  # blank lines are no details
    for line, row in rows:
        if not _is_track_header(row):
            continue
        if line > rows[0][0]:
            warnings.warn(
                f"{path}: lines {rows[0][0]}-{line - 1} hold details of the run above the column names on "
                f"line {line} (as EthoVision 3 exports write them); the table is read from line {line}",
                UserWarning,
                stacklevel=3,
            )
            return promote_header(raw.loc[raw.index >= line], path=path)
        break
    return promote_header(raw, path=path)


def _coordinate_column(
    names: list[str], axis: str, path: Path, *, required: bool
) -> tuple[str, str | None] | None:
    """Find the x or y column and the unit its name states (``x_cm`` -> ``"cm"``, ``x`` -> None)."""
    found = []
    for name in names:
        match = _UNIT_SUFFIX.match(name.strip().lower())
        if match and match["base"] in _COORD_PREFIX[axis]:
            unit = match["unit"]
            found.append((name, "px" if unit and unit.startswith("pixel") else unit))
    if len(found) > 1:
        listed = ", ".join(f"'{n}'" for n, _ in found)
        raise AssayInputError(
            f"{len(found)} columns could be the {axis} coordinate ({listed}); keep one", path=path
        )
    if not found:
        if required:
            find_column(names, (axis, f"{axis}_cm", f"{axis}_px"), path=path, what=f"{axis} coordinate")
        return None
    return found[0]


def _number_series(table: pd.DataFrame, column: str, path: Path, *, missing_ok: bool) -> pd.Series:
    """:func:`_numbers` as a Series on the table's index: the column itself when it holds float64 already."""
    cells = table[column]
    if cells.dtype.kind == "f":
        values = cells.to_numpy()
        if not missing_ok or not np.isfinite(values[~np.isnan(values)]).all():
            _numbers(table, column, path, missing_ok=missing_ok)  # no cell may be empty or infinite
        return cells
    return pd.Series(_numbers(table, column, path, missing_ok=missing_ok), index=table.index)


def _numbers(table: pd.DataFrame, column: str, path: Path, *, missing_ok: bool) -> np.ndarray:
    """Convert a column to float64; missing positions to NaN; anything else that is not a number raises.

    In a semicolon-separated file a decimal comma (``12,5``) is read as a decimal point, as spreadsheet
    programs in many locales write it; ``inf`` and ``-inf`` are not positions or times and raise.
    """
    cells = table[column]
    if cells.dtype.kind == "f":
        values = cells.to_numpy(dtype=float)
        blank = np.isnan(values)
    else:
        text = cells.astype(str).str.strip()
        blank = text.str.lower().isin(MISSING_TOKENS).to_numpy()
        numbers = text.mask(blank)
        if table.attrs.get("delimiter") == ";":
            numbers = numbers.str.replace(_DECIMAL_COMMA, r"\1.\2", regex=True)
        values = pd.to_numeric(numbers, errors="coerce").to_numpy(dtype=float)
        bad = np.isnan(values) & ~blank
        if bad.any():
            at = int(np.argmax(bad))
            raise AssayInputError(
                f"expected a number, got '{text.iloc[at]}'"
                + (" (use a decimal point)" if "," in text.iloc[at] else ""),
                path=path,
                row=int(table.index[at]),
                column=column,
            )
    infinite = np.isinf(values)
    if infinite.any():
        at = int(np.argmax(infinite))
        raise AssayInputError(
            f"expected a finite number, got {values[at]:g}",
            path=path,
            row=int(table.index[at]),
            column=column,
        )
    if not missing_ok and blank.any():
        at = int(np.argmax(blank))
        raise AssayInputError(
            "the cell is empty; every row needs a value here",
            path=path,
            row=int(table.index[at]),
            column=column,
        )
    return values
