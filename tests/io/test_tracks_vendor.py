"""Tests for assaykit.io.tracks.ethovision and .anymaze: EthoVision XT raw data, ANY-maze test data."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from assaykit.errors import AssayInputError
from assaykit.io.tracks.anymaze import read_anymaze
from assaykit.io.tracks.ethovision import read_ethovision
from assaykit.io.tracks.exports import detect_vendor

DATA = Path(__file__).resolve().parents[1] / "data" / "tracks"
ETHO_2014 = DATA / "ethovision_2014.txt"
ETHO_UNICODE = DATA / "ethovision_unicode.txt"
ANYMAZE = DATA / "anymaze_test.csv"
NAN = math.nan

# The samples written into the fixtures (time, X center, Y center), and the line of the first sample.
ETHO_2014_SAMPLES = [
    (0.0, NAN, NAN),
    (0.04, -12.5671, 3.301),
    (0.08, -11.9706, 4.2077),
    (0.12, -10.25, 5.5),
    (0.16, NAN, NAN),
    (0.2, -8.1344, 7.0),
    (0.24, -7.5, 8.125),
    (0.28, 0.0, 9.75),
    (0.32, 1.0625, 10.5),
    (0.36, 2.5, 11.0),
]
ETHO_2014_FIRST_LINE = 20
ETHO_UNICODE_SAMPLES = [
    (0.0, NAN, NAN),
    (0.0333, 15.2, -3.5),
    (0.0667, 15.4, -3.25),
    (0.1, 15.75, -3.0),
    (0.1333, NAN, NAN),
    (0.1667, 16.5, -2.125),
]
ANYMAZE_SAMPLES = [
    (0.0, NAN, NAN),
    (0.56, 96, 87),
    (0.67, 97, 85),
    (0.79, NAN, NAN),
    (59.9, 101.5, 79),
    (60.02, 103, 78),
    (4 * 60 + 5.25, 110, 70),
    (3600.125, 120, 60),
]


def check_samples(data: object, samples: list[tuple[float, float, float]]) -> None:
    expected = np.array(samples, dtype=float)
    np.testing.assert_allclose(data["time_s"], expected[:, 0], rtol=0, atol=1e-12)  # type: ignore[index]
    np.testing.assert_allclose(data["x"], expected[:, 1], rtol=0, atol=1e-12, equal_nan=True)  # type: ignore[index]
    np.testing.assert_allclose(data["y"], expected[:, 2], rtol=0, atol=1e-12, equal_nan=True)  # type: ignore[index]
    for column in ("time_s", "x", "y"):
        assert data[column].dtype == np.float64  # type: ignore[index]


def error_for(reader: object, path: Path, **kwargs: object) -> AssayInputError:
    with pytest.raises(AssayInputError) as info:
        reader(path, **kwargs)  # type: ignore[operator]
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return info.value


def etho_lines() -> list[str]:
    return ETHO_2014.read_text(encoding="cp1252").splitlines()


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\r\n".join(lines) + "\r\n", encoding=encoding, newline="")
    return path


def set_cell(line: str, index: int, value: str, delimiter: str = ";") -> str:
    cells = line.split(delimiter)
    cells[index] = value
    return delimiter.join(cells)


# -- EthoVision text ----------------------------------------------------------------------------------------


def test_ethovision_2014_semicolon_quoted() -> None:
    table = read_ethovision(ETHO_2014)
    assert table.format == "ethovision"
    assert table.space_unit == "cm"  # from "(cm)"
    assert table.source == ETHO_2014
    assert table.low_likelihood == {}
    assert list(table.data.columns) == ["animal", "time_s", "x", "y"]
    assert (table.data["animal"] == "ethovision_2014").all()
    check_samples(table.data, ETHO_2014_SAMPLES)


def test_ethovision_unicode_tab_export() -> None:
    assert ETHO_UNICODE.read_bytes()[:2] == b"\xff\xfe"
    table = read_ethovision(ETHO_UNICODE)
    assert table.space_unit == "cm"
    assert (table.data["animal"] == "ethovision_unicode").all()
    check_samples(table.data, ETHO_UNICODE_SAMPLES)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_ethovision_other_delimiters_and_encodings(tmp_path: Path, encoding: str, delimiter: str) -> None:
    lines = [line.replace(";", delimiter) for line in etho_lines()]
    path = write(tmp_path / "export.csv", lines, encoding)
    check_samples(read_ethovision(path).data, ETHO_2014_SAMPLES)


@pytest.mark.parametrize(
    ("written", "unit"), [("(mm)", "mm"), ("mm", "mm"), ("m", "m"), ("pixels", "px"), ("", None)]
)
def test_ethovision_space_unit(tmp_path: Path, written: str, unit: str | None) -> None:
    lines = etho_lines()
    lines[ETHO_2014_FIRST_LINE - 2] = set_cell(lines[ETHO_2014_FIRST_LINE - 2], 2, f'"{written}"')
    assert read_ethovision(write(tmp_path / "u.txt", lines)).space_unit == unit


def test_ethovision_centre_spelling_and_missing_markers(tmp_path: Path) -> None:
    lines = etho_lines()
    names = ETHO_2014_FIRST_LINE - 3
    lines[names] = lines[names].replace("X center", "X CENTRE").replace("Y center", "y centre")
    lines[ETHO_2014_FIRST_LINE - 1 + 1] = set_cell(lines[ETHO_2014_FIRST_LINE], 2, "NaN")  # x of 0.04 s
    lines[ETHO_2014_FIRST_LINE - 1 + 3] = set_cell(lines[ETHO_2014_FIRST_LINE + 2], 3, "")  # y of 0.12 s
    table = read_ethovision(write(tmp_path / "centre.txt", lines))
    samples = list(ETHO_2014_SAMPLES)
    samples[1] = (0.04, NAN, 3.301)
    samples[3] = (0.12, -10.25, NAN)
    check_samples(table.data, samples)


def test_ethovision_blank_trailing_lines_are_ignored(tmp_path: Path) -> None:
    table = read_ethovision(write(tmp_path / "blank.txt", [*etho_lines(), "", ""]))
    check_samples(table.data, ETHO_2014_SAMPLES)


def test_ethovision_not_an_export(tmp_path: Path) -> None:
    error = error_for(
        read_ethovision, write(tmp_path / "plain.txt", ["Trial time;X center;Y center", "0;1;2"])
    )
    assert error.row == 1 and "expected 'Number of header lines:'" in error.reason


def test_ethovision_bad_header_count(tmp_path: Path) -> None:
    lines = etho_lines()
    lines[0] = '"Number of header lines:";"many";'
    error = error_for(read_ethovision, write(tmp_path / "count.txt", lines))
    assert error.row == 1 and "found 'many'" in error.reason
    lines[0] = '"Number of header lines:";"90";'
    assert "says 90 header lines" in str(error_for(read_ethovision, write(tmp_path / "long.txt", lines)))


def test_ethovision_missing_x_column(tmp_path: Path) -> None:
    lines = etho_lines()
    names = ETHO_2014_FIRST_LINE - 3
    lines[names] = lines[names].replace("X center", "X position")
    error = error_for(read_ethovision, write(tmp_path / "nox.txt", lines))
    assert error.row == ETHO_2014_FIRST_LINE - 2  # the names line
    assert "no X center column" in error.reason and "'X position'" in error.reason
    assert "did you mean" not in error.reason  # not "'X center' for 'Y center'"
    lines[names] = lines[names].replace("X position", "X-centre")
    error = error_for(read_ethovision, write(tmp_path / "typo.txt", lines))
    assert "did you mean 'X centre' for 'X-centre'?" in error.reason


def test_ethovision_non_numeric_time_names_the_line(tmp_path: Path) -> None:
    lines = etho_lines()
    line = ETHO_2014_FIRST_LINE + 4  # the sample at 0.160 s
    lines[line - 1] = set_cell(lines[line - 1], 0, '"0:00:00.160"')
    error = error_for(read_ethovision, write(tmp_path / "time.txt", lines))
    assert error.row == line and error.column == "Trial time"
    assert "expected a time in seconds, found '0:00:00.160'" in str(error)
    lines = etho_lines()
    lines[line - 1] = set_cell(lines[line - 1], 0, '"-"')  # a missing time is not allowed
    assert error_for(read_ethovision, write(tmp_path / "dash.txt", lines)).row == line


def test_ethovision_bad_position_names_line_and_column(tmp_path: Path) -> None:
    lines = etho_lines()
    line = ETHO_2014_FIRST_LINE + 6
    lines[line - 1] = set_cell(lines[line - 1], 3, '"8,125"')
    error = error_for(read_ethovision, write(tmp_path / "comma.txt", lines))
    assert (error.row, error.column) == (line, "Y center")
    assert "found '8,125'; use a decimal point" in error.reason


def test_ethovision_empty_data(tmp_path: Path) -> None:
    lines = etho_lines()[: ETHO_2014_FIRST_LINE - 1]
    assert "no samples below the 19 header lines" in str(
        error_for(read_ethovision, write(tmp_path / "e.txt", lines))
    )


def test_ethovision_text_without_samples(tmp_path: Path) -> None:
    lines = [*etho_lines()[: ETHO_2014_FIRST_LINE - 1], '"No samples logged for this track!"']
    assert "logged no samples" in str(error_for(read_ethovision, write(tmp_path / "none.txt", lines)))


def test_ethovision_text_given_a_sheet() -> None:
    assert "has no sheets" in str(error_for(read_ethovision, ETHO_2014, sheet="Track-Arena 1-Subject 1"))


# -- EthoVision workbooks -----------------------------------------------------------------------------------

HEADER_LINES = 38


def track_sheet(book: openpyxl.Workbook, name: str, samples: list[tuple[object, object, object]]) -> None:
    """A Track sheet in EthoVision's layout: 38 header rows (names on row 37, units on 38), then samples."""
    sheet = book.create_sheet(name)
    sheet.append(["Number of header lines:", str(HEADER_LINES)])
    meta = [("Experiment", "LDB 2025"), ("Trial name", "Trial     1"), ("Arena name", name.split("-")[1])]
    meta += [("Subject name", "Subject 1"), ("Trial duration", "+ 00:00:59.366"), ("Missed samples", "0,1 %")]
    meta += [("mouse ID", "test1")]
    for key, value in meta:
        sheet.append([key, value])
    while sheet.max_row < HEADER_LINES - 3:
        sheet.append(["Interpolated samples", "0"])
    sheet.append([])
    sheet.append(
        ["Trial time", "Recording time", "X center", "Y center", "Area", "In zone(light / Center-point)"]
    )
    sheet.append(["s", "s", "cm", "cm", "cm²", ""])
    for t, x, y in samples:
        sheet.append([t, t, x, y, "-" if x == "-" else 3.5, 1])


def no_samples_sheet(book: openpyxl.Workbook, name: str) -> None:
    track_sheet(book, name, [])
    book[name].append(["No samples logged for this track!"])


ARENA_1 = [(0, "-", "-"), (0.0333, 10.5, 20.25), (0.0667, 11, 21), (0.1, "-", "-"), (0.1333, "12.5", 22)]
ARENA_2 = [(0, 30.0, 40.0), (0.0333, 31.0, 41.0), (0.0667, None, None)]


def workbook(path: Path, sheets: list[tuple[str, list | None]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, samples in sheets:
        if samples is None:
            no_samples_sheet(book, name)
        elif name.startswith("Trial Control"):
            book.create_sheet(name).append(["Number of header lines:", "3"])
        else:
            track_sheet(book, name, samples)
    book.save(path)
    return path


def as_samples(samples: list) -> list[tuple[float, float, float]]:
    number = lambda v: NAN if v in ("-", None) else float(v)  # noqa: E731
    return [(float(t), number(x), number(y)) for t, x, y in samples]


def test_ethovision_workbook_several_tracks(tmp_path: Path) -> None:
    sheets = [("Track-Arena 1-Subject 1", ARENA_1), ("Track-Arena 2-Subject 1", ARENA_2)]
    sheets += [("Track-Arena 3-Subject 1", None), ("Trial Control-Arena 1", [])]
    path = workbook(tmp_path / "Raw data-LD-Trial     1.xlsx", sheets)
    with pytest.warns(UserWarning, match=r"sheet 'Track-Arena 3-Subject 1'.*No samples logged"):
        table = read_ethovision(path)
    stem = "Raw data-LD-Trial     1"
    animals = [f"{stem}:Track-Arena 1-Subject 1"] * 5 + [f"{stem}:Track-Arena 2-Subject 1"] * 3
    assert list(table.data["animal"]) == animals
    check_samples(table.data, as_samples(ARENA_1 + ARENA_2))
    assert table.space_unit == "cm"
    assert table.format == "ethovision"


def test_ethovision_workbook_one_track_and_sheet_argument(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "one.xlsx", [("Track-Arena 1-Subject 1", ARENA_1), ("Trial Control-Arena 1", [])]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = read_ethovision(path)
    assert (table.data["animal"] == "one").all()
    check_samples(table.data, as_samples(ARENA_1))
    path = workbook(
        tmp_path / "two.xlsx", [("Track-Arena 1-Subject 1", ARENA_1), ("Track-Arena 2-Subject 1", ARENA_2)]
    )
    for sheet in ("Track-Arena 2-Subject 1", 1):
        table = read_ethovision(path, sheet=sheet)
        assert (table.data["animal"] == "two:Track-Arena 2-Subject 1").all()
        check_samples(table.data, as_samples(ARENA_2))


def test_ethovision_workbook_errors_name_the_sheet_row(tmp_path: Path) -> None:
    bad = [*ARENA_1[:3], ("0:00:00.1", 1, 2)]
    path = workbook(tmp_path / "bad.xlsx", [("Track-Arena 1-Subject 1", bad)])
    error = error_for(read_ethovision, path)
    assert error.row == HEADER_LINES + 4 and error.column == "Trial time"
    assert "sheet 'Track-Arena 1-Subject 1': expected a time in seconds" in error.reason
    bad = [*ARENA_1[:2], (0.0667, "left", 2)]
    path = workbook(tmp_path / "badx.xlsx", [("Track-Arena 1-Subject 1", bad)])
    error = error_for(read_ethovision, path)
    assert (error.row, error.column) == (HEADER_LINES + 3, "X center")


def test_ethovision_workbook_all_tracks_empty(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "empty.xlsx", [("Track-Arena 1-Subject 1", None), ("Track-Arena 2-Subject 1", None)]
    )
    with pytest.warns(UserWarning, match="No samples logged") as caught:
        error = error_for(read_ethovision, path)
    # count only ours: a warning from elsewhere (e.g. a file collected during the call) may be recorded too
    assert len([w for w in caught if "No samples logged" in str(w.message)]) == 2
    assert "no track in this workbook has samples" in error.reason
    with pytest.raises(AssayInputError, match="logged no samples"):
        read_ethovision(path, sheet="Track-Arena 2-Subject 1")


def test_ethovision_workbook_bad_sheet_and_header(tmp_path: Path) -> None:
    path = workbook(tmp_path / "wb.xlsx", [("Track-Arena 1-Subject 1", ARENA_1)])
    assert "no sheet named 'Track-9'" in str(error_for(read_ethovision, path, sheet="Track-9"))
    assert "no sheet number 4" in str(error_for(read_ethovision, path, sheet=4))
    book = openpyxl.Workbook()
    book.active.append(["Trial time", "X center"])
    book.save(tmp_path / "plain.xlsx")
    assert "not an EthoVision raw-data export" in str(error_for(read_ethovision, tmp_path / "plain.xlsx"))


def test_ethovision_workbook_empty_track(tmp_path: Path) -> None:
    path = workbook(tmp_path / "nodata.xlsx", [("Track-Arena 1-Subject 1", [])])
    assert "no samples below the 38 header lines" in str(error_for(read_ethovision, path))


def test_ethovision_files(tmp_path: Path) -> None:
    assert "file not found" in str(error_for(read_ethovision, tmp_path / "absent.txt"))
    (tmp_path / "export.xls").write_bytes(b"\xd0\xcf")
    assert "unknown file type '.xls'" in str(error_for(read_ethovision, tmp_path / "export.xls"))
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    assert "cannot read it as an Excel .xlsx workbook" in str(
        error_for(read_ethovision, tmp_path / "broken.xlsx")
    )


# -- ANY-maze -----------------------------------------------------------------------------------------------


def anymaze_lines() -> list[str]:
    return ANYMAZE.read_text().splitlines()


def test_anymaze_test_data() -> None:
    table = read_anymaze(ANYMAZE)
    assert table.format == "anymaze"
    assert table.space_unit is None
    assert (table.data["animal"] == "anymaze_test").all()
    check_samples(table.data, ANYMAZE_SAMPLES)


def test_anymaze_seconds_center_spelling_and_semicolons(tmp_path: Path) -> None:
    lines = anymaze_lines()
    lines[0] = lines[0].replace("Centre position", "Center position")
    seconds = [f"{t:.3f}" for t, _, _ in ANYMAZE_SAMPLES]
    lines[1:] = [";".join([s, *line.split(",")[1:]]) for s, line in zip(seconds, lines[1:], strict=True)]
    lines[0] = lines[0].replace(",", ";")
    check_samples(read_anymaze(write(tmp_path / "seconds.csv", lines)).data, ANYMAZE_SAMPLES)


def test_anymaze_bad_time_names_the_line(tmp_path: Path) -> None:
    lines = anymaze_lines()
    lines[5] = "0:00:5x.900" + lines[5][len("0:00:59.900") :]
    error = error_for(read_anymaze, write(tmp_path / "t.csv", lines))
    assert (error.row, error.column) == (6, "Time")
    assert "expected a time as h:mm:ss.mmm or seconds, found '0:00:5x.900'" in error.reason
    lines = anymaze_lines()
    lines[2] = lines[2][len("0:00:00.560") :]  # an empty time
    assert error_for(read_anymaze, write(tmp_path / "e.csv", lines)).row == 3


def test_anymaze_bad_position(tmp_path: Path) -> None:
    lines = anymaze_lines()
    lines[3] = lines[3].replace(",97,", ",ninety,")
    error = error_for(read_anymaze, write(tmp_path / "p.csv", lines))
    assert (error.row, error.column) == (4, "Centre position X")


def test_anymaze_missing_column_and_empty(tmp_path: Path) -> None:
    lines = anymaze_lines()
    lines[0] = lines[0].replace("Centre position Y", "Centre pos Y")
    error = error_for(read_anymaze, write(tmp_path / "noy.csv", lines))
    assert error.row == 1 and "no centre Y position column" in error.reason
    error = error_for(read_anymaze, write(tmp_path / "header.csv", anymaze_lines()[:1]))
    assert "no data rows" in error.reason
    (tmp_path / "void.csv").write_text("")
    assert "no time column" in str(error_for(read_anymaze, tmp_path / "void.csv"))


# -- detect_vendor ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "vendor"),
    [
        ([["scorer", "DLC_resnet50"], ["bodyparts", "nose"], ["coords", "x"]], "dlc"),
        ([["\ufeffscorer", "DLC"], ["individuals", "m1"]], "dlc"),
        ([["Number of header lines:", "38"], ["Experiment", "EPM"]], "ethovision"),
        ([['"Number of header lines:"', '"33"']], "ethovision"),
        ([["Time", "Centre position X", "Centre position Y"], ["0:00:00.000", "", ""]], "anymaze"),
        ([["Time", "center position x", "center position y"]], "anymaze"),
        ([["animal", "time_s", "x", "y"], ["m1", "0", "1", "2"]], None),
        ([], None),
        ([[]], None),
    ],
)
def test_detect_vendor(rows: list[list[str]], vendor: str | None) -> None:
    assert detect_vendor(rows) == vendor


def test_detect_vendor_on_the_fixtures() -> None:
    import csv

    for path, delimiter, encoding, vendor in [
        (ETHO_2014, ";", "cp1252", "ethovision"),
        (ETHO_UNICODE, "\t", "utf-16", "ethovision"),
        (ANYMAZE, ",", "utf-8", "anymaze"),
        (DATA / "dlc_single.csv", ",", "utf-8", "dlc"),
        (DATA / "dlc_multi.csv", ",", "utf-8", "dlc"),
    ]:
        with path.open(encoding=encoding, newline="") as handle:
            rows = [
                [c.strip() for c in row]
                for _, row in zip(range(5), csv.reader(handle, delimiter=delimiter), strict=False)
            ]
        assert detect_vendor(rows) == vendor, path
