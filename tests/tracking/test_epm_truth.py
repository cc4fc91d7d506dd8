"""EPM endpoints against ground truth computed in the test from the path that generated the track.

Every expected value here is worked out independently of assaykit: the tracks are piecewise-linear paths
built from waypoints ``(t, x, y)`` and sampled at a frame rate, and the truth (zone visits, crossing times,
zone times, entries, path length) is solved analytically from the waypoints. The default mouse maze: centre
square |x|, |y| <= 2.5 cm, arms 5 cm wide reaching 30 cm beyond it (to 32.5 cm), open arms along x (east
+x, west -x), closed arms along y (north +y, south -y); default criterion 1 cm hysteresis, no minimum time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest

from assaykit.epm import compute_epm_endpoints
from assaykit.tracking.analysis import EntryCriterion, analyze_track
from assaykit.tracking.geometry import Arena, plus_maze, polygon_zone

FPS = 30.0
FRAME = 1.0 / FPS
SESSION = 300.0
HALF = 2.5  # half the centre square, and half an arm's width
REACH = 32.5  # where an arm ends
EPS = 1e-6
KIND = {
    "open_east": "open",
    "open_west": "open",
    "closed_north": "closed",
    "closed_south": "closed",
    "center": "center",
}
KINDS = ("open", "closed", "center")


# --------------------------------------------------------------------------------------------------------
# Independent truth
# --------------------------------------------------------------------------------------------------------


def zone_of(x: float, y: float) -> str | None:
    """The zone of one point of the default maze, by plain inequalities (None off the maze)."""
    ax, ay = abs(x), abs(y)
    if ax <= HALF and ay <= HALF:
        return "center"
    if ay <= HALF and ax <= REACH:
        return "open_east" if x > 0 else "open_west"
    if ax <= HALF and ay <= REACH:
        return "closed_north" if y > 0 else "closed_south"
    return None


@dataclass
class Truth:
    """Zone visits of a continuous path: ``(start, end, zone)``, consecutive zones different."""

    visits: list[tuple[float, float, str]]
    lengths: dict[str, float]  # path length while in each kind
    total_length: float

    def time(self, kind: str) -> float:
        return sum(b - a for a, b, z in self.visits if KIND[z] == kind)

    def entries(self, kind: str) -> int:
        return sum(1 for _, _, z in self.visits[1:] if KIND[z] == kind)

    def transitions(self, kind: str) -> int:
        """Visit boundaries with ``kind`` on either side (each may move the kind's time by a frame)."""
        return sum(
            1 for (_, _, p), (_, _, q) in pairwise(self.visits) if kind in (KIND[p], KIND[q]) and p != q
        )

    def first(self, kind: str) -> float | None:
        return next((a for a, _, z in self.visits if KIND[z] == kind), None)

    def starts(self) -> list[float]:
        return [a for a, _, _ in self.visits]


def truth_of(waypoints: list[tuple[float, float, float]], end: float = SESSION) -> Truth:
    """Solve a piecewise-linear path's zone visits: cut each segment where x or y crosses +-2.5 or +-32.5."""
    pieces: list[tuple[float, float, str, float]] = []
    for (ta, xa, ya), (tb, xb, yb) in pairwise(waypoints):
        if tb <= ta:
            continue
        cuts = {0.0, 1.0}
        for a, b in ((xa, xb), (ya, yb)):
            if a != b:
                for c in (-REACH, -HALF, HALF, REACH):
                    s = (c - a) / (b - a)
                    if 0.0 < s < 1.0:
                        cuts.add(s)
        length = math.hypot(xb - xa, yb - ya)
        for s0, s1 in pairwise(sorted(cuts)):
            sm = 0.5 * (s0 + s1)
            zone = zone_of(xa + sm * (xb - xa), ya + sm * (yb - ya))
            assert zone is not None, "test paths stay on the maze"
            t0, t1 = ta + s0 * (tb - ta), ta + s1 * (tb - ta)
            if t0 >= end:
                continue
            frac = (min(t1, end) - t0) / (t1 - t0)
            pieces.append((t0, min(t1, end), zone, (s1 - s0) * length * frac))
    visits: list[tuple[float, float, str]] = []
    lengths = dict.fromkeys(KINDS, 0.0)
    for t0, t1, zone, dist in pieces:
        lengths[KIND[zone]] += dist
        if visits and visits[-1][2] == zone:
            visits[-1] = (visits[-1][0], t1, zone)
        else:
            visits.append((t0, t1, zone))
    return Truth(visits, lengths, sum(lengths.values()))


def sample(
    waypoints: list[tuple[float, float, float]], fps: float = FPS, end: float = SESSION
) -> pd.DataFrame:
    """Sample the path at ``fps`` from t = 0 for ``end`` seconds."""
    tw, xw, yw = (np.array(c, dtype=float) for c in zip(*waypoints, strict=True))
    t = np.arange(round(end * fps)) / fps
    return pd.DataFrame({"time_s": t, "x": np.interp(t, tw, xw), "y": np.interp(t, tw, yw)})


def endpoints(tracks: pd.DataFrame, **kwargs: object) -> pd.Series:
    table = compute_epm_endpoints(tracks, **kwargs)
    assert len(table) == 1
    return table.iloc[0]


def pct_bounds(part: float, part_tol: float, other: float, other_tol: float) -> tuple[float, float]:
    """Range of part / (part + other) x 100 when each is off by up to its tolerance."""
    values = [
        100.0 * p / (p + o)
        for p in (max(part - part_tol, 0.0), part + part_tol)
        for o in (max(other - other_tol, 0.0), other + other_tol)
        if p + o > 0
    ]
    return min(values), max(values)


def check_against_truth(
    row: pd.Series,
    truth: Truth,
    *,
    frames_per_transition: float,
    latency_frames: float,
    distance_rel: float | None,
    frame: float = FRAME,
    max_step: float | None = None,
) -> None:
    """Compare one endpoint row with the truth, zone times within so many frames per transition."""
    tol = {k: frames_per_transition * frame * truth.transitions(k) + EPS for k in KINDS}
    for kind in KINDS:
        assert row[f"{kind}_time_s"] == pytest.approx(truth.time(kind), abs=tol[kind]), kind
        assert row[f"{kind}_entries"] == truth.entries(kind), kind
    assert row["total_entries"] == truth.entries("open") + truth.entries("closed")
    n_open, n_closed = truth.entries("open"), truth.entries("closed")
    if n_open + n_closed:
        assert row["open_entries_pct"] == pytest.approx(100.0 * n_open / (n_open + n_closed))
    else:
        assert np.isnan(row["open_entries_pct"])
    lo, hi = pct_bounds(truth.time("open"), tol["open"], truth.time("closed"), tol["closed"])
    assert lo - EPS <= row["open_time_pct"] <= hi + EPS
    lo, hi = pct_bounds(truth.time("open"), tol["open"], SESSION - truth.time("open"), tol["open"])
    assert lo - EPS <= row["open_time_total_pct"] <= hi + EPS
    first_open = truth.first("open")
    if first_open is None:
        assert not row["open_entered"]
        assert row["latency_open_s"] == pytest.approx(SESSION)
    else:
        assert row["open_entered"]
        assert abs(row["latency_open_s"] - first_open) <= latency_frames * frame + EPS
    if distance_rel is not None:
        assert row["distance_cm"] == pytest.approx(truth.total_length, rel=distance_rel)
        assert row["mean_speed_cm_s"] == pytest.approx(truth.total_length / SESSION, rel=distance_rel)
    if max_step is not None:
        for kind in KINDS:
            bound = max_step * truth.transitions(kind) + EPS
            assert row[f"{kind}_distance_cm"] == pytest.approx(truth.lengths[kind], abs=bound), kind
    assert row["session_s"] == pytest.approx(SESSION)
    assert row["lost_time_s"] == pytest.approx(0.0, abs=EPS)
    assert row["flags"] == ""


# --------------------------------------------------------------------------------------------------------
# 1. A hand-built path, solved by hand
# --------------------------------------------------------------------------------------------------------

SPEED = 5.0  # cm/s on every moving segment of the hand path
HAND_PATH = [
    (0.0, 0.0, 0.0),  # centre
    (10.0, 0.0, 0.0),
    (14.0, 20.0, 0.0),  # out along the east open arm: crosses x = 2.5 at 10 + 2.5/5 = 10.5
    (30.0, 20.0, 0.0),
    (34.0, 0.0, 0.0),  # back: crosses x = 2.5 at 30 + 17.5/5 = 33.5
    (40.0, 0.0, 0.0),
    (45.0, 0.0, 25.0),  # north closed arm: y = 2.5 at 40.5
    (100.0, 0.0, 25.0),
    (105.0, 0.0, 0.0),  # back: y = 2.5 at 104.5
    (108.0, -15.0, 0.0),  # straight on to the west open arm: x = -2.5 at 105.5
    (150.0, -15.0, 0.0),
    (153.0, 0.0, 0.0),  # back: 152.5
    (157.0, 0.0, -20.0),  # south closed arm: 153.5
    (200.0, 0.0, -20.0),
    (204.0, 0.0, 0.0),  # back: 203.5
    (206.0, 10.0, 0.0),  # east again: 204.5
    (300.0, 10.0, 0.0),
]
HAND_VISITS = [
    (0.0, 10.5, "center"),
    (10.5, 33.5, "open_east"),
    (33.5, 40.5, "center"),
    (40.5, 104.5, "closed_north"),
    (104.5, 105.5, "center"),
    (105.5, 152.5, "open_west"),
    (152.5, 153.5, "center"),
    (153.5, 203.5, "closed_south"),
    (203.5, 204.5, "center"),
    (204.5, 300.0, "open_east"),
]
HAND_OPEN = 23.0 + 47.0 + 95.5
HAND_CLOSED = 64.0 + 50.0
HAND_CENTER = 10.5 + 7.0 + 1.0 + 1.0 + 1.0
HAND_DISTANCE = 20.0 + 20.0 + 25.0 + 25.0 + 15.0 + 15.0 + 20.0 + 20.0 + 10.0


def test_truth_helper_reproduces_the_hand_solution() -> None:
    truth = truth_of(HAND_PATH)
    assert [(round(a, 9), round(b, 9), z) for a, b, z in truth.visits] == HAND_VISITS
    assert truth.time("open") == pytest.approx(HAND_OPEN)
    assert truth.time("closed") == pytest.approx(HAND_CLOSED)
    assert truth.time("center") == pytest.approx(HAND_CENTER)
    assert math.isclose(HAND_OPEN + HAND_CLOSED + HAND_CENTER, SESSION)
    assert truth.total_length == pytest.approx(HAND_DISTANCE)
    assert (truth.entries("open"), truth.entries("closed"), truth.entries("center")) == (3, 2, 4)


def test_hand_path_endpoints() -> None:
    row = endpoints(sample(HAND_PATH))
    tol = FRAME + EPS
    # open: 5 transitions, closed: 4, centre: 9 (every visit boundary touches the centre)
    assert row["open_time_s"] == pytest.approx(HAND_OPEN, abs=5 * tol)
    assert row["closed_time_s"] == pytest.approx(HAND_CLOSED, abs=4 * tol)
    assert row["center_time_s"] == pytest.approx(HAND_CENTER, abs=9 * tol)
    assert row["open_time_s"] + row["closed_time_s"] + row["center_time_s"] == pytest.approx(SESSION)
    assert (row["open_entries"], row["closed_entries"], row["center_entries"]) == (3, 2, 4)
    assert row["total_entries"] == 5
    assert row["open_entries_pct"] == pytest.approx(60.0)
    assert row["open_entered"]
    assert abs(row["latency_open_s"] - 10.5) <= FRAME + EPS
    assert abs(row["latency_open_s"] - 10.5) <= 1.5 * FRAME  # the acceptance criterion
    # corners fall on frames, so the sampled polyline is the path itself
    assert row["distance_cm"] == pytest.approx(HAND_DISTANCE, rel=1e-9)
    assert row["distance_cm"] == pytest.approx(HAND_DISTANCE, rel=0.01)
    assert row["mean_speed_cm_s"] == pytest.approx(HAND_DISTANCE / SESSION, rel=1e-9)
    # path length per kind: 17.5 + 17.5 + 12.5 + 12.5 + 7.5 (open), 22.5 * 2 + 17.5 * 2 (closed), the
    # rest in the centre; a step across a border counts for the later zone, so at most one step off each
    step = SPEED * FRAME
    assert row["open_distance_cm"] == pytest.approx(67.5, abs=5 * step + EPS)
    assert row["closed_distance_cm"] == pytest.approx(80.0, abs=4 * step + EPS)
    assert row["center_distance_cm"] == pytest.approx(22.5, abs=9 * step + EPS)
    open_lo, open_hi = pct_bounds(HAND_OPEN, 5 * tol, HAND_CLOSED, 4 * tol)
    assert open_lo <= row["open_time_pct"] <= open_hi
    assert row["open_time_pct"] == pytest.approx(100 * HAND_OPEN / (HAND_OPEN + HAND_CLOSED), abs=0.1)
    assert row["open_time_total_pct"] == pytest.approx(100 * HAND_OPEN / SESSION, abs=100 * 5 * tol / SESSION)
    assert row["session_s"] == pytest.approx(SESSION)
    assert row["frames"] == 9000
    assert row["lost_time_s"] == 0.0
    assert row["flags"] == ""


def test_hand_path_episodes_start_at_the_crossings() -> None:
    track = sample(HAND_PATH)
    result = analyze_track(
        track["time_s"].to_numpy(),
        track["x"].to_numpy(),
        track["y"].to_numpy(),
        plus_maze(center_size=5.0, arm_length=30.0, arm_width=5.0),
        kinds=KINDS,
    )
    episodes = result.episodes
    assert list(episodes["zone"]) == [z for _, _, z in HAND_VISITS]
    assert list(episodes["entry"]) == [False] + [True] * (len(HAND_VISITS) - 1)
    for (start, _, _), got in zip(HAND_VISITS, episodes["start_s"], strict=True):
        # the first frame at or past the crossing: never early, less than a frame late
        assert start - EPS <= got <= start + FRAME + EPS
    assert episodes["duration_s"].sum() == pytest.approx(SESSION)


def test_hand_path_through_check_against_truth() -> None:
    check_against_truth(
        endpoints(sample(HAND_PATH)),
        truth_of(HAND_PATH),
        frames_per_transition=1.0,
        latency_frames=1.0,
        distance_rel=1e-9,
        max_step=SPEED * FRAME,
    )


def test_hand_path_in_a_rotated_shifted_maze() -> None:
    # the same path and maze, both turned 30 degrees counter-clockwise and moved to (100, -40): same truth
    angle, (ox, oy) = math.radians(30.0), (100.0, -40.0)
    track = sample(HAND_PATH)
    x, y = track["x"].to_numpy(), track["y"].to_numpy()
    turned = track.assign(
        x=ox + x * math.cos(angle) - y * math.sin(angle), y=oy + x * math.sin(angle) + y * math.cos(angle)
    )
    maze = plus_maze(center_size=5.0, arm_length=30.0, arm_width=5.0, rotation_deg=30.0, origin=(ox, oy))
    check_against_truth(
        endpoints(turned, arena=maze),
        truth_of(HAND_PATH),
        frames_per_transition=1.0,
        latency_frames=1.0,
        distance_rel=1e-9,
        max_step=SPEED * FRAME,
    )


def test_hand_path_with_an_explicit_polygon_maze() -> None:
    corners = {
        "open_east": ("open", [[2.5, -2.5], [32.5, -2.5], [32.5, 2.5], [2.5, 2.5]]),
        "open_west": ("open", [[-32.5, -2.5], [-2.5, -2.5], [-2.5, 2.5], [-32.5, 2.5]]),
        "closed_north": ("closed", [[-2.5, 2.5], [2.5, 2.5], [2.5, 32.5], [-2.5, 32.5]]),
        "closed_south": ("closed", [[-2.5, -32.5], [2.5, -32.5], [2.5, -2.5], [-2.5, -2.5]]),
        "center": ("center", [[-2.5, -2.5], [2.5, -2.5], [2.5, 2.5], [-2.5, 2.5]]),
    }
    maze = Arena("epm", tuple(polygon_zone(name, kind, v) for name, (kind, v) in corners.items()))
    check_against_truth(
        endpoints(sample(HAND_PATH), arena=maze),
        truth_of(HAND_PATH),
        frames_per_transition=1.0,
        latency_frames=1.0,
        distance_rel=1e-9,
        max_step=SPEED * FRAME,
    )


# --------------------------------------------------------------------------------------------------------
# 2. Jitter at the borders
# --------------------------------------------------------------------------------------------------------


def dither(values: np.ndarray, t: np.ndarray, t0: float, t1: float, amplitude: float = 0.5) -> None:
    """Add alternating +-amplitude to the frames in [t0, t1), the last of them getting -amplitude."""
    idx = np.flatnonzero((t >= t0 - EPS) & (t < t1 - EPS))
    signs = np.where((idx[-1] - idx) % 2 == 0, -1.0, 1.0)
    values[idx] += amplitude * signs


BORDER_PATH = [
    (0.0, 0.0, 0.0),
    (10.0, 0.0, 0.0),
    (12.0, 2.4, 0.0),  # creeps up to the centre/east border ...
    (13.0, 2.5, 0.0),  # ... reaching it at t = 13 (0.1 cm/s): a 1 s dither before committing
    (16.5, 20.0, 0.0),
    (30.0, 20.0, 0.0),
    (33.5, 2.6, 0.0),  # back towards the centre, lingers just inside the arm ...
    (34.5, 2.6, 0.0),  # ... for 1 s with +-0.5 cm (x 2.1..3.1: within 1 cm of the arm), then goes back
    (38.0, 20.0, 0.0),
    (50.0, 20.0, 0.0),
    (54.0, 0.0, 0.0),  # into the centre: x = 2.5 at 53.5
    (60.0, 0.0, 0.0),
    (60.5, 0.0, 2.4),  # creeps to the north border ...
    (61.5, 0.0, 2.45),  # (y 2.4..2.45 +- 0.5 for 1 s: flickers into the closed arm)
    (62.0, 0.0, 0.0),  # ... and turns back without entering it
    (70.0, 0.0, 0.0),
    (70.5, 0.0, 2.4),
    (71.5, 0.0, 2.5),  # north again, this time committing after a 1 s dither: y = 2.5 at 71.5
    (76.0, 0.0, 25.0),
    (300.0, 0.0, 25.0),
]


def jittered_border_track() -> pd.DataFrame:
    track = sample(BORDER_PATH)
    t = track["time_s"].to_numpy()
    x, y = track["x"].to_numpy().copy(), track["y"].to_numpy().copy()
    dither(x, t, 12.0, 13.0)
    dither(x, t, 33.5, 34.5)
    dither(y, t, 60.5, 61.5)
    dither(y, t, 70.5, 71.5)
    return track.assign(x=x, y=y)


def test_border_path_truth() -> None:
    truth = truth_of(BORDER_PATH)
    starts = [round(a, 9) for a in truth.starts()]
    assert starts == [0.0, 13.0, 53.5, 71.5]
    assert [z for _, _, z in truth.visits] == ["center", "open_east", "center", "closed_north"]


def test_jitter_at_borders_changes_no_entry_and_no_crossing_date() -> None:
    truth = truth_of(BORDER_PATH)
    clean = endpoints(sample(BORDER_PATH))
    jittered_track = jittered_border_track()
    jittered = endpoints(jittered_track)
    for row, rel in ((clean, 1e-9), (jittered, None)):  # the dither adds to the path length
        check_against_truth(row, truth, frames_per_transition=1.0, latency_frames=1.0, distance_rel=rel)
        assert (row["open_entries"], row["closed_entries"], row["center_entries"]) == (1, 1, 1)
    # the dither does flicker across the borders (the raw zone changes many times) ...
    x, y = jittered_track["x"].to_numpy(), jittered_track["y"].to_numpy()
    raw_east = (x >= HALF) & (np.abs(y) <= HALF)
    assert np.count_nonzero(np.diff(raw_east.astype(int)) != 0) > 40
    # ... yet the open arm is dated from the last crossing into it, which is the real one (t = 13)
    assert abs(jittered["latency_open_s"] - 13.0) <= FRAME + EPS
    for column in ("open_time_s", "closed_time_s", "center_time_s"):
        assert jittered[column] == pytest.approx(clean[column], abs=2 * FRAME + EPS)


def test_jittered_episodes_dated_from_the_last_crossing() -> None:
    track = jittered_border_track()
    t, x, y = (track[c].to_numpy() for c in ("time_s", "x", "y"))
    result = analyze_track(t, x, y, plus_maze(center_size=5.0, arm_length=30.0, arm_width=5.0), kinds=KINDS)
    episodes = result.episodes
    assert list(episodes["zone"]) == ["center", "open_east", "center", "closed_north"]
    # the last crossing, read off the samples: the frame after the last one outside the zone before commit
    in_east = x >= HALF
    before = np.flatnonzero(~in_east[: round(16.0 * FPS)])[-1]
    last_cross_east = t[before + 1]
    in_north = y >= HALF
    before = np.flatnonzero(~in_north[: round(75.0 * FPS)])[-1]
    last_cross_north = t[before + 1]
    assert episodes["start_s"].iloc[1] == pytest.approx(last_cross_east, abs=EPS)
    assert episodes["start_s"].iloc[3] == pytest.approx(last_cross_north, abs=EPS)
    assert abs(last_cross_east - 13.0) <= FRAME + EPS
    assert abs(last_cross_north - 71.5) <= FRAME + EPS


# --------------------------------------------------------------------------------------------------------
# 3. Acceptance: random arm visits
# --------------------------------------------------------------------------------------------------------

ARMS = {"east": (1.0, 0.0), "west": (-1.0, 0.0), "north": (0.0, 1.0), "south": (0.0, -1.0)}


def random_path(seed: int, fps: float = FPS) -> list[tuple[float, float, float]]:
    """Random arm visits; corners on frames; every visit deep enough (> 1 cm) to pass the hysteresis.

    Centre waypoints have |x|, |y| <= 1 (1.5 cm from every arm); arm waypoints are 5-30 cm along the arm
    from the centre square's edge, at most 1.5 cm off its axis; the path always goes through a centre
    waypoint between two arms.
    """
    rng = np.random.default_rng(seed)
    total = round(SESSION * fps)

    def centre() -> tuple[float, float]:
        return tuple(rng.uniform(-1.0, 1.0, 2))

    def arm_point(arm: str) -> tuple[float, float]:
        ux, uy = ARMS[arm]
        along, across = HALF + rng.uniform(5.0, 30.0), rng.uniform(-1.5, 1.5)
        return ux * along - uy * across, uy * along + ux * across

    frame = 0
    points: list[tuple[int, float, float]] = []
    here = arm_point(str(rng.choice(list(ARMS)))) if rng.random() < 0.3 else centre()
    points.append((0, *here))

    def go(to: tuple[float, float], speed: float) -> None:
        nonlocal frame, here
        dist = math.hypot(to[0] - here[0], to[1] - here[1])
        frame += max(1, round(dist / speed * fps))
        here = to
        points.append((frame, *here))

    def dwell(seconds: float) -> None:
        nonlocal frame
        steps = round(seconds * fps)
        if steps:
            frame += steps
            points.append((frame, *here))

    in_arm = abs(here[0]) > HALF or abs(here[1]) > HALF
    if in_arm:
        dwell(rng.uniform(0.0, 5.0))
        go(centre(), rng.uniform(5.0, 40.0))
    while frame < 250 * fps:
        dwell(rng.choice([0.0, rng.uniform(0.2, 3.0)]))
        arm = str(rng.choice(list(ARMS)))
        go(arm_point(arm), rng.uniform(5.0, 40.0))
        for _ in range(rng.integers(0, 3)):
            dwell(rng.uniform(0.0, 4.0))
            go(arm_point(arm), rng.uniform(5.0, 40.0))
        dwell(rng.uniform(0.0, 8.0))
        go(centre(), rng.uniform(5.0, 40.0))
    assert frame < total - fps
    points.append((total + round(fps), *here))
    return [(f / fps, x, y) for f, x, y in points]


SEEDS = range(8)


@pytest.mark.parametrize("seed", SEEDS)
def test_acceptance_random_paths(seed: int) -> None:
    path = random_path(seed)
    truth = truth_of(path)
    assert len(truth.visits) > 10
    track = sample(path)
    row = endpoints(track)
    check_against_truth(row, truth, frames_per_transition=2.0, latency_frames=1.5, distance_rel=0.01)
    # this sampling is exact at the corners, so the stricter bounds hold too
    check_against_truth(
        row, truth, frames_per_transition=1.0, latency_frames=1.0, distance_rel=1e-9, max_step=40.0 * FRAME
    )


@pytest.mark.parametrize("seed", [100, 101])
def test_acceptance_random_paths_at_25_fps(seed: int) -> None:
    fps = 25.0
    path = random_path(seed, fps=fps)
    truth = truth_of(path)
    row = endpoints(sample(path, fps=fps))
    check_against_truth(
        row, truth, frames_per_transition=2.0, latency_frames=1.5, distance_rel=0.01, frame=1.0 / fps
    )


def test_acceptance_several_animals_in_one_table() -> None:
    tracks, truths = [], {}
    for seed in SEEDS:
        path = random_path(seed)
        truths[f"m{seed}"] = truth_of(path)
        tracks.append(sample(path).assign(animal=f"m{seed}"))
    table = compute_epm_endpoints(pd.concat(tracks, ignore_index=True))
    assert list(table["animal"]) == [f"m{s}" for s in SEEDS]
    for _, row in table.iterrows():
        check_against_truth(
            row, truths[row["animal"]], frames_per_transition=2.0, latency_frames=1.5, distance_rel=0.01
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_acceptance_gaussian_jitter_entries_within_one(seed: int) -> None:
    path = random_path(seed)
    truth = truth_of(path)
    track = sample(path)
    rng = np.random.default_rng(1000 + seed)
    noisy = track.assign(
        x=track["x"] + rng.normal(0.0, 0.3, len(track)), y=track["y"] + rng.normal(0.0, 0.3, len(track))
    )
    row = endpoints(noisy)
    for kind in KINDS:
        assert abs(row[f"{kind}_entries"] - truth.entries(kind)) <= 1, kind
    assert abs(row["total_entries"] - (truth.entries("open") + truth.entries("closed"))) <= 1


# --------------------------------------------------------------------------------------------------------
# 4. Never on an open arm, and starting on one
# --------------------------------------------------------------------------------------------------------


def test_never_enters_an_open_arm() -> None:
    path = [
        (0.0, 0.0, 0.0),
        (20.0, 0.0, 0.0),
        (24.0, 0.0, 20.0),
        (150.0, 0.0, 20.0),
        (154.0, 0.0, 0.0),
        (158.0, 0.0, -20.0),
        (301.0, 0.0, -20.0),
    ]
    truth = truth_of(path)
    row = endpoints(sample(path))
    assert not row["open_entered"]
    assert row["latency_open_s"] == row["session_s"]
    assert row["latency_open_s"] == pytest.approx(SESSION)
    assert row["open_entries"] == 0
    assert row["open_time_s"] == 0.0
    assert row["open_time_pct"] == 0.0
    assert row["open_entries_pct"] == 0.0
    assert row["closed_entries"] == 2
    check_against_truth(row, truth, frames_per_transition=1.0, latency_frames=1.0, distance_rel=1e-9)


def test_starting_on_an_open_arm() -> None:
    path = [
        (0.0, 15.0, 0.0),  # on the east open arm at the first frame
        (20.0, 15.0, 0.0),
        (23.0, 0.0, 0.0),  # centre: x = 2.5 at 20 + 12.5/5 = 22.5
        (25.0, 0.0, 0.0),
        (28.0, 0.0, 15.0),  # north: y = 2.5 at 25.5
        (100.0, 0.0, 15.0),
        (103.0, 0.0, 0.0),  # centre at 102.5
        (106.0, -15.0, 0.0),  # west at 103.5: the one open entry
        (301.0, -15.0, 0.0),
    ]
    truth = truth_of(path)
    row = endpoints(sample(path))
    assert row["open_entered"]
    assert row["latency_open_s"] == 0.0
    assert row["open_entries"] == 1  # the visit the session starts in is not an entry
    assert row["closed_entries"] == 1
    assert row["center_entries"] == 2
    assert row["open_time_s"] == pytest.approx(22.5 + (300.0 - 103.5), abs=3 * FRAME + EPS)
    check_against_truth(row, truth, frames_per_transition=1.0, latency_frames=1.0, distance_rel=1e-9)


# --------------------------------------------------------------------------------------------------------
# 5. The session window
# --------------------------------------------------------------------------------------------------------


def frames_by_index(pieces: list[tuple[int, float, float]], t0: float = 0.0) -> pd.DataFrame:
    """Consecutive stretches of ``(frames, x, y)`` at 30 fps from ``t0``: a track the truth is obvious for."""
    x = np.concatenate([np.full(n, px) for n, px, _ in pieces])
    y = np.concatenate([np.full(n, py) for n, _, py in pieces])
    return pd.DataFrame({"time_s": t0 + np.arange(len(x)) / FPS, "x": x, "y": y})


def test_window_start_and_duration() -> None:
    # frames at 0.01 + k/30; the window [10, 70) begins inside frame 299 (9.97667 .. 10.01) and ends inside
    # frame 2099 (69.97667 .. 70.01)
    track = frames_by_index(
        [(150, -15.0, 0.0), (150, 15.0, 0.0), (900, 0.0, 15.0), (1500, 0.0, 0.0)], t0=0.01
    )
    t = track["time_s"].to_numpy()
    row = endpoints(track, start_s=10.0, duration_s=60.0)
    straddle_in = t[300] - 10.0  # the part of frame 299 inside the window
    assert straddle_in == pytest.approx(0.01)
    assert row["session_s"] == pytest.approx(60.0, abs=1e-9)
    # frames stamped in [10, 70): 300 .. 2099; frame 299 (stamped 9.977) adds 0.01 s but is not one of them
    assert row["frames"] == 2099 - 300 + 1
    # before the start: a west visit then the east arm; only the straddling frame's 0.01 s counts, and the
    # move west -> east (before the window) is no entry
    assert row["open_time_s"] == pytest.approx(straddle_in, abs=1e-9)
    assert row["open_entries"] == 0
    assert row["open_entered"]
    assert row["latency_open_s"] == 0.0
    assert row["closed_time_s"] == pytest.approx(t[1200] - t[300], abs=1e-9)
    assert row["closed_time_s"] == pytest.approx(30.0, abs=1e-9)
    assert row["center_time_s"] == pytest.approx(70.0 - t[1200], abs=1e-9)
    assert (row["closed_entries"], row["center_entries"]) == (1, 1)
    assert row["open_time_s"] + row["closed_time_s"] + row["center_time_s"] == pytest.approx(60.0)
    assert row["flags"] == ""
    # the distance counts only steps inside the window: east -> north (hypot(15, 15)), north -> centre (15)
    assert row["distance_cm"] == pytest.approx(math.hypot(15.0, 15.0) + 15.0)


def test_default_window_is_300_s_from_the_first_frame() -> None:
    track = frames_by_index([(3000, 0.0, 0.0), (6000, 15.0, 0.0), (3000, 0.0, 15.0)], t0=5.0)  # 5 .. 405 s
    row = endpoints(track)
    assert row["session_s"] == pytest.approx(300.0, abs=1e-9)
    assert row["frames"] == 9000  # frames at 5 + k/30 < 305
    assert row["center_time_s"] == pytest.approx(100.0, abs=1e-9)
    assert row["open_time_s"] == pytest.approx(200.0, abs=1e-9)
    assert row["closed_time_s"] == 0.0
    assert row["latency_open_s"] == pytest.approx(100.0, abs=1e-9)
    assert row["flags"] == ""


def test_track_shorter_than_the_window() -> None:
    track = frames_by_index([(1500, 0.0, 0.0), (1500, 15.0, 0.0)])  # 100 s at 30 fps
    row = endpoints(track)
    assert row["session_s"] == pytest.approx(100.0, abs=1e-9)  # the last frame stands for 1/30 s
    assert row["frames"] == 3000
    assert row["open_time_s"] == pytest.approx(50.0, abs=1e-9)
    assert row["open_time_total_pct"] == pytest.approx(50.0)
    assert "short_session" in row["flags"].split(";")
    full = endpoints(frames_by_index([(9000, 0.0, 0.0)]))
    assert "short_session" not in full["flags"].split(";")


def test_irregular_frame_times_durations_sum_to_the_window() -> None:
    rng = np.random.default_rng(7)
    t = np.cumsum(rng.uniform(0.02, 0.05, 12000))
    x = np.where(t < t[0] + 40.0, 0.0, 15.0)
    track = pd.DataFrame({"time_s": t, "x": x, "y": 0.0})
    row = endpoints(track, start_s=float(t[0]) + 12.345, duration_s=100.0)
    assert row["session_s"] == pytest.approx(100.0, abs=1e-9)
    # the east arm from the first frame at or after t0 + 40 to the end of the window
    first_east = t[np.argmax(x > 0)]
    assert row["open_time_s"] == pytest.approx(t[0] + 112.345 - first_east, abs=1e-9)
    assert row["latency_open_s"] == pytest.approx(first_east - (t[0] + 12.345), abs=1e-9)


@pytest.mark.parametrize("duration", [60.0, None])
def test_window_after_the_track_gives_that_animal_an_error_row(duration: float | None) -> None:
    # "a" runs 0-100 s, "b" 1000-1100 s; a window from 500 s holds no frame of "a": an error row for "a"
    # (analyze_table: "an animal whose data is unusable gets an error, not an exception"), "b" computed
    a = frames_by_index([(3000, 0.0, 0.0)]).assign(animal="a")
    b = frames_by_index([(1500, 0.0, 0.0), (1500, 15.0, 0.0)], t0=1000.0).assign(animal="b")
    table = compute_epm_endpoints(pd.concat([a, b], ignore_index=True), start_s=500.0, duration_s=duration)
    rows = table.set_index("animal")
    assert rows.loc["a", "flags"].startswith("error:")
    assert "no frame in the session window" in rows.loc["a", "flags"]
    if duration is None:  # to the end of the track: b is inside
        assert rows.loc["b", "session_s"] == pytest.approx(100.0, abs=1e-9)
        assert rows.loc["b", "open_time_s"] == pytest.approx(50.0, abs=1e-9)
        assert rows.loc["b", "latency_open_s"] == pytest.approx(550.0, abs=1e-9)
    else:
        assert rows.loc["b", "flags"].startswith("error:")


# --------------------------------------------------------------------------------------------------------
# 6. Lost time
# --------------------------------------------------------------------------------------------------------


def test_gaps_short_interpolated_long_missing() -> None:
    track = frames_by_index([(9000, 15.0, 0.0)])
    x = track["x"].to_numpy().copy()
    gaps = {300: 5, 600: 10, 900: 60, 1200: 11}  # max_gap is 10 frames
    for at, n in gaps.items():
        x[at : at + n] = np.nan
    row = endpoints(track.assign(x=x))
    assert row["frames_interpolated"] == 5 + 10
    assert row["frames_missing"] == 60 + 11
    assert row["missing_time_s"] == pytest.approx(71 / FPS)
    assert row["lost_time_s"] == pytest.approx(71 / FPS)
    assert row["off_arena_time_s"] == 0.0
    assert row["open_time_s"] == pytest.approx(SESSION - 71 / FPS)
    assert row["open_entries"] == 0
    assert row["flags"] == "no_arm_entry"  # it never leaves the east arm
    nothing = endpoints(track.assign(x=x), max_gap=0)
    assert nothing["frames_interpolated"] == 0
    assert nothing["frames_missing"] == 5 + 10 + 60 + 11


def test_interpolated_frames_are_positions() -> None:
    # a 10-frame gap while walking out along the east arm is filled on the straight line: no distance lost
    path = [(0.0, 0.0, 0.0), (10.0, 0.0, 0.0), (14.0, 20.0, 0.0), (301.0, 20.0, 0.0)]
    track = sample(path)
    x = track["x"].to_numpy().copy()
    x[315:325] = np.nan  # 10.5 .. 10.8 s
    row = endpoints(track.assign(x=x))
    assert row["frames_interpolated"] == 10
    assert row["distance_cm"] == pytest.approx(20.0)
    assert row["latency_open_s"] == pytest.approx(10.5, abs=FRAME + EPS)
    assert row["lost_time_s"] == 0.0


def test_gap_too_long_still_bridged_for_distance() -> None:
    path = [(0.0, 0.0, 0.0), (10.0, 0.0, 0.0), (14.0, 20.0, 0.0), (301.0, 20.0, 0.0)]
    track = sample(path)
    x = track["x"].to_numpy().copy()
    x[300:400] = np.nan  # 10 .. 13.33 s: not filled
    row = endpoints(track.assign(x=x))
    assert row["frames_interpolated"] == 0
    assert row["missing_time_s"] == pytest.approx(100 / FPS)
    # one straight step across the gap: the total is still 20 cm
    assert row["distance_cm"] == pytest.approx(20.0)
    # seen again on the east arm at 13.33 s: the entry is dated from the reappearance
    assert row["latency_open_s"] == pytest.approx(400 / FPS, abs=EPS)
    assert row["open_entries"] == 1


def test_off_arena_beyond_hysteresis_is_lost() -> None:
    # on the east arm; 10 s at y = 3.4 (0.9 cm off the arm: within the hysteresis, still the arm) and 20 s at
    # y = 3.6 (1.1 cm off: lost) - 20 s is 6.7% of the session
    track = frames_by_index([(3000, 15.0, 0.0), (300, 15.0, 3.4), (600, 15.0, 3.6), (5100, 15.0, 0.0)])
    row = endpoints(track)
    assert row["off_arena_time_s"] == pytest.approx(20.0, abs=1e-9)
    assert row["lost_time_s"] == pytest.approx(20.0, abs=1e-9)
    assert row["missing_time_s"] == 0.0
    assert row["open_time_s"] == pytest.approx(280.0, abs=1e-9)
    assert row["open_entries"] == 0
    assert row["flags"].split(";") == ["no_arm_entry", "off_arena"]
    # 12 s off (4%): no flag
    small = endpoints(frames_by_index([(3000, 15.0, 0.0), (360, 15.0, 3.6), (5640, 15.0, 0.0)]))
    assert small["off_arena_time_s"] == pytest.approx(12.0, abs=1e-9)
    assert "off_arena" not in small["flags"].split(";")


def test_far_off_the_maze_then_back_in_the_same_arm_is_no_entry() -> None:
    track = frames_by_index([(300, 0.0, 0.0), (2700, 15.0, 0.0), (150, 10.0, 10.0), (5850, 15.0, 0.0)])
    row = endpoints(track)
    assert row["open_entries"] == 1
    assert row["off_arena_time_s"] == pytest.approx(5.0, abs=1e-9)
    assert row["open_time_s"] == pytest.approx(285.0, abs=1e-9)
    assert row["center_time_s"] == pytest.approx(10.0, abs=1e-9)


def test_unusable_when_more_than_max_lost() -> None:
    track = frames_by_index([(300, 0.0, 0.0), (8700, 15.0, 0.0)])
    x = track["x"].to_numpy().copy()
    x[3000:7800] = np.nan  # 160 s of 300
    row = endpoints(track.assign(x=x))
    assert row["flags"].split(";")[0] == "unusable"
    for column in (
        "open_time_s",
        "closed_time_s",
        "center_time_s",
        "open_time_pct",
        "open_time_total_pct",
        "open_entries",
        "total_entries",
        "latency_open_s",
        "distance_cm",
        "mean_speed_cm_s",
    ):
        assert pd.isna(row[column]), column
    assert row["lost_time_s"] == pytest.approx(160.0, abs=1e-9)
    assert row["missing_time_s"] == pytest.approx(160.0, abs=1e-9)
    assert row["session_s"] == pytest.approx(SESSION)
    assert row["frames"] == 9000
    assert row["frames_missing"] == 4800
    # 140 s lost is below max_lost: computed
    x2 = track["x"].to_numpy().copy()
    x2[3000:7200] = np.nan
    usable = endpoints(track.assign(x=x2))
    assert "unusable" not in usable["flags"].split(";")
    assert usable["open_time_s"] == pytest.approx(150.0, abs=1e-9)
    # a stricter max_lost makes it unusable
    strict = endpoints(track.assign(x=x2), max_lost=0.4)
    assert "unusable" in strict["flags"].split(";")
    assert pd.isna(strict["open_time_s"])


def test_seen_again_after_a_gap() -> None:
    same = frames_by_index([(300, 0.0, 0.0), (2700, 15.0, 0.0), (300, np.nan, np.nan), (5700, 15.0, 0.0)])
    row = endpoints(same)
    assert row["open_entries"] == 1
    assert row["open_time_s"] == pytest.approx(280.0, abs=1e-9)
    assert row["missing_time_s"] == pytest.approx(10.0, abs=1e-9)
    other = frames_by_index([(300, 0.0, 0.0), (2700, 15.0, 0.0), (300, np.nan, np.nan), (5700, 0.0, 15.0)])
    row = endpoints(other)
    assert (row["open_entries"], row["closed_entries"]) == (1, 1)
    assert row["closed_time_s"] == pytest.approx(190.0, abs=1e-9)
    assert row["open_time_s"] == pytest.approx(90.0, abs=1e-9)


# --------------------------------------------------------------------------------------------------------
# 7. Minimum time
# --------------------------------------------------------------------------------------------------------


def test_min_time_short_excursion_is_not_an_entry() -> None:
    pieces = [
        (300, 15.0, 0.0),  # east 0-10 s
        (6, 0.0, 0.0),  # centre 0.2 s
        (294, 15.0, 0.0),  # east to 20 s
        (150, 0.0, 0.0),  # centre 20-25 s
        (6, 0.0, 15.0),  # north 0.2 s
        (144, 0.0, 0.0),  # centre to 30 s
    ]
    track = frames_by_index(pieces)
    strict = endpoints(track, duration_s=30.0, criterion=EntryCriterion(hysteresis_cm=1.0, min_time_s=0.5))
    assert strict["open_time_s"] == pytest.approx(20.0, abs=1e-9)
    assert strict["center_time_s"] == pytest.approx(10.0, abs=1e-9)
    assert strict["closed_time_s"] == 0.0
    assert (strict["open_entries"], strict["closed_entries"], strict["center_entries"]) == (0, 0, 1)
    loose = endpoints(track, duration_s=30.0, criterion=EntryCriterion(hysteresis_cm=1.0, min_time_s=0.0))
    assert loose["open_time_s"] == pytest.approx(19.8, abs=1e-9)
    assert loose["center_time_s"] == pytest.approx(10.0, abs=1e-9)
    assert loose["closed_time_s"] == pytest.approx(0.2, abs=1e-9)
    assert (loose["open_entries"], loose["closed_entries"], loose["center_entries"]) == (1, 1, 3)


def test_min_time_short_visit_credited_to_the_zone_before() -> None:
    track = frames_by_index([(300, 15.0, 0.0), (6, 0.0, 0.0), (594, 0.0, 15.0)])  # east, 0.2 s centre, north
    strict = endpoints(track, duration_s=30.0, criterion=EntryCriterion(min_time_s=0.5))
    assert strict["open_time_s"] == pytest.approx(10.2, abs=1e-9)
    assert strict["center_time_s"] == 0.0
    assert strict["closed_time_s"] == pytest.approx(19.8, abs=1e-9)
    assert (strict["center_entries"], strict["closed_entries"]) == (0, 1)
    loose = endpoints(track, duration_s=30.0)
    assert loose["center_time_s"] == pytest.approx(0.2, abs=1e-9)
    assert (loose["center_entries"], loose["closed_entries"]) == (1, 1)


# --------------------------------------------------------------------------------------------------------
# 11. Time not increasing for one animal
# --------------------------------------------------------------------------------------------------------


def test_time_not_increasing_gives_that_animal_an_error_row() -> None:
    good = frames_by_index([(3000, 0.0, 0.0), (6000, 15.0, 0.0)])
    bad = good.copy()
    t = bad["time_s"].to_numpy().copy()
    t[500] = t[499]  # a repeated time stamp
    bad["time_s"] = t
    tracks = pd.concat(
        [good.assign(animal="a1"), bad.assign(animal="a2"), good.assign(animal="a3")], ignore_index=True
    )
    table = compute_epm_endpoints(tracks)
    assert list(table["animal"]) == ["a1", "a2", "a3"]
    rows = table.set_index("animal")
    assert rows.loc["a2", "flags"].startswith("error:")
    assert "time does not increase" in rows.loc["a2", "flags"]
    assert pd.isna(rows.loc["a2", "open_time_s"])
    for animal in ("a1", "a3"):
        assert rows.loc[animal, "open_time_s"] == pytest.approx(200.0, abs=1e-9)
        assert rows.loc[animal, "latency_open_s"] == pytest.approx(100.0, abs=1e-9)
        assert not rows.loc[animal, "flags"].startswith("error")
    backwards = bad.copy()
    t2 = good["time_s"].to_numpy().copy()
    t2[700] = t2[600]
    backwards["time_s"] = t2
    table = compute_epm_endpoints(
        pd.concat([backwards.assign(animal="b"), good.assign(animal="c")], ignore_index=True)
    )
    rows = table.set_index("animal")
    assert rows.loc["b", "flags"].startswith("error:")
    assert rows.loc["c", "open_time_s"] == pytest.approx(200.0, abs=1e-9)
