"""Every treated group against the control, per endpoint: both families of tests, a headline, effect sizes.

For each endpoint, the groups with at least 2 values are compared with the control by two families of
tests, and both are always reported:

* parametric: Welch's t (two groups) or one-way ANOVA with Dunnett's test (three or more);
* nonparametric: Mann-Whitney U (two groups) or Kruskal-Wallis with Dunn's test, Holm-adjusted (three or
  more).

One family is the headline (columns ``test``, ``statistic``, ``df``, ``p_value``, ``p_adjusted``,
``omnibus_*``), the other is reported beside it (``alternative_*``). With ``test="auto"`` the headline is
chosen per endpoint by :data:`~assaykit.stats.headline.HEADLINE_RULE`. Hedges' g with its 95% CI and the
difference of means with its 95% CI (Welch, or Dunnett's simultaneous interval) are reported whichever
family is the headline.
When doses are given, a dose-response trend is tested across the control and the doses of each compound
(Jonckheere-Terpstra and a linear contrast). p-values are adjusted within an endpoint (over its
comparisons with the control), not across endpoints.

This module holds :class:`GroupComparison` and :func:`compare_groups`, which runs the pieces over every
endpoint: the input checks and group order (:mod:`assaykit.stats.inputs`), the assumption checks and
headline rule (:mod:`assaykit.stats.headline`), the comparison rows of one endpoint
(:mod:`assaykit.stats.comparison_rows`) and the trend (:mod:`assaykit.stats.trend`); the tables' columns
are in :mod:`assaykit.stats.columns`. The names of those modules used elsewhere are importable from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.tables import closest_name
from assaykit.stats.columns import ASSUMPTION_COLUMNS, COMPARISON_COLUMNS, MISSING_COLUMNS, TREND_COLUMNS
from assaykit.stats.comparison_rows import analyse_endpoint
from assaykit.stats.describe import describe_groups
from assaykit.stats.headline import ALPHA, HEADLINE_RULE, TESTS
from assaykit.stats.inputs import (
    DESIGN_INFO,
    EPM_ENDPOINTS,
    LDB_ENDPOINTS,
    default_endpoints,
    group_order,
    missing_values,
    numeric_endpoint,
)
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
    notes
        Sentences worth reading before the numbers (groups not tested, degenerate data, trends not
        tested).
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
    notes: list[str] = field(default_factory=list)
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
    test: str = "auto",
    dose: str | None = None,
    compound: str | None = None,
    alpha: float = ALPHA,
) -> GroupComparison:
    """Compare every group with the control for each endpoint.

    Parameters
    ----------
    data
        One row per animal (excluded animals already removed): the ``group`` column and numeric endpoint
        columns, NaN where an animal has no value. An ``animal`` column and a ``flags`` column, when
        present, name the animals without a value and say why.
    endpoints
        The endpoint columns; :func:`~assaykit.stats.inputs.default_endpoints` when None or empty.
    group
        The group column.
    control
        The control group.
    test
        ``"auto"`` (the headline by :data:`~assaykit.stats.headline.HEADLINE_RULE`), ``"parametric"`` or
        ``"nonparametric"``.
    dose
        A dose column (one dose per group); when given, groups are ordered by dose and a dose-response
        trend is tested. The control's dose is taken as 0 when empty.
    compound
        A column naming the drug of each group: the trend is tested per compound, each with the control.
        Without it, every group with a dose is one series (leave a positive control's dose empty to keep
        it out).
    alpha
        Significance level of the assumption checks of ``test="auto"``.

    Returns
    -------
    GroupComparison
        The comparison, summary, assumption, trend and missing-value tables, and notes.

    Raises
    ------
    AssayInputError
        When the group column, the control group or an endpoint column is missing, or an endpoint has a
        value that is not a finite number.
    ValueError
        When ``test`` is not one of :data:`~assaykit.stats.headline.TESTS` or ``dose``/``compound`` is not a
        column.

    Notes
    -----
    Per endpoint, a group with fewer than 2 values gets its row with NaN statistics and a note, and the
    other groups are still tested: the families (ANOVA/Dunnett, Kruskal-Wallis/Dunn) are formed by the
    control and the groups that can be tested. Two groups in that family give Welch's t and Mann-Whitney U,
    three or more give the many-to-one tests. With fewer than 2 values in the control nothing is tested.
    """
    if test not in TESTS:
        raise ValueError(f"test must be one of {', '.join(TESTS)}, got {test!r}")
    for name, column in (("dose", dose), ("compound", compound)):
        if column is not None and column not in data.columns:
            raise ValueError(f"{name} column {column!r} is not in the data")
    source = data.attrs.get("source")
    if group not in data.columns:
        raise AssayInputError(f"no '{group}' column to take the groups from", path=source)
    labels = data[group].map(lambda v: "" if pd.api.types.is_scalar(v) and pd.isna(v) else str(v).strip())
    groups_present = [g for g in pd.unique(labels) if g]
    if control not in groups_present:
        message = f"no group named '{control}' (the control); the groups are {', '.join(groups_present)}"
        suggestion = closest_name(groups_present, [control])
        if suggestion is not None:
            message += f"; did you mean '{suggestion[0]}'?"
        raise AssayInputError(message, path=source)
    table = data.assign(**{group: labels})
    table = table[table[group] != ""]
    chosen = list(dict.fromkeys(endpoints)) if endpoints else default_endpoints(table, group=group)
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
    rows: list[dict] = []
    checks: list[dict] = []
    trends: list[dict] = []
    labels_arr = table[group].to_numpy()
    for endpoint in chosen:
        values = table[endpoint].to_numpy(dtype=float)
        samples = {g: values[(labels_arr == g) & ~np.isnan(values)] for g in order}
        analysis = analyse_endpoint(endpoint, samples, control, test=test, alpha=alpha, notes=notes)
        rows.extend(analysis.rows)
        checks.extend(analysis.checks)
        if doses is not None and analysis.usable:
            trends.extend(trend_rows(endpoint, samples, analysis, control, doses, compounds, notes))

    comparisons = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    summary = describe_groups(table, chosen, group=group, groups=order)
    if dose is not None and doses is not None:
        comparisons.insert(2, dose, comparisons["group"].map(doses).astype(float))
        summary.insert(2, dose, summary["group"].map(doses).astype(float))
    return GroupComparison(
        comparisons=comparisons,
        summary=summary,
        assumptions=pd.DataFrame(checks, columns=list(ASSUMPTION_COLUMNS)),
        trend=pd.DataFrame(trends, columns=list(TREND_COLUMNS)),
        missing=missing_values(table, chosen, group),
        notes=list(dict.fromkeys(notes)),
        groups=order,
        control=control,
        endpoints=chosen,
        dose=dose,
    )
