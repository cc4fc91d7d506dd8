"""A SLEAP analysis file's layout: axis order, scores and names (see :mod:`assaykit.io.tracks.sleap`)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np

from assaykit.errors import AssayInputError

#: The axis order this module works in: SLEAP's, as its writer leaves ``tracks`` on disk.
AXES = ("track", "xy", "node", "frame")
SCORE_AXES = ("track", "node", "frame")
#: sleap-io's reading of a file written without SLEAP's transpose (root attribute ``transpose`` false).
UNTRANSPOSED = ("frame", "node", "xy", "track")
LAYOUT = (
    "a SLEAP analysis file holds 'tracks' (n_tracks, 2, n_nodes, n_frames), 'node_names' (n_nodes,) and "
    "optionally 'point_scores' (n_tracks, n_nodes, n_frames) and 'track_names' (n_tracks,)"
)


def stored_dims(value: object, name: str, path: Path) -> tuple[str, ...]:
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


def axis_order(
    raw: np.ndarray,
    arrays: dict[str, np.ndarray],
    dims: dict[str, tuple[str, ...]],
    attributes: dict[str, object],
    path: Path,
) -> tuple[str, ...]:
    """Return the names of the axes of ``tracks`` as stored (see the module docstring)."""
    if "tracks" in dims:
        order = dims["tracks"]
        if sorted(order) != sorted(AXES):
            raise AssayInputError(
                f"'tracks' has dims {list(order)}; expected the axes {', '.join(AXES)} in some order",
                path=path,
            )
        return order
    transpose = attributes.get("transpose")
    if transpose is not None and not bool(np.asarray(transpose).ravel()[0]):
        return UNTRANSPOSED
    if raw.ndim != 4 or "node_names" not in arrays:
        return AXES
    n_nodes = len(np.asarray(arrays["node_names"]).ravel())
    fits_sleap = raw.shape[1] == 2 and raw.shape[2] == n_nodes
    fits_untransposed = raw.shape[2] == 2 and raw.shape[1] == n_nodes
    if fits_untransposed and not fits_sleap:
        return UNTRANSPOSED
    occupancy = arrays.get("track_occupancy")
    # both fit (two nodes): SLEAP stores the occupancy as (frames, tracks), so it tells them apart
    if (
        fits_untransposed
        and occupancy is not None
        and raw.shape[0] != raw.shape[3]
        and occupancy.shape == (raw.shape[0], raw.shape[3])
    ):
        return UNTRANSPOSED
    return AXES


def checked_scores(
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
    if raw.ndim != 3 or raw.dtype.kind not in "iuf" or sorted(stored) != sorted(SCORE_AXES):
        raise AssayInputError(
            f"'point_scores' has shape {raw.shape} ({raw.dtype}); expected (tracks, nodes, frames) "
            f"{shape} to go with 'tracks'",
            path=path,
        )
    scores = np.transpose(raw, [stored.index(axis) for axis in SCORE_AXES])
    if scores.shape != shape:
        expected = tuple(shape[SCORE_AXES.index(axis)] for axis in stored)
        raise AssayInputError(
            f"'point_scores' has shape {raw.shape} but 'tracks' needs {expected} ({', '.join(stored)}); "
            f"{LAYOUT}",
            path=path,
        )
    if scores.dtype.kind == "f" and scores.dtype.itemsize < 8:
        # movement stores float32: 0.9 becomes 0.899999976, below a 0.9 cut. Seven decimals are what a
        # float32 score in [0, 1] holds, so rounding to them gives back the score that was written.
        return np.round(scores.astype(np.float64), 7)
    return scores.astype(np.float64, copy=False)


def names_of(values: np.ndarray, what: str, path: Path) -> list[str]:
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


def animal_names(names: list[str], n_tracks: int, path: Path) -> list[str]:
    """Name each track: its own name, the file stem for a lone unnamed track, else ``track_i``.

    Two tracks with one name (SLEAP allows it) are kept apart as ``name (track i)``, with a warning, so
    that neither animal's frames are merged into the other's.
    """
    if names and len(names) != n_tracks:
        raise AssayInputError(
            f"'track_names' has {len(names)} names but 'tracks' has {n_tracks} tracks; {LAYOUT}", path=path
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
