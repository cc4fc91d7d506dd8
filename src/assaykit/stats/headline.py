"""The assumption checks of one endpoint and the rule that picks its headline family of tests.

Shapiro-Wilk per group and Brown-Forsythe over the groups (rows of
:data:`~assaykit.stats.columns.ASSUMPTION_COLUMNS`), and :func:`choose_headline`, which applies
:data:`HEADLINE_RULE` when ``test="auto"`` and says why in ``test_choice``.
"""

from __future__ import annotations

import math

import numpy as np

from assaykit.stats.assumptions import brown_forsythe, shapiro_wilk
from assaykit.stats.results import TestResult

#: The family of each pre-specified ``test``: its tests sit in the parametric or in the rank family.
FAMILY_OF = {
    "parametric": "parametric",
    "welch": "parametric",
    "nonparametric": "nonparametric",
    "steel": "nonparametric",
}

#: Significance level of the assumption checks behind ``test="auto"``.
ALPHA = 0.05

#: How ``test="auto"`` (exploratory, an explicit opt-in) picks the headline family of an endpoint (also in
#: docs/user-guide/compare.md). Choosing the test from the same data inflates the error rate: a study
#: pre-specifies its family instead (:class:`assaykit.stats.plan.StatisticsPlan`).
HEADLINE_RULE = (
    "exploratory: parametric, unless a group with 3 or more values is constant (a floor or ceiling) or "
    "Shapiro-Wilk rejects its normality at alpha 0.05, or, with 3 or more groups (where Dunnett's test "
    "pools the variances), the Brown-Forsythe test rejects equal variances at alpha 0.05; then "
    "nonparametric. A group with 2 values cannot be checked for normality and does not vote; when no "
    "group can be checked the headline stays parametric and test_choice says so"
)


def check_assumptions(
    endpoint: str, samples: dict[str, np.ndarray], alpha: float
) -> tuple[list[dict], dict[str, TestResult], TestResult]:
    """Check the assumptions of the parametric tests for one endpoint.

    Parameters
    ----------
    endpoint
        The endpoint, for the rows.
    samples
        The values of each group (control included), NaN already removed.
    alpha
        Significance level of the checks (for the ``rejected`` column).

    Returns
    -------
    checks : list of dict
        One row per group (Shapiro-Wilk) and one for the endpoint (Brown-Forsythe, over the groups with 2
        or more values), columns :data:`~assaykit.stats.columns.ASSUMPTION_COLUMNS`.
    shapiro : dict of str to TestResult
        The Shapiro-Wilk test of each group.
    levene : TestResult
        The Brown-Forsythe test; NaN with fewer than 2 groups of 2 values.
    """
    n = {g: int(v.size) for g, v in samples.items()}
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
    return checks, shapiro, levene


def choose_headline(
    test: str,
    usable: list[str],
    samples: dict[str, np.ndarray],
    shapiro: dict[str, TestResult],
    levene: TestResult,
    alpha: float,
) -> tuple[str, str]:
    """Pick the headline family of one endpoint by :data:`HEADLINE_RULE`.

    Parameters
    ----------
    test
        ``"auto"``, ``"parametric"`` or ``"nonparametric"``; only ``"auto"`` applies the rule.
    usable
        The control and the groups that can be tested (control first); empty when nothing is tested.
    samples
        The values of each group.
    shapiro, levene
        The checks of :func:`check_assumptions`.
    alpha
        Significance level of the checks.

    Returns
    -------
    headline : str
        ``"parametric"`` or ``"nonparametric"``: the family holding the headline tests.
    reason : str
        Why, for the ``test_choice`` column (empty when nothing is tested).
    """
    if test != "auto":
        return FAMILY_OF[test], f"{test} (pre-specified)"
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


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def assumption_warnings(
    endpoint: str,
    usable: list[str],
    samples: dict[str, np.ndarray],
    shapiro: dict[str, TestResult],
    levene: TestResult,
    alpha: float,
    test: str,
) -> list[str]:
    """Say when the assumption checks cast doubt on a pre-specified parametric family (the test is kept).

    The checks are diagnostics: a pre-specified test is not switched on their result (see
    :mod:`assaykit.stats.plan`), but a reader should know that normality or equal variances look doubtful,
    and which pre-specified alternative addresses it (``welch`` for unequal variances).

    Parameters
    ----------
    endpoint
        The endpoint, for the messages.
    usable
        The control and the groups tested.
    samples, shapiro, levene, alpha
        As for :func:`choose_headline`.
    test
        The pre-specified family; only ``parametric`` and ``welch`` get warnings.

    Returns
    -------
    list of str
        Warning sentences (empty when the checks raise no doubt).
    """
    if test not in ("parametric", "welch") or not usable:
        return []
    out = []
    rejected = [g for g in usable if samples[g].size >= 3 and shapiro[g].p_value < alpha]
    if rejected:
        worst = min(rejected, key=lambda g: shapiro[g].p_value)
        out.append(
            f"{endpoint}: Shapiro-Wilk rejects normality in {', '.join(rejected)} "
            f"({_p(shapiro[worst].p_value)}); the pre-specified {test} tests are kept (see the assumptions "
            "table)"
        )
    if test == "parametric" and len(usable) >= 3 and levene.p_value < alpha:
        out.append(
            f"{endpoint}: Brown-Forsythe rejects equal variances ({_p(levene.p_value)}); Dunnett's test "
            "pools the variances: pre-specify --test welch (Dunnett's T3) for unequal variances"
        )
    return out
