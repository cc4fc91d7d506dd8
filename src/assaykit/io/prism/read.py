"""Read the data tables of a GraphPad Prism ``.pzfx`` file (Prism 5 to 10) with the standard library.

A ``.pzfx`` file is XML (Prism's "PrismXMLVersion 5.00" layout, written by every Prism since 5)::

    <GraphPadPrismFile PrismXMLVersion="5.00">
      <Created>...</Created> <InfoSequence>...</InfoSequence> <Info ID="Info0">...</Info>
      <TableSequence><Ref ID="Table0" Selected="1"/></TableSequence>
      <Table ID="Table0" XFormat="numbers" YFormat="replicates" Replicates="3" TableType="XY" ...>
        <Title>Plate 1</Title>
        <RowTitlesColumn><Subcolumn><d>A</d>...</Subcolumn></RowTitlesColumn>
        <XColumn Decimals="2" Subcolumns="1"><Title>log[competitor], M</Title>
          <Subcolumn><d>-10</d><d>-9.5</d>...</Subcolumn></XColumn>
        <XAdvancedColumn>...</XAdvancedColumn>            (date X and newer files; not read)
        <YColumn Subcolumns="3"><Title>diazepam</Title>
          <Subcolumn><d>2950</d><d Excluded="1">4100</d>...</Subcolumn> ... one per replicate
        </YColumn> ...
      </Table>
      <HugeTable ...> (a large table, read as a Table) ... <Template>(analyses and graphs, binary)</Template>
    </GraphPadPrismFile>

Cell text may be wrapped in formatting (``<d><TextAlign align="Left">B</TextAlign></d>``); a data table
saved in a decimal-comma locale writes ``3,5``. Only data tables are read; analyses, graphs and layouts
live in the binary ``Template`` block.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from assaykit.errors import AssayInputError
from assaykit.io.prism.model import ColumnTable, XYTable, YDataset

#: Prefix of the project-info constant that holds an XY table's Y title (Prism keeps none with the table).
Y_TITLE_CONSTANT = "Y title: "
_DATA_TABLES = ("Table", "HugeTable")
_COMMA_NUMBER = re.compile(r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?")


def _tag(element: ET.Element) -> str:
    """Return the element's name without a namespace."""
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _tag(child) == name]


def _text(element: ET.Element | None) -> str:
    """Return the text of an element and its formatting children (``<TextAlign>``, ...), stripped."""
    return "" if element is None else " ".join("".join(element.itertext()).split())


def parse_pzfx(path: str | Path) -> ET.Element:
    """Parse a ``.pzfx`` file and return its ``GraphPadPrismFile`` root element.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    xml.etree.ElementTree.Element
        The root element.

    Raises
    ------
    AssayInputError
        When the file is missing, is not XML, or is XML of something other than a Prism project.
    """
    path = Path(path)
    try:
        head = path.open("rb").read(4)
    except FileNotFoundError:
        raise AssayInputError("no such file", path=path) from None
    except OSError as exc:
        raise AssayInputError(f"cannot read the file ({exc.strerror})", path=path) from None
    if head.startswith(b"PK"):
        raise AssayInputError(
            "this is a zip file (Prism 10's .prism format?), not a .pzfx XML file; in Prism use "
            "File > Save As and choose the .pzfx format",
            path=path,
        )
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        line, column = exc.position
        raise AssayInputError(
            f"not a Prism .pzfx file: not well-formed XML (line {line}, column {column + 1})", path=path
        ) from None
    if _tag(root) != "GraphPadPrismFile":
        raise AssayInputError(
            f"not a Prism .pzfx file: its root element is <{_tag(root)}>, not <GraphPadPrismFile>", path=path
        )
    return root


def data_tables(root: ET.Element) -> list[ET.Element]:
    """Return the data tables (``Table`` and ``HugeTable`` elements) of a project, in file order."""
    return [child for child in root if _tag(child) in _DATA_TABLES]


def table_title(table: ET.Element) -> str:
    """Return a data table's title (``""`` when it has none)."""
    titles = _children(table, "Title")
    return _text(titles[0]) if titles else ""


def table_kind(table: ET.Element) -> str:
    """Say what kind of table it is, for messages: ``"XY"``, ``"column"``, ``"grouped"``, ..."""
    kind = table.get("TableType", "")
    return {"XY": "XY", "OneWay": "column", "TwoWay": "grouped", "Contingency": "contingency"}.get(
        kind, kind or "unknown"
    )


def y_titles(root: ET.Element) -> dict[str, str]:
    """Return the Y titles assaykit keeps in the project info, by table title."""
    found: dict[str, str] = {}
    for info in _children(root, "Info"):
        for constant in _children(info, "Constant"):
            name = _text(next(iter(_children(constant, "Name")), None))
            if name.startswith(Y_TITLE_CONSTANT):
                found[name[len(Y_TITLE_CONSTANT) :]] = _text(next(iter(_children(constant, "Value")), None))
    return found


class _Cells:
    """The text cells of one data table, parsed to numbers with the table's decimal mark."""

    def __init__(self, table: ET.Element, path: Path) -> None:
        self.path, self.title = path, table_title(table)
        texts = [
            _text(d)
            for column in table
            if _tag(column) in ("XColumn", "YColumn")
            for sub in _children(column, "Subcolumn")
            for d in _children(sub, "d")
        ]
        self.comma = any("," in t for t in texts) and not any("." in t for t in texts)

    def column(self, column: ET.Element, what: str, numbers: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Return one column's values (rows x subcolumns; NaN where empty) and its excluded cells."""
        subcolumns = _children(column, "Subcolumn")
        cells = [_children(sub, "d") for sub in subcolumns]
        rows = max((len(c) for c in cells), default=0)
        values = np.full((rows, len(cells)), np.nan)
        excluded = np.zeros((rows, len(cells)), dtype=bool)
        for j, subcolumn in enumerate(cells):
            for i, cell in enumerate(subcolumn):
                text = _text(cell)
                value = self.number(text, i, j, what) if numbers else _lenient(text, self.comma)
                if cell.get("Excluded") == "1":
                    excluded[i, j] = True
                    value = math.nan
                values[i, j] = value
        return values, excluded

    def number(self, text: str, row: int, subcolumn: int, what: str) -> float:
        """Parse one cell; AssayInputError naming table, column and row when it is not a number."""
        value = _lenient(text, self.comma)
        if math.isnan(value) and text and text.lower() != "nan":
            replicate = f", replicate {subcolumn + 1}" if what.startswith("data set") else ""
            raise AssayInputError(
                f"'{text}' is not a number",
                path=self.path,
                location=f"table '{self.title}', {what}, row {row + 1}{replicate}",
            )
        return value


def _lenient(text: str, comma: bool) -> float:
    """Return the number a cell holds; NaN when it is empty or not a number."""
    if comma and _COMMA_NUMBER.fullmatch(text):
        text = text.replace(",", ".")
    try:
        return float(text) if text else math.nan
    except ValueError:
        return math.nan


def _padded(values: np.ndarray, rows: int) -> np.ndarray:
    if values.shape[0] == rows:
        return values
    fill = np.nan if values.dtype.kind == "f" else False
    out = np.full((rows, values.shape[1]), fill, dtype=values.dtype)
    out[: values.shape[0]] = values
    return out


def read_table(table: ET.Element, path: Path, y_title: str = "") -> XYTable | ColumnTable:
    """Read one ``Table``/``HugeTable`` element into an :class:`XYTable` or a :class:`ColumnTable`.

    Raises
    ------
    AssayInputError
        When a number cell of an XY table is not a number (naming the table, column and row).
    """
    cells, title = _Cells(table, path), table_title(table)
    xy = table.get("TableType") == "XY" and bool(_children(table, "XColumn"))
    columns: list[tuple[str, np.ndarray, np.ndarray]] = []
    for k, column in enumerate(_children(table, "YColumn")):
        name = _text(next(iter(_children(column, "Title")), None))
        values, excluded = cells.column(column, f"data set '{name or k + 1}'", numbers=xy)
        columns.append((name, values, excluded))
    row_element = next(iter(_children(table, "RowTitlesColumn")), None)
    row_cells = (
        [] if row_element is None else [_children(s, "d") for s in _children(row_element, "Subcolumn")]
    )
    row_texts = [_text(d) for d in row_cells[0]] if row_cells else []
    x = np.empty(0)
    x_title = ""
    if xy:
        x_column = _children(table, "XColumn")[0]
        x_title = _text(next(iter(_children(x_column, "Title")), None))
        x_values, _ = cells.column(x_column, f"X column '{x_title}'")
        x = x_values[:, 0] if x_values.shape[1] else np.full(x_values.shape[0], np.nan)
    rows = max([x.size, len(row_texts), *(v.shape[0] for _, v, _ in columns)])
    datasets = tuple(
        YDataset(name, _padded(values, rows), _padded(excluded, rows)) for name, values, excluded in columns
    )
    row_titles = tuple(row_texts + [""] * (rows - len(row_texts)))
    if not xy:
        return ColumnTable(title, row_titles, datasets, table.get("TableType", ""))
    x = np.concatenate([x, np.full(rows - x.size, np.nan)])
    return XYTable(
        title=title,
        x_title=x_title,
        x=x,
        y_title=y_title,
        datasets=datasets,
        row_titles=row_titles if any(row_titles) else None,
        y_format=table.get("YFormat", "replicates"),
    )


def read_pzfx(path: str | Path) -> list[XYTable | ColumnTable]:
    """Read every data table of a GraphPad Prism ``.pzfx`` file.

    Parameters
    ----------
    path
        A ``.pzfx`` file written by Prism 5 to 10 (or by :func:`~assaykit.io.prism.write_pzfx`).

    Returns
    -------
    list of XYTable or ColumnTable
        The data tables in the file's order: XY tables as :class:`XYTable`, all others (column, grouped,
        contingency, ...) as :class:`ColumnTable`. Analyses, graphs and layouts are not read.

    Raises
    ------
    AssayInputError
        When the file is not a Prism XML project, or a number cell of a data table is not a number; the
        one-line message names the file, the table, the column and the row.

    Examples
    --------
    >>> tables = read_pzfx("binding.pzfx")  # doctest: +SKIP
    >>> [(t.title, [d.title for d in t.datasets]) for t in tables]  # doctest: +SKIP
    [('Plate 1', ['TOTAL', 'NSB', 'diazepam'])]
    """
    path = Path(path)
    root = parse_pzfx(path)
    titles = y_titles(root)
    return [read_table(t, path, titles.get(table_title(t), "")) for t in data_tables(root)]
