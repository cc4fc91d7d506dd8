"""Read Noldus EthoVision XT raw-data exports into a TrackTable.

EthoVision XT "Export > Raw data" files (text, one per track, or an ``.xlsx`` workbook with one ``Track-...``
sheet per arena and subject) start with a ``Number of header lines:`` row, then key/value metadata, then the
column names and a units row; ``-`` marks a sample without a position. Only the time and centre-point
columns are read; they are converted column by column (pandas' C parser for text, see
:mod:`assaykit.io.tracks.exports`), so files of 100,000 samples read quickly.
"""

from __future__ import annotations

import csv
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.tracks.exports import (
    HEADER_LABELS,
    MISSING_TEXT,
    decode_export,
    find_columns,
    floats,
    head_lines,
    read_cells,
)
from assaykit.io.tracks.table import TrackTable, checked_path, track_frame

#: File extensions :func:`read_ethovision` understands.
ETHOVISION_SUFFIXES = (".txt", ".csv", ".tsv", ".xlsx")

_TIME = ("Trial time",)
_X = ("X center", "X centre")
_Y = ("Y center", "Y centre")
_NO_SAMPLES = "no samples logged for this track"
_UNITS = {"cm": "cm", "mm": "mm", "m": "m", "px": "px", "pixel": "px", "pixels": "px"}


class _NoSamples(Exception):
    """EthoVision wrote "No samples logged for this track!" instead of data."""


def read_ethovision(path: str | Path, *, sheet: str | int | None = None) -> TrackTable:
    """Read an EthoVision XT raw-data export (``.txt``/``.csv`` text or ``.xlsx`` workbook).

    Parameters
    ----------
    path
        The export. Text files may be separated by ``;``, ``,`` or tabs, quoted or not, in UTF-8, UTF-16
        (with a byte-order mark) or Windows-1252.
    sheet
        For a workbook: the sheet name or 0-based position. None reads every sheet whose name starts with
        ``Track`` (the first sheet when none does), skipping, with a warning, tracks without samples.

    Returns
    -------
    TrackTable
        ``format="ethovision"``; ``data`` holds ``animal``, ``time_s`` (the ``Trial time`` column), ``x``
        and ``y`` (``X center``/``Y center``; NaN where missing) in file order. The animal is the file stem,
        or ``"<stem>:<sheet name>"`` for a workbook with several ``Track`` sheets. ``space_unit`` is the
        unit written under ``X center`` (``cm``, ``mm``, ``m`` or ``px``), None when it is none of these.

    Raises
    ------
    AssayInputError
        When the file is missing or of an unknown type, does not start with ``Number of header lines``,
        lacks the time or centre-point columns, has a time that is not a number or a position that is
        neither a number nor a missing value (the message names the line or sheet row), has no samples,
        or (workbooks) has no such sheet or only tracks without samples.
    """
    path = checked_path(path, ETHOVISION_SUFFIXES, "an EthoVision export")
    if path.suffix.lower() != ".xlsx":
        if sheet is not None:
            raise AssayInputError(f"a sheet ({sheet!r}) was given but a text file has no sheets", path=path)
        try:
            data, unit = _ethovision_text(path)
        except _NoSamples as exc:
            raise AssayInputError(str(exc), path=path) from None
        return TrackTable(data=data, source=path, format="ethovision", space_unit=unit, time_column=_TIME[0])
    from assaykit.io.xlsx_read import open_workbook, sheet_values

    with open_workbook(path) as book:
        names = list(book.sheet_names)
        tracks = [n for n in names if n.strip().lower().startswith("track")]
        chosen = _chosen_sheets(sheet, names, tracks, path)
        parts, units = [], []
        for name in chosen:
            animal = f"{path.stem}:{name}" if len(tracks) > 1 else path.stem
            try:
                rows = sheet_values(book, name, path)
                data, unit = _ethovision_sheet(rows, path, animal, f"sheet '{name}': ")
            except _NoSamples as exc:
                if sheet is not None:
                    raise AssayInputError(str(exc), path=path) from None
                warnings.warn(f"{path}: {exc}; skipped", UserWarning, stacklevel=2)
                continue
            parts.append(data)
            units.append(unit)
    if not parts:
        raise AssayInputError(
            "no track in this workbook has samples (each says 'No samples logged for this track!')", path=path
        )
    if len(set(units)) > 1:
        raise AssayInputError(
            f"the Track sheets state different units ({sorted(map(str, set(units)))})", path=path
        )
    data = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return TrackTable(data=data, source=path, format="ethovision", space_unit=units[0], time_column=_TIME[0])


def _chosen_sheets(sheet: str | int | None, names: list[str], tracks: list[str], path: Path) -> list[str]:
    if sheet is None:
        return tracks or names[:1]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(names):
            raise AssayInputError(
                f"no sheet number {sheet} (0-based); the workbook has {len(names)}", path=path
            )
        return [names[sheet]]
    if str(sheet) not in names:
        listed = ", ".join(f"'{n}'" for n in names)
        raise AssayInputError(f"no sheet named '{sheet}'; the sheets are {listed}", path=path)
    return [str(sheet)]


def _header_count(cells: Sequence[str], path: Path, where: str) -> int:
    """Read the count of ``Number of header lines:`` in the first row (at least 3: names and units)."""
    label = (cells[0] if cells else "").replace("\ufeff", "").strip().rstrip(":").strip()
    shown = label if len(label) <= 40 else label[:40] + "..."
    value = cells[1].strip() if len(cells) > 1 else ""
    if label.lower() not in HEADER_LABELS:
        raise AssayInputError(
            f"{where}not an EthoVision raw-data export: expected 'Number of header lines:' and a count in "
            f"the first row, found '{shown}'",
            path=path,
            row=1,
        )
    if not re.fullmatch(r"\d+(\.0*)?", value) or float(value) < 3:
        raise AssayInputError(
            f"{where}expected a whole number of header lines (3 or more), found '{value}'", path=path, row=1
        )
    return int(float(value))


def _columns(
    head: list[list[str]], count: int, path: Path, where: str
) -> tuple[list[int], list[str], str | None]:
    """Find the time and centre-point columns in the names row (one before last) and the X unit."""
    if len(head) < count:
        raise AssayInputError(
            f"{where}the first row says {count} header lines but there are only {len(head)}", path=path
        )
    names = [c.replace("\ufeff", "").strip() for c in head[count - 2]]
    used = find_columns(names, ((_TIME, "time"), (_X, "X center"), (_Y, "Y center")))
    if isinstance(used, AssayInputError):
        reason = f"{used.reason} (line {count - 1}, the one before the units, should name the columns)"
        raise AssayInputError(where + reason, path=path, row=count - 1)
    units = head[count - 1]
    unit = units[used[1]].strip().strip("()").strip().lower() if used[1] < len(units) else ""
    return used, names, _UNITS.get(unit)


def _ethovision_text(path: Path) -> tuple[pd.DataFrame, str | None]:
    text = decode_export(path)
    first, _ = head_lines(text, 1)
    split = {d: next(csv.reader(first or [""], delimiter=d)) for d in (";", ",", "\t")}
    good = [d for d, cells in split.items() if len(cells) > 1 and HEADER_LABELS[1] in cells[0].lower()]
    delimiter = good[0] if good else "\t"
    count = _header_count(split[delimiter], path, "")
    lines, offset = head_lines(text, count)
    used, names, unit = _columns(list(csv.reader(lines, delimiter=delimiter)), count, path, "")
    if _NO_SAMPLES in text[offset : offset + 500].lower():
        raise _NoSamples("EthoVision logged no samples for this track ('No samples logged for this track!')")
    body = _uncut(text[offset:], delimiter, len(names), count, path)
    cells = read_cells(body, delimiter, used, names, count + 1, path)
    return _ethovision_frame(cells, count, path, path.stem, ""), unit


def _uncut(body: str, delimiter: str, width: int, count: int, path: Path) -> str:
    """Drop a last row cut short (an export or copy stopped mid-row), with a warning.

    A file that does not end with a line break and whose last row has fewer cells than the names row (or
    ends inside a quoted cell) was cut off: the rows before it are read, that one is left out.
    """
    stripped = body.rstrip("\r\n")
    if not stripped or body.endswith(("\n", "\r")):
        return body
    start = stripped.rfind("\n") + 1
    last = stripped[start:]
    cells = next(csv.reader([last], delimiter=delimiter), [])
    if len(cells) >= width and last.count('"') % 2 == 0:
        return body
    line = count + stripped.count("\n") + 1
    warnings.warn(
        f"{path}: the last row (line {line}) has {len(cells)} of the {width} cells of the header and no line "
        "break after it: the export seems cut short; that row is left out",
        UserWarning,
        stacklevel=4,
    )
    return body[:start]


def _ethovision_sheet(
    rows: list[list[object]], path: Path, animal: str, where: str
) -> tuple[pd.DataFrame, str | None]:
    """Read one Track sheet's rows (openpyxl-like values, from row 1): its samples and X unit."""
    head = [["" if v is None else str(v) for v in row] for row in rows[:1]]
    count = _header_count(head[0] if head else [], path, where)
    head += [["" if v is None else str(v) for v in row] for row in rows[1:count]]
    used, names, unit = _columns(head, count, path, where)
    width = max(used) + 1
    values = [(row + [None] * width)[:width] for row in rows[count:]]
    cells = pd.DataFrame(values, columns=range(width), dtype=object)
    if len(cells) and any(_NO_SAMPLES in str(v).lower() for v in (cells.iat[0, 0], cells.iat[-1, 0])):
        raise _NoSamples(
            f"{where}EthoVision logged no samples for this track ('No samples logged for this track!')"
        )
    cells = cells[used].set_axis([names[i] for i in used], axis=1)
    cells.index = pd.RangeIndex(count + 1, count + 1 + len(cells))
    blank = cells.apply(lambda c: c.isna() | (c.astype(str).str.strip() == "")).all(axis=1)
    return _ethovision_frame(cells[~blank], count, path, animal, where), unit


def _ethovision_frame(cells: pd.DataFrame, count: int, path: Path, animal: str, where: str) -> pd.DataFrame:
    if cells.empty:
        raise AssayInputError(f"{where}no samples below the {count} header lines", path=path)
    time = floats(cells.iloc[:, 0], path, f"{where}expected a time in seconds", nan_ok=False)
    x = floats(cells.iloc[:, 1], path, f"{where}expected {MISSING_TEXT}")
    y = floats(cells.iloc[:, 2], path, f"{where}expected {MISSING_TEXT}")
    return track_frame(np.full(len(cells), animal, dtype=object), time, x, y)
