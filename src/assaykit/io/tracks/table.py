"""The table every track reader returns (:class:`TrackTable`), and pose keypoints (:class:`Keypoints`).

A reader checks its file at the boundary and returns a :class:`TrackTable` whose ``data`` holds one row per
frame with the columns ``animal`` (str), ``time_s`` (float64, seconds) and either ``x`` and ``y`` (float64,
NaN where the tracker had no position) or ``zone`` (str labels, for systems that export zones only), with
what the file says about its units and its clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.io.tracks.runs import AnimalRuns, animal_runs


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


@dataclass
class TrackTable:
    """One track file, read and checked.

    Attributes
    ----------
    data
        One row per frame, in file order: ``animal`` (str), ``time_s`` (float64) and either ``x`` and ``y``
        (float64, NaN for a missing position) or ``zone`` (object dtype, the labels as written; empty
        string for none).
    source
        The file read.
    format
        One of :data:`TRACK_FORMATS`.
    space_unit
        The unit of ``x`` and ``y`` when the file states it (a key of :data:`SPACE_UNITS`), or None when it
        does not (the preset's scale then applies). None for zone-only data.
    low_likelihood
        Per animal, frames whose position was set missing because the tracker's likelihood was below the
        threshold (DeepLabCut); empty for formats without likelihoods.
    keypoints
        For pose-estimation files (DeepLabCut, LightningPose, SLEAP): every keypoint as read, aligned with
        ``data``'s rows, which the tracking assays clean and use for multi-point entry rules and postures;
        None for other formats.
    time_column
        The column the times come from, as the file names it (``time``, ``time_ms``, ``Trial time``,
        ``frame``), for messages about the times; None when the file has none (pose files count frames).
    frame_rate
        Frames per second when the times are frame numbers divided by a frame rate (``--fps``, or a rate
        the file stores); None when the file gives times.
    event_log
        Whether the file writes a row only when something changes (ANY-maze's test data), so that a long
        step between two rows is no clock gap (see :mod:`assaykit.tracking.clock`).
    """

    data: pd.DataFrame
    source: Path
    format: str
    space_unit: str | None = None
    low_likelihood: dict[str, int] = field(default_factory=dict)
    keypoints: Keypoints | None = None
    time_column: str | None = None
    frame_rate: float | None = None
    event_log: bool = False
    _runs: tuple[pd.DataFrame, AnimalRuns] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def has_coordinates(self) -> bool:
        """Whether the table holds positions (``x``, ``y``) rather than zone labels."""
        return "x" in self.data.columns

    def animal_runs(self) -> AnimalRuns:
        """Return which animal each row belongs to, as runs of rows (NaN: no animal).

        Found from ``data["animal"]`` once (a reader that already knows them gives them with
        :meth:`set_animal_runs`), and again if ``data`` is replaced; not if it is changed in place.
        """
        if self._runs is None or self._runs[0] is not self.data:
            self._runs = (self.data, animal_runs(self.data["animal"].to_numpy(dtype=object)))
        return self._runs[1]

    def set_animal_runs(self, runs: AnimalRuns) -> None:
        """Record what :meth:`animal_runs` returns (``data["animal"]`` is ``runs.names[runs.per_row()]``)."""
        self._runs = (self.data, runs)
