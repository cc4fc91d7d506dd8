"""Read DeepLabCut pose files (``.csv`` or ``.h5``) into a :class:`~assaykit.io.tracks.TrackTable`.

DeepLabCut writes, per video frame, ``x``, ``y`` and ``likelihood`` for each body part (and, in multi-animal
projects, each individual) under a header of three rows (``scorer``, ``bodyparts``, ``coords``) or four
(``scorer``, ``individuals``, ``bodyparts``, ``coords``); the first column is the frame index. One position
per animal and frame is derived here: points whose likelihood is below a threshold are set missing, then the
chosen body parts are averaged (their centroid). Times come from the frame index and the frame rate, since
the files carry no time.
"""

from __future__ import annotations

import csv
import importlib
import math
import numbers
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.tracks.keypoints import COORDS, centroid, chosen_parts, pose_keypoints
from assaykit.io.tracks.landmarks import moving_parts
from assaykit.io.tracks.table import TrackTable, checked_path, track_frame

#: File extensions :func:`read_dlc` understands.
DLC_SUFFIXES = (".csv", ".h5", ".hdf5")

_UNIQUE = "single"  # DeepLabCut's pseudo-individual holding the unique (non-animal) body parts
_NA_TEXT = {"", "nan", "-nan", "na", "n/a", "#n/a", "null", "none", "<na>"}  # read as NaN by read_csv
_NO_FPS = "DeepLabCut files have no time column; give the frame rate with --fps"

# (individual, body part, coordinate) for each data column, in file order
_Columns = list[tuple[str, str, str]]


def read_dlc(
    path: str | Path,
    *,
    fps: float | None,
    bodypart: str | Sequence[str] | None = None,
    likelihood: float = 0.9,
) -> TrackTable:
    """Read a DeepLabCut ``.csv`` or ``.h5`` pose file as one position per animal and frame.

    Parameters
    ----------
    path
        The file: a DeepLabCut predictions ``.csv`` (header rows ``scorer``, ``bodyparts``, ``coords``, or
        ``scorer``, ``individuals``, ``bodyparts``, ``coords`` for multi-animal projects) or the ``.h5``
        table DeepLabCut writes alongside it (any key; DeepLabCut uses ``df_with_missing``).
    fps
        The video's frame rate (frames per second): ``time_s = frame index / fps``.
    bodypart
        The body part whose position is the animal's position; a sequence of body parts for their
        centroid; None for the centroid of every body part in the file.
    likelihood
        Points whose likelihood is below this (0 to 1) are set missing before the centroid is taken.

    Returns
    -------
    TrackTable
        ``format="dlc"``, ``space_unit="px"``. ``data`` has one row per animal and frame (all frames of the
        first animal, then the next, in the file's order) with ``animal``, ``time_s``, ``x`` and ``y``;
        a position is the mean of the chosen parts left on that frame, NaN when none is left. The animal
        is the file stem for single-animal files and the individual's name for multi-animal ones (the
        ``single`` pseudo-individual of unique body parts is left out when there are animals).
        ``low_likelihood`` counts, per animal, the frames whose position is missing only because of the
        likelihood threshold.

    Raises
    ------
    AssayInputError
        When ``fps`` is missing or not positive, ``likelihood`` is not between 0 and 1, the file is missing
        or not a DeepLabCut table (header, a body part without x/y/likelihood, a cell or frame index that
        is not a number, no frames), a body part asked for is not in the file, or an ``.h5`` file cannot be
        read (PyTables missing, not HDF5).
    """
    path = checked_path(path, DLC_SUFFIXES, "a DeepLabCut file")
    if fps is None:
        raise AssayInputError(_NO_FPS, path=path)
    if isinstance(fps, bool) or not isinstance(fps, numbers.Real) or not math.isfinite(fps) or fps <= 0:
        raise AssayInputError(
            f"the frame rate must be a positive number of frames per second, not {fps!r}", path=path
        )
    if isinstance(likelihood, bool) or not isinstance(likelihood, numbers.Real) or not 0 <= likelihood <= 1:
        raise AssayInputError(
            f"the likelihood threshold must be between 0 and 1, not {likelihood!r}", path=path
        )
    if path.suffix.lower() == ".csv":
        frames, columns, values, coords_row = _read_csv(path)
    else:
        frames, columns, values, coords_row = _read_h5(path)
    layout = _layout(columns, path, coords_row)
    animals = [a for a in layout if a != _UNIQUE] or list(layout)
    parts = chosen_parts(bodypart, animals, layout, path)
    if bodypart is None:  # the animal's position: leave out landmarks of the apparatus
        parts = moving_parts(parts, [values] * len(animals), [layout[a] for a in animals], likelihood, path)
    times = frames / float(fps)
    xs, ys, low = [], [], {}
    for animal in animals:
        x, y, low[animal] = centroid(
            values, [layout[animal][p] for p in parts if p in layout[animal]], likelihood
        )
        xs.append(x)
        ys.append(y)
    data = track_frame(
        np.repeat(np.array(animals, dtype=object), len(frames)),
        np.tile(times, len(animals)),
        np.concatenate(xs),
        np.concatenate(ys),
    )
    keypoints = pose_keypoints(values, [layout[a] for a in animals], parts)
    return TrackTable(
        data=data, source=path, format="dlc", space_unit="px", low_likelihood=low, keypoints=keypoints
    )


def _layout(columns: _Columns, path: Path, row: int | None) -> dict[str, dict[str, dict[str, int]]]:
    """Index the columns as individual -> body part -> coordinate -> column; check x, y, likelihood."""
    layout: dict[str, dict[str, dict[str, int]]] = {}
    for i, (animal, part, coord) in enumerate(columns):
        slot = layout.setdefault(animal, {}).setdefault(part, {})
        if coord in slot:
            who = f"'{part}' of '{animal}'" if len(layout) > 1 or animal != path.stem else f"'{part}'"
            raise AssayInputError(f"two '{coord}' columns for body part {who}", path=path, row=row)
        slot[coord] = i
    if not layout:
        raise AssayInputError("no body part columns in this DeepLabCut file", path=path, row=row)
    for animal, body in layout.items():
        for part, slot in body.items():
            missing = [c for c in COORDS if c not in slot]
            if missing:
                raise AssayInputError(
                    f"body part '{part}' has no '{missing[0]}' column"
                    + (f" for '{animal}'" if animal != path.stem else "")
                    + "; DeepLabCut files have x, y and likelihood columns for each body part",
                    path=path,
                    row=row,
                )
    return layout


def _read_csv(path: Path) -> tuple[np.ndarray, _Columns, np.ndarray, int]:
    """Read a DeepLabCut CSV: frame indices, (individual, part, coord) per column, values, coords line."""
    header, encoding = _csv_header(path)
    depth = len(header)
    width = len(header[0])
    if depth == 3:
        columns = [(path.stem, header[1][j].strip(), header[2][j].strip().lower()) for j in range(1, width)]
    else:
        columns = [
            (header[1][j].strip(), header[2][j].strip(), header[3][j].strip().lower())
            for j in range(1, width)
        ]
    options = {
        "header": None,
        "skiprows": depth,
        "names": range(width),
        "index_col": False,
        "encoding": encoding,
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # a first row longer than the header
            values = _read_values(path, depth, width, options)
    except pd.errors.ParserWarning as exc:
        raise AssayInputError(
            f"this row has more cells than the header ({width})", path=path, row=depth + 1
        ) from exc
    except pd.errors.ParserError as exc:
        found = re.search(r"line (\d+), saw (\d+)", str(exc))
        line = int(found.group(1)) if found else None  # pandas counts the file's lines
        seen = f" ({found.group(2)})" if found else ""
        raise AssayInputError(
            f"this row has more cells{seen} than the header ({width})", path=path, row=line
        ) from exc
    except pd.errors.EmptyDataError:
        values = np.empty((0, width))
    except ValueError:  # a cell that is not a number
        _raise_bad_cell(path, options, columns)
    if not values.size:
        raise AssayInputError(f"no frames below the DeepLabCut header (lines 1-{depth})", path=path)
    frames = values[:, 0].copy()
    if np.isnan(frames).any():
        _raise_bad_cell(path, options, columns)
    return frames, columns, values[:, 1:], depth


#: Bytes of values parsed at a time (a block of rows) when a DeepLabCut CSV is read.
READ_BLOCK_BYTES = 2**24


def _read_values(path: Path, depth: int, width: int, options: dict) -> np.ndarray:
    """Read the values below the header into one ``(frames, width)`` float array, a block of rows at a time.

    pandas returns a wide file (100 animals x 6 keypoints x 3 = 1801 columns) as one array per column and
    copies them into one block when asked for a matrix: the file's values twice over at the peak. Read in
    blocks of rows into an array sized from the file's line count, they are held once, plus one block.
    Blank lines (which pandas skips) only leave the array's tail unused; it is cut off.
    """
    with path.open("rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(2**22), b""))
    values = np.empty((max(lines + 1 - depth, 0), width))
    filled = 0
    rows = max(64, READ_BLOCK_BYTES // (8 * width))
    with pd.read_csv(path, dtype=np.float64, chunksize=rows, **options) as reader:
        for table in reader:
            block = table.to_numpy(dtype=np.float64, copy=False)
            if filled + len(block) > len(values):  # more rows than lines were counted: never, but be safe
                values = np.concatenate([values[:filled], np.empty((len(block), width))])
            values[filled : filled + len(block)] = block
            filled += len(block)
    return values[:filled]


def _csv_header(path: Path) -> tuple[list[list[str]], str]:
    """Read and check the 3 or 4 header rows of a DeepLabCut CSV; return them and the file's encoding."""
    with path.open("rb") as handle:
        raw = [handle.readline() for _ in range(4)]
    encoding = "utf-8-sig"
    try:
        lines = [line.decode(encoding) for line in raw]
    except UnicodeDecodeError:
        encoding = "cp1252"
        lines = [line.decode(encoding, errors="replace") for line in raw]
    rows = [row or [""] for row in csv.reader(lines)]
    rows += [[""]] * (4 - len(rows))
    first = [r[0].strip().lower() for r in rows]
    if first[0] != "scorer":
        raise AssayInputError(
            f"not a DeepLabCut file: expected 'scorer' in the first cell, found '{rows[0][0].strip()[:40]}'",
            path=path,
            row=1,
        )
    expected = (
        ["scorer", "individuals", "bodyparts", "coords"]
        if first[1] == "individuals"
        else ["scorer", "bodyparts", "coords"]
    )
    for i, name in enumerate(expected):
        if first[i] != name:
            hint = " (or 'individuals' for a multi-animal file)" if i == 1 else ""
            raise AssayInputError(
                f"not a DeepLabCut header: expected '{name}'{hint} in the first cell, "
                f"found '{rows[i][0].strip()[:40]}'",
                path=path,
                row=i + 1,
            )
        if len(rows[i]) != len(rows[0]):
            raise AssayInputError(
                f"the DeepLabCut header row '{name}' has {len(rows[i])} cells but 'scorer' has "
                f"{len(rows[0])}",
                path=path,
                row=i + 1,
            )
    return rows[: len(expected)], encoding


def _raise_bad_cell(path: Path, options: dict, columns: _Columns) -> NoReturn:
    """Find the first cell that is not a number (or an empty frame index) and raise for it."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False, **options)
    first_line = int(options["skiprows"]) + 1
    text = table.apply(lambda c: c.str.strip())
    blank_row = (text == "").all(axis=1).to_numpy()
    worst: tuple[int, int] | None = None
    for j in table.columns:
        cells = text[j]
        bad = pd.to_numeric(cells, errors="coerce").isna().to_numpy() & ~blank_row
        if j != 0:
            bad = bad & ~cells.str.lower().isin(_NA_TEXT).to_numpy()
        rows = np.flatnonzero(bad)
        if len(rows) and (worst is None or rows[0] < worst[0]):
            worst = (int(rows[0]), j)
    if worst is None:
        raise AssayInputError("expected numbers in every cell below the DeepLabCut header", path=path)
    i, j = worst
    value = text.iat[i, j]
    if j == 0 and i == 0 and value.lower().endswith((".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")):
        raise AssayInputError(
            f"the rows are images ('{value}'), not video frames: predictions on labelled frames (a training "
            "set) have no time; give the predictions for a whole video",
            path=path,
            row=first_line + i,
        )
    if j == 0:
        what, column = "the frame index (first column) must be a number", None
    else:
        animal, part, coord = columns[j - 1]
        what = f"expected a number for '{part}' {coord}"
        column = f"{part} {coord}" if animal == path.stem else f"{animal} {part} {coord}"
    raise AssayInputError(f"{what}, found '{value}'", path=path, row=first_line + i, column=column)


def _read_h5(path: Path) -> tuple[np.ndarray, _Columns, np.ndarray, None]:
    """Read a DeepLabCut HDF5 table with pandas (PyTables)."""
    try:
        importlib.import_module("tables")
    except ImportError as exc:
        raise AssayInputError(
            "reading DeepLabCut .h5 files needs PyTables; install it with 'pip install tables'", path=path
        ) from exc
    try:
        with pd.HDFStore(path, mode="r") as store:
            keys = store.keys()
            if not keys:
                raise AssayInputError("this HDF5 file holds no table", path=path)
            table = store.get("/df_with_missing" if "/df_with_missing" in keys else keys[0])
    except AssayInputError:
        raise
    except Exception as exc:  # PyTables raises many types for a file that is not HDF5 or not a pandas store
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise AssayInputError(f"cannot read it as a DeepLabCut .h5 file ({reason})", path=path) from exc
    if not isinstance(table, pd.DataFrame) or table.columns.nlevels not in (3, 4):
        raise AssayInputError(
            "not a DeepLabCut table: expected columns with the levels scorer, (individuals,) bodyparts "
            "and coords",
            path=path,
        )
    multi = table.columns.nlevels == 4
    columns = [
        (str(c[1]).strip() if multi else path.stem, str(c[-2]).strip(), str(c[-1]).strip().lower())
        for c in table.columns
    ]
    if table.empty:
        raise AssayInputError("no frames in this DeepLabCut file", path=path)
    frames = pd.to_numeric(pd.Series(table.index), errors="coerce").to_numpy(dtype=np.float64)
    if table.index.nlevels != 1 or np.isnan(frames).any():
        raise AssayInputError("the frame index must hold frame numbers", path=path)
    try:
        values = table.to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AssayInputError("expected numbers in every DeepLabCut column", path=path) from exc
    return frames, columns, values, None
