"""What the section builders share: the figures of a run split into thumbnails and group figures, notes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from assaykit.figure_jobs import FigureJob
from assaykit.report.document import ReportFigure
from assaykit.report.figures import FIGURE_DPI, THUMBNAIL_DPI, draw_report_figures

if TYPE_CHECKING:
    from assaykit.methods import MethodsText

Progress = Callable[[int, int], None] | None


def run_figures(
    jobs: Sequence[tuple[str, FigureJob]],
    titles: Sequence[str],
    progress: Progress,
) -> tuple[list[ReportFigure], list[ReportFigure]]:
    """Draw a run's figures: thumbnails of each curve or animal, and its other figures at full size.

    Parameters
    ----------
    jobs
        The run's figures (``plot_jobs``): those of its curves or animals first, then the others (plate
        overlays, group figures).
    titles
        The title of each thumbnail: the first ``len(titles)`` jobs are thumbnails.
    progress
        As for :func:`~assaykit.report.figures.draw_report_figures`.

    Returns
    -------
    tuple of list
        The thumbnails and the other figures, titled by :func:`figure_title`.
    """
    small, large = list(jobs[: len(titles)]), list(jobs[len(titles) :])
    thumbnails = draw_report_figures(small, titles=list(titles), dpi=THUMBNAIL_DPI, progress=progress)
    figures = draw_report_figures(
        large,
        titles=[figure_title(stem) for stem, _ in large],
        dpi=FIGURE_DPI,
        progress=progress,
        label="group figures",
    )
    return thumbnails, figures


#: How a figure's file stem begins, and the words its title begins with.
_KINDS = (
    ("groups_", "Groups: "),
    ("estimation_", "Estimation plot: "),
    ("latency_", "Latency (Kaplan-Meier): "),
)


def figure_title(stem: str) -> str:
    """Return a figure's title from its file stem (``groups_open_time_pct``: ``Groups: open_time_pct``)."""
    for prefix, words in _KINDS:
        if stem.startswith(prefix):
            return words + stem.removeprefix(prefix)
    if stem.startswith("plate-") and stem.endswith("_overlay"):
        return f"Plate {stem.removeprefix('plate-').removesuffix('_overlay')}: every compound"
    return stem


def run_notes(warnings: Sequence[str], notes: Sequence[str] = ()) -> list[str]:
    """Return a run's warnings (as ``warning: ...``) and notes, each once, in order."""
    lines = [f"warning: {w}" for w in warnings] + [str(n) for n in notes]
    return list(dict.fromkeys(lines))


def joined_methods(*parts: MethodsText | None) -> MethodsText | None:
    """Return the methods paragraphs of several parts of a run as one, their references each once."""
    from assaykit.methods import MethodsText

    given = [p for p in parts if p is not None]
    if not given:
        return None
    if len(given) == 1:
        return given[0]
    references = tuple(dict.fromkeys(r for p in given for r in p.references))
    return MethodsText(paragraph=" ".join(p.paragraph for p in given), references=references)
