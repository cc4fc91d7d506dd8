"""The Prism-style wide layout of radioligand counts files, for ``assaykit.io.counts.read_counts``.

A wide file holds blocks: an optional ``compound,<name>`` row (all blocks have one, or the file has a single
block), an optional ``plate,<id>`` row, a header row ``conc_nM,rep1,rep2,...`` and one row per concentration
(or TOTAL/NSB control) with one signal per replicate; a blank row ends a block. Each non-empty signal cell
is one tube. The tubes are checked and assembled by the same code as long-layout files, so both layouts give
the same canonical frame and the same messages about numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.counts.build import build
from assaykit.io.counts.tubes import CONTROL_NAMES, LONG_COLUMNS, Tubes, conc_unit
from assaykit.units import ACCEPTED_CONC_COLUMNS


def first_row(raw: pd.DataFrame) -> list[str]:
    """Return the stripped cells of the first non-blank row of a table read with ``header=False``.

    Parameters
    ----------
    raw
        A table from ``read_raw_table(..., header=False)``.

    Returns
    -------
    list of str
        The cells, stripped (and without a byte-order mark), trailing empty cells dropped; empty if every
        row is.
    """
    return next((cells for _, cells in _rows(raw) if cells), [])


def is_wide(first: list[str]) -> bool:
    """Tell whether a file whose first non-blank row is ``first`` is in the wide layout.

    Parameters
    ----------
    first
        That row's cells as ``first_row`` gives them.

    Returns
    -------
    bool
        True for a ``compound,<name>`` or ``plate,<id>`` title or a ``conc_<unit>,rep1,...`` header row;
        False for a long-layout header (which names a compound, role, plate, replicate or signal column).
    """
    if _is_title(first):  # unless the "name" is a column name of a (short, broken) long header
        return first[1].lower() not in LONG_COLUMNS and not re.match(r"(?i)(log_?)?conc", first[1])
    return _is_header(first) and not any(c.lower() in LONG_COLUMNS for c in first)


def read_wide(raw: pd.DataFrame, path: Path, compound: str | None) -> pd.DataFrame:
    """Read a wide-layout table into the canonical counts frame.

    Parameters
    ----------
    raw
        The file as ``read_raw_table(path, header=False)`` reads it.
    path
        The file, for messages and ``attrs["source"]``.
    compound
        The compound of a file without ``compound,<name>`` rows; the file stem when None.

    Returns
    -------
    pandas.DataFrame
        The canonical counts frame, ``attrs["layout"] == "wide"``.

    Raises
    ------
    AssayInputError
        When the blocks are not laid out as described in the module docstring, or a value is not what
        is expected.
    """
    rows = list(_rows(raw))
    titled = any(cells and cells[0].lower() == "compound" and _is_title(cells) for _, cells in rows)
    if titled and compound is not None:
        raise AssayInputError(
            "compound= is only for wide files without a 'compound,<name>' row; this file names its compounds",
            path=path,
        )
    default = compound if compound is not None else path.stem
    tubes: list[tuple[Any, ...]] = []  # as _tubes takes them
    block: dict[str, Any] | None = None  # the block whose header has been read
    pending: dict[str, Any] | None = None if titled else {"compound": default, "plate": "all", "line": None}
    state = "start"  # start -> (title) -> data -> gap
    for line, cells in rows:
        if not cells:
            state = "gap" if state == "data" else state
            continue
        head = cells[0].lower()
        if _is_title(cells) and (head == "compound" or state != "data"):
            if head == "compound":
                _check_block_had_rows(block, tubes, path)
                if pending is not None and pending["line"] is not None:
                    message = "this compound row has no header row below it"
                    raise AssayInputError(message, path=path, row=pending["line"])
                pending, block = {"compound": cells[1], "plate": "all", "line": line}, None
            elif pending is None:
                raise AssayInputError(
                    "a 'plate' row must follow a 'compound,<name>' row", path=path, row=line
                )
            else:
                pending["plate"] = cells[1]
            state = "title"
            continue
        if state == "gap":
            raise AssayInputError(
                "a row after a blank row; each block must start with a 'compound,<name>' row",
                path=path,
                row=line,
            )
        if state in {"start", "title"}:
            if pending is None:
                raise AssayInputError(
                    "this block has no 'compound,<name>' row above it, but other blocks do",
                    path=path,
                    row=line,
                )
            block, pending = _wide_header(cells, line, path, pending), None
            state = "data"
            continue
        if block is None:  # pragma: no cover - state "data" is only reached after a header row
            raise RuntimeError("wide-layout parser: data row without a block")
        control = CONTROL_NAMES.get(head)
        extra = [j + 1 for j in range(1, len(cells)) if cells[j] and j not in block["replicates"]]
        if extra:
            raise AssayInputError(
                f"a value in cell {extra[0]}, whose header cell (row {block['line']}) names no replicate",
                path=path,
                row=line,
            )
        if control is None and not head:
            message = "a competitor row has an empty concentration"
            raise AssayInputError(message, path=path, row=line, column=block["column"])
        for j, replicate in block["replicates"].items():
            value = cells[j] if j < len(cells) else ""
            if value:
                name, role = (block["compound"], "competitor") if control is None else (cells[0], control)
                unit, column = block["unit"], block["column"]
                tubes.append(
                    (line, name, role, block["plate"], replicate, cells[0], value, unit, column, replicate)
                )
    _check_block_had_rows(block, tubes, path)
    if pending is not None:
        where = pending["line"] or (rows[0][0] if rows else None)
        raise AssayInputError("no header row (e.g. conc_nM,rep1,rep2) below this row", path=path, row=where)
    columns = list(dict.fromkeys(tube[8] for tube in tubes))
    attrs = {
        "source": str(path),
        "signal_unit": "counts",
        "conc_column": ", ".join(columns),
        "layout": "wide",
    }
    text = raw.attrs.get("format") == "text"
    return build(_tubes(tubes), path, raw.attrs.get("delimiter") == ";", attrs, text=text, stacklevel=4)


def _tubes(records: list[tuple[Any, ...]]) -> Tubes:
    """Turn records (as ``read_wide`` appends them) into tubes."""
    fields = (
        [np.array(f, dtype=object) for f in zip(*records, strict=True)] if records else [np.array([])] * 10
    )
    line, compound, role, plate, replicate, conc, signal, units, conc_column, signal_column = fields
    return Tubes(
        line=line.astype(np.int64),
        compound=compound,
        role=role,
        competitor=np.array([r == "competitor" for r in role], dtype=bool),
        plate=plate,
        replicate=replicate,
        conc=conc,
        signal=signal,
        log=np.array([u.log for u in units], dtype=bool),
        factor=np.array([u.factor for u in units], dtype=float),
        conc_column=conc_column,
        signal_column=signal_column,
    )


def _is_title(cells: list[str]) -> bool:
    """Tell whether a row is a wide-layout ``compound,<name>`` or ``plate,<id>`` row."""
    filled = [c for c in cells if c]
    return (
        len(cells) >= 2 and cells[0].lower() in {"compound", "plate"} and bool(cells[1]) and len(filled) == 2
    )


def _is_header(cells: list[str]) -> bool:
    """Tell whether a row's first cell is (or tries to be) a unit-suffixed concentration column."""
    try:
        return bool(cells) and conc_unit(cells[0]) is not None
    except ValueError:
        return True


def _rows(raw: pd.DataFrame) -> Iterator[tuple[int, list[str]]]:
    """Yield each row's line and stripped cells, trailing empty cells dropped."""
    for line, cells in zip(raw.index, raw.to_numpy(dtype=object), strict=True):
        stripped = [str(c).replace("\ufeff", "").strip() for c in cells]
        while stripped and not stripped[-1]:
            stripped.pop()
        yield int(line), stripped


def _wide_header(cells: list[str], line: int, path: Path, pending: dict[str, Any]) -> dict[str, Any]:
    try:
        unit = conc_unit(cells[0])
    except ValueError as exc:
        raise AssayInputError(str(exc), path=path, row=line, column=cells[0]) from None
    if unit is None:
        raise AssayInputError(
            f"expected a header row whose first cell is the concentration column ({ACCEPTED_CONC_COLUMNS}) "
            f"and whose other cells name the replicates; found '{cells[0]}'",
            path=path,
            row=line,
        )
    replicates = {j: name for j, name in enumerate(cells) if j > 0 and name}
    if not replicates:
        message = "the header row names no replicate columns after the concentration column"
        raise AssayInputError(message, path=path, row=line)
    names = list(replicates.values())
    duplicated = next((n for n in names if names.count(n) > 1), None)
    if duplicated is not None:
        message = f"two replicate columns are named '{duplicated}'"
        raise AssayInputError(message, path=path, row=line, column=duplicated)
    if not pending["plate"]:
        raise AssayInputError("empty plate id", path=path, row=line)
    return {**pending, "line": line, "unit": unit, "column": cells[0], "replicates": replicates}


def _check_block_had_rows(block: dict[str, Any] | None, tubes: list[tuple[Any, ...]], path: Path) -> None:
    if block is not None and not (tubes and tubes[-1][0] > block["line"]):  # tubes are in line order
        message = f"block '{block['compound']}' has no signal values below its header row"
        raise AssayInputError(message, path=path, row=block["line"])
