"""factorial_comparisons against R: car::Anova types II and III, emmeans simple effects, multcomp::glht.

The data and the values come from tests/stats/reference/factorial.R (R's lm, car, emmeans, multcomp; the
single-step p-values and critical values by mvtnorm's TVPACK at 1e-12).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.stats.columns import MODEL_COLUMNS
from assaykit.stats.factorial import ANOVA_COLUMNS, factorial_comparisons

REFERENCE = Path(__file__).parent / "reference"
DATA = pd.read_csv(REFERENCE / "factorial.csv", keep_default_na=False, na_values=[""])
EXPECTED = json.loads((REFERENCE / "factorial.json").read_text())
ENDPOINT, GROUP = "open time (%)", "treatment group"
TERMS = {"g": GROUP, "s": "sex", "g:s": f"{GROUP}:sex", "b": "cohort", "Residuals": "Residuals"}


def run(name: str, **options):
    data = DATA[DATA["dataset"] == name]
    block = "cohort" if name.startswith("blocked") else None
    return factorial_comparisons(data, ENDPOINT, group=GROUP, control="vehicle", block=block, **options)


def check_rows(rows: pd.DataFrame, expected: list[dict]) -> None:
    assert len(rows) == len(expected)
    for row, ref in zip(rows.itertuples(), expected, strict=True):
        assert ref["contrast"].replace("(", "").replace(")", "") == f"{row.group} - vehicle"
        for column in ("estimate", "se", "statistic", "p_value", "ci_low", "ci_high"):
            assert getattr(row, column) == pytest.approx(ref[column], rel=1e-9, abs=1e-12), column
        assert row.df == ref["df"]
        assert row.p_adjusted == pytest.approx(ref["p_adjusted"], abs=1e-9)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_anova_types_ii_and_iii_match_car(name: str) -> None:
    result = run(name)
    assert tuple(result.anova.columns) == ANOVA_COLUMNS
    for ss_type in (2, 3):
        ours = result.anova[result.anova["ss_type"] == ss_type]
        reference = [r for r in EXPECTED[name].get(f"anova{ss_type}", []) if r["term"] != "(Intercept)"]
        assert len(ours) == len(reference)
        by_term = {row.term: row for row in ours.itertuples()}
        assert set(by_term) == {TERMS[r["term"]] for r in reference}
        for ref in reference:
            row = by_term[TERMS[ref["term"]]]
            assert row.df == ref["df"]
            assert row.sum_sq == pytest.approx(ref["sum_sq"], rel=1e-9)
            if ref["F"] is None:
                assert math.isnan(row.F) and math.isnan(row.p_value)
            else:
                assert pytest.approx(ref["F"], rel=1e-9) == row.F
                assert row.p_value == pytest.approx(ref["p_value"], rel=1e-7)


@pytest.mark.parametrize("name", ["balanced_interaction", "unbalanced_interaction"])
def test_an_interaction_gives_each_group_against_vehicle_within_each_sex(name: str) -> None:
    result = run(name)
    assert result.rule == "within"
    assert result.interaction_p < 0.05
    assert (
        "within each level of sex" in result.decision and f"p = {result.interaction_p:.3g}" in result.decision
    )
    assert tuple(result.comparisons.columns) == MODEL_COLUMNS
    for sex in ("F", "M"):
        rows = result.comparisons[result.comparisons["stratum"] == f"sex={sex}"]
        check_rows(rows, [r for r in EXPECTED[name]["simple"] if r["stratum"] == sex])
        assert set(rows["adjustment"]) == {"dunnett"}  # one-factor within a level: exact quadrature
    data = DATA[DATA["dataset"] == name]
    row = result.comparisons.iloc[-1]
    in_cell = (data[GROUP] == row["group"]) & (data["sex"] == "M")
    assert row["n_group"] == in_cell.sum()


@pytest.mark.parametrize(
    "name", ["balanced_additive", "unbalanced_additive", "empty_cell", "blocked_additive"]
)
def test_no_interaction_gives_the_pooled_additive_model(name: str) -> None:
    result = run(name)
    assert result.rule == "pooled"
    rows = result.comparisons
    assert set(rows["stratum"]) == {""} and set(rows["analysis"]) == {"factorial"}
    assert set(rows["ci_type"]) == {"simultaneous"} and set(rows["scale"]) == {"difference"}
    check_rows(rows, EXPECTED[name]["pooled"])
    assert rows["model"].iloc[0].startswith(f"{ENDPOINT} ~ {GROUP} + sex")


def test_an_empty_cell_reports_type_ii_only_and_compares_pooled() -> None:
    result = run("empty_cell")
    assert set(result.anova["ss_type"]) == {2}
    assert "empty cell" in result.decision
    assert any("type III" in n for n in result.notes)
    assert any("no animal in" in n and "diazepam" in n for n in result.notes)


def test_the_interaction_alpha_decides_the_rule() -> None:
    p = run("unbalanced_additive").interaction_p
    assert run("unbalanced_additive", interaction_alpha=min(0.99, p * 1.01)).rule == "within"
    assert run("balanced_interaction", interaction_alpha=0.001).rule == "pooled"


def test_a_factor_with_one_level_is_not_a_factorial_design() -> None:
    data = DATA[(DATA["dataset"] == "balanced_additive") & (DATA["sex"] == "F")]
    result = factorial_comparisons(data, ENDPOINT, group=GROUP, control="vehicle")
    assert result.rule == "none" and "one level" in result.decision
    assert result.comparisons.empty and result.anova.empty


def test_missing_values_are_dropped_and_counted() -> None:
    data = DATA[DATA["dataset"] == "balanced_additive"].copy()
    data.loc[data.index[:3], ENDPOINT] = np.nan
    result = factorial_comparisons(data, ENDPOINT, group=GROUP, control="vehicle")
    assert result.n_missing == 3
    assert result.comparisons["n_control"].iloc[0] == 12 - 3  # the first rows are vehicle animals
    assert any("3 animal(s) without a value" in n for n in result.notes)


def test_a_cell_of_one_animal_is_noted_and_no_residual_df_gives_nan() -> None:
    data = pd.DataFrame(
        {
            "group": ["v", "v", "d", "d"] * 2,
            "sex": ["F", "M"] * 4,
            "y": [1.0, 2.0, 3.5, 4.0, 1.2, 2.5, 3.1, 4.4],
        }
    )
    one = factorial_comparisons(data.iloc[:6], "y", control="v")  # d x F has one animal... and d x M one
    assert any("one animal" in n for n in one.notes)
    single = data.iloc[:4]  # one animal per cell: no residual df in the two-way model
    result = factorial_comparisons(single, "y", control="v")
    assert math.isnan(result.interaction_p) and result.rule == "pooled"
    assert "could not be tested" in result.decision
    row = result.comparisons.iloc[0]
    # additive model y ~ g + s on 4 animals: closed form (d - v) = ((3.5 - 1) + (4 - 2)) / 2, 1 df
    assert row["estimate"] == pytest.approx(2.25) and row["df"] == 1


def test_bad_input_raises_an_assay_input_error() -> None:
    data = DATA[DATA["dataset"] == "balanced_additive"]
    with pytest.raises(AssayInputError, match="control group 'saline'"):
        factorial_comparisons(data, ENDPOINT, group=GROUP, control="saline")
    with pytest.raises(AssayInputError, match="no column 'sex2'"):
        factorial_comparisons(data, ENDPOINT, group=GROUP, control="vehicle", factor="sex2")
    with pytest.raises(AssayInputError, match="not a finite number"):
        factorial_comparisons(data.assign(**{ENDPOINT: "x"}), ENDPOINT, group=GROUP, control="vehicle")
