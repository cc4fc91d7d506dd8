"""Times that cannot be seconds: an error (or, when merely suspicious, a warning) naming the file and column.

The rules (assaykit.tracking.clock): video runs at 1 to 1000 frames per second and a session lasts minutes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.cli import main
from assaykit.epm import compute_epm_endpoints


def run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def write(path: Path, time: np.ndarray, column: str = "time", x: np.ndarray | float = 15.0) -> Path:
    pd.DataFrame({column: time, "x": x, "y": 0.0}).to_csv(path, index=False)
    return path


def one_error_line(result: object) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and "Traceback" not in result.output, (
        result.output
    )
    return lines[0]


def test_milliseconds_in_a_column_without_a_unit(tmp_path: Path) -> None:
    ms = np.round(np.arange(9000) * 1000 / 30)  # 5 min at 30 fps, in ms: steps of 33-34
    line = one_error_line(run("epm", write(tmp_path / "m1.csv", ms)))
    for fragment in ("m1.csv", "column 'time'", "hours", "time_ms", "frame", "--fps"):
        assert fragment in line


def test_three_frames_in_milliseconds(tmp_path: Path) -> None:
    line = one_error_line(run("epm", write(tmp_path / "m1.csv", np.array([0.0, 100.0, 200.0]))))
    for fragment in ("m1.csv", "column 'time'", "step by 100", "one frame every 100 s", "time_ms", "time_s"):
        assert fragment in line


def test_frame_numbers_in_a_time_column(tmp_path: Path) -> None:
    line = one_error_line(run("epm", write(tmp_path / "m1.csv", np.arange(9000.0))))
    for fragment in ("column 'time'", "whole numbers counting up by 1", "frame numbers", "--fps"):
        assert fragment in line


def test_whole_seconds_over_the_session_are_only_a_warning(tmp_path: Path) -> None:
    # a scorer's sheet, one zone per second: 0 .. 299 is also what frame numbers look like
    t = np.arange(300.0)
    path, out = tmp_path / "sheet.csv", tmp_path / "out.csv"
    pd.DataFrame({"time": t, "zone": np.where(t < 100, "dark", "light")}).to_csv(path, index=False)
    result = run("ldb", path, "-o", out)
    assert result.exit_code == 0, result.output
    assert "look like frame numbers" in result.stderr and "time_s" in result.stderr
    row = pd.read_csv(out).iloc[0]
    assert row["light_time_s"] == pytest.approx(200.0) and row["dark_time_s"] == pytest.approx(100.0)
    # the column that states seconds is taken at its word
    pd.DataFrame({"time_s": t, "zone": np.where(t < 100, "dark", "light")}).to_csv(path, index=False)
    quiet = run("ldb", path)
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr


def test_seconds_in_a_time_ms_column(tmp_path: Path) -> None:
    t = np.round(np.arange(3000) * 0.1, 6)
    line = one_error_line(run("epm", write(tmp_path / "m1.csv", t, "time_ms")))
    for fragment in ("column 'time_ms'", "0.1 ms", "10,000 frames per second", "look like seconds"):
        assert fragment in line


def test_milliseconds_in_a_time_s_column(tmp_path: Path) -> None:
    ms = np.round(np.arange(3000) * 100.0)
    line = one_error_line(run("epm", write(tmp_path / "m1.csv", ms, "time_s")))
    assert "column 'time_s'" in line and "83.3 hours" in line and "time_ms" in line


def test_a_slow_clock_that_states_seconds_is_a_warning(tmp_path: Path) -> None:
    t = np.arange(0.0, 300.0, 2.0)  # one position every 2 s
    out = tmp_path / "out.csv"
    result = run("epm", write(tmp_path / "slow.csv", t, "time_s", np.where(t < 100, 0.0, 15.0)), "-o", out)
    assert result.exit_code == 0, result.output
    assert "warning: slow: the times in 'time_s' step by 2 s" in result.stderr
    assert pd.read_csv(out).iloc[0]["open_time_s"] == pytest.approx(200.0)


@pytest.mark.parametrize("fps", [30000, 0.5])
def test_a_frame_rate_video_cannot_have(tmp_path: Path, fps: float) -> None:
    path = tmp_path / "f.csv"
    pd.DataFrame({"frame": np.arange(900), "x": 15.0, "y": 0.0}).to_csv(path, index=False)
    line = one_error_line(run("epm", path, "--fps", fps))
    assert "--fps" in line and "1 to 1000 frames per second" in line


def test_a_frame_rate_that_makes_a_3_s_session_says_what_to_check(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    pd.DataFrame({"frame": np.arange(900), "x": 15.0, "y": 0.0}).to_csv(path, index=False)
    result = run("epm", path, "--fps", 300)
    assert result.exit_code == 0, result.output
    assert "the track covers only 3 s of the session window (900 frames at --fps 300" in result.stderr


def test_minutes_read_as_seconds_say_what_to_check(tmp_path: Path) -> None:
    t = np.arange(3000) * 0.1 / 60  # 5 min at 10 fps, in minutes
    result = run("epm", write(tmp_path / "mins.csv", t))
    assert result.exit_code == 0, result.output
    assert "covers only 5 s of the session window" in result.stderr
    assert "are the times in seconds?" in result.stderr


def test_the_python_entry_point_flags_the_animal() -> None:
    tracks = pd.DataFrame({"time_s": np.arange(3000) * 100.0, "x": 15.0, "y": 0.0})
    row = compute_epm_endpoints(tracks).iloc[0]
    assert row["flags"].startswith("error:") and "hours" in row["flags"]


def test_a_fast_clock_that_states_seconds_is_a_warning(tmp_path: Path) -> None:
    t = np.arange(600_000) / 2000.0  # a beam system sampling at 2 kHz, in seconds
    path, out = tmp_path / "beams.csv", tmp_path / "out.csv"
    pd.DataFrame({"time_s": t, "zone": np.where(t < 100, "dark", "light")}).to_csv(path, index=False)
    result = run("ldb", path, "-o", out)
    assert result.exit_code == 0, result.output
    assert (
        "2,000 frames per second as seconds" in result.stderr and "are the times in seconds?" in result.stderr
    )
    assert pd.read_csv(out).iloc[0]["light_time_s"] == pytest.approx(200.0, abs=1e-6)
    # the same numbers in a column without a unit are minutes or worse: an error
    pd.DataFrame({"time": t / 60, "zone": "dark"}).to_csv(path, index=False)
    assert "if they are minutes, give seconds" in one_error_line(run("ldb", path))


def test_a_scoring_sheet_for_part_of_its_span_is_only_a_warning(tmp_path: Path) -> None:
    t = np.arange(300.0)  # one row per second for 5 min, analysed for the first minute
    path = tmp_path / "sheet.csv"
    pd.DataFrame({"time": t, "zone": "dark"}).to_csv(path, index=False)
    result = run("ldb", path, "--duration", 60)
    assert result.exit_code == 0 and "look like frame numbers" in result.stderr, result.output
