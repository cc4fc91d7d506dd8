"""Read ANY-maze test-data exports into a TrackTable.

ANY-maze's "Test data report" (exported as CSV) has one header row (``Time``, ``Centre position X``,
``Centre position Y``, ``In <zone>``, ...) and a row for each thing that occurred during the test, in time
order: a new position of the animal, a zone entry, ... (ANY-maze help, "The Test data report"). Its rows are
events, not video frames; the reader marks the table as an event log, so that a long step between two rows
(an animal sitting still) lasts until the next row and is never read as a clock gap. Times are
``h:mm:ss.mmm`` or seconds.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.tracks.exports import (
    ANYMAZE_X,
    MISSING_TEXT,
    decode_export,
    find_columns,
    floats,
    head_lines,
    read_cells,
)
from assaykit.io.tracks.table import TrackTable, checked_path, track_frame

_ANY_TIME = ("Time",)
_ANY_Y = ("Centre position Y", "Center position Y")
_HMS = r"^(?:(?:(\d+):)?(\d+):)?(\d+(?:[.,]\d*)?)$"  # [[h:]mm:]ss[.fff]


def read_anymaze(path: str | Path) -> TrackTable:
    """Read an ANY-maze "test data" CSV export (``Time``, ``Centre position X``, ``Centre position Y``, ...).

    Parameters
    ----------
    path
        The ``.csv`` (or ``.txt``) file, separated by commas, semicolons or tabs.

    Returns
    -------
    TrackTable
        ``format="anymaze"``, ``space_unit=None`` (ANY-maze writes pixels or mm without saying which),
        ``event_log=True`` (the report has a row for each thing that occurred, e.g. a new position, not
        one per video frame: a row lasts until the next, however long);
        ``data`` holds ``animal`` (the file stem), ``time_s`` (``h:mm:ss.mmm`` or seconds, as seconds), ``x``
        and ``y`` (NaN where the cell is empty or ``#N/A``) in file order.

    Raises
    ------
    AssayInputError
        When the file is missing, lacks the ``Time`` or ``Centre position X``/``Y`` columns, has a time
        that is neither ``h:mm:ss.mmm`` nor seconds or a position that is not a number (the message names
        the line), or has no data rows.
    """
    path = checked_path(path, (".csv", ".txt", ".tsv"), "an ANY-maze export")
    text = decode_export(path)
    lines, offset = head_lines(text, 1)
    wanted = {name.lower() for name in ANYMAZE_X}
    split = {d: next(csv.reader(lines or [""], delimiter=d)) for d in (",", ";", "\t")}
    delimiter = next(
        (d for d, cells in split.items() if any(c.strip().lower() in wanted for c in cells)), ","
    )
    names = [c.replace("\ufeff", "").strip() for c in split[delimiter]]
    used = find_columns(
        names, ((_ANY_TIME, "time"), (ANYMAZE_X, "centre X position"), (_ANY_Y, "centre Y position"))
    )
    if isinstance(used, AssayInputError):
        raise AssayInputError(used.reason, path=path, row=1)
    cells = read_cells(text[offset:], delimiter, used, names, 2, path)
    if cells.empty:
        raise AssayInputError("no data rows below the header (line 1)", path=path)
    time = _anymaze_seconds(cells.iloc[:, 0], path)
    x = floats(cells.iloc[:, 1], path, f"expected {MISSING_TEXT}")
    y = floats(cells.iloc[:, 2], path, f"expected {MISSING_TEXT}")
    data = track_frame(np.full(len(cells), path.stem, dtype=object), time, x, y)
    # the test data report lists "things that occurred" (a new position, a zone entry), not frames
    return TrackTable(
        data=data, source=path, format="anymaze", space_unit=None, time_column=names[used[0]], event_log=True
    )


def _anymaze_seconds(cells: pd.Series, path: Path) -> np.ndarray:
    """Convert ANY-maze times (``h:mm:ss.mmm``, ``mm:ss.mmm`` or seconds; index: lines) to float seconds."""
    text = cells.fillna("").astype(str).str.strip()
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    need = np.flatnonzero(np.isnan(values))
    if len(need):
        parts = text.iloc[need].str.extract(_HMS)
        hours, minutes = (pd.to_numeric(parts[i]).fillna(0).to_numpy(dtype=np.float64) for i in (0, 1))
        seconds = pd.to_numeric(parts[2].str.replace(",", ".")).to_numpy(
            dtype=np.float64, na_value=np.nan, copy=True
        )
        values[need] = hours * 3600.0 + minutes * 60.0 + seconds
        bad = need[np.isnan(seconds)]
        if len(bad):
            raise AssayInputError(
                f"expected a time as h:mm:ss.mmm or seconds, found '{text.iloc[bad[0]]}'",
                path=path,
                row=int(text.index[bad[0]]),
                column=str(cells.name),
            )
    return values
