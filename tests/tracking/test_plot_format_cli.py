"""``--plot-format`` on ``epm``, ``ldb`` and ``compare``: the figures in the format asked for, all of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from assaykit.cli import main

ROOT = Path(__file__).resolve().parents[2]
MAGIC = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_epm_with_design_writes_every_figure_in_the_format(tmp_path: Path, fmt: str) -> None:
    plots = tmp_path / "plots"
    args = ["epm", str(ROOT / "examples/epm/tracks.csv"), "--plot", str(plots), "--plot-format", fmt, "-q"]
    args += ["--design", str(ROOT / "examples/design/design.csv"), "--control", "vehicle"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    files = sorted(plots.iterdir())
    assert {p.suffix for p in files} == {f".{fmt}"}
    assert {"veh-01", "dzp-01", "groups_open_time_pct", "estimation_open_time_pct"} <= {p.stem for p in files}
    assert all(p.read_bytes().startswith(MAGIC[fmt]) for p in files)


def test_ldb_and_compare_take_the_format_and_refuse_others(tmp_path: Path) -> None:
    ldb = CliRunner().invoke(
        main,
        [
            "ldb",
            str(ROOT / "examples/ldb/tracks.csv"),
            "--plot",
            str(tmp_path / "l"),
            "--plot-format",
            "svg",
            "-q",
        ],
    )
    assert ldb.exit_code == 0, ldb.output
    assert {p.suffix for p in (tmp_path / "l").iterdir()} == {".svg"}
    design = ROOT / "examples/design"
    args = ["compare", str(design / "epm_endpoints.csv"), "--design", str(design / "study_design.csv")]
    args += ["--control", "vehicle", "--plot", str(tmp_path / "c"), "-q"]
    done = CliRunner().invoke(main, [*args, "--plot-format", "pdf"])
    assert done.exit_code == 0, done.output
    assert {p.suffix for p in (tmp_path / "c").iterdir()} == {".pdf"}
    bad = CliRunner().invoke(main, [*args, "--plot-format", "jpg"])
    assert bad.exit_code == 2 and "jpg" in bad.output
