"""A plain `pip install .` must carry what the package loads at run time (the presets in protocols/)."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_contains_every_preset_and_the_package(tmp_path: Path) -> None:
    pytest.importorskip("hatchling", reason="the test extras install hatchling")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", tmp_path, ROOT],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = tmp_path.glob("assaykit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    presets = sorted((ROOT / "protocols").glob("*.toml"))
    assert presets, "protocols/ holds no preset"
    for preset in presets:
        assert f"assaykit/presets/{preset.name}" in names
    for module in ("cli/__init__.py", "fitting/engine.py", "binding/competition.py", "io/counts/__init__.py"):
        assert f"assaykit/{module}" in names
    # the report's Jinja2 template and style sheet are package data, loaded at run time
    for template in ("report/templates/report.html.j2", "report/templates/report.css"):
        assert f"assaykit/{template}" in names
