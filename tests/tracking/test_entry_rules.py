"""Multi-point entry rules: hand-built keypoint tracks with known answers, and an independent polygon test."""

import numpy as np
import pytest
from matplotlib.path import Path as MplPath

from assaykit.tracking.engine import analyze_tracks
from assaykit.tracking.geometry import plus_maze
from assaykit.tracking.results import EntryCriterion, EntryRule
from assaykit.tracking.rules import locate_points

MAZE = plus_maze(center_size=5.0, arm_length=30.0, arm_width=5.0)
KINDS = ("open", "closed", "center")


def _run(px, py, rule, hysteresis=0.0, fps=10.0):
    n = len(px)
    t = np.arange(n) / fps
    x, y = np.nanmean(px, axis=1), np.nanmean(py, axis=1)
    (analysis,) = analyze_tracks(
        t,
        x,
        y,
        np.array([0, n]),
        MAZE,
        kinds=KINDS,
        criterion=EntryCriterion(hysteresis, 0.0, EntryRule.parse(rule)),
        duration_s=None,
        points=(px, py),
    )
    return analysis


def _paws(*groups):
    """Frames of four points: each group is (frames, [(x, y) x 4])."""
    px = np.concatenate([np.tile([p[0] for p in pts], (n, 1)) for n, pts in groups])
    py = np.concatenate([np.tile([p[1] for p in pts], (n, 1)) for n, pts in groups])
    return px.astype(float), py.astype(float)


CENTRE = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
STRADDLE = [(1.5, -1), (1.5, 1), (3.5, -1), (3.5, 1)]  # two in the centre, two on the east open arm
ARM = [(9, -1), (11, -1), (11, 1), (9, 1)]


def test_parse_and_needed():
    assert EntryRule.parse("point").kind == "point"
    assert EntryRule.parse("ALL-POINTS").needed(4) == 4
    rule = EntryRule.parse("fraction:0.8")
    assert (rule.kind, rule.fraction, str(rule)) == ("fraction", 0.8, "fraction:0.8")
    assert [rule.needed(k) for k in (1, 4, 5, 6)] == [1, 4, 4, 5]  # ceil(0.8 k)
    assert EntryRule.parse("fraction:0.5").needed(4) == 2
    for bad in ("fraction:0", "fraction:1.5", "fraction:x", "paws", "fraction"):
        with pytest.raises(ValueError, match="entry rule"):
            EntryRule.parse(bad)


def test_all_points_straddle_is_unassigned_not_an_entry():
    px, py = _paws((10, CENTRE), (10, STRADDLE), (10, ARM))
    a = _run(px, py, "all-points")
    assert a.time_s["center"] == pytest.approx(1.0)
    assert a.unassigned_s == pytest.approx(1.0)
    assert a.time_s["open"] == pytest.approx(1.0)
    assert a.off_arena_s == 0.0 and a.missing_s == 0.0
    assert a.lost_s == pytest.approx(1.0)
    assert (a.entries["open"], a.entries["center"]) == (1, 0)
    assert a.latency_s["open"] == pytest.approx(2.0)  # dated from the frame all four are on the arm


def test_fraction_half_takes_the_first_zone_on_a_tie_and_point_rule_the_centroid():
    px, py = _paws((10, CENTRE), (10, STRADDLE), (10, ARM))
    half = _run(px, py, "fraction:0.5")
    assert half.time_s["open"] == pytest.approx(2.0)  # 2 of 4 on the arm, listed before the centre
    assert half.unassigned_s == 0.0
    point = _run(px, py, "point")  # the centroid of STRADDLE is at x = 2.5: on the border, the arm wins
    assert point.time_s["open"] == pytest.approx(2.0)
    assert point.unassigned_s == 0.0


def test_missing_paw_makes_the_frame_missing_for_all_points_only():
    px, py = _paws((10, CENTRE), (10, ARM))
    px[12, 0] = py[12, 0] = np.nan
    a = _run(px, py, "all-points")
    assert a.missing_s == pytest.approx(0.1)
    assert a.frames_missing == 1
    b = _run(px, py, "fraction:0.75")  # 3 of 4 are enough
    assert b.missing_s == 0.0 and b.time_s["open"] == pytest.approx(1.0)


def test_hysteresis_keeps_the_zone_while_enough_points_are_near_it():
    # paws step 0.5 cm over the centre's east edge (x = 2.5) and back: within a 1 cm hysteresis
    over = [(1.5, -1), (1.5, 1), (3.0, -1), (3.0, 1)]
    px, py = _paws((10, CENTRE), (5, over), (10, CENTRE), (10, ARM))
    assert _run(px, py, "all-points", hysteresis=1.0).unassigned_s == 0.0
    assert _run(px, py, "all-points", hysteresis=1.0).time_s["center"] == pytest.approx(2.5)
    assert _run(px, py, "all-points", hysteresis=0.0).unassigned_s == pytest.approx(0.5)


@pytest.mark.parametrize("rule", ["all-points", "fraction:0.75", "fraction:0.6"])
def test_zero_hysteresis_equals_plain_point_in_polygon_frame_by_frame(rule):
    rng = np.random.default_rng(3)
    n, k = 4000, 4
    # a random walk over the maze's bounding box, each keypoint jittered around the body
    body = np.cumsum(rng.normal(0, 1.5, size=(n, 2)), axis=0)
    body = np.clip(body, -30, 30)
    px = body[:, :1] + rng.normal(0, 1.5, size=(n, k))
    py = body[:, 1:] + rng.normal(0, 1.5, size=(n, k))
    drop = rng.random((n, k)) < 0.02
    px[drop] = py[drop] = np.nan
    a = _run(px, py, rule)
    needed = EntryRule.parse(rule).needed(k)
    # independent: matplotlib's point-in-polygon per zone and keypoint
    inside = np.zeros((len(MAZE.zones), n, k), dtype=bool)
    for z, zone in enumerate(MAZE.zones):
        path = MplPath(zone.polygon)
        for j in range(k):
            pts = np.column_stack([px[:, j], py[:, j]])
            ok = ~np.isnan(pts).any(axis=1)
            inside[z, ok, j] = path.contains_points(pts[ok])
    counts = inside.sum(axis=2)
    expected = np.full(n, -1)
    for z in range(len(MAZE.zones)):
        expected[(counts[z] >= needed) & (expected < 0)] = z
    frame_zone = a.occupancy.frame_zone
    assert len(np.unique(expected)) >= 4 and (expected == -1).sum() > 100  # the walk visits every kind
    first = np.flatnonzero(expected >= 0)[0]  # before the first frame on the arena nothing is credited
    np.testing.assert_array_equal(frame_zone[first:], expected[first:])
    assert (frame_zone[:first] == -1).all()


def test_locate_points_split_and_validity():
    px, py = _paws((1, CENTRE), (1, STRADDLE), (1, [(50, 50)] * 4))
    located = locate_points(MAZE, px, py, 0.0, 4)
    centre = [z.name for z in MAZE.zones].index("center")
    assert located.raw.tolist() == [centre, -1, -1]
    assert located.split.tolist() == [False, True, False]  # the last is off the maze entirely
    assert located.valid.tolist() == [True, True, True]
