"""The report section of a PK run (``assaykit pk --report``)."""

from __future__ import annotations

from collections.abc import Callable

from assaykit.formatting import sig
from assaykit.pk.workflow import PKRun
from assaykit.report.document import ReportTable, Section
from assaykit.report.flags import flag_meanings, table_flags
from assaykit.report.sections.common import run_figures, run_notes

__all__ = ["pk_section"]


def _group_lines(run: PKRun) -> list[str]:
    """One line per group and analyte: n, Cmax and AUC0-inf geometric means (gCV%), median Tmax, t1/2."""
    groups, columns = run.groups, run.nca.columns
    if not len(groups):
        return []
    by = [c for c in ("group", "analyte") if c in groups.columns]
    keyed = groups.set_index([*by, "parameter"])
    lines = []
    for key, _ in groups.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        parts = []
        for param, words, unit in (
            ("cmax", "Cmax", run.nca.conc_unit),
            ("auc_inf_obs", "AUC0-inf", f"h·{run.nca.conc_unit}"),
        ):
            index = (*key, columns.get(param))
            if index in keyed.index:
                row = keyed.loc[index]
                parts.append(
                    f"{words} {sig(row['geo_mean'])} {unit} (geometric CV {sig(row['geo_cv_pct'], 2)}%)"
                )
        for param, words, form in (("tmax", "Tmax", "median"), ("half_life", "t1/2", "mean")):
            index = (*key, columns.get(param))
            if index in keyed.index:
                row = keyed.loc[index]
                if form == "median":
                    parts.append(f"{words} {sig(row['median'])} h ({sig(row['min'])}-{sig(row['max'])})")
                else:
                    parts.append(f"{words} {sig(row['mean'])} ± {sig(row['sd'], 2)} h")
        n = keyed.loc[(*key, columns["cmax"]), "n"] if (*key, columns["cmax"]) in keyed.index else ""
        name = " · ".join(str(k) for k in key if str(k))
        lines.append(f"{name} (n = {n}): " + ", ".join(parts) + ".")
    return lines


def pk_section(run: PKRun, *, progress: Callable[[int, int], None] | None = None) -> Section:
    """Build the report section of a PK run.

    Parameters
    ----------
    run
        The run (:func:`assaykit.pk.workflow.run_pk`).
    progress
        Called as ``progress(done, total)`` while the figures are drawn.

    Returns
    -------
    Section
        Summary (per group: geometric mean Cmax and AUC0-inf with geometric CV, median Tmax and range,
        mean half-life), the flags explained, the per-profile results, group summaries and compartment fits,
        a figure per profile (linear and semi-log, lambda_z points, terminal line), the group mean curves,
        the methods paragraph, and the run's warnings.
    """
    from assaykit.pk.flags import COMPARTMENT_FLAG_MEANINGS
    from assaykit.pk.methods import pk_methods
    from assaykit.pk.workflow import pk_plot_jobs

    results = run.nca.results
    subjects = [
        f"{s} ({a})" if results["analyte"].nunique() > 1 else str(s)
        for s, a in zip(results["subject"], results["analyte"], strict=True)
    ]
    summary = [f"{len(results)} profile(s) of {results['subject'].nunique()} subject(s)."]
    summary += _group_lines(run)
    flagged = int((results["flags"].astype(str) != "").sum())
    summary.append(f"{flagged} profile(s) flagged.")
    meanings = {**flag_meanings("pk"), **COMPARTMENT_FLAG_MEANINGS}
    flags = table_flags(results["flags"], subjects, meanings)
    tables = [
        ReportTable("pk-results", "Results: one row per subject and analyte", results),
        ReportTable("pk-groups", "Group summaries", run.groups),
    ]
    table = run.compartmental
    if len(table):
        labels = [
            f"{s} ({a}, {m})"
            for s, a, m in zip(table["subject"], table["analyte"], table["model"], strict=True)
        ]
        flags += table_flags(table["flags"].fillna(""), labels, meanings)
        tables.append(
            ReportTable("pk-compartmental", "Compartment fits: one row per profile and model", table)
        )
    thumbnails, figures = run_figures(pk_plot_jobs(run), subjects, progress)
    return Section(
        kind="pk",
        title="Pharmacokinetics",
        summary=summary,
        flags=flags,
        tables=tables,
        thumbnails=thumbnails,
        figures=figures,
        methods=pk_methods(run),
        notes=run_notes(run.warnings),
    )
