"""Competition binding at screening scale: assaykit against the usual alternatives, side by side in one run.

Generates N competition curves (11 concentrations x triplicate, one long CSV with each plate's TOTAL and
NSB tubes), then times, on the same file:

- a bare ``pandas.read_csv`` of the file (the floor: reading the input);
- ``assaykit binding`` in-process (``run_binding``: read, validate, fit every curve with SEs, CIs, Ki and
  flags, write the results CSV), with the engine ``--engine`` chooses (``auto`` = batch here);
- ``assaykit binding FILE --kd 1.5 --radioligand 1 -o out.csv -q`` as a subprocess, start-up included,
  next to a subprocess that only imports pandas and reads the file;
- a per-curve lmfit loop (``lmfit.Model`` of the same equation, one ``fit`` per curve);
- a per-curve ``scipy.optimize.curve_fit`` loop.

The loops fit the same curves from the same data-driven starting values and report nothing beyond the
parameters and their covariance, so they are a lower bound on a real per-curve analysis. It prints seconds,
milliseconds per curve, peak memory (tracemalloc, in-process runs) and the ratios, and checks that the
batch engine's log IC50 agrees with the curve_fit loop's.

Usage: python benchmarks/bench_binding.py [--curves 10000] [--repeat 3] [--loop-curves N]

``--loop-curves N`` times the two loops on a file of the first N curves only and scales their time to all
curves (printed as such); the default runs them on every curve.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
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
    """Write ``n_curves`` curves, 30 per plate, with each plate's four TOTAL and four NSB tubes first."""
    rng = np.random.default_rng(seed)
    log_c = np.arange(-11.0, -5.4, 0.5)  # 11 concentrations
    x = np.repeat(log_c, 3)
    log_ic50 = rng.uniform(-9.5, -7.0, n_curves)
    hill = rng.uniform(-1.3, -0.8, n_curves)
    mean = logistic(x[None, :], 3000.0, 250.0, log_ic50[:, None], hill[:, None])
    cpm = rng.poisson(mean * rng.normal(1.0, 0.04, mean.shape).clip(0.5))
    curves = pd.DataFrame(
        {
            "plate": np.repeat(np.arange(n_curves) // 30 + 1, x.size).astype(str),
            "compound": np.repeat([f"cmpd{i:05d}" for i in range(n_curves)], x.size),
            "replicate": np.tile(np.tile([1, 2, 3], log_c.size), n_curves),
            "conc_nM": np.tile(10 ** (x + 9), n_curves),
            "cpm": cpm.ravel(),
        }
    )
    plates = curves["plate"].unique()
    controls = pd.DataFrame(
        {
            "plate": np.repeat(plates, 8),
            "compound": np.tile(["TOTAL"] * 4 + ["NSB"] * 4, plates.size),
            "replicate": np.tile([1, 2, 3, 4] * 2, plates.size),
            "conc_nM": np.nan,
            "cpm": np.concatenate([np.r_[rng.normal(3000, 90, 4), rng.normal(250, 15, 4)] for _ in plates])
            .round()
            .astype(int),
        }
    )
    frame = pd.concat([controls, curves]).sort_values("plate", kind="stable", key=lambda p: p.astype(int))
    frame.to_csv(path, index=False)


def subset(path: Path, n_curves: int, out: Path) -> Path:
    """Write the first ``n_curves`` curves of ``path`` (with their plates' controls) to ``out``."""
    frame = pd.read_csv(path)
    chosen = frame.loc[~frame["compound"].isin(["TOTAL", "NSB"]), "compound"].drop_duplicates()[:n_curves]
    plates = frame.loc[frame["compound"].isin(chosen), "plate"].unique()
    keep = frame["compound"].isin(chosen) | (
        frame["compound"].isin(["TOTAL", "NSB"]) & frame["plate"].isin(plates)
    )
    frame[keep].to_csv(out, index=False)
    return out


def groups(path: Path) -> list[tuple[np.ndarray, np.ndarray]]:
    frame = pd.read_csv(path)
    frame = frame[~frame["compound"].isin(["TOTAL", "NSB"])]
    frame["x"] = np.log10(frame["conc_nM"] * 1e-9)
    return [(g["x"].to_numpy(), g["cpm"].to_numpy(float)) for _, g in frame.groupby("compound", sort=False)]


def start(x: np.ndarray, y: np.ndarray) -> list[float]:
    return [float(y[x == x.min()].mean()), float(y[x == x.max()].mean()), float(np.median(x)), -1.0]


def lmfit_loop(path: Path) -> list[float]:
    model = lmfit.Model(logistic)
    out = []
    for x, y in groups(path):
        top, bottom, mid, hill = start(x, y)
        result = model.fit(y, x=x, top=top, bottom=bottom, log_ic50=mid, hill_slope=hill)
        out.append(result.params["log_ic50"].value)
    return out


def curve_fit_loop(path: Path) -> list[float]:
    out = []
    for x, y in groups(path):
        popt, _ = curve_fit(logistic, x, y, p0=start(x, y), maxfev=10000)
        out.append(popt[2])
    return out


def timed(func: Callable[[], object], repeat: int, memory: bool = True) -> tuple[float, float]:
    """Best wall time of ``repeat`` calls, and the peak traced memory (MiB) of one more."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - t0)
    if not memory:
        return best, float("nan")
    tracemalloc.start()
    func()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curves", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--loop-curves", type=int, default=None, help="time the loops on this many curves")
    parser.add_argument("--engine", choices=["auto", "batch", "lmfit"], default="auto")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    n, n_loop = args.curves, min(args.loop_curves or args.curves, args.curves)
    with tempfile.TemporaryDirectory() as tmp:
        path, out = Path(tmp) / "counts.csv", Path(tmp) / "results.csv"
        make_counts(n, path)
        size = path.stat().st_size / 2**20
        print(f"{n} curves x 33 tubes ({n // 30 + 1} plates), {size:.1f} MiB CSV; best of {args.repeat}")
        cli = [sys.executable, "-m", "assaykit", "binding", str(path), "--kd", "1.5", "--radioligand", "1"]
        cli += ["--engine", args.engine, "-o", str(out), "-q"]
        read = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(path)!r})"]
        loop_path = path if n_loop == n else subset(path, n_loop, Path(tmp) / "loop_counts.csv")
        results = {
            "pandas.read_csv": timed(lambda: pd.read_csv(path), args.repeat),
            "assaykit binding": timed(
                lambda: run_binding([path], kd_nM=1.5, radioligand_nM=1.0, engine=args.engine, output=out),
                args.repeat,
            ),
            "CLI: python + read_csv": timed(lambda: subprocess.run(read, check=True), args.repeat, False),
            "CLI: assaykit binding": timed(lambda: subprocess.run(cli, check=True), args.repeat, False),
            "lmfit loop": timed(lambda: lmfit_loop(loop_path), 1),
            "curve_fit loop": timed(lambda: curve_fit_loop(loop_path), 1),
        }
        ours_log = pd.read_csv(out)["log_ic50"].to_numpy()[:n_loop]
        agreement = np.max(np.abs(ours_log - np.asarray(curve_fit_loop(loop_path))))
    scale = n / n_loop
    for name in ("lmfit loop", "curve_fit loop"):
        seconds, peak = results[name]
        results[name] = (seconds * scale, peak)
    ours = results["assaykit binding"][0]
    note = f" (loops timed on {n_loop} curves, scaled x{scale:.1f})" if scale != 1 else ""
    print(f"{'':24} {'seconds':>9} {'ms/curve':>9} {'peak MiB':>9} {'x assaykit':>11}{note}")
    for name, (seconds, peak) in results.items():
        print(f"{name:24} {seconds:9.3f} {1e3 * seconds / n:9.4f} {peak:9.1f} {seconds / ours:11.2f}")
    cli_s, read_s = results["CLI: assaykit binding"][0], results["CLI: python + read_csv"][0]
    print(
        f"assaykit in-process is {results['lmfit loop'][0] / ours:.0f}x faster than an lmfit loop and "
        f"{results['curve_fit loop'][0] / ours:.1f}x faster than a curve_fit loop; it takes "
        f"{ours / results['pandas.read_csv'][0]:.1f}x a bare read_csv. Through the CLI: {cli_s:.2f} s "
        f"({cli_s / read_s:.1f}x python + pandas reading the file). "
        f"Largest |log IC50 - curve_fit's|: {agreement:.1e}"
    )


if __name__ == "__main__":
    main()
