"""Counts and proportions against the control (assaykit.stats.glm) checked against R and closed forms.

The reference values were computed by tests/stats/reference/glm_counts.R (R glm with poisson, binomial and
quasibinomial families, MASS::glm.nb, multcomp::glht Dunnett contrasts with a tight GenzBretz tolerance and
the critical value solved to 1e-12), run with Rscript and stored in glm_counts.json beside it. Tolerances:
coefficients, SEs and unadjusted p to 1e-8 (relative); single-step p and interval ends to 1e-7 (absolute),
the accuracy of R's integration.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from assaykit.errors import AssayInputError
from assaykit.stats.columns import MODEL_COLUMNS
from assaykit.stats.glm import count_comparisons, proportion_comparisons

REFERENCE = json.loads((Path(__file__).parent / "reference" / "glm_counts.json").read_text())


def counts_table(name: str) -> pd.DataFrame:
    data = REFERENCE[name]["data"]
    return pd.DataFrame({"group": data["group"], "entries": data["count"]})


def check_against_r(rows: pd.DataFrame, ref: dict) -> None:
    assert list(rows.columns) == list(MODEL_COLUMNS)
    np.testing.assert_allclose(np.log(rows["estimate"]), ref["estimate"], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(rows["se"], ref["se"], rtol=1e-8)
    np.testing.assert_allclose(rows["statistic"], ref["statistic"], rtol=1e-8)
    np.testing.assert_allclose(rows["p_value"], ref["p_value"], rtol=1e-7)
    np.testing.assert_allclose(rows["p_adjusted"], ref["p_adjusted"], atol=1e-7)
    np.testing.assert_allclose(np.log(rows["ci_low"]), ref["ci_low"], atol=1e-7)
    np.testing.assert_allclose(np.log(rows["ci_high"]), ref["ci_high"], atol=1e-7)
    assert (rows["ci_type"] == "simultaneous").all()
    assert (rows["adjustment"] == "dunnett").all()


@pytest.mark.parametrize("family", ["poisson", "negative_binomial"])
def test_counts_match_r_glm_and_glm_nb(family: str) -> None:
    rows = count_comparisons(counts_table("overdispersed"), "entries", control="Vehicle", family=family)
    check_against_r(rows, REFERENCE["overdispersed"][family])
    assert (rows["analysis"] == family).all()
    assert (rows["scale"] == "rate_ratio").all() and np.isinf(rows["df"]).all()
    assert rows["group"].tolist() == ["AK-101 1 mg/kg", "AK-101 10 mg/kg (i.p.)", "Diazepam 2 mg/kg"]
    assert rows["n_group"].tolist() == [8, 7, 8] and (rows["n_control"] == 8).all()
    if family == "negative_binomial":
        assert f"alpha = {REFERENCE['overdispersed']['negative_binomial']['alpha']:.4g}" in rows["note"][0]
    else:
        assert "overdispersed" in rows["note"][0]


def test_the_rate_ratio_is_the_ratio_of_means_with_the_closed_form_poisson_se() -> None:
    table = counts_table("overdispersed")
    rows = count_comparisons(table, "entries", control="Vehicle", family="poisson")
    sums = table.groupby("group", sort=False)["entries"].agg(["mean", "sum"])
    expected = sums["mean"].iloc[1:] / sums["mean"].iloc[0]
    np.testing.assert_allclose(rows["estimate"], expected.to_numpy(), rtol=1e-10)
    # Var(log mean_g) = 1 / sum_g under the Poisson (McCullagh & Nelder 1989, sec. 6.2)
    se = np.sqrt(1 / sums["sum"].iloc[1:].to_numpy() + 1 / sums["sum"].iloc[0])
    np.testing.assert_allclose(rows["se"], se, rtol=1e-8)


def test_auto_uses_the_negative_binomial_for_overdispersed_counts_and_says_why() -> None:
    ref = REFERENCE["overdispersed"]
    rows = count_comparisons(counts_table("overdispersed"), "entries", control="Vehicle", family="auto")
    check_against_r(rows, ref["negative_binomial"])
    note = rows["note"][0]
    assert "'auto' chose the negative binomial" in note
    assert f"chi2/df = {ref['poisson']['pearson_ratio']:.3g}" in note
    assert f"LR p = {ref['negative_binomial']['lr_p']:.3g}" in note  # 0.5 * P(chi2_1 >= LR), R's logLik


def test_auto_keeps_the_poisson_when_the_counts_are_not_overdispersed() -> None:
    ref = REFERENCE["equidispersed"]["poisson"]
    rows = count_comparisons(counts_table("equidispersed"), "entries", control="veh", family="auto")
    check_against_r(rows, ref)
    assert (rows["analysis"] == "poisson").all()
    assert f"chi2/df = {ref['pearson_ratio']:.3g}" in rows["note"][0]


def test_underdispersed_counts_put_alpha_on_the_boundary() -> None:
    table = pd.DataFrame({"group": ["c"] * 5 + ["t"] * 5, "n": [5, 6, 5, 6, 5, 8, 8, 9, 8, 8]})
    nb = count_comparisons(table, "n", control="c", family="negative_binomial")
    poisson = count_comparisons(table, "n", control="c", family="poisson")
    assert "alpha is estimated at 0" in nb["note"][0]
    np.testing.assert_allclose(nb["se"], poisson["se"], rtol=1e-12)
    # A single comparison: nothing to adjust, the Wald z test itself.
    assert nb["adjustment"][0] == "none" and nb["ci_type"][0] == "per_comparison"
    assert nb["p_adjusted"][0] == pytest.approx(2 * stats.norm.sf(abs(nb["statistic"][0])), rel=1e-12)


def test_a_group_with_no_counts_gets_nan_and_the_others_are_tested_without_it() -> None:
    table = counts_table("overdispersed")
    zeros = pd.DataFrame({"group": ["nothing"] * 4, "entries": [0, 0, 0, 0]})
    rows = count_comparisons(pd.concat([table, zeros]), "entries", control="Vehicle", family="poisson")
    last = rows.iloc[-1]
    assert last["group"] == "nothing" and math.isnan(last["estimate"]) and "all counts are 0" in last["note"]
    check_against_r(rows.iloc[:-1].reset_index(drop=True), REFERENCE["overdispersed"]["poisson"])


def test_a_control_with_no_counts_tests_nothing() -> None:
    table = pd.DataFrame({"group": ["c"] * 3 + ["t"] * 3, "n": [0, 0, 0, 1, 4, 2]})
    rows = count_comparisons(table, "n", control="c")
    assert rows["estimate"].isna().all() and "not tested" in rows["note"][0]


def test_missing_counts_are_left_out_with_a_note() -> None:
    table = counts_table("overdispersed")
    extra = pd.DataFrame({"group": ["Vehicle", "Diazepam 2 mg/kg"], "entries": [np.nan, np.nan]})
    rows = count_comparisons(pd.concat([table, extra]), "entries", control="Vehicle", family="poisson")
    check_against_r(rows, REFERENCE["overdispersed"]["poisson"])
    assert "2 animals without a value of entries left out" in rows["note"][0]


@pytest.mark.parametrize("bad", [-1, 2.5])
def test_counts_that_are_not_counts_name_the_column_and_the_animal(bad: float) -> None:
    table = pd.DataFrame(
        {"animal": ["a1", "a2", "a3", "a4"], "group": ["c", "c", "t", "t"], "n": [1, 2, bad, 3]}
    )
    with pytest.raises(AssayInputError, match=r"column 'n'.*animal 'a3'.*not a count"):
        count_comparisons(table, "n", control="c")


def test_bad_arguments_are_named() -> None:
    table = counts_table("equidispersed")
    with pytest.raises(ValueError, match="family"):
        count_comparisons(table, "entries", control="veh", family="gamma")  # type: ignore[arg-type]
    with pytest.raises(AssayInputError, match="no group named 'vehicle'.*did you mean 'veh'"):
        count_comparisons(table, "entries", control="vehicle")
    with pytest.raises(AssayInputError, match="no column 'entires'.*did you mean 'entries'"):
        count_comparisons(table, "entires", control="veh")


def proportions_table(name: str) -> pd.DataFrame:
    return pd.DataFrame(REFERENCE[name]["data"])


def test_overdispersed_proportions_match_r_binomial_and_quasibinomial() -> None:
    table = proportions_table("proportions")
    empty = pd.DataFrame({"group": ["low dose"], "open_entries": [0], "total_entries": [0]})
    rows = proportion_comparisons(pd.concat([table, empty]), control="veh")
    binomial, quasi = rows[rows["analysis"] == "binomial"], rows[rows["analysis"] == "quasibinomial"]
    ref = REFERENCE["proportions"]
    check_against_r(binomial.reset_index(drop=True), ref["binomial"])
    check_against_r(quasi.reset_index(drop=True), ref["quasibinomial"])
    assert (quasi["df"] == ref["quasibinomial"]["df"]).all() and np.isinf(binomial["df"]).all()
    assert (rows["scale"] == "odds_ratio").all() and (rows["n_group"] == 10).all()
    assert "1 animal with total_entries = 0 (no trials) left out" in rows["note"].iloc[0]
    assert f"chi2/df = {ref['binomial']['pearson_ratio']:.3g}" in rows["note"].iloc[0]
    assert "read the quasibinomial rows" in binomial["note"].iloc[0]
    assert f"dispersion {ref['quasibinomial']['dispersion']:.4g}" in quasi["note"].iloc[0]


def test_proportions_without_overdispersion_give_binomial_rows_only() -> None:
    rows = proportion_comparisons(proportions_table("proportions_binomial"), control="Vehicle")
    check_against_r(rows, REFERENCE["proportions_binomial"]["binomial"])
    assert (rows["analysis"] == "binomial").all() and len(rows) == 3


def test_the_odds_ratio_is_the_closed_form_of_pooled_entries() -> None:
    table = proportions_table("proportions_binomial")
    rows = proportion_comparisons(table, control="Vehicle")
    pooled = table.groupby("group", sort=False)[["open_entries", "total_entries"]].sum()
    s, t = pooled["open_entries"].to_numpy(), pooled["total_entries"].to_numpy()
    odds = s / (t - s)
    np.testing.assert_allclose(rows["estimate"], odds[1:] / odds[0], rtol=1e-10)
    # Woolf's SE of a log odds ratio of two pooled 2x2 tables (Agresti 2013, sec. 3.1)
    woolf = np.sqrt(1 / s[1:] + 1 / (t - s)[1:] + 1 / s[0] + 1 / (t - s)[0])
    np.testing.assert_allclose(rows["se"], woolf, rtol=1e-8)


def test_a_group_whose_proportions_are_all_zero_gets_nan() -> None:
    table = proportions_table("proportions_binomial")
    none = pd.DataFrame({"group": ["shy"] * 3, "open_entries": [0, 0, 0], "total_entries": [5, 7, 6]})
    rows = proportion_comparisons(pd.concat([table, none]), control="Vehicle")
    last = rows.iloc[-1]
    assert last["group"] == "shy" and math.isnan(last["estimate"]) and "every proportion is 0" in last["note"]
    check_against_r(rows.iloc[:-1].reset_index(drop=True), REFERENCE["proportions_binomial"]["binomial"])


def test_more_successes_than_trials_is_an_error_naming_the_animal() -> None:
    table = pd.DataFrame(
        {"animal": ["m1", "m2", "m3", "m4"], "group": ["c", "c", "t", "t"], "open_entries": [1, 2, 9, 3],
         "total_entries": [5, 5, 8, 6]}
    )  # fmt: skip
    with pytest.raises(
        AssayInputError, match=r"column 'open_entries'.*animal 'm3' has 9 open_entries out of 8"
    ):
        proportion_comparisons(table, control="c")
