"""Pose estimation (multi-animal DeepLabCut CSV): assaykit against a bare read_csv and the pandas recipe.

Generates ONE multi-animal DeepLabCut CSV (four header rows: ``scorer``, ``individuals``, ``bodyparts``,
``coords``; N animals x 6 keypoints x 5 min at 30 fps, in pixels) and the maze's zones drawn in pixels (a
GeoJSON FeatureCollection as movement's ``save_rois`` writes it), then times, side by side in one run:

- a bare ``pandas.read_csv(FILE, header=[0, 1, 2, 3], index_col=0)`` (the floor: reading the input);
- ``run_tracking(EPM, [FILE], fps=30, px_per_cm=4, median_window=5, zones=ROIS, output=OUT)`` in process:
  every keypoint cleaned (confidence cut 0.9, gaps of up to 10 frames filled, a centred 5-frame rolling
  median), the zones, entries with hysteresis, latencies, distances, head dips and stretched-attend
  postures, the endpoint CSV written;
- the recipe a scientist would write with pandas and matplotlib: per animal and keypoint,
  ``where(likelihood >= 0.9)``, ``interpolate(limit=10, limit_area="inside")``,
  ``rolling(5, center=True).median()``; the centroid of the keypoints; ``matplotlib.path.Path``
  ``.contains_points`` per zone; and seconds per zone as a per-frame time sum. It does less: no entries,
  no hysteresis, no latencies, distances or postures, no session window;
- the command, ``python -m assaykit epm FILE --fps 30 --px-per-cm 4 --median-window 5 --zones ROIS -o
  OUT -q``, against ``python -c`` doing the bare read, so that both pay the start-up costs.

Each task runs ``--repeat`` times (5), the tasks taking turns so that drifting load hits all alike; the
table gives the best and the median run, ratios of the best runs, and the peak memory: tracemalloc's peak
for the tasks in process (one extra, untimed run each), the child's maximum resident set size for the
commands, each also as a ratio to the bare read's (issue 15's target: assaykit under 2 times a bare
``read_csv`` of the same file, both as traced and as resident memory).

The animals are the pose example's simulated mice (``examples/epm/pose/make_pose.py``: a six-node body that
faces its direction of travel, curls and stretches, head dips and stretched-attend postures, SLEAP-like
jitter, score runs and lost points), 5 min at 30 fps each, placed in the same image (maze centre at pixel
(480, 360), turned by 3 degrees) with the example's zone file. Missing points are empty cells, as
multi-animal DeepLabCut writes them; coordinates are written to 0.01 px and likelihoods to 0.0001.

Usage: python benchmarks/bench_pose.py [--animals 100] [--repeat 5] [--seed 7]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.path import Path as PolygonPath

from assaykit.epm import EPM
from assaykit.tracking.workflow import run_tracking

sys.path.insert(0, str(Path(__file__).parent))
from bench_tracking import process_runs, traced_peak  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FPS = 30.0
SESSION_S = 300.0
PX_PER_CM = 4.0
LIKELIHOOD = 0.9
MAX_GAP = 10
WINDOW = 5


def _example_generator():
    """The pose example's generator, ``examples/epm/pose/make_pose.py``, as a module."""
    spec = importlib.util.spec_from_file_location(
        "make_pose", ROOT / "examples" / "epm" / "pose" / "make_pose.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_pose_csv(n_animals: int, path: Path, rois: Path, *, seed: int = 7) -> None:
    """Write a multi-animal DeepLabCut CSV of ``n_animals`` simulated mice and the maze's zone file.

    Each animal behaves as one of the example's mice, with its own chance of visiting an open arm (0.15 to
    0.6), of head dips and of stretched-attend postures.
    """
    pose = _example_generator()
    rng = np.random.default_rng(seed)
    time_s = np.arange(round(SESSION_S * FPS)) / FPS
    nodes = list(pose.NODES)
    blocks = []
    for _ in range(n_animals):
        mouse = pose.Mouse(
            p_open=rng.uniform(0.15, 0.6),
            p_head_dip=rng.uniform(0.0, 0.4),
            centre_dips=(3,),
            p_stretch=rng.uniform(0.0, 0.6),
        )
        _, x, y, scores, _ = pose.simulate_mouse(rng, mouse, time_s)
        scores = np.where(np.isnan(x), np.nan, scores)  # an individual's missing point: three empty cells
        block = np.empty((len(time_s), 3 * len(nodes)))
        block[:, 0::3], block[:, 1::3], block[:, 2::3] = x.round(2), y.round(2), scores.round(4)
        blocks.append(block)
    individuals = [f"mouse{i + 1:03d}" for i in range(n_animals)]
    header = {
        "scorer": ["DLC_resnet50_epmJan1shuffle1_200000"] * (3 * len(nodes) * n_animals),
        "individuals": [a for a in individuals for _ in range(3 * len(nodes))],
        "bodyparts": [p for _ in individuals for p in nodes for _ in range(3)],
        "coords": ["x", "y", "likelihood"] * (len(nodes) * n_animals),
    }
    write_csv(path, header, np.hstack(blocks))
    pose.write_rois(rois, pose.make_rois())


def write_csv(path: Path, header: dict[str, list[str]], values: np.ndarray) -> None:
    """Write a DeepLabCut CSV: the header rows, then the frame index and the values, NaN as an empty cell.

    The same text as ``DataFrame.to_csv`` with those header rows as column levels (each number as its
    shortest repr), about three times faster: each distinct value is formatted once.
    """
    distinct, where = np.unique(values, return_inverse=True)
    text = np.array(["" if np.isnan(v) else repr(v) for v in distinct.tolist()], dtype=object)
    cells = text[where.reshape(values.shape)]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for name, labels in header.items():
            handle.write(",".join([name, *labels]) + "\n")
        for i, row in enumerate(cells.tolist()):
            handle.write(f"{i}," + ",".join(row) + "\n")


def zone_polygons(rois: Path) -> dict[str, np.ndarray]:
    """The zone file's polygons (px), by name."""
    features = json.loads(rois.read_text())["features"]
    return {f["properties"]["name"]: np.array(f["geometry"]["coordinates"][0]) for f in features}


def pandas_recipe(path: Path, zones: dict[str, np.ndarray], out: Path) -> pd.DataFrame:
    """The usual pandas recipe: clean each keypoint, take the centroid, count seconds per zone (does less)."""
    frame = pd.read_csv(path, header=[0, 1, 2, 3], index_col=0)
    scorer = frame.columns.get_level_values(0)[0]
    individuals = frame.columns.get_level_values(1).unique()
    bodyparts = frame.columns.get_level_values(2).unique()
    rows = {}
    for animal in individuals:
        xs, ys = [], []
        for part in bodyparts:
            keep = frame[scorer, animal, part, "likelihood"] >= LIKELIHOOD
            for coord, out_list in (("x", xs), ("y", ys)):
                values = frame[scorer, animal, part, coord].where(keep)
                values = values.interpolate(limit=MAX_GAP, limit_area="inside")
                out_list.append(values.rolling(WINDOW, center=True).median())
        points = np.column_stack([pd.concat(xs, axis=1).mean(axis=1), pd.concat(ys, axis=1).mean(axis=1)])
        rows[animal] = {
            f"{name}_s": PolygonPath(polygon).contains_points(points).sum() / FPS
            for name, polygon in zones.items()
        }
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("animal")
    table.to_csv(out)
    return table


def timed(
    tasks: dict[str, Callable[[], object]], repeat: int
) -> tuple[dict[str, list[float]], dict[str, object]]:
    """Seconds of each run of each task, the tasks taking turns; and each task's last result."""
    runs: dict[str, list[float]] = {name: [] for name in tasks}
    results: dict[str, object] = {}
    for _ in range(repeat):
        for name, task in tasks.items():
            start = time.perf_counter()
            results[name] = task()
            runs[name].append(time.perf_counter() - start)
    return runs, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--animals", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path, rois = folder / "pose.csv", folder / "rois.geojson"
        out, recipe_out = folder / "endpoints.csv", folder / "recipe.csv"
        start = time.perf_counter()
        make_pose_csv(args.animals, path, rois, seed=args.seed)
        made = time.perf_counter() - start
        size = path.stat().st_size / 2**20
        print(
            f"{args.animals} animals x {round(SESSION_S * FPS)} frames x 6 keypoints in one multi-animal "
            f"DeepLabCut CSV: {size:.0f} MiB, written in {made:.0f} s; {args.repeat} runs each; "
            f"pandas {pd.__version__}, numpy {np.__version__}"
        )
        options = {"fps": FPS, "px_per_cm": PX_PER_CM, "median_window": WINDOW, "zones": str(rois)}
        zones = zone_polygons(rois)
        tasks = {
            "pandas.read_csv": lambda: pd.read_csv(path, header=[0, 1, 2, 3], index_col=0),
            "assaykit run_tracking": lambda: run_tracking(EPM, [path], output=out, **options),
            "pandas recipe (does less)": lambda: pandas_recipe(path, zones, recipe_out),
        }
        runs, results = timed(tasks, args.repeat)
        check(results["assaykit run_tracking"].endpoints, results["pandas recipe (does less)"])
        peaks = {name: traced_peak(task) for name, task in tasks.items()}
        python = sys.executable
        read = f"import pandas; pandas.read_csv({str(path)!r}, header=[0, 1, 2, 3], index_col=0)"
        cli = [python, "-m", "assaykit", "epm", str(path), "--fps", "30", "--px-per-cm", "4"]
        cli += ["--median-window", "5", "--zones", str(rois), "-o", str(out), "-q"]
        commands = {"python -c 'pandas.read_csv'": [python, "-c", read], "assaykit epm (command)": cli}
        process_runs_seconds, resident = process_runs(commands, args.repeat)
        report(runs, peaks, process_runs_seconds, resident)


def check(endpoints: pd.DataFrame, recipe: pd.DataFrame) -> None:
    """Print how far the recipe's plain occupancy is from assaykit's zone times (they count differently)."""
    kinds = {"open": ("open_left_s", "open_right_s"), "closed": ("closed_top_s", "closed_bottom_s")}
    rows = endpoints.set_index("animal")
    for kind, names in kinds.items():
        theirs = recipe[list(names)].sum(axis=1).reindex(rows.index)
        gap = (rows[f"{kind}_time_s"] - theirs).abs()
        print(f"  {kind} arm time, assaykit - recipe: median {gap.median():.2f} s, largest {gap.max():.2f} s")
    print(
        f"  assaykit: head dips per animal {rows['head_dips'].mean():.1f}, stretched-attend postures "
        f"{rows['stretched_attend_postures'].mean():.1f}, lost {rows['lost_time_s'].mean():.1f} s"
    )


def report(
    runs: dict[str, list[float]],
    peaks: dict[str, float],
    process_runs: dict[str, list[float]],
    resident: dict[str, float],
) -> None:
    """Print the table: best and median seconds, ratios of the best runs, peak memory."""
    best = {name: min(values) for name, values in {**runs, **process_runs}.items()}
    floor, start_floor = best["pandas.read_csv"], best["python -c 'pandas.read_csv'"]
    traced_floor, resident_floor = peaks["pandas.read_csv"], resident["python -c 'pandas.read_csv'"]
    print(f"\n{'':32} {'best s':>8} {'median s':>9} {'x floor':>8} {'peak MiB':>9} {'x floor':>8}")
    for name, values in runs.items():
        line = f"{name:32} {best[name]:8.2f} {statistics.median(values):9.2f} {best[name] / floor:8.2f}"
        print(f"{line} {peaks[name]:9.0f} {peaks[name] / traced_floor:8.2f}")
    for name, values in process_runs.items():
        line = f"{name:32} {best[name]:8.2f} {statistics.median(values):9.2f} {best[name] / start_floor:8.2f}"
        print(f"{line} {resident[name]:9.0f} {resident[name] / resident_floor:8.2f}")
    traced, rss = peaks["assaykit run_tracking"], resident["assaykit epm (command)"]
    print(
        f"Peak memory against a bare read_csv of the same file (target: under 2x): traced {traced:.0f} MiB "
        f"against {traced_floor:.0f} MiB ({traced / traced_floor:.2f}x, tracemalloc, in process); "
        f"resident {rss:.0f} MiB against {resident_floor:.0f} MiB ({rss / resident_floor:.2f}x, maximum "
        "resident set of the command and of python -c doing the read)."
    )
    recipe, assaykit = best["pandas recipe (does less)"], best["assaykit run_tracking"]
    print(
        "(x floor: in process, x pandas.read_csv; commands, x the python -c read, start-up included. "
        "Peak MiB: tracemalloc in process, maximum resident set for commands; its x floor against the same "
        "floors.)\n"
        f"The pandas recipe takes {recipe / assaykit:.2f}x assaykit's time and does less: no entries, no "
        "hysteresis, no latencies, distances or postures, no session window."
    )


if __name__ == "__main__":
    main()
