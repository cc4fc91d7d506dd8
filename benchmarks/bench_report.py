"""The size and time of a screen's HTML report: ``assaykit binding screen.csv ... --report r.html``.

Simulates a screen of N compounds (``assaykit.binding.simulate.simulate_screen``: 30% inactive, 10% with
the IC50 near the top concentration, the rest active; 11 concentrations in triplicate, 30 compounds per
plate), then runs, each as a whole process, the command with ``-o`` only and with ``-o`` and
``--report``, and prints the report's size (the issue's limit: 5 MB for a 96-curve screen, for e-mail),
its bytes per curve, and the time the report adds (its figures: a thumbnail per curve and an overlay per
plate, drawn over every usable core).

Usage: python benchmarks/bench_report.py [--curves 96] [--repeat 1]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assaykit.binding.simulate import simulate_screen


def run(args: list[str], folder: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assaykit", *args], cwd=folder, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curves", type=int, default=96)
    parser.add_argument("--repeat", type=int, default=1)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        simulate_screen(options.curves, inactive=0.3, partial=0.1, seed=18).counts.to_csv(
            folder / "screen.csv", index=False
        )
        base = ["binding", "screen.csv", "--kd", "1.5", "--radioligand", "1", "-o", "hits.csv", "-q"]
        plain = min(run(base, folder) for _ in range(options.repeat))
        report = min(run([*base, "--report", "r.html"], folder) for _ in range(options.repeat))
        size = (folder / "r.html").stat().st_size
    per_curve = size / options.curves / 1e3
    print(f"{options.curves} curves: report {size / 1e6:.2f} MB ({per_curve:.1f} kB per curve)")
    print(f"  -o only {plain:.1f} s; -o and --report {report:.1f} s (the report adds {report - plain:.1f} s)")


if __name__ == "__main__":
    main()
