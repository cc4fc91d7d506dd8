"""Low-level table reading shared by every assaykit reader: CSV, TSV/TXT and XLSX cells as exact strings.

Every reader starts here so that files are checked once, at the boundary: the file exists, its extension is
known, it has data, and each row keeps the line (CSV/TSV) or sheet row (XLSX) it came from, for messages.
No type inference happens here: every cell is returned as the text the user wrote.
"""

from __future__ import annotations

import csv
import difflib
import io
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.heap import trim_heap
from assaykit.io.ascii_text import AsciiText
from assaykit.io.xlsx_read import choose_sheet, column_texts, listing, open_workbook, sheet_rows

#: File extensions ``read_raw_table`` understands.
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")

#: Name of the index that holds each row's 1-based line (CSV/TSV) or sheet row (XLSX) in the file.
SOURCE_ROW = "source_row"

#: Rows parsed at a time by ``read_text_table`` (about 40 MB of a counts file's text).
BLOCK_ROWS = 1 << 20

_DELIMITERS = (",", ";", "\t")
_SNIFF_LINES = 50
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
# From pandas 3.1 read_csv parses numbers with fast_float, rounding as float() does; older "high" may not.
_EXACT_FLOATS = tuple(int(p) for p in pd.__version__.split(".")[:2] if p.isdigit()) >= (3, 1)


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
    suffix = _table_suffix(path)
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
        lines, rows, delimiter = _read_text(path, suffix)
        attrs = {"source": str(path), "format": "text", "delimiter": delimiter}
        if all(_is_blank(r) for r in rows):
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
    keep = [i for i, name in enumerate(names) if name or not _blank_cells(body.iloc[:, i].to_numpy()).all()]
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


def read_text_table(
    path: str | Path,
    *,
    numbers: Callable[[list[str]], Collection[str] | None],
    categorical: bool = False,
) -> pd.DataFrame | None:
    """Read a CSV/TSV/TXT file as ``read_raw_table(path)`` does, with pandas' C parser: fast for big files.

    Parameters
    ----------
    path
        The file.
    numbers
        Called with the header row's names (stripped; ``""`` for an empty header cell); returns the names of
        the columns to read as numbers, or None to decline the file.
    categorical
        Return the text columns as ``pandas.Categorical`` (the distinct texts as categories, in order of
        first appearance) instead of object arrays: a screen of a million curves repeats each compound and
        plate name in 33 or more rows, and a code per cell takes a fraction of a pointer to a string.

    Returns
    -------
    pandas.DataFrame or None
        The table ``read_raw_table(path)`` returns (the same columns, rows, strings, ``source_row`` index
        and ``attrs``), but with float64 numbers (as ``float(cell)`` parses them, NaN where empty) in the
        ``numbers`` columns; strings there too when one of their cells is not a plain number (``1,5``,
        ``nan``) or pandas is older than 3.1 (which may round differently). None for a workbook, or a file
        that pandas might split differently from ``read_raw_table``: a quoted field spanning lines, a lone
        carriage return, a NUL or byte-order mark, a row longer than the header, a header naming a column
        twice, no data row. ``read_raw_table`` then gives the table or the error.

    Raises
    ------
    AssayInputError
        As ``read_raw_table``, when the file is missing, not a table file or not text.
    """
    path = Path(path)
    suffix = _table_suffix(path)
    if suffix == ".xlsx":
        return None
    text, delimiter = _load_source(path, suffix)
    try:
        return _read_source(path, text, delimiter, numbers, categorical)
    finally:
        if isinstance(text, AsciiText):
            text.close()


def _read_source(
    path: Path,
    text: str | AsciiText,
    delimiter: str,
    numbers: Callable[[list[str]], Collection[str] | None],
    categorical: bool,
) -> pd.DataFrame | None:
    """Do the work of :func:`read_text_table` once the file's text is at hand."""
    if "\x00" in text or "\ufeff" in text or ("\r" in text and text.count("\r") != text.count("\r\n")):
        return None
    ends: list[int] = []  # where each line read so far ends

    def lines() -> Iterator[str]:  # as io.StringIO(text, newline="") gives them, without copying the text
        while (start := ends[-1] if ends else 0) < len(text):
            ends.append(text.find("\n", start) + 1 or len(text))
            yield text[start : ends[-1]]

    reader = csv.reader(lines(), delimiter=delimiter)
    header_row = 1
    try:
        for cells in reader:
            if not _is_blank(cells):
                break
            header_row = reader.line_num + 1
        else:
            return None
    except csv.Error:
        return None
    names = [c.strip() for c in cells]
    wanted = numbers(list(names))
    columns = [name or f"unnamed_{i + 1}" for i, name in enumerate(names)]
    if wanted is None or len(set(columns)) < len(columns):
        return None
    floats = [c for c in columns if c in wanted] if _EXACT_FLOATS else []
    start = ends[-1]  # the body starts after the header record's last line
    if isinstance(text, AsciiText) and reader.line_num == 1 and '"' not in text[:start]:
        body: tuple[bytes, int] | Path = path  # the rows start on line 2: pandas reads the file itself
    else:
        body = (text.encode("utf-8"), len(text[:start].encode("utf-8")))
    frame = _parse_body(body, delimiter, columns, floats, categorical)  # pandas refuses a row too long
    if frame is None:
        # one more column, as a row may have one more cell than the header (read_raw_table raises if that
        # cell holds a value): read as numbers, which are quick to find empty
        names, columns = [*names, ""], [*columns, f"unnamed_{len(columns) + 1}"]
        frame = _parse_body(body, delimiter, columns, [*floats, columns[-1]], categorical)
    # one row per line (only a quoted field could span lines): row i is on line (header's last) + 1 + i
    if frame is None or (
        text.find('"', start) >= 0 and len(frame) != text.count("\n", start) + (not text.endswith("\n"))
    ):
        return None
    first_line = reader.line_num + 1
    frame.index = pd.Index(
        np.arange(first_line, first_line + len(frame), dtype=np.int64), name=SOURCE_ROW, copy=False
    )
    attrs = {"source": str(path), "format": "text", "delimiter": delimiter, "header_row": header_row}
    return _finish_body(frame, names, attrs)


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
    message = f"no {what} column; expected a column named {expected}; the columns are {listing(names)}"
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


def _table_suffix(path: Path) -> str:
    """Check that ``path`` is a table file ``read_raw_table`` can read; return its lower-case suffix."""
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
    return suffix


def _first_lines(text: str | AsciiText, count: int) -> list[str]:
    """``text.splitlines()[:count]`` without splitting all of a large text."""
    size = 1 << 16
    while size < len(text):
        lines = text[:size].splitlines()
        if len(lines) > count:  # so the first ``count`` lines end inside the prefix, as in the whole text
            return lines[:count]
        size *= 4
    return text.splitlines()[:count]


def _load_text(path: Path, suffix: str) -> tuple[str, str]:
    """Read and decode a text table; return the text and its delimiter."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AssayInputError(f"cannot read the file ({exc.strerror or exc})", path=path) from exc
    text = _decode(data, path)
    return text, _detect_delimiter(_first_lines(text, _SNIFF_LINES * 4), suffix)


def _load_source(path: Path, suffix: str) -> tuple[str | AsciiText, str]:
    """As :func:`_load_text`, but a pure-ASCII file comes back mapped, as an :class:`AsciiText`."""
    try:
        text: str | AsciiText | None = AsciiText.open(path)
        if text is None:
            text = _decode(path.read_bytes(), path)  # as _load_text: decoded, or the reason it cannot be
    except OSError as exc:
        raise AssayInputError(f"cannot read the file ({exc.strerror or exc})", path=path) from exc
    return text, _detect_delimiter(_first_lines(text, _SNIFF_LINES * 4), suffix)


def _read_text(path: Path, suffix: str) -> tuple[list[int], list[list[str]], str]:
    text, delimiter = _load_text(path, suffix)
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


def _parse_body(
    body: tuple[bytes, int] | Path,
    delimiter: str,
    columns: list[str],
    floats: list[str],
    categorical: bool = False,
) -> pd.DataFrame | None:
    """Parse the rows with pandas; the ``floats`` as numbers if all are, else as text.

    ``body`` is the text (UTF-8) and the byte where the rows start, or a file whose rows start on line 2.
    The rows are parsed in blocks of ``BLOCK_ROWS`` and each block's columns kept as arrays (the text ones
    as codes when ``categorical``): pandas' parser holds all its tokens until it assembles one frame, which
    for a million-curve screen is more memory than the table itself.
    """
    options: dict[str, Any] = {"sep": delimiter, "header": None, "names": columns, "index_col": False}
    options.update(keep_default_na=False, skip_blank_lines=False, engine="c", encoding="utf-8")
    for numbers in [floats, []]:
        dtype = {c: "float64" if c in numbers else object for c in columns}
        if isinstance(body, Path):
            source: Any = str(body)
            options["skiprows"] = 1
        else:
            source = io.BytesIO(body[0])
            source.seek(body[1])
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # a first row too long for the columns
            try:
                blocks = pd.read_csv(
                    source,
                    dtype=dtype,
                    na_values=dict.fromkeys(numbers, [""]),
                    chunksize=BLOCK_ROWS,
                    **options,
                )
                with blocks:
                    return _assemble(blocks, columns, numbers, categorical)
            except pd.errors.ParserWarning:
                return None
            except ValueError:  # a cell that is not a number; a row too long for the columns; no row
                continue
    return None


def _assemble(
    blocks: Iterable[pd.DataFrame], columns: list[str], numbers: list[str], categorical: bool
) -> pd.DataFrame:
    """Join the blocks' columns into one frame; text columns as categoricals when ``categorical``."""
    parts: dict[str, list[np.ndarray]] = {c: [] for c in columns}
    seen: dict[str, dict[str, int]] = {c: {} for c in columns}  # each text column's categories so far
    for block in blocks:
        for c in columns:
            values = block[c].to_numpy(dtype=np.float64 if c in numbers else object)
            if categorical and c not in numbers:  # this block's codes, as positions among all categories
                codes, uniques = pd.factorize(values)
                known = seen[c]
                position = [known.setdefault(u, len(known)) for u in uniques.tolist()]
                values = np.array([*position, -1], dtype=np.int32 if len(known) < 2**31 - 1 else np.int64)[
                    codes
                ]
            parts[c].append(values)
    if not parts[columns[0]]:
        raise ValueError("no row")
    trim_heap()  # the blocks' arrays, freed: their pages back before the columns are joined
    data: dict[str, Any] = {}
    for c in columns:
        joined = np.concatenate(parts.pop(c))
        if categorical and c not in numbers:
            categories = pd.Index(list(seen[c]), dtype=object)
            joined = pd.Categorical.from_codes(
                _small_codes(joined, len(categories)), dtype=pd.CategoricalDtype(categories)
            )
        data[c] = joined if joined.dtype != object else pd.Series(joined, dtype=object, copy=False)
    return pd.DataFrame(data, copy=False)


def _small_codes(codes: np.ndarray, n: int) -> np.ndarray:
    """Return ``codes`` in the smallest integer type that holds ``-1 .. n - 1``, as pandas stores them."""
    for kind in (np.int8, np.int16, np.int32):
        if n < np.iinfo(kind).max:
            return codes.astype(kind)
    return codes


def _blank_cells(values: np.ndarray | pd.Categorical) -> np.ndarray:
    """Tell which cells are empty: NaN numbers, or text that is empty once stripped."""
    if isinstance(values, pd.Categorical):  # each category once
        blank = _blank_cells(np.asarray(values.categories, dtype=object))
        return np.append(blank, True)[values.codes]
    if values.dtype.kind == "f":
        return np.isnan(values)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)  # None and NaN are text, as str() gives
    return np.array([not str(u).strip() for u in uniques], dtype=bool)[codes]


def _column_cells(column: pd.Series) -> np.ndarray | pd.Categorical:
    """Return a column's cells: a categorical as it is (not a string per cell), anything else as numpy."""
    return column.array if isinstance(column.dtype, pd.CategoricalDtype) else column.to_numpy()


def _blank_rows(raw: pd.DataFrame) -> np.ndarray:
    """Tell which rows of a table of cells are blank (every cell empty once stripped), column by column."""
    blank = np.ones(len(raw), dtype=bool)
    for i in range(raw.shape[1]):
        rows = np.flatnonzero(blank)
        if not len(rows):
            break
        blank[rows] = _blank_cells(raw.iloc[:, i].to_numpy(dtype=object)[rows])
    return blank


def _finish_body(frame: pd.DataFrame, names: list[str], attrs: dict[str, object]) -> pd.DataFrame | None:
    """Drop blank rows and empty unnamed columns as ``promote_header`` does; None where it would raise."""
    blank = None  # whether each row is blank in the columns seen so far
    for column in sorted(frame.columns, key=lambda c: frame[c].dtype.kind != "f"):  # numbers are quick
        values = _column_cells(frame[column])

        if blank is None:
            blank = _blank_cells(values)
        else:
            rows = np.flatnonzero(blank)
            blank[rows] = _blank_cells(values[rows])
    assert blank is not None
    last_named = max((i for i, name in enumerate(names) if name), default=-1)
    keep = [
        c
        for i, c in enumerate(frame.columns)
        if names[i] or not _blank_cells(_column_cells(frame[c])[~blank]).all()
    ]
    if blank.all() or any(list(frame.columns).index(c) > last_named for c in keep):
        return None  # no data row, or a value beyond the header: read_raw_table raises
    frame = frame[keep] if len(keep) < len(frame.columns) else frame
    frame = frame[~blank] if blank.any() else frame
    frame.attrs = attrs
    return frame


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
