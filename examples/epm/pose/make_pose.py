"""Generate examples/epm/pose/: a SLEAP analysis file of two mice on the plus maze and the maze's zones.

Two mice on the mouse maze (centre 5 x 5 cm, arms 30 x 5 cm), 2 min at 15 fps each, filmed from above at
4 px/cm with the maze centre at pixel (480, 360) and the maze turned by 3 degrees in the image:

* ``vehicle-1`` keeps mostly to the closed arms and makes stretched-attend postures there: it stops a few
  cm into a closed arm, facing the centre, and stretches its body from 6 to about 9 cm (nose to tail base)
  while the tail base stays put, then pulls back;
* ``diazepam-1`` visits the open arms more and makes head dips: on an open arm it turns its head over the
  side, the nose 1-3 cm beyond the edge while the body stays on the arm, and once from the centre square
  (over the edge of an open arm, next to a closed arm's wall).

Each mouse is six SLEAP nodes, ``nose, left_ear, right_ear, centre, tail_base, tail_tip``, placed as a
mouse's body facing its direction of travel (nose 3 cm ahead of the centre, tail base 3 cm behind, ears
beside the neck); it curls when it turns, stretches a little when it runs, and its tail tip trails along
the path the tail base has taken. The tracker's side: 0.4-0.7 px of jitter per point (1.5 px for the tail
tip), point scores mostly 0.9-1.0, runs of low scores where a point is misplaced by a few pixels, points
missing now and then (the tail tip often), and a few runs of frames where the mouse is not found at all.

The maze's five zones are drawn in pixels as a person clicks them over a video frame (each vertex a pixel
or two off the true corner) and saved as movement's ``save_rois`` writes them: a GeoJSON FeatureCollection
of closed Polygon rings with the properties ``name`` and ``roi_type``. Since the maze is turned and off
the image's origin, only the zone file makes the analysis work; the ``epm-mouse`` preset's own geometry
does not fit these pixels.

The analysis file has SLEAP's on-disk layout (``sleap-convert --format analysis``: every array is stored
transposed, so PyTables and h5py read ``tracks`` as (n_tracks, 2, n_nodes, n_frames)), written with
PyTables and zlib compression. Coordinates are kept to 1/64 px and scores to float32 precision (SLEAP's
network works in float32), which lets the file compress to under 200 KB. SLEAP writes one file per video;
here the two sessions are the two tracks of one file, as a multi-animal export would hold them, so that one
file and one zone file show everything.

Run: python examples/epm/pose/make_pose.py
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import NamedTuple

import numpy as np

FPS = 15.0
SESSION_S = 120.0
PX_PER_CM = 4.0
CENTRE_PX = (480.0, 360.0)
ROTATION_DEG = 3.0
CENTRE_HALF_CM = 2.5  # the centre square is 5 x 5 cm
ARM_END_CM = 32.5  # 2.5 cm of centre plus a 30 cm arm
NODES = ("nose", "left_ear", "right_ear", "centre", "tail_base", "tail_tip")
EDGES = (("nose", "left_ear"), ("nose", "right_ear"), ("nose", "centre"), ("centre", "tail_base"))
EDGES += (("tail_base", "tail_tip"),)
ARMS = {"open_right": (1, 0), "open_left": (-1, 0), "closed_top": (0, 1), "closed_bottom": (0, -1)}
JITTER_PX = np.array([0.7, 0.6, 0.6, 0.5, 0.4, 1.5])  # tracker jitter per node


class Mouse(NamedTuple):
    """How one simulated mouse behaves."""

    p_open: float  # chance that an arm visit is to an open arm
    p_head_dip: float = 0.0  # chance that an open-arm linger holds a head dip
    centre_dips: tuple[int, ...] = ()  # centre pauses (0-based) with a head dip over an open arm's edge
    p_stretch: float = 0.0  # chance that a closed-arm visit holds a stretched-attend posture


MICE = {
    "vehicle-1": Mouse(p_open=0.2, p_stretch=0.6),
    "diazepam-1": Mouse(p_open=0.55, p_head_dip=0.35, centre_dips=(3,)),
}


class Script:
    """One session: waypoints of the body centre (cm, maze axes) and the postures made on the way."""

    def __init__(self) -> None:
        self.t, self.x, self.y = [0.0], [0.0], [0.0]  # placed in the centre at time 0
        self.dips: list[tuple[float, float, float, float]] = []  # start, end, nose x and y
        self.stretches: list[tuple[float, float, float]] = []  # start, end, stretch factor

    def go(self, x: float, y: float, speed: float) -> None:
        """Walk in a straight line to (x, y) at ``speed`` cm/s."""
        distance = float(np.hypot(x - self.x[-1], y - self.y[-1]))
        self.t.append(self.t[-1] + max(distance / speed, 1 / FPS))
        self.x.append(x)
        self.y.append(y)

    def stay(self, seconds: float) -> None:
        """Stay where it is."""
        self.go(self.x[-1], self.y[-1], 1.0)
        self.t[-1] += seconds


def _place(arm: tuple[int, int], depth: float, lateral: float) -> tuple[float, float]:
    """The point ``depth`` cm along an arm from the maze centre, ``lateral`` cm to the left of its axis."""
    ux, uy = arm
    return ux * depth - uy * lateral, uy * depth + ux * lateral


def _walk(s: Script, arm: tuple[int, int], depth: float, lateral: float, speed: float) -> float:
    """Move along the arm to ``depth`` (at least 3 cm away), ending on a straight run; return the depth."""
    here = arm[0] * s.x[-1] + arm[1] * s.y[-1]
    if abs(depth - here) < 3.0:
        depth = here + 3.0 if here < 20.0 else here - 3.0
    s.go(*_place(arm, depth - 0.8 * np.sign(depth - here), lateral), speed)
    s.go(*_place(arm, depth, lateral), speed)
    return depth


def _session(rng: np.random.Generator, mouse: Mouse, session_s: float) -> Script:
    """Centre pauses and arm visits for a little longer than the session, with the postures placed."""
    s = Script()
    s.stay(rng.uniform(1.0, 2.0))  # placed in the centre, facing an open arm
    pauses = 0
    while s.t[-1] < session_s + 5:
        if pauses in mouse.centre_dips:  # along the centre's edge, towards an open arm: dip over its side
            sx, sy = rng.choice([-1.0, 1.0], 2)
            s.go(-0.5 * sx, 1.3 * sy, 6.0)
            s.go(1.5 * sx, 1.3 * sy, 3.0)
            start = s.t[-1] + rng.uniform(0.3, 0.6)
            s.stay(rng.uniform(2.0, 3.0))
            nose = rng.uniform(3.8, 4.0) * sx, rng.uniform(3.3, 3.5) * sy
            s.dips.append((start, start + rng.uniform(0.8, 1.3), *nose))
        else:
            s.go(rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0), rng.uniform(4.0, 8.0))
            s.stay(rng.uniform(0.3, 2.0))
        pauses += 1
        open_visit = rng.random() < mouse.p_open
        name = rng.choice([n for n in ARMS if n.startswith("open" if open_visit else "closed")])
        arm = ARMS[str(name)]
        place = partial(_place, arm)
        walk = partial(_walk, s, arm)
        if open_visit:
            depth = walk(rng.uniform(5.0, 22.0), rng.uniform(-0.5, 0.5), rng.uniform(10.0, 18.0))
            for _ in range(rng.integers(1, 4)):
                target = float(np.clip(depth + rng.normal(0, 3), 5.0, 24.0))
                if rng.random() < mouse.p_head_dip:  # to the side, and the head over the edge
                    side = rng.choice([-1.0, 1.0])
                    depth = walk(target, side * rng.uniform(0.4, 0.8), 3.0)
                    start = s.t[-1] + rng.uniform(0.3, 0.8)
                    ahead = rng.choice([-1.0, 1.0]) * rng.uniform(0.3, 1.0)
                    nose = place(depth + ahead, side * (CENTRE_HALF_CM + rng.uniform(1.2, 2.4)))
                    s.stay(rng.uniform(2.0, 3.5))
                    s.dips.append((start, start + rng.uniform(0.5, 1.4), *nose))
                else:
                    depth = walk(target, rng.uniform(-0.5, 0.5), 3.0)
                    s.stay(rng.uniform(0.5, 3.0))
        else:
            depth = walk(rng.uniform(8.0, 27.0), rng.uniform(-0.8, 0.8), rng.uniform(10.0, 18.0))
            if rng.random() < mouse.p_stretch:  # come back towards the centre, stop, and stretch towards it
                target, lateral = rng.uniform(7.0, 10.0), rng.uniform(-0.5, 0.5)
                if depth < target + 3.0:
                    depth = walk(target + 4.0, lateral, 4.0)
                depth = walk(target, lateral, 4.0)
                start = s.t[-1] + rng.uniform(0.8, 1.5)
                s.stay(rng.uniform(3.0, 4.0))
                s.stretches.append((start, start + rng.uniform(1.4, 2.2), rng.uniform(1.45, 1.55)))
            for _ in range(rng.integers(1, 4)):
                target = float(np.clip(depth + rng.normal(0, 4), 5.0, 28.5))
                depth = walk(target, rng.uniform(-0.8, 0.8), 3.0)
                s.stay(rng.uniform(0.5, 6.0))
        s.go(0.0, 0.0, rng.uniform(10.0, 18.0))
    return s


def _ramp(time_s: np.ndarray, start: float, end: float, rise: float) -> np.ndarray:
    """0 outside [start, end], 1 inside, with linear rises of ``rise`` s at both ends."""
    up = np.clip((time_s - start) / rise, 0.0, 1.0)
    down = np.clip((end - time_s) / rise, 0.0, 1.0)
    return np.minimum(up, down)


def _heading(time_s: np.ndarray, script: Script, rng: np.random.Generator) -> np.ndarray:
    """Direction of travel (rad, unwrapped), held while the mouse stands, turning over a third of a second."""
    t, x, y = (np.asarray(v) for v in (script.t, script.x, script.y))
    angles = [0.0]  # placed facing an open arm
    for dx, dy in zip(np.diff(x), np.diff(y), strict=True):
        if np.hypot(dx, dy) < 0.3:
            angles.append(angles[-1])
            continue
        turn = (np.arctan2(dy, dx) - angles[-1] + np.pi) % (2 * np.pi) - np.pi
        if abs(abs(turn) - np.pi) < 1e-6:  # turning round: either way
            turn = np.pi * rng.choice([-1.0, 1.0])
        angles.append(angles[-1] + turn)
    segment = np.clip(np.searchsorted(t, time_s, side="right") - 1, 0, len(angles) - 2)
    step = np.asarray(angles)[segment + 1]  # angles[j + 1]: the walk from waypoint j to j + 1
    padded = np.concatenate([np.full(2, step[0]), step, np.full(2, step[-1])])
    return np.convolve(padded, np.ones(5) / 5, mode="valid")


def _trail(time_s: np.ndarray, x: np.ndarray, y: np.ndarray, back: float, heading0: float) -> np.ndarray:
    """Where the point (x, y) was ``back`` cm of path ago (straight behind it before the start)."""
    walked = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])
    walked += 1e-9 * np.arange(len(walked))  # strictly increasing, for np.interp
    target = walked - back
    tx, ty = np.interp(target, walked, x), np.interp(target, walked, y)
    before = target < 0
    tx[before] = x[0] + target[before] * np.cos(heading0)
    ty[before] = y[0] + target[before] * np.sin(heading0)
    return np.stack([tx, ty])


def _body(time_s: np.ndarray, script: Script, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The six nodes (cm, maze axes), ``(frames, 6)`` x and y, without tracker noise."""
    cx = np.interp(time_s, script.t, script.x)
    cy = np.interp(time_s, script.t, script.y)
    theta = _heading(time_s, script, rng)
    turning = np.abs(np.gradient(theta, time_s))  # rad/s
    curl = 1.0 - 0.4 * np.clip(turning / (2 * np.pi), 0.0, 1.0)  # curls up to turn in the arm
    speed = np.hypot(np.gradient(cx, time_s), np.gradient(cy, time_s))
    stretch = 0.97 + 0.06 * np.clip(speed / 12.0, 0.0, 1.0)  # a little longer when running
    for start, end, factor in script.stretches:
        stretch *= 1.0 + (factor - 1.0) * _ramp(time_s, start, end, 0.35)
    u = np.stack([np.cos(theta), np.sin(theta)])
    # the tail base is the anchor: a stretch moves the front of the body forward
    tail_base = np.stack([cx, cy]) - 3.0 * curl * u
    centre = tail_base + 3.0 * curl * stretch * u
    sniff = np.convolve(rng.normal(0.0, 0.12, len(time_s) + 10), np.ones(11) / np.sqrt(11), mode="valid")
    head = np.stack([np.cos(theta + sniff), np.sin(theta + sniff)])
    nose = centre + 3.0 * curl * stretch * head
    for start, end, nx, ny in script.dips:  # the head turns over the edge, the neck half-way with it
        w = _ramp(time_s, start, end, 0.2)[None, :]
        target = np.array([[nx], [ny]]) + rng.normal(0.0, 0.06, (2, len(time_s)))
        towards = (target - centre) / np.hypot(*(target - centre))
        bent = head + 0.5 * towards
        head = (1 - w) * head + w * bent / np.hypot(*bent)
        nose = (1 - w) * nose + w * target
    neck = centre + 1.2 * curl * stretch * head
    direction = (nose - neck) / np.hypot(*(nose - neck))
    left = np.stack([-direction[1], direction[0]])  # the mouse's left, seen from above
    left_ear = neck + 0.5 * direction + 0.75 * left
    right_ear = neck + 0.5 * direction - 0.75 * left
    tail_tip = _trail(time_s, *tail_base, 7.5, theta[0])
    nodes = np.stack([nose, left_ear, right_ear, centre, tail_base, tail_tip], axis=-1)  # (2, frames, 6)
    return nodes[0], nodes[1]


def to_pixels(x_cm: np.ndarray, y_cm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maze axes (cm; open arms along x, closed along y, y up) to image pixels (y down), turned 3 degrees."""
    a = np.deg2rad(ROTATION_DEG)
    u, v = PX_PER_CM * np.asarray(x_cm), -PX_PER_CM * np.asarray(y_cm)
    return CENTRE_PX[0] + u * np.cos(a) - v * np.sin(a), CENTRE_PX[1] + u * np.sin(a) + v * np.cos(a)


def _runs(rng: np.random.Generator, n: int, count: int, low: int, high: int) -> list[slice]:
    """``count`` runs of ``low`` to ``high`` frames at random places."""
    starts = rng.integers(0, n - high, count)
    return [slice(int(a), int(a) + int(rng.integers(low, high + 1))) for a in starts]


def _tracker(
    rng: np.random.Generator, x_px: np.ndarray, y_px: np.ndarray, busy: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What SLEAP reports: jittered points, scores, missing points and frames, and the track's occupancy.

    ``busy`` marks the frames of the postures, which keep the nose and tail base well tracked.
    """
    n = len(x_px)
    x = x_px + rng.normal(0.0, 1.0, x_px.shape) * JITTER_PX
    y = y_px + rng.normal(0.0, 1.0, y_px.shape) * JITTER_PX
    scale = np.array([0.015, 0.012, 0.012, 0.01, 0.015, 0.07])  # the tail tip is the hardest point
    scores = np.clip(1.0 - rng.gamma(2.0, 1.0, x.shape) * scale, 0.25, 1.0)
    # runs of low scores: the point is put a few pixels off, or not found at all (SLEAP keeps the low peak
    # value as the score of a point it did not place)
    for node, (count, longest) in enumerate([(6, 12), (4, 10), (4, 10), (2, 8), (4, 12), (16, 45)]):
        for run in _runs(rng, n, count, 2, longest):
            if node in (0, 4) and busy[run].any():
                continue
            width = run.stop - run.start
            scores[run, node] = rng.uniform(0.3, 0.85, width)
            off = rng.uniform(2.0, 8.0) * np.exp(1j * rng.uniform(0, 2 * np.pi))
            x[run, node] += off.real + rng.normal(0, 1.0, width)
            y[run, node] += off.imag + rng.normal(0, 1.0, width)
            lost = rng.random(width) < (0.7 if node == 5 else 0.3)
            x[run, node][lost] = np.nan
            y[run, node][lost] = np.nan
            scores[run, node][lost] = rng.uniform(0.02, 0.19, int(lost.sum()))
    occupied = np.ones(n, dtype=np.uint8)
    for run in _runs(rng, n, 3, 2, 8) + _runs(rng, n, 1, 14, 18):  # the mouse is not found at all
        if busy[run].any():
            continue
        occupied[run] = 0
    x[occupied == 0] = np.nan
    y[occupied == 0] = np.nan
    scores[occupied == 0] = np.nan  # SLEAP leaves frames without an instance NaN
    return x, y, scores, occupied


def simulate_mouse(
    rng: np.random.Generator, mouse: Mouse, time_s: np.ndarray
) -> tuple[Script, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Simulate one mouse on frames ``time_s``: its script, and x, y (px), scores and occupancy as tracked.

    x, y and scores are ``(frames, 6)``, NaN where a point is missing; occupancy is 0 on frames where the
    mouse is not found at all.
    """
    script = _session(rng, mouse, float(time_s[-1]))
    x_cm, y_cm = _body(time_s, script, rng)
    busy = np.zeros(len(time_s), dtype=bool)
    for start, end, *_ in script.dips + script.stretches:
        busy |= (time_s > start - 0.5) & (time_s < end + 0.5)
    return (script, *_tracker(rng, *to_pixels(x_cm, y_cm), busy))


def simulate(seed: int = 2026) -> list[tuple[Script, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Simulate both mice of the example (:func:`simulate_mouse`), 2 min at 15 fps."""
    rng = np.random.default_rng(seed)
    time_s = np.arange(round(SESSION_S * FPS)) / FPS
    return [simulate_mouse(rng, mouse, time_s) for mouse in MICE.values()]


def make_pose(seed: int = 2026) -> dict[str, np.ndarray]:
    """Return the analysis file's datasets, as SLEAP stores them (each array already transposed).

    Returns
    -------
    dict
        ``tracks`` (n_tracks, 2, n_nodes, n_frames), ``point_scores`` (n_tracks, n_nodes, n_frames),
        ``instance_scores`` and ``tracking_scores`` (n_tracks, n_frames), ``track_occupancy``
        (n_frames, n_tracks), ``node_names``, ``track_names``, ``edge_names``, ``edge_inds``, and the
        scalar ``video_path``, ``video_ind``, ``labels_path``.
    """
    mice = simulate(seed)
    rng = np.random.default_rng(seed + 1)
    n = len(mice[0][1])
    locations = np.full((n, len(NODES), 2, len(MICE)), np.nan)  # SLEAP's own order, before its transpose
    point_scores = np.full((n, len(NODES), len(MICE)), np.nan)
    instance_scores = np.full((n, len(MICE)), np.nan)
    tracking_scores = np.full((n, len(MICE)), np.nan)
    occupancy = np.zeros((len(MICE), n), dtype=np.uint8)
    for track, (_, x, y, scores, occupied) in enumerate(mice):
        locations[:, :, 0, track] = np.round(x * 64) / 64
        locations[:, :, 1, track] = np.round(y * 64) / 64
        point_scores[:, :, track] = scores.astype(np.float32)
        found = occupied == 1
        instance_scores[found, track] = np.nanmean(scores[found], axis=1).astype(np.float32)
        tracking = np.clip(rng.normal(0.97, 0.02, int(found.sum())), 0.0, 1.0)
        tracking_scores[found, track] = tracking.astype(np.float32)
        occupancy[track] = occupied
    return {
        "track_occupancy": np.transpose(occupancy),
        "tracks": np.transpose(locations),
        "track_names": np.array([name.encode() for name in MICE], dtype="S"),
        "node_names": np.array([name.encode() for name in NODES], dtype="S"),
        "edge_names": np.array([[a.encode(), b.encode()] for a, b in EDGES], dtype="S"),
        "edge_inds": np.array([[NODES.index(a), NODES.index(b)] for a, b in EDGES], dtype=np.int64),
        "point_scores": np.transpose(point_scores),
        "instance_scores": np.transpose(instance_scores),
        "tracking_scores": np.transpose(tracking_scores),
        "video_path": np.array(b"epm_two_mice.mp4"),
        "video_ind": np.array(0, dtype=np.int64),
        "labels_path": np.array(b"epm_two_mice.predictions.slp"),
    }


def make_rois(seed: int = 7) -> dict:
    """Return the maze's five zones as movement's ``save_rois`` writes them (a GeoJSON FeatureCollection).

    The true outlines, in pixels, with every vertex clicked a little off (about 1 px at the centre's corners,
    where arms and centre meet, and 1-2 px at the arms' far ends), coordinates to 0.01 px as a viewer
    reports them; arms first, so that an arm wins the border it shares with the centre.
    """
    rng = np.random.default_rng(seed)
    c, end = CENTRE_HALF_CM, ARM_END_CM
    outlines = {  # maze axes, cm
        "open_left": [(-end, -c), (-c, -c), (-c, c), (-end, c)],
        "open_right": [(c, -c), (end, -c), (end, c), (c, c)],
        "closed_top": [(-c, c), (c, c), (c, end), (-c, end)],
        "closed_bottom": [(-c, -end), (c, -end), (c, -c), (-c, -c)],
        "central_square": [(-c, -c), (c, -c), (c, c), (-c, c)],
    }
    features = []
    for name, corners in outlines.items():
        ring = []
        for u, v in corners:
            px, py = to_pixels(u, v)
            spread = 1.0 if max(abs(u), abs(v)) <= c else 1.8
            clicked = px + rng.normal(0, spread), py + rng.normal(0, spread)
            ring.append([round(float(value), 2) for value in clicked])
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                "properties": {"name": name, "roi_type": "PolygonOfInterest"},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_pose(path: Path, datasets: dict[str, np.ndarray]) -> Path:
    """Write the datasets to an HDF5 file with PyTables, arrays zlib-compressed (level 9) as SLEAP's gzip.

    No modification times are stored, so that the same datasets make the same bytes.
    """
    import tables

    filters = tables.Filters(complevel=9, complib="zlib", shuffle=True)
    with tables.open_file(str(path), mode="w") as handle:
        for name, values in datasets.items():
            if values.ndim == 0:
                handle.create_array("/", name, values, track_times=False)
            else:
                handle.create_carray("/", name, obj=values, filters=filters, track_times=False)
    return path


def write_rois(path: Path, rois: dict) -> Path:
    """Write the FeatureCollection as ``save_rois`` does (``json.dump`` with an indent of 2)."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(rois, handle, indent=2)
    return path


def write_all(folder: Path) -> tuple[Path, Path]:
    """Write ``two_mice.analysis.h5`` and ``rois.geojson`` into ``folder``."""
    return (
        write_pose(folder / "two_mice.analysis.h5", make_pose()),
        write_rois(folder / "rois.geojson", make_rois()),
    )


if __name__ == "__main__":
    for written in write_all(Path(__file__).parent):
        print(f"wrote {written} ({written.stat().st_size / 1024:.0f} KB)")
