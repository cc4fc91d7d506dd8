"""Read radioligand binding counts (one row per tube, or Prism-style wide blocks) into one canonical frame.

The canonical counts frame has one row per tube, in file order, with the columns of ``COUNTS_COLUMNS``:

========== ======= =================================================================================
compound   text    the compound as written (stripped); for control rows the text as written, e.g. TOTAL
role       text    ``"total"``, ``"nsb"`` or ``"competitor"``
plate      text    the plate id; ``"all"`` when the file has no plate column
replicate  text    the replicate as written; missing (``pd.isna``) when the file has none
conc_M     float   molar concentration; NaN for control rows
log_conc_M float   log10 of ``conc_M``; NaN for control rows
signal     float   the cpm, dpm or counts value
source_row int     1-based line (CSV/TSV, header = line 1) or sheet row (XLSX) of the tube
========== ======= =================================================================================

The text columns are ``category`` columns (``pandas.Categorical``, categories sorted as strings sort, so
that ``groupby`` and ``sort_values`` order them as text): a screen of a million curves names each compound
in 33 tubes or more, and a small integer code per tube takes an eighth of the memory of a pointer to a
string. They compare, group and filter as strings do (``counts["role"] == "nsb"``); ``.astype(str)``
gives plain strings.

``attrs`` holds ``source``, ``signal_unit`` (``"cpm"``, ``"dpm"`` or ``"counts"``), ``conc_column`` (the
concentration column as written; for wide files with several units, the distinct names joined by ", ")
and ``layout`` (``"long"`` or ``"wide"``).

Long-layout text files are read by pandas' C parser (``read_text_table``) and checked column by column,
each distinct cell value once, so that a screening file of 10,000 curves reads about as fast as
``pandas.read_csv``; files it might split differently (workbooks, quoted fields spanning lines, ...) are
read by ``read_raw_table``, and both give the same frame and messages. Wide files are parsed in
``assaykit.io.counts.wide``.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from assaykit.distinct import group_codes
from assaykit.errors import AssayInputError
from assaykit.heap import trim_heap
from assaykit.io.input_files import distinct_files, sheets_hint, with_hint
from assaykit.io.number_cells import cell_hint, thousands_position
from assaykit.io.tables import (
    SOURCE_ROW,
    closest_name,
    find_column,
    promote_header,
    read_raw_table,
    read_text_table,
)
from assaykit.plausible import looks_like_log_molar
from assaykit.units import ACCEPTED_CONC_COLUMNS, ConcentrationUnit, parse_conc_column

#: Columns of the canonical counts frame, in order.
COUNTS_COLUMNS = ("compound", "role", "plate", "replicate", "conc_M", "log_conc_M", "signal", "source_row")

#: Compound names (any case) that mark control tubes, and the role each one means.
CONTROL_NAMES = {"total": "total", "nsb": "nsb", "ns": "nsb", "nonspecific": "nsb"}

#: Values accepted in a ``role`` column (any case).
ROLE_NAMES = {**CONTROL_NAMES, "competitor": "competitor"}

#: Optional column (any case) with each tube's radioligand ("hot") concentration in nM, for homologous
#: competition; kept as ``hot_nM`` (NaN where empty) in the canonical frame when the file has it.
HOT_COLUMN = "hot_nM"

#: Accepted signal column names (any case); the name is the signal unit.
SIGNAL_COLUMNS = ("cpm", "dpm", "counts")

_LONG_COLUMNS = {*SIGNAL_COLUMNS, "compound", "role", "plate", "replicate"}
_EMPTY_CONC = "a competitor row has an empty concentration; label control tubes TOTAL or NSB"
_ZERO_CONC = "0 is not a valid competitor concentration; label radioligand-alone tubes TOTAL"
_CONTROLS_TEXT = "TOTAL or NSB (also NS, nonspecific)"
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$")
_NUMBER, _EMPTY, _NOT_A_NUMBER = 0, 1, 2  # what a number cell holds
_ROLES = ("", "total", "nsb", "competitor", "?")  # none, the roles, an unknown role
_Original = Callable[[int, str], str]  # the text of the cell at (source row, column), as written


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
    try:
        return _read_counts(path, sheet, compound)
    except AssayInputError as exc:  # about the whole table of a workbook's first sheet: name the others
        hint = "" if exc.row is not None or exc.column is not None else sheets_hint(path, sheet)
        if not hint:
            raise
        raise AssayInputError(exc.reason + hint, path=exc.path, column=exc.column) from None


def _read_counts(path: Path, sheet: str | int | None, compound: str | None) -> pd.DataFrame:
    from assaykit.io.counts.wide import first_row, is_wide, read_wide  # wide imports this module

    if sheet is None and compound is None:  # long-layout text files: read fast, numbers parsed by pandas
        table = read_text_table(path, numbers=lambda names: _number_columns(names, path), categorical=True)
        if table is not None:
            counts = _counts_from_table(table, path, stacklevel=4, original=partial(_as_written, path))
            del table
            trim_heap()  # the parser's blocks and the checks' temporaries: give their pages back
            return counts
    raw = read_raw_table(path, sheet=sheet, header=False)
    if is_wide(first_row(raw)):
        return read_wide(raw, path, compound)
    if compound is not None:
        raise AssayInputError(
            "compound= is only for wide files without a 'compound,<name>' row; this file is in the long "
            "layout, so name the compound in its compound column",
            path=path,
        )
    return _counts_from_table(promote_header(raw, path=path), path, stacklevel=4)


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
        When no file is given, a file is given twice, the files use different signal units (cpm and
        dpm), or as
        ``read_counts`` for the first file with a problem.

    Examples
    --------
    >>> counts = read_counts_files(["plate1.csv", "plate2.xlsx"])  # doctest: +SKIP
    """
    files = distinct_files(paths)
    if not files:
        raise AssayInputError("no counts file given")
    frames = [read_counts(p, sheet=sheet, compound=compound) for p in files]
    if len(frames) == 1:
        return frames[0]
    stems = [p.stem for p in files]
    labels = stems if len(set(stems)) == len(stems) else [str(p) for p in files]
    for frame, label in zip(frames, labels, strict=True):
        frame["plate"] = frame["plate"].cat.rename_categories(
            [f"{label}:{p}" for p in frame["plate"].cat.categories]
        )
    out = pd.concat(frames, ignore_index=True)
    for name in COUNTS_COLUMNS[:4]:  # concat makes text of codes with different categories: codes again
        out[name] = _canonical_text(union_categoricals([f[name] for f in frames], ignore_order=True))
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
class _Tubes:
    """Tubes column by column, in file order: what ``_build`` checks and turns into the canonical frame."""

    line: np.ndarray  # int64: the source row of each tube
    compound: np.ndarray | pd.Categorical  # str (object arrays or categoricals)
    role: np.ndarray | pd.Categorical
    competitor: np.ndarray  # bool: role == "competitor"
    plate: np.ndarray | pd.Categorical
    replicate: np.ndarray | pd.Categorical  # str, or None (missing) when the file has none
    conc: np.ndarray  # the concentration cells as read: float64 (NaN when empty) or any objects
    signal: np.ndarray  # the signal cells, likewise
    log: np.ndarray  # bool: the concentration column holds log10 molar values
    factor: np.ndarray  # float: the molar factor of the concentration column
    conc_column: np.ndarray | str  # the column names for messages, per tube or one for all
    signal_column: np.ndarray | str
    hot: np.ndarray | None = None  # the hot_nM cells, when the table has that column
    hot_column: str | None = None


class _Cells:
    """A column's cells, grouped so that what is derived from them is computed once per distinct value."""

    def __init__(
        self, cells: np.ndarray | pd.Categorical | None, size: int, default: str | None = ""
    ) -> None:
        self.cells, self.size, self.default = cells, size, default  # no column: every cell is ``default``

    @cached_property
    def groups(self) -> tuple[np.ndarray, list[Any]]:
        """Return each cell's code and the distinct values; code -1 (a missing cell) picks the last, None."""
        cells = self.cells
        if cells is None:
            return np.zeros(self.size, dtype=np.intp), [self.default]
        if isinstance(cells, pd.Categorical):  # grouped as read
            return cells.codes, [*cells.categories.tolist(), None]  # small integers: no intp copy
        try:
            codes, uniques = group_codes(cells)  # None and NaN are missing
        except TypeError:  # an unhashable cell
            return np.arange(len(cells)), [*cells, None]
        missing = cells[codes < 0] if cells.dtype == object and (codes < 0).any() else ()
        # numbers, or text and None/NaN; not other objects: 1 == 1.0 == True are one value, but not as text
        if cells.dtype.kind in "biuf" or (
            pd.api.types.infer_dtype(uniques, skipna=False) in {"string", "empty"}
            and all(v is None or isinstance(v, float) for v in missing)
        ):
            return codes, [*uniques, None]
        return np.arange(len(cells)), [*cells, None]

    @cached_property
    def texts(self) -> list[str]:
        """The text of each distinct value."""
        return [v.strip() if type(v) is str else _text(v) for v in self.groups[1]]

    @cached_property
    def clean(self) -> bool:
        """Tell whether every cell is a string with text and nothing to strip (grouping them if need be)."""
        coded = isinstance(self.cells, pd.Categorical)
        if self.cells is None or (self.cells.dtype != object and not coded):
            return False
        if "groups" in self.__dict__ or isinstance(
            self.cells, pd.Categorical
        ):  # grouped already: check the distinct values
            codes, values = self.groups
            return (codes >= 0).all() and all(type(v) is str and v and v.strip() is v for v in values[:-1])
        try:
            return all(type(v) is str and v and v.strip() is v for v in set(self.cells))
        except TypeError:  # an unhashable cell
            return False

    def map(self, func: Callable[[str], Any], dtype: Any = object) -> np.ndarray:
        """Apply ``func`` to the text of every cell."""
        out = np.empty(len(self.texts), dtype=dtype)
        out[:] = [func(t) for t in self.texts]
        return out[self.groups[0]]

    def text(self, empty: str | None = "") -> pd.Categorical:
        """Return the text of every cell, ``empty`` where there is none (None: missing), as codes of texts."""
        if self.clean and isinstance(self.cells, pd.Categorical):
            return self.cells
        codes, values = self.groups
        return categorical(codes, values if self.clean else [t or empty for t in self.texts])

    def empty(self) -> np.ndarray:
        """Tell which cells have no text."""
        return np.zeros(self.size, dtype=bool) if self.clean else self.map(lambda t: not t, bool)


class _Problems:
    """Gather the problems of a table so the error names the first one and counts the rest."""

    def __init__(self, path: str | Path, lines: np.ndarray) -> None:
        self.path, self.lines = path, lines
        self.found: list[tuple[np.ndarray, Callable[[int], tuple[str, str | None]]]] = []

    def add(
        self, where: np.ndarray, describe: Callable[[int], tuple[str, str | None]], order: int = 0
    ) -> None:
        """Note a problem in each row (tube) where ``where`` holds; ``describe(i)`` gives message and column.

        The first problem is the one of the first row; within a row, the one of lowest ``order``.
        """
        if (positions := np.flatnonzero(where)).size:
            self.found.append((positions * 2 + order, describe))

    def raise_first(self) -> None:
        if not self.found:
            return
        firsts = [int(keys[0]) for keys, _ in self.found]
        j = firsts.index(min(firsts))
        message, column = self.found[j][1](firsts[j] // 2)
        rows = np.concatenate([self.lines[keys // 2] for keys, _ in self.found])
        if (rest := np.delete(rows, sum(len(keys) for keys, _ in self.found[:j]))).size:
            shown = np.unique(rest).tolist()
            listed = ", ".join(map(str, shown[:10])) + (", ..." if len(shown) > 10 else "")
            message += f" ({len(rest)} more problem{'s' if len(rest) > 1 else ''}, in rows {listed})"
        raise AssayInputError(message, path=self.path, row=int(self.lines[firsts[j] // 2]), column=column)


def _cells(column: pd.Series) -> np.ndarray | pd.Categorical:
    """Return a column's cells: numpy numbers and categoricals as they are, anything else as objects."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.array
    numeric = isinstance(column.dtype, np.dtype) and column.dtype.kind in "biuf"
    return column.to_numpy() if numeric else column.to_numpy(dtype=object)


def categorical(codes: np.ndarray, values: Sequence[Any]) -> pd.Categorical:
    """Return the categorical whose cell ``i`` is ``values[codes[i]]``; equal values (and None) merged.

    ``values`` may repeat values (``"A"`` and ``"A "`` both stripped to ``"A"``); code -1 is the last value
    (as ``_Cells.groups`` gives them); None is missing.
    """
    known: dict[Any, int] = {}
    position = [-1 if v is None else known.setdefault(v, len(known)) for v in values]
    cells = np.array(position, dtype=np.int64)[codes] if len(codes) else np.empty(0, np.int64)
    return pd.Categorical.from_codes(cells, dtype=pd.CategoricalDtype(pd.Index(list(known), dtype=object)))


def _canonical_text(values: np.ndarray | pd.Categorical) -> pd.Categorical:
    """Make a text column of the canonical frame: codes of the distinct texts, sorted as strings sort.

    Categories no cell uses are dropped. (Done here with one pass over the codes: pandas'
    ``remove_unused_categories`` sorts them, seconds and a gigabyte for a million-curve screen.)
    """
    cells = values if isinstance(values, pd.Categorical) else pd.Categorical(np.asarray(values, dtype=object))
    codes, names = cells.codes, np.asarray(cells.categories, dtype=object)
    seen = np.zeros(len(names) + 1, dtype=bool)  # the last: code -1, missing
    seen[codes] = True  # (np.bincount would copy a million-curve column's codes to intp first)
    used = np.flatnonzero(seen[:-1])
    order = used[np.argsort(names[used].astype(str), kind="stable")]  # the used categories, sorted
    ordered = pd.Index(names[order], dtype="str")  # str, also when empty: files join their codes
    if len(order) == len(names) and (order == np.arange(len(names))).all():
        return (
            cells
            if cells.categories.dtype == ordered.dtype
            else pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(ordered))
        )
    position = np.full(
        len(names) + 1, -1, dtype=np.int32 if len(names) < 2**31 - 1 else np.int64
    )  # -1 stays -1
    position[order] = np.arange(len(order))
    return pd.Categorical.from_codes(position[codes], dtype=pd.CategoricalDtype(ordered))


def _text(value: object) -> str:
    """One cell as stripped text: empty for None/NaN, ``2`` for the float 2.0."""
    if type(value) is str:
        return value.strip()
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


def _numbers(cells: np.ndarray, decimal_comma: bool) -> tuple[np.ndarray, np.ndarray]:
    """Parse cells as ``_number`` does: the values (NaN unless a number) and kinds (_NUMBER, _EMPTY, ...)."""
    if cells.dtype.kind in "iuf":
        values = np.asarray(cells, dtype=np.float64)
        return values, np.isnan(values).astype(np.int8) * _EMPTY
    codes, values = _Cells(cells, len(cells)).groups
    parsed = []
    for value in values:
        try:
            number = _number(value, decimal_comma)
        except ValueError:
            parsed.append((math.nan, _NOT_A_NUMBER))
        else:
            parsed.append((math.nan, _EMPTY) if number is None else (number, _NUMBER))
    numbers, kinds = (np.array(c) for c in zip(*parsed, strict=True))
    return numbers.astype(float)[codes], kinds.astype(np.int8)[codes]


def _each_distinct(values: np.ndarray, func: Callable[[float], float]) -> np.ndarray:
    """Apply ``func`` to each value but NaN, once per distinct value, on Python floats (as scalar code)."""
    codes, uniques = group_codes(values)  # NaN gets code -1: the NaN appended last
    return np.array([*(func(float(u)) for u in uniques), math.nan], dtype=float)[codes]


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


class _LongColumns(NamedTuple):
    role: str | None
    compound: str | None
    signal: str
    conc: str
    unit: ConcentrationUnit
    plate: str | None
    replicate: str | None
    hot: str | None = None


def _long_columns(columns: list[str], path: str | Path) -> _LongColumns:
    """Find the columns of a long-layout table."""
    try:
        role = find_column(columns, "role", path=path, required=False)
        compound = find_column(columns, "compound", path=path, required=role is None)
        signal = find_column(columns, SIGNAL_COLUMNS, path=path, what="signal")
        conc, unit = _conc_column(columns, path)
    except AssayInputError as exc:  # another assay's file? say which command reads it
        raise with_hint(exc, columns, "competition") from None
    plate, replicate, hot = (
        find_column(columns, name, path=path, required=False) for name in ("plate", "replicate", HOT_COLUMN)
    )
    return _LongColumns(role, compound, signal, conc, unit, plate, replicate, hot)


def _number_columns(names: list[str], path: Path) -> list[str] | None:
    """For ``read_text_table``: the number columns of a long-layout header; None for any other."""
    from assaykit.io.counts.wide import is_wide

    cells = names[: max((i + 1 for i, name in enumerate(names) if name), default=0)]
    if not cells or is_wide(cells):
        return None
    try:
        found = _long_columns([name for name in names if name], path)
    except AssayInputError:
        return None  # read_raw_table and promote_header come first, then the same error
    return [found.conc, found.signal] + ([found.hot] if found.hot else [])


def _as_written(path: Path, line: int, column: str) -> str:
    """Return a cell of a long-layout text file as written: for messages about numbers pandas parsed."""
    table = read_text_table(path, numbers=lambda names: [])
    return _text((read_raw_table(path) if table is None else table).at[line, column])


def _counts_from_table(
    table: pd.DataFrame, path: str | Path, *, stacklevel: int, original: _Original | None = None
) -> pd.DataFrame:
    columns = _long_columns([str(c) for c in table.columns], path)
    size, lines = len(table), table.index.to_numpy(dtype=np.int64)

    def cells(column: str | None, default: str | None = "") -> _Cells:
        return _Cells(None if column is None else _cells(table[column]), size, default)

    compound, role_cells, plate = cells(columns.compound), cells(columns.role), cells(columns.plate, "all")
    # the role of each row, as a position in _ROLES: from the role column where it has one, else the compound
    named = compound.map(
        lambda t: _ROLES.index(CONTROL_NAMES.get(t.lower(), "competitor")) if t else 0, np.int8
    )
    kind, has_role, unknown = named, np.zeros(size, dtype=bool), np.zeros(size, dtype=bool)
    if columns.role:
        given = role_cells.map(lambda t: _ROLES.index(ROLE_NAMES.get(t.lower(), "?")) if t else 0, np.int8)
        has_role, unknown = given > 0, given == _ROLES.index("?")
        kind = np.where(has_role, given, named)
    nameless, competitor, role = (
        named == 0,
        kind == _ROLES.index("competitor"),
        pd.Categorical.from_codes(kind, dtype=pd.CategoricalDtype(pd.Index(_ROLES, dtype=object))),
    )
    problems = _Problems(path, lines)
    unknown_role = "unknown role '{}'; expected total, nsb or competitor"
    problems.add(unknown, lambda i: (unknown_role.format(role_cells.text()[i]), columns.role))
    no_compound = ~has_role & nameless
    also = " (or a role)" if columns.role else ""
    empty_compound = f"empty compound{also}; expected a compound name or {_CONTROLS_TEXT}"
    problems.add(no_compound, lambda i: (empty_compound, columns.compound))
    unnamed = competitor & nameless & has_role
    problems.add(
        unnamed, lambda i: ("a competitor row needs a compound name", columns.compound or "compound")
    )
    unplated = plate.empty() & ~(unknown | no_compound | unnamed)
    problems.add(unplated, lambda i: ("empty plate; fill in the plate id of every row", columns.plate))
    problems.raise_first()

    decimal_comma = table.attrs.get("delimiter") == ";"
    signal = _cells(table[columns.signal])
    if (empty := _numbers(signal, decimal_comma)[1] == _EMPTY).any():
        rows = lines[empty].tolist()
        shown = ", ".join(map(str, rows[:20])) + (", ..." if len(rows) > 20 else "")
        warnings.warn(
            f"{path}: dropped {len(rows)} row{'s' if len(rows) > 1 else ''} with an empty "
            f"'{columns.signal}' cell (rows {shown})",
            UserWarning,
            stacklevel=stacklevel,
        )
    names = compound.text()
    if nameless.any():  # controls named by their role only
        labels = np.array([r.upper() for r in _ROLES], dtype=object)[kind]
        names = pd.Categorical(np.where(nameless, labels, np.asarray(names, dtype=object)))
    keep = np.flatnonzero(~empty) if empty.any() else slice(None)
    tubes = _Tubes(
        line=lines[keep],
        compound=names[keep],
        role=role[keep],
        competitor=competitor[keep],
        plate=plate.text()[keep],
        replicate=cells(columns.replicate, None).text(None)[keep],
        conc=_cells(table[columns.conc])[keep],
        signal=signal[keep],
        log=np.broadcast_to(columns.unit.log, size)[keep],
        factor=np.broadcast_to(columns.unit.factor, size)[keep],
        conc_column=columns.conc,
        signal_column=columns.signal,
        hot=None if columns.hot is None else _cells(table[columns.hot])[keep],
        hot_column=columns.hot,
    )
    attrs = {"source": str(path), "signal_unit": columns.signal.strip().lower(), "conc_column": columns.conc}
    text = table.attrs.get("format") == "text"
    return _build(
        tubes, path, decimal_comma, {**attrs, "layout": "long"}, original, text=text, stacklevel=stacklevel
    )


def _build(
    tubes: _Tubes,
    path: str | Path,
    decimal_comma: bool,
    attrs: dict[str, str],
    original: _Original | None = None,
    *,
    text: bool = False,
    stacklevel: int = 3,
) -> pd.DataFrame:
    """Check every tube's numbers and assemble the canonical frame.

    ``text``: the cells are a text file's; ``stacklevel``: a warning issued in the caller with it would point
    at the user's code (warnings from the checks are issued deeper, and add their depth).
    """
    from assaykit.io.counts.checks import check_range, check_thousands, hot_concentrations  # imports this

    signal, signal_kind = _numbers(tubes.signal, decimal_comma)
    conc, conc_kind = _numbers(tubes.conc, decimal_comma)
    competitor, log, molar = tubes.competitor, tubes.log, conc * tubes.factor
    in_range = (conc > -100) & (conc < 100)  # beyond this 10**value is no concentration (and may overflow)
    valid = np.isfinite(conc) & np.where(log, in_range, molar > 0)
    if not ((np.isfinite(signal) & (signal >= 0)).all() and (valid | ~competitor).all()):
        _raise_number_problems(tubes, path, (signal, signal_kind, conc, conc_kind, molar, in_range), original)
    if text and (suspect := thousands_position(signal)) is not None:
        check_thousands(tubes, signal, suspect, path, original)
    if not competitor.any():
        raise AssayInputError(
            f"no competitor rows; expected rows with a competitor compound besides {_CONTROLS_TEXT}",
            path=path,
        )
    check_range(tubes, conc, path, stacklevel=stacklevel + 2)
    logged, linear = competitor & log, competitor & ~log
    conc_m = np.where(linear, molar, np.nan)
    log_conc = _each_distinct(conc_m, math.log10)
    if logged.any():
        conc_m = np.where(logged, _each_distinct(np.where(logged, conc, np.nan), lambda v: 10.0**v), conc_m)
        log_conc = np.where(logged, conc, log_conc)
    out = pd.DataFrame(
        {
            **{name: _canonical_text(getattr(tubes, name)) for name in COUNTS_COLUMNS[:4]},
            "conc_M": conc_m,
            "log_conc_M": log_conc,
            "signal": signal,
            "source_row": np.asarray(tubes.line, dtype=np.int64),
        },
        copy=False,
    )
    if tubes.hot is not None:
        out[HOT_COLUMN] = hot_concentrations(tubes, path, decimal_comma, stacklevel=stacklevel + 2)
    out.attrs.update(attrs)
    return out


def _raise_number_problems(
    tubes: _Tubes, path: str | Path, parsed: tuple[np.ndarray, ...], original: _Original | None
) -> None:
    """Raise the error about the first bad signal or competitor concentration, counting the others."""
    signal, signal_kind, conc, conc_kind, molar, in_range = parsed

    def describe(
        template: str, cells: np.ndarray, names: np.ndarray | str, concentration: bool | None = None
    ) -> Callable[[int], tuple[str, str]]:
        def message(i: int) -> tuple[str, str]:  # the cell quoted as written, even if pandas parsed it
            name = names if isinstance(names, str) else str(names[i])
            floats = original is not None and cells.dtype.kind == "f"
            text = original(int(tubes.line[i]), name) if floats else _text(cells[i])
            hint = "" if concentration is None else cell_hint(text, concentration=concentration)
            return template.format(text) + hint, name

        return message

    problems = _Problems(path, tubes.line)
    finite, bad = np.isfinite(signal), signal_kind == _NOT_A_NUMBER
    problems.add(
        bad, describe("'{}' is not a number; expected a count", tubes.signal, tubes.signal_column, False)
    )
    for where, template in (
        (~bad & ~finite, "'{}' is not a finite count"),
        (finite & (signal < 0), "negative signal {}; counts cannot be negative"),
    ):
        problems.add(where, describe(template, tubes.signal, tubes.signal_column))
    competitor, log = tubes.competitor, tubes.log
    negative = conc[competitor & ~log & (conc < 0)]
    hint = "; these look like log10 molar values: name the column log_conc_M" * looks_like_log_molar(negative)
    ok, infinite = competitor & np.isfinite(conc), competitor & (conc_kind == _NUMBER) & ~np.isfinite(conc)
    not_number = "'{}' is not a number; expected a concentration"
    problems.add(
        competitor & (conc_kind == _NOT_A_NUMBER),
        describe(not_number, tubes.conc, tubes.conc_column, True),
        1,
    )
    for where, template in (
        (competitor & (conc_kind == _EMPTY), _EMPTY_CONC),
        (infinite & log, "'{}' is not a finite log concentration"),
        (infinite & ~log, "'{}' is not a finite concentration"),
        (ok & log & ~in_range, "log concentration {} is out of range; log_conc_M is log10(mol/L), e.g. -7"),
        (ok & ~log & (conc == 0), _ZERO_CONC),
        (ok & ~log & (conc < 0), "negative concentration {}; competitor concentrations must be > 0" + hint),
        (ok & ~log & (conc > 0) & ~(molar > 0), "concentration {} is too small to represent"),
    ):
        problems.add(where, describe(template, tubes.conc, tubes.conc_column), order=1)
    problems.raise_first()
