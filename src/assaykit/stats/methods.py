"""The methods paragraph of a group comparison, written from its plan and the tests it actually ran.

The plan (:class:`~assaykit.stats.plan.StatisticsPlan`) says what was chosen; the tables of the comparison
(:class:`~assaykit.stats.compare.GroupComparison`: its ``test``, ``omnibus_test``, ``role``,
``difference_ci_type`` and ``hedges_g_ci_type`` columns, the model, trend and latency tables) say what ran.
Each sentence is written from the second where it can be, so that a test that did not run (a family with
no endpoint, a model the data did not allow) is not claimed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from assaykit.methods import MethodsText, Sentence, assaykit_version, compose, count, join_words, number

if TYPE_CHECKING:
    from assaykit.stats.workflow import CompareRun

__all__ = ["statistics_methods"]

#: Each test of a group against the control (the ``test`` column), in words, with its references.
TEST_TEXT: dict[str, tuple[str, tuple[str, ...]]] = {
    "welch_t": ("Welch's t-test", ("welch1947",)),
    "student_t": ("Student's t-test", ()),
    "mann_whitney_u": ("the Mann-Whitney U test", ("mann1947",)),
    "dunnett": ("one-way ANOVA followed by Dunnett's many-to-one test", ("dunnett1955",)),
    "dunnett_t3": (
        "Welch's ANOVA followed by Dunnett's T3 (unequal variances)",
        ("welch1951", "dunnett1980"),
    ),
    "dunn_holm": (
        "the Kruskal-Wallis test followed by Dunn's test, Holm-adjusted",
        ("kruskal1952", "dunn1964"),
    ),
    "dunn_bonferroni": (
        "the Kruskal-Wallis test followed by Dunn's test, Bonferroni-adjusted",
        ("kruskal1952", "dunn1964"),
    ),
    "steel": (
        "the Kruskal-Wallis test followed by Steel's many-to-one rank test",
        ("kruskal1952", "steel1959"),
    ),
    "logrank": ("the log-rank test of each group against the control", ("mantel1966",)),
}
_MODEL_TEXT: dict[str, tuple[str, tuple[str, ...]]] = {
    "factorial": ("a two-way ANOVA of treatment and {factor} with their interaction", ()),
    "blocked": ("a model with {block} as a block", ("pinheiro2000",)),
    "ancova": ("an ANCOVA on {covariate}", ()),
    "poisson": ("Poisson generalised linear models of the counts", ("mccullagh1989",)),
    "negative_binomial": ("negative-binomial generalised linear models of the counts", ("mccullagh1989",)),
    "binomial": ("a binomial model of the proportion of open-arm entries", ("mccullagh1989",)),
    "quasibinomial": ("a quasi-binomial model of that proportion (overdispersion)", ("mccullagh1989",)),
    "cox": ("Cox proportional-hazards models of the latencies", ("cox1972",)),
}


def _column(table: pd.DataFrame, name: str) -> pd.Series:
    return table[name].fillna("").astype(str) if name in table else pd.Series(dtype=str)


def _data_sentence(run: CompareRun, version: str) -> Sentence:
    comparison = run.comparison
    n_animals = len(run.data)
    excluded = len(run.exclusions)
    text = (
        f"Group statistics were computed with assaykit {version}: {count(n_animals, 'animal')} in "
        f"{count(len(comparison.groups), 'group')}, each group compared with the control "
        f"({comparison.control}), on {count(len(comparison.endpoints), 'endpoint')} "
        f"({join_words(comparison.endpoints)})"
    )
    if excluded:
        text += f"; {count(excluded, 'animal')} were left out (excluded by the design, or without values)"
    return Sentence(text)


def _family_sentence(run: CompareRun) -> Sentence | None:
    comparisons = run.comparison.comparisons
    tests = [t for t in dict.fromkeys(_column(comparisons, "test")) if t and t != "logrank"]
    if not tests:
        return None
    plan = run.comparison.plan
    words = [TEST_TEXT.get(t, (t, ()))[0] for t in tests]
    cites = tuple(dict.fromkeys(c for t in tests for c in TEST_TEXT.get(t, ("", ()))[1]))
    chosen = "pre-specified in the analysis plan" if plan.test != "auto" else "chosen per endpoint"
    text = f"Each group was compared with the control by {join_words(words)} ({chosen})"
    if plan.test == "auto":
        text += (
            f" from Shapiro-Wilk and Brown-Forsythe tests at {number(plan.alpha)}, an exploratory choice "
            "made on the data it tests"
        )
        cites = (*cites, "shapiro1965", "brown1974")
    return Sentence(text, cites)


def _ci_sentence(run: CompareRun) -> Sentence | None:
    comparisons = run.comparison.comparisons
    kinds = [k for k in dict.fromkeys(_column(comparisons, "difference_ci_type")) if k]
    g_kinds = [k for k in dict.fromkeys(_column(comparisons, "hedges_g_ci_type")) if k]
    parts = []
    if kinds:
        parts.append(f"95% confidence intervals of the difference of means are {join_words(kinds, 'or')}")
    if g_kinds:
        parts.append(
            "Hedges' g (the standardised difference with its small-sample correction) is given with a "
            "per-comparison interval from the noncentral t"
        )
    if not parts:
        return None
    cites = ("hedges1981", "steiger1997") if g_kinds else ()
    flags = _column(comparisons, "flags").str.split(";")
    zero = int(flags.map(lambda f: "zero_variance" in f).sum())
    text = "; ".join(parts)
    if zero:
        text += f" (not reported for {count(zero, 'comparison')} with no variation in a group)"
    return Sentence(text, cites)


def _multiplicity_sentence(run: CompareRun) -> Sentence | None:
    plan = run.comparison.plan
    roles = _column(run.comparison.comparisons, "role")
    if plan.primary is None or not (roles == "primary").any():
        return Sentence("No endpoint was named primary, so no adjustment was made across endpoints")
    secondary = sorted(set(run.comparison.comparisons.loc[roles == "secondary", "endpoint"]))
    if not secondary:
        return Sentence(f"the primary endpoint, {plan.primary}, was the only one analysed")
    if plan.secondary_adjust == "none":
        return Sentence(
            f"the primary endpoint was {plan.primary}; the {count(len(secondary), 'secondary endpoint')} "
            "were not adjusted across endpoints and are exploratory"
        )
    if plan.secondary_adjust == "bonferroni":
        return Sentence(
            f"the primary endpoint, {plan.primary}, was tested as it stands; the p-values of the "
            f"{count(len(secondary), 'secondary endpoint')} were multiplied by {len(secondary)} (Bonferroni)"
        )
    return Sentence(
        f"the primary endpoint, {plan.primary}, was tested as it stands; the p-values of the "
        f"{count(len(secondary), 'secondary endpoint')} were adjusted across endpoints by Holm's "
        "procedure, the closed test whose local tests are Bonferroni across endpoints with each endpoint's "
        "own many-to-one adjustment inside",
        ("holm1979", "marcus1976"),
    )


def _models_sentence(run: CompareRun) -> Sentence | None:
    models = run.comparison.models
    plan = run.comparison.plan
    ran = [a for a in dict.fromkeys(_column(models, "analysis")) if a in _MODEL_TEXT and a != "cox"]
    if not ran:
        return None
    fields = {"factor": plan.factor or "", "block": plan.block or "", "covariate": plan.covariate or ""}
    words = [_MODEL_TEXT[a][0].format(**fields) for a in ran]
    cites = tuple(dict.fromkeys(c for a in ran for c in _MODEL_TEXT[a][1]))
    text = f"Beside the headline tests, the endpoints were analysed by {join_words(words)}"
    if "factorial" in ran:
        text += (
            f"; where the interaction's type II p-value was below {number(plan.interaction_alpha)}, groups "
            f"were compared with the control within each level of {plan.factor}, otherwise pooled "
            "(Dunnett-adjusted)"
        )
    if "blocked" in ran:
        auto = f"a random intercept from {plan.min_random_levels} levels on, else a fixed term"
        how = {"fixed": "a fixed block term", "random": "a random intercept (linear mixed model)"}
        text += f"; {plan.block} entered as {how.get(plan.block_model, auto)}"
    return Sentence(text, cites)


def _latency_sentence(run: CompareRun) -> Sentence | None:
    comparison = run.comparison
    latencies = list(comparison.survival)
    if not latencies:
        return None
    session = comparison.session_s
    at = f" at the session length ({number(session)} s)" if session is not None else ""
    cox = "cox" in set(_column(comparison.models, "analysis"))
    text = (
        f"Latencies ({join_words(latencies)}) of animals that never entered were censored{at}; they were "
        "summarised by Kaplan-Meier medians and compared with the control by the log-rank test "
        "(Holm-adjusted over the groups)"
    )
    cites: tuple[str, ...] = ("kaplan1958", "mantel1966")
    if cox:
        text += ", with hazard ratios from Cox proportional-hazards models"
        cites = (*cites, "cox1972")
    return Sentence(text, cites)


def _trend_sentence(run: CompareRun) -> Sentence | None:
    trend = run.comparison.trend
    if trend is None or trend.empty:
        return None
    headline = trend[trend["headline"].astype(bool)] if "headline" in trend else trend
    tests = set(headline["test"].astype(str))
    words, cites = [], []
    if "linear_contrast" in tests:
        words.append("a linear contrast over the dose levels")
    if "jonckheere_terpstra" in tests:
        words.append("the Jonckheere-Terpstra test")
        cites.append("jonckheere1954")
    if not words:
        return None
    n = trend[["endpoint", "compound"]].drop_duplicates().shape[0]
    return Sentence(
        f"Dose-response trends ({count(n, 'endpoint x compound series', 'endpoint x compound series')}) "
        f"were tested by {join_words(words)}",
        tuple(cites),
    )


def _description_sentence(run: CompareRun) -> Sentence:
    plan = run.comparison.plan
    spread = "SD" if plan.spread == "sd" else "SEM"
    quartiles = "Hyndman & Fan type 7" if plan.quartiles == "type7" else "Prism's definition (type 6)"
    return Sentence(f"Groups are described as mean ± {spread} and median with quartiles ({quartiles})")


def statistics_methods(run: CompareRun) -> MethodsText:
    """Write the methods paragraph of a group comparison.

    Parameters
    ----------
    run
        A finished comparison (:func:`assaykit.stats.workflow.run_compare`, or the statistics of
        ``epm``/``ldb --design``).

    Returns
    -------
    MethodsText
        The paragraph (the animals, groups and endpoints; the family of tests against the control; the
        intervals and effect sizes; multiplicity across endpoints; factor, block, covariate and count
        models; censored latencies; dose-response trends; the description of the groups) and the full
        citations of the methods it names.
    """
    return compose(
        [
            _data_sentence(run, assaykit_version()),
            _family_sentence(run),
            _latency_sentence(run),
            _ci_sentence(run),
            _multiplicity_sentence(run),
            _models_sentence(run),
            _trend_sentence(run),
            _description_sentence(run),
        ]
    )
