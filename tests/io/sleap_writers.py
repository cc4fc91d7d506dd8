"""Write SLEAP analysis files the way each of their three writers does, for the reader's tests.

Each function mirrors one writer's code, line for line where it matters, with h5py as they use it:

* :func:`write_sleap`: SLEAP's ``sleap/info/write_tracking_h5.py`` (``get_occupancy_and_points_matrices``,
  ``remove_empty_tracks_from_matrices``, ``main`` and ``write_occupancy_file``), SLEAP 1.3, the code that
  ``sleap-convert --format analysis`` and File > Export Analysis HDF5 run. ``version`` "1.0" and "0.x" write
  only the datasets of earlier versions of ``main`` (:data:`OLD_DATASETS`).
* :func:`write_sleap_io`: sleap-io's ``sleap_io/io/analysis_h5.py`` (``_get_occupancy_and_points`` and
  ``write_labels``), presets ``"matlab"`` and ``"standard"``.
* :func:`write_movement`: movement's ``movement/io/save_poses.py`` (``to_sleap_analysis_file``).

A session is given as :class:`Instance` objects (one animal on one frame, as SLEAP's labeled frames hold
them), so that every writer builds its own matrices from the same predictions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

#: What the earlier versions of SLEAP's ``main`` wrote: "1.0" (no edges, no metadata) and "0.x", the first,
#: whose docstring lists only the occupancy, the tracks and their names.
OLD_DATASETS = {
    "1.0": (
        "track_names",
        "node_names",
        "tracks",
        "track_occupancy",
        "point_scores",
        "instance_scores",
        "tracking_scores",
    ),
    "0.x": ("track_occupancy", "tracks", "track_names"),
}


@dataclass(frozen=True)
class Instance:
    """One animal on one video frame: SLEAP's ``PredictedInstance`` reduced to what the writers read."""

    frame_idx: int
    track: int | None  # index into the project's tracks; None for an untracked project
    points: np.ndarray  # (n_nodes, 2), NaN for a point not predicted
    scores: np.ndarray  # (n_nodes,)
    score: float = 0.9
    tracking_score: float = 0.0


def write_sleap(
    path: Path,
    instances: list[Instance],
    *,
    track_names: list[str],
    node_names: list[str],
    edges: list[tuple[int, int]] = (),
    all_frames: bool = True,
    version: str = "1.3",
) -> Path:
    """Write as SLEAP's ``write_tracking_h5.main`` does (``all_frames`` True for ``sleap-convert``)."""
    n_nodes = len(node_names)
    # get_tracks_as_np_strings: [np.string_(track.name) for track in labels.tracks]
    names = [np.bytes_(name) for name in track_names]
    # get_occupancy_and_points_matrices
    track_count = len(track_names) or 1
    frame_idxs = sorted({inst.frame_idx for inst in instances})
    first_frame_idx = 0 if all_frames else frame_idxs[0]
    frame_count = frame_idxs[-1] - first_frame_idx + 1
    occupancy_matrix = np.zeros((track_count, frame_count), dtype=np.uint8)
    locations_matrix = np.full((frame_count, n_nodes, 2, track_count), np.nan, dtype=float)
    point_scores = np.full((frame_count, n_nodes, track_count), np.nan, dtype=float)
    instance_scores = np.full((frame_count, track_count), np.nan, dtype=float)
    tracking_scores = np.full((frame_count, track_count), np.nan, dtype=float)
    for inst in instances:
        frame_i = inst.frame_idx - first_frame_idx
        track_i = 0 if inst.track is None else inst.track
        occupancy_matrix[track_i, frame_i] = 1
        locations_matrix[frame_i, ..., track_i] = inst.points
        point_scores[frame_i, ..., track_i] = inst.scores
        instance_scores[frame_i, ..., track_i] = inst.score
        tracking_scores[frame_i, ..., track_i] = inst.tracking_score
    # remove_empty_tracks_from_matrices
    occupied_track_mask = np.sum(occupancy_matrix, axis=1) > 0
    if np.sum(~occupied_track_mask):
        occupancy_matrix = occupancy_matrix[occupied_track_mask]
        locations_matrix = locations_matrix[..., occupied_track_mask]
        point_scores = point_scores[..., occupied_track_mask]
        instance_scores = instance_scores[..., occupied_track_mask]
        tracking_scores = tracking_scores[..., occupied_track_mask]
        names = [names[i] for i in range(len(names)) if occupied_track_mask[i]]
    data_dict: dict[str, object] = dict(
        track_names=names,
        node_names=[np.bytes_(name) for name in node_names],
        edge_names=[(np.bytes_(node_names[a]), np.bytes_(node_names[b])) for a, b in edges],
        edge_inds=list(edges),
        tracks=locations_matrix,
        track_occupancy=occupancy_matrix,
        point_scores=point_scores,
        instance_scores=instance_scores,
        tracking_scores=tracking_scores,
        labels_path=str(None),  # NoneType cannot be written to hdf5.
        video_path="video.mp4",
        video_ind=0,
        provenance=json.dumps({}),
    )
    if version in OLD_DATASETS:
        data_dict = {k: v for k, v in data_dict.items() if k in OLD_DATASETS[version]}
    _write_occupancy_file(path, data_dict, transpose=True)
    return path


def _write_occupancy_file(output_path: Path, data_dict: dict[str, object], transpose: bool = True) -> None:
    """SLEAP's ``write_occupancy_file``: NumPy arrays transposed (for MATLAB) and compressed."""
    with h5py.File(output_path, "w") as f:
        for key, val in data_dict.items():
            if isinstance(val, np.ndarray):
                data = np.transpose(val) if transpose else val
                f.create_dataset(key, data=data, compression="gzip", compression_opts=9)
            else:
                f.create_dataset(key, data=val)


def write_sleap_io(
    path: Path,
    instances: list[Instance],
    *,
    track_names: list[str],
    node_names: list[str],
    edges: list[tuple[int, int]] = (),
    all_frames: bool = True,
    preset: str = "matlab",
) -> Path:
    """Write as sleap-io's ``write_labels`` does, with its ``"matlab"`` or ``"standard"`` preset."""
    n_nodes = len(node_names)
    frame_idxs = sorted({inst.frame_idx for inst in instances})
    first_frame = 0 if all_frames else frame_idxs[0]
    n_frames = frame_idxs[-1] - first_frame + 1
    tracks: list[str | None] = list(track_names) or [None]  # Handle untracked case
    track_count = len(tracks)
    occupancy = np.zeros((n_frames, track_count), dtype=np.uint8)
    locations = np.full((n_frames, track_count, n_nodes, 2), np.nan, dtype=np.float64)
    point_scores = np.full((n_frames, track_count, n_nodes), np.nan, dtype=np.float64)
    instance_scores = np.full((n_frames, track_count), np.nan, dtype=np.float64)
    tracking_scores = np.full((n_frames, track_count), np.nan, dtype=np.float64)
    for inst in instances:
        frame_i = inst.frame_idx - first_frame
        track_i = 0 if inst.track is None else inst.track
        occupancy[frame_i, track_i] = 1
        locations[frame_i, track_i, :, :] = inst.points
        tracking_scores[frame_i, track_i] = inst.tracking_score
        point_scores[frame_i, track_i, :] = inst.scores
        instance_scores[frame_i, track_i] = inst.score
    keep_mask = np.sum(occupancy, axis=0) > 0
    if not np.all(keep_mask):
        occupancy = occupancy[:, keep_mask]
        locations = locations[:, keep_mask, :, :]
        point_scores = point_scores[:, keep_mask, :]
        instance_scores = instance_scores[:, keep_mask]
        tracking_scores = tracking_scores[:, keep_mask]
        tracks = [t for i, t in enumerate(tracks) if keep_mask[i]]
    names = [t if t else "" for t in tracks]
    # PRESETS and the axis bookkeeping of write_labels, for the two presets
    if preset == "matlab":
        dims_4d, dims_3d, dims_2d = (
            ("track", "xy", "node", "frame"),
            ("track", "node", "frame"),
            ("track", "frame"),
        )
        locations = np.transpose(locations, (1, 3, 2, 0))
        point_scores = np.transpose(point_scores, (1, 2, 0))
        instance_scores, tracking_scores = instance_scores.T, tracking_scores.T
        dims_occupancy = ("frame", "track")  # the quirk sleap-io keeps from SLEAP
    else:
        dims_4d, dims_3d, dims_2d = (
            ("frame", "track", "node", "xy"),
            ("frame", "track", "node"),
            ("frame", "track"),
        )
        dims_occupancy = dims_2d
    with h5py.File(path, "w") as f:

        def write_dataset(name: str, data: object, dim_names: tuple[str, ...] | None = None) -> None:
            if isinstance(data, np.ndarray):
                ds = f.create_dataset(name, data=data, compression="gzip", compression_opts=9)
                if dim_names is not None:
                    ds.attrs["dims"] = json.dumps(dim_names)
            else:
                f.create_dataset(name, data=data)

        write_dataset("tracks", locations, dim_names=dims_4d)
        write_dataset("track_occupancy", occupancy, dim_names=dims_occupancy)
        write_dataset("point_scores", point_scores, dim_names=dims_3d)
        write_dataset("instance_scores", instance_scores, dim_names=dims_2d)
        write_dataset("tracking_scores", tracking_scores, dim_names=dims_2d)
        write_dataset("track_names", np.array([n.encode("utf-8") for n in names]))
        write_dataset("node_names", np.array([n.encode("utf-8") for n in node_names]))
        write_dataset(
            "edge_names",
            np.array([(node_names[a].encode("utf-8"), node_names[b].encode("utf-8")) for a, b in edges]),
        )
        write_dataset("edge_inds", np.array(list(edges)))
        write_dataset("labels_path", "")
        write_dataset("video_path", "video.mp4")
        write_dataset("video_ind", 0)
        write_dataset("provenance", json.dumps({}))
        f.attrs["preset"] = preset
        f.attrs["format"] = "analysis"
        f.attrs["sleap_io_version"] = "1.0"
        f.attrs["skeleton_name"] = ""
        f.attrs["skeleton_symmetries"] = json.dumps([])
        f.attrs["video_backend_metadata"] = json.dumps({})
    return path


def write_movement(
    path: Path,
    position: np.ndarray,
    confidence: np.ndarray,
    *,
    individual_names: list[str],
    keypoint_names: list[str],
) -> Path:
    """Write as movement's ``to_sleap_analysis_file`` does.

    ``position`` is movement's (time, space, keypoints, individuals) array and ``confidence`` its (time,
    keypoints, individuals) array, float32 as movement keeps them; time is in frames (no fps).
    """
    # _remove_unoccupied_tracks: drop individuals with no position at all
    occupied = ~np.isnan(position).all(axis=(0, 1, 2))
    position, confidence = position[..., occupied], confidence[..., occupied]
    individual_names = [n for n, keep in zip(individual_names, occupied, strict=True) if keep]
    n_individuals, n_frames = len(individual_names), position.shape[0]
    pos_x = position[:, 0]
    track_occupancy = (~np.all(np.isnan(pos_x), axis=1)).astype(int)
    tracks = position.transpose(3, 1, 2, 0)
    point_scores = confidence.T
    instance_scores = np.full((n_individuals, n_frames), np.nan, dtype=float)
    tracking_scores = np.full((n_individuals, n_frames), np.nan, dtype=float)
    data_dict: dict[str, object] = dict(
        track_names=individual_names,
        node_names=keypoint_names,
        tracks=tracks,
        track_occupancy=track_occupancy,
        point_scores=point_scores,
        instance_scores=instance_scores,
        tracking_scores=tracking_scores,
        labels_path="",
        edge_names=[],
        edge_inds=[],
        video_path="",
        video_ind=0,
        provenance="{}",
    )
    with h5py.File(path, "w") as f:
        for key, val in data_dict.items():
            if isinstance(val, np.ndarray):
                f.create_dataset(key, data=val, compression="gzip", compression_opts=9)
            else:
                f.create_dataset(key, data=val)
    return path
