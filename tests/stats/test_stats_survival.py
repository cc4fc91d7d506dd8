"""Censored latencies: the censoring rule, Kaplan-Meier medians and restricted means, log-rank and Cox.

The numbers are checked against R's ``survival`` package (``tests/stats/reference/survival_latency.R`` wrote
``survival_latency.json``, with its input data), against closed forms, and against statsmodels' Holm.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from assaykit.errors import AssayInputError
from assaykit.stats.columns import MODEL_COLUMNS
from assaykit.stats.survival import (
    KM_COLUMNS,
    entered_column,
    is_latency,
    latency_comparisons,
    latency_events,
)
from assaykit.stats.survival_km import median_time

REFERENCE = json.loads((Path(__file__).parent / "reference" / "survival_latency.json").read_text())
SETS = ("moderate", "heavy", "degenerate")


def table(name: str) -> pd.DataFrame:
    """The input of one reference set as an assaykit endpoint table."""
    data = REFERENCE[name]["data"]
    frame = pd.DataFrame(
        {
            "animal": [f"{name}{i:02d}" for i in range(len(data["group"]))],
            "group": data["group"],
            data["endpoint"]: data["latency"],
            "session_s": data["session"],
        }
    )
    if data["entered"] is not None:
        frame[entered_column(data["endpoint"])] = data["entered"]
    return frame


def analyse(name: str):
    data = REFERENCE[name]["data"]
    return latency_comparisons(table(name), data["endpoint"], control=data["control"])


def close(actual: float, expected: float | None, rtol: float) -> bool:
    """Equal within rtol, R's NA (None) matching NaN."""
    if expected is None:
        return math.isnan(actual)
    return math.isclose(actual, expected, rel_tol=rtol, abs_tol=1e-12)


# --- the censoring rule -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SETS)
def test_censoring_rule_gives_rs_status(name: str) -> None:
    data = REFERENCE[name]["data"]
    time, event = latency_events(table(name), data["endpoint"])
    assert event.astype(int).tolist() == REFERENCE[name]["status"]
    # a censored animal's time is its session length (the 300.0000001 s latency included)
    censored = ~event.to_numpy()
    np.testing.assert_array_equal(time.to_numpy()[censored], np.asarray(data["session"])[censored])


def test_tolerance_of_one_part_in_a_million() -> None:
    frame = pd.DataFrame(
        {"animal": list("abcd"), "latency_open_s": [300 * (1 - 1e-7), 300 * (1 - 1e-5), 300, 0]}
    )
    time, event = latency_events(frame, "latency_open_s", session=300)
    assert event.tolist() == [False, True, False, True]
    assert time.tolist() == [300.0, 300 * (1 - 1e-5), 300.0, 0.0]
    time, _ = latency_events(
        frame.assign(latency_open_s=[300 * (1 + 1e-7), 1, 2, 3]), "latency_open_s", session=300
    )
    assert time.iloc[0] == 300.0


def test_latency_above_the_session_names_the_animal() -> None:
    frame = pd.DataFrame(
        {"animal": ["m1", "m2"], "latency_open_s": [12.0, 300.5], "session_s": [300.0, 300.0]}
    )
    with pytest.raises(AssayInputError, match=r"animal 'm2'.*longer than its session") as info:
        latency_events(frame, "latency_open_s")
    assert info.value.column == "latency_open_s"
    with pytest.raises(AssayInputError, match="negative"):
        latency_events(frame.assign(latency_open_s=[-1.0, 3.0]), "latency_open_s")


def test_entered_column_censors_and_blank_is_unknown() -> None:
    frame = pd.DataFrame(
        {
            "animal": list("abcde"),
            "latency_light_s": [40.0, 120.0, 300.0, 55.0, np.nan],
            "light_entered": ["True", "False", "", "", "False"],
        }
    )
    time, event = latency_events(frame, "latency_light_s", session=300)
    assert list(time.index) == [0, 1, 2, 3]  # the missing latency is left out
    assert event.tolist() == [True, False, False, True]
    assert time.tolist() == [40.0, 120.0, 300.0, 55.0]  # censored at its latency when entered says False
    with pytest.raises(AssayInputError, match=r"'maybe' for animal 'b'") as info:
        latency_events(
            frame.assign(light_entered=["True", "maybe", "", "", ""]), "latency_light_s", session=300
        )
    assert info.value.column == "light_entered"


def test_session_argument_wins_and_a_session_is_required() -> None:
    frame = pd.DataFrame({"latency_open_s": [150.0, 200.0], "session_s": [300.0, 300.0]})
    _, event = latency_events(frame, "latency_open_s", session=200)
    assert event.tolist() == [True, False]
    with pytest.raises(AssayInputError, match="session length"):
        latency_events(frame.drop(columns="session_s"), "latency_open_s")
    with pytest.raises(AssayInputError, match="positive number"):
        latency_events(frame, "latency_open_s", session=0)
    with pytest.raises(AssayInputError, match="no positive session length"):
        latency_events(frame.assign(session_s=[300.0, np.nan]), "latency_open_s")


def test_units_of_the_latency_column() -> None:
    frame = pd.DataFrame({"latency_open_ms": [299_999.0, 300_000.0], "latency_open_min": [4.9, 5.0]})
    assert latency_events(frame, "latency_open_ms", session=300)[1].tolist() == [True, False]
    assert latency_events(frame, "latency_open_min", session=300)[1].tolist() == [True, False]


def test_names() -> None:
    assert is_latency("latency_open_s") and is_latency("latency_light_s") and not is_latency("open_time_s")
    assert entered_column("latency_open_s") == "open_entered"
    assert entered_column("latency_light_s") == "light_entered"
    assert entered_column("latency_closed_ms") == "closed_entered"


# --- against R ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SETS)
def test_kaplan_meier_median_ci_and_restricted_mean_match_r(name: str) -> None:
    result = analyse(name)
    assert list(result.km.columns) == list(KM_COLUMNS)
    assert result.horizon == REFERENCE[name]["tau"]
    assert list(result.km["group"]) == [k["group"] for k in REFERENCE[name]["km"]]
    for row, ref in zip(result.km.itertuples(index=False), REFERENCE[name]["km"], strict=True):
        assert (row.n, row.n_events, row.n_censored) == (ref["n"], ref["events"], ref["n"] - ref["events"])
        for ours, theirs in (
            (row.median, ref["median"]),
            (row.median_ci_low, ref["lcl"]),
            (row.median_ci_high, ref["ucl"]),
            (row.rmst, ref["rmean"]),
            (row.rmst_se, ref["se_rmean"]),
        ):
            assert close(ours, theirs, 1e-10), (row.group, ours, theirs)


@pytest.mark.parametrize("name", SETS)
def test_logrank_per_pair_matches_r_survdiff(name: str) -> None:
    rows = analyse(name).comparisons.query("analysis == 'logrank'")
    assert list(rows["group"]) == [r["group"] for r in REFERENCE[name]["logrank"]]
    for row, ref in zip(rows.itertuples(index=False), REFERENCE[name]["logrank"], strict=True):
        assert close(row.statistic, ref["chisq"], 1e-10) and row.df == 1
        assert close(row.p_value, ref["p"], 1e-9)
    np.testing.assert_allclose(
        rows["p_adjusted"], multipletests(rows["p_value"], method="holm")[1], rtol=1e-12
    )


@pytest.mark.parametrize("name", SETS)
def test_cox_hazard_ratios_match_r_coxph_efron(name: str) -> None:
    rows = analyse(name).comparisons.query("analysis == 'cox'").set_index("group")
    for ref in REFERENCE[name]["cox"]:
        row = rows.loc[ref["group"]]
        assert row["scale"] == "hazard_ratio"
        for column, key in (
            ("estimate", "hr"),
            ("se", "se"),
            ("ci_low", "lower"),
            ("ci_high", "upper"),
            ("statistic", "z"),
            ("p_value", "p"),
        ):
            assert close(float(row[column]), ref[key], 1e-6), (ref["group"], column)
    fitted = rows.dropna(subset=["p_value"])
    np.testing.assert_allclose(
        fitted["p_adjusted"], multipletests(fitted["p_value"], method="holm")[1], rtol=1e-12
    )


def test_a_group_that_never_entered_has_no_hazard_ratio_but_a_logrank_test() -> None:
    result = analyse("degenerate")
    rows = result.comparisons.set_index(["analysis", "group"])
    assert math.isnan(rows.loc[("cox", "none"), "estimate"])
    assert "no animal of the group entered" in rows.loc[("cox", "none"), "note"]
    assert rows.loc[("logrank", "none"), "p_value"] > 0
    assert "one animal" in rows.loc[("cox", "single"), "note"]
    km = result.km.set_index("group")
    assert math.isnan(km.loc["none", "median"]) and "not reached" in km.loc["none", "note"]
    assert km.loc["none", "rmst"] == result.horizon  # never entered: the whole horizon
    assert any("none not reached" in note for note in result.notes)


def test_table_has_the_model_columns() -> None:
    table_ = analyse("moderate").comparisons
    assert list(table_.columns) == list(MODEL_COLUMNS)
    assert list(table_["analysis"]) == ["logrank", "logrank", "cox", "cox"]
    assert set(table_["ci_type"]) == {"per_comparison"} and set(table_["adjustment"]) == {"holm"}
    assert set(table_["control"]) == {"vehicle"} and set(table_["stratum"]) == {""}
    assert list(table_["n_group"]) == [10, 16, 10, 16] and set(table_["n_control"]) == {10}


# --- closed forms and degenerate data -----------------------------------------------------------------


def test_without_censoring_the_restricted_mean_is_the_mean() -> None:
    # no censoring: the area under the empirical survival curve is the sample mean, and the Greenwood-type
    # variance reduces to the plug-in variance of a mean, sum((t - mean)^2) / n^2
    t = np.array([3.0, 7.0, 7.0, 12.0, 20.0, 41.0])
    frame = pd.DataFrame({"group": ["a"] * 6 + ["b"] * 6, "latency_x_s": np.r_[t, 2 * t], "session_s": 300.0})
    km = latency_comparisons(frame, "latency_x_s", control="a").km.set_index("group")
    for name, values in (("a", t), ("b", 2 * t)):
        assert km.loc[name, "rmst"] == pytest.approx(values.mean(), rel=1e-12)
        assert km.loc[name, "rmst_se"] == pytest.approx(values.std(ddof=0) / math.sqrt(6), rel=1e-12)
        assert km.loc[name, "median"] == pytest.approx(np.median(values))  # 3 of 6 below: midpoint rule


def test_median_time_follows_survmean() -> None:
    times = np.array([1.0, 2.0, 3.0, 4.0])
    assert median_time(times, [0.75, 0.5, 0.5, 0.25]) == 3.0  # flat at 0.5 from 2 to 4: midpoint of 2 and 4
    assert median_time(times, [0.75, 0.5 + 1e-12, 0.4, 0.25]) == 2.5  # within sqrt(eps) of 0.5
    assert math.isnan(median_time(times, [0.9, 0.7, 0.6, 0.55]))
    assert median_time(times, [np.nan, 0.6, 0.45, 0.3]) == 3.0
    assert median_time(times, [0.75, 0.5, 0.5, 0.5]) == 2.0  # never drops below: the first time


def test_no_animal_entered() -> None:
    frame = pd.DataFrame({"group": ["v", "v", "d", "d"], "latency_open_s": 300.0, "session_s": 300.0})
    result = latency_comparisons(frame, "latency_open_s", control="v")
    assert result.comparisons[["statistic", "p_value", "estimate"]].isna().all().all()
    assert any("no animal entered" in note for note in result.notes)
    assert (result.km["rmst"] == 300.0).all() and result.km["median"].isna().all()


def test_control_never_entered_and_separated_groups_give_nan_hazard_ratios() -> None:
    frame = pd.DataFrame(
        {"group": ["v"] * 4 + ["d"] * 4, "latency_open_s": [300.0] * 4 + [10, 20, 30, 40], "session_s": 300.0}
    )
    rows = latency_comparisons(frame, "latency_open_s", control="v").comparisons.set_index("analysis")
    assert math.isnan(rows.loc["cox", "estimate"]) and "no control animal entered" in rows.loc["cox", "note"]
    assert rows.loc["logrank", "p_value"] < 0.05
    # every drug animal enters before any vehicle animal does: the partial likelihood has no maximum
    frame["latency_open_s"] = [50.0, 60, 70, 80, 1, 2, 3, 4]
    result = latency_comparisons(frame, "latency_open_s", control="v")
    cox = result.comparisons.set_index("analysis").loc["cox"]
    assert math.isnan(cox["estimate"]) and "not estimable" in cox["note"]
    assert any("Cox model not estimable" in note for note in result.notes)


def test_missing_latencies_are_left_out_and_counted() -> None:
    frame = table("moderate")
    frame.loc[[0, 12], "latency_open_s"] = np.nan
    frame.loc[3, "group"] = None
    result = latency_comparisons(frame, "latency_open_s", control="vehicle")
    assert result.km["n"].sum() == len(frame) - 3
    assert any("3 animal(s)" in note for note in result.notes)


def test_bad_group_or_control() -> None:
    with pytest.raises(AssayInputError, match="control group 'saline'"):
        latency_comparisons(table("moderate"), "latency_open_s", control="saline")
    with pytest.raises(AssayInputError, match="no group column 'dose'"):
        latency_comparisons(table("moderate"), "latency_open_s", group="dose", control="vehicle")
