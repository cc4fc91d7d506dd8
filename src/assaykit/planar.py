"""Plane geometry of simple polygons: signed area, self-crossing outlines, the area two polygons share.

Pure numpy, used by the zone readers (:mod:`assaykit.io`) and the tracking engine alike.

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

from collections.abc import Sequence

import numpy as np


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
