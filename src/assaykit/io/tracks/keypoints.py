"""Pose keypoints: every keypoint of a pose file as read (:class:`Keypoints`), and centroids of chosen ones.

The pose readers (DeepLabCut, LightningPose, SLEAP) share these: each keeps every keypoint as read, picks
the body parts to follow (:func:`chosen_parts`) and takes their centroid, after the likelihood cut, as the
animal's position (:func:`centroid`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assaykit.errors import AssayInputError
from assaykit.io.tables import closest_name

#: The three values of a keypoint, as :class:`Keypoints` lays them out (``likelihood``: SLEAP's point score).
COORDS = ("x", "y", "likelihood")


@dataclass(frozen=True)
class Keypoints:
    """Every keypoint of a pose-estimation file, as read (no likelihood cut), row for row with the table.

    The values stay where the reader put them (the file's value matrix, or one table per animal) and
    are gathered into ``(rows, keypoints)`` arrays only for the rows asked for (:meth:`take`), so that a
    large file is held once: the tracking assays take a batch of animals at a time.

    Attributes
    ----------
    names
        The keypoints (body parts, nodes), in the file's order.
    tables
        Per animal (in row order), its ``(frames, columns)`` values: one animal's rows are one table's
        rows, in order. Animals may share a table (DeepLabCut's multi-animal files hold every animal's
        columns side by side in one).
    layout
        ``(animals, 3, keypoints)`` int: the column of the animal's table holding the keypoint's ``x``,
        ``y`` and score; -1 for a keypoint the animal lacks (NaN).
    chosen
        The keypoints the reader's position (``x``, ``y`` of the table) is the centroid of.
    """

    names: tuple[str, ...]
    tables: tuple[np.ndarray, ...] = field(repr=False)
    layout: np.ndarray = field(repr=False)
    chosen: tuple[str, ...]
    starts: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Check the layout against the tables; find each animal's first row."""
        layout = np.asarray(self.layout, dtype=np.int64)
        if layout.shape != (len(self.tables), 3, len(self.names)):
            raise ValueError(
                f"layout must have shape ({len(self.tables)}, 3, {len(self.names)}), got {layout.shape}"
            )
        object.__setattr__(self, "layout", layout)
        lengths = [len(table) for table in self.tables]
        object.__setattr__(self, "starts", np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))

    def __len__(self) -> int:
        """Return the number of rows (frames of every animal)."""
        return int(self.starts[-1])

    def columns(self, names: tuple[str, ...] | list[str]) -> list[int]:
        """Return the column of each keypoint named (each must be in :attr:`names`)."""
        return [self.names.index(name) for name in names]

    def take(self, rows: slice | np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the keypoints of some rows as new ``(m, keypoints)`` float64 arrays.

        Parameters
        ----------
        rows
            A slice of rows (step 1), an array of row numbers, or None for every row.

        Returns
        -------
        x, y, score : numpy.ndarray
            Coordinates in the file's units (NaN in both where either is NaN, or the animal lacks the
            keypoint) and the tracker's confidence (NaN where it gave none), one row per row asked for.
        """
        n = len(self)
        if rows is None:
            rows = slice(0, n)
        if isinstance(rows, slice):
            lo, hi, step = rows.indices(n)
            if step != 1:
                raise ValueError("take a slice of rows with step 1")
            index = None
            hi = max(lo, hi)
            m = hi - lo
        else:
            index = np.asarray(rows, dtype=np.int64)
            m = len(index)
        k = len(self.names)
        out = np.empty((3, m, k))
        if index is None:
            first = max(0, int(np.searchsorted(self.starts, lo, side="right")) - 1)
            for a in range(first, len(self.tables)):
                start = int(self.starts[a])
                if start >= hi:
                    break
                t0, t1 = max(lo, start) - start, min(hi, int(self.starts[a + 1])) - start
                self._gather(a, slice(t0, t1), out[:, start + t0 - lo : start + t1 - lo])
        else:
            animal = np.searchsorted(self.starts, index, side="right") - 1
            for a in np.unique(animal).tolist():
                where = np.flatnonzero(animal == a)
                part = np.empty((3, len(where), k))
                self._gather(a, index[where] - self.starts[a], part)
                out[:, where] = part
        x, y, score = out
        missing = np.isnan(x) | np.isnan(y)
        x[missing] = np.nan
        y[missing] = np.nan
        return x, y, score

    def _gather(self, animal: int, frames: slice | np.ndarray, out: np.ndarray) -> None:
        """Copy an animal's frames of x, y and score into ``out`` (``(3, frames, keypoints)``)."""
        table = self.tables[animal]
        rows = frames if isinstance(frames, slice) else frames[:, None]
        for c in range(3):
            column = self.layout[animal, c]
            has = column >= 0
            if has.all():
                out[c] = table[rows, column]
            else:
                out[c][:, ~has] = np.nan
                out[c][:, has] = table[rows, column[has]]

    @property
    def x(self) -> np.ndarray:
        """``(rows, keypoints)`` x of every row (a new array each time; see :meth:`take`)."""
        return self.take()[0]

    @property
    def y(self) -> np.ndarray:
        """``(rows, keypoints)`` y of every row (a new array each time; see :meth:`take`)."""
        return self.take()[1]

    @property
    def score(self) -> np.ndarray:
        """``(rows, keypoints)`` confidence of every row (a new array each time; see :meth:`take`)."""
        return self.take()[2]


def pose_keypoints(
    values: np.ndarray | list[np.ndarray], layouts: list[dict[str, dict[str, int]]], chosen: list[str]
) -> Keypoints:
    """Every animal's keypoints, one animal after another, as :class:`Keypoints` over the values as read.

    Nothing is copied: :class:`Keypoints` gathers the rows asked for from ``values`` when asked.

    Parameters
    ----------
    values
        ``(n_frames, n_columns)`` values of the file, or one such array per animal.
    layouts
        Per animal, body part -> coordinate (``x``, ``y``, ``likelihood``) -> column of ``values``.
    chosen
        The body parts the position is the centroid of.

    Returns
    -------
    Keypoints
        The body parts of all animals, in order of first appearance; NaN for a part an animal lacks.
    """
    names = list(dict.fromkeys(p for layout in layouts for p in layout))
    tables = values if isinstance(values, list) else [values] * len(layouts)
    columns = np.full((len(layouts), 3, len(names)), -1, dtype=np.int64)
    for a, layout in enumerate(layouts):
        for c, coord in enumerate(COORDS):
            for j, name in enumerate(names):
                if name in layout:
                    columns[a, c, j] = layout[name][coord]
    return Keypoints(tuple(names), tuple(tables), columns, tuple(chosen))


def centroid(values: np.ndarray, parts: list[dict[str, int]], threshold: float) -> tuple[np.ndarray, ...]:
    """Average the parts' points left after the likelihood cut; also count frames lost only to the cut."""
    n = values.shape[0]
    if not parts:
        return np.full(n, np.nan), np.full(n, np.nan), 0
    x = values[:, [p["x"] for p in parts]]
    y = values[:, [p["y"] for p in parts]]
    chance = values[:, [p["likelihood"] for p in parts]]
    present = ~(np.isnan(x) | np.isnan(y))
    kept = present & ~(chance < threshold)  # a NaN likelihood next to a position does not remove it
    mean_x, mean_y = mean_of_points(x, y, kept)
    return mean_x, mean_y, int((present.any(axis=1) & np.isnan(mean_x)).sum())


def mean_of_points(x: np.ndarray, y: np.ndarray, kept: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """Return, per frame (row), the mean of the points kept (default: those present); NaN when none is.

    Parameters
    ----------
    x, y
        ``(n, k)`` points; NaN where missing.
    kept
        ``(n, k)`` bool: the points to average (present ones only); None for every present point.

    Returns
    -------
    tuple of numpy.ndarray
        The centroid's ``x`` and ``y``, ``(n,)`` each.
    """
    if kept is None:
        kept = ~(np.isnan(x) | np.isnan(y))
    n = len(x)
    count = kept.sum(axis=1)
    has = count > 0
    mean_x = np.divide(np.where(kept, x, 0.0).sum(axis=1), count, out=np.full(n, np.nan), where=has)
    mean_y = np.divide(np.where(kept, y, 0.0).sum(axis=1), count, out=np.full(n, np.nan), where=has)
    return mean_x, mean_y


def chosen_parts(
    bodypart: str | Sequence[str] | None,
    animals: list[str],
    layout: dict[str, dict[str, dict[str, int]]],
    path: Path,
) -> list[str]:
    """Return the body parts to average, checked against those of the animals in the file."""
    present = list(dict.fromkeys(p for a in animals for p in layout[a]))
    if bodypart is None:
        return present
    wanted = [bodypart] if isinstance(bodypart, str) else list(bodypart)
    if not wanted or not all(isinstance(p, str) for p in wanted):
        raise AssayInputError(f"give body parts as names, not {bodypart!r}", path=path)
    unknown = [p for p in wanted if p not in present]
    if unknown:
        listed = ", ".join(f"'{p}'" for p in present)
        message = (
            f"no body part {', '.join(repr(p) for p in unknown)} in this file; its body parts are {listed}"
        )
        suggestion = closest_name(unknown, present)
        if suggestion is not None:
            message += f"; did you mean '{suggestion[1]}'?"
        raise AssayInputError(message, path=path)
    return list(dict.fromkeys(wanted))
