"""Low-level table reading shared by every assaykit reader: CSV, TSV/TXT and XLSX cells as exact strings.

Every reader starts here so that files are checked once, at the boundary: the file exists, its extension is
known, it has data, and each row keeps the line (CSV/TSV) or sheet row (XLSX) it came from, for messages.
No type inference happens here: every cell is returned as the text the user wrote.

This module holds the raw table (:func:`read_raw_table`, :func:`promote_header`) and the column lookup
(:func:`find_column`, :func:`closest_name`); the text files' encodings and delimiters are in
:mod:`assaykit.io.text_files`, and the fast path for long text tables (pandas' C parser behind the same
checks) in :mod:`assaykit.io.fast_table`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal, overload

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.text_files import is_blank, read_text_rows, table_suffix
from assaykit.io.xlsx_read import choose_sheet, column_texts, listing, open_workbook, sheet_rows

#: Name of the index that holds each row's 1-based line (CSV/TSV) or sheet row (XLSX) in the file.
SOURCE_ROW = "source_row"


def read_raw_table(path: str | Path, *, sheet: str | int | None = None, header: bool = True) -> pd.DataFrame:
    """Read a CSV, TSV/TXT or XLSX file as a table of strings, keeping each row's line number.

    Parameters
    ----------
    path
        The file. ``.csv`` and ``.txt`` files may be comma-, semicolon- or tab-separated (detected from the
        first lines, falling back to comma for ``.csv`` and tab for ``.txt``); ``.tsv`` is tab-separated;
        ``.xlsx`` is read with python-calamine (:mod:`assaykit.io.xlsx_read`). Text files may be UTF-8
        (with or without a byte-order mark), UTF-16 with a byte-order mark, or Windows-1252.
    sheet
        For ``.xlsx`` only: the sheet name, or its 0-based position. The first sheet when None.
    header
        True: the first non-blank row becomes the column names (stripped of whitespace), columns that are
        empty in the header and in every row are dropped, and blank rows are dropped. False: every row is
        returned, blank ones included, under columns ``0, 1, ...`` (for layouts that are not rectangular).

    Returns
    -------
    pandas.DataFrame
        Object-dtype cells holding strings exactly as written (numbers in XLSX cells are written as
        ``"2850"`` or ``"0.1"``; empty cells are ``""``; nothing becomes NaN). The index, named
        ``source_row``, is the 1-based line (text files, header = line 1) or sheet row (XLSX) of each row.
        ``attrs`` holds ``source`` (the path as a string), ``format`` (``"text"`` or ``"xlsx"``),
        ``delimiter`` (text files) and ``sheet`` (XLSX).

    Raises
    ------
    AssayInputError
        When the file is missing, has an unknown extension, is empty or has a header but no data rows, is
        not a readable workbook, has no sheet ``sheet``, has two columns with the same name, or (text files)
        has a row with more cells than the header.

    Examples
    --------
    >>> table = read_raw_table("counts.csv")  # doctest: +SKIP
    >>> table.index[0]  # the first data row is line 2  # doctest: +SKIP
    2
    """
    path = Path(path)
    suffix = table_suffix(path)
    if suffix == ".xlsx":
        lines, columns, sheet_name = _read_xlsx(path, sheet)
        raw = pd.DataFrame(
            dict(enumerate(columns)), index=pd.Index(lines, name=SOURCE_ROW, dtype="int64"), dtype=object
        )
        if raw.empty or _blank_rows(raw).all():
            raise AssayInputError(f"sheet '{sheet_name}' is empty", path=path)
        attrs: dict[str, object] = {"source": str(path), "format": "xlsx", "sheet": sheet_name}
    else:
        if sheet is not None:
            raise AssayInputError(
                f"a sheet ({sheet!r}) was given but a {suffix} file has no sheets", path=path
            )
        lines, rows, delimiter = read_text_rows(path, suffix)
        attrs = {"source": str(path), "format": "text", "delimiter": delimiter}
        if all(is_blank(r) for r in rows):
            raise AssayInputError("the file is empty", path=path)
        width = max(len(r) for r in rows)
        raw = pd.DataFrame(
            [r + [""] * (width - len(r)) for r in rows],
            index=pd.Index(lines, name=SOURCE_ROW, dtype="int64"),
            columns=range(width),
            dtype=object,
        )
    raw.attrs.update(attrs)
    return promote_header(raw, path=path) if header else raw


def promote_header(raw: pd.DataFrame, *, path: str | Path | None = None) -> pd.DataFrame:
    """Turn a table read with ``header=False`` into one whose first non-blank row is the column names.

    Parameters
    ----------
    raw
        A table from ``read_raw_table(..., header=False)``.
    path
        The file, for messages; ``raw.attrs["source"]`` when None.

    Returns
    -------
    pandas.DataFrame
        The same table as ``read_raw_table(..., header=True)`` returns.

    Raises
    ------
    AssayInputError
        When there is no header, no data row below it, two columns share a name, or a text-file row has a
        non-empty cell beyond the header.
    """
    where = path if path is not None else raw.attrs.get("source")
    cells = raw.to_numpy(dtype=object)
    blank = _blank_rows(raw).tolist()
    if all(blank):
        raise AssayInputError("the file is empty", path=where)
    first = blank.index(False)
    names = [str(c).replace("\ufeff", "").strip() for c in cells[first]]
    body = raw.iloc[first + 1 :][[not b for b in blank[first + 1 :]]]
    if body.empty:
        raise AssayInputError(f"no data rows below the header (line {raw.index[first]})", path=where)
    keep = [i for i, name in enumerate(names) if name or not blank_cells(body.iloc[:, i].to_numpy()).all()]
    if raw.attrs.get("format") == "text":
        named = [i for i, name in enumerate(names) if name]
        last_named = named[-1] if named else -1
        for line, row in zip(body.index, body.to_numpy(dtype=object), strict=True):
            extra = [i for i in range(last_named + 1, len(row)) if str(row[i]).strip()]
            if extra:
                cause = (
                    f"is line {raw.index[first]} a title above the column names? delete it"
                    if len(named) <= 1
                    else "an unquoted comma, e.g. a thousands separator?"
                )
                raise AssayInputError(
                    f"this row has a value in cell {extra[-1] + 1} but the header has only {last_named + 1} "
                    f"columns ({cause})",
                    path=where,
                    row=int(line),
                )
    columns = [names[i] or f"unnamed_{i + 1}" for i in keep]
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise AssayInputError(
            f"two columns are named '{duplicated[0]}'; give each column its own name",
            path=where,
            row=int(raw.index[first]),
            column=duplicated[0],
        )
    table = body.iloc[:, keep].copy()
    table.columns = pd.Index(columns)
    table.attrs = dict(raw.attrs)
    table.attrs["header_row"] = int(raw.index[first])
    return table


@overload
def find_column(
    df: pd.DataFrame | Iterable[str],
    candidates: str | Sequence[str],
    *,
    path: str | Path | None,
    required: Literal[True] = ...,
    what: str | None = ...,
    taken: Iterable[str] = ...,
) -> str: ...


@overload
def find_column(
    df: pd.DataFrame | Iterable[str],
    candidates: str | Sequence[str],
    *,
    path: str | Path | None,
    required: bool,
    what: str | None = ...,
    taken: Iterable[str] = ...,
) -> str | None: ...


def find_column(
    df: pd.DataFrame | Iterable[str],
    candidates: str | Sequence[str],
    *,
    path: str | Path | None,
    required: bool = True,
    what: str | None = None,
    taken: Iterable[str] = (),
) -> str | None:
    """Find the one column whose name is one of ``candidates``, ignoring case and surrounding spaces.

    Parameters
    ----------
    df
        The table, or its column names.
    candidates
        The accepted names, e.g. ``("cpm", "dpm", "counts")``.
    path
        The file, for messages.
    required
        When True a missing column raises; otherwise None is returned.
    what
        What the column holds, for messages (e.g. ``"signal"``); the first candidate when None.
    taken
        Columns already found for another role: never offered as a likely misspelling.

    Returns
    -------
    str or None
        The column name as written in the table, or None when it is absent and not required.

    Raises
    ------
    AssayInputError
        When more than one column matches, or none does and ``required`` is True. The message lists the
        columns found and, for a likely misspelling, the closest accepted name.

    Examples
    --------
    >>> find_column(["Compound", "conc_nM", "CPM"], ("cpm", "dpm", "counts"), path=None, what="signal")
    'CPM'
    """
    names = [str(c) for c in (df.columns if isinstance(df, pd.DataFrame) else df)]
    wanted = [candidates] if isinstance(candidates, str) else list(candidates)
    wanted_lower = [c.lower() for c in wanted]
    what = what or wanted[0]
    found = [n for n in names if n.strip().lower() in wanted_lower]
    if len(found) > 1:
        listed = ", ".join(f"'{n}'" for n in found)
        raise AssayInputError(
            f"{len(found)} columns could be the {what} column ({listed}); keep one", path=path
        )
    if found:
        return found[0]
    if not required:
        return None
    expected = " or ".join(f"'{c}'" for c in wanted)
    message = f"no {what} column; expected a column named {expected}; the columns are {listing(names)}"
    spare = set(taken)
    suggestion = closest_name([n for n in names if n not in spare], wanted)
    if suggestion is not None:
        message += f"; did you mean '{suggestion[1]}' for '{suggestion[0]}'?"
    raise AssayInputError(message, path=path)


def closest_name(names: Iterable[str], accepted: Iterable[str]) -> tuple[str, str] | None:
    """Find the name most likely to be a misspelling of one of ``accepted`` (difflib, ignoring case).

    Parameters
    ----------
    names
        The names found, e.g. a file's column names.
    accepted
        The names that would have been understood.

    Returns
    -------
    tuple of str or None
        ``(name as found, accepted name)`` for the closest pair, or None when nothing is close.
    """
    accepted = list(accepted)
    lowered = {a.lower(): a for a in accepted}
    best: tuple[float, str, str] | None = None
    for name in names:
        for match in difflib.get_close_matches(name.strip().lower(), list(lowered), n=1, cutoff=0.6):
            score = difflib.SequenceMatcher(None, name.strip().lower(), match).ratio()
            if best is None or score > best[0]:
                best = (score, name, lowered[match])
    return None if best is None else (best[1], best[2])


def blank_cells(values: np.ndarray | pd.Categorical) -> np.ndarray:
    """Tell which cells are empty: NaN numbers, or text that is empty once stripped."""
    if isinstance(values, pd.Categorical):  # each category once
        blank = blank_cells(np.asarray(values.categories, dtype=object))
        return np.append(blank, True)[values.codes]
    if values.dtype.kind == "f":
        return np.isnan(values)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)  # None and NaN are text, as str() gives
    return np.array([not str(u).strip() for u in uniques], dtype=bool)[codes]


def _blank_rows(raw: pd.DataFrame) -> np.ndarray:
    """Tell which rows of a table of cells are blank (every cell empty once stripped), column by column."""
    blank = np.ones(len(raw), dtype=bool)
    for i in range(raw.shape[1]):
        rows = np.flatnonzero(blank)
        if not len(rows):
            break
        blank[rows] = blank_cells(raw.iloc[:, i].to_numpy(dtype=object)[rows])
    return blank


def _read_xlsx(path: Path, sheet: str | int | None) -> tuple[list[int], list[np.ndarray], str]:
    """Read a sheet as columns of cell texts (trailing blank rows dropped); return lines, columns, name."""
    with open_workbook(path) as book:
        name = choose_sheet(list(book.sheet_names), sheet, path)
        values = sheet_rows(book, name, path)
    cells = np.array(values, dtype=object) if values and values[0] else np.empty((0, 0), dtype=object)
    columns = [column_texts(cells[:, j]) for j in range(cells.shape[1])]  # sheet rows are of equal length
    height = len(values)
    if columns:
        filled = np.flatnonzero(~_blank_rows(pd.DataFrame(dict(enumerate(columns)), dtype=object)))
        height = int(filled[-1]) + 1 if len(filled) else 0
    return list(range(1, height + 1)), [c[:height] for c in columns], name
