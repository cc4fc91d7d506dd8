"""Tests for assaykit.io.tracks.dlc: DeepLabCut .csv and .h5 pose files into a TrackTable."""

from __future__ import annotations

import csv
import math
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.io.tracks.dlc import read_dlc

DATA = Path(__file__).resolve().parents[1] / "data" / "tracks"
SINGLE = DATA / "dlc_single.csv"
MULTI = DATA / "dlc_multi.csv"


def fixture_points(path: Path) -> dict[tuple[str, str], list[tuple[float, float, float]]]:
    """Parse a DLC CSV with the csv module: (individual, part) -> [(x, y, likelihood) per frame]."""
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    depth = 4 if rows[1][0] == "individuals" else 3
    points: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for j in range(1, len(rows[0]), 3):
        who = rows[1][j] if depth == 4 else path.stem
        part = rows[depth - 2][j]
        assert [rows[depth - 1][j + k] for k in range(3)] == ["x", "y", "likelihood"]
        points[(who, part)] = [
            tuple(float(r[j + k]) if r[j + k] else math.nan for k in range(3))  # type: ignore[misc]
            for r in rows[depth:]
        ]
    return points


def expected_centroid(
    points: dict[tuple[str, str], list[tuple[float, float, float]]], who: str, parts: list[str], cut: float
) -> tuple[list[float], list[float], int]:
    """Plain-Python centroid of the parts left after the likelihood cut, and frames lost to the cut."""
    frames = len(points[(who, parts[0])])
    xs, ys, low = [], [], 0
    for i in range(frames):
        seen = [points[(who, p)][i] for p in parts if not math.isnan(points[(who, p)][i][0])]
        kept = [(x, y) for x, y, chance in seen if chance >= cut]
        if kept:
            xs.append(sum(x for x, _ in kept) / len(kept))
            ys.append(sum(y for _, y in kept) / len(kept))
        else:
            xs.append(math.nan)
            ys.append(math.nan)
            low += bool(seen)
    return xs, ys, low


def dlc_error(path: Path, **kwargs: object) -> AssayInputError:
    kwargs.setdefault("fps", 25.0)
    with pytest.raises(AssayInputError) as info:
        read_dlc(path, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return info.value


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def single_lines() -> list[str]:
    return SINGLE.read_text(encoding="utf-8").splitlines()


# -- single-animal CSV --------------------------------------------------------------------------------------


def test_single_animal_centroid_of_all_parts() -> None:
    table = read_dlc(SINGLE, fps=25.0)
    points = fixture_points(SINGLE)
    xs, ys, low = expected_centroid(points, "dlc_single", ["nose", "centre", "tailbase"], 0.9)
    assert table.format == "dlc"
    assert table.space_unit == "px"
    assert table.source == SINGLE
    assert list(table.data.columns) == ["animal", "time_s", "x", "y"]
    assert (table.data["animal"] == "dlc_single").all()
    np.testing.assert_allclose(table.data["time_s"], np.arange(8) / 25.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(table.data["x"], xs, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(table.data["y"], ys, rtol=1e-12, equal_nan=True)
    assert table.low_likelihood == {"dlc_single": low} == {"dlc_single": 1}
    # frames written into the fixture by hand: frame 1 drops the nose (0.5), frame 4 keeps 0.90 exactly
    assert table.data["x"].iloc[1] == pytest.approx((13.0 + 15.0) / 2)
    assert table.data["y"].iloc[4] == pytest.approx((22.5 + 24.5 + 27.0) / 3)
    assert math.isnan(table.data["x"].iloc[2])
    for column in ("time_s", "x", "y"):
        assert table.data[column].dtype == np.float64


def test_single_animal_one_bodypart() -> None:
    table = read_dlc(SINGLE, fps=30.0, bodypart="nose")
    points = fixture_points(SINGLE)[("dlc_single", "nose")]
    x = np.array([p[0] for p in points])
    chance = np.array([p[2] for p in points])
    np.testing.assert_array_equal(table.data["x"], np.where(chance >= 0.9, x, np.nan))
    assert table.low_likelihood == {"dlc_single": int((chance < 0.9).sum())} == {"dlc_single": 3}
    np.testing.assert_allclose(table.data["time_s"], np.arange(8) / 30.0)


def test_single_animal_several_bodyparts_and_threshold() -> None:
    points = fixture_points(SINGLE)
    for cut in (0.0, 0.5, 0.95, 1.0):
        table = read_dlc(SINGLE, fps=25, bodypart=["nose", "tailbase"], likelihood=cut)
        xs, ys, low = expected_centroid(points, "dlc_single", ["nose", "tailbase"], cut)
        np.testing.assert_allclose(table.data["x"], xs, equal_nan=True)
        np.testing.assert_allclose(table.data["y"], ys, equal_nan=True)
        assert table.low_likelihood == {"dlc_single": low}
    assert read_dlc(SINGLE, fps=25, likelihood=0).low_likelihood == {"dlc_single": 0}


def test_single_animal_bodypart_tuple_and_repeats() -> None:
    table = read_dlc(SINGLE, fps=25, bodypart=("centre", "centre"))
    expected = [p[0] if p[2] >= 0.9 else math.nan for p in fixture_points(SINGLE)[("dlc_single", "centre")]]
    np.testing.assert_array_equal(table.data["x"], expected)


def test_windows_line_ends_and_numpy_numbers(tmp_path: Path) -> None:
    path = tmp_path / "crlf.csv"
    path.write_bytes(SINGLE.read_bytes().replace(b"\n", b"\r\n"))
    table = read_dlc(path, fps=np.int64(25), likelihood=np.float32(0.9))
    xs, ys, _ = expected_centroid(fixture_points(SINGLE), "dlc_single", ["nose", "centre", "tailbase"], 0.9)
    np.testing.assert_allclose(table.data["x"], xs, equal_nan=True)
    np.testing.assert_allclose(table.data["time_s"], np.arange(8) / 25.0)


def test_frame_index_is_used_for_time(tmp_path: Path) -> None:
    lines = single_lines()
    lines[3:] = [f"{100 + 2 * i}," + line.split(",", 1)[1] for i, line in enumerate(lines[3:])]
    table = read_dlc(write_lines(tmp_path / "offset.csv", lines), fps=50.0)
    np.testing.assert_allclose(table.data["time_s"], (100 + 2 * np.arange(8)) / 50.0)


def test_blank_lines_and_missing_points_are_accepted(tmp_path: Path) -> None:
    lines = single_lines()
    assert lines[3].startswith("0,10.5,20.25,0.99,")
    lines[3] = lines[3].replace("0,10.5,20.25,0.99,", "0,nan,,,", 1)  # nose missing on frame 0
    lines.insert(5, "")
    table = read_dlc(write_lines(tmp_path / "blank.csv", lines), fps=25.0)
    assert len(table.data) == 8
    assert table.data["x"].iloc[0] == pytest.approx((12.0 + 14.5) / 2)
    assert table.low_likelihood == {"blank": 1}


# -- multi-animal CSV ---------------------------------------------------------------------------------------


def test_multi_animal_rows_per_individual_in_file_order() -> None:
    table = read_dlc(MULTI, fps=30.0)
    points = fixture_points(MULTI)
    assert list(table.data["animal"]) == ["mouse1"] * 5 + ["mouse2"] * 5  # "single" (unique parts) left out
    np.testing.assert_allclose(table.data["time_s"], np.tile(np.arange(5) / 30.0, 2))
    for animal, rows in (("mouse1", slice(0, 5)), ("mouse2", slice(5, 10))):
        xs, ys, low = expected_centroid(points, animal, ["nose", "tailbase"], 0.9)
        np.testing.assert_allclose(table.data["x"].iloc[rows], xs, equal_nan=True)
        np.testing.assert_allclose(table.data["y"].iloc[rows], ys, equal_nan=True)
        assert table.low_likelihood[animal] == low
    # by hand: mouse1 frame 1 keeps only its tail base; frame 3 is absent (not a likelihood loss)
    assert table.data["x"].iloc[1] == 111.0
    assert table.low_likelihood == {"mouse1": 1, "mouse2": 1}


def test_multi_animal_one_bodypart() -> None:
    table = read_dlc(MULTI, fps=30.0, bodypart="nose")
    np.testing.assert_array_equal(
        table.data["x"], [100, np.nan, np.nan, np.nan, 104, 300, np.nan, 302, np.nan, 304]
    )
    assert table.low_likelihood == {"mouse1": 2, "mouse2": 1}


# -- .h5 ----------------------------------------------------------------------------------------------------


def to_h5(csv_path: Path, h5_path: Path, key: str = "df_with_missing") -> Path:
    pytest.importorskip("tables")
    depth = [0, 1, 2, 3] if "individuals" in csv_path.read_text().splitlines()[1] else [0, 1, 2]
    frame = pd.read_csv(csv_path, header=depth, index_col=0)
    frame.to_hdf(h5_path, key=key, format="table")
    return h5_path


@pytest.mark.parametrize("key", ["df_with_missing", "tracks"])
def test_h5_single_animal_matches_the_csv_values(tmp_path: Path, key: str) -> None:
    path = to_h5(SINGLE, tmp_path / "video1DLC.h5", key)
    table = read_dlc(path, fps=25.0, bodypart=["nose", "centre"])
    xs, ys, low = expected_centroid(fixture_points(SINGLE), "dlc_single", ["nose", "centre"], 0.9)
    assert (table.data["animal"] == "video1DLC").all()
    np.testing.assert_allclose(table.data["x"], xs, equal_nan=True)
    np.testing.assert_allclose(table.data["y"], ys, equal_nan=True)
    np.testing.assert_allclose(table.data["time_s"], np.arange(8) / 25.0)
    assert table.low_likelihood == {"video1DLC": low}


def test_h5_multi_animal(tmp_path: Path) -> None:
    table = read_dlc(to_h5(MULTI, tmp_path / "ma.h5"), fps=10.0, bodypart="tailbase")
    assert list(dict.fromkeys(table.data["animal"])) == ["mouse1", "mouse2"]
    np.testing.assert_array_equal(
        table.data["x"], [110, 111, np.nan, np.nan, 114, 310, 311, np.nan, np.nan, 314]
    )
    assert table.low_likelihood == {"mouse1": 1, "mouse2": 2}


def test_h5_without_pytables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = to_h5(SINGLE, tmp_path / "video.h5")
    monkeypatch.setitem(sys.modules, "tables", None)  # import tables now raises ImportError
    error = dlc_error(path)
    assert "install" in str(error) and "tables" in str(error)


def test_h5_that_is_not_hdf5(tmp_path: Path) -> None:
    path = tmp_path / "broken.h5"
    path.write_bytes(b"this is not an HDF5 file\n")
    assert "cannot read it as a DeepLabCut .h5 file" in str(dlc_error(path))


def test_h5_with_flat_columns(tmp_path: Path) -> None:
    pytest.importorskip("tables")
    path = tmp_path / "flat.h5"
    pd.DataFrame({"x": [1.0], "y": [2.0]}).to_hdf(path, key="df", format="table")
    assert "not a DeepLabCut table" in str(dlc_error(path))


# -- errors -------------------------------------------------------------------------------------------------


def test_missing_fps() -> None:
    error = dlc_error(SINGLE, fps=None)
    assert error.reason == "DeepLabCut files have no time column; give the frame rate with --fps"


@pytest.mark.parametrize("fps", [0, -25.0, math.nan, math.inf, "25", True])
def test_bad_fps(fps: object) -> None:
    assert "the frame rate must be a positive number" in str(dlc_error(SINGLE, fps=fps))


@pytest.mark.parametrize("cut", [-0.1, 1.5, math.nan])
def test_bad_likelihood(cut: float) -> None:
    assert "likelihood threshold must be between 0 and 1" in str(dlc_error(SINGLE, likelihood=cut))


def test_unknown_bodypart_lists_the_parts_and_suggests() -> None:
    message = str(dlc_error(SINGLE, bodypart="nosee"))
    assert "no body part 'nosee'" in message
    assert "'nose', 'centre', 'tailbase'" in message
    assert "did you mean 'nose'?" in message
    message = str(dlc_error(MULTI, bodypart=["nose", "corner"]))  # unique parts are not an animal's
    assert "'corner'" in message and "'nose', 'tailbase'" in message


@pytest.mark.parametrize("bodypart", [[], [1], ""])
def test_bad_bodypart_argument(bodypart: object) -> None:
    dlc_error(SINGLE, bodypart=bodypart)


def test_wrong_header(tmp_path: Path) -> None:
    lines = single_lines()
    error = dlc_error(write_lines(tmp_path / "a.csv", ["frame,x,y", "0,1,2"]))
    assert error.row == 1 and "expected 'scorer' in the first cell, found 'frame'" in error.reason
    bad = [lines[0], lines[1].replace("bodyparts", "parts", 1), *lines[2:]]
    error = dlc_error(write_lines(tmp_path / "b.csv", bad))
    assert error.row == 2 and "expected 'bodyparts' (or 'individuals'" in error.reason
    bad = [lines[0], lines[1], lines[2].replace("coords", "coordinates", 1), *lines[3:]]
    assert dlc_error(write_lines(tmp_path / "c.csv", bad)).row == 3


def test_header_rows_of_different_lengths(tmp_path: Path) -> None:
    lines = single_lines()
    error = dlc_error(write_lines(tmp_path / "short.csv", [lines[0], lines[1] + ",extra", *lines[2:]]))
    assert error.row == 2 and "cells" in error.reason


def test_bodypart_without_likelihood_column(tmp_path: Path) -> None:
    lines = single_lines()
    lines[2] = lines[2].replace("likelihood", "score", 1)
    error = dlc_error(write_lines(tmp_path / "nolik.csv", lines))
    assert error.row == 3 and "body part 'nose' has no 'likelihood' column" in error.reason


def test_non_numeric_cell_names_line_and_column(tmp_path: Path) -> None:
    lines = single_lines()
    cells = lines[6].split(",")  # frame 2, line 7
    cells[5] = "abc"  # centre y
    lines[6] = ",".join(cells)
    error = dlc_error(write_lines(tmp_path / "text.csv", lines))
    assert error.row == 7 and error.column == "centre y"
    assert re.search(r"row 7, column 'centre y': expected a number for 'centre' y, found 'abc'", str(error))


def test_non_numeric_frame_index(tmp_path: Path) -> None:
    lines = single_lines()
    lines[8] = "img005.png," + lines[8].split(",", 1)[1]
    error = dlc_error(write_lines(tmp_path / "labelled.csv", lines))
    assert (
        error.row == 9 and "frame index (first column) must be a number, found 'img005.png'" in error.reason
    )
    lines = single_lines()
    lines[4] = "," + lines[4].split(",", 1)[1]
    assert dlc_error(write_lines(tmp_path / "noindex.csv", lines)).row == 5


def test_multi_animal_non_numeric_cell_names_the_individual(tmp_path: Path) -> None:
    lines = MULTI.read_text().splitlines()
    cells = lines[5].split(",")
    cells[7] = "x"  # mouse2 nose x on frame 1
    lines[5] = ",".join(cells)
    error = dlc_error(write_lines(tmp_path / "ma.csv", lines))
    assert error.row == 6 and error.column == "mouse2 nose x"


def test_row_longer_than_header(tmp_path: Path) -> None:
    lines = single_lines()
    lines[7] += ",1.0"
    error = dlc_error(write_lines(tmp_path / "long.csv", lines))
    assert error.row == 8 and "more cells" in error.reason
    lines = single_lines()
    lines[3] += ",1.0"
    assert dlc_error(write_lines(tmp_path / "long1.csv", lines)).row == 4


def test_no_frames(tmp_path: Path) -> None:
    error = dlc_error(write_lines(tmp_path / "empty.csv", single_lines()[:3]))
    assert "no frames below the DeepLabCut header" in error.reason


def test_missing_and_unknown_files(tmp_path: Path) -> None:
    assert "file not found" in str(dlc_error(tmp_path / "absent.csv"))
    other = tmp_path / "poses.json"
    other.write_text("{}")
    assert "unknown file type '.json'" in str(dlc_error(other))
