"""Pose files through `assaykit epm`/`ldb`, checked against the README with independently computed values.

Independent tester's suite. Every expected number is computed here from the arrays written to the file,
following the README's section "Pose-estimation files: cleaning, zones, entry rules, postures" and the
output-columns table, with pandas (time-indexed interpolation, rolling medians on reflect-padded tracks),
scipy (``savgol_filter``), numpy loops and matplotlib's ``Path.contains_points`` for point-in-polygon. Nothing
is computed by calling assaykit a second way. The fixtures are written in the tools' own layouts: SLEAP
analysis HDF5 (arrays transposed, names as bytes), DeepLabCut CSV/H5 with four header rows for multi-animal
projects, LightningPose CSVs (``heatmap_tracker``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from matplotlib.path import Path as MplPath
from scipy.signal import savgol_filter

from assaykit.cli import main

FPS = 10.0
PX = 4.0  # pixels per cm
NAN = float("nan")

# the epm-mouse preset (origin 0, 0): centre 5 x 5 cm, arms 30 x 5 cm, open along x; arms listed first
MAZE_ZONES = [
    ("open_east", "open", [(2.5, -2.5), (32.5, -2.5), (32.5, 2.5), (2.5, 2.5)]),
    ("open_west", "open", [(-32.5, -2.5), (-2.5, -2.5), (-2.5, 2.5), (-32.5, 2.5)]),
    ("closed_north", "closed", [(-2.5, 2.5), (2.5, 2.5), (2.5, 32.5), (-2.5, 32.5)]),
    ("closed_south", "closed", [(-2.5, -32.5), (2.5, -32.5), (2.5, -2.5), (-2.5, -2.5)]),
    ("center", "center", [(-2.5, -2.5), (2.5, -2.5), (2.5, 2.5), (-2.5, 2.5)]),
]
EPM_KINDS = ("open", "closed", "center")


# ---------------------------------------------------------------------------------------------------------
# running the command line


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def run_table(
    tmp_path: Path, assay: str, files: list[Path], *args: object, name: str = "out.csv", fps: float = FPS
) -> pd.DataFrame:
    out = tmp_path / name
    result = invoke(assay, *files, "--fps", fps, "--px-per-cm", PX, "-o", out, "-q", *args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    table["flags"] = table["flags"].astype(object).fillna("").astype(str)
    return table.set_index("animal", drop=False)


# ---------------------------------------------------------------------------------------------------------
# writing files in the tools' layouts


def write_sleap(
    path: Path,
    x_px: np.ndarray,
    y_px: np.ndarray,
    scores: np.ndarray,
    nodes: tuple[str, ...],
    track_names: list[str] | None = None,
) -> Path:
    """Write a SLEAP analysis file; ``x_px``, ``y_px``, ``scores`` are (tracks, frames, nodes)."""
    import tables

    n_tracks, n_frames, n_nodes = x_px.shape
    locations = np.zeros((n_frames, n_nodes, 2, n_tracks))  # SLEAP's own order, transposed on disk
    locations[:, :, 0, :] = np.transpose(x_px, (1, 2, 0))
    locations[:, :, 1, :] = np.transpose(y_px, (1, 2, 0))
    point_scores = np.transpose(scores, (1, 2, 0))  # (frames, nodes, tracks)
    with tables.open_file(str(path), mode="w") as handle:
        handle.create_array("/", "tracks", np.transpose(locations))
        handle.create_array("/", "point_scores", np.transpose(point_scores))
        handle.create_array("/", "node_names", np.array([n.encode() for n in nodes], dtype="S"))
        if track_names:
            handle.create_array("/", "track_names", np.array([n.encode() for n in track_names], dtype="S"))
    return path


def dlc_frame(
    animals: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
    nodes: tuple[str, ...],
    scorer: str,
    extra: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...]]] | None = None,
) -> pd.DataFrame:
    """A DeepLabCut multi-animal table: per individual (x, y, likelihood), each (frames, nodes)."""
    blocks, columns = [], []
    items = [(name, (*arrays, nodes)) for name, arrays in animals.items()] + list((extra or {}).items())
    for name, (x, y, score, parts) in items:
        for j, part in enumerate(parts):
            for coord, values in (("x", x), ("y", y), ("likelihood", score)):
                blocks.append(values[:, j])
                columns.append((scorer, name, part, coord))
    index = pd.MultiIndex.from_tuples(columns, names=["scorer", "individuals", "bodyparts", "coords"])
    return pd.DataFrame(np.column_stack(blocks), columns=index)


def write_single_csv(path: Path, x: np.ndarray, y: np.ndarray, score: np.ndarray, nodes, scorer: str) -> Path:
    """A three-header-row table (single-animal DeepLabCut, or LightningPose with a *_tracker scorer)."""
    columns = pd.MultiIndex.from_product([[scorer], list(nodes), ["x", "y", "likelihood"]])
    columns = columns.set_names(["scorer", "bodyparts", "coords"])
    values = np.stack([x, y, score], axis=2).reshape(len(x), -1)
    pd.DataFrame(values, columns=columns).to_csv(path)
    return path


def geojson(path: Path, zones: list[tuple[str, str | None, np.ndarray]]) -> Path:
    """A FeatureCollection as movement's save_rois writes it (rings closed); kind only when given."""
    features = []
    for name, kind, vertices in zones:
        ring = [[float(a), float(b)] for a, b in vertices]
        properties = {"name": name, "roi_type": "PolygonOfInterest"}
        if kind is not None:
            properties["kind"] = kind
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                "properties": properties,
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


# ---------------------------------------------------------------------------------------------------------
# synthetic animals


ARMS = {"east": (1.0, 0.0), "west": (-1.0, 0.0), "north": (0.0, 1.0), "south": (0.0, -1.0)}


def maze_tour(
    rng: np.random.Generator, n: int, arms=("east", "north", "west", "south"), jitter: float = 0.3
) -> tuple[np.ndarray, np.ndarray]:
    """A body path (cm) from the centre out along random arms and back, at about 9 cm/s, with jitter."""
    points = [np.zeros(2)] * 5
    here = np.zeros(2)
    while len(points) < n:
        arm = arms[int(rng.integers(len(arms)))]
        out = np.array(ARMS[arm]) * rng.uniform(6.0, 27.0)
        for target in (out, rng.normal(0.0, 0.5, 2)):
            steps = max(1, int(np.hypot(*(target - here)) / 0.9))
            points.extend(here + (target - here) * (np.arange(1, steps + 1)[:, None] / steps))
            here = target
        points.extend([here] * int(rng.integers(0, 12)))
    path = np.array(points[:n]) + rng.normal(0.0, jitter, (n, 2))
    return path[:, 0], path[:, 1]


OFFSETS_3 = np.array([[3.0, 0.0], [0.0, 0.0], [-3.0, 0.0]])  # nose, body, tail_base (facing +x)


def keypoints_around(
    rng: np.random.Generator, bx: np.ndarray, by: np.ndarray, offsets: np.ndarray, sd: float = 0.2
) -> tuple[np.ndarray, np.ndarray]:
    """Keypoints (frames, k) in cm at fixed offsets from the body, each jittered."""
    n, k = len(bx), len(offsets)
    x = bx[:, None] + offsets[None, :, 0] + rng.normal(0.0, sd, (n, k))
    y = by[:, None] + offsets[None, :, 1] + rng.normal(0.0, sd, (n, k))
    return x, y


# ---------------------------------------------------------------------------------------------------------
# the README's cleaning, written independently (pandas, scipy), one animal at a time


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True as (start, stop)."""
    out, i, n = [], 0, len(mask)
    while i < n:
        if mask[i]:
            j = i
            while j < n and mask[j]:
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def ref_fill(t: np.ndarray, v: np.ndarray, max_gap: int) -> np.ndarray:
    """Linear interpolation in time of inner runs of at most max_gap missing frames (pandas)."""
    filled = pd.Series(v, index=t).interpolate(method="index", limit_area="inside").to_numpy(copy=True)
    for a, b in runs(np.isnan(v)):
        if b - a > max_gap:
            filled[a:b] = np.nan
    return filled


def ref_median(v: np.ndarray, window: int, min_periods: int | None) -> np.ndarray:
    """Centred rolling median of the reflect-padded track (pandas); tracks shorter than the window kept."""
    if len(v) < window:
        return v.copy()
    half = window // 2
    padded = np.pad(v, half, mode="reflect")
    rolled = pd.Series(padded).rolling(window, center=True, min_periods=min_periods or window).median()
    return rolled.to_numpy()[half : half + len(v)]


def ref_savgol(v: np.ndarray, window: int, order: int) -> np.ndarray:
    if len(v) < window:
        return v.copy()
    return savgol_filter(v, window, order)


@dataclass
class Cleaned:
    """One animal after the reference cleaning (cm)."""

    kx: np.ndarray  # (frames, k) every keypoint
    ky: np.ndarray
    x: np.ndarray  # position: centroid of the chosen keypoints present
    y: np.ndarray
    had: np.ndarray  # a chosen keypoint present before the confidence cut
    kept: np.ndarray  # ... and after it


def reference(
    x_px: np.ndarray,
    y_px: np.ndarray,
    score: np.ndarray,
    chosen: list[int],
    *,
    cut: float = 0.9,
    max_gap: int = 10,
    median: int | None = None,
    min_periods: int | None = None,
    savgol: int | None = None,
    order: int = 2,
    smooth_first: bool = False,
    fps: float = FPS,
) -> Cleaned:
    """The README's steps for one animal: cut, interpolate, smooth (or smooth first), then the centroid."""
    n, k = x_px.shape
    t = np.arange(n) / fps
    absent = np.isnan(x_px) | np.isnan(y_px)
    low = np.zeros_like(absent)
    for i in range(n):
        for j in range(k):
            low[i, j] = (not absent[i, j]) and (not math.isnan(score[i, j])) and score[i, j] < cut
    gone = absent | low
    out = []
    for values in (x_px, y_px):
        columns = []
        for j in range(k):
            v = np.where(gone[:, j], np.nan, values[:, j]).astype(float)

            def smooth(a: np.ndarray) -> np.ndarray:
                if median is not None:
                    return ref_median(a, median, min_periods)
                if savgol is not None:
                    return ref_savgol(a, savgol, order)
                return a

            v = ref_fill(t, smooth(v), max_gap) if smooth_first else smooth(ref_fill(t, v, max_gap))
            columns.append(v)
        out.append(np.column_stack(columns) / PX)
    kx, ky = out
    cx, cy = kx[:, chosen], ky[:, chosen]
    present = ~np.isnan(cx)
    count = present.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        px = np.where(count > 0, np.where(present, cx, 0.0).sum(axis=1) / count, np.nan)
        py = np.where(count > 0, np.where(present, cy, 0.0).sum(axis=1) / count, np.nan)
    had = (~absent[:, chosen]).any(axis=1)
    kept = (~gone[:, chosen]).any(axis=1)
    return Cleaned(kx, ky, px, py, had, kept)


def path_length(x: np.ndarray, y: np.ndarray) -> float:
    known = ~(np.isnan(x) | np.isnan(y))
    return float(np.hypot(np.diff(x[known]), np.diff(y[known])).sum())


def window_counts(ref: Cleaned, lo: int, hi: int) -> dict[str, int]:
    """README: frames of the window removed by the cut, filled by cleaning, still missing."""
    known = ~np.isnan(ref.x)
    part = slice(lo, hi)
    return {
        "frames_low_likelihood": int((ref.had & ~ref.kept)[part].sum()),
        "frames_interpolated": int((~ref.kept & known)[part].sum()),
        "frames_missing": int((~known)[part].sum()),
        "frames": hi - lo,
    }


def zone_index(zones, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """matplotlib point-in-polygon; overlaps go to the first zone listed; -1 nowhere or missing."""
    points = np.column_stack([x, y])
    ok = ~np.isnan(points).any(axis=1)
    label = np.full(len(x), -1)
    for index in range(len(zones) - 1, -1, -1):
        inside = np.zeros(len(x), dtype=bool)
        inside[ok] = MplPath(np.asarray(zones[index][2], dtype=float)).contains_points(points[ok])
        label[inside] = index
    return label


def summarize(
    zones, kinds: tuple[str, ...], frame_zone: np.ndarray, x, y, durations: np.ndarray | None = None
) -> dict:
    """Per-kind time, entries, latency and distance, and the episodes, from per-frame zones (hysteresis 0).

    Lost frames (-1) are credited to nothing and do not end a visit; an episode starts on the first frame
    in a new zone; the first episode is not an entry; a step counts towards the zone of the frame it ends
    on. ``durations``: the seconds of the window each frame stands for (default 1 / FPS each).
    """
    n = len(frame_zone)
    d = np.full(n, 1 / FPS) if durations is None else np.asarray(durations, dtype=float)
    elapsed = np.concatenate([[0.0], np.cumsum(d)])
    kind_of = [zones[z][1] for z in range(len(zones))]
    time = dict.fromkeys(kinds, 0.0)
    distance = dict.fromkeys(kinds, 0.0)
    episodes: list[dict] = []
    previous = None
    last_known = None
    for i in range(n):
        z = int(frame_zone[i])
        if not np.isnan(x[i]):
            step = 0.0 if last_known is None else math.hypot(x[i] - x[last_known], y[i] - y[last_known])
            last_known = i
            if z >= 0:
                distance[kind_of[z]] += step
        if z < 0:
            continue
        time[kind_of[z]] += d[i]
        if z != previous:
            episodes.append({"zone": zones[z][0], "kind": kind_of[z], "start": i, "time_s": 0.0})
            previous = z
        episodes[-1]["time_s"] += d[i]
    for e, nxt in zip(episodes, [*episodes[1:], None], strict=True):
        e["start_s"] = elapsed[e["start"]]
        e["end_s"] = elapsed[nxt["start"] if nxt else n]
        e["entry"] = e is not episodes[0]
    entries = {k: sum(1 for e in episodes if e["entry"] and e["kind"] == k) for k in kinds}
    latency = {}
    for k in kinds:
        first = [e["start_s"] for e in episodes if e["kind"] == k]
        latency[k] = first[0] if first else NAN
    return {"time": time, "entries": entries, "latency": latency, "distance": distance, "episodes": episodes}


def assert_epm_row(row: pd.Series, expected: dict, distance: float | None = None) -> None:
    """Compare an endpoint row with :func:`summarize`'s numbers, and the percentages derived from them."""
    for kind in EPM_KINDS:
        assert row[f"{kind}_time_s"] == pytest.approx(expected["time"][kind], abs=1e-9), kind
        got = row[f"{kind}_distance_cm"]
        assert got == pytest.approx(expected["distance"][kind], rel=1e-9, abs=1e-9), kind
        assert row[f"{kind}_entries"] == expected["entries"][kind], kind
    if distance is not None:
        assert row["distance_cm"] == pytest.approx(distance, rel=1e-9)
    arm_time = expected["time"]["open"] + expected["time"]["closed"]
    if arm_time > 0:
        assert row["open_time_pct"] == pytest.approx(100 * expected["time"]["open"] / arm_time, rel=1e-9)
    arm_entries = expected["entries"]["open"] + expected["entries"]["closed"]
    assert row["total_entries"] == arm_entries
    if arm_entries:
        assert row["open_entries_pct"] == pytest.approx(100 * expected["entries"]["open"] / arm_entries)
    assert row["open_time_total_pct"] == pytest.approx(100 * expected["time"]["open"] / row["session_s"])


def scaled_maze() -> list[tuple[str, str, np.ndarray]]:
    return [(name, kind, np.asarray(v, dtype=float)) for name, kind, v in MAZE_ZONES]


# ---------------------------------------------------------------------------------------------------------
# the session window on pose files


NODES_3 = ("nose", "body", "tail_base")


def _window_animal(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    bx, by = maze_tour(rng, n)
    x, y = keypoints_around(rng, bx, by, OFFSETS_3)
    return x * PX, y * PX, np.full((n, 3), 0.99)


def test_window_counts_only_its_own_frames_and_interpolates_across_its_edges(tmp_path: Path) -> None:
    n = 400
    x, y, score = _window_animal(1, n)
    body = 1
    low = np.zeros(n, dtype=bool)
    low[20:25] = True  # before the window: not counted
    low[96:104] = True  # 8 frames straddling the start (frame 100), filled from frames 95 and 104
    low[150] = True  # inside
    low[200:216] = True  # 16 frames inside: longer than --max-gap, stays missing
    low[295:305] = True  # 10 frames straddling the end (frame 300 is the first outside), filled
    low[350:356] = True  # after the window
    score[low, body] = 0.3
    x[120, body] = y[120, body] = np.nan  # not found by the tracker: no score, not a cut
    score[160:170, 0] = 0.3  # the nose, not the chosen keypoint: no effect on the counts
    score[120, body] = np.nan
    h5 = write_sleap(tmp_path / "w.analysis.h5", x[None], y[None], score[None], NODES_3)
    table = run_table(tmp_path, "epm", [h5], "--keypoint", "body", "--start", 10, "--duration", 20)
    row = table.iloc[0]
    ref = reference(x, y, score, [body])
    expected = window_counts(ref, 100, 300)
    # by hand: cut 4 + 1 + 16 + 5 frames of the window; filled 4 + 1 + 5 and the tracker's gap at 120
    assert expected == {
        "frames_low_likelihood": 26,
        "frames_interpolated": 11,
        "frames_missing": 16,
        "frames": 200,
    }
    for column, value in expected.items():
        assert row[column] == value, column
    assert row["session_s"] == pytest.approx(20.0)
    assert row["missing_time_s"] == pytest.approx(1.6)
    # positions in the window, gaps filled from frames outside it: the path length agrees
    assert row["distance_cm"] == pytest.approx(path_length(ref.x[100:300], ref.y[100:300]), rel=1e-9)


def test_window_hysteresis_zero_times_follow_the_reference_positions(tmp_path: Path) -> None:
    n = 400
    x, y, score = _window_animal(2, n)
    score[96:104, 1] = 0.3
    h5 = write_sleap(tmp_path / "w.analysis.h5", x[None], y[None], score[None], NODES_3)
    args = ("--keypoint", "body", "--start", 10, "--duration", 20, "--hysteresis", 0)
    row = run_table(tmp_path, "epm", [h5], *args).iloc[0]
    ref = reference(x, y, score, [1])
    wx, wy = ref.x[100:300], ref.y[100:300]
    frame_zone = zone_index(scaled_maze(), wx, wy)
    expected = summarize(scaled_maze(), EPM_KINDS, frame_zone, wx, wy)
    assert_epm_row(row, expected, distance=path_length(wx, wy))


def test_a_long_run_straddling_the_window_start_is_not_filled_though_its_inside_part_is_short(
    tmp_path: Path,
) -> None:
    n = 300
    x, y, score = _window_animal(3, n)
    score[90:104, 1] = 0.3  # 14 frames > --max-gap 10, of which 4 inside the window
    score[296:300, 1] = 0.3  # the track's last 4 frames: a run at the end, never filled
    h5 = write_sleap(tmp_path / "w.analysis.h5", x[None], y[None], score[None], NODES_3)
    row = run_table(tmp_path, "epm", [h5], "--keypoint", "body", "--start", 10).iloc[0]
    ref = reference(x, y, score, [1])
    assert window_counts(ref, 100, 300) == {
        "frames_low_likelihood": 8,
        "frames_interpolated": 0,
        "frames_missing": 8,
        "frames": 200,
    }
    for column, value in window_counts(ref, 100, 300).items():
        assert row[column] == value, column
    assert row["missing_time_s"] == pytest.approx(0.8)
    assert row["distance_cm"] == pytest.approx(path_length(ref.x[100:], ref.y[100:]), rel=1e-9)


def test_window_on_a_non_integer_frame_rate_clips_the_edge_frames(tmp_path: Path) -> None:
    fps = 29.97
    n = 1200
    rng = np.random.default_rng(19)
    bx, by = maze_tour(rng, n)
    x, y = keypoints_around(rng, bx, by, OFFSETS_3)
    x, y = x * PX, y * PX
    score = np.full((n, 3), 0.99)
    t = np.arange(n) / fps
    start, end = 10.0, 30.0
    # frame i stands for [t_i, t_i+1) clipped to the window; the window holds the frames with a share of it
    following = np.append(t[1:], t[-1] + np.median(np.diff(t)))
    durations = np.clip(np.minimum(following, end) - np.maximum(t, start), 0.0, None)
    inside = np.flatnonzero(durations > 0)
    lo, hi = int(inside[0]), int(inside[-1]) + 1
    assert t[lo] < start < t[lo + 1] and t[hi - 1] < end < following[hi - 1]  # both edge frames are partial
    score[lo - 3 : lo + 2, 1] = 0.2  # a gap over the start, filled from frames outside the window
    score[hi - 1 : hi + 3, 1] = 0.2  # and one over the end
    h5 = write_sleap(tmp_path / "w.analysis.h5", x[None], y[None], score[None], NODES_3)
    args = ("--keypoint", "body", "--start", start, "--duration", end - start, "--hysteresis", 0)
    row = run_table(tmp_path, "epm", [h5], *args, fps=fps).iloc[0]
    ref = reference(x, y, score, [1], fps=fps)
    # the frame counts take the frames stamped in the window (README): lo + 1 .. hi - 1; frame lo, stamped
    # before the start, adds its share of seconds but is not one of the window's frames
    stamped = np.flatnonzero((t >= start) & (t < end))
    assert (stamped[0], stamped[-1] + 1) == (lo + 1, hi)
    assert window_counts(ref, lo + 1, hi) == {
        "frames_low_likelihood": 2,
        "frames_interpolated": 2,
        "frames_missing": 0,
        "frames": hi - lo - 1,
    }
    for column, value in window_counts(ref, lo + 1, hi).items():
        assert row[column] == value, column
    assert row["session_s"] == pytest.approx(20.0, abs=1e-9)
    wx, wy = ref.x[lo:hi], ref.y[lo:hi]
    frame_zone = zone_index(scaled_maze(), wx, wy)
    expected = summarize(scaled_maze(), EPM_KINDS, frame_zone, wx, wy, durations[lo:hi])
    assert_epm_row(row, expected, distance=path_length(wx, wy))
    assert row["latency_open_s"] == pytest.approx(expected["latency"]["open"], abs=1e-9)


# ---------------------------------------------------------------------------------------------------------
# several animals in one file: cleaning must not mix them


def _two_animals(seed: int, n: int, nodes: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(2, n, nodes) pixels: the first animal tours the west and south arms, the second the east and north."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for arms in (("west", "south"), ("east", "north")):
        bx, by = maze_tour(rng, n, arms=arms, jitter=0.5)
        x, y = keypoints_around(rng, bx, by, OFFSETS_3[:nodes], sd=0.4)
        xs.append(x * PX)
        ys.append(y * PX)
    return np.stack(xs), np.stack(ys), np.full((2, n, nodes), 0.99)


def test_sleap_gap_at_the_end_of_one_track_is_not_filled_from_the_next_track(tmp_path: Path) -> None:
    n = 300
    x, y, score = _two_animals(4, n)
    score[0, 296:, :] = 0.2  # the last 4 frames of the first track, every node
    score[1, :3, :] = 0.2  # the first 3 frames of the second
    score[0, 100:103, 0] = np.nan  # hand-labelled nose points (no score): kept
    names = ["zeta", "alpha"]  # not in alphabetical order
    h5 = write_sleap(tmp_path / "two.analysis.h5", x, y, score, NODES_3, names)
    table = run_table(tmp_path, "epm", [h5], "--duration", 30)
    assert table["animal"].tolist() == names
    for k, name in enumerate(names):
        ref = reference(x[k], y[k], score[k], [0, 1, 2])
        row = table.loc[name]
        counts = window_counts(ref, 0, n)
        for column, value in counts.items():
            assert row[column] == value, (name, column)
        assert row["distance_cm"] == pytest.approx(path_length(ref.x, ref.y), rel=1e-9), name
    assert table.loc["zeta", "frames_missing"] == 4 and table.loc["alpha", "frames_missing"] == 3


SMOOTHING = {
    "median9": ("--median-window", 9),
    "median9-min3": ("--median-window", 9, "--min-periods", 3),
    "median5-min2-smooth-first": ("--median-window", 5, "--min-periods", 2, "--smooth-first", "--max-gap", 5),
    "savgol7": ("--savgol-window", 7),
    "savgol11-order3": ("--savgol-window", 11, "--savgol-order", 3),
}


def _smoothing_kwargs(args: tuple) -> dict:
    kw: dict = {}
    items = list(args)
    i = 0
    while i < len(items):
        flag = items[i]
        if flag == "--smooth-first":
            kw["smooth_first"] = True
            i += 1
            continue
        value = items[i + 1]
        key = {
            "--median-window": "median",
            "--min-periods": "min_periods",
            "--savgol-window": "savgol",
            "--savgol-order": "order",
            "--max-gap": "max_gap",
            "--confidence": "cut",
        }[flag]
        kw[key] = value
        i += 2
    return kw


@pytest.mark.parametrize("case", list(SMOOTHING))
def test_sleap_two_tracks_are_smoothed_each_on_its_own(tmp_path: Path, case: str) -> None:
    n = 300
    x, y, score = _two_animals(5, n)
    args = SMOOTHING[case]
    kw = _smoothing_kwargs(args)
    if "savgol" not in kw:  # a few points missing near the boundary between the tracks
        for k, frames in ((0, (293, 296, 298)), (1, (1, 2, 6))):
            score[k, list(frames), 1] = 0.1
    score[0, 150:153, 2] = 0.1  # inner gaps, filled (or, smoothing first, perhaps not)
    score[1, 140, 0] = 0.1
    names = ["zeta", "alpha"]
    h5 = write_sleap(tmp_path / "two.analysis.h5", x, y, score, NODES_3, names)
    table = run_table(tmp_path, "epm", [h5], "--duration", 30, "--hysteresis", 0, *args)
    for k, name in enumerate(names):
        ref = reference(x[k], y[k], score[k], [0, 1, 2], **kw)
        row = table.loc[name]
        for column, value in window_counts(ref, 0, n).items():
            assert row[column] == value, (name, column)
        frame_zone = zone_index(scaled_maze(), ref.x, ref.y)
        expected = summarize(scaled_maze(), EPM_KINDS, frame_zone, ref.x, ref.y)
        assert_epm_row(row, expected, distance=path_length(ref.x, ref.y))


def test_an_animal_with_every_point_below_the_cut_is_unusable_and_the_other_finishes(tmp_path: Path) -> None:
    n = 300
    x, y, score = _two_animals(6, n)
    score[1] = 0.5  # every point of the second animal below --confidence 0.9
    h5 = write_sleap(tmp_path / "two.analysis.h5", x, y, score, NODES_3, ["kept", "lost"])
    out = tmp_path / "out.csv"
    result = invoke("epm", h5, "--fps", FPS, "--px-per-cm", PX, "--duration", 30, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    table = pd.read_csv(out).set_index("animal")
    lost = table.loc["lost"]
    flags = str(lost["flags"])
    assert "unusable" in flags.split(";") or flags.startswith("error:")
    if "unusable" in flags.split(";"):
        for column in ("open_time_s", "distance_cm", "head_dips", "protected_head_dips", "latency_open_s"):
            assert np.isnan(lost[column]), column
        assert lost["frames_low_likelihood"] == n and lost["frames_missing"] == n
        assert lost["frames_interpolated"] == 0
    kept = table.loc["kept"]
    ref = reference(x[0], y[0], score[0], [0, 1, 2])
    assert not str(kept["flags"]).startswith("error") and "unusable" not in str(kept["flags"])
    assert kept["distance_cm"] == pytest.approx(path_length(ref.x, ref.y), rel=1e-9)
    assert kept["frames_missing"] == 0 and kept["frames_low_likelihood"] == 0


# ---------------------------------------------------------------------------------------------------------
# multi-animal DeepLabCut tables (four header rows), CSV and H5


DLC_SCORER = "DLC_dlcrnetms5_epmJan12shuffle1_50000"


@pytest.mark.parametrize("suffix", [".csv", ".h5"])
def test_dlc_multi_animal_cleaning_window_and_smoothing_per_animal(tmp_path: Path, suffix: str) -> None:
    n = 260
    x, y, score = _two_animals(7, n)
    rng = np.random.default_rng(70)
    score[:, :, :] = rng.choice([0.95, 0.99, 0.9, 0.5], size=score.shape, p=[0.5, 0.35, 0.05, 0.1])
    score[0, 255:, :] = 0.3  # the end of the first individual
    score[1, :4, :] = 0.3  # the start of the second
    x[1, 60:62, 2] = y[1, 60:62, 2] = score[1, 60:62, 2] = np.nan  # empty cells: not found
    names = ("zeta", "alpha")
    corner = np.full((n, 1), 5.0)
    frame = dlc_frame(
        {name: (x[k], y[k], score[k]) for k, name in enumerate(names)},
        NODES_3,
        DLC_SCORER,
        extra={"single": (corner, corner, np.full((n, 1), 0.99), ("corner",))},
    )
    path = tmp_path / f"videoDLC{suffix}"
    if suffix == ".csv":
        frame.to_csv(path)
        assert path.read_text().splitlines()[1].startswith("individuals,zeta")
    else:
        frame.to_hdf(path, key="df_with_missing")
    # the window from frame 2 to the end: both ends of the gaps at the boundary between the individuals
    args = ("--median-window", 5, "--min-periods", 3, "--max-gap", 4, "--start", 0.2)
    table = run_table(tmp_path, "epm", [path], *args, "--hysteresis", 0)
    assert table["animal"].tolist() == list(names)  # "single" holds no animal
    for k, name in enumerate(names):
        ref = reference(x[k], y[k], score[k], [0, 1, 2], median=5, min_periods=3, max_gap=4)
        row = table.loc[name]
        counts = window_counts(ref, 2, n)
        assert counts["frames_missing"] >= (5 if k == 0 else 2)
        for column, value in counts.items():
            assert row[column] == value, (name, column)
        wx, wy = ref.x[2:], ref.y[2:]
        expected = summarize(scaled_maze(), EPM_KINDS, zone_index(scaled_maze(), wx, wy), wx, wy)
        assert_epm_row(row, expected, distance=path_length(wx, wy))


# ---------------------------------------------------------------------------------------------------------
# the centroid of several keypoints when one drops out


@pytest.mark.parametrize("max_gap", [10, 0])
def test_centroid_uses_the_interpolated_keypoint_or_the_parts_left(tmp_path: Path, max_gap: int) -> None:
    n = 200
    t = np.arange(n) / FPS
    # three keypoints moving differently: a and b along x, c circling, so dropping c moves the centroid
    a = np.column_stack([-1.0 + 0.05 * np.arange(n), np.full(n, 0.5)])
    b = np.column_stack([-1.0 + 0.05 * np.arange(n), np.full(n, -0.5)])
    c = np.column_stack([1.0 + 0.6 * np.cos(2 * np.pi * t / 3), 0.6 * np.sin(2 * np.pi * t / 3)])
    x = np.column_stack([a[:, 0], b[:, 0], c[:, 0]]) * PX
    y = np.column_stack([a[:, 1], b[:, 1], c[:, 1]]) * PX
    score = np.full((n, 3), 0.99)
    score[50:56, 2] = 0.4  # c dropped for 6 frames
    nodes = ("a", "b", "c")
    h5 = write_sleap(tmp_path / "c.analysis.h5", x[None], y[None], score[None], nodes)
    row = run_table(tmp_path, "epm", [h5], "--max-gap", max_gap, "--duration", 20).iloc[0]
    ref = reference(x, y, score, [0, 1, 2], max_gap=max_gap)
    # by hand on one frame: with interpolation c sits on the straight line between frames 49 and 56
    c53 = c[49] + (c[56] - c[49]) * 4 / 7
    expect_53 = (a[53] + b[53] + c53) / 3 if max_gap else (a[53] + b[53]) / 2
    np.testing.assert_allclose([ref.x[53], ref.y[53]], expect_53, rtol=1e-12)
    assert row["distance_cm"] == pytest.approx(path_length(ref.x, ref.y), rel=1e-9)
    # the position was never removed: no frame is low-likelihood, interpolated or missing
    assert (row["frames_low_likelihood"], row["frames_interpolated"], row["frames_missing"]) == (0, 0, 0)


# ---------------------------------------------------------------------------------------------------------
# one animal, every smoothing option, against the reference cleaning


NODES_4 = ("paw_fl", "paw_fr", "paw_bl", "paw_br")
PAW_OFFSETS = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])

CLEANING_CASES = {
    "interpolate-only": (),
    "median5": ("--median-window", 5),
    "median9-min3": ("--median-window", 9, "--min-periods", 3),
    "movement-example": (
        "--confidence",
        0.95,
        "--median-window",
        9,
        "--min-periods",
        3,
        "--smooth-first",
        "--max-gap",
        5,
    ),
    "savgol9": ("--savgol-window", 9),
    "savgol9-order4-gap3": ("--savgol-window", 9, "--savgol-order", 4, "--max-gap", 3),
}


@pytest.mark.parametrize("case", list(CLEANING_CASES))
def test_positions_after_cleaning_give_the_distance_times_and_counts(tmp_path: Path, case: str) -> None:
    n = 900
    rng = np.random.default_rng(8)
    bx, by = maze_tour(rng, n)
    x, y = keypoints_around(rng, bx, by, PAW_OFFSETS, sd=0.3)
    x, y = x * PX, y * PX
    score = rng.choice([0.99, 0.97, 0.9, 0.6], size=(n, 4), p=[0.6, 0.25, 0.05, 0.1])
    for start, length in ((200, 4), (410, 8), (600, 14)):  # every paw gone at once
        score[start : start + length] = 0.2
    score[:20] = score[-20:] = 0.99  # clean ends, so that Savitzky-Golay's end fits have no NaN
    args = CLEANING_CASES[case]
    kw = _smoothing_kwargs(args)
    h5 = write_sleap(tmp_path / "one.analysis.h5", x[None], y[None], score[None], NODES_4)
    row = run_table(tmp_path, "epm", [h5], "--duration", 90, "--hysteresis", 0, *args).iloc[0]
    ref = reference(x, y, score, [0, 1, 2, 3], **kw)
    for column, value in window_counts(ref, 0, n).items():
        assert row[column] == value, column
    frame_zone = zone_index(scaled_maze(), ref.x, ref.y)
    expected = summarize(scaled_maze(), EPM_KINDS, frame_zone, ref.x, ref.y)
    assert_epm_row(row, expected, distance=path_length(ref.x, ref.y))
    assert row["mean_speed_cm_s"] == pytest.approx(path_length(ref.x, ref.y) / 90.0, rel=1e-9)


def test_a_track_shorter_than_the_median_window_is_left_unsmoothed(tmp_path: Path) -> None:
    n = 7  # frames; --median-window 9
    x = (np.array([0.0, 1.0, 3.0, 2.0, 6.0, 4.0, 5.0]) * PX)[:, None]
    y = np.zeros((n, 1))
    h5 = write_sleap(tmp_path / "short.analysis.h5", x[None], y[None], np.full((1, n, 1), 0.99), ("body",))
    row = run_table(tmp_path, "epm", [h5], "--median-window", 9).iloc[0]
    raw = float(np.abs(np.diff(x[:, 0] / PX)).sum())  # 1 + 2 + 1 + 4 + 2 + 1 = 11 cm
    assert raw == pytest.approx(11.0)
    assert row["distance_cm"] == pytest.approx(raw, rel=1e-12)


def test_a_track_shorter_than_the_savgol_window_is_left_unsmoothed(tmp_path: Path) -> None:
    n = 7
    x = (np.array([0.0, 1.0, 3.0, 2.0, 6.0, 4.0, 5.0]) * PX)[:, None]
    y = np.zeros((n, 1))
    h5 = write_sleap(tmp_path / "short.analysis.h5", x[None], y[None], np.full((1, n, 1), 0.99), ("body",))
    row = run_table(tmp_path, "epm", [h5], "--savgol-window", 9).iloc[0]
    assert row["distance_cm"] == pytest.approx(11.0, rel=1e-12)


# ---------------------------------------------------------------------------------------------------------
# entry rules with five keypoints


NODES_5 = ("k1", "k2", "k3", "k4", "k5")
IN_CENTRE = [(-1.2, -1.0), (1.1, -0.9), (0.3, 1.3), (-0.8, 0.7), (1.4, 1.2)]
IN_EAST = [(10.2, -1.0), (11.1, 1.1), (12.3, 0.2), (9.4, -1.6), (13.0, 1.7)]


def _block(frames: int, where: list) -> np.ndarray:
    """(frames, 5, 2): keypoint j at where[j], an (x, y) pair in cm, or None for a point not found."""
    out = np.full((frames, 5, 2), np.nan)
    for j, point in enumerate(where):
        if point is not None:
            out[:, j] = point
    return out


def _five_point_file(tmp_path: Path) -> Path:
    points = np.concatenate(
        [
            _block(10, IN_CENTRE),  # 0-1 s: all five in the centre
            _block(10, IN_EAST[:3] + IN_CENTRE[3:]),  # 1-2 s: 3 on the open arm, 2 in the centre
            _block(10, IN_EAST[:2] + IN_CENTRE[2:]),  # 2-3 s: 2 on the arm, 3 in the centre
            _block(10, [*IN_EAST[:4], None]),  # 3-4 s: 4 on the arm, 1 not found
            _block(10, [*IN_EAST[:3], (0.0, 0.0), (0.0, 0.0)]),  # 4-5 s: 3 on the arm, 2 cut (below)
            _block(10, IN_EAST),  # 5-6 s: all five on the arm
        ]
    )
    n = len(points)
    score = np.full((n, 5), 0.99)
    score[40:50, 3:] = 0.1  # present in the centre, but scored below the cut
    x, y = points[:, :, 0] * PX, points[:, :, 1] * PX
    score[np.isnan(x)] = np.nan
    return write_sleap(tmp_path / "five.analysis.h5", x[None], y[None], score[None], NODES_5)


@pytest.mark.parametrize(
    ("rule", "open_s", "center_s", "unassigned_s", "missing_s", "open_entries", "latency"),
    [
        # fraction:0.5 of 5 needs ceil(2.5) = 3 keypoints
        ("fraction:0.5", 4.0, 2.0, 0.0, 0.0, 2, 1.0),
        # fraction:0.8 of 5 needs 4: 3 + 2 is split (unassigned); 3 present of 5 is no position
        ("fraction:0.8", 2.0, 1.0, 2.0, 1.0, 1, 3.0),
        # all-points needs 5: a missing keypoint is no position
        ("all-points", 1.0, 1.0, 2.0, 2.0, 1, 5.0),
    ],
)
def test_fraction_rules_round_up_and_missing_keypoints_count(
    tmp_path: Path, rule, open_s, center_s, unassigned_s, missing_s, open_entries, latency
) -> None:
    h5 = _five_point_file(tmp_path)
    args = ("--keypoint", ",".join(NODES_5), "--entry-rule", rule, "--hysteresis", 0, "--max-gap", 0)
    row = run_table(tmp_path, "epm", [h5], *args, "--duration", 6, "--max-lost", 1).iloc[0]
    assert row["open_time_s"] == pytest.approx(open_s, abs=1e-9)
    assert row["center_time_s"] == pytest.approx(center_s, abs=1e-9)
    assert row["closed_time_s"] == 0
    assert row["unassigned_time_s"] == pytest.approx(unassigned_s, abs=1e-9)
    assert row["missing_time_s"] == pytest.approx(missing_s, abs=1e-9)
    assert row["frames_missing"] == round(missing_s * FPS)
    assert row["lost_time_s"] == pytest.approx(unassigned_s + missing_s, abs=1e-9)
    assert row["open_entries"] == open_entries
    assert row["latency_open_s"] == pytest.approx(latency, abs=1e-9)


@pytest.mark.parametrize("rule", ["fraction:0.5", "fraction:0.8", "fraction:0.7", "all-points"])
def test_fraction_rules_with_zero_hysteresis_are_the_plain_polygon_test(tmp_path: Path, rule: str) -> None:
    n = 1200
    rng = np.random.default_rng(9)
    bx, by = maze_tour(rng, n, jitter=0.6)
    offsets = np.array([[1.5, 1.0], [1.5, -1.0], [-1.5, 1.0], [-1.5, -1.0], [3.0, 0.0]])
    x, y = keypoints_around(rng, bx, by, offsets, sd=0.8)
    score = np.full((n, 5), 0.99)
    score[rng.random((n, 5)) < 0.06] = 0.3  # single keypoints cut here and there
    h5 = write_sleap(tmp_path / "five.analysis.h5", (x * PX)[None], (y * PX)[None], score[None], NODES_5)
    args = ("--keypoint", ",".join(NODES_5), "--entry-rule", rule, "--hysteresis", 0, "--max-gap", 0)
    row = run_table(tmp_path, "epm", [h5], *args, "--duration", 120, "--max-lost", 1).iloc[0]
    share = 1.0 if rule == "all-points" else float(rule.split(":")[1])
    needed = math.ceil(share * 5 - 1e-12)
    assert needed == {"fraction:0.5": 3, "fraction:0.8": 4, "fraction:0.7": 4, "all-points": 5}[rule]
    kept = score >= 0.9
    kx, ky = np.where(kept, x, np.nan), np.where(kept, y, np.nan)
    zones = scaled_maze()
    inside = np.zeros((len(zones), n), dtype=int)
    for j in range(5):
        label = zone_index(zones, kx[:, j], ky[:, j])
        for z in range(len(zones)):
            inside[z] += label == z
    frame_zone = np.full(n, -1)
    for z in range(len(zones) - 1, -1, -1):
        frame_zone[inside[z] >= needed] = z
    present = kept.sum(axis=1)
    time = {kind: 0.0 for kind in EPM_KINDS}
    for z, (_, kind, _) in enumerate(zones):
        time[kind] += (frame_zone == z).sum() / FPS
    for kind in EPM_KINDS:
        assert row[f"{kind}_time_s"] == pytest.approx(time[kind], abs=1e-9), kind
    assert row["missing_time_s"] == pytest.approx((present < needed).sum() / FPS, abs=1e-9)
    assert row["frames_missing"] == int((present < needed).sum())
    assert row["lost_time_s"] == pytest.approx((frame_zone < 0).sum() / FPS, abs=1e-9)
    # entries: a new zone on a frame credited to a zone, lost frames in between ending nothing
    credited = frame_zone[frame_zone >= 0]
    changes = credited[1:][credited[1:] != credited[:-1]]
    for kind in EPM_KINDS:
        expected = sum(1 for z in changes if zones[z][1] == kind)
        assert row[f"{kind}_entries"] == expected, kind


# ---------------------------------------------------------------------------------------------------------
# zones drawn in pixels: irregular, concave, rotated polygons


def _irregular_maze_cm() -> list[tuple[str, str, np.ndarray]]:
    """A skewed plus maze (cm, maze frame): a quadrilateral centre, arms with notches and flared ends."""
    a, b, c, d = (-2.5, -3.0), (3.0, -2.5), (2.5, 2.8), (-3.0, 2.5)
    return [
        ("open_right", "open", np.array([b, (31.0, -4.0), (29.0, 0.0), (33.0, 3.5), c])),
        ("open_left", "open", np.array([d, (-32.0, 4.0), (-30.0, -1.0), (-31.0, -5.0), a])),
        ("closedTop", "closed", np.array([c, (4.0, 31.0), (-1.0, 29.0), (-4.0, 32.0), d])),
        ("closed_bottom", "closed", np.array([a, (-3.5, -31.0), (2.0, -33.0), b])),
        ("central_hub", "center", np.array([a, b, c, d])),
    ]


ANGLE = math.radians(33.0)
ORIGIN_PX = np.array([320.0, 240.0])


def to_px(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maze frame (cm) to video pixels: rotate, scale, shift."""
    cos, sin = math.cos(ANGLE), math.sin(ANGLE)
    return ORIGIN_PX[0] + PX * (cos * x - sin * y), ORIGIN_PX[1] + PX * (sin * x + cos * y)


def _px_zones() -> list[tuple[str, str, np.ndarray]]:
    return [(name, kind, np.column_stack(to_px(v[:, 0], v[:, 1]))) for name, kind, v in _irregular_maze_cm()]


def test_the_irregular_zones_do_not_overlap() -> None:
    """A check of this file's fixture: no point of a fine grid is in two zones."""
    g = np.linspace(-35, 35, 351)
    gx, gy = (a.ravel() for a in np.meshgrid(g + 0.013, g + 0.007))
    inside = [MplPath(v).contains_points(np.column_stack([gx, gy])) for _, _, v in _irregular_maze_cm()]
    assert (np.sum(inside, axis=0) <= 1).all()


def toml_zones(path: Path, zones: list[tuple[str, str | None, np.ndarray]]) -> Path:
    """A TOML zone file: [[zones]] tables with name, polygon (and kind when given)."""
    lines = []
    for name, kind, vertices in zones:
        lines += ["[[zones]]", f'name = "{name}"']
        if kind is not None:
            lines.append(f'kind = "{kind}"')
        lines.append("polygon = [" + ", ".join(f"[{a!r}, {b!r}]" for a, b in vertices.tolist()) + "]")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("fmt", ["geojson", "toml"])
@pytest.mark.parametrize("rule", ["point", "all-points"])
def test_zero_hysteresis_with_irregular_rotated_pixel_zones_is_point_in_polygon(
    tmp_path: Path, rule: str, fmt: str
) -> None:
    n = 2400
    rng = np.random.default_rng(10)
    bx, by = maze_tour(rng, n, jitter=0.7)
    kx, ky = keypoints_around(rng, bx, by, PAW_OFFSETS, sd=0.5)
    x_px, y_px = to_px(kx, ky)
    zones = _px_zones()
    whole = np.column_stack(to_px(np.array([-40.0, 40, 40, -40]), np.array([-40.0, -40, 40, 40])))
    if fmt == "geojson":
        listed = [(name, None, v) for name, _, v in zones] + [("whole", None, whole)]
        rois = geojson(tmp_path / "rois.geojson", listed)
        ignore: tuple = ("--zone-kind", "whole=ignore")
    else:
        listed = [(name, None, v) for name, _, v in zones] + [("whole", "ignore", whole)]
        rois = toml_zones(tmp_path / "rois.toml", listed)
        ignore = ()
    h5 = write_sleap(tmp_path / "s.analysis.h5", x_px[None], y_px[None], np.full((1, n, 4), 0.99), NODES_4)
    episodes = tmp_path / "episodes.csv"
    args = ("--zones", rois, *ignore, "--hysteresis", 0, "--max-gap", 0)
    args += ("--keypoint", ",".join(NODES_4), "--entry-rule", rule, "--duration", 240, "--episodes", episodes)
    row = run_table(tmp_path, "epm", [h5], *args).iloc[0]
    # independent: in pixels, matplotlib's test of the centroid, or of every keypoint
    cx, cy = x_px.mean(axis=1), y_px.mean(axis=1)
    if rule == "point":
        frame_zone = zone_index(zones, cx, cy)
    else:
        labels = np.column_stack([zone_index(zones, x_px[:, j], y_px[:, j]) for j in range(4)])
        frame_zone = np.where((labels == labels[:, :1]).all(axis=1), labels[:, 0], -1)
    first = int(np.flatnonzero(frame_zone >= 0)[0])
    frame_zone[:first] = -1
    expected = summarize(zones, EPM_KINDS, frame_zone, cx / PX, cy / PX)
    assert len({e["zone"] for e in expected["episodes"]}) == 5 and len(expected["episodes"]) > 20
    assert_epm_row(row, expected, distance=path_length(cx / PX, cy / PX))
    assert row["latency_open_s"] == pytest.approx(expected["latency"]["open"], abs=1e-9)
    got = pd.read_csv(episodes)
    assert got["zone"].tolist() == [e["zone"] for e in expected["episodes"]]
    assert got["kind"].tolist() == [e["kind"] for e in expected["episodes"]]
    np.testing.assert_allclose(got["start_s"], [e["start_s"] for e in expected["episodes"]], atol=1e-9)
    np.testing.assert_allclose(got["end_s"], [e["end_s"] for e in expected["episodes"]], atol=1e-9)
    np.testing.assert_allclose(got["time_s"], [e["time_s"] for e in expected["episodes"]], atol=1e-9)
    assert got["entry"].astype(bool).tolist() == [e["entry"] for e in expected["episodes"]]


# ---------------------------------------------------------------------------------------------------------
# light-dark box from a pose file and a zone file


def _ldb_zones_px(
    light_name: str, dark_name: str, kinds: tuple = (None, None)
) -> list[tuple[str, str | None, np.ndarray]]:
    """A box drawn slightly skewed and rotated: light (high x) and dark split by a slanted divider."""
    light = np.array([(15.0, 0.0), (45.0, -0.5), (45.5, 27.0), (16.0, 27.2)])
    dark = np.array([(0.3, 0.2), (15.0, 0.0), (16.0, 27.2), (-0.2, 26.8)])
    out = []
    for name, kind, v in ((light_name, kinds[0], light), (dark_name, kinds[1], dark)):
        out.append((name, kind, np.column_stack(to_px(v[:, 0], v[:, 1]))))
    return out


def _ldb_tour(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    points = [np.array([7.0, 13.0])] * 5
    here = points[0]
    while len(points) < n:
        target = np.array([rng.uniform(2.0, 43.0), rng.uniform(2.0, 25.0)])
        steps = max(1, int(np.hypot(*(target - here)) / 1.2))
        points.extend(here + (target - here) * (np.arange(1, steps + 1)[:, None] / steps))
        here = target
    path = np.array(points[:n]) + rng.normal(0.0, 0.3, (n, 2))
    return path[:, 0], path[:, 1]


@pytest.mark.parametrize(
    ("light_name", "dark_name", "kinds", "extra"),
    [
        ("light_side", "dark_box", (None, None), ()),
        ("light_side", "compartment_b", (None, None), ("--zone-kind", "compartment_b=dark")),
        ("zone_a", "zone_b", (None, None), ("--zone-kind", "zone_a=light", "--zone-kind", "zone_b=dark")),
        # --zone-kind beats the name; the file's kind property beats the name
        ("dark_side", "light_zone", (None, "dark"), ("--zone-kind", "dark_side=light")),
    ],
)
def test_ldb_pose_file_with_named_zones(
    tmp_path: Path, light_name: str, dark_name: str, kinds: tuple, extra: tuple
) -> None:
    n = 1500
    rng = np.random.default_rng(12)
    bx, by = _ldb_tour(rng, n)
    kx, ky = keypoints_around(rng, bx, by, OFFSETS_3, sd=0.3)
    score = np.full((n, 3), 0.99)
    score[700:705, :] = 0.2  # a short gap, filled
    x_px, y_px = to_px(kx, ky)
    zones_px = _ldb_zones_px(light_name, dark_name, kinds)
    rois = geojson(tmp_path / "box.geojson", zones_px)
    h5 = write_sleap(tmp_path / "box.analysis.h5", x_px[None], y_px[None], score[None], NODES_3)
    args = ("--zones", rois, "--hysteresis", 0, "--duration", 150, *extra)
    row = run_table(tmp_path, "ldb", [h5], *args).iloc[0]
    ref = reference(x_px, y_px, score, [0, 1, 2])
    zones = [(name, kind, v) for (name, _, v), kind in zip(zones_px, ("light", "dark"), strict=True)]
    frame_zone = zone_index(zones, ref.x * PX, ref.y * PX)
    first = int(np.flatnonzero(frame_zone >= 0)[0])
    frame_zone[:first] = -1
    expected = summarize(zones, ("light", "dark"), frame_zone, ref.x, ref.y)
    assert zones[frame_zone[first]][1] == "dark" and expected["entries"]["light"] > 3
    assert row["light_time_s"] == pytest.approx(expected["time"]["light"], abs=1e-9)
    assert row["dark_time_s"] == pytest.approx(expected["time"]["dark"], abs=1e-9)
    assert row["light_entries"] == expected["entries"]["light"]
    assert row["dark_entries"] == expected["entries"]["dark"]
    assert row["transitions"] == expected["entries"]["light"] + expected["entries"]["dark"]
    assert row["latency_light_s"] == pytest.approx(expected["latency"]["light"], abs=1e-9)
    assert row["distance_cm"] == pytest.approx(path_length(ref.x, ref.y), rel=1e-9)
    assert row["light_distance_cm"] == pytest.approx(expected["distance"]["light"], rel=1e-9)
    visits = sum(1 for e in expected["episodes"] if e["kind"] == "light")
    assert row["mean_light_visit_s"] == pytest.approx(expected["time"]["light"] / visits, rel=1e-9)
    assert row["start_compartment"] == "dark" and "start_not_dark" not in row["flags"]
    assert row["frames_interpolated"] == 5
    assert "head_dips" not in row.index  # postures: plus maze only


def test_ldb_zone_without_a_kind_word_is_a_one_line_error(tmp_path: Path) -> None:
    n = 50
    rng = np.random.default_rng(13)
    kx, ky = keypoints_around(rng, np.full(n, 7.0), np.full(n, 13.0), OFFSETS_3)
    x_px, y_px = to_px(kx, ky)
    rois = geojson(tmp_path / "box.geojson", _ldb_zones_px("light_side", "compartment_b"))
    h5 = write_sleap(tmp_path / "box.analysis.h5", x_px[None], y_px[None], np.full((1, n, 3), 0.99), NODES_3)
    result = invoke("ldb", h5, "--fps", FPS, "--px-per-cm", PX, "--zones", rois)
    assert result.exit_code == 2
    assert "compartment_b" in result.output and "--zone-kind" in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


# ---------------------------------------------------------------------------------------------------------
# postures


NODES_6 = ("nose", "paw_fl", "paw_fr", "paw_bl", "paw_br", "tail_base")


def _distance(vertices, px: float, py: float) -> float:
    """Distance from a point to a polygon: 0 inside (matplotlib), else to the nearest edge (a loop)."""
    v = np.asarray(vertices, dtype=float)
    if MplPath(v).contains_point((px, py)):
        return 0.0
    best = math.inf
    for (x0, y0), (x1, y1) in zip(v, np.roll(v, -1, axis=0), strict=True):
        ex, ey = x1 - x0, y1 - y0
        t = min(1.0, max(0.0, ((px - x0) * ex + (py - y0) * ey) / (ex * ex + ey * ey)))
        best = min(best, math.hypot(px - (x0 + t * ex), py - (y0 + t * ey)))
    return best


def _head_dips_loop(
    head, body, dt: float, zones=MAZE_ZONES, lo=0.5, hi=5.0, min_s=0.1
) -> tuple[int, int, int, float]:
    """README's head dip, frame by frame: (dips, protected, unprotected, seconds).

    The head off the maze, its nearest zone an open arm at a distance in (lo, hi], the body on the maze;
    runs of at least min_s; protected when the body is in a closed arm or the centre at the first frame.
    """
    n = len(head)
    dip = []
    body_kind = []
    for i in range(n):
        hx, hy = head[i]
        bx, by = body[i]
        if any(math.isnan(v) for v in (hx, hy, bx, by)):
            dip.append(False)
            body_kind.append(None)
            continue
        distances = [_distance(v, hx, hy) for _, _, v in zones]
        body_in = [k for _, k, v in zones if _distance(v, bx, by) == 0.0]
        body_kind.append(body_in[0] if body_in else None)
        nearest = int(np.argmin(distances))
        dip.append(
            min(distances) > 0.0
            and bool(body_in)
            and zones[nearest][1] == "open"
            and lo < distances[nearest] <= hi
        )
    count = protected = unprotected = 0
    seconds = 0.0
    for a, b in runs(np.array(dip)):
        if (b - a) * dt >= min_s - 1e-9:
            count += 1
            seconds += (b - a) * dt
            protected += body_kind[a] in ("closed", "center")
            unprotected += body_kind[a] == "open"
    return count, protected, unprotected, seconds


def _posture_animal() -> tuple[np.ndarray, np.ndarray]:
    """(frames, 6) cm: centre, then the north closed arm, then the east open arm, with dips of the nose."""
    n = 600
    body = np.zeros((n, 2))
    body[:200] = (0.0, 0.5)  # centre
    body[200:400] = (0.0, 4.0)  # closed north arm, near the centre
    body[400:] = (15.0, 0.0)  # open east arm
    paws = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]]) * 0.8
    x = np.zeros((n, 6))
    y = np.zeros((n, 6))
    x[:, 1:5] = body[:, :1] + paws[None, :, 0]
    y[:, 1:5] = body[:, 1:] + paws[None, :, 1]
    nose = body + (0.0, 3.0)
    nose[400:] = body[400:] + (3.0, 0.0)
    tail = body - (0.0, 3.0)
    tail[400:] = body[400:] - (3.0, 0.0)
    nose[50:60] = (4.5, 3.5)  # from the centre: 1 cm beyond the east open arm's side -> protected
    nose[250:255] = (4.5, 3.3)  # from the closed arm: 0.8 cm beyond the open arm -> protected
    nose[300:310] = (5.0, 8.0)  # nearest zone a closed arm: no dip
    nose[450:470] = (15.0, 4.0)  # from the open arm, 1.5 cm beyond its side -> unprotected
    nose[520:530] = (15.0, 8.0)  # 5.5 cm beyond: too far
    nose[540:550] = (15.0, 2.8)  # 0.3 cm beyond: too close
    nose[580] = (15.0, 4.0)  # one frame, 0.1 s: long enough
    x[:, 0], y[:, 0] = nose[:, 0], nose[:, 1]
    x[:, 5], y[:, 5] = tail[:, 0], tail[:, 1]
    return x, y


def test_head_dips_protected_and_unprotected_match_a_frame_loop(tmp_path: Path) -> None:
    x, y = _posture_animal()
    n = len(x)
    h5 = write_sleap(
        tmp_path / "p.analysis.h5", (x * PX)[None], (y * PX)[None], np.full((1, n, 6), 0.99), NODES_6
    )
    row = run_table(tmp_path, "epm", [h5], "--keypoint", ",".join(NODES_6[1:5]), "--duration", 60).iloc[0]
    body = np.column_stack([x[:, 1:5].mean(axis=1), y[:, 1:5].mean(axis=1)])
    count, protected, unprotected, seconds = _head_dips_loop(
        np.column_stack([x[:, 0], y[:, 0]]), body, 1 / FPS
    )
    assert (count, protected, unprotected) == (4, 2, 2)  # by hand: centre, closed; open (2 s) and 0.1 s
    assert seconds == pytest.approx(1.0 + 0.5 + 2.0 + 0.1)
    assert row["head_dips"] == count
    assert row["protected_head_dips"] == protected
    assert row["unprotected_head_dips"] == unprotected
    assert row["head_dip_time_s"] == pytest.approx(seconds, abs=1e-9)


@pytest.mark.parametrize(
    ("options", "thresholds", "expected"),
    [
        (("--head-dip-min-cm", 1.6), {"lo": 1.6}, (0, 0, 0)),
        (("--head-dip-max-cm", 1.2), {"hi": 1.2}, (2, 2, 0)),
        (("--head-dip-min-s", 0.6), {"min_s": 0.6}, (2, 1, 1)),
        (("--head-dip-min-cm", 0.9, "--head-dip-max-cm", 1.5), {"lo": 0.9, "hi": 1.5}, (3, 1, 2)),
    ],
)
def test_head_dip_thresholds_from_the_command_line(tmp_path: Path, options, thresholds, expected) -> None:
    x, y = _posture_animal()
    n = len(x)
    h5 = write_sleap(
        tmp_path / "p.analysis.h5", (x * PX)[None], (y * PX)[None], np.full((1, n, 6), 0.99), NODES_6
    )
    args = ("--keypoint", ",".join(NODES_6[1:5]), "--duration", 60, *options)
    row = run_table(tmp_path, "epm", [h5], *args).iloc[0]
    body = np.column_stack([x[:, 1:5].mean(axis=1), y[:, 1:5].mean(axis=1)])
    head = np.column_stack([x[:, 0], y[:, 0]])
    count, protected, unprotected, seconds = _head_dips_loop(head, body, 1 / FPS, **thresholds)
    assert (count, protected, unprotected) == expected  # the loop agrees with the hand count
    assert (row["head_dips"], row["protected_head_dips"], row["unprotected_head_dips"]) == expected
    assert row["head_dip_time_s"] == pytest.approx(seconds, abs=1e-9)


def _sap_loop(nose, tail, body, dt: float, sd_k=1.0, max_speed=2.0, window_s=0.2, min_s=0.2):
    """README's stretched-attend posture, frame by frame: (count, seconds)."""
    n = len(nose)
    length = np.array([math.hypot(nose[i][0] - tail[i][0], nose[i][1] - tail[i][1]) for i in range(n)])
    defined = length[~np.isnan(length)]
    mean, sd = float(np.mean(defined)), float(np.std(defined, ddof=1))
    h = max(1, round(window_s / 2 / dt))
    sap = []
    for i in range(n):
        if i < h or i >= n - h:
            sap.append(False)
            continue
        speed = math.hypot(tail[i + h][0] - tail[i - h][0], tail[i + h][1] - tail[i - h][1]) / (2 * h * dt)
        kinds = [k for _, k, v in MAZE_ZONES if _distance(v, *body[i]) == 0.0]
        sap.append(
            bool(length[i] > mean + sd_k * sd)
            and speed < max_speed
            and bool(kinds)
            and kinds[0] in ("closed", "center")
        )
    kept = [(a, b) for a, b in runs(np.array(sap)) if (b - a) * dt >= min_s - 1e-9]
    return len(kept), sum((b - a) * dt for a, b in kept)


def test_stretched_attend_uses_each_animals_own_body_length(tmp_path: Path) -> None:
    n = 300
    rng = np.random.default_rng(20)
    xs, ys, expected = [], [], []
    for half in (3.0, 4.0):  # a small and a large animal, both in the north closed arm facing +y
        body = np.tile([0.0, 15.0], (n, 1))
        nose = body + (0.0, half)
        tail = body - (0.0, half)
        nose[100:115, 1] += 3.0  # stretched by 3 cm for 1.5 s, the tail base still
        nose[200:203, 1] += 3.0  # 0.3 s
        pts = [nose, body + (0.8, 0.0), body - (0.8, 0.0), tail]
        x = np.column_stack([p[:, 0] for p in pts]) + rng.normal(0.0, 0.03, (n, 4))
        y = np.column_stack([p[:, 1] for p in pts]) + rng.normal(0.0, 0.03, (n, 4))
        xs.append(x * PX)
        ys.append(y * PX)
        centre = np.column_stack([x[:, 1:3].mean(axis=1), y[:, 1:3].mean(axis=1)])
        head = np.column_stack([x[:, 0], y[:, 0]])
        base = np.column_stack([x[:, 3], y[:, 3]])
        expected.append(_sap_loop(head, base, centre, 1 / FPS))
    nodes = ("nose", "side_l", "side_r", "tail_base")
    h5 = write_sleap(
        tmp_path / "sap.analysis.h5", np.stack(xs), np.stack(ys), np.full((2, n, 4), 0.99), nodes
    )
    table = run_table(tmp_path, "epm", [h5], "--keypoint", "side_l,side_r", "--duration", 30)
    assert [e[0] for e in expected] == [2, 2]
    for k, name in enumerate(("track_0", "track_1")):
        row = table.loc[name]
        assert row["stretched_attend_postures"] == expected[k][0], name
        assert row["stretched_attend_time_s"] == pytest.approx(expected[k][1], abs=1e-9), name


def test_head_keypoint_option_chooses_the_head(tmp_path: Path) -> None:
    x, y = _posture_animal()
    n = len(x)
    # a second head point "head" that dips where the nose does not, and the nose kept on the maze
    nodes = (*NODES_6, "head")
    hx = np.append(x, x[:, :1], axis=1)
    hy = np.append(y, y[:, :1], axis=1)
    hx[:, 0], hy[:, 0] = x[:, 1:5].mean(axis=1), y[:, 1:5].mean(axis=1)  # nose on the body: never dips
    h5 = write_sleap(
        tmp_path / "p.analysis.h5", (hx * PX)[None], (hy * PX)[None], np.full((1, n, 7), 0.99), nodes
    )
    base = ("--keypoint", ",".join(NODES_6[1:5]), "--duration", 60)
    default = run_table(tmp_path, "epm", [h5], *base, name="a.csv").iloc[0]
    assert default["head_dips"] == 0  # "nose" is found before "head"
    chosen = run_table(tmp_path, "epm", [h5], *base, "--head-keypoint", "head", name="b.csv").iloc[0]
    assert (chosen["head_dips"], chosen["protected_head_dips"], chosen["unprotected_head_dips"]) == (4, 2, 2)


def test_head_keypoint_missing_in_one_file_is_that_animals_error_row(tmp_path: Path) -> None:
    x, y = _posture_animal()
    n = len(x)
    scores = np.full((1, n, 6), 0.99)
    snout = ("snout", *NODES_6[1:])
    with_snout = write_sleap(tmp_path / "a.analysis.h5", (x * PX)[None], (y * PX)[None], scores, snout)
    with_nose = write_sleap(tmp_path / "b.analysis.h5", (x * PX)[None], (y * PX)[None], scores, NODES_6)
    out = tmp_path / "out.csv"
    result = invoke(
        "epm", with_snout, with_nose, "--fps", FPS, "--px-per-cm", PX, "--keypoint", ",".join(NODES_6[1:5]),
        "--head-keypoint", "snout", "--duration", 60, "-o", out, "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out).set_index("animal")
    assert table.loc["a.analysis", "head_dips"] == 4
    flags = str(table.loc["b.analysis", "flags"])
    assert flags.startswith("error:") and "snout" in flags
    assert "Traceback" not in result.output


def test_posture_columns_are_blank_without_their_keypoints_or_for_zone_labels(tmp_path: Path) -> None:
    x, y = _posture_animal()
    n = len(x)
    # no head keypoint at all: every posture column blank
    paws = write_sleap(
        tmp_path / "paws.analysis.h5",
        (x[:, 1:5] * PX)[None],
        (y[:, 1:5] * PX)[None],
        np.full((1, n, 4), 0.99),
        NODES_6[1:5],
    )
    row = run_table(tmp_path, "epm", [paws], "--duration", 60, name="a.csv").iloc[0]
    for column in ("head_dips", "head_dip_time_s", "protected_head_dips", "stretched_attend_postures"):
        assert np.isnan(row[column]), column
    assert row["center_time_s"] > 0
    # a nose but no tail base: head dips counted, stretched-attend blank
    nose_only = write_sleap(
        tmp_path / "nose.analysis.h5",
        (x[:, :5] * PX)[None],
        (y[:, :5] * PX)[None],
        np.full((1, n, 5), 0.99),
        NODES_6[:5],
    )
    row = run_table(
        tmp_path, "epm", [nose_only], "--keypoint", ",".join(NODES_6[1:5]), "--duration", 60
    ).iloc[0]
    assert row["head_dips"] == 4
    assert np.isnan(row["stretched_attend_postures"]) and np.isnan(row["stretched_attend_time_s"])
    # zone labels (no positions at all)
    labels = tmp_path / "labels.csv"
    zone = ["center"] * 30 + ["open1"] * 40 + ["closed2"] * 30
    pd.DataFrame({"time": np.arange(100) / FPS, "zone": zone}).to_csv(labels, index=False)
    out = tmp_path / "labels_out.csv"
    result = invoke("epm", labels, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    row = pd.read_csv(out).iloc[0]
    assert row["open_time_s"] == pytest.approx(4.0)
    for column in ("head_dips", "unprotected_head_dips", "stretched_attend_time_s"):
        assert np.isnan(row[column]), column


def test_unusable_rows_have_blank_posture_columns(tmp_path: Path) -> None:
    x, y = _posture_animal()
    n = len(x)
    xs = np.stack([x, x]) * PX
    ys = np.stack([y, y]) * PX
    score = np.full((2, n, 6), 0.99)
    score[1, 100:, 1:5] = 0.2  # the second animal's paws (its position) gone after 10 s: > half lost
    h5 = write_sleap(tmp_path / "two.analysis.h5", xs, ys, score, NODES_6, ["good", "bad"])
    args = ("--keypoint", ",".join(NODES_6[1:5]), "--duration", 60)
    table = run_table(tmp_path, "epm", [h5], *args)
    assert table.loc["good", "head_dips"] == 4
    bad = table.loc["bad"]
    assert "unusable" in bad["flags"].split(";")
    for column in ("head_dips", "head_dip_time_s", "protected_head_dips", "unprotected_head_dips"):
        assert np.isnan(bad[column]), column
    for column in ("stretched_attend_postures", "stretched_attend_time_s", "open_time_s", "distance_cm"):
        assert np.isnan(bad[column]), column
    assert bad["frames_low_likelihood"] == n - 100 and bad["frames_missing"] == n - 100


def test_head_dips_are_counted_in_the_session_window_only(tmp_path: Path) -> None:
    x, y = _posture_animal()
    n = len(x)
    x[297:303, 0], y[297:303, 0] = 4.5, 3.3  # a dip from the closed arm straddling the window start
    h5 = write_sleap(
        tmp_path / "p.analysis.h5", (x * PX)[None], (y * PX)[None], np.full((1, n, 6), 0.99), NODES_6
    )
    args = ("--keypoint", ",".join(NODES_6[1:5]), "--start", 30, "--duration", 30)
    row = run_table(tmp_path, "epm", [h5], *args).iloc[0]
    body = np.column_stack([x[:, 1:5].mean(axis=1), y[:, 1:5].mean(axis=1)])
    head = np.column_stack([x[:, 0], y[:, 0]])
    count, protected, unprotected, seconds = _head_dips_loop(head[300:], body[300:], 1 / FPS)
    # by hand: the part of the straddling dip inside (0.3 s, protected), 2 s and 0.1 s from the open arm
    assert (count, protected, unprotected) == (3, 1, 2)
    assert seconds == pytest.approx(0.3 + 2.0 + 0.1)
    assert (row["head_dips"], row["protected_head_dips"], row["unprotected_head_dips"]) == (3, 1, 2)
    assert row["head_dip_time_s"] == pytest.approx(seconds, abs=1e-9)


def test_head_dips_over_the_edges_of_irregular_rotated_pixel_zones(tmp_path: Path) -> None:
    n = 400
    zones = _irregular_maze_cm()
    body = np.tile([17.0, -0.5], (n, 1))  # on the open arm "open_right"
    head = body + (3.0, 0.0)
    # the arm's lower edge runs from (3, -2.5) to (31, -4); its outward normal points down
    edge = np.array([28.0, -1.5])
    normal = np.array([-1.5, -28.0]) / math.hypot(1.5, 28.0)
    middle = np.array([3.0, -2.5]) + edge / 2
    head[50:60] = middle + 1.5 * normal  # 1.5 cm beyond: a dip (1 s)
    head[100:110] = middle + 0.4 * normal  # too close
    head[150:160] = middle + 5.5 * normal  # too far
    head[200:205] = middle + 4.9 * normal  # a dip (0.5 s)
    body[300:] = (0.5, -5.0)  # in the closed arm "closed_bottom", just below the hub
    head[300:] = body[300:] + (0.0, -3.0)
    head[320:330] = (6.0, -4.5)  # below the open arm's edge, nearest to it: a protected dip (1 s)
    paws = np.array([[0.8, 0.8], [0.8, -0.8], [-0.8, 0.8], [-0.8, -0.8]])
    kx = np.column_stack([head[:, 0], body[:, :1] + paws[None, :, 0], body[:, 0] - 3.0])
    ky = np.column_stack([head[:, 1], body[:, 1:] + paws[None, :, 1], body[:, 1]])
    x_px, y_px = to_px(kx, ky)
    rois = geojson(tmp_path / "rois.geojson", [(name, None, v) for name, _, v in _px_zones()])
    h5 = write_sleap(tmp_path / "p.analysis.h5", x_px[None], y_px[None], np.full((1, n, 6), 0.99), NODES_6)
    args = ("--zones", rois, "--keypoint", ",".join(NODES_6[1:5]), "--duration", 40)
    row = run_table(tmp_path, "epm", [h5], *args).iloc[0]
    count, protected, unprotected, seconds = _head_dips_loop(head, body, 1 / FPS, zones=zones)
    assert (count, protected, unprotected) == (3, 1, 2)
    assert seconds == pytest.approx(2.5)
    assert (row["head_dips"], row["protected_head_dips"], row["unprotected_head_dips"]) == (3, 1, 2)
    assert row["head_dip_time_s"] == pytest.approx(seconds, abs=1e-9)


def test_a_dip_whose_nose_drops_out_briefly_is_one_dip_after_interpolation(tmp_path: Path) -> None:
    x, y = _posture_animal()
    n = len(x)
    score = np.full((1, n, 6), 0.99)
    score[0, 455:457, 0] = 0.2  # the nose cut for 2 frames inside the 2 s dip from the open arm
    h5 = write_sleap(tmp_path / "p.analysis.h5", (x * PX)[None], (y * PX)[None], score, NODES_6)
    base = ("--keypoint", ",".join(NODES_6[1:5]), "--duration", 60)
    body = np.column_stack([x[:, 1:5].mean(axis=1), y[:, 1:5].mean(axis=1)])
    for max_gap, name in ((10, "a.csv"), (0, "b.csv")):
        row = run_table(tmp_path, "epm", [h5], *base, "--max-gap", max_gap, name=name).iloc[0]
        head = np.column_stack([x[:, 0], y[:, 0]])
        if max_gap == 0:
            head[455:457] = np.nan  # not filled: the dip is split in two
        count, protected, unprotected, seconds = _head_dips_loop(head, body, 1 / FPS)
        assert (count, unprotected) == ((4, 2) if max_gap else (5, 3))
        assert (row["head_dips"], row["protected_head_dips"], row["unprotected_head_dips"]) == (
            count,
            protected,
            unprotected,
        )
        assert row["head_dip_time_s"] == pytest.approx(seconds, abs=1e-9)


# ---------------------------------------------------------------------------------------------------------
# the same options from a preset, and the command line over it


PRESET = """
[preset]
assay = "epm"
description = "test maze"
[arena]
center_size_cm = 5.0
arm_length_cm = 30.0
arm_width_cm = 5.0
open_axis = "x"
origin = [0.0, 0.0]
rotation_deg = 0.0
[session]
duration_s = 90.0
start_zone = "center"
[tracking]
hysteresis_cm = 0.0
max_gap_frames = 5
likelihood = 0.95
max_lost = 0.5
median_window = 9
min_periods = 3
smooth_first = true
"""


def _preset_animal(tmp_path: Path) -> tuple[Path, np.ndarray, np.ndarray, np.ndarray]:
    n = 900
    rng = np.random.default_rng(18)
    bx, by = maze_tour(rng, n)
    x, y = keypoints_around(rng, bx, by, PAW_OFFSETS, sd=0.3)
    x, y = x * PX, y * PX
    score = rng.choice([0.99, 0.96, 0.93, 0.5], size=(n, 4), p=[0.6, 0.2, 0.1, 0.1])
    score[300:306] = 0.2
    score[:20] = score[-20:] = 0.99
    h5 = write_sleap(tmp_path / "pre.analysis.h5", x[None], y[None], score[None], NODES_4)
    return h5, x, y, score


@pytest.mark.parametrize(
    ("cli", "kw"),
    [
        ((), {"cut": 0.95, "max_gap": 5, "median": 9, "min_periods": 3, "smooth_first": True}),
        (
            ("--median-window", 5),
            {"cut": 0.95, "max_gap": 5, "median": 5, "min_periods": 3, "smooth_first": True},
        ),
        (
            ("--interpolate-first", "--confidence", 0.9, "--max-gap", 10),
            {"cut": 0.9, "max_gap": 10, "median": 9, "min_periods": 3},
        ),
    ],
)
def test_cleaning_options_from_a_preset_and_the_command_line_over_them(tmp_path: Path, cli, kw) -> None:
    preset = tmp_path / "maze.toml"
    preset.write_text(PRESET)
    h5, x, y, score = _preset_animal(tmp_path)
    row = run_table(tmp_path, "epm", [h5], "--protocol", preset, *cli).iloc[0]
    ref = reference(x, y, score, [0, 1, 2, 3], **kw)
    for column, value in window_counts(ref, 0, len(x)).items():
        assert row[column] == value, column
    frame_zone = zone_index(scaled_maze(), ref.x, ref.y)
    expected = summarize(scaled_maze(), EPM_KINDS, frame_zone, ref.x, ref.y)
    assert_epm_row(row, expected, distance=path_length(ref.x, ref.y))


def test_savgol_on_the_command_line_replaces_the_presets_median(tmp_path: Path) -> None:
    preset = tmp_path / "maze.toml"
    preset.write_text(PRESET)
    h5, x, y, score = _preset_animal(tmp_path)
    out = tmp_path / "out.csv"
    result = invoke(
        "epm",
        h5,
        "--fps",
        FPS,
        "--px-per-cm",
        PX,
        "--protocol",
        preset,
        "--savgol-window",
        7,
        "-o",
        out,
        "-q",
    )
    assert result.exit_code == 0, result.output
    row = pd.read_csv(out).iloc[0]
    ref = reference(x, y, score, [0, 1, 2, 3], cut=0.95, max_gap=5, savgol=7, smooth_first=True)
    assert row["distance_cm"] == pytest.approx(path_length(ref.x, ref.y), rel=1e-9)


# ---------------------------------------------------------------------------------------------------------
# hysteresis with several keypoints, borders, and the pixel scale


def _crossing_file(tmp_path: Path) -> Path:
    """Four paws walk from the centre onto the east open arm (cm, maze frame; y at +-1)."""
    blocks = [
        (10, (-1.0, -1.0, 1.0, 1.0)),  # 0-1 s: in the centre
        (5, (1.5, 1.5, 2.8, 2.8)),  # 1-1.5 s: two paws 0.3 cm over the border: split
        (5, (2.8, 2.8, 3.2, 3.2)),  # 1.5-2 s: all four on the arm, within 1 cm of the centre
        (10, (3.0, 3.0, 4.5, 4.5)),  # 2-3 s: two paws 2 cm from the centre
    ]
    x = np.concatenate([np.tile(xs, (k, 1)) for k, xs in blocks])
    y = np.tile([-1.0, 1.0, -1.0, 1.0], (len(x), 1))
    return write_sleap(
        tmp_path / "cross.analysis.h5", (x * PX)[None], (y * PX)[None], np.full((1, len(x), 4), 0.99), NODES_4
    )


@pytest.mark.parametrize(
    ("rule", "hysteresis", "center_s", "open_s", "unassigned_s"),
    [
        # stays in the centre while enough points are within 1 cm of it; the entry is dated from 1.5 s
        ("all-points", 1, 1.5, 1.5, 0.0),
        ("point", 1, 1.5, 1.5, 0.0),
        ("all-points", 0, 1.0, 1.5, 0.5),
        ("fraction:0.5", 0, 1.0, 2.0, 0.0),  # 2 of 4 on the arm, listed before the centre: the arm
    ],
)
def test_multi_point_hysteresis_and_the_date_of_an_entry(
    tmp_path: Path, rule: str, hysteresis: float, center_s: float, open_s: float, unassigned_s: float
) -> None:
    h5 = _crossing_file(tmp_path)
    args = ("--entry-rule", rule, "--hysteresis", hysteresis, "--duration", 3, "--max-gap", 0)
    row = run_table(tmp_path, "epm", [h5], *args).iloc[0]
    assert row["center_time_s"] == pytest.approx(center_s, abs=1e-9)
    assert row["open_time_s"] == pytest.approx(open_s, abs=1e-9)
    assert row["unassigned_time_s"] == pytest.approx(unassigned_s, abs=1e-9)
    assert row["open_entries"] == 1
    assert row["latency_open_s"] == pytest.approx(3.0 - open_s, abs=1e-9)


@pytest.mark.parametrize("centre_first", [False, True])
def test_points_on_the_borders_of_pixel_zones_with_zero_hysteresis(
    tmp_path: Path, centre_first: bool
) -> None:
    zones = scaled_maze()
    if centre_first:
        zones = [zones[-1], *zones[:-1]]
    rois = geojson(tmp_path / "rois.geojson", [(name, None, v * PX) for name, _, v in zones])
    spots = [
        ((0.0, 0.0), "center"),
        ((2.5, 0.0), "center" if centre_first else "open"),  # the border of the centre and the east arm
        ((10.0, 2.5), "open"),  # the east arm's side
        ((32.5, 0.0), "open"),  # its far end
        ((2.5, 2.5), "center" if centre_first else "open"),  # a corner of three zones
        ((-2.5, 10.0), "closed"),  # the north arm's side
    ]
    # one track per spot (each decided on its own first frame), 1 s each, exact in pixels and in cm
    x = np.array([np.full((10, 1), p[0] * PX) for p, _ in spots])
    y = np.array([np.full((10, 1), p[1] * PX) for p, _ in spots])
    names = [f"spot{i}" for i in range(len(spots))]
    h5 = write_sleap(tmp_path / "b.analysis.h5", x, y, np.full((len(spots), 10, 1), 0.99), ("body",), names)
    table = run_table(tmp_path, "epm", [h5], "--zones", rois, "--hysteresis", 0, "--duration", 1)
    for name, (_, kind) in zip(names, spots, strict=True):
        row = table.loc[name]
        for other in EPM_KINDS:
            assert row[f"{other}_time_s"] == pytest.approx(1.0 if other == kind else 0.0, abs=1e-9), name


@pytest.mark.parametrize("zone_file", [False, True])
def test_point_rule_zero_hysteresis_border_frames_follow_the_plain_test(
    tmp_path: Path, zone_file: bool
) -> None:
    # centre 1 s, exactly on the centre's east border (shared with the east open arm) 1 s, centre 1 s
    xs = np.repeat([0.0, 2.5, 0.0], 10)
    x = (xs * PX)[:, None]
    y = np.zeros_like(x)
    h5 = write_sleap(tmp_path / "b.analysis.h5", x[None], y[None], np.full((1, 30, 1), 0.99), ("body",))
    zones: tuple = ()
    if zone_file:
        rois = geojson(tmp_path / "rois.geojson", [(name, None, v * PX) for name, _, v in scaled_maze()])
        zones = ("--zones", rois)
    row = run_table(tmp_path, "epm", [h5], *zones, "--hysteresis", 0, "--duration", 3).iloc[0]
    # README: "on the border between an arm and the centre it is in the arm"; with --hysteresis 0 "the zone
    # of every frame is exactly the plain point-in-polygon test (inside or on the border)"
    assert row["open_time_s"] == pytest.approx(1.0, abs=1e-9)
    assert row["center_time_s"] == pytest.approx(2.0, abs=1e-9)
    assert row["open_entries"] == 1


def test_all_points_rule_zero_hysteresis_border_frames_follow_the_plain_test(tmp_path: Path) -> None:
    # the same walk with four paws (y = -1, 1): the multi-point rule gives the border frames to the arm
    xs = np.repeat([0.0, 2.5, 0.0], 10)
    x = np.repeat((xs * PX)[:, None], 4, axis=1)
    y = np.tile([-1.0, 1.0, -1.0, 1.0], (30, 1)) * PX
    h5 = write_sleap(tmp_path / "b.analysis.h5", x[None], y[None], np.full((1, 30, 4), 0.99), NODES_4)
    args = ("--entry-rule", "all-points", "--hysteresis", 0, "--duration", 3)
    row = run_table(tmp_path, "epm", [h5], *args).iloc[0]
    assert row["open_time_s"] == pytest.approx(1.0, abs=1e-9)
    assert row["center_time_s"] == pytest.approx(2.0, abs=1e-9)
    assert row["open_entries"] == 1


@pytest.mark.parametrize(
    ("hysteresis", "open_s", "off_s"), [(1.0, 3.0, 1.0), (0.5, 2.0, 2.0), (1.5, 4.0, 0.0)]
)
def test_hysteresis_is_in_cm_for_zones_drawn_in_pixels(
    tmp_path: Path, hysteresis: float, open_s: float, off_s: float
) -> None:
    rois = geojson(tmp_path / "rois.geojson", [(name, None, v * PX) for name, _, v in scaled_maze()])
    ys = np.repeat([0.0, 3.3, 3.7, 0.0], 10)  # on the arm, 0.8 cm then 1.2 cm beyond its side, back
    x = np.full((len(ys), 1), 10.0 * PX)
    h5 = write_sleap(
        tmp_path / "h.analysis.h5",
        x[None],
        (ys * PX)[:, None][None],
        np.full((1, len(ys), 1), 0.99),
        ("body",),
    )
    row = run_table(tmp_path, "epm", [h5], "--zones", rois, "--hysteresis", hysteresis, "--duration", 4).iloc[
        0
    ]
    assert row["open_time_s"] == pytest.approx(open_s, abs=1e-9)
    assert row["off_arena_time_s"] == pytest.approx(off_s, abs=1e-9)
    assert row["open_entries"] == 0  # seen again on the arm it was on: not a new entry
    assert row["latency_open_s"] == 0


def test_dlc_individual_never_detected_is_its_own_row(tmp_path: Path) -> None:
    n = 200
    x, y, score = _two_animals(17, n)
    ghost = np.full((n, 3), np.nan)
    frame = dlc_frame(
        {"zeta": (x[0], y[0], score[0]), "ghost": (ghost, ghost, ghost), "alpha": (x[1], y[1], score[1])},
        NODES_3,
        DLC_SCORER,
    )
    path = tmp_path / "videoDLC.csv"
    frame.to_csv(path)
    table = run_table(tmp_path, "epm", [path], "--duration", 20)
    assert table["animal"].tolist() == ["zeta", "ghost", "alpha"]
    ghost_row = table.loc["ghost"]
    assert "unusable" in ghost_row["flags"].split(";") or ghost_row["flags"].startswith("error:")
    if "unusable" in ghost_row["flags"]:
        assert ghost_row["frames_missing"] == n and ghost_row["frames_low_likelihood"] == 0
        assert np.isnan(ghost_row["open_time_s"]) and np.isnan(ghost_row["head_dips"])
    for k, name in ((0, "zeta"), (1, "alpha")):
        ref = reference(x[k], y[k], score[k], [0, 1, 2])
        assert table.loc[name, "distance_cm"] == pytest.approx(path_length(ref.x, ref.y), rel=1e-9)
        assert table.loc[name, "flags"] == "" or "error" not in table.loc[name, "flags"]


# ---------------------------------------------------------------------------------------------------------
# errors for bad options: exit status 2, one line naming the option, no traceback


BAD_OPTIONS = [
    (("--median-window", 4), "median_window"),
    (("--savgol-order", 5, "--savgol-window", 5), "savgol_order"),
    (("--min-periods", 3), "min_periods"),
    (("--confidence", 2), ("confidence", "likelihood")),
    (("--entry-rule", "fraction:0"), "entry_rule"),
    (("--median-window", 5, "--savgol-window", 5), "savgol_window"),
    (("--median-window", 5, "--min-periods", 7), "min_periods"),
    (("--entry-rule", "fraction:1.5"), "entry_rule"),
    (("--savgol-window", 6), "savgol_window"),
    (("--savgol-window", 5, "--min-periods", 2), "min_periods"),
]


def _pose_file(tmp_path: Path) -> Path:
    n = 40
    rng = np.random.default_rng(14)
    kx, ky = keypoints_around(rng, np.zeros(n), np.zeros(n), OFFSETS_3)
    return write_sleap(
        tmp_path / "e.analysis.h5", (kx * PX)[None], (ky * PX)[None], np.full((1, n, 3), 0.99), NODES_3
    )


@pytest.mark.parametrize(("args", "names"), BAD_OPTIONS, ids=[" ".join(map(str, a)) for a, _ in BAD_OPTIONS])
def test_a_bad_option_is_one_line_naming_it(tmp_path: Path, args: tuple, names) -> None:
    h5 = _pose_file(tmp_path)
    result = invoke("epm", h5, "--fps", FPS, "--px-per-cm", PX, *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:")
    text = lines[0].lower().replace("-", "_").replace(" ", "_")
    names = (names,) if isinstance(names, str) else names
    assert any(name in text for name in names), lines[0]


@pytest.mark.parametrize(
    "args", [a for a, _ in BAD_OPTIONS[:5]], ids=[" ".join(map(str, a)) for a, _ in BAD_OPTIONS[:5]]
)
def test_a_bad_command_line_option_is_not_blamed_on_the_preset_file(tmp_path: Path, args: tuple) -> None:
    h5 = _pose_file(tmp_path)
    result = invoke("epm", h5, "--fps", FPS, "--px-per-cm", PX, *args)
    assert result.exit_code == 2
    assert "epm-mouse.toml" not in result.output, result.output


# ---------------------------------------------------------------------------------------------------------
# LightningPose


def test_lightningpose_csv_goes_through_the_same_cleaning(tmp_path: Path) -> None:
    n = 400
    rng = np.random.default_rng(15)
    bx, by = maze_tour(rng, n)
    kx, ky = keypoints_around(rng, bx, by, OFFSETS_3, sd=0.3)
    x, y = (kx * PX).round(3), (ky * PX).round(3)
    score = rng.choice([0.99, 0.9, 0.89, 0.3], size=(n, 3), p=[0.75, 0.1, 0.05, 0.1])  # 0.9 is kept
    score[120:127] = 0.2
    path = write_single_csv(tmp_path / "mouse_lp.csv", x, y, score, NODES_3, "heatmap_tracker")
    assert path.read_text().startswith("scorer,heatmap_tracker")
    args = ("--median-window", 5, "--start", 5, "--duration", 30, "--hysteresis", 0)
    row = run_table(tmp_path, "epm", [path], *args).iloc[0]
    assert row["animal"] == "mouse_lp"
    ref = reference(x, y, score, [0, 1, 2], median=5)
    for column, value in window_counts(ref, 50, 350).items():
        assert row[column] == value, column
    wx, wy = ref.x[50:350], ref.y[50:350]
    expected = summarize(scaled_maze(), EPM_KINDS, zone_index(scaled_maze(), wx, wy), wx, wy)
    assert_epm_row(row, expected, distance=path_length(wx, wy))


def test_lightningpose_keypoint_choice_and_all_points_rule(tmp_path: Path) -> None:
    n = 500
    rng = np.random.default_rng(16)
    bx, by = maze_tour(rng, n, jitter=0.6)
    kx, ky = keypoints_around(rng, bx, by, PAW_OFFSETS, sd=0.6)
    score = np.full((n, 4), 0.97)
    path = write_single_csv(tmp_path / "lp.csv", kx * PX, ky * PX, score, NODES_4, "heatmap_mhcrnn_tracker")
    args = ("--keypoint", "paw_fl,paw_br", "--entry-rule", "all-points", "--hysteresis", 0, "--max-gap", 0)
    row = run_table(tmp_path, "epm", [path], *args, "--duration", 50).iloc[0]
    zones = scaled_maze()
    a = zone_index(zones, kx[:, 0], ky[:, 0])
    b = zone_index(zones, kx[:, 3], ky[:, 3])
    frame_zone = np.where(a == b, a, -1)
    first = int(np.flatnonzero(frame_zone >= 0)[0])
    frame_zone[:first] = -1
    cx, cy = (kx[:, 0] + kx[:, 3]) / 2, (ky[:, 0] + ky[:, 3]) / 2
    expected = summarize(zones, EPM_KINDS, frame_zone, cx, cy)
    assert_epm_row(row, expected, distance=path_length(cx, cy))
