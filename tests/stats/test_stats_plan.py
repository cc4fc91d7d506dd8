"""The analysis plan: fields, the [statistics] table of a preset, the command-line choices."""

from __future__ import annotations

import pytest

from assaykit.errors import AssayInputError
from assaykit.stats import plan as plan_module
from assaykit.stats.plan import StatisticsPlan, plan_from_preset, plan_from_section


def test_defaults_are_pre_specified_parametric_tests() -> None:
    plan = StatisticsPlan()
    assert plan.test == "parametric"
    assert plan.primary is None and plan.secondary_adjust == "holm"
    assert plan.spread == "sd"


def test_section_sets_fields_and_rejects_bad_keys_and_values() -> None:
    plan = plan_from_section(
        {"primary": "open_time_pct", "factor": "sex", "interaction_alpha": 0.1, "endpoints": ["a"]}
    )
    assert (plan.primary, plan.factor, plan.interaction_alpha, plan.endpoints) == (
        "open_time_pct",
        "sex",
        0.1,
        ("a",),
    )
    with pytest.raises(AssayInputError, match="unknown key 'primery'.*known keys: test"):
        plan_from_section({"primery": "x"}, path="plan.toml")
    with pytest.raises(AssayInputError, match=r"test must be one of parametric, welch"):
        plan_from_section({"test": "anova"})
    with pytest.raises(AssayInputError, match=r"interaction_alpha = 'high' is not a float"):
        plan_from_section({"interaction_alpha": "high"})
    with pytest.raises(AssayInputError, match="interaction_alpha must lie between 0 and 1"):
        plan_from_section({"interaction_alpha": 5})
    with pytest.raises(AssayInputError, match="min_random_levels = 5.0 is not a int"):
        plan_from_section({"min_random_levels": 5.0})
    with pytest.raises(AssayInputError, match="endpoints must be a list"):
        plan_from_section({"endpoints": "open_time_pct"})


def test_preset_without_statistics_gives_the_defaults() -> None:
    assert plan_from_preset({"preset": {"path": "x.toml"}}) == StatisticsPlan()
    assert plan_from_preset({"statistics": {"test": "welch"}, "preset": {}}).test == "welch"


def test_updated_ignores_options_not_given() -> None:
    plan = StatisticsPlan(primary="a").updated(test="steel", primary=None, endpoints=["x"])
    assert (plan.test, plan.primary, plan.endpoints) == ("steel", "a", ("x",))


def test_command_line_choices_match_the_plan() -> None:
    from assaykit.cli.compare import TEST_CHOICES
    from assaykit.stats.plan import PLAN_FIELDS

    assert TEST_CHOICES == plan_module.TESTS
    assert set(PLAN_FIELDS) <= {f for f in StatisticsPlan.__dataclass_fields__}
