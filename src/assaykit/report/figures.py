"""Figures of a report: drawn over every usable core and kept as bytes.

The report embeds each figure in the page (a ``data:`` URI), so they are drawn small: thumbnails at
:data:`~assaykit.figure_jobs.THUMBNAIL_DPI`, group figures at :data:`FIGURE_DPI`, and each PNG is stored
with a palette of at most 256 colours (:func:`assaykit.figure_jobs.figures_bytes`, ``small=True``: about
a third of the bytes of the RGBA file matplotlib writes, and no difference to see on a line plot), so
that a 96-curve screen's page stays well under the 5 MB an e-mail takes. Nothing is written beside the report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assaykit.figure_jobs import THUMBNAIL_DPI, FigureJob, figures_bytes
from assaykit.progress import start_stage
from assaykit.report.document import ReportFigure

__all__ = ["FIGURE_DPI", "THUMBNAIL_DPI", "draw_report_figures"]

#: Resolution of a group figure, shown at full width.
FIGURE_DPI = 110

_MEDIA = {"png": "image/png", "svg": "image/svg+xml"}


def draw_report_figures(
    jobs: Sequence[tuple[str, FigureJob]],
    *,
    titles: Sequence[str] | None = None,
    dpi: int = THUMBNAIL_DPI,
    format: str = "png",
    progress: Callable[[int, int], None] | None = None,
    label: str = "figures",
    workers: int | None = None,
) -> list[ReportFigure]:
    """Draw figures for a report and return them as bytes.

    Parameters
    ----------
    jobs
        ``(file stem, job)`` pairs, as the workflows' ``plot_jobs`` give them.
    titles
        The title of each figure; default the stems.
    dpi
        Resolution of PNG figures.
    format
        ``"png"`` or ``"svg"``.
    progress
        Called as ``progress(done, total)`` while they are drawn (a :class:`~assaykit.progress.ProgressBar`
        gets a stage named ``label``).
    label
        The progress stage's name.
    workers
        Worker processes; default every usable core (:func:`assaykit.parallel.worker_count`).

    Returns
    -------
    list of ReportFigure
        In the order of ``jobs``.
    """
    if format not in _MEDIA:
        raise ValueError(f"a report embeds png or svg figures, not {format!r}")
    if not jobs:
        return []
    names = list(titles) if titles is not None else [stem for stem, _ in jobs]
    if len(names) != len(jobs):
        raise ValueError(f"{len(jobs)} figures but {len(names)} titles")
    start_stage(progress, label)
    drawn = figures_bytes([job for _, job in jobs], format, dpi=dpi, workers=workers, progress=progress)
    return [
        ReportFigure(title=title, data=data, media_type=_MEDIA[format])
        for title, data in zip(names, drawn, strict=True)
    ]
