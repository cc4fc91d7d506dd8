"""Input files as a whole: the same file given twice, and which command a table belongs to.

:func:`distinct_files` refuses a file given twice (its tubes would count twice and every interval would be
too narrow). :func:`other_assay_hint` tells, from the column names, which command a table is for: the hint of
an error that says a column is missing (a saturation file given to ``binding``, a tracking log given to
``saturation``, and so on).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from assaykit.errors import AssayInputError

#: The command each kind of file is for.
COMMANDS = {
    "competition": "'assaykit binding'",
    "saturation": "'assaykit saturation'",
    "tracking": "'assaykit epm' or 'assaykit ldb'",
    "endpoints": "'assaykit compare'",
    "pk": "'assaykit pk'",
}

_PK_CONC = re.compile(r"^conc_(pg|ng|ug|mg)_(ml|l)$")  # a plasma concentration: mass per volume
_TRACKING = re.compile(r"(?i)^(x|y|x_\w+|y_\w+|time|time_\w+|frame|(trial|recording) time|[xy] center)$")


def file_kind(columns: Iterable[object]) -> str | None:
    """Guess what a table holds from its column names.

    Returns
    -------
    str or None
        ``"pk"`` (a ``time_<unit>`` column and a mass concentration such as ``conc_ng_mL``),
        ``"competition"`` (a ``compound`` or ``role`` column), ``"saturation"`` (a ``kind`` or ``specific``
        column), ``"tracking"`` (x and y or time/frame columns), ``"endpoints"`` (``animal`` with ``group``
        or endpoint columns such as ``open_arm_time_s``), or None.
    """
    names = {str(c).strip().lower() for c in columns}
    if any(n.startswith("time_") for n in names) and any(_PK_CONC.match(n) for n in names):
        return "pk"
    if names & {"compound", "role"}:
        return "competition"
    if "kind" in names or any(n == "specific" or n.startswith("specific_") for n in names):
        return "saturation"
    if sum(bool(_TRACKING.match(n)) for n in names) >= 2:
        return "tracking"
    if "animal" in names and ("group" in names or any(n.endswith(("_s", "_pct", "_cm")) for n in names)):
        return "endpoints"
    return None


def other_assay_hint(columns: Iterable[object], this: str) -> str:
    """Return ``"; this looks like a <kind> file: use <command>"`` if the columns say another assay, else "".

    A table whose columns are mostly unnamed (``unnamed_2``, ...) gets a hint about a title row instead.

    Parameters
    ----------
    columns
        The table's column names.
    this
        The kind the command reads (``"competition"``, ``"saturation"``, ...).
    """
    names = [str(c).strip() for c in columns]
    if sum(n.startswith("unnamed_") for n in names) * 2 > len(names):
        return "; most columns have no name: if the first row is a title above the column names, delete it"
    kind = file_kind(names)
    if kind is None or kind == this:
        return ""
    what = {
        "tracking": "tracking log",
        "endpoints": "table of endpoints",
        "pk": "table of plasma concentrations",
    }.get(kind, f"{kind} binding file")
    return f"; this looks like a {what}: use {COMMANDS[kind]}"


def with_hint(error: AssayInputError, columns: Iterable[object], this: str) -> AssayInputError:
    """Return ``error`` with :func:`other_assay_hint` appended to its message (itself when there is none)."""
    hint = other_assay_hint(columns, this)
    if not hint:
        return error
    return AssayInputError(error.reason + hint, path=error.path, row=error.row, column=error.column)


def distinct_files(paths: Sequence[str | Path]) -> list[Path]:
    """Return the paths as ``Path`` objects, refusing a file given twice (by any path or link to it).

    Pooling a file with itself doubles every point: standard errors shrink by a factor of about 1.4 and
    nothing in the results shows it, so it is an error, not a warning. Every command checks its files
    with this before reading any of them.

    Raises
    ------
    AssayInputError
        Naming the file and the other path it was given as.
    """
    files = [Path(p) for p in paths]
    seen: dict[object, Path] = {}
    for path in files:
        try:
            stat = os.stat(path)
            key: object = (stat.st_dev, stat.st_ino)
        except OSError:  # missing: the reader says so
            key = path.resolve()
        if key in seen:
            also = "" if str(seen[key]) == str(path) else f" (also as {seen[key]})"
            raise AssayInputError(
                f"this file is given twice{also}: its data would count twice; give each file once", path=path
            )
        seen[key] = path
    return files


def sheets_hint(path: Path, sheet: str | int | None, option: str = "--sheet") -> str:
    """Return a hint ending ``choose one with --sheet`` for a workbook of several sheets read at its first.

    The hint is ``"; that is the first sheet, 'A'; the workbook also has 'B': choose one with --sheet"``, or
    "" when there is no other sheet or the user chose one. ``option`` is the option that chooses the sheet.

    For errors about a whole table (an empty sheet, a missing column) when the user gave no sheet: the data
    may be on another sheet.
    """
    if sheet is not None or path.suffix.lower() != ".xlsx":
        return ""
    from assaykit.io.xlsx_read import sheet_names

    try:
        names = sheet_names(path)
    except AssayInputError:  # an unreadable workbook: no hint
        return ""
    if len(names) < 2:
        return ""
    others = ", ".join(f"'{n}'" for n in names[1:6]) + (", ..." if len(names) > 6 else "")
    first = f"; that is the first sheet, '{names[0]}'"
    return f"{first}; the workbook also has {others}: choose one with {option}"


@contextmanager
def naming_other_sheets(path: Path, sheet: str | int | None, option: str = "--sheet") -> Iterator[None]:
    """Add :func:`sheets_hint` to an error about a whole table read from a workbook's first sheet.

    An error naming a row, a column or a location is about the data and passes unchanged; one about the
    whole table (an empty sheet, a missing column) may mean the data are on another sheet.
    """
    try:
        yield
    except AssayInputError as exc:
        whole = exc.row is None and exc.column is None and not exc.location
        hint = sheets_hint(path, sheet, option) if whole else ""
        if not hint:
            raise
        raise AssayInputError(exc.reason + hint, path=exc.path) from None
