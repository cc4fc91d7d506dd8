"""Tests for assaykit.io.tables (raw string tables with line numbers, column lookup) and .fast_table."""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assaykit.errors import AssayInputError
from assaykit.io.fast_table import _EXACT_FLOATS, read_text_table
from assaykit.io.tables import SOURCE_ROW, closest_name, find_column, promote_header, read_raw_table
from assaykit.io.xlsx_read import cell_text


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(row=r, column=c, value=value)
    book.save(path)
    return path


def check_error(info: pytest.ExceptionInfo[AssayInputError], path: Path, row: int | None = None) -> str:
    """Every input error is one line that starts with the file and names the row when there is one."""
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    if row is not None:
        assert info.value.row == row
        assert f"row {row}" in message
    return message


EXPECTED = pd.DataFrame(
    {"compound": ["TOTAL", "diazepam"], "conc_nM": ["", "0.5"], "cpm": ["3010", "2500"]},
    index=pd.Index([2, 3], name=SOURCE_ROW),
    dtype=object,
)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param("a.csv", "compound,conc_nM,cpm\nTOTAL,,3010\ndiazepam,0.5,2500\n", id="comma"),
        pytest.param("a.csv", "compound;conc_nM;cpm\nTOTAL;;3010\ndiazepam;0.5;2500\n", id="semicolon"),
        pytest.param(
            "a.csv", "compound\tconc_nM\tcpm\nTOTAL\t\t3010\ndiazepam\t0.5\t2500\n", id="tab-in-csv"
        ),
        pytest.param("a.tsv", "compound\tconc_nM\tcpm\nTOTAL\t\t3010\ndiazepam\t0.5\t2500\n", id="tsv"),
        pytest.param("a.txt", "compound\tconc_nM\tcpm\nTOTAL\t\t3010\ndiazepam\t0.5\t2500\n", id="txt-tab"),
        pytest.param("a.txt", "compound,conc_nM,cpm\nTOTAL,,3010\ndiazepam,0.5,2500\n", id="txt-comma"),
        pytest.param("a.csv", "compound,conc_nM,cpm\r\nTOTAL,,3010\r\ndiazepam,0.5,2500\r\n", id="crlf"),
        pytest.param(
            "a.CSV", "\ufeff compound , conc_nM ,cpm\nTOTAL,,3010\ndiazepam,0.5,2500", id="bom-spaces"
        ),
        pytest.param("a.csv", 'compound,conc_nM,cpm\n"TOTAL",,"3010"\ndiazepam,0.5,2500\n', id="quoted"),
        pytest.param(
            "a.csv", "compound,conc_nM,cpm,\nTOTAL,,3010,\ndiazepam,0.5,2500,\n", id="trailing-comma"
        ),
    ],
)
def test_text_formats_give_the_same_strings(tmp_path: Path, name: str, text: str) -> None:
    table = read_raw_table(write(tmp_path / name, text))
    pd.testing.assert_frame_equal(table, EXPECTED)
    assert table.attrs["source"] == str(tmp_path / name)


def test_cells_are_kept_as_written(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "id,value\n007,1.50\nNA,nan\n,1e-9\n")
    table = read_raw_table(path)
    assert table["id"].tolist() == ["007", "NA", ""]
    assert table["value"].tolist() == ["1.50", "nan", "1e-9"]
    assert all(isinstance(v, str) for v in table.to_numpy().ravel())


def test_line_numbers_count_blank_lines_and_multiline_fields(tmp_path: Path) -> None:
    text = '\ncompound,note,cpm\nTOTAL,"two\nlines",3010\n\ndiazepam,x,2500\n'
    table = read_raw_table(write(tmp_path / "a.csv", text))
    # line 1 is blank, header on line 2, the quoted field spans lines 3-4, line 5 is blank
    assert table.index.tolist() == [3, 6]
    assert table.attrs["header_row"] == 2
    assert table.loc[3, "note"] == "two\nlines"


def test_semicolon_file_with_decimal_commas(tmp_path: Path) -> None:
    table = read_raw_table(write(tmp_path / "a.csv", "conc_nM;cpm\n0,1;2850,5\n1;2500\n"))
    assert table.columns.tolist() == ["conc_nM", "cpm"]
    assert table["conc_nM"].tolist() == ["0,1", "1"]
    assert table.attrs["delimiter"] == ";"


def test_header_false_returns_every_row(tmp_path: Path) -> None:
    path = write(tmp_path / "w.csv", "compound,diazepam\nconc_nM,r1,r2\n1,10,11\n\nNSB,1\n")
    raw = read_raw_table(path, header=False)
    assert raw.index.tolist() == [1, 2, 3, 4, 5]
    assert raw.loc[1].tolist() == ["compound", "diazepam", ""]
    assert raw.loc[4].tolist() == ["", "", ""]
    assert raw.loc[5].tolist() == ["NSB", "1", ""]
    # promoting the header of a wide file finds the data row with more cells than the title row
    with pytest.raises(
        AssayInputError, match="has a value in cell 3 but the header has only 2 columns"
    ) as info:
        promote_header(raw)
    check_error(info, path, row=2)


def test_promote_header_matches_header_true(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "\n\ncompound,conc_nM,cpm\nTOTAL,,3010\n\ndiazepam,0.5,2500\n")
    raw = read_raw_table(path, header=False)
    assert raw.index.tolist() == [1, 2, 3, 4, 5, 6]
    table = read_raw_table(path)
    pd.testing.assert_frame_equal(promote_header(raw), table)
    assert table.index.tolist() == [4, 6]


def test_legacy_encodings(tmp_path: Path) -> None:
    text = "compound,conc_µM,cpm\nTOTAL,,3010\ndiazepam,0.5,2500\n"
    for encoding in ("cp1252", "utf-16"):
        table = read_raw_table(write(tmp_path / f"{encoding}.csv", text, encoding))
        assert table.columns.tolist() == ["compound", "conc_µM", "cpm"]
        assert table.index.tolist() == [2, 3]


def test_xlsx_cells_become_exact_strings(tmp_path: Path) -> None:
    rows = [
        ["compound", "conc_nM", "cpm", "plate"],
        ["TOTAL", None, 3010.0, 1],
        None,  # an empty sheet row keeps its number
        ["diazepam", 0.1, 2500, 2.5],
        ["diazepam", 1e-9, 1234.5678901234567, "A1"],
    ]
    path = write_xlsx(tmp_path / "a.xlsx", {"counts": [r or [] for r in rows]})
    table = read_raw_table(path)
    assert table.index.tolist() == [2, 4, 5]
    assert table["compound"].tolist() == ["TOTAL", "diazepam", "diazepam"]
    assert table["conc_nM"].tolist()[:2] == ["", "0.1"]
    assert float(table.loc[5, "conc_nM"]) == 1e-9
    assert table["cpm"].tolist()[:2] == ["3010", "2500"]
    stored = openpyxl.load_workbook(path)["counts"].cell(row=5, column=3).value  # as openpyxl wrote it
    assert float(table.loc[5, "cpm"]) == stored
    assert abs(stored - 1234.5678901234567) < 1e-9
    assert table["plate"].tolist() == ["1", "2.5", "A1"]
    assert table.attrs["sheet"] == "counts"


def test_xlsx_sheet_choice(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", {"first": [["a"], ["1"]], "second": [["b"], ["2"], ["3"]]})
    assert read_raw_table(path).columns.tolist() == ["a"]
    assert read_raw_table(path, sheet="second")["b"].tolist() == ["2", "3"]
    assert read_raw_table(path, sheet=1)["b"].tolist() == ["2", "3"]
    with pytest.raises(
        AssayInputError, match="no sheet named 'third'; the sheets are 'first', 'second'"
    ) as info:
        read_raw_table(path, sheet="third")
    check_error(info, path)
    with pytest.raises(AssayInputError, match="no sheet number 5"):
        read_raw_table(path, sheet=5)


def test_xlsx_unnamed_column_with_values_is_kept(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", {"s": [["a", None, "c"], ["1", "note", "3"], ["2", None, None]]})
    table = read_raw_table(path)
    assert table.columns.tolist() == ["a", "unnamed_2", "c"]
    assert table["unnamed_2"].tolist() == ["note", ""]


@pytest.mark.parametrize(
    ("name", "content", "match", "row"),
    [
        pytest.param(
            "a.xls", b"x", r"unknown file type '\.xls'; expected one of \.csv.*save it", None, id="xls"
        ),
        pytest.param(
            "a.json", b"{}", r"unknown file type '\.json'; expected one of \.csv, \.tsv", None, id="json"
        ),
        pytest.param("a.csv", b"", "the file is empty", None, id="empty"),
        pytest.param("a.csv", b"\n , \n\n", "the file is empty", None, id="blank"),
        pytest.param(
            "a.csv", b"compound,cpm\n", r"no data rows below the header \(line 1\)", None, id="header"
        ),
        pytest.param("a.csv", b"a,b\n\n,\n", "no data rows", None, id="header-blank-rows"),
        pytest.param(
            "a.xlsx", b"not a zip", "cannot read it as an Excel .xlsx workbook", None, id="bad-xlsx"
        ),
        pytest.param("a.csv", b"PK\x03\x04rest", "looks like an Excel workbook", None, id="xlsx-as-csv"),
        pytest.param("a.csv", b"a,b\n1\x002,3\n", "binary data", None, id="binary"),
        pytest.param("a.csv", b"a,a\n1,2\n", "two columns are named 'a'", 1, id="duplicate"),
        pytest.param("a.csv", b"compound,cpm\nx,1,000\n", "has a value in cell 3", 2, id="extra-cell"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: bytes, match: str, row: int | None) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(AssayInputError, match=match) as info:
        read_raw_table(path)
    check_error(info, path, row)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(AssayInputError, match="file not found") as info:
        read_raw_table(tmp_path / "nope.csv")
    check_error(info, tmp_path / "nope.csv")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(AssayInputError, match="is a folder"):
        read_raw_table(tmp_path / "dir.csv")


def test_empty_sheet_and_sheet_for_text_file(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", {"blank": []})
    with pytest.raises(AssayInputError, match="sheet 'blank' is empty"):
        read_raw_table(path)
    csv = write(tmp_path / "a.csv", "a\n1\n")
    with pytest.raises(AssayInputError, match="a .csv file has no sheets"):
        read_raw_table(csv, sheet="counts")


def test_find_column_ignores_case_and_spaces() -> None:
    columns = ["Compound", " CPM ", "conc_nM"]
    assert find_column(columns, "compound", path=None) == "Compound"
    assert find_column(columns, ("cpm", "dpm", "counts"), path=None) == " CPM "
    assert find_column(pd.DataFrame(columns=columns), "conc_nm", path=None) == "conc_nM"
    assert find_column(columns, "plate", path=None, required=False) is None


def test_find_column_suggests_the_closest_name(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    with pytest.raises(AssayInputError) as info:
        find_column(["compund", "conc_nM", "cpm"], "compound", path=path)
    message = check_error(info, path)
    assert "no compound column" in message
    assert "the columns are 'compund', 'conc_nM', 'cpm'" in message
    assert "did you mean 'compound' for 'compund'?" in message


def test_find_column_never_offers_a_column_taken_for_another_role() -> None:
    """'patient' is close to 'treatment' (difflib ratio 0.625) but is the patient column already."""
    with pytest.raises(AssayInputError, match="did you mean 'treatment' for 'patient'"):
        find_column(["patient", "visit"], ("arm", "treatment"), path=None, what="arm")
    with pytest.raises(AssayInputError) as info:
        find_column(["patient", "visit"], ("arm", "treatment"), path=None, what="arm", taken=["patient"])
    assert "did you mean" not in str(info.value) and "the columns are 'patient', 'visit'" in str(info.value)
    with pytest.raises(AssayInputError, match="did you mean 'treatment' for 'treatmnt'"):
        find_column(["patient", "treatmnt"], ("arm", "treatment"), path=None, taken=["patient"])


def test_find_column_without_a_close_name_lists_the_columns() -> None:
    with pytest.raises(
        AssayInputError, match=r"^no signal column; .*'cpm' or 'dpm'; the columns are 'a', 'b'$"
    ):
        find_column(["a", "b"], ("cpm", "dpm"), path=None, what="signal")


def test_find_column_rejects_two_matches() -> None:
    with pytest.raises(
        AssayInputError, match=re.escape("2 columns could be the signal column ('cpm', 'DPM')")
    ):
        find_column(["cpm", "DPM"], ("cpm", "dpm"), path=None, what="signal")


def test_closest_name() -> None:
    assert closest_name(["Replicat", "x"], ["plate", "replicate"]) == ("Replicat", "replicate")
    assert closest_name(["zzz"], ["plate"]) is None


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (3010, "3010"),
        (3010.0, "3010"),  # Excel stores every number as a double
        (-2.0, "-2"),
        (0.1, "0.1"),
        (1e-9, "1e-09"),
        (1e20, "1e+20"),
        (True, "TRUE"),
        (dt.datetime(2024, 5, 1, 9, 30), "2024-05-01T09:30:00"),
        ("  as is ", "  as is "),
    ],
)
def test_xlsx_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def same_as_raw_table(path: Path, numbers: list[str]) -> pd.DataFrame | None:
    """Check that read_text_table agrees with read_raw_table (or declines); return its table."""
    try:
        expected = read_raw_table(path)
    except AssayInputError as exc:
        try:
            fast = read_text_table(path, numbers=lambda names: numbers)
        except AssayInputError as fast_exc:
            assert str(fast_exc) == str(exc)  # file-level errors are the same
            return None
        assert fast is None, "read_text_table read a file read_raw_table rejects"
        return None
    fast = read_text_table(path, numbers=lambda names: numbers)
    if fast is None:
        return None
    assert fast.columns.tolist() == expected.columns.tolist()
    pd.testing.assert_index_equal(fast.index, expected.index)
    assert fast.attrs == expected.attrs
    for column in expected.columns:
        got, want = fast[column].tolist(), expected[column].tolist()
        if fast[column].dtype.kind == "f":  # parsed as float() parses the text, bit for bit
            assert column in numbers
            want = [float(t) if t.strip() else math.nan for t in want]
            assert np.array_equal(np.array(got).view(np.int64), np.array(want).view(np.int64)), column
        else:
            assert got == want, column
    return fast


def test_read_text_table_matches_read_raw_table(tmp_path: Path) -> None:
    text = (
        "\n ,\nplate,compound,conc_nM,cpm,notes,\r\n"
        'P1,"TOTAL",,3010,,\r\n'
        "\r\n"
        " P1 ,diazepam, 0.5 ,2500.25,a note,\r\n"
        "P1,diazepam,1e-3,-0,,\r\n"
        ",,,,,\r\n"
        "P1,diazepam,10\r\n"
    )
    path = write(tmp_path / "a.csv", text)
    fast = same_as_raw_table(path, ["conc_nM", "cpm"])
    assert fast is not None
    assert fast.index.tolist() == [4, 6, 7, 9]
    assert fast.attrs["header_row"] == 3
    if _EXACT_FLOATS:  # pandas parses numbers as float() does
        assert fast["conc_nM"].dtype == np.float64
        assert math.copysign(1, fast.loc[7, "cpm"]) == -1  # -0 stays -0.0, as float("-0")
        assert fast.loc[9, "cpm"] != fast.loc[9, "cpm"]  # a short row: NaN, as an empty cell


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('a,b\n"two\nlines",1\n', "a quoted field spans lines"),
        ("a,b\r1,2\r", "lone carriage returns"),
        ("a,b\n1,2,3,4\n", "a row two cells longer than the header"),
        ("a,b\n1,2\n3,4,5,6\n", "a later row two cells longer"),
        ("a,a\n1,2\n", "a duplicate column name"),
        ("a,b\n", "no data row"),
        ("a,b\n1,2,3\n", "a value beyond the header"),
        ("a,b\n\ufeff1,2\n", "a byte-order mark inside"),
    ],
)
def test_read_text_table_declines_what_pandas_might_read_differently(
    tmp_path: Path, text: str, reason: str
) -> None:
    path = write(tmp_path / "a.csv", text)
    assert read_text_table(path, numbers=lambda names: ["b"]) is None, reason


def test_read_text_table_numbers_fall_back_to_strings(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "a;b\n1,5;x\n2;y\n")  # a decimal comma is not a plain number
    fast = same_as_raw_table(path, ["a"])
    assert fast is not None and fast["a"].tolist() == ["1,5", "2"]
    for text in ("a,b\nnan,1\n", "a,b\nNaN,1\n", "a,b\n1_000,1\n", "a,b\n\u00a01,1\n"):
        fast = same_as_raw_table(write(tmp_path / "b.csv", text), ["a"])
        assert fast is None or fast["a"].dtype == object
    assert read_text_table(path, numbers=lambda names: None) is None  # declined by the caller
    assert read_text_table(write_xlsx(tmp_path / "a.xlsx", {"s": [["a"], [1]]}), numbers=lambda n: []) is None


CELLS = st.text(alphabet='ab1.,;" \t\r\n-e', max_size=6) | st.sampled_from(
    ["", "1", "-0", "1e400", "inf", "-Infinity", "nan", ".5", "5.", "1e-3", " 2 ", "+3", "0x1"]
)


@settings(max_examples=300, deadline=None)
@given(
    header=st.lists(st.sampled_from(["a", "b", "c", "", " d "]), min_size=1, max_size=4, unique=True),
    rows=st.lists(st.lists(CELLS, max_size=4), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    quote=st.booleans(),
)
def test_random_text_tables_read_as_read_raw_table_reads_them(
    header: list[str], rows: list[list[str]], delimiter: str, newline: str, quote: bool
) -> None:
    def line(cells: list[str]) -> str:
        return delimiter.join('"' + c.replace('"', '""') + '"' if quote else c for c in cells)

    text = newline.join(line(cells) for cells in [header, *rows]) + newline
    with tempfile.TemporaryDirectory() as folder:
        same_as_raw_table(write(Path(folder) / "t.csv", text), ["a", "b"])
