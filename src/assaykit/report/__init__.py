"""One self-contained HTML report of a run or a study: results, flags, figures, methods, provenance.

The report sits above the protocols and below the command line. A section is built from a run
(:mod:`assaykit.report.sections`), a report from sections and a provenance
(:func:`~assaykit.report.provenance.provenance`), and the page from a Jinja2 template
(:func:`~assaykit.report.render.render_html`); :func:`~assaykit.report.render.stage_report` stages it with
the run's other outputs, written all together or not at all.
"""

from __future__ import annotations

from assaykit.report.document import Flag, Provenance, Report, ReportFigure, ReportTable, Section
from assaykit.report.provenance import provenance
from assaykit.report.render import add_report, render_html, stage_report

__all__ = [
    "Flag",
    "Provenance",
    "Report",
    "ReportFigure",
    "ReportTable",
    "Section",
    "add_report",
    "provenance",
    "render_html",
    "stage_report",
]
