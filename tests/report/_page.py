"""A report page read back with the standard library's HTML parser, as a test (or a script) would read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pandas as pd


@dataclass
class Table:
    """A ``data-table`` of the page: its header, and each cell's text and ``data-value`` (None for text)."""

    key: str
    header: list[str] = field(default_factory=list)
    rows: list[list[tuple[str, str | None]]] = field(default_factory=list)

    def values(self, column: str) -> list[str | None]:
        """The ``data-value`` of each row's cell in ``column``."""
        i = self.header.index(column)
        return [row[i][1] for row in self.rows]

    def texts(self, column: str) -> list[str]:
        """The shown text of each row's cell in ``column``."""
        i = self.header.index(column)
        return [row[i][0] for row in self.rows]


@dataclass
class Page:
    """What the tests look at in a report page."""

    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)  # data-kind of each section, in order
    parts: list[tuple[str, str]] = field(default_factory=list)  # (section id, data-part), in order
    tables: dict[str, Table] = field(default_factory=dict)
    flags: list[tuple[str, str, str]] = field(default_factory=list)  # (subject, code, meaning)
    fields: dict[str, str] = field(default_factory=dict)  # provenance data-field -> text
    sha256: list[str] = field(default_factory=list)
    text: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._section = ""
        self._table: Table | None = None
        self._row: list[tuple[str, str | None]] | None = None
        self._cell: tuple[list[str], str | None] | None = None
        self._in_head = False
        self._flag_row: list[str] | None = None
        self._flag_cell: list[str] | None = None
        self._field: tuple[str, list[str]] | None = None
        self._chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.page.tags.append((tag, a))
        if tag == "section":
            self._section = a.get("id") or ""
            if a.get("data-kind"):
                self.page.sections.append(a["data-kind"])
        if a.get("data-part"):
            self.page.parts.append((self._section, a["data-part"]))
        if tag == "table" and a.get("data-table"):
            self._table = Table(a["data-table"])
            self.page.tables[self._table.key] = self._table
        if tag == "thead":
            self._in_head = True
        if tag == "tr" and "flag" in (a.get("class") or "").split():
            self._flag_row = []
        elif tag == "tr" and self._table is not None and not self._in_head:
            self._row = []
        if tag in ("td", "th"):
            if self._flag_row is not None:
                self._flag_cell = []
            elif self._table is not None:
                self._cell = ([], a.get("data-value"))
        if a.get("data-field"):
            self._field = (a["data-field"], [])
        if a.get("data-sha256"):
            self.page.sha256.append(a["data-sha256"])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            if self._flag_cell is not None and self._flag_row is not None:
                self._flag_row.append("".join(self._flag_cell).strip())
                self._flag_cell = None
            elif self._cell is not None and self._table is not None:
                text = "".join(self._cell[0]).strip()
                if self._in_head:
                    self._table.header.append(text)
                elif self._row is not None:
                    self._row.append((text, self._cell[1]))
                self._cell = None
        if tag == "thead":
            self._in_head = False
        if tag == "tr":
            if self._flag_row is not None:
                self.page.flags.append(tuple(self._flag_row))  # type: ignore[arg-type]
                self._flag_row = None
            elif self._row is not None and self._table is not None:
                self._table.rows.append(self._row)
                self._row = None
        if tag == "table":
            self._table = None
        if self._field is not None and tag in ("dd", "pre"):
            name, chunks = self._field
            self.page.fields[name] = "".join(chunks)
            self._field = None

    def handle_data(self, data: str) -> None:
        self._chunks.append(data)
        if self._cell is not None:
            self._cell[0].append(data)
        if self._flag_cell is not None:
            self._flag_cell.append(data)
        if self._field is not None:
            self._field[1].append(data)


def read_page(html: str) -> Page:
    """Parse a report page."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader.page.text = "".join(reader._chunks)
    return reader.page


def as_floats(values: list[str | None]) -> list[float]:
    """``data-value`` strings as floats (None, a text cell, as NaN)."""
    return [float("nan") if v is None else float(v) for v in values]


def same_numbers(page_values: list[str | None], column: pd.Series) -> bool:
    """Whether a page column holds exactly the numbers of a table column read back from a file (NaN = NaN)."""
    ours = pd.Series(as_floats(page_values), dtype=float)
    theirs = pd.to_numeric(column, errors="raise").astype(float).reset_index(drop=True)
    return bool(((ours == theirs) | (ours.isna() & theirs.isna())).all()) and len(ours) == len(theirs)
