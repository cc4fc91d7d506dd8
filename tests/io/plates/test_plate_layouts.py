"""Plate layouts (wellmap TOML and long tables), joining them to grids, and each mismatch's message."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from plate_files import (
    COMPOUNDS,
    CONC_NM,
    competition_plate,
    competition_toml,
    grid_block,
    header,
    well,
    write_lines,
)

from assaykit.errors import AssayInputError
from assaykit.io.counts import read_counts
from assaykit.io.plates import parse_well_patterns, read_layout, read_plate_counts, read_plate_saturation


def _grids(tmp_path: Path, plates: dict[str, dict], name: str = "counter.csv") -> Path:
    lines: list[str] = []
    for plate, counts in plates.items():
        lines += grid_block(counts, label="CPM", header=header(plate)) + [""]
    return write_lines(tmp_path / name, lines)


def _csv_layout(tmp_path: Path, plates: tuple[str, ...] | None = None, extra: list[str] = ()) -> Path:
    lines = ["plate,well,compound,conc_uM,role" if plates else "well,compound,conc_uM,role"]
    for plate in plates or (None,):
        for r in range(4):
            for c in range(12):
                cells = (
                    [well(r, c), COMPOUNDS[r], str(CONC_NM[c] / 1000), ""]
                    if c < 10
                    else [well(r, c), "", "", "total" if r < 2 else "nsb"]
                )
                lines.append(",".join(([plate] if plate else []) + cells))
    return write_lines(tmp_path / "layout.csv", [*lines, *extra])


def _read(*args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = read_plate_counts(*args, **kwargs)
    return frame, [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


def test_a_csv_layout_per_plate_equals_the_toml_layout(tmp_path: Path) -> None:
    grids = _grids(tmp_path, {"1": competition_plate(1), "2": competition_plate(2)})
    from_csv, csv_warnings = _read([grids], _csv_layout(tmp_path, ("P1", "plate 2")))
    from_toml, toml_warnings = _read([grids], competition_toml(tmp_path / "map.toml"))
    assert csv_warnings == toml_warnings == []
    for column in ("compound", "role", "plate", "well"):
        assert from_csv[column].astype(str).tolist() == from_toml[column].astype(str).tolist()
    for column in ("conc_M", "signal", "source_row"):
        assert from_csv[column].tolist() == pytest.approx(from_toml[column].tolist(), nan_ok=True)


def test_wellmap_sections_row_col_block_well_and_plate(tmp_path: Path) -> None:
    counts = competition_plate(4)
    grids = _grids(tmp_path, {"1": counts, "2": counts})
    layout = tmp_path / "map.toml"
    cols = "\n".join(f"{c + 1}.conc_nM = {v}" for c, v in enumerate(CONC_NM))
    layout.write_text(
        f'[col]\n{cols}\n[block.10x4.A1]\ncompound = "diazepam"\n[block.2x2.A11]\nrole = "total"\n'
        f'[block.2x2.C11]\nrole = "nsb"\n[well.A01]\nrole = "empty"\n'
        f'[plate.1]\nreplicate = "a"\n[plate.2]\nreplicate = "b"\n'
        '[plate.2.well.B05]\ncompound = "zolpidem"\n',
        encoding="utf-8",
    )
    frame, found = _read([grids], layout)
    assert any(
        "wells the layout marks empty have counts (ignored): plate 1: A01 (1 well); plate 2: A01" in w
        for w in found
    )
    assert set(frame["replicate"].astype(str)) == {"a", "b"}
    b05 = frame[frame["well"] == "B05"].set_index("plate")["compound"].astype(str)
    assert b05.to_dict() == {"1": "diazepam", "2": "zolpidem"}
    assert (frame["role"] == "total").sum() == 8 and "A01" not in set(frame["well"].astype(str))


def test_mismatches_warn_with_plates_and_wells(tmp_path: Path) -> None:
    counts = competition_plate(1)
    counts[(6, 0)] = 31.0  # a count in a well the layout does not have
    del counts[(0, 3)]  # a layout well without a count
    grids = _grids(tmp_path, {"1": counts})
    frame, found = _read([grids], competition_toml(tmp_path / "map.toml"))
    assert len(found) == 2
    assert found[0].endswith(
        f"wells with a count but not in the layout {tmp_path / 'map.toml'} (ignored): plate 1: G01 (1 well)"
    )
    assert found[1].endswith("(dropped): plate 1: A04 (1 well)")
    assert len(frame) == 47


def test_plates_matched_by_id_and_the_unmatched_ones_warned_about(tmp_path: Path) -> None:
    grids = _grids(tmp_path, {"1": competition_plate(1), "3": competition_plate(3)})
    frame, found = _read([grids], _csv_layout(tmp_path, ("01", "2")))
    assert set(frame["plate"].astype(str)) == {"1"}
    assert any("layout plates without a plate grid (ignored): 2" in w for w in found)
    assert any("plate grids without a plate in" in w and "plates 3" in w for w in found)
    with pytest.raises(
        AssayInputError, match=r"no plate of the layout \(5\) is a plate of the counts \(1, 3\)"
    ):
        read_plate_counts([grids], _csv_layout(tmp_path, ("5",)))


def test_plates_are_numbered_in_order_across_files(tmp_path: Path) -> None:
    lines = grid_block(competition_plate(1), label="CPM")
    first = write_lines(tmp_path / "a.csv", lines)
    second = write_lines(tmp_path / "b.csv", grid_block(competition_plate(2), label="CPM"))
    frame, found = _read([first, second], competition_toml(tmp_path / "map.toml"))
    assert found == [] and frame["plate"].astype(str).unique().tolist() == ["1", "2"]
    assert frame.attrs["source"] == f"{first}, {second}"


def test_two_grids_claiming_one_plate_is_an_error(tmp_path: Path) -> None:
    grids = _grids(tmp_path, {"1": competition_plate(1), "01": competition_plate(2)})
    with pytest.raises(AssayInputError, match=r"plate 01, row \d+: two plate grids claim plate 01"):
        read_plate_counts([grids], competition_toml(tmp_path / "map.toml"))


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            ["1,A01,zolpidem,10,"],
            "plate 1, well A01: the layout gives this well two compounds, 'diazepam' and "
            "'zolpidem' (rows 2 and 50); keep one",
        ),
        (["1,A01,diazepam,10,"], "plate 1, well A01: the well is in the layout twice (rows 2 and 50)"),
        (["1,Q13,diazepam,10,"], "row 50, column 'well': 'Q13' is not a well; expected a row letter A-P"),
        (["1,A25,diazepam,10,"], "'A25' is not a well"),
    ],
)
def test_csv_layout_errors_name_the_plate_and_well(tmp_path: Path, extra: list[str], expected: str) -> None:
    with pytest.raises(AssayInputError) as info:
        read_layout(_csv_layout(tmp_path, ("1",), extra))
    assert expected in str(info.value) and "\n" not in str(info.value)


def test_a_layout_well_off_a_96_well_plate_is_an_error(tmp_path: Path) -> None:
    grids = _grids(tmp_path, {"1": competition_plate(1)})
    layout = _csv_layout(tmp_path, None, ["M01,diazepam,1,"])
    with pytest.raises(
        AssayInputError, match=r"plate 1, well M01, row 50: well M01 is not on plate 1, a 96-well"
    ):
        read_plate_counts([grids], layout)


def test_wellmap_errors_are_one_line_naming_the_layout(tmp_path: Path) -> None:
    layout = tmp_path / "broken.toml"
    layout.write_text("[row\nA.compound = 'x'\n", encoding="utf-8")
    with pytest.raises(AssayInputError, match=r"broken.toml: cannot read the plate layout \(wellmap\): "):
        read_layout(layout)


def test_problems_the_long_reader_finds_name_the_layout_plate_and_well(tmp_path: Path) -> None:
    grids = _grids(tmp_path, {"1": competition_plate(1)})
    layout = _csv_layout(tmp_path, ("1",))
    text = layout.read_text().replace("C03,zolpidem,1.0,", "C03,zolpidem,abc,")
    layout.write_text(text)
    with pytest.raises(AssayInputError) as info:
        read_plate_counts([grids], layout)
    assert str(info.value).startswith(
        f"{layout}, plate 1, well C03, row 28, column 'conc_uM': 'abc' is not a number; expected a "
        "concentration"
    )
    toml = competition_toml(tmp_path / "map.toml")
    toml.write_text(toml.read_text().replace("3.conc_nM = 1000", "3.conc_nM = 0"))
    with pytest.raises(
        AssayInputError,
        match=r"map.toml, plate 1, well A03, column 'conc_nM': 0 is not a valid .*"
        r"\(3 more problems, in wells plate 1: B03, C03, D03\)",
    ):
        read_plate_counts([grids], toml)


def test_excluded_wells_take_no_part_and_are_noted(tmp_path: Path) -> None:
    grids = _grids(tmp_path, {"1": competition_plate(1), "2": competition_plate(2)})
    frame, found = _read([grids], competition_toml(tmp_path / "map.toml"), exclude_wells=["*01, *12", "B10"])
    assert found == []
    wells = set(frame["well"].astype(str))
    assert not wells & {"A01", "D01", "A12", "B10"} and len(frame) == 2 * (48 - 4 - 4 - 1)
    assert frame.attrs["notes"] == [
        f"plate {p}: excluded A01, A12, B01, B10, B12, C01, C12, D01, D12 (9 wells) by the well patterns "
        "*01, *12, B10"
        for p in "12"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A*,H*,*01,*12", ("A*", "H*", "*01", "*12")),
        ("c7; C07 p24", ("C07", "P24")),
        ("a1:b3", ("A01:B03",)),
        ("", ()),
    ],
)
def test_well_patterns(text: str, expected: tuple[str, ...]) -> None:
    assert parse_well_patterns(text) == expected


@pytest.mark.parametrize("bad", ["Z*", "*25", "A1-", "A1:Q2", "*0"])
def test_bad_well_patterns_are_one_line_errors(bad: str) -> None:
    with pytest.raises(
        AssayInputError, match=re.escape(f"bad well pattern '{bad}'; expected a row and * (A*)")
    ):
        parse_well_patterns(f"A*,{bad}")


def test_long_counts_files_keep_a_well_column_only_when_they_have_one(tmp_path: Path) -> None:
    plain = write_lines(
        tmp_path / "plain.csv", ["compound,conc_nM,cpm", "TOTAL,,3000", "NSB,,200", "x,10000,900"]
    )
    assert "well" not in read_counts(plain).columns
    welled = write_lines(
        tmp_path / "w.csv", ["compound,conc_nM,cpm,Well", "TOTAL,,3000,A1", "NSB,,200,B1", "x,10000,900,C1"]
    )
    assert read_counts(welled)["well"].astype(str).tolist() == ["A1", "B1", "C1"]


def test_the_long_readers_warnings_name_wells_and_point_at_the_caller(tmp_path: Path) -> None:
    grids = _grids(tmp_path, {"1": competition_plate(1)})
    toml = competition_toml(tmp_path / "map.toml")
    toml.write_text(toml.read_text().replace("1.conc_nM = 10000", "1.conc_nM = 1e9"))
    with pytest.warns(
        UserWarning, match=r"outside the plausible .* wells plate 1: A01, B01, C01, D01\)"
    ) as got:
        read_plate_counts([grids], toml)
    assert [Path(w.filename).name for w in got] == [Path(__file__).name]


def test_saturation_plates_without_a_dataset_field_are_a_data_set_each(tmp_path: Path) -> None:
    counts = {(r, c): float(1000 + 10 * c + r) for r in range(2) for c in range(12)}
    grids = _grids(tmp_path, {"1": counts, "2": counts})
    layout = write_lines(
        tmp_path / "sat.csv",
        ["well,role,conc_nM"]
        + [f"{well(r, c)},{'total' if r == 0 else 'nsb'},{c + 1}" for r in range(2) for c in range(12)],
    )
    frame = read_plate_saturation([grids], layout)
    assert frame["dataset"].unique().tolist() == ["1", "2"]
    assert frame["kind"].unique().tolist() == ["total", "nsb"] and frame.attrs["signal_unit"] == "cpm"
    assert frame["well"].tolist()[:2] == ["A01", "A02"] and frame["source_row"].tolist()[:2] == [7, 7]
