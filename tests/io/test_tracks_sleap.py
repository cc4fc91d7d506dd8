"""Tests for assaykit.io.tracks.sleap: SLEAP analysis HDF5 files into a TrackTable.

The fixtures are written with PyTables in the layout SLEAP's ``write_occupancy_file`` leaves on disk:
every array transposed from SLEAP's (frames, nodes, 2, tracks) to (tracks, 2, nodes, frames), names as
fixed-length bytes. Expectations are computed here from the arrays with plain loops.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import tables

from assaykit.errors import AssayInputError
from assaykit.io.tracks import detect_format, read_tracks
from assaykit.io.tracks.sleap import read_sleap

NODES = ["nose", "body", "tail"]


def make_arrays(n_tracks: int = 2, n_frames: int = 6, seed: int = 1) -> dict[str, np.ndarray]:
    """SLEAP-side arrays (frames, nodes, 2, tracks) with missing points and a spread of scores."""
    rng = np.random.default_rng(seed)
    locations = rng.uniform(0, 500, size=(n_frames, len(NODES), 2, n_tracks)).round(2)
    scores = rng.choice([0.2, 0.5, 0.95, 0.99], size=(n_frames, len(NODES), n_tracks))
    locations[1, 0, :, 0] = np.nan  # nose of track 0 missing on frame 1
    scores[1, 0, 0] = np.nan
    locations[2, :, :, 0] = np.nan  # track 0 absent on frame 2
    scores[2, :, 0] = np.nan
    scores[3, :, 0] = 0.1  # every point of track 0 below the cut on frame 3
    return {"locations": locations, "scores": scores}


def write_analysis(
    path: Path,
    locations: np.ndarray,
    scores: np.ndarray | None,
    *,
    nodes: list[str] = NODES,
    track_names: list[str] | None = None,
    skip: tuple[str, ...] = (),
    attrs: dict[str, object] | None = None,
) -> Path:
    """Write an analysis file as SLEAP does: each array transposed, names as bytes."""
    n_frames, _, _, n_tracks = locations.shape
    names = [f"track_{i}" for i in range(n_tracks)] if track_names is None else track_names
    datasets = {
        "tracks": np.transpose(locations),
        "node_names": np.array([n.encode() for n in nodes], dtype="S"),
        "track_names": np.array([n.encode() for n in names], dtype="S") if names else np.array([], "S1"),
        "track_occupancy": np.transpose((~np.isnan(locations).all(axis=(1, 2))).T.astype(np.uint8)),
        "edge_inds": np.array([[0, 1], [1, 2]], dtype=np.int64).T,
    }
    if scores is not None:
        datasets["point_scores"] = np.transpose(scores)
    with tables.open_file(str(path), mode="w") as handle:
        for name, value in datasets.items():
            if name not in skip:
                handle.create_array("/", name, value)
        for key, value in (attrs or {}).items():
            handle.root._v_attrs[key] = value
    return path


def expected(
    locations: np.ndarray, scores: np.ndarray, track: int, nodes: list[int], cut: float
) -> tuple[list[float], list[float], int]:
    """Plain-loop centroid of the nodes left after the score cut, and frames lost only to the cut."""
    xs, ys, low = [], [], 0
    for f in range(locations.shape[0]):
        seen = [n for n in nodes if not math.isnan(locations[f, n, 0, track])]
        kept = [n for n in seen if not scores[f, n, track] < cut]
        if kept:
            xs.append(sum(locations[f, n, 0, track] for n in kept) / len(kept))
            ys.append(sum(locations[f, n, 1, track] for n in kept) / len(kept))
        else:
            xs.append(math.nan)
            ys.append(math.nan)
            low += bool(seen)
    return xs, ys, low


def sleap_error(path: Path, **kwargs: object) -> str:
    kwargs.setdefault("fps", 30.0)
    with pytest.raises(AssayInputError) as info:
        read_sleap(path, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return message


def test_layout_on_disk_is_tracks_2_nodes_frames(tmp_path: Path) -> None:
    arrays = make_arrays(n_tracks=2, n_frames=6)
    path = write_analysis(tmp_path / "a.analysis.h5", arrays["locations"], arrays["scores"])
    with tables.open_file(str(path)) as handle:
        assert handle.root.tracks.shape == (2, 2, 3, 6)
        assert handle.root.point_scores.shape == (2, 3, 6)
        assert handle.root.track_occupancy.shape == (6, 2)
        assert handle.root.tracks.read()[1, 0, 2, 4] == arrays["locations"][4, 2, 0, 1]


@pytest.mark.parametrize(
    ("bodypart", "nodes", "cut"),
    [(None, [0, 1, 2], 0.9), ("nose", [0], 0.9), (["nose", "tail"], [0, 2], 0.4), ("tail", [2], 0.0)],
)
def test_multi_track_positions_centroid_and_cut(
    tmp_path: Path, bodypart: object, nodes: list[int], cut: float
) -> None:
    arrays = make_arrays()
    locations, scores = arrays["locations"], arrays["scores"]
    path = write_analysis(tmp_path / "pair.analysis.h5", locations, scores, track_names=["m1", "m2"])
    table = read_sleap(path, fps=25.0, bodypart=bodypart, likelihood=cut)  # type: ignore[arg-type]
    assert table.format == "sleap" and table.space_unit == "px"
    data = table.data
    assert list(data.columns) == ["animal", "time_s", "x", "y"]
    assert data["animal"].tolist() == ["m1"] * 6 + ["m2"] * 6
    np.testing.assert_allclose(data["time_s"], [f / 25.0 for f in range(6)] * 2)
    for track, name in enumerate(["m1", "m2"]):
        xs, ys, low = expected(locations, scores, track, nodes, cut)
        rows = data[data["animal"] == name]
        np.testing.assert_allclose(rows["x"], xs, equal_nan=True)
        np.testing.assert_allclose(rows["y"], ys, equal_nan=True)
        assert table.low_likelihood[name] == low


def test_fixture_exercises_missing_points_and_the_cut(tmp_path: Path) -> None:
    arrays = make_arrays()
    path = write_analysis(tmp_path / "a.h5", arrays["locations"], arrays["scores"])
    data = read_sleap(path, fps=10, likelihood=0.9).data
    first = data[data["animal"] == "track_0"]
    assert math.isnan(first["x"].iloc[2])  # no instance on frame 2
    assert math.isnan(first["x"].iloc[3])  # every point below the cut
    low = read_sleap(path, fps=10, likelihood=0.9).low_likelihood
    assert low["track_0"] >= 1
    # frame 1, threshold 0: the nose is missing, so the centroid is of body and tail
    loc = arrays["locations"]
    one = read_sleap(path, fps=10, likelihood=0.0).data
    assert one["x"].iloc[1] == pytest.approx((loc[1, 1, 0, 0] + loc[1, 2, 0, 0]) / 2)


def test_unnamed_tracks_and_single_untracked_animal(tmp_path: Path) -> None:
    arrays = make_arrays(n_tracks=2)
    path = write_analysis(tmp_path / "two.h5", arrays["locations"], arrays["scores"], track_names=[])
    assert read_sleap(path, fps=30).data["animal"].unique().tolist() == ["track_0", "track_1"]
    one = make_arrays(n_tracks=1)
    path = write_analysis(tmp_path / "mouse7.analysis.h5", one["locations"], one["scores"], track_names=[])
    table = read_sleap(path, fps=30, bodypart="body", likelihood=0.0)
    assert table.data["animal"].unique().tolist() == ["mouse7.analysis"]  # the file stem
    np.testing.assert_allclose(table.data["x"], one["locations"][:, 1, 0, 0], equal_nan=True)


def test_without_point_scores_keeps_every_point(tmp_path: Path) -> None:
    arrays = make_arrays(n_tracks=1)
    path = write_analysis(tmp_path / "old.h5", arrays["locations"], None, skip=("point_scores",))
    table = read_sleap(path, fps=30, likelihood=1.0)
    xs, _, _ = expected(arrays["locations"], np.full(arrays["scores"].shape, np.nan), 0, [0, 1, 2], 1.0)
    np.testing.assert_allclose(table.data["x"], xs, equal_nan=True)
    assert table.low_likelihood == {"track_0": 0}


def test_fps_from_a_root_attribute_and_fps_argument_wins(tmp_path: Path) -> None:
    arrays = make_arrays(n_tracks=1, n_frames=4)
    path = write_analysis(tmp_path / "a.h5", arrays["locations"], arrays["scores"], attrs={"fps": 50.0})
    np.testing.assert_allclose(read_sleap(path, fps=None).data["time_s"], [0, 0.02, 0.04, 0.06])
    np.testing.assert_allclose(read_sleap(path, fps=4).data["time_s"], [0, 0.25, 0.5, 0.75])


def test_read_tracks_and_detection(tmp_path: Path) -> None:
    arrays = make_arrays()
    path = write_analysis(tmp_path / "a.analysis.h5", arrays["locations"], arrays["scores"])
    assert detect_format(path) == "sleap"
    table = read_tracks(path, fps=20, bodypart="tail", likelihood=0.5)
    assert table.format == "sleap"
    xs, _, _ = expected(arrays["locations"], arrays["scores"], 1, [2], 0.5)
    np.testing.assert_allclose(table.data["x"].iloc[6:], xs, equal_nan=True)
    assert read_tracks(path, format="sleap", fps=20).format == "sleap"


# -- errors -------------------------------------------------------------------------------------------------


def test_missing_fps(tmp_path: Path) -> None:
    arrays = make_arrays(n_tracks=1)
    path = write_analysis(tmp_path / "a.h5", arrays["locations"], arrays["scores"], attrs={"fps": -1.0})
    assert "--fps" in sleap_error(path, fps=None)


@pytest.mark.parametrize("fps", [0, -5.0, math.nan, True, "30"])
def test_bad_fps(tmp_path: Path, fps: object) -> None:
    arrays = make_arrays(n_tracks=1)
    path = write_analysis(tmp_path / "a.h5", arrays["locations"], arrays["scores"])
    assert "frame rate" in sleap_error(path, fps=fps)


def test_missing_tracks_dataset(tmp_path: Path) -> None:
    arrays = make_arrays()
    path = write_analysis(tmp_path / "a.h5", arrays["locations"], arrays["scores"], skip=("tracks",))
    message = sleap_error(path)
    assert "no 'tracks' dataset, so not a SLEAP analysis file" in message and "sleap-convert" in message


def test_missing_node_names_get_numbered_names(tmp_path: Path) -> None:
    arrays = make_arrays()
    path = write_analysis(tmp_path / "a.h5", arrays["locations"], arrays["scores"], skip=("node_names",))
    table = read_sleap(path, fps=30, bodypart="node_2", likelihood=0.0)
    np.testing.assert_allclose(table.data["x"].iloc[:6], arrays["locations"][:, 2, 0, 0], equal_nan=True)
    assert "'node_0', 'node_1', 'node_2'" in sleap_error(path, bodypart="nose")


def test_an_untransposed_file_is_read_when_only_that_layout_fits(tmp_path: Path) -> None:
    arrays = make_arrays(n_tracks=2, n_frames=6)
    loc, sc = arrays["locations"], arrays["scores"]
    path = tmp_path / "a.h5"
    with tables.open_file(str(path), mode="w") as handle:
        handle.create_array(
            "/", "tracks", loc
        )  # as SLEAP builds it, (frames, nodes, 2, tracks), untransposed
        handle.create_array("/", "point_scores", sc)
        handle.create_array("/", "node_names", np.array([n.encode() for n in NODES]))
        handle.create_array("/", "track_names", np.array([b"m1", b"m2"]))
    table = read_sleap(path, fps=30, likelihood=0.5)
    for track, name in enumerate(["m1", "m2"]):
        xs, ys, _ = expected(loc, sc, track, [0, 1, 2], 0.5)
        np.testing.assert_allclose(table.data.loc[table.data["animal"] == name, "x"], xs, equal_nan=True)
    # sleap-io's root attribute transpose = false says so even where both layouts fit (two nodes)
    two = {"locations": loc[:, :2], "scores": sc[:, :2]}
    with tables.open_file(str(path), mode="w") as handle:
        handle.create_array("/", "tracks", two["locations"])
        handle.create_array("/", "node_names", np.array([b"nose", b"body"]))
        handle.root._v_attrs["transpose"] = False
    table = read_sleap(path, fps=30, likelihood=0.0)
    xs, _, _ = expected(two["locations"], np.full((6, 2, 2), np.nan), 1, [0, 1], 0.0)
    np.testing.assert_allclose(table.data["x"].iloc[6:], xs, equal_nan=True)


def test_wrong_shapes(tmp_path: Path) -> None:
    arrays = make_arrays(n_tracks=2, n_frames=6)
    loc, sc = arrays["locations"], arrays["scores"]
    path = tmp_path / "a.h5"
    with tables.open_file(str(path), mode="w") as handle:
        handle.create_array("/", "tracks", loc[:, :, :1])  # (frames, nodes, 1, tracks): no x, y pair
        handle.create_array("/", "node_names", np.array([n.encode() for n in NODES]))
    assert "'tracks' has shape (6, 3, 1, 2) (track, xy, node, frame), so 3 coordinates" in sleap_error(path)
    write_analysis(path, loc, sc, nodes=["nose", "body"])
    assert "'node_names' has 2 names but 'tracks' has 3 nodes" in sleap_error(path)
    write_analysis(path, loc, sc, skip=("point_scores",))
    with tables.open_file(str(path), mode="a") as handle:
        handle.create_array("/", "point_scores", sc)  # not transposed
    assert "'point_scores' has shape (6, 3, 2) but 'tracks' needs (2, 3, 6)" in sleap_error(path)
    write_analysis(path, loc, sc, track_names=["only"])
    assert "'track_names' has 1 names but 'tracks' has 2 tracks" in sleap_error(path)


def test_unknown_bodypart(tmp_path: Path) -> None:
    arrays = make_arrays()
    path = write_analysis(tmp_path / "a.h5", arrays["locations"], arrays["scores"])
    message = sleap_error(path, bodypart="noze")
    assert "'noze'" in message and "'nose', 'body', 'tail'" in message and "did you mean 'nose'" in message


def test_a_group_where_a_dataset_should_be(tmp_path: Path) -> None:
    path = tmp_path / "a.h5"
    with tables.open_file(str(path), mode="w") as handle:
        handle.create_group("/", "tracks")
    assert "'tracks' is a group, not a dataset" in sleap_error(path)


def test_not_hdf5_and_bad_likelihood(tmp_path: Path) -> None:
    path = tmp_path / "a.h5"
    path.write_text("scorer,x\n")
    assert "not an HDF5 file: it is text, starting 'scorer,x'" in sleap_error(path)
    arrays = make_arrays()
    write_analysis(path, arrays["locations"], arrays["scores"])
    assert "between 0 and 1" in sleap_error(path, likelihood=1.5)
    assert "file not found" in sleap_error(tmp_path / "missing.h5")


def test_a_slp_project_file_gets_a_one_line_pointer_to_the_analysis_export(tmp_path: Path) -> None:
    path = tmp_path / "session.predictions.slp"
    path.write_bytes(b"\x89HDF\r\n\x1a\n")
    with pytest.raises(AssayInputError, match="sleap-convert --format analysis session.predictions.slp"):
        read_tracks(path)
