"""Counter plate grids joined to a plate layout: the canonical counts and saturation frames.

A binding lab's microplate counter exports counts as plate grids (:mod:`~assaykit.io.plates.grid`), and the
lab keeps which compound at which concentration is in which well in a plate layout: a wellmap TOML file or
a long table (:mod:`~assaykit.io.plates.layout`). :func:`read_plate_counts` and
:func:`read_plate_saturation` join the two (:mod:`~assaykit.io.plates.join`) into the long table the long
readers check, so the frames, the checks and their messages are those of
:func:`assaykit.io.counts.read_counts` and :func:`assaykit.io.saturation.read_saturation`; the frames also
have a ``well`` column (``C07``), their ``source_row`` is the grid row of each tube, and every message
about a tube names its plate and well (``plate 2, well C07``) in the file the problem is in.

Plates are matched by id: the grid's header names it (``Plate 2``, ``Plate: 2``, ``Plate number,2``,
``Plate ID: P2``), or grids are numbered 1, 2, ... in order across all files; the layout's plates
(``[plate.NAME]`` in wellmap, a ``plate`` column in a table) match them as ``1`` = ``01`` = ``P1`` =
``Plate 1`` (any case). A layout without plates applies to every plate.

Wells take part when they have a count and the layout gives them a compound, role or kind (wellmap lists
wells for every field it fills, e.g. a ``[col]`` concentration in a row with no compound: those are not in
use). Tolerated mismatches give one ``UserWarning`` each, listing the wells per plate
(``plate 1: A01, A12, H01 (3 wells)``): wells with a count but not in the layout (ignored); layout wells
without a count (dropped, as rows with an empty signal cell are); wells the layout marks ``empty`` or
``blank`` but that have a count (ignored); layout plates without a grid and grids without a layout plate
(ignored; an error when no plate matches). Wells excluded by pattern take no part, and ``attrs["notes"]``
lists them, one line per plate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.counts import counts_from_frame
from assaykit.io.input_files import distinct_files
from assaykit.io.plates.grid import Grid, read_grids
from assaykit.io.plates.join import WELL_COLUMN, Joined, join, relocated
from assaykit.io.plates.layout import Layout, read_layout
from assaykit.io.plates.wells import parse_well_patterns
from assaykit.io.saturation import saturation_from_frame
from assaykit.io.saturation_columns import DATASET_COLUMNS
from assaykit.io.tables import SOURCE_ROW

__all__ = [
    "WELL_COLUMN",
    "exclusion_patterns",
    "grid_hint",
    "parse_well_patterns",
    "read_grids",
    "read_layout",
    "read_plate_counts",
    "read_plate_saturation",
    "read_tubes",
]


def read_plate_counts(
    paths: Sequence[str | Path],
    layout: str | Path,
    *,
    sheet: str | int | None = None,
    exclude_wells: Sequence[str] = (),
) -> pd.DataFrame:
    """Read counter plate grids and their plate layout into the canonical counts frame.

    Parameters
    ----------
    paths
        The counter's exports (``.csv``, ``.tsv``/``.txt``, ``.xlsx``), each with one or more plate grids
        (see :mod:`assaykit.io.plates.grid`); plates without an id in their header are numbered 1, 2, ...
        in order across the files.
    layout
        The plate layout: a wellmap ``.toml`` file or a ``.csv``/``.tsv``/``.txt``/``.xlsx`` table with a
        ``well`` column (see :mod:`assaykit.io.plates.layout`); its fields are those of the long counts
        table: ``compound`` and/or ``role``, one ``conc_<unit>`` or ``log_conc_M``, optional ``replicate``
        and ``hot_nM``. A role (or compound) ``empty`` or ``blank`` marks a well that takes no part.
    sheet
        For ``.xlsx`` exports: the sheet to read; every sheet (skipping those without a grid) when None.
    exclude_wells
        Well patterns (``A*``, ``*12``, ``C07``, ``A1:B3``; each item may hold several, comma-separated):
        those wells take no part, on every plate.

    Returns
    -------
    pandas.DataFrame
        The canonical counts frame (:mod:`assaykit.io.counts`: ``COUNTS_COLUMNS``, ``hot_nM`` when the
        layout has it) with a ``well`` column (``C07``); ``plate`` is the counter's plate id and
        ``source_row`` the grid row of the tube. ``attrs`` as :func:`~assaykit.io.counts.read_counts`
        gives them (``source``: the grid files, joined with ", "), with ``layout`` = ``"plate grid"``,
        ``plate_layout`` (the layout file) and ``notes`` (a list of lines: the wells excluded, per plate).

    Raises
    ------
    AssayInputError
        When a grid, the layout or a tube is not what is expected; the one-line message names the file and,
        for a tube, its plate and well (``counts.csv, plate 2, well C07, row 14: ...``).

    Warns
    -----
    UserWarning
        For the tolerated mismatches of grids and layout (module docstring), and as ``read_counts``.
    """
    grids, plate_layout, patterns = _inputs(paths, layout, sheet, exclude_wells)
    joined = join(grids, plate_layout, patterns, stacklevel=3)
    table = joined.table
    if not {"compound", "role"} & set(table.columns):
        raise AssayInputError(
            "the layout gives no well a compound or role; give each well its compound (TOTAL and NSB for "
            "the controls) or role, and its concentration",
            path=plate_layout.path,
        )
    table.index = pd.Index(np.arange(1, len(table) + 1), name=SOURCE_ROW)
    out = relocated(
        lambda t: counts_from_frame(t, source=str(plate_layout.path)), joined, table, 1, stacklevel=2
    )
    return _finish(out, grids, plate_layout, joined)


def read_plate_saturation(
    paths: Sequence[str | Path],
    layout: str | Path,
    *,
    sheet: str | int | None = None,
    exclude_wells: Sequence[str] = (),
) -> pd.DataFrame:
    """Read counter plate grids of saturation binding and their plate layout into the canonical frame.

    Parameters
    ----------
    paths, sheet, exclude_wells
        As for :func:`read_plate_counts`.
    layout
        The plate layout (as for :func:`read_plate_counts`) with the fields of the long saturation table:
        ``kind`` (``total`` or ``nsb``; a ``role`` field is read as the kind when there is no ``kind``),
        the radioligand concentration ``conc_<unit>`` (``conc_nM``, ...), optional ``dataset`` and
        ``replicate``. Without a ``dataset`` field each plate is a data set named by its id (one plate:
        named by the file, as :func:`~assaykit.io.saturation.read_saturation` names a file's).

    Returns
    -------
    pandas.DataFrame
        The canonical saturation frame (``SATURATION_COLUMNS``) with ``well``; ``source_row`` is the grid
        row. ``attrs`` as :func:`~assaykit.io.saturation.read_saturation_files` gives them, with
        ``layout``, ``plate_layout`` and ``notes`` as for :func:`read_plate_counts`.

    Raises
    ------
    AssayInputError
        As :func:`read_plate_counts`.

    Warns
    -----
    UserWarning
        As :func:`read_plate_counts`.
    """
    grids, plate_layout, patterns = _inputs(paths, layout, sheet, exclude_wells)
    joined = join(grids, plate_layout, patterns, stacklevel=3)
    table = joined.table.drop(columns="plate")
    if "kind" not in table.columns and "role" in table.columns:
        table = table.rename(columns={"role": "kind"})
    if not {c.lower() for c in table.columns} & set(DATASET_COLUMNS):
        several = len(dict.fromkeys(joined.plate)) > 1
        table["dataset"] = np.array(joined.plate, dtype=object) if several else grids[0].path.stem
    out = relocated(
        lambda t: saturation_from_frame(t, source=str(plate_layout.path)), joined, table, 2, stacklevel=2
    )
    return _finish(out, grids, plate_layout, joined)


def _inputs(
    paths: Sequence[str | Path], layout: str | Path, sheet: str | int | None, exclude_wells: Sequence[str]
) -> tuple[list[Grid], Layout, tuple[str, ...]]:
    if isinstance(exclude_wells, str):
        exclude_wells = [exclude_wells]
    patterns = tuple(dict.fromkeys(p for text in exclude_wells for p in parse_well_patterns(text)))
    files = distinct_files(paths)
    if not files:
        raise AssayInputError("no counts file given")
    plate_layout = read_layout(layout)
    grids = [grid for path in files for grid in read_grids(path, sheet=sheet)]
    return grids, plate_layout, patterns


def _finish(out: pd.DataFrame, grids: list[Grid], layout: Layout, joined: Joined) -> pd.DataFrame:
    out.attrs.update(
        {
            "source": ", ".join(dict.fromkeys(str(g.path) for g in grids)),
            "layout": "plate grid",
            "plate_layout": str(layout.path),
            "notes": list(joined.notes),
        }
    )
    return out


def grid_hint(exc: AssayInputError, sheet: str | int | None = None) -> AssayInputError:
    """Return ``exc`` with a hint when the file it names holds a counter's plate grid (read without a layout).

    A plate grid given as a table of tubes fails on its header; the hint says what the file is and that
    ``--layout`` reads it. Any other error is returned as it is.
    """
    if exc.path is None or not exc.path.is_file():
        return exc
    try:
        grids = read_grids(exc.path, sheet=sheet)
    except (AssayInputError, OSError, ValueError):
        return exc
    rows, columns = grids[0].shape
    what = f"{len(grids)} plate grid{'s' if len(grids) > 1 else ''} of {rows} x {columns} wells"
    return AssayInputError(
        f"this is a counter's export with {what}, not a table of tubes; give its plate map with "
        "--layout (a wellmap .toml, or a table of well, compound, conc_<unit>)",
        path=exc.path,
    )


def exclusion_patterns(
    exclude_wells: str | Sequence[str] | None, layout: str | Path | None
) -> tuple[str, ...]:
    """Return the checked patterns of ``--exclude-wells`` (a string or strings), before any file is read.

    Raises
    ------
    AssayInputError
        For a bad pattern, or patterns given without a plate layout (wells are known only from one).
    """
    if not exclude_wells:
        return ()
    if layout is None:
        raise AssayInputError("--exclude-wells needs --layout: wells are known from a plate layout")
    return parse_well_patterns(exclude_wells if isinstance(exclude_wells, str) else ",".join(exclude_wells))


def read_tubes(
    read: Callable[..., pd.DataFrame], paths: Sequence[str | Path], **options: Any
) -> pd.DataFrame:
    """``read(paths, **options)`` (a reader of tables of tubes), with :func:`grid_hint` on its errors."""
    try:
        return read(paths, **options)
    except AssayInputError as exc:
        raise grid_hint(exc, options.get("sheet")) from None
