"""The trial's methods paragraph: written from the options and results, a changed option changes it."""

from __future__ import annotations

import dataclasses

import pytest
from _trial_run import build_run

from assaykit.methods import REFERENCES, MethodsText
from assaykit.trial.methods import trial_methods


def _cited(text: MethodsText, key: str) -> bool:
    """Whether a reference is cited in the paragraph and listed, which must go together."""
    in_text, listed = REFERENCES[key].short in text.paragraph, REFERENCES[key].full in text.references
    assert in_text == listed, key
    return in_text


@pytest.fixture(scope="module")
def default() -> MethodsText:
    return trial_methods(build_run())


def test_the_default_paragraph_states_each_analysis(default: MethodsText) -> None:
    text = default.paragraph
    assert "unstructured covariance" in text and "Satterthwaite" in text
    assert "missing at random" in text and "no last observation was carried forward" in text
    assert "at most 2 items of 14 missing" in text
    assert "at least 3 points" in text and "PWC-20" in text
    assert "64 patients (124 post-baseline visits)" in text  # the MMRM's own counts (2 lost after baseline)
    assert "of 66 randomised, 66 were treated, 60 completed" in text
    for key in ("hamilton1959", "mallinckrodt2008", "ich2019", "ich1998", "clopper1934", "newcombe1998"):
        assert _cited(default, key)
    assert _cited(default, "rickels2008") and _cited(default, "schulz2010")
    assert "margin" not in text and not _cited(default, "schuirmann1987")  # no --margin: no margin test


def test_the_hierarchy_is_read_from_its_table() -> None:
    run = build_run(hierarchy="holm")
    holm = trial_methods(run)
    assert "(1) diazepam vs placebo and tofisopam vs placebo; (2) responders" in holm.paragraph
    assert _cited(holm, "holm1979")
    run.hierarchy = run.hierarchy.assign(method="fixed sequence")  # no family tested by Holm
    assert not _cited(trial_methods(run), "holm1979")


@pytest.mark.parametrize(
    ("options", "said", "unsaid"),
    [
        ({"covariance": "toeplitz_heterogeneous"}, "heterogeneous Toeplitz covariance", "unstructured"),
        ({"df_method": "residual"}, "residual degrees of freedom", "Satterthwaite"),
        ({"withdrawal_threshold": 5.0}, "at least 5 points", "at least 3 points"),
        ({"max_missing": 0}, "Only visits with all 14 HAM-A items rated", "prorated"),
        ({"margin": 3.0}, "margin of 3 points (one-sided alpha 0.025)", "equivalence"),
        ({"margin": 2.5, "equivalence": True}, "equivalence within +/-2.5 points", "non-inferiority"),
        ({"level": 0.9}, "90% confidence interval", "95% confidence interval"),
    ],
)
def test_a_changed_option_changes_the_paragraph(options: dict, said: str, unsaid: str) -> None:
    text = trial_methods(build_run(**options)).paragraph
    assert said in text and unsaid not in text


def test_the_equivalence_test_cites_schuirmann() -> None:
    assert _cited(trial_methods(build_run(margin=2.5, equivalence=True)), "schuirmann1987")


def test_a_fallback_covariance_is_said_with_the_one_asked_for() -> None:
    run = build_run()
    run.mmrm = dataclasses.replace(run.mmrm, structure_used="compound_symmetry")
    text = trial_methods(run).paragraph
    assert "a compound symmetry covariance of each patient's visits" in text
    assert "the unstructured covariance asked for could not be estimated" in text


def test_steps_that_did_not_run_are_not_mentioned() -> None:
    text = trial_methods(build_run(with_withdrawal=False))
    assert "ithdrawal" not in text.paragraph and "washout" not in text.paragraph
    assert not _cited(text, "rickels2008") and not _cited(text, "cameron2013")


def test_a_users_checklist_is_named_and_the_pwc20_not_cited() -> None:
    text = trial_methods(build_run(checklist="/data/cwc.toml"))
    assert "the checklist cwc.toml" in text.paragraph
    assert not _cited(text, "rickels2008")
