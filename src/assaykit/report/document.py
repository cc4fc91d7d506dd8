"""The report as data: sections of summary lines, flags, tables, figures and methods, and its provenance.

A report is built from runs (:mod:`assaykit.report.sections`) and rendered to one HTML file
(:mod:`assaykit.report.render`); nothing here knows HTML. Tables are the frames the run writes with ``-o``
(full values; the page shows them as the terminal does), figures the bytes of a PNG or an SVG file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pandas as pd

if TYPE_CHECKING:
    from assaykit.methods import MethodsText

__all__ = ["Flag", "Provenance", "Report", "ReportFigure", "ReportTable", "Section"]

#: The figure formats a report embeds.
MediaType = Literal["image/png", "image/svg+xml"]


@dataclass
class ReportFigure:
    """One figure of a report: its title, the bytes of its file, and their format.

    Parameters
    ----------
    title
        What it shows (the curve, the animal, the endpoint).
    data
        The file's bytes.
    media_type
        ``"image/png"`` or ``"image/svg+xml"``.
    caption
        A sentence under it (optional).
    """

    title: str
    data: bytes
    media_type: str
    caption: str = ""


@dataclass
class ReportTable:
    """One table of a report: the frame written with ``-o`` (or a sheet of it), under a title.

    Parameters
    ----------
    key
        Its name in the page (``data-table="<key>"``), e.g. ``"binding-results"``: a test or a script finds
        the table by it.
    title
        Its heading.
    frame
        The table; every number keeps its full value in the page (``data-value``).
    caption
        A sentence under it (optional).
    """

    key: str
    title: str
    frame: pd.DataFrame
    caption: str = ""


@dataclass
class Flag:
    """A quality flag of one curve or animal, explained in words.

    Parameters
    ----------
    subject
        What is flagged, e.g. ``"diazepam (plate 1)"`` or ``"rat 07"``.
    code
        The flag's code as the table holds it (``ic50_outside_range``).
    meaning
        What it means, in a sentence.
    """

    subject: str
    code: str
    meaning: str


@dataclass
class Section:
    """One part of a report: one run of a command (a binding screen, an EPM experiment, a comparison).

    Its parts appear in this order: the summary lines and flags, the tables, the thumbnails (a figure per
    curve or animal, each with a larger view), the group figures, the methods paragraph, and notes.

    Parameters
    ----------
    kind
        ``"binding"``, ``"saturation"``, ``"epm"``, ``"ldb"`` or ``"compare"``.
    title
        Its heading.
    summary
        Sentences of results, first in the section.
    flags
        The flagged curves or animals, each flag explained.
    tables
        The results tables.
    thumbnails
        A small figure per curve or animal.
    figures
        Full-width figures (groups, with their tests).
    methods
        The methods paragraph and its references, or None.
    notes
        What the run noted and warned of.
    """

    kind: str
    title: str
    summary: list[str] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    thumbnails: list[ReportFigure] = field(default_factory=list)
    figures: list[ReportFigure] = field(default_factory=list)
    methods: MethodsText | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Provenance:
    """Where a report came from: the program, the command or study file, the inputs and the date.

    Parameters
    ----------
    version
        The assaykit version.
    command
        The command line as typed (``assaykit binding counts.csv --kd 1.5 ...``).
    created
        When the report was made (ISO 8601, with the time zone).
    inputs
        ``(file name, SHA-256 in hex)`` of every input file, in order.
    study
        The study file's text, when the report is of a study.
    """

    version: str
    command: str
    created: str
    inputs: list[tuple[str, str]]
    study: str | None = None


@dataclass
class Report:
    """A whole report: a title, the sections in order, and the provenance."""

    title: str
    sections: list[Section]
    provenance: Provenance
