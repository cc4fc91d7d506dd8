"""What a tracking user gets wrong, through `assaykit epm` and `ldb`: one clear line, or a flagged row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.cli import main

T = np.round(np.arange(3000) * 0.1, 6)  # 300 s at 10 fps


def run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def track(path: Path, **columns: object) -> Path:
    frame = pd.DataFrame({"time": T, "x": np.where(T < 100, 0.0, 15.0), "y": 0.0})
    for name, values in columns.items():
        frame[name] = values
    frame.to_csv(path, index=False)
    return path


def error_line(result: object) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and "Traceback" not in result.output, (
        result.output
    )
    return lines[0]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--fps", 0), ["--fps (fps) must be positive, not 0"]),
        (("--fps", "inf"), ["--fps (fps) must be a finite number"]),
        (("--duration", 0), ["--duration (duration_s) must be positive"]),
        (("--duration", -5), ["--duration (duration_s) must be positive"]),
        (("--max-gap", -1), ["--max-gap (max_gap_frames) must not be negative"]),
        (("--max-lost", 2), ["--max-lost (max_lost) must be between 0 and 1, not 2"]),
        (("--hysteresis", -1), ["--hysteresis (hysteresis_cm) must not be negative"]),
        (("--min-time", -1), ["--min-time (min_time_s) must not be negative"]),
        (("--confidence", 2), ["--confidence (likelihood) must be between 0 and 1"]),
        (("--px-per-cm", 0), ["--px-per-cm (px_per_cm) must be positive"]),
        (("--entry-rule", "fraction:1.5"), ["fraction:F with F in (0, 1]", "fraction:1.5"]),
        (("--start", 500), ["no frame in the session window (from 500 s for 300 s)", "0 to 299.9 s"]),
    ],
)
def test_bad_options(tmp_path: Path, args: tuple, fragments: list[str]) -> None:
    line = error_line(run("epm", track(tmp_path / "m1.csv"), *args))
    for fragment in fragments:
        assert fragment in line


def test_infinite_values_name_row_and_column(tmp_path: Path) -> None:
    x = np.where(T < 100, 0.0, 15.0)
    x[50] = np.inf
    line = error_line(run("epm", track(tmp_path / "m1.csv", x=x)))
    assert "row 52" in line and "column 'x'" in line and "finite number" in line
    t = T.copy()
    t[500] = np.inf
    line = error_line(run("epm", track(tmp_path / "m2.csv", time=t)))
    assert "row 502" in line and "column 'time'" in line and "finite number" in line


def test_a_repeated_time_stamp(tmp_path: Path) -> None:
    t = T.copy()
    t[100] = t[99]
    line = error_line(run("epm", track(tmp_path / "m1.csv", time=t)))
    assert "row 102" in line and "9.9 s repeats" in line and "does not increase" in line


def test_decimal_commas_in_a_semicolon_file(tmp_path: Path) -> None:
    path = tmp_path / "eu.csv"
    lines = ["time;x;y"] + [f"{t:g};{0 if t < 100 else 15.5};0".replace(".", ",") for t in T]
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.csv"
    result = run("epm", path, "-o", out)
    assert result.exit_code == 0, result.output
    row = pd.read_csv(out).iloc[0]
    assert row["open_time_s"] == pytest.approx(200.0, abs=1e-9) and row["distance_cm"] == pytest.approx(15.5)


def test_an_ethovision_export_cut_mid_row(tmp_path: Path) -> None:
    head = [
        '"Number of header lines:";"5"',
        '"Experiment";"EPM"',
        '"Trial name";"Trial 1"',
        '"Trial time";"X center";"Y center"',
        '"s";"cm";"cm"',
    ]
    body = [f'"{t:.2f}";"{0 if t < 100 else 15}";"0"' for t in T[:1500]]
    path = tmp_path / "trial.txt"
    path.write_text("\n".join([*head, *body, '"150.00";"15']))  # no line break: the copy stopped there
    out = tmp_path / "out.csv"
    result = run("epm", path, "-o", out)
    assert result.exit_code == 0, result.output
    assert "last row (line 1506) has 2 of the 3 cells" in result.stderr and "cut short" in result.stderr
    row = pd.read_csv(out).iloc[0]
    assert row["frames"] == 1500 and "short_session" in row["flags"]


def test_positions_far_off_the_maze_say_where_they_are(tmp_path: Path) -> None:
    path = track(tmp_path / "m1.csv", x=np.where(T < 100, 400.0, 415.0), y=300.0)  # pixels, no origin
    result = run("epm", path)
    assert result.exit_code == 0, result.output
    assert "percentile, lie at x 400 to 415, y 300 to 300 cm; the maze at x -32.5 to 32.5" in result.stderr


@pytest.mark.parametrize(
    ("make", "fragments"),
    [
        (lambda p: p.write_text(""), ["empty"]),
        (lambda p: p.write_text("time,x,y\n"), ["no data rows"]),
        (lambda p: p.write_text("time,x,y\n0,0,0\n"), ["only one frame"]),
        (lambda p: p.write_bytes(bytes(range(256)) * 4), ["binary"]),
        (
            lambda p: p.write_text("plate,well,kind,conc_nM,cpm\nP1,A1,total,,1000\n"),
            ["no time (or frame) column", "'conc_nM'"],
        ),
        (lambda p: p.write_text("time,x_cm,y_px\n0,0,0\n0.1,0,0\n"), ["mixed units", "'x_cm'", "'y_px'"]),
        (
            lambda p: p.write_text("time,zone\n0,center\n0.1,banana\n"),
            ["row 3", "unknown zone label 'banana'"],
        ),
    ],
)
def test_bad_files(tmp_path: Path, make: object, fragments: list[str]) -> None:
    path = tmp_path / "tracks.csv"
    make(path)  # type: ignore[operator]
    line = error_line(run("epm", path))
    assert "tracks.csv" in line
    for fragment in fragments:
        assert fragment in line


def test_missing_file_and_folder(tmp_path: Path) -> None:
    assert "file not found" in error_line(run("epm", tmp_path / "nothere.csv"))
    (tmp_path / "folder.csv").mkdir()
    assert "is a directory" in error_line(run("ldb", tmp_path / "folder.csv"))


def test_the_same_animal_in_two_files(tmp_path: Path) -> None:
    a = track(tmp_path / "a.csv", animal="m1")
    b = track(tmp_path / "b.csv", animal="m1")
    line = error_line(run("epm", a, b))
    assert "animal 'm1' is in" in line and "a.csv" in line and "b.csv" in line


def test_a_track_without_any_position_is_unusable(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = run("ldb", track(tmp_path / "m1.csv", x=np.nan), "-o", out)
    assert result.exit_code == 0 and "endpoints left blank (flag unusable)" in result.stderr
    assert pd.read_csv(out).iloc[0]["flags"].startswith("unusable")


def test_time_stamps_far_from_zero_are_fine(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = run("epm", track(tmp_path / "m1.csv", time=T + 1.7e9), "-o", out)  # a computer's clock
    assert result.exit_code == 0 and "warning" not in result.stderr, result.output
    assert pd.read_csv(out).iloc[0]["open_time_s"] == pytest.approx(200.0, abs=1e-4)
