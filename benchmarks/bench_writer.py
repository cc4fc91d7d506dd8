"""Result-table writing: ``write_table`` (.csv, .json) against pandas, the same bytes as pandas' CSV.

Generates a results-like table (one row per curve: a few string columns, a few integer columns, float
columns of fitted values, SEs and CIs, about 40% of the float columns entirely NaN), then times (best of
``--repeat``):

* ``write_table`` to ``.csv``, which rounds the floats to 10 significant digits and writes them;
* what a user would otherwise run for the same file: each float rounded by the standard library
  (``float(f"{v:.10g}")``), then pandas ``to_csv(index=False)``; the two files must be identical;
* pandas ``to_csv`` of the unrounded table (the bytes ``write_table`` wrote before the rounding);
* ``write_table`` to ``.json`` and pandas ``to_json(orient="records", indent=2)`` (not the same text:
  pandas writes up to 15 decimals).

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


def rounded_by_hand(frame: pd.DataFrame) -> pd.DataFrame:
    """Round each float64 to 10 significant digits, value by value, as a user without assaykit would."""
    out = frame.copy()
    for name in frame.columns[frame.dtypes == np.float64]:
        out[name] = [float(f"{value:.10g}") for value in frame[name].tolist()]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--columns", type=int, default=72)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    frame = make_results(args.rows, args.columns)
    n_empty = int(frame.isna().all().sum())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ours_s = best_of(lambda path: write_table(frame, path), folder / "ours.csv", args.repeat)
        by_hand_s = best_of(
            lambda path: rounded_by_hand(frame).to_csv(path, index=False), folder / "hand.csv", args.repeat
        )
        plain_s = best_of(lambda path: frame.to_csv(path, index=False), folder / "plain.csv", args.repeat)
        json_s = best_of(lambda path: write_table(frame, path), folder / "ours.json", args.repeat)
        pandas_json_s = best_of(
            lambda path: frame.to_json(path, orient="records", indent=2, double_precision=15),
            folder / "pandas.json",
            args.repeat,
        )
        same = (folder / "ours.csv").read_bytes() == (folder / "hand.csv").read_bytes()
        sizes = {name: (folder / name).stat().st_size / 2**20 for name in ("ours.csv", "plain.csv")}
    print(
        f"{args.rows} rows x {frame.shape[1]} columns ({n_empty} all-NaN); best of {args.repeat}; "
        f"{sizes['ours.csv']:.1f} MiB rounded, {sizes['plain.csv']:.1f} MiB unrounded; "
        f"identical bytes: {same}"
    )
    print(f"write_table .csv (rounded)          {ours_s:8.3f} s")
    print(f"rounded by hand + pandas to_csv     {by_hand_s:8.3f} s   ({by_hand_s / ours_s:.1f}x write_table)")
    print(f"pandas to_csv, unrounded            {plain_s:8.3f} s   ({plain_s / ours_s:.1f}x write_table)")
    print(f"write_table .json (rounded)         {json_s:8.3f} s")
    ratio = pandas_json_s / json_s
    print(f"pandas to_json, unrounded           {pandas_json_s:8.3f} s   ({ratio:.1f}x write_table)")
    if not same:
        raise SystemExit("the files differ")


if __name__ == "__main__":
    main()
