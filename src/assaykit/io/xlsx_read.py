"""Read the cells of one sheet of an ``.xlsx`` workbook with python-calamine, as openpyxl would give them.

python-calamine (Rust, the reader pandas offers as ``engine="calamine"``) reads a 130,000-row sheet in
well under a second where ``openpyxl.load_workbook`` takes about 16 s. Its values differ from openpyxl's
in three ways, and :func:`sheet_values` maps them back so that every message and every cell text stays
what it was:

* an empty cell is ``""`` (openpyxl: ``None``);
* a date at midnight is a ``datetime.date`` (openpyxl: a ``datetime.datetime`` at 00:00, whose text,
  ``'2024-01-10T00:00:00'``, the messages quote);
* an error cell (``#DIV/0!``, ``#N/A``, ``#VALUE!``, ...) is ``""``, indistinguishable from an empty cell,
  where openpyxl gives its code as a string. An error in a column of numbers must not pass for a missing
  value, so the sheet's XML is scanned for error cells (``t="e"``) and their codes are put back. A sheet
  whose XML part cannot be found (a workbook laid out unlike Excel's) is read with openpyxl instead.

Numbers are always floats (openpyxl gives ``int`` for ``<v>3</v>``): the text of a cell
(:func:`cell_text`) is the same either way, ``"3"``. Dates in the 1904 system, times and durations come
out as openpyxl gives them.
"""

from __future__ import annotations

import datetime as dt
import math
import posixpath
import re
import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError

#: The relationship attribute of ``<sheet r:id=...>`` in ``xl/workbook.xml``.
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"

# An error cell: <c ... t="e" ...> (attributes in any order, either quote).
_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
_CELL_START = re.compile(rb"<c\b([^>]*?)(/?)>")
_CELL_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,3})([0-9]+)["']""")
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}

#: Bytes of the part decompressed at a time while looking for error cells.
_SCAN_BYTES = 1 << 20


def cell_text(value: object) -> str:
    """Write one spreadsheet cell as text without losing precision (``2850.0`` -> ``"2850"``).

    Parameters
    ----------
    value
        A cell value as openpyxl or python-calamine gives it.

    Returns
    -------
    str
        ``""`` for an empty cell; ``TRUE``/``FALSE``; whole numbers below 1e15 without a decimal point and
        other numbers as ``repr`` (the shortest text that reads back as the same double); dates and times
        in ISO format (a date alone as midnight, ``2024-01-10T00:00:00``, as openpyxl reads a date cell);
        anything else as ``str``.
    """
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
    if isinstance(value, dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, dt.date):  # python-calamine's date at midnight; openpyxl's is a datetime
        return dt.datetime.combine(value, dt.time()).isoformat()
    return str(value)


def open_workbook(path: Path) -> Any:
    """Open a workbook with python-calamine; an unreadable file is an :class:`AssayInputError`.

    Parameters
    ----------
    path
        The ``.xlsx`` file.

    Returns
    -------
    python_calamine.CalamineWorkbook
        The open workbook (close it, or use it in a ``with`` block).

    Raises
    ------
    AssayInputError
        ``cannot read it as an Excel .xlsx workbook (...)``, with what the file is when that can be told
        from its first bytes: an encrypted (password-protected) workbook, an old ``.xls`` file, text.
    """
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - calamine raises its own types, OSError and others
        raise unreadable(path, exc) from exc


def unreadable(path: Path, exc: BaseException) -> AssayInputError:
    """Return the error for a workbook that cannot be read, saying why and what the file seems to be."""
    if isinstance(exc, OSError) and not isinstance(exc, zipfile.BadZipFile):
        return AssayInputError(f"cannot read the file ({exc.strerror or exc})", path=path)
    try:
        size = path.stat().st_size
    except OSError:
        size = -1
    if size == 0:
        reason = "the file is empty"
    elif size > 0 and not zipfile.is_zipfile(path):
        reason = "it is not a zip archive, as every .xlsx file is"
    else:
        reason = f"{type(exc).__name__}: {exc}"
    return AssayInputError(
        f"cannot read it as an Excel .xlsx workbook ({reason}){not_xlsx_hint(path)}", path=path
    )


def not_xlsx_hint(path: Path) -> str:
    """Say what a file that is not a workbook is, from its bytes: encrypted, an old .xls, or text."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 20)
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(len(head), size - (1 << 20)))
            tail = handle.read()
    except OSError:
        return ""
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE2 compound file: Excel 97-2003, or an encrypted .xlsx
        if "EncryptedPackage".encode("utf-16-le") in head + tail:  # the stream that holds the real .xlsx
            return (
                "; it is encrypted (password-protected): open it in Excel, remove the password "
                "(File > Info > Protect Workbook) and save it, or export a CSV"
            )
        return "; it is an old Excel .xls file: save it as .xlsx (or export a CSV)"
    head = head[:4096]
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            return ""
        return "; it is a text file: give it its own extension (.csv, .tsv or .txt)"
    return ""


def choose_sheet(names: Sequence[str], sheet: str | int | None, path: Path) -> str:
    """Return the name of the sheet ``sheet`` means: a name, a 0-based position, or None for the first.

    Raises
    ------
    AssayInputError
        When there is no such sheet (the message lists the sheets).
    """
    if sheet is None:
        return names[0]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(names):
            raise AssayInputError(
                f"no sheet number {sheet} (0-based); the workbook has {len(names)}: {listing(names)}",
                path=path,
            )
        return names[sheet]
    if str(sheet) in names:
        return str(sheet)
    raise AssayInputError(f"no sheet named '{sheet}'; the sheets are {listing(names)}", path=path)


def listing(names: Sequence[str]) -> str:
    """Quote the first 20 names, and say how many more there are."""
    shown = ", ".join(f"'{n}'" for n in names[:20])
    return shown + (f" and {len(names) - 20} more" if len(names) > 20 else "") if names else "(none)"


def sheet_names(path: Path) -> list[str]:
    """Return the names of a workbook's sheets, in order.

    Raises
    ------
    AssayInputError
        When the file cannot be read as a workbook.
    """
    with open_workbook(path) as book:
        return list(book.sheet_names)


def sheet_rows(book: Any, name: str, path: Path) -> list[list[object]]:
    """Return every row of sheet ``name`` from row 1 and column A, as python-calamine gives the cells.

    Parameters
    ----------
    book
        The workbook from :func:`open_workbook`.
    name
        One of its sheets.
    path
        The file (to look for error cells, and for messages).

    Returns
    -------
    list of list
        One list per sheet row, from row 1 to the last row with a cell, all as long as the widest:
        ``""`` for an empty cell, floats, booleans, strings, ``datetime.date`` (a date at midnight),
        ``datetime.datetime``, ``datetime.time``, ``datetime.timedelta``, and the code of an error cell
        (``'#DIV/0!'``). The cells of a workbook laid out unlike Excel's come from openpyxl
        (:func:`openpyxl_rows`), with ``None`` for an empty cell; :func:`cell_text` reads both alike.

    Raises
    ------
    AssayInputError
        When the sheet cannot be read.
    """
    try:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001 - a broken sheet part
        raise AssayInputError(
            f"cannot read sheet '{name}' of this workbook ({type(exc).__name__}: {exc})", path=path
        ) from exc
    errors = error_cells(path, name)
    if errors is None:
        return openpyxl_rows(path, name)
    if not errors:
        return rows
    height = max(len(rows), *(row for row, _ in errors))
    width = max(max((len(r) for r in rows), default=0), *(column for _, column in errors))
    rows = [list(r) + [""] * (width - len(r)) for r in rows] + [
        [""] * width for _ in range(height - len(rows))
    ]
    for (row, column), code in errors.items():
        rows[row - 1][column - 1] = code
    return rows


def sheet_values(book: Any, name: str, path: Path) -> list[list[object]]:
    """Return the rows of :func:`sheet_rows` with the values openpyxl gives: for readers that use them.

    ``None`` for an empty cell, ``int`` for a whole number below 2**53 (as openpyxl reads ``<v>38</v>``),
    a ``datetime.datetime`` for a date at midnight; other cells as they are.
    """
    return [[_openpyxl_value(v) for v in row] for row in sheet_rows(book, name, path)]


def _openpyxl_value(value: object) -> object:
    if value == "" or value is None:
        return None
    if value.__class__ is float and value.is_integer() and abs(value) < 2**53:  # type: ignore[union-attr]
        return int(value)  # type: ignore[arg-type]
    if value.__class__ is dt.date:
        return dt.datetime.combine(value, dt.time())  # type: ignore[arg-type]
    return value


def column_texts(values: Sequence[object]) -> np.ndarray:
    """Return :func:`cell_text` of each cell of a column, computed once for each distinct value.

    Parameters
    ----------
    values
        The cells of one column, as :func:`sheet_rows` gives them.

    Returns
    -------
    numpy.ndarray
        An object array of strings.
    """
    cells = np.empty(len(values), dtype=object)
    cells[:] = values
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    # pandas makes None (an empty cell from openpyxl) NaN among the uniques; no cell holds a NaN
    texts = np.array([cell_text(None if pd.isna(u) else u) for u in uniques], dtype=object)[codes]
    if any(u.__class__ in (bool, float, int) and u in (0, 1) for u in uniques):
        # True == 1.0 and False == 0.0 shared one code: such cells get their own texts
        for i in [i for i, v in enumerate(values) if v.__class__ in (bool, float, int) and v in (0, 1)]:
            texts[i] = cell_text(values[i])
    return texts


def error_cells(path: Path, name: str) -> dict[tuple[int, int], str] | None:
    """Find the error cells of sheet ``name``: ``{(row, column): code}`` (1-based), None if not findable.

    The sheet's XML part is found through the workbook's relationships; it is read in pieces and
    only parsed for cells when ``t="e"`` occurs in it, so a sheet without errors costs one decompression.
    None when the part cannot be found, or an error cell has no ``r`` reference.
    """
    try:
        with zipfile.ZipFile(path) as package:
            part = _sheet_part(package, name)
            if part is None:
                return None
            with package.open(part) as stream:
                found, tail = False, b""
                while chunk := stream.read(_SCAN_BYTES):
                    piece = tail + chunk  # the value "e" is quick to look for, the attribute less so
                    if (b'"e"' in piece or b"'e'" in piece) and _ERROR_TYPE.search(piece):
                        found = True
                        break
                    tail = chunk[-16:]
            if not found:
                return {}
            xml = package.read(part)
    except (OSError, zipfile.BadZipFile, KeyError, ElementTree.ParseError, RuntimeError):
        return None
    errors: dict[tuple[int, int], str] = {}
    for match in _CELL_START.finditer(xml):
        attributes = match.group(1)
        if not _ERROR_TYPE.search(attributes):
            continue
        ref = _CELL_REF.search(attributes)
        if ref is None:
            return None
        code = ""
        if not match.group(2):  # not <c .../>: the code is the <v> before </c>
            end = xml.find(b"</c>", match.end())
            value = _VALUE.search(xml, match.end(), end if end >= 0 else len(xml))
            code = "" if value is None else _unescape(value.group(1).decode("utf-8", "replace"))
        errors[(int(ref.group(2)), _column_number(ref.group(1).decode("ascii")))] = code
    return errors


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _unescape(text: str) -> str:
    return re.sub(r"&(?:lt|gt|quot|apos|amp);", lambda m: _ENTITIES[m.group(0)], text)


def _sheet_part(package: zipfile.ZipFile, name: str) -> str | None:
    """Return the zip member that holds sheet ``name``, following the package's relationships."""
    workbook = "xl/workbook.xml"
    for rel in ElementTree.fromstring(package.read("_rels/.rels")).iter(f"{_PKG_REL_NS}Relationship"):
        if rel.get("Type") == _OFFICE_DOCUMENT:
            workbook = _target(rel.get("Target", ""), "")
    ids = [
        sheet.get(_REL_ID)
        for sheet in ElementTree.fromstring(package.read(workbook)).iter(f"{_MAIN_NS}sheet")
        if sheet.get("name") == name
    ]
    if len(ids) != 1:
        return None
    folder, base = posixpath.split(workbook)
    rels = ElementTree.fromstring(package.read(posixpath.join(folder, "_rels", base + ".rels")))
    for rel in rels.iter(f"{_PKG_REL_NS}Relationship"):
        if rel.get("Id") == ids[0]:
            part = _target(rel.get("Target", ""), folder)
            return part if part in package.NameToInfo else None
    return None


def _target(target: str, folder: str) -> str:
    """Resolve a relationship's target (absolute from the package root, or relative to ``folder``)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


def openpyxl_rows(path: Path, name: str) -> list[list[object]]:
    """Read sheet ``name`` with openpyxl: the way for a workbook whose parts calamine's check cannot find."""
    import openpyxl  # a heavy import, only for workbooks laid out unlike Excel's

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it ignores
            book = openpyxl.load_workbook(path, read_only=False, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a broken or foreign file
        raise unreadable(path, exc) from exc
    try:
        ws = book[name]
        return [
            list(row)
            for row in ws.iter_rows(
                min_row=1, max_row=ws.max_row, min_col=1, max_col=ws.max_column, values_only=True
            )
        ]
    finally:
        book.close()
