"""Read SLEAP analysis HDF5 files into a :class:`~assaykit.io.tracks.TrackTable`.

SLEAP's "analysis" export (``sleap-convert --format analysis``, or *Export Analysis HDF5* in the GUI)
stores, for every track (animal) and skeleton node (body part), the position in each video frame and the
point's score. Three writers make these files, and this module reads what each of them writes:

SLEAP (``sleap/info/write_tracking_h5.py``, ``main`` and ``write_occupancy_file``)
    Builds ``tracks`` as (frames, nodes, 2, tracks), ``point_scores`` (frames, nodes, tracks) and
    ``track_occupancy`` (tracks, frames) in float64 (uint8 for the occupancy) and writes every NumPy array
    transposed "since MATLAB expects column-major", so read in Python they are ``tracks`` (tracks, 2,
    nodes, frames), ``point_scores`` (tracks, nodes, frames), ``track_occupancy`` (frames, tracks).
    ``node_names`` and ``track_names`` are lists of ``np.string_`` (fixed-length bytes). An *untracked*
    project (one animal, no SLEAP tracks) has no tracks to name: ``track_names`` is written from an empty
    list, which h5py stores as an empty float64 array of shape (0,), and ``tracks`` has one track. The
    oldest versions wrote only ``tracks``, ``track_occupancy`` and ``track_names``. ``sleap-convert`` and
    the GUI export every frame from the video's frame 0 (``all_frames=True``); only
    ``python -m sleap.info.write_tracking_h5`` without ``--all-frames`` starts at the first labelled frame,
    and the file does not say so.
sleap-io (``sleap_io/io/analysis_h5.py``, ``write_labels``)
    The default preset ``"matlab"`` writes the same shapes as SLEAP; ``"standard"`` writes ``tracks`` as
    (frames, tracks, nodes, 2) and ``point_scores`` as (frames, tracks, nodes). Each array carries a
    ``dims`` attribute naming its axes (JSON, e.g. ``["track", "xy", "node", "frame"]``), which this
    reader follows. An untracked project gets one track named ``""``.
movement (``movement/io/save_poses.py``, ``to_sleap_analysis_file``)
    SLEAP's shapes, positions in float32 as movement holds them, and names as variable-length strings.

So ``tracks`` is read as (tracks, 2, nodes, frames) unless its ``dims`` attribute says otherwise, or the
root attribute ``transpose`` is false (sleap-io's reading of files written untransposed:
(frames, nodes, 2, tracks)), or only the untransposed shape fits ``node_names``. Positions of either float
width become float64; NaN marks a missing point, and an infinite coordinate is read as missing (with a
warning). float32 scores are rounded to the seven decimals they hold, so that a score written as 0.9
passes a 0.9 cut.

As for DeepLabCut, points whose score is below a threshold are set missing and the chosen nodes are
averaged (their centroid); times are frame index / frame rate, since the file stores no frame rate.

References
----------
SLEAP, ``sleap.io.convert`` ("Analysis HDF5"): https://sleap.ai/api/sleap.io.convert.html ; the writer:
https://github.com/talmolab/sleap/blob/develop/sleap/info/write_tracking_h5.py ;
sleap-io's ``sleap_io/io/analysis_h5.py``: https://github.com/talmolab/sleap-io ; movement's
``movement/io/save_poses.py``: https://github.com/neuroinformatics-unit/movement
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assaykit.errors import AssayInputError
from assaykit.io.tracks.hdf5_kind import unreadable_reason
from assaykit.io.tracks.keypoints import centroid, chosen_parts, pose_keypoints
from assaykit.io.tracks.landmarks import moving_parts
from assaykit.io.tracks.sleap_layout import (
    AXES,
    LAYOUT,
    animal_names,
    axis_order,
    checked_scores,
    names_of,
    stored_dims,
)
from assaykit.io.tracks.table import TrackTable, checked_path, track_frame

#: File extensions :func:`read_sleap` understands.
SLEAP_SUFFIXES = (".h5", ".hdf5")

#: Root attributes that may hold the frame rate (SLEAP itself writes none).
_FPS_ATTRIBUTES = ("fps", "frame_rate")
_DATASETS = ("tracks", "point_scores", "node_names", "track_names", "track_occupancy")


def read_sleap(
    path: str | Path,
    *,
    fps: float | None,
    bodypart: str | Sequence[str] | None = None,
    likelihood: float = 0.9,
) -> TrackTable:
    """Read a SLEAP analysis ``.h5`` file as one position per animal (track) and frame.

    Parameters
    ----------
    path
        The analysis HDF5 file (``*.analysis.h5``), read with h5py, as SLEAP writes it.
    fps
        The video's frame rate (frames per second): ``time_s = frame index / fps``. Needed unless the file
        has a positive root attribute ``fps`` or ``frame_rate`` (SLEAP does not write one); ``fps`` wins
        when both are there.
    bodypart
        The node whose position is the animal's position; a sequence of nodes for their centroid; None for
        the centroid of every node.
    likelihood
        Points whose score (``point_scores``) is below this (0 to 1) are set missing before the centroid is
        taken. A point without a score (NaN: labelled by hand, or a file without ``point_scores``) is kept.

    Returns
    -------
    TrackTable
        ``format="sleap"``, ``space_unit="px"``. ``data`` has one row per track and frame (all frames of
        the first track, then the next, in the file's order) with ``animal``, ``time_s``, ``x`` and ``y``;
        a position is the mean of the chosen nodes left on that frame, NaN when none is left. The animal is
        the track's name; a file with one track and no name for it (an untracked, single-animal project:
        empty ``track_names``, or one empty name) names its animal after the file stem, as every
        single-animal reader does (``mouse7.analysis.h5`` is ``mouse7.analysis``); unnamed tracks of a
        file with several are ``track_0``, ``track_1``... (SLEAP's own default names, by position in the
        file). Two tracks with the same name are kept apart as ``name (track i)`` with a warning. A file
        without ``node_names`` (the oldest SLEAP versions) names its nodes ``node_0``, ``node_1``...
        ``low_likelihood`` counts, per animal, the frames whose position is missing only because of the
        threshold.

    Raises
    ------
    AssayInputError
        When the frame rate is missing or not positive, ``likelihood`` is not between 0 and 1, the file is
        missing or not HDF5, ``tracks`` is missing or has a shape no SLEAP writer makes, another dataset
        does not match it, there are no frames, two nodes share a name, or a node asked for is not in the
        file.
    """
    path = checked_path(path, SLEAP_SUFFIXES, "a SLEAP analysis file")
    if isinstance(likelihood, bool) or not isinstance(likelihood, numbers.Real) or not 0 <= likelihood <= 1:
        raise AssayInputError(
            f"the likelihood threshold must be between 0 and 1, not {likelihood!r}", path=path
        )
    arrays, dims, attributes = _read_file(path)
    rate = _frame_rate(fps, attributes, path)
    points, scores, nodes, animals = _checked_layout(arrays, dims, attributes, path)
    n_tracks, _, n_nodes, n_frames = points.shape
    # per track, columns x, y, score for each node, as DeepLabCut's tables
    values = np.empty((n_tracks, n_frames, 3 * n_nodes))
    values[:, :, 0::3] = points[:, 0].transpose(0, 2, 1)
    values[:, :, 1::3] = points[:, 1].transpose(0, 2, 1)
    values[:, :, 2::3] = scores.transpose(0, 2, 1)
    columns = {node: {"x": 3 * i, "y": 3 * i + 1, "likelihood": 3 * i + 2} for i, node in enumerate(nodes)}
    layout = {animal: columns for animal in animals}
    parts = chosen_parts(bodypart, animals, layout, path)
    if bodypart is None:  # the animal's position: leave out landmarks of the apparatus
        parts = moving_parts(parts, list(values), [columns] * n_tracks, likelihood, path)
    xs, ys, low = [], [], {}
    for t, animal in enumerate(animals):
        x, y, low[animal] = centroid(values[t], [columns[p] for p in parts], likelihood)
        xs.append(x)
        ys.append(y)
    data = track_frame(
        np.repeat(np.array(animals, dtype=object), n_frames),
        np.tile(np.arange(n_frames) / rate, n_tracks),
        np.concatenate(xs),
        np.concatenate(ys),
    )
    keypoints = pose_keypoints(list(values), [columns] * n_tracks, parts)
    return TrackTable(
        data=data, source=path, format="sleap", space_unit="px", low_likelihood=low, keypoints=keypoints
    )


def _read_file(
    path: Path,
) -> tuple[dict[str, np.ndarray], dict[str, tuple[str, ...]], dict[str, object]]:
    """Read the datasets used here, their ``dims`` attributes, and the root attributes, with h5py."""
    try:
        import h5py
    except ImportError as exc:
        raise AssayInputError(
            "reading SLEAP .h5 files needs h5py; install it with 'pip install h5py'", path=path
        ) from exc
    arrays: dict[str, np.ndarray] = {}
    dims: dict[str, tuple[str, ...]] = {}
    try:
        with warnings.catch_warnings(), h5py.File(path, "r") as handle:
            warnings.simplefilter("ignore")  # h5py's own notes about the file are not the user's business
            for name in _DATASETS:
                node = handle.get(name)
                if node is None:
                    continue
                if not isinstance(node, h5py.Dataset):
                    raise AssayInputError(f"'{name}' is a group, not a dataset; {LAYOUT}", path=path)
                arrays[name] = np.asarray(node[()])
                if "dims" in node.attrs:
                    dims[name] = stored_dims(node.attrs["dims"], name, path)
            attributes = {key: handle.attrs[key] for key in handle.attrs}
    except AssayInputError:
        raise
    except Exception as exc:  # h5py raises OSError and others for a file that is not HDF5
        raise AssayInputError(unreadable_reason(path, exc), path=path) from exc
    if "tracks" not in arrays:
        raise AssayInputError(
            f"no 'tracks' dataset, so not a SLEAP analysis file; {LAYOUT} (export one with "
            "'sleap-convert --format analysis', or File > Export Analysis HDF5 in SLEAP)",
            path=path,
        )
    return arrays, dims, attributes


def _frame_rate(fps: float | None, attributes: dict[str, object], path: Path) -> float:
    """Return the frame rate: ``fps`` if given, else a usable root attribute, else raise."""
    if fps is None:
        for name in _FPS_ATTRIBUTES:
            value = np.asarray(attributes.get(name, np.nan)).ravel()
            if value.size == 1 and value.dtype.kind in "iuf" and math.isfinite(value[0]) and value[0] > 0:
                return float(value[0])
        raise AssayInputError(
            "SLEAP analysis files store no frame rate; give the video's frames per second with --fps",
            path=path,
        )
    if isinstance(fps, bool) or not isinstance(fps, numbers.Real) or not math.isfinite(fps) or fps <= 0:
        raise AssayInputError(
            f"the frame rate must be a positive number of frames per second, not {fps!r}", path=path
        )
    return float(fps)


def _checked_layout(
    arrays: dict[str, np.ndarray],
    dims: dict[str, tuple[str, ...]],
    attributes: dict[str, object],
    path: Path,
) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Check the shapes; return points, scores (NaN when absent), node names and animal names."""
    raw = arrays["tracks"]
    if raw.ndim != 4 or raw.dtype.kind not in "iuf":
        raise AssayInputError(f"'tracks' has shape {raw.shape} ({raw.dtype}); {LAYOUT}", path=path)
    order = axis_order(raw, arrays, dims, attributes, path)
    points = np.transpose(raw, [order.index(axis) for axis in AXES])
    if points.shape[1] != 2:
        raise AssayInputError(
            f"'tracks' has shape {raw.shape} ({', '.join(order)}), so {points.shape[1]} coordinates per "
            f"point, not 2 (x, y); {LAYOUT}",
            path=path,
        )
    n_tracks, _, n_nodes, n_frames = points.shape
    if n_tracks == 0 or n_nodes == 0 or n_frames == 0:
        raise AssayInputError(
            f"no data: 'tracks' has {n_tracks} tracks, {n_nodes} nodes and {n_frames} frames", path=path
        )
    points = points.astype(np.float64)  # a copy: the infinite points below are set missing in it
    infinite = np.isinf(points).any(axis=1)  # (tracks, nodes, frames)
    if infinite.any():
        points[np.repeat(infinite[:, None], 2, axis=1)] = np.nan
        warnings.warn(
            f"{path}: {int(infinite.sum())} points have an infinite coordinate; read as missing",
            UserWarning,
            stacklevel=3,
        )
    if "node_names" in arrays:
        nodes = names_of(arrays["node_names"], "node_names", path)
    else:
        nodes = [f"node_{i}" for i in range(n_nodes)]
    if len(nodes) != n_nodes:
        raise AssayInputError(
            f"'node_names' has {len(nodes)} names but 'tracks' has {n_nodes} nodes; {LAYOUT}", path=path
        )
    if len(set(nodes)) != n_nodes:
        twice = next(n for n in nodes if nodes.count(n) > 1)
        raise AssayInputError(f"two nodes are named '{twice}' in 'node_names'", path=path)
    scores = checked_scores(arrays.get("point_scores"), dims, order, (n_tracks, n_nodes, n_frames), path)
    names = names_of(arrays.get("track_names", np.array([], dtype="S1")), "track_names", path)
    animals = animal_names(names, n_tracks, path)
    return points, scores, nodes, animals
