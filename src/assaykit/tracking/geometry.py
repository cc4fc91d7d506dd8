"""Arenas as named polygons: which zone each point is in, and how far each point is from each zone.

An :class:`Arena` is a tuple of :class:`Zone` polygons in the track's coordinates (cm), each with a *kind*
(``open``, ``closed``, ``center`` for the plus maze; ``light``, ``dark`` for the light-dark box) that the
endpoint tables sum over. :func:`plus_maze` and :func:`light_dark_box` build the standard apparatus from
their dimensions; a preset may instead give explicit polygons.

All functions are vectorised over points: no Python loop runs per frame.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Zone:
    """One zone of an arena.

    Attributes
    ----------
    name
        Unique name, e.g. ``"open_east"``.
    kind
        The category the endpoints sum over, e.g. ``"open"``.
    polygon
        ``(n, 2)`` vertices (cm), in order around the outline, not repeating the first.
    rectangle
        For a rectangle (any rotation): ``(cx, cy, half_u, half_v, angle_rad)``, which lets
        :meth:`Arena.distance` use a closed form. None for a general polygon.
    """

    name: str
    kind: str
    polygon: np.ndarray = field(repr=False)
    rectangle: tuple[float, float, float, float, float] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Arena:
    """An apparatus: zones in track coordinates (cm).

    Attributes
    ----------
    assay
        ``"epm"`` or ``"ldb"``.
    zones
        The zones, in the order used to break ties: a point on a border shared by two zones belongs to the
        first one listed.
    """

    assay: str
    zones: tuple[Zone, ...]

    @property
    def kinds(self) -> np.ndarray:
        """The kind of each zone, as an array aligned with :attr:`zones`."""
        return np.array([z.kind for z in self.zones], dtype=object)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(xmin, xmax, ymin, ymax)`` of all zones."""
        points = np.concatenate([z.polygon for z in self.zones])
        return (
            float(points[:, 0].min()),
            float(points[:, 0].max()),
            float(points[:, 1].min()),
            float(points[:, 1].max()),
        )

    def classify(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return the index of the zone each point is in; -1 off the arena or for a missing point.

        Points on a zone's border count as inside it; on a border shared by two zones, the first zone listed
        wins.
        """
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        label = np.full(x.shape, -1, dtype=np.int64)
        for index in range(len(self.zones) - 1, -1, -1):  # reverse, so the first zone listed wins
            label[self.distance(index, x, y, reach=0.0) == 0.0] = index
        return label

    def locate(self, x: np.ndarray, y: np.ndarray, hysteresis: float) -> tuple[np.ndarray, np.ndarray]:
        """Return the zone each point is in and which zones it is within ``hysteresis`` of.

        Parameters
        ----------
        x, y
            Points (cm); NaN where missing.
        hysteresis
            Distance (cm).

        Returns
        -------
        tuple of numpy.ndarray
            ``raw``, as :meth:`classify` returns it, and ``near``, ``(n_zones, n)`` bool:
            ``distance(k, x, y) <= hysteresis`` for zone ``k`` (False for a missing point).

        Notes
        -----
        For a rectangle, the distance is 0 inside, and elsewhere it is only computed where both of its
        components are within the hysteresis (it is never smaller than either), with the same arithmetic
        as :meth:`distance`; so the result is that of comparing every distance.
        """
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        small = len(self.zones) < 127  # zone indices fit one byte: quicker to write
        raw = np.full(x.shape, -1, dtype=np.int8 if small else np.int64)
        near = np.zeros((len(self.zones), *x.shape), dtype=bool)
        excess = _ExcessCache(x, y, hysteresis)
        for index in range(len(self.zones) - 1, -1, -1):  # reverse, so the first zone listed wins
            zone = self.zones[index]
            if zone.rectangle is None:
                distance = _polygon_distance(zone.polygon, x, y, reach=hysteresis)
                raw[distance == 0.0] = index
                near[index] = distance <= hysteresis
                continue
            (over_u, u_in, u_near), (over_v, v_in, v_near) = excess.of(zone.rectangle)
            inside = u_in & v_in  # distance 0: inside or on the border
            raw[inside] = index
            if hysteresis >= 0.0:  # inside, the distance is 0
                near[index] = inside
            border = np.flatnonzero(u_near & v_near & ~inside)
            u, v = np.maximum(over_u[border], 0.0), np.maximum(over_v[border], 0.0)
            near[index, border] = np.hypot(u, v) <= hysteresis
        return raw.astype(np.int64, copy=False), near

    def distance(self, index: int, x: np.ndarray, y: np.ndarray, reach: float | None = None) -> np.ndarray:
        """Return each point's distance (cm) from zone ``index``: 0 inside or on it, NaN if missing.

        With ``reach``, a distance that must exceed it may be given as ``inf`` instead (see
        :func:`_polygon_distance`); every distance up to ``reach`` is exact.
        """
        zone = self.zones[index]
        if zone.rectangle is not None:
            return _rectangle_distance(zone.rectangle, x, y)
        return _polygon_distance(zone.polygon, x, y, reach=reach)


def rectangle_zone(
    name: str, kind: str, center: tuple[float, float], size: tuple[float, float], angle_rad: float = 0.0
) -> Zone:
    """Build a rectangular zone.

    Parameters
    ----------
    name, kind
        As in :class:`Zone`.
    center
        Centre of the rectangle (cm).
    size
        Its extent along its own axes, ``(along u, along v)``, where u is the x axis rotated by ``angle_rad``.
    angle_rad
        Counter-clockwise rotation of the rectangle.

    Returns
    -------
    Zone
    """
    cx, cy = center
    hu, hv = size[0] / 2.0, size[1] / 2.0
    cos, sin = math.cos(angle_rad), math.sin(angle_rad)
    local = np.array([[-hu, -hv], [hu, -hv], [hu, hv], [-hu, hv]])
    polygon = np.column_stack(
        [cx + local[:, 0] * cos - local[:, 1] * sin, cy + local[:, 0] * sin + local[:, 1] * cos]
    )
    return Zone(name, kind, polygon, (cx, cy, hu, hv, angle_rad))


def polygon_zone(name: str, kind: str, vertices: np.ndarray | list[list[float]]) -> Zone:
    """Build a zone from explicit vertices (at least three, not repeating the first at the end)."""
    polygon = np.asarray(vertices, dtype=float)
    if polygon.ndim != 2 or polygon.shape[1] != 2 or len(polygon) < 3:
        raise ValueError(f"zone '{name}': a polygon needs at least three [x, y] vertices")
    if np.array_equal(polygon[0], polygon[-1]):
        polygon = polygon[:-1]
    if abs(_signed_area(polygon)) == 0.0:
        raise ValueError(f"zone '{name}': the polygon has no area")
    return Zone(name, kind, polygon)


def plus_maze(
    *,
    center_size: float,
    arm_length: float,
    arm_width: float,
    open_axis: str = "x",
    origin: tuple[float, float] = (0.0, 0.0),
    rotation_deg: float = 0.0,
) -> Arena:
    """Build an elevated plus maze: a centre square and four arms.

    Parameters
    ----------
    center_size
        Side of the centre square (cm); usually the arm width.
    arm_length
        Length of each arm beyond the centre square (cm).
    arm_width
        Width of each arm (cm).
    open_axis
        ``"x"``: the open arms lie along the maze's x axis (east and west) and the closed arms along y;
        ``"y"``: the reverse.
    origin
        Where the maze centre is in track coordinates (cm).
    rotation_deg
        Counter-clockwise rotation of the maze in track coordinates.

    Returns
    -------
    Arena
        Zones ``open_east``/``open_west`` (or ``open_north``/``open_south``), the two closed arms, then
        ``center``; arms are listed first, so a point on an arm's border with the centre is in the arm.

    Notes
    -----
    The layout is the standard one (Pellow et al. 1985, J Neurosci Methods 14:149; Walf & Frye 2007,
    Nat Protoc 2:322): two open and two closed arms crossing at a central square. Arm walls are not
    modelled: a point is in an arm when it is over the arm's floor.
    """
    if open_axis not in ("x", "y"):
        raise ValueError(f"open_axis must be 'x' or 'y', not {open_axis!r}")
    if min(center_size, arm_length, arm_width) <= 0:
        raise ValueError("maze dimensions must be positive")
    if arm_width > center_size:
        raise ValueError("the arms cannot be wider than the centre square")
    theta = math.radians(rotation_deg)
    place = _placer(origin, theta)
    reach = center_size / 2.0 + arm_length / 2.0  # distance from the maze centre to an arm's centre

    along_x = (arm_length, arm_width)
    along_y = (arm_width, arm_length)
    arms_x = [("east", place(reach, 0.0)), ("west", place(-reach, 0.0))]
    arms_y = [("north", place(0.0, reach)), ("south", place(0.0, -reach))]
    open_arms, closed_arms = (arms_x, arms_y) if open_axis == "x" else (arms_y, arms_x)
    open_size, closed_size = (along_x, along_y) if open_axis == "x" else (along_y, along_x)
    zones = [rectangle_zone(f"open_{side}", "open", c, open_size, theta) for side, c in open_arms]
    zones += [rectangle_zone(f"closed_{side}", "closed", c, closed_size, theta) for side, c in closed_arms]
    zones.append(rectangle_zone("center", "center", origin, (center_size, center_size), theta))
    return Arena("epm", tuple(zones))


def light_dark_box(
    *,
    width: float,
    depth: float,
    divider: float,
    light_side: str = "high",
    origin: tuple[float, float] = (0.0, 0.0),
    rotation_deg: float = 0.0,
) -> Arena:
    """Build a light-dark box: two compartments side by side along the box's x axis.

    Parameters
    ----------
    width
        Inside length of the whole box along x (cm).
    depth
        Inside depth along y (cm).
    divider
        Position of the divider along x, from the box's low-x wall (cm).
    light_side
        ``"high"``: the light compartment is ``x >= divider`` (the dark one ``x < divider``); ``"low"``: the
        reverse.
    origin
        Where the box's low-x, low-y corner is in track coordinates (cm).
    rotation_deg
        Counter-clockwise rotation of the box about that corner.

    Returns
    -------
    Arena
        Zones ``light`` and ``dark``; the compartment on the high-x side of the divider is listed first, so
        a point exactly on the divider is on the high-x side.

    Notes
    -----
    Crawley & Goodwin 1980, Pharmacol Biochem Behav 13:167; Bourin & Hascoet 2003, Eur J Pharmacol 463:55
    (the dark compartment one third of the box, the light two thirds, in the usual mouse apparatus).
    """
    if light_side not in ("high", "low"):
        raise ValueError(f"light_side must be 'high' or 'low', not {light_side!r}")
    if min(width, depth) <= 0 or not 0 < divider < width:
        raise ValueError("box dimensions must be positive and the divider inside the box")
    theta = math.radians(rotation_deg)
    place = _placer(origin, theta)
    high = (place((divider + width) / 2.0, depth / 2.0), (width - divider, depth))
    low = (place(divider / 2.0, depth / 2.0), (divider, depth))
    high_kind, low_kind = ("light", "dark") if light_side == "high" else ("dark", "light")
    zones = (
        rectangle_zone(high_kind, high_kind, high[0], high[1], theta),
        rectangle_zone(low_kind, low_kind, low[0], low[1], theta),
    )
    return Arena("ldb", zones)


def _placer(origin: tuple[float, float], theta: float) -> Callable[[float, float], tuple[float, float]]:
    """Map apparatus coordinates (u, v) to track coordinates: rotate by ``theta``, shift to ``origin``."""
    cos, sin = math.cos(theta), math.sin(theta)

    def place(u: float, v: float) -> tuple[float, float]:
        return origin[0] + u * cos - v * sin, origin[1] + u * sin + v * cos

    return place


def _rectangle_distance(
    rect: tuple[float, float, float, float, float], x: np.ndarray, y: np.ndarray
) -> np.ndarray:
    over_u, over_v = _rectangle_excess(rect, x, y)
    return np.hypot(np.maximum(over_u, 0.0), np.maximum(over_v, 0.0))


class _ExcessCache:
    """Each point's excess over a rectangle's half-sizes, and whether it is <= 0 and <= the hysteresis.

    Unrotated rectangles that share an axis line and half-size share the arrays (computed once).
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, hysteresis: float) -> None:
        self.x, self.y, self.hysteresis = x, y, hysteresis
        self.cache: dict[tuple[str, float, float], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def of(
        self, rect: tuple[float, float, float, float, float]
    ) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]:
        cx, cy, hu, hv, angle = rect
        if angle:
            over_u, over_v = _rectangle_excess(rect, self.x, self.y)
            return self._masks(over_u), self._masks(over_v)
        return self._axis("x", cx, hu), self._axis("y", cy, hv)

    def _axis(self, axis: str, center: float, half: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        key = (axis, center, half)
        if key not in self.cache:
            over = (self.x if axis == "x" else self.y) - center
            np.abs(over, out=over)
            over -= half  # |v - center| - half, as _rectangle_excess computes it
            self.cache[key] = self._masks(over)
        return self.cache[key]

    def _masks(self, over: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return over, over <= 0.0, over <= self.hysteresis


def _rectangle_excess(
    rect: tuple[float, float, float, float, float], x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """How far each point is beyond the rectangle's half-sizes along its axes (negative inside)."""
    cx, cy, hu, hv, angle = rect
    dx, dy = np.asarray(x, dtype=float) - cx, np.asarray(y, dtype=float) - cy
    if angle:
        cos, sin = math.cos(angle), math.sin(angle)
        dx, dy = dx * cos + dy * sin, -dx * sin + dy * cos
    return np.abs(dx) - hu, np.abs(dy) - hv


def _polygon_distance(
    polygon: np.ndarray, x: np.ndarray, y: np.ndarray, reach: float | None = None
) -> np.ndarray:
    """Distance from each point to a simple polygon: 0 inside (even-odd rule) or on it, NaN if missing.

    With ``reach``, points farther than ``reach`` from the polygon's bounding box (so farther than that from
    the polygon) get ``inf`` instead of their distance: the distance is only worked out where it can be
    ``reach`` or less, which is all that :meth:`Arena.classify` (``reach`` 0) and :meth:`Arena.locate`
    (the hysteresis) ask. Every distance that is worked out is computed as without ``reach``.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    inside = np.zeros(x.shape, dtype=bool)
    edges = list(zip(polygon, np.roll(polygon, -1, axis=0), strict=True))
    for (x0, y0), (x1, y1) in edges:
        # even-odd ray cast towards +x (half-open in y so a vertex is crossed once)
        with np.errstate(invalid="ignore", divide="ignore"):
            crosses = (y0 > y) != (y1 > y)
            x_cross = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
        inside ^= crosses & (x < x_cross)
    distance = np.zeros(x.shape)
    if reach is None:
        todo = np.flatnonzero(~inside)
    else:
        reach = max(float(reach), 0.0)
        (xmin, ymin), (xmax, ymax) = polygon.min(axis=0), polygon.max(axis=0)
        near_box = (x >= xmin - reach) & (x <= xmax + reach) & (y >= ymin - reach) & (y <= ymax + reach)
        distance[~inside & ~near_box] = np.inf
        todo = np.flatnonzero(~inside & near_box)
    px, py = x[todo], y[todo]
    nearest = np.full(px.shape, np.inf)
    for (x0, y0), (x1, y1) in edges:
        ex, ey = x1 - x0, y1 - y0
        t = np.clip(((px - x0) * ex + (py - y0) * ey) / (ex * ex + ey * ey), 0.0, 1.0)
        np.minimum(nearest, np.hypot(px - (x0 + t * ex), py - (y0 + t * ey)), out=nearest)
    distance[todo] = nearest
    distance[np.isnan(x) | np.isnan(y)] = np.nan
    return distance


def _signed_area(polygon: np.ndarray) -> float:
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))
