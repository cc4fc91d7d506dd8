"""Every treated group against the control, per endpoint: both families of tests, a headline, effect sizes.

For each endpoint, the groups with at least 2 values are compared with the control by two families of
tests, and both are always reported:

* parametric: Welch's t (two groups) or one-way ANOVA with Dunnett's test (three or more);
* nonparametric: Mann-Whitney U (two groups) or Kruskal-Wallis with Dunn's test, Holm-adjusted (three or
  more).

One family is the headline (columns ``test``, ``statistic``, ``df``, ``p_value``, ``p_adjusted``,
``omnibus_*``), the other is reported beside it (``alternative_*``). With ``test="auto"`` the headline is
chosen per endpoint by :data:`HEADLINE_RULE`. Hedges' g with its 95% CI and the difference of means with
its 95% CI (Welch, or Dunnett's simultaneous interval) are reported whichever family is the headline.
When doses are given, a dose-response trend is tested across the control and the doses of each compound
(Jonckheere-Terpstra and a linear contrast). p-values are adjusted within an endpoint (over its
comparisons with the control), not across endpoints.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.tables import closest_name
from assaykit.stats.assumptions import brown_forsythe, shapiro_wilk
from assaykit.stats.describe import describe_groups
from assaykit.stats.effect_size import hedges_g
from assaykit.stats.parametric import (
    dunnett_vs_control,
    linear_trend,
    one_way_anova,
    pooled_variance,
    welch_t,
)
from assaykit.stats.rank import dunn_vs_control, jonckheere_terpstra, kruskal_wallis, mann_whitney
from assaykit.stats.results import TestResult

#: Accepted values of ``test``.
TESTS = ("auto", "parametric", "nonparametric")

#: Significance level of the assumption checks behind ``test="auto"``.
ALPHA = 0.05

#: How ``test="auto"`` picks the headline family of an endpoint (also in the README).
HEADLINE_RULE = (
    "parametric, unless a group with 3 or more values is constant (a floor or ceiling) or Shapiro-Wilk "
    "rejects its normality at alpha 0.05, or, with 3 or more groups (where Dunnett's test pools the "
    "variances), the Brown-Forsythe test rejects equal variances at alpha 0.05; then nonparametric. A "
    "group with 2 values cannot be checked for normality and does not vote; when no group can be checked "
    "the headline stays parametric and test_choice says so"
)

#: The main endpoints of each assay, analysed by default when their columns are present.
EPM_ENDPOINTS = (
    "open_time_pct",
    "open_entries_pct",
    "open_time_s",
    "open_entries",
    "total_entries",
    "latency_open_s",
    "distance_cm",
)
LDB_ENDPOINTS = ("light_time_s", "light_time_pct", "latency_light_s", "transitions", "distance_cm")

#: Columns that describe the animal rather than measure it: never taken as endpoints by default.
DESIGN_INFO = ("animal", "group", "compound", "sex", "cohort", "excluded", "reason", "exclusion_reason")

#: Columns of ``GroupComparison.comparisons`` (the dose column, when given, follows ``group``).
COMPARISON_COLUMNS = (
    "endpoint",
    "group",
    "control",
    "n_group",
    "n_control",
    "mean_group",
    "mean_control",
    "difference",
    "difference_ci_low",
    "difference_ci_high",
    "test",
    "statistic",
    "df",
    "p_value",
    "p_adjusted",
    "hedges_g",
    "hedges_g_ci_low",
    "hedges_g_ci_high",
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


@dataclass
class GroupComparison:
    """What :func:`compare_groups` found.

    Attributes
    ----------
    comparisons
        One row per endpoint x group other than the control (:data:`COMPARISON_COLUMNS`).
    summary
        One row per endpoint x group, control included: n, n_missing, mean, SD, SEM, median, quartiles,
        IQR, range (:func:`assaykit.stats.describe.describe_groups`).
    assumptions
        Shapiro-Wilk per endpoint x group and Brown-Forsythe per endpoint (:data:`ASSUMPTION_COLUMNS`).
    trend
        Dose-response trend tests per endpoint x compound, both tests, ``headline`` marking the one of the
        endpoint's headline family (:data:`TREND_COLUMNS`); empty without doses.
    missing
        The animals left out of an endpoint for want of a value (:data:`MISSING_COLUMNS`), with the
        reason given by a ``flags`` column when the table has one.
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


def default_endpoints(data: pd.DataFrame, *, group: str = "group") -> list[str]:
    """Choose the endpoints to analyse when none are named.

    The assay's main endpoints when the table is an EPM (:data:`EPM_ENDPOINTS`) or light-dark box
    (:data:`LDB_ENDPOINTS`) endpoint table, in that order; otherwise every numeric column that is not
    design information (:data:`DESIGN_INFO`, the group column, a ``dose_...`` column).

    Parameters
    ----------
    data
        The table.
    group
        The group column.

    Returns
    -------
    list of str
        Column names.
    """
    columns = [str(c) for c in data.columns]
    for preset in (EPM_ENDPOINTS, LDB_ENDPOINTS):
        if any(c in columns for c in preset[:-1]):  # all but distance_cm, which both have
            return [c for c in preset if c in columns]
    skip = {*DESIGN_INFO, group}
    return [
        c
        for c in columns
        if c not in skip
        and not c.lower().startswith("dose")
        and data[c].dtype.kind in "iuf"
        and data[c].notna().any()
    ]


def group_order(
    data: pd.DataFrame,
    control: str,
    *,
    group: str = "group",
    dose: str | None = None,
    compound: str | None = None,
) -> list[str]:
    """Order the groups: the control first, then the others in their order of first appearance in ``data``.

    With a dose column, the others are sorted by dose (groups without a dose last), within each compound
    when a compound column is given (compounds in order of first appearance).

    Parameters
    ----------
    data
        One row per animal.
    control
        The control group.
    group, dose, compound
        Column names; ``dose`` and ``compound`` may be None.

    Returns
    -------
    list of str
        The group names.
    """
    order = [str(g) for g in pd.unique(data[group])]
    others = [g for g in order if g != control]
    if dose is not None:
        doses = data.groupby(group, sort=False)[dose].first()
        compounds = (
            data.groupby(group, sort=False)[compound].first().astype(str)
            if compound is not None
            else pd.Series("", index=doses.index)
        )
        rank = {c: i for i, c in enumerate(pd.unique(compounds[others]))} if others else {}

        def key(name: str) -> tuple[int, bool, float, int]:
            value = float(doses[name])
            return (
                rank[compounds[name]],
                math.isnan(value),
                0.0 if math.isnan(value) else value,
                order.index(name),
            )

        others.sort(key=key)
    return [control, *others]


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
        The endpoint columns; :func:`default_endpoints` when None or empty.
    group
        The group column.
    control
        The control group.
    test
        ``"auto"`` (the headline by :data:`HEADLINE_RULE`), ``"parametric"`` or ``"nonparametric"``.
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
        When ``test`` is not one of :data:`TESTS` or ``dose``/``compound`` is not a column.

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
        table[endpoint] = _numeric(table, endpoint, source)
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
        analysis = _analyse(endpoint, samples, control, test=test, alpha=alpha, notes=notes)
        rows.extend(analysis.rows)
        checks.extend(analysis.checks)
        if doses is not None and analysis.usable:
            trends.extend(_trend(endpoint, samples, analysis, control, doses, compounds, notes))

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
        missing=_missing(table, chosen, group),
        notes=list(dict.fromkeys(notes)),
        groups=order,
        control=control,
        endpoints=chosen,
        dose=dose,
    )


# --- one endpoint ----------------------------------------------------------------------------------------


@dataclass
class _Family:
    """One family of tests of the groups against the control, for one endpoint."""

    test: str = ""
    omnibus_test: str = ""
    omnibus: TestResult | None = None
    per_group: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    ci: dict[str, tuple[float, float]] = field(default_factory=dict)
    note: str = ""


@dataclass
class _Analysis:
    rows: list[dict]
    checks: list[dict]
    usable: list[str]
    headline: str
    variance: float = math.nan
    df_error: int = 0


def _analyse(
    endpoint: str,
    samples: dict[str, np.ndarray],
    control: str,
    *,
    test: str,
    alpha: float,
    notes: list[str],
) -> _Analysis:
    n = {g: int(v.size) for g, v in samples.items()}
    others = [g for g in samples if g != control]
    checks = []
    shapiro = {}
    for name, values in samples.items():
        result = shapiro_wilk(values)
        shapiro[name] = result
        note = ""
        if values.size < 3:
            note = f"{values.size} value(s): not checked (Shapiro-Wilk needs 3)"
        elif np.ptp(values) == 0:
            note = "all values equal: not normal (a floor or ceiling)"
        checks.append(_check(endpoint, "shapiro_wilk", name, values.size, result, alpha, note))
    enough = [g for g in samples if n[g] >= 2]
    levene = (
        brown_forsythe([samples[g] for g in enough]) if len(enough) >= 2 else TestResult(math.nan, math.nan)
    )
    lev_note = f"over {', '.join(enough)}" if len(enough) >= 2 else "fewer than 2 groups with 2 values"
    if len(enough) >= 2 and math.isnan(levene.p_value):
        lev_note = "no variation within any group"
    checks.append(_check(endpoint, "brown_forsythe", "", sum(n[g] for g in enough), levene, alpha, lev_note))

    row_notes = dict.fromkeys(others, "")
    if n[control] < 2:
        tested: list[str] = []
        for name in others:
            row_notes[name] = f"the control has {n[control]} value(s): not tested"
        notes.append(f"{endpoint}: the control '{control}' has {n[control]} value(s); no group was tested")
    else:
        tested = [g for g in others if n[g] >= 2]
        for name in others:
            if n[name] < 2:
                row_notes[name] = f"{n[name]} value(s) in this group: not tested"
                notes.append(
                    f"{endpoint}: group '{name}' has {n[name]} value(s); not tested, the others were"
                )
    usable = [control, *tested] if tested else []
    headline, choice = _choose(test, usable, samples, shapiro, levene, alpha)
    parametric, nonparametric = _families(usable, samples, control)
    for family in (parametric, nonparametric):
        if family.note:
            notes.append(f"{endpoint}: {family.note}")
    head, alt = (parametric, nonparametric) if headline == "parametric" else (nonparametric, parametric)

    rows = []
    reference = samples[control]
    for name in others:
        values = samples[name]
        mean_group = float(values.mean()) if values.size else math.nan
        mean_control = float(reference.mean()) if reference.size else math.nan
        row: dict[str, object] = dict.fromkeys(COMPARISON_COLUMNS, math.nan)
        row |= {
            "endpoint": endpoint,
            "group": name,
            "control": control,
            "n_group": n[name],
            "n_control": n[control],
            "mean_group": mean_group,
            "mean_control": mean_control,
            "difference": mean_group - mean_control,
            "test": "",
            "omnibus_test": "",
            "alternative_test": "",
            "alternative_omnibus_test": "",
            "test_choice": "",
            "note": row_notes[name],
        }
        if name in tested:
            effect = hedges_g(values, reference)
            low, high = parametric.ci.get(name, (math.nan, math.nan))
            row |= {
                "difference_ci_low": low,
                "difference_ci_high": high,
                "hedges_g": effect.g,
                "hedges_g_ci_low": effect.ci_low,
                "hedges_g_ci_high": effect.ci_high,
                "test_choice": choice,
                "note": "; ".join(f.note for f in (head, alt) if f.note),
            }
            row |= _family_columns(head, name, "")
            row |= _family_columns(alt, name, "alternative_")
        rows.append(row)
    variance, df_error = pooled_variance([samples[g] for g in usable]) if usable else (math.nan, 0)
    return _Analysis(rows, checks, usable, headline, variance, df_error)


def _check(
    endpoint: str, check: str, group: str, n: int, result: TestResult, alpha: float, note: str
) -> dict[str, object]:
    p = result.p_value
    return {
        "endpoint": endpoint,
        "check": check,
        "group": group,
        "n": n,
        "statistic": result.statistic,
        "df": result.df,
        "df_error": result.df_error,
        "p_value": p,
        "rejected": None if math.isnan(p) else bool(p < alpha),
        "note": note,
    }


def _choose(
    test: str,
    usable: list[str],
    samples: dict[str, np.ndarray],
    shapiro: dict[str, TestResult],
    levene: TestResult,
    alpha: float,
) -> tuple[str, str]:
    """Pick the headline family of one endpoint; return it and the reason, for ``test_choice``."""
    if test != "auto":
        return test, f"{test} (chosen)"
    if not usable:
        return "parametric", ""
    checked = [g for g in usable if samples[g].size >= 3]
    unchecked = [g for g in usable if samples[g].size < 3]
    constant = [g for g in checked if np.ptp(samples[g]) == 0]
    if constant:
        return "nonparametric", f"auto: nonparametric: all values equal in {', '.join(constant)}"
    rejected = [g for g in checked if shapiro[g].p_value < alpha]
    if rejected:
        worst = min(rejected, key=lambda g: shapiro[g].p_value)
        where = ", ".join(rejected)
        return (
            "nonparametric",
            f"auto: nonparametric: Shapiro-Wilk rejects normality in {where} ({_p(shapiro[worst].p_value)})",
        )
    many = len(usable) >= 3
    if many and levene.p_value < alpha:
        return (
            "nonparametric",
            f"auto: nonparametric: Brown-Forsythe rejects equal variances ({_p(levene.p_value)})",
        )
    parts = []
    if checked:
        scope = "every group" if not unchecked else ", ".join(checked)
        parts.append(f"Shapiro-Wilk p >= {alpha:g} in {scope}")
    if unchecked:
        parts.append(f"normality not checked in {', '.join(unchecked)} (n < 3)")
    if many:
        levene_text = _p(levene.p_value) if not math.isnan(levene.p_value) else "not computable"
        parts.append(f"Brown-Forsythe {levene_text}")
    return "parametric", "auto: parametric: " + "; ".join(parts)


def _families(usable: list[str], samples: dict[str, np.ndarray], control: str) -> tuple[_Family, _Family]:
    """Run both families over the control and the testable groups."""
    if not usable:
        return _Family(), _Family()
    tested = usable[1:]
    reference = samples[control]
    if len(tested) == 1:
        name = tested[0]
        welch = welch_t(samples[name], reference)
        parametric = _Family(
            test="welch_t",
            per_group={name: (welch.statistic, welch.df, welch.p_value, welch.p_value)},
            ci={name: (welch.ci_low, welch.ci_high)},
            note="no variation within either group: Welch's t undefined"
            if math.isnan(welch.statistic)
            else "",
        )
        mw = mann_whitney(samples[name], reference)
        nonparametric = _Family(
            test="mann_whitney_u",
            per_group={name: (mw.statistic, math.nan, mw.p_value, mw.p_value)},
            note="all values equal: Mann-Whitney U undefined" if math.isnan(mw.p_value) else "",
        )
        return parametric, nonparametric
    arrays = [samples[g] for g in tested]
    anova = one_way_anova([reference, *arrays])
    dunnett = dunnett_vs_control(arrays, reference)
    degenerate = math.isnan(anova.statistic)
    parametric = _Family(
        test="dunnett",
        omnibus_test="anova",
        omnibus=anova,
        per_group={
            g: (
                float(dunnett.statistic[i]),
                dunnett.df,
                float(dunnett.p_value[i]),
                float(dunnett.p_adjusted[i]),
            )
            for i, g in enumerate(tested)
        },
        ci={g: (float(dunnett.ci_low[i]), float(dunnett.ci_high[i])) for i, g in enumerate(tested)}
        if dunnett.ci_low is not None and dunnett.ci_high is not None
        else {},
        note="no variation within any group: ANOVA and Dunnett undefined"
        if degenerate
        else "; ".join(dunnett.notes),
    )
    kw = kruskal_wallis([reference, *arrays])
    dunn = dunn_vs_control(arrays, reference)
    nonparametric = _Family(
        test="dunn_holm",
        omnibus_test="kruskal_wallis",
        omnibus=kw,
        per_group={
            g: (float(dunn.statistic[i]), math.nan, float(dunn.p_value[i]), float(dunn.p_adjusted[i]))
            for i, g in enumerate(tested)
        },
        note="all values equal: Kruskal-Wallis and Dunn undefined" if math.isnan(kw.statistic) else "",
    )
    return parametric, nonparametric


def _family_columns(family: _Family, name: str, prefix: str) -> dict[str, object]:
    statistic, df, p, p_adjusted = family.per_group.get(name, (math.nan,) * 4)
    omnibus = family.omnibus or TestResult(math.nan, math.nan)
    out: dict[str, object] = {
        f"{prefix}test": family.test,
        f"{prefix}statistic": statistic,
        f"{prefix}df": df,
        f"{prefix}p_adjusted": p_adjusted,
        f"{prefix}omnibus_test": family.omnibus_test,
        f"{prefix}omnibus_statistic": omnibus.statistic,
        f"{prefix}omnibus_df": omnibus.df,
        f"{prefix}omnibus_df_error": omnibus.df_error,
        f"{prefix}omnibus_p": omnibus.p_value,
    }
    out["p_value" if not prefix else f"{prefix}p_value"] = p
    return out


# --- dose-response trend ---------------------------------------------------------------------------------


def _trend(
    endpoint: str,
    samples: dict[str, np.ndarray],
    analysis: _Analysis,
    control: str,
    doses: pd.Series,
    compounds: pd.Series | None,
    notes: list[str],
) -> list[dict[str, object]]:
    """Trend tests of one endpoint: per compound, over the control and that compound's doses."""
    dosed = [g for g in analysis.usable[1:] if not math.isnan(float(doses[g]))]
    if compounds is None:
        series = {"": dosed}
    else:
        series = {}
        for name in dosed:
            series.setdefault(str(compounds[name]), []).append(name)
    control_dose = float(doses[control]) if not math.isnan(float(doses[control])) else 0.0
    rows = []
    for compound, members in series.items():
        level = {control: control_dose} | {g: float(doses[g]) for g in members}
        groups = sorted(level, key=lambda g: level[g])
        distinct = sorted(set(level.values()))
        label = f"'{compound}'" if compound else "the dosed groups"
        if len(distinct) < 3:
            notes.append(
                f"dose-response trend for {label} not tested: {len(distinct)} dose level(s) with the "
                "control; it needs 3"
            )
            continue
        by_level = [np.concatenate([samples[g] for g in groups if level[g] == d]) for d in distinct]
        jt = jonckheere_terpstra(by_level)
        contrast = linear_trend(
            [samples[g] for g in groups],
            [level[g] for g in groups],
            variance=analysis.variance,
            df_error=analysis.df_error,
        )
        common = {
            "endpoint": endpoint,
            "compound": compound,
            "groups": "; ".join(groups),
            "doses": "; ".join(f"{level[g]:g}" for g in groups),
            "n": int(sum(samples[g].size for g in groups)),
        }
        for name, result, family in (
            ("jonckheere_terpstra", jt, "nonparametric"),
            ("linear_contrast", contrast, "parametric"),
        ):
            sign = result.z if name == "jonckheere_terpstra" else result.statistic
            rows.append(
                common
                | {
                    "test": name,
                    "headline": analysis.headline == family,
                    "statistic": result.statistic,
                    "z": result.z,
                    "df": result.df,
                    "estimate": result.estimate,
                    "p_value": result.p_value,
                    "direction": ""
                    if math.isnan(sign) or sign == 0
                    else "increasing"
                    if sign > 0
                    else "decreasing",
                }
            )
    return rows


# --- input ----------------------------------------------------------------------------------------------


def _numeric(table: pd.DataFrame, column: str, source: object) -> pd.Series:
    """Return an endpoint column as float64 (NaN = no value); raise for a missing column or a non-number."""
    if column not in table.columns:
        names = [str(c) for c in table.columns]
        message = f"no endpoint column '{column}'; the columns are {', '.join(names)}"
        suggestion = closest_name(names, [column])
        if suggestion is not None:
            message += f"; did you mean '{suggestion[0]}'?"
        raise AssayInputError(message, path=source)
    values = table[column]
    if values.dtype.kind == "b":
        raise AssayInputError("true/false values are not an endpoint to average", path=source, column=column)
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    text = values.astype(object).where(values.notna(), "")
    bad = numbers.isna() & text.map(lambda v: str(v).strip() != "")
    if bad.any() or np.isinf(numbers.to_numpy()).any():
        at = int(np.flatnonzero(bad.to_numpy() | np.isinf(numbers.to_numpy()))[0])
        animal = f" for animal '{table['animal'].iloc[at]}'" if "animal" in table.columns else ""
        raise AssayInputError(
            f"'{values.iloc[at]}'{animal} is not a finite number", path=source, column=column
        )
    return numbers


def _missing(table: pd.DataFrame, endpoints: list[str], group: str) -> pd.DataFrame:
    """One row per animal without a value for some endpoint, with the reason from ``flags`` if any."""
    values = table[endpoints].to_numpy(dtype=float)
    absent = np.isnan(values)
    rows = []
    animals = (
        table["animal"]
        if "animal" in table.columns
        else pd.Series(table.index.astype(str), index=table.index)
    )
    flags = table["flags"] if "flags" in table.columns else None
    for i in np.flatnonzero(absent.any(axis=1)):
        which = [e for e, gone in zip(endpoints, absent[i], strict=True) if gone]
        reason = "" if flags is None else str(flags.iloc[i] if pd.notna(flags.iloc[i]) else "")
        rows.append(
            {
                "animal": str(animals.iloc[i]),
                "group": str(table[group].iloc[i]),
                "excluded_by": "missing value",
                "endpoints": "all" if len(which) == len(endpoints) else "; ".join(which),
                "reason": reason or "no value",
            }
        )
    return pd.DataFrame(rows, columns=list(MISSING_COLUMNS))


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
