"""Pixels with zones drawn in pixels need no --px-per-cm for zone times; distances stay blank, with a note."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.cli import main

ROOT = Path(__file__).resolve().parents[2]
POSE = ROOT / "examples" / "epm" / "pose"
FPS = 30.0
# the mouse maze at 4 px/cm, centred on pixel (400, 300): centre 20 px, arms 120 x 20 px
ZONES = {
    "open_east": [[410, 290], [530, 290], [530, 310], [410, 310]],
    "open_west": [[270, 290], [390, 290], [390, 310], [270, 310]],
    "closed_north": [[390, 310], [410, 310], [410, 430], [390, 430]],
    "closed_south": [[390, 170], [410, 170], [410, 290], [390, 290]],
    "center": [[390, 290], [410, 290], [410, 310], [390, 310]],
}


def run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def zone_file(tmp_path: Path) -> Path:
    path = tmp_path / "maze.toml"
    path.write_text("".join(f'[[zones]]\nname = "{n}"\npolygon = {p}\n' for n, p in ZONES.items()))
    return path


def pixel_track(tmp_path: Path, column: str = "x_px") -> Path:
    """Centre for 100 s, the east arm (x 460 px) for 200 s, of which 1 s 1 px beyond its end (x 531)."""
    t = np.arange(9000) / FPS
    x = np.where(t < 100, 400.0, 460.0)
    x[(t >= 250) & (t < 251)] = 531.0
    path = tmp_path / "m1.csv"
    pd.DataFrame({"time": t, column: x, column.replace("x", "y", 1): 300.0}).to_csv(path, index=False)
    return path


def endpoints(tmp_path: Path, *args: object) -> tuple[pd.Series, object]:
    out = tmp_path / "out.csv"
    result = run("epm", *args, "-o", out)
    assert result.exit_code == 0, result.output
    return pd.read_csv(out, keep_default_na=False, na_values=[""]).iloc[0], result


def test_pixels_with_pixel_zones_and_no_scale(tmp_path: Path) -> None:
    track, zones = pixel_track(tmp_path), zone_file(tmp_path)
    row, result = endpoints(tmp_path, track, "--zones", zones)
    assert row["center_time_s"] == pytest.approx(100.0, abs=1e-9)
    # the plain point-in-polygon test: the second 1 px beyond the arm's end is off the maze
    assert row["open_time_s"] == pytest.approx(199.0, abs=1e-9)
    assert row["off_arena_time_s"] == pytest.approx(1.0, abs=1e-9)
    assert row["open_entries"] == 1 and row["latency_open_s"] == pytest.approx(100.0, abs=1e-9)
    for column in ("distance_cm", "open_distance_cm", "mean_speed_cm_s"):
        assert np.isnan(row[column]), column
    notes = [line for line in result.stderr.splitlines() if "--px-per-cm" in line]
    assert len(notes) == 1 and notes[0].startswith("note: ") and "m1.csv: pixels" in notes[0]
    assert "distances and speeds are left blank" in notes[0] and "hysteresis is not applied" in notes[0]
    # with the scale: cm, the 1 cm hysteresis keeps that second in the arm, and the distance is known
    scaled, _ = endpoints(tmp_path, track, "--zones", zones, "--px-per-cm", 4)
    assert scaled["open_time_s"] == pytest.approx(200.0, abs=1e-9) and scaled["off_arena_time_s"] == 0.0
    assert scaled["distance_cm"] == pytest.approx((60 + 71 + 71) / 4)
    unscaled_plain, _ = endpoints(tmp_path, track, "--zones", zones, "--px-per-cm", 4, "--hysteresis", 0)
    for column in ("open_time_s", "center_time_s", "open_entries", "latency_open_s", "off_arena_time_s"):
        assert unscaled_plain[column] == pytest.approx(row[column]), column


def test_coordinates_without_a_unit_and_pixel_zones(tmp_path: Path) -> None:
    row, result = endpoints(tmp_path, pixel_track(tmp_path, "x"), "--zones", zone_file(tmp_path))
    assert row["center_time_s"] == pytest.approx(100.0, abs=1e-9) and np.isnan(row["distance_cm"])
    assert "coordinates without a unit" in result.stderr


def test_pixels_and_an_arena_in_cm_need_the_scale(tmp_path: Path) -> None:
    result = run("epm", pixel_track(tmp_path))
    assert result.exit_code == 2
    line = result.output.strip()
    assert line.startswith("Error:") and "\n" not in line and "m1.csv" in line
    assert "in cm" in line and "--px-per-cm" in line and "--zones" in line


def test_postures_need_the_scale(tmp_path: Path) -> None:
    args = (POSE / "two_mice.analysis.h5", "--fps", 15, "--zones", POSE / "rois.geojson", "--duration", 120)
    row, result = endpoints(tmp_path, *args)
    assert np.isnan(row["head_dips"]) and np.isnan(row["distance_cm"])
    assert "head dips and stretched-attend postures (thresholds in cm) are left blank" in result.stderr
    scaled, _ = endpoints(tmp_path, *args, "--px-per-cm", 4)
    assert scaled["head_dips"] >= 0 and scaled["distance_cm"] > 0
