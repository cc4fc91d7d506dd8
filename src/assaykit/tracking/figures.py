"""The per-animal figures of a tracking run, as picklable jobs drawn over every usable core.

:func:`plot_jobs` turns a :class:`~assaykit.tracking.workflow.TrackingRun` into one
:class:`~assaykit.figure_jobs.FigureJob` per animal with positions (its trajectory over the apparatus and
its occupancy heatmap, :func:`assaykit.tracking.plots.plot_track`), with the posture events of a pose
run (head dips, stretched-attend postures) placed on the track; :func:`write_plots` stages them with the
run's other outputs (:func:`assaykit.figure_jobs.stage_figures`). A report draws the same jobs into its
own files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from assaykit.figure_jobs import PLOT_FORMATS, FigureJob, check_plot_format, write_figures

if TYPE_CHECKING:
    from assaykit.io.outputs import OutputSet
    from assaykit.tracking.batch import AssaySpec
    from assaykit.tracking.results import TrackAnalysis
    from assaykit.tracking.workflow import TrackingRun

__all__ = ["PLOT_FORMATS", "check_plot_format", "plot_jobs", "posture_positions", "write_plots"]


def posture_positions(
    analysis: TrackAnalysis, events: pd.DataFrame | None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Place each posture event on the track: the animal's position at the event's first frame.

    Parameters
    ----------
    analysis
        The animal's analysis: its window's positions ``x``, ``y`` and frame ``durations`` (and the seconds
        a clock gap took after a frame, ``window.lost``), which give each frame's time from the window
        start.
    events
        The animal's posture table (:data:`assaykit.epm.endpoints.POSTURE_COLUMNS`: ``posture`` and
        ``start_s``, seconds from the window start), or None.

    Returns
    -------
    dict
        ``{posture: (x, y)}``, in the table's order of postures, one position per event (NaN where the
        position is missing at that frame); empty without events.
    """
    if events is None or events.empty or not len(analysis.x):
        return {}
    durations = np.asarray(analysis.durations, dtype=float)
    lost = analysis.window.lost
    steps = durations if lost is None else durations + np.asarray(lost, dtype=float)
    starts = np.concatenate([[0.0], np.cumsum(steps)[:-1]])  # each frame's time from the window start
    marks: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for posture, rows in events.groupby("posture", sort=False):
        if not str(posture):
            continue
        times = rows["start_s"].to_numpy(dtype=float)
        frame = np.clip(np.searchsorted(starts, times + 1e-9, side="right") - 1, 0, len(starts) - 1)
        marks[str(posture)] = (np.asarray(analysis.x)[frame], np.asarray(analysis.y)[frame])
    return marks


def plot_jobs(run: TrackingRun, spec: AssaySpec | None = None) -> list[tuple[str, FigureJob]]:
    """One figure job per animal with positions: its trajectory and occupancy heatmap.

    Parameters
    ----------
    run
        The tracking run.
    spec
        The assay, for the subtitle (``spec.summary``); the run's own (``run.spec``) when None.

    Returns
    -------
    list of (str, FigureJob)
        The file stem (the animal id made safe, :func:`assaykit.plotting.safe_filename`) and the job that
        draws :func:`assaykit.tracking.plots.plot_track`, in the order of the animals. Animals without
        positions (zone labels, or not analysed) have none.
    """
    from assaykit.plotting import safe_filename
    from assaykit.tracking.plots import plot_track

    spec = spec if spec is not None else run.spec
    if run.arena is None:
        return []
    rows = run.endpoints.set_index("animal")
    jobs = []
    for result in run.results:
        analysis = result.analysis
        if analysis is None or len(analysis.x) == 0:
            continue
        subtitle = spec.summary(rows.loc[result.animal]) if spec is not None and spec.summary else None
        kwargs = {
            "title": result.animal,
            "subtitle": subtitle,
            "unit": run.unit,
            "bin_cm": 1.0 if run.unit == "cm" else 5.0,  # 5 px: about a cm on a typical video
            "y_down": run.image_coordinates,
        }
        marks = posture_positions(analysis, result.events)
        if marks:
            kwargs["postures"] = marks
        args = (run.arena, analysis.x, analysis.y, analysis.durations)
        jobs.append((safe_filename(result.animal), FigureJob(plot_track, args, kwargs)))
    return jobs


def write_plots(
    run: TrackingRun,
    spec: AssaySpec | None,
    directory: str | Path,
    outputs: OutputSet | None = None,
    *,
    plot_format: str = "png",
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write one figure per animal with positions: its trajectory over the apparatus and an occupancy heatmap.

    The figures are drawn over every usable core (:func:`assaykit.figure_jobs.stage_figures`).

    Parameters
    ----------
    run
        The tracking run to draw.
    spec
        The assay (the run's own when None).
    directory
        The folder; made if needed (and only if there is a plot to write).
    outputs
        The run's outputs, to stage the plots in (written when it is committed); None to write them now,
        all or none.
    plot_format
        ``png`` (200 dpi), ``svg`` or ``pdf``.
    progress
        Called as ``progress(done, total)`` as figures are finished; told the stage ``figures`` first
        (:func:`assaykit.progress.start_stage`).

    Returns
    -------
    list of Path
        The plot files.
    """
    return write_figures(plot_jobs(run, spec), directory, outputs, plot_format=plot_format, progress=progress)
