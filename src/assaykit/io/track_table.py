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

from assaykit.io.runs import AnimalRuns, animal_runs


@dataclass(frozen=True)
class Keypoints:
    """Every keypoint of a pose-estimation file, as read (no likelihood cut), row for row with the table.

    Attributes
    ----------
    names
        The keypoints (body parts, nodes), in the file's order.
    x, y
        ``(n_rows, n_keypoints)`` coordinates in the file's units (pixels); NaN where the tracker had none.
    score
        ``(n_rows, n_keypoints)`` the tracker's confidence (DeepLabCut likelihood, SLEAP point score); NaN
        where it gave none.
    chosen
        The keypoints the reader's position (``x``, ``y`` of the table) is the centroid of.
    """

    names: tuple[str, ...]
    x: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    score: np.ndarray = field(repr=False)
    chosen: tuple[str, ...]

    def columns(self, names: tuple[str, ...] | list[str]) -> list[int]:
        """Return the column of each keypoint named (each must be in :attr:`names`)."""
        return [self.names.index(name) for name in names]


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
