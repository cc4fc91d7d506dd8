"""Model comparison at screening scale: ``assaykit binding --compare`` against the per-curve ways, in one run.

Simulates an all-active screen (``simulate_screen(n, inactive=0, partial=0)``: 11 concentrations in
triplicate, Hill slopes -0.8 to -1.3), writes it as a long CSV, and times on the same file:

- ``assaykit binding FILE -o results.csv --compare comparison.csv -q`` as a subprocess (start-up, reading,
  the main fit, both comparisons of every curve, writing): the issue's target is under 10 s for 1,000
  curves on this 2-core machine;
- the same command without ``--compare`` (what the comparisons add);
- the old per-curve path (``compare_curve``: lmfit fits of one site, two sites from a grid guess and the
  4PL, one curve at a time), in-process on the first ``--old-curves`` curves and scaled to all;
- what a user would otherwise run: a ``scipy.optimize.curve_fit`` loop and an ``lmfit`` loop making the
  same two comparisons (one site vs two sites from three starts, Hill -1 vs free), with the F test by hand,
  on the first ``--loop-curves`` curves and scaled to all.

It prints seconds and the ratios, and how often the loops' preferred models agree with assaykit's. The ROUT
and profile-interval paths (one curve at a time, in a process pool over the usable cores) are timed with
``ASSAYKIT_WORKERS=1`` and with the default, so the pool's gain on this machine is measured too (on a
machine busy with other work the gain shrinks: the load average is printed before and after).

Usage: python benchmarks/bench_compare.py [--curves 1000] [--old-curves 30] [--loop-curves 100]
    [--rout-curves 200]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import lmfit
import numpy as np
import pandas as pd
from scipy import optimize, stats

from assaykit.binding.comparisons import compare_curve
from assaykit.binding.simulate import simulate_screen
from assaykit.fitting import COMPETITION_MODELS, fit_curve


def one_site(x, top, bottom, log_ic50):
    return bottom + (top - bottom) / (1.0 + 10.0 ** (x - log_ic50))


def four_pl(x, top, bottom, log_ic50, hill):
    return bottom + (top - bottom) / (1.0 + 10.0 ** ((log_ic50 - x) * hill))


def two_site(x, top, bottom, log_hi, log_lo, fraction):
    with np.errstate(over="ignore"):
        hi, lo = 1.0 / (1.0 + 10.0 ** (x - log_hi)), 1.0 / (1.0 + 10.0 ** (x - log_lo))
    return bottom + (top - bottom) * (fraction * hi + (1 - fraction) * lo)


def curves_of(path: Path, n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    frame = pd.read_csv(path)
    frame = frame[~frame["compound"].isin(["TOTAL", "NSB"])].copy()
    frame["x"] = np.log10(frame["conc_nM"] * 1e-9)
    groups = frame.groupby("compound", sort=False)
    return [(g["x"].to_numpy(), g["cpm"].to_numpy(float)) for _, g in groups][:n]


def p_value(ss1: float, df1: int, ss2: float, df2: int) -> float:
    f = ((ss1 - ss2) / (df1 - df2)) / (ss2 / df2)
    return float(stats.f.sf(f, df1 - df2, df2))


def start(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    return float(y[x == x.min()].mean()), float(y[x == x.max()].mean()), float(np.median(x))


def curve_fit_loop(curves) -> list[tuple[str, str]]:
    """One site vs two sites (three starts) and Hill -1 vs free by curve_fit, F test at 0.05."""
    calls = []
    for x, y in curves:
        top, bottom, mid = start(x, y)
        n = x.size
        try:
            p1, _ = optimize.curve_fit(one_site, x, y, p0=[top, bottom, mid], maxfev=10000)
            p4, _ = optimize.curve_fit(four_pl, x, y, p0=[top, bottom, mid, -1.0], maxfev=10000)
        except RuntimeError:
            calls.append(("", ""))
            continue
        ss1 = float(np.sum((y - one_site(x, *p1)) ** 2))
        ss4 = float(np.sum((y - four_pl(x, *p4)) ** 2))
        ss2 = np.inf
        for d in (0.5, 1.0, 1.5):
            try:
                p2, _ = optimize.curve_fit(
                    two_site, x, y, p0=[top, bottom, mid - d, mid + d, 0.5], maxfev=10000
                )
            except RuntimeError:
                continue
            ss2 = min(ss2, float(np.sum((y - two_site(x, *p2)) ** 2)))
        two = "two-site" if np.isfinite(ss2) and p_value(ss1, n - 3, ss2, n - 5) < 0.05 else "one-site"
        hill = "4pl" if p_value(ss1, n - 3, ss4, n - 4) < 0.05 else "one-site"
        calls.append((two, hill))
    return calls


def lmfit_loop(curves) -> list[tuple[str, str]]:
    """The same comparisons with lmfit.Model fits."""
    m1, m4, m2 = lmfit.Model(one_site), lmfit.Model(four_pl), lmfit.Model(two_site)
    calls = []
    for x, y in curves:
        top, bottom, mid = start(x, y)
        n = x.size
        ss1 = m1.fit(y, x=x, top=top, bottom=bottom, log_ic50=mid).chisqr
        ss4 = m4.fit(y, x=x, top=top, bottom=bottom, log_ic50=mid, hill=-1.0).chisqr
        ss2 = min(
            m2.fit(y, x=x, top=top, bottom=bottom, log_hi=mid - d, log_lo=mid + d, fraction=0.5).chisqr
            for d in (0.5, 1.0, 1.5)
        )
        two = "two-site" if p_value(ss1, n - 3, ss2, n - 5) < 0.05 else "one-site"
        hill = "4pl" if p_value(ss1, n - 3, ss4, n - 4) < 0.05 else "one-site"
        calls.append((two, hill))
    return calls


def old_path(curves) -> None:
    """The per-curve path --compare took before: the main 4PL fit, then compare_curve (lmfit)."""
    for x, y in curves:
        main = fit_curve(COMPETITION_MODELS["4pl"], x, y)
        compare_curve(x, y, fixed={}, main=main)


CPU: list[float] = []  # CPU seconds (user + system) of each command, its workers included


def command(args: list[str], env: dict | None = None) -> float:
    """Run ``assaykit ARGS`` as a process; return its wall time and record its CPU time in ``CPU``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assaykit", *args], check=True, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def timed(func, *args) -> tuple[float, object]:
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = func(*args)
    return time.perf_counter() - t, out


def loops(path: Path, n: int, k: int, t_cmp: float, comparison: pd.DataFrame) -> None:
    """Time the two per-curve loops on the first ``k`` curves, scaled to ``n``."""
    curves = curves_of(path, k)
    ours = comparison.pivot(index="compound", columns="complex", values="preferred")
    ours = [(r["two-site"], r["4pl"]) for _, r in ours.iloc[:k].iterrows()]
    for name, loop in (("curve_fit", curve_fit_loop), ("lmfit", lmfit_loop)):
        t, calls = timed(loop, curves)
        scaled = t * n / k
        agree = np.mean([a == b for a, b in zip(calls, ours, strict=True)])
        print(
            f"  {name + ' loop, ' + str(k) + ' curves scaled':37s} {scaled:8.2f} s   loop / assaykit "
            f"{scaled / t_cmp:6.1f}   same preferred models {agree:.0%}"
        )


def pools(tmp: Path, m: int) -> None:
    """ROUT and profile intervals (one curve at a time) in one process and in the pool."""
    rout, profile = tmp / "rout.csv", tmp / "profile.csv"
    simulate_screen(m, inactive=0, partial=0, seed=1).counts.to_csv(rout, index=False)
    simulate_screen(max(m // 4, 1), inactive=0, partial=0, seed=2).counts.to_csv(profile, index=False)
    print(f"\nfitted one curve at a time: ROUT on {m} curves, profile intervals on {max(m // 4, 1)}")
    for label, extra, file in (
        ("--outliers rout", ["--outliers", "rout"], rout),
        ("--ci profile", ["--ci", "profile"], profile),
    ):
        times = {}
        for workers in ("1", ""):
            env = {k: v for k, v in os.environ.items() if k != "ASSAYKIT_WORKERS"}
            if workers:
                env["ASSAYKIT_WORKERS"] = workers
            times[workers] = command(["binding", str(file), *extra, "-o", str(tmp / "o.csv"), "-q"], env)
        print(
            f"  {label:16s} one process {times['1']:7.2f} s   pool {times['']:7.2f} s   "
            f"one process / pool {times['1'] / times['']:4.2f}   (CPU {CPU[-2]:.1f} s and {CPU[-1]:.1f} s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curves", type=int, default=1000)
    parser.add_argument("--old-curves", type=int, default=30)
    parser.add_argument("--loop-curves", type=int, default=100)
    parser.add_argument("--rout-curves", type=int, default=200)
    args = parser.parse_args()
    n = args.curves
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        path = tmp / "screen.csv"
        simulate_screen(n, inactive=0, partial=0).counts.to_csv(path, index=False)
        out = ["-o", str(tmp / "r.csv"), "-q"]
        t_cmp = command(["binding", str(path), *out, "--compare", str(tmp / "c.csv")])
        t_fit = command(["binding", str(path), *out])
        print(f"\n{n} all-active curves, 11 concentrations x 3 (wall time; CPU time of the process)")
        label = "assaykit binding --compare (command)"
        print(f"  {label:37s} {t_cmp:8.2f} s   (CPU {CPU[-2]:.2f} s)   target < 10 s for 1,000 curves")
        print(f"  {'assaykit binding, no --compare':37s} {t_fit:8.2f} s   (CPU {CPU[-1]:.2f} s)")
        k = min(args.old_curves, n)
        t_old, _ = timed(old_path, curves_of(path, k))
        old = t_old * n / k
        label = f"old per-curve path, {k} curves scaled"
        print(f"  {label:37s} {old:8.2f} s   old / new {old / t_cmp:6.1f}")
        loops(path, n, min(args.loop_curves, n), t_cmp, pd.read_csv(tmp / "c.csv"))
        pools(tmp, args.rout_curves)
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
