"""The competition methods paragraph follows the run's settings: each changed setting changes its sentence."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from assaykit.binding.methods import competition_methods
from assaykit.binding.workflow import run_binding
from assaykit.methods import REFERENCES, MethodsText

COUNTS = Path(__file__).resolve().parents[2] / "examples" / "binding" / "counts.csv"


@cache
def _methods(**options: Any) -> MethodsText:
    run = run_binding([COUNTS], **options)
    return competition_methods(run)


def _cites(text: MethodsText, key: str) -> bool:
    """Whether a reference is cited in the paragraph and listed, which must go together."""
    in_text = REFERENCES[key].short in text.paragraph
    listed = REFERENCES[key].full in text.references
    assert in_text == listed, key
    return in_text


def test_the_default_run_says_what_it_did() -> None:
    text = _methods(kd_nM=1.5, radioligand_nM=1.0)
    p = text.paragraph
    assert "3 curves (3 compounds on 2 plates" in p
    assert "four-parameter logistic" in p and "(unweighted)" in p
    assert "Top and Bottom were free parameters" in p
    assert "[L] = 1 nM and Kd = 1.5 nM" in p and _cites(text, "cheng1973")
    assert "95% confidence intervals were asymptotic" in p
    assert "q-value of at most 0.05" in p and "at least 20%" in p and _cites(text, "benjamini1995")
    assert "ROUT" not in p and not _cites(text, "motulsky2006")
    assert "profile likelihood" not in p and not _cites(text, "venzon1988")
    assert "Potency relative" not in p and "extra-sum-of-squares" not in p
    assert _cites(text, "zhang1999")  # the example's plates have TOTAL and NSB tubes


@pytest.mark.parametrize(
    ("options", "present", "absent"),
    [
        ({"kd_nM": 3.0, "radioligand_nM": 0.5}, "[L] = 0.5 nM and Kd = 3 nM", "[L] = 1 nM"),
        ({"bottom": "nsb"}, "Bottom was fixed at each plate's mean NSB signal", "Top and Bottom were free"),
        ({"top": 3200.0}, "Top was fixed at 3200 cpm", "Top and Bottom were free"),
        ({"weights": "poisson"}, "weighted by 1/Y of the fitted curve", "(unweighted)"),
        (
            {"ci": "profile", "level": 0.9},
            "90% confidence intervals of log IC50 were computed by profile",
            "95%",
        ),
        ({"model": "one-site"}, "Hill slope fixed at -1", "four-parameter logistic"),
        (
            {"fdr": 0.01, "min_displacement_pct": 50.0},
            "q-value of at most 0.01 and a fall of at least 50%",
            "0.05",
        ),
        ({"fdr": 0.2, "min_displacement_pct": 0.0}, "q-value of at most 0.2 were", "a fall of at least"),
        ({"kd_se_nM": 0.2}, "standard error of Kd (0.2 nM) by the delta method", "Ki was not computed"),
        ({"potency_vs": "diazepam"}, "Potency relative to diazepam", "Ki was not computed"),
    ],
)
def test_a_changed_setting_changes_its_sentence(options: dict[str, Any], present: str, absent: str) -> None:
    base = _methods(kd_nM=1.5, radioligand_nM=1.0)
    changed = _methods(**{"kd_nM": 1.5, "radioligand_nM": 1.0, **options})
    assert present in changed.paragraph
    assert present not in base.paragraph
    assert absent not in changed.paragraph


def test_without_kd_there_is_no_cheng_prusoff() -> None:
    text = _methods()
    assert "Ki was not computed" in text.paragraph
    assert not _cites(text, "cheng1973")


def test_rout_names_its_q_and_counts_the_excluded_tubes() -> None:
    run = run_binding([COUNTS], kd_nM=1.5, radioligand_nM=1.0, outliers="rout", rout_q=2.0)
    text = competition_methods(run)
    removed = int(run.analysis.results["n_outliers"].fillna(0).sum())
    assert "ROUT with Q = 2%" in text.paragraph
    assert f"{removed} tube{'s' if removed != 1 else ''} were excluded in all" in text.paragraph
    assert _cites(text, "motulsky2006")


def test_compare_and_fit_ki_are_described_with_their_sources() -> None:
    text = _methods(kd_nM=1.5, radioligand_nM=1.0, compare=True, model="fit-ki")
    assert "Ki was fitted directly" in text.paragraph and "[L] = 1 nM and Kd = 1.5 nM" in text.paragraph
    assert "For each of 3 curves, one site (Hill slope -1) was compared" in text.paragraph
    assert _cites(text, "motulsky2004") and _cites(text, "cheng1973")


def test_every_cited_work_is_listed_and_every_listed_work_cited() -> None:
    text = _methods(kd_nM=1.5, radioligand_nM=1.0, outliers="rout", ci="profile", compare=True)
    for key in REFERENCES:
        _cites(text, key)
    assert len(text.references) == len(set(text.references))
