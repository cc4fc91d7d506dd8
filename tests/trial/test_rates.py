"""Responder/remission rates against R (tests/trial/reference/rates.R) and published closed forms."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.trial.rates import (
    clopper_pearson,
    compare_two_rates,
    efficacy_outcomes,
    newcombe_difference,
    pairwise_rates,
    rate_table,
    wilson,
)

REF = pd.read_csv(Path(__file__).parent / "reference" / "rates.csv")
CASES = [row for _, row in REF.iterrows()]


def _close(a: float, b: float, rel: float) -> bool:
    if math.isinf(b):
        return math.isinf(a) and (a > 0) == (b > 0)
    return a == pytest.approx(b, rel=rel, abs=1e-12)


@pytest.mark.parametrize(
    "case", CASES, ids=lambda r: f"{r.x1:.0f}/{r.n1:.0f}-{r.x2:.0f}/{r.n2:.0f}@{r.level}"
)
def test_against_r(case) -> None:
    x1, n1, x2, n2, level = int(case.x1), int(case.n1), int(case.x2), int(case.n2), case.level
    assert clopper_pearson(x1, n1, level) == pytest.approx((case.cp1_low, case.cp1_high), rel=1e-9, abs=1e-12)
    assert clopper_pearson(x2, n2, level) == pytest.approx((case.cp2_low, case.cp2_high), rel=1e-9, abs=1e-12)
    assert wilson(x1, n1, level) == pytest.approx((case.wilson1_low, case.wilson1_high), rel=1e-9, abs=1e-12)
    got = compare_two_rates(x1, n1, x2, n2, level)
    assert got["risk_difference"] == pytest.approx(case.rd, rel=1e-12)
    assert (got["rd_low"], got["rd_high"]) == pytest.approx((case.rd_low, case.rd_high), rel=1e-9)
    assert got["p_fisher"] == pytest.approx(case.p_fisher, rel=1e-9)
    # R's fisher.test solves for the conditional MLE and its bounds by uniroot at its default tolerance
    # (.Machine$double.eps^0.25 on the odds ratio or on its inverse: up to 1% off for a wide bound); the
    # same equations solved in R to 1e-13 ("_tight") pin the values down.
    for ours, theirs in (("odds_ratio", "or_cmle"), ("or_low", "or_low"), ("or_high", "or_high")):
        assert _close(got[ours], case[f"{theirs}_tight"], rel=1e-7), (ours, got[ours], case[theirs])
        assert _close(got[ours], case[theirs], rel=1e-2), (ours, got[ours], case[theirs])


def test_newcombe_published_examples() -> None:
    # Newcombe (1998) Stat Med 17:873-890, Table II, method 10 (hybrid score, no continuity correction).
    for (x1, n1, x2, n2), (low, high) in {
        (56, 70, 48, 80): (0.0524, 0.3339),
        (9, 10, 3, 10): (0.1705, 0.8090),
        (6, 7, 2, 7): (0.0582, 0.8062),
        (5, 56, 0, 29): (-0.0381, 0.1926),
    }.items():
        _, lo, hi = newcombe_difference(x1, n1, x2, n2)
        assert (round(lo, 4), round(hi, 4)) == (low, high)


def test_clopper_pearson_closed_form_at_the_edges() -> None:
    # x = 0: upper bound 1 - (alpha/2)^(1/n); x = n: lower bound (alpha/2)^(1/n).
    assert clopper_pearson(0, 20) == pytest.approx((0.0, 1 - 0.025 ** (1 / 20)), rel=1e-12)
    assert clopper_pearson(20, 20) == pytest.approx((0.025 ** (1 / 20), 1.0), rel=1e-12)


def _outcomes() -> pd.DataFrame:
    arms = ["tofisopam"] * 22 + ["placebo"] * 22 + ["diazepam"] * 22
    responder = [True] * 12 + [False] * 10 + [True] * 5 + [False] * 17 + [True] * 14 + [False] * 7 + [None]
    return pd.DataFrame(
        {
            "patient": [f"P{i:02d}" for i in range(66)],
            "arm": arms,
            "responder": pd.array(responder, "boolean"),
        }
    )


def test_rate_table_rows_and_comparisons() -> None:
    table = rate_table(_outcomes())
    assert table["arm"].tolist() == ["placebo", "tofisopam", "diazepam"]
    assert table[["n", "events", "n_missing"]].to_numpy().tolist() == [[22, 5, 0], [22, 12, 0], [21, 14, 1]]
    assert table["rate"].tolist() == pytest.approx([5 / 22, 12 / 22, 14 / 21])
    placebo = table.iloc[0]
    assert pd.isna(placebo["comparison"]) and np.isnan(placebo["p_fisher"])
    diazepam = table.iloc[2]
    assert diazepam["comparison"] == "diazepam vs placebo"
    tofisopam = table.iloc[1]
    ref = REF[(REF.x1 == 12) & (REF.n1 == 22) & (REF.x2 == 5) & (REF.n2 == 22) & (REF.level == 0.95)].iloc[0]
    assert tofisopam["p_fisher"] == pytest.approx(ref.p_fisher)
    assert (tofisopam["rd_low"], tofisopam["rd_high"]) == pytest.approx((ref.rd_low, ref.rd_high))
    assert (tofisopam["rate_low"], tofisopam["rate_high"]) == pytest.approx((ref.cp1_low, ref.cp1_high))


def test_missing_as_failure_counts_the_patient() -> None:
    table = rate_table(_outcomes(), missing="failure").set_index("arm")
    assert (table.at["diazepam", "n"], table.at["diazepam", "events"]) == (22, 14)


def test_pairwise_drug_against_drug() -> None:
    out = pairwise_rates(_outcomes(), [("tofisopam", "diazepam")], outcome="responder").iloc[0]
    assert out["comparison"] == "tofisopam vs diazepam"
    assert (out["events"], out["n"], out["reference_events"], out["reference_n"]) == (12, 22, 14, 21)
    assert out["risk_difference"] == pytest.approx(12 / 22 - 14 / 21)


def test_rate_table_errors() -> None:
    with pytest.raises(AssayInputError, match="control arm 'vehicle' is not among the arms"):
        rate_table(_outcomes(), control="vehicle")
    bad = _outcomes().astype({"responder": object})
    bad.loc[3, "responder"] = "yes"
    with pytest.raises(AssayInputError, match="patient P03: 'yes' is not a yes/no outcome"):
        rate_table(bad)
    with pytest.raises(AssayInputError, match="no column 'remission'"):
        rate_table(_outcomes(), outcome="remission")


def test_efficacy_outcomes_thresholds() -> None:
    # baseline 20: endpoint 10 is exactly a 50% reduction (responder); 7 is remission, 8 is not.
    scores = pd.DataFrame(
        {
            "patient": ["A", "A", "B", "B", "C", "C", "D"],
            "arm": ["placebo"] * 2 + ["diazepam"] * 2 + ["tofisopam"] * 2 + ["placebo"],
            "visit": ["baseline", "week 2"] * 3 + ["baseline"],
            "hama_total": [20, 10, 20, 11, 16, 7, 25],
        }
    )
    out = efficacy_outcomes(scores, endpoint_visit="week 2").set_index("patient")
    assert out["responder"].tolist()[:3] == [True, False, True]
    assert out["remission"].tolist()[:3] == [False, False, True]
    assert out.loc["C", "percent_change"] == pytest.approx(-56.25)
    assert pd.isna(out.loc["D", "responder"]) and pd.isna(out.loc["D", "remission"])  # no endpoint: no LOCF
    with pytest.raises(AssayInputError, match="no visit 'week 4'"):
        efficacy_outcomes(scores, endpoint_visit="week 4")
