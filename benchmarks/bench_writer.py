"""Result-table writing: ``write_table`` (.csv) against pandas ``DataFrame.to_csv``, same bytes.

Generates a results-like table (one row per curve: a few string columns, a few integer columns, float
columns of fitted values, SEs and CIs, about 40% of the float columns entirely NaN), then times pandas
``to_csv(index=False)`` and ``assaykit.io.writers.write_table`` (best of ``--repeat``), checks that the
two files are identical and prints seconds and the ratio.

Usage: python benchmarks/bench_writer.py [--rows 10000] [--columns 72] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.io.writers import write_table

STRING_COLUMNS = ("plate", "compound", "model", "flags")
INTEGER_COLUMNS = ("n_points", "n_replicates", "iterations")


def make_results(n_rows: int, n_columns: int, nan_fraction: float = 0.4, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {
        "plate": [str(i // 300 + 1) for i in range(n_rows)],
        "compound": [f"cmpd{i:05d}" for i in range(n_rows)],
        "model": rng.choice(["one_site", "two_site", "hill"], n_rows),
        "flags": rng.choice(["", "ambiguous", "hill_outside, range", 'top "floated"'], n_rows),
        "n_points": rng.integers(30, 34, n_rows),
        "n_replicates": np.full(n_rows, 3),
        "iterations": rng.integers(5, 60, n_rows),
    }
    n_float = max(0, n_columns - len(columns))
    n_nan = round(nan_fraction * n_float)
    for j in range(n_float):
        if j < n_nan:
            values = np.full(n_rows, np.nan)
        else:
            values = rng.normal(-8.0, 0.7, n_rows) * 10.0 ** rng.integers(-6, 6)
            values[rng.random(n_rows) < 0.02] = np.nan
        columns[f"value_{j:02d}"] = values
    order = rng.permutation(list(columns))
    return pd.DataFrame({name: columns[name] for name in order})


def best_of(func: Callable[[Path], object], path: Path, repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        func(path)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--columns", type=int, default=72)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    frame = make_results(args.rows, args.columns)
    n_empty = int(frame.isna().all().sum())
    with tempfile.TemporaryDirectory() as tmp:
        ours_path, pandas_path = Path(tmp) / "ours.csv", Path(tmp) / "pandas.csv"
        pandas_s = best_of(lambda path: frame.to_csv(path, index=False), pandas_path, args.repeat)
        ours_s = best_of(lambda path: write_table(frame, path), ours_path, args.repeat)
        same = ours_path.read_bytes() == pandas_path.read_bytes()
        size = ours_path.stat().st_size / 2**20
    print(
        f"{args.rows} rows x {frame.shape[1]} columns ({n_empty} all-NaN), {size:.1f} MiB; "
        f"best of {args.repeat}; identical bytes: {same}"
    )
    print(f"pandas to_csv  {pandas_s:8.3f} s")
    print(f"write_table    {ours_s:8.3f} s")
    print(f"write_table is {pandas_s / ours_s:.1f}x the speed of pandas to_csv")
    if not same:
        raise SystemExit("the files differ")


if __name__ == "__main__":
    main()
