"""The group figures of a comparison, as picklable jobs drawn over every usable core.

:func:`plot_jobs` lists every figure :func:`write_group_plots` writes for a
:class:`~assaykit.stats.workflow.CompareRun` (per endpoint: the dot plot, the estimation plot and, for a
latency analysed as censored data, the Kaplan-Meier curves) as :class:`~assaykit.figure_jobs.FigureJob`
objects; :func:`write_group_plots` stages them with the run's other outputs. A report draws the same jobs
into its own files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from assaykit.figure_jobs import PLOT_FORMATS, FigureJob, check_plot_format, write_figures

if TYPE_CHECKING:
    from assaykit.io.outputs import OutputSet
    from assaykit.stats.compare import GroupComparison
    from assaykit.stats.workflow import CompareRun

__all__ = ["PLOT_FORMATS", "PLOT_PREFIX", "check_plot_format", "plot_jobs", "write_group_plots"]

#: File-name prefix of the group plots (they may share a folder with the trajectory plots).
PLOT_PREFIX = "groups_"


def plot_jobs(run: CompareRun) -> list[tuple[str, FigureJob]]:
    """Every group figure of a comparison, as (file stem, job) pairs, endpoint by endpoint.

    Per endpoint (its name made safe, :func:`assaykit.plotting.safe_filename`): ``groups_<endpoint>``, the
    dot plot (:func:`assaykit.stats.plots.plot_group_dots`: every animal, mean ± SD or SEM as the plan
    says, or median and IQR beside rank tests and censored latencies, the omnibus test and the marks
    against the control); ``estimation_<endpoint>``, the estimation plot
    (:func:`assaykit.stats.estimation_plot.plot_estimation`); and for a latency analysed as censored data
    ``latency_<endpoint>``, the Kaplan-Meier curves (:func:`assaykit.stats.survival_plots.plot_latency_km`).
    Censored animals are open markers in each; a positive control (another ``compound`` than the dose
    series') is set apart.

    Parameters
    ----------
    run
        The comparison.

    Returns
    -------
    list of (str, FigureJob)
    """
    from assaykit.plotting import safe_filename
    from assaykit.stats.estimation_plot import plot_estimation
    from assaykit.stats.plots import plot_group_dots
    from assaykit.stats.survival_plots import plot_latency_km

    result = run.comparison
    compounds = _compounds(run)
    jobs: list[tuple[str, FigureJob]] = []
    for endpoint in result.endpoints:
        name = safe_filename(endpoint)
        censored = result.censored.get(endpoint)
        mask = None if censored is None else censored.reindex(run.data.index, fill_value=False)
        shared = {
            "groups": result.groups,
            "control": result.control,
            "comparisons": result.comparisons,
            "spread": result.plan.spread,
            "censored": mask,
            "censor_time": result.session_s if mask is not None else None,
        }
        if compounds:
            shared["compounds"] = compounds
        dots = {
            "quartiles": result.plan.quartiles,
            "medians": _km_medians(result, endpoint) if mask is not None else None,
        }
        jobs.append(
            (f"{PLOT_PREFIX}{name}", FigureJob(plot_group_dots, (run.data, endpoint), {**shared, **dots}))
        )
        estimation = {**shared, "test": _headline(result, endpoint)}
        jobs.append((f"estimation_{name}", FigureJob(plot_estimation, (run.data, endpoint), estimation)))
        if endpoint in result.survival:
            km = {"compounds": compounds} if compounds else {}
            jobs.append((f"latency_{name}", FigureJob(plot_latency_km, (result.survival[endpoint],), km)))
    return jobs


def write_group_plots(
    run: CompareRun,
    directory: str | Path,
    outputs: OutputSet | None = None,
    *,
    plot_format: str = "png",
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write the figures of each endpoint (:func:`plot_jobs`) into ``directory`` (made if needed).

    The figures are drawn over every usable core (:func:`assaykit.figure_jobs.stage_figures`).

    Parameters
    ----------
    run
        The comparison to draw.
    directory
        The folder.
    outputs
        The run's outputs, to stage the plots in (written when it is committed); None to write them now,
        all or none.
    plot_format
        ``png`` (200 dpi), ``svg`` or ``pdf``.
    progress
        Called as ``progress(done, total)`` as figures are finished; told the stage ``group figures``
        first (:func:`assaykit.progress.start_stage`).

    Returns
    -------
    list of Path
        The plot files.
    """
    jobs = plot_jobs(run)
    return write_figures(
        jobs, directory, outputs, plot_format=plot_format, progress=progress, stage="group figures"
    )


def _km_medians(result: GroupComparison, endpoint: str) -> dict[str, float]:
    """Return the Kaplan-Meier median latency of each group (NaN when not reached)."""
    km = result.latency
    if km is None or km.empty:
        return {}
    rows = km[km["endpoint"] == endpoint]
    return dict(zip(rows["group"].astype(str), rows["median"].astype(float), strict=True))


def _headline(result: GroupComparison, endpoint: str) -> str:
    """Return the headline test of an endpoint's comparisons (``""`` when none): it picks the spread."""
    from assaykit.stats.plot_text import endpoint_rows, headline_test

    return headline_test(endpoint_rows(result.comparisons, endpoint))


def _compounds(run: CompareRun) -> dict[str, str]:
    """Each group's compound, from the design's ``compound`` column (empty without one)."""
    data = run.data
    if "compound" not in data.columns or "group" not in data.columns:
        return {}
    pairs = data[["group", "compound"]].dropna().astype(str)
    found: dict[str, str] = {}
    for group, compound in pairs.itertuples(index=False):
        if compound.strip():
            found.setdefault(group, compound.strip())
    return found
