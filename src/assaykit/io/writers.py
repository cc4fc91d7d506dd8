"""Write result tables whole or not at all (CSV, TSV, JSON, XLSX chosen by extension)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.csv_fast import write_csv
from assaykit.io.xlsx_write import checked_sheets, write_xlsx

#: File extensions ``write_table`` understands.
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".xlsx")


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` and move it into place only if the block succeeds.

    The file appears whole or not at all: a crash or an exception while writing leaves any earlier file
    at ``path`` untouched and no partial file behind. An ``OSError`` while writing (a full disk) becomes an
    :class:`~assaykit.errors.AssayInputError` naming ``path``. For the several outputs of one run, use
    :class:`assaykit.io.outputs.OutputSet`, which commits them together.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise AssayInputError("output folder does not exist", path=path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise AssayInputError(f"could not write it ({exc.strerror or exc})", path=path) from exc
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        try:
            yield tmp_path
        except OSError as exc:
            raise AssayInputError(f"could not write it ({exc.strerror or exc})", path=path) from exc
        # mkstemp makes the file private (0600); give the result the permissions of a normal new file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_table(table: pd.DataFrame | Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write a tidy table (or several, as named sheets) atomically, in the format of the file extension.

    Parameters
    ----------
    table
        The table to write. A mapping of sheet name to table writes one sheet each to ``.xlsx``, and for
        the text formats writes only the first table.
    path
        Output file. ``.csv``, ``.tsv``/``.txt`` (tab-separated; the bytes of pandas'
        ``to_csv(index=False)``, formatted faster by :func:`assaykit.io.csv_fast.write_csv`), ``.json``
        (a list of records, NaN as null) or ``.xlsx`` (:func:`assaykit.io.xlsx_write.write_xlsx`: numbers
        as numbers, NaN as empty cells, strings as text, never formulas; the header row frozen).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    AssayInputError
        When the extension is not one of the supported ones or the folder does not exist, or (``.xlsx``)
        a table has more rows or columns than an Excel sheet holds
        (:func:`assaykit.io.xlsx_write.checked_sheets`).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise AssayInputError(
            f"unknown output format '{suffix or path.name}'; expected one of {', '.join(TABLE_SUFFIXES)}",
            path=path,
        )
    if suffix == ".xlsx":  # Excel's limits, before any file is made
        checked_sheets(table if isinstance(table, Mapping) else {"results": table}, path)
    with atomic_path(path) as tmp:
        write_table_to(table, tmp, suffix)
    return path


def write_table_to(table: pd.DataFrame | Mapping[str, pd.DataFrame], path: str | Path, suffix: str) -> None:
    """Write a table to ``path`` (not atomically) in the format of ``suffix``, whatever ``path`` is named.

    The step under :func:`write_table` and :meth:`assaykit.io.outputs.OutputSet.table`, which write to a
    temporary file and move it into place.

    Parameters
    ----------
    table, path
        As for :func:`write_table`.
    suffix
        One of :data:`TABLE_SUFFIXES` (lower case): the format.
    """
    sheets = dict(table) if isinstance(table, Mapping) else {"results": table}
    first = next(iter(sheets.values()))
    if suffix == ".csv":
        write_csv(first, path)
    elif suffix in {".tsv", ".txt"}:
        write_csv(first, path, sep="\t")
    elif suffix == ".json":
        first.to_json(path, orient="records", indent=2, double_precision=15)
    else:
        write_xlsx(sheets, path)
