"""The binding readers on implausible and mistyped input: concentrations in the wrong unit (long and wide
layouts, hot_nM, saturation), thousands separators, units in cells, other assays' files, a file given twice.

Each file is written here from hand-chosen molar concentrations and counts; expected numbers and rows are
computed from that construction.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from assaykit.errors import AssayInputError
from assaykit.io.counts import read_counts, read_counts_files
from assaykit.io.saturation import read_saturation, read_saturation_files

#: log10 molar concentrations of one curve: 10 pM to 100 uM in log steps.
LOG_M = np.arange(-11.0, -3.9, 1.0)
COUNTS = np.linspace(3000, 260, LOG_M.size).round()
CONTROLS = ["TOTAL,,3010", "TOTAL,,2990", "NSB,,250", "NSB,,254"]


def long_file(tmp_path: Path, column: str, values, name: str = "c.csv", compound: str = "diazepam") -> Path:
    rows = [f"compound,{column},cpm", *CONTROLS]
    rows += [f"{compound},{float(v)!r},{c:g}" for v, c in zip(values, COUNTS, strict=True)]
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def error_of(func, *args, **kwargs) -> AssayInputError:
    with pytest.raises(AssayInputError) as info:
        func(*args, **kwargs)
    assert "\n" not in str(info.value)
    return info.value


# --------------------------------------------------------------------------------------------------------
# Competition, long layout
# --------------------------------------------------------------------------------------------------------
def test_molar_values_in_conc_nM_are_an_error_naming_file_column_and_unit(tmp_path: Path) -> None:
    path = long_file(tmp_path, "conc_nM", 10.0**LOG_M)  # molar numbers under a nM name
    error = error_of(read_counts, path)
    assert error.column == "conc_nM" and error.row is None
    assert str(error).startswith(f"{path}, column 'conc_nM': read as nM, the concentrations 1e-11 to 0.0001")
    assert str(error).endswith("these look like molar values: name the column conc_M")


def test_the_same_values_named_conc_M_read_as_written(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing to warn about
        counts = read_counts(long_file(tmp_path, "conc_M", 10.0**LOG_M))
    competitors = counts[counts["role"] == "competitor"]
    np.testing.assert_allclose(competitors["log_conc_M"], LOG_M, atol=1e-12)


def test_nM_values_in_conc_M_and_log_values_in_log_column(tmp_path: Path) -> None:
    nM = 10.0 ** (LOG_M + 9)
    error = error_of(read_counts, long_file(tmp_path, "conc_M", nM))
    assert str(error).endswith("these look like nM values: name the column conc_nM")
    error = error_of(read_counts, long_file(tmp_path, "log_conc_M", -LOG_M, "neg.csv"))
    assert "these look like -log10 molar values" in str(error) and error.column == "log_conc_M"


def test_log_values_in_a_linear_column_suggest_log_conc_M(tmp_path: Path) -> None:
    error = error_of(read_counts, long_file(tmp_path, "conc_nM", LOG_M))
    assert error.row == 6 and error.column == "conc_nM"  # the first competitor (after 4 controls)
    hint = "these look like log10 molar values: name the column log_conc_M"
    assert f"negative concentration -11.0; competitor concentrations must be > 0; {hint}" in str(error)


def test_nM_values_in_conc_uM_beyond_10_mM_warn(tmp_path: Path) -> None:
    path = long_file(tmp_path, "conc_uM", 10.0 ** (LOG_M + 9))  # top 100000 "uM" = 100 mM
    with pytest.warns(UserWarning) as caught:
        counts = read_counts(path)
    messages = [str(w.message) for w in caught]
    assert messages == [
        f"{path}, column 'conc_uM': read as uM, the highest competitor concentration 100000 is 100 mM, far "
        "from where such assays put it (typically 1 uM to 1 mM); if these are nM values, name the column "
        "conc_nM"
    ]
    assert len(counts) == len(LOG_M) + 4  # read, as written (a warning, not an error)


def test_one_compound_in_molar_among_nM_compounds_warns_with_its_rows(tmp_path: Path) -> None:
    rows = ["compound,conc_nM,cpm", *CONTROLS]
    for compound, scale in (("diazepam", 1e9), ("clonazepam", 1e9), ("flumazenil", 1.0)):
        rows += [f"{compound},{10**x * scale:g},{c:g}" for x, c in zip(LOG_M, COUNTS, strict=True)]
    path = tmp_path / "mixed.csv"
    path.write_text("\n".join(rows) + "\n")
    with pytest.warns(UserWarning) as caught:
        read_counts(path)
    (message,) = [str(w.message) for w in caught]
    first = 2 + 4 + 2 * len(LOG_M)  # the first flumazenil line
    read = 10.0**LOG_M * 1e-9  # flumazenil's molar numbers read as nM
    out = read < 1e-15 * (1 - 1e-9)
    distinct = 2 * len(LOG_M)  # the nM series (shared by two compounds) and flumazenil's
    rows = ", ".join(str(first + i) for i in np.flatnonzero(out))
    assert message.endswith(
        f"{int(out.sum())} of {distinct} distinct concentrations (1e-20 M, 1e-19 M, 1e-18 M, ...) lie "
        f"outside the plausible 1 fM to 100 mM (compound flumazenil; rows {rows}); check those cells"
    )


# --------------------------------------------------------------------------------------------------------
# Competition, wide layout and hot_nM
# --------------------------------------------------------------------------------------------------------
def test_wide_file_with_molar_values_under_conc_nM(tmp_path: Path) -> None:
    lines = ["compound,diazepam", "conc_nM,rep1,rep2"]
    lines += [f"{10**x:g},{c:g},{c + 10:g}" for x, c in zip(LOG_M, COUNTS, strict=True)]
    lines += ["TOTAL,3000,3010", "NSB,250,260"]
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(lines) + "\n")
    error = error_of(read_counts, path)
    assert error.column == "conc_nM"
    assert str(error).endswith("these look like molar values: name the column conc_M")


def test_hot_nM_in_molar_is_an_error_saying_convert(tmp_path: Path) -> None:
    rows = ["compound,conc_nM,cpm,hot_nM"]
    rows += [f"flu,{10 ** (x + 9):g},{c:g},1e-09" for x, c in zip(LOG_M, COUNTS, strict=True)]
    path = tmp_path / "hot.csv"
    path.write_text("\n".join(rows) + "\n")
    error = error_of(read_counts, path)
    assert error.column == "hot_nM"
    assert "read as nM, the concentrations 1e-09 are 1e-18 M" in str(error)
    assert str(error).endswith("these look like molar values: give them in nM (multiply by 1e+09)")


# --------------------------------------------------------------------------------------------------------
# Saturation
# --------------------------------------------------------------------------------------------------------
SAT_NM = [0.1, 0.3, 1.0, 3.0, 10.0, 20.0]


def saturation_file(tmp_path: Path, column: str, values, name: str = "sat.csv") -> Path:
    rows = [f"kind,{column},cpm"]
    for v, nM in zip(values, SAT_NM, strict=True):
        v = float(v)
        rows += [f"total,{v!r},{1000 * nM / (1.5 + nM) + 20 * nM:.0f}", f"nsb,{v!r},{20 * nM:.0f}"]
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n")
    return path


def test_saturation_molar_values_in_conc_nM_are_an_error(tmp_path: Path) -> None:
    error = error_of(read_saturation, saturation_file(tmp_path, "conc_nM", [v * 1e-9 for v in SAT_NM]))
    assert error.column == "conc_nM"
    assert "(all 6 distinct values)" in str(error)
    assert str(error).endswith("these look like molar values: name the column conc_M")


def test_saturation_pM_values_in_conc_nM_warn(tmp_path: Path) -> None:
    path = saturation_file(tmp_path, "conc_nM", [v * 1000 for v in SAT_NM])  # top 20000 "nM" = 20 uM
    with pytest.warns(UserWarning, match=r"highest radioligand concentration 20000 is 20 uM.*conc_pM$"):
        tubes = read_saturation(path)
    assert tubes["conc_nM"].max() == 20000.0


def test_saturation_log_values_say_what_saturation_needs(tmp_path: Path) -> None:
    error = error_of(
        read_saturation, saturation_file(tmp_path, "conc_nM", [math.log10(v * 1e-9) for v in SAT_NM])
    )
    assert error.row == 2 and error.column == "conc_nM"
    assert "it looks like a log10 molar value, but saturation binding is fitted against the concentration " \
        "itself" in str(error)  # fmt: skip


# --------------------------------------------------------------------------------------------------------
# Thousands separators and units in cells
# --------------------------------------------------------------------------------------------------------
def test_counts_with_thousands_separators_in_a_decimal_comma_file_are_an_error(tmp_path: Path) -> None:
    # Excel in German saves displayed numbers: 3.185 for three thousand one hundred and eighty-five.
    rows = ["compound;conc_nM;cpm", "TOTAL;;3.185", "TOTAL;;3.205", "NSB;;250", "NSB;;260"]
    rows += ["d;0,1;3.100", "d;1;2.950", "d;10;1.700", "d;100;480", "d;1000;270"]
    path = tmp_path / "de.csv"
    path.write_text("\n".join(rows) + "\n")
    error = error_of(read_counts, path)
    assert (error.row, error.column) == (2, "cpm")
    assert str(error).endswith(
        "'3.185' reads as 3.185, but every decimal in this column has exactly three digits and every whole "
        "number is below 1000: these look like counts written with a thousands separator; write them "
        "without one (3185)"
    )
    comma = tmp_path / "comma.csv"
    comma.write_text(path.read_text().replace("3.", "3,").replace("2.", "2,").replace("1.", "1,"))
    assert "'3,185' reads as 3.185" in str(error_of(read_counts, comma))


def test_real_decimals_and_workbooks_are_not_taken_for_separators(tmp_path: Path) -> None:
    rows = ["compound;conc_nM;cpm", "TOTAL;;3185,5", "NSB;;250,25", "d;1000;2950,125", "d;10000;1700"]
    path = tmp_path / "decimals.csv"
    path.write_text("\n".join(rows) + "\n")
    assert read_counts(path)["signal"].tolist() == [3185.5, 250.25, 2950.125, 1700.0]
    book = openpyxl.Workbook()
    for row in (
        ["compound", "conc_nM", "cpm"],
        ["TOTAL", None, 3.185],
        ["NSB", None, 250],
        ["d", 1000, 2.95],
    ):
        book.active.append(row)
    book.save(tmp_path / "small.xlsx")  # numbers in a workbook are numbers: 3.185 is 3.185
    assert read_counts(tmp_path / "small.xlsx")["signal"].tolist() == [3.185, 250.0, 2.95]


def test_quoted_thousands_and_units_in_cells_get_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('compound,conc_nM,cpm\nTOTAL,,"3,185"\nNSB,,250\nd,1,"2,950"\n')
    error = error_of(read_counts, path)
    assert str(error).endswith(
        "'3,185' is not a number; expected a count; remove the thousands separators (3185) "
        "(1 more problem, in rows 4)"
    )
    path.write_text("compound,conc_nM,cpm\nTOTAL,,3185\nd,10 nM,2950\nd,1e-6 M,250\n")
    error = error_of(read_counts, path)
    assert (error.row, error.column) == (3, "conc_nM")
    assert "'10 nM' is not a number; expected a concentration; write the number alone: the unit belongs in " \
        "the column name (conc_nM)" in str(error)  # fmt: skip


# --------------------------------------------------------------------------------------------------------
# Other assays' files, files given twice, a text file named .xlsx, a title row
# --------------------------------------------------------------------------------------------------------
def test_a_saturation_file_given_to_binding_and_the_reverse(tmp_path: Path) -> None:
    sat = saturation_file(tmp_path, "conc_nM", SAT_NM)
    assert str(error_of(read_counts, sat)).endswith(
        "this looks like a saturation binding file: use 'assaykit saturation'"
    )
    counts = long_file(tmp_path, "conc_nM", 10.0 ** (LOG_M + 9))
    assert str(error_of(read_saturation, counts)).endswith(
        "this looks like a competition binding file: use 'assaykit binding'"
    )
    tracks = tmp_path / "tracks.csv"
    tracks.write_text("animal,time_s,x_cm,y_cm\nm1,0,0,0\nm1,0.1,1,0\n")
    for reader in (read_counts, read_saturation):
        assert str(error_of(reader, tracks)).endswith(
            "this looks like a tracking log: use 'assaykit epm' or 'assaykit ldb'"
        )


def test_a_file_given_twice_is_refused(tmp_path: Path) -> None:
    path = long_file(tmp_path, "conc_nM", 10.0 ** (LOG_M + 9))
    link = tmp_path / "link.csv"
    link.symlink_to(path)
    for reader, file in (
        (read_counts_files, path),
        (read_saturation_files, saturation_file(tmp_path, "conc_nM", SAT_NM)),
    ):
        error = error_of(reader, [file, file])
        assert (
            str(error) == f"{file}: this file is given twice: its data would count twice; give each file once"
        )
    error = error_of(read_counts_files, [path, link])
    also = f"{link}: this file is given twice (also as {path})"
    assert str(error) == f"{also}: its data would count twice; give each file once"


def test_a_text_file_named_xlsx_says_so(tmp_path: Path) -> None:
    fake = tmp_path / "counts.xlsx"
    fake.write_text("compound,conc_nM,cpm\nTOTAL,,3000\n")
    assert str(error_of(read_counts, fake)).endswith(
        "it is a text file: give it its own extension (.csv, .tsv or .txt)"
    )
    old = tmp_path / "old.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert str(error_of(read_saturation, old)).endswith(
        "it is an old Excel .xls file: save it as .xlsx (or export a CSV)"
    )


def test_a_title_line_above_the_header(tmp_path: Path) -> None:
    path = tmp_path / "titled.csv"
    path.write_text("Experiment 12\ncompound,conc_nM,cpm\nTOTAL,,3000\nd,1,2000\n")
    error = error_of(read_counts, path)
    assert error.row == 2
    assert str(error).endswith("(is line 1 a title above the column names? delete it)")


def test_a_workbook_whose_first_sheet_is_not_the_data_names_the_other_sheets(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["operator", "AB"])
    data = book.create_sheet("Counts")
    for row in (["compound", "conc_nM", "cpm"], ["TOTAL", None, 3000], ["NSB", None, 250], ["d", 1000, 900]):
        data.append(row)
    path = tmp_path / "plate.xlsx"
    book.save(path)
    hint = "; that is the first sheet, 'Notes'; the workbook also has 'Counts': choose one with --sheet"
    assert str(error_of(read_counts, path)).endswith(hint)
    assert str(error_of(read_saturation, path)).endswith(hint)
    assert read_counts(path, sheet="Counts")["signal"].tolist() == [3000.0, 250.0, 900.0]


def test_counts_written_with_three_decimals_throughout_are_decimals(tmp_path: Path) -> None:
    # every value below 1000 and written with three decimals, whole ones too: a fixed-format export
    rows = ["compound;conc_nM;cpm", "TOTAL;;812,345", "NSB;;98,000", "d;1000;512,125", "d;10000;101,500"]
    path = tmp_path / "fixed.csv"
    path.write_text("\n".join(rows) + "\n")
    assert read_counts(path)["signal"].tolist() == [812.345, 98.0, 512.125, 101.5]


def test_saturation_counts_with_thousands_separators_are_an_error(tmp_path: Path) -> None:
    rows = ["kind;conc_nM;cpm", "total;0,1;651", "nsb;0,1;47", "total;0,5;2.100", "nsb;0,5;210"]
    rows += ["total;2;5.250", "nsb;2;800", "total;10;8.900", "nsb;10;950"]
    path = tmp_path / "de.csv"
    path.write_text("\n".join(rows) + "\n")
    error = error_of(read_saturation, path)
    assert (error.row, error.column) == (4, "cpm")
    assert "'2.100' reads as 2.1, but every decimal" in str(error) and str(error).endswith("(2100)")
