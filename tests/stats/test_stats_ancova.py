"""The ANCOVA against the control (assaykit.stats.ancova) checked against R.

The reference values were computed by tests/stats/reference/ancova.R (R lm(y ~ g + x), anova(lm(y ~ g * x)),
anova(lm(x ~ g)) and multcomp::glht(mcp(g = "Dunnett")) with a tight GenzBretz tolerance and the critical
value solved to 1e-12), stored in ancova.json beside it. Tolerances: estimates, SEs, t, unadjusted p, slope
and F to 1e-9 (relative); single-step p to 2e-6 and interval ends to 1e-5 x SE-scale where the correlations
are not one-factor (both sides integrate by quasi-Monte Carlo), 1e-7 where they are.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.stats.ancova import covariate_comparisons
from assaykit.stats.columns import MODEL_COLUMNS

REFERENCE = json.loads((Path(__file__).parent / "reference" / "ancova.json").read_text())


def table(name: str) -> pd.DataFrame:
    data = REFERENCE[name]["data"]
    return pd.DataFrame({"group": data["group"], "open_time_pct": data["y"], "distance_cm": data["x"]})


@pytest.mark.parametrize(
    ("name", "control", "adjustment", "p_tol", "ci_tol"),
    [("parallel", "Vehicle", "dunnett-qmc", 2e-6, 1e-4), ("crossing", "Vehicle", "dunnett-qmc", 2e-6, 1e-4),
     ("three", "Vehicle", "dunnett", 1e-7, 1e-7)],
)  # fmt: skip
def test_ancova_matches_r_lm_and_multcomp(name: str, control: str, adjustment: str, p_tol, ci_tol) -> None:
    ref = REFERENCE[name]
    result = covariate_comparisons(table(name), "open_time_pct", control=control)
    rows = result.rows
    assert list(rows.columns) == list(MODEL_COLUMNS)
    np.testing.assert_allclose(rows["estimate"], ref["estimate"], rtol=1e-9)
    np.testing.assert_allclose(rows["se"], ref["se"], rtol=1e-9)
    np.testing.assert_allclose(rows["statistic"], ref["statistic"], rtol=1e-9)
    np.testing.assert_allclose(rows["p_value"], ref["p_value"], rtol=1e-8)
    np.testing.assert_allclose(rows["p_adjusted"], ref["p_adjusted"], atol=p_tol)
    np.testing.assert_allclose(rows["ci_low"], ref["ci_low"], atol=ci_tol)
    np.testing.assert_allclose(rows["ci_high"], ref["ci_high"], atol=ci_tol)
    assert (rows["df"] == ref["df"]).all() and (rows["adjustment"] == adjustment).all()
    assert (rows["analysis"] == "ancova").all() and (rows["scale"] == "difference").all()
    assert (rows["ci_type"] == "simultaneous").all()
    assert result.slope == pytest.approx(ref["slope"], rel=1e-9)
    assert result.slope_se == pytest.approx(ref["slope_se"], rel=1e-9)
    assert result.slope_p == pytest.approx(ref["slope_p"], rel=1e-8)
    assert [result.slope_ci_low, result.slope_ci_high] == pytest.approx(ref["slope_ci"], rel=1e-9)
    assert result.parallel_f == pytest.approx(ref["parallel_f"], rel=1e-9)
    assert result.parallel_p == pytest.approx(ref["parallel_p"], rel=1e-8)
    assert (result.parallel_df, result.parallel_df_error) == (ref["parallel_df"], ref["parallel_df_error"])
    assert result.covariate_f == pytest.approx(ref["covariate_f"], rel=1e-9)
    assert result.covariate_p == pytest.approx(ref["covariate_p"], rel=1e-8)


def test_the_notes_say_when_slopes_differ_and_when_the_treatment_moved_the_covariate() -> None:
    parallel = covariate_comparisons(table("parallel"), "open_time_pct", control="Vehicle")
    crossing = covariate_comparisons(table("crossing"), "open_time_pct", control="Vehicle")
    assert not any("slopes differ" in n for n in parallel.notes)  # interaction p = 0.35
    assert any("slopes differ" in n for n in crossing.notes)  # interaction p = 6.4e-5
    assert "slopes differ" in crossing.rows["note"][0]
    assert any("the groups differ in distance_cm" in n for n in parallel.notes)  # ANOVA of distance p = 7e-8


def test_a_constant_covariate_gives_nan_and_a_note() -> None:
    data = table("three").assign(distance_cm=1500.0)
    result = covariate_comparisons(data, "open_time_pct", control="Vehicle")
    assert result.rows["estimate"].isna().all() and math.isnan(result.slope)
    assert "cannot be estimated" in result.rows["note"][0]


def test_animals_without_a_covariate_are_left_out_with_a_note() -> None:
    data = table("three")
    extra = pd.DataFrame({"group": ["Vehicle"], "open_time_pct": [55.0], "distance_cm": [np.nan]})
    result = covariate_comparisons(pd.concat([data, extra]), "open_time_pct", control="Vehicle")
    np.testing.assert_allclose(result.rows["estimate"], REFERENCE["three"]["estimate"], rtol=1e-9)
    assert "1 animal without open_time_pct or distance_cm left out" in result.rows["note"][0]
    assert (result.rows["n_control"] == 9).all()


def test_a_group_without_values_keeps_its_row() -> None:
    data = table("three")
    extra = pd.DataFrame({"group": ["empty"], "open_time_pct": [np.nan], "distance_cm": [1500.0]})
    rows = covariate_comparisons(pd.concat([data, extra]), "open_time_pct", control="Vehicle").rows
    assert rows["group"].tolist()[-1] == "empty" and math.isnan(rows["estimate"].iloc[-1])
    assert "empty: no animal with both values" in rows["note"].iloc[-1]
    np.testing.assert_allclose(rows["estimate"].iloc[:2], REFERENCE["three"]["estimate"], rtol=1e-9)
