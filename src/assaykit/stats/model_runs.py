"""The model-based analyses of a study, run per endpoint as its plan asks: the ``models`` table.

Beside the one-way comparisons of :func:`assaykit.stats.compare.compare_groups`, a study's plan
(:class:`assaykit.stats.plan.StatisticsPlan`) may ask for

* a factorial analysis with a second factor such as sex (:mod:`assaykit.stats.factorial`),
* a blocking factor such as cohort, fixed or random (:mod:`assaykit.stats.blocks`),
* an ANCOVA on a locomotor covariate (:mod:`assaykit.stats.ancova`),
* count and proportion models for entries (:mod:`assaykit.stats.glm`);

and every latency endpoint whose session length is known gets the survival analysis of censored
latencies (:mod:`assaykit.stats.survival`). Each adds rows with
:data:`~assaykit.stats.columns.MODEL_COLUMNS` to one ``models`` table; the factorial ANOVA tables go to
``anova`` and the Kaplan-Meier summaries to ``latency``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.stats.censoring import is_latency
from assaykit.stats.columns import MODEL_COLUMNS
from assaykit.stats.contrasts import model_table
from assaykit.stats.inputs import not_found
from assaykit.stats.plan import StatisticsPlan
from assaykit.stats.survival import LatencyResult, latency_comparisons

#: Endpoints that count events (entries, transitions, head dips): the count models apply to them.
COUNT_ENDPOINTS = (
    "open_entries",
    "closed_entries",
    "total_entries",
    "center_entries",
    "light_entries",
    "dark_entries",
    "transitions",
    "head_dips",
    "unprotected_head_dips",
    "protected_head_dips",
    "stretched_attend_postures",
    "rearing",
    "grooming_bouts",
)

#: The proportion modelled by a binomial GLM when the counts are asked for: successes out of a total.
PROPORTIONS = (("open_entries_pct", "open_entries", "total_entries"),)


@dataclass
class ModelRuns:
    """What the model-based analyses found (empty tables when the plan asks for none)."""

    models: pd.DataFrame
    anova: pd.DataFrame
    latency: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    #: Per latency endpoint analysed as censored data: True for each animal censored at the session length.
    censoring: dict[str, pd.Series] = field(default_factory=dict)
    #: Per latency endpoint analysed as censored data: the survival analysis (curves for the figures).
    survival: dict[str, LatencyResult] = field(default_factory=dict)
    #: The session length the latencies were censored at (None when unknown).
    session_s: float | None = None


def is_count(endpoint: str) -> bool:
    """Return whether an endpoint counts events (:data:`COUNT_ENDPOINTS`, or a name ending in ``_count``)."""
    return endpoint in COUNT_ENDPOINTS or str(endpoint).endswith("_count")


def check_plan_columns(table: pd.DataFrame, plan: StatisticsPlan, source: object) -> None:
    """Check that the columns the plan names (factor, block, covariate) are in the table.

    Raises
    ------
    AssayInputError
        Naming the option and the missing column, with the closest column name when there is one.
    """
    columns = [str(c) for c in table.columns]
    for option, column in (("factor", plan.factor), ("block", plan.block), ("covariate", plan.covariate)):
        if column is None or column in columns:
            continue
        head = f"no column '{column}' for the {option} (--{option})"
        raise AssayInputError(not_found(head, column, columns), path=source)


def run_models(
    table: pd.DataFrame,
    endpoints: list[str],
    plan: StatisticsPlan,
    *,
    group: str,
    control: str,
) -> ModelRuns:
    """Run every model-based analysis the plan asks for, over the endpoints.

    Parameters
    ----------
    table
        One row per animal: the group column, the endpoint columns (numeric) and the design columns.
    endpoints
        The endpoints analysed.
    plan
        The study's plan.
    group, control
        The group column and the control group.

    Returns
    -------
    ModelRuns
    """
    frames: list[pd.DataFrame] = []
    anova: list[pd.DataFrame] = []
    latency: list[pd.DataFrame] = []
    runs = ModelRuns(model_table([]), pd.DataFrame(), pd.DataFrame())
    session = _session(table, plan)
    runs.session_s = session
    if plan.factor is not None and plan.block is not None and plan.block_model == "random":
        runs.notes.append(
            f"with a factor ({plan.factor}), the block {plan.block} enters the factorial model as a fixed "
            "term; a random block is fitted without a factor only"
        )
    for endpoint in endpoints:
        if is_latency(endpoint) and session is not None:
            result = latency_comparisons(
                table, endpoint, group=group, control=control, session=plan.session_s
            )
            runs.survival[endpoint] = result
            frames.append(result.comparisons)
            latency.append(result.km)
            runs.notes.extend(result.notes)
            runs.censoring[endpoint] = result.censored.reindex(table.index, fill_value=False)
        if endpoint in runs.censoring:
            # A censored latency is analysed as such; linear models of its recorded values are not fitted.
            if plan.factor is not None or plan.block is not None or plan.covariate is not None:
                runs.notes.append(
                    f"{endpoint}: censored at the session length, so no linear model (factor, block or "
                    "covariate) is fitted to it; see the log-rank and Cox rows"
                )
            continue
        if plan.factor is not None:
            from assaykit.stats.factorial import factorial_comparisons

            result = factorial_comparisons(
                table,
                endpoint,
                group=group,
                control=control,
                factor=plan.factor,
                interaction_alpha=plan.interaction_alpha,
                block=plan.block,
            )
            frames.append(result.comparisons)
            anova.append(result.anova)
            runs.decisions.append(result.decision)
            runs.notes.extend(result.notes)
        elif plan.block is not None:
            from assaykit.stats.blocks import blocked_comparisons

            result = blocked_comparisons(
                table,
                endpoint,
                group=group,
                control=control,
                block=plan.block,
                model=plan.block_model,
                min_random_levels=plan.min_random_levels,
            )
            frames.append(result.comparisons)
            runs.decisions.append(result.decision)
            runs.notes.extend(result.notes)
        if plan.covariate is not None and endpoint != plan.covariate:
            from assaykit.stats.ancova import covariate_comparisons

            result = covariate_comparisons(
                table, endpoint, covariate=plan.covariate, group=group, control=control
            )
            frames.append(result.rows)
            runs.notes.extend(f"{endpoint} (ANCOVA on {plan.covariate}): {n}" for n in result.notes)
        if plan.counts != "none" and is_count(endpoint):
            from assaykit.stats.glm import count_comparisons

            frames.append(
                count_comparisons(table, endpoint, group=group, control=control, family=plan.counts)
            )
    if plan.counts != "none":
        from assaykit.stats.glm import proportion_comparisons

        for endpoint, successes, total in PROPORTIONS:
            if endpoint in endpoints and successes in table.columns and total in table.columns:
                rows = proportion_comparisons(table, successes, total, group=group, control=control)
                frames.append(rows.assign(endpoint=endpoint))
    frames = [f for f in frames if not f.empty]
    if frames:
        runs.models = pd.concat(frames, ignore_index=True)[list(MODEL_COLUMNS)]
    if anova:
        runs.anova = pd.concat(anova, ignore_index=True)
    if latency:
        runs.latency = pd.concat(latency, ignore_index=True)
    return runs


def _session(table: pd.DataFrame, plan: StatisticsPlan) -> float | None:
    """Return the session length known for censoring: the plan's, or a ``session_s`` column's."""
    if plan.session_s is not None:
        return plan.session_s
    if "session_s" in table.columns:
        values = pd.to_numeric(table["session_s"], errors="coerce").to_numpy(dtype=float)
        if np.isfinite(values).any():
            return float(np.nanmax(values))
    return None


__all__ = ["COUNT_ENDPOINTS", "ModelRuns", "check_plan_columns", "is_count", "is_latency", "run_models"]
