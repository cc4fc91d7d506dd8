"""Tests for assaykit.io.counts: long and wide radioligand counts files into the canonical frame."""

from __future__ import annotations

import csv
import math
import re
import tempfile
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assaykit.errors import AssayInputError
from assaykit.io.counts import COUNTS_COLUMNS, counts_from_frame, read_counts, read_counts_files
from assaykit.io.tables import read_raw_table

SORT_KEYS = ["compound", "role", "plate", "replicate", "conc_M", "signal"]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def write_rows(path: Path, rows: list[list[object]]) -> Path:
    """Write rows as .csv, .tsv or .xlsx (numbers stay numbers in the workbook)."""
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append([None if v == "" else v for v in row])
        book.save(path)
    else:
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, delimiter="\t" if path.suffix == ".tsv" else ",").writerows(rows)
    return path


def error_for(path: Path, **kwargs: object) -> AssayInputError:
    with pytest.raises(AssayInputError) as info:
        read_counts(path, **kwargs)  # type: ignore[arg-type]
    return info.value


def check_message(
    error: AssayInputError, path: object, match: str, row: int | None, column: str | None
) -> None:
    message = str(error)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert re.search(match, message), message
    assert error.row == row
    assert error.column == column
    if row is not None:
        assert f"row {row}" in message
    if column is not None:
        assert f"column '{column}'" in message


LONG_ROWS: list[list[object]] = [
    ["compound", "conc_uM", "cpm", "plate", "replicate", "notes"],
    ["TOTAL", "", 3010, 1, "a", "radioligand alone"],
    ["TOTAL", 0, 2990, 1, "b", ""],
    ["NSB", "", 210, 1, "a", ""],
    ["nsb", 0, 190, 1, "b", ""],
    ["diazepam", 0.001, 2850, 1, "a", ""],
    ["diazepam", 0.001, 2911.5, 1, "b", ""],
    ["diazepam", 10, 400, 1, "a", ""],
    ["diazepam", 10, 410, 1, "b", ""],
]

LONG_EXPECTED = pd.DataFrame(
    {
        "compound": ["TOTAL", "TOTAL", "NSB", "nsb", "diazepam", "diazepam", "diazepam", "diazepam"],
        "role": ["total", "total", "nsb", "nsb", "competitor", "competitor", "competitor", "competitor"],
        "plate": ["1"] * 8,
        "replicate": ["a", "b"] * 4,
        "conc_M": [np.nan] * 4 + [1e-9, 1e-9, 1e-5, 1e-5],  # 0.001 uM and 10 uM, by hand
        "log_conc_M": [np.nan] * 4 + [-9.0, -9.0, -5.0, -5.0],
        "signal": [3010, 2990, 210, 190, 2850, 2911.5, 400, 410],
        "source_row": [2, 3, 4, 5, 6, 7, 8, 9],
    }
).astype({"signal": float})
# the text columns are codes of their distinct texts, sorted as strings sort (written out here by hand)
LONG_EXPECTED = LONG_EXPECTED.astype(
    {
        "compound": pd.CategoricalDtype(pd.Index(["NSB", "TOTAL", "diazepam", "nsb"], dtype="str")),
        "role": pd.CategoricalDtype(pd.Index(["competitor", "nsb", "total"], dtype="str")),
        "plate": pd.CategoricalDtype(pd.Index(["1"], dtype="str")),
        "replicate": pd.CategoricalDtype(pd.Index(["a", "b"], dtype="str")),
    }
)


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx"])
def test_long_layout_gives_the_canonical_frame(tmp_path: Path, suffix: str) -> None:
    path = write_rows(tmp_path / f"counts{suffix}", LONG_ROWS)
    counts = read_counts(path)
    assert tuple(counts.columns) == COUNTS_COLUMNS
    pd.testing.assert_frame_equal(counts, LONG_EXPECTED, rtol=1e-12)
    assert counts["source_row"].dtype == np.int64
    assert counts.attrs == {
        "source": str(path),
        "signal_unit": "cpm",
        "conc_column": "conc_uM",
        "layout": "long",
    }


@pytest.mark.parametrize(
    ("column", "value", "molar"),
    [
        pytest.param("conc_M", "1e-6", 1e-6, id="M"),
        pytest.param("conc_mM", "0.5", 5e-4, id="mM"),
        pytest.param("conc_uM", "10", 1e-5, id="uM"),
        pytest.param("conc_µM", "2", 2e-6, id="µM"),
        pytest.param("conc_nM", "3", 3e-9, id="nM"),
        pytest.param("conc_pM", "250", 2.5e-10, id="pM"),
        pytest.param("Conc_nM", "1", 1e-9, id="prefix-case"),
        pytest.param("log_conc_M", "-7.5", 3.1622776601683795e-08, id="log"),
        pytest.param("log_conc_M", "-5", 1e-5, id="log-int"),
    ],
)
def test_concentration_units(tmp_path: Path, column: str, value: str, molar: float) -> None:
    path = write(tmp_path / "c.csv", f"compound,{column},dpm\nTOTAL,,100\nx,{value},50\n")
    counts = read_counts(path)
    assert counts["conc_M"].iloc[1] == pytest.approx(molar, rel=1e-12)
    assert counts["log_conc_M"].iloc[1] == pytest.approx(math.log10(molar), rel=1e-12)
    assert counts.attrs["conc_column"] == column
    assert counts.attrs["signal_unit"] == "dpm"


def test_role_column_wins_and_compound_may_be_empty_for_controls(tmp_path: Path) -> None:
    text = (
        "Role,compound,conc_nM,counts\n"
        "total,,,3000\n"
        "NSB,,,100\n"
        "competitor,diazepam,1,2000\n"
        "nsb,diazepam,10000,120\n"  # NSB defined with cold diazepam: the role says so
        ",Total,,2990\n"  # no role: taken from the compound
    )
    counts = read_counts(write(tmp_path / "r.csv", text))
    assert counts["role"].tolist() == ["total", "nsb", "competitor", "nsb", "total"]
    assert counts["compound"].tolist() == ["TOTAL", "NSB", "diazepam", "diazepam", "Total"]
    assert counts["conc_M"].isna().tolist() == [True, True, False, True, True]
    assert counts.attrs["signal_unit"] == "counts"


@pytest.mark.parametrize(
    ("name", "role"),
    [("TOTAL", "total"), ("Total", "total"), ("NSB", "nsb"), ("ns", "nsb"), ("NonSpecific", "nsb")],
)
def test_control_names(tmp_path: Path, name: str, role: str) -> None:
    counts = read_counts(write(tmp_path / "c.csv", f"compound,conc_nM,cpm\n {name} ,,10\nx,1,5\n"))
    assert counts["compound"].tolist() == [name, "x"]
    assert counts["role"].tolist() == [role, "competitor"]


def test_control_concentrations_are_ignored(tmp_path: Path) -> None:
    text = "compound,conc_nM,cpm\nTOTAL,0,10\nNSB,10000,1\nNSB,-,2\nx,1,5\n"
    counts = read_counts(write(tmp_path / "c.csv", text))
    assert counts["conc_M"].isna().tolist() == [True, True, True, False]
    assert counts["log_conc_M"].isna().tolist() == [True, True, True, False]


def test_defaults_without_plate_and_replicate_and_file_order(tmp_path: Path) -> None:
    text = "cpm,conc_nM,compound\n5,1,zolpidem\n10,,TOTAL\n6,2,alprazolam\n7,1,zolpidem\n"
    counts = read_counts(write(tmp_path / "c.csv", text))
    assert counts["compound"].tolist() == ["zolpidem", "TOTAL", "alprazolam", "zolpidem"]
    assert counts["signal"].tolist() == [5.0, 10.0, 6.0, 7.0]
    assert counts["source_row"].tolist() == [2, 3, 4, 5]
    assert counts["plate"].tolist() == ["all"] * 4
    assert counts["replicate"].isna().all()


def test_semicolon_file_with_decimal_commas(tmp_path: Path) -> None:
    text = "compound;conc_nM;cpm\nTOTAL;;3000,5\nx;0,5;1500\n"
    counts = read_counts(write(tmp_path / "eu.csv", text))
    assert counts["signal"].tolist() == [3000.5, 1500.0]
    assert counts["conc_M"].iloc[1] == pytest.approx(5e-10, rel=1e-12)


def test_empty_signal_rows_are_dropped_with_a_warning(tmp_path: Path) -> None:
    text = "compound,conc_nM,cpm\nTOTAL,,3000\nx,1,\nx,10,1000\n  x ,100,  \n"
    path = write(tmp_path / "c.csv", text)
    with pytest.warns(UserWarning, match=r"dropped 2 rows with an empty 'cpm' cell \(rows 3, 5\)") as record:
        counts = read_counts(path)
    assert str(path) in str(record[0].message)
    assert record[0].filename == __file__  # the warning points at the caller
    assert counts["source_row"].tolist() == [2, 4]
    assert counts["signal"].tolist() == [3000.0, 1000.0]


WIDE = """compound,diazepam
conc_nM,rep1,rep2,rep3
0.1,2850,2911,2790
1,2500,2480,2555
TOTAL,3010,2990,3050
NSB,210,190,205

compound,clonazepam
plate,2
log_conc_M,A,B
-9,2000,
-8,1500,1490
nsb,200,201
"""

WIDE_AS_LONG = """compound,conc_nM,cpm,plate,replicate
diazepam,0.1,2850,all,rep1
diazepam,0.1,2911,all,rep2
diazepam,0.1,2790,all,rep3
diazepam,1,2500,all,rep1
diazepam,1,2480,all,rep2
diazepam,1,2555,all,rep3
TOTAL,,3010,all,rep1
TOTAL,,2990,all,rep2
TOTAL,,3050,all,rep3
NSB,,210,all,rep1
NSB,,190,all,rep2
NSB,,205,all,rep3
clonazepam,1,2000,2,A
clonazepam,10,1500,2,A
clonazepam,10,1490,2,B
nsb,,200,2,A
nsb,,201,2,B
"""


def same_tubes(a: pd.DataFrame, b: pd.DataFrame) -> None:
    def tidy(frame: pd.DataFrame) -> pd.DataFrame:  # the tubes' texts, not which others share the codes
        texts = {c: object for c in ("compound", "role", "plate", "replicate")}
        return frame.drop(columns="source_row").astype(texts).sort_values(SORT_KEYS).reset_index(drop=True)

    pd.testing.assert_frame_equal(tidy(a), tidy(b), rtol=1e-12)


def test_wide_multi_block_equals_long(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # empty replicate cells are absent tubes, not a warning
        warnings.filterwarnings("ignore", ".*read as nM, the highest competitor concentration 1 is 1 nM")
        wide = read_counts(write(tmp_path / "wide.csv", WIDE))
    long = read_counts(write(tmp_path / "long.csv", WIDE_AS_LONG))
    assert len(wide) == 17
    same_tubes(wide, long)
    assert wide.attrs == {
        "source": str(tmp_path / "wide.csv"),
        "signal_unit": "counts",
        "conc_column": "conc_nM, log_conc_M",
        "layout": "wide",
    }
    # file order, and the real line of each tube (line 11 has one tube: B is empty)
    assert wide["source_row"].tolist() == [3] * 3 + [4] * 3 + [5] * 3 + [6] * 3 + [11, 12, 12, 13, 13]
    assert wide["replicate"].tolist()[:3] == ["rep1", "rep2", "rep3"]
    assert wide["compound"].tolist()[-2:] == ["nsb", "nsb"]


def test_wide_xlsx_equals_wide_csv(tmp_path: Path) -> None:
    rows = [line.split(",") for line in WIDE.splitlines()]
    rows = [[float(c) if re.fullmatch(r"-?[\d.]+", c) else c for c in row] for row in rows]
    from_xlsx = read_counts(write_rows(tmp_path / "wide.xlsx", rows))
    from_csv = read_counts(write(tmp_path / "wide.csv", WIDE))
    pd.testing.assert_frame_equal(from_xlsx, from_csv)
    pd.testing.assert_frame_equal(read_counts(tmp_path / "wide.xlsx", sheet="Sheet"), from_xlsx)
    with pytest.raises(AssayInputError, match="no sheet named 'Counts'; the sheets are 'Sheet'"):
        read_counts(tmp_path / "wide.xlsx", sheet="Counts")


def test_wide_single_block_takes_the_compound_from_the_stem_or_argument(tmp_path: Path) -> None:
    block = WIDE.split("\n\n")[0].split("\n", 1)[1] + "\n"  # the diazepam block without its compound row
    expected = read_counts(write(tmp_path / "long.csv", WIDE_AS_LONG))
    expected = expected[expected["plate"] == "all"]
    from_stem = read_counts(write(tmp_path / "diazepam.csv", block))
    same_tubes(from_stem, expected)
    from_argument = read_counts(write(tmp_path / "plate7.csv", "\n" + block), compound="diazepam")
    same_tubes(from_argument, expected)
    assert from_argument["source_row"].tolist()[:3] == [3, 3, 3]  # the leading blank line counts


def test_wide_single_block_with_plate_row(tmp_path: Path) -> None:
    counts = read_counts(write(tmp_path / "x.csv", "plate,P1\nconc_uM,r1\n1,100\nTOTAL,300\n"))
    assert counts["plate"].tolist() == ["P1", "P1"]
    assert counts["compound"].tolist() == ["x", "TOTAL"]
    assert counts["conc_M"].iloc[0] == pytest.approx(1e-6, rel=1e-12)


LONG_ERRORS = [
    (
        "compund,conc_nM,cpm\nx,1,2\n",
        r"no compound column.*did you mean 'compound' for 'compund'\?",
        None,
        None,
    ),
    (
        "compound,conc_nM,cpn\nx,1,2\n",
        r"no signal column; expected .*'cpm' or 'dpm' or 'counts'.*'cpm' for 'cpn'",
        None,
        None,
    ),
    (
        "compound,conc_nM,signal\nx,1,2\n",
        r"no signal .*the columns are 'compound', 'conc_nM', 'signal'",
        None,
        None,
    ),
    ("compound,conc_nM\nx,1\n", r"no signal column", None, None),
    ("compound,cpm\nx,1\n", r"no concentration column", None, None),
    (
        "compound,conc_nM,cpm,DPM\nx,1,2,3\n",
        r"2 columns could be the signal column \('cpm', 'DPM'\)",
        None,
        None,
    ),
    ("compound,conc,cpm\nx,1,2\n", r"concentration column 'conc' has no unit; name it conc_M", None, "conc"),
    ("compound,concentration,cpm\nx,1,2\n", r"'concentration' has no unit", None, "concentration"),
    ("compound,conc_nm,cpm\nx,1,2\n", r"unknown unit 'nm'", None, "conc_nm"),
    (
        "compound,conc_nM,log_conc_M,cpm\nx,1,-9,2\n",
        r"2 concentration columns .*keep exactly one",
        None,
        None,
    ),
    (
        "compound,dose_nM,cpm\nx,1,2\n",
        r"no concentration column; name it conc_M, .* or log_conc_M",
        None,
        None,
    ),
    ("compound,conc_nM,cpm\nTOTAL,,1\nx,1,abc\n", r"'abc' is not a number; expected a count", 3, "cpm"),
    (
        "compound,conc_nM,cpm\nTOTAL,,1\nx,1 nM,5\n",
        r"'1 nM' is not a number; expected a concentration",
        3,
        "conc_nM",
    ),
    ("compound,conc_nM,cpm\nTOTAL,,1\nx,1,-5\n", r"negative signal -5; counts cannot be negative", 3, "cpm"),
    ("compound,conc_nM,cpm\nTOTAL,,inf\nx,1,5\n", r"'inf' is not a finite count", 2, "cpm"),
    (
        "compound,conc_nM,cpm\nTOTAL,,1\nx,0,5\n",
        r": 0 is not a valid competitor concentration; label radioligand-alone tubes TOTAL$",
        3,
        "conc_nM",
    ),
    ("compound,conc_nM,cpm\nTOTAL,,1\nx,-1,5\n", r"negative concentration -1; .* must be > 0", 3, "conc_nM"),
    (
        "compound,log_conc_M,cpm\nTOTAL,,1\nx,-inf,5\n",
        r"'-inf' is not a finite log concentration",
        3,
        "log_conc_M",
    ),
    ("compound,log_conc_M,cpm\nx,NaN,5\n", r"'NaN' is not a finite log concentration", 2, "log_conc_M"),
    ("compound,conc_nM,cpm\nTOTAL,,1\nx,,5\n", r"a competitor row has an empty concentration", 3, "conc_nM"),
    (
        "compound,role,conc_nM,cpm\nx,blank,,5\n",
        r"unknown role 'blank'; expected total, nsb or competitor",
        2,
        "role",
    ),
    ("role,conc_nM,cpm\ncompetitor,1,5\n", r"a competitor row needs a compound name", 2, "compound"),
    ("compound,conc_nM,cpm\nTOTAL,,10\nNSB,,1\n", r"no competitor rows", None, None),
    (
        "compound,conc_nM,cpm\nx,1,10\n,2,5\n",
        r"empty compound; expected a compound name or TOTAL or NSB",
        3,
        "compound",
    ),
    ("compound,conc_nM,cpm,plate\nx,1,10,1\nx,2,5,\n", r"empty plate", 3, "plate"),
    (
        "compound,conc_nM,cpm\nx,1,a\nx,0,5\nx,1,b\n",
        r"'a' is not a number; expected a count \(2 more problems, in rows 3, 4\)$",
        2,
        "cpm",
    ),
]


@pytest.mark.parametrize(("text", "match", "row", "column"), LONG_ERRORS)
def test_long_layout_errors(
    tmp_path: Path, text: str, match: str, row: int | None, column: str | None
) -> None:
    path = write(tmp_path / "bad.csv", text)
    check_message(error_for(path), path, match, row, column)


WIDE_ERRORS = [
    ("compound,x\nconc,r1\n1,2\n", r"'conc' has no unit", 2, "conc"),
    (
        "compound,x\nconcentration_nM,r1\n1,2\n",
        r"expected a header row whose first cell is the conc",
        2,
        None,
    ),
    (
        "conc_nM,r1,r2\n0,3000,3010\n1,2000,2010\n",
        r"0 is not a valid competitor concentration; label",
        2,
        "conc_nM",
    ),
    ("conc_nM,r1,r2\n1,3000,x\n", r"'x' is not a number; expected a count", 2, "r2"),
    ("conc_nM,r1,r2\n1,3000,-1\n", r"negative signal -1", 2, "r2"),
    ("conc_nM,r1,r2\n,3000,3001\n", r"a competitor row has an empty concentration", 2, "conc_nM"),
    ("conc_nM,r1\nabc,3000\n", r"'abc' is not a number; expected a concentration", 2, "conc_nM"),
    ("log_conc_M,r1\ninf,3000\n", r"'inf' is not a finite log concentration", 2, "log_conc_M"),
    ("conc_nM,r1\nTOTAL,10\nNSB,1\n", r"no competitor rows", None, None),
    (
        "compound,a\nconc_nM,r1\n1,10\n\n2,20\n",
        r"a row after a blank row; each block must start with",
        5,
        None,
    ),
    (
        "compound,a\nconc_nM,r1\n1,10\n\nconc_nM,r1\n2,20\n",
        r"each block must start with a 'compound",
        5,
        None,
    ),
    (
        "plate,1\ncompound,a\nconc_nM,r1\n1,10\n",
        r"a 'plate' row must follow a 'compound,<name>' row",
        1,
        None,
    ),
    (
        "conc_nM,r1,,r3\n1,10,11,12\n",
        r"a value in cell 3, whose header cell \(row 1\) names no replicate",
        2,
        None,
    ),
    ("conc_nM,r1,r1\n1,10,11\n", r"two replicate columns are named 'r1'", 1, "r1"),
    ("conc_nM\n1\n", r"names no replicate columns", 1, None),
    ("compound,a\nconc_nM,r1\n\ncompound,b\nconc_nM,r1\n1,5\n", r"block 'a' has no signal values", 2, None),
    ("compound,a\nplate,1\n", r"no header row \(e.g. conc_nM,rep1,rep2\) below this row", 1, None),
    ("compound,a\ncompound,b\nconc_nM,r1\n1,2\n", r"this compound row has no header row below it", 1, None),
    ("conc_nM,r1\n1,10\ncompound,b\nconc_nM,r1\n1,2\n", r"has no 'compound,<name>' row above it", 1, None),
]


@pytest.mark.parametrize(("text", "match", "row", "column"), WIDE_ERRORS)
def test_wide_layout_errors(
    tmp_path: Path, text: str, match: str, row: int | None, column: str | None
) -> None:
    path = write(tmp_path / "wide.csv", text)
    check_message(error_for(path), path, match, row, column)


def test_compound_argument_only_for_untitled_wide_files(tmp_path: Path) -> None:
    long = write(tmp_path / "long.csv", "compound,conc_nM,cpm\nx,1,2\n")
    check_message(error_for(long, compound="y"), long, r"compound= is only for wide files", None, None)
    wide = write(tmp_path / "wide.csv", WIDE)
    check_message(error_for(wide, compound="y"), wide, r"this file names its compounds", None, None)


def test_file_level_errors_come_from_the_table_reader(tmp_path: Path) -> None:
    with pytest.raises(AssayInputError, match="file not found"):
        read_counts(tmp_path / "missing.csv")
    header_only = write(tmp_path / "h.csv", "compound,conc_nM,cpm\n")
    check_message(error_for(header_only), header_only, r"no data rows below the header", None, None)


def test_read_counts_files_keeps_plates_of_different_files_apart(tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", "compound,conc_nM,cpm,plate\nTOTAL,,3000,1\nx,1,2000,1\n")
    b = write(tmp_path / "b.csv", "compound,conc_uM,CPM,plate\nTOTAL,,6000,1\ny,1,4000,1\n")
    pd.testing.assert_frame_equal(read_counts_files([a]), read_counts(a))
    both = read_counts_files([a, b])
    assert both["plate"].tolist() == ["a:1", "a:1", "b:1", "b:1"]
    assert both["compound"].tolist() == ["TOTAL", "x", "TOTAL", "y"]
    assert both["signal"].tolist() == [3000.0, 2000.0, 6000.0, 4000.0]
    assert both["source_row"].tolist() == [2, 3, 2, 3]
    assert both.attrs == {
        "source": f"{a}, {b}",
        "conc_column": "conc_nM, conc_uM",
        "signal_unit": "cpm",
        "layout": "long",
    }
    dpm = write(tmp_path / "c.csv", "compound,conc_nM,dpm\nx,1,5\n")
    with pytest.raises(
        AssayInputError, match=r"different units \(cpm in .*a\.csv, cpm in .*b\.csv, dpm in .*c\.csv\)"
    ):
        read_counts_files([a, b, dpm])
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        write(tmp_path / folder / "wide.csv", WIDE)
    same_stem = read_counts_files([tmp_path / "one" / "wide.csv", tmp_path / "two" / "wide.csv"])
    one, two = tmp_path / "one" / "wide.csv", tmp_path / "two" / "wide.csv"
    assert set(same_stem["plate"]) == {f"{one}:all", f"{one}:2", f"{two}:all", f"{two}:2"}
    assert same_stem.attrs["layout"] == "wide"
    assert same_stem.attrs["signal_unit"] == "counts"
    with pytest.raises(AssayInputError, match="no counts file given"):
        read_counts_files([])
    with pytest.raises(AssayInputError, match="file not found") as info:
        read_counts_files([a, tmp_path / "missing.csv"])
    assert str(info.value).startswith(str(tmp_path / "missing.csv"))


def test_counts_from_frame_accepts_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "compound": ["TOTAL", "diazepam", "diazepam", "NSB"],
            "conc_nM": [np.nan, 1.0, 10, 0],
            "cpm": [3000, 2000, 1000.5, 100],
            "plate": [1, 1, 2, 2],
        }
    )
    before = frame.copy()
    counts = counts_from_frame(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert counts["plate"].tolist() == ["1", "1", "2", "2"]
    assert counts["signal"].tolist() == [3000.0, 2000.0, 1000.5, 100.0]
    np.testing.assert_allclose(counts["conc_M"], [np.nan, 1e-9, 1e-8, np.nan], rtol=1e-12)
    assert counts["source_row"].tolist() == [2, 3, 4, 5]  # as in frame.to_csv(index=False)
    assert counts.attrs["source"] == "<data>"
    path = tmp_path / "frame.csv"
    frame.to_csv(path, index=False)
    from_file = read_counts(path)
    pd.testing.assert_frame_equal(counts, from_file)


def test_counts_from_frame_errors_and_warnings_name_the_source() -> None:
    frame = pd.DataFrame({"compound": ["TOTAL", "x", "x"], "conc_nM": [None, 1, 2], "cpm": [5, "x", 3]})
    with pytest.raises(AssayInputError) as info:
        counts_from_frame(frame, source="my plate")
    check_message(info.value, "my plate", r"'x' is not a number", 3, "cpm")
    frame.loc[1, "cpm"] = np.nan
    with pytest.warns(UserWarning, match=r"^<data>: dropped 1 row with an empty 'cpm' cell \(rows 3\)$"):
        counts = counts_from_frame(frame)
    assert counts["source_row"].tolist() == [2, 4]


def test_counts_from_frame_keeps_raw_table_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "\ncompound,conc_nM,cpm\nTOTAL,,5\n\nx,1,4\n")
    counts = counts_from_frame(read_raw_table(path), source=str(path))
    assert counts["source_row"].tolist() == [3, 5]


FACTORS = {"conc_M": 1.0, "conc_mM": 1e-3, "conc_uM": 1e-6, "conc_nM": 1e-9, "conc_pM": 1e-12}
NAMES = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_(),;'\"", max_size=15
)
COMPETITOR = NAMES.map(str.strip).filter(
    lambda n: n and n.lower() not in {"total", "nsb", "ns", "nonspecific"}
)
SIGNAL = st.one_of(st.integers(0, 10**7), st.floats(0, 1e7, allow_nan=False))


@st.composite
def long_tables(draw: st.DrawFn) -> tuple[str, list[tuple[str, str, float, float]]]:
    """A column name and rows (compound, role, value in that column, signal)."""
    column = draw(st.sampled_from([*FACTORS, "log_conc_M"]))
    # plausible concentrations (1 fM to 100 mM: assaykit.plausible), written in the column's unit
    log_molar = st.floats(-14.5, -1.5)
    value = log_molar if column == "log_conc_M" else log_molar.map(lambda v: 10.0**v / FACTORS[column])
    competitor = st.tuples(COMPETITOR, st.just("competitor"), value, SIGNAL)
    control = st.tuples(
        st.sampled_from(["TOTAL", "NSB", "nsb"]), st.just("control"), st.just(math.nan), SIGNAL
    )
    rows = draw(st.lists(st.one_of(competitor, control), min_size=1, max_size=20))
    rows.append(draw(competitor))
    return column, rows


@settings(max_examples=60, deadline=None)
@given(table=long_tables(), suffix=st.sampled_from([".csv", ".tsv"]))
def test_random_long_tables_round_trip(
    table: tuple[str, list[tuple[str, str, float, float]]], suffix: str
) -> None:
    column, rows = table
    written = [["compound", column, "cpm"]] + [
        [c, "" if r == "control" else repr(v), repr(s)] for c, r, v, s in rows
    ]
    with tempfile.TemporaryDirectory() as folder:
        counts = read_counts(write_rows(Path(folder) / f"t{suffix}", written))
    assert counts["compound"].tolist() == [c for c, _, _, _ in rows]
    assert counts["signal"].tolist() == [float(s) for _, _, _, s in rows]
    assert counts["source_row"].tolist() == list(range(2, len(rows) + 2))
    for (_, role, value, _), conc, log_conc in zip(rows, counts["conc_M"], counts["log_conc_M"], strict=True):
        if role == "control":
            assert math.isnan(conc) and math.isnan(log_conc)
        elif column == "log_conc_M":
            assert log_conc == value
            assert conc == pytest.approx(10.0**value, rel=1e-12)
        else:
            assert conc == pytest.approx(value * FACTORS[column], rel=1e-12)
            assert log_conc == pytest.approx(math.log10(value * FACTORS[column]), rel=1e-12, abs=1e-12)


def screening_text(compounds: int, *, delimiter: str = ",", quote: bool = False) -> str:
    """A screening file: per plate TOTAL/NSB in triplicate, then compounds x 4 concentrations x 3."""
    rows = [["plate", "compound", "replicate", "conc_nM", "cpm"]]
    for c in range(compounds):
        plate = f"P{c // 5 + 1}"
        if c % 5 == 0:
            rows += [
                [plate, control, str(r), "", str(3000 + r)] for control in ("TOTAL", "NSB") for r in (1, 2, 3)
            ]
        rows += [
            [plate, f"CPD-{c:04d}", str(r), conc, str(2000 + c + r)]
            for conc in ("0.1", "1", "10", "100")
            for r in (1, 2, 3)
        ]
    if quote:
        return "".join(delimiter.join(f'"{v}"' for v in row) + "\n" for row in rows)
    return "".join(delimiter.join(row) + "\n" for row in rows)


def test_long_text_files_skip_the_row_by_row_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "screen.csv", screening_text(40))
    exact = counts_from_frame(read_raw_table(path), source=str(path))  # read by the csv module

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("the csv-module reader was used")

    monkeypatch.setattr("assaykit.io.counts.read_raw_table", fail)
    counts = read_counts(path)
    pd.testing.assert_frame_equal(counts, exact)
    assert len(counts) == 8 * 6 + 40 * 12
    assert counts["source_row"].tolist() == list(range(2, len(counts) + 2))
    compound = counts[counts["compound"] == "CPD-0007"]
    assert compound["conc_M"].tolist() == [c * 1e-9 for c in (0.1, 1.0, 10.0, 100.0) for _ in range(3)]
    assert compound["log_conc_M"].tolist() == [
        math.log10(c * 1e-9) for c in (0.1, 1, 10, 100) for _ in range(3)
    ]
    assert compound["role"].tolist() == ["competitor"] * 12
    assert counts.attrs == {
        "source": str(path),
        "signal_unit": "cpm",
        "conc_column": "conc_nM",
        "layout": "long",
    }


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(screening_text(12, quote=True), id="quoted"),
        pytest.param(screening_text(12).replace("\n", "\r\n"), id="crlf"),
        pytest.param(screening_text(12, delimiter="\t"), id="tab"),
        pytest.param(screening_text(12, delimiter=";").replace(";0.1;", ";0,1;"), id="decimal-comma"),
        pytest.param(screening_text(12).replace("\n", ",\n"), id="trailing-comma"),
        pytest.param(screening_text(12).replace("P1,", " P1 ,").replace(",1,", ",  1,"), id="padded"),
    ],
)
def test_text_variants_give_the_same_frame_as_the_plain_file(tmp_path: Path, text: str) -> None:
    plain = read_counts(write(tmp_path / "plain.csv", screening_text(12)))
    variant = read_counts(write(tmp_path / "variant.csv", text))
    assert variant.attrs == {**plain.attrs, "source": str(tmp_path / "variant.csv")}
    variant.attrs, plain.attrs = {}, {}
    pd.testing.assert_frame_equal(variant, plain)


def test_a_multiline_field_keeps_the_line_numbers(tmp_path: Path) -> None:
    text = 'compound,conc_nM,cpm,notes\nTOTAL,,3000,"spans\ntwo lines"\nx,1,2000,\nx,10,1000,\n'
    counts = read_counts(write(tmp_path / "m.csv", text))
    assert counts["source_row"].tolist() == [2, 4, 5]
    bad = write(tmp_path / "bad.csv", text.replace("x,10,1000", "x,10,-1000"))
    check_message(error_for(bad), bad, r"negative signal -1000", 5, "cpm")


@pytest.mark.parametrize(
    ("column", "value", "match"),
    [
        ("cpm", "-5.50", r": negative signal -5.50; counts cannot be negative$"),
        ("cpm", "Infinity", r": 'Infinity' is not a finite count$"),
        ("cpm", "1e400", r": '1e400' is not a finite count$"),
        ("cpm", "NaN", r": 'NaN' is not a finite count$"),
        ("cpm", '"1,5"', r": '1,5' is not a number; expected a count$"),
        ("conc_nM", "0.0", r": 0 is not a valid competitor concentration"),
        ("conc_nM", "-0", r": 0 is not a valid competitor concentration"),
        ("conc_nM", "-2.50", r": negative concentration -2.50; competitor"),
        ("conc_nM", "1e-320", r": concentration 1e-320 is too small to represent$"),
        ("conc_nM", "+inf", r": '\+inf' is not a finite concentration$"),
        ("log_conc_M", "1E3", r": log concentration 1E3 is out of range"),
    ],
)
def test_messages_quote_numbers_as_written(tmp_path: Path, column: str, value: str, match: str) -> None:
    conc = "log_conc_M" if column == "log_conc_M" else "conc_nM"
    rows = ["TOTAL,,3000,1\n", "x,1,2000,1\n", "x,10,1000,1\n"] * 4
    row = {"cpm": f"x,1,{value},1\n", "conc_nM": f"x,{value},500,1\n", "log_conc_M": f"x,{value},500,1\n"}[
        column
    ]
    text = f"compound,{conc},cpm,plate\n" + "".join(rows[:7]) + row + "".join(rows[7:])
    if conc == "log_conc_M":
        text = text.replace("x,1,", "x,-9,").replace("x,10,", "x,-8,")
    path = write(tmp_path / "n.csv", text)
    check_message(error_for(path), path, match, 9, column)


def test_many_problems_and_many_dropped_rows(tmp_path: Path) -> None:
    text = "compound,conc_nM,cpm\nTOTAL,,10\n" + "".join(f"x,{i},\n" for i in range(1, 31)) + "x,1,5\n"
    path = write(tmp_path / "e.csv", text)
    rows = ", ".join(str(r) for r in range(3, 23))
    with pytest.warns(
        UserWarning, match=rf"dropped 30 rows with an empty 'cpm' cell \(rows {rows}, \.\.\.\)$"
    ):
        assert len(read_counts(path)) == 2
    bad = write(tmp_path / "bad.csv", text.replace(",\n", ",-1\n"))
    more = r"\(29 more problems, in rows 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, \.\.\.\)$"
    check_message(error_for(bad), bad, r"negative signal -1; counts cannot be negative " + more, 3, "cpm")


def test_counts_from_frame_reads_cells_of_any_type() -> None:
    frame = pd.DataFrame(
        {
            "compound": pd.Series(["TOTAL", 7.0, "x", None], dtype=object),
            "conc_nM": pd.Series([None, "1", 2, 3.5], dtype=object),
            "cpm": pd.Series([10, "20", 30.0, True], dtype=object),
            "plate": pd.Series([1, "1", 1.0, " 1 "], dtype=object),
        }
    )
    with pytest.raises(AssayInputError, match=r"row 5, column 'compound': empty compound"):
        counts_from_frame(frame)
    frame.loc[3, "compound"] = "y"
    with pytest.raises(
        AssayInputError, match=r"row 5, column 'cpm': 'True' is not a number; expected a count$"
    ):
        counts_from_frame(frame)
    frame.loc[3, "cpm"] = np.int64(40)
    counts = counts_from_frame(frame)
    assert counts["compound"].tolist() == ["TOTAL", "7", "x", "y"]  # 7.0 reads as 7, as in a file
    assert counts["plate"].tolist() == ["1"] * 4
    assert counts["signal"].tolist() == [10.0, 20.0, 30.0, 40.0]
    np.testing.assert_allclose(counts["conc_M"], [np.nan, 1e-9, 2e-9, 3.5e-9], rtol=1e-12)
