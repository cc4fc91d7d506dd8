"""The inclusive window end (--end, end_s), the frame-count columns, and the start-zone flag.

Expected frame counts are taken with pandas from the track as written (the frames stamped in the window),
independently of assaykit's durations.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.cli import main

# The CSV holds each float rounded to 10 significant digits: within 5e-10 of the value, relatively.
IN_FILE = 5e-10

FPS = 30.0


def run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def pose_like(tmp_path: Path, seconds: float = 700.0) -> tuple[Path, pd.DataFrame]:
    """Frame k at k / 30 s: the east open arm before 300 s, the north closed arm after."""
    t = np.arange(int(seconds * FPS)) / FPS
    frame = pd.DataFrame({"time": t, "x": np.where(t < 300, 15.0, 0.0), "y": np.where(t < 300, 0.0, 15.0)})
    path = tmp_path / "m1.csv"
    frame.to_csv(path, index=False)
    return path, frame


def endpoints(tmp_path: Path, *args: object) -> pd.Series:
    out = tmp_path / "out.csv"
    result = run("epm", *args, "-o", out)
    assert result.exit_code == 0, result.output
    return pd.read_csv(out, keep_default_na=False, na_values=[""]).iloc[0]


def test_end_includes_the_frame_stamped_at_it(tmp_path: Path) -> None:
    path, frame = pose_like(tmp_path)
    row = endpoints(tmp_path, path, "--start", 60, "--end", 600)
    selected = frame[(frame["time"] >= 60) & (frame["time"] <= 600)]  # what a pose workflow selects
    assert row["frames"] == len(selected) == 16201
    assert row["open_frames"] == int((selected["x"] == 15.0).sum()) == 7200
    assert row["closed_frames"] == int((selected["y"] == 15.0).sum()) == 9001
    assert row["center_frames"] == 0 and row["lost_frames"] == 0
    # each selected frame stands for one frame interval
    assert row["session_s"] == pytest.approx(len(selected) / FPS, rel=IN_FILE)
    assert row["open_time_s"] == pytest.approx(7200 / FPS, rel=IN_FILE)
    assert row["closed_time_s"] == pytest.approx(9001 / FPS, rel=IN_FILE)
    assert "short_session" not in str(row["flags"])


def test_duration_leaves_the_frame_stamped_at_the_end_out(tmp_path: Path) -> None:
    path, frame = pose_like(tmp_path)
    row = endpoints(tmp_path, path, "--start", 60, "--duration", 540)
    selected = frame[(frame["time"] >= 60) & (frame["time"] < 600)]
    assert row["frames"] == len(selected) == 16200
    assert row["session_s"] == pytest.approx(540.0, rel=IN_FILE)
    assert row["closed_frames"] == 9000


def test_an_end_between_stamps_counts_the_last_frame_before_it_in_full(tmp_path: Path) -> None:
    path, frame = pose_like(tmp_path)
    row = endpoints(tmp_path, path, "--start", 60, "--end", 600.01)
    assert row["frames"] == int(((frame["time"] >= 60) & (frame["time"] <= 600.01)).sum()) == 16201
    assert row["session_s"] == pytest.approx(16201 / FPS, rel=IN_FILE)


def test_a_frame_straddling_the_start_adds_seconds_not_a_frame(tmp_path: Path) -> None:
    path, frame = pose_like(tmp_path)
    start = 60 + 0.5 / FPS  # half-way through frame 1800
    row = endpoints(tmp_path, path, "--start", start, "--duration", 10)
    assert row["frames"] == int(((frame["time"] >= start) & (frame["time"] < start + 10)).sum())
    assert row["session_s"] == pytest.approx(10.0, rel=IN_FILE)


def test_a_track_ending_before_the_end_is_short(tmp_path: Path) -> None:
    path, _ = pose_like(tmp_path, seconds=500.0)
    row = endpoints(tmp_path, path, "--start", 60, "--end", 600)
    assert "short_session" in row["flags"].split(";")


def test_end_from_a_preset_and_its_conflicts(tmp_path: Path) -> None:
    path, _ = pose_like(tmp_path)
    preset = tmp_path / "window.toml"
    base = (Path(__file__).resolve().parents[2] / "protocols" / "epm-mouse.toml").read_text()
    preset.write_text(base.replace("duration_s = 300.0", "start_s = 60.0\nend_s = 600.0"))
    row = endpoints(tmp_path, path, "--protocol", preset)
    assert row["frames"] == 16201
    # the command line's --duration replaces the preset's end
    assert endpoints(tmp_path, path, "--protocol", preset, "--duration", 100)["frames"] == 3000
    both = tmp_path / "both.toml"
    both.write_text(base.replace("duration_s = 300.0", "duration_s = 300.0\nend_s = 600.0"))
    result = run("epm", path, "--protocol", both)
    assert (
        result.exit_code == 2
        and "both duration_s and end_s" in result.output
        and "both.toml" in result.output
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--duration", 100, "--end", 200), "--duration) or its end (--end), not both"),
        (("--start", 100, "--end", 50), "ends (--end (end_s) 50) before it starts (--start (start_s) 100)"),
        (("--end", "inf"), "--end (end_s) must be a finite number"),
    ],
)
def test_window_option_errors(tmp_path: Path, args: tuple, fragment: str) -> None:
    path, _ = pose_like(tmp_path, seconds=20.0)
    result = run("epm", path, *args)
    assert result.exit_code == 2 and fragment in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1


def test_frame_counts_add_up_with_lost_frames(tmp_path: Path) -> None:
    t = np.arange(9000) / FPS
    x = np.where(t < 100, 0.0, np.where(t < 200, 15.0, -15.0))
    x[3000:3030] = np.nan  # 30 frames without a position (more than --max-gap)
    x[6000:6060] = 500.0  # 60 frames far off the maze
    path = tmp_path / "m.csv"
    pd.DataFrame({"time": t, "x": x, "y": 0.0}).to_csv(path, index=False)
    row = endpoints(tmp_path, path)
    assert row["center_frames"] == 3000 and row["lost_frames"] == 30 + 60
    assert row["open_frames"] == 9000 - 3000 - 90
    assert (
        row["open_frames"] + row["closed_frames"] + row["center_frames"] + row["lost_frames"] == row["frames"]
    )
    assert row["lost_time_s"] == pytest.approx(90 / FPS, rel=IN_FILE)


def test_ldb_frame_columns(tmp_path: Path) -> None:
    t = np.arange(9000) / FPS
    path, out = tmp_path / "box.csv", tmp_path / "out.csv"
    pd.DataFrame({"time": t, "x": np.where(t < 40, 7.0, 30.0), "y": 13.0}).to_csv(path, index=False)
    result = run("ldb", path, "-o", out)
    assert result.exit_code == 0, result.output
    row = pd.read_csv(out).iloc[0]
    assert (row["dark_frames"], row["light_frames"], row["lost_frames"]) == (1200, 7800, 0)


def start_on_the_open_arm(tmp_path: Path) -> Path:
    t = np.arange(9000) / FPS
    path = tmp_path / "placed.csv"
    pd.DataFrame({"time": t + 5.0, "x": np.where(t < 20, 15.0, 0.0), "y": 0.0}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("start", "flagged"), [(None, True), (5.0, True), (0.0, True), (10.0, False)])
def test_start_zone_flag_only_when_the_window_starts_at_the_first_frame(
    tmp_path: Path, start: float | None, flagged: bool
) -> None:
    path = start_on_the_open_arm(tmp_path)  # placed on an open arm; its first frame is at 5 s
    args = () if start is None else ("--start", start, "--duration", 200)
    row = endpoints(tmp_path, path, *args)
    assert ("start_not_center" in str(row["flags"])) is flagged
    # on an open arm from the first frame it is seen in the window: at the window start, or at 5 s for a
    # window starting at 0, before the track does
    assert row["latency_open_s"] == (5.0 if start == 0.0 else 0.0)


def test_ldb_start_flag_mid_session(tmp_path: Path) -> None:
    t = np.arange(9000) / FPS
    path = tmp_path / "box.csv"
    pd.DataFrame({"time": t, "x": np.where(t < 40, 30.0, 7.0), "y": 13.0}).to_csv(path, index=False)
    out = tmp_path / "out.csv"
    assert run("ldb", path, "-o", out).exit_code == 0
    assert "start_not_dark" in pd.read_csv(out).iloc[0]["flags"]
    assert run("ldb", path, "--start", 20, "--duration", 100, "-o", out).exit_code == 0
    row = pd.read_csv(out, keep_default_na=False).iloc[0]
    assert "start_not_dark" not in row["flags"] and row["start_compartment"] == "light"
