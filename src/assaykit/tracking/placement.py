"""Do the zones sit where the animal was? A check of zones against the tracks' positions, before scoring.

Zone files are drawn on a video frame, in the tracks' own units (pixels for pose files). Two mistakes put
the zones somewhere else entirely, and each leaves every frame "off the maze" with no hint of why:

* zones from another video or camera (the polygons lie nowhere near the positions);
* zones in other units than the tracks (drawn in cm, or scaled, while the tracks are in pixels: the
  zones cover a small corner of where the animal went).

:func:`placement_warning` compares the box around the zones with the box around the positions (their 1st
to 99th percentiles, so that a few tracking jumps do not count) and warns when fewer than half the
positions fall in the zones' box and the two boxes are apart, or the positions spread over more than
twice the zones' width and height. An animal that stays in one part of a correct maze does neither.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assaykit.tracking.geometry import Arena

#: Fewer positions than this say nothing about where the zones should be.
MIN_POSITIONS = 10


def placement_warning(
    arena: Arena,
    xs: Sequence[np.ndarray],
    ys: Sequence[np.ndarray],
    cm_per_unit: float,
    unit: str | None,
    source: Path | str | None,
    *,
    drawn: bool = True,
) -> None:
    """Warn (``UserWarning``, one line) when the zones lie away from the positions or are far too small.

    Parameters
    ----------
    arena
        The zones, in cm.
    xs, ys
        Positions in the tracks' own units (one array per file; NaN where missing).
    cm_per_unit
        Centimetres per track unit: the arena is converted back to track units with it, so that the
        message speaks in the units of the zone file.
    unit
        The tracks' unit (``"px"``, ...; None: not stated).
    source
        The zone file or preset, named at the start of the warning.
    drawn
        Whether the zones were drawn (a zone file, a preset's ``[[zones]]``); False for a preset's
        ``[arena]`` geometry, placed by its ``origin``, which the message then points to.
    """
    x = np.concatenate([np.asarray(v, dtype=float).ravel() for v in xs]) if len(xs) else np.empty(0)
    y = np.concatenate([np.asarray(v, dtype=float).ravel() for v in ys]) if len(ys) else np.empty(0)
    seen = np.isfinite(x) & np.isfinite(y)
    x, y = x[seen], y[seen]
    if len(x) < MIN_POSITIONS or not cm_per_unit > 0:
        return
    zx0, zx1, zy0, zy1 = (value / cm_per_unit for value in arena.bounds)
    inside = float(np.mean((x >= zx0) & (x <= zx1) & (y >= zy0) & (y <= zy1)))
    if inside >= 0.5:  # the usual case, decided without sorting every position
        return
    px0, px1 = np.percentile(x, [1, 99])
    py0, py1 = np.percentile(y, [1, 99])
    apart = px1 < zx0 or px0 > zx1 or py1 < zy0 or py0 > zy1
    ratio = min((px1 - px0) / max(zx1 - zx0, 1e-300), (py1 - py0) / max(zy1 - zy0, 1e-300))
    if inside >= 0.5 or not (apart or ratio > 2.0):
        return
    units = unit or "track units"
    what = "the zones span" if drawn else "the arena spans"
    message = (
        f"{what} x {zx0:.4g} to {zx1:.4g}, y {zy0:.4g} to {zy1:.4g} {units}, but the positions x "
        f"{px0:.4g} to {px1:.4g}, y {py0:.4g} to {py1:.4g} ({inside:.0%} of them within that span)"
    )
    if not drawn:
        message += (
            "; the preset's arena is placed by its origin (the maze centre, or the box's corner, in the "
            "tracks' units): set [arena] origin in a copy of the preset, or draw the zones on the video "
            "(--zones)"
        )
    elif apart:
        message += "; are the zones from another video or camera, or in other units than the tracks?"
    else:
        message += (
            f"; the positions spread over {ratio:.3g} times the zones' size: zone coordinates must be in the "
            f"tracks' own units ({units}), as drawn on the video frame"
        )
    prefix = f"{source}: " if source is not None else ""
    warnings.warn(prefix + message, UserWarning, stacklevel=2)
