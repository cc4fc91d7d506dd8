"""``.h5`` track files that are not what they say: one line on what they are, through the command line too."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.cli import main
from assaykit.errors import AssayInputError
from assaykit.io.tracks import detect_format
from assaykit.io.tracks.hdf5_kind import hdf5_kind


def sleap_like(path: Path) -> Path:
    with h5py.File(path, "w") as handle:
        handle["tracks"] = np.zeros((1, 2, 1, 5))
        handle["node_names"] = [b"body"]
    return path


def test_sleap_and_deeplabcut_files_are_told_apart(tmp_path: Path) -> None:
    assert hdf5_kind(sleap_like(tmp_path / "s.h5")) == "sleap"
    dlc = tmp_path / "d.h5"
    columns = pd.MultiIndex.from_product([["DLC_resnet50"], ["nose"], ["x", "y", "likelihood"]])
    pd.DataFrame(np.zeros((3, 3)), columns=columns).to_hdf(dlc, key="df_with_missing")
    assert hdf5_kind(dlc) == "dlc" and detect_format(dlc) == "dlc"
    # a SLEAP file that lost its tracks is still SLEAP's: its reader says what is missing
    broken = tmp_path / "b.h5"
    with h5py.File(broken, "w") as handle:
        handle["node_names"] = [b"body"]
        handle["point_scores"] = np.zeros((1, 1, 5))
    assert hdf5_kind(broken) == "sleap"


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda p: _write(p, b""), "the file is empty (0 bytes)"),
        (lambda p: _write(p, b"frame,x,y\n1,2,3\n"), "not an HDF5 file: it is text, starting 'frame,x,y'"),
        (lambda p: _write(p, bytes(range(256)) * 4), "not an HDF5 file (it lacks the HDF5 signature)"),
        (
            lambda p: _write(p, sleap_like(p).read_bytes()[:1500]),
            "a damaged HDF5 file (1,500 bytes): truncated or not fully written",
        ),
    ],
    ids=["empty", "text", "binary", "truncated"],
)
def test_files_that_are_not_hdf5(tmp_path: Path, make, fragment: str) -> None:
    path = make(tmp_path / "m1.h5")
    with pytest.raises(AssayInputError) as info:
        hdf5_kind(path)
    assert str(info.value).startswith(f"{path}: ") and fragment in str(info.value)
    result = CliRunner().invoke(main, ["epm", str(path), "--fps", "30", "--px-per-cm", "4"])
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and fragment in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_an_hdf5_file_of_neither_layout_lists_what_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "x.h5"
    with h5py.File(path, "w") as handle:
        handle["data"] = np.arange(3)
        handle["frame_times"] = np.arange(3)
    result = CliRunner().invoke(main, ["epm", str(path), "--fps", "30"])
    assert result.exit_code == 2
    assert (
        "an HDF5 file holding 'data', 'frame_times', which is neither a SLEAP analysis file" in result.output
    )
    assert "nor a DeepLabCut table" in result.output
