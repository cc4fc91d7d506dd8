"""The optional ``hot_nM`` column of long-layout counts files: the hot ligand of each tube (homologous)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.io.counts import COUNTS_COLUMNS, counts_from_frame, read_counts, read_counts_files

TEXT = """plate,compound,conc_nM,cpm,Hot_nM
1,TOTAL,,3000,0.5
1,NSB,,200,0.5
1,flunitrazepam,0.1,2900,0.5
1,flunitrazepam,1,2000,0.5
1,flunitrazepam,0.1,2950,2
1,flunitrazepam,1,2500,
"""


def test_hot_column_is_kept_as_numbers_with_empty_as_nan(tmp_path: Path):
    path = tmp_path / "hom.csv"
    path.write_text(TEXT)
    counts = read_counts(path)
    assert tuple(counts.columns) == (*COUNTS_COLUMNS, "hot_nM")
    np.testing.assert_array_equal(counts["hot_nM"].to_numpy()[:5], [0.5, 0.5, 0.5, 0.5, 2.0])
    assert math.isnan(counts["hot_nM"].iloc[5])
    # the same through the slow path (xlsx-like raw tables) and from a DataFrame
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    pd.testing.assert_series_equal(counts_from_frame(frame)["hot_nM"], counts["hot_nM"])


def test_without_the_column_the_frame_is_unchanged(tmp_path: Path):
    path = tmp_path / "plain.csv"
    path.write_text("compound,conc_nM,cpm\nTOTAL,,3000\nx,1,2000\n")
    assert tuple(read_counts(path).columns) == COUNTS_COLUMNS


@pytest.mark.parametrize(
    ("cell", "fragment"), [("abc", "'abc' is not a number"), ("-1", "must be a positive"), ("0", "positive")]
)
def test_bad_hot_cells_name_row_and_column(tmp_path: Path, cell: str, fragment: str):
    path = tmp_path / "bad.csv"
    path.write_text(f"compound,conc_nM,cpm,hot_nM\nTOTAL,,3000,1\nx,1,2000,{cell}\n")
    with pytest.raises(AssayInputError, match=fragment) as info:
        read_counts(path)
    assert "row 3" in str(info.value) and "hot_nM" in str(info.value)


def test_several_files_with_and_without_the_column(tmp_path: Path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("compound,conc_nM,cpm,hot_nM\nx,1,2000,1.5\n")
    b.write_text("compound,conc_nM,cpm\nx,1,2100\n")
    counts = read_counts_files([a, b])
    assert counts["hot_nM"].iloc[0] == 1.5 and math.isnan(counts["hot_nM"].iloc[1])
