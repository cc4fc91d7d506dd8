"""The example trial: its files are what the generator writes, it reads as described, and analysed with the
library it shows the pattern of issue 21.

The pattern (both drugs better than placebo on HAM-A at week 2, no difference between them; more withdrawal
syndromes on diazepam than on tofisopam, tofisopam no different from placebo) is a property of this simulated
data set (seed 2107), not of every seed of its model: examples/trial/README.md says how often other seeds
show it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from assaykit.io.trial import read_trial
from assaykit.trial.consort import consort_table
from assaykit.trial.mmrm import fit_mmrm
from assaykit.trial.scales import score_hama
from assaykit.trial.withdrawal import withdrawal_analysis

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "examples" / "trial"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_trial", FOLDER / "make_trial.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE = _generator()


@pytest.fixture(scope="module")
def trial() -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_trial(FOLDER / "visits.csv", FOLDER / "patients.csv")


@pytest.fixture(scope="module")
def change(trial: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    visits = trial[0]
    scored = score_hama(visits[visits["visit"].isin(MAKE.TREATMENT_VISITS)])
    baseline = scored[scored["visit"] == "baseline"].set_index("patient")["hama_total"]
    post = scored[scored["visit"] != "baseline"].copy()
    post["baseline"] = post["patient"].map(baseline)
    post["change"] = post["hama_total"] - post["baseline"]
    return post


def test_the_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    MAKE.main(tmp_path)
    for name in ("visits.csv", "patients.csv"):
        assert (tmp_path / name).read_bytes() == (FOLDER / name).read_bytes(), name


def test_the_example_is_the_trial_described(trial: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    visits, patients = trial
    assert len(patients) == 66
    assert patients.groupby("arm").size().to_dict() == {"diazepam": 22, "placebo": 22, "tofisopam": 22}
    assert visits.attrs["visits"] == list(MAKE.VISITS) and visits.attrs["baseline_visit"] == "baseline"
    stopped = patients[~patients["completed"]]
    assert sorted(zip(stopped["arm"], stopped["discontinued_reason"], strict=True)) == sorted(
        (arm, reason) for arm, reason, *_ in MAKE.DROPOUTS
    )
    # dropouts have no week-2 or washout visit; completers have all five
    per_patient = visits.groupby("patient")["visit"].apply(list)
    for patient in patients["patient"]:
        if patient in set(stopped["patient"]):
            assert "week 2" not in per_patient[patient]
        else:
            assert per_patient[patient] == list(MAKE.VISITS)
    # HAM-A items at the treatment visits only, PWC-20 items at the end of treatment and in the washout;
    # every score an integer in range (the reader checked the range)
    hama = visits[list(MAKE.HAMA_ITEMS)]
    pwc = visits[list(MAKE.PWC_ITEMS)]
    on_treatment = visits["visit"].isin(MAKE.TREATMENT_VISITS).to_numpy()
    with_pwc = visits["visit"].isin([MAKE.END_OF_TREATMENT, *MAKE.WASHOUT]).to_numpy()
    assert hama[~on_treatment].isna().all().all() and pwc[~with_pwc].isna().all().all()
    assert pwc[with_pwc].notna().all().all()
    assert hama[on_treatment].isna().sum().sum() == 1  # the one unrated item
    for block in (hama[on_treatment], pwc[with_pwc]):
        values = block.to_numpy()
        values = values[~np.isnan(values)]
        assert (values == np.round(values)).all()
    baseline = score_hama(visits[visits["visit"] == "baseline"])["hama_total"]
    assert baseline.min() >= MAKE.ENTRY_MIN and 20 <= baseline.mean() <= 32  # the entry criterion


def test_the_consort_flow(trial: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    visits, patients = trial
    scored = visits[["patient", "arm", "visit"]].assign(
        hama_total=score_hama(visits[["patient", "visit", *MAKE.HAMA_ITEMS]])["hama_total"].to_numpy()
    )
    table = consort_table(patients, scored).set_index(["stage", "arm"])["n"]
    assert table["randomised", "total"] == 66 and table["completed", "total"] == 60
    assert table["analysed (mITT)", "total"] == 64  # the two lost after baseline have no post-baseline score


def test_both_drugs_beat_placebo_and_do_not_differ(change: pd.DataFrame) -> None:
    fit = fit_mmrm(change, visits=["week 1", "week 2"])
    assert fit.structure_used == "unstructured"
    primary = fit.primary.set_index("arm")
    for drug in ("tofisopam", "diazepam"):
        assert primary.loc[drug, "estimate"] < 0  # a larger fall of HAM-A than on placebo
        assert primary.loc[drug, "p_value"] < 0.05
        assert primary.loc[drug, "ci_high"] < 0
    between = fit_mmrm(change, visits=["week 1", "week 2"], control="tofisopam").primary.set_index("arm")
    assert between.loc["diazepam", "p_value"] > 0.05
    assert between.loc["diazepam", "ci_low"] < 0 < between.loc["diazepam", "ci_high"]


def test_withdrawal_follows_diazepam_not_tofisopam(trial: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    visits = trial[0]
    result = withdrawal_analysis(
        visits, end_of_treatment_visit=MAKE.END_OF_TREATMENT, washout_visits=list(MAKE.WASHOUT)
    )
    rate = result.incidence.set_index("arm")["events"] / result.incidence.set_index("arm")["n"]
    assert rate["diazepam"] > rate["tofisopam"]
    p = {frozenset((r.arm, r.reference)): r.p_fisher for r in result.incidence_comparisons.itertuples()}
    assert p[frozenset(("diazepam", "tofisopam"))] < 0.05
    assert p[frozenset(("tofisopam", "placebo"))] > 0.05
    counts = result.counts[result.counts["preferred"]].set_index("comparison")
    row = counts.loc[[c for c in counts.index if set(c.split(" vs ")) == {"diazepam", "tofisopam"}][0]]
    assert row["p_value"] < 0.05
