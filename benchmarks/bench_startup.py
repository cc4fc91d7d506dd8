"""Start-up of small jobs: whole-process times of the example commands against the 0.6 s target.

A small job's time is mostly start-up: the interpreter, then the imports. Each command below is run as a
fresh process (``python -m assaykit ...``, so ``PYTHONPATH=src`` times a source tree) several times and
the best wall time is kept, next to the floors a user pays anyway:

- ``python -c pass`` (the interpreter alone) and ``python -c 'import pandas'`` (every command reads its
  input with pandas);
- ``assaykit --help`` (the command line without any command's imports);
- the README's three-curve example, ``assaykit binding examples/binding/counts.csv --kd 1.5 --radioligand 1``,
  printing its table and with ``-o out.csv -q``;
- the plus-maze, light-dark box and saturation examples, and the plus maze with a ``--design`` (the only
  one of these that needs scipy: it tests the groups).

For each command it also lists which heavy packages (lmfit, scipy, matplotlib, openpyxl) the process
imported, from one more run under ``python -X importtime``.

The processes may cache compiled bytecode (in a temporary ``PYTHONPYCACHEPREFIX``, after one warm-up run),
as an installed package does: with ``PYTHONDONTWRITEBYTECODE=1`` and a source tree every run would compile
assaykit's ~45 modules again (some 30 ms here). ``--no-bytecode-cache`` times them without the cache.

The target (issue 15) is the three-curve example under 0.6 s as a whole process.

Usage: python benchmarks/bench_startup.py [--repeat 7]  (run from the repository root)
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 0.6
HEAVY = ("lmfit", "scipy", "matplotlib", "openpyxl")
ROOT = Path(__file__).resolve().parent.parent


def commands(out_dir: Path) -> dict[str, list[str]]:
    """The command lines timed, by label (paths relative to the repository root)."""
    py = [sys.executable]
    ak = [*py, "-m", "assaykit"]
    binding = [*ak, "binding", "examples/binding/counts.csv", "--kd", "1.5", "--radioligand", "1"]
    return {
        "python -c pass": [*py, "-c", "pass"],
        "python -c 'import pandas'": [*py, "-c", "import pandas"],
        "assaykit --help": [*ak, "--help"],
        "binding, 3 curves (table)": binding,
        "binding, 3 curves -o out.csv -q": [*binding, "-o", str(out_dir / "binding.csv"), "-q"],
        "epm example": [*ak, "epm", "examples/epm/tracks.csv", "-q"],
        "ldb example": [*ak, "ldb", "examples/ldb/tracks.csv", "-q"],
        "saturation example": [*ak, "saturation", "examples/saturation/sat.csv", "-q"],
        "epm --design (tests groups)": [
            *ak,
            "epm",
            "examples/epm/tracks.csv",
            "--design",
            "examples/design/design.csv",
            "--control",
            "vehicle",
            "-q",
        ],  # fmt: skip
    }


def best_time(argv: list[str], repeat: int, env: dict[str, str]) -> tuple[float, float]:
    """Best wall time and best CPU time (user + system) of ``repeat`` runs of ``argv``.

    The CPU time is the process's own, so it is less disturbed than the wall time by other work on the
    machine; on an idle machine the two are close. Output is discarded; a failure stops the benchmark.
    """
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run(argv, cwd=ROOT, env=env, check=True, **quiet)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu


def heavy_imports(argv: list[str], env: dict[str, str]) -> list[str]:
    """The heavy top-level packages ``argv`` imports, read from ``python -X importtime``'s report."""
    traced = [argv[0], "-X", "importtime", *argv[1:]]
    report = subprocess.run(traced, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stderr
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in report.splitlines() if "|" in line}
    return [name for name in HEAVY if name in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per command; the best is kept")
    parser.add_argument("--no-bytecode-cache", action="store_true", help="compile the sources at every run")
    args = parser.parse_args()
    source = os.environ.get("PYTHONPATH", "")
    cache = "no bytecode cache" if args.no_bytecode_cache else "bytecode cached as when installed"
    print(f"best of {args.repeat} whole-process runs; PYTHONPATH={source!r}; {cache}; target {TARGET_S} s")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        if not args.no_bytecode_cache:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        runs = commands(Path(tmp))
        heavy = {label: heavy_imports(argv, env) for label, argv in runs.items()}  # also the warm-up
        times = {label: best_time(argv, args.repeat, env) for label, argv in runs.items()}
    pandas_s = times["python -c 'import pandas'"][0]
    print(f"{'':34} {'wall s':>7} {'cpu s':>7} {'/ target':>9} {'/ pandas':>9}  heavy imports")
    for label, (wall, cpu) in times.items():
        print(
            f"{label:34} {wall:7.3f} {cpu:7.3f} {wall / TARGET_S:9.2f} {wall / pandas_s:9.2f}  "
            f"{', '.join(heavy[label]) or '-'}"
        )
    worst = max(times["binding, 3 curves (table)"][0], times["binding, 3 curves -o out.csv -q"][0])
    verdict = "meets" if worst < TARGET_S else "misses"
    print(
        f"three-curve example: {worst:.3f} s wall, {worst / TARGET_S:.2f} x the {TARGET_S} s target "
        f"({verdict} it); {worst - pandas_s:+.3f} s beyond importing pandas. (Ratios use the wall time; "
        "on a busy machine compare the CPU times.)"
    )


if __name__ == "__main__":
    main()
