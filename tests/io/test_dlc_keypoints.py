"""The keypoints a DeepLabCut file is read into, against an independent read of the same file by pandas.

:class:`assaykit.io.tracks.Keypoints` keeps the values as read and gathers rows when asked; each test
rebuilds the expected ``(rows, keypoints)`` arrays from ``pandas.read_csv(path, header=[0, 1, 2(, 3)])``,
the read a DeepLabCut user would write, and never from assaykit's own output.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.io.tracks.dlc import read_dlc

ANIMALS = ("mouse1", "mouse2", "mouse3")
PARTS = ("nose", "ear_left", "centre", "tail_base")
LACKS = ("mouse2", "ear_left")  # this animal has no columns for this part


def write_multi(path: Path, frames: int = 40, seed: int = 3) -> Path:
    """A multi-animal DeepLabCut CSV: three mice, four parts (one missing for one mouse), a unique part.

    Cells are empty at random (missing points, some with only one coordinate missing), and the frame
    index starts at 100.
    """
    rng = np.random.default_rng(seed)
    header = [["scorer"], ["individuals"], ["bodyparts"], ["coords"]]
    columns = []
    for animal in (*ANIMALS, "single"):
        for part in PARTS if animal != "single" else ("corner",):
            if (animal, part) == LACKS:
                continue
            for coord in ("x", "y", "likelihood"):
                for row, label in zip(header, ("DLC_resnet50", animal, part, coord), strict=True):
                    row.append(label)
                columns.append(coord)
    lines = [",".join(row) for row in header]
    for i in range(frames):
        cells = [str(100 + i)]
        for coord in columns:
            value = rng.uniform(0, 1) if coord == "likelihood" else rng.uniform(0, 640)
            cells.append("" if rng.random() < 0.1 else f"{value:.3f}")
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def expected_keypoints(path: Path, depth: int, animals: list[str], parts: list[str]) -> np.ndarray:
    """``(3, rows, parts)`` x, y and likelihood by pandas: animals one after another, NaN where absent.

    A point with either coordinate missing is missing in both (the reader's rule for a point).
    """
    frame = pd.read_csv(path, header=list(range(depth)), index_col=0)
    frame.columns = pd.MultiIndex.from_tuples([c[1:] for c in frame.columns])  # drop the scorer
    out = np.full((3, len(animals) * len(frame), len(parts)), np.nan)
    for a, animal in enumerate(animals):
        rows = slice(a * len(frame), (a + 1) * len(frame))
        for j, part in enumerate(parts):
            key = (animal, part) if depth == 4 else (part,)
            if (*key, "x") not in frame.columns:
                continue
            x, y, score = (frame[(*key, c)].to_numpy(dtype=float) for c in ("x", "y", "likelihood"))
            gone = np.isnan(x) | np.isnan(y)
            out[0, rows, j] = np.where(gone, np.nan, x)
            out[1, rows, j] = np.where(gone, np.nan, y)
            out[2, rows, j] = score
    return out


def test_multi_animal_keypoints_match_pandas(tmp_path: Path) -> None:
    path = write_multi(tmp_path / "three_mice.csv")
    table = read_dlc(path, fps=30.0, bodypart=["nose", "centre"])
    keypoints = table.keypoints
    assert keypoints is not None
    assert keypoints.names == PARTS  # the unique 'single' part is not an animal's
    assert keypoints.chosen == ("nose", "centre")
    expected = expected_keypoints(path, 4, list(ANIMALS), list(PARTS))
    assert len(keypoints) == expected.shape[1] == len(table.data)
    for got, want in zip((keypoints.x, keypoints.y, keypoints.score), expected, strict=True):
        np.testing.assert_array_equal(got, want)
    assert np.isnan(keypoints.x[40:80, PARTS.index("ear_left")]).all()  # mouse2 has no left ear


@pytest.mark.parametrize("block_bytes", [8 * 40, 8 * 40 * 7, 2**24])
@pytest.mark.parametrize("ending", ["\n", "", "\n\n\n"])
def test_values_read_in_blocks_of_rows_match_pandas(tmp_path, monkeypatch, block_bytes, ending) -> None:
    """Blocks of one, a few or all rows; with and without a last newline, and blank lines at the end."""
    import assaykit.io.tracks.dlc as dlc

    monkeypatch.setattr(dlc, "READ_BLOCK_BYTES", block_bytes)
    path = write_multi(tmp_path / "three_mice.csv")
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + ending, encoding="utf-8")
    keypoints = read_dlc(path, fps=30.0).keypoints
    assert keypoints is not None
    expected = expected_keypoints(path, 4, list(ANIMALS), list(PARTS))
    for got, want in zip((keypoints.x, keypoints.y, keypoints.score), expected, strict=True):
        np.testing.assert_array_equal(got, want)


def test_rows_taken_across_animals_and_in_any_order_match_pandas(tmp_path: Path) -> None:
    path = write_multi(tmp_path / "three_mice.csv")
    keypoints = read_dlc(path, fps=30.0).keypoints
    assert keypoints is not None
    expected = expected_keypoints(path, 4, list(ANIMALS), list(PARTS))
    for rows in (slice(25, 95), slice(40, 80), slice(119, 120), slice(0, 0)):
        for got, want in zip(keypoints.take(rows), expected[:, rows], strict=True):
            np.testing.assert_array_equal(got, want)
    rows = np.random.default_rng(1).permutation(120)[:50]
    for got, want in zip(keypoints.take(rows), expected[:, rows], strict=True):
        np.testing.assert_array_equal(got, want)


def test_single_animal_keypoints_match_pandas(tmp_path: Path) -> None:
    lines = write_multi(tmp_path / "multi.csv").read_text().splitlines()
    cells = [line.split(",") for line in lines]
    keep = [0] + [j for j in range(1, len(cells[0])) if cells[1][j] == "mouse1"]  # one mouse, 3 header rows
    path = tmp_path / "video7DLC.csv"
    path.write_text("\n".join(",".join(row[j] for j in keep) for i, row in enumerate(cells) if i != 1) + "\n")
    keypoints = read_dlc(path, fps=25.0).keypoints
    assert keypoints is not None
    expected = expected_keypoints(path, 3, ["video7DLC"], list(PARTS))
    for got, want in zip((keypoints.x, keypoints.y, keypoints.score), expected, strict=True):
        np.testing.assert_array_equal(got, want)


def test_h5_keypoints_match_pandas(tmp_path: Path) -> None:
    pytest.importorskip("tables")
    path = write_multi(tmp_path / "three_mice.csv")
    frame = pd.read_csv(path, header=[0, 1, 2, 3], index_col=0)
    frame.to_hdf(tmp_path / "three_mice.h5", key="df_with_missing", format="table")
    keypoints = read_dlc(tmp_path / "three_mice.h5", fps=30.0).keypoints
    assert keypoints is not None
    expected = expected_keypoints(path, 4, list(ANIMALS), list(PARTS))
    for got, want in zip((keypoints.x, keypoints.y, keypoints.score), expected, strict=True):
        np.testing.assert_array_equal(got, want)
