"""Tracking (EPM and LDB): assaykit end to end against a bare read_csv and a per-frame occupancy count.

Generates one long CSV per assay (``animal,time_s,x_cm,y_cm``; N animals x 5 min at 30 fps), then times,
side by side in one run,

- a bare ``pandas.read_csv`` of the file (the floor: reading the input),
- ``run_tracking`` in process with the EPM (or LDB) spec, writing the endpoint table to a CSV as the CLI does,
- the movement-style alternative: ``read_csv``, a point-in-polygon test of every frame against every zone
  (``matplotlib.path.Path.contains_points``), and frame counts per animal and zone (occupancy time only: no
  entry criterion, entries, latencies, distances, gap filling or session window),
- the CLI as a subprocess (``python -m assaykit epm FILE -o out.csv -q``) against a subprocess
  ``python -c "import pandas; pandas.read_csv(FILE)"``, so that both pay the start-up costs,

and prints seconds, ratios to read_csv and peak memory (tracemalloc in process; the child's maximum resident
set size for subprocesses).

The simulated animals move smoothly: each visits arms (or compartments) a few dozen times, walking at
3-20 cm/s and lingering, with 0.05 cm of tracking jitter and a few short runs of lost frames. ``--jitter``
sets the jitter; ``--worst-case`` makes it 1 cm (as large as the entry hysteresis, so the point crosses
borders hundreds of times per animal) with ten times as many lost runs.

Usage: python benchmarks/bench_tracking.py [--animals 100] [--repeat 3] [--seed 7] [--worst-case]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.path import Path as PolygonPath

from assaykit.epm import EPM
from assaykit.ldb import LDB
from assaykit.tracking.geometry import Arena, light_dark_box, plus_maze
from assaykit.tracking.workflow import run_tracking

FPS = 30.0
SESSION_S = 300.0
DOOR_Y = 13.5
ARMS = {"open_east": (1, 0), "open_west": (-1, 0), "closed_north": (0, 1), "closed_south": (0, -1)}


def _epm_waypoints(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Waypoints of one EPM session on the mouse maze: centre pauses and arm visits."""
    p_open = rng.uniform(0.1, 0.6)
    t, x, y = [0.0], [0.0], [0.0]

    def go(px: float, py: float, speed: float, linger: float = 0.0) -> None:
        t.append(t[-1] + max(np.hypot(px - x[-1], py - y[-1]) / speed, 1 / FPS) + linger)
        x.append(px)
        y.append(py)

    while t[-1] < SESSION_S + 5:
        go(rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5), 4.0, rng.uniform(0.3, 3.0))
        open_visit = rng.random() < p_open
        ux, uy = ARMS[str(rng.choice([n for n in ARMS if n.startswith("open" if open_visit else "closed")]))]
        depth = rng.uniform(4.0, 20.0) if open_visit else rng.uniform(6.0, 29.0)
        lateral = rng.uniform(-1.5, 1.5)
        go(ux * depth + uy * lateral, uy * depth + ux * lateral, rng.uniform(8.0, 16.0))
        for _ in range(rng.integers(1, 4)):  # linger, moving a little
            d = float(np.clip(depth + rng.normal(0, 3), 3.5, 29.0))
            side = rng.uniform(-1.8, 1.8)
            go(ux * d + uy * side, uy * d + ux * side, 3.0, rng.uniform(0.5, 3.0 if open_visit else 6.0))
        go(0.0, 0.0, rng.uniform(8.0, 16.0))
    return np.array(t), np.array(x), np.array(y)


def _ldb_waypoints(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Waypoints of one session in the mouse light-dark box, placed in the dark."""
    latency, dark_stay, light_visit = rng.uniform(5, 60), rng.uniform(5, 30), rng.uniform(4, 20)
    t, x, y = [0.0], [7.0], [float(rng.uniform(8, 19))]

    def go(px: float, py: float, speed: float, linger: float = 0.0) -> None:
        t.append(t[-1] + max(np.hypot(px - x[-1], py - y[-1]) / speed, 1 / FPS) + linger)
        x.append(px)
        y.append(py)

    stay = latency
    while t[-1] < SESSION_S + 5:
        end = t[-1] + stay
        while t[-1] < end:  # wander in the dark
            go(rng.uniform(2, 13), rng.uniform(2, 25), rng.uniform(5, 12), rng.uniform(0.5, 4))
        go(12.0, DOOR_Y + rng.uniform(-2, 2), 10.0)  # to the door, and through it
        end = t[-1] + rng.exponential(light_visit)
        go(rng.uniform(18, 25), rng.uniform(9, 18), rng.uniform(10, 18))
        while t[-1] < end:  # explore the light
            go(rng.uniform(17, 43), rng.uniform(2, 25), rng.uniform(10, 20), rng.uniform(0.2, 2))
        go(18.0, DOOR_Y + rng.uniform(-2, 2), rng.uniform(12, 20))  # back through the door
        go(rng.uniform(8, 12), DOOR_Y + rng.uniform(-3, 3), 12.0)
        stay = rng.exponential(dark_stay)
    return np.array(t), np.array(x), np.array(y)


def make_tracks(
    assay: str, n_animals: int, path: Path, *, seed: int = 7, jitter: float = 0.05, lost_runs: int = 6
) -> None:
    """Write a long track CSV: ``animal,time_s,x_cm,y_cm``, one 5-min session at 30 fps per animal.

    Positions are the waypoints joined by straight walks, plus Gaussian jitter of ``jitter`` cm; each
    animal loses ``lost_runs`` runs of 1-7 frames (empty x and y cells).
    """
    rng = np.random.default_rng(seed)
    waypoints = _epm_waypoints if assay == "epm" else _ldb_waypoints
    time_s = np.arange(round(SESSION_S * FPS)) / FPS
    frames = []
    for i in range(n_animals):
        t, wx, wy = waypoints(rng)
        x = np.interp(time_s, t, wx) + rng.normal(0, jitter, len(time_s))
        y = np.interp(time_s, t, wy) + rng.normal(0, jitter, len(time_s))
        for start in rng.integers(0, len(time_s) - 10, lost_runs):
            x[start : start + rng.integers(1, 8)] = np.nan
        y[np.isnan(x)] = np.nan
        table = {"animal": f"{assay}-{i + 1:04d}", "time_s": time_s.round(4), "x_cm": x.round(2)}
        frames.append(pd.DataFrame({**table, "y_cm": y.round(2)}))
    pd.concat(frames, ignore_index=True).to_csv(path, index=False)


def occupancy_count(path: Path, arena: Arena, out: Path) -> None:
    """The movement-style alternative: point-in-polygon per frame and zone, then frame counts per animal."""
    frame = pd.read_csv(path)
    points = frame[["x_cm", "y_cm"]].to_numpy()
    codes, animals = pd.factorize(frame["animal"], sort=False)
    seconds = {}
    for zone in arena.zones:
        inside = PolygonPath(zone.polygon).contains_points(points)
        seconds[f"{zone.name}_s"] = np.bincount(codes[inside], minlength=len(animals)) / FPS
    pd.DataFrame(seconds, index=pd.Index(animals, name="animal")).to_csv(out)


def timed(tasks: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Best of ``repeat`` seconds for each task, the tasks taking turns (so drifting load hits all alike)."""
    best = dict.fromkeys(tasks, np.inf)
    for _ in range(repeat):
        for name, task in tasks.items():
            t0 = time.perf_counter()
            task()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def traced_peak(task: Callable[[], object]) -> float:
    """Peak memory (MiB) allocated while ``task`` runs, by tracemalloc."""
    tracemalloc.start()
    task()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


#: Times child processes from a small process of its own, whose children do not inherit (and report) the
#: benchmark's memory: prints ``{"seconds": {name: [every run]}, "peak_mib": {name: max resident set}}``.
RUNNER = """
import json, os, subprocess, sys, time
commands, repeat = json.loads(sys.argv[1]), int(sys.argv[2])
seconds, peak = {name: [] for name in commands}, dict.fromkeys(commands, 0.0)
for _ in range(repeat):
    for name, command in commands.items():
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        seconds[name].append(time.perf_counter() - start)
        peak[name] = max(peak[name], usage.ru_maxrss / 1024)  # KiB on Linux
        if os.waitstatus_to_exitcode(status):
            sys.exit(f"{command} failed")
print(json.dumps({"seconds": seconds, "peak_mib": peak}))
"""


def process_runs(
    commands: dict[str, list[str]], repeat: int
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Seconds of every run and peak resident memory (MiB) of each command, taking turns (:data:`RUNNER`)."""
    report = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(commands), str(repeat)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(report.stdout)
    return result["seconds"], result["peak_mib"]


def timed_processes(commands: dict[str, list[str]], repeat: int) -> tuple[dict[str, float], dict[str, float]]:
    """Best seconds and peak resident memory (MiB) of each command, taking turns."""
    runs, peak = process_runs(commands, repeat)
    return {name: min(seconds) for name, seconds in runs.items()}, peak


APPARATUS = {
    "epm": (EPM, plus_maze(center_size=5.0, arm_length=30.0, arm_width=5.0)),  # the epm-mouse preset
    "ldb": (LDB, light_dark_box(width=45.0, depth=27.0, divider=15.0)),  # the ldb-mouse preset
}


def bench(assay: str, args: argparse.Namespace, folder: Path) -> None:
    """Time one assay: in process against read_csv, then as subprocesses; print the table."""
    spec, arena = APPARATUS[assay]
    path, out = folder / f"{assay}.csv", folder / f"{assay}_endpoints.csv"
    make_tracks(assay, args.animals, path, seed=args.seed, jitter=args.jitter, lost_runs=args.lost_runs)
    visits = len(run_tracking(spec, [path], output=out).episodes) / args.animals
    size = path.stat().st_size / 2**20
    print(
        f"\n{assay.upper()}: {args.animals} animals x {round(SESSION_S * FPS)} frames, {size:.1f} MiB CSV, "
        f"jitter {args.jitter:g} cm, {visits:.0f} zone visits per animal; best of {args.repeat}"
    )
    tasks = {
        "pandas.read_csv": lambda: pd.read_csv(path),
        f"assaykit run_tracking ({assay})": lambda: run_tracking(spec, [path], output=out),
        "movement-style occupancy": lambda: occupancy_count(path, arena, folder / "occupancy.csv"),
    }
    seconds = timed(tasks, args.repeat)
    peaks = {name: traced_peak(task) for name, task in tasks.items()}
    rows = [(name, value, value / seconds["pandas.read_csv"], peaks[name]) for name, value in seconds.items()]
    python = sys.executable
    cli = [python, "-m", "assaykit", assay, str(path), "-o", str(out), "-q"]
    commands = {
        "python -c 'pandas.read_csv'": [python, "-c", f"import pandas; pandas.read_csv({str(path)!r})"],
        f"assaykit {assay} -o out.csv -q (CLI)": cli,
    }
    seconds, resident = timed_processes(commands, args.repeat)
    floor = seconds["python -c 'pandas.read_csv'"]
    rows += [(name, value, value / floor, resident[name]) for name, value in seconds.items()]
    print(f"{'':38} {'seconds':>8} {'x read_csv':>11} {'peak MiB':>9}")
    for name, value, ratio, peak in rows:
        print(f"{name:38} {value:8.3f} {ratio:11.2f} {peak:9.1f}")
    print("(peak MiB: tracemalloc in process; the child's maximum resident set size for subprocesses)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--animals", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jitter", type=float, default=0.05, help="tracking jitter, cm (default 0.05)")
    parser.add_argument("--lost-runs", type=int, default=6, help="runs of lost frames per animal")
    parser.add_argument("--worst-case", action="store_true", help="2 cm jitter and 60 lost runs per animal")
    parser.add_argument("--assay", choices=["epm", "ldb", "both"], default="both")
    args = parser.parse_args()
    if args.worst_case:
        args.jitter, args.lost_runs = 2.0, 60
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        for assay in ("epm", "ldb") if args.assay == "both" else (args.assay,):
            bench(assay, args, Path(tmp))


if __name__ == "__main__":
    main()
