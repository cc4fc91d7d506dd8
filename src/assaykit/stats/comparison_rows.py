"""The comparison rows of one endpoint: every group against the control by both families of tests.

The parametric family is Welch's t (two groups) or one-way ANOVA with Dunnett's test (three or more), or,
with ``test="welch"``, Welch's ANOVA with Dunnett's T3; the rank family is Mann-Whitney U (two groups) or
Kruskal-Wallis with Dunn's test (Holm- or Bonferroni-adjusted), or with ``test="steel"`` Steel's
many-to-one rank test. :func:`analyse_endpoint` runs both, puts the headline family (the study's
pre-specified one, see :mod:`assaykit.stats.plan`) in the main columns and the other in the
``alternative_*`` ones, and adds the difference of means and Hedges' g with their 95% CIs, saying which
interval is simultaneous and which is per comparison.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from assaykit.stats.columns import COMPARISON_COLUMNS
from assaykit.stats.effect_size import hedges_g
from assaykit.stats.headline import assumption_warnings, check_assumptions, choose_headline
from assaykit.stats.parametric import (
    dunnett_t3_vs_control,
    dunnett_vs_control,
    one_way_anova,
    pooled_variance,
    welch_anova,
    welch_t,
)
from assaykit.stats.rank import dunn_vs_control, kruskal_wallis, mann_whitney, steel_vs_control
from assaykit.stats.results import TestResult

#: What the interval of the difference of means is, by the parametric test that gave it
#: (``difference_ci_type``). Hedges' g's interval is always per comparison (``hedges_g_ci_type``).
CI_TYPES = {
    "welch_t": "per comparison (Welch)",
    "dunnett": "simultaneous (Dunnett)",
    "dunnett_t3": "simultaneous (Dunnett T3)",
}

#: Flag of a comparison whose group or control has no variation: Hedges' g is not reported.
ZERO_VARIANCE = "zero_variance"

#: The flags of a comparisons table, each in one plain sentence, for reports
#: (:func:`assaykit.methods.explain_flags`); ``censored`` is set by :mod:`assaykit.stats.latency_headline`.
FLAG_MEANINGS: dict[str, str] = {
    ZERO_VARIANCE: "The group or the control has no variation, so Hedges' g is not reported.",
    "censored": (
        "Some latencies are censored at the session length: the log-rank test is the headline, and the mean "
        "and Hedges' g are not results."
    ),
}


@dataclass
class _Family:
    """One family of tests of the groups against the control, for one endpoint."""

    test: str = ""
    omnibus_test: str = ""
    omnibus: TestResult | None = None
    per_group: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    ci: dict[str, tuple[float, float]] = field(default_factory=dict)
    ci_type: str = ""
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
    warnings
        Assumption checks that cast doubt on a pre-specified parametric family (the tests are kept).
    """

    rows: list[dict]
    checks: list[dict]
    usable: list[str]
    headline: str
    variance: float = math.nan
    df_error: int = 0
    warnings: list[str] = field(default_factory=list)


def analyse_endpoint(
    endpoint: str,
    samples: dict[str, np.ndarray],
    control: str,
    *,
    test: str,
    alpha: float,
    notes: list[str],
    dunn_adjust: str = "holm",
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
        The family of tests (:data:`~assaykit.stats.plan.TESTS`): ``parametric``, ``welch``,
        ``nonparametric``, ``steel`` or the exploratory ``auto``.
    alpha
        Significance level of the assumption checks.
    notes
        Sentences for the reader; the groups not tested and degenerate data are appended to it.
    dunn_adjust
        ``"holm"`` or ``"bonferroni"`` (GraphPad Prism's): the adjustment of Dunn's p-values.

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
    parametric, nonparametric = _families(usable, samples, control, test, dunn_adjust)
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
            "difference_ci_type": "",
            "hedges_g_ci_type": "",
            "flags": "",
            "note": row_notes[name],
        }
        if name in tested:
            low, high = parametric.ci.get(name, (math.nan, math.nan))
            constant = [label for label, v in ((name, values), (control, reference)) if np.ptp(v) == 0]
            row_note = [f.note for f in (head, alt) if f.note]
            if constant:
                # One group without variation makes the pooled SD small and g huge (g = 19 with a CI
                # of (12, 29) for latencies all at the session ceiling): a number no reader should quote.
                effect_g = effect_low = effect_high = math.nan
                row["flags"] = ZERO_VARIANCE
                row_note.append(f"no variation in {' and '.join(constant)}: Hedges' g not reported")
            else:
                effect = hedges_g(values, reference)
                effect_g, effect_low, effect_high = effect.g, effect.ci_low, effect.ci_high
            row |= {
                "difference_ci_low": low,
                "difference_ci_high": high,
                "difference_ci_type": parametric.ci_type if not math.isnan(low) else "",
                "hedges_g": effect_g,
                "hedges_g_ci_low": effect_low,
                "hedges_g_ci_high": effect_high,
                "hedges_g_ci_type": "per comparison" if not math.isnan(effect_low) else "",
                "test_choice": choice,
                "note": "; ".join(row_note),
            }
            row |= _family_columns(head, name, "")
            row |= _family_columns(alt, name, "alternative_")
        rows.append(row)
    variance, df_error = pooled_variance([samples[g] for g in usable]) if usable else (math.nan, 0)
    doubts = assumption_warnings(endpoint, usable, samples, shapiro, levene, alpha, test)
    return EndpointAnalysis(rows, checks, usable, headline, variance, df_error, doubts)


def _families(
    usable: list[str], samples: dict[str, np.ndarray], control: str, test: str, dunn_adjust: str
) -> tuple[_Family, _Family]:
    """Run the parametric and the rank family (each as ``test`` names it) over the testable groups."""
    if not usable:
        return _Family(), _Family()
    parametric_kind = "welch" if test == "welch" else "parametric"
    rank_kind = "steel" if test == "steel" else "nonparametric"
    return (
        _parametric_family(usable, samples, control, parametric_kind),
        _rank_family(usable, samples, control, rank_kind, dunn_adjust),
    )


def _parametric_family(usable: list[str], samples: dict[str, np.ndarray], control: str, kind: str) -> _Family:
    """Welch's t (two groups); ANOVA + Dunnett, or Welch's ANOVA + Dunnett's T3 (``kind="welch"``)."""
    tested = usable[1:]
    reference = samples[control]
    if len(tested) == 1:
        name = tested[0]
        welch = welch_t(samples[name], reference)
        return _Family(
            test="welch_t",
            per_group={name: (welch.statistic, welch.df, welch.p_value, welch.p_value)},
            ci={name: (welch.ci_low, welch.ci_high)},
            ci_type=CI_TYPES["welch_t"],
            note="no variation within either group: Welch's t undefined"
            if math.isnan(welch.statistic)
            else "",
        )
    arrays = [samples[g] for g in tested]
    if kind == "welch":
        omnibus, omnibus_test = welch_anova([reference, *arrays]), "welch_anova"
        family, test = dunnett_t3_vs_control(arrays, reference), "dunnett_t3"
        undefined = "no variation within the groups: Welch's ANOVA and Dunnett's T3 undefined"
    else:
        omnibus, omnibus_test = one_way_anova([reference, *arrays]), "anova"
        family, test = dunnett_vs_control(arrays, reference), "dunnett"
        undefined = "no variation within any group: ANOVA and Dunnett undefined"
    dfs = np.broadcast_to(np.asarray(family.df, dtype=float), (len(tested),))
    return _Family(
        test=test,
        omnibus_test=omnibus_test,
        omnibus=omnibus,
        per_group={
            g: (
                float(family.statistic[i]),
                float(dfs[i]),
                float(family.p_value[i]),
                float(family.p_adjusted[i]),
            )
            for i, g in enumerate(tested)
        },
        ci={g: (float(family.ci_low[i]), float(family.ci_high[i])) for i, g in enumerate(tested)}
        if family.ci_low is not None and family.ci_high is not None
        else {},
        ci_type=CI_TYPES[test],
        note=undefined if np.all(np.isnan(family.statistic)) else "; ".join(family.notes),
    )


def _rank_family(
    usable: list[str], samples: dict[str, np.ndarray], control: str, kind: str, dunn_adjust: str
) -> _Family:
    """Mann-Whitney U (two groups); Kruskal-Wallis + Dunn's test, or + Steel's test (``kind="steel"``)."""
    tested = usable[1:]
    reference = samples[control]
    if len(tested) == 1:
        name = tested[0]
        mw = mann_whitney(samples[name], reference)
        return _Family(
            test="mann_whitney_u",
            per_group={name: (mw.statistic, math.nan, mw.p_value, mw.p_value)},
            note="all values equal: Mann-Whitney U undefined" if math.isnan(mw.p_value) else "",
        )
    arrays = [samples[g] for g in tested]
    kw = kruskal_wallis([reference, *arrays])
    if kind == "steel":
        family, test = steel_vs_control(arrays, reference), "steel"
    else:
        family, test = dunn_vs_control(arrays, reference, adjust=dunn_adjust), f"dunn_{dunn_adjust}"
    return _Family(
        test=test,
        omnibus_test="kruskal_wallis",
        omnibus=kw,
        per_group={
            g: (float(family.statistic[i]), math.nan, float(family.p_value[i]), float(family.p_adjusted[i]))
            for i, g in enumerate(tested)
        },
        note="all values equal: Kruskal-Wallis and rank tests undefined" if math.isnan(kw.statistic) else "",
    )


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
