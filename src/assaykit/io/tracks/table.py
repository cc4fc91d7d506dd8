"""The table every track reader returns (:class:`TrackTable`), its vocabulary, and what every reader shares.

A reader checks its file at the boundary and returns a :class:`TrackTable` whose ``data`` holds one row per
frame with the columns ``animal`` (str), ``time_s`` (float64, seconds) and either ``x`` and ``y`` (float64,
NaN where the tracker had no position) or ``zone`` (str labels, for systems that export zones only), with
what the file says about its units and its clock. The format readers of :mod:`assaykit.io.tracks` import
this module (and :mod:`~assaykit.io.tracks.keypoints`), which imports none of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.io.tracks.keypoints import Keypoints
from assaykit.io.tracks.runs import AnimalRuns, animal_runs

#: Track formats a reader can return.
TRACK_FORMATS = ("generic", "zones", "dlc", "lightningpose", "sleap", "ethovision", "anymaze")

#: Cells read as "no position" in coordinate columns.
MISSING_TOKENS = ("", "-", "na", "nan", "n/a", "#n/a", "none", "null")

#: Length units a track file may state for its coordinates, with their size in cm.
SPACE_UNITS = {"cm": 1.0, "mm": 0.1, "m": 100.0, "px": None}


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


def checked_path(path: str | Path, suffixes: Sequence[str], what: str) -> Path:
    """Check that ``path`` is an existing file with one of ``suffixes`` (any case); return it as a Path."""
    path = Path(path)
    if not path.exists():
        raise AssayInputError("file not found", path=path)
    if path.is_dir():
        raise AssayInputError("is a folder, not a file", path=path)
    if path.suffix.lower() not in suffixes:
        found = path.suffix or path.name
        raise AssayInputError(
            f"unknown file type '{found}' for {what}; expected one of {', '.join(suffixes)}", path=path
        )
    return path


def track_frame(animal: np.ndarray, time_s: np.ndarray, x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """Assemble the canonical ``TrackTable.data`` columns (``animal``, ``time_s``, ``x``, ``y``)."""
    columns = {"time_s": time_s, "x": x, "y": y}
    return pd.DataFrame(
        {"animal": pd.array(animal, dtype="str")}
        | {k: np.asarray(v, dtype=np.float64) for k, v in columns.items()}
    )
