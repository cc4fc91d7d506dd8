"""Competition binding: assaykit end to end against the usual alternatives, side by side in one run.

Generates N competition curves (11 concentrations x triplicate, long CSV), then times

- a bare ``pandas.read_csv`` of the same file (the floor: reading the input),
- ``assaykit binding`` end to end (read, validate, fit every curve with SEs, CIs and flags),
- a per-curve lmfit loop (``lmfit.Model`` of the same equation, one ``fit`` per curve),
- a per-curve ``scipy.optimize.curve_fit`` loop,

and prints seconds, milliseconds per curve, ratios and peak memory (tracemalloc).

Usage: python benchmarks/bench_binding.py [--curves 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path

import lmfit
import numpy as np
import pandas as pd
from scipy.optimize import curve_fit

from assaykit.binding.workflow import run_binding


def logistic(x, top, bottom, log_ic50, hill_slope):
    return bottom + (top - bottom) / (1.0 + 10.0 ** ((log_ic50 - x) * hill_slope))


def make_counts(n_curves: int, path: Path, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    log_c = np.arange(-11.0, -5.4, 0.5)  # 11 concentrations
    rows = []
    for i in range(n_curves):
        log_ic50 = rng.uniform(-9.5, -7.0)
        hill = rng.uniform(-1.3, -0.8)
        plate = str(i // 30 + 1)
        y = logistic(np.repeat(log_c, 3), 3000.0, 250.0, log_ic50, hill)
        y = rng.poisson(y * rng.normal(1.0, 0.04, y.size).clip(0.5))
        for lc, value, rep in zip(np.repeat(log_c, 3), y, np.tile([1, 2, 3], log_c.size), strict=True):
            rows.append((plate, f"cmpd{i:05d}", rep, 10 ** (lc + 9), value))
    frame = pd.DataFrame(rows, columns=["plate", "compound", "replicate", "conc_nM", "cpm"])
    controls = []
    for plate in frame["plate"].unique():
        controls += [(plate, "TOTAL", r, np.nan, int(rng.normal(3000, 90))) for r in range(4)]
        controls += [(plate, "NSB", r, np.nan, int(rng.normal(250, 15))) for r in range(4)]
    frame = pd.concat([pd.DataFrame(controls, columns=frame.columns), frame], ignore_index=True)
    frame.to_csv(path, index=False)


def groups(path: Path) -> list[tuple[np.ndarray, np.ndarray]]:
    frame = pd.read_csv(path)
    frame = frame[~frame["compound"].isin(["TOTAL", "NSB"])]
    frame["x"] = np.log10(frame["conc_nM"] * 1e-9)
    return [(g["x"].to_numpy(), g["cpm"].to_numpy(float)) for _, g in frame.groupby("compound", sort=False)]


def start(x: np.ndarray, y: np.ndarray) -> list[float]:
    return [float(y[x == x.min()].mean()), float(y[x == x.max()].mean()), float(np.median(x)), -1.0]


def lmfit_loop(path: Path) -> None:
    model = lmfit.Model(logistic)
    for x, y in groups(path):
        top, bottom, mid, hill = start(x, y)
        model.fit(y, x=x, top=top, bottom=bottom, log_ic50=mid, hill_slope=hill)


def curve_fit_loop(path: Path) -> None:
    for x, y in groups(path):
        curve_fit(logistic, x, y, p0=start(x, y), maxfev=10000)


def assaykit_run(path: Path) -> None:
    run_binding([path], kd_nM=1.5, radioligand_nM=1.0)


def timed(func: Callable[[Path], object], path: Path, repeat: int) -> tuple[float, float]:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        func(path)
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    func(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curves", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "counts.csv"
        make_counts(args.curves, path)
        size = path.stat().st_size / 2**20
        print(f"{args.curves} curves x 33 tubes, {size:.1f} MiB CSV; best of {args.repeat}")
        results = {
            "pandas.read_csv": timed(pd.read_csv, path, args.repeat),
            "assaykit binding": timed(assaykit_run, path, args.repeat),
            "lmfit loop": timed(lmfit_loop, path, args.repeat),
            "curve_fit loop": timed(curve_fit_loop, path, args.repeat),
        }
    ours = results["assaykit binding"][0]
    print(f"{'':18} {'seconds':>9} {'ms/curve':>9} {'peak MiB':>9} {'x assaykit':>11}")
    for name, (seconds, peak) in results.items():
        print(
            f"{name:18} {seconds:9.3f} {1e3 * seconds / args.curves:9.3f} {peak:9.1f} {seconds / ours:11.2f}"
        )
    print(
        f"assaykit is {results['lmfit loop'][0] / ours:.2f}x the speed of an lmfit loop, "
        f"{results['curve_fit loop'][0] / ours:.2f}x of a curve_fit loop, "
        f"and takes {ours / results['pandas.read_csv'][0]:.0f}x a bare read_csv"
    )


if __name__ == "__main__":
    main()
