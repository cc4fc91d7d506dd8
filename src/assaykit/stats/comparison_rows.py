"""The comparison rows of one endpoint: every group against the control by both families of tests.

The parametric family is Welch's t (two groups) or one-way ANOVA with Dunnett's test (three or more); the
nonparametric one is Mann-Whitney U (two groups) or Kruskal-Wallis with Dunn's test, Holm-adjusted (three
or more). :func:`analyse_endpoint` runs both, puts the headline family (chosen by
:func:`~assaykit.stats.headline.choose_headline`) in the main columns and the other in the
``alternative_*`` ones, and adds the difference of means and Hedges' g with their 95% CIs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from assaykit.stats.columns import COMPARISON_COLUMNS
from assaykit.stats.effect_size import hedges_g
from assaykit.stats.headline import check_assumptions, choose_headline
from assaykit.stats.parametric import dunnett_vs_control, one_way_anova, pooled_variance, welch_t
from assaykit.stats.rank import dunn_vs_control, kruskal_wallis, mann_whitney
from assaykit.stats.results import TestResult


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
class EndpointAnalysis:
    """What :func:`analyse_endpoint` found for one endpoint.

    Attributes
    ----------
    rows
        One row per group other than the control (:data:`~assaykit.stats.columns.COMPARISON_COLUMNS`).
    checks
        The assumption checks (:data:`~assaykit.stats.columns.ASSUMPTION_COLUMNS`).
    usable
        The control and the groups tested, control first; empty when nothing was tested.
    headline
        The headline family: ``"parametric"`` or ``"nonparametric"``.
    variance, df_error
        The variance pooled over the usable groups and its degrees of freedom (for the linear trend).
    """

    rows: list[dict]
    checks: list[dict]
    usable: list[str]
    headline: str
    variance: float = math.nan
    df_error: int = 0


def analyse_endpoint(
    endpoint: str,
    samples: dict[str, np.ndarray],
    control: str,
    *,
    test: str,
    alpha: float,
    notes: list[str],
) -> EndpointAnalysis:
    """Compare every group with the control for one endpoint.

    Parameters
    ----------
    endpoint
        The endpoint, for the rows and notes.
    samples
        The values of each group, NaN removed, in the order of the rows: the control first.
    control
        The control group.
    test
        ``"auto"``, ``"parametric"`` or ``"nonparametric"``.
    alpha
        Significance level of the assumption checks.
    notes
        Sentences for the reader; the groups not tested and degenerate data are appended to it.

    Returns
    -------
    EndpointAnalysis
        The comparison rows, the assumption checks, the groups tested and the headline family.
    """
    n = {g: int(v.size) for g, v in samples.items()}
    others = [g for g in samples if g != control]
    checks, shapiro, levene = check_assumptions(endpoint, samples, alpha)

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
    headline, choice = choose_headline(test, usable, samples, shapiro, levene, alpha)
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
    return EndpointAnalysis(rows, checks, usable, headline, variance, df_error)


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
