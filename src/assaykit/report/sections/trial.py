"""The report section of a trial run (``assaykit trial --report``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from assaykit.formatting import sig
from assaykit.methods import number
from assaykit.report.document import ReportTable, Section
from assaykit.report.sections.common import run_figures, run_notes

if TYPE_CHECKING:
    from assaykit.trial.workflow import TrialRun

__all__ = ["trial_section"]


def _p(value: float) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {sig(value, 2)}"


def _difference(row: pd.Series, level: float) -> str:
    return (
        f"{sig(row['estimate'])} ({sig(100 * level, 2)}% CI {sig(row['ci_low'])} to {sig(row['ci_high'])}, "
        f"{_p(row['p_value'])})"
    )


def _efficacy_lines(run: TrialRun) -> list[str]:
    fit, visit = run.mmrm, run.options["primary_visit"]
    lines = [
        f"HAM-A change from baseline at {visit}, {row['arm']} minus {row['vs']} (MMRM): "
        + _difference(row, fit.level)
        + "."
        for _, row in fit.primary.iterrows()
    ]
    if run.active_contrast is not None:
        lines += [
            f"{row['arm']} minus {row['vs']} at {visit} (MMRM): {_difference(row, fit.level)}."
            for _, row in run.active_contrast.iterrows()
        ]
    if run.active is not None:
        lines.append(f"Active arms, {run.active.kind}: {run.active.statement}.")
    return lines


def _rate_lines(table: pd.DataFrame | None, words: str) -> list[str]:
    if table is None or not len(table):
        return []
    rates = ", ".join(
        f"{row['arm']} {int(row['events'])}/{int(row['n'])} ({sig(100 * row['rate'], 2)}%)"
        for _, row in table.iterrows()
    )
    line = f"{words}: {rates}"
    compared = table.dropna(subset=["comparison"])
    if len(compared):
        line += "; " + "; ".join(
            f"{row['comparison']} OR {sig(row['odds_ratio'])}, Fisher {_p(row['p_fisher'])}"
            for _, row in compared.iterrows()
        )
    return [line + "."]


def _withdrawal_lines(run: TrialRun) -> list[str]:
    result = run.withdrawal
    if result is None:
        return []
    lines = _rate_lines(result.incidence, f"Withdrawal syndrome (rise >= {number(result.threshold)} points)")
    drugs = result.incidence_comparisons
    drugs = drugs[drugs["reference"] != run.options["control"]] if len(drugs) else drugs
    lines += [
        f"Withdrawal, {row['comparison']}: Fisher {_p(row['p_fisher'])}." for _, row in drugs.iterrows()
    ]
    return lines


def _hierarchy_line(run: TrialRun) -> list[str]:
    table = run.hierarchy
    if table is None or not len(table):
        return []
    rejected = int(table["rejected"].sum())
    return [f"Testing hierarchy: {rejected} of {len(table)} comparisons rejected (family-wise alpha 0.05)."]


def _tables(run: TrialRun) -> list[ReportTable]:
    tables = [
        ReportTable("trial-mmrm", "MMRM: each arm against the control at each visit", run.mmrm.contrasts),
        ReportTable("trial-lsmeans", "MMRM: least-squares means of each arm at each visit", run.mmrm.lsmeans),
    ]
    if run.ancova is not None:
        tables.append(
            ReportTable(
                "trial-ancova",
                f"ANCOVA at {run.ancova.visit} (sensitivity analysis): each arm against the control",
                run.ancova.contrasts,
            )
        )
    for key, title, table in (
        ("trial-responders", "Responders (HAM-A fall >= 50%)", run.responders),
        ("trial-remission", "Remission (HAM-A <= 7)", run.remission),
    ):
        if table is not None and len(table):
            tables.append(ReportTable(key, title, table))
    if run.withdrawal is not None:
        tables.append(
            ReportTable(
                "trial-withdrawal", "Withdrawal syndrome: incidence per arm", run.withdrawal.incidence
            )
        )
        if len(run.withdrawal.counts):
            tables.append(
                ReportTable(
                    "trial-withdrawal-counts", "Withdrawal symptom counts: rate ratios", run.withdrawal.counts
                )
            )
    tables.append(ReportTable("trial-hierarchy", "Testing hierarchy", run.hierarchy))
    tables.append(ReportTable("trial-consort", "Patient flow (CONSORT)", run.consort))
    return tables


def _figure_jobs(run: TrialRun) -> list:
    from assaykit.trial.plots import trial_figure_jobs

    opts, result = run.options, run.withdrawal
    withdrawal: dict = {}
    if result is not None and "pwc_total" in run.scores:
        withdrawal = {
            "withdrawal_scores": run.scores,
            "withdrawal_visits": [opts["end_of_treatment"], *opts["washout"]],
            "threshold": result.threshold,
        }
    return trial_figure_jobs(
        lsmeans=run.mmrm.lsmeans,
        responders=run.responders,
        remission=run.remission,
        control=opts["control"],
        **withdrawal,
    )


def trial_section(run: TrialRun, *, progress: Callable[[int, int], None] | None = None) -> Section:
    """Build the report section of a trial run.

    Parameters
    ----------
    run
        The run (:func:`assaykit.trial.workflow.run_trial`), or any object with its fields.
    progress
        Called as ``progress(done, total)`` while the figures are drawn.

    Returns
    -------
    Section
        Summary (each drug against the control at the primary visit with its CI and p; drug against drug;
        responder and remission rates; withdrawal incidence; the hierarchy), no per-patient flags, the tables
        (``trial-mmrm``, ``trial-lsmeans``, ``trial-ancova``, ``trial-responders``, ``trial-remission``,
        ``trial-withdrawal``, ``trial-withdrawal-counts``, ``trial-hierarchy``, ``trial-consort``), the
        group figures (change from baseline, responders, withdrawal), the methods paragraph, and the MMRM's
        and withdrawal analysis' notes with the run's warnings.
    """
    from assaykit.trial.methods import trial_methods

    structure = run.mmrm.structure_used.replace("_", " ")
    summary = [f"{run.mmrm.n_patients} patients analysed (MMRM, {structure} covariance)."]
    summary += _efficacy_lines(run)
    summary += _rate_lines(run.responders, "Responders")
    summary += _rate_lines(run.remission, "Remission")
    summary += _withdrawal_lines(run)
    summary += _hierarchy_line(run)
    _, figures = run_figures(_figure_jobs(run), [], progress)
    notes = list(run.mmrm.notes) + (list(run.withdrawal.notes) if run.withdrawal is not None else [])
    return Section(
        kind="trial",
        title="Clinical trial",
        summary=summary,
        flags=[],
        tables=_tables(run),
        thumbnails=[],
        figures=figures,
        methods=trial_methods(run),
        notes=run_notes(run.warnings, notes),
    )
