"""The EPM and light-dark box methods paragraphs follow the protocol the run used."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from assaykit.epm import EPM
from assaykit.ldb import LDB
from assaykit.methods import REFERENCES, MethodsText
from assaykit.tracking.methods import tracking_methods
from assaykit.tracking.workflow import run_tracking

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
POSE = EXAMPLES / "epm" / "pose"
POSE_OPTIONS = {"fps": 15, "px_per_cm": 4, "zones": str(POSE / "rois.geojson"), "duration_s": 120}


@cache
def _epm(**options: Any) -> MethodsText:
    return tracking_methods(run_tracking(EPM, [EXAMPLES / "epm" / "tracks.csv"], **options))


@cache
def _pose(**options: Any) -> MethodsText:
    run = run_tracking(EPM, [POSE / "two_mice.analysis.h5"], **{**POSE_OPTIONS, **options})
    return tracking_methods(run)


def test_the_epm_default_describes_the_preset() -> None:
    p = _epm().paragraph
    assert "Elevated plus-maze sessions" in p and "protocol 'epm-mouse'" in p and "4 animals" in p
    assert "a 5 × 5 cm centre and arms 30 cm long and 5 cm wide" in p
    assert "its tracked point" in p and "more than 1 cm beyond the zone's border" in p
    assert "over the 300 s from the first frame" in p
    assert "up to 10 frames without a position were filled by linear interpolation" in p
    assert "confidence" not in p and "head dip" not in p  # no pose data, no posture


@pytest.mark.parametrize(
    ("options", "present"),
    [
        ({"hysteresis_cm": 2.0}, "more than 2 cm beyond the zone's border"),
        ({"min_time_s": 0.5}, "visits shorter than 0.5 s were not counted"),
        ({"duration_s": 200.0}, "over the 200 s from the first frame"),
        ({"start_s": 10.0, "end_s": 250.0}, "from 10 s to 250 s (inclusive)"),
        ({"max_gap_frames": 3}, "up to 3 frames without a position"),
        ({"max_lost": 0.2}, "lost for more than 20% of it"),
    ],
)
def test_a_changed_setting_changes_its_sentence(options: dict[str, Any], present: str) -> None:
    assert present in _epm(**options).paragraph
    assert present not in _epm().paragraph


def test_pose_cleaning_and_the_entry_rule_follow_the_options() -> None:
    default = _pose().paragraph
    assert "pose-estimation keypoints (sleap files)" in default
    assert "likelihood) below 0.9 were removed" in default
    assert "centroid of every keypoint of the file" in default
    assert "4 px/cm" in default and "rois.geojson" in default
    assert "a head dip was the head more than 0.5 cm" in default
    four = _pose(bodypart="left_ear,right_ear,centre,tail_base", entry_rule="all-points", savgol_window=9)
    assert "all of the keypoints left_ear, right_ear, centre and tail_base were in it" in four.paragraph
    assert "Savitzky-Golay filter (9 frames, order 2)" in four.paragraph
    assert REFERENCES["savitzky1964"].full in four.references
    assert REFERENCES["savitzky1964"].full not in _pose().references
    median = _pose(median_window=5, likelihood=0.5, entry_rule="fraction:0.5")
    assert "rolling median over 5 frames" in median.paragraph and "below 0.5 were removed" in median.paragraph
    assert "at least 50% of every keypoint" in median.paragraph


def test_the_light_dark_box_has_its_own_geometry_endpoints_and_sources() -> None:
    text = tracking_methods(run_tracking(LDB, [EXAMPLES / "ldb" / "tracks.csv"]))
    assert "Light-dark box sessions" in text.paragraph
    assert "45 × 27 cm, divided 15 cm from the low-x wall" in text.paragraph
    assert "the latency to enter the light compartment" in text.paragraph
    assert "not in the dark zone at its first frame" in text.paragraph
    assert REFERENCES["bourin2003"].full in text.references
    assert REFERENCES["pellow1985"].full not in text.references
