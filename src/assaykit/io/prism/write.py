"""Write GraphPad Prism ``.pzfx`` files (Prism's XML, "PrismXMLVersion 5.00") with the standard library.

The layout is the one Prism 5 to 10 write and read (see :mod:`assaykit.io.prism.read`), without the
binary ``Template`` block of analyses and graphs: Prism opens such a file with its data tables and the
user adds analyses. Numbers are written as Python's shortest round-trip text (``repr``), so reading the
file back gives the same floats; NaN and infinite values are written as empty cells.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.io.prism.model import XYTable
from assaykit.io.prism.read import Y_TITLE_CONSTANT

_WIDTH = 81  # Prism's default width of a subcolumn, in pixels


def _cell(parent: ET.Element, value: float, excluded: bool = False) -> None:
    d = ET.SubElement(parent, "d")
    if math.isfinite(value):
        d.text = repr(float(value))
        if excluded:
            d.set("Excluded", "1")


def _decimals(values: np.ndarray) -> int:
    """How many decimals Prism should show so that each value keeps 4 significant digits (0 to 9)."""
    finite = np.abs(values[np.isfinite(values)])
    finite = finite[finite > 0]
    if not finite.size or np.all(finite == np.round(finite)):
        return 0
    return int(np.clip(3 - np.floor(np.log10(finite.min())), 0, 9))


def _column(tag: str, title: str, values: np.ndarray, excluded: np.ndarray | None = None) -> ET.Element:
    """Build an ``XColumn``/``YColumn`` element: a title and one ``Subcolumn`` per column of ``values``."""
    values = values.reshape(values.shape[0], -1)
    column = ET.Element(tag)
    column.set("Width", str(_WIDTH * values.shape[1]))
    column.set("Decimals", str(_decimals(values)))
    column.set("Subcolumns", str(values.shape[1]))
    ET.SubElement(column, "Title").text = title
    for j in range(values.shape[1]):
        subcolumn = ET.SubElement(column, "Subcolumn")
        for i in range(values.shape[0]):
            _cell(subcolumn, float(values[i, j]), bool(excluded is not None and excluded[i, j]))
    return column


def _row_titles(table: ET.Element, titles: Sequence[str]) -> None:
    column = ET.SubElement(table, "RowTitlesColumn")
    column.set("Width", "120")
    subcolumn = ET.SubElement(column, "Subcolumn")
    for title in titles:
        ET.SubElement(subcolumn, "d").text = title or None


def _table(index: int, title: str, attributes: dict[str, str]) -> ET.Element:
    table = ET.Element("Table")
    table.set("ID", f"Table{index}")
    for key, value in attributes.items():
        table.set(key, value)
    table.set("EVFormat", "AsteriskAfterNumber")
    ET.SubElement(table, "Title").text = title
    return table


def _xy_table(index: int, xy: XYTable) -> ET.Element:
    replicates = max((d.values.shape[1] for d in xy.datasets), default=1)
    attributes = {"XFormat": "numbers", "YFormat": xy.y_format, "Replicates": str(replicates)}
    table = _table(index, xy.title, {**attributes, "TableType": "XY"})
    if xy.row_titles is not None:
        _row_titles(table, xy.row_titles)
    table.append(_column("XColumn", xy.x_title, xy.x))
    for dataset in xy.datasets:  # Prism wants every data set to have the table's number of subcolumns
        pad = replicates - dataset.values.shape[1]
        values = np.pad(dataset.values, ((0, 0), (0, pad)), constant_values=np.nan)
        excluded = None if dataset.excluded is None else np.pad(dataset.excluded, ((0, 0), (0, pad)))
        table.append(_column("YColumn", dataset.title, values, excluded))
    return table


def _frame_table(index: int, title: str, frame: pd.DataFrame) -> ET.Element:
    """Build a column table of a DataFrame: number and bool columns as Y columns, text as row titles."""
    numbers = [
        c
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])
    ]
    texts = [c for c in frame.columns if c not in numbers]
    attributes = {"XFormat": "none", "YFormat": "replicates", "Replicates": "1", "TableType": "OneWay"}
    table = _table(index, title, attributes)
    if texts:
        cells = frame[texts].astype(object).where(frame[texts].notna(), "")
        _row_titles(
            table, [", ".join(str(v) for v in row if str(v)) for row in cells.itertuples(index=False)]
        )
    for name in numbers:
        values = frame[name].to_numpy(dtype=float, na_value=np.nan)
        table.append(_column("YColumn", str(name), values))
    return table


def _header(root: ET.Element, xy_tables: Sequence[XYTable]) -> None:
    from assaykit import __version__

    created = ET.SubElement(root, "Created")
    original = ET.SubElement(created, "OriginalVersion")
    # The program and version Prism 6 writes, as R's pzfx package does: files so marked open in Prism 6-10.
    original.set("CreatedByProgram", "GraphPad Prism")
    original.set("CreatedByVersion", "6.0f.254")
    original.set("Login", "assaykit")
    original.set("DateTime", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00"))
    sequence = ET.SubElement(root, "InfoSequence")
    ET.SubElement(sequence, "Ref", {"ID": "Info0", "Selected": "1"})
    info = ET.SubElement(root, "Info", {"ID": "Info0"})
    ET.SubElement(info, "Title").text = "Project info 1"
    ET.SubElement(info, "Notes")
    constants = [("Written by", f"assaykit {__version__}")]
    constants += [(Y_TITLE_CONSTANT + t.title, t.y_title) for t in xy_tables if t.y_title]
    for name, value in constants:
        constant = ET.SubElement(info, "Constant")
        ET.SubElement(constant, "Name").text = name
        ET.SubElement(constant, "Value").text = value


def write_pzfx(
    path: str | Path,
    xy_tables: Sequence[XYTable],
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> None:
    """Write XY data tables and DataFrames as data tables of one Prism project (``.pzfx``).

    The file is written in place, not atomically: write to the path ``OutputSet.stage`` gives.

    Parameters
    ----------
    path
        The file to write.
    xy_tables
        The XY data tables, in order (each as Prism shows it: X, then one data set per Y column with one
        subcolumn per replicate; data sets with fewer replicates than the table's most get empty
        subcolumns). Cells flagged ``excluded`` that hold a number are written as excluded.
    tables
        More tables, each written as a Prism column table titled by its key: the number and bool columns
        as Y columns (bool as 1/0), the text columns joined by ", " as the row titles.

    Raises
    ------
    ValueError
        When no table is given or two tables have the same title.

    Examples
    --------
    >>> import numpy as np
    >>> from assaykit.io.prism import XYTable, YDataset
    >>> data = XYTable("Plate 1", "log[competitor], M", np.array([-9.0, -8.0]), "cpm",
    ...                (YDataset("diazepam", np.array([[2900.0, 3010.0], [1500.0, np.nan]])),))
    >>> write_pzfx("results.pzfx", [data], {"results": results})  # doctest: +SKIP
    """
    frames = dict(tables or {})
    titles = [t.title for t in xy_tables] + [str(k) for k in frames]
    if not titles:
        raise ValueError("write_pzfx needs at least one table")
    if len(set(titles)) < len(titles):
        twice = sorted({t for t in titles if titles.count(t) > 1})
        raise ValueError(
            f"two tables are titled {', '.join(repr(t) for t in twice)}; Prism needs distinct titles"
        )
    root = ET.Element("GraphPadPrismFile", {"PrismXMLVersion": "5.00"})
    _header(root, xy_tables)
    sequence = ET.SubElement(root, "TableSequence")
    for i in range(len(titles)):
        ET.SubElement(sequence, "Ref", {"ID": f"Table{i}", **({"Selected": "1"} if i == 0 else {})})
    for i, xy in enumerate(xy_tables):
        root.append(_xy_table(i, xy))
    for i, (name, frame) in enumerate(frames.items(), start=len(xy_tables)):
        root.append(_frame_table(i, str(name), frame))
    ET.indent(root, space="")
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    Path(path).write_bytes(text.encode("utf-8"))
