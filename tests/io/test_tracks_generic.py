"""The generic track layout and the format dispatcher of read_tracks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.io.tracks import detect_format, read_generic, read_tracks

DATA = Path(__file__).resolve().parents[1] / "data" / "tracks"


def write(tmp_path: Path, text: str, name: str = "m1.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("dlc_single.csv", "dlc"),
        ("dlc_multi.csv", "dlc"),
        ("ethovision_2014.txt", "ethovision"),
        ("ethovision_unicode.txt", "ethovision"),
        ("anymaze_test.csv", "anymaze"),
    ],
)
def test_fixtures_are_recognised(name: str, expected: str) -> None:
    assert detect_format(DATA / name) == expected


def test_generic_is_the_fallback_and_keeps_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "time,x,y\n0,1.5,2\n0.04,-,3\n0.08,2.5,NA\n")
    assert detect_format(path) == "generic"
    table = read_tracks(path)
    assert table.format == "generic" and table.space_unit is None and table.has_coordinates
    assert list(table.data.columns) == ["animal", "time_s", "x", "y"]
    assert list(table.data.index) == [2, 3, 4]  # the lines of the file
    assert table.data["animal"].tolist() == ["m1"] * 3
    np.testing.assert_array_equal(table.data["time_s"], [0, 0.04, 0.08])
    np.testing.assert_array_equal(table.data["x"], [1.5, np.nan, 2.5])
    np.testing.assert_array_equal(table.data["y"], [2, 3, np.nan])


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("x_cm,y_cm", "cm"),
        ("X (mm),Y (mm)", "mm"),
        ("x_px,y_px", "px"),
        ("x_pixels,y_pixels", "px"),
        ("pos_x,pos_y", None),
        ("centroid_x_cm,centroid_y_cm", "cm"),
    ],
)
def test_units_come_from_the_column_names(tmp_path: Path, header: str, unit: str | None) -> None:
    table = read_generic(write(tmp_path, f"time,{header}\n0,1,2\n0.1,3,4\n"))
    assert table.space_unit == unit
    np.testing.assert_array_equal(table.data["x"], [1, 3])


def test_time_in_ms_and_frames_with_fps(tmp_path: Path) -> None:
    table = read_generic(write(tmp_path, "time_ms,x,y\n0,1,1\n40,1,1\n"))
    np.testing.assert_allclose(table.data["time_s"], [0.0, 0.04])
    table = read_generic(write(tmp_path, "frame,x,y\n10,1,1\n11,1,1\n", "f.csv"), fps=25)
    np.testing.assert_allclose(table.data["time_s"], [0.4, 0.44])
    with pytest.raises(AssayInputError, match="must be positive"):
        read_generic(tmp_path / "f.csv", fps=0)


def test_several_animals_and_stripped_ids(tmp_path: Path) -> None:
    table = read_generic(write(tmp_path, "Animal,Time,X,Y\n a ,0,1,1\nb,0,2,2\na,0.1,3,3\n"))
    assert table.data["animal"].tolist() == ["a", "b", "a"]
    with pytest.raises(AssayInputError, match=r"row 3, column 'animal'.*empty"):
        read_generic(write(tmp_path, "animal,time,x,y\na,0,1,1\n ,0,2,2\n", "e.csv"))


def test_zone_labels_without_positions(tmp_path: Path) -> None:
    table = read_generic(write(tmp_path, "time,zone\n0,center\n0.1, open 1 \n0.2,\n"))
    assert table.format == "zones" and not table.has_coordinates
    assert table.data["zone"].tolist() == ["center", "open 1", ""]


def test_xlsx_generic(tmp_path: Path) -> None:
    path = tmp_path / "m.xlsx"
    pd.DataFrame({"time_s": [0.0, 0.5], "x_cm": [1.0, None], "y_cm": [2.0, 3.0]}).to_excel(path, index=False)
    table = read_tracks(path)
    assert table.space_unit == "cm"
    np.testing.assert_array_equal(table.data["x"], [1.0, np.nan])


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("tiem,x,y\n0,1,1\n", ["no time (or frame) column", "did you mean 'time' for 'tiem'"]),
        ("time,x,y\n,1,1\n", ["row 2", "column 'time'", "empty"]),
        ("time,x,y\n0,1,1\n0.1,1;5,1\n", ["row 3", "column 'x'", "expected a number"]),
        ('time,x,y\n0,"1,5",1\n', ["decimal point"]),
        ("time,x,x_cm,y\n0,1,1,1\n", ["2 columns could be the x coordinate"]),
        ("time,y\n0,1\n", ["no x coordinate column"]),
        ("time,x_cm,y_mm\n0,1,1\n", ["mixed units"]),
        ("time,foo\n0,1\n", ["no x coordinate column"]),
    ],
)
def test_generic_errors_name_the_place(tmp_path: Path, text: str, fragments: list[str]) -> None:
    with pytest.raises(AssayInputError) as info:
        read_generic(write(tmp_path, text))
    message = str(info.value)
    assert "\n" not in message and "m1.csv" in message
    for fragment in fragments:
        assert fragment in message


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AssayInputError, match="unknown track format 'nwb'"):
        read_tracks(tmp_path / "x.csv", format="nwb")
    with pytest.raises(AssayInputError, match="file not found"):
        read_tracks(tmp_path / "missing.csv")
    with pytest.raises(AssayInputError, match="file not found"):
        read_tracks(tmp_path / "missing.h5")


def test_forced_format_reads_a_vendor_file(tmp_path: Path) -> None:
    table = read_tracks(DATA / "dlc_single.csv", format="dlc", fps=30)
    assert table.format == "dlc" and table.space_unit == "px"
    with pytest.raises(AssayInputError, match="--fps"):
        read_tracks(DATA / "dlc_single.csv")


EV3_DETAILS = """Track file,C:\\\\data\\\\track_00521.trk
Object,0
Samples,6
Trial duration,0000:00:00:00.480,dd:HH:mm:ss
Arena,Maze,
Start date & time,2006-02-20 10:34:21.640,yyyy-MM-dd HH:mm:ss

Mobility running av,1,
"""


def test_lines_of_run_details_above_the_column_names_are_skipped(tmp_path: Path) -> None:
    """EthoVision 3's raw-data export: details of the run, then Sample no.,Time,X,Y,... and the samples."""
    rows = "Sample no.,Time,X,Y,Area\n" + "".join(
        f"{i},{0.08 * i:.2f},{1.5 * i:.2f},{-2.0 * i:.2f},290\n" if i != 3 else f"{i},{0.08 * i:.2f},-,-,-\n"
        for i in range(6)
    )
    path = tmp_path / "track_00521.csv"
    path.write_text(EV3_DETAILS + rows)
    with pytest.warns(
        UserWarning, match=r"lines 1-8 hold details of the run above the column names on line 9"
    ):
        table = read_tracks(path)
    assert table.data["time_s"].tolist() == pytest.approx([0.08 * i for i in range(6)])
    expected_x = [1.5 * i if i != 3 else np.nan for i in range(6)]
    assert np.allclose(table.data["x"], expected_x, equal_nan=True)
    assert table.data.index.tolist() == list(range(10, 16))  # the samples' own lines


def test_a_file_with_no_track_header_anywhere_keeps_its_own_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("Experiment,12\nOperator,AB,extra\nNotes,none\n")
    with pytest.raises(AssayInputError, match="row 2: this row has a value in cell 3"):
        read_tracks(path)
