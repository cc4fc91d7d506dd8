"""compare_groups: the table it returns, the headline rule, small groups, trends and errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.stats.compare import (
    ASSUMPTION_COLUMNS,
    COMPARISON_COLUMNS,
    EPM_ENDPOINTS,
    TREND_COLUMNS,
    compare_groups,
    default_endpoints,
)
from assaykit.stats.effect_size import hedges_g
from assaykit.stats.parametric import dunnett_vs_control, welch_t
from assaykit.stats.rank import dunn_vs_control, mann_whitney


def study(groups: dict[str, np.ndarray], **columns: dict[str, object]) -> pd.DataFrame:
    rows = []
    for name, values in groups.items():
        for i, value in enumerate(values):
            row = {"animal": f"{name}-{i}", "group": name, "y": value}
            row |= {column: mapping[name] for column, mapping in columns.items()}
            rows.append(row)
    return pd.DataFrame(rows)


RNG = np.random.default_rng(2024)
NORMAL = {
    "vehicle": RNG.normal(20, 4, 9),
    "low": RNG.normal(22, 4, 8),
    "high": RNG.normal(30, 4, 9),
}


def test_three_groups_table_matches_the_tests_called_directly() -> None:
    result = compare_groups(study(NORMAL), ["y"], control="vehicle")
    table = result.comparisons
    assert list(table.columns) == list(COMPARISON_COLUMNS)
    assert list(table["group"]) == ["low", "high"]
    assert (table["test"] == "dunnett").all() and (table["alternative_test"] == "dunn_holm").all()
    assert (table["test_choice"] == "parametric (pre-specified)").all()
    dunnett = dunnett_vs_control([NORMAL["low"], NORMAL["high"]], NORMAL["vehicle"])
    np.testing.assert_allclose(table["statistic"], dunnett.statistic)
    np.testing.assert_allclose(table["p_adjusted"], dunnett.p_adjusted)
    np.testing.assert_allclose(table["difference_ci_low"], dunnett.ci_low)
    assert (table["df"] == 23).all() and (table["omnibus_test"] == "anova").all()
    assert (table["omnibus_df"] == 2).all() and (table["omnibus_df_error"] == 23).all()
    dunn = dunn_vs_control([NORMAL["low"], NORMAL["high"]], NORMAL["vehicle"])
    np.testing.assert_allclose(table["alternative_statistic"], dunn.statistic)
    np.testing.assert_allclose(table["alternative_p_adjusted"], dunn.p_adjusted)
    assert (table["alternative_omnibus_test"] == "kruskal_wallis").all()
    effect = hedges_g(NORMAL["high"], NORMAL["vehicle"])
    assert table.loc[1, "hedges_g"] == pytest.approx(effect.g)
    assert table.loc[1, "hedges_g_ci_low"] == pytest.approx(effect.ci_low)
    assert table.loc[1, "difference"] == pytest.approx(NORMAL["high"].mean() - NORMAL["vehicle"].mean())
    assert table.loc[1, "n_group"] == 9 and table.loc[1, "n_control"] == 9
    # summary and assumptions
    assert list(result.summary["group"]) == ["vehicle", "low", "high"]
    assert list(result.assumptions.columns) == list(ASSUMPTION_COLUMNS)
    assert list(result.assumptions["check"]) == ["shapiro_wilk"] * 3 + ["brown_forsythe"]
    assert result.trend.empty and list(result.trend.columns) == list(TREND_COLUMNS)


def test_two_groups_use_welch_and_mann_whitney() -> None:
    data = study({"vehicle": NORMAL["vehicle"], "drug": NORMAL["high"]})
    row = compare_groups(data, ["y"], control="vehicle").comparisons.iloc[0]
    welch = welch_t(NORMAL["high"], NORMAL["vehicle"])
    mw = mann_whitney(NORMAL["high"], NORMAL["vehicle"])
    assert row["test"] == "welch_t" and row["alternative_test"] == "mann_whitney_u"
    assert row["statistic"] == pytest.approx(welch.statistic) and row["df"] == pytest.approx(welch.df)
    assert row["p_value"] == row["p_adjusted"] == pytest.approx(welch.p_value)
    assert (row["difference_ci_low"], row["difference_ci_high"]) == pytest.approx(
        (welch.ci_low, welch.ci_high)
    )
    assert row["alternative_statistic"] == mw.statistic and row["alternative_p_adjusted"] == mw.p_value
    assert row["omnibus_test"] == "" and math.isnan(row["omnibus_p"])


def test_headline_turns_nonparametric_when_a_group_is_not_normal() -> None:
    skewed = dict(NORMAL, low=np.array([11.0, 12.0, 12.5, 13.0, 12.2, 11.8, 12.9, 95.0]))
    table = compare_groups(study(skewed), ["y"], control="vehicle", test="auto").comparisons
    assert (table["test"] == "dunn_holm").all() and (table["alternative_test"] == "dunnett").all()
    assert table["test_choice"].str.contains("Shapiro-Wilk rejects normality in low").all()


def test_headline_turns_nonparametric_when_variances_differ_with_three_groups() -> None:
    rng = np.random.default_rng(5)
    spread = {"vehicle": rng.normal(20, 1, 15), "low": rng.normal(21, 1, 15), "high": rng.normal(25, 12, 15)}
    result = compare_groups(study(spread), ["y"], control="vehicle", test="auto")
    assert not result.assumptions.loc[result.assumptions["check"] == "shapiro_wilk", "rejected"].any()
    assert result.comparisons["test_choice"].str.contains("Brown-Forsythe rejects equal variances").all()
    assert (result.comparisons["test"] == "dunn_holm").all()
    # with two groups Welch's t does not assume equal variances: still parametric
    two = compare_groups(
        study({"vehicle": spread["vehicle"], "high": spread["high"]}), ["y"], control="vehicle", test="auto"
    )
    assert two.comparisons.loc[0, "test"] == "welch_t"


def test_a_constant_group_is_a_floor_or_ceiling() -> None:
    ceiling = dict(NORMAL, vehicle=np.full(6, 300.0))
    row = compare_groups(study(ceiling), ["y"], control="vehicle", test="auto").comparisons.iloc[0]
    assert row["test"] == "dunn_holm" and "all values equal in vehicle" in row["test_choice"]


def test_with_two_animals_per_group_normality_is_not_checked() -> None:
    data = study({"vehicle": np.array([10.0, 12.0]), "drug": np.array([20.0, 23.0])})
    result = compare_groups(data, ["y"], control="vehicle", test="auto")
    row = result.comparisons.iloc[0]
    assert row["test"] == "welch_t"
    assert "normality not checked in vehicle, drug (n < 3)" in row["test_choice"]
    assert result.assumptions["note"].iloc[0].startswith("2 value(s): not checked")


@pytest.mark.parametrize(("test", "expected"), [("parametric", "dunnett"), ("nonparametric", "dunn_holm")])
def test_chosen_family(test: str, expected: str) -> None:
    skewed = dict(NORMAL, low=np.array([11.0, 12.0, 12.5, 13.0, 12.2, 11.8, 12.9, 95.0]))
    table = compare_groups(study(skewed), ["y"], control="vehicle", test=test).comparisons
    assert (table["test"] == expected).all() and (table["test_choice"] == f"{test} (pre-specified)").all()


def test_a_group_with_one_animal_is_reported_and_the_others_still_run() -> None:
    groups = dict(NORMAL, single=np.array([25.0]))
    result = compare_groups(study(groups), ["y"], control="vehicle")
    table = result.comparisons.set_index("group")
    assert table.loc["single", "note"] == "1 value(s) in this group: not tested"
    assert math.isnan(table.loc["single", "p_adjusted"]) and table.loc["single", "test"] == ""
    assert table.loc["single", "n_group"] == 1 and table.loc["single", "mean_group"] == 25.0
    # the family is the control and the two testable groups
    dunnett = dunnett_vs_control([NORMAL["low"], NORMAL["high"]], NORMAL["vehicle"])
    np.testing.assert_allclose(table.loc[["low", "high"], "p_adjusted"], dunnett.p_adjusted)
    assert any("group 'single' has 1 value(s); not tested, the others were" in n for n in result.notes)


def test_a_control_with_one_animal_tests_nothing() -> None:
    groups = dict(NORMAL, vehicle=np.array([20.0]))
    result = compare_groups(study(groups), ["y"], control="vehicle")
    assert result.comparisons["p_adjusted"].isna().all()
    assert (result.comparisons["note"] == "the control has 1 value(s): not tested").all()


def test_missing_values_are_counted_and_listed_with_their_flags() -> None:
    data = study(NORMAL)
    data["flags"] = ""
    data.loc[2, ["y", "flags"]] = [np.nan, "unusable"]
    result = compare_groups(data, ["y"], control="vehicle")
    assert result.summary.loc[0, "n"] == 8 and result.summary.loc[0, "n_missing"] == 1
    assert result.comparisons.loc[0, "n_control"] == 8
    assert result.missing.to_dict("records") == [
        {
            "animal": "vehicle-2",
            "group": "vehicle",
            "excluded_by": "missing value",
            "endpoints": "all",
            "reason": "unusable",
        }
    ]


def test_dose_trend_per_compound_keeps_the_positive_control_out() -> None:
    rng = np.random.default_rng(9)
    groups = {
        "vehicle": rng.normal(10, 3, 8),
        "X 1": rng.normal(12, 3, 8),
        "X 3": rng.normal(15, 3, 8),
        "X 10": rng.normal(19, 3, 8),
        "diazepam": rng.normal(25, 3, 8),
    }
    doses = {"vehicle": 0.0, "X 1": 1.0, "X 3": 3.0, "X 10": 10.0, "diazepam": 1.5}
    compounds = {"vehicle": "", "X 1": "X", "X 3": "X", "X 10": "X", "diazepam": "diazepam"}
    data = study(groups, dose_mg_kg=doses, compound=compounds)
    # rows in a scrambled group order: the compounds keep their order of appearance, doses are sorted in each
    scrambled = ["X 10", "X 1", "vehicle", "diazepam", "X 3"]
    data = data.iloc[np.argsort(data["group"].map(scrambled.index).to_numpy(), kind="stable")]
    result = compare_groups(data, ["y"], control="vehicle", dose="dose_mg_kg", compound="compound")
    assert result.groups == ["vehicle", "X 1", "X 3", "X 10", "diazepam"]
    trend = result.trend.set_index("test")
    assert set(trend.index) == {"jonckheere_terpstra", "linear_contrast"}
    assert (trend["compound"] == "X").all() and (trend["groups"] == "vehicle; X 1; X 3; X 10").all()
    assert (trend["doses"] == "0; 1; 3; 10").all() and (trend["n"] == 32).all()
    assert (trend["direction"] == "increasing").all() and (trend["p_value"] < 0.001).all()
    assert trend.loc["linear_contrast", "headline"] == (result.comparisons.loc[0, "test"] == "dunnett")
    # the contrast uses the ANOVA's error term over all five groups: 40 - 5 df
    assert trend.loc["linear_contrast", "df"] == 35
    assert any("trend for 'diazepam' not tested: 2 dose level(s)" in n for n in result.notes)
    assert list(result.comparisons.columns[:4]) == ["endpoint", "role", "group", "dose_mg_kg"]


def test_default_endpoints() -> None:
    epm = pd.DataFrame(columns=["animal", *EPM_ENDPOINTS, "closed_time_s", "session_s", "flags"])
    assert default_endpoints(epm) == list(EPM_ENDPOINTS)
    ldb = pd.DataFrame(columns=["animal", "light_time_s", "transitions", "distance_cm", "frames"])
    assert default_endpoints(ldb) == ["light_time_s", "transitions", "distance_cm"]
    generic = pd.DataFrame(
        {
            "animal": ["a"],
            "group": ["g"],
            "dose_mg_kg": [1.0],
            "cohort": [2.0],
            "rearing": [3.0],
            "note": ["x"],
            "grooming_s": [4],
        }
    )
    assert default_endpoints(generic) == ["rearing", "grooming_s"]


def test_errors_name_the_problem() -> None:
    data = study(NORMAL)
    with pytest.raises(AssayInputError, match="no endpoint column 'yy'.*did you mean 'y'"):
        compare_groups(data, ["yy"], control="vehicle")
    with pytest.raises(AssayInputError, match="no group named 'veh'"):
        compare_groups(data, ["y"], control="veh")
    bad = data.astype({"y": object})
    bad.loc[4, "y"] = "n.d."
    with pytest.raises(AssayInputError, match="'n.d.' for animal 'vehicle-4' is not a finite number"):
        compare_groups(bad, ["y"], control="vehicle")
    with pytest.raises(ValueError, match="test must be one of"):
        compare_groups(data, ["y"], control="vehicle", test="bayes")


def test_no_variation_is_a_note_not_a_crash() -> None:
    flat = {"vehicle": np.full(4, 5.0), "a": np.full(4, 5.0), "b": np.full(4, 5.0)}
    result = compare_groups(study(flat), ["y"], control="vehicle")
    assert result.comparisons["p_adjusted"].isna().all()
    assert any("all values equal" in n for n in result.notes)
    assert any("no variation within any group" in n for n in result.notes)
