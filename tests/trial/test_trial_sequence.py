"""``--sequence``: the key secondary comparisons the hierarchy tests after the primary, in the user's order.

The expected hierarchy is built by hand from the run's own component tables (the responder and withdrawal
Fisher p-values, the margin test's p): in a fixed sequence a comparison's adjusted p is the running maximum of
the raw p-values up to it (the closed form of :mod:`assaykit.trial.multiplicity`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.cli import main
from assaykit.errors import AssayInputError
from assaykit.trial.workflow import TrialRun, run_trial

ROOT = Path(__file__).resolve().parents[2]
VISITS = ROOT / "examples" / "trial" / "visits.csv"
PATIENTS = ROOT / "examples" / "trial" / "patients.csv"


@cache
def _run(sequence: str | None = None, margin: float | None = None) -> TrialRun:
    return run_trial(VISITS, patients=PATIENTS, sequence=sequence, margin=margin)


def _expected(run: TrialRun, families: list[str]) -> list[tuple[str, float]]:
    """The (comparison, raw p) rows of the hierarchy, from the component tables, in testing order."""
    drugs = [a for a in run.options["arms"] if a != "placebo"]
    primary = run.mmrm.primary.set_index("arm")
    visit = run.options["primary_visit"]
    rows = [(f"MMRM {visit}: {d} vs placebo", primary.loc[d, "p_value"]) for d in drugs]
    incidence = run.withdrawal.incidence_comparisons.set_index("comparison")["p_fisher"]
    for family in families:
        if family in ("responders", "remission"):
            table = getattr(run, family).set_index("arm")["p_fisher"]
            rows += [(f"{family}: {d} vs placebo", table[d]) for d in drugs]
        elif family == "withdrawal":
            rows += [(f"withdrawal syndrome: {c}", incidence[c]) for c in ("tofisopam vs diazepam",)]
        elif family == "withdrawal-control":
            rows += [(f"withdrawal syndrome: {d} vs placebo", incidence[f"{d} vs placebo"]) for d in drugs]
        elif family == "noninferiority":
            row = run.active_contrast.iloc[0]
            rows.append((f"noninferiority: {row['arm']} vs {row['vs']}", run.active.p_value))
    return rows


@pytest.mark.parametrize(
    ("sequence", "margin", "families"),
    [
        (None, None, ["responders", "remission", "withdrawal"]),
        (None, 3.0, ["noninferiority", "responders", "remission", "withdrawal"]),
        ("withdrawal,responders", None, ["withdrawal", "responders"]),
        (" withdrawal-control , withdrawal", None, ["withdrawal-control", "withdrawal"]),
        ("remission,noninferiority", 3.0, ["remission", "noninferiority"]),
        ("none", None, []),
    ],
)
def test_the_hierarchy_follows_the_sequence(
    sequence: str | None, margin: float | None, families: list[str]
) -> None:
    run = _run(sequence, margin)
    expected = _expected(run, families)
    table = run.hierarchy
    assert list(table["comparison"]) == [name for name, _ in expected]
    raw = np.array([p for _, p in expected], dtype=float)
    np.testing.assert_allclose(table["p_value"], raw, rtol=0, atol=0)
    np.testing.assert_allclose(table["p_adjusted"], np.maximum.accumulate(raw), rtol=0, atol=0)
    assert list(table["rejected"]) == list(np.maximum.accumulate(raw) <= 0.05)


def test_withdrawal_first_makes_the_drug_vs_drug_withdrawal_confirmatory() -> None:
    """On the example, the default order stops at tofisopam's responders (p ~ 0.19); withdrawal first
    rejects tofisopam vs diazepam (18/20 vs 2/20)."""
    default = _run().hierarchy.set_index("comparison")
    first = _run("withdrawal").hierarchy.set_index("comparison")
    name = "withdrawal syndrome: tofisopam vs diazepam"
    assert not default.loc[name, "rejected"]
    assert first.loc[name, "rejected"]
    assert first.loc[name, "p_value"] == default.loc[name, "p_value"]


def test_holm_joins_each_family_into_one_step() -> None:
    run = run_trial(VISITS, patients=PATIENTS, sequence="withdrawal-control", hierarchy="holm")
    table = run.hierarchy
    assert list(table["step"]) == [1, 1, 2, 2]
    assert set(table["method"]) == {"Holm"}


@pytest.mark.parametrize(
    ("sequence", "message"),
    [
        ("withdrawl", "did you mean 'withdrawal'"),
        ("responders,responders", "responders given twice"),
        ("noninferiority", "noninferiority needs --margin"),
        (",", "no comparison family given"),
    ],
)
def test_bad_sequences_are_one_line_errors(sequence: str, message: str) -> None:
    with pytest.raises(AssayInputError, match=message):
        run_trial(VISITS, patients=PATIENTS, sequence=sequence)
    args = ["trial", str(VISITS), "--patients", str(PATIENTS), "--sequence", sequence]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: --sequence") and message in lines[0]


def test_the_methods_paragraph_names_the_sequence_it_tested() -> None:
    from assaykit.trial.methods import trial_methods

    text = trial_methods(_run("withdrawal,responders")).paragraph
    assert "(3) withdrawal syndrome: tofisopam vs diazepam; (4) responders: diazepam vs placebo" in text
    assert "remission: " not in text.split("pre-specified sequence")[1].split(".")[0]
    assert "comparisons outside this sequence are reported with unadjusted p-values" in text


def _two_arms(tmp_path: Path, *, checklist: bool = True) -> tuple[Path, Path]:
    """The example without its diazepam arm (and, optionally, without the PWC-20 columns)."""
    visits = pd.read_csv(VISITS, dtype=str, keep_default_na=False)
    patients = pd.read_csv(PATIENTS, dtype=str, keep_default_na=False)
    visits, patients = visits[visits["arm"] != "diazepam"], patients[patients["arm"] != "diazepam"]
    if not checklist:
        visits = visits[[c for c in visits.columns if not c.startswith("pwc_")]]
        visits = visits[~visits["visit"].str.startswith("washout")]
    visits.to_csv(tmp_path / "v.csv", index=False)
    patients.to_csv(tmp_path / "p.csv", index=False)
    return tmp_path / "v.csv", tmp_path / "p.csv"


@pytest.mark.parametrize(
    ("checklist", "sequence", "why"),
    [
        (True, "withdrawal,responders", "fewer than two drugs"),
        (False, "withdrawal-control", "no washout checklist"),
    ],
)
def test_a_family_with_no_comparison_is_warned_about_and_left_out(
    tmp_path: Path, checklist: bool, sequence: str, why: str
) -> None:
    visits, patients = _two_arms(tmp_path, checklist=checklist)
    run = run_trial(visits, patients=patients, sequence=sequence)
    (warning,) = [w for w in run.warnings if "--sequence" in w]
    assert why in warning and sequence.split(",")[0] in warning
    assert not run.hierarchy["comparison"].str.startswith("withdrawal").any()
    default = run_trial(visits, patients=patients)  # the default sequence warns of nothing
    assert not [w for w in default.warnings if "--sequence" in w]
    if checklist:  # a two-arm trial tests its drug against the control with withdrawal-control
        control = run_trial(visits, patients=patients, sequence="withdrawal-control").hierarchy
        assert list(control["comparison"])[-1] == "withdrawal syndrome: tofisopam vs placebo"
