"""SLEAP analysis files through ``assaykit epm``: untracked single-mouse files, movement's float32 scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sleap_writers import Instance, write_movement, write_sleap, write_sleap_io

from assaykit.cli import main

NODES = ["nose", "thorax", "tailbase"]
FPS = 10
#: Where the mouse's thorax is (px) in each 100 s: the centre square, the left open arm, the top closed arm.
PLACES = [(45.0, 45.0), (20.0, 45.0), (45.0, 70.0)]
MAZE = (
    "open_left: [[0, 40], [40, 40], [40, 50], [0, 50]]\n"
    "open_right: [[50, 40], [90, 40], [90, 50], [50, 50]]\n"
    "closed_bottom: [[40, 0], [50, 0], [50, 40], [40, 40]]\n"
    "closed_top: [[40, 50], [50, 50], [50, 90], [40, 90]]\n"
    "central_square: [[40, 40], [50, 40], [50, 50], [40, 50]]\n"
)


def mouse(track: int | None = None, score: float = 0.95) -> list[Instance]:
    """300 s at FPS: 100 s in each of PLACES, the nodes 2 px apart along x."""
    instances = []
    for frame in range(300 * FPS):
        x, y = PLACES[frame // (100 * FPS)]
        points = np.array([[x + 2, y], [x, y], [x - 2, y]])
        instances.append(Instance(frame, track, points, np.full(3, score)))
    return instances


def run(tmp_path: Path, *files: Path, extra: tuple[str, ...] = ()) -> tuple[int, str, pd.DataFrame | None]:
    zones = tmp_path / "maze.yaml"
    zones.write_text(MAZE)
    out = tmp_path / "out.csv"
    args = [
        "epm",
        *map(str, files),
        "--fps",
        str(FPS),
        "--px-per-cm",
        "4",
        "--zones",
        str(zones),
        "-o",
        str(out),
    ]
    result = CliRunner().invoke(main, [*args, "-q", *extra])
    table = pd.read_csv(out) if out.exists() else None
    return result.exit_code, result.output, table


@pytest.mark.parametrize("writer", ["sleap", "sleap-io"])
def test_an_untracked_single_mouse_file_is_scored_as_one_animal(tmp_path: Path, writer: str) -> None:
    path = tmp_path / "mouse7.analysis.h5"
    if writer == "sleap":
        write_sleap(path, mouse(), track_names=[], node_names=NODES)
    else:
        write_sleap_io(path, mouse(), track_names=[], node_names=NODES, preset="standard")
    code, output, table = run(tmp_path, path)
    assert code == 0, output
    assert table is not None and table["animal"].tolist() == ["mouse7.analysis"]
    row = table.iloc[0]
    # 100 s in each place; the first frame of each stay is an entry (the centre is where it starts)
    assert row["open_time_s"] == pytest.approx(100.0) and row["closed_time_s"] == pytest.approx(100.0)
    assert row["center_time_s"] == pytest.approx(100.0)
    assert row["open_entries"] == 1 and row["closed_entries"] == 1
    assert "warning" not in output


def test_movement_float32_scores_of_the_threshold_keep_their_points(tmp_path: Path) -> None:
    instances = mouse(score=0.9)
    position = np.stack([inst.points.T for inst in instances])[..., None].astype(np.float32)
    confidence = np.full((len(instances), 3, 1), 0.9, dtype=np.float32)
    path = write_movement(
        tmp_path / "m.h5", position, confidence, individual_names=["m1"], keypoint_names=NODES
    )
    code, output, table = run(tmp_path, path, extra=("--confidence", "0.9"))
    assert code == 0, output
    assert table is not None and table.iloc[0]["open_time_s"] == pytest.approx(100.0)
    assert "unusable" not in output


def test_two_tracks_of_one_name_are_two_animals_and_a_warning(tmp_path: Path) -> None:
    path = write_sleap(tmp_path / "pair.h5", mouse(0) + mouse(1), track_names=["m", "m"], node_names=NODES)
    code, output, table = run(tmp_path, path)
    assert code == 0, output
    assert table is not None and table["animal"].tolist() == ["m (track 0)", "m (track 1)"]
    assert f"warning: {path}: 2 tracks are named 'm' in 'track_names'" in output


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (lambda f: f.__delitem__("tracks"), "no 'tracks' dataset, so not a SLEAP analysis file"),
        (
            lambda f: f.__setitem__("track_names", [b"a", b"b"]),
            "'track_names' has 2 names but 'tracks' has 1",
        ),
        (
            lambda f: f["tracks"].attrs.__setitem__("dims", '["frame", "track"]'),
            "'tracks' has dims ['frame', 'track']",
        ),
    ],
    ids=["no-tracks", "names-mismatch", "bad-dims"],
)
def test_a_broken_sleap_file_is_one_error_line_and_exit_2(tmp_path: Path, edit, fragment: str) -> None:
    import h5py

    path = write_sleap(tmp_path / "s.h5", mouse()[:50], track_names=[], node_names=NODES)
    with h5py.File(path, "a") as handle:
        if "track_names" in handle and fragment.startswith("'track_names'"):
            del handle["track_names"]
        edit(handle)
    code, output, _ = run(tmp_path, path)
    assert code == 2
    assert (
        output.startswith(f"Error: {path}: ") and fragment in output and len(output.strip().splitlines()) == 1
    )
