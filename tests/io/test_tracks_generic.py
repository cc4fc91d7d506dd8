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
