"""Figures of a report: drawn in a temporary folder over every usable core, then kept as bytes.

The report embeds each figure in the page (a ``data:`` URI), so they are drawn small: thumbnails at
:data:`THUMBNAIL_DPI`, group figures at :data:`FIGURE_DPI`, and each PNG is stored with a palette of at
most 256 colours (:func:`small_png`: a quarter of the bytes of the RGBA file matplotlib writes, and no
difference to see on a line plot), so that a 96-curve screen's page stays well under the 5 MB an e-mail
takes. Nothing is written beside the report; the temporary folder is removed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from assaykit.figure_jobs import FigureJob, draw_figures
from assaykit.progress import start_stage
from assaykit.report.document import ReportFigure

__all__ = ["FIGURE_DPI", "THUMBNAIL_DPI", "draw_report_figures"]

#: Resolution of a thumbnail (a per-curve or per-animal figure): its larger view shows the same image.
THUMBNAIL_DPI = 100
#: Resolution of a group figure, shown at full width.
FIGURE_DPI = 110

_MEDIA = {"png": "image/png", "svg": "image/svg+xml"}


def small_png(data: bytes, colors: int = 256) -> bytes:
    """Return a PNG with a palette of at most ``colors`` colours, or ``data`` itself when that is smaller.

    Parameters
    ----------
    data
        A PNG file's bytes (matplotlib writes RGBA).
    colors
        The largest palette.

    Returns
    -------
    bytes
        The smaller of the palette PNG and ``data``.
    """
    import io

    from PIL import Image  # matplotlib's own dependency

    with Image.open(io.BytesIO(data)) as image:
        flat = image.convert("RGB").quantize(colors=colors, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    flat.save(out, format="PNG", optimize=True)
    small = out.getvalue()
    return small if len(small) < len(data) else data


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
    with tempfile.TemporaryDirectory(prefix="assaykit-report-") as folder:
        paths = [Path(folder) / f"{i:06d}.{format}" for i in range(len(jobs))]
        draw_figures([job for _, job in jobs], paths, dpi=dpi, workers=workers, progress=progress)
        shrink = small_png if format == "png" else bytes
        return [
            ReportFigure(title=title, data=shrink(path.read_bytes()), media_type=_MEDIA[format])
            for title, path in zip(names, paths, strict=True)
        ]
