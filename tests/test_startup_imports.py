"""Small jobs start fast: the example commands import neither lmfit nor scipy nor matplotlib.

Each command runs through ``assaykit.cli.main`` in a fresh interpreter, which then reports which heavy
packages ended up in ``sys.modules``. (The times are in ``benchmarks/bench_startup.py``; no timing here.)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("lmfit", "scipy", "matplotlib", "openpyxl")
BINDING = ["binding", str(ROOT / "examples/binding/counts.csv"), "--kd", "1.5", "--radioligand", "1"]


def heavy_after(args: list[str]) -> tuple[int, list[str], str]:
    """Run ``assaykit *args`` in a fresh interpreter; return its exit code, heavy modules loaded, output."""
    code = (
        "import sys\nfrom assaykit.cli import main\n"
        f"sys.argv = ['assaykit', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    status = exc.code or 0\nelse:\n    status = 0\n"
        f"print('HEAVY', status, ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    last = out.stdout.strip().splitlines()[-1].split(" ")
    assert last[0] == "HEAVY", out.stdout
    loaded = last[2].split(",") if len(last) > 2 and last[2] else []
    return int(last[1]), loaded, out.stdout + out.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["binding", "--help"],
        BINDING,
        [*BINDING, "-o", "{tmp}/out.csv", "-q"],
        [*BINDING, "--points", "{tmp}/points.csv", "-o", "{tmp}/out.json"],
        [*BINDING, "--potency-vs", "diazepam", "-q"],
        ["epm", str(ROOT / "examples/epm/tracks.csv"), "-q"],
        ["ldb", str(ROOT / "examples/ldb/tracks.csv"), "-q", "-o", "{tmp}/ldb.csv"],
    ],
    ids=["help", "binding-help", "binding", "binding-o", "binding-points", "potency-vs", "epm", "ldb"],
)
def test_the_example_commands_import_no_lmfit_scipy_or_matplotlib(args: list[str], tmp_path: Path) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    status, loaded, output = heavy_after(args)
    assert status == 0, output
    if "--potency-vs" in args:  # the ratio's Welch df is fractional: scipy.special, never scipy.stats
        assert "scipy" in loaded
        loaded.remove("scipy")
    assert loaded == [], output
    if args[0] == "binding" and "--help" not in args and "-q" not in args:
        assert "diazepam" in output  # it did run the job


@pytest.mark.parametrize("fit_all", [False, True])
def test_the_example_with_a_flat_curve_added(tmp_path: Path, fit_all: bool) -> None:
    """A flat curve is called inactive and not fitted, so no lmfit; fitted anyway, it is refitted by lmfit."""
    source = (ROOT / "examples/binding/counts.csv").read_text()
    header, *rows = source.splitlines()
    flat = [
        f"1,flat,{rep},{conc},{3100 + 40 * ((i + rep) % 3)}"
        for i, conc in enumerate([0.01, 0.1, 1, 10, 100, 1000, 10000])
        for rep in (1, 2, 3)
    ]
    counts = tmp_path / "counts.csv"
    counts.write_text("\n".join([header, *rows, *flat]) + "\n")
    options = ["--fdr", "1", "--min-displacement", "0"] if fit_all else []
    status, loaded, output = heavy_after(
        [*BINDING[:1], str(counts), *BINDING[2:], "-o", str(tmp_path / "o.csv"), *options]
    )
    assert status == 0, output
    assert ("lmfit" in loaded) == fit_all
    written = (tmp_path / "o.csv").read_text()
    assert written.count("\n") == 5 and "\nflat," in written  # a header and four curves


def test_potency_vs_interval_uses_students_t_of_the_welch_df() -> None:
    """The relative-potency interval without scipy.stats: the same t quantile scipy.stats gives."""
    import numpy as np
    import pandas as pd
    from scipy import stats

    from assaykit.binding import relative_potency

    results = pd.DataFrame(
        {
            "compound": ["ref", "a", "b"],
            "plate": ["1", "1", "1"],
            "log_ic50": [-8.0, -7.5, -9.1],
            "log_ic50_se": [0.05, 0.12, 0.05],
            "df": [26, 9, 26],
        }
    )
    table = relative_potency(results, "ref", level=0.9).set_index("compound")
    for name, se, df in (("a", 0.12, 9), ("b", 0.05, 26)):
        var = np.array([se**2, 0.05**2])
        welch = var.sum() ** 2 / (var[0] ** 2 / df + var[1] ** 2 / 26)
        half = stats.t.ppf(0.95, welch) * np.sqrt(var.sum())
        log_ratio = results.set_index("compound").loc[name, "log_ic50"] + 8.0
        assert table.loc[name, "df"] == pytest.approx(welch, rel=1e-12)
        assert np.log10(table.loc[name, "ratio_ci_low"]) == pytest.approx(log_ratio - half, rel=1e-12)
        assert np.log10(table.loc[name, "ratio_ci_high"]) == pytest.approx(log_ratio + half, rel=1e-12)


def test_the_binding_package_loads_each_public_name_on_first_use() -> None:
    """``assaykit.binding`` imports a module only when one of its names is used (PEP 562)."""
    code = (
        "import sys, importlib\n"
        "import assaykit.binding.competition\n"
        "print('saturation loaded:', 'assaykit.saturation' in sys.modules)\n"
        "import assaykit.binding as b\n"
        "from assaykit.binding import *\n"
        "for name in b.__all__:\n"
        "    assert name in dir(b), name\n"
        "    assert globals()[name] is getattr(b, name), name\n"
        "from assaykit.binding import fit_saturation\n"
        "assert fit_saturation is importlib.import_module('assaykit.saturation.analysis').fit_saturation\n"
        "assert 'fit_saturation' in dir(b) and 'fit_saturation' not in b.__all__\n"
        "assert read_counts is importlib.import_module('assaykit.io.counts').read_counts\n"
        "try:\n    b.no_such_name\nexcept AttributeError as exc:\n    print('error:', exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert "saturation loaded: False" in out.stdout
    assert "error: module 'assaykit.binding' has no attribute 'no_such_name'" in out.stdout


def test_version_is_looked_up_only_when_asked() -> None:
    code = (
        "import sys, assaykit, assaykit.cli\n"
        "print('metadata:', 'importlib.metadata' in sys.modules)\n"
        "print('version:', assaykit.__version__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert "metadata: False" in out.stdout
    from importlib.metadata import version

    assert f"version: {version('assaykit')}" in out.stdout
    shown = subprocess.run([sys.executable, "-m", "assaykit", "-V"], capture_output=True, text=True, cwd=ROOT)
    assert shown.returncode == 0 and shown.stdout == f"assaykit, version {version('assaykit')}\n"
