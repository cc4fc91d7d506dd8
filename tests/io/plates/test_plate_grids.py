"""Reading counter plate grids: both plate sizes, header blocks, several plates per file/sheet, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest
from plate_files import ROWS, grid_block, header, write_lines

from assaykit.errors import AssayInputError
from assaykit.io.plates.grid import read_grids


def _random_counts(shape: tuple[int, int], seed: int) -> dict[tuple[int, int], float]:
    rng = np.random.default_rng(seed)
    return {(r, c): float(rng.integers(20, 5000)) for r in range(shape[0]) for c in range(shape[1])}


def _as_array(counts: dict[tuple[int, int], float], shape: tuple[int, int]) -> np.ndarray:
    out = np.full(shape, np.nan)
    for (r, c), v in counts.items():
        out[r, c] = v
    return out


@pytest.mark.parametrize(("shape", "sep", "suffix"), [((8, 12), ",", ".csv"), ((16, 24), "\t", ".tsv")])
def test_one_grid_of_each_plate_size(tmp_path: Path, shape: tuple[int, int], sep: str, suffix: str) -> None:
    counts = _random_counts(shape, 3)
    del counts[(1, 4)]  # an empty cell: a well without a count
    path = write_lines(tmp_path / f"plate{suffix}", grid_block(counts, shape, label="CCPM1", sep=sep))
    (grid,) = read_grids(path)
    assert grid.shape == shape and grid.unit == "cpm" and grid.plate is None
    np.testing.assert_array_equal(grid.counts, _as_array(counts, shape))
    assert grid.lines.tolist() == list(range(2, 2 + shape[0]))


def test_header_blocks_name_plates_and_units_and_several_grids_are_read_in_order(tmp_path: Path) -> None:
    first, second, third = (_random_counts((8, 12), s) for s in (1, 2, 3))
    lines = [
        *grid_block(first, header=["Plate number,7", "Counting time,60 s", "Output,DPM"]),
        "",
        "",
        *grid_block(second, label="<>", header=["Plate ID: P8 of 9", "Measured: 2024-03-05"]),
        *grid_block(third, label="Plate 9"),  # no blank line, the id in the label cell
        "Run finished,14:30",
    ]
    grids = read_grids(write_lines(tmp_path / "run.csv", lines))
    assert [g.plate for g in grids] == ["7", "P8", "9"]
    assert [g.unit for g in grids] == ["dpm", None, None]
    for grid, counts in zip(grids, (first, second, third), strict=True):
        np.testing.assert_array_equal(grid.counts, _as_array(counts, (8, 12)))


def test_trailing_cells_blank_or_repeating_the_row_label_are_ignored(tmp_path: Path) -> None:
    counts = _random_counts((8, 12), 5)
    lines = grid_block(counts)
    lines = [lines[0] + ",,"] + [line + f",{line[0]}," for line in lines[1:]]
    (grid,) = read_grids(write_lines(tmp_path / "trailing.csv", lines))
    np.testing.assert_array_equal(grid.counts, _as_array(counts, (8, 12)))


def test_a_workbook_with_a_grid_per_sheet_and_one_with_two_grids_on_a_sheet(tmp_path: Path) -> None:
    plates = [_random_counts((8, 12), s) for s in (11, 12)]
    book = openpyxl.Workbook()
    book.active.title = "Protocol"
    book.active.append(["Protocol", "3H binding"])
    for i, counts in enumerate(plates, start=1):
        sheet = book.create_sheet(f"Plate {i}")
        for line in grid_block(counts, label="CPM"):
            sheet.append([int(v) if v.isdigit() else v for v in line.split(",")])
    book.save(tmp_path / "sheets.xlsx")
    grids = read_grids(tmp_path / "sheets.xlsx")
    assert [(g.sheet, g.plate, g.unit) for g in grids] == [("Plate 1", "1", "cpm"), ("Plate 2", "2", "cpm")]
    for grid, counts in zip(grids, plates, strict=True):
        np.testing.assert_array_equal(grid.counts, _as_array(counts, (8, 12)))
    assert [g.plate for g in read_grids(tmp_path / "sheets.xlsx", sheet="Plate 2")] == ["2"]

    book = openpyxl.Workbook()
    for line in [
        *grid_block(plates[0], header=["Plate: 1"]),
        "",
        *grid_block(plates[1], header=["Plate: 2"]),
    ]:
        book.active.append([int(v) if v.isdigit() else v for v in line.split(",")] if line else [])
    book.save(tmp_path / "one_sheet.xlsx")
    grids = read_grids(tmp_path / "one_sheet.xlsx")
    assert [g.plate for g in grids] == ["1", "2"]
    np.testing.assert_array_equal(grids[1].counts, _as_array(plates[1], (8, 12)))


def _error(tmp_path: Path, lines: list[str]) -> str:
    with pytest.raises(AssayInputError) as info:
        read_grids(write_lines(tmp_path / "bad.csv", lines))
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(tmp_path / "bad.csv"))
    return message


def test_a_count_that_is_not_a_number_names_plate_well_and_row(tmp_path: Path) -> None:
    lines = grid_block(_random_counts((8, 12), 1), header=["Plate: 2"])
    lines[-6] = lines[-6].replace(",", ",x", 7).replace(",x", ",", 6)  # row C, column 7
    message = _error(tmp_path, lines)
    assert "plate 2, well C07, row" in message and "'x" in message and "not a number" in message


def test_a_negative_count_is_an_error(tmp_path: Path) -> None:
    counts = _random_counts((8, 12), 1)
    counts[(7, 11)] = -5.0
    assert "plate 1, well H12" in _error(tmp_path, grid_block(counts, header=["Plate: 1"]))


def test_a_missing_row_label_says_what_was_expected(tmp_path: Path) -> None:
    lines = grid_block(_random_counts((8, 12), 1))
    lines[4] = lines[4][1:]  # row D without its label
    message = _error(tmp_path, lines)
    assert "expected row label 'D' (rows A-H under the column numbers 1-12" in message and "row 5" in message
    assert "the end of" in _error(tmp_path, grid_block(_random_counts((8, 12), 1))[:-2])


def test_no_grid_and_wrong_column_numbers(tmp_path: Path) -> None:
    assert "no plate grid found" in _error(tmp_path, ["compound,conc_nM,cpm", "TOTAL,,3000"])
    lines = [",1,2,3,4,5,6,7,8,9,10", *[f"{r}" + ",1" * 10 for r in ROWS[:8]]]
    assert "column numbers 1-10; expected 1-12 (96 wells) or 1-24" in _error(tmp_path, lines)


def test_values_right_of_the_grid_are_an_error(tmp_path: Path) -> None:
    lines = grid_block(_random_counts((8, 12), 1))
    lines[1] = "A,1,234" + lines[1][lines[1].index(",", 2) :]  # 1,234 unquoted: thirteen cells
    assert "right of the plate grid's last column" in _error(tmp_path, lines)


def test_units_disagreeing_in_one_header_is_an_error(tmp_path: Path) -> None:
    lines = grid_block(_random_counts((8, 12), 1), header=["Output: CPM", "Normalized: DPM"])
    assert "names both CPM and DPM" in _error(tmp_path, lines)


def test_header_helper_has_the_run_details() -> None:
    assert header("3")[0] == "Plate: 3" and header(None)[0].startswith("Measured")
