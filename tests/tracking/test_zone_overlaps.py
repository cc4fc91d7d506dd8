"""Overlapping zones: the area against closed forms and matplotlib, and the warning each source gives."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from matplotlib.path import Path as MplPath

from assaykit.cli import main
from assaykit.epm import EPM
from assaykit.epm.endpoints import build_plus_maze
from assaykit.errors import AssayInputError
from assaykit.tracking.geometry import Arena, polygon_zone
from assaykit.tracking.overlaps import first_crossing, intersection_area, overlap_warnings
from assaykit.tracking.protocol import load_tracking_protocol
from assaykit.tracking.workflow import run_tracking

MOVEMENT_EPM = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "movement_epm_rois.json").read_text()
)


def rect(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)


#: An L: the unit squares of [0, 10] x [0, 2] and [0, 2] x [0, 10] (area 36), anticlockwise.
L_SHAPE = np.array([[0, 0], [10, 0], [10, 2], [2, 2], [2, 10], [0, 10]], dtype=float)


def grid_area(a: np.ndarray, b: np.ndarray, step: float) -> float:
    """Area inside both by matplotlib's point-in-polygon test at cell centres of a fine grid."""
    lo = np.minimum(a.min(axis=0), b.min(axis=0))
    hi = np.maximum(a.max(axis=0), b.max(axis=0))
    xs = np.arange(lo[0] + step / 2, hi[0], step)
    ys = np.arange(lo[1] + step / 2, hi[1], step)
    gx, gy = np.meshgrid(xs, ys)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    inside = MplPath(a).contains_points(points) & MplPath(b).contains_points(points)
    return float(inside.sum()) * step * step


@pytest.mark.parametrize(
    ("a", "b", "area"),
    [
        # a centre square and an arm drawn 0.5 into it, along 6 of its height: 0.5 * 6
        (rect(0, 0, 10, 10), rect(9.5, 2, 20, 8), 3.0),
        # a shared border, a shared corner, apart
        (rect(0, 0, 10, 10), rect(10, 0, 20, 10), 0.0),
        (rect(0, 0, 10, 10), rect(10, 10, 20, 20), 0.0),
        (rect(0, 0, 10, 10), rect(30, 0, 40, 10), 0.0),
        # one inside the other, either order and either direction
        (rect(0, 0, 10, 10), rect(2, 2, 4, 5)[::-1], 6.0),
        (rect(2, 2, 4, 5), rect(0, 0, 10, 10), 6.0),
        # a triangle over a square's corner: the part of x + y <= 4 with x, y >= 0 is 4^2 / 2
        (rect(0, 0, 10, 10), np.array([[-4.0, 8.0], [8.0, -4.0], [-4.0, -4.0]]), 8.0),
        # two concave L shapes, one moved by (1, 1): 17 (worked out by hand as rectangles)
        (L_SHAPE, L_SHAPE + 1.0, 17.0),
        (L_SHAPE[::-1], L_SHAPE + 1.0, 17.0),
        # an L and a square in its notch: touching along two edges only
        (L_SHAPE, rect(2, 2, 10, 10), 0.0),
        # an L and the square [1, 3]^2 over its inner corner: [1, 3] x [1, 2] and [1, 2] x [2, 3]
        (L_SHAPE, rect(1, 1, 3, 3), 3.0),
    ],
)
def test_intersection_area_against_closed_forms(a: np.ndarray, b: np.ndarray, area: float) -> None:
    assert intersection_area(a, b) == pytest.approx(area, abs=1e-9)
    assert intersection_area(b, a) == pytest.approx(area, abs=1e-9)


def test_intersection_area_against_matplotlib_on_a_fine_grid() -> None:
    rng = np.random.default_rng(11)
    shapes = [
        L_SHAPE,
        np.array([[0, 0], [6, 1], [3, 3], [7, 6], [1, 7], [2, 3]], dtype=float),  # concave, 6 vertices
        np.array([[5, -1], [9, 4], [5, 9], [1, 4]], dtype=float),  # a diamond
    ]
    star = [
        (
            5 + (4 if k % 2 == 0 else 1.6) * np.cos(k * np.pi / 5),
            5 + (4 if k % 2 == 0 else 1.6) * np.sin(k * np.pi / 5),
        )
        for k in range(10)
    ]
    shapes.append(np.array(star))
    for a in shapes:
        for b in shapes:
            shift = rng.uniform(-2, 2, size=2)
            exact = intersection_area(a, b + shift)
            estimate = grid_area(a, b + shift, 0.01)
            # the grid's error is at most the cells the outlines cross: perimeter / step cells of step^2
            perimeter = sum(
                np.linalg.norm(np.diff(np.vstack([p, p[:1]]), axis=0), axis=1).sum() for p in (a, b)
            )
            assert abs(exact - estimate) <= perimeter * 0.01, (exact, estimate)


def test_first_crossing() -> None:
    assert first_crossing(rect(0, 0, 10, 5)) is None
    assert first_crossing(L_SHAPE) is None
    assert first_crossing(np.array([[0, 0], [10, 0], [0, 5], [10, 5]], dtype=float)) == (1, 3)
    # a vertex on another edge only touches: not a crossing
    assert first_crossing(np.array([[0, 0], [4, 0], [2, 0], [2, 3]], dtype=float)) is None
    # the pentagram: every edge crosses two others; the first found is edge 0 with edge 2
    pentagram = np.array([[np.cos(a), np.sin(a)] for a in np.pi / 2 + np.arange(5) * 4 * np.pi / 5])
    assert first_crossing(pentagram) == (0, 2)


def arena_of(*zones: tuple[str, str, np.ndarray]) -> Arena:
    return Arena("epm", tuple(polygon_zone(name, kind, polygon) for name, kind, polygon in zones))


def caught(function, *args) -> list[str]:
    with warnings.catch_warnings(record=True) as found:
        warnings.simplefilter("always")
        function(*args)
    return [str(w.message) for w in found if w.category is UserWarning]


def test_overlap_warning_text_units_and_rule() -> None:
    arena = arena_of(("arm", "open", rect(0, 0, 10, 10) / 4), ("hub", "center", rect(9.5, 2, 20, 8) / 4))
    (message,) = caught(overlap_warnings, arena, 0.25, "px", Path("rois.yaml"))
    assert message == (
        "rois.yaml: zones 'arm' and 'hub' overlap by 3 px² (0.188 cm²); points there count in 'arm', "
        "listed first"
    )
    (message,) = caught(
        overlap_warnings,
        arena_of(("a", "open", rect(0, 0, 10, 10)), ("b", "center", rect(9, 0, 20, 10))),
        1.0,
        "cm",
        None,
    )
    assert message == "zones 'a' and 'b' overlap by 10 cm²; points there count in 'a', listed first"
    (message,) = caught(
        overlap_warnings,
        arena_of(("a", "open", rect(0, 0, 10, 10)), ("b", "center", rect(9, 0, 20, 10))),
        None,
        None,
        None,
    )
    assert "overlap by 10 square track units (no scale to cm given)" in message
    wholly = arena_of(("maze", "closed", rect(0, 0, 100, 100)), ("top", "closed", rect(10, 10, 20, 20)))
    (message,) = caught(overlap_warnings, wholly, 0.1, "mm", Path("z.toml"))
    assert message == (
        "z.toml: zone 'top' lies wholly inside 'maze' (10,000 mm² (100 cm²)); points there count in 'maze', "
        "listed first, so none can count in 'top' (both are closed, so the closed totals do not depend on it)"
    )


def test_a_plus_maze_of_abutting_rectangles_gives_no_warning() -> None:
    assert caught(build_plus_maze, {"center_size_cm": 5, "arm_length_cm": 30, "arm_width_cm": 5}, 1.0) == []
    arena = arena_of(
        ("open_w", "open", rect(0, 40, 40, 50)),
        ("open_e", "open", rect(50, 40, 90, 50)),
        ("closed_s", "closed", rect(40, 0, 50, 40)),
        ("closed_n", "closed", rect(40, 50, 50, 90)),
        ("hub", "center", rect(40, 40, 50, 50)),
    )
    assert caught(overlap_warnings, arena, 0.3, "px", None) == []


def yaml_maze(path: Path, *, sliver: float = 0.0, extra: str = "") -> Path:
    """A plus maze in pixels whose left open arm runs ``sliver`` px into the centre square."""
    path.write_text(
        f"open_left: [[0, 40], [{40 + sliver}, 40], [{40 + sliver}, 50], [0, 50]]\n"
        "open_right: [[50, 40], [90, 40], [90, 50], [50, 50]]\n"
        "closed_bottom: [[40, 0], [50, 0], [50, 40], [40, 40]]\n"
        "closed_top: [[40, 50], [50, 50], [50, 90], [40, 90]]\n"
        "central_square: [[40, 40], [50, 40], [50, 50], [40, 50]]\n" + extra
    )
    return path


def test_every_polygon_source_warns_and_ignored_zones_are_dropped_first(tmp_path: Path) -> None:
    zones = yaml_maze(
        tmp_path / "maze.yaml", sliver=0.5, extra="whole_maze: [[-5, -5], [95, -5], [95, 95]]\n"
    )
    proto = load_tracking_protocol(
        "epm-mouse", "epm", zones=zones, px_per_cm=2.0, zone_kinds={"whole_maze": "ignore"}
    )
    (message,) = caught(proto.arena, 0.5, build_plus_maze, "px")
    assert message == (
        f"{zones}: zones 'open_left' and 'central_square' overlap by 5 px² (1.25 cm²); points there count in "
        "'open_left', listed first"
    )
    # a preset's [[zones]]
    rings = {
        "open_left": [[0, 40], [40.5, 40], [40.5, 50], [0, 50]],
        "open_right": [[50, 40], [90, 40], [90, 50], [50, 50]],
        "closed_bottom": [[40, 0], [50, 0], [50, 40], [40, 40]],
        "closed_top": [[40, 50], [50, 50], [50, 90], [40, 90]],
        "central_square": [[40, 40], [50, 40], [50, 50], [40, 50]],
    }
    preset = tmp_path / "rig.toml"
    preset.write_text(
        '[preset]\nassay = "epm"\n'
        + "".join(f'[[zones]]\nname = "{n}"\npolygon = {json.dumps(r)}\n' for n, r in rings.items())
    )
    (message,) = caught(load_tracking_protocol(preset, "epm").arena, 1.0, build_plus_maze, "cm")
    assert message == (
        f"{preset}: zones 'open_left' and 'central_square' overlap by 5 cm²; points there count in "
        "'open_left', listed first"
    )
    # movement's own example regions: four hand-drawn slivers
    assert (
        len(
            caught(
                load_tracking_protocol("epm-mouse", "epm", zones=_movement_rois(tmp_path)).arena,
                1.0,
                build_plus_maze,
                "px",
            )
        )
        == 4
    )


def _movement_rois(tmp_path: Path) -> Path:
    path = tmp_path / "rois.json"
    path.write_text(json.dumps(MOVEMENT_EPM))  # the name: [[x, y], ...] form, written as JSON
    return path


def test_a_preset_zone_whose_outline_crosses_itself(tmp_path: Path) -> None:
    preset = tmp_path / "rig.toml"
    preset.write_text(
        '[preset]\nassay = "epm"\n'
        '[[zones]]\nname = "open"\npolygon = [[0, 0], [10, 0], [0, 5], [10, 5]]\n'
        '[[zones]]\nname = "closed"\npolygon = [[0, 5], [10, 5], [10, 9]]\n'
        '[[zones]]\nname = "center"\npolygon = [[0, 9], [10, 9], [10, 12]]\n'
    )
    with pytest.raises(AssayInputError) as info:
        load_tracking_protocol(preset, "epm").arena(1.0, build_plus_maze)
    assert str(info.value) == (
        f"{preset}: zone 'open': its outline crosses itself (edge 2, from (10, 0) to (0, 5), crosses edge 4, "
        "from (10, 5) to (0, 0)); list the vertices in order around the zone"
    )


def test_run_tracking_and_the_cli_report_the_overlap_and_the_numbers_follow_the_rule(tmp_path: Path) -> None:
    zones = yaml_maze(tmp_path / "maze.yaml", sliver=2.0)
    # 10 s in the sliver (x = 41 px, inside both the left arm and the centre square), then 20 s at the
    # centre of the centre square (x = 45 px); 10 frames per second
    t = np.arange(0.0, 30.0, 0.1)
    track = tmp_path / "m1.csv"
    pd.DataFrame({"time": t.round(6), "x": np.where(t < 10.0, 41.0, 45.0), "y": 45.0}).to_csv(
        track, index=False
    )
    run = run_tracking(EPM, [track], zones=zones, px_per_cm=2.0, duration_s=30.0)
    assert run.warnings == [
        f"{zones}: zones 'open_left' and 'central_square' overlap by 20 square track units (5 cm²); points "
        "there count in 'open_left', listed first"
    ]
    row = run.endpoints.iloc[0]
    assert row["open_time_s"] == pytest.approx(10.0) and row["center_time_s"] == pytest.approx(20.0)
    result = CliRunner().invoke(
        main, ["epm", str(track), "--zones", str(zones), "--px-per-cm", "2", "--duration", "30", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "warning: " + run.warnings[0] in result.output


def test_without_a_scale_the_overlap_is_given_in_pixels_only() -> None:
    """No --px-per-cm: the arena stays in pixels, so no cm² figure can be given (nor a wrong one)."""
    from click.testing import CliRunner

    from assaykit.cli import main

    pose = Path(__file__).resolve().parents[2] / "examples" / "epm" / "pose"
    args = ["epm", str(pose / "two_mice.analysis.h5"), "--fps", "15", "--zones", str(pose / "rois.geojson")]
    unscaled = CliRunner().invoke(main, [*args, "-q"])
    scaled = CliRunner().invoke(main, [*args, "--px-per-cm", "4", "-q"])
    assert unscaled.exit_code == scaled.exit_code == 0
    bare = [line for line in unscaled.stderr.splitlines() if "overlap by" in line]
    cm2 = [line for line in scaled.stderr.splitlines() if "overlap by" in line]
    assert len(bare) == len(cm2) > 0
    for line in bare:
        assert "px²" in line and "cm²" not in line and "no scale to cm" in line
    for line in cm2:  # 4 px per cm: 16 px² per cm²
        px2, cm = re.search(r"by ([\d.]+) px² \(([\d.]+) cm²\)", line).groups()
        assert float(cm) == pytest.approx(float(px2) / 16, rel=5e-3)
