"""Tests for .xlsx reading (python-calamine) and writing (xlsxwriter layout, bulk rows).

Written workbooks are read back with openpyxl, an independent reader, and compared cell by cell with
the tables; read workbooks are built with openpyxl, and what assaykit reads is compared with what
openpyxl reads from them.
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from assaykit.cli import main
from assaykit.errors import AssayInputError
from assaykit.io import xlsx_read
from assaykit.io.outputs import OutputSet
from assaykit.io.tables import read_raw_table
from assaykit.io.writers import write_table
from assaykit.io.xlsx_read import cell_text, column_texts

# ---------------------------------------------------------------------------------------------------------
# Writing


def read_back(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet's rows as openpyxl reads them."""
    book = openpyxl.load_workbook(path)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


def expected_cell(value: object) -> object:
    """What a cell holding ``value`` reads back as in openpyxl, from the rules in xlsx_write's docstring."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, float) and math.isinf(value):
        return repr(value)
    return value


def same(got: object, want: object) -> bool:
    if isinstance(want, float) and isinstance(got, int | float) and not isinstance(got, bool):
        return float(got) == want and math.copysign(1, float(got)) == math.copysign(1, want)
    return type(got) is type(want) and got == want


MIXED = pd.DataFrame(
    {
        "text": [
            "=1+1",
            "+cmd",
            "-2+3",
            "@SUM(A1)",
            "a & b <c>",
            "  padded ",
            "é µM 中 🙂",
            "tab\there",
            "x\ny",
        ],
        "number": [0.1 + 0.2, 1e-300, -1.7976931348623157e308, np.nan, np.inf, -np.inf, -0.0, 5e-324, 2999.0],
        "integer": [0, -1, 2**40, 3, 4, 5, 6, 7, 8],
        "flag": [True, False, True, False, True, False, True, False, True],
        "mixed": [True, 1, 1.0, "x", None, np.nan, pd.NA, "", 0],
    }
)


def test_round_trip_through_openpyxl(tmp_path: Path) -> None:
    path = write_table({"results": MIXED, "empty": MIXED.iloc[:0]}, tmp_path / "r.xlsx")
    sheets = read_back(path)
    assert list(sheets) == ["results", "empty"]
    assert sheets["empty"] == [tuple(MIXED.columns)]
    header, *rows = sheets["results"]
    assert header == tuple(MIXED.columns)
    assert len(rows) == len(MIXED)
    for i, row in enumerate(rows):
        for j, column in enumerate(MIXED.columns):
            want = expected_cell(MIXED[column].to_list()[i])
            assert same(row[j], want), (i, column, row[j], want)


def _no_clock(xml: bytes) -> bytes:
    """The part without its W3CDTF time stamps (the two writes may straddle a second)."""
    import re

    return re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"TIME", xml)


def test_isal_and_zlib_deflate_give_the_same_cells_and_zipfile_is_restored(tmp_path, monkeypatch) -> None:
    """The parts deflated by ISA-L inflate with Python's zlib (zipfile's own CRC check included)."""
    import sys

    from assaykit.io import xlsx_write

    big = pd.DataFrame({"x": np.arange(50_000) * 0.1, "name": [f"c{i % 97}" for i in range(50_000)]})
    original = zipfile._get_compressor
    fast = write_table({"results": MIXED, "big": big}, tmp_path / "fast.xlsx")
    assert zipfile._get_compressor is original  # put back after the write
    monkeypatch.setitem(sys.modules, "isal", None)  # as if python-isal were not installed: zlib
    plain = write_table({"results": MIXED, "big": big}, tmp_path / "plain.xlsx")
    with zipfile.ZipFile(fast) as a, zipfile.ZipFile(plain) as b:
        assert a.namelist() == b.namelist()
        assert a.testzip() is None and b.testzip() is None
        for name in a.namelist():  # the same XML, whichever library deflated it
            assert _no_clock(a.read(name)) == _no_clock(b.read(name)), name
        sheet = max(a.namelist(), key=lambda n: a.getinfo(n).file_size)  # the big sheet's part
        assert a.getinfo(sheet).compress_size != b.getinfo(sheet).compress_size  # ISA-L did deflate it
    assert read_back(fast) == read_back(plain)
    assert xlsx_write.ISAL_LEVEL in (0, 1, 2, 3)


def test_strings_that_look_like_formulas_stay_strings(tmp_path: Path) -> None:
    path = write_table(MIXED, tmp_path / "r.xlsx")
    sheet = openpyxl.load_workbook(path).active
    cells = [sheet.cell(row=r, column=1) for r in range(2, 6)]
    assert [c.value for c in cells] == ["=1+1", "+cmd", "-2+3", "@SUM(A1)"]
    assert {c.data_type for c in cells} == {"s"}  # openpyxl marks formulas "f"
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml


def test_layout_header_frozen_and_widths(tmp_path: Path) -> None:
    frame = pd.DataFrame({"compound": ["a very long compound name, forty chars.."], "x": [1.5]})
    path = write_table(frame, tmp_path / "r.xlsx")
    sheet = openpyxl.load_workbook(path)["results"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["A"].width >= 40
    assert 8 <= sheet.column_dimensions["B"].width <= 20
    assert sheet.dimensions == "A1:B2"


def test_control_characters_and_escapes_read_back_in_calamine(tmp_path: Path) -> None:
    """XML cannot hold \\x01: Excel's _xHHHH_ escape, which Excel and calamine decode (openpyxl does not)."""
    texts = ["bell\x07", "cr\rlf", "_x0041_ literal", "ok"]
    path = write_table(pd.DataFrame({"t": texts}), tmp_path / "r.xlsx")
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert [r[0] for r in rows[1:]] == texts
    assert openpyxl.load_workbook(path).active["A3"].value == "cr\rlf"  # a character reference


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=False), min_size=1, max_size=30))
def test_random_floats_round_trip_exactly(values: list[float]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = write_table(pd.DataFrame({"v": values}), Path(tmp) / "r.xlsx")
        rows = read_back(path)["results"][1:]
    for (got,), want in zip(rows, values, strict=True):
        assert same(got, expected_cell(want)), (got, want)


def test_whole_floats_and_mixed_columns(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "cpm": [2999.0, 3001.0, np.nan, -0.0],  # whole numbers, one missing, a negative zero
            "n": pd.array([1, None, 3, 4], dtype="Int64"),
            "s": pd.array(["a", None, "b", "a"], dtype="string"),
            "c": pd.Categorical(["x", "y", None, "x"]),
            "when": [dt.date(2024, 1, 10), None, dt.datetime(2024, 1, 10, 9, 30), dt.time(9, 30)],
        }
    )
    rows = read_back(write_table(frame, tmp_path / "r.xlsx"))["results"][1:]
    assert [r[0] for r in rows] == [2999, 3001, None, 0]
    assert math.copysign(1, rows[3][0]) == -1
    assert [r[1] for r in rows] == [1, None, 3, 4]
    assert [r[2] for r in rows] == ["a", None, "b", "a"]
    assert [r[3] for r in rows] == ["x", "y", None, "x"]
    assert [r[4] for r in rows] == ["2024-01-10", None, "2024-01-10T09:30:00", "09:30:00"]


def test_a_table_larger_than_a_sheet_is_an_error_before_writing(tmp_path: Path) -> None:
    big = pd.DataFrame({"x": np.zeros(1_048_576, dtype=np.int8)})  # one row too many with the header
    target = tmp_path / "r.xlsx"
    with pytest.raises(
        AssayInputError, match=r"the points table has 1,048,576 rows.*1,048,575 below"
    ) as info:
        write_table({"results": big.head(3), "points": big}, target)
    assert "write a .csv or .tsv file instead" in str(info.value)
    assert str(info.value).startswith(str(target))
    assert list(tmp_path.iterdir()) == []
    just_fits = read_back(write_table(big.head(5), tmp_path / "ok.xlsx"))
    assert len(just_fits["results"]) == 6
    wide = pd.DataFrame(np.zeros((1, 16_385)))
    with pytest.raises(AssayInputError, match="16,385 columns"):
        write_table(wide, tmp_path / "w.xlsx")


def test_a_table_larger_than_a_sheet_stages_nothing(tmp_path: Path) -> None:
    big = pd.DataFrame({"x": np.zeros(1_048_576, dtype=np.int8)})
    with OutputSet() as out:
        path = out.add_file(tmp_path / "r.xlsx", "-o")
        with pytest.raises(AssayInputError, match="more than an Excel sheet holds") as info:
            out.table({"results": big}, path)
        assert out.staged == []
    assert info.value.path == path
    assert list(tmp_path.iterdir()) == []


def test_sheet_names(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1]})
    long = "a sheet name longer than thirty-one characters"
    assert list(read_back(write_table({long: frame}, tmp_path / "a.xlsx"))) == [long[:31]]
    with pytest.raises(AssayInputError, match="two sheets would be named"):
        write_table({long: frame, long + " (2)": frame}, tmp_path / "b.xlsx")
    with pytest.raises(AssayInputError, match="cannot be the name of an Excel sheet"):
        write_table({"a/b": frame}, tmp_path / "c.xlsx")
    with pytest.raises(AssayInputError, match="more than Excel's 32,767"):
        write_table(pd.DataFrame({"t": ["x" * 40_000]}), tmp_path / "d.xlsx")
    assert not (tmp_path / "b.xlsx").exists() and not (tmp_path / "d.xlsx").exists()


def test_binding_xlsx_holds_what_the_csv_holds(tmp_path: Path) -> None:
    text = "\n".join(",".join("" if v is None else str(v) for v in row) for row in counts_rows())
    (tmp_path / "c.csv").write_text(text + "\n")
    base = ["binding", str(tmp_path / "c.csv"), "--kd", "1.5", "--radioligand", "1", "-q"]
    for extra in (["-o", "r.xlsx"], ["-o", "r.csv", "--points", "p.csv"]):
        result = CliRunner().invoke(
            main, [*base, *(a if a.startswith("-") else str(tmp_path / a) for a in extra)]
        )
        assert result.exit_code == 0, result.output
    sheets = pd.read_excel(tmp_path / "r.xlsx", sheet_name=None, engine="openpyxl")
    assert list(sheets) == ["results", "plates", "points"]
    for name, csv in (("results", "r.csv"), ("points", "p.csv")):
        want = pd.read_csv(tmp_path / csv)
        got = sheets[name]
        assert got.columns.tolist() == want.columns.tolist()
        for column in want.columns:
            a, b = got[column], want[column]
            if b.dtype.kind == "f":  # the same doubles; the CSV's rounded to 10 significant digits
                rounded = [float(f"{value:.10g}") for value in a.to_numpy(float).tolist()]
                assert np.array_equal(rounded, b.to_numpy(float), equal_nan=True), column
            else:
                assert a.astype(str).tolist() == b.astype(str).tolist(), column


# ---------------------------------------------------------------------------------------------------------
# Reading


def workbook(path: Path, rows: list[list[object]], title: str = "counts") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def with_error(path: Path, ref: str, code: str) -> None:
    book = openpyxl.load_workbook(path)
    cell = book.active[ref]
    cell.value, cell.data_type = code, "e"
    book.save(path)


def test_cells_read_as_openpyxl_reads_them(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        [None, "name", 1, 1.0, 2.5, True, 0, False],
        [None, dt.datetime(2024, 1, 10), dt.date(2024, 1, 11), dt.time(9, 30), dt.timedelta(hours=30)],
        [None, "2850", 1e-9, 1234.5678901234567, 1e20, -0.0, dt.datetime(2024, 1, 10, 9, 30, 15, 500000)],
        [],
        [None, "  spaced ", 1.0, True, 0.0, False],
    ]
    path = workbook(tmp_path / "a.xlsx", rows)
    with_error(path, "C4", "#DIV/0!")
    with_error(path, "D4", "#N/A")
    theirs = [
        [cell_text(v) for v in row] for row in openpyxl.load_workbook(path, data_only=True).active.values
    ]
    ours = read_raw_table(path, header=False)
    assert ours.index.tolist() == list(range(1, len(theirs) + 1))
    for line, row in zip(ours.index, ours.to_numpy(dtype=object).tolist(), strict=True):
        assert row[: len(theirs[line - 1])] == theirs[line - 1]
        assert all(c == "" for c in row[len(theirs[line - 1]) :])
    assert ours.loc[2, 1] == "2024-01-10T00:00:00"  # a date at midnight, as openpyxl gives it
    assert ours.loc[4, 2] == "#DIV/0!"


def test_column_texts_keep_booleans_apart_from_ones() -> None:
    assert column_texts([1.0, True, 0.0, False, "1", None, ""]).tolist() == [
        "1",
        "TRUE",
        "0",
        "FALSE",
        "1",
        "",
        "",
    ]
    assert column_texts([True, 1.0]).tolist() == ["TRUE", "1"]


def counts_rows() -> list[list[object]]:
    """A plate's TOTAL and NSB tubes and one compound's curve, long layout (conc_nM empty for controls)."""
    rows: list[list[object]] = [["plate", "compound", "conc_nM", "cpm"]]
    rows += [[1, "TOTAL", None, 3000 + r] for r in range(3)] + [[1, "NSB", None, 250 + r] for r in range(3)]
    rows += [[1, "drug", c, 3000 - i * 350] for i, c in enumerate([0.1, 1, 10, 100, 1e3, 1e4, 1e5])]
    return rows


def test_an_error_cell_is_an_error_not_a_blank(tmp_path: Path) -> None:
    path = workbook(tmp_path / "c.xlsx", counts_rows())
    with_error(path, "D10", "#DIV/0!")
    result = CliRunner().invoke(main, ["binding", str(path), "--kd", "1.5", "--radioligand", "1"])
    assert result.exit_code == 2
    assert f"Error: {path}, row 10, column 'cpm': '#DIV/0!' is not a number" in result.output
    book = openpyxl.load_workbook(path)
    book.active["C12"].value = dt.datetime(2024, 1, 10)
    book.active["D10"].value = 1000
    book.save(path)
    result = CliRunner().invoke(main, ["binding", str(path), "--kd", "1.5", "--radioligand", "1"])
    assert result.exit_code == 2
    assert "row 12" in result.output and "'2024-01-10T00:00:00'" in result.output


def test_a_sheet_calamine_cannot_check_is_read_with_openpyxl(tmp_path: Path, monkeypatch) -> None:
    path = workbook(tmp_path / "a.xlsx", [["a", "b"], [1, "x"], [2.5, None]])
    with_error(path, "B3", "#VALUE!")
    direct = read_raw_table(path)
    monkeypatch.setattr(xlsx_read, "error_cells", lambda path, name: None)
    pd.testing.assert_frame_equal(read_raw_table(path), direct)
    assert direct["b"].tolist() == ["x", "#VALUE!"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"compound,cpm\nx,1\n", "not a zip archive.*it is a text file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "it is an old Excel .xls file"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "EncryptedPackage".encode("utf-16-le"),
            r"it is encrypted \(password-protected\)",
        ),
    ],
    ids=["empty", "text", "xls", "encrypted"],
)
def test_unreadable_workbooks_say_what_they_are(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "c.xlsx"
    path.write_bytes(content)
    with pytest.raises(AssayInputError, match=f"cannot read it as an Excel .xlsx workbook.*{reason}"):
        read_raw_table(path)
    result = CliRunner().invoke(main, ["binding", str(path), "--kd", "1.5", "--radioligand", "1"])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {path}: cannot read it as an Excel .xlsx workbook")
    assert len(result.output.strip().splitlines()) == 1


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("word/document.xml", "<w/>")
    with pytest.raises(AssayInputError, match="cannot read it as an Excel .xlsx workbook"):
        read_raw_table(path)


def test_an_error_cell_in_an_ethovision_workbook(tmp_path: Path) -> None:
    from assaykit.io.tracks.ethovision import read_ethovision

    rows: list[list[object]] = [["Number of header lines:", "3"], ["Trial time", "X center", "Y center"]]
    rows += [["s", "cm", "cm"], [0.0, 1.5, 2.0], [0.04, "-", "-"], [0.08, 1.0, 2.5]]
    path = workbook(tmp_path / "Track-Arena 1-Subject 1.xlsx", rows, title="Track-Arena 1-Subject 1")
    assert read_ethovision(path).data["x"].tolist()[::2] == [1.5, 1.0]
    with_error(path, "B6", "#DIV/0!")
    with pytest.raises(AssayInputError, match="found '#DIV/0!'") as info:
        read_ethovision(path)
    assert info.value.row == 6
