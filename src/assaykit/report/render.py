"""Render a :class:`~assaykit.report.document.Report` to one self-contained HTML page.

The page comes from a Jinja2 template (``templates/report.html.j2``, autoescaped: a compound named
``<b>x</b>`` shows as those characters). It is one file that makes no network request: the style sheet is
inline, figures are ``data:`` URIs, there is no script and no external font; the larger view of a
thumbnail is a CSS ``:target`` overlay. A ``Content-Security-Policy`` meta tag tells the browser to load
nothing but those ``data:`` images, so a page edited later cannot start fetching either.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.report.cells import Cell, table_cells
from assaykit.report.document import Report, ReportFigure, ReportTable

if TYPE_CHECKING:
    import jinja2

    from assaykit.io.outputs import OutputSet

__all__ = ["REPORT_SUFFIXES", "add_report", "render_html", "stage_report"]

#: The file extensions of a report.
REPORT_SUFFIXES = (".html", ".htm")

#: Media types a figure may have, with the words of a message about the others.
_MEDIA_TYPES = ("image/png", "image/svg+xml")


@dataclass(frozen=True)
class _TableView:
    key: str
    title: str
    caption: str
    header: list[str]
    numeric: list[bool]
    rows: list[list[Cell]]


@dataclass(frozen=True)
class _FigureView:
    title: str
    caption: str
    uri: str


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("assaykit.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def data_uri(figure: ReportFigure) -> str:
    """Return a figure as a ``data:`` URI (base64).

    Raises
    ------
    ValueError
        When its media type is not PNG or SVG.
    """
    if figure.media_type not in _MEDIA_TYPES:
        raise ValueError(f"a report embeds PNG or SVG figures, not {figure.media_type!r}")
    return f"data:{figure.media_type};base64,{base64.b64encode(figure.data).decode('ascii')}"


def _table_view(table: ReportTable) -> _TableView:
    frame = table.frame
    rows = table_cells(frame)
    numeric = [any(row[i].numeric for row in rows) for i in range(frame.shape[1])]
    return _TableView(table.key, table.title, table.caption, [str(c) for c in frame.columns], numeric, rows)


def _figure_view(figure: ReportFigure) -> _FigureView:
    return _FigureView(figure.title, figure.caption, data_uri(figure))


def render_html(report: Report) -> str:
    """Return the report as one self-contained HTML page.

    Parameters
    ----------
    report
        The report.

    Returns
    -------
    str
        The page: in each section its summary and flags, tables (``data-table="<key>"``; every number in a
        ``data-value`` attribute at full precision), thumbnails with a larger view, figures, methods and
        notes; then the provenance.
    """
    sections: list[dict[str, Any]] = []
    for number, section in enumerate(report.sections, start=1):
        sections.append(
            {
                "id": f"s{number}",
                "section": section,
                "tables": [_table_view(t) for t in section.tables],
                "thumbnails": [_figure_view(f) for f in section.thumbnails],
                "figures": [_figure_view(f) for f in section.figures],
            }
        )
    template = _environment().get_template("report.html.j2")
    return template.render(title=report.title, sections=sections, provenance=report.provenance)


def add_report(outputs: OutputSet, path: str | Path | None, option: str = "--report") -> Path | None:
    """Check a report's file and add it to a run's outputs, before any work (None passes through).

    Raises
    ------
    AssayInputError
        As :meth:`~assaykit.io.outputs.OutputSet.add_file`: not ``.html``/``.htm``, a folder, read-only,
        one of the run's inputs, or another output.
    """
    return outputs.add_file(path, option, suffixes=REPORT_SUFFIXES)


def stage_report(report: Report, path: Path, outputs: OutputSet) -> Path:
    """Render the report and stage it for ``path``; it is written when the run's outputs are committed.

    Parameters
    ----------
    report
        The report.
    path
        Its file, added to ``outputs`` before the run (:func:`add_report`).
    outputs
        The run's outputs.

    Returns
    -------
    Path
        ``path``.
    """
    page = render_html(report)
    with outputs.stage(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return Path(path)
