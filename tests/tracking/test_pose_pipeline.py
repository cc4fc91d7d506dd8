"""Pose files end to end: cleaning counts, multi-point rules, zone files and postures through `assaykit epm`.

Each expectation is computed here from the arrays written to the file (numpy loops, matplotlib's
point-in-polygon), not by assaykit.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from matplotlib.path import Path as MplPath

from assaykit.cli import main
from assaykit.tracking.geometry import plus_maze

FPS = 10.0
PX_PER_CM = 4.0
NODES = ("nose", "paw_fl", "paw_fr", "paw_bl", "paw_br", "tail_base")
PAWS = ("paw_fl", "paw_fr", "paw_bl", "paw_br")
MAZE = plus_maze(center_size=5.0, arm_length=30.0, arm_width=5.0)  # the epm-mouse preset


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def write_sleap(path: Path, x_cm: np.ndarray, y_cm: np.ndarray, scores: np.ndarray | None = None) -> Path:
    """One track; ``x_cm``, ``y_cm`` are (frames, nodes) in cm, written in pixels in SLEAP's layout."""
    import tables

    frames = len(x_cm)
    locations = np.zeros((frames, len(NODES), 2, 1))  # (frames, nodes, xy, tracks), before SLEAP's transpose
    locations[:, :, 0, 0] = x_cm * PX_PER_CM
    locations[:, :, 1, 0] = y_cm * PX_PER_CM
    if scores is None:
        scores = np.full((frames, len(NODES)), 0.99)
    with tables.open_file(str(path), mode="w") as handle:
        handle.create_array("/", "tracks", np.transpose(locations))
        handle.create_array("/", "point_scores", np.transpose(scores[:, :, None]))
        handle.create_array("/", "node_names", np.array([n.encode() for n in NODES], dtype="S"))
    return path


def body(frames: int, cx: np.ndarray, cy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A mouse facing +x at (cx, cy): nose 3 cm ahead, paws at +-1 cm, tail base 3 cm behind."""
    dx = np.array([3.0, 1.0, 1.0, -1.0, -1.0, -3.0])
    dy = np.array([0.0, 1.0, -1.0, 1.0, -1.0, 0.0])
    zero = np.zeros((frames, 1))
    return cx[:, None] + dx[None, :] + zero, cy[:, None] + dy[None, :] + zero


def ring(polygon: np.ndarray) -> list[list[float]]:
    """A GeoJSON ring in pixels: the vertices, the first repeated at the end."""
    pixels = (polygon * PX_PER_CM).tolist()
    return [*pixels, pixels[0]]


def endpoints(tmp_path: Path, h5: Path, *args: object) -> pd.Series:
    out = tmp_path / "endpoints.csv"
    result = run("epm", h5, "--fps", FPS, "--px-per-cm", PX_PER_CM, "-o", out, "-q", *args)
    assert result.exit_code == 0, result.output
    return pd.read_csv(out).iloc[0]


def test_cleaning_counts_match_a_direct_computation(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    n = 600
    x, y = body(n, np.linspace(-10.0, 20.0, n), np.zeros(n))
    scores = np.full((n, len(NODES)), 0.99)
    low = rng.random(n) < 0.15  # the tail base is scored low on about 15% of frames, in runs of all lengths
    low[100:130] = True  # one long gap
    scores[low, NODES.index("tail_base")] = 0.5
    x[200, NODES.index("tail_base")] = np.nan  # one point the tracker did not find at all
    y[200, NODES.index("tail_base")] = np.nan
    h5 = write_sleap(tmp_path / "m.analysis.h5", x, y, scores)
    row = endpoints(tmp_path, h5, "--keypoint", "tail_base", "--max-gap", 4, "--duration", 60)
    # direct: frames present before the cut, kept after it, and interior runs of <= 4 missing frames
    present = ~np.isnan(x[:, -1])
    kept = present & ~low
    dropped = int((present & ~kept).sum())
    missing = ~kept
    filled = 0
    i = 0
    while i < n:
        if missing[i]:
            j = i
            while j < n and missing[j]:
                j += 1
            if i > 0 and j < n and j - i <= 4:
                filled += j - i
            i = j
        else:
            i += 1
    assert row["frames_low_likelihood"] == dropped
    assert row["frames_interpolated"] == filled
    assert row["frames_missing"] == int(missing.sum()) - filled
    assert row["frames"] == n


def test_all_points_rule_with_zero_hysteresis_is_the_plain_polygon_test(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    n = 900
    cx = np.concatenate([np.zeros(300), np.linspace(0.0, 20.0, 300), np.linspace(20.0, -4.0, 300)])
    cy = rng.normal(0.0, 0.4, n)
    x, y = body(n, cx, cy)
    x += rng.normal(0.0, 0.3, x.shape)
    h5 = write_sleap(tmp_path / "m.analysis.h5", x, y)
    paws = ",".join(PAWS)
    row = endpoints(
        tmp_path, h5, "--keypoint", paws, "--entry-rule", "all-points", "--hysteresis", 0, "--max-gap", 0
    )
    # independent: every paw inside the zone's polygon (matplotlib), 0.1 s a frame
    columns = [NODES.index(p) for p in PAWS]
    inside_kind = {"open": np.zeros(n, bool), "closed": np.zeros(n, bool), "center": np.zeros(n, bool)}
    for zone in MAZE.zones:
        path = MplPath(zone.polygon)
        every = np.ones(n, dtype=bool)
        for j in columns:
            every &= path.contains_points(np.column_stack([x[:, j], y[:, j]]))
        inside_kind[zone.kind] |= every
    for kind in ("open", "closed", "center"):
        assert row[f"{kind}_time_s"] == pytest.approx(inside_kind[kind].sum() / FPS, abs=1e-9)
    nowhere = ~(inside_kind["open"] | inside_kind["closed"] | inside_kind["center"])
    assert row["unassigned_time_s"] == pytest.approx(nowhere.sum() / FPS, abs=1e-9)
    assert row["unassigned_time_s"] > 0
    point = endpoints(tmp_path, h5, "--keypoint", paws, "--hysteresis", 0, "--max-gap", 0)
    assert point["unassigned_time_s"] == 0 and point["open_time_s"] > row["open_time_s"]


def test_a_zone_file_in_pixels_gives_what_the_preset_maze_gives(tmp_path: Path) -> None:
    n = 900
    cx = np.concatenate([np.zeros(300), np.linspace(0.0, 20.0, 300), np.full(300, 20.0)])
    x, y = body(n, cx, np.zeros(n))
    h5 = write_sleap(tmp_path / "m.analysis.h5", x, y)
    names = {"open_east": "open_right", "open_west": "open_left", "center": "central_square"}
    names |= {"closed_north": "closed_top", "closed_south": "closed_bottom"}
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "Polygon",
                "coordinates": [ring(zone.polygon)],
            },
            "properties": {"name": names[zone.name], "roi_type": "PolygonOfInterest"},
        }
        for zone in MAZE.zones
    ]
    geojson = tmp_path / "rois.geojson"
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    preset = endpoints(tmp_path, h5, "--keypoint", "paw_bl")
    drawn = endpoints(tmp_path, h5, "--keypoint", "paw_bl", "--zones", geojson)
    for column in ("open_time_s", "closed_time_s", "center_time_s", "open_entries", "distance_cm"):
        assert drawn[column] == pytest.approx(preset[column], rel=1e-12), column
    assert preset["open_entries"] == 1
    features[0]["properties"]["name"] = "arm_a"
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    unnamed = run("epm", h5, "--fps", FPS, "--px-per-cm", PX_PER_CM, "--zones", geojson)
    assert unnamed.exit_code == 2 and "arm_a" in unnamed.output and "--zone-kind" in unnamed.output
    mapped = endpoints(tmp_path, h5, "--keypoint", "paw_bl", "--zones", geojson, "--zone-kind", "arm_a=open")
    assert mapped["open_time_s"] == pytest.approx(preset["open_time_s"], rel=1e-12)


def test_rolling_median_removes_a_one_frame_jump(tmp_path: Path) -> None:
    n = 600
    x, y = body(n, np.zeros(n), np.zeros(n))
    x[250, :] += 12.0  # one frame where every point jumps 12 cm onto the east open arm
    h5 = write_sleap(tmp_path / "m.analysis.h5", x, y)
    raw = endpoints(tmp_path, h5, "--keypoint", "paw_bl", "--hysteresis", 0)
    smooth = endpoints(tmp_path, h5, "--keypoint", "paw_bl", "--hysteresis", 0, "--median-window", 5)
    assert raw["open_entries"] == 1 and raw["open_time_s"] == pytest.approx(0.1)
    assert smooth["open_entries"] == 0 and smooth["open_time_s"] == 0
    assert smooth["distance_cm"] == pytest.approx(0.0, abs=1e-12)
    assert raw["distance_cm"] == pytest.approx(24.0)


def test_head_dips_and_a_stretched_attend_posture_are_counted(tmp_path: Path) -> None:
    n = 1200  # 120 s: 30 s in the centre, then on the east open arm, then in the north closed arm
    cx = np.concatenate([np.zeros(300), np.full(600, 15.0), np.zeros(300)])
    cy = np.concatenate([np.zeros(900), np.full(300, 15.0)])
    x, y = body(n, cx, cy)
    nose = NODES.index("nose")
    # two head dips from the open arm: the nose 1.5 cm beyond the arm's side (y = 2.5) for 1 s and 2 s
    for start, length in ((400, 10), (600, 20)):
        y[start : start + length, nose] = 4.0
        x[start : start + length, nose] = 15.0
    # in the closed arm (facing +x is across the arm: turn the mouse to face +y there)
    closed = slice(900, 1200)
    y[closed] = 15.0 + np.array([3.0, 1.0, 1.0, -1.0, -1.0, -3.0])[None, :]
    x[closed] = 0.0 + np.array([0.0, -1.0, 1.0, -1.0, 1.0, 0.0])[None, :]
    y[1000:1015, nose] = 15.0 + 6.0  # stretched: nose 9 cm from the tail base instead of 6, for 1.5 s
    h5 = write_sleap(tmp_path / "m.analysis.h5", x, y)
    row = endpoints(tmp_path, h5, "--keypoint", ",".join(PAWS), "--duration", 120)
    assert row["head_dips"] == 2 and row["unprotected_head_dips"] == 2 and row["protected_head_dips"] == 0
    assert row["head_dip_time_s"] == pytest.approx(3.0)
    assert row["stretched_attend_postures"] == 1
    assert row["stretched_attend_time_s"] == pytest.approx(1.5)
    # one row per event, in time order, with where the animal was
    events_csv = tmp_path / "postures.csv"
    result = run(
        "epm", h5, "--fps", FPS, "--px-per-cm", PX_PER_CM, "--keypoint", ",".join(PAWS), "--duration", 120,
        "--postures", events_csv, "-o", tmp_path / "all.xlsx", "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    events = pd.read_csv(events_csv)
    assert list(events.columns) == ["animal", "posture", "start_s", "end_s", "duration_s", "from_kind"]
    assert events["posture"].tolist() == ["head_dip", "head_dip", "stretched_attend"]
    np.testing.assert_allclose(events["start_s"], [40.0, 60.0, 100.0])
    np.testing.assert_allclose(events["duration_s"], [1.0, 2.0, 1.5])
    np.testing.assert_allclose(events["end_s"], events["start_s"] + events["duration_s"])
    assert events["from_kind"].tolist() == ["open", "open", "closed"]
    sheets = pd.read_excel(tmp_path / "all.xlsx", sheet_name=None)
    assert list(sheets) == ["endpoints", "episodes", "postures"]
    pd.testing.assert_frame_equal(sheets["postures"], events, check_dtype=False)
    # a track of one point has no keypoints: the posture columns are blank, not zero
    csv = tmp_path / "one.csv"
    pd.DataFrame({"time": np.arange(100) / FPS, "x": 0.0, "y": 0.0}).to_csv(csv, index=False)
    result = run("epm", csv, "-o", tmp_path / "one_out.csv", "-q")
    assert result.exit_code == 0, result.output
    one = pd.read_csv(tmp_path / "one_out.csv").iloc[0]
    assert np.isnan(one["head_dips"]) and np.isnan(one["stretched_attend_postures"])
    asked = run("epm", csv, "--postures", tmp_path / "none.csv")
    assert asked.exit_code == 0 and "no posture table written" in asked.output
    assert not (tmp_path / "none.csv").exists()


def test_an_unknown_posture_keypoint_is_a_one_line_error(tmp_path: Path) -> None:
    n = 100
    x, y = body(n, np.zeros(n), np.zeros(n))
    h5 = write_sleap(tmp_path / "m.analysis.h5", x, y)
    result = run("epm", h5, "--fps", FPS, "--px-per-cm", PX_PER_CM, "--head-keypoint", "snoot")
    assert result.exit_code == 2
    assert "snoot" in result.output and "nose" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_entry_rule_on_a_one_point_file_is_an_error(tmp_path: Path) -> None:
    csv = tmp_path / "one.csv"
    pd.DataFrame({"time": np.arange(100) / FPS, "x": 0.0, "y": 0.0}).to_csv(csv, index=False)
    result = run("epm", csv, "--entry-rule", "all-points")
    assert result.exit_code == 2 and "pose" in result.output
    bad = run("epm", csv, "--entry-rule", "paws")
    assert bad.exit_code == 2 and "entry rule" in bad.output


def test_frames_a_multi_point_rule_loses_to_the_confidence_cut_are_counted_as_such(tmp_path: Path) -> None:
    """All-points: one paw scored low leaves the frame without a position, and the cut did it."""
    n = 300
    x, y = body(n, np.linspace(-8.0, 8.0, n), np.zeros(n))
    scores = np.full((n, len(NODES)), 0.99)
    low = np.zeros(n, dtype=bool)
    low[40:52] = True  # 12 frames with one paw below the cut
    low[150:153] = True  # and 3 more
    scores[low, NODES.index("paw_fl")] = 0.4
    h5 = write_sleap(tmp_path / "m.analysis.h5", x, y, scores)
    common = ("--keypoint", ",".join(PAWS), "--max-gap", 0, "--duration", n / FPS)
    every_paw = endpoints(tmp_path, h5, *common, "--entry-rule", "all-points")
    assert every_paw["frames_low_likelihood"] == low.sum() == every_paw["frames_missing"]
    centroid = endpoints(tmp_path, h5, *common)  # three paws are left for the centroid on those frames
    assert centroid["frames_low_likelihood"] == 0 and centroid["frames_missing"] == 0
    half = endpoints(tmp_path, h5, *common, "--entry-rule", "fraction:0.5")  # two of four suffice
    assert half["frames_low_likelihood"] == 0
