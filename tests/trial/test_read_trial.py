"""The trial reader: frames equal to hand-built ones, the visit order and baseline, every one-line error."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.io.trial import (
    HAMA_ITEMS,
    HAMA_RANGE,
    PWC_ITEMS,
    PWC_RANGE,
    check_trial,
    read_patients,
    read_trial,
    read_visits,
)
from assaykit.io.xlsx_write import write_xlsx
from assaykit.trial.checklist import PWC20
from assaykit.trial.scales import HAMA, score_hama

TOTALS = ["patient", "arm", "visit", "hama_total"]
WEEKS = ["patient", "arm", "visit_week", "hama_total"]
PATIENTS_HEADER = "patient,arm,randomised,treated,completed,discontinued_reason\n"


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    lines = [",".join(header)] + [",".join("" if c is None else str(c) for c in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _items_file(tmp_path: Path, rows: list[tuple[str, str, str, list[object]]], name: str = "v.csv") -> Path:
    return _write(
        tmp_path / name,
        ["patient", "arm", "visit", *HAMA_ITEMS],
        [[p, a, v, *items] for p, a, v, items in rows],
    )


def test_the_ranges_restated_in_io_are_the_protocols() -> None:
    assert {(i.low, i.high) for i in HAMA.items} == {HAMA_RANGE}
    assert HAMA.item_names == HAMA_ITEMS
    assert {(i.low, i.high) for i in PWC20.items} == {PWC_RANGE}
    assert PWC20.item_names == PWC_ITEMS


def test_items_are_read_as_a_hand_built_frame(tmp_path: Path) -> None:
    path = _items_file(
        tmp_path,
        [
            ("P01", "placebo", "baseline", [2] * 14),
            ("P01", "placebo", "week 1", [1] * 13 + ["NA"]),
            (" P02 ", "diazepam", "Baseline", [3] * 14),
        ],
    )
    got = read_visits(path)
    expected = pd.DataFrame(
        {
            "patient": ["P01", "P01", "P02"],
            "arm": ["placebo", "placebo", "diazepam"],
            "visit": ["baseline", "week 1", "Baseline"],
            **{n: [2.0, 1.0, 3.0] for n in HAMA_ITEMS[:13]},
            HAMA_ITEMS[13]: [2.0, math.nan, 3.0],
            "source_row": np.array([2, 3, 4], dtype="int64"),
        }
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert got["source_row"].dtype == np.int64
    assert got.attrs["visits"] == ["baseline", "week 1", "Baseline"]
    assert got.attrs["hama"] == "items" and got.attrs["checklist_items"] == []
    # the protocol scores what the reader returns (the NA item is prorated)
    assert score_hama(got)["hama_total"].tolist() == [28.0, 14.0, 42.0]


def test_totals_and_visit_days(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "t.csv",
        ["Patient", "Treatment", "visit_day", "hama_total"],
        [["P1", "placebo", 14, 20.5], ["P1", "placebo", 0, 30], ["P1", "placebo", -7, ""]],
    )
    got = read_visits(path)
    expected = pd.DataFrame(
        {
            "patient": ["P1"] * 3,
            "arm": ["placebo"] * 3,
            "visit": [14, 0, -7],
            "hama_total": [20.5, 30.0, math.nan],
            "source_row": np.array([2, 3, 4], dtype="int64"),
        }
    )
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs["visits"] == [-7, 0, 14]
    assert got.attrs["baseline_visit"] == 0 and got.attrs["visit_unit"] == "day"


def test_a_patient_who_missed_a_visit_does_not_reorder_the_visits(tmp_path: Path) -> None:
    path = _items_file(
        tmp_path,
        [
            ("P01", "placebo", "screening", [2] * 14),
            ("P01", "placebo", "baseline", [2] * 14),
            ("P01", "placebo", "week 2", [2] * 14),  # missed week 1: week 2 is seen first
            ("P02", "placebo", "baseline", [2] * 14),
            ("P02", "placebo", "week 1", [2] * 14),
            ("P02", "placebo", "week 2", [2] * 14),
        ],
    )
    got = read_visits(path)
    assert got.attrs["visits"] == ["screening", "baseline", "week 1", "week 2"]
    assert got.attrs["baseline_visit"] == "baseline"


def test_screening_is_the_baseline_only_without_a_baseline(tmp_path: Path) -> None:
    path = _items_file(
        tmp_path, [("P01", "placebo", "Screening", [1] * 14), ("P01", "placebo", "w2", [1] * 14)]
    )
    assert read_visits(path).attrs["baseline_visit"] == "Screening"


def test_items_and_total_together_are_checked_and_the_items_kept(tmp_path: Path) -> None:
    header = ["patient", "arm", "visit", *HAMA_ITEMS, "hama_total"]
    good = _write(tmp_path / "g.csv", header, [["P1", "placebo", "baseline", *[2] * 14, 28]])
    assert "hama_total" not in read_visits(good).columns
    bad = _write(tmp_path / "b.csv", header, [["P1", "placebo", "baseline", *[2] * 14, 27]])
    with pytest.raises(AssayInputError, match="27 is not the sum of the items") as caught:
        read_visits(bad)
    assert caught.value.row == 2 and caught.value.column == "hama_total"


def test_a_users_checklist(tmp_path: Path) -> None:
    header = ["patient", "arm", "visit", "hama_total", "cwc_a", "cwc_b"]
    path = _write(tmp_path / "c.csv", header, [["P1", "placebo", "baseline", 20, 4, 0]])
    got = read_visits(path, checklist={"cwc_a": (0, 4), "cwc_b": (0, 1)})
    assert got[["cwc_a", "cwc_b"]].iloc[0].tolist() == [4.0, 0.0]
    with pytest.raises(AssayInputError, match="item cwc_a: 4 is out of range 0-3"):
        read_visits(path, checklist={"cwc_a": (0, 3), "cwc_b": (0, 1)})


def test_xlsx(tmp_path: Path) -> None:
    frame = pd.DataFrame({"patient": ["P1", "P1"], "arm": ["placebo"] * 2, "visit": ["baseline", "week 1"]})
    frame["hama_total"] = [30, 22]
    write_xlsx({"data": frame}, tmp_path / "v.xlsx")
    got = read_visits(tmp_path / "v.xlsx")
    assert got["hama_total"].tolist() == [30.0, 22.0] and got["source_row"].tolist() == [2, 3]


def _error(path: Path, **kw: object) -> AssayInputError:
    with pytest.raises(AssayInputError) as caught:
        read_visits(path, **kw)
    assert "\n" not in str(caught.value)
    return caught.value


def test_a_score_out_of_range_names_file_row_column_patient_visit_and_item(tmp_path: Path) -> None:
    items = [2] * 14
    items[4] = 6
    path = _items_file(
        tmp_path, [("P07", "placebo", "baseline", [2] * 14), ("P07", "placebo", "week 2", items)]
    )
    error = _error(path)
    assert (error.path, error.row, error.column) == (path, 3, "hama_05")
    assert str(error) == (
        f"{path}, row 3, column 'hama_05': patient P07, visit week 2, item hama_05: 6 is out of range 0-4"
    )


@pytest.mark.parametrize(
    ("cell", "message"),
    [("2.5", "2.5 is not a whole number"), ("two", "'two' is not a number"), ("-1", "-1 is")],
)
def test_an_unreadable_item_cell(tmp_path: Path, cell: str, message: str) -> None:
    path = _items_file(tmp_path, [("P1", "placebo", "baseline", [cell] + [1] * 13)])
    error = _error(path)
    assert message in str(error) and error.column == "hama_01" and error.row == 2


def test_a_pwc_score_out_of_range(tmp_path: Path) -> None:
    header = ["patient", "arm", "visit", "hama_total", *PWC_ITEMS]
    path = _write(tmp_path / "w.csv", header, [["P1", "placebo", "baseline", 20, *[0] * 19, 4]])
    assert "item pwc_20: 4 is out of range 0-3" in str(_error(path))


def test_a_patient_in_two_arms(tmp_path: Path) -> None:
    path = _items_file(
        tmp_path, [("P01", "placebo", "baseline", [2] * 14), ("P01", "diazepam", "week 1", [2] * 14)]
    )
    error = _error(path)
    assert (error.row, error.column) == (3, "arm")
    assert "patient P01 is in two arms (placebo and diazepam)" in str(error)


def test_a_visit_twice_for_one_patient(tmp_path: Path) -> None:
    rows = [("P01", "placebo", "baseline", [2] * 14), ("P01", "placebo", "baseline", [1] * 14)]
    error = _error(_items_file(tmp_path, rows))
    assert (error.row, error.column) == (3, "visit")
    assert "patient P01 has visit baseline twice (also row 2)" in str(error)


def test_visits_in_contradicting_orders(tmp_path: Path) -> None:
    rows = [
        ("P01", "placebo", "baseline", [2] * 14),
        ("P01", "placebo", "week 1", [2] * 14),
        ("P01", "placebo", "week 2", [2] * 14),
        ("P02", "placebo", "baseline", [2] * 14),
        ("P02", "placebo", "week 2", [2] * 14),
        ("P02", "placebo", "week 1", [2] * 14),
    ]
    assert "come in different orders" in str(_error(_items_file(tmp_path, rows)))


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        (TOTALS, [["P1", "placebo", "week 1", 3]], "no baseline visit"),
        (TOTALS, [["P1", "placebo", "week 1", 3], ["P1", "placebo", "baseline", 9]],
         "visit week 1 comes before the baseline"),
        (WEEKS, [["P1", "placebo", 1, 3]], "visit_week 0"),
        (WEEKS, [["P1", "placebo", "one", 3]], "not a number of weeks"),
        (["patient", "arm", "visit"], [["P1", "placebo", "baseline"]], "no HAM-A scores"),
        (["patient", "arm", "visit", "hama_01"], [["P1", "placebo", "baseline", 1]], "hama_02, hama_03"),
        (["patient", "visit", "hama_total"], [["P1", "baseline", 1]], "no arm column"),
        (["patient", "treatmnt", "visit", "hama_total"], [["P1", "x", "baseline", 1]], "for 'treatmnt'"),
        (TOTALS, [["", "placebo", "baseline", 1]], "empty cell"),
        (TOTALS, [["P1", "placebo", "baseline", 57]], "57 is out of range 0-56"),
    ],
)  # fmt: skip
def test_other_visit_errors(
    tmp_path: Path, header: list[str], rows: list[list[object]], message: str
) -> None:
    error = _error(_write(tmp_path / "x.csv", header, rows))
    assert message in str(error) and error.path == tmp_path / "x.csv"


def test_a_missing_arm_column_is_not_taken_for_the_patient_column(tmp_path: Path) -> None:
    error = _error(_write(tmp_path / "x.csv", ["patient", "visit", "hama_total"], [["P1", "baseline", 1]]))
    assert "no arm column" in str(error) and "did you mean" not in str(error)


def test_patients_are_read_as_a_hand_built_frame(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        PATIENTS_HEADER
        + "P01,placebo,Yes,y,TRUE,\nP02,diazepam,1,1,0, adverse event \nP03,placebo,yes,no,f,\n",
        encoding="utf-8",
    )
    expected = pd.DataFrame(
        {
            "patient": ["P01", "P02", "P03"],
            "arm": ["placebo", "diazepam", "placebo"],
            "randomised": [True, True, True],
            "treated": [True, True, False],
            "completed": [True, False, False],
            "discontinued_reason": ["", "adverse event", ""],
            "source_row": np.array([2, 3, 4], dtype="int64"),
        }
    )
    pd.testing.assert_frame_equal(read_patients(path), expected, check_dtype=False)


@pytest.mark.parametrize(
    ("body", "row", "column", "message"),
    [
        ("P01,placebo,yes,maybe,no,\n", 2, "treated", "patient P01: 'maybe' is not yes/no"),
        ("P01,placebo,yes,yes,,\n", 2, "completed", "patient P01: an empty cell is not yes/no"),
        ("P01,placebo,yes,yes,yes,\nP01,placebo,yes,yes,yes,\n", 3, "patient", "listed twice (also row 2)"),
        ("P01,placebo,yes,yes,yes,adverse event\n", 2, "discontinued_reason", "completed, yet discontinued"),
        ("P01,placebo,no,yes,no,\n", 2, "treated", "treated but not randomised"),
        ("P01,,yes,yes,yes,\n", 2, "arm", "randomised without an arm"),
    ],
)
def test_patient_errors(tmp_path: Path, body: str, row: int, column: str, message: str) -> None:
    path = tmp_path / "p.csv"
    path.write_text(PATIENTS_HEADER + body, encoding="utf-8")
    with pytest.raises(AssayInputError) as caught:
        read_patients(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, row, column)
    assert message in str(caught.value)


def _pair(tmp_path: Path, patients: str) -> tuple[Path, Path]:
    visits = _items_file(
        tmp_path, [("P01", "placebo", "baseline", [2] * 14), ("P02", "diazepam", "baseline", [2] * 14)]
    )
    path = tmp_path / "p.csv"
    path.write_text(PATIENTS_HEADER + patients, encoding="utf-8")
    return visits, path


def test_a_visits_patient_missing_from_the_patients_table(tmp_path: Path) -> None:
    visits, patients = _pair(tmp_path, "P01,placebo,yes,yes,yes,\n")
    with pytest.raises(AssayInputError, match="patient P02 is not in the patients table") as caught:
        read_trial(visits, patients)
    assert (caught.value.path, caught.value.row) == (visits, 3)


def test_a_patient_in_another_arm_in_the_patients_table(tmp_path: Path) -> None:
    visits, patients = _pair(tmp_path, "P01,placebo,yes,yes,yes,\nP02,placebo,yes,yes,yes,\n")
    with pytest.raises(AssayInputError, match="in arm diazepam here but in placebo") as caught:
        read_trial(visits, patients)
    assert (caught.value.row, caught.value.column) == (3, "arm")


def test_a_treated_patient_without_visits_is_warned_about(tmp_path: Path) -> None:
    visits, patients = _pair(
        tmp_path,
        "P01,placebo,yes,yes,yes,\nP02,diazepam,yes,yes,yes,\nP03,placebo,yes,yes,no,lost\nP04,placebo,yes,no,no,\n",
    )
    with pytest.warns(UserWarning, match="1 treated patient.* have no visit: P03$"):
        read_trial(visits, patients)


def test_check_trial_accepts_consistent_frames(tmp_path: Path) -> None:
    visits, patients = _pair(tmp_path, "P01,placebo,yes,yes,yes,\nP02,diazepam,yes,yes,no,adverse event\n")
    check_trial(read_visits(visits), read_patients(patients))  # no error, no warning


def test_the_two_tables_as_sheets_of_one_workbook(tmp_path: Path) -> None:
    """By default the sheets called visits and patients (any case), wherever they stand in the workbook."""
    visits = pd.DataFrame({"patient": ["P1", "P1"], "arm": ["placebo"] * 2, "visit": ["baseline", "week 1"]})
    visits["hama_total"] = [30, 22]
    flags = {"randomised": ["yes"], "treated": ["yes"], "completed": ["no"]}
    patients = pd.DataFrame({"patient": ["P1"], "arm": ["placebo"], **flags})
    cover = pd.DataFrame({"note": ["a cover sheet"]})
    book = tmp_path / "trial.xlsx"
    write_xlsx({"Cover": cover, "Patients": patients, "Visits": visits}, book)
    got_visits, got_patients = read_trial(book, book)
    assert got_visits["hama_total"].tolist() == [30.0, 22.0]
    assert got_patients["completed"].tolist() == [False]
    renamed = tmp_path / "renamed.xlsx"
    write_xlsx({"scores": visits, "flow": patients}, renamed)
    got_visits, got_patients = read_trial(renamed, renamed, sheet="scores", patients_sheet="flow")
    assert got_visits["patient"].tolist() == ["P1", "P1"] and got_patients["patient"].tolist() == ["P1"]
    with pytest.raises(AssayInputError, match="no randomised column"):
        read_trial(renamed, renamed, sheet="scores")  # the patients table defaults to the first sheet
