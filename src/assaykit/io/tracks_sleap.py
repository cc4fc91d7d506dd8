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
width become float64; NaN marks a missing point.

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

import json
import math
import numbers
import warnings
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
#: The axis order this module works in: SLEAP's, as its writer leaves ``tracks`` on disk.
_AXES = ("track", "xy", "node", "frame")
_SCORE_AXES = ("track", "node", "frame")
#: sleap-io's reading of a file written without SLEAP's transpose (root attribute ``transpose`` false).
_UNTRANSPOSED = ("frame", "node", "xy", "track")
_DATASETS = ("tracks", "point_scores", "node_names", "track_names", "track_occupancy")
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
    path = _checked_path(path, SLEAP_SUFFIXES, "a SLEAP analysis file")
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
    """Whether an HDF5 file looks like a SLEAP analysis file: a root dataset ``tracks``.

    DeepLabCut's ``.h5`` (a pandas HDFStore) holds a group ``df_with_missing`` and no ``tracks``.
    """
    try:
        import h5py

        with h5py.File(path, "r") as handle:
            return isinstance(handle.get("tracks"), h5py.Dataset)
    except Exception:  # not HDF5, unreadable, h5py missing: let the DeepLabCut reader explain
        return False


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
                    raise AssayInputError(f"'{name}' is a group, not a dataset; {_LAYOUT}", path=path)
                arrays[name] = np.asarray(node[()])
                if "dims" in node.attrs:
                    dims[name] = _dims(node.attrs["dims"], name, path)
            attributes = {key: handle.attrs[key] for key in handle.attrs}
    except AssayInputError:
        raise
    except Exception as exc:  # h5py raises OSError and others for a file that is not HDF5
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise AssayInputError(f"cannot read it as a SLEAP analysis .h5 file ({reason})", path=path) from exc
    if "tracks" not in arrays:
        raise AssayInputError(
            f"no 'tracks' dataset, so not a SLEAP analysis file; {_LAYOUT} (export one with "
            "'sleap-convert --format analysis', or File > Export Analysis HDF5 in SLEAP)",
            path=path,
        )
    return arrays, dims, attributes


def _dims(value: object, name: str, path: Path) -> tuple[str, ...]:
    """Decode a ``dims`` attribute (sleap-io: a JSON list of axis names)."""
    text = value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value
    try:
        names = json.loads(text) if isinstance(text, str) else list(np.asarray(text).tolist())
    except ValueError:
        names = None
    if not isinstance(names, list) or not all(isinstance(n, str | bytes) for n in names):
        raise AssayInputError(
            f"'{name}' has a 'dims' attribute {value!r}; expected a JSON list of axis names", path=path
        )
    return tuple(n.decode() if isinstance(n, bytes) else n for n in names)


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


def _axis_order(
    raw: np.ndarray,
    arrays: dict[str, np.ndarray],
    dims: dict[str, tuple[str, ...]],
    attributes: dict[str, object],
    path: Path,
) -> tuple[str, ...]:
    """Return the names of the axes of ``tracks`` as stored (see the module docstring)."""
    if "tracks" in dims:
        order = dims["tracks"]
        if sorted(order) != sorted(_AXES):
            raise AssayInputError(
                f"'tracks' has dims {list(order)}; expected the axes {', '.join(_AXES)} in some order",
                path=path,
            )
        return order
    transpose = attributes.get("transpose")
    if transpose is not None and not bool(np.asarray(transpose).ravel()[0]):
        return _UNTRANSPOSED
    if raw.ndim != 4 or "node_names" not in arrays:
        return _AXES
    n_nodes = len(np.asarray(arrays["node_names"]).ravel())
    fits_sleap = raw.shape[1] == 2 and raw.shape[2] == n_nodes
    fits_untransposed = raw.shape[2] == 2 and raw.shape[1] == n_nodes
    if fits_untransposed and not fits_sleap:
        return _UNTRANSPOSED
    occupancy = arrays.get("track_occupancy")
    # both fit (two nodes): SLEAP stores the occupancy as (frames, tracks), so it tells them apart
    if (
        fits_untransposed
        and occupancy is not None
        and raw.shape[0] != raw.shape[3]
        and occupancy.shape == (raw.shape[0], raw.shape[3])
    ):
        return _UNTRANSPOSED
    return _AXES


def _checked_layout(
    arrays: dict[str, np.ndarray],
    dims: dict[str, tuple[str, ...]],
    attributes: dict[str, object],
    path: Path,
) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Check the shapes; return points, scores (NaN when absent), node names and animal names."""
    raw = arrays["tracks"]
    if raw.ndim != 4 or raw.dtype.kind not in "iuf":
        raise AssayInputError(f"'tracks' has shape {raw.shape} ({raw.dtype}); {_LAYOUT}", path=path)
    order = _axis_order(raw, arrays, dims, attributes, path)
    points = np.transpose(raw, [order.index(axis) for axis in _AXES])
    if points.shape[1] != 2:
        raise AssayInputError(
            f"'tracks' has shape {raw.shape} ({', '.join(order)}), so {points.shape[1]} coordinates per "
            f"point, not 2 (x, y); {_LAYOUT}",
            path=path,
        )
    n_tracks, _, n_nodes, n_frames = points.shape
    if n_tracks == 0 or n_nodes == 0 or n_frames == 0:
        raise AssayInputError(
            f"no data: 'tracks' has {n_tracks} tracks, {n_nodes} nodes and {n_frames} frames", path=path
        )
    if "node_names" in arrays:
        nodes = _names(arrays["node_names"], "node_names", path)
    else:
        nodes = [f"node_{i}" for i in range(n_nodes)]
    if len(nodes) != n_nodes:
        raise AssayInputError(
            f"'node_names' has {len(nodes)} names but 'tracks' has {n_nodes} nodes; {_LAYOUT}", path=path
        )
    if len(set(nodes)) != n_nodes:
        twice = next(n for n in nodes if nodes.count(n) > 1)
        raise AssayInputError(f"two nodes are named '{twice}' in 'node_names'", path=path)
    scores = _scores(arrays.get("point_scores"), dims, order, (n_tracks, n_nodes, n_frames), path)
    names = _names(arrays.get("track_names", np.array([], dtype="S1")), "track_names", path)
    animals = _animal_names(names, n_tracks, path)
    return points.astype(np.float64, copy=False), scores, nodes, animals


def _scores(
    raw: np.ndarray | None,
    dims: dict[str, tuple[str, ...]],
    order: tuple[str, ...],
    shape: tuple[int, int, int],
    path: Path,
) -> np.ndarray:
    """Return ``point_scores`` as (tracks, nodes, frames) float64; NaN everywhere without it."""
    if raw is None:
        return np.full(shape, np.nan)
    stored = dims.get("point_scores") or tuple(axis for axis in order if axis != "xy")
    if raw.ndim != 3 or raw.dtype.kind not in "iuf" or sorted(stored) != sorted(_SCORE_AXES):
        raise AssayInputError(
            f"'point_scores' has shape {raw.shape} ({raw.dtype}); expected (tracks, nodes, frames) "
            f"{shape} to go with 'tracks'",
            path=path,
        )
    scores = np.transpose(raw, [stored.index(axis) for axis in _SCORE_AXES])
    if scores.shape != shape:
        expected = tuple(shape[_SCORE_AXES.index(axis)] for axis in stored)
        raise AssayInputError(
            f"'point_scores' has shape {raw.shape} but 'tracks' needs {expected} ({', '.join(stored)}); "
            f"{_LAYOUT}",
            path=path,
        )
    return scores.astype(np.float64, copy=False)


def _names(values: np.ndarray, what: str, path: Path) -> list[str]:
    """Decode a 1-D array of byte (or text) names, stripped; an empty array of any type has none.

    SLEAP writes ``track_names`` of an untracked project from an empty list, which h5py stores as an
    empty float64 array.
    """
    values = np.asarray(values)
    if values.size == 0:
        return []
    if values.ndim != 1 or values.dtype.kind not in "SUO":
        raise AssayInputError(
            f"'{what}' must be a list of names, found shape {values.shape} ({values.dtype})", path=path
        )
    out = []
    for value in values.tolist():
        if isinstance(value, bytes):
            out.append(value.decode("utf-8", errors="replace").strip())
        elif isinstance(value, str):
            out.append(value.strip())
        else:
            raise AssayInputError(f"'{what}' holds {value!r}, not a name", path=path)
    return out


def _animal_names(names: list[str], n_tracks: int, path: Path) -> list[str]:
    """Name each track: its own name, the file stem for a lone unnamed track, else ``track_i``.

    Two tracks with one name (SLEAP allows it) are kept apart as ``name (track i)``, with a warning, so
    that neither animal's frames are merged into the other's.
    """
    if names and len(names) != n_tracks:
        raise AssayInputError(
            f"'track_names' has {len(names)} names but 'tracks' has {n_tracks} tracks; {_LAYOUT}", path=path
        )
    if n_tracks == 1 and not (names and names[0]):
        return [path.stem]
    animals = [name or f"track_{i}" for i, name in enumerate(names or [""] * n_tracks)]
    for name in dict.fromkeys(animals):
        where = [i for i, animal in enumerate(animals) if animal == name]
        if len(where) > 1:
            renamed = [f"{name} (track {i})" for i in where]
            for i, new in zip(where, renamed, strict=True):
                animals[i] = new
            listed = " and ".join(f"'{new}'" for new in renamed)
            warnings.warn(
                f"{path}: {len(where)} tracks are named '{name}' in 'track_names'; read as {listed} "
                "(merge them in SLEAP if they are one animal)",
                UserWarning,
                stacklevel=4,
            )
    return animals
