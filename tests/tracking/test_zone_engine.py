"""The zone engine on hand-made inputs: geometry, the entry criterion, and zone-label tracks.

Expected values are worked out by hand (or by a literal per-frame reading of the documented rules), never
taken from assaykit's output. Default maze: centre |x|, |y| <= 2.5 cm, arms 5 cm wide to 32.5 cm, open
arms along x, closed along y.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.path import Path as MplPath

from assaykit.epm import compute_epm_endpoints
from assaykit.tracking.analysis import EntryCriterion
from assaykit.tracking.episodes import confirm_zones
from assaykit.tracking.geometry import Arena, plus_maze, polygon_zone, rectangle_zone

FPS = 30.0
NAN = float("nan")
EAST, WEST, NORTH, SOUTH, CENTER = range(5)


def mouse_maze(**kwargs: float) -> Arena:
    return plus_maze(center_size=5.0, arm_length=30.0, arm_width=5.0, **kwargs)


# --------------------------------------------------------------------------------------------------------
# 9. Geometry
# --------------------------------------------------------------------------------------------------------

POINTS = [
    # (x, y, zone index)
    (15.0, 0.0, EAST),
    (32.5, 2.5, EAST),  # far corner of the arm: on its border
    (-15.0, 1.0, WEST),
    (-32.5, -2.5, WEST),
    (0.0, 15.0, NORTH),
    (-2.5, 32.5, NORTH),
    (1.0, -20.0, SOUTH),
    (0.0, 0.0, CENTER),
    (2.4, -2.4, CENTER),
    (2.5, 0.0, EAST),  # arm/centre border: the arm
    (-2.5, 1.0, WEST),
    (0.0, 2.5, NORTH),
    (1.0, -2.5, SOUTH),
    (2.5, 2.5, EAST),  # corner shared by east, north and the centre: the first zone listed
    (-2.5, -2.5, WEST),
    (32.6, 0.0, -1),  # beyond the arm's end
    (10.0, 10.0, -1),  # between two arms
    (15.0, 2.6, -1),  # just off the arm's side
    (-40.0, 0.0, -1),
    (NAN, 0.0, -1),
    (0.0, NAN, -1),
    (NAN, NAN, -1),
]


def test_maze_zones_in_documented_order() -> None:
    arena = mouse_maze()
    assert [z.name for z in arena.zones] == [
        "open_east",
        "open_west",
        "closed_north",
        "closed_south",
        "center",
    ]
    assert list(arena.kinds) == ["open", "open", "closed", "closed", "center"]
    assert arena.bounds == (-32.5, 32.5, -32.5, 32.5)


def test_classify_hand_picked_points() -> None:
    arena = mouse_maze()
    x = np.array([p[0] for p in POINTS])
    y = np.array([p[1] for p in POINTS])
    assert arena.classify(x, y).tolist() == [p[2] for p in POINTS]


def test_classify_open_axis_y() -> None:
    arena = mouse_maze(open_axis="y")
    assert [z.name for z in arena.zones][:4] == ["open_north", "open_south", "closed_east", "closed_west"]
    got = arena.classify(np.array([0.0, 0.0, 15.0, -15.0, 0.0]), np.array([15.0, -15.0, 0.0, 0.0, 0.0]))
    assert got.tolist() == [0, 1, 2, 3, 4]
    assert list(arena.kinds[got]) == ["open", "open", "closed", "closed", "center"]


def test_distance_closed_forms() -> None:
    arena = mouse_maze()
    x = np.array([10.0, 40.0, 0.0, 15.0, 15.0, -40.0, NAN])
    y = np.array([10.0, 5.0, 0.0, 0.0, 3.6, -6.0, 0.0])
    east = arena.distance(EAST, x, y)
    expected_east = [7.5, math.hypot(7.5, 2.5), 2.5, 0.0, 1.1, math.hypot(42.5, 3.5), NAN]
    np.testing.assert_allclose(east, expected_east, rtol=1e-12, atol=1e-12)
    north = arena.distance(NORTH, x, y)
    expected_north = [7.5, 37.5, 2.5, math.hypot(12.5, 2.5), 12.5, math.hypot(37.5, 8.5), NAN]
    np.testing.assert_allclose(north, expected_north, rtol=1e-12, atol=1e-12)
    center = arena.distance(CENTER, x, y)
    expected_center = [math.hypot(7.5, 7.5), math.hypot(37.5, 2.5), 0.0, 12.5, math.hypot(12.5, 1.1)]
    expected_center += [math.hypot(37.5, 3.5), NAN]
    np.testing.assert_allclose(center, expected_center, rtol=1e-12, atol=1e-12)
    west = arena.distance(WEST, x, y)
    expected_west = [math.hypot(12.5, 7.5), math.hypot(42.5, 2.5), 2.5, 17.5, math.hypot(17.5, 1.1)]
    expected_west += [math.hypot(7.5, 3.5), NAN]
    np.testing.assert_allclose(west, expected_west, rtol=1e-12, atol=1e-12)


def rotate(x: np.ndarray, y: np.ndarray, degrees: float, origin: tuple[float, float]) -> tuple:
    a = math.radians(degrees)
    return origin[0] + x * math.cos(a) - y * math.sin(a), origin[1] + x * math.sin(a) + y * math.cos(a)


def test_rotated_maze_classifies_rotated_points_the_same() -> None:
    plain = mouse_maze()
    origin = (100.0, -40.0)
    rotated = plus_maze(center_size=5.0, arm_length=30.0, arm_width=5.0, rotation_deg=30.0, origin=origin)
    # hand-picked points away from borders (a rotation is not exact in floating point)
    interior = np.array([15.0, -15.0, 0.0, 1.0, 0.0, 2.4, 10.0, -40.0, 20.0, 0.0])
    interior_y = np.array([0.0, 1.0, 15.0, -20.0, 0.0, -2.4, 10.0, 0.0, -1.5, -31.0])
    rx, ry = rotate(interior, interior_y, 30.0, origin)
    assert rotated.classify(rx, ry).tolist() == [
        EAST,
        WEST,
        NORTH,
        SOUTH,
        CENTER,
        CENTER,
        -1,
        -1,
        EAST,
        SOUTH,
    ]
    # and on many random points the two agree, with the same distances
    rng = np.random.default_rng(3)
    px, py = rng.uniform(-40, 40, 5000), rng.uniform(-40, 40, 5000)
    qx, qy = rotate(px, py, 30.0, origin)
    assert np.array_equal(plain.classify(px, py), rotated.classify(qx, qy))
    for k in range(5):
        np.testing.assert_allclose(plain.distance(k, px, py), rotated.distance(k, qx, qy), atol=1e-9)
    # a point of the east arm, rotated by 30 degrees about the origin, is no longer in the unrotated arm
    ex, ey = rotate(np.array([30.0]), np.array([0.0]), 30.0, (0.0, 0.0))
    assert plain.classify(ex, ey).tolist() == [-1]


def explicit_polygon_maze() -> Arena:
    """The default maze written out as explicit polygons (corners by hand), in the same order."""
    return Arena(
        "epm",
        (
            polygon_zone("open_east", "open", [[2.5, -2.5], [32.5, -2.5], [32.5, 2.5], [2.5, 2.5]]),
            polygon_zone("open_west", "open", [[-32.5, -2.5], [-2.5, -2.5], [-2.5, 2.5], [-32.5, 2.5]]),
            polygon_zone("closed_north", "closed", [[-2.5, 2.5], [2.5, 2.5], [2.5, 32.5], [-2.5, 32.5]]),
            polygon_zone("closed_south", "closed", [[-2.5, -32.5], [2.5, -32.5], [2.5, -2.5], [-2.5, -2.5]]),
            polygon_zone("center", "center", [[-2.5, -2.5], [2.5, -2.5], [2.5, 2.5], [-2.5, 2.5]]),
        ),
    )


def test_polygon_maze_matches_the_rectangle_maze() -> None:
    rect, poly = mouse_maze(), explicit_polygon_maze()
    x = np.array([p[0] for p in POINTS])
    y = np.array([p[1] for p in POINTS])
    assert poly.classify(x, y).tolist() == [p[2] for p in POINTS]
    rng = np.random.default_rng(11)
    px, py = rng.uniform(-40, 40, 4000), rng.uniform(-40, 40, 4000)
    # plus a 0.5 cm grid, which puts many points exactly on borders and corners
    gx, gy = np.meshgrid(np.arange(-35.0, 35.5, 0.5), np.arange(-35.0, 35.5, 0.5))
    px, py = np.concatenate([px, gx.ravel()]), np.concatenate([py, gy.ravel()])
    assert np.array_equal(rect.classify(px, py), poly.classify(px, py))
    for k in range(5):
        np.testing.assert_allclose(rect.distance(k, px, py), poly.distance(k, px, py), atol=1e-9)


def test_triangle_distances_by_hand() -> None:
    # right triangle (0,0), (4,0), (0,3): the hypotenuse is 3x + 4y = 12
    tri = Arena("ldb", (polygon_zone("t", "light", [[0.0, 0.0], [4.0, 0.0], [0.0, 3.0]]),))
    x = np.array([1.0, 2.0, 0.0, -1.0, 2.0, 4.0, 5.0, -2.0, 0.0, 6.0, NAN])
    y = np.array([1.0, 0.0, 1.5, -1.0, -2.0, 3.0, -1.0, 1.0, 5.0, 0.0, 1.0])
    expected = [
        0.0,  # inside
        0.0,  # on the bottom edge
        0.0,  # on the left edge
        math.sqrt(2.0),  # nearest the vertex (0, 0)
        2.0,  # below the bottom edge
        2.4,  # (3*4 + 4*3 - 12) / 5, foot (2.56, 1.08) on the hypotenuse
        math.sqrt(2.0),  # the hypotenuse's foot falls outside it: nearest the vertex (4, 0)
        2.0,  # left of the left edge
        2.0,  # above the vertex (0, 3)
        2.0,  # right of the vertex (4, 0)
        NAN,
    ]
    np.testing.assert_allclose(tri.distance(0, x, y), expected, rtol=1e-12, atol=1e-12)
    assert tri.classify(x, y).tolist() == [0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1]


def test_concave_polygon_distances_by_hand() -> None:
    # an L: the unit-wide strips along the axes, 4 cm long
    ell = polygon_zone("l", "light", [[0, 0], [4, 0], [4, 1], [1, 1], [1, 4], [0, 4]])
    arena = Arena("ldb", (ell,))
    x = np.array([3.0, 0.5, 2.0, 3.0, 0.5, 1.5])
    y = np.array([0.5, 3.0, 2.0, 3.0, 5.0, 1.5])
    expected = [0.0, 0.0, 1.0, 2.0, 1.0, 0.5]  # the notch: 1 cm (or 2, 0.5) from its two inner edges
    np.testing.assert_allclose(arena.distance(0, x, y), expected, rtol=1e-12, atol=1e-12)


def test_polygon_zone_validation() -> None:
    with pytest.raises(ValueError, match="three"):
        polygon_zone("z", "open", [[0, 0], [1, 1]])
    with pytest.raises(ValueError, match="no area"):
        polygon_zone("z", "open", [[0, 0], [1, 1], [2, 2]])
    closed_ring = polygon_zone("z", "open", [[0, 0], [1, 0], [1, 1], [0, 0]])
    assert len(closed_ring.polygon) == 3
    with pytest.raises(ValueError):
        plus_maze(center_size=5.0, arm_length=30.0, arm_width=6.0)
    with pytest.raises(ValueError):
        plus_maze(center_size=5.0, arm_length=30.0, arm_width=5.0, open_axis="z")


def test_rectangle_zone_rotated_polygon_and_distance() -> None:
    # a 4 x 2 rectangle centred at (1, 1), turned 90 degrees: it spans x in [0, 2], y in [-1, 3]
    zone = rectangle_zone("r", "light", (1.0, 1.0), (4.0, 2.0), math.pi / 2)
    xs, ys = zone.polygon[:, 0], zone.polygon[:, 1]
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == pytest.approx((0.0, 2.0, -1.0, 3.0))
    arena = Arena("ldb", (zone,))
    got = arena.distance(0, np.array([1.0, 3.0, 1.0, 5.0]), np.array([2.9, 1.0, 4.0, 7.0]))
    np.testing.assert_allclose(got, [0.0, 1.0, 1.0, 5.0], atol=1e-12)


# --------------------------------------------------------------------------------------------------------
# 10. confirm_zones on hand-made arrays
# --------------------------------------------------------------------------------------------------------


def run(raw, near0=None, near1=None, valid=None, *, durations=None, min_time=0.0):
    """Two zones (0 and 1); ``near`` defaults to "in the zone" (no hysteresis)."""
    raw = np.asarray(raw)
    n = len(raw)
    valid = np.ones(n, bool) if valid is None else np.asarray(valid, bool)
    near = np.vstack(
        [
            raw == 0 if near0 is None else np.asarray(near0, bool),
            raw == 1 if near1 is None else np.asarray(near1, bool),
        ]
    )
    durations = np.full(n, 0.1) if durations is None else np.asarray(durations, float)
    return confirm_zones(raw, valid, near, durations, min_time=min_time)


T, F = True, False


def test_flicker_within_hysteresis_is_not_an_entry() -> None:
    raw = [0, 0, 1, 0, 1, 0, 1, 0, 0]
    occ = run(raw, near0=[T] * 9)  # every frame within the hysteresis of zone 0
    assert occ.start.tolist() == [0]
    assert occ.zone.tolist() == [0]
    assert occ.entry.tolist() == [False]
    assert occ.frame_zone.tolist() == [0] * 9  # the flicker frames are credited to zone 0


def test_entry_dated_at_the_crossing_not_the_confirmation() -> None:
    raw = [0, 0, 0, 1, 1, 1, 1, 1]
    near0 = [T, T, T, T, T, F, F, F]  # crossed at frame 3, more than the hysteresis away at frame 5
    occ = run(raw, near0=near0)
    assert occ.start.tolist() == [0, 3]
    assert occ.zone.tolist() == [0, 1]
    assert occ.entry.tolist() == [False, True]
    assert occ.frame_zone.tolist() == [0, 0, 0, 1, 1, 1, 1, 1]
    assert occ.stop().tolist() == [3, 8]


def test_dither_then_commit_dated_from_the_last_crossing() -> None:
    raw = [0, 0, 1, 0, 1, 0, 1, 1, 1, 1]
    near0 = [T, T, T, T, T, T, T, T, F, F]
    occ = run(raw, near0=near0)
    assert occ.start.tolist() == [0, 6]
    assert occ.frame_zone.tolist() == [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]


def test_excursion_back_into_the_zone_within_hysteresis() -> None:
    # in zone 1, the point flickers back into zone 0 (within the hysteresis of 1), then really leaves
    raw = [0, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0]
    near0 = [T, T, T, T, F, T, T, T, T, T, T, T]
    near1 = [F, F, T, T, T, T, T, T, T, T, F, F]
    occ = run(raw, near0=near0, near1=near1)
    assert occ.start.tolist() == [0, 2, 8]
    assert occ.zone.tolist() == [0, 1, 0]
    assert occ.entry.tolist() == [False, True, True]
    assert occ.frame_zone.tolist() == [0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]


def test_missing_frames_do_not_end_an_episode() -> None:
    raw = [0, 0, -1, -1, -1, 0, 0]
    valid = [T, T, F, F, F, T, T]
    occ = run(raw, valid=valid)
    assert occ.start.tolist() == [0]
    assert occ.frame_zone.tolist() == [0, 0, -1, -1, -1, 0, 0]
    assert occ.missing.tolist() == [F, F, T, T, T, F, F]
    assert not occ.off_arena.any()


def test_seen_elsewhere_after_missing_frames() -> None:
    raw = [0, 0, -1, -1, 1, 1]
    valid = [T, T, F, F, T, T]
    occ = run(raw, valid=valid, near0=[T, T, F, F, F, F])
    assert occ.start.tolist() == [0, 4]  # dated from the reappearance, not into the gap
    assert occ.frame_zone.tolist() == [0, 0, -1, -1, 1, 1]


def test_off_arena_within_hysteresis_credited_to_the_zone() -> None:
    raw = [0, 0, -1, -1, 0, 0]
    occ = run(raw, near0=[T, T, T, T, T, T])
    assert occ.frame_zone.tolist() == [0] * 6
    assert not occ.off_arena.any()
    assert occ.start.tolist() == [0]


def test_off_arena_beyond_hysteresis_is_lost_but_no_exit() -> None:
    raw = [0, 0, -1, -1, 0, 0]
    occ = run(raw, near0=[T, T, F, F, T, T])
    assert occ.frame_zone.tolist() == [0, 0, -1, -1, 0, 0]
    assert occ.off_arena.tolist() == [F, F, T, T, F, F]
    assert occ.start.tolist() == [0]
    assert not occ.missing.any()


def test_off_arena_near_another_zone_is_lost() -> None:
    # off the arena within the hysteresis of zone 1 but not of the current zone 0
    raw = [0, 0, -1, 0]
    occ = run(raw, near0=[T, T, F, T], near1=[F, F, T, F])
    assert occ.frame_zone.tolist() == [0, 0, -1, 0]
    assert occ.off_arena.tolist() == [F, F, T, F]


def test_run_interrupted_by_a_lost_frame_starts_after_it() -> None:
    # the documented rule: the entry is the first frame of the *uninterrupted* run of on-arena frames
    raw = [0, 0, 1, 1, -1, 1, 1]
    valid = [T, T, T, T, F, T, T]
    occ = run(raw, valid=valid, near0=[T, T, T, T, F, F, F])
    assert occ.start.tolist() == [0, 5]
    assert occ.frame_zone.tolist() == [0, 0, 0, 0, -1, 1, 1]


def test_frames_before_the_first_on_arena_frame_are_lost() -> None:
    raw = [-1, -1, -1, 1, 1, 0]
    valid = [F, T, T, T, T, T]
    occ = run(raw, valid=valid, near1=[F, F, F, T, T, F])
    assert occ.start.tolist() == [3, 5]
    assert occ.zone.tolist() == [1, 0]
    assert occ.entry.tolist() == [False, True]
    assert occ.frame_zone.tolist() == [-1, -1, -1, 1, 1, 0]
    assert occ.missing.tolist() == [T, F, F, F, F, F]
    assert occ.off_arena.tolist() == [F, T, T, F, F, F]


def test_nothing_on_the_arena() -> None:
    occ = run([-1, -1, -1], valid=[F, T, F])
    assert len(occ.start) == 0
    assert occ.frame_zone.tolist() == [-1, -1, -1]
    assert occ.missing.tolist() == [T, F, T]
    assert occ.off_arena.tolist() == [F, T, F]


def test_min_time_merges_a_short_visit_into_the_zone_before() -> None:
    raw = [0] * 10 + [1] * 3 + [0] * 10  # 0.3 s in zone 1 at 0.1 s a frame
    short = run(raw, min_time=0.5)
    assert short.start.tolist() == [0]
    assert short.frame_zone.tolist() == [0] * 23
    plain = run(raw)
    assert plain.start.tolist() == [0, 10, 13]
    exact = run(raw, min_time=0.3 - 1e-9)  # not shorter than min_time: an entry
    assert exact.start.tolist() == [0, 10, 13]


def test_min_time_short_visit_before_a_third_zone() -> None:
    raw = np.array([0] * 10 + [1] * 3 + [2] * 10)
    near = np.vstack([raw == k for k in range(3)])
    occ = confirm_zones(raw, np.ones(23, bool), near, np.full(23, 0.1), min_time=0.5)
    assert occ.start.tolist() == [0, 13]
    assert occ.zone.tolist() == [0, 2]
    assert occ.frame_zone.tolist() == [0] * 13 + [2] * 10


def test_min_time_counts_the_time_the_frames_stand_for() -> None:
    raw = [0] * 5 + [1] * 2 + [0] * 5
    durations = [0.1] * 5 + [0.4, 0.4] + [0.1] * 5  # two frames, 0.8 s: long enough
    occ = run(raw, durations=durations, min_time=0.5)
    assert occ.start.tolist() == [0, 5, 7]


# A literal, per-frame reading of the documented rules on a 1-D corridor: zone 0 is [-2, 0], zone 1 is
# [0, 2] and wins the shared border x = 0; off the arena beyond +-2.


def corridor(xs: list[float], h: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.array(xs, dtype=float)
    valid = ~np.isnan(x)
    raw = np.full(len(x), -1)
    with np.errstate(invalid="ignore"):
        raw[valid & (x >= 0) & (x <= 2)] = 1
        raw[valid & (x >= -2) & (x < 0)] = 0
        d0 = np.maximum.reduce([-2 - x, x, np.zeros_like(x)])
        d1 = np.maximum.reduce([-x, x - 2, np.zeros_like(x)])
        near = np.vstack([d0 <= h, d1 <= h])
    return raw, valid, near


def reference(raw: np.ndarray, valid: np.ndarray, near: np.ndarray) -> tuple[list, list, list]:
    n = len(raw)
    on = valid & (raw >= 0)
    state, starts, zones = None, [], []
    state_of = [None] * n
    for i in range(n):
        if state is None:
            if on[i]:
                state = int(raw[i])
                starts.append(i)
                zones.append(state)
        elif on[i] and not near[state, i]:
            j = i
            while j > 0 and on[j - 1] and raw[j - 1] != state:
                j -= 1
            for k in range(j, i):
                state_of[k] = int(raw[i])
            state = int(raw[i])
            starts.append(j)
            zones.append(state)
        state_of[i] = state
    frame_zone = []
    for i in range(n):
        s = state_of[i]
        lost = not valid[i] or s is None or (raw[i] < 0 and not near[s, i])
        frame_zone.append(-1 if lost else s)
    return starts, zones, frame_zone


positions = st.one_of(st.floats(-3.0, 3.0, allow_nan=False), st.just(NAN), st.sampled_from([-2.0, 0.0, 2.0]))


@settings(max_examples=300, deadline=None)
@given(xs=st.lists(positions, min_size=1, max_size=60), h=st.sampled_from([0.0, 0.5, 1.0]))
def test_confirm_zones_matches_a_literal_reading_of_the_rules(xs: list[float], h: float) -> None:
    raw, valid, near = corridor(xs, h)
    starts, zones, frame_zone = reference(raw, valid, near)
    occ = confirm_zones(raw, valid, near, np.full(len(xs), 0.1))
    assert occ.start.tolist() == starts
    assert occ.zone.tolist() == zones
    assert occ.frame_zone.tolist() == frame_zone
    assert occ.entry.tolist() == [i > 0 for i in range(len(starts))]
    assert occ.missing.tolist() == (~valid).tolist()
    # consecutive episodes are in different zones
    assert all(a != b for a, b in zip(zones, zones[1:], strict=False))


# --------------------------------------------------------------------------------------------------------
# 8. Zone labels instead of coordinates
# --------------------------------------------------------------------------------------------------------

LABEL_RUNS = [
    ("center", 150),
    ("Open", 300),  # open entry (labels are read case-insensitively)
    ("center", 90),  # centre entry
    ("closed", 600),  # closed entry
    ("", 60),  # no position: missing, not an exit
    ("closed", 150),  # same arm: no entry
    ("off", 30),  # off the maze: lost, not an exit
    ("closed", 30),
    ("off", 30),
    ("center", 300),  # centre entry
    ("open", 90),  # open entry
    ("", 30),
    ("closed", 15),  # closed entry, dated from the reappearance
    ("closed", 150),
]


def label_frame(runs: list[tuple[str, int]], animal: str = "a") -> pd.DataFrame:
    labels = [label for label, n in runs for _ in range(n)]
    return pd.DataFrame({"animal": animal, "time_s": np.arange(len(labels)) / FPS, "zone": labels})


def label_truth(runs: list[tuple[str, int]]) -> dict[str, float]:
    kind = {"center": "center", "open": "open", "closed": "closed"}
    frames = {"open": 0, "closed": 0, "center": 0, "missing": 0, "off": 0}
    visits: list[str] = []
    for label, n in runs:
        label = label.lower()
        if label == "":
            frames["missing"] += n
        elif label == "off":
            frames["off"] += n
        else:
            frames[kind[label]] += n
            if not visits or visits[-1] != label:
                visits.append(label)
    truth: dict[str, float] = {k: v / FPS for k, v in frames.items()}
    for k in ("open", "closed", "center"):
        truth[f"{k}_entries"] = sum(1 for v in visits[1:] if kind[v] == k)
    return truth


def test_zone_labels_times_and_entries() -> None:
    truth = label_truth(LABEL_RUNS)
    assert (truth["open_entries"], truth["closed_entries"], truth["center_entries"]) == (2, 2, 2)
    n = sum(n for _, n in LABEL_RUNS)
    frame = label_frame(LABEL_RUNS)
    row = compute_epm_endpoints(frame, duration_s=n / FPS).iloc[0]
    assert row["open_time_s"] == pytest.approx(390 / FPS)
    assert row["closed_time_s"] == pytest.approx(945 / FPS)
    assert row["center_time_s"] == pytest.approx(540 / FPS)
    for k in ("open", "closed", "center"):
        assert row[f"{k}_time_s"] == pytest.approx(truth[k])
        assert row[f"{k}_entries"] == truth[f"{k}_entries"]
    assert row["missing_time_s"] == pytest.approx(90 / FPS)
    assert row["off_arena_time_s"] == pytest.approx(60 / FPS)
    assert row["lost_time_s"] == pytest.approx(150 / FPS)
    assert row["frames_missing"] == 90
    assert row["session_s"] == pytest.approx(n / FPS)
    assert row["frames"] == n
    assert row["latency_open_s"] == pytest.approx(150 / FPS)
    assert row["open_entered"]
    assert row["total_entries"] == 4
    assert row["open_entries_pct"] == pytest.approx(50.0)
    assert row["open_time_pct"] == pytest.approx(100 * 390 / (390 + 945))
    assert row["open_time_total_pct"] == pytest.approx(100 * 390 / n)
    assert np.isnan(row["distance_cm"])
    assert np.isnan(row["mean_speed_cm_s"])
    assert row["flags"] == ""


def test_zone_labels_min_time() -> None:
    runs = [("center", 300), ("open", 6), ("center", 300), ("closed", 300)]  # a 0.2 s open blip
    frame = label_frame(runs)
    strict = compute_epm_endpoints(frame, duration_s=30.0, criterion=EntryCriterion(min_time_s=0.5)).iloc[0]
    assert strict["open_entries"] == 0
    assert strict["open_time_s"] == 0.0
    assert strict["center_time_s"] == pytest.approx(606 / FPS)
    assert strict["center_entries"] == 0
    assert not strict["open_entered"]
    assert strict["latency_open_s"] == pytest.approx(30.0)
    loose = compute_epm_endpoints(frame, duration_s=30.0).iloc[0]
    assert (loose["open_entries"], loose["center_entries"], loose["closed_entries"]) == (1, 1, 1)
    assert loose["open_time_s"] == pytest.approx(0.2)
    assert loose["latency_open_s"] == pytest.approx(10.0)


def test_unknown_zone_label_is_an_error_row_for_that_animal_only() -> None:
    good = label_frame([("center", 150), ("open", 150)], animal="good")
    bad = label_frame([("center", 150), ("kitchen", 3), ("open", 147)], animal="bad")
    also = label_frame([("closed", 150), ("center", 150)], animal="also")
    table = compute_epm_endpoints(pd.concat([good, bad, also], ignore_index=True), duration_s=10.0)
    assert list(table["animal"]) == ["good", "bad", "also"]
    rows = table.set_index("animal")
    assert rows.loc["bad", "flags"].startswith("error:")
    assert "kitchen" in rows.loc["bad", "flags"]
    assert pd.isna(rows.loc["bad", "open_time_s"])
    assert rows.loc["good", "open_time_s"] == pytest.approx(5.0)
    assert rows.loc["good", "open_entries"] == 1
    assert rows.loc["also", "center_time_s"] == pytest.approx(5.0)
    assert rows.loc["also", "center_entries"] == 1
    assert rows.loc["also", "flags"] == "no_arm_entry"


def test_polygon_reach_gives_the_full_distance_wherever_it_can_matter() -> None:
    """classify/locate only ask for distances up to a reach; within it they are the full distances."""
    from assaykit.tracking.geometry import _polygon_distance

    rng = np.random.default_rng(12)
    angles = np.sort(rng.uniform(0, 2 * np.pi, 9))
    radii = rng.uniform(4.0, 10.0, 9)  # a star-shaped, concave polygon
    polygon = np.column_stack([radii * np.cos(angles), radii * np.sin(angles)])
    x, y = rng.uniform(-14, 14, 4000), rng.uniform(-14, 14, 4000)
    x[:5] = np.nan
    full = _polygon_distance(polygon, x, y)
    # independent: the smallest point-to-segment distance, 0 inside (matplotlib), by a plain loop
    inside = MplPath(polygon).contains_points(np.column_stack([x, y]))
    for i in range(5, 400):
        best = np.inf
        for a, b in zip(polygon, np.roll(polygon, -1, axis=0), strict=True):
            t = np.clip(np.dot([x[i], y[i]] - a, b - a) / np.dot(b - a, b - a), 0, 1)
            best = min(best, float(np.hypot(*([x[i], y[i]] - (a + t * (b - a))))))
        assert full[i] == pytest.approx(0.0 if inside[i] else best, abs=1e-12)
    for reach in (0.0, 1.5):
        limited = _polygon_distance(polygon, x, y, reach=reach)
        assert np.isnan(limited[:5]).all()
        within = full <= reach
        np.testing.assert_array_equal(limited[within], full[within])
        assert (limited[~within & ~np.isnan(full)] > reach).all()
