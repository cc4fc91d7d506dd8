"""Join plate grids to a plate layout: the tubes as the long counts or saturation table, and the checks.

:func:`join` matches each counts plate to its layout plate, applies the well exclusions, warns about the
wells one side has and the other lacks, and builds the long table the long readers check (one row per
tube, the layout's fields, the count under ``cpm``/``dpm``/``counts``, ``plate`` and ``well``).
:func:`relocated` runs a long reader on it and turns the rows its messages name (the tubes' positions)
into plates and wells, in the file each problem is in: the grid's for a count, the layout's otherwise.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.counts.tubes import CONTROL_NAMES
from assaykit.io.plates.grid import Grid
from assaykit.io.plates.layout import EMPTY_ROLES, Layout
from assaykit.io.plates.wells import compact_wells, pattern_mask, well_name

WELL_COLUMN = "well"


@dataclass
class Joined:
    """The tubes of the joined plates, as the long table, and where each came from."""

    table: pd.DataFrame  # the long table, in plate order then well order (row by row)
    plate: list[str]  # per tube: the counts plate id
    well: list[str]  # per tube: the well id (C07)
    grid: list[Grid]  # per tube: its grid
    grid_line: np.ndarray  # per tube: the source row of its grid row
    layout_line: np.ndarray  # per tube: its layout table row (0 for wellmap layouts)
    unit: str  # cpm, dpm or counts
    notes: list[str] = field(default_factory=list)


def plate_ids(grids: Sequence[Grid]) -> list[str]:
    """Each grid's plate id: the header's, else its 1-based position among all grids; ids must differ."""
    ids = [g.plate if g.plate is not None else str(i) for i, g in enumerate(grids, start=1)]
    seen: dict[str, int] = {}
    for i, plate in enumerate(ids):
        if (key := _plate_key(plate)) in seen:
            first = grids[seen[key]]
            raise AssayInputError(
                f"two plate grids claim plate {plate} (this one and {first.path}, {first.where}); give each "
                "plate's grid once, or number the plates in the headers",
                path=grids[i].path,
                row=grids[i].header_line,
                location=f"plate {plate}",
            )
        seen[key] = i
    return ids


def signal_unit(grids: Sequence[Grid], ids: Sequence[str]) -> str:
    """Return the grids' signal unit: the one their headers name, ``counts`` if none; two are an error."""
    named = {g.unit for g in grids if g.unit}
    if len(named) > 1:
        found = ", ".join(f"{g.unit} in plate {p}" for g, p in zip(grids, ids, strict=True) if g.unit)
        raise AssayInputError(f"the plate grids measure in different units ({found}); give them one unit")
    return next(iter(named), "counts")


def _plate_key(plate: str) -> str:
    """Plate ids compare as ``1`` = ``01`` = ``P1`` = ``Plate 1`` = ``plate_1`` (any case)."""
    text = re.sub(r"[\s_-]+", "", str(plate)).lower()
    match = re.fullmatch(r"(?:plate|p)?0*(\d+)", text)
    return match.group(1) if match else text


def join(grids: Sequence[Grid], layout: Layout, patterns: Sequence[str], *, stacklevel: int) -> Joined:
    """Join the grids to the layout (see the module docstring); warnings name plates and wells."""
    ids = plate_ids(grids)
    unit = signal_unit(grids, ids)
    table, notes = layout.table, []
    in_use = _in_use(table)
    if layout.per_plate:
        by_key = {_plate_key(p): p for p in dict.fromkeys(table["plate"])}
        matched = [i for i, p in enumerate(ids) if _plate_key(p) in by_key]
        if not matched:
            raise AssayInputError(
                f"no plate of the layout ({', '.join(by_key.values())}) is a plate of the counts "
                f"({', '.join(ids)}); name the layout's plates as the counter does (e.g. [plate.1] for "
                "the counter's plate 1)",
                path=layout.path,
            )
        counted = {_plate_key(ids[i]) for i in matched}
        if spare := [p for k, p in by_key.items() if k not in counted]:
            _warn(
                f"{layout.path}: layout plates without a plate grid (ignored): {', '.join(spare)}", stacklevel
            )
        if spare := [ids[i] for i in range(len(ids)) if i not in matched]:
            _warn(
                f"plate grids without a plate in {layout.path} (ignored): plates {', '.join(spare)}",
                stacklevel,
            )
    else:
        matched = list(range(len(ids)))
    found: dict[str, list[str]] = {"unlisted": [], "uncounted": [], "empty": []}
    tubes: list[tuple[int, int, int, int]] = []  # (grid, row, column, layout row)
    for i in matched:
        grid, plate = grids[i], ids[i]
        here = np.flatnonzero((_plate_key_array(table, layout, plate)) & in_use)
        counted = ~np.isnan(grid.counts)
        excluded = pattern_mask(patterns, grid.shape) if patterns else np.zeros(grid.shape, dtype=bool)
        where: dict[tuple[int, int], int] = {}
        for j in here:
            r, c = int(table["row_i"].iloc[j]), int(table["col_j"].iloc[j])
            if r >= grid.shape[0] or c >= grid.shape[1]:
                location, line = layout.where(int(j))
                raise AssayInputError(
                    f"well {table['well'].iloc[j]} is not on plate {plate}, a {grid.counts.size}-well plate "
                    f"(rows A-{'ABCDEFGHIJKLMNOP'[grid.shape[0] - 1]}, columns 1-{grid.shape[1]})",
                    path=layout.path,
                    row=line,
                    location=location if layout.per_plate else f"plate {plate}, {location}",
                )
            where[(r, c)] = int(j)
        empty = {w for w, j in where.items() if _is_empty(table, j)}
        skipped = sorted(w for w in zip(*np.nonzero(excluded), strict=True) if counted[w] or w in where)
        if skipped:
            notes.append(
                f"plate {plate}: excluded {compact_wells(skipped)} by the well patterns {', '.join(patterns)}"
            )
        live = {w: j for w, j in where.items() if w not in empty and not excluded[w]}
        counted_wells = [w for w in zip(*np.nonzero(counted & ~excluded), strict=True)]
        _note(found["unlisted"], plate, [w for w in counted_wells if w not in live and w not in empty])
        _note(found["uncounted"], plate, [w for w in live if not counted[w]])
        _note(found["empty"], plate, [w for w in counted_wells if w in empty])
        tubes += [(i, r, c, live[(r, c)]) for r, c in counted_wells if (r, c) in live]
    _warn_found(found, grids, layout, stacklevel)
    if not tubes:
        raise AssayInputError(
            "no well has both a count and a place in the layout; check that the layout's wells and plates "
            "are the grids'",
            path=layout.path,
        )
    return _long_table(grids, ids, layout, tubes, unit, notes)


def _plate_key_array(table: pd.DataFrame, layout: Layout, plate: str) -> np.ndarray:
    if not layout.per_plate:
        return np.ones(len(table), dtype=bool)
    key = _plate_key(plate)
    return np.array([_plate_key(p) == key for p in table["plate"]], dtype=bool)


def _blank(values: pd.Series) -> np.ndarray:
    return values.map(lambda v: v is None or (isinstance(v, float) and np.isnan(v)) or not str(v).strip())


def _in_use(table: pd.DataFrame) -> np.ndarray:
    """Layout rows that say what is in the well: a compound, role or kind (wellmap also lists others)."""
    named = [~_blank(table[f]).to_numpy(dtype=bool) for f in ("compound", "role", "kind") if f in table]
    return np.logical_or.reduce(named) if named else np.ones(len(table), dtype=bool)


def _is_empty(table: pd.DataFrame, j: int) -> bool:
    return any(
        str(table[f].iloc[j]).strip().lower() in EMPTY_ROLES
        for f in ("compound", "role", "kind")
        if f in table
    )


def _note(found: list[str], plate: str, wells: list[tuple[int, int]]) -> None:
    if wells:
        found.append(f"plate {plate}: {compact_wells(wells)}")


def _warn_found(found: dict[str, list[str]], grids: Sequence[Grid], layout: Layout, stacklevel: int) -> None:
    counts = ", ".join(dict.fromkeys(str(g.path) for g in grids))
    texts = {
        "unlisted": f"{counts}: wells with a count but not in the layout {layout.path} (ignored): ",
        "uncounted": f"{layout.path}: wells of the layout without a count in {counts} (dropped): ",
        "empty": f"{layout.path}: wells the layout marks empty have counts (ignored): ",
    }
    for key, text in texts.items():
        if found[key]:
            _warn(text + "; ".join(found[key]), stacklevel + 1)


def _warn(message: str, stacklevel: int) -> None:
    warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)


def _long_table(
    grids: Sequence[Grid],
    ids: Sequence[str],
    layout: Layout,
    tubes: list[tuple[int, int, int, int]],
    unit: str,
    notes: list[str],
) -> Joined:
    g, r, c, j = (np.array(x, dtype=np.int64) for x in zip(*tubes, strict=True))
    fields = [f for f in layout.fields if f != "plate"]
    table = pd.DataFrame({f: layout.table[f].to_numpy(dtype=object)[j] for f in fields})
    if "role" in table and "compound" in table:  # a control well: not the compound its row or block names
        roles = table["role"].map(lambda v: CONTROL_NAMES.get(str(v).strip().lower()))
        table["compound"] = np.where(roles.notna(), roles.str.upper(), table["compound"].to_numpy(object))
    table[unit] = np.array([grids[a].counts[b, d] for a, b, d in zip(g, r, c, strict=True)], dtype=float)
    plate = [ids[a] for a in g]
    well = [well_name(b, d) for b, d in zip(r, c, strict=True)]
    table["plate"] = np.array(plate, dtype=object)
    table[WELL_COLUMN] = np.array(well, dtype=object)
    grid_line = np.array([grids[a].lines[b] for a, b in zip(g, r, strict=True)], dtype=np.int64)
    layout_line = layout.table["line"].to_numpy(dtype=np.int64)[j]
    return Joined(table, plate, well, [grids[a] for a in g], grid_line, layout_line, unit, notes)


def relocated(
    call: Callable[[pd.DataFrame], pd.DataFrame],
    joined: Joined,
    table: pd.DataFrame,
    first: int,
    *,
    stacklevel: int,
) -> pd.DataFrame:
    """Run a long reader on ``table`` (tube ``i`` at row ``first + i``), naming plates and wells in messages.

    Errors about a count name the grid's file and row, others the layout's; both name the plate and well.
    The frame's ``source_row`` becomes the grid row of each tube.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = call(table)
        except AssayInputError as exc:
            raise _relocate_error(exc, joined, first) from None
    for warning in caught:
        text = _relocate_text(str(warning.message), joined, first)
        warnings.warn(text, warning.category, stacklevel=stacklevel + 1)
    out["source_row"] = joined.grid_line[out["source_row"].to_numpy(dtype=np.int64) - first]
    return out


def _relocate_error(exc: AssayInputError, joined: Joined, first: int) -> AssayInputError:
    reason = _relocate_text(exc.reason, joined, first)
    if exc.row is None:
        return AssayInputError(reason, path=exc.path, column=exc.column, location=exc.location)
    i = exc.row - first
    location = f"plate {joined.plate[i]}, well {joined.well[i]}"
    if exc.column is not None and exc.column.strip().lower() == joined.unit:
        path, row = joined.grid[i].path, int(joined.grid_line[i])
    else:
        path, row = exc.path, int(joined.layout_line[i]) or None
    return AssayInputError(reason, path=path, row=row, column=exc.column, location=location)


def _relocate_text(text: str, joined: Joined, first: int) -> str:
    """Replace ``rows 3, 4, ...`` (tube positions) in a message by the plates and wells."""

    def wells(match: re.Match[str]) -> str:
        numbers = [int(n) - first for n in re.findall(r"\d+", match.group(2))]
        if not all(0 <= i < len(joined.well) for i in numbers):
            return match.group(0)
        plates: dict[str, list[str]] = {}
        for i in numbers:
            plates.setdefault(joined.plate[i], []).append(joined.well[i])
        listed = "; ".join(f"plate {p}: {', '.join(w)}" for p, w in plates.items())
        return f"{match.group(1).replace('rows', 'wells').replace('row', 'well')} {listed}"

    return re.sub(r"\b(rows?(?: with problems:)?) (\d+(?:, \d+)*)", wells, text)
