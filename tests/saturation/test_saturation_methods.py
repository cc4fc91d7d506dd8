"""The saturation methods paragraph follows the run's settings."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from assaykit.methods import REFERENCES, MethodsText
from assaykit.saturation.methods import saturation_methods
from assaykit.saturation.workflow import run_saturation

SAT = Path(__file__).resolve().parents[2] / "examples" / "saturation" / "sat.csv"


@cache
def _methods(**options: Any) -> MethodsText:
    return saturation_methods(run_saturation([SAT], **options))


def test_the_default_fit_is_the_global_one_site_model() -> None:
    text = _methods()
    assert "1 data set (60 tubes, total and nonspecific (NSB) binding tubes" in text.paragraph
    assert "total and nonspecific binding were fitted together" in text.paragraph
    assert "95% confidence intervals were asymptotic" in text.paragraph
    assert "fmol" not in text.paragraph and "depletion" not in text.paragraph
    assert REFERENCES["motulsky2004"].full in text.references
    assert REFERENCES["venzon1988"].full not in text.references


def test_model_and_interval_change_their_sentences() -> None:
    text = _methods(model="one-site", ci="profile", level=0.9)
    assert "each total tube minus the mean NSB at the same concentration" in text.paragraph
    assert "fitted together" not in text.paragraph
    assert "90% confidence intervals of Kd were computed by profile likelihood" in text.paragraph
    assert REFERENCES["venzon1988"].short in text.paragraph
    assert REFERENCES["venzon1988"].full in text.references
    two = _methods(model="two-site", ci="profile")
    assert "two classes of sites" in two.paragraph and "of KdHi were computed by profile" in two.paragraph


def test_the_unit_conversion_and_depletion_check_name_their_inputs() -> None:
    text = _methods(efficiency=0.45, specific_activity_Ci_mmol=85.0, protein_mg=0.1, volume_ml=1.0)
    p = text.paragraph
    assert "0.45 counting efficiency × 85 Ci/mmol" in p
    assert "fmol/mg protein with 0.1 mg protein per tube" in p
    assert "assay volume of 1 ml" in p
    other = _methods(efficiency=0.5, specific_activity_Ci_mmol=80.0, protein_mg=0.2)
    assert "0.5 counting efficiency × 80 Ci/mmol" in other.paragraph
    assert "0.2 mg protein" in other.paragraph and "assay volume" not in other.paragraph
