"""Excel at screening scale: ``-o results.xlsx`` against ``-o results.csv``; reading a big counts workbook.

Three parts, side by side in one run:

1. **The command.** ``assaykit binding screen.csv --kd 1.5 --radioligand 1 -o results.{csv,xlsx} -q`` as
   a subprocess (start-up included) on a simulated screen (``simulate_screen(N, inactive=0, partial=0)``:
   all active, fast to fit; ``--realistic`` uses the default 80% inactive mix as well). The target:
   ``.xlsx`` under 2 times ``.csv``. Wall time (best of ``--repeat``) and the CPU time of the run
   (user + system, from ``getrusage``) are printed: on a machine shared with other jobs the CPU time is
   the steadier of the two.
2. **The write stage.** The run's own tables (results, plates, points: what ``-o results.xlsx`` writes)
   written by ``assaykit.io.writers.write_table`` against pandas ``to_excel`` with openpyxl (the old
   path) and with xlsxwriter, and the results table as CSV.
3. **Reading.** A 130,000-row long-layout counts workbook read by ``assaykit.io.counts.read_counts``
   against the floor (python-calamine's ``to_python`` of the sheet), ``pandas.read_excel`` with
   ``engine="calamine"`` and ``engine="openpyxl"``, and the old path (``openpyxl.load_workbook`` and the
   cell texts, as ``read_raw_table`` did).

Usage: python benchmarks/bench_excel.py [--curves 10000] [--read-rows 130000] [--repeat 2] [--realistic]
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
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.binding.simulate import simulate_screen
from assaykit.binding.workflow import run_binding
from assaykit.io.counts import read_counts
from assaykit.io.writers import write_table
from assaykit.io.xlsx_read import cell_text, openpyxl_rows


def best_of(func: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best wall time and best CPU time (this process and its children) of ``repeat`` calls."""
    wall, cpu = np.inf, np.inf
    for _ in range(repeat):
        before = _cpu()
        t0 = time.perf_counter()
        func()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, _cpu() - before)
    return wall, cpu


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def show(rows: dict[str, tuple[float, float]], reference: str) -> None:
    base_wall, base_cpu = rows[reference]
    for label, (wall, cpu) in rows.items():
        ratios = f"{wall:8.3f} s wall {wall / base_wall:6.2f}x   {cpu:8.3f} s CPU {cpu / base_cpu:6.2f}x"
        print(f"  {label:44s} {ratios}")


def command(tmp: Path, n_curves: int, repeat: int, realistic: bool) -> None:
    screens = {"all active": {"inactive": 0.0, "partial": 0.0}}
    if realistic:
        screens["80% inactive, 10% partial"] = {}
    for label, mix in screens.items():
        counts = tmp / f"screen_{len(mix)}.csv"
        simulate_screen(n_curves, **mix).counts.to_csv(counts, index=False)
        print(f"\n1. The command, {n_curves} curves ({label}), {counts.stat().st_size / 2**20:.1f} MiB CSV:")
        rows = {}
        for suffix in (".csv", ".xlsx"):
            out = tmp / f"results{suffix}"
            cli = [
                sys.executable,
                "-m",
                "assaykit",
                "binding",
                str(counts),
                "--kd",
                "1.5",
                "--radioligand",
                "1",
            ]
            cli += ["-o", str(out), "-q"]
            rows[f"assaykit binding -o results{suffix}"] = best_of(
                lambda cli=cli: subprocess.run(cli, check=True), repeat
            )
            size = out.stat().st_size / 2**20
            print(f"  results{suffix}: {size:.1f} MiB")
        show(rows, "assaykit binding -o results.csv")
        print("  target: .xlsx under 2x .csv (whole process)")


def write_stage(tmp: Path, n_curves: int, repeat: int) -> None:
    counts = tmp / "write_screen.csv"
    simulate_screen(n_curves, inactive=0.0, partial=0.0).counts.to_csv(counts, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analysis = run_binding([counts], kd_nM=1.5, radioligand_nM=1.0).analysis
    sheets = {"results": analysis.results, "plates": analysis.plates, "points": analysis.points}
    cells = sum(t.size for t in sheets.values())
    shapes = ", ".join(f"{name} {t.shape[0]:,} x {t.shape[1]}" for name, t in sheets.items())
    print(f"\n2. The write stage: {shapes} ({cells:,} cells)")

    def pandas_excel(engine: str) -> None:
        with pd.ExcelWriter(tmp / f"pandas_{engine}.xlsx", engine=engine) as writer:
            for name, frame in sheets.items():
                frame.to_excel(writer, sheet_name=name, index=False)

    rows = {
        "write_table(results) .csv": best_of(lambda: write_table(analysis.results, tmp / "w.csv"), repeat),
        "write_table(3 sheets) .xlsx": best_of(lambda: write_table(sheets, tmp / "w.xlsx"), repeat),
        "pandas to_excel, xlsxwriter": best_of(lambda: pandas_excel("xlsxwriter"), 1),
        "pandas to_excel, openpyxl (the old path)": best_of(lambda: pandas_excel("openpyxl"), 1),
    }
    show(rows, "write_table(3 sheets) .xlsx")


def reading(tmp: Path, n_rows: int, repeat: int) -> None:
    counts = simulate_screen(max(1, n_rows // 33)).counts.head(n_rows)
    path = tmp / "counts.xlsx"
    counts.to_excel(path, index=False, sheet_name="counts", engine="xlsxwriter")
    print(f"\n3. Reading a {len(counts):,}-row counts workbook ({path.stat().st_size / 2**20:.1f} MiB):")
    from python_calamine import CalamineWorkbook

    def floor() -> None:
        with CalamineWorkbook.from_path(str(path)) as book:
            book.get_sheet_by_index(0).to_python()

    def old_path() -> None:
        [[cell_text(v) for v in row] for row in openpyxl_rows(path, "counts")]

    def pandas_read(engine: str) -> None:
        pd.read_excel(path, engine=engine)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = {
            "python-calamine to_python (the floor)": best_of(floor, repeat),
            "assaykit read_counts": best_of(lambda: read_counts(path), repeat),
            'pandas.read_excel(engine="calamine")': best_of(
                lambda: pd.read_excel(path, engine="calamine"), repeat
            ),
            'pandas.read_excel(engine="openpyxl")': best_of(
                lambda: pd.read_excel(path, engine="openpyxl"), 1
            ),
            "old path: openpyxl.load_workbook + texts": best_of(old_path, 1),
        }
    show(rows, "python-calamine to_python (the floor)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curves", type=int, default=10_000)
    parser.add_argument("--read-rows", type=int, default=130_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--realistic", action="store_true", help="also time the 80%% inactive screen")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; best of {args.repeat}")
    with tempfile.TemporaryDirectory() as tmp:
        command(Path(tmp), args.curves, args.repeat, args.realistic)
        write_stage(Path(tmp), args.curves, args.repeat)
        reading(Path(tmp), args.read_rows, args.repeat)


if __name__ == "__main__":
    main()
