"""Descriptive statistics per group against numpy."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.stats.describe import SUMMARY_COLUMNS, describe, describe_groups


def test_describe_against_numpy() -> None:
    values = np.array([12.5, np.nan, 7.25, 30.0, 18.0, 9.5, np.nan, 22.0])
    present = values[~np.isnan(values)]
    out = describe(values)
    assert out["n"] == 6 and out["n_missing"] == 2
    assert out["mean"] == pytest.approx(np.mean(present), rel=1e-15)
    assert out["sd"] == pytest.approx(np.std(present, ddof=1), rel=1e-15)
    assert out["sem"] == pytest.approx(np.std(present, ddof=1) / math.sqrt(6), rel=1e-15)
    assert out["median"] == pytest.approx(np.median(present))
    q1, q3 = np.quantile(present, [0.25, 0.75])  # linear interpolation (type 7)
    assert (out["q1"], out["q3"], out["iqr"]) == pytest.approx((q1, q3, q3 - q1))
    # type 7 by hand: sorted 7.25 9.5 12.5 18 22 30; q1 at position 0.25 * 5 = 1.25 -> 9.5 + 0.25 * 3 = 10.25
    assert out["q1"] == pytest.approx(10.25)
    assert (out["min"], out["max"]) == (7.25, 30.0)


def test_describe_small_and_empty_groups() -> None:
    one = describe(np.array([4.0]))
    assert one["mean"] == 4.0 and math.isnan(one["sd"]) and math.isnan(one["sem"])
    none = describe(np.array([np.nan, np.nan]))
    assert none["n"] == 0 and none["n_missing"] == 2 and math.isnan(none["mean"])


def test_describe_groups_is_one_row_per_endpoint_and_group_in_order() -> None:
    data = pd.DataFrame(
        {
            "group": ["b", "a", "b", "a", "a"],
            "x": [1.0, 2.0, 3.0, 4.0, np.nan],
            "y": [10.0, 20.0, 30.0, 40.0, 50.0],
        }
    )
    table = describe_groups(data, ["x", "y"], groups=["a", "b", "c"])
    assert list(table.columns) == list(SUMMARY_COLUMNS)
    assert list(zip(table["endpoint"], table["group"], strict=True)) == [
        ("x", "a"),
        ("x", "b"),
        ("x", "c"),
        ("y", "a"),
        ("y", "b"),
        ("y", "c"),
    ]
    row = table.iloc[0]
    assert (row["n"], row["n_missing"], row["mean"]) == (2, 1, 3.0)
    assert table.iloc[2]["n"] == 0  # a group with no animal
    assert table.iloc[3]["mean"] == pytest.approx(np.mean([20.0, 40.0, 50.0]))


def test_epm_postures_are_default_endpoints_only_when_measured() -> None:
    from assaykit.stats.inputs import EPM_ENDPOINTS, default_endpoints

    table = pd.DataFrame(
        {
            "animal": ["a", "b"],
            "group": ["vehicle", "drug"],
            **{c: [1.0, 2.0] for c in EPM_ENDPOINTS},
            "head_dips": [3, 5],
            "unprotected_head_dips": [float("nan")] * 2,
            "stretched_attend_postures": [float("nan")] * 2,
        }
    )
    assert default_endpoints(table) == [*EPM_ENDPOINTS, "head_dips"]
    assert default_endpoints(table.drop(columns=["head_dips"])) == list(EPM_ENDPOINTS)
    assert default_endpoints(table.assign(head_dips=["", ""])) == list(EPM_ENDPOINTS)  # blanks read as text


REFERENCE = Path(__file__).parent / "reference"


def test_prism_quartiles_are_r_type_6_and_the_default_type_7() -> None:
    # tests/stats/reference/quantile_type6.R: R's quantile(type = 6) (Prism's rule) and type = 7
    stored = json.loads((REFERENCE / "quantile_type6.json").read_text())["samples"]
    for sample in stored:
        values = np.asarray(sample["values"], dtype=float)
        for rule, key in (("prism", "type6"), ("type7", "type7")):
            out = describe(values, quartiles=rule)
            got = [out["q1"], out["median"], out["q3"]]
            np.testing.assert_allclose(got, sample[key], rtol=1e-13, atol=1e-13, err_msg=f"{rule} {values}")
            assert out["iqr"] == pytest.approx(sample[key][2] - sample[key][0], rel=1e-12, abs=1e-12)
    assert describe(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))["q1"] == 2.0  # the default stays type 7
    assert describe(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), quartiles="prism")["q1"] == 1.5  # rank 0.25 * 6


def test_describe_groups_passes_the_quartile_rule_and_rejects_unknown_ones() -> None:
    data = pd.DataFrame({"group": ["a"] * 4, "x": [12.1, 3.4, 7.7, 9.0]})
    table = describe_groups(data, ["x"], quartiles="prism")
    assert table["q1"].iloc[0] == pytest.approx(4.475)  # R: quantile(c(12.1, 3.4, 7.7, 9), 0.25, type = 6)
    with pytest.raises(ValueError, match="quartiles must be one of"):
        describe(np.array([1.0, 2.0]), quartiles="type6")
