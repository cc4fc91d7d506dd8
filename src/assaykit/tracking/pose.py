"""Pose-estimation keypoints made ready for the zone analysis: cleaned, scaled, and reduced to a position.

A pose file (DeepLabCut, LightningPose, SLEAP) gives every keypoint of every animal on every frame with a
confidence score. :func:`prepare_pose` cleans every keypoint (:func:`assaykit.tracking.cleaning.clean_points`:
confidence cut, gap interpolation, smoothing), converts it to cm, and takes the animal's position as the
centroid of the chosen keypoints (the mean of those present on the frame). It also records, per frame,
whether the position was removed by the confidence cut and whether cleaning filled it, which become the
``frames_low_likelihood`` and ``frames_interpolated`` counts of the endpoint table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from assaykit.io.tracks import Keypoints
from assaykit.io.tracks.keypoints import mean_of_points
from assaykit.tracking.cleaning import Cleaning, clean_points


@dataclass(frozen=True)
class CleanPose:
    """Cleaned keypoints of every animal of a file, in animal order (see :func:`prepare_pose`).

    Attributes
    ----------
    names
        The keypoints, as in the file.
    x, y
        ``(n, k)`` cleaned keypoints (cm); NaN where missing.
    chosen
        Columns of the keypoints the position is the centroid of.
    position_x, position_y
        ``(n,)`` the position: the mean of the chosen keypoints present; NaN when none is.
    dropped
        ``(n,)`` frames that had a position before the confidence cut and none after it: as many of the
        chosen keypoints as the entry rule needs (one for the centroid) before it, fewer after it.
    imputed
        ``(n,)`` frames with no position after the cut (cleaning may have filled them).
    """

    names: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray
    chosen: list[int]
    position_x: np.ndarray
    position_y: np.ndarray
    dropped: np.ndarray
    imputed: np.ndarray

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the chosen keypoints, ``(n, len(chosen))`` each, for a multi-point entry rule."""
        return self.x[:, self.chosen], self.y[:, self.chosen]

    def window(
        self,
        lo: int,
        hi: int,
        time_s: np.ndarray,
        durations: np.ndarray,
        start_s: float,
        breaks: np.ndarray | None = None,
    ) -> PoseWindow:
        """Return rows ``lo:hi`` (one animal's session window, starting at ``start_s``) as a PoseWindow.

        ``breaks`` marks the frames a clock gap follows (None: none).
        """
        return PoseWindow(
            self.names,
            start_s,
            time_s,
            durations,
            self.x[lo:hi],
            self.y[lo:hi],
            self.position_x[lo:hi],
            self.position_y[lo:hi],
            np.zeros(hi - lo, dtype=bool) if breaks is None else np.asarray(breaks, dtype=bool),
        )


@dataclass(frozen=True)
class PoseWindow:
    """One animal's cleaned keypoints over its session window (for posture measures).

    Attributes
    ----------
    names
        The keypoints.
    start_s
        When the session window starts (s, on the file's time axis).
    time_s, durations
        The window's frame times and the seconds each frame stands for.
    x, y
        ``(m, k)`` keypoints (cm).
    position_x, position_y
        ``(m,)`` the animal's position (cm).
    breaks
        ``(m,)`` frames followed by a clock gap (the frames the gap skipped have no keypoints): a posture
        does not run across one, and no speed is taken across one.
    """

    names: tuple[str, ...]
    start_s: float
    time_s: np.ndarray
    durations: np.ndarray
    x: np.ndarray
    y: np.ndarray
    position_x: np.ndarray
    position_y: np.ndarray
    breaks: np.ndarray | None = None

    def keypoint(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Return one keypoint's ``(m,)`` coordinates (cm)."""
        j = self.names.index(name)
        return self.x[:, j], self.y[:, j]


#: Keypoint names taken for the head and the tail base when none is given (compared in lower case, with
#: spaces and hyphens read as underscores), in order of preference.
HEAD_NAMES = ("nose", "snout", "nose_tip", "head")
TAIL_BASE_NAMES = ("tail_base", "tailbase", "tail_root", "tailroot", "base_of_tail", "tail_start", "tail1")


def find_keypoint(names: tuple[str, ...], given: str | None, candidates: tuple[str, ...]) -> str | None:
    """Return the keypoint ``given`` (it must be in ``names``), or the first of ``candidates`` present.

    Raises
    ------
    ValueError
        When ``given`` is not one of ``names``.
    """
    if given is not None:
        if given not in names:
            raise ValueError(f"no keypoint '{given}'; the keypoints are {', '.join(names)}")
        return given
    normal = {n.strip().lower().replace(" ", "_").replace("-", "_"): n for n in names}
    return next((normal[c] for c in candidates if c in normal), None)


def prepare_pose(
    keypoints: Keypoints,
    rows: slice | np.ndarray | None,
    time_s: np.ndarray,
    bounds: np.ndarray,
    cleaning: Cleaning,
    scale: float,
    needed: int = 1,
) -> CleanPose:
    """Clean the keypoints of some rows of a pose table (whole tracks) and derive the animals' positions.

    Parameters
    ----------
    keypoints
        The table's keypoints (rows as in the table).
    rows
        The rows to prepare, in animal order: a slice, row numbers, or None for every row as it is.
    time_s
        Their frame times (s).
    bounds
        Track boundaries within them: each track (an animal, or its stretch between clock gaps) whole.
    cleaning
        The cleaning steps.
    scale
        Centimetres per unit of the keypoints (pixels).
    needed
        How many of the chosen keypoints a frame needs for a position (the entry rule's
        :meth:`~assaykit.tracking.results.EntryRule.needed`; 1 for the centroid): a frame the confidence
        cut leaves with fewer, having had enough before it, is one the cut removed (``dropped``).

    Returns
    -------
    CleanPose
        For the rows asked for, in that order. Cleaning works track by track, so the rows of a batch of
        animals come out as they would from the whole table.
    """
    x, y, score = keypoints.take(rows)
    chosen = keypoints.columns(keypoints.chosen)
    present = ~(np.isnan(x[:, chosen]) | np.isnan(y[:, chosen]))
    cleaned = clean_points(time_s, x, y, score, bounds, cleaning)
    del x, y, score
    after_cut = ~cleaned.missing_after_cut[:, chosen]
    kept = after_cut.any(axis=1)  # the centroid has a point left
    lost_to_cut = (present.sum(axis=1) >= needed) & (after_cut.sum(axis=1) < needed)
    cx, cy = cleaned.x, cleaned.y
    if scale != 1.0:  # in place: the cleaned arrays are this function's own
        cx *= scale
        cy *= scale
    if len(chosen) == 1:
        position_x, position_y = cx[:, chosen[0]].copy(), cy[:, chosen[0]].copy()
    else:
        position_x, position_y = mean_of_points(cx[:, chosen], cy[:, chosen])
    return CleanPose(keypoints.names, cx, cy, chosen, position_x, position_y, lost_to_cut, ~kept)


#: Keypoint values (x, y and score of each keypoint and frame) cleaned in one batch of animals, at most
#: (unless one animal has more): bounds the memory that cleaning and the analysis need beside the file.
POSE_CHUNK_VALUES = 1 << 19


@dataclass(frozen=True)
class PoseJob:
    """What a batch of animals of a pose table needs to be cleaned and measured (see :func:`prepare_pose`).

    Attributes
    ----------
    keypoints
        The table's keypoints.
    order
        The table's rows in animal order (None: they are in it already).
    cleaning, scale, needed
        As for :func:`prepare_pose`.
    measures
        The assay's posture measures (``(window, protocol, arena) -> (dict, events)``); None for none.
    """

    keypoints: Keypoints
    order: np.ndarray | None
    cleaning: Cleaning
    scale: float
    needed: int
    measures: Callable[..., tuple[dict[str, Any], pd.DataFrame]] | None = None

    def chunk_frames(self, limit: int) -> int:
        """Frames per batch: at most ``limit``, and about :data:`POSE_CHUNK_VALUES` keypoint values."""
        return max(1, min(limit, POSE_CHUNK_VALUES // (3 * max(1, len(self.keypoints.names)))))

    def prepare(self, part: slice | np.ndarray, time_s: np.ndarray, bounds: np.ndarray) -> CleanPose:
        """Clean rows ``part`` (in animal order; whole tracks, split at ``bounds``) of the keypoints."""
        rows = part if self.order is None else self.order[part]
        return prepare_pose(self.keypoints, rows, time_s, bounds, self.cleaning, self.scale, self.needed)
