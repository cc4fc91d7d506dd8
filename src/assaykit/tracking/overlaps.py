"""Zones drawn by hand: outlines that cross themselves, and zones that overlap.

A zone file or a preset's ``[[zones]]`` gives each zone as a polygon. Two faults of hand-drawn polygons
change the numbers without anything failing, so they are caught here:

* An outline that crosses itself (vertices listed out of order: a rectangle given as two triangles
  meeting at a point) is not the zone that was meant; :func:`first_crossing` finds it and the readers
  refuse it.
* Two zones that overlap (a centre square drawn a little into an arm) share the points in the overlap,
  which :meth:`assaykit.tracking.geometry.Arena.classify` gives to the zone listed first. That rule is
  fine for a border, but an overlap with area deserves a word: :func:`overlap_warnings` says which zones,
  how much area and where the points go. Zones that only share a border (zero area) are not overlaps.

The overlap area is exact for any simple polygon, convex or not (:func:`intersection_area`): the second
polygon is cut into the signed triangles of a fan from its first vertex, whose signed sum is 1 inside it
and 0 outside (the winding number); the first polygon is clipped to each triangle with the
Sutherland-Hodgman algorithm, which is exact against a convex clip region even for a concave subject (the
clipped outline may run along the triangle's edges twice, which adds no area); and the shoelace formula
gives each clipped area. So ``area(A & B) = sum_i sign(t_i) * area(clip(A, t_i))``.

References
----------
Sutherland, I. E. & Hodgman, G. W. (1974). Reentrant polygon clipping. Commun. ACM 17(1), 32-42.
The shoelace formula and the winding number of a polygon: O'Rourke, J. (1998). Computational Geometry in C,
2nd ed., sections 1.3 and 7.4.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assaykit.tracking.geometry import Arena

#: An overlap this small relative to the smaller zone is rounding on a shared border, not an overlap.
RELATIVE_TOLERANCE = 1e-9
#: Unit names for areas in track units (``TrackTable.space_unit``), and cm per unit when it is fixed.
_UNIT_CM = {"cm": 1.0, "mm": 0.1, "m": 100.0}


def signed_area(polygon: np.ndarray) -> float:
    """Return the signed area of a closed polygon (shoelace): positive when its vertices run anticlockwise.

    Parameters
    ----------
    polygon
        ``(n, 2)`` vertices in order, not repeating the first.
    """
    polygon = np.asarray(polygon, dtype=float)
    if len(polygon) < 3:
        return 0.0
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def intersection_area(a: np.ndarray, b: np.ndarray) -> float:
    """Return the area of the intersection of two simple polygons (either may be concave).

    Parameters
    ----------
    a, b
        ``(n, 2)`` vertices in order around each outline, either direction, not repeating the first; the
        outlines must not cross themselves (:func:`first_crossing`).

    Returns
    -------
    float
        The area inside both, exact up to rounding (see the module docstring); 0 for polygons that only
        share a border or a vertex, up to rounding of order 1e-15 of their size.
    """
    a, b = _anticlockwise(a), _anticlockwise(b)
    if len(b) > len(a):  # fewer triangles: fan the polygon with fewer vertices
        a, b = b, a
    (bx0, by0), (bx1, by1) = b.min(axis=0), b.max(axis=0)
    (ax0, ay0), (ax1, ay1) = a.min(axis=0), a.max(axis=0)
    if ax0 >= bx1 or bx0 >= ax1 or ay0 >= by1 or by0 >= ay1:
        return 0.0
    box = np.array([[bx0, by0], [bx1, by0], [bx1, by1], [bx0, by1]])
    a = _clip(a, box)  # the part of A within B's bounding box: the rest meets no triangle of B
    total = 0.0
    for i in range(1, len(b) - 1):
        triangle = np.array([b[0], b[i], b[i + 1]])
        sign = np.sign(signed_area(triangle))
        if sign == 0 or len(a) < 3:
            continue
        total += sign * signed_area(_clip(a, triangle if sign > 0 else triangle[::-1]))
    return max(total, 0.0)


def first_crossing(polygon: np.ndarray) -> tuple[int, int] | None:
    """Return the first two edges of an outline that cross each other, or None when none do.

    Parameters
    ----------
    polygon
        ``(n, 2)`` vertices, not repeating the first; edge ``i`` runs from vertex ``i`` to vertex
        ``i + 1`` (the last back to vertex 0).

    Returns
    -------
    tuple of int or None
        ``(i, j)``, ``i < j``, 0-based edge numbers of a proper crossing: the two edges meet at a point
        inside both (not at a vertex). Edges that only touch, or run along each other, are not crossings:
        they add no area with the wrong sign.
    """
    p = np.asarray(polygon, dtype=float)
    q = np.roll(p, -1, axis=0)
    n = len(p)
    for i in range(n - 2):
        j = np.arange(i + 2, n if i > 0 else n - 1)  # not the edge itself, nor its neighbours
        if len(j) == 0:
            continue
        d1 = _cross(p[i], q[i], p[j])
        d2 = _cross(p[i], q[i], q[j])
        d3 = _cross(p[j], q[j], p[i][None, :])
        d4 = _cross(p[j], q[j], q[i][None, :])
        proper = (d1 * d2 < 0) & (d3 * d4 < 0)
        if proper.any():
            return i, int(j[np.argmax(proper)])
    return None


def overlap_warnings(arena: Arena, cm_per_unit: float | None, unit: str | None, source: Path | None) -> None:
    """Warn (``UserWarning``, one line each) about every pair of the arena's zones that overlap.

    Parameters
    ----------
    arena
        The arena, its zones in cm and in the order that breaks ties (zones of kind ``ignore`` are
        already dropped).
    cm_per_unit
        Centimetres per track unit (the zones were scaled from track units by it); None when no scale is
        known, in which case the zones are taken to be in track units.
    unit
        The track's unit (``"px"``, ``"cm"``, ...; None: not stated).
    source
        The zone file or preset, named at the start of each warning.

    Notes
    -----
    The message gives the area in the zone file's own units (the track's) and in cm² when a scale is
    known, and the rule applied: points in the overlap count in the zone listed first. When the later
    zone lies wholly inside the earlier one, it says that no point can count in it.
    """
    zones = arena.zones
    factor = 1.0 if cm_per_unit is None else float(cm_per_unit)
    areas = [abs(signed_area(z.polygon)) for z in zones]
    prefix = f"{source}: " if source is not None else ""
    for i, first in enumerate(zones):
        for j in range(i + 1, len(zones)):
            second = zones[j]
            shared = intersection_area(first.polygon, second.polygon)
            if shared <= RELATIVE_TOLERANCE * min(areas[i], areas[j]):
                continue
            size = _area_text(shared / factor**2, unit, cm_per_unit)
            if shared >= areas[j] * (1 - 1e-9):
                message = (
                    f"zone '{second.name}' lies wholly inside '{first.name}' ({size}); points there count in "
                    f"'{first.name}', listed first, so none can count in '{second.name}'"
                )
            else:
                message = (
                    f"zones '{first.name}' and '{second.name}' overlap by {size}; points there count in "
                    f"'{first.name}', listed first"
                )
            if first.kind == second.kind:
                message += f" (both are {first.kind}, so the {first.kind} totals do not depend on it)"
            warnings.warn(prefix + message, UserWarning, stacklevel=2)


def crossing_message(polygon: np.ndarray | Sequence[Sequence[float]]) -> str | None:
    """Describe where an outline crosses itself, or return None when it does not."""
    p = np.asarray(polygon, dtype=float)
    found = first_crossing(p)
    if found is None:
        return None
    i, j = found
    n = len(p)

    def edge(k: int) -> str:
        (x0, y0), (x1, y1) = p[k], p[(k + 1) % n]
        return f"edge {k + 1}, from ({x0:g}, {y0:g}) to ({x1:g}, {y1:g})"

    return (
        f"its outline crosses itself ({edge(i)}, crosses {edge(j)}); list the vertices in order around "
        "the zone"
    )


def _area_text(area: float, unit: str | None, cm_per_unit: float | None) -> str:
    """Say an area in track units, and in cm² when a scale is known."""
    if unit == "cm" or (unit is None and cm_per_unit == 1.0):
        return f"{_number(area)} cm²"
    named = f"{_number(area)} {unit}²" if unit else f"{_number(area)} square track units"
    if cm_per_unit is None:
        return f"{named} (no scale to cm given)"
    return f"{named} ({_number(area * cm_per_unit**2)} cm²)"


def _number(value: float) -> str:
    """Three significant digits, without an exponent for ordinary sizes (``34,900``, ``58.5``, ``0.012``)."""
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if value >= 0.01 else f"{value:.2g}"


def _anticlockwise(polygon: np.ndarray) -> np.ndarray:
    polygon = np.asarray(polygon, dtype=float)
    return polygon[::-1].copy() if signed_area(polygon) < 0 else polygon


def _cross(a: np.ndarray, b: np.ndarray, points: np.ndarray) -> np.ndarray:
    """``(b - a) x (point - a)`` for each point: > 0 left of a->b, < 0 right, 0 on its line."""
    return (b[..., 0] - a[..., 0]) * (points[..., 1] - a[..., 1]) - (b[..., 1] - a[..., 1]) * (
        points[..., 0] - a[..., 0]
    )


def _clip(subject: np.ndarray, clip: np.ndarray) -> np.ndarray:
    """Clip ``subject`` to the convex anticlockwise polygon ``clip`` (Sutherland-Hodgman, vectorised)."""
    out = subject
    for k in range(len(clip)):
        if len(out) == 0:
            break
        a, b = clip[k], clip[(k + 1) % len(clip)]
        p, q = out, np.roll(out, -1, axis=0)
        sp, sq = _cross(a, b, p), _cross(a, b, q)
        p_in, q_in = sp >= 0, sq >= 0
        crossing = p_in != q_in
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(crossing, sp / np.where(crossing, sp - sq, 1.0), 0.0)
        meet = p + t[:, None] * (q - p)
        # for each edge p->q: the point where it crosses the clip line (if it does), then q (if inside)
        candidates = np.stack([meet, q], axis=1)
        keep = np.stack([crossing, q_in], axis=1)
        out = candidates[keep]
    return out
