"""The CONSORT flow table: counts per arm, reasons, the mITT definition, contradictions."""

from __future__ import annotations

import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.trial.consort import analysed_patients, consort_table


def _patients() -> pd.DataFrame:
    rows = [
        # patient, arm, randomised, treated, completed, reason
        ("P01", "placebo", True, True, True, ""),
        ("P02", "placebo", True, True, False, "lack of efficacy"),
        ("P03", "placebo", "yes", "no", "no", ""),  # randomised, never dosed
        ("P04", "diazepam", True, True, True, None),
        ("P05", "diazepam", True, True, False, "adverse event"),
        ("P06", "diazepam", 1, 1, 0, ""),  # stopped, reason not recorded
        ("P07", "tofisopam", True, True, True, ""),
        ("P08", None, False, False, False, ""),  # screening failure
    ]
    return pd.DataFrame(
        rows, columns=["patient", "arm", "randomised", "treated", "completed", "discontinued_reason"]
    )


def _visits() -> pd.DataFrame:
    rows = [
        ("P01", "baseline", 24), ("P01", "week 1", 20), ("P01", "week 2", 15),
        ("P02", "baseline", 26), ("P02", "week 1", 25),
        ("P03", "baseline", 22),
        ("P04", "baseline", 25), ("P04", "week 2", 9),
        ("P05", "baseline", 28), ("P05", "week 1", None),  # no post-baseline score: not analysed
        ("P06", "week 1", 20),  # no baseline: not analysed
        ("P07", "baseline", 23), ("P07", "week 2", 12),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["patient", "visit", "hama_total"])


def test_counts_per_arm_and_total() -> None:
    table = consort_table(_patients(), _visits())
    wide = table.pivot(index="stage", columns="arm", values="n")
    assert list(dict.fromkeys(table["arm"])) == ["placebo", "diazepam", "tofisopam", "total"]
    assert wide.loc["randomised"].to_dict() == {"placebo": 3, "diazepam": 3, "tofisopam": 1, "total": 7}
    assert wide.loc["treated", ["placebo", "diazepam", "tofisopam"]].tolist() == [2, 3, 1]
    assert wide.loc["not treated", "placebo"] == 1
    assert wide.loc["completed", ["placebo", "diazepam", "tofisopam"]].tolist() == [1, 1, 1]
    assert wide.loc["discontinued", ["placebo", "diazepam", "total"]].tolist() == [1, 2, 3]
    assert wide.loc["discontinued: lack of efficacy", "placebo"] == 1
    assert wide.loc["discontinued: adverse event", "diazepam"] == 1
    assert wide.loc["discontinued: not recorded", "diazepam"] == 1
    # mITT: treated, baseline and a post-baseline score: P01, P02, P04, P07 (P03 untreated, P05, P06 not)
    assert wide.loc["analysed (mITT)"].to_dict() == {"placebo": 2, "diazepam": 1, "tofisopam": 1, "total": 4}
    percent = table.set_index(["stage", "arm"])["percent"]
    assert percent[("analysed (mITT)", "placebo")] == pytest.approx(200 / 3)
    assert table.attrs["not_randomised"] == 1


def test_analysed_set_and_analysed_column() -> None:
    assert analysed_patients(_visits()) == {"P01", "P02", "P04", "P07"}
    patients = _patients().assign(analysed=[True, False, True, True, True, False, True, False])
    wide = consort_table(patients).pivot(index="stage", columns="arm", values="n")
    # P03 is flagged analysed but never treated: not counted
    assert wide.loc["analysed (mITT)"].to_dict() == {"placebo": 1, "diazepam": 2, "tofisopam": 1, "total": 4}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"treated": [True] + [True] * 7}, "patient P08: treated but not randomised"),
        (
            {"completed": [True, True, True, True, True, True, True, False]},
            "patient P02: completed, yet discontinued",
        ),
        ({"randomised": ["maybe"] * 8}, "patient P01: 'maybe' is not yes/no"),
        ({"patient": ["P01"] * 8}, "patient P01 appears twice"),
    ],
)
def test_contradictions(change, message) -> None:
    patients = _patients().assign(**change)
    with pytest.raises(AssayInputError, match=message):
        consort_table(patients, _visits())


def test_needs_visits_or_an_analysed_column() -> None:
    with pytest.raises(AssayInputError, match="no column 'analysed'.*give the visits table"):
        consort_table(_patients())
