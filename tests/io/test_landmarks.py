"""Keypoints that stay put (maze corners labelled as body parts) are left out of the default position."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from assaykit.io.tracks.dlc import read_dlc
from assaykit.io.tracks.sleap import read_sleap

sys.path.insert(0, str(Path(__file__).parent))
from sleap_writers import Instance, write_sleap  # noqa: E402

FRAMES = 200
RNG = np.random.default_rng(11)
# the mouse walks 300 px along x; its three parts move together, the two corners stay within jitter
T = np.arange(FRAMES)
BODY = {
    "nose": (100 + 1.5 * T + 10, 200 + 5 * np.sin(T / 9)),
    "centre": (100 + 1.5 * T, 200 + 5 * np.sin(T / 9)),
    "tail": (100 + 1.5 * T - 10, 200 + 5 * np.sin(T / 9)),
}
CORNERS = {"corner_a": (50.0, 40.0), "corner_b": (450.0, 380.0)}


def points(*, still_mouse: bool = False) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    found = {}
    for name, (x, y) in BODY.items():
        x = np.full(FRAMES, x[0]) if still_mouse else x
        found[name] = (x + RNG.normal(0, 0.5, FRAMES), y + RNG.normal(0, 0.5, FRAMES))
    for name, (x, y) in CORNERS.items():
        found[name] = (x + RNG.normal(0, 0.8, FRAMES), y + RNG.normal(0, 0.8, FRAMES))
    return found


def write_dlc(path: Path, parts: dict[str, tuple[np.ndarray, np.ndarray]]) -> Path:
    names = list(parts)
    lines = [
        "scorer," + ",".join(["DLC_resnet50"] * 3 * len(names)),
        "bodyparts," + ",".join(n for n in names for _ in range(3)),
        "coords," + ",".join(c for _ in names for c in ("x", "y", "likelihood")),
    ]
    for i in range(FRAMES):
        lines.append(f"{i}," + ",".join(f"{parts[n][0][i]:.4f},{parts[n][1][i]:.4f},0.99" for n in names))
    path.write_text("\n".join(lines) + "\n")
    return path


def centroid(parts: dict[str, tuple[np.ndarray, np.ndarray]], names: list[str]) -> tuple[np.ndarray, ...]:
    x = np.mean([np.round(parts[n][0], 4) for n in names], axis=0)
    y = np.mean([np.round(parts[n][1], 4) for n in names], axis=0)
    return x, y


def test_maze_corners_are_left_out_of_the_default_position(tmp_path: Path) -> None:
    parts = points()
    with pytest.warns(UserWarning, match=r"'corner_a', 'corner_b' stay within .* landmarks of the apparatus"):
        table = read_dlc(write_dlc(tmp_path / "m.csv", parts), fps=30)
    assert table.keypoints.chosen == ("nose", "centre", "tail")
    x, y = centroid(parts, ["nose", "centre", "tail"])
    assert np.allclose(table.data["x"], x) and np.allclose(table.data["y"], y)
    assert table.keypoints.names == ("nose", "centre", "tail", "corner_a", "corner_b")  # all kept as read


def test_chosen_keypoints_are_taken_as_given_even_if_still(tmp_path: Path) -> None:
    parts = points()
    path = write_dlc(tmp_path / "m.csv", parts)
    with np.errstate(all="ignore"):
        table = read_dlc(path, fps=30, bodypart=["centre", "corner_a"])
    assert table.keypoints.chosen == ("centre", "corner_a")
    x, _ = centroid(parts, ["centre", "corner_a"])
    assert np.allclose(table.data["x"], x)


def test_a_mouse_that_never_moves_keeps_every_keypoint(
    tmp_path: Path, recwarn: pytest.WarningsRecorder
) -> None:
    parts = points(still_mouse=True)
    table = read_dlc(write_dlc(tmp_path / "m.csv", parts), fps=30)
    assert table.keypoints.chosen == tuple(parts)
    assert not [w for w in recwarn if "landmarks" in str(w.message)]


def test_sleap_nodes_that_stay_put_are_left_out_too(tmp_path: Path) -> None:
    parts = points()
    names = list(parts)
    instances = [
        Instance(
            i, None, np.array([[parts[n][0][i], parts[n][1][i]] for n in names]), np.full(len(names), 0.98)
        )
        for i in range(FRAMES)
    ]
    path = write_sleap(tmp_path / "m.analysis.h5", instances, track_names=[], node_names=names)
    with pytest.warns(UserWarning, match="'corner_a', 'corner_b' stay within"):
        table = read_sleap(path, fps=30)
    assert table.keypoints.chosen == ("nose", "centre", "tail")
    x, _ = centroid(parts, ["nose", "centre", "tail"])
    assert np.allclose(table.data["x"], x, atol=1e-3)
