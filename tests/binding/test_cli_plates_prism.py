"""``assaykit binding`` and ``saturation`` on plate grids with a layout, and on Prism files, end to end.

The example plates are checked against the generator's own tubes written as a long table by pandas here
(not by assaykit): the same wells read as grids + plate map must give the same results, number for number.
"""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.binding.competition import analyze_competition
from assaykit.cli import main
from assaykit.io.counts import read_counts
from assaykit.io.plates import read_plate_counts
from assaykit.io.prism import read_pzfx

ROOT = Path(__file__).resolve().parents[2]
PLATES = ROOT / "examples" / "binding" / "plates"
GRIDS, TOML, TABLE = PLATES / "counts.csv", PLATES / "layout.toml", PLATES / "layout.csv"
BINDING = ("--kd", "1.5", "--radioligand", "1")


def run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def generator() -> dict:
    return runpy.run_path(str(PLATES / "make_plates.py"))


def test_the_example_files_are_the_generator_output(generator: dict) -> None:
    tubes = generator["simulate"]()
    assert GRIDS.read_text() == generator["counter_export"](tubes)
    assert TOML.read_text() == generator["wellmap_toml"]()
    table = pd.read_csv(TABLE)
    assert table[["plate", "well", "compound"]].equals(
        generator["plate_map"]()[["plate", "well", "compound"]]
    )


def long_table(tubes: pd.DataFrame, path: Path) -> Path:
    """The generator's wells as assaykit's long table, one row per tube, written by pandas."""
    tubes[["plate", "compound", "conc_nM", "cpm"]].to_csv(path, index=False)
    return path


@pytest.mark.parametrize("layout", [TOML, TABLE], ids=["wellmap", "table"])
def test_grids_and_layout_give_the_long_tables_results(generator: dict, layout: Path, tmp_path: Path) -> None:
    options = {"kd_nM": 1.5, "radioligand_nM": 1.0}
    from_grids = analyze_competition(read_plate_counts([GRIDS], layout), **options)
    from_long = analyze_competition(
        read_counts(long_table(generator["simulate"](), tmp_path / "l.csv")), **options
    )
    a, b = from_grids.results, from_long.results
    assert list(a["compound"]) == list(b["compound"]) and len(a) == 4
    numbers = [c for c in a.columns if a[c].dtype.kind == "f"]
    assert len(numbers) > 10
    pd.testing.assert_frame_equal(a[numbers], b[numbers], check_exact=True)
    pd.testing.assert_frame_equal(from_grids.plates, from_long.plates, check_exact=True)
    assert (a["flags"] == b["flags"]).all() and (a["activity"] == b["activity"]).all()


def test_points_name_each_tube_by_its_well(tmp_path: Path) -> None:
    points = tmp_path / "points.csv"
    result = run("binding", GRIDS, "--layout", TOML, *BINDING, "--points", points, "-q")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(points)
    assert len(table) == 2 * (66 + 12) and table["well"].notna().all()
    row = table[(table["plate"] == 1) & (table["well"] == "A01")].iloc[0]
    assert row["compound"] == "diazepam" and row["conc_M"] == pytest.approx(1e-5)
    controls = table.loc[(table["plate"] == 2) & table["well"].isin(["G01", "D12"])]
    assert sorted(controls["compound"]) == ["NSB", "TOTAL"]


def test_excluded_wells_are_left_out_and_listed(tmp_path: Path) -> None:
    points = tmp_path / "points.csv"
    result = run(
        "binding", GRIDS, "--layout", TABLE, *BINDING, "--exclude-wells", "*01, C07", "--points", points
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(points)
    assert not table["well"].str.endswith("01").any() and "C07" not in set(table["well"])
    assert len(table) == 2 * (66 + 12) - 2 * 9  # A01-H01 (8 wells) and C07, per plate
    notes = [line for line in result.output.splitlines() if line.startswith("note: plate")]
    assert len(notes) == 2 and all("C07" in n and "*01" in n for n in notes)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--exclude-wells", "A*"), "--exclude-wells needs --layout"),
        (("--layout", TOML, "--exclude-wells", "Z*"), "bad well pattern 'Z*'"),
        (("--layout", TOML, "--compound", "x"), "--compound is for wide files"),
        ((), "counter's export with 2 plate grids of 8 x 12 wells"),
    ],
    ids=["no-layout", "bad-pattern", "compound", "grid-as-table"],
)
def test_wrong_plate_options_get_one_line_errors(args: tuple, expected: str) -> None:
    result = run("binding", GRIDS, *args)
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and expected in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_a_bad_count_names_its_plate_and_well(tmp_path: Path) -> None:
    lines = GRIDS.read_text().splitlines()
    c_row = next(i for i, line in enumerate(lines) if line.startswith("C,"))  # plate 1, row C
    cells = lines[c_row].split(",")
    cells[7] = "12O0"  # a letter O for a zero, column 7
    lines[c_row] = ",".join(cells)
    bad = tmp_path / "counts.csv"
    bad.write_text("\n".join(lines))
    result = run("binding", bad, "--layout", TOML, *BINDING)
    assert result.exit_code == 2
    assert "plate 1, well C07" in result.output and "12O0" in result.output


def test_no_output_may_replace_the_layout(tmp_path: Path) -> None:
    layout = shutil.copy(TABLE, tmp_path / "layout.csv")
    before = Path(layout).read_bytes()
    result = run("binding", GRIDS, "--layout", layout, *BINDING, "-o", layout)
    assert result.exit_code == 2 and "layout.csv" in result.output
    assert Path(layout).read_bytes() == before


def test_binding_results_go_to_prism_and_back(tmp_path: Path) -> None:
    direct, again, pzfx = tmp_path / "direct.csv", tmp_path / "again.csv", tmp_path / "results.pzfx"
    assert run("binding", GRIDS, "--layout", TOML, *BINDING, "-o", direct, "-q").exit_code == 0
    result = run("binding", GRIDS, "--layout", TOML, *BINDING, "-o", pzfx, "-q")
    assert result.exit_code == 0, result.output
    titles = [t.title for t in read_pzfx(pzfx)]
    assert titles[:2] == ["1", "2"] and "results" in titles
    assert run("binding", pzfx, *BINDING, "-o", again, "-q").exit_code == 0
    a, b = pd.read_csv(direct), pd.read_csv(again)
    for column in ("ic50_nM", "ki_nM", "hill_slope", "ic50_se_log"):
        if column in a:
            np.testing.assert_allclose(a[column], b[column], rtol=1e-9)


def test_saturation_results_go_to_prism_and_back(tmp_path: Path) -> None:
    example = ROOT / "examples" / "saturation" / "sat.csv"
    pzfx, direct, again = tmp_path / "s.pzfx", tmp_path / "direct.csv", tmp_path / "again.csv"
    assert run("saturation", example, "-o", direct, "-q").exit_code == 0
    assert run("saturation", example, "-o", pzfx, "-q").exit_code == 0
    result = run("saturation", pzfx, "-o", again, "-q")
    assert result.exit_code == 0, result.output
    a, b = pd.read_csv(direct), pd.read_csv(again)
    np.testing.assert_allclose(a[["kd_nM", "bmax_cpm"]], b[["kd_nM", "bmax_cpm"]], rtol=1e-9)


def test_saturation_reads_plate_grids_with_a_layout(tmp_path: Path) -> None:
    """A saturation plate: total in rows A-C, NSB in D-F, 12 radioligand concentrations across."""
    conc = [0.05 * 1.6**i for i in range(12)]
    kd, bmax, ns = 1.5, 9000.0, 300.0
    rows = []
    for letter in "ABCDEFGH":
        if letter in "ABCDEF":
            total = letter in "ABC"
            values = [ns * c + (bmax * c / (kd + c) if total else 0.0) for c in conc]
            rows.append(",".join([letter, *(f"{v:.0f}" for v in values)]))
        else:
            rows.append(letter + "," * 12)
    grid = tmp_path / "grid.csv"
    grid.write_text(
        "Plate number,1\nMeasurement,CPM\n," + ",".join(map(str, range(1, 13))) + "\n" + "\n".join(rows)
    )
    layout = tmp_path / "map.toml"
    columns = "".join(f"[col.{i}]\nconc_nM = {c!r}\n" for i, c in enumerate(conc, start=1))
    layout.write_text(columns + '[block.12x3.A1]\nkind = "total"\n[block.12x3.D1]\nkind = "nsb"\n')
    out = tmp_path / "r.csv"
    result = run("saturation", grid, "--layout", layout, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    fit = pd.read_csv(out).iloc[0]
    assert fit["kd_nM"] == pytest.approx(kd, rel=2e-3) and fit["bmax_cpm"] == pytest.approx(bmax, rel=2e-3)


@pytest.mark.parametrize("layout", [TOML, TABLE], ids=["wellmap", "table"])
def test_the_methods_say_how_the_counts_were_read(layout: Path) -> None:
    from assaykit.binding.methods import competition_methods
    from assaykit.binding.workflow import run_binding

    run = run_binding([GRIDS], layout=layout, exclude_wells="*01,C07", kd_nM=1.5, radioligand_nM=1.0)
    methods = competition_methods(run)
    assert f"joined by well to the plate map {layout.name}" in methods.paragraph
    assert "wells matching *01 and C07 were excluded" in methods.paragraph
    assert ("Kundert 2021" in methods.paragraph) == (layout.suffix == ".toml")
    assert "the 1 curve called inactive was not fitted" in methods.paragraph  # tofisopam
    plain = competition_methods(
        run_binding([ROOT / "examples/binding/counts.csv"], kd_nM=1.5, radioligand_nM=1.0)
    )
    assert "plate map" not in plain.paragraph and "Kundert" not in plain.paragraph
