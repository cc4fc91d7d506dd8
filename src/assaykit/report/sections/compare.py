"""The report section of a group comparison (``assaykit compare --report``).

Its parts are also what the EPM and LDB sections show after their endpoints (``--design``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from assaykit.formatting import sig
from assaykit.report.document import Flag, ReportFigure, ReportTable, Section
from assaykit.report.flags import flag_meanings, table_flags
from assaykit.report.sections.common import run_figures, run_notes
from assaykit.stats.workflow import CompareRun

__all__ = [
    "compare_section",
    "comparison_figures",
    "comparison_flags",
    "comparison_lines",
    "comparison_tables",
]

#: Comparisons written out in the summary; the table has them all.
_NAMED = 24

#: The sheets of a comparison shown as tables when they hold rows, with their titles (after the
#: comparisons and the summary).
_SHEETS = (
    ("comparisons", "Comparisons with the control"),
    ("summary", "Summary per group"),
    ("latency", "Latencies (Kaplan-Meier)"),
    ("trend", "Dose-response trend"),
    ("models", "Model-based comparisons"),
    ("anova", "ANOVA"),
    ("anxiety_locomotion", "Anxiety and locomotion"),
    ("assumptions", "Assumption checks"),
    ("exclusions", "Exclusions"),
)


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def comparison_lines(run: CompareRun) -> list[str]:
    """Return a sentence per comparison with the control: difference with its CI, test, adjusted p, g."""
    from assaykit.stats.report import TEST_LABELS

    result = run.comparison
    rows = result.comparisons
    lines = [
        f"{len(result.endpoints)} endpoint(s); every group against the control, {result.control}; "
        f"tests {result.plan.test}"
        + (f", primary endpoint {result.plan.primary}." if result.plan.primary else ".")
    ]
    tested = rows[rows["test"].fillna("") != ""]
    for row in tested.head(_NAMED).itertuples(index=False):
        ci = (
            f" (95% CI {sig(row.difference_ci_low)} to {sig(row.difference_ci_high)})"
            if not (math.isnan(row.difference_ci_low) or math.isnan(row.difference_ci_high))
            else ""
        )
        g = "" if math.isnan(row.hedges_g) else f", Hedges' g {row.hedges_g:.2f}"
        p = "" if math.isnan(row.p_adjusted) else f", {_p(row.p_adjusted)}"
        test = TEST_LABELS.get(row.test, row.test)
        lines.append(
            f"{row.endpoint}: {row.group} vs {result.control}, difference {sig(row.difference)}{ci}; "
            f"{test}{p}{g}."
        )
    if len(tested) > _NAMED:
        lines.append(f"... and {len(tested) - _NAMED} more comparisons in the table.")
    untested = len(rows) - len(tested)
    if untested:
        lines.append(f"{untested} comparison(s) not tested (see the notes).")
    return lines


def comparison_flags(run: CompareRun) -> list[Flag]:
    """Return the flags of the comparisons (``zero_variance``, ...), each explained."""
    rows = run.comparison.comparisons
    if "flags" not in rows:
        return []
    subjects = [
        f"{e}: {g} vs {c}" for e, g, c in zip(rows["endpoint"], rows["group"], rows["control"], strict=True)
    ]
    return table_flags(rows["flags"], subjects, flag_meanings("compare"))


def comparison_tables(run: CompareRun, prefix: str = "compare") -> list[ReportTable]:
    """Return the comparison's tables that hold rows, the comparisons (the ``-o`` table) first."""
    from assaykit.stats.workflow import sheets

    tables = sheets(run)
    return [
        ReportTable(f"{prefix}-{name.replace('_', '-')}", title, tables[name])
        for name, title in _SHEETS
        if tables.get(name) is not None and (name == "comparisons" or len(tables[name]))
    ]


def comparison_figures(run: CompareRun, progress: Callable[[int, int], None] | None) -> list[ReportFigure]:
    """Draw the group figures of every endpoint (dots with the tests, estimation plot, latency curves)."""
    from assaykit.stats.workflow import plot_jobs

    _, figures = run_figures(plot_jobs(run), [], progress)
    return figures


def compare_section(run: CompareRun, *, progress: Callable[[int, int], None] | None = None) -> Section:
    """Build the report section of a group comparison.

    Parameters
    ----------
    run
        The run (:func:`assaykit.stats.workflow.run_compare`).
    progress
        Called as ``progress(done, total)`` while the figures are drawn.

    Returns
    -------
    Section
        Summary (a sentence per comparison), the flags explained, the comparisons table (the ``-o`` table),
        the summary and the other tables that hold rows, the group figures of each endpoint, the methods
        paragraph (tests and multiplicity), and the warnings and notes.
    """
    from assaykit.stats.methods import statistics_methods

    return Section(
        kind="compare",
        title="Group comparison",
        summary=comparison_lines(run),
        flags=comparison_flags(run),
        tables=comparison_tables(run),
        figures=comparison_figures(run, progress),
        methods=statistics_methods(run),
        notes=run_notes(run.warnings, run.comparison.notes),
    )
