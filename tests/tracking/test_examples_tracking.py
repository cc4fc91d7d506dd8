"""The tracking examples: the data files are what their generators write, and the scripts run."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("assay", ["epm", "ldb"])
def test_example_data_is_the_generator_output(assay: str) -> None:
    spec = importlib.util.spec_from_file_location(
        f"make_{assay}", ROOT / "examples" / assay / "make_tracks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    made = module.make_tracks()
    shipped = pd.read_csv(ROOT / "examples" / assay / "tracks.csv")
    pd.testing.assert_frame_equal(made.reset_index(drop=True), shipped, check_exact=False, atol=1e-9)


@pytest.mark.parametrize("script", ["epm/epm_endpoints.py", "ldb/ldb_endpoints.py"])
def test_example_script_runs(script: str) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / script)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "dzp-01" in done.stdout and "veh" in done.stdout
