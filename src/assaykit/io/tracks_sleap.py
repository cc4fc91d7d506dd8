"""Read SLEAP analysis HDF5 files into a :class:`~assaykit.io.tracks.TrackTable`.

SLEAP's "analysis" export (``sleap-convert --format analysis``, or *Export Analysis HDF5* in the GUI)
stores, for every track (animal) and skeleton node (body part), the position in each video frame and the
point's score. SLEAP documents the shapes in MATLAB's column-major order (``tracks``: frames * nodes * 2 *
tracks) and writes each array transposed, so read in Python (PyTables, h5py) the datasets are:

* ``tracks``: (n_tracks, 2, n_nodes, n_frames), float, NaN where a point is missing;
* ``point_scores``: (n_tracks, n_nodes, n_frames), NaN for user-labelled points;
* ``node_names``: (n_nodes,), bytes;
* ``track_names``: (n_tracks,), bytes, empty for untracked (single-animal) files;
* ``track_occupancy``: (n_frames, n_tracks).

As for DeepLabCut, points whose score is below a threshold are set missing and the chosen nodes are
averaged (their centroid); times are frame index / frame rate, since the file stores no frame rate.

References
----------
SLEAP, ``sleap.io.convert`` ("Analysis HDF5"): https://sleap.ai/api/sleap.io.convert.html ; the writer,
``sleap/info/write_tracking_h5.py`` (``write_occupancy_file`` transposes every array before saving):
https://github.com/talmolab/sleap/blob/develop/sleap/info/write_tracking_h5.py
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assaykit.errors import AssayInputError
from assaykit.io.tracks import TrackTable
from assaykit.io.tracks_dlc import _centroid, _chosen_parts, pose_keypoints
from assaykit.io.tracks_vendor import _checked_path, _track_frame

#: File extensions :func:`read_sleap` understands.
SLEAP_SUFFIXES = (".h5", ".hdf5")

#: Root attributes that may hold the frame rate (SLEAP itself writes none).
_FPS_ATTRIBUTES = ("fps", "frame_rate")
_LAYOUT = (
    "a SLEAP analysis file holds 'tracks' (n_tracks, 2, n_nodes, n_frames), 'node_names' (n_nodes,) and "
    "optionally 'point_scores' (n_tracks, n_nodes, n_frames) and 'track_names' (n_tracks,)"
)


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
        The analysis HDF5 file (``*.analysis.h5``), read with PyTables.
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
        the track's name (``track_0``, ``track_1``... when the file has none), or the file stem for a
        single untracked animal. ``low_likelihood`` counts, per animal, the frames whose position is
        missing only because of the threshold.

    Raises
    ------
    AssayInputError
        When the frame rate is missing or not positive, ``likelihood`` is not between 0 and 1, the file is
        missing or not HDF5, a dataset is missing or has the wrong shape, there are no frames, two tracks
        share a name, or a node asked for is not in the file.
    """
    path = _checked_path(path, SLEAP_SUFFIXES, "a SLEAP analysis file")
    if isinstance(likelihood, bool) or not isinstance(likelihood, numbers.Real) or not 0 <= likelihood <= 1:
        raise AssayInputError(
            f"the likelihood threshold must be between 0 and 1, not {likelihood!r}", path=path
        )
    arrays, attributes = _read_arrays(path)
    rate = _frame_rate(fps, attributes, path)
    points, scores, nodes, animals = _checked_layout(arrays, path)
    n_tracks, _, n_nodes, n_frames = points.shape
    # per track, columns x, y, score for each node, as DeepLabCut's tables
    values = np.empty((n_tracks, n_frames, 3 * n_nodes))
    values[:, :, 0::3] = points[:, 0].transpose(0, 2, 1)
    values[:, :, 1::3] = points[:, 1].transpose(0, 2, 1)
    values[:, :, 2::3] = scores.transpose(0, 2, 1)
    columns = {node: {"x": 3 * i, "y": 3 * i + 1, "likelihood": 3 * i + 2} for i, node in enumerate(nodes)}
    layout = {animal: columns for animal in animals}
    parts = _chosen_parts(bodypart, animals, layout, path)
    xs, ys, low = [], [], {}
    for t, animal in enumerate(animals):
        x, y, low[animal] = _centroid(values[t], [columns[p] for p in parts], likelihood)
        xs.append(x)
        ys.append(y)
    data = _track_frame(
        np.repeat(np.array(animals, dtype=object), n_frames),
        np.tile(np.arange(n_frames) / rate, n_tracks),
        np.concatenate(xs),
        np.concatenate(ys),
    )
    keypoints = pose_keypoints(list(values), [columns] * n_tracks, parts)
    return TrackTable(
        data=data, source=path, format="sleap", space_unit="px", low_likelihood=low, keypoints=keypoints
    )


def is_sleap_analysis(path: Path) -> bool:
    """Whether an HDF5 file looks like a SLEAP analysis file (root arrays ``tracks`` and ``node_names``)."""
    try:
        import tables

        with tables.open_file(str(path), mode="r") as handle:
            return "tracks" in handle.root and "node_names" in handle.root
    except Exception:  # not HDF5, PyTables missing: let the DeepLabCut reader explain
        return False


def _read_arrays(path: Path) -> tuple[dict[str, np.ndarray], dict[str, object]]:
    """Read the datasets used here and the root attributes, with PyTables."""
    try:
        import tables
    except ImportError as exc:
        raise AssayInputError(
            "reading SLEAP .h5 files needs PyTables; install it with 'pip install tables'", path=path
        ) from exc
    try:
        with tables.open_file(str(path), mode="r") as handle:
            root = handle.root
            arrays = {
                name: np.asarray(root[name].read())
                for name in ("tracks", "point_scores", "node_names", "track_names")
                if name in root and isinstance(root[name], tables.Leaf)
            }
            attributes = {name: root._v_attrs[name] for name in root._v_attrs._v_attrnamesuser}
    except Exception as exc:  # PyTables raises many types for a file that is not HDF5
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise AssayInputError(f"cannot read it as a SLEAP analysis .h5 file ({reason})", path=path) from exc
    for name in ("tracks", "node_names"):
        if name not in arrays:
            raise AssayInputError(f"no '{name}' dataset; {_LAYOUT}", path=path)
    return arrays, attributes


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
    arrays: dict[str, np.ndarray], path: Path
) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Check the shapes; return points, scores (NaN when absent), node names and animal names."""
    points = arrays["tracks"]
    if points.ndim != 4 or points.shape[1] != 2 or points.dtype.kind not in "iuf":
        raise AssayInputError(f"'tracks' has shape {points.shape} ({points.dtype}); {_LAYOUT}", path=path)
    n_tracks, _, n_nodes, n_frames = points.shape
    if n_tracks == 0 or n_nodes == 0 or n_frames == 0:
        raise AssayInputError(
            f"no data: 'tracks' has shape {points.shape} (tracks, 2, nodes, frames)", path=path
        )
    nodes = _names(arrays["node_names"], "node_names", path)
    if len(nodes) != n_nodes:
        raise AssayInputError(
            f"'node_names' has {len(nodes)} names but 'tracks' has {n_nodes} nodes; {_LAYOUT}", path=path
        )
    if len(set(nodes)) != n_nodes:
        twice = next(n for n in nodes if nodes.count(n) > 1)
        raise AssayInputError(f"two nodes are named '{twice}' in 'node_names'", path=path)
    scores = arrays.get("point_scores")
    if scores is None:
        scores = np.full((n_tracks, n_nodes, n_frames), np.nan)
    elif scores.shape != (n_tracks, n_nodes, n_frames) or scores.dtype.kind not in "iuf":
        raise AssayInputError(
            f"'point_scores' has shape {scores.shape} but 'tracks' {points.shape} needs "
            f"{(n_tracks, n_nodes, n_frames)}; {_LAYOUT}",
            path=path,
        )
    names = _names(arrays.get("track_names", np.array([], dtype="S1")), "track_names", path)
    if not names:
        names = [path.stem] if n_tracks == 1 else [f"track_{i}" for i in range(n_tracks)]
    elif len(names) != n_tracks:
        raise AssayInputError(
            f"'track_names' has {len(names)} names but 'tracks' has {n_tracks} tracks; {_LAYOUT}", path=path
        )
    names = [name or f"track_{i}" for i, name in enumerate(names)]
    if len(set(names)) != n_tracks:
        twice = next(n for n in names if names.count(n) > 1)
        raise AssayInputError(f"two tracks are named '{twice}' in 'track_names'", path=path)
    return points.astype(np.float64, copy=False), scores.astype(np.float64, copy=False), nodes, names


def _names(values: np.ndarray, what: str, path: Path) -> list[str]:
    """Decode a 1-D array of byte (or text) names, stripped."""
    if values.ndim != 1 or values.dtype.kind not in "SUO":
        raise AssayInputError(
            f"'{what}' must be a list of names, found shape {values.shape} ({values.dtype})", path=path
        )
    out = []
    for value in values.tolist():
        text = value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)
        out.append(text.strip())
    return out
