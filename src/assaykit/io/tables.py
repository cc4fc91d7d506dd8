"""Low-level table reading shared by every assaykit reader: CSV, TSV/TXT and XLSX cells as exact strings.

Every reader starts here so that files are checked once, at the boundary: the file exists, its extension is
known, it has data, and each row keeps the line (CSV/TSV) or sheet row (XLSX) it came from, for messages.
No type inference happens here: every cell is returned as the text the user wrote.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal, overload

import pandas as pd

from assaykit.errors import AssayInputError

#: File extensions ``read_raw_table`` understands.
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")

#: Name of the index that holds each row's 1-based line (CSV/TSV) or sheet row (XLSX) in the file.
SOURCE_ROW = "source_row"

_DELIMITERS = (",", ";", "\t")
_SNIFF_LINES = 50
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def read_raw_table(path: str | Path, *, sheet: str | int | None = None, header: bool = True) -> pd.DataFrame:
    """Read a CSV, TSV/TXT or XLSX file as a table of strings, keeping each row's line number.

    Parameters
    ----------
    path
        The file. ``.csv`` and ``.txt`` files may be comma-, semicolon- or tab-separated (detected from the
        first lines, falling back to comma for ``.csv`` and tab for ``.txt``); ``.tsv`` is tab-separated;
        ``.xlsx`` is read with openpyxl. Text files may be UTF-8 (with or without a byte-order mark),
        UTF-16 with a byte-order mark, or Windows-1252.
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
    suffix = path.suffix.lower()
    if not path.exists():
        raise AssayInputError("file not found", path=path)
    if path.is_dir():
        raise AssayInputError("is a folder, not a table file", path=path)
    if suffix not in TABLE_SUFFIXES:
        hint = "; save it from Excel as .xlsx or .csv" if suffix in {".xls", ".xlsm", ".ods"} else ""
        raise AssayInputError(
            f"unknown file type '{suffix or path.name}'; expected one of {', '.join(TABLE_SUFFIXES)}{hint}",
            path=path,
        )
    if suffix == ".xlsx":
        lines, rows, sheet_name = _read_xlsx(path, sheet)
        attrs: dict[str, object] = {"source": str(path), "format": "xlsx", "sheet": sheet_name}
    else:
        if sheet is not None:
            raise AssayInputError(
                f"a sheet ({sheet!r}) was given but a {suffix} file has no sheets", path=path
            )
        lines, rows, delimiter = _read_text(path, suffix)
        attrs = {"source": str(path), "format": "text", "delimiter": delimiter}
    if all(_is_blank(r) for r in rows):
        where = f"sheet '{attrs['sheet']}' is" if suffix == ".xlsx" else "the file is"
        raise AssayInputError(f"{where} empty", path=path)
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
    blank = [_is_blank(list(r)) for r in cells]
    if all(blank):
        raise AssayInputError("the file is empty", path=where)
    first = blank.index(False)
    names = [str(c).replace("\ufeff", "").strip() for c in cells[first]]
    body = raw.iloc[first + 1 :][[not b for b in blank[first + 1 :]]]
    if body.empty:
        raise AssayInputError(f"no data rows below the header (line {raw.index[first]})", path=where)
    keep = [i for i, name in enumerate(names) if name or not _is_blank(list(body.iloc[:, i]))]
    if raw.attrs.get("format") == "text":
        named = [i for i, name in enumerate(names) if name]
        last_named = named[-1] if named else -1
        for line, row in zip(body.index, body.to_numpy(dtype=object), strict=True):
            extra = [i for i in range(last_named + 1, len(row)) if str(row[i]).strip()]
            if extra:
                raise AssayInputError(
                    f"this row has a value in cell {extra[-1] + 1} but the header has only {last_named + 1} "
                    "columns (an unquoted comma, e.g. a thousands separator?)",
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
) -> str: ...


@overload
def find_column(
    df: pd.DataFrame | Iterable[str],
    candidates: str | Sequence[str],
    *,
    path: str | Path | None,
    required: bool,
    what: str | None = ...,
) -> str | None: ...


def find_column(
    df: pd.DataFrame | Iterable[str],
    candidates: str | Sequence[str],
    *,
    path: str | Path | None,
    required: bool = True,
    what: str | None = None,
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
    message = f"no {what} column; expected a column named {expected}; the columns are {_listing(names)}"
    suggestion = closest_name(names, wanted)
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


def _listing(names: Sequence[str]) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:20])
    return shown + (f" and {len(names) - 20} more" if len(names) > 20 else "") if names else "(none)"


def _is_blank(row: Sequence[object]) -> bool:
    return all(not str(c).strip() for c in row)


def _decode(data: bytes, path: Path) -> str:
    if data.startswith(b"PK\x03\x04"):
        raise AssayInputError("this looks like an Excel workbook; give it the .xlsx extension", path=path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise AssayInputError("not a text table (it contains binary data)", path=path)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _detect_delimiter(lines: list[str], suffix: str) -> str:
    """Pick the delimiter that splits the first non-blank line and the most other lines consistently."""
    default = "," if suffix == ".csv" else "\t"
    if suffix == ".tsv":
        return default
    sample = [line for line in lines if line.strip()][:_SNIFF_LINES]
    if not sample:
        return default
    best: tuple[tuple[int, int, int], str] | None = None
    for delimiter in _DELIMITERS:
        counts = [len(r) for r in csv.reader(sample, delimiter=delimiter)]
        if not counts or counts[0] < 2:
            continue  # the header (or the first row) must be split
        split = sum(c > 1 for c in counts)
        consistent = -len(set(counts))
        score = (split, consistent, int(delimiter == default))
        if best is None or score > best[0]:
            best = (score, delimiter)
    return default if best is None else best[1]


def _read_text(path: Path, suffix: str) -> tuple[list[int], list[list[str]], str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AssayInputError(f"cannot read the file ({exc.strerror or exc})", path=path) from exc
    text = _decode(data, path)
    delimiter = _detect_delimiter(text.splitlines()[: _SNIFF_LINES * 4], suffix)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines: list[int] = []
    rows: list[list[str]] = []
    previous = 0
    try:
        for record in reader:
            lines.append(previous + 1)  # a quoted field may span lines: the row starts after the last one
            rows.append(record)
            previous = reader.line_num
    except csv.Error as exc:
        raise AssayInputError(f"cannot parse the file as text ({exc})", path=path, row=previous + 1) from exc
    return lines, rows, delimiter


def _cell_text(value: object) -> str:
    """Write one spreadsheet cell as text without losing precision (``2850.0`` -> ``"2850"``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _read_xlsx(path: Path, sheet: str | int | None) -> tuple[list[int], list[list[str]], str]:
    import openpyxl  # a heavy import, only needed for workbooks

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it ignores
            book = openpyxl.load_workbook(path, read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken or foreign file
        raise AssayInputError(
            f"cannot read it as an Excel .xlsx workbook ({type(exc).__name__}: {exc})", path=path
        ) from exc
    try:
        names = book.sheetnames
        if sheet is None:
            name = names[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                raise AssayInputError(
                    f"no sheet number {sheet} (0-based); the workbook has {len(names)}: {_listing(names)}",
                    path=path,
                )
            name = names[sheet]
        elif str(sheet) in names:
            name = str(sheet)
        else:
            raise AssayInputError(f"no sheet named '{sheet}'; the sheets are {_listing(names)}", path=path)
        ws = book[name]
        rows = [
            [_cell_text(v) for v in row]
            for row in ws.iter_rows(
                min_row=1, max_row=ws.max_row, min_col=1, max_col=ws.max_column, values_only=True
            )
        ]
    finally:
        book.close()
    while rows and _is_blank(rows[-1]):
        rows.pop()
    return list(range(1, len(rows) + 1)), rows, name
