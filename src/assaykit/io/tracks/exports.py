"""What the readers of commercial tracking exports share: recognising the system, decoding, cells to numbers.

:func:`detect_vendor` tells from a file's first rows which system wrote it (DeepLabCut, EthoVision XT,
ANY-maze); the EthoVision (:mod:`~assaykit.io.tracks.ethovision`) and ANY-maze
(:mod:`~assaykit.io.tracks.anymaze`) readers decode the text the same way, find their columns by name and
convert the cells they use column by column (pandas' C parser), so files of 100,000 samples read quickly.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.tables import closest_name, find_column

#: How an EthoVision raw-data export's first cell starts (lower case, without the colon).
HEADER_LABELS = ("number of header lines", "header lines")
#: ANY-maze's centre-point X column, as either spelling writes it: a file with it is an ANY-maze export.
ANYMAZE_X = ("Centre position X", "Center position X")
_MISSING = {"", "-", "nan", "na", "n/a", "#n/a", "null", "none", "missing"}  # lower case
#: What a position cell may hold, for messages.
MISSING_TEXT = "a number, or '-' or an empty cell for a missing position"
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")


def detect_vendor(first_rows: list[list[str]]) -> str | None:
    """Tell which tracking system wrote a file, from its first rows.

    Parameters
    ----------
    first_rows
        The first few rows (about 5) of the file, each a list of cell strings.

    Returns
    -------
    str or None
        ``"dlc"`` when the first cell is ``scorer`` (DeepLabCut), ``"ethovision"`` when it starts with
        ``Number of header lines``, ``"anymaze"`` when a cell reads ``Centre position X`` or ``Center
        position X`` (any case), else None.
    """
    rows = [[str(c).replace("\ufeff", "").strip().strip('"').strip() for c in row] for row in first_rows]
    first = rows[0][0].lower() if rows and rows[0] else ""
    if first == "scorer":
        return "dlc"
    if first.startswith(HEADER_LABELS[0]):
        return "ethovision"
    wanted = {name.lower() for name in ANYMAZE_X}
    if any(cell.lower() in wanted for row in rows for cell in row):
        return "anymaze"
    return None


def find_columns(
    names: list[str], wanted: Sequence[tuple[Sequence[str], str]]
) -> list[int] | AssayInputError:
    """Return the positions of the wanted columns in ``names``, or the error to raise (without a path)."""
    present = [n for n in names if n]
    known = {c.lower() for candidates, _ in wanted for c in candidates}
    used = []
    try:
        for candidates, what in wanted:
            found = find_column(present, candidates, path=None, required=False, what=what)
            if found is None:
                expected = " or ".join(f"'{c}'" for c in candidates)
                listed = ", ".join(f"'{n}'" for n in present[:30]) or "(none)"
                message = f"no {what} column; expected a column named {expected}; the columns are {listed}"
                # suggest only among the columns not already taken for something else ("Y center" for X)
                close = closest_name([n for n in present if n.strip().lower() not in known], candidates)
                return AssayInputError(
                    message + (f"; did you mean '{close[1]}' for '{close[0]}'?" if close else "")
                )
            used.append(names.index(found))
    except AssayInputError as exc:  # two columns could be the one wanted
        return exc
    return used


def floats(cells: pd.Series, path: Path, expected: str, *, nan_ok: bool = True) -> np.ndarray:
    """Convert cells (index: source rows) to float64: NaN for missing-value markers when ``nan_ok``.

    An infinite value is not a time or a position, and raises (as a decimal comma does: the exports write
    decimal points, so ``8,125`` may be 8.125 or 8125).
    """
    values = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    infinite = np.flatnonzero(np.isinf(values))
    if len(infinite):
        row = int(cells.index[infinite[0]])
        raise AssayInputError(
            f"{expected}, found '{cells.iloc[infinite[0]]}' (not finite)",
            path=path,
            row=row,
            column=str(cells.name),
        )
    nan = np.flatnonzero(np.isnan(values))
    if len(nan):
        text = cells.iloc[nan].fillna("").astype(str).str.strip()
        bad = np.flatnonzero(~text.str.lower().isin(_MISSING).to_numpy() | (not nan_ok))
        if len(bad):
            found = text.iloc[bad[0]]
            hint = "; use a decimal point, not a comma" if _DECIMAL_COMMA.match(found) else ""
            row = int(text.index[bad[0]])
            raise AssayInputError(
                f"{expected}, found '{found}'{hint}", path=path, row=row, column=str(cells.name)
            )
    return values


def read_cells(
    body: str, delimiter: str, used: list[int], names: list[str], first_row: int, path: Path
) -> pd.DataFrame:
    """Read the ``used`` columns of the data lines as strings, indexed by line, without blank lines."""
    width = max(used) + 1
    if not body.strip():
        return pd.DataFrame(columns=[names[i] for i in used], dtype=object)
    options: dict[str, Any] = {"sep": delimiter, "header": None, "names": range(width), "usecols": used}
    options.update(index_col=False, dtype=str, keep_default_na=False, skip_blank_lines=False, engine="c")
    try:
        cells = pd.read_csv(io.StringIO(body), **options)
    except (pd.errors.ParserError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[-1]
        raise AssayInputError(
            f"cannot read the data rows ({reason}); expected {width} cells or more", path=path
        ) from exc
    cells = cells[used].set_axis([names[i] for i in used], axis=1)
    cells.index = pd.RangeIndex(first_row, first_row + len(cells))
    return cells[~(cells.apply(lambda c: c.str.strip()) == "").all(axis=1)]


def head_lines(text: str, count: int) -> tuple[list[str], int]:
    """Return the first ``count`` lines of ``text`` (without line ends) and where the rest starts."""
    lines: list[str] = []
    offset = 0
    while len(lines) < count and offset < len(text):
        end = text.find("\n", offset)
        end = len(text) if end < 0 else end + 1
        lines.append(text[offset:end].rstrip("\r\n"))
        offset = end
    return lines, offset


def decode_export(path: Path) -> str:
    """Read a text export: UTF-16 with a byte-order mark, UTF-8 (with or without one) or Windows-1252."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AssayInputError(f"cannot read the file ({exc.strerror or exc})", path=path) from exc
    if data.startswith(b"PK\x03\x04"):
        raise AssayInputError("this looks like an Excel workbook; give it the .xlsx extension", path=path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise AssayInputError("not a text file (it contains binary data)", path=path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
