"""The key acceptance test: a run from counter grids + a plate layout equals, number for number, the run
from the same tubes given as the long table (competition and saturation)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from plate_files import (
    competition_long,
    competition_plate,
    competition_toml,
    four_pl,
    grid_block,
    header,
    well,
    write_lines,
)

from assaykit.binding.competition import analyze_competition
from assaykit.io.counts import read_counts
from assaykit.io.plates import read_plate_counts, read_plate_saturation
from assaykit.io.saturation import read_saturation
from assaykit.saturation.analysis import analyze_saturation


def _numeric_equal(a: pd.DataFrame, b: pd.DataFrame, skip: tuple[str, ...] = ()) -> None:
    assert list(a.columns) == list(b.columns)
    for column in a.columns:
        if column in skip:
            continue
        left, right = a[column], b[column]
        if pd.api.types.is_numeric_dtype(left) and not pd.api.types.is_bool_dtype(left):
            np.testing.assert_array_equal(left.to_numpy(float), right.to_numpy(float), err_msg=column)
        else:
            assert left.astype(str).tolist() == right.astype(str).tolist(), column


def test_competition_from_grids_equals_the_long_table(tmp_path: Path) -> None:
    plates = {"1": competition_plate(1), "2": competition_plate(2)}
    lines: list[str] = []
    for plate, counts in plates.items():
        lines += grid_block(counts, label="CPM", header=header(plate)) + [""]
    grids = write_lines(tmp_path / "counter.csv", lines)
    layout = competition_toml(tmp_path / "plate_map.toml")
    long = competition_long(tmp_path / "long.csv", plates)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every well of the layout has a count, every count a well
        from_grids = read_plate_counts([grids], layout)
    from_long = read_counts(long)
    assert len(from_grids) == len(from_long) == 96
    assert from_grids.attrs["signal_unit"] == from_long.attrs["signal_unit"] == "cpm"
    assert from_grids.attrs["layout"] == "plate grid"
    # the tubes themselves, well by well (the long file lists them in the same well order)
    _numeric_equal(from_grids.drop(columns="well"), from_long, skip=("source_row",))
    assert from_grids["well"].astype(str).tolist()[:3] == ["A01", "A02", "A03"]
    assert from_grids["source_row"].tolist()[:13] == [7] * 12 + [8]  # the grid's row A, then row B

    a = analyze_competition(from_grids, kd_nM=1.5, radioligand_nM=1.0)
    b = analyze_competition(from_long, kd_nM=1.5, radioligand_nM=1.0)
    assert len(a.results) == 4 and a.results["ki_nM"].notna().all()
    _numeric_equal(a.results, b.results)
    _numeric_equal(a.plates, b.plates)
    _numeric_equal(a.points.drop(columns="well"), b.points, skip=("source_row",))
    assert "well" in a.points.columns and "well" not in b.points.columns


def test_saturation_from_grids_equals_the_long_table(tmp_path: Path) -> None:
    conc = [0.05, 0.1, 0.2, 0.4, 0.7, 1.0, 1.5, 2.5, 4.0, 6.0, 10.0, 20.0]
    rng = np.random.default_rng(7)
    counts: dict[tuple[int, int], float] = {}
    for r in range(6):
        for c, x in enumerate(conc):
            nsb = 80.0 * x
            value = 4000.0 * x / (1.5 + x) + nsb if r < 3 else nsb
            counts[(r, c)] = float(round(value * rng.normal(1.0, 0.03) + 20))
    (tmp_path / "grid").mkdir()
    (tmp_path / "long").mkdir()
    grids = write_lines(
        tmp_path / "grid" / "sat.csv", grid_block(counts, label="DPM", header=header("1", ""))
    )
    cols = "\n".join(f"{c + 1}.conc_nM = {x}" for c, x in enumerate(conc))
    rows = "\n".join(f'{"ABCDEF"[r]}.kind = "{"total" if r < 3 else "nsb"}"' for r in range(6))
    layout = tmp_path / "sat.toml"
    layout.write_text(f"[row]\n{rows}\n\n[col]\n{cols}\n", encoding="utf-8")
    long_lines = ["kind,conc_nM,dpm,well"]
    for r in range(6):
        for c, x in enumerate(conc):
            long_lines.append(f"{'total' if r < 3 else 'nsb'},{x},{int(counts[(r, c)])},{well(r, c)}")
    long = write_lines(tmp_path / "long" / "sat.csv", long_lines)

    from_grids = read_plate_saturation([grids], layout)
    from_long = read_saturation(long)
    assert from_grids.attrs["signal_unit"] == "dpm" and len(from_grids) == 72
    _numeric_equal(from_grids, from_long, skip=("source_row",))  # the long file has the wells too
    a, b = analyze_saturation(from_grids), analyze_saturation(from_long)
    _numeric_equal(a.results, b.results)
    assert a.points["well"].tolist() == from_grids["well"].tolist()


@pytest.mark.parametrize("ic50", [-8.0])
def test_four_pl_helper_decreases(ic50: float) -> None:
    y = four_pl(np.array([-10.0, -8.0, -6.0]), 3000.0, 250.0, ic50)
    assert y[0] > y[1] > y[2] and y[1] == pytest.approx(1625.0)
