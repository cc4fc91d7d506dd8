"""A realistic screen end to end: mostly inactive compounds, against all-active curves and per-curve loops.

Simulates (``assaykit.binding.simulate.simulate_screen``) a screen of N compounds, 80% that do not displace,
10% with the IC50 near or beyond the top concentration and 10% active (11 concentrations in triplicate),
and a screen of N all-active compounds, then times, each as a whole process that reads the file, fits and
writes a table, side by side in one run:

- ``assaykit binding screen.csv --kd 1.5 --radioligand 1 -o results.csv -q`` on the realistic screen, and
  the same with ``-o results.xlsx``;
- the same command on the all-active screen (the issue's yardstick: the realistic screen within 2 times);
- a per-curve lmfit loop and a per-curve ``scipy.optimize.curve_fit`` loop, each a Python process that reads
  the CSV with pandas, fits the 4PL to every curve from data-driven starting values and writes a CSV of the
  parameters: what a user would otherwise run. They report less than assaykit (no SEs, CIs, flags, tests).

It also prints how the realistic screen's curves were called against the simulated truth.

Usage: python benchmarks/bench_screen.py [--curves 10000] [--loop-curves 500] [--repeat 3]

``--loop-curves N`` runs the loops on a file of the first N curves of the realistic screen (with their
plates' controls) and scales their time to all curves (printed as such): a loop over 10,000 such curves
takes many minutes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.binding.simulate import simulate_screen

LOOP = textwrap.dedent(
    """
    import sys, warnings
    import numpy as np, pandas as pd
    warnings.simplefilter("ignore")
    path, out, engine = sys.argv[1:4]

    def logistic(x, top, bottom, log_ic50, hill_slope):
        return bottom + (top - bottom) / (1.0 + 10.0 ** ((log_ic50 - x) * hill_slope))

    frame = pd.read_csv(path)
    frame = frame[~frame["compound"].isin(["TOTAL", "NSB"])]
    frame["x"] = np.log10(frame["conc_nM"] * 1e-9)
    rows = []
    if engine == "lmfit":
        import lmfit
        model = lmfit.Model(logistic)
    else:
        from scipy.optimize import curve_fit
    for name, g in frame.groupby("compound", sort=False):
        x, y = g["x"].to_numpy(), g["cpm"].to_numpy(float)
        p0 = [y[x == x.min()].mean(), y[x == x.max()].mean(), float(np.median(x)), -1.0]
        try:
            if engine == "lmfit":
                fit = model.fit(y, x=x, top=p0[0], bottom=p0[1], log_ic50=p0[2], hill_slope=p0[3])
                values = [fit.params[k].value for k in ("top", "bottom", "log_ic50", "hill_slope")]
            else:
                values = list(curve_fit(logistic, x, y, p0=p0, maxfev=10000)[0])
        except Exception:
            values = [np.nan] * 4
        rows.append([name, *values])
    columns = ["compound", "top", "bottom", "log_ic50", "hill_slope"]
    pd.DataFrame(rows, columns=columns).to_csv(out, index=False)
    """
)


def subset(frame: pd.DataFrame, n_curves: int) -> pd.DataFrame:
    """The first ``n_curves`` curves of a counts table, with their plates' controls."""
    chosen = frame.loc[~frame["compound"].isin(["TOTAL", "NSB"]), "compound"].drop_duplicates()[:n_curves]
    plates = frame.loc[frame["compound"].isin(chosen), "plate"].unique()
    controls = frame["compound"].isin(["TOTAL", "NSB"]) & frame["plate"].isin(plates)
    return frame[frame["compound"].isin(chosen) | controls]


def timed(command: list[str], repeat: int) -> float:
    """Best wall time of ``repeat`` runs of a command."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curves", type=int, default=10_000)
    parser.add_argument("--loop-curves", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, n_loop = args.curves, min(args.loop_curves, args.curves)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        screen = simulate_screen(n, seed=1)
        active = simulate_screen(n, inactive=0.0, partial=0.0, seed=1)
        paths = {"screen": tmp_path / "screen.csv", "active": tmp_path / "active.csv"}
        screen.counts.to_csv(paths["screen"], index=False)
        active.counts.to_csv(paths["active"], index=False)
        loop_path = tmp_path / "loop.csv"
        subset(screen.counts, n_loop).to_csv(loop_path, index=False)
        script = tmp_path / "loop.py"
        script.write_text(LOOP)
        cli = [sys.executable, "-m", "assaykit", "binding", "--kd", "1.5", "--radioligand", "1", "-q"]
        results = {
            "assaykit, realistic screen, -o .csv": timed(
                [*cli, str(paths["screen"]), "-o", str(tmp_path / "r.csv")], args.repeat
            ),
            "assaykit, realistic screen, -o .xlsx": timed(
                [*cli, str(paths["screen"]), "-o", str(tmp_path / "r.xlsx")], args.repeat
            ),
            "assaykit, all-active screen, -o .csv": timed(
                [*cli, str(paths["active"]), "-o", str(tmp_path / "a.csv")], args.repeat
            ),
        }
        scale = n / n_loop
        for engine in ("lmfit", "curve_fit"):
            command = [sys.executable, str(script), str(loop_path), str(tmp_path / f"{engine}.csv"), engine]
            results[f"{engine} loop (realistic screen)"] = timed(command, 1) * scale
        calls = pd.read_csv(tmp_path / "r.csv").merge(screen.truth[["compound", "kind"]], on="compound")
    ours = results["assaykit, realistic screen, -o .csv"]
    note = f" (loops timed on {n_loop} curves, scaled x{scale:.0f})" if scale != 1 else ""
    print(f"{n} curves, 11 concentrations x 3; whole processes, best of {args.repeat}{note}")
    print(f"{'':40} {'seconds':>9} {'ms/curve':>9} {'x assaykit':>11}")
    for name, seconds in results.items():
        print(f"{name:40} {seconds:9.2f} {1e3 * seconds / n:9.3f} {seconds / ours:11.2f}")
    print(
        f"realistic / all-active: {ours / results['assaykit, all-active screen, -o .csv']:.2f} "
        "(target <= 2); "
        f".xlsx / .csv: {results['assaykit, realistic screen, -o .xlsx'] / ours:.2f} (target < 2); "
        f"lmfit loop / assaykit: {results['lmfit loop (realistic screen)'] / ours:.0f}x (target >= 50); "
        f"curve_fit loop / assaykit: {results['curve_fit loop (realistic screen)'] / ours:.1f}x (target >= 5)"
    )
    table = pd.crosstab(calls["kind"], calls["activity"])
    false = ((calls["activity"] == "active") & (calls["kind"] == "inactive")).sum()
    called = (calls["activity"] == "active").sum()
    print(f"\ncalls against the truth (false-discovery proportion {false / max(called, 1):.3f}):\n{table}")


if __name__ == "__main__":
    main()
