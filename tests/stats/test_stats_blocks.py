"""blocked_comparisons against R: lm(y ~ g + block) with multcomp::glht, and nlme::lme (random intercept).

The data and the values come from tests/stats/reference/blocks.R (the single-step p-values and critical
values by mvtnorm's TVPACK at 1e-12). The REML optimisers of statsmodels and nlme stop at slightly different
points, so the mixed model is compared at a relative 1e-4 (variances at 1e-3).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.stats.blocks import blocked_comparisons
from assaykit.stats.columns import MODEL_COLUMNS

REFERENCE = Path(__file__).parent / "reference"
DATA = pd.read_csv(REFERENCE / "blocks.csv")
EXPECTED = json.loads((REFERENCE / "blocks.json").read_text())
ENDPOINT, GROUP, BLOCK = "light time (s)", "dose group", "test day"


def run(name: str, **options):
    data = DATA[DATA["dataset"] == name]
    return blocked_comparisons(data, ENDPOINT, group=GROUP, control="vehicle", block=BLOCK, **options)


def check(rows: pd.DataFrame, expected: list[dict], rel: float, p_abs: float) -> None:
    assert tuple(rows.columns) == MODEL_COLUMNS
    assert list(rows["group"]) == [r["group"] for r in expected]
    for row, ref in zip(rows.itertuples(), expected, strict=True):
        for column in ("estimate", "se", "statistic", "ci_low", "ci_high"):
            assert getattr(row, column) == pytest.approx(ref[column], rel=rel, abs=rel), column
        assert row.df == ref["df"]
        assert row.p_value == pytest.approx(ref["p_value"], rel=rel * 10, abs=p_abs)
        assert row.p_adjusted == pytest.approx(ref["p_adjusted"], rel=rel * 10, abs=p_abs)


@pytest.mark.parametrize("name", ["three_cohorts", "six_cohorts", "zero_block"])
def test_the_fixed_block_matches_lm_and_glht(name: str) -> None:
    result = run(name, model="fixed")
    assert result.model == "fixed" and "fixed blocking factor" in result.decision
    check(result.comparisons, EXPECTED[name]["fixed"], rel=1e-9, p_abs=1e-9)
    assert result.residual_variance == pytest.approx(EXPECTED[name]["fixed_residual_variance"], rel=1e-9)
    assert set(result.comparisons["analysis"]) == {"blocked"}


@pytest.mark.parametrize("name", ["three_cohorts", "six_cohorts"])
def test_the_random_block_matches_nlme_lme(name: str) -> None:
    result = run(name, model="random")
    assert result.model == "random"
    ref = EXPECTED[name]
    check(result.comparisons, ref["random"], rel=1e-4, p_abs=1e-6)
    # nlme's denominator df for a within-block effect: N - M - (p - 1)
    assert (
        set(result.comparisons["df"])
        == {ref["n"] - ref["n_blocks"] - 3}
        == {r["lme_df"] for r in ref["random"]}
    )
    assert result.block_variance == pytest.approx(ref["block_variance"], rel=1e-3)
    assert result.residual_variance == pytest.approx(ref["residual_variance"], rel=1e-3)
    assert "MixedLM, REML" in result.comparisons["model"].iloc[0]


def test_auto_chooses_by_the_number_of_blocks() -> None:
    three = run("three_cohorts")
    assert three.model == "fixed" and "fewer than the 5" in three.decision
    six = run("six_cohorts")
    assert six.model == "random" and "6 levels" in six.decision
    assert run("six_cohorts", min_random_levels=7).model == "fixed"
    forced = run("three_cohorts", model="random")
    assert any("unreliable" in n for n in forced.notes)


def test_a_zero_block_variance_falls_back_to_the_fixed_block() -> None:
    result = run("zero_block", model="random")
    assert result.model == "fixed"
    assert any("block variance" in n and "fixed factor instead" in n for n in result.notes)
    check(result.comparisons, EXPECTED["zero_block"]["fixed"], rel=1e-9, p_abs=1e-9)


def test_missing_values_and_labels_are_dropped_and_counted() -> None:
    data = DATA[DATA["dataset"] == "six_cohorts"].copy()
    data.loc[data.index[0], ENDPOINT] = np.nan
    data.loc[data.index[1], BLOCK] = np.nan
    result = blocked_comparisons(data, ENDPOINT, group=GROUP, control="vehicle", block=BLOCK, model="fixed")
    assert result.n_missing == 1
    assert any("without a label" in n for n in result.notes)
    used = int(result.comparisons["n_group"].sum() + result.comparisons["n_control"].iloc[0])
    assert used == EXPECTED["six_cohorts"]["n"] - 2


def test_one_block_is_the_one_way_model() -> None:
    data = pd.DataFrame({"group": ["a"] * 3 + ["b"] * 3, "cohort": "1", "y": [1.0, 2.0, 3.0, 4.0, 6.0, 5.0]})
    result = blocked_comparisons(data, "y", control="a")
    row = result.comparisons.iloc[0]
    # one comparison: the pooled two-sample t, closed form: diff 3, s^2 = 1, se = sqrt(2/3), 4 df
    assert row["estimate"] == pytest.approx(3.0) and row["se"] == pytest.approx(np.sqrt(2 / 3))
    assert row["df"] == 4 and row["p_adjusted"] == pytest.approx(row["p_value"], rel=1e-9)
    assert any("one cohort" in n for n in result.notes)


def test_bad_options_raise_an_assay_input_error() -> None:
    data = DATA[DATA["dataset"] == "six_cohorts"]
    with pytest.raises(AssayInputError, match="'auto', 'fixed' or 'random'"):
        blocked_comparisons(data, ENDPOINT, group=GROUP, control="vehicle", block=BLOCK, model="mixed")
    with pytest.raises(AssayInputError, match="no column 'cohort'"):
        blocked_comparisons(data, ENDPOINT, group=GROUP, control="vehicle")
