"""Text table files before their cells: the file type, the encoding, the delimiter, and rows with their lines.

What every reader of a CSV, TSV or TXT file checks first (:func:`table_suffix`), how its bytes become text
(UTF-8 with or without a byte-order mark, UTF-16 with one, Windows-1252; :func:`decode_text`) and which of
``,`` ``;`` and tab separates its cells (:func:`detect_delimiter`). Used by :mod:`assaykit.io.tables` and
:mod:`assaykit.io.fast_table`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from assaykit.errors import AssayInputError
from assaykit.io.ascii_text import AsciiText

#: File extensions ``read_raw_table`` understands.
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")


_DELIMITERS = (",", ";", "\t")


_SNIFF_LINES = 50


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def is_blank(row: Sequence[object]) -> bool:
    """Tell whether every cell of a row is empty once stripped."""
    return all(not str(c).strip() for c in row)


def decode_text(data: bytes, path: Path) -> str:
    """Decode a text table: UTF-16 with a byte-order mark, UTF-8 (BOM or none), Windows-1252, Latin-1."""
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


def detect_delimiter(lines: list[str], suffix: str) -> str:
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


def table_suffix(path: Path) -> str:
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


def load_text(path: Path, suffix: str) -> tuple[str, str]:
    """Read and decode a text table; return the text and its delimiter."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AssayInputError(f"cannot read the file ({exc.strerror or exc})", path=path) from exc
    text = decode_text(data, path)
    return text, detect_delimiter(_first_lines(text, _SNIFF_LINES * 4), suffix)


def load_source(path: Path, suffix: str) -> tuple[str | AsciiText, str]:
    """As :func:`load_text`, but a pure-ASCII file comes back mapped, as an :class:`AsciiText`."""
    try:
        text: str | AsciiText | None = AsciiText.open(path)
        if text is None:
            text = decode_text(path.read_bytes(), path)  # as load_text: decoded, or the reason it cannot be
    except OSError as exc:
        raise AssayInputError(f"cannot read the file ({exc.strerror or exc})", path=path) from exc
    return text, detect_delimiter(_first_lines(text, _SNIFF_LINES * 4), suffix)


def read_text_rows(path: Path, suffix: str) -> tuple[list[int], list[list[str]], str]:
    """Read a text table with the ``csv`` module: each row's first line, the rows' cells, the delimiter."""
    text, delimiter = load_text(path, suffix)
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
