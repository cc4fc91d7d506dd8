"""Analyses through Prism and back: the same results, number for number."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.binding.competition import analyze_competition
from assaykit.binding.prism import competition_tables
from assaykit.io.counts import read_counts
from assaykit.io.prism import XYTable, read_pzfx, read_pzfx_counts, read_pzfx_saturation, write_pzfx
from assaykit.io.saturation import read_saturation
from assaykit.saturation.analysis import analyze_saturation
from assaykit.saturation.prism import saturation_tables

EXAMPLES = Path(__file__).parents[3] / "examples"


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for column in a.columns:
        left, right = a[column], b[column]
        if pd.api.types.is_numeric_dtype(left) and not pd.api.types.is_bool_dtype(left):
            np.testing.assert_allclose(right.to_numpy(float), left.to_numpy(float), rtol=1e-9, atol=0)
        else:
            assert left.astype(str).tolist() == right.astype(str).tolist(), column


def test_competition_round_trip_gives_the_same_results(tmp_path: Path) -> None:
    counts = read_counts(EXAMPLES / "binding" / "counts.csv")
    first = analyze_competition(counts, kd_nM=1.5, radioligand_nM=1.0)
    xy, tables = competition_tables(first)
    path = tmp_path / "results.pzfx"
    write_pzfx(path, xy, tables)
    again = analyze_competition(read_pzfx_counts(path), kd_nM=1.5, radioligand_nM=1.0)
    _same(first.results, again.results)
    _same(first.plates, again.plates)
    # the results table in the file holds the same numbers
    written = {t.title: t for t in read_pzfx(path)}
    results = written["results"]
    for dataset in results.datasets:
        column = first.results[dataset.title]
        np.testing.assert_array_equal(dataset.values[:, 0], column.to_numpy(float))


def test_competition_tables_lay_out_plates_as_prism_does() -> None:
    counts = read_counts(EXAMPLES / "binding" / "counts.csv")
    analysis = analyze_competition(counts, kd_nM=1.5, radioligand_nM=1.0)
    xy, _ = competition_tables(analysis)
    assert [t.title for t in xy] == list(dict.fromkeys(counts["plate"].astype(str)))
    for table in xy:
        tubes = counts[counts["plate"].astype(str) == table.title]
        competitor = tubes[tubes["role"] == "competitor"]
        x = table.x[np.isfinite(table.x)]
        assert x.tolist() == sorted(set(competitor["log_conc_M"]))  # one row per distinct concentration
        for dataset in table.datasets:
            mine = tubes[tubes["compound"].astype(str) == dataset.title]
            assert sorted(dataset.values[np.isfinite(dataset.values)]) == sorted(mine["signal"])
        assert {d.title for d in table.datasets} == set(tubes["compound"].astype(str))


def test_saturation_round_trip_gives_the_same_results(tmp_path: Path) -> None:
    data = read_saturation(EXAMPLES / "saturation" / "sat.csv")
    first = analyze_saturation(data)
    xy, tables = saturation_tables(first)
    assert all(isinstance(t, XYTable) and t.x_title == "[radioligand], nM" for t in xy)
    path = tmp_path / "sat.pzfx"
    write_pzfx(path, xy, tables)
    back = read_pzfx_saturation(path)
    assert back.attrs["signal_unit"] == data.attrs["signal_unit"]
    again = analyze_saturation(back)
    _same(first.results, again.results)


def test_specific_binding_round_trip(tmp_path: Path) -> None:
    data = read_saturation(EXAMPLES / "saturation" / "sat.csv")
    total = data[data["kind"] == "total"].reset_index(drop=True)
    nsb = data[data["kind"] == "nsb"].groupby("conc_nM")["signal"].mean()
    specific = pd.DataFrame(
        {
            "dataset": "exp",
            "conc_nM": total["conc_nM"],
            "specific_cpm": total["signal"] - total["conc_nM"].map(nsb),
        }
    )
    from assaykit.io.saturation import saturation_from_frame

    frame = saturation_from_frame(specific, specific=True)
    first = analyze_saturation(frame)
    xy, tables = saturation_tables(first)
    assert [d.title for d in xy[0].datasets] == ["Specific"]
    path = tmp_path / "specific.pzfx"
    write_pzfx(path, xy, tables)
    back = read_pzfx_saturation(path)
    assert back.attrs["specific"] is True
    _same(first.results, analyze_saturation(back).results)
    with pytest.raises(Exception, match="Total and Nonspecific"):
        read_pzfx_saturation(path, specific=False)
