"""1,000 competition-curve figures: assaykit's batch against what a user would otherwise run.

Times, on the same 1,000 simulated curves (11 concentrations in triplicate, a one-site fit each):

- ``draw_figures`` of ``plot_competition`` jobs over every usable core (PNG at 200 dpi), the whole batch;
- the same into report thumbnails (``figures_bytes``: PNG at 100 dpi, palette-quantised), the whole batch;
- a plain pyplot loop, what a user would otherwise write: ``plt.subplots`` + ``tight_layout`` +
  ``savefig(bbox_inches="tight")`` + ``plt.close`` per curve (points, means, the fitted sigmoid, a legend;
  less than assaykit draws), timed on ``--sample`` curves and scaled to all;
- the code of main before the fast layout (``plot_competition`` with constrained layout, one parser per
  figure), serial as ``--plot`` ran it, timed on ``--sample`` curves and scaled: ``--old-src`` names the
  ``src`` folder of that checkout (``git worktree add /tmp/old b3fdeaf``), run in a subprocess.

The two batches run ``--repeat`` times (default 3) and their median is reported, with the CPU seconds they
took (this process and its workers): on a machine shared with other work the wall time grows, the CPU time
much less. It prints seconds, figures per second, the ratios, and whether the issue's target holds (1,000
figures in under 60 s on this machine). Usage: ``python benchmarks/bench_figures.py [--figures 1000]
[--sample 50] [--repeat 3] [--old-src /tmp/old/src]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.binding.plots import plot_competition
from assaykit.figure_jobs import FigureJob, draw_figures, figures_bytes
from assaykit.parallel import worker_count
from assaykit.progress import ProgressBar

SERIAL = textwrap.dedent(
    """
    import sys, time, pickle
    from assaykit.binding.plots import plot_competition
    curves, folder = pickle.load(open(sys.argv[1], "rb")), sys.argv[2]
    start = time.perf_counter()
    for i, (points, fit) in enumerate(curves):
        path = f"{folder}/c{i}.png"
        plot_competition(points, fit, path, title=f"compound {i}", total_mean=3100.0, nsb_mean=240.0)
    print(time.perf_counter() - start)
    """
)


def curves(n: int, seed: int = 0) -> list[tuple[pd.DataFrame, dict[str, float]]]:
    """``n`` simulated one-site curves with their fitted parameters."""
    rng = np.random.default_rng(seed)
    x = np.repeat(np.linspace(-11.0, -5.0, 11), 3)
    out = []
    for log_ic50 in rng.uniform(-10.0, -6.0, n):
        signal = 250 + 2850 / (1 + 10 ** (x - log_ic50)) + rng.normal(0, 60, x.size)
        fit = {"top": 3100.0, "bottom": 250.0, "hill_slope": -1.0, "log_ic50": float(log_ic50)}
        fit |= {"ki_nM": 10 ** (log_ic50 + 9) / 2, "model": "one-site"}
        out.append((pd.DataFrame({"log_conc_M": x, "signal": signal}), fit))
    return out


def pyplot_loop(data: list[tuple[pd.DataFrame, dict[str, float]]], folder: Path) -> float:
    """The plain loop a user would write; return its seconds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    start = time.perf_counter()
    for i, (points, fit) in enumerate(data):
        fig, ax = plt.subplots(figsize=(4.5, 3.4))
        conc = 10.0 ** points["log_conc_M"]
        ax.plot(conc, points["signal"], "o", mfc="none", label="replicates")
        means = points.groupby("log_conc_M")["signal"].mean()
        ax.plot(10.0**means.index, means, "o", label="mean")
        grid = np.linspace(-11.5, -4.5, 400)
        y = fit["bottom"] + (fit["top"] - fit["bottom"]) / (
            1 + 10 ** ((fit["log_ic50"] - grid) * fit["hill_slope"])
        )
        ax.plot(10.0**grid, y, "-", label="fit")
        ax.set_xscale("log")
        ax.set_xlabel("[competitor] (M)")
        ax.set_ylabel("Bound (cpm)")
        ax.set_title(f"compound {i}")
        ax.legend()
        fig.tight_layout()
        fig.savefig(folder / f"p{i}.png", dpi=200, bbox_inches="tight")
        plt.close(fig)
    return time.perf_counter() - start


def old_serial(data: list[tuple[pd.DataFrame, dict[str, float]]], folder: Path, old_src: str) -> float:
    """``plot_competition`` of the old checkout, serial, in a subprocess; return its seconds."""
    import pickle

    dump = folder / "curves.pickle"
    dump.write_bytes(pickle.dumps(data))
    env = {**os.environ, "PYTHONPATH": old_src}
    out = subprocess.run(
        [sys.executable, "-c", SERIAL, str(dump), str(folder)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children (the workers of a finished batch)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of ``run()``."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    run()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=int, default=1000)
    parser.add_argument(
        "--sample", type=int, default=50, help="curves the slow loops are timed on, then scaled"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of the two batches (median reported)")
    parser.add_argument("--old-src", default=None, help="src folder of the code before the change")
    args = parser.parse_args()
    n, sample = args.figures, min(args.sample, args.figures)
    data = curves(n)
    jobs = [
        FigureJob(
            plot_competition, (p, f), {"title": f"compound {i}", "total_mean": 3100.0, "nsb_mean": 240.0}
        )
        for i, (p, f) in enumerate(data)
    ]
    print(f"{n} competition-curve figures, {worker_count()} workers, {os.cpu_count()} cores")
    rows: list[tuple[str, float]] = []
    thumbs: list[bytes] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        batches: dict[str, list[tuple[float, float]]] = {"png": [], "thumbnails": []}
        paths = [folder / f"a{i}.png" for i in range(n)]

        def thumbnails() -> None:
            thumbs[:] = figures_bytes(jobs, "png", dpi=100, small=True)

        for run in range(max(1, args.repeat)):
            bar = ProgressBar(f"figures, run {run + 1}")
            batches["png"].append(timed(lambda: draw_figures(jobs, paths, progress=bar)))  # noqa: B023
            bar.close()
            batches["thumbnails"].append(timed(thumbnails))
            print(
                f"run {run + 1}: PNG {batches['png'][-1][0]:.1f} s ({batches['png'][-1][1]:.1f} CPU s), "
                f"thumbnails {batches['thumbnails'][-1][0]:.1f} s ({batches['thumbnails'][-1][1]:.1f} CPU s)"
            )
        batch = statistics.median(wall for wall, _ in batches["png"])
        cpu = {k: statistics.median(c for _, c in v) for k, v in batches.items()}
        rows.append(("assaykit draw_figures, PNG 200 dpi, all cores (median)", batch))
        rows.append(
            (
                "assaykit figures_bytes, thumbnails (PNG 100 dpi, palette) (median)",
                statistics.median(wall for wall, _ in batches["thumbnails"]),
            )
        )
        size = sum(map(len, thumbs))
        pyplot = pyplot_loop(data[:sample], folder) * n / sample
        rows.append((f"pyplot loop, tight_layout + bbox_inches='tight' (scaled from {sample})", pyplot))
        if args.old_src:
            old = old_serial(data[:sample], folder, args.old_src) * n / sample
            rows.append((f"main before the change, serial plot_competition (scaled from {sample})", old))
    for name, seconds in rows:
        print(f"{name:<78} {seconds:7.1f} s  {n / seconds:6.1f} fig/s  {seconds / batch:5.2f}x the batch")
    print(
        f"thumbnails: {size / n / 1024:.1f} KiB each, {size * 96 / n / 2**20:.2f} MiB for a 96-curve screen"
    )
    print(
        f"CPU seconds (median): PNG {cpu['png']:.1f} ({1000 * cpu['png'] / n:.0f} ms a figure), "
        f"thumbnails {cpu['thumbnails']:.1f} ({1000 * cpu['thumbnails'] / n:.0f} ms a figure)"
    )
    print(f"target (1,000 figures in under 60 s): {'holds' if batch * 1000 / n < 60 else 'missed'}")


if __name__ == "__main__":
    main()
