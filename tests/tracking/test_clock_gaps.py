"""Clock gaps: a step in the time stamps longer than --max-gap frames is lost time, not time in a zone.

Every track here is built by hand at 10 frames per second, so the expected seconds and frames are closed
forms: a gap from the frame stamped ``a`` to the next stamped ``b`` leaves the frame at ``a`` one frame
interval (0.1 s) and loses ``b - a - 0.1`` s, the ``round((b - a) / 0.1) - 1`` frames it skipped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.cli import main
from assaykit.epm import compute_epm_endpoints
from assaykit.epm.ethology import _central_speed, head_dips
from assaykit.tracking.clock import track_clocks
from assaykit.tracking.geometry import plus_maze

DT = 0.1  # 10 frames per second
MAZE = plus_maze(center_size=5.0, arm_length=30.0, arm_width=5.0)


def run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def stamps(n: int = 3000) -> np.ndarray:
    return np.round(np.arange(n) * DT, 6)


def drop(frame: pd.DataFrame, start: float, stop: float) -> pd.DataFrame:
    """Remove the rows stamped in ``[start, stop)``: a clock gap."""
    t = frame["time"].to_numpy()
    return frame[~((t >= start - 1e-9) & (t < stop - 1e-9))].reset_index(drop=True)


def read_row(out: Path) -> pd.Series:
    return pd.read_csv(out, keep_default_na=False, na_values=[""]).iloc[0]


def test_the_issue_track_loses_exactly_the_gap(tmp_path: Path) -> None:
    # centre for 100 s, then the east open arm; 5 s of rows (50 frames) missing while in the centre
    t = stamps()
    track = drop(pd.DataFrame({"time": t, "x": np.where(t < 100, 0.0, 15.0), "y": 0.0}), 1.0, 6.0)
    path, out = tmp_path / "m1.csv", tmp_path / "out.csv"
    track.to_csv(path, index=False)
    result = run("epm", path, "-o", out)
    assert result.exit_code == 0, result.output
    row = read_row(out)
    assert row["lost_time_s"] == pytest.approx(5.0, abs=1e-9)  # the gap, not time in the centre
    assert row["missing_time_s"] == pytest.approx(5.0, abs=1e-9)
    assert row["center_time_s"] == pytest.approx(1.0 + 94.0, abs=1e-9)  # [0, 1) and [6, 100) observed
    assert row["open_time_s"] == pytest.approx(200.0, abs=1e-9)
    assert row["session_s"] == pytest.approx(300.0, abs=1e-9)
    assert (row["frames"], row["frames_missing"], row["lost_frames"]) == (3000, 50, 50)
    assert (row["center_frames"], row["open_frames"], row["closed_frames"]) == (950, 2000, 0)
    assert row["flags"] != row["flags"] or "unusable" not in row["flags"]  # NaN (no flags) or not unusable
    warning = [line for line in result.stderr.splitlines() if "clock gap" in line]
    assert len(warning) == 1, result.stderr
    for fragment in (
        "warning: m1:",
        "--max-gap 10",
        "10 frames per second",
        "0.9 to 6 s",
        "50 frames missing",
    ):
        assert fragment in warning[0]
    assert "between rows 11 and 12" in warning[0]  # the header is line 1: t = 0.9 is line 11


def test_a_step_up_to_max_gap_frames_lasts_until_the_next_stamp() -> None:
    t = stamps()
    base = pd.DataFrame({"time_s": t, "x": 15.0, "y": 0.0})
    ten = drop(base.rename(columns={"time_s": "time"}), 50.0, 51.0).rename(columns={"time": "time_s"})
    eleven = drop(base.rename(columns={"time_s": "time"}), 50.0, 51.1).rename(columns={"time": "time_s"})
    short = compute_epm_endpoints(ten).iloc[0]  # 10 frames skipped: max_gap is 10
    assert short["lost_time_s"] == 0.0 and short["open_time_s"] == pytest.approx(300.0, abs=1e-9)
    assert short["frames"] == 2990 and short["frames_missing"] == 0
    with pytest.warns(UserWarning, match="11 frames missing"):
        long = compute_epm_endpoints(eleven).iloc[0]  # 11 frames skipped: lost
    assert long["lost_time_s"] == pytest.approx(1.1, abs=1e-9)
    assert long["open_time_s"] == pytest.approx(300.0 - 1.1, abs=1e-9)
    assert (long["frames"], long["frames_missing"], long["lost_frames"]) == (3000, 11, 11)
    assert compute_epm_endpoints(eleven, max_gap=11).iloc[0]["lost_time_s"] == 0.0


def test_a_visit_across_a_gap_is_one_visit_and_its_time_leaves_the_gap_out(tmp_path: Path) -> None:
    t = stamps()
    track = drop(pd.DataFrame({"time": t, "x": 15.0, "y": 0.0}), 100.0, 150.0)
    path, visits = tmp_path / "m.csv", tmp_path / "visits.csv"
    track.to_csv(path, index=False)
    result = run("epm", path, "--episodes", visits, "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    episodes = pd.read_csv(visits)
    assert len(episodes) == 1 and episodes.loc[0, "zone"] == "open_east"
    assert episodes.loc[0, "duration_s"] == pytest.approx(300.0, abs=1e-9)  # clock time, the gap within
    assert episodes.loc[0, "time_s"] == pytest.approx(250.0, abs=1e-9)  # credited: the gap left out
    row = read_row(tmp_path / "out.csv")
    assert row["open_entries"] == 0 and row["lost_time_s"] == pytest.approx(50.0, abs=1e-9)


def test_an_arm_seen_after_a_gap_is_entered_at_the_first_frame_after_it() -> None:
    t = stamps()
    x = np.where(t < 150, 15.0, -15.0)  # east open arm, then (unseen, in the gap) the west open arm
    track = drop(pd.DataFrame({"time": t, "x": x, "y": 0.0}), 100.0, 150.0).rename(columns={"time": "time_s"})
    with pytest.warns(UserWarning, match="clock gap"):
        row = compute_epm_endpoints(track).iloc[0]
    assert row["open_entries"] == 1  # the west arm, dated at t = 150
    assert row["latency_open_s"] == 0.0  # the session starts on the east open arm
    assert row["open_time_s"] == pytest.approx(250.0, abs=1e-9)
    assert row["lost_time_s"] == pytest.approx(50.0, abs=1e-9)  # [100, 150): the frame at 99.9 keeps 0.1 s
    # distance: the step across the gap joins the last position before it to the first after it (30 cm),
    # as a run of rows without positions is bridged
    assert row["distance_cm"] == pytest.approx(30.0)


def test_a_long_gap_makes_the_animal_unusable() -> None:
    t = stamps()
    track = drop(pd.DataFrame({"time": t, "x": 15.0, "y": 0.0}), 50.0, 250.0).rename(
        columns={"time": "time_s"}
    )
    with pytest.warns(UserWarning, match="2000 frames missing"):
        row = compute_epm_endpoints(track).iloc[0]
    assert row["lost_time_s"] == pytest.approx(200.0, abs=1e-9)
    assert row["flags"].split(";")[0] == "unusable" and np.isnan(row["open_time_s"])


def test_no_interpolation_reaches_across_a_gap() -> None:
    # rows 9.5 .. 9.9 have no position and the clock then jumps to 20.0: one run of 5 + 100 missing frames
    t = stamps()
    frame = pd.DataFrame({"time": t, "x": 15.0, "y": 0.0})
    frame.loc[(frame["time"] >= 9.5 - 1e-9) & (frame["time"] < 10.0 - 1e-9), "x"] = np.nan
    track = drop(frame, 10.0, 20.0).rename(columns={"time": "time_s"})
    with pytest.warns(UserWarning, match="100 frames missing"):
        row = compute_epm_endpoints(track).iloc[0]
    assert row["frames_interpolated"] == 0  # 5 missing rows, but the run they are part of is longer
    assert row["frames_missing"] == 5 + 100
    assert row["lost_time_s"] == pytest.approx(0.5 + 10.0, abs=1e-9)


def test_zone_labels_with_a_gap(tmp_path: Path) -> None:
    t = stamps()
    labels = pd.DataFrame({"time": t, "zone": np.where(t < 50, "dark", "light")})
    path, out = tmp_path / "beams.csv", tmp_path / "out.csv"
    drop(labels, 100.0, 110.0).to_csv(path, index=False)
    result = run("ldb", path, "-o", out)
    assert result.exit_code == 0, result.output
    row = read_row(out)
    assert row["light_time_s"] == pytest.approx(240.0, abs=1e-9)
    assert row["dark_time_s"] == pytest.approx(50.0, abs=1e-9)
    assert row["lost_time_s"] == pytest.approx(10.0, abs=1e-9)
    assert (row["light_frames"], row["dark_frames"], row["lost_frames"], row["frames"]) == (
        2400,
        500,
        100,
        3000,
    )


def test_a_frame_column_uses_the_frame_rate(tmp_path: Path) -> None:
    frames = np.r_[np.arange(100), np.arange(160, 3000)]  # 60 frames missing after frame 99
    path, out = tmp_path / "f.csv", tmp_path / "out.csv"
    pd.DataFrame({"frame": frames, "x": 15.0, "y": 0.0}).to_csv(path, index=False)
    result = run("epm", path, "--fps", 10, "-o", out)
    assert result.exit_code == 0, result.output
    row = read_row(out)
    assert row["lost_time_s"] == pytest.approx(6.0, abs=1e-9)
    assert row["frames_missing"] == 60 and row["frames"] == 3000
    assert "60 frames missing" in result.stderr


def test_an_event_log_keeps_every_row_until_the_next(tmp_path: Path) -> None:
    # a beam-break box writing a row only when the compartment changes
    times = [0.0, 35.2, 80.1, 140.7, 150.0, 230.5, 299.0]
    zones = ["dark", "light", "dark", "light", "dark", "light", "dark"]
    path, out = tmp_path / "beams.csv", tmp_path / "out.csv"
    pd.DataFrame({"time": times, "zone": zones}).to_csv(path, index=False)
    result = run("ldb", path, "-o", out)
    assert result.exit_code == 0, result.output
    row = read_row(out)
    light = (80.1 - 35.2) + (150.0 - 140.7) + (299.0 - 230.5)
    assert row["light_time_s"] == pytest.approx(light, abs=1e-9)
    assert row["dark_time_s"] == pytest.approx(300.0 - light, abs=1e-9)  # the last row reaches the end
    assert row["lost_time_s"] == 0.0 and row["transitions"] == 6
    assert np.isnan(row["light_frames"]) and np.isnan(row["lost_frames"])  # rows are not frames
    assert "irregular" in result.stderr and "event log" in result.stderr


def test_an_anymaze_export_is_an_event_log_without_a_warning(tmp_path: Path) -> None:
    # ANY-maze writes a row for each new position: the animal sits in the dark from 41 s to 120 s
    seconds = [0.0, 0.5, 1.0, 10.0, 10.2, 40.0, 41.0, 120.0, 299.0, 300.0]
    xs = [7, 8, 20, 21, 22, 8, 7, 30, 31, 31]
    lines = ["Time,Centre position X,Centre position Y"] + [
        f"{s},{x},10" for s, x in zip(seconds, xs, strict=True)
    ]
    path, out = tmp_path / "test1.csv", tmp_path / "out.csv"
    path.write_text("\n".join(lines) + "\n")
    result = run("ldb", path, "-o", out)
    assert result.exit_code == 0, result.output
    row = read_row(out)
    assert row["lost_time_s"] == 0.0
    assert row["light_time_s"] == pytest.approx((40.0 - 1.0) + (300.0 - 120.0), abs=1e-9)
    assert "warning" not in result.stderr


def test_clocks_find_gaps_only_in_sampled_tracks() -> None:
    t = np.r_[np.arange(100) * DT, 20.0 + np.arange(100) * DT]
    bounds = np.array([0, 200])
    clocks = track_clocks(t, bounds, max_gap=10)
    assert clocks.sampled.tolist() == [True]
    assert clocks.interval[0] == pytest.approx(DT)
    assert (
        np.flatnonzero(clocks.skipped).tolist() == [99] and clocks.skipped[99] == round((20.0 - 9.9) / DT) - 1
    )
    assert clocks.pieces(bounds).tolist() == [0, 100, 200]
    events = track_clocks(t, bounds, max_gap=10, event_log=True)
    assert not events.sampled[0] and not events.skipped.any()


def test_a_head_dip_ends_at_a_clock_gap_and_no_speed_is_taken_across_one() -> None:
    n = 30
    t = np.arange(n) / 30
    head_y = np.zeros(n)
    head_y[5:25] = 3.5  # 20 frames with the head 1 cm beyond the east arm's side
    args = (t, np.full(n, 1 / 30), np.full(n, 17.0), head_y, np.full(n, 15.0), np.zeros(n), MAZE)
    assert head_dips(*args).count == 1
    breaks = np.zeros(n, dtype=bool)
    breaks[14] = True  # a clock gap after frame 14: frames 5-14 and 15-24 are two dips of 10 frames
    assert head_dips(*args, breaks=breaks).count == 2
    speed = _central_speed(t, np.arange(n, dtype=float), np.zeros(n), 0.2, breaks)
    h = 3  # round(0.2 / 2 * 30)
    undefined = np.flatnonzero(np.isnan(speed))
    expected = sorted({*range(h), *range(n - h, n), *range(14 - h + 1, 14 + h + 1)})
    assert undefined.tolist() == expected


def test_the_one_animal_functions_apply_the_same_rule() -> None:
    from assaykit.tracking.analysis import analyze_labels, analyze_track

    t = np.r_[np.arange(100) * DT, 20.0 + np.arange(100) * DT]  # 10 s, a jump from 9.9 to 20, 10 s
    analysis = analyze_track(
        t, np.full(200, 15.0), np.zeros(200), MAZE, kinds=("open", "closed", "center"), max_gap=10
    )
    assert analysis.time_s["open"] == pytest.approx(20.0, abs=1e-9)
    assert analysis.missing_s == pytest.approx(10.0, abs=1e-9) and analysis.gap_s == pytest.approx(
        10.0, abs=1e-9
    )
    assert (analysis.frames, analysis.frames_missing, analysis.frames_skipped) == (300, 100, 100)
    # the frames' own durations (what a heatmap weighs) leave the gap out; with it they make the session
    assert analysis.durations.sum() == pytest.approx(20.0, abs=1e-9)
    assert analysis.durations.sum() + analysis.gap_s == pytest.approx(analysis.session_s, abs=1e-9)
    labels = analyze_labels(
        t, np.zeros(200, dtype=int), np.array(["dark"]), ["dark"], kinds=("light", "dark"), max_gap=10
    )
    assert labels.time_s["dark"] == pytest.approx(20.0, abs=1e-9) and labels.missing_s == pytest.approx(
        10.0, abs=1e-9
    )
    # without max_gap the labels are an event log: each lasts until the next
    assert analyze_labels(
        t, np.zeros(200, dtype=int), np.array(["dark"]), ["dark"], kinds=("light", "dark")
    ).time_s["dark"] == pytest.approx(30.0, abs=1e-9)


def test_a_gap_outside_the_window_is_not_reported(tmp_path: Path) -> None:
    t = stamps(4000)  # 400 s; 20 s of rows missing after the 300 s window
    path = tmp_path / "m1.csv"
    drop(pd.DataFrame({"time": t, "x": 15.0, "y": 0.0}), 320.0, 340.0).to_csv(path, index=False)
    result = run("epm", path)
    assert result.exit_code == 0 and "clock gap" not in result.stderr, result.output
    inside = run("epm", path, "--start", 100)  # the window 100 .. 400 holds it
    assert inside.exit_code == 0 and "a clock gap in the time stamps" in inside.stderr
