"""A folder of files three ways: one job, ``--jobs 2``, and Dask's local cluster mapping the same function.

Writes a folder of track files (one mouse per file, 5 min at 30 fps on the plus maze, as a core facility's
tracking software exports them) and a folder of competition-binding count files
(:func:`assaykit.binding.simulate.simulate_screen`: 80% inactive, 10% partial, 10% active compounds), then
times, side by side in one run:

- tracks: ``assaykit epm FOLDER/*.csv -o endpoints.csv -q`` as a subprocess with ``--jobs 1`` and with
  ``--jobs 2`` (start-up included), and a ``dask.distributed.LocalCluster`` (2 worker processes, 1 thread
  each) mapping :func:`assaykit.tracking.files.analyze_track_file` over the files with ``client.map``,
  then :func:`assaykit.tracking.workflow.combine_track_files` and the same CSV writer;
- counts: :func:`assaykit.binding.files.analyze_counts_file` over the files in a plain loop, and mapped on
  the same cluster.

It checks that the three endpoint files are byte for byte the same, and that the two count tables are the
same, and prints seconds and ratios. The cluster's start-up is timed apart (a real cluster is running
before the job); every map is computed afresh (``pure=False``: Dask would otherwise hand back the results of
an identical earlier map). The target of issue 15 is ``--jobs 2`` at least 1.7 times faster than one
job on this 2-core machine when it is otherwise idle: the load average is printed, as other work on the
machine takes cores from the pool.

Needs Dask: ``pip install 'assaykit[dask]'`` (or ``pip install 'dask[distributed]'``).

Usage: python benchmarks/bench_scale_out.py [--track-files 200] [--count-files 40] [--curves-per-file 10]
       [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pose import make_pose_csv  # noqa: E402
from bench_tracking import FPS, SESSION_S, _epm_waypoints  # noqa: E402

from assaykit.binding.files import analyze_counts_file  # noqa: E402
from assaykit.binding.simulate import simulate_screen  # noqa: E402
from assaykit.epm import EPM  # noqa: E402
from assaykit.io.writers import write_table  # noqa: E402
from assaykit.tracking.files import analyze_track_file  # noqa: E402
from assaykit.tracking.protocol import load_tracking_protocol  # noqa: E402
from assaykit.tracking.workflow import combine_track_files  # noqa: E402

OPTIONS = {"kd_nM": 1.5, "radioligand_nM": 1.0}


def make_track_files(folder: Path, n: int, seed: int = 7) -> list[Path]:
    """Write ``n`` files ``mouse-NNNN.csv`` (``time_s,x_cm,y_cm``), one plus-maze session each."""
    rng = np.random.default_rng(seed)
    time_s = np.arange(round(SESSION_S * FPS)) / FPS
    paths = []
    for i in range(n):
        t, wx, wy = _epm_waypoints(rng)
        x = np.interp(time_s, t, wx) + rng.normal(0, 0.05, len(time_s))
        y = np.interp(time_s, t, wy) + rng.normal(0, 0.05, len(time_s))
        for start in rng.integers(0, len(time_s) - 10, 6):
            x[start : start + rng.integers(1, 8)] = np.nan
        y[np.isnan(x)] = np.nan
        path = folder / f"mouse-{i + 1:04d}.csv"
        pd.DataFrame({"time_s": time_s.round(4), "x_cm": x.round(2), "y_cm": y.round(2)}).to_csv(
            path, index=False
        )
        paths.append(path)
    return paths


def make_pose_files(folder: Path, n: int) -> tuple[list[Path], Path]:
    """Write ``n`` DeepLabCut CSVs of one mouse each (6 keypoints, pixels) and the maze's zone file."""
    rois = folder / "rois.geojson"
    paths = []
    for i in range(n):
        path = folder / f"mouse-{i + 1:04d}DLC.csv"
        make_pose_csv(1, path, rois, seed=i)
        lines = path.read_text(encoding="utf-8").split("\n", 2)  # each file its own individual's name
        lines[1] = lines[1].replace("mouse001", f"mouse{i + 1:04d}")
        path.write_text("\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths, rois


def make_count_files(folder: Path, n: int, curves: int) -> list[Path]:
    """Write ``n`` screens of ``curves`` compounds each (a plate of controls per 30), one file each."""
    paths = []
    for i in range(n):
        path = folder / f"screen-{i + 1:03d}.csv"
        simulate_screen(curves, seed=i).counts.to_csv(path, index=False)
        paths.append(path)
    return paths


def cli(files: list[Path], out: Path, jobs: int, options: list[str]) -> float:
    """Run ``assaykit epm FILES OPTIONS -o OUT -q --jobs N`` as a subprocess; return its wall time."""
    command = [sys.executable, "-m", "assaykit", "epm", *map(str, files), *options, "-o", str(out), "-q"]
    command.append("--jobs")
    start = time.perf_counter()
    done = subprocess.run([*command, str(jobs)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(command)} {jobs} failed: {done.stderr[-2000:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--track-files", type=int, default=200)
    parser.add_argument("--count-files", type=int, default=40)
    parser.add_argument("--curves-per-file", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--pose", action="store_true", help="DeepLabCut pose files (6 keypoints) instead of x, y tracks"
    )
    args = parser.parse_args()
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        sys.exit("this benchmark needs Dask: pip install 'assaykit[dask]'")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{cores} cores; load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "tracks").mkdir()
        (folder / "counts").mkdir()
        options: list[str] = []
        if args.pose:
            tracks, rois = make_pose_files(folder / "tracks", args.track_files)
            options = ["--fps", "30", "--px-per-cm", "4", "--median-window", "5", "--zones", str(rois)]
        else:
            tracks = make_track_files(folder / "tracks", args.track_files)
        counts = make_count_files(folder / "counts", args.count_files, args.curves_per_file)
        kind = "DeepLabCut, 6 keypoints" if args.pose else "x, y"
        print(f"{len(tracks)} track files ({kind}; 1 mouse, {SESSION_S * FPS:.0f} frames each)")
        print(f"{len(counts)} count files")

        times: dict[str, list[float]] = {"one job": [], "--jobs 2": []}
        for _ in range(args.repeat):  # interleaved, so that a change in the machine's load hits both
            times["one job"].append(cli(tracks, folder / "jobs1.csv", 1, options))
            times["--jobs 2"].append(cli(tracks, folder / "jobs2.csv", 2, options))

        given = {"fps": 30.0, "px_per_cm": 4.0, "median_window": 5, "zones": rois} if args.pose else {}
        protocol = load_tracking_protocol(EPM.default_preset, EPM.assay, **given)
        start = time.perf_counter()
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        with cluster, Client(cluster) as client:
            client.submit(sum, [1]).result()  # the workers are up
            startup = time.perf_counter() - start
            times["dask, 2 workers"] = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                futures = client.map(
                    analyze_track_file, [str(p) for p in tracks], spec=EPM, protocol=protocol, pure=False
                )
                run = combine_track_files(EPM, protocol, client.gather(futures))
                write_table(run.endpoints, folder / "dask.csv")
                times["dask, 2 workers"].append(time.perf_counter() - start)
            start = time.perf_counter()
            futures = client.map(analyze_counts_file, [str(p) for p in counts], options=OPTIONS, pure=False)
            on_dask = client.gather(futures)
            counts_dask = time.perf_counter() - start
        start = time.perf_counter()
        in_loop = [analyze_counts_file(str(p), OPTIONS) for p in counts]
        counts_loop = time.perf_counter() - start

        same = {name: (folder / name).read_bytes() for name in ("jobs1.csv", "jobs2.csv", "dask.csv")}
        tracks_same = len(set(same.values())) == 1
        loop_table = pd.concat([f.results for f in in_loop], ignore_index=True)
        dask_table = pd.concat([f.results for f in on_dask], ignore_index=True)
        counts_same = loop_table.to_csv(index=False) == dask_table.to_csv(index=False)
        curves = len(loop_table)

    best = {name: min(values) for name, values in times.items()}
    print(f"\ntracks: {len(tracks)} files, best of {args.repeat} (all runs in parentheses)")
    for name, value in best.items():
        runs = ", ".join(f"{v:.2f}" for v in times[name])
        print(f"  {name:<16} {value:7.2f} s  ({runs})   x{best['one job'] / value:.2f} against one job")
    print(f"  (Dask cluster start-up, not counted: {startup:.2f} s)")
    ratio = best["one job"] / best["--jobs 2"]
    print(f"  --jobs 2 speed-up: {ratio:.2f} (target >= 1.7 on an idle 2-core machine)")
    print(f"  endpoint files identical (one job, --jobs 2, Dask): {tracks_same}")
    print(f"\ncounts: {len(counts)} files, {curves} curves")
    print(f"  plain loop      {counts_loop:7.2f} s")
    print(f"  dask, 2 workers {counts_dask:7.2f} s   x{counts_loop / counts_dask:.2f}")
    print(f"  result tables identical: {counts_same}")
    print(f"\nload average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if not (tracks_same and counts_same):
        sys.exit("the ways disagree")


if __name__ == "__main__":
    main()
