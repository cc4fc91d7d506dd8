"""Tracking presets: the shipped mazes match the issue's geometry; user presets are checked on loading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assaykit.epm.endpoints import build_plus_maze
from assaykit.errors import AssayInputError
from assaykit.io.presets import list_presets
from assaykit.tracking.protocol import TRACKING_DEFAULTS, load_tracking_protocol


def zone_extent(arena, name: str) -> tuple[float, float, float, float]:
    zone = next(z for z in arena.zones if z.name == name)
    xs, ys = zone.polygon[:, 0], zone.polygon[:, 1]
    return (xs.min(), xs.max(), ys.min(), ys.max())


@pytest.mark.parametrize(("name", "half", "arm"), [("epm-mouse", 2.5, 30.0), ("epm-rat", 5.0, 50.0)])
def test_shipped_mazes(name: str, half: float, arm: float) -> None:
    assert name in list_presets("epm")
    proto = load_tracking_protocol(name, "epm")
    arena = proto.arena(1.0, build_plus_maze)
    assert zone_extent(arena, "center") == pytest.approx((-half, half, -half, half))
    assert zone_extent(arena, "open_east") == pytest.approx((half, half + arm, -half, half))
    assert zone_extent(arena, "open_west") == pytest.approx((-half - arm, -half, -half, half))
    assert zone_extent(arena, "closed_north") == pytest.approx((-half, half, half, half + arm))
    assert zone_extent(arena, "closed_south") == pytest.approx((-half, half, -half - arm, -half))
    assert proto.options["duration_s"] == 300.0 and proto.options["start_s"] is None


def test_command_line_overrides_preset_and_none_means_not_given() -> None:
    proto = load_tracking_protocol("epm-rat", "epm", hysteresis_cm=0.5, duration_s=None)
    assert proto.criterion.hysteresis_cm == 0.5
    assert proto.options["duration_s"] == 300.0
    assert load_tracking_protocol("epm-rat", "epm").criterion.hysteresis_cm == 2.0


def test_origin_and_polygons_are_in_track_units(tmp_path: Path) -> None:
    preset = tmp_path / "rig.toml"
    preset.write_text(
        '[preset]\nassay = "epm"\n[arena]\ncenter_size_cm = 5\narm_length_cm = 30\narm_width_cm = 5\n'
        "origin = [400, 300]\nrotation_deg = 90\n[tracking]\npx_per_cm = 4.0\n"
    )
    proto = load_tracking_protocol(preset, "epm")
    scale = proto.scale("px")
    assert scale == 0.25
    arena = proto.arena(scale, build_plus_maze)
    # the centre is at (100, 75) cm; turned 90 degrees counter-clockwise, the open arms lie along y and
    # the maze's south arm (closed, index 3) points along +x
    assert arena.classify(np.array([100.0, 100.0, 110.0]), np.array([75.0, 90.0, 75.0])).tolist() == [4, 0, 3]


@pytest.mark.parametrize(
    ("unit", "px_per_cm", "expected"),
    [
        ("cm", 4.0, 1.0),
        ("mm", None, 0.1),
        ("m", None, 100.0),
        ("px", 5.0, 0.2),
        (None, 2.0, 0.5),
        (None, None, 1.0),
    ],
)
def test_scale_rules(unit: str | None, px_per_cm: float | None, expected: float) -> None:
    proto = load_tracking_protocol("epm-mouse", "epm", px_per_cm=px_per_cm)
    assert proto.scale(unit) == pytest.approx(expected)


def test_pixels_without_scale_are_an_error() -> None:
    with pytest.raises(AssayInputError, match="pixels"):
        load_tracking_protocol("epm-mouse", "epm").scale("px")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("[tracking]\nhysterisis_cm = 1\n", "unknown key(s) hysterisis_cm in [tracking]"),
        ("[arena]\ncenter_size_cm = 5\n[[zones]]\nname='a'\n", "either [arena] or [[zones]]"),
        ("[tracking]\nmax_lost = 2\n", "max_lost must be between 0 and 1"),
        ("[session]\nduration_s = -5\n", "duration_s must be positive"),
        ("[tracking]\nmax_gap_frames = 2.5\n", "whole number"),
        ("[tracking]\nhysteresis_cm = 'big'\n", "must be a number"),
        ("[maze]\nx = 1\n", "unknown table(s) maze"),
    ],
)
def test_bad_presets(tmp_path: Path, body: str, fragment: str) -> None:
    preset = tmp_path / "bad.toml"
    preset.write_text('[preset]\nassay = "epm"\n' + body)
    with pytest.raises(AssayInputError) as info:
        load_tracking_protocol(preset, "epm")
    assert fragment in str(info.value) and "bad.toml" in str(info.value)


@pytest.mark.parametrize(
    ("arena", "fragment"),
    [
        ("center_size_cm = 5\narm_length_cm = 30\n", "arm_width_cm"),
        ("center_size_cm = 5\narm_length_cm = 30\narm_width_cm = 5\nopen_axis = 'z'\n", "open_axis"),
        ("center_size_cm = 5\narm_length_cm = 30\narm_width_cm = 5\nwalls = 1\n", "unknown key(s) walls"),
        ("center_size_cm = 5\narm_length_cm = -30\narm_width_cm = 5\n", "positive"),
    ],
)
def test_bad_arena_tables(tmp_path: Path, arena: str, fragment: str) -> None:
    preset = tmp_path / "bad.toml"
    preset.write_text('[preset]\nassay = "epm"\n[arena]\n' + arena)
    proto = load_tracking_protocol(preset, "epm")
    with pytest.raises(AssayInputError) as info:
        proto.arena(1.0, build_plus_maze)
    assert fragment in str(info.value) and "[arena]" in str(info.value)


@pytest.mark.parametrize(
    ("zones", "fragment"),
    [
        (
            "[[zones]]\nname = 'a'\nkind = 'lava'\npolygon = [[0,0],[1,0],[0,1]]\n",
            "one of open, closed, center",
        ),
        ("[[zones]]\nname = 'a'\nkind = 'open'\npolygon = [[0,0],[1,0]]\n", "at least three"),
        ("[[zones]]\nname = 'a'\nkind = 'open'\npolygon = [[0,0],[1,0],[2,0]]\n", "no area"),
        (
            "[[zones]]\nname = 'a'\nkind = 'open'\npolygon = [[0,0],[1,0],[0,1]]\n",
            "no zone of kind center, closed",
        ),
    ],
)
def test_bad_polygons(tmp_path: Path, zones: str, fragment: str) -> None:
    preset = tmp_path / "bad.toml"
    preset.write_text('[preset]\nassay = "epm"\n' + zones)
    proto = load_tracking_protocol(preset, "epm")
    with pytest.raises(AssayInputError) as info:
        proto.arena(1.0, build_plus_maze)
    assert fragment in str(info.value)


def test_every_default_has_a_preset_line() -> None:
    text = (Path(__file__).resolve().parents[2] / "protocols" / "epm-mouse.toml").read_text()
    for key in TRACKING_DEFAULTS:
        if key not in ("fps", "bodypart", "start_s"):
            assert key in text, key
