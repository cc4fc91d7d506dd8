"""SLEAP analysis files as SLEAP, sleap-io and movement write them, read back to the predictions put in.

The session is a list of per-frame predictions (:class:`sleap_writers.Instance`); each writer builds its own
matrices from it as its code does (see ``sleap_writers.py``). The expected positions are worked out here,
with plain loops, from the predictions themselves, never from the file.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
from sleap_writers import Instance, write_movement, write_sleap, write_sleap_io

from assaykit.errors import AssayInputError
from assaykit.io.tracks import detect_format, read_tracks
from assaykit.io.tracks.sleap import read_sleap

NODES = ["nose", "thorax", "tailbase"]
FPS = 10.0
CUT = 0.5
FIRST, LAST = 5, 34  # frames with predictions; the video starts at 0


def session(
    n_tracks: int, *, tracked: bool = True, seed: int = 3, empty: int | None = None
) -> list[Instance]:
    """Predictions on frames FIRST..LAST: some frames without an animal, some points missing or unsure.

    Coordinates are quarter pixels and so exact in float32 too. Track ``empty`` has no prediction at all.
    """
    rng = np.random.default_rng(seed)
    instances = []
    for frame in range(FIRST, LAST + 1):
        for track in range(n_tracks):
            if track == empty or (frame + track) % 7 == 3:  # this animal not found on this frame
                continue
            if frame in (FIRST, LAST) or rng.random() > 0.1 or track != 0:
                points = (rng.uniform(0, 640, size=(len(NODES), 2)) * 4).round() / 4
            else:
                points = np.full((len(NODES), 2), np.nan)  # an instance with no point at all
            points[rng.random(len(NODES)) < 0.15] = np.nan
            scores = rng.choice([0.2, 0.6, 0.95], size=len(NODES))
            scores[np.isnan(points[:, 0])] = np.nan
            instances.append(Instance(frame, track if tracked else None, points, scores))
    return instances


def expected(
    instances: list[Instance], track: int | None, first: int
) -> tuple[list[float], list[float], int]:
    """Per frame from ``first`` to LAST: the centroid of the points scoring CUT or more, and low frames."""
    by_frame = {inst.frame_idx: inst for inst in instances if inst.track == track}
    xs, ys, low = [], [], 0
    for frame in range(first, LAST + 1):
        inst = by_frame.get(frame)
        kept, seen = [], False
        if inst is not None:
            for node in range(len(NODES)):
                x, y = inst.points[node]
                if math.isnan(x):
                    continue
                seen = True
                if not inst.scores[node] < CUT:
                    kept.append((x, y))
        if kept:
            xs.append(sum(p[0] for p in kept) / len(kept))
            ys.append(sum(p[1] for p in kept) / len(kept))
        else:
            xs.append(math.nan)
            ys.append(math.nan)
            low += seen
    return xs, ys, low


def movement_arrays(instances: list[Instance], n_tracks: int) -> tuple[np.ndarray, np.ndarray]:
    """movement's (time, space, keypoints, individuals) float32 arrays, frames 0..LAST."""
    position = np.full((LAST + 1, 2, len(NODES), n_tracks), np.nan, dtype=np.float32)
    confidence = np.full((LAST + 1, len(NODES), n_tracks), np.nan, dtype=np.float32)
    for inst in instances:
        position[inst.frame_idx, :, :, inst.track or 0] = inst.points.T
        confidence[inst.frame_idx, :, inst.track or 0] = inst.scores
    return position, confidence


def write(writer: str, path: Path, instances: list[Instance], names: list[str], **options: object) -> Path:
    if writer == "sleap":
        return write_sleap(
            path, instances, track_names=names, node_names=NODES, edges=[(0, 1), (1, 2)], **options
        )
    if writer == "sleap-io":
        return write_sleap_io(path, instances, track_names=names, node_names=NODES, edges=[(0, 1)], **options)
    position, confidence = movement_arrays(instances, max(len(names), 1))
    return write_movement(path, position, confidence, individual_names=names, keypoint_names=NODES)


WRITERS = [
    pytest.param("sleap", {}, id="sleap-convert"),
    pytest.param("sleap", {"all_frames": False}, id="sleap-without-all-frames"),
    pytest.param("sleap", {"version": "1.0"}, id="sleap-1.0"),
    pytest.param("sleap-io", {"preset": "matlab"}, id="sleap-io-matlab"),
    pytest.param("sleap-io", {"preset": "standard"}, id="sleap-io-standard"),
    pytest.param("sleap-io", {"all_frames": False}, id="sleap-io-without-all-frames"),
    pytest.param("movement", {}, id="movement-float32"),
]


@pytest.mark.parametrize(("writer", "options"), WRITERS)
@pytest.mark.parametrize("names", [["mouse-a"], ["m1", "m2", "m3"]], ids=["one-track", "three-tracks"])
def test_tracked_files_read_back_to_the_predictions(
    tmp_path: Path, writer: str, options: dict, names: list[str]
) -> None:
    instances = session(len(names))
    path = write(writer, tmp_path / "s1.analysis.h5", instances, names, **options)
    assert detect_format(path) == "sleap"
    table = read_sleap(path, fps=FPS, likelihood=CUT)
    first = FIRST if options.get("all_frames") is False else 0
    n_frames = LAST - first + 1
    data = table.data
    assert data["animal"].tolist() == [name for name in names for _ in range(n_frames)]
    np.testing.assert_allclose(data["time_s"], np.tile(np.arange(n_frames) / FPS, len(names)))
    for track, name in enumerate(names):
        xs, ys, low = expected(instances, track, first)
        rows = data[data["animal"] == name]
        np.testing.assert_allclose(rows["x"], xs, equal_nan=True, rtol=1e-12)
        np.testing.assert_allclose(rows["y"], ys, equal_nan=True, rtol=1e-12)
        assert table.low_likelihood[name] == low


@pytest.mark.parametrize(("writer", "options"), [w for w in WRITERS if w.values[0] != "movement"])
def test_an_untracked_single_animal_file_is_one_animal_named_after_the_file(
    tmp_path: Path, writer: str, options: dict
) -> None:
    instances = session(1, tracked=False)
    path = write(writer, tmp_path / "mouse7.analysis.h5", instances, [], **options)
    with h5py.File(path) as handle:  # what each writer leaves for the names of an untracked project
        names = handle["track_names"][()]
        if writer == "sleap":
            assert names.shape == (0,) and names.dtype == np.float64
        else:
            assert names.tolist() == [b""]
    table = read_sleap(path, fps=FPS, likelihood=CUT)
    first = FIRST if options.get("all_frames") is False else 0
    xs, ys, low = expected(instances, None, first)
    assert table.data["animal"].unique().tolist() == ["mouse7.analysis"]  # the file stem
    np.testing.assert_allclose(table.data["x"], xs, equal_nan=True)
    np.testing.assert_allclose(table.data["y"], ys, equal_nan=True)
    assert table.low_likelihood == {"mouse7.analysis": low}


def test_a_track_sleap_drops_for_being_empty_takes_its_name_with_it(tmp_path: Path) -> None:
    instances = session(3, empty=1)
    path = write_sleap(tmp_path / "a.h5", instances, track_names=["m1", "m2", "m3"], node_names=NODES)
    table = read_sleap(path, fps=FPS, likelihood=CUT)
    assert table.data["animal"].unique().tolist() == ["m1", "m3"]
    xs, _, _ = expected(instances, 2, 0)
    np.testing.assert_allclose(table.data.loc[table.data["animal"] == "m3", "x"], xs, equal_nan=True)


def test_without_track_occupancy_and_the_oldest_layout(tmp_path: Path) -> None:
    instances = session(2)
    path = write_sleap(tmp_path / "a.h5", instances, track_names=["m1", "m2"], node_names=NODES)
    with h5py.File(path, "a") as handle:
        del handle["track_occupancy"]
    xs, _, _ = expected(instances, 1, 0)
    data = read_sleap(path, fps=FPS, likelihood=CUT).data
    np.testing.assert_allclose(data.loc[data["animal"] == "m2", "x"], xs, equal_nan=True)
    # the first SLEAP versions: no node_names, no point_scores; every point counts
    oldest = write_sleap(
        tmp_path / "b.h5", instances, track_names=["m1", "m2"], node_names=NODES, version="0.x"
    )
    assert detect_format(oldest) == "sleap"
    table = read_sleap(oldest, fps=FPS, bodypart="node_1", likelihood=1.0)
    thorax = {i.frame_idx: i.points[1, 0] for i in instances if i.track == 0}
    first = table.data[table.data["animal"] == "m1"]
    np.testing.assert_allclose(first["x"], [thorax.get(f, math.nan) for f in range(LAST + 1)], equal_nan=True)


def test_sleap_io_names_an_unnamed_track_and_duplicates_are_kept_apart(tmp_path: Path) -> None:
    instances = session(3)
    path = write_sleap_io(tmp_path / "a.h5", instances, track_names=["m", "", "m"], node_names=NODES)
    with pytest.warns(UserWarning, match=r"2 tracks are named 'm'.*'m \(track 0\)' and 'm \(track 2\)'"):
        table = read_sleap(path, fps=FPS, likelihood=CUT)
    assert table.data["animal"].unique().tolist() == ["m (track 0)", "track_1", "m (track 2)"]
    xs, _, _ = expected(instances, 2, 0)
    np.testing.assert_allclose(table.data.loc[table.data["animal"] == "m (track 2)", "x"], xs, equal_nan=True)


def test_read_tracks_leaves_no_warning_from_the_hdf5_layer(tmp_path: Path) -> None:
    instances = session(1)
    path = write(("movement"), tmp_path / "a.h5", instances, ["individual_0"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = read_tracks(path, fps=FPS, likelihood=CUT)
    assert table.format == "sleap" and table.data["animal"].unique().tolist() == ["individual_0"]


@pytest.mark.parametrize(
    ("dims", "fragment"),
    [
        ('["track", "xy", "node"]', "expected the axes track, xy, node, frame"),
        ('["frame", "track", "node", "space"]', "expected the axes"),
        ("not json", "expected a JSON list of axis names"),
    ],
)
def test_a_bad_dims_attribute(tmp_path: Path, dims: str, fragment: str) -> None:
    path = write_sleap_io(tmp_path / "a.h5", session(1), track_names=["m"], node_names=NODES)
    with h5py.File(path, "a") as handle:
        handle["tracks"].attrs["dims"] = dims
    with pytest.raises(AssayInputError, match=fragment):
        read_sleap(path, fps=FPS)


def test_a_float32_score_written_as_the_threshold_passes_it(tmp_path: Path) -> None:
    # movement keeps scores in float32: 0.9 is stored as 0.899999976, and means 0.9
    instances = session(1)
    position, confidence = movement_arrays(instances, 1)
    confidence[~np.isnan(confidence)] = np.float32(0.9)
    confidence[7, 0, 0] = np.float32(0.8999)  # below the cut in any precision
    path = write_movement(
        tmp_path / "a.h5", position, confidence, individual_names=["m"], keypoint_names=NODES
    )
    table = read_sleap(path, fps=FPS, bodypart="nose", likelihood=0.9)
    nose = {inst.frame_idx: inst.points[0, 0] for inst in instances}
    wanted = [nose.get(f, math.nan) for f in range(LAST + 1)]
    wanted[7] = math.nan
    np.testing.assert_allclose(table.data["x"], wanted, equal_nan=True)


def test_infinite_coordinates_are_missing_with_a_warning(tmp_path: Path) -> None:
    instances = session(1)
    path = write_sleap(tmp_path / "a.h5", instances, track_names=["m"], node_names=NODES)
    with h5py.File(path, "a") as handle:
        tracks = handle["tracks"][()]
        tracks[0, 0, :, 12] = np.inf  # every node's x on frame 12
        tracks[0, 1, 1, 11] = -np.inf  # the thorax's y on frame 11
        del handle["tracks"]
        handle["tracks"] = tracks
    with pytest.warns(UserWarning, match=r"a.h5: 4 points have an infinite coordinate; read as missing"):
        table = read_sleap(path, fps=FPS, likelihood=0.0)
    by_frame = {inst.frame_idx: inst for inst in instances}
    assert not np.isnan(by_frame[12].points[:, 0]).all()  # frame 12 had a position: now it has none
    assert math.isnan(table.data["x"].iloc[12])
    kept = [n for n in (0, 2) if not math.isnan(by_frame[11].points[n, 0])]
    assert table.data["x"].iloc[11] == pytest.approx(np.mean([by_frame[11].points[n, 0] for n in kept]))
