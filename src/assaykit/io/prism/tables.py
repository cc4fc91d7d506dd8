"""Choose the XY tables of a ``.pzfx`` file that an analysis reads, and walk their cells as tubes.

Shared by :mod:`assaykit.io.prism.counts` and :mod:`assaykit.io.prism.saturation`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.prism.model import XYTable
from assaykit.io.prism.read import data_tables, parse_pzfx, read_table, table_kind, table_title, y_titles

_SIGNAL_WORD = re.compile(r"(?i)(?<![a-z])(cpm|dpm|counts)(?![a-z])")
_PROBLEMS = re.compile(r" \((\d+) more problems?, in rows [^)]*\)| \(other rows with problems: [^)]*\)")


def _listing(root_tables: list[tuple[str, str]]) -> str:
    return ", ".join(f"'{title}' ({kind})" for title, kind in root_tables) or "none"


def xy_tables(path: Path, sheet: str | int | None, what: str) -> list[XYTable]:
    """Read the XY tables of replicates ``what`` (e.g. "competition") reads: all, or the one ``sheet`` names.

    Raises
    ------
    AssayInputError
        When ``sheet`` names no table or one that is not an XY table of replicates, when the file has no
        such table, or when two of them have the same title.
    """
    root = parse_pzfx(path)
    elements = data_tables(root)
    found = [(table_title(t), table_kind(t)) for t in elements]
    if sheet is not None:
        if isinstance(sheet, int) and not isinstance(sheet, bool):
            chosen = [elements[sheet]] if 0 <= sheet < len(elements) else []
        else:
            chosen = [t for t in elements if table_title(t) == str(sheet)] or [
                t for t in elements if table_title(t).casefold() == str(sheet).casefold()
            ]
        if not chosen:
            shown = f"no table {sheet}" if isinstance(sheet, int) else f"no table titled '{sheet}'"
            raise AssayInputError(f"{shown}; the tables are {_listing(found)}", path=path)
        elements = chosen[:1]
    titles = y_titles(root)
    tables, skipped = [], []
    for element in elements:
        title, kind = table_title(element), table_kind(element)
        usable = kind == "XY" and element.get("YFormat", "replicates") == "replicates"
        if not usable:
            if sheet is not None:
                why = "an XY table" if kind != "XY" else "a table of replicates (its Y is mean and error)"
                raise AssayInputError(
                    f"table '{title}' is a {kind} table, not {why}; {what} reads XY tables with one "
                    "subcolumn per replicate",
                    path=path,
                )
            if kind == "XY":
                skipped.append(title)
            continue
        table = read_table(element, path, titles.get(title, ""))
        assert isinstance(table, XYTable)
        tables.append(table)
    if skipped:
        warnings.warn(
            f"{path}: skipped XY table{'s' if len(skipped) > 1 else ''} "
            f"{', '.join(repr(t) for t in skipped)}: Y is a mean and error, not replicates",
            UserWarning,
            stacklevel=4,
        )
    if not tables:
        raise AssayInputError(
            f"no XY table of replicates for {what}; the tables are {_listing(found)}", path=path
        )
    names = [t.title for t in tables]
    if len(set(names)) < len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise AssayInputError(
            f"several tables are titled {', '.join(repr(n) for n in twice)}; give each table its own title",
            path=path,
        )
    return tables


def signal_unit(tables: list[XYTable], path: Path) -> str:
    """Return the signal unit (cpm, dpm, counts) the Y or table titles name; "counts" when none does."""
    units = set()
    for table in tables:
        match = _SIGNAL_WORD.search(table.y_title) or _SIGNAL_WORD.search(table.title)
        if match:
            units.add(match[1].lower())
    if len(units) > 1:
        raise AssayInputError(
            f"the tables measure in different units ({', '.join(sorted(units))})", path=path
        )
    return units.pop() if units else "counts"


@dataclass(frozen=True)
class Cell:
    """One filled Y cell of an XY table: a tube."""

    table: XYTable
    dataset: int
    row: int
    replicate: int

    @property
    def value(self) -> float:
        """The value in the cell."""
        return float(self.table.datasets[self.dataset].values[self.row, self.replicate])

    @property
    def location(self) -> str:
        """Where the cell is, for messages: table, data set, row and replicate."""
        title = self.table.datasets[self.dataset].title
        row = f"row {self.row + 1}, replicate {self.replicate + 1}"
        return f"table '{self.table.title}', data set '{title}', {row}"


def cells(table: XYTable) -> Iterator[Cell]:
    """Yield the filled Y cells of a table, data set by data set, row by row, replicate by replicate."""
    for k, dataset in enumerate(table.datasets):
        for i, j in zip(*np.nonzero(np.isfinite(dataset.values)), strict=True):
            yield Cell(table, k, int(i), int(j))


def check_titles(table: XYTable, path: Path) -> None:
    """Every data set needs a title, and a title of its own (it is the compound or the kind)."""
    titles = [d.title for d in table.datasets]
    for k, title in enumerate(titles):
        if not title:
            raise AssayInputError(
                f"data set {k + 1} has no title; title it (the compound, or TOTAL/NSB)",
                path=path,
                location=f"table '{table.title}'",
            )
        if titles.count(title) > 1:
            raise AssayInputError(
                f"two data sets are titled '{title}'; give each its own title",
                path=path,
                location=f"table '{table.title}'",
            )


def warn_excluded(tables: list[XYTable], path: Path) -> None:
    """Say how many values Prism marks excluded were left out."""
    count = sum(int(d.excluded.sum()) for t in tables for d in t.datasets if d.excluded is not None)
    if count:
        warnings.warn(
            f"{path}: left out {count} value{'s' if count > 1 else ''} that Prism marks excluded",
            UserWarning,
            stacklevel=4,
        )


def checked(
    build: Callable[[pd.DataFrame], pd.DataFrame],
    long: pd.DataFrame,
    tubes: list[Cell],
    path: Path,
    first: int = 1,
) -> pd.DataFrame:
    """Run a canonical builder on the long table of ``tubes``; its errors name the tube's table cell.

    The builder numbers the tubes from ``first`` (its ``source_row``); the frame returned has each tube's
    row number in its Prism table as ``source_row`` instead.
    """
    try:
        out = build(long)
    except AssayInputError as exc:
        if exc.row is None or not 0 <= exc.row - first < len(tubes):
            raise AssayInputError(exc.reason, path=path, location=exc.location) from None
        reason = _PROBLEMS.sub(lambda m: f" ({m[1]} more)" if m[1] else " (and more)", exc.reason)
        raise AssayInputError(reason, path=path, location=tubes[exc.row - first].location) from None
    rows = np.array([cell.row + 1 for cell in tubes], dtype=np.int64)
    out["source_row"] = rows[out["source_row"].to_numpy(dtype=np.int64) - first]
    return out
