"""A million competition curves in one file: assaykit's peak memory and time against a bare-numpy floor.

Draws a screen of N all-active curves (``simulate_screen(N, inactive=0, partial=0)``: 11 concentrations in
triplicate, 30 compounds per plate with four TOTAL and four NSB tubes each; about 1 GB of CSV at a million
curves) into a temporary folder, then runs, each as a whole process, side by side:

- ``assaykit binding FILE --kd 1.5 --radioligand 1 -o results.csv -q``;
- the floor: a script that does only what any analysis of the file must do, with no checks and no
  derived columns: ``pandas.read_csv`` of the file, a 4PL fit of every curve by the batch engine
  (``assaykit.fitting.batch.fit_curves``) 10,000 curves at a time, and ``DataFrame.to_csv`` of a
  table with as many rows and columns as assaykit's results.

It prints, for both, the wall time, the CPU time (user + system) and the peak resident memory of the
process (``ru_maxrss`` of a process started just to run it), the ratios, and the targets of issue 15:
peak memory under 3 GiB and time within 1.3 times the floor's. Both processes fit with the same engine,
so their log IC50 are compared too.

Usage: python benchmarks/bench_million.py [--curves 1000000] [--file big.csv] [--keep]

``--file`` reuses (or writes, if missing) that counts file instead of a temporary one. Run on an otherwise
idle machine: the times are wall-clock times.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

GIB = 2**30
TARGET_MEMORY = 3 * GIB
TARGET_RATIO = 1.3

#: The floor: read, fit in chunks, write a table of the results' shape. Arguments: counts, out, n columns.
FLOOR = r"""
import sys
import numpy as np
import pandas as pd
from assaykit.fitting import COMPETITION_MODELS
from assaykit.fitting.batch import fit_curves
from assaykit.fitting.padded import pad_groups

path, out, n_columns = sys.argv[1], sys.argv[2], int(sys.argv[3])
counts = pd.read_csv(path)
curve = counts["conc_nM"].notna().to_numpy()
compound, plate = counts["compound"].to_numpy()[curve], counts["plate"].to_numpy()[curve]
c_codes, c_names = pd.factorize(compound)
p_codes, p_names = pd.factorize(plate)
codes, keys = pd.factorize(c_codes.astype(np.int64) * len(p_names) + p_codes)
x = np.log10(counts["conc_nM"].to_numpy(float)[curve] * 1e-9)
y = counts["cpm"].to_numpy(float)[curve]
del counts
padded = pad_groups(codes, len(keys), x, y)
first = padded.rows[:, 0]
model = COMPETITION_MODELS["4pl"]
chunk = 10_000
parts = [
    fit_curves(model, *(a[s:s + chunk] for a in (*padded.columns, padded.mask)), chunk=None)
    for s in range(0, len(keys), chunk)
]
values = np.concatenate([p.values for p in parts])
stderr = np.concatenate([p.stderr for p in parts])
columns = {"compound": compound[first], "plate": plate[first]}
for j, name in enumerate(model.param_names):
    columns[name], columns[name + "_se"] = values[:, j], stderr[:, j]
table = pd.DataFrame(columns)
for i in range(len(table.columns), n_columns):  # as many columns as the results table
    table[f"extra_{i}"] = values[:, i % values.shape[1]]
table.to_csv(out, index=False)
"""

#: Runs a command and reports its wall time and the peak RSS of the command (its only child).
MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:])
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak = usage.ru_maxrss * 1024  # kB on Linux
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak": peak, "code": done.returncode}))
"""


def measure(command: list[str]) -> dict:
    """Run ``command`` as a child of a fresh process; return its seconds, peak RSS (bytes) and exit code."""
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_file(n_curves: int, path: Path) -> None:
    """Write the screen's counts (in a child process, so its memory does not count here)."""
    code = (
        "import sys; from assaykit.binding.simulate import simulate_screen; "
        "simulate_screen(int(sys.argv[1]), inactive=0, partial=0).counts.to_csv(sys.argv[2], index=False)"
    )
    subprocess.run([sys.executable, "-c", code, str(n_curves), str(path)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--curves", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path, default=None, help="counts file to reuse (written if missing)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    from assaykit.binding.columns import result_columns

    folder = Path(tempfile.mkdtemp(prefix="bench_million_"))
    counts = args.file or folder / "big.csv"
    if not counts.exists():
        start = time.perf_counter()
        make_file(args.curves, counts)
        print(f"wrote {counts} ({counts.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - start:.0f} s")
    ours, floor = folder / "results.csv", folder / "floor.csv"
    command = [sys.executable, "-m", "assaykit", "binding", str(counts), "--kd", "1.5", "--radioligand", "1"]
    runs = {
        "assaykit binding -o results.csv -q": measure([*command, "-o", str(ours), "-q"]),
        "floor: read_csv + chunked fit + to_csv": measure(
            [sys.executable, "-c", FLOOR, str(counts), str(floor), str(len(result_columns("4pl")))]
        ),
    }
    for name, run in runs.items():
        if run["code"] != 0:
            raise SystemExit(f"{name} failed with exit code {run['code']}")
        print(
            f"{name:40s} {run['seconds']:7.1f} s wall {run['cpu']:7.1f} s CPU  "
            f" peak {run['peak'] / GIB:5.2f} GiB"
        )
    a, f = runs.values()
    ratio = a["seconds"] / f["seconds"]
    print(
        f"time: assaykit / floor = {ratio:.2f} wall, {a['cpu'] / f['cpu']:.2f} CPU "
        f"(target <= {TARGET_RATIO}: {'met' if ratio <= TARGET_RATIO else 'NOT met'} on wall time; "
        "CPU time is the fairer measure on a busy machine)"
    )
    print(
        f"peak memory: assaykit {a['peak'] / GIB:.2f} GiB, floor {f['peak'] / GIB:.2f} GiB "
        f"(target < 3 GiB: {'met' if a['peak'] < TARGET_MEMORY else 'NOT met'})"
    )
    mine = pd.read_csv(ours, usecols=["compound", "log_ic50"])
    theirs = pd.read_csv(floor, usecols=["compound", "log_ic50"])
    both = mine.merge(theirs, on="compound", suffixes=("", "_floor"))
    same = len(both) == len(mine) and np.allclose(
        both["log_ic50"], both["log_ic50_floor"], rtol=0, atol=1e-9, equal_nan=True
    )
    print(f"log IC50 of assaykit and the floor agree within 1e-9: {same}")
    if not args.keep:
        for path in (ours, floor, *([] if args.file else [counts])):
            path.unlink(missing_ok=True)
        if not any(folder.iterdir()):
            folder.rmdir()


if __name__ == "__main__":
    main()
