"""Read radioligand binding counts (one row per tube, or Prism-style wide blocks) into one canonical frame.

The canonical counts frame has one row per tube, in file order, with the columns of ``COUNTS_COLUMNS``:

========== ======= =================================================================================
compound   str     the compound as written (stripped); for control rows the text as written, e.g. TOTAL
role       str     ``"total"``, ``"nsb"`` or ``"competitor"``
plate      str     the plate id; ``"all"`` when the file has no plate column
replicate  str     the replicate as written; missing (``pd.isna``) when the file has none
conc_M     float   molar concentration; NaN for control rows
log_conc_M float   log10 of ``conc_M``; NaN for control rows
signal     float   the cpm, dpm or counts value
source_row int     1-based line (CSV/TSV, header = line 1) or sheet row (XLSX) of the tube
========== ======= =================================================================================

``attrs`` holds ``source``, ``signal_unit`` (``"cpm"``, ``"dpm"`` or ``"counts"``), ``conc_column`` (the
concentration column as written; for wide files with several units, the distinct names joined by ", ")
and ``layout`` (``"long"`` or ``"wide"``).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.tables import SOURCE_ROW, closest_name, find_column, promote_header, read_raw_table
from assaykit.units import ACCEPTED_CONC_COLUMNS, ConcentrationUnit, parse_conc_column

#: Columns of the canonical counts frame, in order.
COUNTS_COLUMNS = ("compound", "role", "plate", "replicate", "conc_M", "log_conc_M", "signal", "source_row")

#: Compound names (any case) that mark control tubes, and the role each one means.
CONTROL_NAMES = {"total": "total", "nsb": "nsb", "ns": "nsb", "nonspecific": "nsb"}

#: Values accepted in a ``role`` column (any case).
ROLE_NAMES = {**CONTROL_NAMES, "competitor": "competitor"}

#: Accepted signal column names (any case); the name is the signal unit.
SIGNAL_COLUMNS = ("cpm", "dpm", "counts")

_LONG_COLUMNS = {*SIGNAL_COLUMNS, "compound", "role", "plate", "replicate"}
_ZERO_CONC = "0 is not a valid competitor concentration; label radioligand-alone tubes TOTAL"
_CONTROLS_TEXT = "TOTAL or NSB (also NS, nonspecific)"
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$")


def read_counts(
    path: str | Path, *, sheet: str | int | None = None, compound: str | None = None
) -> pd.DataFrame:
    """Read a radioligand counts file (long or Prism-style wide) into the canonical counts frame.

    Parameters
    ----------
    path
        A ``.csv``, ``.tsv``/``.txt`` or ``.xlsx`` file. Long layout: one row per tube with a ``compound``
        column (TOTAL/NSB rows are controls) or a ``role`` column, one concentration column whose name
        carries its unit (``conc_nM``, ``log_conc_M``, ...), one ``cpm``/``dpm``/``counts`` column and
        optional ``plate`` and ``replicate`` columns. Wide layout: blocks of ``compound,<name>``, an
        optional ``plate,<id>`` row, a header row ``conc_nM,rep1,rep2,...`` and one row per concentration
        (or TOTAL/NSB) with one signal per replicate.
    sheet
        For ``.xlsx``: the sheet name or 0-based position; the first sheet when None.
    compound
        The compound of a wide file that has no ``compound,<name>`` row (the file stem when None).
        Only valid for such files.

    Returns
    -------
    pandas.DataFrame
        The canonical counts frame (columns ``COUNTS_COLUMNS``, described in the module docstring).

    Raises
    ------
    AssayInputError
        When the file or any of its values is not what is expected; the one-line message names the file,
        the row and/or the column.

    Warns
    -----
    UserWarning
        When long-layout rows with an empty signal cell are dropped.

    Examples
    --------
    >>> counts = read_counts("plate1.csv")  # doctest: +SKIP
    >>> counts.groupby(["compound", "role"]).signal.mean()  # doctest: +SKIP
    """
    path = Path(path)
    raw = read_raw_table(path, sheet=sheet, header=False)
    if _is_wide(raw):
        return _read_wide(raw, path, compound)
    if compound is not None:
        raise AssayInputError(
            "compound= is only for wide files without a 'compound,<name>' row; this file is in the long "
            "layout, so name the compound in its compound column",
            path=path,
        )
    return _counts_from_table(promote_header(raw, path=path), path, stacklevel=3)


def read_counts_files(
    paths: Sequence[str | Path], *, sheet: str | int | None = None, compound: str | None = None
) -> pd.DataFrame:
    """Read several counts files into one canonical counts frame, keeping each file's plates apart.

    Parameters
    ----------
    paths
        The files, each as for ``read_counts``.
    sheet, compound
        Passed to ``read_counts`` for every file.

    Returns
    -------
    pandas.DataFrame
        The canonical counts frame of all files, in the order given. With one file it is exactly
        ``read_counts(paths[0])``. With several, each ``plate`` becomes ``"<file stem>:<plate>"`` (the path
        as given when two stems are the same) so that tubes of different files never share a plate's
        controls. ``attrs["source"]``, ``["conc_column"]`` and ``["layout"]`` join the distinct values
        with ", ".

    Raises
    ------
    AssayInputError
        When no file is given, when the files use different signal units (cpm and dpm), or as
        ``read_counts`` for the first file with a problem.

    Examples
    --------
    >>> counts = read_counts_files(["plate1.csv", "plate2.xlsx"])  # doctest: +SKIP
    """
    files = [Path(p) for p in paths]
    if not files:
        raise AssayInputError("no counts file given")
    frames = [read_counts(p, sheet=sheet, compound=compound) for p in files]
    if len(frames) == 1:
        return frames[0]
    stems = [p.stem for p in files]
    labels = stems if len(set(stems)) == len(stems) else [str(p) for p in files]
    for frame, label in zip(frames, labels, strict=True):
        frame["plate"] = (label + ":" + frame["plate"]).astype(str)
    out = pd.concat(frames, ignore_index=True)
    joined: dict[Hashable, Any] = {
        key: ", ".join(dict.fromkeys(f.attrs[key] for f in frames)) for key in ("source", "conc_column")
    }
    units = dict.fromkeys(f.attrs["signal_unit"] for f in frames)
    if len(units) > 1:
        found = ", ".join(f"{f.attrs['signal_unit']} in {p}" for f, p in zip(frames, files, strict=True))
        raise AssayInputError(f"the files measure in different units ({found}); give them one unit")
    layouts = ", ".join(dict.fromkeys(f.attrs["layout"] for f in frames))
    out.attrs = {**joined, "signal_unit": next(iter(units)), "layout": layouts}
    return out


def counts_from_frame(df: pd.DataFrame, *, source: str = "<data>") -> pd.DataFrame:
    """Check an in-memory long-layout table and return the canonical counts frame.

    Parameters
    ----------
    df
        One row per tube, with the columns described in ``read_counts`` (long layout). Cells may be strings
        or numbers; NaN/None count as empty. It is not modified.
    source
        What to call the data in messages and in ``attrs["source"]``.

    Returns
    -------
    pandas.DataFrame
        The canonical counts frame. ``source_row`` is taken from the index when it is named
        ``source_row`` (tables from ``read_raw_table``); otherwise it is the line the row would have in a
        CSV written with ``df.to_csv(index=False)``: position + 2.

    Raises
    ------
    AssayInputError
        As ``read_counts``.

    Warns
    -----
    UserWarning
        When rows with an empty signal cell are dropped.

    Examples
    --------
    >>> frame = pd.DataFrame({"compound": ["TOTAL", "diazepam"], "conc_nM": [None, 10], "cpm": [3000, 1500]})
    >>> counts_from_frame(frame)[["role", "conc_M", "signal"]]
             role        conc_M  signal
    0       total           NaN  3000.0
    1  competitor  1.000000e-08  1500.0
    """
    table = df.copy()
    table.columns = pd.Index([str(c).strip() for c in table.columns])
    if table.index.name != SOURCE_ROW:
        table.index = pd.Index(np.arange(len(table)) + 2, name=SOURCE_ROW)
    return _counts_from_table(table, source, stacklevel=3)


@dataclass(frozen=True)
class _Tube:
    line: int
    compound: str
    role: str
    plate: str
    replicate: str | None
    conc: object
    signal: object
    unit: ConcentrationUnit
    conc_column: str
    signal_column: str


class _Problems:
    """Gather the problems of a table so the error names the first one and counts the rest."""

    def __init__(self, path: str | Path) -> None:
        self.path = path
        self.items: list[tuple[str, int | None, str | None]] = []

    def add(self, message: str, row: int | None = None, column: str | None = None) -> None:
        self.items.append((message, row, column))

    def raise_first(self) -> None:
        if not self.items:
            return
        message, row, column = self.items[0]
        rest = self.items[1:]
        if rest:
            rows = sorted({r for _, r, _ in rest if r is not None})
            shown = ", ".join(map(str, rows[:10])) + (", ..." if len(rows) > 10 else "")
            message += f" ({len(rest)} more problem{'s' if len(rest) > 1 else ''}" + (
                f", in rows {shown})" if rows else ")"
            )
        raise AssayInputError(message, path=self.path, row=row, column=column)


def _text(value: object) -> str:
    """One cell as stripped text: empty for None/NaN, ``2`` for the float 2.0."""
    if value is None or value is pd.NA or (isinstance(value, float | np.floating) and math.isnan(value)):
        return ""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: object, decimal_comma: bool) -> float | None:
    """Parse one cell: None when empty; ValueError when not a number."""
    if isinstance(value, bool | np.bool_):
        raise ValueError(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return None if math.isnan(value) else float(value)
    text = _text(value)
    if not text:
        return None
    if decimal_comma and _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    return float(text)


def _conc_unit(name: str) -> ConcentrationUnit | None:
    """``parse_conc_column`` with a case-insensitive ``conc_``/``log_conc_`` prefix (``Conc_nM``)."""
    stripped = str(name).strip()
    prefix = re.match(r"(?i)^(log_?)?conc_", stripped)
    if prefix:
        stripped = prefix.group(0).lower() + stripped[prefix.end() :]
    return parse_conc_column(stripped)


def _conc_column(columns: list[str], path: str | Path) -> tuple[str, ConcentrationUnit]:
    found: list[tuple[str, ConcentrationUnit]] = []
    for column in columns:
        try:
            unit = _conc_unit(column)
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
        near = closest_name([c for c in columns if c.strip().lower() not in _LONG_COLUMNS], accepted)
        listing = ", ".join(f"'{c}'" for c in columns)
        message += f"; the columns are {listing}"
        if near is not None:
            message += f"; did you mean '{near[1]}' for '{near[0]}'?"
        raise AssayInputError(message, path=path)
    return found[0]


def _counts_from_table(table: pd.DataFrame, path: str | Path, *, stacklevel: int) -> pd.DataFrame:
    columns = [str(c) for c in table.columns]
    role_col = find_column(columns, "role", path=path, required=False)
    compound_col = find_column(columns, "compound", path=path, required=role_col is None)
    signal_col = find_column(columns, SIGNAL_COLUMNS, path=path, what="signal")
    conc_col, unit = _conc_column(columns, path)
    plate_col = find_column(columns, "plate", path=path, required=False)
    replicate_col = find_column(columns, "replicate", path=path, required=False)
    decimal_comma = table.attrs.get("delimiter") == ";"

    problems = _Problems(path)
    tubes: list[_Tube] = []
    empty_signal: list[int] = []
    for line, row in zip(table.index, table.to_dict("records"), strict=True):
        line = int(line)
        compound = _text(row[compound_col]) if compound_col else ""
        role_text = _text(row[role_col]) if role_col else ""
        if role_text:
            role = ROLE_NAMES.get(role_text.lower(), "")
            if not role:
                problems.add(f"unknown role '{role_text}'; expected total, nsb or competitor", line, role_col)
                continue
        elif compound:
            role = CONTROL_NAMES.get(compound.lower(), "competitor")
        else:
            also = " (or a role)" if role_col else ""
            problems.add(
                f"empty compound{also}; expected a compound name or {_CONTROLS_TEXT}", line, compound_col
            )
            continue
        if role == "competitor" and not compound:
            problems.add("a competitor row needs a compound name", line, compound_col or "compound")
            continue
        plate = _text(row[plate_col]) if plate_col else "all"
        if not plate:
            problems.add("empty plate; fill in the plate id of every row", line, plate_col)
            continue
        replicate = (_text(row[replicate_col]) or None) if replicate_col else None
        if _text(row[signal_col]) == "":
            empty_signal.append(line)
            continue
        compound = compound or role.upper()
        tubes.append(
            _Tube(
                line=line,
                compound=compound,
                role=role,
                plate=plate,
                replicate=replicate,
                conc=row[conc_col],
                signal=row[signal_col],
                unit=unit,
                conc_column=conc_col,
                signal_column=signal_col,
            )
        )
    problems.raise_first()
    if empty_signal:
        shown = ", ".join(map(str, empty_signal[:20])) + (", ..." if len(empty_signal) > 20 else "")
        warnings.warn(
            f"{path}: dropped {len(empty_signal)} row{'s' if len(empty_signal) > 1 else ''} with an empty "
            f"'{signal_col}' cell (rows {shown})",
            UserWarning,
            stacklevel=stacklevel,
        )
    attrs = {"source": str(path), "signal_unit": signal_col.strip().lower(), "conc_column": conc_col}
    return _build(tubes, path, decimal_comma, {**attrs, "layout": "long"})


def _build(tubes: list[_Tube], path: str | Path, decimal_comma: bool, attrs: dict[str, str]) -> pd.DataFrame:
    """Check every tube's numbers and assemble the canonical frame."""
    problems = _Problems(path)
    conc_m = np.full(len(tubes), np.nan)
    log_conc = np.full(len(tubes), np.nan)
    signal = np.full(len(tubes), np.nan)
    for i, tube in enumerate(tubes):
        try:
            value = _number(tube.signal, decimal_comma)
        except ValueError:
            problems.add(
                f"'{_text(tube.signal)}' is not a number; expected a count", tube.line, tube.signal_column
            )
        else:
            if value is None or not math.isfinite(value):
                problems.add(f"'{_text(tube.signal)}' is not a finite count", tube.line, tube.signal_column)
            elif value < 0:
                message = f"negative signal {_text(tube.signal)}; counts cannot be negative"
                problems.add(message, tube.line, tube.signal_column)
            else:
                signal[i] = value
        if tube.role != "competitor":
            continue  # a control tube's concentration cell is ignored
        conc_m[i], log_conc[i] = _competitor_conc(tube, decimal_comma, problems)
    problems.raise_first()
    if not any(t.role == "competitor" for t in tubes):
        raise AssayInputError(
            f"no competitor rows; expected rows with a competitor compound besides {_CONTROLS_TEXT}",
            path=path,
        )
    out = pd.DataFrame(
        {
            "compound": pd.Series([t.compound for t in tubes], dtype=str),
            "role": pd.Series([t.role for t in tubes], dtype=str),
            "plate": pd.Series([t.plate for t in tubes], dtype=str),
            "replicate": pd.Series([t.replicate for t in tubes], dtype=str),
            "conc_M": conc_m,
            "log_conc_M": log_conc,
            "signal": signal,
            "source_row": np.array([t.line for t in tubes], dtype=np.int64),
        }
    )
    out.attrs.update(attrs)
    return out


def _competitor_conc(tube: _Tube, decimal_comma: bool, problems: _Problems) -> tuple[float, float]:
    """Return (conc_M, log_conc_M) of a competitor tube, or NaNs after noting the problem."""
    text, column, line = _text(tube.conc), tube.conc_column, tube.line
    try:
        value = _number(tube.conc, decimal_comma)
    except ValueError:
        problems.add(f"'{text}' is not a number; expected a concentration", line, column)
        return math.nan, math.nan
    if value is None:
        problems.add(
            "a competitor row has an empty concentration; label control tubes TOTAL or NSB", line, column
        )
    elif not math.isfinite(value):
        kind = "log concentration" if tube.unit.log else "concentration"
        problems.add(f"'{text}' is not a finite {kind}", line, column)
    elif tube.unit.log:
        if -100 < value < 100:  # beyond this 10**value is no concentration (and may overflow)
            return 10.0**value, value
        problems.add(
            f"log concentration {text} is out of range; log_conc_M is log10(mol/L), e.g. -7", line, column
        )
    elif value == 0:
        problems.add(_ZERO_CONC, line, column)
    elif value < 0:
        problems.add(f"negative concentration {text}; competitor concentrations must be > 0", line, column)
    else:
        molar = value * tube.unit.factor
        if molar > 0:
            return molar, math.log10(molar)
        problems.add(f"concentration {text} is too small to represent", line, column)
    return math.nan, math.nan


def _is_title(cells: list[str]) -> bool:
    """Tell whether a row is a wide-layout ``compound,<name>`` or ``plate,<id>`` row."""
    filled = [c for c in cells if c]
    return (
        len(cells) >= 2 and cells[0].lower() in {"compound", "plate"} and bool(cells[1]) and len(filled) == 2
    )


def _is_header(cells: list[str]) -> bool:
    """Tell whether a row's first cell is (or tries to be) a unit-suffixed concentration column."""
    try:
        return bool(cells) and _conc_unit(cells[0]) is not None
    except ValueError:
        return True


def _rows(raw: pd.DataFrame) -> list[tuple[int, list[str]]]:
    rows = []
    for line, cells in zip(raw.index, raw.to_numpy(dtype=object), strict=True):
        stripped = [str(c).replace("\ufeff", "").strip() for c in cells]
        while stripped and not stripped[-1]:
            stripped.pop()
        rows.append((int(line), stripped))
    return rows


def _is_wide(raw: pd.DataFrame) -> bool:
    filled = [cells for _, cells in _rows(raw) if cells][:2]
    first = filled[0]
    if _is_title(first):  # unless the "name" is a column name of a (short, broken) long header
        return first[1].lower() not in _LONG_COLUMNS and not re.match(r"(?i)(log_?)?conc", first[1])
    return _is_header(first) and not any(c.lower() in _LONG_COLUMNS for c in first)


def _read_wide(raw: pd.DataFrame, path: Path, compound: str | None) -> pd.DataFrame:
    rows = _rows(raw)
    titled = any(cells and cells[0].lower() == "compound" and _is_title(cells) for _, cells in rows)
    if titled and compound is not None:
        raise AssayInputError(
            "compound= is only for wide files without a 'compound,<name>' row; this file names its compounds",
            path=path,
        )
    default = compound if compound is not None else path.stem
    tubes: list[_Tube] = []
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
                tube = _Tube(
                    line=line,
                    compound=block["compound"] if control is None else cells[0],
                    role=control or "competitor",
                    plate=block["plate"],
                    replicate=replicate,
                    conc=cells[0],
                    signal=value,
                    unit=block["unit"],
                    conc_column=block["column"],
                    signal_column=replicate,
                )
                tubes.append(tube)
    _check_block_had_rows(block, tubes, path)
    if pending is not None:
        where = pending["line"] or (rows[0][0] if rows else None)
        raise AssayInputError("no header row (e.g. conc_nM,rep1,rep2) below this row", path=path, row=where)
    columns = list(dict.fromkeys(t.conc_column for t in tubes))
    attrs = {
        "source": str(path),
        "signal_unit": "counts",
        "conc_column": ", ".join(columns),
        "layout": "wide",
    }
    return _build(tubes, path, raw.attrs.get("delimiter") == ";", attrs)


def _wide_header(cells: list[str], line: int, path: Path, pending: dict[str, Any]) -> dict[str, Any]:
    try:
        unit = _conc_unit(cells[0])
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


def _check_block_had_rows(block: dict[str, Any] | None, tubes: list[_Tube], path: Path) -> None:
    if block is not None and not any(t.line > block["line"] for t in tubes):
        message = f"block '{block['compound']}' has no signal values below its header row"
        raise AssayInputError(message, path=path, row=block["line"])
