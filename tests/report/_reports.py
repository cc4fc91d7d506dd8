"""The example reports: the commands that build them, where their tables come from, a parser of pages.

``conftest.py`` builds them once per session (its ``example_reports`` fixture).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from assaykit.cli import main

ROOT = Path(__file__).resolve().parents[2]
#: The example data, as the commands are given it: relative to the project root, the current folder of
#: the builds, so that the tables' file columns read the same in every report.
EX = Path("examples")
DESIGN = ["--design", str(EX / "design" / "design.csv"), "--control", "vehicle"]

#: Each example report: the command line (without its outputs), and whether it compares groups.
COMMANDS: dict[str, tuple[list[str], bool]] = {
    "binding": (["binding", str(EX / "binding" / "counts.csv"), "--kd", "1.5", "--radioligand", "1"], False),
    "saturation": (
        [
            "saturation",
            str(EX / "saturation" / "sat.csv"),
            "--efficiency",
            "0.45",
            "--specific-activity",
            "85",
            "--protein-mg",
            "0.1",
            "--volume-ml",
            "1",
        ],
        False,
    ),
    "epm": (["epm", str(EX / "epm" / "tracks.csv"), *DESIGN], True),
    "epm-pose": (
        [
            "epm",
            str(EX / "epm" / "pose" / "two_mice.analysis.h5"),
            "--fps",
            "15",
            "--px-per-cm",
            "4",
            "--zones",
            str(EX / "epm" / "pose" / "rois.geojson"),
            "--duration",
            "120",
        ],
        False,
    ),
    "ldb": (["ldb", str(EX / "ldb" / "tracks.csv"), *DESIGN], True),
    "compare": (
        [
            "compare",
            str(EX / "design" / "epm_endpoints.csv"),
            "--design",
            str(EX / "design" / "study_design.csv"),
            "--control",
            "vehicle",
            "--primary",
            "open_time_pct",
        ],
        False,
    ),
}
#: The study's parts in the order of its file, and the command whose report each matches.
STUDY_PARTS = {
    "binding-1": "binding",
    "saturation-1": "saturation",
    "epm-1": "epm",
    "epm-2": "epm-pose",
    "ldb-1": "ldb",
    "compare-1": "compare",
}


@dataclass
class Built:
    """One example report and the ``-o`` workbooks its tables come from."""

    html: Path
    output: Path | None = None  # a command's -o workbook
    stats: Path | None = None  # its --stats workbook (epm, ldb with a design)
    tables: Path | None = None  # the study's --tables folder

    def source(self, key: str) -> tuple[Path, str]:
        """The workbook and sheet a report table holds: ``binding-plates`` -> (``-o``, ``plates``),
        ``ldb-compare-summary`` -> (``--stats``, ``summary``), ``epm-1.epm-endpoints`` -> (``epm-1.xlsx``,
        ``endpoints``) in the study's tables folder."""
        stem, _, inner = key.rpartition(".")
        if "-compare-" in inner:
            role, name = "stats", inner.split("-compare-", 1)[1]
        else:
            role, name = "output", inner.split("-", 1)[1]
        if stem:
            assert self.tables is not None
            book = self.tables / f"{stem}{'_stats' if role == 'stats' else ''}.xlsx"
        else:
            book = self.stats if role == "stats" else self.output  # type: ignore[assignment]
        assert book is not None, key
        return book, name.replace("-", "_")


def invoke(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, f"assaykit {' '.join(args)}\n{result.output}"


class _Tables(HTMLParser):
    """The ``data-table`` tables of a page: header texts, and each cell's ``data-value`` (or its text)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, tuple[list[str], list[list[str | None]]]] = {}
        self._key: str | None = None
        self._cell: list[str] | None = None
        self._value: str | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and "data-table" in found:
            self._key = found["data-table"]
            self.tables[self._key] = ([], [])  # type: ignore[index]
        elif self._key is None:
            return
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and not self._in_head:
            self.tables[self._key][1].append([])
        elif tag in ("td", "th"):
            self._cell, self._value = [], found.get("data-value")

    def handle_endtag(self, tag: str) -> None:
        if self._key is None:
            return
        if tag == "table":
            self._key = None
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None:
            text = "".join(self._cell).strip()
            header, rows = self.tables[self._key]
            if self._in_head:
                header.append(text)
            else:
                rows[-1].append(self._value if self._value is not None else text)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def page_tables(path: Path) -> dict[str, tuple[list[str], list[list[str | None]]]]:
    """Parse a report's tables: key -> (header, rows of data-values or texts), in page order."""
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tables


@functools.cache
def _workbook(book: Path) -> dict[str, pd.DataFrame]:
    return pd.read_excel(book, sheet_name=None, engine="calamine")


def sheet(book: Path, name: str) -> pd.DataFrame:
    """Return one sheet of an ``-o`` workbook (each workbook is read once)."""
    sheets = _workbook(book)
    assert name in sheets, f"{book.name} has no sheet {name!r} (it has {', '.join(sheets)})"
    return sheets[name]
