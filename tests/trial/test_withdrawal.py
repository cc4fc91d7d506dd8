"""Withdrawal over the washout: rises, syndrome incidence, symptom counts (against R's glm and glm.nb)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from assaykit.errors import AssayInputError
from assaykit.trial.checklist import PWC20
from assaykit.trial.withdrawal import count_comparisons, withdrawal_analysis

REF = Path(__file__).parent / "reference"
DATA = pd.read_csv(REF / "withdrawal_counts_data.csv")
EXPECTED = pd.read_csv(REF / "withdrawal_counts.csv")


@pytest.mark.parametrize("dataset", ["overdispersed", "poisson"])
def test_count_models_against_r(dataset) -> None:
    data = DATA[DATA["dataset"] == dataset]
    rows, dispersion, _ = count_comparisons(data)
    expected = EXPECTED[EXPECTED["dataset"] == dataset]
    assert len(rows) == len(expected) == 6
    for _, want in expected.iterrows():
        got = rows[
            (rows["model"] == want["model"]) & (rows["comparison"] == f"{want['arm']} vs {want['reference']}")
        ]
        assert len(got) == 1
        got = got.iloc[0]
        assert got["log_rate_ratio"] == pytest.approx(want["log_rate_ratio"], rel=1e-7)
        assert got["se"] == pytest.approx(want["se"], rel=1e-6)
        assert got["p_value"] == pytest.approx(want["p_value"], rel=1e-5)
        z = sps.norm.ppf(0.975)
        assert got["rr_low"] == pytest.approx(math.exp(want["log_rate_ratio"] - z * want["se"]), rel=1e-6)
    assert dispersion["pearson_chi2_df"] == pytest.approx(expected["pearson_chi2_df"].iloc[0], rel=1e-9)
    # closed form of the one-way Poisson model: log ratio of the arm means, SE sqrt(1/Y_a + 1/Y_b)
    sums = data.groupby("arm")["symptom_count"].sum()
    sizes = data.groupby("arm").size()
    poisson = rows[rows["model"] == "poisson"].set_index("comparison").loc["tofisopam vs diazepam"]
    means = sums / sizes
    assert poisson["log_rate_ratio"] == pytest.approx(
        math.log(means["tofisopam"] / means["diazepam"]), rel=1e-10
    )
    assert poisson["se"] == pytest.approx(math.sqrt(1 / sums["tofisopam"] + 1 / sums["diazepam"]), rel=1e-10)
    if dataset == "overdispersed":
        assert dispersion["theta"] == pytest.approx(expected["theta"].iloc[0], rel=1e-9)
        assert dispersion["preferred"] == "negative_binomial"
        assert rows.loc[rows["model"] == "negative_binomial", "preferred"].all()
    else:  # glm.nb's theta runs off to infinity: alpha = 0, and the Poisson model is kept
        assert dispersion["alpha"] == 0 and dispersion["preferred"] == "poisson"


def _washout(items: dict[str, list[list[int]]]) -> pd.DataFrame:
    """Patients' PWC-20 item scores at visits 'week 2' (end of treatment), 'week 3', 'week 4'."""
    rows = []
    for patient, (arm, visits) in items.items():
        for visit, scores in zip(["week 2", "week 3", "week 4"], visits, strict=True):
            full = scores + [0] * (20 - len(scores))
            rows.append(
                {
                    "patient": patient,
                    "arm": arm,
                    "visit": visit,
                    **dict(zip(PWC20.item_names, full, strict=True)),
                }
            )
    return pd.DataFrame(rows)


TRIAL = {
    # rise of 3 at week 3 over two items (items 1 and 2 raised; item 3 lowered): syndrome, 2 symptoms
    "P1": ("diazepam", [[1, 0, 2], [2, 2, 1], [1, 1, 1]]),
    # rise of 2 only: no syndrome at threshold 3; three items raised across two visits, item 1 at both
    "P2": ("diazepam", [[0, 0, 0, 0], [1, 1, 0, 0], [1, 0, 0, 0]]),
    "P3": ("tofisopam", [[2, 2], [2, 2], [1, 2]]),
    "P4": ("placebo", [[1], [1], [2]]),
    "P5": ("placebo", [[0], [0], [0]]),
    "P6": ("tofisopam", [[0, 0, 0, 0, 0], [3, 3, 0, 0, 0], [0, 0, 0, 3, 3]]),
}


def test_rises_syndrome_and_symptom_counts() -> None:
    result = withdrawal_analysis(
        _washout(TRIAL), end_of_treatment_visit="week 2", washout_visits=["week 3", "week 4"], threshold=3
    )
    per = result.per_patient.set_index("patient")
    assert per.loc["P1", ["end_of_treatment", "peak", "max_rise"]].tolist() == [3, 5, 2]
    assert per["max_rise"].to_dict() == {"P1": 2, "P2": 2, "P3": 0, "P4": 1, "P5": 0, "P6": 6}
    assert per["syndrome"].tolist() == [False, False, False, False, False, True]
    assert per["symptom_count"].to_dict() == {"P1": 2, "P2": 2, "P3": 0, "P4": 1, "P5": 0, "P6": 4}
    assert per.loc["P6", "peak_visit"] == "week 3"  # first of the tied peaks
    # a threshold of 2 makes P1 and P2 syndromes too
    lower = withdrawal_analysis(
        _washout(TRIAL), end_of_treatment_visit="week 2", washout_visits=["week 3", "week 4"], threshold=2
    )
    assert lower.per_patient["syndrome"].sum() == 3
    incidence = lower.incidence.set_index("arm")
    assert incidence.loc[["placebo", "diazepam", "tofisopam"], "events"].tolist() == [0, 2, 1]
    assert lower.incidence_comparisons["comparison"].tolist() == [
        "diazepam vs placebo",
        "tofisopam vs placebo",
        "diazepam vs tofisopam",
    ]
    # diazepam 2/2 against placebo 0/2: Fisher's two-sided p = 2 / C(4, 2)
    first = lower.incidence_comparisons.iloc[0]
    assert first["p_fisher"] == pytest.approx(2 / 6)


def test_end_of_treatment_missing_leaves_the_patient_unclassified() -> None:
    data = _washout(TRIAL)
    data = data[~((data["patient"] == "P1") & (data["visit"] == "week 2"))]
    result = withdrawal_analysis(data, end_of_treatment_visit="week 2", washout_visits=["week 3", "week 4"])
    p1 = result.per_patient.set_index("patient").loc["P1"]
    assert pd.isna(p1["syndrome"]) and np.isnan(p1["symptom_count"]) and np.isnan(p1["max_rise"])
    assert result.incidence.set_index("arm").loc["diazepam", "n"] == 1


def test_totals_only_give_incidence_without_counts() -> None:
    data = pd.DataFrame(
        {
            "patient": ["A", "A", "B", "B"],
            "arm": ["placebo", "placebo", "diazepam", "diazepam"],
            "visit": [2, 3, 2, 3],
            "pwc_total": [4, 5, 3, 9],
        }
    )
    result = withdrawal_analysis(data, end_of_treatment_visit=2, washout_visits=[3])
    assert result.per_patient["syndrome"].tolist() == [False, True]
    assert result.counts.empty and "no item scores" in result.notes[0]


def test_an_arm_with_no_symptoms_is_left_out_of_the_count_models() -> None:
    data = pd.DataFrame(
        {
            "arm": ["placebo"] * 4 + ["tofisopam"] * 4 + ["diazepam"] * 4,
            "symptom_count": [0] * 4 + [1, 0, 2, 1] + [3, 4, 2, 5],
        }
    )
    rows, _, notes = count_comparisons(data)
    assert "placebo: all symptom counts are 0" in notes[0]
    by = rows[rows["model"] == "poisson"].set_index("comparison")
    assert np.isnan(by.loc["diazepam vs placebo", "rate_ratio"])
    # tofisopam against diazepam: the ratio of the arm means
    assert by.loc["tofisopam vs diazepam", "rate_ratio"] == pytest.approx((4 / 4) / (14 / 4))


def test_bad_input() -> None:
    data = _washout(TRIAL)
    with pytest.raises(AssayInputError, match="no visit 'week 5'"):
        withdrawal_analysis(data, end_of_treatment_visit="week 2", washout_visits=["week 5"])
    with pytest.raises(AssayInputError, match="positive number of points"):
        withdrawal_analysis(data, end_of_treatment_visit="week 2", washout_visits=["week 3"], threshold=0)
    data.loc[4, "pwc_07"] = 4
    with pytest.raises(
        AssayInputError, match=r"patient P2, visit week 3, item pwc_07: 4 is out of range 0-3"
    ):
        withdrawal_analysis(data, end_of_treatment_visit="week 2", washout_visits=["week 3"])
    with pytest.raises(AssayInputError, match="non-negative whole numbers"):
        count_comparisons(pd.DataFrame({"arm": ["placebo", "x"], "symptom_count": [1.5, 2]}))
