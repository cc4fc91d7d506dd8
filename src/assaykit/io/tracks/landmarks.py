"""Keypoints that do not move: landmarks of the apparatus labelled beside the animal's body parts.

DeepLabCut and SLEAP projects often label fixed points of the set-up as body parts (the maze's corners,
the ends of its arms, a light), to find the zones from the video itself; DLCAnalyzer's plus-maze projects
label twelve such corners. Averaged into the animal's position they pull it towards the middle of the
apparatus and make a mouse that sits off the maze look like one in the centre. So when no keypoint is
chosen (``--keypoint``), the position is the centroid of the keypoints that move, and a warning names the
ones left out.

Rule: a keypoint is a landmark when the spread of its confident points over the recording (the larger of
the 5th-to-95th percentile ranges of x and of y) is below :data:`STILL_FRACTION` of the largest spread of
any keypoint in the file, and at least one keypoint moves. A body part of an animal that moves over the
apparatus spreads over tens to hundreds of pixels; a landmark's points lie within the tracker's jitter of
one place (a pixel or two). An animal that never moves leaves every keypoint still, and then none is left
out.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

#: A keypoint spreading less than this share of the widest-spreading keypoint is a landmark.
STILL_FRACTION = 0.05

#: Points a spread is measured on, at most (evenly spaced frames), so that the check stays cheap.
_SAMPLE = 20_000


def moving_parts(
    parts: Sequence[str],
    values: Sequence[np.ndarray],
    layouts: Sequence[dict[str, dict[str, int]]],
    likelihood: float,
    path: Path,
) -> list[str]:
    """Return the keypoints that move, warning (``UserWarning``) of the landmarks left out.

    Parameters
    ----------
    parts
        The keypoints (all of the file's: none was chosen).
    values
        Per animal, ``(frames, columns)`` as read: x, y and likelihood columns.
    layouts
        Per animal, keypoint -> ``{"x": column, "y": column, "likelihood": column}``.
    likelihood
        Points scored below this do not count (the confidence cut).
    path
        The file, named in the warning.

    Returns
    -------
    list of str
        ``parts`` without the landmarks, in order; all of ``parts`` when none is still or all are.
    """
    spread = {part: _spread(part, values, layouts, likelihood) for part in parts}
    widest = max((s for s in spread.values() if np.isfinite(s)), default=np.nan)
    if not widest > 0:
        return list(parts)
    still = [p for p in parts if np.isfinite(spread[p]) and spread[p] < STILL_FRACTION * widest]
    if not still or len(still) == len(parts):
        return list(parts)
    mover = max(spread, key=lambda p: spread[p] if np.isfinite(spread[p]) else -1.0)
    largest_still = max(spread[p] for p in still)
    names = ", ".join(f"'{p}'" for p in still)
    warnings.warn(
        f"{path}: the keypoint(s) {names} stay within {largest_still:.3g} px over the recording, against "
        f"{widest:.3g} px for '{mover}': they look like landmarks of the apparatus, not of the animal, and "
        "are left out of its position (the centroid of the other keypoints); choose the keypoints with "
        "--keypoint to decide yourself",
        UserWarning,
        stacklevel=2,
    )
    return [p for p in parts if p not in still]


def _spread(
    part: str, values: Sequence[np.ndarray], layouts: Sequence[dict[str, dict[str, int]]], likelihood: float
) -> float:
    """Return the larger of the 5-95th percentile ranges of a keypoint's confident x and y (NaN: no point)."""
    xs, ys = [], []
    for table, layout in zip(values, layouts, strict=True):
        if part not in layout:
            continue
        step = max(1, len(table) // _SAMPLE)
        rows = table[::step]
        x, y, score = (rows[:, layout[part][c]] for c in ("x", "y", "likelihood"))
        keep = ~(np.isnan(x) | np.isnan(y)) & ~(score < likelihood)
        xs.append(x[keep])
        ys.append(y[keep])
    x, y = (np.concatenate(v) if v else np.empty(0) for v in (xs, ys))
    if len(x) < 2:
        return float("nan")
    (x0, x1), (y0, y1) = np.percentile(x, [5, 95]), np.percentile(y, [5, 95])
    return float(max(x1 - x0, y1 - y0))
