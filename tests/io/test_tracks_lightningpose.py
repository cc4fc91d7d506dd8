"""Tests for LightningPose predictions CSVs, read through the DeepLabCut reader.

LightningPose's ``PredictionHandler`` builds a DataFrame with a default integer index and the columns
``pd.MultiIndex.from_product([[f"{model_type}_tracker"], keypoint_names, ["x", "y", "likelihood"]],
names=["scorer", "bodyparts", "coords"])`` and writes it with ``DataFrame.to_csv``; the fixtures below are
made the same way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.io.tracks import detect_format, read_tracks

DATA = Path(__file__).resolve().parents[1] / "data" / "tracks"
KEYPOINTS = ["nose", "ear_left", "tail_base"]


def write_lp_csv(path: Path, model_type: str, seed: int = 3, n_frames: int = 8) -> np.ndarray:
    """Write predictions as LightningPose does; return the (frames, keypoints, 3) values written."""
    rng = np.random.default_rng(seed)
    values = np.empty((n_frames, len(KEYPOINTS), 3))
    values[:, :, :2] = rng.uniform(0, 640, size=(n_frames, len(KEYPOINTS), 2)).round(3)
    values[:, :, 2] = rng.choice([0.05, 0.6, 0.97], size=(n_frames, len(KEYPOINTS)))
    columns = pd.MultiIndex.from_product(
        [[f"{model_type}_tracker"], KEYPOINTS, ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    pd.DataFrame(values.reshape(n_frames, -1), columns=columns).to_csv(path)
    return values


def test_written_layout_is_three_header_rows_then_frame_index(tmp_path: Path) -> None:
    path = tmp_path / "video.csv"
    write_lp_csv(path, "heatmap", n_frames=2)
    lines = path.read_text().splitlines()
    assert lines[0].startswith("scorer,heatmap_tracker,heatmap_tracker")
    assert lines[1].startswith("bodyparts,nose,nose,nose,ear_left")
    assert lines[2].startswith("coords,x,y,likelihood,x")
    assert lines[3].startswith("0,") and lines[4].startswith("1,")


@pytest.mark.parametrize("model_type", ["heatmap", "heatmap_mhcrnn"])
def test_auto_detected_and_read(tmp_path: Path, model_type: str) -> None:
    path = tmp_path / "mouse3.csv"
    values = write_lp_csv(path, model_type)
    assert detect_format(path) == "lightningpose"
    table = read_tracks(path, fps=30.0, bodypart=["nose", "tail_base"], likelihood=0.5)
    assert table.format == "lightningpose" and table.space_unit == "px"
    assert table.data["animal"].unique().tolist() == ["mouse3"]
    np.testing.assert_allclose(table.data["time_s"], np.arange(8) / 30.0)
    chosen = values[:, [0, 2], :]
    kept = chosen[:, :, 2] >= 0.5
    with np.errstate(invalid="ignore"):
        x = np.where(kept, chosen[:, :, 0], 0).sum(axis=1) / kept.sum(axis=1)
    x[kept.sum(axis=1) == 0] = np.nan
    np.testing.assert_allclose(table.data["x"], x, equal_nan=True)
    assert table.low_likelihood == {"mouse3": int((kept.sum(axis=1) == 0).sum())}


def test_explicit_format_name(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    values = write_lp_csv(path, "heatmap")
    table = read_tracks(path, format="lightningpose", fps=10, bodypart="ear_left", likelihood=0.0)
    assert table.format == "lightningpose"
    np.testing.assert_allclose(table.data["y"], values[:, 1, 1])


def test_deeplabcut_files_are_still_deeplabcut(tmp_path: Path) -> None:
    assert detect_format(DATA / "dlc_single.csv") == "dlc"
    assert detect_format(DATA / "dlc_multi.csv") == "dlc"
    columns = pd.MultiIndex.from_product(
        [["DLC_resnet50_epmJan1shuffle1_100000"], ["nose"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    frame = pd.DataFrame([[1.0, 2.0, 0.99], [3.0, 4.0, 0.95]], columns=columns)
    frame.to_hdf(tmp_path / "dlc.h5", key="df_with_missing")
    assert detect_format(tmp_path / "dlc.h5") == "dlc"
    assert read_tracks(tmp_path / "dlc.h5", fps=2).format == "dlc"


def test_predictions_on_labelled_frames_are_refused_in_one_line(tmp_path: Path) -> None:
    """LightningPose's predictions_*.csv for labelled frames index rows by image path, not by frame."""
    path = tmp_path / "predictions.csv"
    path.write_text(
        "scorer,heatmap_tracker,heatmap_tracker,heatmap_tracker,\n"
        "bodyparts,nose,nose,nose,set\n"
        "coords,x,y,likelihood,\n"
        "labeled-data/mouse1/img0001.png,10.0,20.0,0.99,train\n"
    )
    with pytest.raises(AssayInputError, match=r"row 4.*images \('labeled-data/mouse1/img0001.png'\)"):
        read_tracks(path, fps=30)
