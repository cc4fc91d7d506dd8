"""The statistics methods paragraph follows the plan and the tests the comparison ran."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import pytest

from assaykit.methods import REFERENCES, MethodsText
from assaykit.stats.methods import statistics_methods
from assaykit.stats.plan import StatisticsPlan, plan_from_section
from assaykit.stats.workflow import run_compare

DESIGN = Path(__file__).resolve().parents[2] / "examples" / "design"
STUDY_PLAN = plan_from_section(tomllib.loads((DESIGN / "study_plan.toml").read_text())["statistics"])


@cache
def _methods(plan: StatisticsPlan) -> MethodsText:
    run = run_compare(
        DESIGN / "epm_endpoints.csv", design=DESIGN / "study_design.csv", control="vehicle", plan=plan
    )
    return statistics_methods(run)


def _cited(text: MethodsText, key: str) -> bool:
    in_text, listed = REFERENCES[key].short in text.paragraph, REFERENCES[key].full in text.references
    assert in_text == listed, key
    return in_text


@pytest.mark.parametrize(
    ("test", "words", "keys"),
    [
        ("parametric", "one-way ANOVA followed by Dunnett's many-to-one test", ("dunnett1955",)),
        ("welch", "Welch's ANOVA followed by Dunnett's T3", ("welch1951", "dunnett1980")),
        (
            "nonparametric",
            "Kruskal-Wallis test followed by Dunn's test, Holm-adjusted",
            ("kruskal1952", "dunn1964"),
        ),
        (
            "steel",
            "Kruskal-Wallis test followed by Steel's many-to-one rank test",
            ("kruskal1952", "steel1959"),
        ),
    ],
)
def test_the_family_of_tests_is_the_one_that_ran(test: str, words: str, keys: tuple[str, ...]) -> None:
    text = _methods(StatisticsPlan(test=test))
    assert words in text.paragraph and "pre-specified in the analysis plan" in text.paragraph
    assert all(_cited(text, k) for k in keys)
    others = {"dunnett1955", "dunnett1980", "dunn1964", "steel1959"} - set(keys)
    assert not any(_cited(text, k) for k in others)


def test_censored_latencies_and_effect_sizes_are_described() -> None:
    text = _methods(StatisticsPlan())
    assert "censored at the session length (300 s)" in text.paragraph
    assert all(_cited(text, k) for k in ("kaplan1958", "mantel1966", "hedges1981", "steiger1997"))
    assert "No endpoint was named primary" in text.paragraph and not _cited(text, "holm1979")


def test_the_primary_endpoint_and_the_rule_across_endpoints() -> None:
    holm = _methods(StatisticsPlan(primary="open_time_pct"))
    assert "The primary endpoint, open_time_pct, was tested as it stands" in holm.paragraph
    assert "by Holm's procedure" in holm.paragraph and _cited(holm, "holm1979")
    bonferroni = _methods(StatisticsPlan(primary="open_time_pct", secondary_adjust="bonferroni"))
    assert "were multiplied by 6 (Bonferroni)" in bonferroni.paragraph and not _cited(bonferroni, "holm1979")
    none = _methods(StatisticsPlan(primary="open_entries_pct", secondary_adjust="none"))
    assert "The primary endpoint was open_entries_pct" in none.paragraph and "exploratory" in none.paragraph


def test_the_study_plan_models_are_named_only_when_they_ran() -> None:
    text = _methods(STUDY_PLAN)
    assert "two-way ANOVA of treatment and sex" in text.paragraph
    assert "an ANCOVA on distance_cm" in text.paragraph
    assert "generalised linear models of the counts" in text.paragraph and _cited(text, "mccullagh1989")
    plain = _methods(StatisticsPlan())
    assert "two-way ANOVA" not in plain.paragraph and "ANCOVA" not in plain.paragraph
    assert not _cited(plain, "mccullagh1989")


def test_the_trend_test_follows_the_family() -> None:
    assert "linear contrast over the dose levels" in _methods(StatisticsPlan()).paragraph
    rank = _methods(StatisticsPlan(test="steel"))
    assert "Jonckheere-Terpstra" in rank.paragraph and _cited(rank, "jonckheere1954")
