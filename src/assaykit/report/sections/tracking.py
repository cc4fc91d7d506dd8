"""The report section of an EPM or LDB run (``assaykit epm|ldb --report``).

With a design (``--design``) the section also holds the comparison of the groups.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from assaykit.formatting import sig
from assaykit.report.document import ReportTable, Section
from assaykit.report.flags import flag_meanings, table_flags
from assaykit.report.sections.common import joined_methods, run_figures, run_notes
from assaykit.report.sections.compare import (
    comparison_figures,
    comparison_flags,
    comparison_lines,
    comparison_tables,
)
from assaykit.stats.workflow import CompareRun
from assaykit.tracking.workflow import TrackingRun

__all__ = ["tracking_section"]

#: Each assay's title and the endpoints the summary describes.
_ASSAYS = {
    "epm": ("Elevated plus maze", ("open_time_pct", "open_entries_pct", "total_entries", "distance_cm")),
    "ldb": ("Light-dark box", ("light_time_pct", "latency_light_s", "transitions", "distance_cm")),
}


def _endpoint_lines(endpoints: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    lines = []
    for column in columns:
        if column not in endpoints:
            continue
        values = pd.to_numeric(endpoints[column], errors="coerce").dropna()
        if values.empty:
            continue
        lines.append(
            f"{column}: mean {sig(values.mean(), 4)}, from {sig(values.min(), 4)} to {sig(values.max(), 4)} "
            f"over {len(values)} animal(s)."
        )
    return lines


def tracking_section(
    run: TrackingRun,
    assay: str,
    *,
    compare: CompareRun | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Section:
    """Build the report section of an EPM or LDB run.

    Parameters
    ----------
    run
        The run (:func:`assaykit.tracking.workflow.run_tracking`).
    assay
        ``"epm"`` or ``"ldb"``.
    compare
        The group comparison of the run's endpoints (``--design``), or None.
    progress
        Called as ``progress(done, total)`` while the figures are drawn.

    Returns
    -------
    Section
        Summary (animals, protocol, the main endpoints over the animals; with ``compare``, a sentence per
        comparison), the flags of every animal (and comparison) explained, the endpoint table (and the
        comparison's tables), a thumbnail per animal (track and occupancy), the group figures, the methods
        paragraph (tracking, cleaning and entry criterion; the tests and multiplicity), warnings and notes.
    """
    from assaykit.tracking.methods import tracking_methods
    from assaykit.tracking.workflow import plot_jobs

    if assay not in _ASSAYS:
        raise ValueError(f"assay must be one of {', '.join(_ASSAYS)}, not {assay!r}")
    title, described = _ASSAYS[assay]
    endpoints = run.endpoints
    animals = [str(a) for a in endpoints["animal"]]
    flags = table_flags(endpoints["flags"], animals, flag_meanings(assay)) if "flags" in endpoints else []
    flagged = len({f.subject for f in flags})
    summary = [
        f"{len(animals)} animal(s), protocol {run.protocol.name}; positions in {run.unit}.",
        *_endpoint_lines(endpoints, described),
        f"{flagged} animal(s) flagged.",
    ]
    tables = [ReportTable(f"{assay}-endpoints", "Endpoints: one row per animal", endpoints)]
    jobs = plot_jobs(run)  # one per animal with positions
    titles = [str(job.kwargs.get("title", stem)) for stem, job in jobs]
    thumbnails, figures = run_figures(jobs, titles, progress)
    methods = tracking_methods(run)
    notes = run_notes(run.warnings, run.notes)
    if compare is not None:
        from assaykit.stats.methods import statistics_methods

        summary += comparison_lines(compare)
        flags += comparison_flags(compare)
        tables += comparison_tables(compare, prefix=f"{assay}-compare")
        figures += comparison_figures(compare, progress)
        methods = joined_methods(methods, statistics_methods(compare))
        notes = run_notes([*run.warnings, *compare.warnings], [*run.notes, *compare.comparison.notes])
    return Section(
        kind=assay,
        title=title,
        summary=summary,
        flags=flags,
        tables=tables,
        thumbnails=thumbnails,
        figures=figures,
        methods=methods,
        notes=notes,
    )
