"""With the entry criterion off, zone credit is a plain point-in-polygon test (checked with matplotlib's)."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.path import Path as PolygonPath

from assaykit.tracking.analysis import EntryCriterion, analyze_track
from assaykit.tracking.geometry import light_dark_box, plus_maze

KINDS = {"epm": ("open", "closed", "center"), "ldb": ("light", "dark")}


@pytest.mark.parametrize("assay", ["epm", "ldb"])
@pytest.mark.parametrize("rotation", [0.0, 33.0])
def test_frame_credit_equals_point_in_polygon(assay: str, rotation: float) -> None:
    rng = np.random.default_rng(11)
    if assay == "epm":
        arena = plus_maze(
            center_size=5, arm_length=30, arm_width=5, origin=(3.0, -2.0), rotation_deg=rotation
        )
    else:
        arena = light_dark_box(width=45, depth=27, divider=15, origin=(3.0, -2.0), rotation_deg=rotation)
    n = 20_000
    t = np.arange(n) / 30.0
    xmin, xmax, ymin, ymax = arena.bounds
    # a random walk over the arena's bounding box: many frames off it, many crossings
    x = np.clip(np.cumsum(rng.normal(0, 1.0, n)) % (xmax - xmin) + xmin, xmin, xmax)
    y = np.clip(np.cumsum(rng.normal(0, 1.0, n)) % (ymax - ymin) + ymin, ymin, ymax)
    kinds = KINDS[assay]
    result = analyze_track(
        t, x, y, arena, kinds=kinds, criterion=EntryCriterion(hysteresis_cm=0.0), duration_s=None
    )
    durations = result.durations
    points = np.column_stack([x, y])
    # independent test: matplotlib's point-in-polygon, a tiny outward radius so borders count as inside
    inside = {
        zone.name: PolygonPath(np.vstack([zone.polygon, zone.polygon[:1]]), closed=True).contains_points(
            points, radius=1e-9 if _ccw(zone.polygon) else -1e-9
        )
        for zone in arena.zones
    }
    taken = np.zeros(n, dtype=bool)
    expected = dict.fromkeys(kinds, 0.0)
    for zone in arena.zones:  # first zone listed wins on a shared border
        mine = inside[zone.name] & ~taken
        expected[zone.kind] += durations[mine].sum()
        taken |= mine
    for kind in kinds:
        assert result.time_s[kind] == pytest.approx(expected[kind], abs=1e-9)
    assert result.off_arena_s == pytest.approx(durations[~taken].sum(), abs=1e-9)


def _ccw(polygon: np.ndarray) -> bool:
    x, y = polygon[:, 0], polygon[:, 1]
    return float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) > 0
