"""Prism .pzfx data tables: write and read back, hand-made files in Prism's layout, and bad input."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.io.prism import (
    ColumnTable,
    XYTable,
    YDataset,
    read_pzfx,
    read_pzfx_counts,
    read_pzfx_saturation,
    write_pzfx,
)

DATA = Path(__file__).parents[2] / "data" / "prism"


def _table() -> XYTable:
    rng = np.random.default_rng(3)
    values = rng.uniform(100, 5000, size=(5, 3))
    values[1, 2] = np.nan  # an empty cell
    x = np.array([-10.0, -9.5, -9.0 + 1e-13, np.nan, 1 / 3])
    return XYTable(
        "Plate 1 <A&B>",
        "log[competitor], M",
        x,
        "cpm",
        (YDataset("diazepam", values), YDataset("TOTAL", rng.uniform(size=(5, 3)) * 1e-300)),
        row_titles=("a", "", "c", "TOTAL", "é"),
    )


def test_write_then_read_gives_the_same_tables(tmp_path: Path) -> None:
    table = _table()
    frame = pd.DataFrame(
        {"compound": ["a", "b"], "plate": ["1", "2"], "ki_nM": [1.5, np.nan], "ok": [True, False]}
    )
    path = tmp_path / "out.pzfx"
    write_pzfx(path, [table], {"results": frame})
    back, results = read_pzfx(path)
    assert isinstance(back, XYTable) and isinstance(results, ColumnTable)
    assert (back.title, back.x_title, back.y_title, back.row_titles) == (
        table.title,
        table.x_title,
        table.y_title,
        table.row_titles,
    )
    np.testing.assert_array_equal(back.x, table.x)  # NaN where NaN, every float bit for bit
    assert [d.title for d in back.datasets] == ["diazepam", "TOTAL"]
    for got, sent in zip(back.datasets, table.datasets, strict=True):
        np.testing.assert_array_equal(got.values, sent.values)
        assert got.excluded is None
    assert results.title == "results" and results.row_titles == ("a, 1", "b, 2")
    assert [d.title for d in results.datasets] == ["ki_nM", "ok"]
    np.testing.assert_array_equal(results.datasets[0].values[:, 0], [1.5, np.nan])
    np.testing.assert_array_equal(results.datasets[1].values[:, 0], [1.0, 0.0])


def test_written_file_has_prism_structure(tmp_path: Path) -> None:
    path = tmp_path / "out.pzfx"
    table = _table()
    short = XYTable(
        "p2", "[x], nM", [1.0, 2.0], "", (YDataset("a", [[1.0], [2.0]]), YDataset("b", [[1, 2], [3, 4]]))
    )
    write_pzfx(path, [table, short])
    assert path.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.parse(path).getroot()
    assert root.tag == "GraphPadPrismFile" and root.get("PrismXMLVersion") == "5.00"
    assert [c.tag for c in root][:4] == ["Created", "InfoSequence", "Info", "TableSequence"]
    refs = [r.get("ID") for r in root.find("TableSequence")]
    tables = root.findall("Table")
    assert refs == [t.get("ID") for t in tables] == ["Table0", "Table1"]
    for element in tables:
        assert element.get("TableType") == "XY" and element.get("YFormat") == "replicates"
        replicates = int(element.get("Replicates"))
        rows = len(element.find("XColumn/Subcolumn"))
        for column in element.findall("YColumn"):  # every data set with the table's subcolumns and rows
            assert int(column.get("Subcolumns")) == len(column.findall("Subcolumn")) == replicates
            assert {len(s) for s in column.findall("Subcolumn")} == {rows}
    # the short data set "a" is padded with an empty subcolumn, read back as NaN
    a = read_pzfx(path)[1].datasets[0]
    assert a.values.shape == (2, 2) and np.isnan(a.values[:, 1]).all()


def test_excluded_cells_are_written_and_read(tmp_path: Path) -> None:
    values = np.array([[1.0, 2.0], [3.0, 4.0]])
    excluded = np.array([[False, True], [False, False]])
    path = tmp_path / "x.pzfx"
    write_pzfx(path, [XYTable("t", "[x], nM", [1, 2], "cpm", (YDataset("a", values, excluded),))])
    cell = ET.parse(path).getroot().findall("Table/YColumn/Subcolumn")[1][0]
    assert cell.get("Excluded") == "1" and float(cell.text) == 2.0
    back = read_pzfx(path)[0].datasets[0]
    np.testing.assert_array_equal(back.excluded, excluded)
    assert np.isnan(back.values[0, 1]) and back.values[1, 1] == 4.0


def test_hand_made_prism_file_reads_as_typed() -> None:
    xy, protein = read_pzfx(DATA / "competition_prism8.pzfx")
    assert xy.title == "Plate A (cpm)" and xy.x_title == "log[Inhibitor], M"
    np.testing.assert_array_equal(xy.x, [-9.0, -8.0, -7.0, np.nan])
    assert [d.title for d in xy.datasets] == ["Total binding", "NSB", "diazepam"]
    assert xy.row_titles == ("", "", "", "controls")
    np.testing.assert_array_equal(xy.datasets[0].values[3], [3012.0, 2988.0])
    diazepam = xy.datasets[2]
    np.testing.assert_array_equal(
        diazepam.values, [[2801, 2755], [np.nan, 1530], [412, np.nan], [np.nan, np.nan]]
    )
    assert diazepam.excluded is not None and np.argwhere(diazepam.excluded).tolist() == [[1, 0]]
    assert isinstance(protein, ColumnTable) and protein.row_titles == ("prep 1",)
    assert protein.datasets[0].title == "mg/mL" and protein.datasets[0].values[0, 0] == 1.25


def test_hand_made_prism_file_reads_as_counts() -> None:
    with pytest.warns(UserWarning, match="left out 1 value that Prism marks excluded"):
        counts = read_pzfx_counts(DATA / "competition_prism8.pzfx")
    assert counts.attrs["layout"] == "prism" and counts.attrs["signal_unit"] == "cpm"
    got = counts.astype({c: str for c in ("compound", "role", "plate", "replicate")})
    rows = list(
        got[["compound", "role", "plate", "replicate", "signal", "source_row"]].itertuples(index=False)
    )
    assert sorted(map(tuple, rows)) == sorted(
        [
            ("Total binding", "total", "Plate A (cpm)", "1", 3012.0, 4),
            ("Total binding", "total", "Plate A (cpm)", "2", 2988.0, 4),
            ("NSB", "nsb", "Plate A (cpm)", "1", 205.0, 4),
            ("NSB", "nsb", "Plate A (cpm)", "2", 215.0, 4),
            ("diazepam", "competitor", "Plate A (cpm)", "1", 2801.0, 1),
            ("diazepam", "competitor", "Plate A (cpm)", "2", 2755.0, 1),
            ("diazepam", "competitor", "Plate A (cpm)", "2", 1530.0, 2),
            ("diazepam", "competitor", "Plate A (cpm)", "1", 412.0, 3),
        ]
    )
    competitor = got[got["role"] == "competitor"].sort_values("signal")
    np.testing.assert_allclose(competitor["conc_M"], [1e-7, 1e-8, 1e-9, 1e-9], rtol=1e-12)
    assert competitor["log_conc_M"].tolist() == [-7.0, -8.0, -9.0, -9.0]


def test_decimal_comma_huge_table_reads_as_saturation() -> None:
    sat = read_pzfx_saturation(DATA / "saturation_comma.pzfx")
    assert set(sat["dataset"]) == {"FNZ cortex"} and sat.attrs["signal_unit"] == "counts"
    total = sat[sat["kind"] == "total"].sort_values(["conc_nM", "replicate"])
    assert total["conc_nM"].tolist() == [0.25, 0.25, 1.5, 1.5, 6.0, 6.0]
    assert total["signal"].tolist() == [1200.5, 1180.0, 4100.0, 3990.5, 7050.0, 7120.0]
    nsb = sat[sat["kind"] == "nsb"].sort_values(["conc_nM", "replicate"])
    assert nsb["signal"].tolist() == [40.0, 44.0, 230.0, 241.0, 905.0, 890.0]


def test_values_agree_with_an_independent_elementtree_read() -> None:
    """Every number cell of the hand-made file, read by plain ElementTree here, equals read_pzfx's value."""
    root = ET.parse(DATA / "competition_prism8.pzfx").getroot()
    (xy, _) = read_pzfx(DATA / "competition_prism8.pzfx")
    for k, column in enumerate(root.find("Table").findall("YColumn")):
        for j, subcolumn in enumerate(column.findall("Subcolumn")):
            for i, d in enumerate(subcolumn.findall("d")):
                want = math.nan if not d.text or d.get("Excluded") else float(d.text)
                got = xy.datasets[k].values[i, j]
                assert (math.isnan(want) and math.isnan(got)) or want == got


def _xy_file(
    path: Path, x_title: str = "log[competitor], M", cell: str = "100", title: str = "diazepam"
) -> Path:
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><GraphPadPrismFile PrismXMLVersion="5.00">'
        '<TableSequence><Ref ID="Table0" Selected="1"/></TableSequence>'
        '<Table ID="Table0" XFormat="numbers" YFormat="replicates" Replicates="1" TableType="XY">'
        f"<Title>P1</Title><XColumn><Title>{x_title}</Title><Subcolumn><d>-9</d><d>-8</d></Subcolumn></XColumn>"
        f"<YColumn><Title>{title}</Title><Subcolumn><d>200</d><d>{cell}</d></Subcolumn></YColumn>"
        "</Table>"
        '<Table ID="Table1" XFormat="none" TableType="OneWay"><Title>Notes</Title>'
        "<YColumn><Title>a</Title><Subcolumn><d>1</d></Subcolumn></YColumn></Table>"
        "</GraphPadPrismFile>",
        encoding="utf-8",
    )
    return path


def _one_line(exc: pytest.ExceptionInfo[AssayInputError], path: Path) -> str:
    message = str(exc.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"compound,conc_nM,cpm\n", "not well-formed XML"),
        (b"<html><body/></html>", "root element is <html>"),
        (b"PK\x03\x04zipzip", "zip file"),
    ],
)
def test_not_a_prism_file(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "x.pzfx"
    path.write_bytes(content)
    with pytest.raises(AssayInputError, match=expected) as exc:
        read_pzfx_counts(path)
    _one_line(exc, path)


def test_no_xy_table_lists_the_tables(tmp_path: Path) -> None:
    path = tmp_path / "x.pzfx"
    write_pzfx(path, [], {"results": pd.DataFrame({"a": [1.0]})})
    with pytest.raises(AssayInputError, match=r"no XY table .*'results' \(column\)") as exc:
        read_pzfx_counts(path)
    _one_line(exc, path)


def test_x_title_without_unit(tmp_path: Path) -> None:
    path = _xy_file(tmp_path / "x.pzfx", x_title="log[diazepam]")
    with pytest.raises(
        AssayInputError, match=r"table 'P1': the X column title 'log\[diazepam\]' names no"
    ) as exc:
        read_pzfx_counts(path)
    _one_line(exc, path)


def test_non_numeric_cell_names_table_data_set_and_row(tmp_path: Path) -> None:
    path = _xy_file(tmp_path / "x.pzfx", cell="12O0")
    with pytest.raises(AssayInputError) as exc:
        read_pzfx_counts(path)
    assert _one_line(exc, path) == (
        f"{path}, table 'P1', data set 'diazepam', row 2, replicate 1: '12O0' is not a number"
    )


def test_a_check_of_the_counts_reader_names_the_cell(tmp_path: Path) -> None:
    path = _xy_file(tmp_path / "x.pzfx", cell="-5")
    with pytest.raises(AssayInputError) as exc:
        read_pzfx_counts(path)
    message = _one_line(exc, path)
    assert message.startswith(f"{path}, table 'P1', data set 'diazepam', row 2, replicate 1: ")
    assert "negative" in message and "row 3" not in message  # the tube's number is not shown as a row


def test_sheet_that_does_not_exist_lists_the_tables(tmp_path: Path) -> None:
    path = _xy_file(tmp_path / "x.pzfx")
    with pytest.raises(
        AssayInputError, match=r"no table titled 'P9'; the tables are 'P1' \(XY\), 'Notes' \(column\)"
    ):
        read_pzfx_counts(path, sheet="P9")
    with pytest.raises(AssayInputError, match="no table 5; the tables are"):
        read_pzfx_counts(path, sheet=5)
    with pytest.raises(AssayInputError, match="table 'Notes' is a column table, not an XY table"):
        read_pzfx_counts(path, sheet="notes")
    assert set(read_pzfx_counts(path, sheet=0)["plate"].astype(str)) == {"P1"}


def test_compound_value_without_x(tmp_path: Path) -> None:
    path = tmp_path / "x.pzfx"
    table = XYTable("P1", "[c], nM", [1.0, np.nan], "cpm", (YDataset("drug", [[5.0], [6.0]]),))
    write_pzfx(path, [table])
    with pytest.raises(
        AssayInputError, match=r"table 'P1', data set 'drug', row 2, replicate 1: a value of a compound"
    ):
        read_pzfx_counts(path)


@pytest.mark.parametrize(
    ("title", "unit", "log"),
    [
        ("log[competitor], M", "M", True),
        ("Log [Ro 15-1788] (nM)", "nM", True),
        ("[3H]flunitrazepam, nM", "nM", False),
        ("Concentration (µM)", "uM", False),
        ("conc, μM", "uM", False),
        ("DMCM, pmol/L", "pM", False),
        ("[MK-801] mM", "mM", False),
    ],
)
def test_x_title_units(title: str, unit: str, log: bool) -> None:
    from assaykit.io.prism.xtitle import x_unit

    assert x_unit(title) == (unit, log)


@pytest.mark.parametrize("title", ["log[DMCM]", "Concentration", "X Title", "[a], nM and uM"])
def test_x_titles_without_one_unit(title: str) -> None:
    from assaykit.io.prism.xtitle import x_unit

    assert x_unit(title) is None


def test_log_x_in_nanomolar_is_converted(tmp_path: Path) -> None:
    path = tmp_path / "x.pzfx"
    datasets = (YDataset("drug", [[2000.0], [900.0]]), YDataset("TOTAL", [[3000.0], [np.nan]]))
    write_pzfx(path, [XYTable("P1", "log[drug], nM", [0.0, 1.0], "cpm", datasets)])
    counts = read_pzfx_counts(path)
    drug = counts[counts["compound"] == "drug"]
    np.testing.assert_allclose(drug["log_conc_M"], [-9.0, -8.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(drug["conc_M"], [1e-9, 1e-8], rtol=1e-12)
