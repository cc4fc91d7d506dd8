"""Every treated group against the control, per endpoint: both families of tests, a headline, effect sizes.

For each endpoint, the groups with at least 2 values are compared with the control by two families of
tests, and both are always reported:

* parametric: Welch's t (two groups) or one-way ANOVA with Dunnett's test (three or more); with
  ``test="welch"``, Welch's ANOVA with Dunnett's T3 (unequal variances);
* rank: Mann-Whitney U (two groups) or Kruskal-Wallis with Dunn's test (three or more); with
  ``test="steel"``, Steel's many-to-one rank test.

The study's plan (:class:`~assaykit.stats.plan.StatisticsPlan`) names the headline family (columns
``test``, ``statistic``, ``df``, ``p_value``, ``p_adjusted``, ``omnibus_*``); the other is reported beside
it (``alternative_*``). The default is parametric; ``test="auto"`` (chosen per endpoint by
:data:`~assaykit.stats.headline.HEADLINE_RULE`) is an exploratory opt-in. Hedges' g with its 95% CI
(per comparison) and the difference of means with its 95% CI (Welch's, per comparison, or Dunnett's
simultaneous interval: ``difference_ci_type`` says which) are reported whichever family is the headline.
p-values are adjusted within an endpoint (over its comparisons with the control); with a primary
endpoint, the secondary endpoints are adjusted across endpoints too (:mod:`assaykit.stats.endpoint_family`).
A latency endpoint whose session length is known is right-censored at it: its headline is the log-rank
test against the control (Holm over the groups), the Kaplan-Meier medians are in ``latency``.
When doses are given, a dose-response trend is tested across the control and the doses of each compound
(Jonckheere-Terpstra and a linear contrast). The model-based analyses the plan asks for (factorial,
blocked, ANCOVA, count models) are in ``models`` (:mod:`assaykit.stats.model_runs`).

This module holds :class:`GroupComparison` and :func:`compare_groups`, which runs the pieces over every
endpoint: the input checks and group order (:mod:`assaykit.stats.inputs`), the assumption checks and
headline rule (:mod:`assaykit.stats.headline`), the comparison rows of one endpoint
(:mod:`assaykit.stats.comparison_rows`) and the trend (:mod:`assaykit.stats.trend`); the tables' columns
are in :mod:`assaykit.stats.columns`. The names of those modules used elsewhere are importable from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.stats.columns import ASSUMPTION_COLUMNS, COMPARISON_COLUMNS, MISSING_COLUMNS, TREND_COLUMNS
from assaykit.stats.comparison_rows import analyse_endpoint
from assaykit.stats.describe import describe_groups
from assaykit.stats.endpoint_family import adjust_across_endpoints
from assaykit.stats.headline import ALPHA, HEADLINE_RULE
from assaykit.stats.inputs import (
    DESIGN_INFO,
    EPM_ENDPOINTS,
    LDB_ENDPOINTS,
    default_endpoints,
    group_labels,
    group_order,
    missing_values,
    not_found,
    numeric_endpoint,
)
from assaykit.stats.latency_headline import censored_headline
from assaykit.stats.model_runs import check_plan_columns, run_models
from assaykit.stats.plan import TESTS, StatisticsPlan
from assaykit.stats.trend import trend_rows

__all__ = [
    "ALPHA",
    "ASSUMPTION_COLUMNS",
    "COMPARISON_COLUMNS",
    "DESIGN_INFO",
    "EPM_ENDPOINTS",
    "HEADLINE_RULE",
    "LDB_ENDPOINTS",
    "MISSING_COLUMNS",
    "TESTS",
    "TREND_COLUMNS",
    "GroupComparison",
    "compare_groups",
    "default_endpoints",
    "group_order",
]


@dataclass
class GroupComparison:
    """What :func:`compare_groups` found.

    Attributes
    ----------
    comparisons
        One row per endpoint x group other than the control
        (:data:`~assaykit.stats.columns.COMPARISON_COLUMNS`).
    summary
        One row per endpoint x group, control included: n, n_missing, mean, SD, SEM, median, quartiles,
        IQR, range (:func:`assaykit.stats.describe.describe_groups`).
    assumptions
        Shapiro-Wilk per endpoint x group and Brown-Forsythe per endpoint
        (:data:`~assaykit.stats.columns.ASSUMPTION_COLUMNS`).
    trend
        Dose-response trend tests per endpoint x compound, both tests, ``headline`` marking the one of the
        endpoint's headline family (:data:`~assaykit.stats.columns.TREND_COLUMNS`); empty without doses.
    missing
        The animals left out of an endpoint for want of a value
        (:data:`~assaykit.stats.columns.MISSING_COLUMNS`), with the reason given by a ``flags`` column when
        the table has one.
    models
        Comparisons with the control from fitted models (:data:`~assaykit.stats.columns.MODEL_COLUMNS`):
        factorial, blocked, ANCOVA, count and proportion models, log-rank and Cox for latencies.
    anova
        The factorial ANOVA tables (type II and III sums of squares); empty without a factor.
    latency
        Kaplan-Meier summaries of each latency endpoint per group (median with its CI, censored animals).
    locomotion
        Anxiety and locomotor endpoints side by side for each group, with a reading in words
        (:func:`assaykit.stats.locomotion.anxiety_locomotion_table`): did open-arm time rise while
        locomotion held? Empty unless both kinds of endpoint were analysed.
    notes
        Sentences worth reading before the numbers (groups not tested, degenerate data, trends not
        tested, the rule each model-based analysis followed).
    warnings
        Doubts a reader must see: assumption checks against the pre-specified tests, latencies whose
        censoring cannot be told.
    plan
        The plan the comparison followed.
    censored
        Per latency endpoint analysed as censored data: True for each animal (index of the input rows)
        whose latency is censored at the session length.
    session_s
        The session length the latencies were censored at, or None.
    survival
        Per latency endpoint analysed as censored data: the
        :class:`~assaykit.stats.survival.LatencyResult` (Kaplan-Meier curves, for the figures).
    groups
        The groups in the order used: the control first.
    control
        The control group.
    endpoints
        The endpoints analysed.
    dose
        The dose column, or None.
    """

    comparisons: pd.DataFrame
    summary: pd.DataFrame
    assumptions: pd.DataFrame
    trend: pd.DataFrame
    missing: pd.DataFrame
    models: pd.DataFrame = field(default_factory=pd.DataFrame)
    anova: pd.DataFrame = field(default_factory=pd.DataFrame)
    latency: pd.DataFrame = field(default_factory=pd.DataFrame)
    locomotion: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    plan: StatisticsPlan = field(default_factory=StatisticsPlan)
    censored: dict[str, pd.Series] = field(default_factory=dict)
    session_s: float | None = None
    survival: dict = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)
    control: str = ""
    endpoints: list[str] = field(default_factory=list)
    dose: str | None = None


def compare_groups(
    data: pd.DataFrame,
    endpoints: Sequence[str] | None = None,
    *,
    group: str = "group",
    control: str,
    test: str | None = None,
    dose: str | None = None,
    compound: str | None = None,
    alpha: float | None = None,
    plan: StatisticsPlan | None = None,
) -> GroupComparison:
    """Compare every group with the control for each endpoint.

    Parameters
    ----------
    data
        One row per animal (excluded animals already removed): the ``group`` column and numeric endpoint
        columns, NaN where an animal has no value. An ``animal`` column and a ``flags`` column, when
        present, name the animals without a value and say why.
    endpoints
        The endpoint columns; the plan's, else :func:`~assaykit.stats.inputs.default_endpoints`, when
        None or empty. The plan's primary endpoint is added when it is not among them.
    group
        The group column.
    control
        The control group.
    test
        The headline family (:data:`~assaykit.stats.plan.TESTS`); overrides the plan's (whose default
        is ``"parametric"``). ``"auto"`` chooses per endpoint by
        :data:`~assaykit.stats.headline.HEADLINE_RULE`: exploratory only.
    dose
        A dose column (one dose per group); when given, groups are ordered by dose and a dose-response
        trend is tested. The control's dose is taken as 0 when empty.
    compound
        A column naming the drug of each group: the trend is tested per compound, each with the control.
        Without it, every group with a dose is one series (leave a positive control's dose empty to keep
        it out).
    alpha
        Significance level of the assumption checks; overrides the plan's (0.05).
    plan
        The study's plan (:class:`~assaykit.stats.plan.StatisticsPlan`): the family of tests, the primary
        endpoint and the rule across endpoints, factor, block, covariate, count models, session length.

    Returns
    -------
    GroupComparison
        The comparison, summary, assumption, trend and missing-value tables, and notes.

    Raises
    ------
    AssayInputError
        When the group column, the control group or an endpoint column is missing, or an endpoint has a
        value that is not a finite number.
        So is a primary endpoint, factor, block or covariate column that is not in the table.
    ValueError
        When ``test`` is not one of :data:`~assaykit.stats.plan.TESTS` or ``dose``/``compound`` is not a
        column.

    Notes
    -----
    Per endpoint, a group with fewer than 2 values gets its row with NaN statistics and a note, and the
    other groups are still tested: the families (ANOVA/Dunnett, Kruskal-Wallis/Dunn) are formed by the
    control and the groups that can be tested. Two groups in that family give Welch's t and Mann-Whitney U,
    three or more give the many-to-one tests. With fewer than 2 values in the control nothing is tested.
    """
    if test is not None and test not in TESTS:
        raise ValueError(f"test must be one of {', '.join(TESTS)}, got {test!r}")
    plan = (plan or StatisticsPlan()).updated(test=test, alpha=alpha)
    for name, column in (("dose", dose), ("compound", compound)):
        if column is not None and column not in data.columns:
            raise ValueError(f"{name} column {column!r} is not in the data")
    source = data.attrs.get("source")
    if group not in data.columns:
        raise AssayInputError(f"no '{group}' column to take the groups from", path=source)
    labels = group_labels(data[group])
    groups_present = [g for g in pd.unique(labels) if g]
    if control not in groups_present:
        head = f"no group named '{control}' (the control)"
        raise AssayInputError(not_found(head, control, groups_present, "groups"), path=source)
    table = data.assign(**{group: labels})
    table = table[table[group] != ""]
    named = list(endpoints) if endpoints else list(plan.endpoints)
    chosen = list(dict.fromkeys(named)) if named else default_endpoints(table, group=group)
    if plan.primary is not None and plan.primary not in chosen:
        if plan.primary not in table.columns:
            names = [str(c) for c in table.columns]
            head = f"no column '{plan.primary}' for the primary endpoint"
            raise AssayInputError(not_found(head, plan.primary, names), path=source)
        chosen.insert(0, plan.primary)
    check_plan_columns(table, plan, source)
    if not chosen:
        raise AssayInputError(
            "no numeric endpoint column to compare; name them (--endpoint in the command line)", path=source
        )
    for endpoint in chosen:
        table[endpoint] = numeric_endpoint(table, endpoint, source)
    order = group_order(table, control, group=group, dose=dose, compound=compound)
    doses = table.groupby(group, sort=False)[dose].first() if dose is not None else None
    compounds = (
        table.groupby(group, sort=False)[compound].first().astype(str) if compound is not None else None
    )

    notes: list[str] = []
    doubts: list[str] = []
    rows: list[dict] = []
    checks: list[dict] = []
    trends: list[dict] = []
    labels_arr = table[group].to_numpy()
    for endpoint in chosen:
        values = table[endpoint].to_numpy(dtype=float)
        samples = {g: values[(labels_arr == g) & ~np.isnan(values)] for g in order}
        analysis = analyse_endpoint(
            endpoint,
            samples,
            control,
            test=plan.test,
            alpha=plan.alpha,
            notes=notes,
            dunn_adjust=plan.dunn_adjust,
        )
        doubts.extend(analysis.warnings)
        rows.extend(analysis.rows)
        checks.extend(analysis.checks)
        if doses is not None and analysis.usable:
            trends.extend(trend_rows(endpoint, samples, analysis, control, doses, compounds, notes))

    comparisons = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    models = run_models(table, chosen, plan, group=group, control=control)
    notes.extend(models.decisions)
    notes.extend(models.notes)
    for endpoint, censored in models.censoring.items():
        censored_headline(comparisons, endpoint, models.models, censored, table, group, control, notes)
    if any(c.startswith("latency_") for c in chosen) and not models.censoring:
        doubts.append(
            "latencies: no session length (a session_s column or --session-s), so animals that never "
            "entered cannot be told from slow ones; the latency means are not censoring-aware"
        )
    if models.censoring:
        # The tests on means of a censored latency are not its headline: no doubts about them, no trend.
        censored = tuple(f"{e}:" for e in models.censoring)
        doubts = [d for d in doubts if not d.startswith(censored)]
        trends = [t for t in trends if t["endpoint"] not in models.censoring]
    models.survival = {  # the figures draw the groups in the study's order (by dose), as the tables
        e: replace(r, groups=tuple(g for g in order if g in r.groups)) for e, r in models.survival.items()
    }
    models.models = _in_order(models.models, chosen, order)
    models.latency = _in_order(models.latency, chosen, order)
    role, across = adjust_across_endpoints(comparisons, plan.primary, plan.secondary_adjust)
    comparisons["role"] = role
    comparisons["p_adjusted_endpoints"] = across
    summary = describe_groups(table, chosen, group=group, groups=order, quartiles=plan.quartiles)
    if dose is not None and doses is not None:
        at = comparisons.columns.get_loc("group") + 1
        comparisons.insert(at, dose, comparisons["group"].map(doses).astype(float))
        summary.insert(2, dose, summary["group"].map(doses).astype(float))
    return GroupComparison(
        comparisons=comparisons,
        summary=summary,
        assumptions=pd.DataFrame(checks, columns=list(ASSUMPTION_COLUMNS)),
        trend=pd.DataFrame(trends, columns=list(TREND_COLUMNS)),
        missing=missing_values(table, chosen, group),
        models=models.models,
        anova=models.anova,
        latency=models.latency,
        locomotion=_locomotion(comparisons, [e for e in chosen if e not in models.censoring]),
        notes=list(dict.fromkeys(notes)),
        warnings=list(dict.fromkeys(doubts)),
        plan=plan,
        censored=models.censoring,
        session_s=models.session_s,
        survival=models.survival,
        groups=order,
        control=control,
        endpoints=chosen,
        dose=dose,
    )


def _locomotion(comparisons: pd.DataFrame, endpoints: list[str]) -> pd.DataFrame:
    """Return the anxiety-beside-locomotion table when both kinds of endpoint were analysed."""
    from assaykit.stats.locomotion import ANXIETY_ENDPOINTS, LOCOMOTOR_ENDPOINTS, anxiety_locomotion_table

    comparisons = comparisons[comparisons["endpoint"].isin(endpoints)]
    if comparisons.empty or not (
        set(endpoints) & set(ANXIETY_ENDPOINTS) and set(endpoints) & set(LOCOMOTOR_ENDPOINTS)
    ):
        return pd.DataFrame()
    return anxiety_locomotion_table(comparisons)


def _in_order(frame: pd.DataFrame, endpoints: list[str], groups: list[str]) -> pd.DataFrame:
    """Sort model rows by endpoint, analysis and stratum (as they came) and then by the groups' order."""
    if frame.empty:
        return frame
    keys = pd.DataFrame(index=frame.index)
    keys["endpoint"] = frame["endpoint"].map({e: i for i, e in enumerate(endpoints)}).fillna(len(endpoints))
    for column in ("analysis", "stratum"):
        if column in frame.columns:
            keys[column] = frame[column].map({v: i for i, v in enumerate(pd.unique(frame[column]))})
    keys["group"] = frame["group"].map({g: i for i, g in enumerate(groups)}).fillna(len(groups))
    keys["row"] = np.arange(len(frame))
    return frame.loc[keys.sort_values(list(keys.columns)).index].reset_index(drop=True)
