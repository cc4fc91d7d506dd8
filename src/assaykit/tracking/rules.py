"""Multi-point entry rules: the zone an animal is in, decided by several of its keypoints.

With pose estimation an animal is several points, and manual scoring of the plus maze counts an arm entry
only when all four paws are in the arm (Pellow et al. 1985, J Neurosci Methods 14:149; Walf & Frye 2007,
Nat Protoc 2:322). :func:`locate_points` gives, per frame, the zone that enough of the chosen keypoints
are in, in the form :meth:`assaykit.tracking.geometry.Arena.locate` gives it for one point, so the
entry-criterion machinery (:mod:`assaykit.tracking.episodes`) works unchanged:

* a frame is in zone ``z`` when at least ``needed`` keypoints are in ``z`` (a point on a border shared by
  two zones is in the first one listed, as for one point); when two zones qualify (``needed`` at most half
  the points) the one with more points wins, ties going to the zone listed first;
* it is *near* ``z`` (still in ``z`` under the hysteresis) when at least ``needed`` keypoints are within
  the hysteresis distance of ``z``; with a hysteresis of 0, only when it is in ``z``;
* it has no position when fewer than ``needed`` keypoints are present;
* it is *split* when it has a position, enough keypoints are on the arena, but no zone holds ``needed`` of
  them (e.g. two paws on an arm and two on the centre).

With a hysteresis of 0 the zone of a frame is exactly the plain test "at least ``needed`` of the points
are inside the zone's polygon", so occupancy can be compared frame by frame with other tools (e.g.
``movement.roi.compute_region_occupancy`` followed by ``.all(dim="keypoints")`` for ``all-points``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assaykit.tracking.episodes import in_zone
from assaykit.tracking.geometry import Arena


@dataclass(frozen=True)
class PointZones:
    """Per-frame zones from several keypoints (see :func:`locate_points`).

    Attributes
    ----------
    raw
        ``(n,)`` the zone the frame is in (-1: none).
    near
        ``(n_zones, n)`` whether enough keypoints are within the hysteresis of each zone.
    valid
        ``(n,)`` whether enough keypoints are present to decide.
    split
        ``(n,)`` valid frames with enough keypoints on the arena but in no single zone.
    """

    raw: np.ndarray
    near: np.ndarray
    valid: np.ndarray
    split: np.ndarray


def locate_points(arena: Arena, x: np.ndarray, y: np.ndarray, hysteresis: float, needed: int) -> PointZones:
    """Locate frames by the zones of several keypoints.

    Parameters
    ----------
    arena
        The zones (cm).
    x, y
        ``(n, k)`` keypoints (cm), NaN where missing.
    hysteresis
        Distance (cm) within which a keypoint still counts as near a zone.
    needed
        How many of the ``k`` keypoints must be in (or near) a zone; from
        :meth:`assaykit.tracking.results.EntryRule.needed`.

    Returns
    -------
    PointZones
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n, k = x.shape
    n_zones = len(arena.zones)
    counts = np.zeros((n_zones, n), dtype=np.int32)
    near = np.zeros((n_zones, n), dtype=np.int32)
    present = np.zeros(n, dtype=np.int32)
    for j in range(k):
        raw, near_j = arena.locate(x[:, j], y[:, j], hysteresis)  # -1 for a missing point
        present += ~(np.isnan(x[:, j]) | np.isnan(y[:, j]))
        for z in range(n_zones):
            counts[z] += raw == z
        near += near_j
    best = np.argmax(counts, axis=0)  # ties: the zone listed first
    enough = np.take_along_axis(counts, best[None, :], axis=0)[0] >= needed
    valid = present >= needed
    raw = np.where(enough & valid, best, -1).astype(np.int64)
    on_arena = counts.sum(axis=0) >= needed
    # a hysteresis of 0 is the plain test: near only the zone the frame is in, whatever the others hold
    near_zone = in_zone(raw, n_zones) if hysteresis == 0.0 else near >= needed
    return PointZones(raw, near_zone, valid, valid & (raw < 0) & on_arena)
