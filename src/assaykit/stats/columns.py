"""The columns of the tables of :class:`~assaykit.stats.compare.GroupComparison`, in order.

One tuple per table: comparisons, assumption checks, dose-response trend and missing values.
"""

from __future__ import annotations

#: Columns of ``GroupComparison.comparisons`` (the dose column, when given, follows ``group``).
COMPARISON_COLUMNS = (
    "endpoint",
    "role",
    "group",
    "control",
    "n_group",
    "n_control",
    "mean_group",
    "mean_control",
    "difference",
    "difference_ci_low",
    "difference_ci_high",
    "difference_ci_type",
    "test",
    "statistic",
    "df",
    "p_value",
    "p_adjusted",
    "p_adjusted_endpoints",
    "hedges_g",
    "hedges_g_ci_low",
    "hedges_g_ci_high",
    "hedges_g_ci_type",
    "omnibus_test",
    "omnibus_statistic",
    "omnibus_df",
    "omnibus_df_error",
    "omnibus_p",
    "alternative_test",
    "alternative_statistic",
    "alternative_df",
    "alternative_p_value",
    "alternative_p_adjusted",
    "alternative_omnibus_test",
    "alternative_omnibus_statistic",
    "alternative_omnibus_df",
    "alternative_omnibus_df_error",
    "alternative_omnibus_p",
    "test_choice",
    "flags",
    "note",
)

#: Columns of ``GroupComparison.assumptions``.
ASSUMPTION_COLUMNS = (
    "endpoint",
    "check",
    "group",
    "n",
    "statistic",
    "df",
    "df_error",
    "p_value",
    "rejected",
    "note",
)

#: Columns of ``GroupComparison.trend``.
TREND_COLUMNS = (
    "endpoint",
    "compound",
    "test",
    "headline",
    "groups",
    "doses",
    "n",
    "statistic",
    "z",
    "df",
    "estimate",
    "p_value",
    "direction",
)

#: Columns of ``GroupComparison.missing`` (the same as the exclusions table of the design).
MISSING_COLUMNS = ("animal", "group", "excluded_by", "endpoints", "reason")

#: Columns of ``GroupComparison.models``: every group against the control from a fitted model (factorial,
#: blocked, ANCOVA, GLM, survival), one row per endpoint x analysis x stratum x group.
#:
#: * ``analysis``: ``factorial``, ``blocked``, ``ancova``, ``poisson``, ``negative_binomial``, ``binomial``,
#:   ``logrank``, ``cox``;
#: * ``model``: the model as fitted, in words or as a formula (``open_time_pct ~ C(group) * C(sex)``);
#: * ``stratum``: empty when pooled over the other factor, else ``sex=F`` and the like;
#: * ``scale``: what ``estimate`` is: ``difference`` (of means, in the endpoint's unit), ``rate_ratio``,
#:   ``odds_ratio`` or ``hazard_ratio`` (ratios and their intervals on the ratio scale);
#: * ``ci_type``: ``simultaneous`` (over the family of comparisons with the control) or ``per_comparison``;
#: * ``p_adjusted``: over the comparisons with the control within the endpoint, analysis and stratum;
#:   ``adjustment`` names the method (``dunnett``, ``dunnett-qmc``, ``holm``, ``none``).
MODEL_COLUMNS = (
    "endpoint",
    "analysis",
    "model",
    "stratum",
    "group",
    "control",
    "n_group",
    "n_control",
    "scale",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "ci_type",
    "statistic",
    "df",
    "p_value",
    "p_adjusted",
    "adjustment",
    "note",
)
