"""Fixed-sequence and Holm-gatekeeping tests of a trial's hierarchy, against hand-worked closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from assaykit.errors import AssayInputError
from assaykit.trial.multiplicity import fixed_sequence, hierarchical_tests


def test_fixed_sequence_stops_at_the_first_failure() -> None:
    assert fixed_sequence([0.01, 0.04, 0.2, 0.001]) == [True, True, False, False]
    assert fixed_sequence([0.06, 0.001]) == [False, False]
    assert fixed_sequence([0.05, 0.05]) == [True, True]  # p equal to alpha is rejected
    assert fixed_sequence([0.01, float("nan"), 0.01]) == [True, False, False]
    assert fixed_sequence([0.02, 0.03], alpha=0.025) == [True, False]


def test_all_single_steps_is_the_fixed_sequence() -> None:
    p = [0.003, 0.03, 0.01, 0.2, 0.0001]
    table = hierarchical_tests([(f"H{k}", v) for k, v in enumerate(p)])
    assert table["rejected"].tolist() == fixed_sequence(p)
    assert table["p_adjusted"].tolist() == pytest.approx(np.maximum.accumulate(p))
    assert set(table["method"]) == {"fixed sequence"}


def test_one_family_is_holm() -> None:
    p = [0.01, 0.04, 0.03, 0.005]
    table = hierarchical_tests([[(f"H{k}", v) for k, v in enumerate(p)]])
    rejected, adjusted, *_ = multipletests(p, alpha=0.05, method="holm")
    assert table["p_adjusted"].tolist() == pytest.approx(adjusted)
    assert table["rejected"].tolist() == rejected.tolist()


def test_gatekeeping_family_then_single() -> None:
    # Step 1: both drugs vs placebo by Holm: 0.004 -> 0.008, 0.02 -> 0.02; all rejected, gate 0.02.
    # Step 2: 0.01 -> max(0.01, 0.02) = 0.02, rejected. Step 3: 0.07 not rejected; step 4 stays closed.
    table = hierarchical_tests(
        [
            [("tofisopam vs placebo", 0.02), ("diazepam vs placebo", 0.004)],
            ("responders, tofisopam vs placebo", 0.01),
            ("remission, tofisopam vs placebo", 0.07),
            ("withdrawal, tofisopam vs diazepam", 0.001),
        ]
    )
    assert table["p_adjusted"].tolist() == pytest.approx([0.02, 0.008, 0.02, 0.07, 0.07])
    assert table["rejected"].tolist() == [True, True, True, False, False]
    assert table["step"].tolist() == [1, 1, 2, 3, 4]


def test_a_family_not_wholly_rejected_closes_the_gate() -> None:
    table = hierarchical_tests([[("a", 0.01), ("b", 0.30)], ("c", 0.0001)])
    assert table["rejected"].tolist() == [True, False, False]


def test_bad_hierarchies() -> None:
    with pytest.raises(AssayInputError, match="appears twice"):
        hierarchical_tests([("a", 0.01), ("a", 0.02)])
    with pytest.raises(AssayInputError, match="not between 0 and 1"):
        hierarchical_tests([("a", 1.5)])
    with pytest.raises(AssayInputError, match="step 2 of the hierarchy has no comparison"):
        hierarchical_tests([("a", 0.01), []])
    with pytest.raises(AssayInputError, match="alpha must be between 0 and 1"):
        fixed_sequence([0.01], alpha=5)
