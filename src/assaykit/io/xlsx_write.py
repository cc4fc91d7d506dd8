"""Write tables as the sheets of an ``.xlsx`` workbook: xlsxwriter lays it out, rows are formatted in bulk.

Writing cell by cell costs about 20 us a cell with openpyxl and 6 us with xlsxwriter; a binding screen's
workbook (results, plates and a points sheet of one row per tube) has millions of cells. So the work is
split:

* **xlsxwriter** makes the workbook: the sheets and their names, the header row (bold, written as text),
  the frozen header row and the column widths, and every other part of the package (content types,
  relationships, styles, document properties), as Excel expects them.
* **the rows** of each sheet are formatted here, a column at a time (``repr`` of the floats, the text of
  each distinct string once), joined with one ``str.format`` per row, and streamed into the sheet's XML
  part in the zip archive; a second thread compresses one piece while the next is formatted, with
  ISA-L's deflate (:func:`_fast_deflate`) where python-isal is installed: the same format as zlib's,
  about three times faster, and the compression is what bounds a screen's workbook.

What a cell becomes (ECMA-376 Part 1, 18.3.1.4 ``c`` and 18.18.11 ``ST_CellType``):

* a finite number: a number, written with ``repr`` (the shortest text that reads back as the same
  double; xlsxwriter's ``%.16G`` would turn 0.30000000000000004 into 0.3); ``inf``/``-inf``, which a
  workbook cannot hold as numbers, are written as the text ``inf``/``-inf``;
* NaN, None, ``pd.NA``, NaT and the empty string: an empty cell;
* a boolean: a boolean cell (TRUE/FALSE);
* a string: an inline string (``t="inlineStr"``), never a formula, whatever it starts with (``=``, ``+``,
  ``-``, ``@``): a cell from a file cannot run in Excel. Characters XML 1.0 cannot hold and ``_xHHHH_``
  sequences are escaped as Excel escapes them (``_x0001_``, ``_x005F_``);
* dates and times: their ISO text; anything else: ``str(value)``.

Excel's limits are checked before anything is written (:func:`checked_sheets`): 1,048,576 rows (one for
the header), 16,384 columns, 31 characters in a sheet name (longer names are cut, as before), 32,767
characters in a cell.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import itertools
import math
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError

#: Rows in a sheet, the header included (Excel 2007 and later).
MAX_ROWS = 1_048_576
#: Columns in a sheet.
MAX_COLUMNS = 16_384
#: Characters in a sheet name.
MAX_SHEET_NAME = 31
#: Characters in a cell.
MAX_TEXT = 32_767
#: Cells formatted at a time (rows per piece = this / number of columns), to bound memory.
CHUNK_CELLS = 250_000
#: zlib level of the archive: 1 is about four times faster than the default 6, for a file about 15% larger.
COMPRESS_LEVEL = 1
#: ISA-L's level (0-3) when python-isal is there: 1 compresses XML about as well as zlib's level 1.
ISAL_LEVEL = 1


@contextlib.contextmanager
def _fast_deflate() -> Iterator[None]:
    """Deflate the archive's parts with ISA-L (python-isal) instead of zlib, for the duration of a write.

    ``zipfile`` makes each part's compressor with its module function ``_get_compressor``; it is replaced
    here by one that returns ``isal_zlib.compressobj`` (raw deflate, as zlib's with ``wbits=-15``: the
    same stream format, which every reader inflates) for deflated parts. Without python-isal, or where a
    future ``zipfile`` has no such function, zlib is used as before.
    """
    try:
        from isal import isal_zlib
    except ImportError:  # pragma: no cover - isal is a dependency; kept working without it
        yield
        return
    original = getattr(zipfile, "_get_compressor", None)
    if original is None:  # pragma: no cover - a zipfile without the hook
        yield
        return

    def compressor(compress_type: int, compresslevel: int | None = None) -> object:
        if compress_type == zipfile.ZIP_DEFLATED:
            return isal_zlib.compressobj(ISAL_LEVEL, isal_zlib.DEFLATED, -15)
        return original(compress_type, compresslevel)

    zipfile._get_compressor = compressor
    try:
        yield
    finally:
        zipfile._get_compressor = original


_EMPTY = ">"  # the rest of an empty cell's start tag: <c r="B5"></c>
_BAD_NAME = re.compile(r"[\[\]:*?/\\]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# characters XML 1.0 cannot hold (written _xHHHH_, as Excel does), and the start of a literal _xHHHH_
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_NEEDS_WORK = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_|^\s|\s$")


def checked_sheets(sheets: Mapping[str, pd.DataFrame], path: str | Path) -> dict[str, pd.DataFrame]:
    """Check tables against Excel's limits before anything is written; return them by sheet name.

    Parameters
    ----------
    sheets
        Sheet name to table. Names longer than 31 characters are cut to 31.
    path
        The output, for messages.

    Returns
    -------
    dict
        The tables by their (cut) sheet names.

    Raises
    ------
    AssayInputError
        When a table has more rows or columns than a sheet holds, or two names are the same once cut
        (Excel ignores case), or a name is empty or holds a character Excel refuses (brackets, ``:*?/``
        or a backslash).
    """
    checked: dict[str, pd.DataFrame] = {}
    for name, frame in sheets.items():
        short = str(name)[:MAX_SHEET_NAME]
        if not short.strip() or _BAD_NAME.search(short) or short.startswith("'") or short.endswith("'"):
            raise AssayInputError(f"'{name}' cannot be the name of an Excel sheet", path=path)
        if short.lower() in {n.lower() for n in checked}:
            raise AssayInputError(f"two sheets would be named '{short}'", path=path)
        rows, columns = frame.shape
        if rows + 1 > MAX_ROWS:
            raise AssayInputError(
                f"the {name} table has {rows:,} rows, more than an Excel sheet holds ({MAX_ROWS - 1:,} below "
                "the header row); write a .csv or .tsv file instead",
                path=path,
            )
        if columns > MAX_COLUMNS:
            raise AssayInputError(
                f"the {name} table has {columns:,} columns, more than an Excel sheet holds "
                f"({MAX_COLUMNS:,}); write a .csv or .tsv file instead",
                path=path,
            )
        checked[short] = frame
    return checked


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame], path: str | Path, *, target: str | Path | None = None
) -> None:
    """Write tables as the sheets of one workbook (not atomically: see :func:`.writers.write_table`).

    Parameters
    ----------
    sheets
        Sheet name to table, in order; the index is not written.
    path
        The file to write.
    target
        The file the user asked for, for messages (``path`` may be a temporary file).

    Raises
    ------
    AssayInputError
        As :func:`checked_sheets`, or for a cell longer than 32,767 characters.
    """
    import xlsxwriter  # only needed for workbooks

    where = Path(target if target is not None else path)
    tables = checked_sheets(sheets, where)
    layout = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(layout, options)
    header = book.add_format({"bold": True})
    plans = {}
    for name, frame in tables.items():
        sheet = book.add_worksheet(name)
        plans[name] = [_plan(frame.iloc[:, j], where) for j in range(frame.shape[1])]
        for j, label in enumerate(frame.columns):
            sheet.write_string(0, j, str(label), header)
            sheet.set_column(j, j, _width(str(label), plans[name][j]))
        sheet.freeze_panes(1, 0)
    book.close()
    from assaykit.io.xlsx_read import _sheet_part

    with (
        _fast_deflate(),
        zipfile.ZipFile(layout) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as package,
    ):
        parts = {_sheet_part(source, name): name for name in tables}
        for info in source.infolist():
            data = source.read(info.filename)
            name = parts.get(info.filename)
            if name is None:
                package.writestr(info.filename, data)
            else:
                _write_sheet(package, info.filename, data, tables[name], plans[name])


def _write_sheet(
    package: zipfile.ZipFile, part: str, layout: bytes, frame: pd.DataFrame, columns: list[_Column]
) -> None:
    """Write a sheet part: xlsxwriter's XML (header row only) with the data rows streamed in."""
    rows, width = frame.shape
    letters = [_column_letters(j) for j in range(width)]
    xml = layout.replace(b"<sheetData/>", b"<sheetData></sheetData>")
    last = f"{letters[-1]}{rows + 1}" if width else "A1"
    xml = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}"/>'.encode(), xml, count=1)
    head, tail = xml.split(b"</sheetData>", 1)
    step = max(1, CHUNK_CELLS // max(width, 1))
    big = rows * max(width, 1) * 48 > zipfile.ZIP64_LIMIT  # a generous bound on the XML's size
    with package.open(part, "w", force_zip64=big) as stream, ThreadPoolExecutor(1) as compressor:
        stream.write(head)
        pending: Future[int] | None = None
        for start in range(0, rows, step):
            data = _rows_xml(columns, letters, start, min(start + step, rows)).encode("utf-8")
            if pending is not None:
                pending.result()
            pending = compressor.submit(stream.write, data)  # zlib lets go of the GIL while it works
        if pending is not None:
            pending.result()
        stream.write(b"</sheetData>" + tail)


def _rows_xml(columns: list[_Column], letters: list[str], start: int, stop: int) -> str:
    """Return the ``<row>`` elements of data rows ``start:stop`` (sheet rows ``start + 2`` on).

    A row ``<row r="7"><c r="A7"BODY</c><c r="B7"BODY</c></row>`` is the row number joining
    ``'<row r="'``, ``'"><c r="A'`` and one piece per cell, ``'"' + BODY + '</c><c r="B'`` (the last one
    ending ``'</c></row>'``): one ``str.join`` a row, with pieces made a column at a time.
    """
    if not columns:
        return ""
    # a column empty in these rows is left out, but the first: every row keeps a cell, so that readers
    # that count rows by their cells (openpyxl) see a row of empty cells at the end of a table
    used = [0, *(j for j, column in enumerate(columns[1:], start=1) if not column.empty(start, stop))]
    ends = [f'</c><c r="{letters[j]}' for j in used[1:]] + ["</c></row>"]
    pieces = [columns[j].pieces(start, stop, end) for j, end in zip(used, ends, strict=True)]
    rows = map(str, range(start + 2, stop + 2))
    opening = itertools.repeat('<row r="'), itertools.repeat(f'"><c r="{letters[used[0]]}')
    return "".join(map(str.join, rows, zip(*opening, *pieces)))  # noqa: B905 - repeat() has no end


@dataclass(frozen=True)
class _Column:
    """How to turn a slice of one column into the pieces of its cells.

    A cell's body is the end of its ``<c r="B7"`` start tag and its value: ``'><v>1.5</v>'``,
    ``' t="b"><v>1</v>'``, ``' t="inlineStr"><is><t>text</t></is>'`` or ``'>'`` (an empty cell).

    Attributes
    ----------
    values
        The column's values, in a form ``to_bodies`` understands.
    to_bodies
        Called as ``to_bodies(values[start:stop], before, after)``: returns ``before + body + after`` for
        each value.
    missing
        True where a cell is empty; None when none is.
    width
        The widest text in the column (characters), or 12 for numbers: Excel shows at most 11 characters
        of a number in a General cell.
    """

    values: np.ndarray
    to_bodies: Callable[[np.ndarray, str, str], list[str]]
    missing: np.ndarray | None
    width: int

    def empty(self, start: int, stop: int) -> bool:
        """Tell whether every cell in rows ``start:stop`` is empty."""
        return self.missing is not None and bool(self.missing[start:stop].all())

    def pieces(self, start: int, stop: int, end: str) -> list[str]:
        """Return ``'"' + body + end`` for the cells of rows ``start:stop``."""
        return self.to_bodies(self.values[start:stop], '"', end)


def _plan(column: pd.Series, where: Path) -> _Column:
    """Plan one column: numpy floats, integers and booleans directly, anything else value by value."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = column.to_numpy(dtype=np.float64)
        missing = np.isnan(values)
        return _Column(values, _float_bodies, missing if missing.any() else None, 12)
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return _Column(column.to_numpy(), _number_bodies, None, 12)
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return _Column(column.to_numpy(), _boolean_bodies, None, 5)
    codes, found = pd.factorize(column, use_na_sentinel=True)  # missing values: code -1
    uniques = np.asarray(found, dtype=object).tolist()
    bodies = np.array([*(_value_body(u, where) for u in uniques), _EMPTY], dtype=object)
    if any(_zero_or_one(u) for u in uniques):  # True == 1 == 1.0 shared one code: each gets its own body
        values = column.to_numpy(dtype=object)
        exceptions = [i for i, v in enumerate(values.tolist()) if _zero_or_one(v)]
        bodies = np.concatenate([bodies, [_value_body(values[i], where) for i in exceptions]])
        codes[exceptions] = len(uniques) + 1 + np.arange(len(exceptions))
    codes = np.where(codes < 0, len(uniques), codes)
    missing = bodies[codes] == _EMPTY
    texts = [len(str(u)) if isinstance(u, str) else 12 for u in uniques[:10_000]]

    def to_bodies(chosen: np.ndarray, before: str, after: str) -> list[str]:
        return np.array([before + b + after for b in bodies], dtype=object)[chosen].tolist()

    return _Column(codes, to_bodies, missing if missing.any() else None, max(texts, default=0))


def _zero_or_one(value: object) -> bool:
    """Tell a number or boolean equal to 0 or 1, which a hash table cannot tell from the others."""
    return isinstance(value, bool | int | float | np.number | np.bool_) and value in (0, 1)


def _float_bodies(values: np.ndarray, before: str, after: str) -> list[str]:
    finite = np.isfinite(values)
    whole = values[finite]
    if (
        len(whole)
        and np.abs(whole).max() < 2**53
        and np.array_equal(whole, np.round(whole))
        and not np.signbit(whole[whole == 0]).any()
    ):  # whole numbers (counts, rows): their integer text is the same double, shorter
        bodies = _number_bodies(np.where(finite, values, 0).astype(np.int64), before, after)
    else:
        bodies = _number_bodies(values, before, after)
    empty = before + _EMPTY + after
    for i in np.flatnonzero(np.isnan(values)).tolist():
        bodies[i] = empty
    for i in np.flatnonzero(np.isinf(values)).tolist():
        bodies[i] = before + _string_body(repr(float(values[i]))) + after
    return bodies


def _number_bodies(values: np.ndarray, before: str, after: str) -> list[str]:
    """Return ``before + '><v>TEXT</v>' + after`` for each number, TEXT the shortest that reads back.

    orjson (Rust, the Ryu algorithm of Adams 2018, PLDI) writes the shortest round-trip text of a double,
    as ``repr`` does, about five times faster; the values never hold a comma, so one split parts them.
    Non-finite values come out as ``null``, for the caller to replace.
    """
    import orjson

    if not len(values):
        return []
    text = orjson.dumps(np.ascontiguousarray(values), option=orjson.OPT_SERIALIZE_NUMPY).decode("ascii")
    head, tail = f"{before}><v>", f"</v>{after}"
    return (head + text[1:-1].replace(",", f"{tail},{head}") + tail).split(",")


def _boolean_bodies(values: np.ndarray, before: str, after: str) -> list[str]:
    true, false = f'{before} t="b"><v>1</v>{after}', f'{before} t="b"><v>0</v>{after}'
    return [true if v else false for v in values.tolist()]


def _value_body(value: object, where: Path) -> str:
    """Return the body of one cell holding ``value`` (any Python or numpy scalar)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return _EMPTY
    if isinstance(value, bool | np.bool_):
        return ' t="b"><v>1</v>' if value else ' t="b"><v>0</v>'
    if isinstance(value, int | np.integer):
        return f"><v>{int(value)}</v>"
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return _EMPTY
        return f"><v>{number!r}</v>" if math.isfinite(number) else _string_body(repr(number))
    if isinstance(value, str):
        return _string_body(value, where) if value else _EMPTY
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return _string_body(value.isoformat(), where)
    return _string_body(str(value), where)


def _string_body(text: str, where: Path | None = None) -> str:
    """Return the body of an inline-string cell holding ``text`` (escaped for XML and for Excel)."""
    if len(text) > MAX_TEXT:
        shown = text[:40] + "..."
        raise AssayInputError(
            f"a cell would hold {len(text):,} characters ('{shown}'), more than Excel's {MAX_TEXT:,}; "
            "write a .csv or .tsv file instead",
            path=where,
        )
    if _NEEDS_WORK.search(text) is None:
        return f' t="inlineStr"><is><t>{text}</t></is>'
    escaped = _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text.translate(_XML_ESCAPES))
    escaped = escaped.replace("\r", "&#13;")  # as a character reference, or XML readers make it a \n
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f' t="inlineStr"><is><t{space}>{escaped}</t></is>'


def _column_letters(index: int) -> str:
    """Return the letters of 0-based column ``index``: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _width(label: str, column: _Column) -> float:
    """Return a column width (in characters) that shows the header and most values: 8 to 50."""
    return float(min(50, max(8, len(label) + 2, column.width + 1)))
