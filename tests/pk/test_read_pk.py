"""The PK reader: the canonical frame from CSV, TSV and XLSX, BLQ markers, units, and one-line errors."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.io.pk import PK_COLUMNS, pk_from_frame, read_pk, read_pk_files

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "pk" / "pk.csv"

HEADER = "animal,group,analyte,dose_mg_kg,route,time_h,conc_ng_mL\n"


def write(tmp_path: Path, text: str, name: str = "pk.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error(path: Path, **kwargs: object) -> AssayInputError:
    with pytest.raises(AssayInputError) as info:
        read_pk(path, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return info.value


def test_the_example_reads_into_the_canonical_frame() -> None:
    samples = read_pk(EXAMPLE)
    assert list(samples.columns) == ["subject", "analyte", "group", "compound", *PK_COLUMNS[3:]]
    assert samples.attrs["conc_unit"] == "ng/mL"
    assert samples.attrs["dose_unit"] == "mg/kg"
    assert samples.attrs["time_column"] == "time_h"
    assert len(samples) == 192
    assert samples["subject"].nunique() == 18
    assert set(samples["route"]) == {"extravascular"}
    assert samples.groupby("group")["dose"].unique().map(list).to_dict() == {
        "bzd23-3": [3.0],
        "bzd23-10": [10.0],
        "diazepam-5": [5.0],
    }
    raw = pd.read_csv(EXAMPLE, dtype=str)
    is_blq = (raw["conc_ng_mL"] == "BLQ").to_numpy()
    assert is_blq.sum() > 0
    np.testing.assert_array_equal(samples["blq"].to_numpy(), is_blq)
    assert samples.loc[is_blq, "conc"].isna().all()
    np.testing.assert_allclose(samples.loc[~is_blq, "conc"], raw.loc[~is_blq, "conc_ng_mL"].astype(float))
    np.testing.assert_array_equal(samples["source_row"], np.arange(len(raw)) + 2)


def test_time_units_become_hours(tmp_path: Path) -> None:
    text = "subject,time_min,conc_nM\na,0,0\na,15,3\na,90,2\na,1440,1\n"
    samples = read_pk(write(tmp_path, text))
    np.testing.assert_allclose(samples["time_h"], [0.0, 0.25, 1.5, 24.0])
    assert samples.attrs["conc_unit"] == "nM"
    assert samples.attrs["dose_unit"] is None
    assert samples["analyte"].tolist() == ["parent"] * 4
    assert samples["group"].tolist() == [""] * 4
    assert samples["dose"].isna().all() and (samples["route"] == "").all()
    days = read_pk(write(tmp_path, "id,time_d,conc_ug_mL\na,0.5,3\na,2,1\n", "d.csv"))
    np.testing.assert_allclose(days["time_h"], [12.0, 48.0])
    assert days.attrs["conc_unit"] == "ug/mL"


@pytest.mark.parametrize("column", ["conc_ng_ml", "CONC_NG_ML", "concentration_ng_mL"])
def test_mass_units_ignore_case(tmp_path: Path, column: str) -> None:
    samples = read_pk(write(tmp_path, f"animal,time_h,{column}\na,1,2\n"))
    assert samples.attrs["conc_unit"] == "ng/mL"


def test_blq_markers_and_missing_samples(tmp_path: Path) -> None:
    cells = ["BLQ", "<LLOQ", "<0.5", "bql", "ND", "NA", "", "0.7", "0.4"]
    text = "animal,time_h,conc_ng_mL\n" + "".join(f"a,{i + 1},{c}\n" for i, c in enumerate(cells))
    samples = read_pk(write(tmp_path, text))
    assert samples["blq"].tolist() == [True] * 5 + [False] * 4
    assert samples["conc"].iloc[:7].isna().all()
    assert samples["conc"].iloc[7:].tolist() == [0.7, 0.4]
    assert samples.attrs["lloq"] == 0.5  # stated by the one '<0.5' cell
    below = read_pk(write(tmp_path, text), lloq=0.5)
    assert below["blq"].tolist() == [True] * 5 + [False, False, False, True]
    assert math.isnan(below["conc"].iloc[8])
    assert below.attrs["lloq"] == 0.5


def test_a_number_below_the_lloq_is_blq_and_zero_is_kept_without_one(tmp_path: Path) -> None:
    path = write(tmp_path, "animal,time_h,conc_ng_mL\na,0,0\na,1,5\na,2,0.9\n")
    assert read_pk(path)["conc"].tolist() == [0.0, 5.0, 0.9]
    with_lloq = read_pk(path, lloq=1)
    assert with_lloq["blq"].tolist() == [True, False, True]


@pytest.mark.parametrize("lloq", [0, -1, float("nan"), "1"])
def test_a_bad_lloq_is_an_error(tmp_path: Path, lloq: object) -> None:
    with pytest.raises(AssayInputError, match="LLOQ must be a number > 0"):
        read_pk(write(tmp_path, "animal,time_h,conc_ng_mL\na,1,5\n"), lloq=lloq)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("written", "route"),
    [("oral", "extravascular"), ("PO", "extravascular"), ("i.p.", "extravascular"), ("sc", "extravascular"),
     ("IV", "iv-bolus"), ("iv  bolus", "iv-bolus"), ("infusion", "iv-infusion")],
)  # fmt: skip
def test_routes(tmp_path: Path, written: str, route: str) -> None:
    samples = read_pk(write(tmp_path, f"animal,route,time_h,conc_ng_mL\na,{written},1,5\n"))
    assert samples["route"].tolist() == [route]


def test_dose_and_route_written_once_per_subject_are_filled_in(tmp_path: Path) -> None:
    text = HEADER + "a,g,p,3,oral,0.5,5\na,g,p,,,1,4\nb,g,p,3,po,0.5,6\nb,g,p,,,1,2\n"
    samples = read_pk(write(tmp_path, text))
    assert samples["dose"].tolist() == [3.0] * 4
    assert samples["route"].tolist() == ["extravascular"] * 4


def test_the_same_subject_may_have_several_analytes(tmp_path: Path) -> None:
    text = HEADER + "a,g,diazepam,5,oral,1,50\na,g,diazepam,5,oral,2,40\na,g,nordazepam,5,oral,1,5\n"
    samples = read_pk(write(tmp_path, text))
    assert samples["analyte"].tolist() == ["diazepam", "diazepam", "nordazepam"]


def test_xlsx_reads_as_the_csv(tmp_path: Path) -> None:
    raw = pd.read_csv(EXAMPLE, dtype=str)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "plasma"
    sheet.append(list(raw.columns))
    for row in raw.itertuples(index=False):
        sheet.append([float(v) if _is_number(v) else v for v in row])
    book.save(tmp_path / "pk.xlsx")
    from_xlsx = read_pk(tmp_path / "pk.xlsx", sheet="plasma")
    from_csv = read_pk(EXAMPLE)
    pd.testing.assert_frame_equal(from_xlsx, from_csv, check_like=False)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_semicolon_files_with_decimal_commas(tmp_path: Path) -> None:
    samples = read_pk(write(tmp_path, "animal;time_h;conc_ng_mL\na;0,5;12,5\na;1;BLQ\n"))
    assert samples["time_h"].tolist() == [0.5, 1.0]
    assert samples["conc"].iloc[0] == 12.5


def test_pk_from_frame_reads_numbers_and_text() -> None:
    frame = pd.DataFrame({"animal": ["r1", "r1"], "time_h": [0.5, 2.0], "conc_ng_mL": [120.0, "BLQ"]})
    samples = pk_from_frame(frame)
    assert samples["conc"].iloc[0] == 120.0 and samples["blq"].tolist() == [False, True]
    assert samples["source_row"].tolist() == [2, 3]


# ---------------------------------------------------------------------------------------------------------
# Errors: one line, naming the file, the row and the column
# ---------------------------------------------------------------------------------------------------------
def test_unsorted_times_name_the_subject_and_the_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "animal,time_h,conc_ng_mL\na,1,5\nb,1,5\nb,4,3\nb,2,4\n")
    exc = error(path)
    assert exc.row == 5 and exc.column == "time_h"
    assert "subject 'b'" in exc.reason and "(row 4)" in exc.reason and "sort" in exc.reason


def test_duplicated_times_name_both_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "animal,time_min,conc_ng_mL\na,30,5\na,60,4\na,60,3\n")
    exc = error(path)
    assert exc.row == 4
    assert "two samples at 60 min (rows 3 and 4)" in exc.reason


def test_the_same_time_in_two_analytes_is_no_duplicate(tmp_path: Path) -> None:
    text = "animal,analyte,time_h,conc_ng_mL\na,x,1,5\na,y,1,5\n"
    assert len(read_pk(write(tmp_path, text))) == 2


def test_negative_concentration(tmp_path: Path) -> None:
    exc = error(write(tmp_path, "animal,time_h,conc_ng_mL\na,1,5\na,2,-0.3\n"))
    assert (exc.row, exc.column) == (3, "conc_ng_mL")
    assert "negative concentration -0.3" in exc.reason


def test_a_concentration_that_is_no_number_nor_blq(tmp_path: Path) -> None:
    exc = error(write(tmp_path, "animal,time_h,conc_ng_mL\na,1,5\na,2,hemolysed\na,3,12 nM\n"))
    assert (exc.row, exc.column) == (3, "conc_ng_mL")
    assert "'hemolysed' is not a concentration" in exc.reason
    assert "other rows with problems: 4" in exc.reason


def test_a_dose_that_differs_within_a_subject(tmp_path: Path) -> None:
    exc = error(write(tmp_path, HEADER + "a,g,p,3,oral,1,5\na,g,p,10,oral,2,4\n"))
    assert (exc.row, exc.column) == (3, "dose_mg_kg")
    assert "dose differs within subject 'a' (3 at row 2, 10 here)" in exc.reason


def test_a_subject_in_two_groups(tmp_path: Path) -> None:
    exc = error(write(tmp_path, HEADER + "1,low,p,3,oral,1,5\n1,high,p,10,oral,2,4\n"))
    assert (exc.row, exc.column) == (3, "group")
    assert "own id (e.g. 'high-1')" in exc.reason


def test_an_unknown_route(tmp_path: Path) -> None:
    exc = error(write(tmp_path, "animal,route,time_h,conc_ng_mL\na,oral,1,5\na,by mouth,2,4\n"))
    assert (exc.row, exc.column) == (3, "route")
    assert "unknown route 'by mouth'" in exc.reason


def test_mixed_units(tmp_path: Path) -> None:
    exc = error(write(tmp_path, "animal,time_h,conc_ng_mL,conc_nM\na,1,5,16\n"))
    assert exc.column == "conc_nM"
    assert "mixed units" in exc.reason and "'conc_ng_mL' and 'conc_nM'" in exc.reason


@pytest.mark.parametrize(
    ("header", "column", "expected"),
    [("animal,time,conc_ng_mL", "time", "name it time_h or time_min"),
     ("animal,time_weeks,conc_ng_mL", "time_weeks", "unknown time unit 'weeks'"),
     ("animal,time_h,conc", "conc", "'conc' has no unit; name it conc_ng_mL"),
     ("animal,time_h,conc_nm", "conc_nm", "unknown concentration unit 'nm'"),
     ("animal,time_h,conc_ng_mL,dose", "dose", "'dose' has no unit; name it dose_mg_kg"),
     ("animal,time_h,conc_ng_mL,dose_mg_lb", "dose_mg_lb", "unknown dose unit 'mg_lb'")],
)  # fmt: skip
def test_columns_without_a_known_unit(tmp_path: Path, header: str, column: str, expected: str) -> None:
    exc = error(
        write(tmp_path, header + "\n" + ",".join(["a", "1", "5", "3"][: header.count(",") + 1]) + "\n")
    )
    assert exc.column == column
    assert expected in exc.reason


def test_no_subject_column(tmp_path: Path) -> None:
    exc = error(write(tmp_path, "rat_no,time_h,conc_ng_mL\na,1,5\n"))
    assert "no subject (animal) column" in exc.reason


def test_negative_time(tmp_path: Path) -> None:
    exc = error(write(tmp_path, "animal,time_h,conc_ng_mL\na,-0.5,0\na,1,5\n"))
    assert (exc.row, exc.column) == (2, "time_h")
    assert "pre-dose sample is at time 0" in exc.reason


# ---------------------------------------------------------------------------------------------------------
# Warnings
# ---------------------------------------------------------------------------------------------------------
def test_a_profile_without_a_measurable_value_is_warned_about_not_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "animal,time_h,conc_ng_mL\na,1,5\na,2,4\nb,1,BLQ\nb,2,ND\n")
    with pytest.warns(UserWarning, match=r"1 profile has no measurable concentration .*'b'"):
        samples = read_pk(path)
    assert len(samples) == 4


def test_hours_that_look_like_minutes(tmp_path: Path) -> None:
    times = [0, 15, 30, 60, 120, 240, 480, 1440]
    text = "animal,time_h,conc_ng_mL\n" + "".join(f"a,{t},{100 / (i + 1):.3g}\n" for i, t in enumerate(times))
    with pytest.warns(UserWarning, match=r"runs to 1440 h \(60 days\).*name the column time_min"):
        read_pk(write(tmp_path, text))


def test_minutes_that_look_like_hours(tmp_path: Path) -> None:
    text = "animal,time_min,conc_ng_mL\na,0.25,5\na,0.5,8\na,1,6\na,24,1\n"
    with pytest.warns(UserWarning, match="name the column time_h"):
        read_pk(write(tmp_path, text))


def test_concentrations_beyond_plasma(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match=r"2e\+06 ng/mL = 2 g/L"):
        read_pk(write(tmp_path, "animal,time_h,conc_ng_mL\na,1,2000000\n"))
    with pytest.warns(UserWarning, match="below what any assay quantifies"):
        read_pk(write(tmp_path, "animal,time_h,conc_nM\na,1,1e-8\n"))


def test_a_plausible_study_gives_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_pk(EXAMPLE)


# ---------------------------------------------------------------------------------------------------------
# Several files
# ---------------------------------------------------------------------------------------------------------
def test_one_file_per_analyte(tmp_path: Path) -> None:
    parent = write(tmp_path, HEADER + "a,g,diazepam,5,oral,1,50\na,g,diazepam,5,oral,2,40\n", "parent.csv")
    metabolite = write(
        tmp_path, "animal,analyte,time_h,conc_ng_mL\na,nordazepam,1,5\na,nordazepam,2,7\n", "m.csv"
    )
    both = read_pk_files([parent, metabolite])
    assert both["analyte"].tolist() == ["diazepam"] * 2 + ["nordazepam"] * 2
    assert both["dose"].tolist() == [5.0] * 4  # the metabolite file's subject gets its dose
    assert both["group"].tolist() == ["g"] * 4
    assert both["file"].tolist() == [str(parent)] * 2 + [str(metabolite)] * 2
    assert read_pk_files([parent]).equals(read_pk(parent))


def test_files_in_different_units_or_with_the_same_profile(tmp_path: Path) -> None:
    a = write(tmp_path, "animal,time_h,conc_ng_mL\na,1,5\n", "a.csv")
    b = write(tmp_path, "animal,time_h,conc_nM\nb,1,5\n", "b.csv")
    with pytest.raises(
        AssayInputError, match="mixed units: the files give concentrations in different units"
    ):
        read_pk_files([a, b])
    again = write(tmp_path, "animal,time_h,conc_ng_mL\na,2,3\n", "c.csv")
    with pytest.raises(AssayInputError, match="subject 'a', analyte 'parent' is in .*a.csv and in .*c.csv"):
        read_pk_files([a, again])
    with pytest.raises(AssayInputError, match="given twice"):
        read_pk_files([a, a])


def test_a_pk_table_given_to_another_reader_and_the_reverse_say_which_command(tmp_path: Path) -> None:
    from assaykit.io.saturation import read_saturation

    with pytest.raises(AssayInputError, match="table of plasma concentrations: use 'assaykit pk'"):
        read_saturation(EXAMPLE)
    saturation = write(tmp_path, "kind,conc_nM,cpm\ntotal,1,300\n", "sat.csv")
    exc = error(saturation)
    assert "use 'assaykit saturation'" in exc.reason


def test_units_in_brackets(tmp_path: Path) -> None:
    text = "Animal,Time (min),Conc (µg/mL),Dose [mg/kg]\na,30,1.5,2\na,60,1.2,2\n"
    samples = read_pk(write(tmp_path, text))
    assert samples["time_h"].tolist() == [0.5, 1.0]
    assert samples.attrs["conc_unit"] == "ug/mL" and samples.attrs["dose_unit"] == "mg/kg"
    assert samples.attrs["conc_column"] == "Conc (µg/mL)"
    exc = error(write(tmp_path, "animal,time (h),conc (ng/mL)\na,2,1\na,1,2\n"))
    assert "time 1 h comes after 2 h" in exc.reason and exc.column == "time (h)"
