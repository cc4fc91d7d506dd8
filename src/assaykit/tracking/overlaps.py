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

The overlap area is exact for any simple polygon, convex or not: see
:mod:`assaykit.planar` (the method and its sources).
"""

from __future__ import annotations

import warnings
from pathlib import Path

from assaykit.planar import crossing_message, first_crossing, intersection_area, signed_area
from assaykit.tracking.geometry import Arena

__all__ = ["crossing_message", "first_crossing", "intersection_area", "overlap_warnings", "signed_area"]

#: An overlap this small relative to the smaller zone is rounding on a shared border, not an overlap.
RELATIVE_TOLERANCE = 1e-9
#: Unit names for areas in track units (``TrackTable.space_unit``), and cm per unit when it is fixed.
_UNIT_CM = {"cm": 1.0, "mm": 0.1, "m": 100.0}


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
